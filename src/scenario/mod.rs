//! Scenarios: the typed description of one simulated school system.
//!
//! A scenario is read from a TOML file (see [`load_path`] and [`Loader`];
//! bundled ones by name with [`bundled::load`]), may `extends` another
//! file so that a comparison changes only what it names, and is validated
//! once into an immutable [`Scenario`]. Every field has a default, so a file
//! names only what differs from its parent. Unknown keys and wrong types are
//! rejected with the file, line and column. The simulation never mutates a
//! scenario: changing state lives in [`crate::world::World`].
//!
//! Every parameter is documented here with its unit and default, and in
//! `docs/ODD.md` with its source.

pub mod bundled;
pub mod docs;
pub(crate) mod load;
pub mod openings;
pub mod params;
pub mod policies;
pub mod timeline;
mod toml_de;
mod validate;

pub use load::{Loader, load_from_str, load_path, locate_key, parse_located};
pub(crate) use validate::Checker;
pub use validate::{MAX_REPLICATES, validate};

use serde::{Deserialize, Serialize};

use policies::PolicyParams;

/// A complete, resolved scenario.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    /// Short name, used in output tables (default: the file's stem).
    pub name: String,
    /// One line saying what the scenario represents.
    pub description: String,
    /// Path of a scenario this one extends, relative to this file, or a list
    /// of them (merged in order). Keys set here override the parents'; tables
    /// merge key by key; arrays replace. Empty in a resolved scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<Extends>,
    /// Run length, replicates and seed.
    pub run: RunParams,
    /// The map: neighbourhoods, districts, schools.
    pub region: RegionParams,
    /// Who the pupils are.
    pub population: PopulationParams,
    /// How families choose, by disadvantage.
    pub families: FamiliesParams,
    /// Residential moves between neighbourhoods.
    pub residential: ResidentialParams,
    /// School characteristics at the start.
    pub schools: SchoolParams,
    /// Choice sets and list length.
    pub choice: ChoiceParams,
    /// The admissions mechanism and school priorities.
    pub admissions: AdmissionsParams,
    /// The learning (attainment gain) model.
    pub learning: LearningParams,
    /// What is published and how reputation follows it.
    pub reputation: ReputationParams,
    /// Market rules: funding, closures, expansion, competitive pressure.
    pub market: MarketParams,
    /// New schools opening where places run short (off by default).
    pub openings: openings::Params,
    /// Within-school improvement.
    pub improvement: ImprovementParams,
    /// Collaborative policies (plug-ins), all off by default.
    pub policies: PolicyParams,
    /// Settings of the measures.
    pub measures: MeasureParams,
    /// Changes at given years (`[[timeline]]`); none by default.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<timeline::Change>,
}

/// One parent scenario, or several merged in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Extends {
    /// One parent.
    One(String),
    /// Several parents, merged in the order listed (later ones override earlier ones).
    Many(Vec<String>),
}

/// Run length, replicates and the master seed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunParams {
    /// Simulated years recorded (default 20).
    pub years: u32,
    /// Independent replicates (default 10).
    pub replicates: u32,
    /// Master seed; replicate seeds are derived from it (default 20161).
    /// Any 64-bit unsigned value: TOML integers stop at 9223372036854775807,
    /// so a larger seed is written as a quoted string of digits.
    #[serde(with = "seed_serde")]
    pub seed: u64,
    /// Years simulated before the first recorded year and not recorded, so
    /// that the system settles (default 0).
    pub warm_up: u32,
}

/// A seed as a TOML integer when it fits one, else as a quoted string of
/// digits; both forms are read back (scenarios, sweep and validation files alike).
pub(crate) mod seed_serde {
    use serde::{Deserializer, Serializer, de};

    pub fn serialize<S: Serializer>(v: &u64, s: S) -> Result<S::Ok, S::Error> {
        if *v <= i64::MAX as u64 { s.serialize_i64(*v as i64) } else { s.serialize_str(&v.to_string()) }
    }

