//! Validation cases: a scenario (or a pair to contrast), a measure, a target
//! band and its source, read from a TOML case file; and the evaluation of a
//! case from simulated records.
//!
//! A *check* has a target band: the mean over replicates of the measure,
//! averaged over a window of years, must lie in the band. With `baseline`,
//! the value is the paired difference scenario minus baseline (the same
//! replicate seeds: common random numbers); with `minus_measure`, it is the
//! difference between two measures of the same run. A *report* is shown
//! beside the checks with the literature's range, without a pass or fail.
//! A case may also name parameter ranges for a robustness sample: the share
//! of plausible settings in which each check's direction holds.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::Result;
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
    #[serde(default = "default_seed")]
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
}

/// Parameter uncertainty: ranges sampled by Latin hypercube.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Robustness {
    /// Parameter settings sampled.
    pub samples: u32,
    /// Replicates per setting.
    #[serde(default = "default_robust_replicates")]
    pub replicates: u32,
    /// Parameter path → [low, high].
    pub ranges: BTreeMap<String, [f64; 2]>,
}

fn default_robust_replicates() -> u32 {
    3
}

impl Case {
    /// Parse a case file. Errors name the file, line, column and key.
    pub fn parse(text: &str, path: &Path) -> Result<Case> {
        let case: Case = crate::scenario::parse_located(text, path)?;
        let mut problems = Vec::new();
        let mut fail = |key: String, message: String, allowed: &str| {
            problems.push(crate::error::InputProblem::new(key, message, allowed))
        };
        if case.checks.is_empty() && case.reports.is_empty() {
            fail(
                "checks".into(),
                "a case with no checks and no reports".into(),
                "at least one [[checks]] or [[reports]]",
            );
        }
        if case.replicates < 2 {
            fail("replicates".into(), format!("{} replicates give no interval", case.replicates), "2 or more");
        }
        for (i, c) in case.checks.iter().enumerate() {
            if c.target[0] > c.target[1] {
                fail(
                    format!("checks[{i}].target"),
                    format!("{:?} is not a band", c.target),
                    "[low, high] with low ≤ high",
                );
            }
            if c.years[0] < 1 || c.years[0] > c.years[1] || c.years[1] > case.years {
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
        for (i, r) in case.reports.iter().enumerate() {
            if r.years[0] < 1 || r.years[0] > r.years[1] || r.years[1] > case.years {
                fail(
                    format!("reports[{i}].years"),
                    format!("{:?} is not a window of the run", r.years),
                    "[first, last] within 1 and the case's years",
                );
            }
        }
        if let Some(rb) = &case.robustness {
            for (k, r) in &rb.ranges {
                if r[0].is_nan() || r[1].is_nan() || r[0] > r[1] {
                    fail(
                        format!("robustness.ranges.\"{k}\""),
                        format!("{r:?} is an empty range"),
                        "[low, high] with low ≤ high",
                    );
                }
            }
        }
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

    /// Every scenario file the case names (relative to the case file), in first-use order.
    pub fn scenario_files(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let names = self
            .checks
            .iter()
            .flat_map(|c| std::iter::once(c.scenario.clone()).chain(c.baseline.clone()))
            .chain(self.reports.iter().map(|r| r.scenario.clone()));
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

/// Summarise values: mean and 95% interval.
pub fn outcome(values: Vec<f64>) -> Outcome {
    let (mean, half) = mean_ci(&values);
    Outcome { mean, half, values }
}

/// Whether a check passes: its mean lies in the target band.
pub fn passes(c: &Check, o: &Outcome) -> bool {
    o.mean >= c.target[0] && o.mean <= c.target[1]
}

/// Whether a check's direction holds for a value: for a band on one side of
/// zero, the value is on that side (beyond zero); for a band that contains
/// zero, the value is inside the band (for value checks, the band itself).
pub fn direction_holds(c: &Check, value: f64) -> bool {
    let contrast = c.baseline.is_some() || c.minus_measure.is_some();
    if !contrast {
        return value >= c.target[0] && value <= c.target[1];
    }
    if c.target[0] > 0.0 {
        value > 0.0
    } else if c.target[1] < 0.0 {
        value < 0.0
    } else if c.target[0] == 0.0 {
        value >= 0.0
    } else if c.target[1] == 0.0 {
        value <= 0.0
    } else {
        value >= c.target[0] && value <= c.target[1]
    }
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
        assert!(passes(&check(None, None, [1.5, 2.5]), &o));
        assert!(!passes(&check(None, None, [2.5, 3.5]), &o));
    }

    #[test]
    fn directions() {
        let up = check(Some("b"), None, [0.005, 1.0]);
        assert!(direction_holds(&up, 0.001) && !direction_holds(&up, -0.001));
        let down = check(Some("b"), None, [-0.15, -0.02]);
        assert!(direction_holds(&down, -0.3) && !direction_holds(&down, 0.01));
        let flat = check(Some("b"), None, [-1.0, 0.005]);
        assert!(direction_holds(&flat, 0.004) && !direction_holds(&flat, 0.01));
        let level = check(None, None, [0.25, 0.35]);
        assert!(direction_holds(&level, 0.3) && !direction_holds(&level, 0.4));
    }
}
