//! Validation cases: a scenario (or a pair to contrast), a measure, a target
//! band and its source, read from a TOML case file; and the evaluation of a
//! case from simulated records.
//!
//! A *check* has a target band: the measure, averaged over a window of years,
//! passes only when the 95% interval of its mean over replicates lies inside
//! the band; it fails when the interval lies wholly outside, and is
//! *inconclusive* when the interval straddles an edge ([`verdict`]). With
//! `baseline`, the value is the paired difference scenario minus baseline
//! (the same replicate seeds: common random numbers); with `minus_measure`,
//! it is the difference between two measures of the same run. A *report* is
//! shown beside the checks with the literature's figure, in the literature's
//! units (`over_measure` and `scale` convert), without a pass or fail. A case
//! may also sample parameters over their plausible ranges for robustness: the
//! share of settings in which each check's direction holds, judged against
//! the same threshold as its target ([`direction_holds`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{InputProblem, Result};
use crate::sim::YearRecord;
use crate::stats::mean_ci;

/// A validation case, as read from its file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Short name.
    pub name: String,
    /// Title shown in tables.
    pub title: String,
    /// The full citation of the sources.
    pub citation: String,
    /// Simulated years.
    #[serde(default = "default_years")]
    pub years: u32,
    /// Replicates per scenario.
    #[serde(default = "default_replicates")]
    pub replicates: u32,
    /// Master seed shared by the case's scenarios (common random numbers).
    #[serde(default = "default_seed", deserialize_with = "crate::scenario::seed_serde::deserialize")]
    pub seed: u64,
    /// Checks with targets.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Measures reported beside the checks.
    #[serde(default)]
    pub reports: Vec<Report>,
    /// Parameter uncertainty.
    #[serde(default)]
    pub robustness: Option<Robustness>,
}

fn default_years() -> u32 {
    20
}
fn default_replicates() -> u32 {
    10
}
fn default_seed() -> u64 {
    20161
}

/// One check with a target band.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    /// What is checked.
    pub label: String,
    /// Where the target comes from.
    pub source: String,
    /// The scenario file, relative to the case file.
    pub scenario: String,
    /// A scenario to subtract (paired replicates), relative to the case file.
    #[serde(default)]
    pub baseline: Option<String>,
    /// Measure name, as in metrics.csv.
    pub measure: String,
    /// Subgroup, as in metrics.csv.
    pub subgroup: String,
    /// A measure of the same run to subtract.
    #[serde(default)]
    pub minus_measure: Option<String>,
    /// Its subgroup (default: the same subgroup).
    #[serde(default)]
    pub minus_subgroup: Option<String>,
    /// First and last year of the window averaged.
    pub years: [u32; 2],
    /// The target band [low, high].
    pub target: [f64; 2],
}

/// The outcome of a check against its band.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The 95% interval lies inside the band.
    Pass,
    /// The 95% interval lies wholly outside the band.
    Fail,
    /// The 95% interval straddles an edge of the band (or is undefined).
    Inconclusive,
}

impl Verdict {
    /// The verdict in words, as written in tables.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Inconclusive => "inconclusive",
        }
    }
}

/// A measure reported beside the checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// What is reported.
    pub label: String,
    /// The literature's range, in words.
    pub literature: String,
    /// The scenario file, relative to the case file.
    pub scenario: String,
    /// Measure name.
    pub measure: String,
    /// Subgroup.
    pub subgroup: String,
    /// First and last year of the window averaged.
    pub years: [u32; 2],
    /// A scenario to subtract (paired replicates), relative to the case file.
    #[serde(default)]
    pub baseline: Option<String>,
    /// A measure of the same run (subgroup `all`) to divide by, such as
    /// `attainment_sd` to express a slope in SDs of the leavers' attainment.
    #[serde(default)]
    pub over_measure: Option<String>,
    /// A factor to multiply by (after dividing), such as 100 for PISA score
    /// points (PISA's scale has an SD of 100) or for percentages.
    #[serde(default)]
    pub scale: Option<f64>,
}

