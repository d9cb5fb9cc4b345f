//! Charts, maps and the HTML report, drawn from the files a run or a
//! comparison wrote (never from memory), so that `schoolscape plot DIR`
//! redraws them without rerunning.
//!
//! Layout: a run directory holds `metrics.csv` and the other data files; a
//! comparison directory holds `compare.json` and one run directory per
//! scenario; a sweep directory holds `plan.csv` and `sweep.json` (see
//! [`sweep`]). Charts go to `DIR/charts/` (PNG and SVG), the report to
//! `DIR/report.html`, and for a comparison the paired differences to
//! `DIR/differences.csv`.

pub mod assumptions;
pub mod charts;
pub mod contrast;
pub mod data;
pub mod diff_charts;
pub mod map;
pub mod report;
pub mod sweep;
pub mod sweep_charts;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use schoolscape::stats::mean_ci;
use schoolscape::{Error, Result};

use self::charts::{
    BandSeries, Figure, IntervalGroup, IntervalPanel, Intervals, Scatter, ScatterGroup, Trend, scenario_colours,
};
use self::data::{Difference, RunData, measures, median_band};
use self::diff_charts::Differences;
use super::output::{self, field, num};

/// File naming the scenarios of a comparison, in order.
pub const COMPARE_FILE: &str = "compare.json";

/// Options of `schoolscape plot`.
#[derive(Debug, Args, Clone, Default)]
pub struct PlotArgs {
    /// A directory written by `schoolscape run`, `compare` or `sweep` (or `merge`).
    pub dir: PathBuf,
    /// Year of the single-year maps (default: the last year).
    #[arg(long)]
    pub map_year: Option<u32>,
    /// A measure of `metrics.csv` to chart (besides the headline measures of
    /// a run or comparison; instead of them in a sweep), as NAME or
    /// NAME/SUBGROUP (repeat for more).
    #[arg(long, value_name = "NAME[/SUBGROUP]")]
    pub measure: Vec<String>,
    /// Sweeps: the parameter across the heatmaps (default: the first varied).
    #[arg(long, value_name = "PARAM")]
    pub x: Option<String>,
    /// Sweeps: the parameter up the heatmaps (default: the second varied).
    #[arg(long, value_name = "PARAM")]
    pub y: Option<String>,
}

/// A drawn chart.
#[derive(Debug, Clone)]
pub struct Chart {
    /// File stem under `charts/`.
    pub stem: String,
    /// Title.
    pub title: String,
    /// Report section.
    pub section: &'static str,
    /// The SVG text.
    pub svg: String,
}

/// What drawing produced.
#[derive(Debug, Clone)]
pub struct Drawn {
    /// The charts, in report order.
    pub charts: Vec<Chart>,
    /// The report.
    pub report: PathBuf,
}

/// Report sections, in order.
pub const SECTIONS: [&str; 5] =
    ["Differences from the baseline", "Headline measures over time", "Final year", "Excellence and equity", "Maps"];

/// Read the runs of a directory: one run directory, or a comparison's in its
/// order, with the measures asked for (`NAME[/SUBGROUP]`; none: the headline measures).
pub fn read_runs(dir: &Path, wanted: &[String]) -> Result<Vec<RunData>> {
    let listed = dir.join(COMPARE_FILE);
    // A comparison has its combined metrics.csv too: its compare.json decides.
    if RunData::is_run_dir(dir) && !listed.is_file() {
        return Ok(vec![RunData::read_measures(dir, wanted)?]);
    }
    let subdirs: Vec<PathBuf> = if listed.is_file() {
        let text = std::fs::read_to_string(&listed).map_err(|source| Error::Io { path: listed.clone(), source })?;
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
            Error::input(None, COMPARE_FILE, format!("{}: {e}", listed.display()), "the file `compare` writes")
        })?;
        v.get("scenarios")
            .and_then(|s| s.as_array())
            .map(|a| a.iter().filter_map(|s| s.get("dir")?.as_str()).map(|d| dir.join(d)).collect())
            .unwrap_or_default()
    } else {
        let mut d: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|source| Error::Io { path: dir.to_path_buf(), source })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| RunData::is_run_dir(p))
            .collect();
        d.sort();
        d
    };
    let subdirs: Vec<&PathBuf> = subdirs.iter().filter(|d| RunData::is_run_dir(d)).collect();
    let mut runs: Vec<RunData> = Vec::new();
    for d in subdirs {
        // The first run resolves the measures asked for; the others read the same ones.
        let resolved: Vec<String> = runs
            .first()
            .map(|r| r.measures.iter().map(|m| format!("{}/{}", m.measure, m.subgroup)).collect())
            .unwrap_or_else(|| wanted.to_vec());
        runs.push(RunData::read_measures(d, &resolved)?);
    }
    if runs.is_empty() {
        return Err(Error::input(
            None,
            "",
            format!("{} holds no run (no metrics.csv in it or in its folders)", dir.display()),
            "a directory written by `schoolscape run` or `schoolscape compare`",
        ));
    }
    Ok(runs)
}

