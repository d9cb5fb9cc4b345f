//! Charts and report of a parameter sweep, drawn from its files: for each
//! measure in the final year, a heatmap over two varied parameters, lines
//! over each varied parameter, and the parameters ranked by their standardized
//! rank regression coefficients ([`schoolscape::sweep::sensitivity`], the
//! numbers `sweep-summary` writes).
//!
//! A grid's parameters are shown value by value; a random or Latin-hypercube
//! sample's numeric parameters are cut into [`BINS`] equal bins (a parameter
//! with at most [`BINS`] distinct values, such as a rounded whole number, is
//! shown value by value). `metrics.csv` is streamed, keeping only the final
//! year's values of the measures drawn: one number per run and measure.

use std::collections::BTreeMap;
use std::path::Path;

use maud::html;
use schoolscape::measures::HEADLINE;
use schoolscape::stats::mean_ci;
use schoolscape::sweep::sensitivity::{Srrc, srrc};
use schoolscape::{Error, Result};

use super::assumptions;
use super::charts::{Figure, tick};
use super::report::{chart_sections, details, page};
use super::sweep_charts::{Bars, HeatAxis, Heatmap, LinePanel, Lines};
use super::{Chart, Drawn, PlotArgs, data, file_stem};
use crate::cli::output;
use crate::cli::sweep_dir::{self as dir, PlanTable, plan_number};

/// Report sections of a sweep, in order.
pub const SECTIONS: [&str; 3] = ["Over two parameters", "Over one parameter", "Sensitivity"];

/// Bins per axis for the numeric parameters of a sampled design.
pub const BINS: usize = 8;

/// Whether `dir` holds a sweep (it has `plan.csv` and `sweep.json`).
pub fn is_sweep_dir(d: &Path) -> bool {
    d.join(dir::PLAN).is_file() && d.join(dir::MANIFEST).is_file()
}

/// How a sweep chose its points (from the sweep file kept in the directory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Design {
    /// Every combination of listed values.
    Grid,
    /// A random sample over ranges.
    Random,
    /// A Latin hypercube over ranges.
    Lhs,
    /// The rows of a design table.
    Table,
    /// Not recorded.
    Unknown,
}

impl Design {
    /// The design of a sweep file's text.
    pub fn of(sweep_toml: &str) -> Design {
        let t: toml::Table = sweep_toml.parse().unwrap_or_default();
        [("grid", Design::Grid), ("random", Design::Random), ("lhs", Design::Lhs), ("table", Design::Table)]
            .into_iter()
            .find(|(k, _)| t.contains_key(*k))
            .map_or(Design::Unknown, |(_, d)| d)
    }

    /// As said in the report.
    pub fn describe(self) -> &'static str {
        match self {
            Design::Grid => "a full grid",
            Design::Random => "a random sample",
            Design::Lhs => "a Latin hypercube sample",
            Design::Table => "a design table",
            Design::Unknown => "a design not recorded",
        }
    }
}

/// A measure charted: a measure and subgroup of `metrics.csv`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Measure name.
    pub measure: String,
    /// Subgroup.
    pub subgroup: String,
    /// Title.
    pub title: String,
    /// Axis label, with its unit.
    pub axis: String,
}

impl Outcome {
    /// A measure and subgroup, titled as a headline measure if it is one.
    pub fn new(measure: &str, subgroup: &str) -> Outcome {
        let headline = HEADLINE.iter().find(|h| h.0 == measure && h.1 == subgroup);
        let name = format!("{measure} ({subgroup})");
        let axis = match data::axis_label(measure) {
            "value" => name.clone(),
            a => a.to_string(),
        };
        Outcome {
            measure: measure.to_string(),
            subgroup: subgroup.to_string(),
            title: headline.map_or(name, |h| h.2.to_string()),
            axis,
        }
    }

    /// The headline measures.
    pub fn headline() -> Vec<Outcome> {
        HEADLINE.iter().map(|h| Outcome::new(h.0, h.1)).collect()
    }

    /// The part of chart file names that names the measure: the measure for a
    /// headline measure, the measure and subgroup otherwise.
    pub fn stem(&self) -> String {
        if HEADLINE.iter().any(|h| h.0 == self.measure && h.1 == self.subgroup) {
            file_stem(&self.measure)
        } else {
            file_stem(&format!("{}-{}", self.measure, self.subgroup))
        }
    }
}

/// A `--measure NAME[/SUBGROUP]` argument: the measure and, if given (or the
/// measure is a headline one), the subgroup.
fn parse_measure(arg: &str) -> (String, Option<String>) {
    match arg.split_once('/') {
        Some((m, s)) => (m.trim().to_string(), Some(s.trim().to_string())),
        None => {
            let m = arg.trim();
            (m.to_string(), HEADLINE.iter().find(|h| h.0 == m).map(|h| h.1.to_string()))
        }
    }
}

