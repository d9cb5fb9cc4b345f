//! Sweep files: what to vary, how, and how often; read with errors that name
//! the file, line, column and key, like scenario files.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use super::params::{self, value_text};
use super::plan::{self, Plan, Point};
use crate::error::{Error, InputProblem, Location, Result, line_col};
use crate::scenario::load::{ChainFile, locate, parse_file};
use crate::scenario::{Scenario, validate};

/// A sweep file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Spec {
    /// The base scenario: a path relative to the sweep file, or a bundled name.
    base: String,
    /// A second scenario to contrast with the base at every setting (same seeds).
    contrast: Option<String>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default = "one")]
    replicates: u32,
    years: Option<u32>,
    #[serde(default, deserialize_with = "crate::scenario::seed_serde::deserialize_option")]
    seed: Option<u64>,
    scale: Option<f64>,
    #[serde(default)]
    school_panel: bool,
    grid: Option<toml::Table>,
    random: Option<Sampling>,
    lhs: Option<Sampling>,
    table: Option<TableSpec>,
}

fn one() -> u32 {
    1
}

/// `[random]` or `[lhs]`: a sample size, and a range per parameter or
/// parameters to sample over their documented plausible ranges.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sampling {
    samples: u32,
    #[serde(default)]
    ranges: toml::Table,
    #[serde(default)]
    parameters: Vec<String>,
}

/// `[table]`: a design table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TableSpec {
    file: String,
    columns: Option<Vec<String>>,
}

/// The most runs one sweep may plan (the plan is held in memory; a larger
/// study is several sweeps, or shards of one).
pub const MAX_RUNS: u64 = 1_000_000;

/// The most points a random or Latin-hypercube design may sample.
pub const MAX_SAMPLES: u32 = 100_000;

/// What can be in a parameter's entry of `[grid]`, `[random.ranges]` or `[lhs.ranges]`.
const GRID_ALLOWED: &str = "a list of values, such as [0.1, 0.3], or { min = 0.1, max = 0.5, steps = 5 }";
const RANGE_ALLOWED: &str = "a range { min = 0.1, max = 0.5 }";

/// A read and checked sweep file, not yet planned.
///
/// ```toml
/// base = "market"            # a bundled scenario, or a path relative to this file
/// replicates = 4             # runs per point
/// years = 20                 # years per run (default: the scenario's)
/// seed = 7                   # master seed (default: the scenario's)
///
/// [lhs]                      # or [random]; or [grid]; or [table] file = "design.csv"
/// samples = 100
/// [lhs.ranges]
/// "admissions.cream_skimming" = { min = 0.0, max = 0.6 }
/// "families.disadvantaged.information" = { min = 0.2, max = 0.9 }
/// ```
///
/// A contrast names a second scenario, `contrast = "collaborative"`: every
/// setting runs both with the same seeds. `[lhs] parameters = [...]` samples
/// parameters over their plausible ranges ([`super::contrast::plausible`]);
/// a contrast with no design samples [`super::contrast::DEFAULT_SETTINGS`]
/// settings of [`super::contrast::default_parameters`] by Latin hypercube.
#[derive(Debug)]
pub struct SweepFile {
    file: ChainFile,
    spec: Spec,
}

/// A varied parameter and where the sweep file (or design table) names it.
struct Varied {
    path: String,
    location: Location,
}

/// The design before values are set: parameters, points, and (for a design
/// table) where each point's row is.
struct Design {
    varied: Vec<Varied>,
    points: Vec<Vec<toml::Value>>,
    rows: Option<Vec<Location>>,
    section: &'static str,
}

impl SweepFile {
    /// Read a sweep file's text; `path` names it in errors and anchors the
    /// relative paths in it.
    pub fn parse(text: &str, path: &Path) -> Result<SweepFile> {
        let file = ChainFile { path: path.to_path_buf(), text: text.to_string() };
        let spec: Spec = parse_file(&file)?;
        Ok(SweepFile { file, spec })
    }

    /// The sweep file's path.
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// The sweep file's text.
    pub fn text(&self) -> &str {
        &self.file.text
    }

    /// The base scenario as written: a path relative to the sweep file, or the
    /// name of a bundled scenario.
    pub fn base(&self) -> &str {
        &self.spec.base
    }

    /// The scenario contrasted with the base, as written, if the file names one.
    pub fn contrast(&self) -> Option<&str> {
        self.spec.contrast.as_deref()
    }

    /// The directory relative paths are anchored in.
    pub fn dir(&self) -> PathBuf {
        self.file.path.parent().map(Path::to_path_buf).unwrap_or_default()
    }

