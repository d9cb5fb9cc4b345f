//! The controls the explorer shows first: the parameters a student would
//! change first (issue 12), each with its unit, plausible range and a
//! one-line explanation.
//!
//! The unit, ranges and explanation of each numeric parameter come from the
//! library's parameter registry ([`schoolscape::scenario::docs`]), the same
//! table `docs/ODD.md` lists.

use serde::Serialize;
use serde_json::Value;

/// What kind of control a parameter gets.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A slider over a number.
    Number,
    /// A slider over whole numbers.
    Whole,
    /// A switch.
    Switch,
    /// A choice among the listed values.
    Choice(&'static [(&'static str, &'static str)]),
}

/// One control: a parameter path, a label and a kind, in a group.
#[derive(Debug, Clone, Copy)]
pub struct Control {
    /// Heading of the group the control is shown in.
    pub group: &'static str,
    /// Dotted parameter path.
    pub path: &'static str,
    /// Short label.
    pub label: &'static str,
    /// Control kind.
    pub kind: Kind,
    /// One line for switches and choices (numbers take theirs from [`doc`]).
    pub explain: &'static str,
}

const MECHANISMS: &[(&str, &str)] = &[
    ("catchment", "no choice: the nearest school"),
    ("deferred_acceptance", "choice: deferred acceptance"),
    ("boston", "choice: Boston (immediate acceptance)"),
];

const fn c(group: &'static str, path: &'static str, label: &'static str, kind: Kind, explain: &'static str) -> Control {
    Control { group, path, label, kind, explain }
}

/// The controls, in the order shown.
pub const CONTROLS: &[Control] = &[
    c(
        "Choice and admissions",
        "admissions.mechanism",
        "Admissions",
        Kind::Choice(MECHANISMS),
        "How places are given: catchment (no choice), or families rank schools and a match places them.",
    ),
    c("Choice and admissions", "choice.list_length", "List length", Kind::Whole, ""),
    c("Choice and admissions", "admissions.cream_skimming", "Cream-skimming", Kind::Number, ""),
    c(
        "Market",
        "market.funding_follows_pupils",
        "Funding follows pupils",
        Kind::Switch,
        "Each pupil brings funding: schools that lose pupils lose money (and shrink, and may close).",
    ),
    c("Market", "market.competitive_pressure", "Competitive pressure", Kind::Number, ""),
    c("Families and neighbourhoods", "region.residential_clustering", "Residential clustering", Kind::Number, ""),
    c("Families and neighbourhoods", "families.advantaged.information", "Information, advantaged", Kind::Number, ""),
    c(
        "Families and neighbourhoods",
        "families.disadvantaged.information",
        "Information, disadvantaged",
        Kind::Number,
        "",
    ),
    c(
        "Families and neighbourhoods",
        "families.advantaged.active_share",
        "Active choosers, advantaged",
        Kind::Number,
        "",
    ),
    c(
        "Families and neighbourhoods",
        "families.disadvantaged.active_share",
        "Active choosers, disadvantaged",
        Kind::Number,
        "",
    ),
    c(
        "Families and neighbourhoods",
        "families.advantaged.weight_composition",
        "Care about peers, advantaged",
        Kind::Number,
        "",
    ),
    c(
        "Collaboration",
        "policies.within_school.enabled",
        "Within-school improvement",
        Kind::Switch,
        "Schools adopt better practice faster and include harder-to-teach pupils better.",
    ),
    c(
        "Collaboration",
        "policies.families_of_schools.enabled",
        "Families of schools",
        Kind::Switch,
        "Schools with similar intakes but different results, outside each other's competition, share practice.",
    ),
    c(
        "Collaboration",
        "policies.pairing.enabled",
        "Pairing",
        Kind::Switch,
        "The weakest schools are paired with strong ones, which lift them.",
    ),
    c(
        "Collaboration",
        "policies.hubs.enabled",
        "Hubs",
        Kind::Switch,
        "Strong schools become hubs spreading practice to a network around them.",
    ),
    c(
        "Collaboration",
        "policies.advisers.enabled",
        "Advisers",
        Kind::Switch,
        "Expert advisers boost the weakest schools for a few years; part of the gain lasts.",
    ),
    c(
        "Collaboration",
        "policies.district_collaboration.enabled",
        "District collaboration",
        Kind::Switch,
        "Schools of a district move towards the district's best practice.",
    ),
    c(
        "Collaboration",
        "policies.community.enabled",
        "Beyond the school gate",
        Kind::Switch,
        "Support for families in the most deprived neighbourhoods raises home support.",
    ),
    c(
        "Collaboration",
        "policies.fair_access.enabled",
        "Fair access",
        Kind::Switch,
        "Members admit by banding, do not select, and share hard-to-place pupils.",
    ),
    c("Barriers to collaboration", "policies.barriers.initial_trust", "Initial trust", Kind::Number, ""),
    c("Barriers to collaboration", "policies.barriers.funding_rivalry", "Funding rivalry", Kind::Number, ""),
    c(
        "Barriers to collaboration",
        "policies.barriers.competition_sensitivity",
        "Competition sensitivity",
        Kind::Number,
        "",
    ),
    c("Barriers to collaboration", "policies.barriers.challenge", "Mutual challenge", Kind::Number, ""),
    c("Barriers to collaboration", "policies.barriers.capacity", "Capacity for partnerships", Kind::Number, ""),
];

