//! The "Assumptions" section of every report: which parameters differ from
//! the defaults (or between the scenarios compared, or are varied by a
//! sweep), whether each is calibrated, evidence-based or illustrative and on
//! what source (from the parameter registry, `schoolscape::scenario::docs`),
//! and the validation status recorded for this version.

use std::collections::BTreeMap;

use maud::{Markup, html};
use schoolscape::Scenario;
use schoolscape::scenario::docs;

/// The validation summary the project records (`docs/VALIDATION.md`), read at build time.
const VALIDATION_MD: &str = include_str!("../../../docs/VALIDATION.md");

/// A scenario flattened to its leaf values: dotted path (list items as
/// `[i]`) → the value as TOML writes it.
pub type Flat = BTreeMap<String, String>;

/// Flatten the text of a resolved scenario (`scenario.toml`; comment lines skipped).
pub fn flatten(toml_text: &str) -> Flat {
    let text: String = toml_text.lines().filter(|l| !l.trim_start().starts_with('#')).collect::<Vec<_>>().join("\n");
    let table: toml::Table = text.parse().unwrap_or_default();
    let mut out = Flat::new();
    walk("", &toml::Value::Table(table), &mut out);
    out
}

fn walk(prefix: &str, v: &toml::Value, out: &mut Flat) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                walk(&p, v, out);
            }
        }
        toml::Value::Array(a) if a.iter().any(toml::Value::is_table) => {
            for (i, v) in a.iter().enumerate() {
                walk(&format!("{prefix}[{i}]"), v, out);
            }
        }
        v => {
            out.insert(prefix.to_string(), v.to_string());
        }
    }
}

/// The default scenario, flattened.
pub fn defaults() -> Flat {
    flatten(&Scenario::default().to_toml())
}

/// Paths that say what a run is rather than what it assumes.
fn is_bookkeeping(path: &str) -> bool {
    ["name", "description", "extends", "run."].iter().any(|p| path == p.trim_end_matches('.') || path.starts_with(p))
}

/// What the registry says of a path: (unit, status, source, role), or
/// dashes for a parameter it does not document (a switch, a mechanism's
/// name, a list): a choice the scenario states.
fn documented(path: &str) -> (String, String, String, String) {
    match docs::lookup(path) {
        Some(p) => (p.unit.to_string(), p.status.word().to_string(), p.source.to_string(), p.role.word().to_string()),
        None => (
            "–".into(),
            "choice".into(),
            "a choice the scenario states (not a numeric parameter)".into(),
            "lever".into(),
        ),
    }
}

/// One row of an assumptions table.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Dotted path.
    pub path: String,
    /// The value in each scenario (one for a run).
    pub values: Vec<String>,
    /// The default.
    pub default: String,
    /// Unit.
    pub unit: String,
    /// Calibrated, evidence or illustrative (or a dash).
    pub status: String,
    /// Source of the default and the plausible range.
    pub source: String,
    /// Assumption, lever or setting (run length, region size: not an assumption about the world).
    pub role: String,
}

/// The rows for parameters whose value differs from the default in any of
/// `scenarios` (flattened), or between them.
pub fn rows(scenarios: &[Flat]) -> Vec<Row> {
    let def = defaults();
    let mut paths: Vec<&String> = scenarios.iter().flat_map(|s| s.keys()).collect();
    paths.sort();
    paths.dedup();
    let mut out = Vec::new();
    for path in paths {
        if is_bookkeeping(path) {
            continue;
        }
        let values: Vec<String> =
            scenarios.iter().map(|s| s.get(path).cloned().unwrap_or_else(|| "–".into())).collect();
        let default = def.get(path).cloned().unwrap_or_else(|| "–".into());
        if values.iter().all(|v| *v == default) {
            continue;
        }
        let (unit, status, source, role) = documented(path);
        out.push(Row { path: path.clone(), values, default, unit, status, source, role });
    }
    out
}