    /// The sweep's name: as set, or the file's stem.
    pub fn name(&self) -> String {
        if !self.spec.name.is_empty() {
            return self.spec.name.clone();
        }
        self.file.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "sweep".into())
    }

    /// One line saying what the sweep is for.
    pub fn description(&self) -> &str {
        &self.spec.description
    }

    /// Whether runs write the school-by-year panel as well as the measures.
    pub fn school_panel(&self) -> bool {
        self.spec.school_panel
    }

    /// The design table's path (relative to the sweep file), if the design is a table.
    pub fn design_table(&self) -> Option<PathBuf> {
        self.spec.table.as_ref().map(|t| self.dir().join(&t.file))
    }

    /// Where a key is set in the sweep file (the file alone if it is not set).
    pub fn locate(&self, key: &str) -> Location {
        locate(&self.file, key).unwrap_or_else(|| self.file_only())
    }

    fn file_only(&self) -> Location {
        Location { file: self.file.path.clone(), line: 0, column: 0 }
    }

    fn too_many(&self, section: &str, runs: u64) -> Error {
        self.located(
            section,
            format!("{runs} runs is too many"),
            format!("at most {MAX_RUNS} runs (points × replicates) in one sweep"),
        )
    }

    fn located(&self, key: &str, message: impl Into<String>, allowed: impl Into<String>) -> Error {
        Error::input(Some(self.locate(key)), key, message, allowed)
    }

    /// Plan every run: the base scenario (already resolved) with the sweep's
    /// years, seed and scale, the design's points with their values set and
    /// validated, and the runs. `table` is the text of the design table, if
    /// the design is one (see [`SweepFile::design_table`]).
    ///
    /// ```
    /// use std::path::Path;
    /// use schoolscape::{scenario::bundled, sweep::SweepFile};
    ///
    /// let text = "base = \"market\"\nreplicates = 2\n[grid]\n\"admissions.cream_skimming\" = [0.1, 0.3]\n";
    /// let sweep = SweepFile::parse(text, Path::new("my-sweep.toml"))?;
    /// let plan = sweep.plan(&bundled::load(sweep.base())?, None)?;
    /// assert_eq!(plan.len(), 4); // two points, two replicates each
    /// assert_eq!(plan.points[1].scenario.admissions.cream_skimming, 0.3);
    /// // A path that names no parameter is refused where the file names it.
    /// let bad = SweepFile::parse("base = \"market\"\n[grid]\n\"admissions.cream\" = [0.1]\n", Path::new("s.toml"))?;
    /// let e = bad.plan(&bundled::load("market")?, None).unwrap_err();
    /// assert!(e.to_string().starts_with("s.toml:3:1: `admissions.cream`"), "{e}");
    /// # Ok::<(), schoolscape::Error>(())
    /// ```
    pub fn plan(&self, base: &Scenario, table: Option<&str>) -> Result<Plan> {
        self.plan_arms(std::slice::from_ref(base), table)
    }

    /// Plan every run of a sweep (`arms` holds the base scenario) or of a
    /// contrast (`arms` holds the base and the contrasted scenario, both
    /// resolved): each setting of the design is set and validated in every
    /// arm, and the arms of a setting share their seeds.
    pub fn plan_arms(&self, arms: &[Scenario], table: Option<&str>) -> Result<Plan> {
        let s = &self.spec;
        let prepared = self.prepare_arms(arms)?;
        let want = prepared.len();
        let base = prepared[0].clone();

        let mut design = self.design(&prepared, table)?;
        let runs = design.points.len() as u64 * s.replicates as u64 * want as u64;
        if runs > MAX_RUNS {
            return Err(self.too_many(design.section, runs));
        }
        let tables: Vec<toml::Table> = prepared.iter().map(params::table_of).collect();
        let base_table = &tables[0];
        for point in &mut design.points {
            for (v, x) in design.varied.iter().zip(point.iter_mut()) {
                *x = params::normalise(base_table, &v.path, std::mem::replace(x, toml::Value::Boolean(false)));
            }
        }
        check_paths(&design, &base, base_table)?;
        let points = self.set_points(&design, &prepared, &tables)?;
        Ok(Plan {
            arms: if want == 2 { prepared.iter().map(|a| a.name.clone()).collect() } else { Vec::new() },
            arm_bases: if want == 2 { prepared.clone() } else { Vec::new() },
            name: self.name(),
            parameters: design.varied.into_iter().map(|v| v.path).collect(),
            points,
            replicates: s.replicates,
            years: base.run.years,
            seed: base.run.seed,
            base,
        })
    }

    /// The arms (the base, and the contrasted scenario if the file names
    /// one) with the sweep's scale, years, seed and replicates, each checked.
    fn prepare_arms(&self, arms: &[Scenario]) -> Result<Vec<Scenario>> {
        let s = &self.spec;
        let want = if s.contrast.is_some() { 2 } else { 1 };
        if arms.len() != want {
            return Err(self.located(
                if want == 2 { "contrast" } else { "base" },
                format!("{} scenarios given for a file that names {want}", arms.len()),
                "the base scenario, and the contrasted one if the file names it",
            ));
        }
        let min_replicates = if want == 2 { 2 } else { 1 };
        if !(min_replicates..=1_000_000).contains(&s.replicates) {
            return Err(self.located(
                "replicates",
                format!(
                    "{} is out of range{}",
                    s.replicates,
                    if want == 2 { " (a contrast needs 2 or more for a paired interval)" } else { "" }
                ),
                format!("a whole number from {min_replicates} to 1000000"),
            ));
        }
        let mut prepared: Vec<Scenario> = Vec::with_capacity(arms.len());
        for (k, arm) in arms.iter().enumerate() {
            let mut arm = arm.clone();
            if let Some(f) = s.scale {
                if !(f > 0.0 && f <= 100.0) {
                    return Err(self.located(
                        "scale",
                        format!("{f} is out of range"),
                        "a factor above 0 and at most 100",
                    ));
                }
                arm = arm.scaled(f);
            }
            // The arms of a contrast run as long as the base, from the same seeds.
            match (s.years, prepared.first()) {
                (Some(y), _) => arm.run.years = y,
                (None, Some(a)) => arm.run.years = a.run.years,
                (None, None) => {}
            }
            match (s.seed, prepared.first()) {
                (Some(seed), _) => arm.run.seed = seed,
                (None, Some(a)) => arm.run.seed = a.run.seed,
                (None, None) => {}
            }
            arm.run.replicates = s.replicates;
            let problems = validate(&arm);
            if !problems.is_empty() {
                let which = if k == 0 { "base" } else { "contrast" };
                let key = |key: &str| match key {
                    "run.years" => "years",
                    _ => which,
                };
                return Err(Error::Input(
                    problems
                        .into_iter()
                        .map(|mut p| {
                            p.location = Some(self.locate(key(&p.key)));
                            p.message = format!("{} (in the {which} scenario with the sweep's settings)", p.message);
                            p
                        })
                        .collect(),
                ));
            }
            prepared.push(arm);
        }
        if want == 2 && prepared[0].name == prepared[1].name {
            return Err(self.located(
                "contrast",
                format!("both scenarios are named `{}`", prepared[0].name),
                "two scenarios with different names (set `name` in one of them)",
            ));
        }
        Ok(prepared)
    }

    /// Every point of the design set in every arm, and validated.
    fn set_points(&self, design: &Design, arms: &[Scenario], tables: &[toml::Table]) -> Result<Vec<Point>> {
        let contrast = arms.len() == 2;
        let mut points = Vec::with_capacity(design.points.len() * arms.len());
        for (n, values) in design.points.iter().enumerate() {
            let set: Vec<(&str, toml::Value)> =
                design.varied.iter().map(|v| v.path.as_str()).zip(values.iter().cloned()).collect();
            for (k, (arm, table)) in arms.iter().zip(tables).enumerate() {
                match params::apply_to(arm, table, &set) {
                    Ok(scenario) => points.push(Point { values: values.clone(), scenario, setting: n, arm: k }),
                    Err(mut problems) => {
                        if contrast {
                            for p in &mut problems {
                                p.message = format!("{} (in scenario `{}`)", p.message, arm.name);
                            }
                        }
                        return Err(self.point_problems(design, n, values, problems));
                    }
                }
            }
        }
        Ok(points)
    }

    /// Locate the problems of one point: at the row of a design table, or at
    /// the parameter that the problem is about.
    fn point_problems(&self, d: &Design, n: usize, values: &[toml::Value], problems: Vec<InputProblem>) -> Error {
        let described: Vec<String> =
            d.varied.iter().zip(values).map(|(v, x)| format!("{} = {}", v.path, value_text(x))).collect();
        let at = match &d.rows {
            Some(rows) => format!("in row {} of the design table", rows[n].line),
            None => format!("at point {} of the design ({})", n, described.join(", ")),
        };
        Error::Input(
            problems
                .into_iter()
                .map(|mut p| {
                    // The parameter the problem is about; else one of the same group
                    // (a range check of `choice.list_length` after varying
                    // `choice.choice_set_size`).
                    let group = |k: &str| k.split(['.', '[']).next().unwrap_or("").to_string();
                    let varied = d
                        .varied
                        .iter()
                        .position(|v| {
                            v.path == p.key || p.key.starts_with(&format!("{}.", v.path)) || v.path.starts_with(&p.key)
                        })
                        .or_else(|| d.varied.iter().position(|v| group(&v.path) == group(&p.key)));
                    p.location = Some(match (&d.rows, varied) {
                        (Some(rows), Some(i)) => Location { column: d.varied[i].location.column, ..rows[n].clone() },
                        (Some(rows), None) => rows[n].clone(),
                        (None, Some(i)) => d.varied[i].location.clone(),
                        (None, None) => self.locate(d.section),
                    });
                    if p.key.is_empty() {
                        p.key = d.varied.first().map(|v| v.path.clone()).unwrap_or_default();
                    }
                    p.message = format!("{} {at}", p.message);
                    p
                })
                .collect(),
        )
    }

    /// The design named by the file: exactly one of `[grid]`, `[random]`, `[lhs]`, `[table]`.
    fn design(&self, bases: &[Scenario], table: Option<&str>) -> Result<Design> {
        let s = &self.spec;
        let named: Vec<&'static str> = [
            ("grid", s.grid.is_some()),
            ("random", s.random.is_some()),
            ("lhs", s.lhs.is_some()),
            ("table", s.table.is_some()),
        ]
        .into_iter()
        .filter_map(|(n, set)| set.then_some(n))
        .collect();
        let allowed = "one of [grid], [random], [lhs] or [table]";
        match named.as_slice() {
            [] if s.contrast.is_some() => {
                let default = Sampling {
                    samples: super::contrast::DEFAULT_SETTINGS,
                    ranges: toml::Table::new(),
                    parameters: Vec::new(),
                };
                self.sampled_design(bases, &default, "lhs")
            }
            [] => Err(Error::input(Some(self.file_only()), "", "the sweep file names no design", allowed)),
            [_, second, ..] => Err(self.located(
                second,
                format!("the sweep file names more than one design ({})", named.join(", ")),
                allowed,
            )),
            ["grid"] => self.grid_design(),
            [kind] => match (&s.random, &s.lhs, &s.table) {
                (Some(r), _, _) if *kind == "random" => self.sampled_design(bases, r, "random"),
                (_, Some(r), _) if *kind == "lhs" => self.sampled_design(bases, r, "lhs"),
                (_, _, Some(t)) => self.table_design(t, table),
                _ => Err(Error::input(Some(self.file_only()), "", "the sweep file names no design", allowed)),
            },
        }
    }

    /// The parameters of a design section, in the order written, each with
    /// its entry. Tables that are not entries (`{ min, max }`) group
    /// parameters: `[grid.admissions]` with `cream_skimming = [...]` names
    /// `admissions.cream_skimming`.
    fn entries(&self, section: &[&str], table: &toml::Table) -> Vec<(Varied, toml::Value)> {
        let mut out = Vec::new();
        flatten("", table, &mut out);
        let doc = DeTable::parse(&self.file.text).ok();
        let mut found: Vec<(Varied, toml::Value)> = out
            .into_iter()
            .map(|(path, v)| {
                let span = doc.as_ref().and_then(|d| find_param(d.get_ref(), section, &path));
                let location = match span {
                    Some(at) => {
                        let (line, column) = line_col(&self.file.text, at);
                        Location { file: self.file.path.clone(), line, column }
                    }
                    None => self.locate(&section.join(".")),
                };
                (Varied { path, location }, v)
            })
            .collect();
        found.sort_by_key(|(v, _)| (v.location.line, v.location.column));
        found
    }

    fn grid_design(&self) -> Result<Design> {
        let table = self.spec.grid.clone().unwrap_or_default();
        let entries = self.entries(&["grid"], &table);
        if entries.is_empty() {
            return Err(self.located("grid", "the grid varies no parameter", GRID_ALLOWED));
        }
        let mut varied = Vec::new();
        let mut lists = Vec::new();
        for (v, entry) in entries {
            let bad = |message: String, allowed: &str| {
                Error::input(Some(v.location.clone()), v.path.clone(), message, allowed.to_string())
            };
            let list = match entry {
                toml::Value::Array(a) if a.is_empty() => {
                    return Err(bad("an empty list of values: the grid would have no points".into(), GRID_ALLOWED));
                }
                toml::Value::Array(a) => a,
                toml::Value::Table(t) => {
                    let (min, max) = self.range_of(&v, &t, &["min", "max", "steps"], GRID_ALLOWED)?;
                    let steps = match t.get("steps") {
                        Some(toml::Value::Integer(n)) if (1..=100_000).contains(n) => *n as u32,
                        Some(other) => {
                            return Err(bad(
                                format!("steps = {} is not a number of steps", value_text(other)),
                                "a whole number from 1 to 100000",
                            ));
                        }
                        None => return Err(bad("the range has no `steps`".into(), GRID_ALLOWED)),
                    };
                    if min == max && steps > 1 {
                        return Err(bad(format!("an empty range: min = max = {min}"), "min below max"));
                    }
                    plan::linspace(min, max, steps).into_iter().map(toml::Value::Float).collect()
                }
                other => {
                    return Err(bad(
                        format!("{} is one value, not a list of values", value_text(&other)),
                        GRID_ALLOWED,
                    ));
                }
            };
            varied.push(v);
            lists.push(list);
        }
        let size = lists.iter().try_fold(1u64, |n, l| n.checked_mul(l.len() as u64)).unwrap_or(u64::MAX);
        if size.saturating_mul(self.spec.replicates as u64) > MAX_RUNS {
            return Err(self.too_many("grid", size.saturating_mul(self.spec.replicates as u64)));
        }
        Ok(Design { varied, points: plan::grid(&lists), rows: None, section: "grid" })
    }

    /// A range `{ min, max }` (and the other keys allowed), checked.
    fn range_of(&self, v: &Varied, t: &toml::Table, keys: &[&str], allowed: &str) -> Result<(f64, f64)> {
        let bad = |message: String, allowed: &str| {
            Error::input(Some(v.location.clone()), v.path.clone(), message, allowed.to_string())
        };
        if let Some(k) = t.keys().find(|k| !keys.contains(&k.as_str())) {
            return Err(bad(format!("unknown key `{k}` in the range"), &keys.join(", ")));
        }
        let num = |k: &str| match t.get(k) {
            Some(toml::Value::Float(f)) if f.is_finite() => Ok(*f),
            Some(toml::Value::Integer(i)) => Ok(*i as f64),
            Some(other) => Err(bad(format!("{k} = {} is not a number", value_text(other)), "a finite number")),
            None => Err(bad(format!("the range has no `{k}`"), allowed)),
        };
        let (min, max) = (num("min")?, num("max")?);
        if min > max {
            return Err(bad(format!("an empty range: min = {min} is above max = {max}"), "min below max"));
        }
        Ok((min, max))
    }

    fn sampled_design(&self, bases: &[Scenario], sampling: &Sampling, kind: &'static str) -> Result<Design> {
        let base = &bases[0];
        if !(1..=MAX_SAMPLES).contains(&sampling.samples) {
            return Err(self.located(
                &format!("{kind}.samples"),
                format!("{} samples", sampling.samples),
                format!("a whole number from 1 to {MAX_SAMPLES}"),
            ));
        }
        let base_table = params::table_of(base);
        let mut varied = Vec::new();
        let mut ranges = Vec::new();
        let mut whole = Vec::new();
        for (v, entry) in self.sampled_entries(sampling, kind)? {
            let (range, is_whole) = checked_range(self, bases, &base_table, &v, entry)?;
            varied.push(v);
            ranges.push(range);
            whole.push(is_whole);
        }
        let n = sampling.samples as usize;
        let seed = base.run.seed;
        let raw =
            if kind == "lhs" { plan::latin_hypercube(&ranges, n, seed) } else { plan::random_sample(&ranges, n, seed) };
        let points = raw
            .into_iter()
            .map(|p| {
                p.into_iter()
                    .zip(&whole)
                    .map(|(x, &w)| if w { toml::Value::Integer(x.round() as i64) } else { toml::Value::Float(x) })
                    .collect()
            })
            .collect();
        Ok(Design { varied, points, rows: None, section: kind })
    }

    /// The parameters a `[random]` or `[lhs]` section samples, each with its
    /// range: those of `ranges`, then those of `parameters` (over their
    /// plausible ranges), else for a contrast the default parameters.
    fn sampled_entries(&self, sampling: &Sampling, kind: &'static str) -> Result<Vec<(Varied, toml::Value)>> {
        let mut entries = self.entries(&[kind, "ranges"], &sampling.ranges);
        let range = |lo: f64, hi: f64| {
            let mut t = toml::Table::new();
            t.insert("min".into(), toml::Value::Float(lo));
            t.insert("max".into(), toml::Value::Float(hi));
            toml::Value::Table(t)
        };
        let listed = format!("{kind}.parameters");
        for (i, path) in sampling.parameters.iter().enumerate() {
            let location = self.locate(&listed);
            let bad = |message: String, allowed: &str| {
                Error::input(Some(location.clone()), path.clone(), message, allowed.to_string())
            };
            if entries.iter().any(|(v, _)| &v.path == path) || sampling.parameters[..i].contains(path) {
                return Err(bad("is named twice".into(), "each parameter once, in `parameters` or in `ranges`"));
            }
            let Some((lo, hi)) = super::contrast::plausible(path) else {
                return Err(bad(
                    "has no documented plausible range".into(),
                    "a parameter with a plausible range (`schoolscape check SCENARIO --resolved` lists them), \
                     or a range of your own in `ranges`",
                ));
            };
            entries.push((Varied { path: path.clone(), location }, range(lo, hi)));
        }
        if entries.is_empty() && self.spec.contrast.is_some() {
            let location = self.locate(kind);
            for (path, lo, hi) in super::contrast::default_parameters() {
                entries.push((Varied { path, location: location.clone() }, range(lo, hi)));
            }
        }
        if entries.is_empty() {
            return Err(self.located(&format!("{kind}.ranges"), "no parameter has a range", RANGE_ALLOWED));
        }
        Ok(entries)
    }

    fn table_design(&self, spec: &TableSpec, text: Option<&str>) -> Result<Design> {
        let path = self.dir().join(&spec.file);
        let Some(text) = text else {
            return Err(self.located("table.file", format!("the design table `{}` was not read", path.display()), ""));
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .has_headers(false)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(r) => r.map_err(|e| unreadable_table(&path, e))?,
            None => {
                return Err(Error::input(
                    Some(cell(&path, 1, 1)),
                    "",
                    "the design table is empty",
                    "a header of parameter paths, then one row per point",
                ));
            }
        };
        let names: Vec<String> = header.iter().map(str::to_string).collect();
        let starts = header_columns(&path, &names)?;
        let used = self.used_columns(spec, &names, &path)?;
        let varied: Vec<Varied> =
            used.iter().map(|&j| Varied { path: names[j].clone(), location: cell(&path, 1, starts[j]) }).collect();
        let columns = TableColumns { path: &path, names: &names, starts: &starts, used: &used };
        let (points, rows) = columns.rows(records)?;
        Ok(Design { varied, points, rows: Some(rows), section: "table" })
    }

    /// The design table's columns that `[table] columns` names (default: all).
    fn used_columns(&self, spec: &TableSpec, names: &[String], path: &Path) -> Result<Vec<usize>> {
        let Some(cols) = &spec.columns else { return Ok((0..names.len()).collect()) };
        if cols.is_empty() {
            return Err(self.located("table.columns", "no columns are named", "the design table's columns to use"));
        }
        cols.iter()
            .enumerate()
            .map(|(i, c)| {
                names.iter().position(|n| n == c).ok_or_else(|| {
                    self.located(
                        &format!("table.columns[{i}]"),
                        format!("the design table `{}` has no column `{c}`", path.display()),
                        format!("its columns: {}", names.join(", ")),
                    )
                })
            })
            .collect()
    }
}