/// The measures asked for, resolved against those in the final year: a
/// measure named without a subgroup takes `all`, or its only subgroup.
pub fn resolve_measures(args: &[String], seen: &[(String, String)], file: &Path) -> Result<Vec<Outcome>> {
    let mut out = Vec::new();
    for arg in args {
        let (m, sub) = parse_measure(arg);
        let subgroups: Vec<&str> = seen.iter().filter(|k| k.0 == m).map(|k| k.1.as_str()).collect();
        if subgroups.is_empty() {
            let mut names: Vec<&str> = seen.iter().map(|k| k.0.as_str()).collect();
            names.dedup();
            return Err(Error::input(
                None,
                "--measure",
                format!("no measure `{m}` in the final year of {}", file.display()),
                format!("NAME or NAME/SUBGROUP, with NAME one of: {}", names.join(", ")),
            ));
        }
        let subgroup = match sub {
            Some(s) if subgroups.contains(&s.as_str()) => s,
            None if subgroups.contains(&"all") => "all".to_string(),
            None if subgroups.len() == 1 => subgroups[0].to_string(),
            given => {
                return Err(Error::input(
                    None,
                    "--measure",
                    match given {
                        Some(s) => format!("measure `{m}` has no subgroup `{s}` in {}", file.display()),
                        None => format!("measure `{m}` has several subgroups: name one"),
                    },
                    format!("{m}/SUBGROUP with SUBGROUP one of: {}", subgroups.join(", ")),
                ));
            }
        };
        let o = Outcome::new(&m, &subgroup);
        if !out.contains(&o) {
            out.push(o);
        }
    }
    Ok(out)
}

/// A sweep directory read back: its plan, and the final-year values of the
/// measures charted.
#[derive(Debug, Clone)]
pub struct SweepData {
    /// The sweep's name.
    pub name: String,
    /// What the sweep is for.
    pub description: String,
    /// The base scenario, as recorded.
    pub base: String,
    /// The design.
    pub design: Design,
    /// Years per run: the final year.
    pub years: u64,
    /// Replicates per point.
    pub replicates: u64,
    /// Master seed, if recorded.
    pub seed: Option<u64>,
    /// Status recorded in `sweep.json`.
    pub status: String,
    /// The plan.
    pub plan: PlanTable,
    /// Runs finished.
    pub finished: usize,
    /// Each measure charted, with its final-year value per run (NaN if missing).
    pub outcomes: Vec<(Outcome, Vec<f64>)>,
    /// The sweep file as given.
    pub sweep_toml: String,
    /// The resolved base scenario.
    pub scenario_toml: String,
}

impl SweepData {
    /// Number of points in the plan.
    pub fn points(&self) -> usize {
        self.plan.point_values.len()
    }
}

/// The indices of the two heatmap parameters: `--x` and `--y`, or the first two.
pub fn heatmap_axes(parameters: &[String], x: Option<&str>, y: Option<&str>) -> Result<Option<(usize, usize)>> {
    let find = |flag: &str, name: &str| {
        parameters.iter().position(|p| p == name).ok_or_else(|| {
            Error::input(
                None,
                flag,
                format!("`{name}` is not a varied parameter of this sweep"),
                format!("one of: {}", parameters.join(", ")),
            )
        })
    };
    let xi = x.map(|n| find("--x", n)).transpose()?;
    let yi = y.map(|n| find("--y", n)).transpose()?;
    if parameters.len() < 2 {
        if x.is_some() || y.is_some() {
            return Err(Error::input(
                None,
                if y.is_some() { "--y" } else { "--x" },
                "the sweep varies one parameter: there is no heatmap over two",
                "no --x or --y for this sweep",
            ));
        }
        return Ok(None);
    }
    let other = |not: usize| (0..parameters.len()).find(|&j| j != not).unwrap_or(0);
    let (xi, yi) = match (xi, yi) {
        (Some(a), Some(b)) => (a, b),
        (Some(a), None) => (a, other(a)),
        (None, Some(b)) => (other(b), b),
        (None, None) => (0, 1),
    };
    if xi == yi {
        return Err(Error::input(
            None,
            "--y",
            format!("--x and --y are both `{}`", parameters[xi]),
            "two different varied parameters",
        ));
    }
    Ok(Some((xi, yi)))
}

