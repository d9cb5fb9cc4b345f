//! The self-contained HTML report: one file, charts inlined as SVG, no
//! scripts and nothing fetched from the network. Pages are written with
//! [`maud`] templates, which escape every value spliced into them.

use maud::{DOCTYPE, Markup, PreEscaped, html};

use schoolscape::stats::mean_ci;

use super::assumptions;
use super::data::{Difference, RunData};
use super::{Chart, SECTIONS};

/// A mean with its 95% interval, or a dash.
fn cell(mean: f64, half: f64) -> Markup {
    html! {
        @match (mean.is_finite(), half.is_finite()) {
            (false, _) => "–",
            (true, false) => (format!("{mean:.3}")),
            (true, true) => {
                (format!("{mean:.3} ")) span.ci { (format!("[{:.3}, {:.3}]", mean - half, mean + half)) }
            }
        }
    }
}

/// The one stylesheet of every report (run, comparison, sweep, validation).
pub const STYLE: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1380px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.8em}h2{margin-top:2em;border-bottom:1px solid #ccc;padding-bottom:.2em}
table{border-collapse:collapse;margin:1em 0}th,td{border:1px solid #ccc;padding:.35em .7em;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}.ci{color:#666}
figure.chart{margin:1.5em 0}figure.chart svg{max-width:100%;height:auto;border:1px solid #eee}
figcaption{color:#555;font-size:.9em}pre{background:#f7f7f7;padding:1em;overflow-x:auto;font-size:.85em}
.swatch{display:inline-block;width:.9em;height:.9em;margin-right:.4em;vertical-align:middle}
.pass{color:#1a7f37;font-weight:bold}.fail{color:#b42318;font-weight:bold}.inconclusive{color:#9a6700;font-weight:bold}.illustrative{color:#9a3412}
.warning{background:#fff7e6;border-left:4px solid #e69f00;padding:.5em 1em}
.wide{overflow-x:auto;max-width:100%}td.source{min-width:14em}";

/// The report for `runs`, with their paired differences and drawn charts.
pub fn html(runs: &[RunData], diffs: &[Difference], charts: &[Chart]) -> String {
    let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
    let title = if runs.len() > 1 {
        format!("Comparing scenarios: {}", names.join(" vs "))
    } else {
        format!("Scenario {}", names.join(""))
    };
    let first = runs.first();
    let colours = super::charts::scenario_colours(&names);
    let measures = first.map(|r| r.measures.clone()).unwrap_or_default();
    let diffs = super::data::final_year(diffs);
    let href = |r: &RunData| {
        if runs.len() > 1 { format!("{}/scenario.toml", super::file_stem(&r.name)) } else { "scenario.toml".into() }
    };
    let body = html! {
        p {
            "Made by schoolscape " (schoolscape::VERSION) " from the files in each scenario's folder. Years: "
            (first.and_then(RunData::final_year).map_or("–".to_string(), |y| y.to_string()))
            ". Replicates: " (first.map_or(0, RunData::replicates))
            ". Master seed: " (first.and_then(|r| r.seed).map_or("–".to_string(), |s| s.to_string())) "."
            @if runs.len() > 1 {
                " Every scenario ran with the same seeds (common random numbers): replicate r of each shares its seed, so differences between paired replicates come from policy, not luck."
            }
        }
        h2 #scenarios { "Scenarios" }
        table {
            tr { th { "Scenario" } th { "Description" } th { "From" } th { "Status" } }
            @for (r, &c) in runs.iter().zip(&colours) {
                tr {
                    td { span.swatch style={ "background:" (super::charts::hex(c)) } {} (r.name) }
                    td { (r.description) }
                    td { (r.scenario_file) }
                    td { (r.status) }
                }
            }
        }
        (assumptions(runs))
        h2 #summary { "Final year" }
        p { "Mean across replicates with a 95% confidence interval (t)." }
        div.wide {
            table {
                tr { th { "Measure" } @for n in &names { th { (n) } } }
                @for (k, m) in measures.iter().enumerate() {
                    tr {
                        td { (m.title) }
                        @for r in runs {
                            @let v: Vec<f64> = r.values(k, r.final_year().unwrap_or(0)).into_values().collect();
                            @let (mean, half) = mean_ci(&v);
                            td.num { (cell(mean, half)) }
                        }
                    }
                }
            }
        }
        @if let Some(d0) = diffs.first() {
            h2 #differences { "Differences from " (d0.baseline) }
            p {
                "Year " (d0.year) ": each scenario minus " (d0.baseline)
                ", mean over paired replicates with a 95% t-interval. An interval that excludes 0 is a difference the replicates resolve. Every year's are in "
                code { "differences.csv" } " and drawn below."
            }
            table {
                tr { th { "Measure" } th { "Scenario" } th { "Mean difference [95% CI]" } th { "Pairs" } }
                @for d in &diffs {
                    tr {
                        td { (d.measure.title) }
                        td { (d.scenario) }
                        td.num { (super::diff_charts::label(d.mean, d.half)) }
                        td.num { (d.pairs) }
                    }
                }
            }
        }
        (chart_sections(charts, &SECTIONS))
        h2 #parameters { "Resolved parameters" }
        p {
            "Each scenario's full " code { "scenario.toml" } ", after " code { "extends" }
            ", defaults and command-line options (" code { "schoolscape run scenario.toml" } " reruns it): "
            @for (i, r) in runs.iter().enumerate() {
                @if i > 0 { ", " }
                a href=(href(r)) { (r.name) }
            }
            "."
        }
    };
    page(&title, body)
}

/// The assumptions section of a run's or a comparison's report: what
/// differs from the defaults (and between the scenarios), with each
/// parameter's basis, and the validation status.
fn assumptions(runs: &[RunData]) -> Markup {
    let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
    let flat: Vec<assumptions::Flat> = runs.iter().map(|r| assumptions::flatten(&r.scenario_toml)).collect();
    let rows = assumptions::rows(&flat);
    let intro = if runs.len() > 1 {
        "The parameters that differ from the defaults in any scenario compared, with the basis of each."
    } else {
        "The parameters this scenario sets away from the defaults, with the basis of each."
    };
    html! {
        @if runs.len() > 1 {
            @let between = assumptions::differing(&rows);
            h2 #what-differs { "What differs between the scenarios" }
            p {
                "The " (between.len()) " resolved parameters in which the scenarios differ; everything else is the same in all of them (full files under "
                a href="#parameters" { "Resolved parameters" } ")."
            }
            div.wide {
                table {
                    tr { th { "Parameter" } @for n in &names { th { (n) } } th { "Basis" } }
                    @for r in &between {
                        tr {
                            td { code { (r.path) } }
                            @for v in &r.values { td.num { (v) } }
                            td { (r.status) }
                        }
                    }
                }
            }
        }
        (assumptions::section(&names, &rows, intro))
    }
}

/// A whole report page: head with the one stylesheet, the title, then `body`.
pub fn page(title: &str, body: Markup) -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                h1 { (title) }
                (body)
            }
        }
    }
    .into_string()
}

/// An SVG file's text without its XML declaration, to inline in a page.
fn inline_svg(svg: &str) -> &str {
    let svg = svg.trim_start_matches(|ch: char| ch != '<');
    match svg.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(rest, |(_, s)| s).trim_start(),
        None => svg,
    }
}

/// The charts, a heading per section in the order given, each chart inlined as SVG.
pub fn chart_sections(charts: &[Chart], sections: &[&str]) -> Markup {
    html! {
        @for &section in sections {
            @let in_section: Vec<&Chart> = charts.iter().filter(|c| c.section == section).collect();
            @if !in_section.is_empty() {
                h2 { (section) }
                @for c in in_section {
                    figure.chart #{ "chart-" (c.stem) } {
                        (PreEscaped(inline_svg(&c.svg)))
                        figcaption {
                            (c.title) ": "
                            a href={ "charts/" (c.stem) ".png" } { "PNG" } ", "
                            a href={ "charts/" (c.stem) ".svg" } { "SVG" }
                        }
                    }
                }
            }
        }
    }
}

/// A folded block of preformatted text.
pub fn details(summary: &str, text: &str) -> Markup {
    html! {
        details { summary { (summary) } pre { (text) } }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_inlines_charts_and_escapes_text() {
        let runs = vec![RunData { name: "a<b".into(), scenario_toml: "x = \"&\"".into(), ..RunData::default() }];
        let charts = vec![Chart {
            stem: "trend-x".into(),
            title: "T".into(),
            section: SECTIONS[0],
            svg: "<?xml version=\"1.0\"?>\n<svg width=\"1\"><text>1</text></svg>".into(),
        }];
        let h = html(&runs, &[], &charts);
        assert!(h.contains("<figure class=\"chart\" id=\"chart-trend-x\"><svg width=\"1\">"), "{h}");
        assert!(h.contains("a&lt;b") && !h.contains("a<b"));
        // The scenario's departure from the defaults is listed, escaped, among the assumptions.
        assert!(h.contains("<tr><td><code>x</code></td><td class=\"num\">&quot;&amp;&quot;</td>"), "{h}");
        assert_eq!(h.matches("<svg").count(), 1);
        assert!(!h.contains("<?xml"));
    }
}