/// A sampled parameter's range `(min, max)` and whether the parameter is a
/// whole number: the entry must be a range of a number parameter, and both
/// ends valid values of it in every arm.
fn checked_range(
    sweep: &SweepFile,
    bases: &[Scenario],
    base_table: &toml::Table,
    v: &Varied,
    entry: toml::Value,
) -> Result<((f64, f64), bool)> {
    let toml::Value::Table(t) = entry else {
        return Err(Error::input(
            Some(v.location.clone()),
            v.path.clone(),
            format!("{} is not a range", value_text(&entry)),
            RANGE_ALLOWED,
        ));
    };
    let (min, max) = sweep.range_of(v, &t, &["min", "max"], RANGE_ALLOWED)?;
    if min == max {
        return Err(Error::input(
            Some(v.location.clone()),
            v.path.clone(),
            format!("an empty range: min = max = {min}"),
            "min below max",
        ));
    }
    let is_whole = match params::get(base_table, &v.path) {
        Some(toml::Value::Integer(_)) => true,
        Some(toml::Value::Float(_)) | None => false,
        Some(other) => {
            return Err(Error::input(
                Some(v.location.clone()),
                v.path.clone(),
                format!("a range needs a number parameter, and `{}` is {}", v.path, params::kind(other)),
                "a number parameter; vary others with [grid] or [table]",
            ));
        }
    };
    // Both ends must be valid values of the parameter, in every arm.
    for (end, arm) in [min, max].into_iter().flat_map(|e| bases.iter().map(move |a| (e, a))) {
        let x = if is_whole { toml::Value::Integer(end.round() as i64) } else { toml::Value::Float(end) };
        if let Err(problems) = params::apply_to(arm, &params::table_of(arm), &[(v.path.as_str(), x)]) {
            return Err(Error::Input(
                problems
                    .into_iter()
                    .map(|mut p| {
                        p.location = Some(v.location.clone());
                        p.message = format!("{} (an end of the range)", p.message);
                        p
                    })
                    .collect(),
            ));
        }
    }
    Ok(((min, max), is_whole))
}