/// Parameter uncertainty: settings sampled by Latin hypercube.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Robustness {
    /// Parameter settings sampled.
    #[serde(default = "default_robust_samples")]
    pub samples: u32,
    /// Replicates per setting.
    #[serde(default = "default_robust_replicates")]
    pub replicates: u32,
    /// Parameters sampled over their documented plausible ranges
    /// ([`crate::sweep::contrast::plausible`]).
    #[serde(default)]
    pub parameters: Vec<String>,
    /// Parameter path → [low, high], for a range of the case's own.
    #[serde(default)]
    pub ranges: BTreeMap<String, [f64; 2]>,
}

/// The fewest robustness settings a case may sample by default.
pub const MIN_ROBUST_SAMPLES: u32 = 64;

fn default_robust_samples() -> u32 {
    MIN_ROBUST_SAMPLES
}

impl Robustness {
    /// Every sampled parameter with its range: the plausible ones first, in
    /// the order listed, then the case's own ranges. Parameters without a
    /// plausible range are left out (see [`Case::parse`], which refuses them).
    pub fn all_ranges(&self) -> Vec<(String, [f64; 2])> {
        let mut out: Vec<(String, [f64; 2])> = self
            .parameters
            .iter()
            .filter_map(|p| crate::sweep::contrast::plausible(p).map(|(lo, hi)| (p.clone(), [lo, hi])))
            .collect();
        out.extend(self.ranges.iter().map(|(k, r)| (k.clone(), *r)));
        out
    }

    /// Problems of the sample: parameters without a plausible range or named
    /// twice, nothing to sample, sizes, empty ranges.
    fn problems(&self, fail: &mut impl FnMut(String, String, &str)) {
        for (i, p) in self.parameters.iter().enumerate() {
            if crate::sweep::contrast::plausible(p).is_none() {
                fail(
                    format!("robustness.parameters[{i}]"),
                    format!("`{p}` has no documented plausible range"),
                    "a parameter with a plausible range, or a range of the case's own in [robustness.ranges]",
                );
            }
            if self.ranges.contains_key(p) || self.parameters[..i].contains(p) {
                fail(format!("robustness.parameters[{i}]"), format!("`{p}` is named twice"), "each parameter once");
            }
        }
        if self.parameters.is_empty() && self.ranges.is_empty() {
            fail("robustness".into(), "no parameter to sample".into(), "`parameters` or `ranges`");
        }
        if self.samples > MAX_ROBUSTNESS_SAMPLES {
            fail(
                "robustness.samples".into(),
                format!("{} samples", self.samples),
                &format!("0 to {MAX_ROBUSTNESS_SAMPLES}"),
            );
        }
        if !(1..=1000).contains(&self.replicates) {
            fail(
                "robustness.replicates".into(),
                format!("{} replicates per sampled setting", self.replicates),
                "a whole number from 1 to 1000",
            );
        }
        for (k, r) in &self.ranges {
            if !r[0].is_finite() || !r[1].is_finite() || r[0] > r[1] {
                fail(
                    format!("robustness.ranges.\"{k}\""),
                    format!("{r:?} is an empty range"),
                    "[low, high] with low ≤ high",
                );
            }
        }
    }
}

/// Most parameter settings a robustness sample may draw.
pub const MAX_ROBUSTNESS_SAMPLES: u32 = 10_000;

fn default_robust_replicates() -> u32 {
    3
}

impl Case {
    /// Parse a case file. Errors name the file, line, column and key.
    pub fn parse(text: &str, path: &Path) -> Result<Case> {
        let case: Case = crate::scenario::parse_located(text, path)?;
        let problems = case.problems();
        if problems.is_empty() {
            Ok(case)
        } else {
            let located = problems
                .into_iter()
                .map(|mut p| {
                    p.location = crate::scenario::locate_key(text, path, &p.key);
                    p
                })
                .collect();
            Err(crate::Error::Input(located))
        }
    }

    /// Every problem of a parsed case, keyed but not located.
    fn problems(&self) -> Vec<InputProblem> {
        let mut problems = Vec::new();
        let mut fail =
            |key: String, message: String, allowed: &str| problems.push(InputProblem::new(key, message, allowed));
        self.settings_problems(&mut fail);
        self.window_problems(&mut fail);
        if let Some(rb) = &self.robustness {
            rb.problems(&mut fail);
        }
        problems
    }