/// A name safe as a file name: letters, digits, `-`, `_` and `.` kept, others become `_`.
pub fn file_stem(name: &str) -> String {
    let s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    if s.is_empty() || s.starts_with('.') { format!("_{s}") } else { s }
}

/// Every figure for these runs, with its file stem and section.
pub fn figures(runs: &[RunData], map_year: Option<u32>) -> Vec<(String, &'static str, Figure)> {
    let ms: Vec<data::Measure> = runs.first().map(|r| r.measures.clone()).unwrap_or_default();
    // The scatter and the maps go with the headline measures; asked-for measures get their own charts only.
    let headline = ms == measures();
    let names: Vec<String> = runs.iter().map(|r| r.name.clone()).collect();
    let colours = scenario_colours(&names);
    let reps = runs.iter().map(RunData::replicates).max().unwrap_or(0);
    let f = Figures { runs, ms, names, colours, reps };
    let mut out = Vec::new();
    f.differences(&mut out);
    f.trends(&mut out);
    f.final_year(headline, &mut out);
    if headline {
        f.excellence_equity(&mut out);
        maps(runs, map_year, &mut out);
    }
    out
}

/// A list of figures, each with its file stem and section.
type FigureList = Vec<(String, &'static str, Figure)>;

/// What every chart of a run or comparison shares.
struct Figures<'a> {
    runs: &'a [RunData],
    ms: Vec<data::Measure>,
    names: Vec<String>,
    colours: Vec<plotters::style::RGBColor>,
    /// The most replicates of any run.
    reps: usize,
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl Figures<'_> {
    /// With several scenarios: each minus the first, in the final year and over time.
    fn differences(&self, out: &mut FigureList) {
        if let Some(base) = self.runs.first().filter(|_| self.runs.len() > 1) {
            let diffs = data::differences(self.runs);
            let pairs = diffs.iter().map(|d| d.pairs).max().unwrap_or(0);
            let what = format!(
                "each scenario minus {} over {pairs} pair{} of replicates with common random numbers; 95% t-interval",
                base.name,
                plural(pairs)
            );
            let final_year = base.final_year().unwrap_or(0);
            out.push((
                "differences-final-year".to_string(),
                SECTIONS[0],
                Figure::Differences(Differences {
                    title: format!("Year {final_year}: difference from {}", base.name),
                    note: format!("Dot and bar: mean difference, {what}. Interval clear of 0: a resolved difference."),
                    over_time: false,
                    panels: diff_charts::panels(&data::final_year(&diffs), &self.names, &self.colours),
                }),
            ));
            out.push((
                "differences-over-time".to_string(),
                SECTIONS[0],
                Figure::Differences(Differences {
                    title: format!("Difference from {} over time", base.name),
                    note: format!("Line: mean difference, {what} (band)."),
                    over_time: true,
                    panels: diff_charts::panels(&diffs, &self.names, &self.colours),
                }),
            ));
        }
    }

    /// A trend chart per measure: median and band of each scenario.
    fn trends(&self, out: &mut FigureList) {
        for (k, m) in self.ms.iter().enumerate() {
            let series = self
                .runs
                .iter()
                .zip(&self.colours)
                .map(|(r, &colour)| BandSeries {
                    label: r.name.clone(),
                    colour,
                    points: r.headline[k]
                        .iter()
                        .map(|(&year, by_rep)| {
                            let (med, lo, hi) = median_band(by_rep.values().copied());
                            (year, med, lo, hi)
                        })
                        .collect(),
                })
                .collect();
            out.push((
                format!("trend-{}", m.stem()),
                SECTIONS[1],
                Figure::Trend(Trend {
                    title: m.title.clone(),
                    y_label: m.axis.clone(),
                    note: format!(
                        "Line: median across {} replicate{}; band: 10th to 90th percentile.",
                        self.reps,
                        plural(self.reps)
                    ),
                    series,
                }),
            ));
        }
    }

    /// Each scenario's replicates and mean with its interval, in the final year.
    fn final_year(&self, headline: bool, out: &mut FigureList) {
        let final_year = self.runs.first().and_then(RunData::final_year).unwrap_or(0);
        let panels = self
            .ms
            .iter()
            .enumerate()
            .map(|(k, m)| IntervalPanel {
                title: m.title.clone(),
                y_label: m.axis.clone(),
                groups: self
                    .runs
                    .iter()
                    .map(|r| {
                        let values: Vec<f64> = r.values(k, r.final_year().unwrap_or(0)).into_values().collect();
                        let (mean, half) = mean_ci(&values);
                        IntervalGroup { values, mean, half }
                    })
                    .collect(),
            })
            .collect();
        let unpaired = if self.runs.len() > 1 {
            " Each scenario's interval alone: overlapping intervals do not mean no difference (see the paired differences)."
        } else {
            ""
        };
        out.push((
            "final-year".to_string(),
            SECTIONS[2],
            Figure::Intervals(Intervals {
                title: format!(
                    "Final year (year {final_year}): {} measures",
                    if headline { "headline" } else { "selected" }
                ),
                note: format!(
                    "Small dots: replicates. Large dot and bar: mean and 95% confidence interval (t).{unpaired}"
                ),
                scenarios: self.names.clone(),
                colours: self.colours.clone(),
                panels,
            }),
        ));
    }

    /// Attainment against the SES gradient, one point per scenario and replicate.
    fn excellence_equity(&self, out: &mut FigureList) {
        let final_year = self.runs.first().and_then(RunData::final_year).unwrap_or(0);
        let (att, grad) = (
            self.ms.iter().position(|m| m.measure == "attainment_mean").unwrap_or(2),
            self.ms.iter().position(|m| m.measure == "ses_gradient").unwrap_or(3),
        );
        let groups = self
            .runs
            .iter()
            .zip(&self.colours)
            .map(|(r, &colour)| {
                let y = r.final_year().unwrap_or(0);
                let (a, g) = (r.values(att, y), r.values(grad, y));
                ScatterGroup {
                    label: r.name.clone(),
                    colour,
                    points: g.iter().filter_map(|(rep, gx)| Some((*gx, *a.get(rep)?))).collect(),
                }
            })
            .collect();
        out.push((
            "excellence-equity".to_string(),
            SECTIONS[3],
            Figure::Scatter(Scatter {
                title: format!("Excellence and equity (year {final_year})"),
                x_label: format!("SES gradient ({}; left = more equitable)", self.ms[grad].axis),
                y_label: format!("{} (up = higher)", self.ms[att].axis),
                note: "One point per scenario and replicate. Up and to the left: higher and more equitable."
                    .to_string(),
                groups,
            }),
        ));
    }
}

