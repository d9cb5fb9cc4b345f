//! Range and consistency checks of a resolved scenario.

use super::{RegionSource, Scenario};
use crate::error::InputProblem;

/// A number as a message shows it: very large and very small ones in
/// scientific notation (`1e300`, not three hundred digits).
pub(crate) fn show(v: f64) -> String {
    if v != 0.0 && v.is_finite() && !(1e-6..1e9).contains(&v.abs()) { format!("{v:e}") } else { format!("{v}") }
}

/// Collects range and consistency problems; keys are prefixed with the
/// section being checked (for the policy modules).
#[derive(Debug, Default)]
pub(crate) struct Checker {
    problems: Vec<InputProblem>,
    /// Prefix of the keys checked now (for example `policies.pairing`), or empty.
    pub(crate) prefix: &'static str,
}

impl Checker {
    pub(crate) fn fail(&mut self, key: &str, message: String, allowed: &str) {
        let key = if self.prefix.is_empty() { key.to_string() } else { format!("{}.{key}", self.prefix) };
        self.problems.push(InputProblem::new(key, message, allowed));
    }

    pub(crate) fn prob(&mut self, key: &str, v: f64) {
        if !(0.0..=1.0).contains(&v) || v.is_nan() {
            self.fail(key, format!("{} is out of range", show(v)), "a probability or share from 0 to 1");
        }
    }

    pub(crate) fn range(&mut self, key: &str, v: f64, lo: f64, hi: f64) {
        if !(lo..=hi).contains(&v) || v.is_nan() {
            self.fail(key, format!("{} is out of range", show(v)), &format!("a number from {lo} to {hi}"));
        }
    }

    /// Check a value against its allowed range in the parameter registry
    /// ([`super::docs`]), the one place those bounds are written.
    pub(crate) fn documented(&mut self, key: &str, v: f64) {
        let full = if self.prefix.is_empty() { key.to_string() } else { format!("{}.{key}", self.prefix) };
        let allowed = super::docs::lookup(&full).map(|p| p.allowed);
        match allowed {
            Some(a) if a.contains(v) && v.is_finite() => {}
            Some(a) => self.fail(key, format!("{} is out of range", show(v)), &super::docs::allowed_text(&a)),
            None => self.fail(key, "is not a documented parameter".into(), "see docs/ODD.md"),
        }
    }

    pub(crate) fn int_range(&mut self, key: &str, v: u32, lo: u32, hi: u32) {
        if v < lo || v > hi {
            self.fail(key, format!("{v} is out of range"), &format!("a whole number from {lo} to {hi}"));
        }
    }
}

/// Most replicates of one run (each is rewritten into the manifest as it finishes).
pub const MAX_REPLICATES: u32 = 10_000;

/// Every range and consistency problem of a resolved scenario; empty if it is valid.
/// Problems carry the key; the loader adds the file, line and column.
pub fn validate(s: &Scenario) -> Vec<InputProblem> {
    let mut c = Checker::default();
    run(&mut c, &s.run);
    region(&mut c, &s.region);
    population(&mut c, &s.population);
    families(&mut c, &s.families);
    residential(&mut c, &s.residential);
    schools(&mut c, &s.schools);
    choice(&mut c, &s.choice);
    admissions(&mut c, &s.admissions);
    learning(&mut c, &s.learning);
    c.prob("reputation.update_weight", s.reputation.update_weight);
    market(&mut c, &s.market);
    improvement(&mut c, &s.improvement);
    c.documented("measures.basic_threshold", s.measures.basic_threshold);

    super::openings::validate(&s.openings, &mut c);
    super::policies::validate_params(&s.policies, &mut c);
    super::policies::target::validate(&s.policies.targets, s, &mut c);
    // The timeline: every scenario in force after a change is valid too.
    if c.problems.is_empty() && !s.timeline.is_empty() {
        if let Err(p) = super::timeline::resolve(s) {
            c.problems.extend(p);
        }
    }
    c.problems
}