    struct Seed;

    const EXPECTED: &str = "a whole number from 0 to 18446744073709551615 (above 9223372036854775807, in quotes: \"18446744073709551615\")";

    impl de::Visitor<'_> for Seed {
        type Value = u64;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(EXPECTED)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::invalid_value(de::Unexpected::Signed(v), &EXPECTED))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            v.trim().parse::<u64>().map_err(|_| E::invalid_value(de::Unexpected::Str(v), &EXPECTED))
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(Seed)
    }

    /// An optional seed (absent: `None`), read as [`deserialize`] reads one.
    pub fn deserialize_option<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        deserialize(d).map(Some)
    }
}

impl Default for RunParams {
    fn default() -> Self {
        RunParams { years: 20, replicates: 10, seed: 20161, warm_up: 0 }
    }
}

/// Where the region comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionSource {
    /// Generated from the seed and the parameters below.
    Synthetic,
    /// Schools and neighbourhoods read from the CSV files named below.
    Csv,
}

/// The map: neighbourhoods, districts and schools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RegionParams {
    /// `synthetic` (default) or `csv`.
    pub source: RegionSource,
    /// Width of the synthetic region, km (default 24).
    pub width_km: f64,
    /// Height of the synthetic region, km (default 24).
    pub height_km: f64,
    /// Side of a square neighbourhood, km (default 1).
    pub neighbourhood_km: f64,
    /// Number of districts (local authorities), laid out as a near-square grid (default 4).
    pub districts: u32,
    /// Number of schools in a synthetic region (default 60).
    pub schools: u32,
    /// Pupils entering school each year (default 6000).
    pub entrants_per_year: u32,
    /// Spare places: total capacity of a year group = entrants × (1 + margin) (default 0.10).
    pub capacity_margin: f64,
    /// Spread of school sizes: SD of the log of a random factor multiplying each school's demand-based size (default 0.25).
    pub school_size_sd: f64,
    /// Smallest year group a school can have, pupils (default 30).
    pub min_school_capacity: u32,
    /// Variation in population density, SD of log households per neighbourhood (default 0.5).
    pub density_sd: f64,
    /// Residential clustering by SES: share of SES variance between neighbourhoods, 0 to 0.95 (default 0.3).
    pub residential_clustering: f64,
    /// Correlation length of the deprivation field, km (default 3).
    pub field_scale_km: f64,
    /// Schools CSV, relative to the scenario file (source = "csv").
    pub schools_csv: String,
    /// Neighbourhoods CSV, relative to the scenario file (source = "csv").
    pub neighbourhoods_csv: String,
    /// Catchments CSV (`neighbourhood, school` ids), relative to the scenario
    /// file (source = "csv"); empty: each pupil's catchment school is the
    /// nearest open school to home (default).
    pub catchments_csv: String,
    /// Trusts CSV (`trust, school` and optionally `lead`; school ids of the
    /// schools CSV), relative to the scenario file (source = "csv"); when
    /// trusts start they are these groups. Empty: trusts are generated (default).
    pub trusts_csv: String,
}

impl Default for RegionParams {
    fn default() -> Self {
        RegionParams {
            source: RegionSource::Synthetic,
            width_km: 24.0,
            height_km: 24.0,
            neighbourhood_km: 1.0,
            districts: 4,
            schools: 60,
            entrants_per_year: 6000,
            capacity_margin: 0.10,
            school_size_sd: 0.25,
            min_school_capacity: 30,
            density_sd: 0.5,
            residential_clustering: 0.3,
            field_scale_km: 3.0,
            schools_csv: String::new(),
            neighbourhoods_csv: String::new(),
            catchments_csv: String::new(),
            trusts_csv: String::new(),
        }
    }
}