/// A place in a design table.
fn cell(path: &Path, line: u64, column: usize) -> Location {
    Location { file: path.to_path_buf(), line: line as usize, column }
}

/// A design table that is not CSV.
fn unreadable_table(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line());
    Error::input(Some(cell(path, line, 1)), "", format!("cannot read the design table: {e}"), "a CSV file")
}

/// The column where each header cell starts (exact for unquoted headers),
/// once every name is checked: not empty, not given twice.
fn header_columns(path: &Path, names: &[String]) -> Result<Vec<usize>> {
    let mut starts = Vec::with_capacity(names.len());
    let mut col = 1;
    for n in names {
        starts.push(col);
        col += n.chars().count() + 1;
    }
    for (j, n) in names.iter().enumerate() {
        if n.is_empty() || names[..j].contains(n) {
            let message =
                if n.is_empty() { "an empty column name".to_string() } else { format!("column `{n}` appears twice") };
            return Err(Error::input(
                Some(cell(path, 1, starts[j])),
                n.clone(),
                message,
                "one column per parameter path",
            ));
        }
    }
    Ok(starts)
}

/// A design table's header: its names, where each starts, and the columns used.
struct TableColumns<'a> {
    path: &'a Path,
    names: &'a [String],
    starts: &'a [usize],
    used: &'a [usize],
}