/// Run length and replicates.
fn run(c: &mut Checker, run: &super::RunParams) {
    c.int_range("run.years", run.years, 1, 1000);
    c.int_range("run.replicates", run.replicates, 1, MAX_REPLICATES);
    c.int_range("run.warm_up", run.warm_up, 0, 1000);
}

/// The region: its size, its source (synthetic or CSV files) and its schools' capacity.
fn region(c: &mut Checker, r: &super::RegionParams) {
    region_source(c, r);
    c.range("region.neighbourhood_km", r.neighbourhood_km, 0.05, 50.0);
    c.int_range("region.districts", r.districts, 1, 10_000);
    c.int_range("region.entrants_per_year", r.entrants_per_year, 1, 10_000_000);
    if r.capacity_margin < 0.0 || !r.capacity_margin.is_finite() {
        c.fail(
            "region.capacity_margin",
            format!("{} makes the total capacity smaller than the cohort", r.capacity_margin),
            "0 or more (total capacity of a year group = entrants × (1 + margin))",
        );
    } else {
        c.range("region.capacity_margin", r.capacity_margin, 0.0, 5.0);
    }
    c.range("region.school_size_sd", r.school_size_sd, 0.0, 2.0);
    c.range("region.density_sd", r.density_sd, 0.0, 3.0);
    c.range("region.residential_clustering", r.residential_clustering, 0.0, 0.95);
    c.documented("region.field_scale_km", r.field_scale_km);
    if r.source == RegionSource::Synthetic && r.schools > 0 {
        let per_school = r.entrants_per_year as f64 * (1.0 + r.capacity_margin) / r.schools as f64;
        if (r.min_school_capacity as f64) > per_school {
            c.fail(
                "region.min_school_capacity",
                format!("{} is more than the average year group ({per_school:.0})", r.min_school_capacity),
                "at most entrants × (1 + margin) / schools",
            );
        }
    }
}

/// What the region's source needs: a synthetic map of a size that can be
/// held, or the CSV files (catchments and trusts files only with CSV files).
fn region_source(c: &mut Checker, r: &super::RegionParams) {
    if r.source == RegionSource::Synthetic {
        c.range("region.width_km", r.width_km, 0.1, 2000.0);
        c.range("region.height_km", r.height_km, 0.1, 2000.0);
        c.int_range("region.schools", r.schools, 1, crate::ids::MAX_SCHOOLS as u32);
        if r.neighbourhood_km > 0.0 && r.width_km > 0.0 && r.height_km > 0.0 {
            let cells = (r.width_km / r.neighbourhood_km).ceil() * (r.height_km / r.neighbourhood_km).ceil();
            if cells > 4_000_000.0 {
                c.fail(
                    "region.neighbourhood_km",
                    format!("{cells} neighbourhoods is too many"),
                    "at most 4,000,000 neighbourhoods (width/size × height/size)",
                );
            }
        }
    } else {
        if r.schools_csv.is_empty() {
            c.fail(
                "region.schools_csv",
                "no schools CSV is named while source = \"csv\"".into(),
                "a path to a CSV file, relative to the scenario file",
            );
        }
        if r.neighbourhoods_csv.is_empty() {
            c.fail(
                "region.neighbourhoods_csv",
                "no neighbourhoods CSV is named while source = \"csv\"".into(),
                "a path to a CSV file, relative to the scenario file",
            );
        }
    }
    if r.source != RegionSource::Csv && !r.catchments_csv.is_empty() {
        c.fail(
            "region.catchments_csv",
            "catchments name neighbourhoods and schools of CSV files, but source is not \"csv\"".into(),
            "a catchments CSV only with region.source = \"csv\" (or leave it empty: the nearest school)",
        );
    }
    if r.source != RegionSource::Csv && !r.trusts_csv.is_empty() {
        c.fail(
            "region.trusts_csv",
            "a trusts CSV names schools of a schools CSV, but source is not \"csv\"".into(),
            "a trusts CSV only with region.source = \"csv\" (or leave it empty: trusts are generated)",
        );
    }
}