/// One population group (for example an ethnic group), with how it differs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GroupParams {
    /// Label used in outputs.
    pub name: String,
    /// Share of households, 0 to 1; shares must add to 1.
    pub share: f64,
    /// Shift of the group's mean SES, in SD (default 0).
    pub ses_shift: f64,
    /// Multiplier on the weight families put on reputation (default 1).
    pub reputation_factor: f64,
    /// Multiplier on how well informed families are (default 1).
    pub information_factor: f64,
    /// Multiplier on how far families will travel (default 1).
    pub travel_factor: f64,
    /// Utility per unit share of own-group pupils in a school (default 0).
    pub own_group_weight: f64,
}

impl Default for GroupParams {
    fn default() -> Self {
        GroupParams {
            name: "all".into(),
            share: 1.0,
            ses_shift: 0.0,
            reputation_factor: 1.0,
            information_factor: 1.0,
            travel_factor: 1.0,
            own_group_weight: 0.0,
        }
    }
}

/// Who the pupils are.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PopulationParams {
    /// Share of pupils flagged disadvantaged (the lowest SES percentiles) (default 0.25).
    pub disadvantaged_share: f64,
    /// Years a cohort stays in school (default 5, secondary).
    pub years_in_school: u32,
    /// Share of pupils with special educational needs (default 0.14).
    pub sen_share: f64,
    /// How much more likely low-SES pupils are to have SEN: slope of the log probability per SD of SES below the mean (default 0.4).
    pub sen_ses_slope: f64,
    /// Share of pupils with English as an additional language (default 0.17).
    pub eal_share: f64,
    /// Correlation of prior attainment with SES, before the SEN and EAL gaps are subtracted (default 0.3).
    pub prior_ses_correlation: f64,
    /// Lower prior attainment of SEN pupils, SD (default 0.8).
    pub sen_prior_gap: f64,
    /// Lower prior attainment of EAL pupils, SD (default 0.2).
    pub eal_prior_gap: f64,
    /// Residential clustering of groups, 0 to 0.95 (default 0.3).
    pub group_clustering: f64,
    /// Population groups; one group "all" by default.
    pub groups: Vec<GroupParams>,
}

impl Default for PopulationParams {
    fn default() -> Self {
        PopulationParams {
            disadvantaged_share: 0.25,
            years_in_school: 5,
            sen_share: 0.14,
            sen_ses_slope: 0.4,
            eal_share: 0.17,
            prior_ses_correlation: 0.3,
            sen_prior_gap: 0.8,
            eal_prior_gap: 0.2,
            group_clustering: 0.3,
            groups: vec![GroupParams::default()],
        }
    }
}

/// How one class of families (advantaged or disadvantaged) chooses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChoiceBehaviour {
    /// Share of families who rank schools actively; the rest list the nearest schools (0 to 1).
    pub active_share: f64,
    /// Farthest a family will consider, km (the nearest school is always allowed).
    pub max_travel_km: f64,
    /// How well informed, 0 (sees only noise) to 1 (sees reputations exactly).
    pub information: f64,
    /// Utility lost per km of distance.
    pub weight_distance: f64,
    /// Utility per SD of school reputation.
    pub weight_reputation: f64,
    /// Utility per unit share of advantaged (not disadvantaged) pupils in a school.
    pub weight_composition: f64,
}

impl Default for ChoiceBehaviour {
    /// The advantaged defaults (the disadvantaged class has its own; see [`FamiliesParams`]).
    fn default() -> Self {
        ChoiceBehaviour::advantaged()
    }
}

impl ChoiceBehaviour {
    fn advantaged() -> Self {
        ChoiceBehaviour {
            active_share: 0.9,
            max_travel_km: 8.0,
            information: 0.9,
            weight_distance: 0.5,
            weight_reputation: 2.0,
            weight_composition: 0.0,
        }
    }
    fn disadvantaged() -> Self {
        ChoiceBehaviour {
            active_share: 0.6,
            max_travel_km: 4.0,
            information: 0.5,
            weight_distance: 0.8,
            weight_reputation: 1.5,
            weight_composition: 0.0,
        }
    }
}