impl TableColumns<'_> {
    /// The points of the rows after the header (blank rows skipped), and where each row is.
    fn rows(&self, records: csv::StringRecordsIter<'_, &[u8]>) -> Result<(Vec<Vec<toml::Value>>, Vec<Location>)> {
        let (path, names) = (self.path, self.names);
        let mut points = Vec::new();
        let mut rows = Vec::new();
        for record in records {
            let record = record.map_err(|e| unreadable_table(path, e))?;
            let line = record.position().map_or(0, |p| p.line());
            if record.iter().all(str::is_empty) {
                continue;
            }
            if record.len() != names.len() {
                return Err(Error::input(
                    Some(cell(path, line, 1)),
                    "",
                    format!(
                        "this row has {} value{}, but the header has {} columns",
                        record.len(),
                        if record.len() == 1 { "" } else { "s" },
                        names.len()
                    ),
                    format!("one value for each column: {}", names.join(", ")),
                ));
            }
            let mut values = Vec::with_capacity(self.used.len());
            for &j in self.used {
                let text = record.get(j).unwrap_or("");
                if text.is_empty() {
                    return Err(Error::input(
                        Some(cell(path, line, self.starts[j])),
                        names[j].clone(),
                        "an empty value",
                        "a value for every parameter in every row",
                    ));
                }
                values.push(params::parse_value(text));
            }
            points.push(values);
            rows.push(cell(path, line, 1));
        }
        if points.is_empty() {
            return Err(Error::input(
                Some(cell(path, 1, 1)),
                "",
                "the design table has no rows",
                "one row per point after the header",
            ));
        }
        Ok((points, rows))
    }
}

