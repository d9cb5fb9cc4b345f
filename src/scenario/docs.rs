//! One registry documenting every numeric scenario parameter: its dotted
//! path, unit, allowed range, **plausible range**, role, the basis of its
//! default and a one-line explanation.
//!
//! The *allowed* range is what the validator accepts (the same bounds as
//! [`crate::scenario::validate()`]; a test checks that they agree). The
//! *plausible* range is what the evidence (or, for illustrative parameters,
//! judgement) supports: robustness sampling, contrasts, sweeps and the
//! interactive explorer draw from it, `schoolscape check --resolved` shows it
//! beside each value, and `docs/ODD.md` lists it. Plausible ranges of policy
//! effect sizes include zero, and negative values where evaluations found
//! harm (for example the staff time a partnership takes from teaching).
//!
//! Defaults are not repeated here: they are read from the typed
//! [`Scenario`] ([`Param::default_value`]), so the code is the one place a
//! default lives.
//!
//! ```
//! use schoolscape::scenario::docs;
//! let p = docs::lookup("population.groups[0].share").unwrap();
//! assert_eq!(p.path, "population.groups[].share");
//! assert!(docs::lookup("market.competitive_pressure").unwrap().plausible.contains(0.0));
//! ```

use serde::Serialize;

use super::Scenario;

/// A closed interval `lo ..= hi` (either end may be infinite).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    /// Lower end.
    pub lo: f64,
    /// Upper end.
    pub hi: f64,
}

impl Range {
    /// True if `v` lies in the interval.
    pub fn contains(&self, v: f64) -> bool {
        v >= self.lo && v <= self.hi
    }
}

/// The values the validator accepts.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Allowed {
    /// Lower end (may be −∞).
    pub lo: f64,
    /// Upper end (may be +∞).
    pub hi: f64,
    /// True if the lower end itself is excluded (a value must be above it).
    pub lo_exclusive: bool,
}

impl Allowed {
    /// True if the validator accepts `v` (ignoring checks that involve other parameters).
    pub fn contains(&self, v: f64) -> bool {
        let above = if self.lo_exclusive { v > self.lo } else { v >= self.lo };
        above && v <= self.hi && !v.is_nan()
    }
}

/// What a parameter is, for anything that samples or varies parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// An uncertain property of the world, of behaviour or of an effect size:
    /// robustness samples and contrasts draw these from their plausible range.
    Assumption,
    /// A policy choice that defines a scenario (who is autonomous, list
    /// length, programme sizes): a scenario sets it; samplers leave it alone
    /// unless asked.
    Lever,
    /// Size, length or a setting of a measure (run length, region size): not
    /// a property of the system being modelled.
    Setting,
}

/// Where a parameter's default comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Set by a documented calibration against data (`docs/VALIDATION.md`).
    Calibrated,
    /// Taken or converted from a cited source (`docs/ODD.md` says how).
    Evidence,
    /// An assumption, not yet checked against data.
    Illustrative,
}

impl Status {
    /// The word used in tables.
    pub fn word(self) -> &'static str {
        match self {
            Status::Calibrated => "calibrated",
            Status::Evidence => "evidence",
            Status::Illustrative => "illustrative",
        }
    }
}

impl Role {
    /// The word used in tables.
    pub fn word(self) -> &'static str {
        match self {
            Role::Assumption => "assumption",
            Role::Lever => "lever",
            Role::Setting => "setting",
        }
    }
}

/// The documentation of one numeric parameter.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Param {
    /// Dotted path as in a scenario file; `[]` stands for any index of a list
    /// (`population.groups[].share`).
    pub path: &'static str,
    /// Unit (`SD/yr`, `share`, `km`, …).
    pub unit: &'static str,
    /// True for whole numbers.
    pub whole: bool,
    /// What the validator accepts.
    pub allowed: Allowed,
    /// What the evidence (or, if illustrative, judgement) supports.
    pub plausible: Range,
    /// Assumption, lever or setting.
    pub role: Role,
    /// Where the default comes from.
    pub status: Status,
    /// The source of the default and the plausible range, briefly (full
    /// references in `docs/ODD.md`).
    pub source: &'static str,
    /// One line saying what the parameter does.
    pub explain: &'static str,
}

impl Param {
    /// The parameter's value in the default scenario.
    pub fn default_value(&self) -> Option<f64> {
        value_in(&Scenario::default(), self.path)
    }
}

/// The value of a numeric parameter in a scenario (`[]` reads the first item of a list).
pub fn value_in(s: &Scenario, path: &str) -> Option<f64> {
    let t = toml::Table::try_from(s).ok()?;
    let path = path.replace("[]", "[0]");
    match super::params::get(&t, &path)? {
        toml::Value::Float(f) => Some(*f),
        toml::Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

/// Every documented parameter, in the order of the scenario file.
pub fn all() -> &'static [Param] {
    PARAMS
}

/// The documentation of the parameter at `path`, if it is a numeric
/// parameter; list indexes are ignored (`population.groups[2].share` finds
/// `population.groups[].share`).
pub fn lookup(path: &str) -> Option<&'static Param> {
    let key = generic(path);
    PARAMS.iter().find(|p| p.path == key)
}

/// `path` with every list index replaced by `[]`.
pub fn generic(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut skip = false;
    for ch in path.chars() {
        match ch {
            '[' => {
                out.push_str("[]");
                skip = true;
            }
            ']' => skip = false,
            _ if skip => {}
            _ => out.push(ch),
        }
    }
    out
}