/// How families choose, by disadvantage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FamiliesParams {
    /// Families not flagged disadvantaged.
    pub advantaged: ChoiceBehaviour,
    /// Families flagged disadvantaged.
    pub disadvantaged: ChoiceBehaviour,
    /// SD of idiosyncratic taste for each school, utility units (default 0.5).
    pub taste_sd: f64,
    /// SD of the error in perceived reputation for a family with information 0, reputation SD units (default 1).
    pub misinformation_sd: f64,
}

impl Default for FamiliesParams {
    fn default() -> Self {
        FamiliesParams {
            advantaged: ChoiceBehaviour::advantaged(),
            disadvantaged: ChoiceBehaviour::disadvantaged(),
            taste_sd: 0.5,
            misinformation_sd: 1.0,
        }
    }
}

/// Residential moves between neighbourhoods (Schelling-style, with house prices).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResidentialParams {
    /// Switch residential moves on (default false).
    pub moves: bool,
    /// Share of households moving each year for ordinary reasons (default 0.05).
    pub move_rate: f64,
    /// Lowest share of own-type neighbours a household accepts (Schelling tolerance) (default 0.3).
    pub tolerance: f64,
    /// Extra probability of moving for a household below its tolerance (default 0.2).
    pub unhappy_move_rate: f64,
    /// Weight of nearby schools' reputation in where movers go, scaled by their SES percentile (default 1).
    pub school_pull: f64,
    /// Weight of own-type share in where movers go (default 1).
    pub composition_pull: f64,
}

impl Default for ResidentialParams {
    fn default() -> Self {
        ResidentialParams {
            moves: false,
            move_rate: 0.05,
            tolerance: 0.3,
            unhappy_move_rate: 0.2,
            school_pull: 1.0,
            composition_pull: 1.0,
        }
    }
}

/// School characteristics at the start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchoolParams {
    /// Share of schools that are autonomous (academies, charters) (default 0).
    pub autonomous_share: f64,
    /// SD across schools of effectiveness: value added per year, pupil SD units (default 0.04).
    pub effectiveness_sd: f64,
    /// Mean of latent knowledge above practice, per-year gain units (default 0.03).
    pub latent_gap_mean: f64,
    /// SD of latent knowledge above practice (default 0.02).
    pub latent_gap_sd: f64,
    /// Share of schools with SEN expertise (default 0.2).
    pub sen_expertise_share: f64,
    /// Share of schools with EAL expertise (default 0.2).
    pub eal_expertise_share: f64,
    /// Share of autonomous schools that charge top-up fees (default 0).
    pub fee_charging_share: f64,
    /// Utility cost of a fee for the poorest family, falling linearly to 0 at the top SES percentile (default 0).
    pub fee_cost: f64,
    /// Correlation of a school's starting effectiveness with the advantage of the neighbourhoods it serves (default 0.2).
    pub effectiveness_intake_correlation: f64,
}

impl Default for SchoolParams {
    fn default() -> Self {
        SchoolParams {
            autonomous_share: 0.0,
            effectiveness_sd: 0.04,
            latent_gap_mean: 0.03,
            latent_gap_sd: 0.02,
            sen_expertise_share: 0.2,
            eal_expertise_share: 0.2,
            fee_charging_share: 0.0,
            fee_cost: 0.0,
            effectiveness_intake_correlation: 0.2,
        }
    }
}

/// Choice sets and list length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChoiceParams {
    /// Schools a family may rank (England allows 3 to 6) (default 3).
    pub list_length: u32,
    /// Nearest schools a family considers (default 12).
    pub choice_set_size: u32,
}

impl Default for ChoiceParams {
    fn default() -> Self {
        ChoiceParams { list_length: 3, choice_set_size: 12 }
    }
}

/// The admissions mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mechanism {
    /// Every pupil goes to the catchment (nearest) school; no choice.
    Catchment,
    /// Student-proposing deferred acceptance (Gale-Shapley).
    DeferredAcceptance,
    /// Boston (immediate acceptance).
    Boston,
}