/// Flatten a design section into (parameter path, entry): a list, or a table
/// with `min`/`max` (a range), is an entry; other tables group parameters.
fn flatten(prefix: &str, table: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in table {
        let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
        match v {
            toml::Value::Table(t) if !t.contains_key("min") && !t.contains_key("max") && !t.is_empty() => {
                flatten(&path, t, out)
            }
            other => out.push((path, other.clone())),
        }
    }
}

/// Problems with the varied paths themselves (no such parameter, or one a
/// sweep cannot vary), found by setting the first point's values one by one
/// and reported where the paths are named.
fn check_paths(design: &Design, base: &Scenario, base_table: &toml::Table) -> Result<()> {
    let Some(first) = design.points.first() else { return Ok(()) };
    for (v, x) in design.varied.iter().zip(first) {
        if let Err(problems) = params::apply_to(base, base_table, &[(v.path.as_str(), x.clone())]) {
            if problems.iter().any(params::is_path_problem) {
                return Err(Error::Input(
                    problems.into_iter().map(|p| InputProblem { location: Some(v.location.clone()), ..p }).collect(),
                ));
            }
        }
    }
    Ok(())
}

/// The byte offset of a parameter's key in a section of a sweep file,
/// whether written as one quoted dotted key or as nested tables.
fn find_param(doc: &DeTable<'_>, section: &[&str], param: &str) -> Option<usize> {
    let mut t = doc;
    for name in section {
        let (_, v) = t.iter().find(|(k, _)| k.get_ref() == name)?;
        match v.get_ref() {
            DeValue::Table(next) => t = next,
            _ => return None,
        }
    }
    find_in(t, param)
}