/// Every numeric parameter path of a scenario, with `[]` for list items,
/// in the scenario's serialised order.
pub fn numeric_paths(s: &Scenario) -> Vec<String> {
    fn walk(prefix: &str, v: &toml::Value, out: &mut Vec<String>) {
        match v {
            toml::Value::Table(t) => {
                for (k, v) in t {
                    let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                    walk(&p, v, out);
                }
            }
            toml::Value::Array(a) if !a.is_empty() && a.iter().all(|x| x.is_table()) => {
                walk(&format!("{prefix}[]"), &a[0], out)
            }
            toml::Value::Integer(_) | toml::Value::Float(_) => out.push(prefix.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(v) = toml::Value::try_from(s) {
        walk("", &v, &mut out);
    }
    out
}

/// A number as tables show it.
pub fn num(v: f64) -> String {
    if v == f64::INFINITY {
        "∞".into()
    } else if v == f64::NEG_INFINITY {
        "−∞".into()
    } else if v.abs() >= 1e6 && v.fract() == 0.0 {
        format!("{v:e}")
    } else {
        let s = format!("{v}");
        s.replace('-', "−")
    }
}

/// The allowed range in words.
pub fn allowed_text(a: &Allowed) -> String {
    match (a.lo, a.hi, a.lo_exclusive) {
        (lo, hi, _) if lo == f64::NEG_INFINITY && hi == f64::INFINITY => "any finite number".into(),
        (lo, hi, true) if hi == f64::INFINITY => format!("> {}", num(lo)),
        (lo, hi, false) if hi == f64::INFINITY => format!("≥ {}", num(lo)),
        (lo, hi, true) => format!("above {}, at most {}", num(lo), num(hi)),
        (lo, hi, false) => format!("{} to {}", num(lo), num(hi)),
    }
}

/// The plausible range in words.
pub fn plausible_text(r: &Range) -> String {
    format!("{} to {}", num(r.lo), num(r.hi))
}

/// The registry as a Markdown table (the one in `docs/ODD.md`, section 9).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| Key | Unit | Default | Allowed | Plausible | Role | Basis | Source of the plausible range |\n|---|---|---|---|---|---|---|---|\n",
    );
    for p in PARAMS {
        let d = p.default_value().map(num).unwrap_or_else(|| "—".into());
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} | {} |\n",
            p.path,
            p.unit,
            d,
            allowed_text(&p.allowed),
            plausible_text(&p.plausible),
            p.role.word(),
            p.status.word(),
            p.source
        ));
    }
    out
}