    /// Problems of the case as a whole: nothing to check, replicates, years.
    fn settings_problems(&self, fail: &mut impl FnMut(String, String, &str)) {
        if self.checks.is_empty() && self.reports.is_empty() {
            fail(
                "checks".into(),
                "a case with no checks and no reports".into(),
                "at least one [[checks]] or [[reports]]",
            );
        }
        if self.replicates < 2 {
            fail("replicates".into(), format!("{} replicates give no interval", self.replicates), "2 or more");
        } else if self.replicates > crate::scenario::MAX_REPLICATES {
            fail(
                "replicates".into(),
                format!("{} replicates", self.replicates),
                &format!("2 to {}", crate::scenario::MAX_REPLICATES),
            );
        }
        if !(1..=1000).contains(&self.years) {
            fail("years".into(), format!("{} years", self.years), "a whole number from 1 to 1000");
        }
    }

    /// Problems of the checks' and reports' bands and year windows.
    fn window_problems(&self, fail: &mut impl FnMut(String, String, &str)) {
        for (i, c) in self.checks.iter().enumerate() {
            if !c.target[0].is_finite() || !c.target[1].is_finite() {
                fail(
                    format!("checks[{i}].target"),
                    format!("{:?} is not a band of finite numbers", c.target),
                    "[low, high]: finite numbers with low ≤ high",
                );
            } else if c.target[0] > c.target[1] {
                fail(
                    format!("checks[{i}].target"),
                    format!("{:?} is not a band", c.target),
                    "[low, high] with low ≤ high",
                );
            }
            if c.years[0] < 1 || c.years[0] > c.years[1] || c.years[1] > self.years {
                fail(
                    format!("checks[{i}].years"),
                    format!("{:?} is not a window of the run", c.years),
                    "[first, last] within 1 and the case's years",
                );
            }
            if c.baseline.is_some() && c.minus_measure.is_some() {
                fail(format!("checks[{i}]"), "both `baseline` and `minus_measure`".into(), "one of them at most");
            }
        }
        for (i, r) in self.reports.iter().enumerate() {
            if r.years[0] < 1 || r.years[0] > r.years[1] || r.years[1] > self.years {
                fail(
                    format!("reports[{i}].years"),
                    format!("{:?} is not a window of the run", r.years),
                    "[first, last] within 1 and the case's years",
                );
            }
        }
    }

    /// Every scenario file the case names (relative to the case file), in first-use order.
    pub fn scenario_files(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let names = self
            .checks
            .iter()
            .flat_map(|c| std::iter::once(c.scenario.clone()).chain(c.baseline.clone()))
            .chain(self.reports.iter().flat_map(|r| std::iter::once(r.scenario.clone()).chain(r.baseline.clone())));
        for n in names {
            if !out.contains(&n) {
                out.push(n);
            }
        }
        out
    }

    /// Resolve a scenario name of this case relative to its file.
    pub fn resolve(case_path: &Path, scenario: &str) -> PathBuf {
        case_path.parent().map(|d| d.join(scenario)).unwrap_or_else(|| PathBuf::from(scenario))
    }
}

/// The window mean of a measure in one replicate's records (NaN if absent).
pub fn window_mean(records: &[YearRecord], measure: &str, subgroup: &str, years: [u32; 2]) -> f64 {
    let v: Vec<f64> = records
        .iter()
        .filter(|r| r.year >= years[0] && r.year <= years[1])
        .filter_map(|r| r.metrics.iter().find(|m| m.measure == measure && m.subgroup == subgroup).map(|m| m.value))
        .filter(|v| !v.is_nan())
        .collect();
    if v.is_empty() { f64::NAN } else { v.iter().sum::<f64>() / v.len() as f64 }
}

/// Per-replicate window means of every (measure, subgroup) a case needs, for one scenario run.
pub type Series = Vec<Vec<YearRecord>>;

/// The evaluated value of a check or report.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Mean over replicates.
    pub mean: f64,
    /// Half-width of the 95% interval.
    pub half: f64,
    /// Per-replicate values.
    pub values: Vec<f64>,
}