/// Read a sweep directory with its plan (as [`dir::read_plan`] read it): the
/// manifest and, streaming `metrics.csv`, the final-year values of the
/// measures (`measures`: `NAME[/SUBGROUP]`; empty for the headline measures).
pub fn read(d: &Path, plan: PlanTable, measures: &[String]) -> Result<SweepData> {
    let manifest = dir::read_manifest(d)?;
    let settings = &manifest["settings"];
    let text = |v: &serde_json::Value| v.as_str().unwrap_or("").to_string();
    let sweep_toml = dir::read_text(&d.join(dir::SWEEP_FILE)).unwrap_or_default();
    let years = settings["years"].as_u64().unwrap_or(0);
    let wanted: Vec<(String, Option<String>)> = measures.iter().map(|m| parse_measure(m)).collect();
    let keep = |m: &str, s: &str| {
        if wanted.is_empty() {
            HEADLINE.iter().any(|h| h.0 == m && h.1 == s)
        } else {
            wanted.iter().any(|(wm, ws)| wm == m && ws.as_deref().is_none_or(|ws| ws == s))
        }
    };
    let finals = dir::read_finals(d, plan.runs(), years, keep)?;
    let metrics = d.join(dir::METRICS.name);
    if finals.finished == 0 {
        return Err(Error::input(
            None,
            "",
            format!("{} has no finished runs to draw", d.display()),
            "a sweep directory with finished runs (see done.csv)",
        ));
    }
    let outcomes = if measures.is_empty() {
        Outcome::headline()
            .into_iter()
            .filter(|o| finals.measures.contains(&(o.measure.clone(), o.subgroup.clone())))
            .collect()
    } else {
        resolve_measures(measures, &finals.measures, &metrics)?
    };
    let mut values = finals.values;
    let outcomes = outcomes
        .into_iter()
        .map(|o| {
            let v = values.remove(&(o.measure.clone(), o.subgroup.clone())).unwrap_or_default();
            (o, v)
        })
        .collect();
    Ok(SweepData {
        name: text(&settings["name"]),
        description: text(&manifest["description"]),
        base: text(&manifest["base_scenario"]),
        design: Design::of(&sweep_toml),
        years,
        replicates: settings["replicates"].as_u64().unwrap_or(1),
        seed: settings["seed"].as_u64(),
        status: text(&manifest["status"]),
        finished: finals.finished,
        outcomes,
        plan,
        sweep_toml,
        scenario_toml: dir::read_text(&d.join(dir::SCENARIO)).unwrap_or_default(),
    })
}

/// How the runs fall along one varied parameter: its distinct values, or
/// bins of its range.
#[derive(Debug, Clone, PartialEq)]
pub struct Levels {
    /// The parameter's path.
    pub parameter: String,
    /// Label of each level.
    pub labels: Vec<String>,
    /// Each level's place on a numeric axis (its value, or its bin's centre);
    /// empty if the values are not numbers.
    pub positions: Vec<f64>,
    /// The bins' edges (one more than the levels) if the values are binned;
    /// empty otherwise.
    pub edges: Vec<f64>,
    /// Each run's level.
    pub of_run: Vec<usize>,
    /// Distinct values in the plan.
    pub distinct: usize,
}

