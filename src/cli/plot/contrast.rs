//! Charts and report of a contrast (`schoolscape contrast A B`): for each
//! headline outcome, the sampled settings over the two parameters that
//! decide it most (largest |SRRC| of A's advantage), each dot coloured by
//! the side that comes out better there beyond the paired 95% interval, so
//! the region where each side wins can be seen; and a report with the share
//! of settings in which each side is ahead.

use std::fmt::Write as _;
use std::path::Path;

use schoolscape::Result;
use schoolscape::sweep::contrast::{Advantage, Side};

use super::assumptions;
use super::charts::{Figure, GREY, Scatter, ScatterGroup, colour};
use super::report::{chart_sections, details, esc, page_start};
use super::{Chart, Drawn, PlotArgs, file_stem};
use crate::cli::contrast::{ContrastData, decisive, read, write_tables};
use crate::cli::output;

/// Report sections of a contrast.
pub const SECTIONS: [&str; 1] = ["Where each side comes out better"];

/// The chart of one outcome: settings over its two most decisive parameters.
pub fn region_chart(d: &ContrastData, k: usize) -> Option<Figure> {
    let (o, adv, s) = d.outcomes.get(k)?;
    let (px, cx) = decisive(d, s, 0)?;
    let jx = d.parameters.iter().position(|p| *p == px)?;
    let second = decisive(d, s, 1);
    let jy = second.as_ref().and_then(|(p, _)| d.parameters.iter().position(|q| q == p));
    let [a, b] = &d.scenarios;
    let point = |i: usize, v: &Advantage| (d.values[jx][i], jy.map_or(v.mean, |j| d.values[j][i]));
    let group = |label: String, colour, side: Option<Side>| ScatterGroup {
        label,
        colour,
        // Settings without a finished pair of runs (a partly run contrast) are not drawn.
        points: adv
            .iter()
            .enumerate()
            .filter(|(_, v)| v.pairs > 0 && v.clear_winner() == side)
            .map(|(i, v)| point(i, v))
            .collect(),
    };
    let better = if o.higher_is_better { "higher" } else { "lower" };
    Some(Figure::Scatter(Scatter {
        title: format!("{}: {a} vs {b}", o.label),
        x_label: format!("{px} (SRRC {cx:+.2})"),
        y_label: match &second {
            Some((py, cy)) => format!("{py} (SRRC {cy:+.2})"),
            None => format!("advantage of {a} ({better} is better)"),
        },
        note: format!(
            "A dot per setting, year {}; coloured where the paired 95% interval ({} replicates) excludes zero",
            d.year, d.replicates
        ),
        groups: vec![
            group(format!("{a} better ({})", s.a_clear), colour(0), Some(Side::A)),
            group(format!("{b} better ({})", s.b_clear), colour(1), Some(Side::B)),
            group(format!("neither clearly ({})", s.settings - s.a_clear - s.b_clear), GREY, None),
        ],
    }))
}

/// The lowest and highest finite value a parameter was sampled at.
fn sampled_range(values: &[f64]) -> (f64, f64) {
    values
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, u), x| (l.min(x), u.max(x)))
}

/// The assumptions of a contrast: what each scenario sets away from the
/// defaults or differently from the other (sampled parameters aside), and
/// the basis of every sampled parameter with the range it was drawn from.
fn assumptions_section(d: &ContrastData) -> String {
    let scenario = |k: usize| d.files.get(k).map(|f| assumptions::flatten(&f.1)).unwrap_or_default();
    let mut rows = assumptions::rows(&[scenario(1), scenario(2)]);
    rows.retain(|r| !d.parameters.contains(&r.path));
    for (j, p) in d.parameters.iter().enumerate() {
        let (lo, hi) = sampled_range(&d.values[j]);
        let mut row = assumptions::varied(p, &format!("sampled {lo:.4} to {hi:.4}"));
        row.values = vec![row.values[0].clone(), row.values[0].clone()];
        rows.push(row);
    }
    let [a, b] = &d.scenarios;
    assumptions::section(
        &[a.as_str(), b.as_str()],
        &rows,
        "The sampled parameters (the same values for both scenarios at each setting), and the parameters either scenario sets away from the defaults, with the basis of each.",
    )
}