/// Each run's map of a year (`map_year`, else the last) and of first against
/// last, all on one scale.
fn maps(runs: &[RunData], map_year: Option<u32>, out: &mut FigureList) {
    let first_map = out.len();
    for r in runs {
        let stem = file_stem(&r.name);
        let y = map_year.or_else(|| r.final_year()).unwrap_or(0);
        if let Some(m) = map::year(r, y) {
            out.push((format!("map-{stem}-year-{y}"), SECTIONS[4], Figure::Map(m)));
        }
        if let Some(m) = map::first_last(r) {
            out.push((format!("map-{stem}-first-last"), SECTIONS[4], Figure::Map(m)));
        }
    }
    // One scale for every map of the report, so that maps side by side compare.
    map::share_scales(out[first_map..].iter_mut().filter_map(|(_, _, f)| match f {
        Figure::Map(m) => Some(m),
        _ => None,
    }));
}

/// The paired differences as CSV.
pub fn differences_csv(diffs: &[Difference]) -> String {
    let mut t = String::from("measure,subgroup,scenario,baseline,year,pairs,mean_difference,ci_low,ci_high\n");
    for d in diffs {
        let _ = writeln!(
            t,
            "{},{},{},{},{},{},{},{},{}",
            d.measure.measure,
            d.measure.subgroup,
            field(&d.scenario),
            field(&d.baseline),
            d.year,
            d.pairs,
            num(d.mean),
            num(d.mean - d.half),
            num(d.mean + d.half)
        );
    }
    t
}