/// Documentation of a numeric parameter: unit, allowed range, plausible
/// range and one line.
#[derive(Debug, Clone, Copy)]
pub struct Doc {
    /// Unit.
    pub unit: &'static str,
    /// What validation accepts.
    pub allowed: (f64, f64),
    /// What the evidence (or judgement) supports.
    pub plausible: (f64, f64),
    /// What the parameter does.
    pub explain: &'static str,
}

/// The documentation of the numeric parameter at `path`, from the registry.
pub fn doc(path: &str) -> Option<Doc> {
    schoolscape::scenario::docs::lookup(path).map(|p| Doc {
        unit: p.unit,
        allowed: (p.allowed.lo, p.allowed.hi),
        plausible: (p.plausible.lo, p.plausible.hi),
        explain: p.explain,
    })
}

/// A slider's range: the plausible range widened to take in zero and the
/// whole allowed range where that is not much wider.
fn slider(d: &Doc) -> (f64, f64) {
    let (alo, ahi) = d.allowed;
    let (plo, phi) = d.plausible;
    let w = (phi - plo).max(1e-9);
    let (mut lo, mut hi) =
        if ahi - alo <= 3.0 * w { (alo, ahi) } else { ((plo - w / 2.0).max(alo), (phi + w / 2.0).min(ahi)) };
    if alo <= 0.0 && lo > 0.0 {
        lo = 0.0;
    }
    if lo == hi {
        hi = lo + 1.0;
    }
    (lo, hi)
}

fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

/// A control as the page reads it (fields in the alphabetical order the
/// response has always had; a number's range only for numbers).
#[derive(Serialize)]
struct ControlJson {
    #[serde(skip_serializing_if = "Option::is_none")]
    allowed: Option<[Option<f64>; 2]>,
    explain: &'static str,
    group: &'static str,
    kind: &'static str,
    label: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    options: Option<&'static [(&'static str, &'static str)]>,
    path: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    plausible: Option<[f64; 2]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unit: Option<&'static str>,
}

/// Every control as JSON for the page.
pub fn to_json() -> Value {
    let controls: Vec<ControlJson> = CONTROLS
        .iter()
        .map(|c| {
            let mut v = ControlJson {
                allowed: None,
                explain: c.explain,
                group: c.group,
                kind: "switch",
                label: c.label,
                max: None,
                min: None,
                options: None,
                path: c.path,
                plausible: None,
                unit: None,
            };
            match c.kind {
                Kind::Switch => {}
                Kind::Choice(options) => {
                    v.kind = "choice";
                    v.options = Some(options);
                }
                Kind::Number | Kind::Whole => {
                    v.kind = if matches!(c.kind, Kind::Whole) { "whole" } else { "number" };
                    if let Some(d) = doc(c.path) {
                        let (lo, hi) = slider(&d);
                        v.unit = Some(d.unit);
                        v.explain = d.explain;
                        v.min = Some(lo);
                        v.max = Some(hi);
                        v.plausible = Some([d.plausible.0, d.plausible.1]);
                        v.allowed = Some([finite(d.allowed.0), finite(d.allowed.1)]);
                    }
                }
            }
            v
        })
        .collect();
    serde_json::to_value(controls).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use schoolscape::Scenario;

    #[test]
    fn every_control_names_a_parameter_with_documentation() {
        let t = schoolscape::sweep::params::table_of(&Scenario::default());
        for c in CONTROLS {
            assert!(schoolscape::sweep::params::get(&t, c.path).is_some(), "{} is not a parameter", c.path);
            match c.kind {
                Kind::Number | Kind::Whole => {
                    let d = doc(c.path).unwrap_or_else(|| panic!("{} has no documentation", c.path));
                    let (lo, hi) = slider(&d);
                    assert!(lo <= d.plausible.0 && hi >= d.plausible.1 && lo < hi, "{}", c.path);
                }
                _ => assert!(!c.explain.is_empty(), "{} has no explanation", c.path),
            }
        }
    }
}