/// The per-replicate values of a check: the measure's window mean, minus the
/// other measure or the baseline's (paired by replicate index) if named.
pub fn check_values(c: &Check, runs: &BTreeMap<String, Series>) -> Vec<f64> {
    let Some(main) = runs.get(&c.scenario) else { return Vec::new() };
    main.iter()
        .enumerate()
        .map(|(r, recs)| {
            let mut v = window_mean(recs, &c.measure, &c.subgroup, c.years);
            if let Some(m) = &c.minus_measure {
                let sub = c.minus_subgroup.as_deref().unwrap_or(&c.subgroup);
                v -= window_mean(recs, m, sub, c.years);
            }
            if let Some(b) = &c.baseline {
                v -= runs
                    .get(b)
                    .and_then(|s| s.get(r))
                    .map_or(f64::NAN, |recs| window_mean(recs, &c.measure, &c.subgroup, c.years));
            }
            v
        })
        .collect()
}

/// The per-replicate values of a report: the measure's window mean, divided
/// by `over_measure`'s and multiplied by `scale` if named, minus the same of
/// the baseline (paired by replicate index) if named.
pub fn report_values(r: &Report, runs: &BTreeMap<String, Series>) -> Vec<f64> {
    let value = |recs: &[YearRecord]| {
        let mut v = window_mean(recs, &r.measure, &r.subgroup, r.years);
        if let Some(m) = &r.over_measure {
            v /= window_mean(recs, m, "all", r.years);
        }
        v * r.scale.unwrap_or(1.0)
    };
    let Some(main) = runs.get(&r.scenario) else { return Vec::new() };
    main.iter()
        .enumerate()
        .map(|(k, recs)| match &r.baseline {
            Some(b) => value(recs) - runs.get(b).and_then(|s| s.get(k)).map_or(f64::NAN, |recs| value(recs)),
            None => value(recs),
        })
        .collect()
}

/// Summarise values: mean and 95% interval.
pub fn outcome(values: Vec<f64>) -> Outcome {
    let (mean, half) = mean_ci(&values);
    Outcome { mean, half, values }
}

/// A check's verdict: pass only when the 95% interval of the mean lies in
/// the target band, fail when it lies wholly outside, inconclusive when it
/// straddles an edge (or cannot be computed).
pub fn verdict(c: &Check, o: &Outcome) -> Verdict {
    let (lo, hi) = (o.mean - o.half, o.mean + o.half);
    if !(lo.is_finite() && hi.is_finite()) {
        return Verdict::Inconclusive;
    }
    if lo >= c.target[0] && hi <= c.target[1] {
        Verdict::Pass
    } else if hi < c.target[0] || lo > c.target[1] {
        Verdict::Fail
    } else {
        Verdict::Inconclusive
    }
}