/// Who the pupils are, and the population groups.
fn population(c: &mut Checker, p: &super::PopulationParams) {
    c.prob("population.disadvantaged_share", p.disadvantaged_share);
    c.int_range("population.years_in_school", p.years_in_school, 1, 15);
    c.prob("population.sen_share", p.sen_share);
    c.range("population.sen_ses_slope", p.sen_ses_slope, -3.0, 3.0);
    c.prob("population.eal_share", p.eal_share);
    c.range("population.prior_ses_correlation", p.prior_ses_correlation, -1.0, 1.0);
    c.documented("population.sen_prior_gap", p.sen_prior_gap);
    c.documented("population.eal_prior_gap", p.eal_prior_gap);
    c.range("population.group_clustering", p.group_clustering, 0.0, 0.95);
    if p.groups.is_empty() || p.groups.len() > 16 {
        c.fail("population.groups", format!("{} groups", p.groups.len()), "1 to 16 groups");
    }
    let mut total = 0.0;
    for (i, g) in p.groups.iter().enumerate() {
        let k = |f: &str| format!("population.groups[{i}].{f}");
        c.prob(&k("share"), g.share);
        total += g.share;
        c.range(&k("ses_shift"), g.ses_shift, -3.0, 3.0);
        c.documented(&k("reputation_factor"), g.reputation_factor);
        c.documented(&k("information_factor"), g.information_factor);
        c.documented(&k("travel_factor"), g.travel_factor);
        c.documented(&k("own_group_weight"), g.own_group_weight);
        if g.name.is_empty() || g.name.contains([',', '"', '\n']) {
            c.fail(
                &k("name"),
                format!("{:?} cannot be used as a label", g.name),
                "a non-empty name without commas or quotes",
            );
        }
        if p.groups[..i].iter().any(|o| o.name == g.name) {
            c.fail(&k("name"), format!("the name {:?} is used twice", g.name), "a name of its own for each group");
        }
    }
    if !p.groups.is_empty() && (total - 1.0).abs() > 1e-6 {
        c.fail("population.groups", format!("group shares add to {total}"), "shares that add to 1");
    }
}

/// How families of each class choose.
fn families(c: &mut Checker, f: &super::FamiliesParams) {
    for (class, b) in [("advantaged", &f.advantaged), ("disadvantaged", &f.disadvantaged)] {
        let k = |f: &str| format!("families.{class}.{f}");
        c.prob(&k("active_share"), b.active_share);
        c.documented(&k("max_travel_km"), b.max_travel_km);
        c.prob(&k("information"), b.information);
        c.documented(&k("weight_distance"), b.weight_distance);
        c.documented(&k("weight_reputation"), b.weight_reputation);
        c.documented(&k("weight_composition"), b.weight_composition);
    }
    c.documented("families.taste_sd", f.taste_sd);
    c.documented("families.misinformation_sd", f.misinformation_sd);
}

/// Residential moves.
fn residential(c: &mut Checker, m: &super::ResidentialParams) {
    c.prob("residential.move_rate", m.move_rate);
    c.prob("residential.tolerance", m.tolerance);
    c.prob("residential.unhappy_move_rate", m.unhappy_move_rate);
    c.documented("residential.school_pull", m.school_pull);
    c.documented("residential.composition_pull", m.composition_pull);
}

/// Schools' starting characteristics.
fn schools(c: &mut Checker, sc: &super::SchoolParams) {
    c.prob("schools.autonomous_share", sc.autonomous_share);
    c.range("schools.effectiveness_sd", sc.effectiveness_sd, 0.0, 1.0);
    c.range("schools.latent_gap_mean", sc.latent_gap_mean, 0.0, 1.0);
    c.range("schools.latent_gap_sd", sc.latent_gap_sd, 0.0, 1.0);
    c.prob("schools.sen_expertise_share", sc.sen_expertise_share);
    c.prob("schools.eal_expertise_share", sc.eal_expertise_share);
    c.prob("schools.fee_charging_share", sc.fee_charging_share);
    c.documented("schools.fee_cost", sc.fee_cost);
    c.range("schools.effectiveness_intake_correlation", sc.effectiveness_intake_correlation, -1.0, 1.0);
}