/// Resolved scenario TOML (as [`Scenario::to_toml`] writes it) with each
/// documented parameter's unit and plausible range appended as a comment.
pub fn annotate_toml(text: &str) -> String {
    let mut section = String::new();
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.lines() {
        let t = line.trim();
        if let Some(h) = t.strip_prefix("[[").and_then(|h| h.strip_suffix("]]")) {
            section = format!("{}[]", h.trim());
        } else if let Some(h) = t.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
            section = h.trim().to_string();
        } else if let Some((k, _)) = t.split_once(" = ") {
            let key = k.trim().trim_matches('"');
            let path = if section.is_empty() { key.to_string() } else { format!("{section}.{key}") };
            if let Some(p) = lookup(&path) {
                out.push_str(&format!(
                    "{line}  # {}; plausible {} ({}, {})\n",
                    p.unit,
                    plausible_text(&p.plausible),
                    p.role.word(),
                    p.status.word()
                ));
                continue;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Allowed: a closed range.
const fn within(lo: f64, hi: f64) -> Allowed {
    Allowed { lo, hi, lo_exclusive: false }
}
/// Allowed: above `lo`, at most `hi`.
const fn above(lo: f64, hi: f64) -> Allowed {
    Allowed { lo, hi, lo_exclusive: true }
}
/// Allowed: a share or probability.
const SHARE: Allowed = within(0.0, 1.0);

use Role::{Assumption as A, Lever as L, Setting as S};
use Status::{Calibrated as Cal, Evidence as Ev, Illustrative as Ill};

/// A registry entry begun: what the parameter is and what the validator
/// allows. [`Named::plausible`] and [`Judged::text`] finish it.
const fn p(path: &'static str, unit: &'static str, whole: bool, allowed: Allowed) -> Named {
    Named { path, unit, whole, allowed }
}

/// A registry entry with its path, unit, kind of number and allowed values.
struct Named {
    path: &'static str,
    unit: &'static str,
    whole: bool,
    allowed: Allowed,
}

impl Named {
    /// The plausible range `lo` to `hi`, the parameter's role, and the basis of its default.
    const fn plausible(self, lo: f64, hi: f64, role: Role, status: Status) -> Judged {
        Judged { named: self, plausible: Range { lo, hi }, role, status }
    }
}

/// A registry entry that lacks only its words.
struct Judged {
    named: Named,
    plausible: Range,
    role: Role,
    status: Status,
}

impl Judged {
    /// The source of the default and range, and what the parameter does.
    const fn text(self, source: &'static str, explain: &'static str) -> Param {
        let Named { path, unit, whole, allowed } = self.named;
        Param {
            path,
            unit,
            whole,
            allowed,
            plausible: self.plausible,
            role: self.role,
            status: self.status,
            source,
            explain,
        }
    }
}

const R: bool = false; // a real number
const W: bool = true; // a whole number
const U32: Allowed = within(0.0, u32::MAX as f64);

/// The registry. Keep it in the order of the resolved scenario file.
#[rustfmt::skip]
static PARAMS: &[Param] = &[
    // run
    p("run.years", "years", W, within(1.0, 1000.0)).plausible(5.0, 50.0, S, Ill).text("long enough for choice and reputation to settle", "Simulated years recorded."),
    p("run.replicates", "count", W, within(1.0, 10_000.0)).plausible(1.0, 100.0, S, Ill).text("enough for stable means (see the 95% intervals)", "Independent replicates, each with its own seed."),
    p("run.seed", "integer", W, within(0.0, u64::MAX as f64)).plausible(0.0, u64::MAX as f64, S, Ill).text("any", "Master seed; replicate seeds are derived from it."),
    p("run.warm_up", "years", W, within(0.0, 1000.0)).plausible(0.0, 20.0, S, Ill).text("long enough for reputations, closures and expansion to settle", "Years simulated before recorded year 1 and not recorded."),
    // region
    p("region.width_km", "km", R, within(0.1, 2000.0)).plausible(5.0, 600.0, S, Ill).text("a city region (24 km) to England (~600 km)", "Width of the synthetic region."),
    p("region.height_km", "km", R, within(0.1, 2000.0)).plausible(5.0, 600.0, S, Ill).text("as width", "Height of the synthetic region."),
    p("region.neighbourhood_km", "km", R, within(0.05, 50.0)).plausible(0.5, 2.0, S, Ill).text("neighbourhoods of a few thousand people", "Side of a square neighbourhood."),
    p("region.districts", "count", W, within(1.0, 10_000.0)).plausible(1.0, 200.0, S, Ill).text("a city (4) to England's ~150 local authorities", "Districts (local authorities) in the region."),
    p("region.schools", "count", W, within(1.0, 65_535.0)).plausible(10.0, 4000.0, S, Ill).text("a city (60) to England's ~3,500 secondary schools", "Schools in a synthetic region."),
    p("region.entrants_per_year", "pupils", W, within(1.0, 10_000_000.0)).plausible(500.0, 700_000.0, S, Ill).text("a city (6,000) to England (~600,000)", "Pupils entering school each year."),
    p("region.capacity_margin", "share", R, within(0.0, 5.0)).plausible(0.02, 0.25, A, Ev).text("DfE school capacity statistics: roughly 10% spare secondary places, varying by area", "Spare places: year-group capacity = entrants × (1 + margin)."),
    p("region.school_size_sd", "log units", R, within(0.0, 2.0)).plausible(0.1, 0.5, A, Ill).text("judgement", "Spread of school sizes (SD of the log of a random size factor)."),
    p("region.min_school_capacity", "pupils", W, U32).plausible(30.0, 90.0, S, Ill).text("one to three forms of entry", "Smallest year group a school can have (at most the average year group)."),
    p("region.density_sd", "log units", R, within(0.0, 3.0)).plausible(0.25, 1.0, A, Ill).text("judgement", "Variation in population density between neighbourhoods."),
    p("region.residential_clustering", "share", R, within(0.0, 0.95)).plausible(0.15, 0.45, A, Ill).text("order of magnitude from the residential segregation literature", "Share of SES variance between neighbourhoods (residential clustering of disadvantage)."),
    p("region.field_scale_km", "km", R, above(0.0, 100.0)).plausible(1.5, 6.0, A, Ill).text("judgement", "Correlation length of the deprivation field."),
    // population
    p("population.disadvantaged_share", "share", R, SHARE).plausible(0.15, 0.35, A, Ev).text("FSM eligibility of secondary pupils in England, 2010s–2020s (DfE)", "Share of pupils flagged disadvantaged (the lowest SES percentiles)."),
    p("population.years_in_school", "years", W, within(1.0, 15.0)).plausible(5.0, 7.0, S, Ev).text("English secondary: years 7–11, to 13 with a sixth form", "Year groups on roll."),
    p("population.sen_share", "share", R, SHARE).plausible(0.1, 0.18, A, Ev).text("SEN support among secondary pupils in England (DfE)", "Share of pupils with special educational needs."),
    p("population.sen_ses_slope", "per SD", R, within(-3.0, 3.0)).plausible(0.2, 0.6, A, Ill).text("direction from DfE: SEN more common among FSM pupils; size judgement", "How much more likely low-SES pupils are to have SEN (log-risk slope per SD of SES)."),
    p("population.eal_share", "share", R, SHARE).plausible(0.1, 0.25, A, Ev).text("EAL share of secondary pupils in England, varying by area (DfE)", "Share of pupils with English as an additional language."),
    p("population.prior_ses_correlation", "correlation", R, within(-1.0, 1.0)).plausible(0.2, 0.4, A, Ev).text("Sirin (2005) meta-analysis: mean r ≈ 0.3", "Correlation of prior attainment with SES."),
    p("population.sen_prior_gap", "SD", R, within(-3.0, 3.0)).plausible(0.5, 1.2, A, Ill).text("order of magnitude", "Lower prior attainment of SEN pupils."),
    p("population.eal_prior_gap", "SD", R, within(-3.0, 3.0)).plausible(-0.1, 0.4, A, Ill).text("EAL pupils start behind and largely catch up by 16 (Strand et al. 2015), so the gap may vanish or reverse", "Lower prior attainment of EAL pupils."),
    p("population.group_clustering", "index", R, within(0.0, 0.95)).plausible(0.1, 0.5, A, Ill).text("judgement", "Residential clustering of population groups."),
    p("population.groups[].share", "share", R, SHARE).plausible(0.0, 1.0, S, Ill).text("input: shares of the population", "Share of households in the group (shares add to 1)."),
    p("population.groups[].ses_shift", "SD", R, within(-3.0, 3.0)).plausible(-1.0, 1.0, S, Ill).text("input", "Shift of the group's mean SES."),
    p("population.groups[].reputation_factor", "×", R, within(0.0, 100.0)).plausible(0.5, 1.5, A, Ill).text("judgement", "Multiplier on the weight the group's families put on reputation."),
    p("population.groups[].information_factor", "×", R, within(0.0, 100.0)).plausible(0.5, 1.5, A, Ill).text("judgement", "Multiplier on how well informed the group's families are."),
    p("population.groups[].travel_factor", "×", R, within(0.0, 100.0)).plausible(0.5, 1.5, A, Ill).text("judgement", "Multiplier on how far the group's families travel."),
    p("population.groups[].own_group_weight", "utility", R, within(-100.0, 100.0)).plausible(0.0, 2.0, A, Ill).text("0: no taste for own group; Ukanwa et al. (2022) show choice segregates without it", "Utility per unit share of own-group pupils in a school."),
    // families
    p("families.taste_sd", "utility", R, within(0.0, 100.0)).plausible(0.25, 1.0, A, Ill).text("judgement", "SD of idiosyncratic taste for each school."),
    p("families.misinformation_sd", "reputation SD", R, within(0.0, 100.0)).plausible(0.5, 1.5, A, Ill).text("judgement", "Error in perceived reputation of a family with no information."),
    p("families.advantaged.active_share", "share", R, SHARE).plausible(0.7, 1.0, A, Ill).text("direction: Burgess et al. (2015); size judgement", "Share of advantaged families who rank schools actively (the rest list the nearest)."),
    p("families.advantaged.max_travel_km", "km", R, above(0.0, 5000.0)).plausible(5.0, 12.0, A, Ill).text("judgement", "Farthest school an active advantaged family considers."),
    p("families.advantaged.information", "0–1", R, SHARE).plausible(0.7, 1.0, A, Ill).text("judgement", "How well advantaged families see reputations (1 = exactly)."),
    p("families.advantaged.weight_distance", "utility/km", R, within(-100.0, 100.0)).plausible(0.3, 0.8, A, Ill).text("judgement", "Utility an advantaged family loses per km."),
    p("families.advantaged.weight_reputation", "utility/SD", R, within(-100.0, 100.0)).plausible(1.0, 3.0, A, Ill).text("Burgess et al. (2015): parents weigh academic results heavily", "Utility per SD of reputation, advantaged families."),
    p("families.advantaged.weight_composition", "utility", R, within(-100.0, 100.0)).plausible(0.0, 1.0, A, Ill).text("0 lets choice segregate only through information, travel and selection", "Utility per unit share of advantaged pupils, advantaged families."),
    p("families.disadvantaged.active_share", "share", R, SHARE).plausible(0.4, 0.8, A, Ill).text("direction: Burgess et al. (2015); size judgement", "Share of disadvantaged families who rank schools actively."),
    p("families.disadvantaged.max_travel_km", "km", R, above(0.0, 5000.0)).plausible(2.0, 6.0, A, Ill).text("judgement", "Farthest school an active disadvantaged family considers."),
    p("families.disadvantaged.information", "0–1", R, SHARE).plausible(0.3, 0.7, A, Ill).text("judgement", "How well disadvantaged families see reputations."),
    p("families.disadvantaged.weight_distance", "utility/km", R, within(-100.0, 100.0)).plausible(0.5, 1.2, A, Ill).text("judgement", "Utility a disadvantaged family loses per km."),
    p("families.disadvantaged.weight_reputation", "utility/SD", R, within(-100.0, 100.0)).plausible(0.75, 2.25, A, Ill).text("Burgess et al. (2015)", "Utility per SD of reputation, disadvantaged families."),
    p("families.disadvantaged.weight_composition", "utility", R, within(-100.0, 100.0)).plausible(0.0, 1.0, A, Ill).text("as for advantaged families", "Utility per unit share of advantaged pupils, disadvantaged families."),
    // residential
    p("residential.move_rate", "share/yr", R, SHARE).plausible(0.02, 0.1, A, Ill).text("order of magnitude of yearly household moves of families with children", "Share of households moving each year for ordinary reasons."),
    p("residential.tolerance", "share", R, SHARE).plausible(0.1, 0.5, A, Ill).text("Schelling (1971) tolerances", "Lowest share of own-type neighbours a household accepts."),
    p("residential.unhappy_move_rate", "share/yr", R, SHARE).plausible(0.05, 0.4, A, Ill).text("judgement", "Extra probability of moving for a household below its tolerance."),
    p("residential.school_pull", "weight", R, within(-20.0, 20.0)).plausible(0.0, 2.0, A, Ill).text("0: housing choice ignores schools", "Weight of nearby schools' reputation in where movers go."),
    p("residential.composition_pull", "weight", R, within(-20.0, 20.0)).plausible(0.0, 2.0, A, Ill).text("0: movers ignore neighbours", "Weight of own-type share in where movers go."),
    // schools
    p("schools.autonomous_share", "share", R, SHARE).plausible(0.0, 1.0, L, Ev).text("England: most secondary schools are academies", "Share of schools that are autonomous (academies, charters)."),
    p("schools.effectiveness_sd", "SD/yr", R, within(0.0, 1.0)).plausible(0.02, 0.08, A, Ev).text("about 15% of Progress 8 variance between schools (FFT Education Datalab 2020)", "SD across schools of value added per year."),
    p("schools.latent_gap_mean", "SD/yr", R, within(0.0, 1.0)).plausible(0.0, 0.06, A, Ill).text("'schools know more than they use' (Ainscow 2016); size judgement, 0 = nothing untapped", "Mean latent knowledge above practice."),
    p("schools.latent_gap_sd", "SD/yr", R, within(0.0, 1.0)).plausible(0.0, 0.04, A, Ill).text("judgement", "SD of latent knowledge above practice."),
    p("schools.sen_expertise_share", "share", R, SHARE).plausible(0.1, 0.4, A, Ill).text("judgement", "Share of schools with SEN expertise."),
    p("schools.eal_expertise_share", "share", R, SHARE).plausible(0.1, 0.4, A, Ill).text("judgement", "Share of schools with EAL expertise."),
    p("schools.fee_charging_share", "share", R, SHARE).plausible(0.0, 1.0, L, Ill).text("scenario choice (voucher systems)", "Share of autonomous schools that charge top-up fees."),
    p("schools.fee_cost", "utility", R, within(0.0, 100.0)).plausible(0.0, 3.0, A, Ill).text("judgement", "Utility cost of a fee for the poorest family (falling to 0 at the top)."),
    p("schools.effectiveness_intake_correlation", "correlation", R, within(-1.0, 1.0)).plausible(0.0, 0.4, A, Ev).text("Progress 8 rises with intake attainment (FFT Education Datalab 2015, 2016), much of it composition (Leckie & Goldstein 2017; Prior et al. 2021); 0 included", "Correlation of a school's starting effectiveness with the advantage of the neighbourhoods it serves."),
    // choice
    p("choice.list_length", "schools", W, within(1.0, 12.0)).plausible(3.0, 6.0, L, Ev).text("England's admissions allow 3 to 6 preferences (School Admissions Code)", "Schools a family may rank."),
    p("choice.choice_set_size", "schools", W, within(1.0, 32.0)).plausible(6.0, 20.0, A, Ill).text("judgement", "Nearest schools a family considers."),
    // admissions
    p("admissions.bands", "count", W, within(1.0, 20.0)).plausible(3.0, 9.0, S, Ill).text("banded admissions use 3 to 9 bands", "Prior-attainment bands for banding and band measures."),
    p("admissions.selective_share", "share", R, SHARE).plausible(0.0, 1.0, L, Ill).text("scenario choice", "Share of schools that select by prior attainment."),
    p("admissions.cream_skimming", "probability", R, SHARE).plausible(0.0, 0.5, A, Ill).text("covert selection is documented but its extent is contested (West et al. on admissions); 0 = none", "Probability that an autonomous school covertly demotes a hard-to-teach applicant."),
    p("admissions.hard_to_teach_below", "SD", R, within(-10.0, 10.0)).plausible(-1.0, 0.0, A, Ill).text("judgement", "Prior attainment below which a pupil counts as hard to teach."),
    p("admissions.exclusion_rate", "share/yr", R, SHARE).plausible(0.0, 0.02, A, Ill).text("permanent exclusions ~0.1% a year in England (DfE); unexplained moves off roll more (Education Datalab)", "Yearly probability that an autonomous school excludes a hard-to-teach pupil."),
    // learning
    p("learning.effectiveness_weight", "×", R, within(0.0, 10.0)).plausible(0.5, 1.5, A, Ill).text("scale of the school effect; judgement", "Multiplier on school effectiveness in the yearly gain."),
    p("learning.peer_effect", "SD/yr per SD", R, within(-1.0, 1.0)).plausible(0.0, 0.1, A, Ill).text("peer effects in England are small and contested; 0 = sorting costs nothing", "Gain per SD of the school's mean prior attainment."),
    p("learning.home_support", "SD/yr per SD", R, within(-1.0, 1.0)).plausible(0.01, 0.03, A, Cal).text("calibrated to the gap index (docs/VALIDATION.md); range as the robustness sample", "Yearly gain per SD of SES (home support)."),
    p("learning.sen_need", "SD/yr", R, within(-1.0, 1.0)).plausible(0.02, 0.12, A, Ill).text("judgement", "Yearly gain lost by a SEN pupil at a school without SEN expertise."),
    p("learning.eal_need", "SD/yr", R, within(-1.0, 1.0)).plausible(0.0, 0.08, A, Ill).text("judgement", "Yearly gain lost by an EAL pupil at a school without EAL expertise."),
    p("learning.noise_sd", "SD/yr", R, within(0.0, 10.0)).plausible(0.1, 0.3, A, Ill).text("judgement", "SD of the yearly individual noise."),
    // reputation
    p("reputation.update_weight", "share", R, SHARE).plausible(0.2, 0.8, A, Ill).text("judgement", "Weight of the newest results in reputation."),
    // market
    p("market.shrink_threshold", "occupancy", R, SHARE).plausible(0.7, 0.95, A, Ill).text("judgement", "Occupancy below which a school loses staff and effectiveness."),
    p("market.shrink_penalty", "SD", R, within(0.0, 1.0)).plausible(0.0, 0.1, A, Ill).text("spending raises attainment (Holmlund, McNally & Viarengo 2010); size judgement; 0 = funding losses do not reach teaching", "Effectiveness in force lost at zero occupancy when funding follows pupils (a level, scaled by the shortfall)."),
    p("market.closure_occupancy", "occupancy", R, SHARE).plausible(0.3, 0.7, L, Ill).text("judgement", "Occupancy below which a school is at risk of closure."),
    p("market.closure_years", "years", W, within(1.0, 100.0)).plausible(2.0, 5.0, L, Ill).text("judgement", "Consecutive years below the closure occupancy before a school closes."),
    p("market.expansion_trigger", "first prefs/place", R, within(0.0, 100.0)).plausible(1.1, 2.0, L, Ill).text("judgement", "First preferences per place that trigger expansion."),
    p("market.expansion_step", "share", R, within(0.0, 10.0)).plausible(0.05, 0.2, L, Ill).text("judgement: one form of entry in a six-form school", "Capacity added per expansion, share of current capacity."),
    p("market.max_expansion", "×", R, within(1.0, 10.0)).plausible(1.2, 2.0, L, Ill).text("judgement", "Largest capacity as a multiple of the original."),
    p("market.competitive_pressure", "SD", R, within(-1.0, 1.0)).plausible(0.0, 0.02, A, Ev).text("Gibbons, Machin & Silva (2008): little or no effect of competition on attainment in England, some for autonomous (voluntary-aided) schools; 0 = none", "Effectiveness in force gained by a school under full competitive threat (saturates, fades with the threat)."),
    p("market.pressure_response", "share/yr", R, SHARE).plausible(0.2, 1.0, A, Ill).text("judgement: schools react within one to a few years", "Share of the gap between this year's threat and the perceived threat closed each year."),
    p("market.pressure_saturation", "share", R, within(0.0, 1.0)).plausible(0.05, 0.5, A, Ill).text("judgement", "Net share of local entrants lost at which a school's effort is full."),
    // openings
    p("openings.shortage_share", "share of places", R, within(0.0, 1.0)).plausible(0.0, 0.3, L, Ill).text("judgement: planners keep a few per cent of places spare", "Demand above places, as a share of places, that counts as a shortage."),
    p("openings.shortage_years", "years", W, within(1.0, 100.0)).plausible(1.0, 5.0, L, Ill).text("judgement: a free school takes about two years from approval to opening", "Consecutive years of shortage before a school opens."),
    p("openings.max_per_year", "schools/yr", W, within(0.0, 1000.0)).plausible(0.0, 10.0, L, Ill).text("England opened tens of free schools a year among ~20,000 schools (DfE); scenario choice", "Most schools opened in one year in the whole region."),
    p("openings.capacity_share", "share", R, within(0.05, 5.0)).plausible(0.3, 1.5, L, Ill).text("judgement: free schools are often smaller", "Places per year group of a new school, relative to the mean of open schools."),
    p("openings.effectiveness_shift", "SD/yr", R, within(-1.0, 1.0)).plausible(-0.05, 0.05, A, Ill).text("evidence on new schools' value added is mixed; 0, worse and better included", "Starting effectiveness of a new school relative to the mean of open schools."),
    p("openings.initial_reputation", "SD", R, within(-5.0, 5.0)).plausible(-1.0, 1.0, A, Ill).text("judgement: no league-table record yet; 0 = the system mean", "Reputation of a new school before its first published results."),
    // improvement
    p("improvement.practice_rate", "share/yr", R, SHARE).plausible(0.02, 0.1, A, Ill).text("judgement", "Share of the gap between latent knowledge and practice closed each year."),
    p("improvement.drift_sd", "SD/yr", R, within(0.0, 1.0)).plausible(0.0, 0.01, A, Ill).text("judgement (staff turnover)", "SD of yearly random drift in effectiveness."),
    p("improvement.reversion", "share/yr", R, SHARE).plausible(0.01, 0.05, A, Ill).text("judgement", "Yearly reversion of effectiveness and knowledge towards the starting mean."),
    // policies
    p("policies.within_school.adoption_share", "share", R, SHARE).plausible(0.0, 1.0, L, Ill).text("scenario choice", "Share of schools that adopt within-school collaboration."),
    p("policies.within_school.practice_rate_boost", "share/yr", R, within(0.0, 1.0)).plausible(0.0, 0.15, A, Ill).text("EEF lesson study trial (2017): no effect on attainment; 0 included", "Added to the practice rate of adopting schools."),
    p("policies.within_school.inclusive_gain", "SD/yr", R, within(-1.0, 1.0)).plausible(-0.01, 0.03, A, Ill).text("Messiou & Ainscow (2015); size judgement, 0 and a small loss included", "Extra yearly gain for lowest-band pupils at adopting schools, within capacity."),
    p("policies.within_school.inclusive_capacity", "share", R, within(0.0, 1.0)).plausible(0.1, 0.4, A, Ill).text("judgement: one band of five is 0.2", "Share of a school's pupils its inclusive staff time reaches at the full gain."),
    p("policies.within_school.inclusive_cost", "SD", R, within(-1.0, 1.0)).plausible(0.0, 0.01, A, Ill).text("staff time taken from other teaching; size judgement, 0 included", "Effectiveness in force lost at adopting schools to inclusive staff time."),
    p("policies.families_of_schools.min_size", "schools", W, within(2.0, 1000.0)).plausible(6.0, 15.0, L, Ev).text("Ainscow (2016): families of 12–20 schools", "Smallest family."),
    p("policies.families_of_schools.max_size", "schools", W, within(2.0, 1000.0)).plausible(15.0, 30.0, L, Ev).text("Ainscow (2016): families of 12–20 schools", "Largest family."),
    p("policies.families_of_schools.competitor_km", "km", R, within(0.0, 1000.0)).plausible(2.0, 10.0, L, Ill).text("Ainscow (2016): families do not serve the same neighbourhoods; distance judgement", "Schools closer than this compete and are never in one family."),
    p("policies.families_of_schools.sharing_rate", "share/yr", R, SHARE).plausible(0.0, 0.2, A, Ill).text("EEF Schools Partnership Programme: impact could not be estimated; 0 included", "Share of the gap to the family's target closed per year at full trust."),
    p("policies.families_of_schools.impact_sd", "log units", R, within(0.0, 5.0)).plausible(0.0, 1.0, A, Ill).text("Ainscow (2016): impact varied between families", "Spread of strength between families."),
    p("policies.pairing.weakest_share", "share", R, within(0.0, 0.5)).plausible(0.1, 0.3, L, Ill).text("scenario choice", "Share of schools, the weakest, given a stronger partner."),
    p("policies.pairing.weak_gain_rate", "share/yr", R, SHARE).plausible(0.0, 0.3, A, Ill).text("City Challenge evaluations credit pairings, contested (Hutchings et al. 2012; Greaves et al. 2014); 0 included", "Share of the knowledge gap the weaker school closes per year at full trust."),
    p("policies.pairing.strong_gain", "SD/yr", R, within(-1.0, 1.0)).plausible(-0.005, 0.01, A, Ill).text("Ainscow (2021): partners gain; negative: the staff time helping takes", "Knowledge the stronger school gains per year at full trust."),
    p("policies.pairing.duration_years", "years", W, within(0.0, 1000.0)).plausible(0.0, 5.0, L, Ill).text("scenario choice; 0 = whole run", "Years before partners are re-matched."),
    p("policies.hubs.hub_threshold", "0–1", R, SHARE).plausible(0.3, 0.8, L, Ill).text("judgement", "Expertise at or above which a school is a hub."),
    p("policies.hubs.network_size", "schools", W, within(1.0, 1000.0)).plausible(3.0, 10.0, L, Ill).text("judgement", "Schools each hub supports."),
    p("policies.hubs.spread_rate", "share/yr", R, SHARE).plausible(0.0, 0.3, A, Ill).text("judgement; 0 included", "Share of the expertise gap closed per year at full trust."),
    p("policies.advisers.weakest_share", "share", R, within(0.0, 0.5)).plausible(0.05, 0.2, L, Ill).text("scenario choice", "Share of schools, the weakest, given an adviser from one of the strongest."),
    p("policies.advisers.rate", "share/yr", R, SHARE).plausible(0.0, 0.3, A, Ill).text("Challenge advisers credited by Hutchings et al. (2012), contested (Greaves, Macmillan & Sibieta 2014); 0 included", "Share of the knowledge gap to the adviser's school closed per year at full trust."),
    p("policies.advisers.staff_cost", "SD", R, within(-1.0, 1.0)).plausible(0.0, 0.02, A, Ill).text("time a serving head spends away from their own school; size judgement, 0 included", "Effectiveness in force the adviser's own school loses while the adviser is away."),
    p("policies.advisers.duration_years", "years", W, within(1.0, 1000.0)).plausible(2.0, 4.0, L, Ev).text("Greater Manchester Challenge: three years (Ainscow 2016)", "Years of support before the weakest are chosen again."),
    p("policies.district_collaboration.rate", "share/yr", R, SHARE).plausible(0.0, 0.2, A, Ill).text("judgement; 0 included", "Share of the gap between districts closed per year at full trust."),
    p("policies.community.deprived_share", "share", R, SHARE).plausible(0.1, 0.3, L, Ill).text("scenario choice", "Share of households, in the most deprived neighbourhoods, reached."),
    p("policies.community.reach", "share", R, SHARE).plausible(0.1, 0.6, A, Ev).text("EEF Family Skills trial: about a third of parents attended at least once", "Share of the targeted families who take part."),
    p("policies.community.effect", "SD/yr", R, within(-1.0, 1.0)).plausible(0.0, 0.05, A, Ev).text("EEF Toolkit parental engagement +4 months, mostly with young children; Family Skills trial: no effect; 0 included", "Yearly gain of a pupil whose family takes part, at full trust."),
    p("policies.community.staff_cost", "SD", R, within(-1.0, 1.0)).plausible(0.0, 0.01, A, Ill).text("staff time of outreach; size judgement, 0 included", "Effectiveness in force a school running a community partnership loses."),
    p("policies.rezoning.max_extra_km", "km", R, within(0.0, 50.0)).plausible(0.0, 5.0, L, Ill).text("Gillani et al. (2023) limit extra travel; value judgement; 0 = nothing moves", "Farthest a new catchment school may be beyond a neighbourhood's nearest school."),
    p("policies.rezoning.capacity_slack", "share", R, within(0.0, 2.0)).plausible(0.0, 0.3, L, Ill).text("judgement (10% spare places)", "Share by which a catchment's expected entrants may exceed its school's places."),
    p("policies.rezoning.passes", "passes", W, within(1.0, 1000.0)).plausible(1.0, 100.0, S, Ill).text("numerical setting", "Most passes of the local search that redraws catchments."),
    p("policies.trusts.school_share", "share", R, SHARE).plausible(0.0, 1.0, L, Ill).text("about half of English secondary schools are in multi-academy trusts (DfE); scenario choice", "Share of open schools grouped into trusts when they form."),
    p("policies.trusts.size", "schools", W, within(2.0, 1000.0)).plausible(2.0, 30.0, L, Ev).text("most MATs have under 10 schools, a few over 30 (EPI 2016)", "Schools per trust when trusts form, lead included."),
    p("policies.trusts.max_size", "schools", W, within(2.0, 10_000.0)).plausible(6.0, 60.0, L, Ill).text("judgement (at least `size`)", "Most schools a trust can hold after takeovers."),
    p("policies.trusts.spread_km", "km", R, within(0.0, 2000.0)).plausible(2.0, 100.0, L, Ill).text("MATs range from local clusters to national chains (EPI 2016)", "Farthest a member, or a school taken over, may be from the lead."),
    p("policies.trusts.support_rate", "share/yr", R, SHARE).plausible(0.0, 0.3, A, Ill).text("mixed evidence on MAT effects (EPI 2016; Hutchings & Francis 2017; NFER 2018); 0 = none", "Share of the knowledge gap to the trust's best a member closes per year at full trust."),
    p("policies.trusts.lead_gain", "SD/yr", R, within(-1.0, 1.0)).plausible(-0.01, 0.01, A, Ill).text("no direct evidence; negative: leading diverts a strong school's staff", "Knowledge a lead school gains per year at full trust."),
    p("policies.trusts.central_share", "share", R, within(0.0, 0.5)).plausible(0.0, 0.1, L, Ill).text("MAT top-slices of a few per cent of members' budgets (reported by trusts); judgement", "Share of members' funding top-sliced for central services."),
    p("policies.trusts.funding_effect", "SD/yr per share", R, within(-2.0, 2.0)).plausible(-0.2, 0.3, A, Ill).text("judgement; negative = central services worth more than they cost; 0 = neutral", "Effectiveness lost this year per unit share of funding taken for central services."),
    p("policies.trusts.takeover_years", "years", W, within(0.0, 100.0)).plausible(0.0, 5.0, L, Ill).text("re-brokering and sponsorship of failing schools (DfE); judgement; 0 = never", "Years at risk of closure after which a trust takes a school over."),
    p("policies.trusts.pool_share", "share", R, SHARE).plausible(0.0, 0.2, L, Ill).text("academy trusts may pool members' general annual grant (GAG pooling); few pool much; judgement; 0 = none", "Share of each member's funding the trust pools and gives to members in proportion to their effectiveness gap to its strongest."),
    p("policies.trusts.money_effect", "SD/yr per share", R, within(-2.0, 2.0)).plausible(-0.01, 0.2, A, Ev).text("Jackson & Mackevicius (2024): $1000 per pupil (about 8% of spending) for four years, +0.032 SD, 90% of true effects -0.004 to 0.067 SD: about 0.1 SD/yr per unit share", "Effectiveness a member gains (loses) this year per unit share of its own funding it gains (gives up) through pooling."),
    p("policies.barriers.challenge", "0–1", R, SHARE).plausible(0.0, 1.0, A, Ill).text("Ainscow (2016): challenge versus collusion; contested, whole range", "Mutual challenge: 1 moves partners to the best, 0 to their mean."),
    p("policies.barriers.initial_trust", "0–1", R, SHARE).plausible(0.2, 0.8, A, Ill).text("judgement", "Trust at the start of a partnership."),
    p("policies.barriers.trust_growth", "share/yr", R, SHARE).plausible(0.05, 0.4, A, Ill).text("Putnam (2000) in Ainscow (2016); size judgement", "Growth of trust per year of successful joint work."),
    p("policies.barriers.trust_decay", "per unit rivalry", R, within(0.0, 100.0)).plausible(0.0, 5.0, A, Ill).text("Ainscow (2016); size judgement; 0 = rivalry spares trust", "Decay of trust per unit of rivalry between partners."),
    p("policies.barriers.funding_rivalry", "×", R, within(0.0, 100.0)).plausible(1.0, 5.0, A, Ill).text("cooperation hardest when resources are allocated (Ainscow 2016); 1 = funding adds nothing", "Multiplier on rivalry and competitive pressure when funding follows pupils."),
    p("policies.barriers.competition_sensitivity", "per unit threat", R, within(0.0, 100.0)).plausible(0.0, 5.0, A, Ill).text("Armstrong & Ainscow (2018); size judgement; 0 = competition spares sharing", "Willingness to share = exp(−sensitivity × funding factor × perceived threat)."),
    p("policies.barriers.success_scale", "SD/yr", R, within(1e-9, 10.0)).plausible(0.002, 0.01, A, Ill).text("judgement", "Knowledge gain per year that counts as full success for trust."),
    p("policies.barriers.capacity", "partnerships", R, within(0.0, 100.0)).plausible(1.0, 4.0, A, Ill).text("judgement", "Partnerships a school can sustain at full strength."),
    p("policies.barriers.turbulence_dip", "SD", R, within(-1.0, 1.0)).plausible(0.0, 0.03, A, Ill).text("Hopkins, Ainscow & West (1994); Fullan (2007): an implementation dip; size judgement", "Dip in effectiveness when a school starts a new way of working."),
    p("policies.barriers.turbulence_years", "years", W, within(0.0, 100.0)).plausible(0.0, 3.0, A, Ill).text("Fullan (2007); judgement", "Years the turbulence lasts, fading linearly."),
    p("policies.barriers.active_trust", "0–1", R, SHARE).plausible(0.1, 0.5, S, Ill).text("measure only", "Mean trust at or above which a partnership counts as active."),
    // measures
    p("measures.basic_threshold", "SD", R, within(-10.0, 10.0)).plausible(-1.5, -0.5, S, Ill).text("measure setting", "Attainment below which a leaver counts as below the basic level."),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_paths_drop_indexes() {
        assert_eq!(generic("population.groups[3].share"), "population.groups[].share");
        assert_eq!(generic("a.b"), "a.b");
        assert!(lookup("population.groups[12].travel_factor").is_some());
        assert!(lookup("policies.community.enabled").is_none());
    }

    #[test]
    fn annotate_adds_ranges_to_documented_keys_only() {
        let text = Scenario::default().to_toml();
        let a = annotate_toml(&text);
        assert_eq!(a.lines().count(), text.lines().count());
        let line = a.lines().find(|l| l.starts_with("competitive_pressure")).unwrap();
        assert!(line.contains("# SD; plausible 0 to 0.02"), "{line}");
        let share = a.lines().find(|l| l.starts_with("share = ")).unwrap();
        assert!(share.contains("plausible"), "{share}");
        assert!(a.lines().any(|l| l == "enabled = false"));
    }
}
