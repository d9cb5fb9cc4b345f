//! Charts and report of a contrast (`schoolscape contrast A B`): for each
//! headline outcome, the sampled settings over the two parameters that
//! decide it most (largest |SRRC| of A's advantage), each dot coloured by
//! the side that comes out better there beyond the paired 95% interval, so
//! the region where each side wins can be seen; and a report with the share
//! of settings in which each side is ahead.

use std::path::Path;

use maud::{Markup, html};
use schoolscape::Result;
use schoolscape::sweep::contrast::{Advantage, Side};

use super::assumptions;
use super::charts::{Figure, GREY, Scatter, ScatterGroup, colour};
use super::report::{chart_sections, details, page};
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
fn assumptions_section(d: &ContrastData) -> Markup {
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
    let settings = d.values.first().map_or(0, Vec::len);
    let body = html! {
        p {
            "Made by schoolscape " (schoolscape::VERSION) ". " (settings) " settings of " (d.parameters.len())
            " parameters drawn by Latin hypercube from their plausible ranges; at each, both scenarios ran "
            (d.replicates)
            " paired replicates from the same seeds (common random numbers), so the difference at a setting comes from the scenarios, not from luck. Values of year "
            (d.year) "; " (d.runs.1) " of " (d.runs.0) " runs finished."
        }
        h2 #who-wins { "Who comes out better, and what decides it" }
        p {
            em { (a) " ahead" } ": the share of settings in which " (a)
            " is better on the mean of the paired replicates, with a 95% Wilson interval (the settings are a sample of the plausible region). "
            em { "Clearly" } ": settings in which the paired 95% interval excludes zero. The advantage of " (a)
            " is signed so that a positive value means " (a)
            " is better. The deciding parameters are those with the largest standardized rank regression coefficients (SRRC) of "
            (a) "'s advantage: a positive one favours " (a) " as it rises."
        }
        table {
            tr {
                th { "Outcome" } th { "Better" } th { (a) " ahead" } th { (a) " clearly" } th { (b) " clearly" }
                th { "Mean advantage of " (a) " [95%]" } th { "Range" } th { "Deciding parameters (SRRC)" } th { "R²" }
            }
            @for (o, _, s) in &d.outcomes {
                tr {
                    td { (o.label) }
                    td { (if o.higher_is_better { "higher" } else { "lower" }) }
                    td.num {
                        (format!("{:.0}% ", 100.0 * s.share))
                        span.ci { (format!("[{:.0}%, {:.0}%]", 100.0 * s.share_ci.0, 100.0 * s.share_ci.1)) }
                    }
                    td.num { (s.a_clear) }
                    td.num { (s.b_clear) }
                    td.num {
                        (format!("{:+.3} ", s.mean_advantage.0))
                        span.ci {
                            (format!(
                                "[{:+.3}, {:+.3}]",
                                s.mean_advantage.0 - s.mean_advantage.1,
                                s.mean_advantage.0 + s.mean_advantage.1
                            ))
                        }
                    }
                    td.num { (format!("{:+.3} to {:+.3}", s.range.0, s.range.1)) }
                    td {
                        @for (k, (p, c)) in (0..3).filter_map(|k| decisive(d, s, k)).enumerate() {
                            @if k > 0 { ", " }
                            code { (p) } (format!(" {c:+.2}"))
                        }
                    }
                    td.num { (format!("{:.2}", s.srrc.r_squared)) }
                }
            }
        }
        @if d.outcomes.iter().any(|(_, _, s)| !s.srrc.r_squared.is_finite()) {
            p.warning {
                "No deciding parameters and no charts: the rank regression needs more settings than sampled parameters ("
                (settings) " settings, " (d.parameters.len()) " parameters). Run more settings ("
                code { "--settings" } ") or sample fewer parameters (" code { "--param" } ")."
            }
        }
        h2 #parameters { "Sampled parameters" }
        table {
            tr {
                th { "Parameter" } th { "Sampled from" } th { "to" }
                @for (o, _, _) in &d.outcomes { th { "SRRC: " (o.label) } }
            }
            @for (j, p) in d.parameters.iter().enumerate() {
                @let (lo, hi) = sampled_range(&d.values[j]);
                tr {
                    td { code { (p) } }
                    td.num { (format!("{lo:.4}")) }
                    td.num { (format!("{hi:.4}")) }
                    @for (_, _, s) in &d.outcomes {
                        @let c = s.srrc.coefficients[j];
                        td.num { (if c.is_finite() { format!("{c:+.2}") } else { "–".into() }) }
                    }
                }
            }
        }
        (assumptions_section(d))
        (chart_sections(charts, &SECTIONS))
        h2 #files { "Contrast file and scenarios" }
        p {
            "The tables are in " code { "contrast.csv" } ", " code { "contrast_sensitivity.csv" } " and "
            code { "contrast_settings.csv" } "; the runs in " code { "plan.csv" } " and " code { "metrics.csv" } "."
        }
        @for (name, text) in &d.files { (details(name, text)) }
    };
    page(&format!("Contrast: {a} against {b}"), body)
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