/// A school priority criterion, applied in the order listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Pupils whose nearest school this is come first.
    Catchment,
    /// Nearer pupils first.
    Distance,
    /// Disadvantaged pupils first.
    Disadvantaged,
    /// Higher prior attainment first (academic selection).
    Attainment,
    /// A lottery number per pupil, the same at every school (single tie-breaking).
    Lottery,
}

/// The admissions mechanism and school priorities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdmissionsParams {
    /// `catchment`, `deferred_acceptance` (default) or `boston`.
    pub mechanism: Mechanism,
    /// Priorities of maintained schools, in order; a lottery always breaks remaining ties (default [catchment, distance]).
    pub priorities: Vec<Priority>,
    /// Priorities of autonomous schools (default: the same as maintained).
    pub autonomous_priorities: Option<Vec<Priority>>,
    /// Banded admissions: seats split across prior-attainment bands in proportion to the cohort (default false).
    pub banding: bool,
    /// Number of prior-attainment bands for banding and for band measures (default 5).
    pub bands: u32,
    /// Share of schools (autonomous first) that select by prior attainment (default 0).
    pub selective_share: f64,
    /// Probability that an autonomous school covertly demotes a hard-to-teach applicant (default 0).
    pub cream_skimming: f64,
    /// Prior attainment (SD) below which a pupil counts as hard to teach; SEN pupils always do (default -0.5).
    pub hard_to_teach_below: f64,
    /// Yearly probability that an autonomous school excludes a hard-to-teach pupil on roll (default 0).
    pub exclusion_rate: f64,
}

impl Default for AdmissionsParams {
    fn default() -> Self {
        AdmissionsParams {
            mechanism: Mechanism::DeferredAcceptance,
            priorities: vec![Priority::Catchment, Priority::Distance],
            autonomous_priorities: None,
            banding: false,
            bands: 5,
            selective_share: 0.0,
            cream_skimming: 0.0,
            hard_to_teach_below: -0.5,
            exclusion_rate: 0.0,
        }
    }
}

/// The learning model: yearly attainment gain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LearningParams {
    /// Multiplier on school effectiveness (default 1).
    pub effectiveness_weight: f64,
    /// Gain per SD of the school's mean prior attainment above the mean of all pupils on roll (default 0.05).
    pub peer_effect: f64,
    /// Gain per SD of SES per year (home support) (default 0.015, calibrated: see docs/VALIDATION.md).
    pub home_support: f64,
    /// Yearly gain lost by a SEN pupil in a school without SEN expertise, SD (default 0.08).
    pub sen_need: f64,
    /// Yearly gain lost by an EAL pupil in a school without EAL expertise, SD (default 0.04).
    pub eal_need: f64,
    /// SD of the yearly individual noise (default 0.2).
    pub noise_sd: f64,
}

impl Default for LearningParams {
    fn default() -> Self {
        LearningParams {
            effectiveness_weight: 1.0,
            peer_effect: 0.05,
            home_support: 0.015,
            sen_need: 0.08,
            eal_need: 0.04,
            noise_sd: 0.2,
        }
    }
}

/// What a league table publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Published {
    /// Mean raw attainment of the leaving cohort.
    Raw,
    /// Mean progress of the leaving cohort relative to all pupils.
    ValueAdded,
}

/// What is published and how reputation follows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReputationParams {
    /// `raw` (default) or `value_added`.
    pub published: Published,
    /// Weight of the newest results in reputation, 0 to 1 (default 0.5).
    pub update_weight: f64,
}

impl Default for ReputationParams {
    fn default() -> Self {
        ReputationParams { published: Published::Raw, update_weight: 0.5 }
    }
}