fn find_in(t: &DeTable<'_>, param: &str) -> Option<usize> {
    for (k, v) in t.iter() {
        let key: &str = k.get_ref();
        if key == param {
            return Some(k.span().start);
        }
        if let (Some(rest), DeValue::Table(sub)) =
            (param.strip_prefix(key).and_then(|r| r.strip_prefix('.')), v.get_ref())
        {
            if let Some(at) = find_in(sub, rest) {
                return Some(at);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(text: &str) -> Result<Plan> {
        plan_with(text, None)
    }

    fn plan_with(text: &str, table: Option<&str>) -> Result<Plan> {
        let f = SweepFile::parse(text, Path::new("dir/s.toml"))?;
        f.plan(&Scenario::default(), table)
    }

    fn error(text: &str) -> String {
        plan(text).unwrap_err().to_string()
    }

    #[test]
    fn grid_plans_every_point_times_replicates() {
        let p = plan(
            "base = \"x\"\nreplicates = 3\nyears = 2\nseed = 5\n[grid]\n\"admissions.cream_skimming\" = [0.0, 0.5]\n\
             choice.list_length = { min = 2, max = 4, steps = 3 }\n",
        )
        .unwrap();
        assert_eq!(p.parameters, ["admissions.cream_skimming", "choice.list_length"]);
        assert_eq!(p.points.len(), 6);
        assert_eq!(p.len(), 18);
        assert_eq!(p.years, 2);
        assert_eq!(p.points[5].scenario.admissions.cream_skimming, 0.5);
        assert_eq!(p.points[5].scenario.choice.list_length, 4);
        assert_eq!(p.points[4].values[1], toml::Value::Integer(3));
        assert_eq!(p.points[0].scenario.run.years, 2);
        assert_eq!(p.name, "s");
    }

    #[test]
    fn lhs_rounds_whole_number_parameters_and_checks_range_ends() {
        let p = plan(
            "base = \"x\"\n[lhs]\nsamples = 10\n[lhs.ranges]\n\"choice.list_length\" = { min = 1, max = 6 }\n\
             \"families.disadvantaged.information\" = { min = 0.1, max = 0.9 }\n",
        )
        .unwrap();
        assert_eq!(p.points.len(), 10);
        assert!(p.points.iter().all(|pt| matches!(pt.values[0], toml::Value::Integer(1..=6))));
        let info: Vec<f64> = p.points.iter().map(|pt| pt.scenario.families.disadvantaged.information).collect();
        let mut strata: Vec<usize> = info.iter().map(|x| ((x - 0.1) / 0.8 * 10.0) as usize).collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..10).collect::<Vec<_>>());
        let e = error(
            "base = \"x\"\n[random]\nsamples = 3\nranges = { \"admissions.cream_skimming\" = { min = 0, max = 2 } }\n",
        );
        assert!(e.starts_with("dir/s.toml:4:"), "{e}");
        assert!(e.contains("an end of the range"), "{e}");
    }

    #[test]
    fn unknown_top_level_key_is_located() {
        let e = error("base = \"x\"\nreplicate = 3\n[grid]\n\"admissions.cream_skimming\" = [0.1]\n");
        assert!(e.starts_with("dir/s.toml:2:1:"), "{e}");
        assert!(e.contains("replicates"), "{e}");
    }

    #[test]
    fn unknown_parameter_path_is_located_at_its_key() {
        let e = error(
            "base = \"x\"\n[grid]\n\"admissions.cream_skimming\" = [0.1]\n\"admissions.creamskimming\" = [0.1]\n",
        );
        assert!(e.starts_with("dir/s.toml:4:1: `admissions.creamskimming`: no parameter"), "{e}");
        assert!(e.contains("allowed: admissions.mechanism"), "{e}");
        let e = error("base = \"x\"\n[grid.admissions]\ncream = [0.1]\n");
        assert!(e.starts_with("dir/s.toml:3:1: `admissions.cream`"), "{e}");
    }

    #[test]
    fn wrong_type_and_bad_values_are_located() {
        let e = error("base = \"x\"\n[grid]\n\"admissions.cream_skimming\" = [\"lots\"]\n");
        assert!(e.starts_with("dir/s.toml:3:1: `admissions.cream_skimming`: lots is a string"), "{e}");
        let e = error("base = \"x\"\n[grid]\n\"admissions.cream_skimming\" = [0.1, 1.5]\n");
        assert!(e.starts_with("dir/s.toml:3:1:"), "{e}");
        assert!(e.contains("point 1"), "{e}");
        let e = error("base = \"x\"\n[grid]\n\"admissions.cream_skimming\" = 0.1\n");
        assert!(e.contains("not a list"), "{e}");
    }

    #[test]
    fn empty_ranges_are_located() {
        let e = error("base = \"x\"\n[grid]\n\"admissions.cream_skimming\" = []\n");
        assert!(e.starts_with("dir/s.toml:3:1:") && e.contains("empty list"), "{e}");
        let e = error(
            "base = \"x\"\n[lhs]\nsamples = 4\n[lhs.ranges]\n\"admissions.cream_skimming\" = { min = 0.5, max = 0.2 }\n",
        );
        assert!(e.starts_with("dir/s.toml:5:1:") && e.contains("empty range"), "{e}");
        let e = error(
            "base = \"x\"\n[lhs]\nsamples = 4\n[lhs.ranges]\n\"admissions.cream_skimming\" = { min = 0.3, max = 0.3 }\n",
        );
        assert!(e.contains("empty range"), "{e}");
    }

    #[test]
    fn exactly_one_design() {
        assert!(error("base = \"x\"\n").contains("no design"));
        let e = error("base = \"x\"\n[grid]\n\"admissions.cream_skimming\" = [0.1]\n[table]\nfile = \"d.csv\"\n");
        assert!(e.starts_with("dir/s.toml:4:") && e.contains("more than one design"), "{e}");
    }

    #[test]
    fn design_table_rows_become_points() {
        let p = plan_with(
            "base = \"x\"\n[table]\nfile = \"d.csv\"\n",
            Some("admissions.cream_skimming,admissions.mechanism\n0.1,boston\n0.2,deferred_acceptance\n"),
        )
        .unwrap();
        assert_eq!(p.points.len(), 2);
        assert_eq!(p.points[0].scenario.admissions.mechanism, crate::scenario::Mechanism::Boston);
        assert_eq!(p.points[1].scenario.admissions.cream_skimming, 0.2);
    }

    #[test]
    fn design_table_missing_column_is_located() {
        let e = plan_with(
            "base = \"x\"\n[table]\nfile = \"d.csv\"\ncolumns = [\"admissions.cream_skimming\", \"choice.list_length\"]\n",
            Some("admissions.cream_skimming\n0.1\n"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("dir/s.toml:4:"), "{e}");
        assert!(e.contains("has no column `choice.list_length`"), "{e}");
        assert!(e.contains("its columns: admissions.cream_skimming"), "{e}");
    }

    #[test]
    fn design_table_bad_rows_and_cells_are_located() {
        let t = "base = \"x\"\n[table]\nfile = \"d.csv\"\n";
        let e = plan_with(t, Some("admissions.cream_skimming,choice.list_length\n0.1,3\n0.2\n")).unwrap_err();
        assert!(e.to_string().starts_with("dir/d.csv:3:1:"), "{e}");
        let e = plan_with(t, Some("admissions.cream_skimming,choice.list_length\n0.1,3\n0.2,30\n")).unwrap_err();
        assert!(e.to_string().starts_with("dir/d.csv:3:27: `choice.list_length`"), "{e}");
        assert!(e.to_string().contains("row 3"), "{e}");
        let e = plan_with(t, Some("admissions.cream_skimming,choice.listlength\n0.1,3\n")).unwrap_err();
        assert!(e.to_string().starts_with("dir/d.csv:1:27: `choice.listlength`: no parameter"), "{e}");
    }
}