/// `DIR/charts/`, created, with the charts of an earlier drawing removed
/// (another map year, measure or axis would not match the new report).
pub fn fresh_charts_dir(dir: &Path) -> Result<PathBuf> {
    let charts_dir = dir.join("charts");
    std::fs::create_dir_all(&charts_dir).map_err(|source| Error::Io { path: charts_dir.clone(), source })?;
    if let Ok(entries) = std::fs::read_dir(&charts_dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "svg" || x == "png") {
                let _ = std::fs::remove_file(&p);
            }
        }
    }
    Ok(charts_dir)
}

/// Draw every chart of `runs` (the headline measures), and the charts of
/// the same runs read with other measures (`asked`: `plot --measure`), and
/// the report with all of them.
fn draw_with(dir: &Path, runs: &[RunData], asked: &[RunData], map_year: Option<u32>) -> Result<Drawn> {
    let charts_dir = fresh_charts_dir(dir)?;
    let mut charts: Vec<Chart> = Vec::new();
    let extra = if asked.is_empty() { Vec::new() } else { figures(asked, map_year) };
    for (stem, section, fig) in figures(runs, map_year).into_iter().chain(extra) {
        // An asked-for chart of a kind the headline has too (final year, differences) gets its own name.
        let stem = if charts.iter().any(|c| c.stem == stem) { format!("{stem}-measures") } else { stem };
        let svg = charts::render(&fig, &charts_dir, &stem)?;
        charts.push(Chart { stem, title: fig.title().to_string(), section, svg });
    }
    let diffs = data::differences(runs);
    // `differences.csv` holds the headline measures' differences; charts of other measures leave it be.
    if runs.len() > 1 && runs[0].measures == measures() {
        output::write_atomic(&dir.join("differences.csv"), &differences_csv(&diffs))?;
    }
    let report = dir.join("report.html");
    output::write_atomic(&report, &report::html(runs, &diffs, &charts))?;
    Ok(Drawn { charts, report })
}

/// `schoolscape plot DIR`.
pub fn plot(a: &PlotArgs) -> Result<()> {
    let drawn = draw_dir(a)?;
    super::out(&summary_line(&a.dir, &drawn));
    Ok(())
}

/// Draw the charts and report of a run, comparison or sweep directory.
pub fn draw_dir(a: &PlotArgs) -> Result<Drawn> {
    if super::contrast::is_contrast_dir(&a.dir) {
        return contrast::draw(&a.dir, a);
    }
    if sweep::is_sweep_dir(&a.dir) {
        return sweep::draw(&a.dir, a);
    }
    if let Some((flag, _)) = [("--x", a.x.is_some()), ("--y", a.y.is_some())].iter().find(|f| f.1) {
        return Err(Error::input(
            None,
            *flag,
            format!("{} is not a sweep directory (no plan.csv and sweep.json)", a.dir.display()),
            format!("{flag} only with a directory written by `schoolscape sweep` or `merge`"),
        ));
    }
    // The headline charts always; the measures asked for beside them.
    let runs = read_runs(&a.dir, &[])?;
    let asked = if a.measure.is_empty() { Vec::new() } else { read_runs(&a.dir, &a.measure)? };
    if let Some(y) = a.map_year {
        if let Some(r) = runs.iter().find(|r| !r.years().contains(&y)) {
            let years = r.years();
            return Err(Error::input(
                None,
                "--map-year",
                format!("{} has no year {y}", r.name),
                format!("a year from {} to {}", years.first().unwrap_or(&0), years.last().unwrap_or(&0)),
            ));
        }
    }
    draw_with(&a.dir, &runs, &asked, a.map_year)
}

/// The line that says what was drawn.
pub fn summary_line(dir: &Path, drawn: &Drawn) -> String {
    format!(
        "Drew {} charts in {} (PNG and SVG) and the report {}\n",
        drawn.charts.len(),
        dir.join("charts").display(),
        drawn.report.display()
    )
}

/// Draw after a run, a comparison or a sweep: a failure is a warning, never
/// an error, because the data files are already complete (and drawing writes
/// only `charts/` and `report.html`).
pub fn draw_after(dir: &Path, quiet: bool) {
    let result = draw_dir(&PlotArgs { dir: dir.to_path_buf(), ..PlotArgs::default() });
    match result {
        Ok(drawn) if !quiet => super::out(&summary_line(dir, &drawn)),
        Ok(_) => {}
        Err(e) => eprintln!(
            "warning: could not draw the charts ({e}); the data in {} are complete: try `schoolscape plot {}`",
            dir.display(),
            dir.display()
        ),
    }
}