/// A parameter value as a short label: as written if short, else to four decimals.
fn short(text: &str, v: f64) -> String {
    if text.len() <= 8 || !v.is_finite() {
        return text.to_string();
    }
    let s = format!("{v:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_string() } else { s.to_string() }
}

/// The levels of parameter `j`: value by value for a grid, for values that
/// are not numbers and for at most [`BINS`] distinct values; otherwise
/// [`BINS`] equal bins of the range.
pub fn levels(plan: &PlanTable, j: usize, design: Design) -> Levels {
    let texts: Vec<&str> = plan.point_values.iter().map(|v| v.get(j).map_or("", String::as_str)).collect();
    let nums: Vec<f64> = texts.iter().map(|t| plan_number(t)).collect();
    let numeric = nums.iter().all(|v| v.is_finite());
    let mut first: BTreeMap<&str, usize> = BTreeMap::new();
    let mut order: Vec<usize> = Vec::new();
    for (p, t) in texts.iter().enumerate() {
        first.entry(t).or_insert_with(|| {
            order.push(p);
            order.len() - 1
        });
    }
    let distinct = order.len();
    let parameter = plan.parameters.get(j).cloned().unwrap_or_default();
    let runs = |of_point: &[usize]| plan.point.iter().map(|&p| of_point.get(p).copied().unwrap_or(0)).collect();
    if numeric && design != Design::Grid && distinct > BINS {
        let lo = nums.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = nums.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w = (hi - lo) / BINS as f64;
        let edges: Vec<f64> = (0..=BINS).map(|k| if k == BINS { hi } else { lo + w * k as f64 }).collect();
        let of_point: Vec<usize> =
            nums.iter().map(|v| (((v - lo) / w).floor().max(0.0) as usize).min(BINS - 1)).collect();
        let span = hi - lo;
        return Levels {
            parameter,
            labels: (0..BINS).map(|k| format!("{} to {}", tick(edges[k], span), tick(edges[k + 1], span))).collect(),
            positions: (0..BINS).map(|k| (edges[k] + edges[k + 1]) / 2.0).collect(),
            edges,
            of_run: runs(&of_point),
            distinct,
        };
    }
    if numeric {
        let mut values: Vec<(f64, usize)> = order.iter().map(|&p| (nums[p], p)).collect();
        values.sort_by(|a, b| a.0.total_cmp(&b.0));
        values.dedup_by(|a, b| a.0 == b.0);
        let of_point: Vec<usize> = nums.iter().map(|v| values.partition_point(|u| u.0.total_cmp(v).is_lt())).collect();
        Levels {
            parameter,
            labels: values.iter().map(|&(v, p)| short(texts[p], v)).collect(),
            positions: values.iter().map(|v| v.0).collect(),
            edges: Vec::new(),
            of_run: runs(&of_point),
            distinct,
        }
    } else {
        let of_point: Vec<usize> = texts.iter().map(|t| first[t]).collect();
        Levels {
            parameter,
            labels: order.iter().map(|&p| texts[p].to_string()).collect(),
            positions: Vec::new(),
            edges: Vec::new(),
            of_run: runs(&of_point),
            distinct,
        }
    }
}

impl Levels {
    /// Whether the values are cut into bins.
    pub fn binned(&self) -> bool {
        !self.edges.is_empty()
    }

    /// As a heatmap axis: labelled cell centres for values, labelled edges for bins.
    pub fn heat_axis(&self) -> HeatAxis {
        let ticks = if self.binned() {
            let span = self.edges.last().unwrap_or(&1.0) - self.edges.first().unwrap_or(&0.0);
            self.edges.iter().enumerate().map(|(k, e)| (k as f64, tick(*e, span))).collect()
        } else {
            self.labels.iter().enumerate().map(|(i, l)| (i as f64 + 0.5, l.clone())).collect()
        };
        HeatAxis { label: self.parameter.clone(), cells: self.labels.len(), ticks }
    }

    /// The values in the plan, for the report: a list, or a range.
    pub fn values_text(&self, plan: &PlanTable, j: usize) -> String {
        let nums = || plan.numeric.get(j).into_iter().flatten().copied().filter(|v| v.is_finite());
        if self.binned() || self.labels.len() > 12 {
            let (lo, hi) = (nums().fold(f64::INFINITY, f64::min), nums().fold(f64::NEG_INFINITY, f64::max));
            if lo <= hi {
                return format!(
                    "{} to {} ({} distinct values)",
                    short(&lo.to_string(), lo),
                    short(&hi.to_string(), hi),
                    self.distinct
                );
            }
            return format!("{} distinct values", self.distinct);
        }
        self.labels.join(", ")
    }
}

/// A measure over two parameters: each cell the mean of the runs in it.
pub fn heatmap(o: &Outcome, values: &[f64], x: &Levels, y: &Levels, others: bool, year: u64) -> Heatmap {
    let (nx, ny) = (x.labels.len(), y.labels.len());
    let mut runs: Vec<Vec<Vec<f64>>> = vec![vec![Vec::new(); nx]; ny];
    for (r, v) in values.iter().enumerate() {
        if let (true, Some(&i), Some(&j)) = (v.is_finite(), x.of_run.get(r), y.of_run.get(r)) {
            runs[j][i].push(*v);
        }
    }
    let stats: Vec<Vec<(f64, f64)>> = runs
        .iter()
        .map(|row| row.iter().map(|v| if v.is_empty() { (f64::NAN, f64::NAN) } else { mean_ci(v) }).collect())
        .collect();
    let cells = stats.iter().map(|row| row.iter().map(|c| c.0).collect()).collect();
    let halves = stats.iter().map(|row| row.iter().map(|c| c.1).collect()).collect();
    let what = if x.binned() || y.binned() {
        format!("Axes cut into {BINS} equal bins. Cell: mean of the runs in it; blank: none")
    } else {
        format!("Cell: mean of its runs (replicates{})", if others { " and the other parameters" } else { "" })
    };
    let mut h = Heatmap {
        title: format!("{}: year {year}", o.title),
        note: format!("{what}."),
        x: x.heat_axis(),
        y: y.heat_axis(),
        values: cells,
        halves,
        scale_label: o.axis.clone(),
    };
    let wide = h.uncertain().len();
    if wide > 0 {
        h.note.push_str(&format!(
            " Ring: the cell's 95% interval is as wide as the whole colour range ({wide} of {} cells): its colour is mostly noise.",
            h.cells().len()
        ));
    }
    h
}

/// Below this R², a rank regression explains little of a measure, and its
/// charts say so plainly.
pub const LOW_R2: f64 = 0.2;

/// A warning for the charts of a measure whose rank regression explains little.
pub fn low_r2_warning(s: &Srrc) -> Option<String> {
    (s.r_squared.is_finite() && s.r_squared < LOW_R2).then(|| {
        format!(
            "Caution: the varied parameters explain little of this measure (rank regression R² = {:.2}); the pattern here is mostly replicate noise.",
            s.r_squared
        )
    })
}

/// A measure over each parameter: per value (or bin) the mean of its runs
/// with a 95% t-interval.
pub fn lines(o: &Outcome, values: &[f64], levels: &[Levels], year: u64) -> Lines {
    let panels = levels
        .iter()
        .map(|l| {
            let mut at: Vec<Vec<f64>> = vec![Vec::new(); l.labels.len()];
            for (r, v) in values.iter().enumerate() {
                if let (true, Some(&k)) = (v.is_finite(), l.of_run.get(r)) {
                    at[k].push(*v);
                }
            }
            let points = at
                .iter()
                .enumerate()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| {
                    let (m, h) = mean_ci(v);
                    let x = l.positions.get(k).copied().unwrap_or(k as f64);
                    (x, m, m - h, m + h)
                })
                .collect();
            LinePanel {
                x_label: l.parameter.clone(),
                points,
                categories: if l.positions.is_empty() { l.labels.clone() } else { Vec::new() },
            }
        })
        .collect();
    let over = if levels.len() > 1 { "replicates and the other parameters" } else { "replicates" };
    Lines {
        title: format!("{} over each parameter: year {year}", o.title),
        note: format!("Line: mean of the runs at each value or bin (over {over}); band: its 95% interval (t)."),
        y_label: o.axis.clone(),
        panels,
    }
}

