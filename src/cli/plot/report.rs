//! The self-contained HTML report: one file, charts inlined as SVG, no
//! scripts and nothing fetched from the network.

use std::fmt::Write as _;

use schoolscape::stats::mean_ci;

use super::assumptions;
use super::data::{Difference, RunData};
use super::{Chart, SECTIONS};

/// Text escaped for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// A mean with its 95% interval, or a dash.
fn cell(mean: f64, half: f64) -> String {
    match (mean.is_finite(), half.is_finite()) {
        (false, _) => "–".to_string(),
        (true, false) => format!("{mean:.3}"),
        (true, true) => format!("{mean:.3} <span class=\"ci\">[{:.3}, {:.3}]</span>", mean - half, mean + half),
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
.warning{background:#fff7e6;border-left:4px solid #e69f00;padding:.5em 1em}";

/// The report for `runs`, with their paired differences and drawn charts.
pub fn html(runs: &[RunData], diffs: &[Difference], charts: &[Chart]) -> String {
    let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
    let title = if runs.len() > 1 {
        format!("Comparing scenarios: {}", names.join(" vs "))
    } else {
        format!("Scenario {}", names.join(""))
    };
    let mut h = page_start(&title);
    let first = runs.first();
    let _ = writeln!(
        h,
        "<p>Made by schoolscape {} from the files in each scenario's folder. Years: {}. Replicates: {}. Master seed: {}.{}</p>",
        esc(schoolscape::VERSION),
        first.and_then(RunData::final_year).map_or("–".to_string(), |y| y.to_string()),
        first.map_or(0, RunData::replicates),
        first.and_then(|r| r.seed).map_or("–".to_string(), |s| s.to_string()),
        if runs.len() > 1 {
            " Every scenario ran with the same seeds (common random numbers): replicate r of each shares its seed, so differences between paired replicates come from policy, not luck."
        } else {
            ""
        }
    );

    let colours = super::charts::scenario_colours(&names);
    h.push_str("<h2 id=\"scenarios\">Scenarios</h2>\n<table>\n<tr><th>Scenario</th><th>Description</th><th>From</th><th>Status</th></tr>\n");
    for (r, &c) in runs.iter().zip(&colours) {
        let _ = writeln!(
            h,
            "<tr><td><span class=\"swatch\" style=\"background:{}\"></span>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            super::charts::hex(c),
            esc(&r.name),
            esc(&r.description),
            esc(&r.scenario_file),
            esc(&r.status)
        );
    }
    h.push_str("</table>\n");

    assumptions(&mut h, runs);

    h.push_str("<h2 id=\"summary\">Final year</h2>\n<p>Mean across replicates with a 95% confidence interval (t).</p>\n<table>\n<tr><th>Measure</th>");
    for n in &names {
        let _ = write!(h, "<th>{}</th>", esc(n));
    }
    h.push_str("</tr>\n");
    for (k, m) in first.map(|r| r.measures.clone()).unwrap_or_default().iter().enumerate() {
        let _ = write!(h, "<tr><td>{}</td>", esc(&m.title));
        for r in runs {
            let v: Vec<f64> = r.values(k, r.final_year().unwrap_or(0)).into_values().collect();
            let (mean, half) = mean_ci(&v);
            let _ = write!(h, "<td class=\"num\">{}</td>", cell(mean, half));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");

    let diffs = super::data::final_year(diffs);
    if let Some(d0) = diffs.first() {
        let _ = writeln!(
            h,
            "<h2 id=\"differences\">Differences from {}</h2>\n<p>Year {}: each scenario minus {}, mean over paired replicates with a 95% t-interval. An interval that excludes 0 is a difference the replicates resolve. Every year's are in <code>differences.csv</code> and drawn below.</p>",
            esc(&d0.baseline),
            d0.year,
            esc(&d0.baseline)
        );
        h.push_str(
            "<table>\n<tr><th>Measure</th><th>Scenario</th><th>Mean difference [95% CI]</th><th>Pairs</th></tr>\n",
        );
        for d in &diffs {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
                esc(&d.measure.title),
                esc(&d.scenario),
                esc(&super::diff_charts::label(d.mean, d.half)),
                d.pairs
            );
        }
        h.push_str("</table>\n");
    }

    chart_sections(&mut h, charts, &SECTIONS);

    h.push_str("<h2 id=\"parameters\">Resolved parameters</h2>\n<p>Each scenario's full <code>scenario.toml</code>, after <code>extends</code>, defaults and command-line options (<code>schoolscape run scenario.toml</code> reruns it): ");
    let links: Vec<String> = runs
        .iter()
        .map(|r| {
            let href = if runs.len() > 1 {
                format!("{}/scenario.toml", super::file_stem(&r.name))
            } else {
                "scenario.toml".into()
            };
            format!("<a href=\"{}\">{}</a>", esc(&href), esc(&r.name))
        })
        .collect();
    h.push_str(&links.join(", "));
    h.push_str(".</p>\n");
    h.push_str("</body>\n</html>\n");
    h
}

/// The assumptions section of a run's or a comparison's report: what
/// differs from the defaults (and between the scenarios), with each
/// parameter's basis, and the validation status.
fn assumptions(h: &mut String, runs: &[RunData]) {
    let names: Vec<&str> = runs.iter().map(|r| r.name.as_str()).collect();
    let flat: Vec<assumptions::Flat> = runs.iter().map(|r| assumptions::flatten(&r.scenario_toml)).collect();
    let rows = assumptions::rows(&flat);
    if runs.len() > 1 {
        let between = assumptions::differing(&rows);
        let _ = writeln!(
            h,
            "<h2 id=\"what-differs\">What differs between the scenarios</h2>\n<p>The {} resolved parameters in which the scenarios differ; everything else is the same in all of them (full files under <a href=\"#parameters\">Resolved parameters</a>).</p>",
            between.len()
        );
        h.push_str("<table>\n<tr><th>Parameter</th>");
        for n in &names {
            let _ = write!(h, "<th>{}</th>", esc(n));
        }
        h.push_str("<th>Basis</th></tr>\n");
        for r in &between {
            let _ = write!(h, "<tr><td><code>{}</code></td>", esc(&r.path));
            for v in &r.values {
                let _ = write!(h, "<td class=\"num\">{}</td>", esc(v));
            }
            let _ = writeln!(h, "<td>{}</td></tr>", esc(&r.status));
        }
        h.push_str("</table>\n");
    }
    let intro = if runs.len() > 1 {
        "The parameters that differ from the defaults in any scenario compared, with the basis of each."
    } else {
        "The parameters this scenario sets away from the defaults, with the basis of each."
    };
    h.push_str(&assumptions::section(&names, &rows, intro));
}

/// The start of a report page: head with the styles, and the title.
pub fn page_start(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{t}</title>\n<style>\n{STYLE}\n</style>\n</head>\n<body>\n<h1>{t}</h1>\n",
        t = esc(title)
    )
}

/// The charts, a heading per section in the order given, each chart inlined as SVG.
pub fn chart_sections(h: &mut String, charts: &[Chart], sections: &[&str]) {
    for &section in sections {
        let in_section: Vec<&Chart> = charts.iter().filter(|c| c.section == section).collect();
        if in_section.is_empty() {
            continue;
        }
        let _ = writeln!(h, "<h2>{}</h2>", esc(section));
        for c in in_section {
            let svg = c.svg.trim_start_matches(|ch: char| ch != '<');
            let svg = match svg.strip_prefix("<?xml") {
                Some(rest) => rest.split_once("?>").map_or(rest, |(_, s)| s),
                None => svg,
            };
            let _ = writeln!(
                h,
                "<figure class=\"chart\" id=\"chart-{s}\">\n{svg}\n<figcaption>{t}: <a href=\"charts/{s}.png\">PNG</a>, <a href=\"charts/{s}.svg\">SVG</a></figcaption>\n</figure>",
                s = esc(&c.stem),
                t = esc(&c.title)
            );
        }
    }
}

/// A folded block of preformatted text.
pub fn details(h: &mut String, summary: &str, text: &str) {
    let _ = writeln!(h, "<details><summary>{}</summary>\n<pre>{}</pre>\n</details>", esc(summary), esc(text));
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
            svg: "<svg width=\"1\"><text>1</text></svg>".into(),
        }];
        let h = html(&runs, &[], &charts);
        assert!(h.contains("<figure class=\"chart\" id=\"chart-trend-x\">\n<svg width=\"1\">"));
        assert!(h.contains("a&lt;b") && !h.contains("a<b"));
        // The scenario's departure from the defaults is listed, escaped, among the assumptions.
        assert!(h.contains("<tr><td><code>x</code></td><td class=\"num\">&quot;&amp;&quot;</td>"), "{h}");
        assert_eq!(h.matches("<svg").count(), 1);
    }
}