/// Market rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MarketParams {
    /// Funding follows pupils: a school's budget is its roll times the per-pupil rate (default false).
    pub funding_follows_pupils: bool,
    /// Occupancy below which a school loses staff and effectiveness when funding follows pupils (default 0.85).
    pub shrink_threshold: f64,
    /// Effectiveness in force lost at zero occupancy, scaled by the shortfall below the threshold; a level that recovers with the roll, SD (default 0.05).
    pub shrink_penalty: f64,
    /// Allow closures (default false).
    pub closures: bool,
    /// Occupancy below which a school is at risk of closure (default 0.5).
    pub closure_occupancy: f64,
    /// Consecutive years below the closure occupancy before a school closes (default 3).
    pub closure_years: u32,
    /// Allow popular schools to expand (default false).
    pub expansion: bool,
    /// First preferences per place that trigger expansion (default 1.3).
    pub expansion_trigger: f64,
    /// Capacity added per expansion, share of current capacity (default 0.1).
    pub expansion_step: f64,
    /// Largest capacity as a multiple of the original (default 1.5).
    pub max_expansion: f64,
    /// Effectiveness in force gained by a school under full competitive threat (effort; saturates, fades with the threat), SD (default 0.01).
    pub competitive_pressure: f64,
    /// Share of the gap between this year's net loss of local pupils and the perceived threat closed each year (default 0.5).
    pub pressure_response: f64,
    /// Perceived threat (net share of local entrants lost) at which the effort is full (default 0.2).
    pub pressure_saturation: f64,
}

impl Default for MarketParams {
    fn default() -> Self {
        MarketParams {
            funding_follows_pupils: false,
            shrink_threshold: 0.85,
            shrink_penalty: 0.05,
            closures: false,
            closure_occupancy: 0.5,
            closure_years: 3,
            expansion: false,
            expansion_trigger: 1.3,
            expansion_step: 0.1,
            max_expansion: 1.5,
            competitive_pressure: 0.01,
            pressure_response: 0.5,
            pressure_saturation: 0.2,
        }
    }
}

/// Within-school improvement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImprovementParams {
    /// Share of the gap between latent knowledge and practice closed each year (default 0.05).
    pub practice_rate: f64,
    /// SD of yearly random drift in effectiveness (staff turnover) (default 0.005).
    pub drift_sd: f64,
    /// Yearly decay of effectiveness and latent knowledge towards the schools' mean effectiveness at the start (default 0.02).
    pub reversion: f64,
}

impl Default for ImprovementParams {
    fn default() -> Self {
        ImprovementParams { practice_rate: 0.05, drift_sd: 0.005, reversion: 0.02 }
    }
}

/// Settings of the measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeasureParams {
    /// Attainment (pupil SD units at entry) below which a leaver is below the basic level (default -1).
    pub basic_threshold: f64,
    /// Also record every segregation and attainment measure per district, as subgroup `district:K` (default false).
    pub per_district: bool,
}

impl Default for MeasureParams {
    fn default() -> Self {
        MeasureParams { basic_threshold: -1.0, per_district: false }
    }
}

impl Scenario {
    /// The resolved scenario as TOML text.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# could not serialise: {e}\n"))
    }

    /// Priorities used by a school of the given type.
    pub fn priorities_for(&self, autonomous: bool) -> &[Priority] {
        if autonomous {
            if let Some(p) = &self.admissions.autonomous_priorities {
                return p;
            }
        }
        &self.admissions.priorities
    }

    /// The same scenario at a different size: schools, entrants and the area
    /// of a synthetic region scaled by `factor` (density unchanged).
    pub fn scaled(&self, factor: f64) -> Scenario {
        let mut s = self.clone();
        if (factor - 1.0).abs() < f64::EPSILON {
            return s;
        }
        let r = &mut s.region;
        r.schools = ((r.schools as f64 * factor).round() as u32).max(2);
        r.entrants_per_year = ((r.entrants_per_year as f64 * factor).round() as u32).max(50);
        r.width_km *= factor.sqrt();
        r.height_km *= factor.sqrt();
        r.districts = ((r.districts as f64 * factor).round() as u32).max(1);
        s
    }
}