/// The parameters ranked by |SRRC| of a measure, largest first; parameters
/// without a coefficient last.
pub fn sensitivity(o: &Outcome, parameters: &[String], s: &Srrc, runs: usize, year: u64) -> Bars {
    let mut bars: Vec<(String, f64)> = parameters.iter().cloned().zip(s.coefficients.iter().copied()).collect();
    bars.sort_by(|a, b| match (a.1.is_nan(), b.1.is_nan()) {
        (false, false) => b.1.abs().total_cmp(&a.1.abs()),
        (x, y) => x.cmp(&y),
    });
    let r2 = if s.r_squared.is_finite() { format!("{:.2}", s.r_squared) } else { "not defined".into() };
    Bars {
        title: format!("Sensitivity: {} (year {year})", o.title),
        subtitle: format!("Rank regression R² = {r2}, over {runs} runs"),
        note: match low_r2_warning(s) {
            Some(w) => format!("Bar: SRRC of the measure on each parameter. {w}"),
            None => "Bar: standardized rank regression coefficient (SRRC) of the measure on each parameter.".into(),
        },
        x_label: "SRRC (-1 to 1)".into(),
        signs: ["raises the measure (SRRC > 0)".into(), "lowers it (SRRC < 0)".into()],
        bars,
    }
}

/// The sensitivity of each measure charted: its SRRCs (as `sweep-summary`
/// computes them) and the runs with a value.
pub fn sensitivities(d: &SweepData) -> Vec<(Srrc, usize)> {
    d.outcomes.iter().map(|(_, v)| (srrc(&d.plan.numeric, v), v.iter().filter(|x| !x.is_nan()).count())).collect()
}

/// Every figure of a sweep, with its file stem and section.
pub fn figures(
    d: &SweepData,
    levels: &[Levels],
    sens: &[(Srrc, usize)],
    axes: Option<(usize, usize)>,
) -> Vec<(String, &'static str, Figure)> {
    let mut out = Vec::new();
    for (k, (o, v)) in d.outcomes.iter().enumerate() {
        let warning = sens.get(k).and_then(|(s, _)| low_r2_warning(s));
        if let Some((x, y)) = axes {
            let others = levels.len() > 2;
            let mut h = heatmap(o, v, &levels[x], &levels[y], others, d.years);
            if let Some(w) = &warning {
                h.note = format!("{w} {}", h.note);
            }
            out.push((format!("heatmap-{}", o.stem()), SECTIONS[0], Figure::Heatmap(h)));
        }
        if !levels.is_empty() {
            let mut l = lines(o, v, levels, d.years);
            if let Some(w) = &warning {
                l.note = format!("{w} {}", l.note);
            }
            out.push((format!("lines-{}", o.stem()), SECTIONS[1], Figure::Lines(l)));
            let (s, n) = &sens[k];
            out.push((
                format!("sensitivity-{}", o.stem()),
                SECTIONS[2],
                Figure::Bars(sensitivity(o, &d.plan.parameters, s, *n, d.years)),
            ));
        }
    }
    out
}