/// A row for a parameter a sweep varies over `values`.
pub fn varied(path: &str, values: &str) -> Row {
    let default = defaults().get(path).cloned().unwrap_or_else(|| "–".into());
    let (unit, status, source, role) = documented(path);
    Row { path: path.to_string(), values: vec![format!("varied: {values}")], default, unit, status, source, role }
}

/// The parameters that differ between scenarios (the rows of [`rows`] whose values are not all equal).
pub fn differing(rows: &[Row]) -> Vec<Row> {
    rows.iter().filter(|r| r.values.windows(2).any(|w| w[0] != w[1])).cloned().collect()
}

/// The checks of the validation summary in `docs/VALIDATION.md`: (case, check, result).
pub fn validation_checks() -> Vec<(String, String, String)> {
    validation_table()
        .into_iter()
        .map(|c| (c[0].clone(), c[1].clone(), c[4].trim_matches('*').to_lowercase()))
        .collect()
}

/// The rows of the validation summary's table in `docs/VALIDATION.md`, each
/// its cells (case, check, target, model with its interval, result, and how
/// often the direction holds in the robustness sample), as written there.
pub fn validation_table() -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut in_table = false;
    for line in VALIDATION_MD.lines() {
        let cells: Vec<&str> = line.trim().trim_matches('|').split('|').map(str::trim).collect();
        if line.trim_start().starts_with("| case | check |") {
            in_table = true;
            continue;
        }
        if !in_table {
            continue;
        }
        if !line.trim_start().starts_with('|') {
            if !out.is_empty() {
                break;
            }
            continue;
        }
        if cells.len() >= 5 && !cells[0].starts_with("---") {
            out.push(cells.iter().map(|c| c.to_string()).collect());
        }
    }
    out
}

/// A sentence on the validation status, with the failing checks named.
pub fn validation_sentence() -> Markup {
    let checks = validation_checks();
    if checks.is_empty() {
        return html! {
            "No validation summary is recorded for this version: run " code { "schoolscape validate" } "."
        };
    }
    let count = |w: &str| checks.iter().filter(|c| c.2 == w).count();
    let (pass, fail, inconclusive) = (count("pass"), count("fail"), count("inconclusive"));
    let other = checks.len() - pass - fail - inconclusive;
    let failing: Vec<String> = checks.iter().filter(|c| c.2 == "fail").map(|c| format!("{}: {}", c.0, c.1)).collect();
    html! {
        "Validation against published results, as recorded for schoolscape " (schoolscape::VERSION) " in "
        code { "docs/VALIDATION.md" } ": "
        span.pass { (pass) " pass" } ", " span.fail { (fail) " fail" } ", "
        (inconclusive) " inconclusive (the interval straddles the band's edge), and "
        (other) " reported without a target."
        @if !failing.is_empty() {
            " Failing: " (failing.join("; ")) "."
        }
        " " a href="#validation-checks" { "Every check" } " is listed below; "
        code { "schoolscape validate" } " reruns them with charts."
    }
}