/// Choice sets and list length.
fn choice(c: &mut Checker, ch: &super::ChoiceParams) {
    c.int_range("choice.list_length", ch.list_length, 1, 12);
    c.int_range("choice.choice_set_size", ch.choice_set_size, 1, 32);
    if ch.list_length > ch.choice_set_size {
        c.fail(
            "choice.list_length",
            format!("{} is longer than the choice set ({})", ch.list_length, ch.choice_set_size),
            "a list no longer than choice.choice_set_size",
        );
    }
}

/// The admissions mechanism's settings and the priority lists.
fn admissions(c: &mut Checker, a: &super::AdmissionsParams) {
    // An empty priority list is allowed under any mechanism: the lottery decides.
    c.int_range("admissions.bands", a.bands, 1, 20);
    c.prob("admissions.selective_share", a.selective_share);
    c.prob("admissions.cream_skimming", a.cream_skimming);
    c.documented("admissions.hard_to_teach_below", a.hard_to_teach_below);
    c.prob("admissions.exclusion_rate", a.exclusion_rate);
    for (key, list) in [
        ("admissions.priorities", Some(&a.priorities)),
        ("admissions.autonomous_priorities", a.autonomous_priorities.as_ref()),
    ] {
        if let Some(list) = list {
            // Five criteria, each at most once: check the length first, so
            // that a long list costs no more than a short one.
            if list.len() > 5 {
                c.fail(key, format!("{} priorities", list.len()), "at most 5 priorities, each at most once");
                continue;
            }
            for (i, x) in list.iter().enumerate() {
                if list[..i].contains(x) && !list[i + 1..].contains(x) {
                    c.fail(key, format!("{x:?} is listed twice"), "each priority at most once");
                }
            }
        }
    }
}

/// The learning model.
fn learning(c: &mut Checker, l: &super::LearningParams) {
    c.documented("learning.effectiveness_weight", l.effectiveness_weight);
    c.documented("learning.peer_effect", l.peer_effect);
    c.documented("learning.home_support", l.home_support);
    c.documented("learning.sen_need", l.sen_need);
    c.documented("learning.eal_need", l.eal_need);
    c.range("learning.noise_sd", l.noise_sd, 0.0, 10.0);
}

/// Market rules: shrinking, closure, expansion and competitive pressure.
fn market(c: &mut Checker, mk: &super::MarketParams) {
    c.prob("market.shrink_threshold", mk.shrink_threshold);
    c.documented("market.shrink_penalty", mk.shrink_penalty);
    c.prob("market.closure_occupancy", mk.closure_occupancy);
    c.int_range("market.closure_years", mk.closure_years, 1, 100);
    c.range("market.expansion_trigger", mk.expansion_trigger, 0.0, 100.0);
    c.range("market.expansion_step", mk.expansion_step, 0.0, 10.0);
    c.range("market.max_expansion", mk.max_expansion, 1.0, 10.0);
    c.documented("market.competitive_pressure", mk.competitive_pressure);
    c.prob("market.pressure_response", mk.pressure_response);
    c.range("market.pressure_saturation", mk.pressure_saturation, 0.0, 1.0);
}

/// Within-school improvement.
fn improvement(c: &mut Checker, im: &super::ImprovementParams) {
    c.prob("improvement.practice_rate", im.practice_rate);
    c.range("improvement.drift_sd", im.drift_sd, 0.0, 1.0);
    c.prob("improvement.reversion", im.reversion);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        assert!(validate(&Scenario::default()).is_empty());
    }

    #[test]
    fn each_bad_value_is_reported_with_its_key() {
        let mut s = Scenario::default();
        s.region.capacity_margin = -0.2;
        s.admissions.cream_skimming = 2.0;
        s.population.groups[0].share = 0.5;
        s.choice.list_length = 20;
        let keys: Vec<String> = validate(&s).into_iter().map(|p| p.key).collect();
        for k in ["region.capacity_margin", "admissions.cream_skimming", "population.groups", "choice.list_length"] {
            assert!(keys.iter().any(|x| x == k), "{k} missing from {keys:?}");
        }
    }
}