/// The report of a sweep.
pub fn html(d: &SweepData, levels: &[Levels], sens: &[(Srrc, usize)], charts: &[Chart]) -> String {
    let shown = |l: &Levels| {
        if l.binned() {
            format!("{BINS} bins of equal width")
        } else {
            format!("{} value{}", l.labels.len(), if l.labels.len() == 1 { "" } else { "s" })
        }
    };
    let num = |v: f64| if v.is_finite() { format!("{v:+.3}") } else { "–".into() };
    let weak: Vec<String> = d
        .outcomes
        .iter()
        .zip(sens)
        .filter(|(_, (s, _))| low_r2_warning(s).is_some())
        .map(|((o, _), (s, _))| format!("{} (R² = {:.2})", o.title, s.r_squared))
        .collect();
    // Assumptions: the base scenario's departures from the defaults, and the basis of each varied parameter.
    let mut rows = assumptions::rows(&[assumptions::flatten(&d.scenario_toml)]);
    rows.retain(|r| !d.plan.parameters.contains(&r.path));
    for (j, l) in levels.iter().enumerate() {
        rows.push(assumptions::varied(&l.parameter, &l.values_text(&d.plan, j)));
    }
    let body = html! {
        @if !d.description.is_empty() {
            p { (d.description) }
        }
        p {
            "Made by schoolscape " (schoolscape::VERSION) " from the files in this folder. Base scenario: " (d.base)
            ". Design: " (d.design.describe()) ", " (d.points()) " points × " (d.replicates) " replicate"
            (if d.replicates == 1 { "" } else { "s" }) " = " (d.plan.runs()) " runs of " (d.years) " years; "
            (d.finished) " finished (status: " (d.status) "). Master seed: "
            (d.seed.map_or("–".to_string(), |s| s.to_string())) ". Charts show the final year, " (d.years) "."
        }
        h2 #parameters { "Varied parameters" }
        table {
            tr { th { "Parameter" } th { "Values" } th { "On the charts" } }
            @for (j, l) in levels.iter().enumerate() {
                tr { td { code { (l.parameter) } } td { (l.values_text(&d.plan, j)) } td { (shown(l)) } }
            }
        }
        h2 #sensitivity { "Sensitivity" }
        p {
            "Standardized rank regression coefficients (SRRC) of each final-year measure on the varied parameters, over the finished runs: the sign is the direction, the size ranks the parameters; R² is the share of the variance of the measure's ranks the rank regression explains (as "
            code { "schoolscape sweep-summary" } " writes to " code { "sensitivity.csv" } ")."
        }
        table {
            tr { th { "Parameter" } @for (o, _) in &d.outcomes { th { (o.title) } } }
            @for (j, p) in d.plan.parameters.iter().enumerate() {
                tr {
                    td { code { (p) } }
                    @for (s, _) in sens { td.num { (num(s.coefficients.get(j).copied().unwrap_or(f64::NAN))) } }
                }
            }
            tr {
                th { "R²" }
                @for (s, _) in sens {
                    td.num { (if s.r_squared.is_finite() { format!("{:.3}", s.r_squared) } else { "–".into() }) }
                }
            }
            tr { th { "Runs" } @for (_, n) in sens { td.num { (n) } } }
        }
        @if !weak.is_empty() {
            p.warning {
                "The varied parameters explain little of " (weak.join(", "))
                ": their charts mostly show replicate noise, however vivid the colours."
            }
        }
        (assumptions::section(
            &["Sweep"],
            &rows,
            "The varied parameters, and those the base scenario sets away from the defaults, with the basis of each.",
        ))
        (chart_sections(charts, &SECTIONS))
        h2 #files { "Sweep file and base scenario" }
        p { code { "schoolscape sweep sweep.toml --out DIR" } " reruns the sweep, with the base scenario beside it." }
        (details("sweep.toml", &d.sweep_toml))
        (details("scenario.toml (the resolved base scenario)", &d.scenario_toml))
    };
    page(&format!("Sweep {}", d.name), body)
}