/// The validation summary's table as a collapsed HTML section (the target of
/// the link in [`validation_sentence`]); empty when none is recorded.
pub fn validation_details() -> Markup {
    let rows = validation_table();
    let class = |i: usize, text: &str| match (i, text) {
        (4, "pass") => Some("pass"),
        (4, "fail") => Some("fail"),
        _ => None,
    };
    html! {
        @if !rows.is_empty() {
            details #validation-checks {
                summary {
                    "The validation checks recorded for schoolscape " (schoolscape::VERSION)
                    " (from " code { "docs/VALIDATION.md" } ")"
                }
                table {
                    tr {
                        th { "Case" } th { "Check" } th { "Target" } th { "Model (95% CI)" }
                        th { "Result" } th { "Direction holds" }
                    }
                    @for r in &rows {
                        tr {
                            @for (i, c) in r.iter().take(6).enumerate() {
                                td class=[class(i, c.trim_matches('*'))] { (c.trim_matches('*')) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The HTML of an assumptions section: `names` are the scenarios (one for a
/// run), `rows` the parameters to show (see [`rows`]), `intro` what they are.
pub fn section(names: &[&str], rows: &[Row], intro: &str) -> Markup {
    // Settings (run length, region size) are not assumptions about the world.
    let settings = rows.iter().filter(|r| r.role == "setting").count();
    let rows: Vec<&Row> = rows.iter().filter(|r| r.role != "setting").collect();
    let illustrative = rows.iter().filter(|r| r.status == "illustrative").count();
    html! {
        h2 #assumptions { "Assumptions" }
        p {
            (intro) " " (illustrative) " of the " (rows.len()) " " (if rows.len() == 1 { "is" } else { "are" })
            " illustrative: an assumption not yet checked against data, which the result depends on as much as on any evidence."
            @if settings > 0 {
                " Not shown: " (settings) " settings (run length, region size) that differ from the defaults."
            }
            " Every parameter's unit, default, plausible range and source: " code { "schoolscape params" }
            " and " code { "docs/ODD.md" } "."
        }
        @if !rows.is_empty() {
            div.wide {
                table {
                    tr {
                        th { "Parameter" }
                        @for n in names { th { (n) } }
                        th { "Default" } th { "Unit" } th { "Basis" } th { "Source" }
                    }
                    @for r in &rows {
                        tr {
                            td { code { (r.path) } }
                            @for v in &r.values { td.num { (v) } }
                            td.num { (r.default) }
                            td { (r.unit) }
                            td class=[(r.status == "illustrative").then_some("illustrative")] { (r.status) }
                            td.source { (r.source) }
                        }
                    }
                }
            }
        }
        p { (validation_sentence()) }
        (validation_details())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flattening_keeps_paths_and_list_items() {
        let f = flatten(
            "# comment\nname = \"x\"\n[market]\ncompetitive_pressure = 0.01\n[[population.groups]]\nshare = 0.3\n[[population.groups]]\nshare = 0.7\n",
        );
        assert_eq!(f["market.competitive_pressure"], "0.01");
        assert_eq!(f["population.groups[1].share"], "0.7");
        assert!(!f.contains_key("comment"));
    }

    #[test]
    fn rows_show_what_differs_from_the_defaults_with_its_basis() {
        let mut s = Scenario::default();
        s.market.competitive_pressure = 0.0123;
        s.run.years = 3;
        let r = rows(&[flatten(&s.to_toml())]);
        let row = r.iter().find(|r| r.path == "market.competitive_pressure").expect("the changed parameter");
        assert_eq!(row.values, ["0.0123"]);
        assert_eq!(row.status, docs::lookup("market.competitive_pressure").unwrap().status.word());
        assert!(r.iter().all(|r| !r.path.starts_with("run.")), "run settings are not assumptions");
        assert_eq!(r.len(), 1, "{r:?}");
    }

    #[test]
    fn the_validation_summary_is_read() {
        let checks = validation_checks();
        assert!(checks.len() >= 5, "{checks:?}");
        assert!(
            checks.iter().all(|c| ["pass", "fail", "inconclusive", "report"].contains(&c.2.as_str())),
            "{checks:?}"
        );
        let inconclusive = checks.iter().filter(|c| c.2 == "inconclusive").count();
        let sentence = validation_sentence().into_string();
        assert!(sentence.contains(" pass</span>"), "{sentence}");
        assert!(sentence.contains(&format!("{inconclusive} inconclusive")), "{sentence}");
        // The sentence links to the table, which lists every check once.
        let details = validation_details().into_string();
        assert!(sentence.contains("href=\"#validation-checks\""), "{sentence}");
        assert!(details.contains("id=\"validation-checks\""));
        assert_eq!(details.matches("<tr><td").count(), checks.len(), "{details}");
        assert_eq!(details.matches("<td class=\"fail\">").count(), checks.iter().filter(|c| c.2 == "fail").count());
    }
}