/// Whether a check's direction holds for a value, judged against the same
/// threshold as its target. A level check's direction is its band. For a
/// difference (`baseline` or `minus_measure`) whose band lies on one side of
/// zero, the value must be beyond the band's edge nearer zero (the size of
/// the effect the target asks for, not merely its sign); for a band that
/// contains zero ("does not raise it"), the value must be inside the band.
pub fn direction_holds(c: &Check, value: f64) -> bool {
    let contrast = c.baseline.is_some() || c.minus_measure.is_some();
    let [lo, hi] = c.target;
    if !contrast || (lo <= 0.0 && hi >= 0.0) {
        return value >= lo && value <= hi;
    }
    if lo > 0.0 { value >= lo } else { value <= hi }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::measures::Metric;

    fn recs(values: &[f64]) -> Vec<YearRecord> {
        values
            .iter()
            .enumerate()
            .map(|(k, v)| YearRecord {
                year: k as u32 + 1,
                metrics: vec![Metric::new("m", "all", *v), Metric::new("n", "all", 1.0)],
                schools: vec![],
            })
            .collect()
    }

    fn check(baseline: Option<&str>, minus: Option<&str>, target: [f64; 2]) -> Check {
        Check {
            label: "x".into(),
            source: "s".into(),
            scenario: "a".into(),
            baseline: baseline.map(str::to_string),
            measure: "m".into(),
            subgroup: "all".into(),
            minus_measure: minus.map(str::to_string),
            minus_subgroup: None,
            years: [2, 3],
            target,
        }
    }

    #[test]
    fn values_are_window_means_and_paired_differences() {
        let mut runs = BTreeMap::new();
        runs.insert("a".to_string(), vec![recs(&[9.0, 1.0, 3.0]), recs(&[9.0, 2.0, 4.0])]);
        runs.insert("b".to_string(), vec![recs(&[0.0, 1.0, 1.0]), recs(&[0.0, 0.0, 0.0])]);
        assert_eq!(check_values(&check(None, None, [0.0, 1.0]), &runs), vec![2.0, 3.0]);
        assert_eq!(check_values(&check(Some("b"), None, [0.0, 1.0]), &runs), vec![1.0, 3.0]);
        assert_eq!(check_values(&check(None, Some("n"), [0.0, 1.0]), &runs), vec![1.0, 2.0]);
        let o = outcome(vec![1.0, 3.0]);
        assert_eq!(o.mean, 2.0);
    }

    #[test]
    fn a_check_passes_only_when_its_interval_lies_in_the_band() {
        let o = Outcome { mean: 2.0, half: 0.3, values: vec![] };
        assert_eq!(verdict(&check(None, None, [1.5, 2.5]), &o), Verdict::Pass);
        assert_eq!(verdict(&check(None, None, [1.8, 2.5]), &o), Verdict::Inconclusive, "straddles the low edge");
        assert_eq!(verdict(&check(None, None, [1.5, 2.2]), &o), Verdict::Inconclusive, "straddles the high edge");
        assert_eq!(verdict(&check(None, None, [1.9, 2.1]), &o), Verdict::Inconclusive, "wider than the band");
        assert_eq!(verdict(&check(None, None, [2.5, 3.5]), &o), Verdict::Fail);
        assert_eq!(verdict(&check(None, None, [0.0, 1.6]), &o), Verdict::Fail);
        let nan = Outcome { mean: 2.0, half: f64::NAN, values: vec![] };
        assert_eq!(verdict(&check(None, None, [0.0, 5.0]), &nan), Verdict::Inconclusive);
    }

    #[test]
    fn reports_divide_scale_and_pair() {
        let mut runs = BTreeMap::new();
        runs.insert("a".to_string(), vec![recs(&[9.0, 1.0, 3.0]), recs(&[9.0, 2.0, 4.0])]);
        runs.insert("b".to_string(), vec![recs(&[0.0, 1.0, 1.0]), recs(&[0.0, 0.0, 0.0])]);
        let mut r = Report {
            label: "x".into(),
            literature: "l".into(),
            scenario: "a".into(),
            measure: "m".into(),
            subgroup: "all".into(),
            years: [2, 3],
            baseline: None,
            over_measure: Some("n".into()),
            scale: Some(100.0),
        };
        // Metric n is 1 in every year, subgroup all: the values are 100 × the window means.
        assert_eq!(report_values(&r, &runs), vec![200.0, 300.0]);
        r.baseline = Some("b".into());
        assert_eq!(report_values(&r, &runs), vec![100.0, 300.0]);
    }

    #[test]
    fn directions_use_the_targets_threshold() {
        let up = check(Some("b"), None, [0.005, 1.0]);
        assert!(direction_holds(&up, 0.006) && direction_holds(&up, 2.0));
        assert!(!direction_holds(&up, 0.001), "above zero but below the target's threshold");
        let down = check(Some("b"), None, [-0.15, -0.02]);
        assert!(direction_holds(&down, -0.3) && direction_holds(&down, -0.02));
        assert!(!direction_holds(&down, -0.01) && !direction_holds(&down, 0.01));
        let flat = check(Some("b"), None, [-1.0, 0.005]);
        assert!(direction_holds(&flat, 0.004) && !direction_holds(&flat, 0.01));
        let level = check(None, None, [0.25, 0.35]);
        assert!(direction_holds(&level, 0.3) && !direction_holds(&level, 0.4));
    }
}