/// Draw every chart of a sweep and its report into its directory.
pub fn draw(d: &Path, a: &PlotArgs) -> Result<Drawn> {
    if let Some(y) = a.map_year {
        return Err(Error::input(
            None,
            "--map-year",
            format!("year {y}: a sweep has no maps"),
            "--map-year only with a run or comparison directory",
        ));
    }
    // Check the axes against the plan before reading the results.
    let plan = dir::read_plan(&d.join(dir::PLAN))?;
    let axes = heatmap_axes(&plan.parameters, a.x.as_deref(), a.y.as_deref())?;
    let data = read(d, plan, &a.measure)?;
    let levels: Vec<Levels> = (0..data.plan.parameters.len()).map(|j| levels(&data.plan, j, data.design)).collect();
    let sens = sensitivities(&data);
    let charts_dir = super::fresh_charts_dir(d)?;
    let mut charts = Vec::new();
    for (stem, section, fig) in figures(&data, &levels, &sens, axes) {
        let svg = super::charts::render(&fig, &charts_dir, &stem)?;
        charts.push(Chart { stem, title: fig.title().to_string(), section, svg });
    }
    let report = d.join("report.html");
    output::write_atomic(&report, &html(&data, &levels, &sens, &charts))?;
    Ok(Drawn { charts, report })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::plot::charts::{colour, hex, svg_string, svg_texts};

    /// A plan with these points (values as written), `reps` runs per point.
    fn plan(parameters: &[&str], points: &[Vec<String>], reps: usize) -> PlanTable {
        let runs = points.len() * reps;
        PlanTable {
            parameters: parameters.iter().map(|p| p.to_string()).collect(),
            point: (0..runs).map(|r| r / reps).collect(),
            point_values: points.to_vec(),
            numeric: (0..parameters.len())
                .map(|j| (0..runs).map(|r| plan_number(&points[r / reps][j])).collect())
                .collect(),
        }
    }

    /// Rectangles outlined in white: the heatmap's cells (rings are circles).
    fn outlines(svg: &str) -> usize {
        svg.split("<rect")
            .skip(1)
            .filter(|r| r.split('>').next().unwrap_or("").contains("fill=\"none\" stroke=\"#FFFFFF\""))
            .count()
    }

    fn outcome() -> Outcome {
        Outcome::new("school_gorard", "disadvantaged")
    }

    #[test]
    fn grid_heatmap_has_a_cell_per_combination_axis_labels_and_the_colour_range() {
        let (xs, ys) = (["0.0", "0.3", "0.6"], ["0.3", "0.8"]);
        let points: Vec<Vec<String>> =
            xs.iter().flat_map(|x| ys.iter().map(|y| vec![x.to_string(), y.to_string()])).collect();
        let p = plan(&["admissions.cream_skimming", "families.disadvantaged.information"], &points, 2);
        // Run r: 1 + x + 2y + 0.1 × replicate, so a cell's mean is 1 + x + 2y + 0.05;
        // the last point (0.6, 0.8) has no finished run and stays blank.
        let values: Vec<f64> = (0..p.runs())
            .map(|r| {
                let (x, y) = (p.numeric[0][r], p.numeric[1][r]);
                if r / 2 == 5 { f64::NAN } else { 1.0 + x + 2.0 * y + 0.1 * (r % 2) as f64 }
            })
            .collect();
        let (lx, ly) = (levels(&p, 0, Design::Grid), levels(&p, 1, Design::Grid));
        assert_eq!(lx.labels, xs);
        assert_eq!(ly.labels, ys);
        let h = heatmap(&outcome(), &values, &lx, &ly, false, 20);
        let (lo, hi) = h.range();
        assert!((lo - 1.65).abs() < 1e-12 && (hi - 2.95).abs() < 1e-12, "{lo} {hi}");
        let svg = svg_string(&Figure::Heatmap(h)).unwrap();
        // Five cells with a value, each outlined once; the sixth left blank.
        assert_eq!(outlines(&svg), 5);
        let texts = svg_texts(&svg);
        let has = |s: &str| texts.iter().any(|t| t.2 == s);
        for label in ["admissions.cream_skimming", "families.disadvantaged.information", "0.0", "0.3", "0.6", "0.8"] {
            assert!(has(label), "no label {label}");
        }
        assert!(has("Gorard segregation index (0 = even, 1 = apart)"), "the colour bar has no label");
        // The colour bar (right of x = 840) runs from the lowest cell to the highest.
        let bar: Vec<f64> = texts.iter().filter(|t| t.0 > 840.0).filter_map(|t| t.2.parse().ok()).collect();
        assert_eq!(bar.len(), 5, "{bar:?}");
        assert_eq!(bar.iter().copied().fold(f64::MAX, f64::min), 1.65);
        assert_eq!(bar.iter().copied().fold(f64::MIN, f64::max), 2.95);
        // The lowest cell in the darkest colour, the highest in the lightest.
        assert!(svg.contains("fill=\"#440154\"") && svg.contains("fill=\"#FDE725\""));
    }

    #[test]
    fn noisy_cells_are_marked_and_a_weak_regression_is_named() {
        let (xs, ys) = (["0.0", "0.3", "0.6"], ["0.3", "0.8"]);
        let points: Vec<Vec<String>> =
            xs.iter().flat_map(|x| ys.iter().map(|y| vec![x.to_string(), y.to_string()])).collect();
        let p = plan(&["admissions.cream_skimming", "families.disadvantaged.information"], &points, 3);
        // Replicates spread ±1 around cell means 0.01 apart: noise swamps the pattern.
        let values: Vec<f64> = (0..p.runs()).map(|r| 0.01 * (r / 3) as f64 + [-1.0, 0.0, 1.0][r % 3]).collect();
        let (lx, ly) = (levels(&p, 0, Design::Grid), levels(&p, 1, Design::Grid));
        let h = heatmap(&outcome(), &values, &lx, &ly, false, 20);
        assert_eq!(h.uncertain().len(), 6, "every cell's interval spans the colour range");
        assert!(h.note.contains("Ring") && h.note.contains("6 of 6 cells"), "{}", h.note);
        let svg = svg_string(&Figure::Heatmap(h)).unwrap();
        assert_eq!(svg.matches("<circle").count(), 6, "a ring per noisy cell");
        // The clean grid of the test above has none.
        let quiet: Vec<f64> = (0..p.runs()).map(|r| (r / 3) as f64 + 0.001 * (r % 3) as f64).collect();
        assert!(heatmap(&outcome(), &quiet, &lx, &ly, false, 20).uncertain().is_empty());

        let weak = Srrc { coefficients: vec![0.05, 0.02], r_squared: 0.03 };
        let w = low_r2_warning(&weak).expect("R² 0.03 explains little");
        assert!(w.contains("R² = 0.03") && w.contains("explain little"), "{w}");
        assert!(low_r2_warning(&Srrc { coefficients: vec![0.9], r_squared: 0.8 }).is_none());
        let params: Vec<String> = vec!["p.a".into(), "p.b".into()];
        assert!(sensitivity(&outcome(), &params, &weak, 18, 20).note.contains("explain little"));
    }

    #[test]
    fn sampled_designs_are_binned_and_empty_bins_left_blank() {
        // x: 15 distinct values from 0 to 19 (none from 10 to 14); y: 5 whole numbers.
        let xs: Vec<u32> = (0..20).filter(|x| !(10..15).contains(x)).collect();
        let points: Vec<Vec<String>> =
            xs.iter().enumerate().map(|(i, x)| vec![format!("{x}.5"), (1 + i % 5).to_string()]).collect();
        let p = plan(&["a.x", "b.y"], &points, 1);
        let lx = levels(&p, 0, Design::Lhs);
        let ly = levels(&p, 1, Design::Lhs);
        assert!(lx.binned() && lx.labels.len() == BINS, "{lx:?}");
        assert_eq!((lx.edges[0], lx.edges[BINS]), (0.5, 19.5));
        assert!(!ly.binned() && ly.labels == ["1", "2", "3", "4", "5"], "few whole values stay value by value");
        assert!(levels(&p, 0, Design::Grid).labels.len() == 15, "a grid is never binned");
        let values: Vec<f64> = (0..p.runs()).map(|r| r as f64).collect();
        let h = heatmap(&outcome(), &values, &lx, &ly, false, 20);
        // Bins 4 and 5 (from 10 to 14.75) hold no point.
        assert!(h.values.iter().all(|row| row[4].is_nan() && row[5].is_nan()));
        let filled: std::collections::BTreeSet<(usize, usize)> =
            (0..p.runs()).map(|r| (lx.of_run[r], ly.of_run[r])).collect();
        assert_eq!(h.cells().len(), filled.len());
        let svg = svg_string(&Figure::Heatmap(h)).unwrap();
        assert_eq!(outlines(&svg), filled.len());
        // Bin edges label the x axis.
        assert!(svg_texts(&svg).iter().any(|t| t.2 == "19.5"));
    }

    #[test]
    fn sensitivity_bars_rank_parameters_by_absolute_srrc() {
        let params: Vec<String> = ["p.a", "p.b", "p.c", "p.d"].iter().map(|s| s.to_string()).collect();
        let s = Srrc { coefficients: vec![0.2, -0.7, f64::NAN, 0.45], r_squared: 0.81 };
        let bars = sensitivity(&outcome(), &params, &s, 40, 20);
        let order: Vec<&str> = bars.bars.iter().map(|b| b.0.as_str()).collect();
        assert_eq!(order, ["p.b", "p.d", "p.a", "p.c"]);
        let svg = svg_string(&Figure::Bars(bars.clone())).unwrap();
        let texts = svg_texts(&svg);
        // Drawn top to bottom in that order.
        let mut labels: Vec<(f64, &str)> =
            texts.iter().filter(|t| params.contains(&t.2)).map(|t| (t.1, t.2.as_str())).collect();
        labels.sort_by(|a, b| a.0.total_cmp(&b.0));
        assert_eq!(labels.iter().map(|l| l.1).collect::<Vec<_>>(), order);
        for text in ["Rank regression R² = 0.81, over 40 runs", "-0.700", "+0.450", "+0.200"] {
            assert!(texts.iter().any(|t| t.2 == text), "no text {text}");
        }
        // The sign by colour: two bars in the positive colour, one in the negative.
        let bars_of = |c| svg.matches(&format!("opacity=\"1\" fill=\"{}\" stroke=\"none\"", hex(c))).count();
        assert_eq!((bars_of(colour(0)), bars_of(colour(1))), (2 + 1, 1 + 1), "bars plus the legend's squares");
    }

    #[test]
    fn axes_and_measures_are_checked() {
        let ps: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(heatmap_axes(&ps, None, None).unwrap(), Some((0, 1)));
        assert_eq!(heatmap_axes(&ps, Some("b"), None).unwrap(), Some((1, 0)));
        assert_eq!(heatmap_axes(&ps, Some("c"), Some("a")).unwrap(), Some((2, 0)));
        let e = heatmap_axes(&ps, Some("d"), None).unwrap_err().to_string();
        assert!(e.contains("`d` is not a varied parameter") && e.contains("a, b, c"), "{e}");
        assert!(heatmap_axes(&ps, Some("a"), Some("a")).is_err());
        assert_eq!(heatmap_axes(&ps[..1], None, None).unwrap(), None);
        assert!(heatmap_axes(&ps[..1], None, Some("a")).is_err());

        let seen: Vec<(String, String)> =
            [("gap_index", "disadvantaged"), ("distance_km", "all"), ("distance_km", "sen")]
                .iter()
                .map(|(m, s)| (m.to_string(), s.to_string()))
                .collect();
        let f = Path::new("metrics.csv");
        let got = resolve_measures(&["gap_index".into(), "distance_km".into()], &seen, f).unwrap();
        assert_eq!(
            got.iter().map(|o| (o.subgroup.as_str(), o.stem())).collect::<Vec<_>>(),
            [("disadvantaged", "gap_index".to_string()), ("all", "distance_km-all".to_string())]
        );
        let e = resolve_measures(&["distance_km/band:9".into()], &seen, f).unwrap_err().to_string();
        assert!(e.contains("no subgroup `band:9`") && e.contains("all, sen"), "{e}");
        let e = resolve_measures(&["gorard".into()], &seen, f).unwrap_err().to_string();
        assert!(e.contains("no measure `gorard`") && e.contains("gap_index, distance_km"), "{e}");
    }

    #[test]
    fn designs_are_read_from_the_sweep_file() {
        assert_eq!(Design::of("base = \"m\"\n[grid]\nx = [1, 2]\n"), Design::Grid);
        assert_eq!(Design::of("[lhs]\nsamples = 3\n"), Design::Lhs);
        assert_eq!(Design::of("not toml ["), Design::Unknown);
        assert_eq!(short("0.15000000000000002", 0.15000000000000002), "0.15");
        assert_eq!(short("0.3", 0.3), "0.3");
    }
}