/// The report of a contrast.
pub fn html(d: &ContrastData, charts: &[Chart]) -> String {
    let [a, b] = &d.scenarios;
    let mut h = page_start(&format!("Contrast: {a} against {b}"));
    let _ = writeln!(
        h,
        "<p>Made by schoolscape {}. {} settings of {} parameters drawn by Latin hypercube from their plausible ranges; at each, both scenarios ran {} paired replicates from the same seeds (common random numbers), so the difference at a setting comes from the scenarios, not from luck. Values of year {}; {} of {} runs finished.</p>",
        esc(schoolscape::VERSION),
        d.values.first().map_or(0, Vec::len),
        d.parameters.len(),
        d.replicates,
        d.year,
        d.runs.1,
        d.runs.0
    );
    h.push_str("<h2 id=\"who-wins\">Who comes out better, and what decides it</h2>\n");
    let _ = writeln!(
        h,
        "<p><em>{a} ahead</em>: the share of settings in which {a} is better on the mean of the paired replicates, with a 95% Wilson interval (the settings are a sample of the plausible region). <em>Clearly</em>: settings in which the paired 95% interval excludes zero. The advantage of {a} is signed so that a positive value means {a} is better. The deciding parameters are those with the largest standardized rank regression coefficients (SRRC) of {a}'s advantage: a positive one favours {a} as it rises.</p>"
    );
    h.push_str("<table>\n<tr><th>Outcome</th><th>Better</th><th>");
    let _ = writeln!(
        h,
        "{} ahead</th><th>{} clearly</th><th>{} clearly</th><th>Mean advantage of {} [95%]</th><th>Range</th><th>Deciding parameters (SRRC)</th><th>R²</th></tr>",
        esc(a),
        esc(a),
        esc(b),
        esc(a)
    );
    for (o, _, s) in &d.outcomes {
        let deciding: Vec<String> = (0..3)
            .filter_map(|k| decisive(d, s, k))
            .map(|(p, c)| format!("<code>{}</code> {c:+.2}", esc(&p)))
            .collect();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{:.0}% <span class=\"ci\">[{:.0}%, {:.0}%]</span></td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:+.3} <span class=\"ci\">[{:+.3}, {:+.3}]</span></td><td class=\"num\">{:+.3} to {:+.3}</td><td>{}</td><td class=\"num\">{:.2}</td></tr>",
            esc(o.label),
            if o.higher_is_better { "higher" } else { "lower" },
            100.0 * s.share,
            100.0 * s.share_ci.0,
            100.0 * s.share_ci.1,
            s.a_clear,
            s.b_clear,
            s.mean_advantage.0,
            s.mean_advantage.0 - s.mean_advantage.1,
            s.mean_advantage.0 + s.mean_advantage.1,
            s.range.0,
            s.range.1,
            deciding.join(", "),
            s.srrc.r_squared
        );
    }
    h.push_str("</table>\n");
    let settings = d.values.first().map_or(0, Vec::len);
    if d.outcomes.iter().any(|(_, _, s)| !s.srrc.r_squared.is_finite()) {
        let _ = writeln!(
            h,
            "<p class=\"warning\">No deciding parameters and no charts: the rank regression needs more settings than sampled parameters ({settings} settings, {} parameters). Run more settings (<code>--settings</code>) or sample fewer parameters (<code>--param</code>).</p>",
            d.parameters.len()
        );
    }
    h.push_str("<h2 id=\"parameters\">Sampled parameters</h2>\n<table>\n<tr><th>Parameter</th><th>Sampled from</th><th>to</th>");
    for (o, _, _) in &d.outcomes {
        let _ = write!(h, "<th>SRRC: {}</th>", esc(o.label));
    }
    h.push_str("</tr>\n");
    for (j, p) in d.parameters.iter().enumerate() {
        let (lo, hi) = sampled_range(&d.values[j]);
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td class=\"num\">{lo:.4}</td><td class=\"num\">{hi:.4}</td>",
            esc(p)
        );
        for (_, _, s) in &d.outcomes {
            let c = s.srrc.coefficients[j];
            let _ = write!(h, "<td class=\"num\">{}</td>", if c.is_finite() { format!("{c:+.2}") } else { "–".into() });
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");
    h.push_str(&assumptions_section(d));
    chart_sections(&mut h, charts, &SECTIONS);
    h.push_str("<h2 id=\"files\">Contrast file and scenarios</h2>\n<p>The tables are in <code>contrast.csv</code>, <code>contrast_sensitivity.csv</code> and <code>contrast_settings.csv</code>; the runs in <code>plan.csv</code> and <code>metrics.csv</code>.</p>\n");
    for (name, text) in &d.files {
        details(&mut h, name, text);
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// Draw a contrast's charts and report from its data; also (re)write its tables.
pub fn draw_data(dir: &Path, d: &ContrastData) -> Result<Drawn> {
    let charts_dir = super::fresh_charts_dir(dir)?;
    let mut charts = Vec::new();
    for k in 0..d.outcomes.len() {
        if let Some(fig) = region_chart(d, k) {
            let o = &d.outcomes[k].0;
            let stem = format!("contrast-{}", file_stem(o.measure));
            let svg = super::charts::render(&fig, &charts_dir, &stem)?;
            charts.push(Chart { stem, title: fig.title().to_string(), section: SECTIONS[0], svg });
        }
    }
    let report = dir.join("report.html");
    output::write_atomic(&report, &html(d, &charts))?;
    Ok(Drawn { charts, report })
}

/// `schoolscape plot DIR` of a contrast directory: tables, charts and report.
pub fn draw(dir: &Path, _a: &PlotArgs) -> Result<Drawn> {
    let d = read(dir)?;
    write_tables(dir, &d)?;
    draw_data(dir, &d)
}
