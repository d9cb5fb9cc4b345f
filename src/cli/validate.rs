//! `schoolscape validate`: run the validation cases and report, for each
//! check, the target, the model's value with a 95% interval, pass or fail,
//! and how the result holds across a sample of plausible parameter settings.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use maud::{PreEscaped, html};
use schoolscape::rng::{Purpose, keyed_seed};
use schoolscape::run::run_replicates;
use schoolscape::scenario::Loader;
use schoolscape::sim::YearRecord;
use schoolscape::sweep::{params, plan};
use schoolscape::validation::{self, Case, Series, Verdict};
use schoolscape::{Error, Result, Scenario};

use super::output::{self, field, num};
use super::plot::assumptions;
use super::plot::charts::{self, BandSeries, Figure, Trend, colour};
use super::plot::data::median_band;
use super::progress::Progress;
use super::run::{output_dir, set_threads, stop_flag};
use super::{bundled, display_path, out};

/// Options of `schoolscape validate`.
#[derive(Debug, Args, Clone)]
pub struct ValidateArgs {
    /// Case files or folders of case files (default: the bundled cases in scenarios/validation/).
    pub cases: Vec<String>,
    /// Replicates per scenario (overrides each case's).
    #[arg(long)]
    pub replicates: Option<u32>,
    /// Parameter settings sampled for robustness (overrides each case's; 0 skips robustness).
    #[arg(long)]
    pub samples: Option<u32>,
    /// Scale every scenario (schools, entrants and area; density unchanged).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Output directory (default: results/validation, numbered if it exists).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write into an existing, non-empty output directory, and run even if
    /// the estimated memory or time exceeds what this machine allows.
    #[arg(long)]
    pub force: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Write the table and CSV only, no charts or HTML report.
    #[arg(long)]
    pub no_plots: bool,
    /// Print only the table and errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A case with its scenarios loaded and settings applied.
struct Loaded {
    path: PathBuf,
    case: Case,
    /// Scenario name in the case file → resolved scenario.
    scenarios: BTreeMap<String, Scenario>,
    replicates: u32,
    samples: u32,
}

/// One row of the results.
struct Row {
    case: String,
    kind: &'static str,
    label: String,
    source: String,
    target: Option<[f64; 2]>,
    value: validation::Outcome,
    verdict: Option<Verdict>,
    robust: Option<(u32, u32)>,
}

fn case_paths(args: &ValidateArgs) -> Result<Vec<PathBuf>> {
    if args.cases.is_empty() {
        return Ok(bundled::FILES
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| n.starts_with("validation/") && n.matches('/').count() == 1)
            .map(|n| Path::new(bundled::DIR).join(n))
            .collect());
    }
    let mut out = Vec::new();
    for c in &args.cases {
        let p = PathBuf::from(c);
        if p.is_dir() {
            let mut v: Vec<PathBuf> = std::fs::read_dir(&p)
                .map_err(|source| Error::Io { path: p.clone(), source })?
                .flatten()
                .map(|e| e.path())
                .filter(|f| f.extension().is_some_and(|e| e == "toml"))
                .collect();
            v.sort();
            out.extend(v);
        } else if p.is_file() {
            out.push(p);
        } else {
            let b = bundled::resolve(&format!("validation/{}", c.trim_end_matches(".toml")));
            if b.starts_with(bundled::DIR) {
                out.push(b);
            } else {
                return Err(Error::input(
                    None,
                    "",
                    format!("no case file or folder `{c}`"),
                    "a path, or a bundled case name",
                ));
            }
        }
    }
    Ok(out)
}

fn load(args: &ValidateArgs) -> Result<Vec<Loaded>> {
    check_args(args)?;
    let loader = Loader::new(bundled::read_any);
    let mut loaded = Vec::new();
    for path in case_paths(args)? {
        let text = bundled::read_any(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
        let case = Case::parse(&text, &path)?;
        let replicates = args.replicates.unwrap_or(case.replicates);
        let samples = args.samples.unwrap_or(case.robustness.as_ref().map_or(0, |r| r.samples));
        let file = CaseFile { path: &path, text: &text, case: &case };
        let mut scenarios = BTreeMap::new();
        for name in case.scenario_files() {
            let s = file.scenario(&loader, args, &name, replicates)?;
            scenarios.insert(name, s);
        }
        file.check_robustness(&scenarios)?;
        check_measures(&case, &scenarios, &text, &path)?;
        loaded.push(Loaded { path, case, scenarios, replicates, samples });
    }
    if loaded.is_empty() {
        return Err(Error::input(None, "", "no validation cases found".to_string(), "case files (TOML)"));
    }
    Ok(loaded)
}

/// The command line's replicates, samples and threads, checked before any case is read.
fn check_args(args: &ValidateArgs) -> Result<()> {
    if let Some(r) = args.replicates {
        if !(2..=schoolscape::scenario::MAX_REPLICATES).contains(&r) {
            return Err(Error::input(
                None,
                "--replicates",
                format!("{r} replicates"),
                format!("2 to {} (an interval needs two)", schoolscape::scenario::MAX_REPLICATES),
            ));
        }
    }
    if let Some(n) = args.samples {
        if n > validation::MAX_ROBUSTNESS_SAMPLES {
            return Err(Error::input(
                None,
                "--samples",
                format!("{n} samples"),
                format!("0 to {}", validation::MAX_ROBUSTNESS_SAMPLES),
            ));
        }
    }
    if let Some(t) = args.threads {
        super::run::check_threads(t)?;
    }
    Ok(())
}

/// A case file as read: its path and text (for locating problems) and the case.
struct CaseFile<'a> {
    path: &'a Path,
    text: &'a str,
    case: &'a Case,
}

impl CaseFile<'_> {
    /// A scenario the case names, loaded, with the case's years, replicates
    /// and seed (and the command line's scale), and checked.
    fn scenario(&self, loader: &Loader<'_>, args: &ValidateArgs, name: &str, replicates: u32) -> Result<Scenario> {
        let (case, text, path) = (self.case, self.text, self.path);
        let mut s = loader.load(&Case::resolve(path, name)).map_err(|e| match e {
            // A scenario that cannot be read: say which key of the case names it.
            Error::Io { path: p, source } => {
                let key = scenario_key(case, name);
                Error::input(
                    schoolscape::scenario::locate_key(text, path, &key),
                    key,
                    format!("cannot read the scenario `{}`: {source}", p.display()),
                    "a scenario file, relative to the case file",
                )
            }
            other => other,
        })?;
        if let Some(f) = args.scale {
            if !(f > 0.0 && f <= 100.0) {
                return Err(Error::input(None, "--scale", format!("{f} is out of range"), "above 0 and at most 100"));
            }
            s = s.scaled(f);
        }
        s.run.years = case.years;
        s.run.replicates = replicates;
        s.run.seed = case.seed;
        let problems = schoolscape::scenario::validate(&s);
        if !problems.is_empty() {
            return Err(Error::Input(problems));
        }
        Ok(s)
    }

    /// Robustness paths must apply to every scenario of the case, at both
    /// ends of their ranges: checked before any work.
    fn check_robustness(&self, scenarios: &BTreeMap<String, Scenario>) -> Result<()> {
        let (text, path) = (self.text, self.path);
        if let Some(rb) = &self.case.robustness {
            let ranges = rb.all_ranges();
            for s in scenarios.values() {
                for end in 0..2 {
                    let values: Vec<(&str, toml::Value)> =
                        ranges.iter().map(|(k, r)| (k.as_str(), sample_value(s, k, r[end]))).collect();
                    params::apply(s, &values).map_err(|problems| {
                        Error::Input(
                            problems
                                .into_iter()
                                .map(|mut p| {
                                    let key = if rb.ranges.contains_key(&p.key) {
                                        "robustness.ranges"
                                    } else {
                                        "robustness.parameters"
                                    };
                                    p.location = schoolscape::scenario::locate_key(text, path, key);
                                    p
                                })
                                .collect(),
                        )
                    })?;
                }
            }
        }
        Ok(())
    }
}

/// The key of a case that first names a scenario file.
fn scenario_key(case: &Case, name: &str) -> String {
    for (i, c) in case.checks.iter().enumerate() {
        if c.scenario == name {
            return format!("checks[{i}].scenario");
        }
        if c.baseline.as_deref() == Some(name) {
            return format!("checks[{i}].baseline");
        }
    }
    let i = case.reports.iter().position(|r| r.scenario == name).unwrap_or(0);
    format!("reports[{i}].scenario")
}

/// Every measure and subgroup a case names must be one the model writes:
/// found from a one-percent-size run of each scenario (a few years), before any work.
fn check_measures(case: &Case, scenarios: &BTreeMap<String, Scenario>, text: &str, path: &Path) -> Result<()> {
    let mut known: BTreeMap<&str, Vec<(String, String)>> = BTreeMap::new();
    for (name, s) in scenarios {
        let mut tiny = s.scaled(0.01);
        tiny.run.years = (s.population.years_in_school + 1).min(s.run.years);
        let stop = std::sync::atomic::AtomicBool::new(false);
        let r = schoolscape::run::run_one(&tiny, None, tiny.run.years, tiny.run.seed, 1, &stop)?;
        let mut pairs: Vec<(String, String)> = r
            .records
            .iter()
            .flat_map(|rec| rec.metrics.iter().map(|m| (m.measure.to_string(), m.subgroup.to_string())))
            .collect();
        pairs.sort();
        pairs.dedup();
        known.insert(name.as_str(), pairs);
    }
    let mut problems = Vec::new();
    let mut check = |key: String, scenario: &str, measure: &str, subgroup: &str| {
        let Some(pairs) = known.get(scenario) else { return };
        if !pairs.iter().any(|(m, _)| m == measure) {
            let mut names: Vec<&str> = pairs.iter().map(|(m, _)| m.as_str()).collect();
            names.dedup();
            problems.push(schoolscape::error::InputProblem {
                kind: Default::default(),
                location: schoolscape::scenario::locate_key(text, path, &key),
                key,
                message: format!("`{measure}` is not a measure the model writes"),
                allowed: names.join(", "),
            });
        } else if !pairs.iter().any(|(m, g)| m == measure && g == subgroup) {
            let subs: Vec<&str> = pairs.iter().filter(|(m, _)| m == measure).map(|(_, g)| g.as_str()).collect();
            let key = key.replace(".measure", ".subgroup").replace(".minus_measure", ".subgroup");
            problems.push(schoolscape::error::InputProblem {
                kind: Default::default(),
                location: schoolscape::scenario::locate_key(text, path, &key),
                key,
                message: format!("`{subgroup}` is not a subgroup of `{measure}`"),
                allowed: subs.join(", "),
            });
        }
    };
    for (i, c) in case.checks.iter().enumerate() {
        check(format!("checks[{i}].measure"), &c.scenario, &c.measure, &c.subgroup);
        if let Some(m) = &c.minus_measure {
            check(format!("checks[{i}].minus_measure"), &c.scenario, m, &c.subgroup);
        }
    }
    for (i, r) in case.reports.iter().enumerate() {
        check(format!("reports[{i}].measure"), &r.scenario, &r.measure, &r.subgroup);
    }
    if problems.is_empty() { Ok(()) } else { Err(Error::Input(problems)) }
}

/// A sampled value as TOML: whole numbers for whole-number parameters.
fn sample_value(s: &Scenario, path: &str, v: f64) -> toml::Value {
    match params::get(&params::table_of(s), path) {
        Some(toml::Value::Integer(_)) => toml::Value::Integer(v.round() as i64),
        _ => toml::Value::Float(v),
    }
}

/// Run a scenario's replicates and keep their records (school panels dropped).
fn simulate(s: &Scenario, replicates: u32, progress: &std::sync::Mutex<Progress>) -> Result<Series> {
    let slots: std::sync::Mutex<Vec<Option<Vec<YearRecord>>>> = std::sync::Mutex::new(vec![None; replicates as usize]);
    run_replicates(s, None, s.run.years, replicates, s.run.seed, stop_flag(), |mut r| {
        for rec in &mut r.records {
            rec.schools = Vec::new();
        }
        if let Ok(mut v) = slots.lock() {
            v[r.replicate as usize] = Some(r.records);
        }
        if let Ok(mut p) = progress.lock() {
            p.inc();
        }
        Ok(())
    })?;
    Ok(slots.into_inner().map_err(|_| Error::Interrupted)?.into_iter().map(Option::unwrap_or_default).collect())
}

/// Evaluate a case: its checks and reports, and robustness.
fn evaluate(l: &Loaded, progress: &std::sync::Mutex<Progress>) -> Result<(Vec<Row>, BTreeMap<String, Series>)> {
    let mut runs: BTreeMap<String, Series> = BTreeMap::new();
    for (name, s) in &l.scenarios {
        runs.insert(name.clone(), simulate(s, l.replicates, progress)?);
    }
    let case = &l.case;
    // Robustness: how often each check's direction holds across sampled settings.
    let mut holds = vec![0u32; case.checks.len()];
    if let (Some(rb), true) = (&case.robustness, l.samples > 0) {
        let named = rb.all_ranges();
        let ranges: Vec<(f64, f64)> = named.iter().map(|(_, r)| (r[0], r[1])).collect();
        let points =
            plan::latin_hypercube(&ranges, l.samples as usize, keyed_seed(case.seed, Purpose::ValidationSample));
        for point in &points {
            let mut sample_runs: BTreeMap<String, Series> = BTreeMap::new();
            for (name, s) in &l.scenarios {
                let values: Vec<(&str, toml::Value)> =
                    named.iter().zip(point).map(|((k, _), v)| (k.as_str(), sample_value(s, k, *v))).collect();
                let mut varied = params::apply(s, &values).map_err(Error::Input)?;
                varied.run.replicates = rb.replicates;
                sample_runs.insert(name.clone(), simulate(&varied, rb.replicates, progress)?);
            }
            for (k, c) in case.checks.iter().enumerate() {
                let o = validation::outcome(validation::check_values(c, &sample_runs));
                if validation::direction_holds(c, o.mean) {
                    holds[k] += 1;
                }
            }
        }
    }
    let mut rows = Vec::new();
    for (k, c) in case.checks.iter().enumerate() {
        let o = validation::outcome(validation::check_values(c, &runs));
        rows.push(Row {
            case: case.name.clone(),
            kind: "check",
            label: c.label.clone(),
            source: c.source.clone(),
            target: Some(c.target),
            verdict: Some(validation::verdict(c, &o)),
            value: o,
            robust: (l.samples > 0 && case.robustness.is_some()).then_some((holds[k], l.samples)),
        });
    }
    for r in &case.reports {
        let values = validation::report_values(r, &runs);
        rows.push(Row {
            case: case.name.clone(),
            kind: "report",
            label: r.label.clone(),
            source: r.literature.clone(),
            target: None,
            value: validation::outcome(values),
            verdict: None,
            robust: None,
        });
    }
    Ok((rows, runs))
}

fn table(rows: &[Row], cases: &[Loaded]) -> String {
    let mut t = String::new();
    for l in cases {
        let _ = writeln!(t, "\n{} ({})\n  source: {}", l.case.title, l.case.name, l.case.citation);
        for r in rows.iter().filter(|r| r.case == l.case.name) {
            let value = if r.value.half.is_finite() {
                format!("{:.3} [{:.3}, {:.3}]", r.value.mean, r.value.mean - r.value.half, r.value.mean + r.value.half)
            } else {
                format!("{:.3}", r.value.mean)
            };
            let target = r
                .target
                .map_or_else(|| format!("literature: {}", r.source), |t| format!("target {} to {}", t[0], t[1]));
            let verdict = match r.verdict {
                Some(Verdict::Pass) => "PASS",
                Some(Verdict::Fail) => "FAIL",
                Some(Verdict::Inconclusive) => "INCONCLUSIVE",
                None => "report",
            };
            let robust =
                r.robust.map_or(String::new(), |(h, n)| format!("; direction holds in {h} of {n} sampled settings"));
            let _ = writeln!(t, "  [{verdict}] {}\n         model {value}; {target}{robust}", r.label);
        }
    }
    t
}

fn csv(rows: &[Row]) -> String {
    let mut c = String::from(
        "case,kind,check,source,target_low,target_high,value,ci_low,ci_high,replicates,result,robustness_share,robustness_samples\n",
    );
    for r in rows {
        let (lo, hi) = r.target.map_or((f64::NAN, f64::NAN), |t| (t[0], t[1]));
        let _ = writeln!(
            c,
            "{},{},{},{},{},{},{},{},{},{},{},{},{}",
            field(&r.case),
            r.kind,
            field(&r.label),
            field(&r.source),
            num(lo),
            num(hi),
            num(r.value.mean),
            num(r.value.mean - r.value.half),
            num(r.value.mean + r.value.half),
            r.value.values.len(),
            r.verdict.map_or(String::new(), |v| v.word().to_string()),
            r.robust.map_or(String::new(), |(h, n)| num(h as f64 / n as f64)),
            r.robust.map_or(String::new(), |(_, n)| n.to_string()),
        );
    }
    c
}

/// Per-year values of a check (differences where it contrasts), as median and 10–90% band.
fn check_series(c: &validation::Check, runs: &BTreeMap<String, Series>, years: u32) -> Vec<(u32, f64, f64, f64)> {
    (1..=years)
        .filter_map(|y| {
            let per_year = validation::Check { years: [y, y], ..c.clone() };
            let v: Vec<f64> = validation::check_values(&per_year, runs).into_iter().filter(|x| x.is_finite()).collect();
            if v.is_empty() {
                return None;
            }
            let (m, lo, hi) = median_band(v);
            Some((y, m, lo, hi))
        })
        .collect()
}

fn draw(l: &Loaded, runs: &BTreeMap<String, Series>, dir: &Path) -> Result<Vec<(String, String)>> {
    let mut svgs = Vec::new();
    for (k, c) in l.case.checks.iter().enumerate() {
        let contrast = match (&c.baseline, &c.minus_measure) {
            (Some(b), _) => format!("{} minus {}", scenario_label(l, &c.scenario), scenario_label(l, b)),
            (_, Some(m)) => format!("{} minus {m}", c.measure),
            _ => scenario_label(l, &c.scenario),
        };
        let model = check_series(c, runs, l.case.years);
        // Show the target band only as far as the data and zero reach, so an
        // open-ended band (such as "above 0.005") does not flatten the line.
        let lo = model.iter().map(|p| p.2).fold(0.0f64, f64::min);
        let hi = model.iter().map(|p| p.3).fold(0.0f64, f64::max);
        let pad = (hi - lo).max(0.01) * 0.5;
        let (t0, t1) = (c.target[0].max(lo - pad), c.target[1].min(hi + pad));
        let target_points: Vec<(u32, f64, f64, f64)> =
            (c.years[0]..=c.years[1]).map(|y| (y, (t0 + t1) / 2.0, t0, t1)).collect();
        let fig = Figure::Trend(Trend {
            title: wrap_title(&c.label),
            y_label: format!("{} ({})", c.measure, c.subgroup),
            note: format!(
                "Line: median of {} replicates ({contrast}); band: 10th to 90th percentile. Grey: the target band over the years checked (cut at the chart's range).",
                l.replicates
            ),
            series: vec![
                BandSeries { label: "model".into(), colour: colour(0), points: model },
                BandSeries { label: "target band".into(), colour: charts::GREY, points: target_points },
            ],
        });
        let stem = super::plot::file_stem(&format!("validation-{}-{}", l.case.name, k + 1));
        let svg = charts::render(&fig, dir, &stem)?;
        svgs.push((c.label.clone(), svg));
    }
    Ok(svgs)
}

fn scenario_label(l: &Loaded, file: &str) -> String {
    l.scenarios.get(file).map_or_else(|| file.to_string(), |s| s.name.clone())
}

fn wrap_title(s: &str) -> String {
    if s.chars().count() <= 70 {
        return s.to_string();
    }
    let cut = s.char_indices().take_while(|(i, _)| *i < 67).last().map_or(0, |(i, _)| i);
    format!("{}…", &s[..cut])
}

/// The validation report: the assumptions of the cases' scenarios, then per
/// case its checks and their charts (`charts`: per case, label and SVG).
fn html(rows: &[Row], cases: &[Loaded], charts: &BTreeMap<String, Vec<(String, String)>>) -> String {
    // Assumptions: what the cases' scenarios set away from the defaults, with the basis of each.
    let flat: Vec<(String, assumptions::Flat)> = cases
        .iter()
        .flat_map(|l| {
            l.scenarios.iter().map(|(n, s)| (format!("{}/{n}", l.case.name), assumptions::flatten(&s.to_toml())))
        })
        .collect();
    let names: Vec<&str> = flat.iter().map(|(n, _)| n.as_str()).collect();
    let assumed = assumptions::rows(&flat.iter().map(|f| f.1.clone()).collect::<Vec<_>>());
    let body = html! {
        p {
            "schoolscape " (schoolscape::VERSION)
            ". Each value is the mean over replicates of the measure averaged over the years named, with a 95% interval; contrasts are paired differences (common random numbers). A check passes only when its 95% interval lies inside the target band, fails when the interval lies wholly outside, and is inconclusive when the interval straddles an edge. Robustness: the number of parameter settings, drawn by Latin hypercube from the plausible ranges, in which the check's direction holds against the same threshold as its target. A failing case is reported as failing: no parameter is tuned case by case."
        }
        (assumptions::section(
            &names,
            &assumed,
            "The parameters the validation cases' scenarios set away from the defaults (columns: case/scenario), with the basis of each.",
        ))
        @for l in cases {
            h2 { (l.case.title) }
            p { (l.case.citation) }
            table {
                tr { th { "check" } th { "target" } th { "model (95% CI)" } th { "result" } th { "robustness" } }
                @for r in rows.iter().filter(|r| r.case == l.case.name) {
                    @let (cls, verdict) = r.verdict.map_or(("", "reported"), |v| (v.word(), v.word()));
                    tr {
                        td { (r.label) br; small { (r.source) } }
                        td { (r.target.map_or("–".to_string(), |t| format!("{} to {}", t[0], t[1]))) }
                        td {
                            (format!("{:.3} [{:.3}, {:.3}]", r.value.mean, r.value.mean - r.value.half, r.value.mean + r.value.half))
                        }
                        td class=(cls) { (verdict) }
                        td { (r.robust.map_or("–".to_string(), |(a, n)| format!("{a} of {n}"))) }
                    }
                }
            }
            @for (label, svg) in charts.get(&l.case.name).into_iter().flatten() {
                figure.chart { (PreEscaped(svg)) figcaption { (label) } }
            }
            p { "Case file: " (display_path(&l.path)) }
        }
    };
    super::plot::report::page("Validation against published results", body)
}

/// `schoolscape validate`.
/// Estimate the memory and time of every case's runs (robustness samples
/// included) before any work, and refuse (unless `--force`) a validation
/// that would not fit on this machine.
fn check_fits(cases: &[Loaded], args: &ValidateArgs) -> Result<()> {
    let threads = args.threads.unwrap_or_else(super::run::default_threads);
    let items = cases.iter().flat_map(|l| {
        let robust = l.case.robustness.as_ref().map_or(0.0, |r| f64::from(r.replicates) * f64::from(l.samples));
        l.scenarios.values().flat_map(move |s| [(s, f64::from(l.replicates)), (s, robust)]).filter(|(_, n)| *n > 0.0)
    });
    let e = schoolscape::estimate::estimate_batch(items, threads, None, "robustness.samples");
    let files: Vec<String> = cases.iter().map(|l| l.path.display().to_string()).collect();
    let what = format!("this validation ({})", files.join(", "));
    super::run::refuse_unfit(&e, &what, threads, args.force, "a smaller `{}` in the cases' scenarios, or fewer threads")
}

/// `manifest.json` of a validation: provenance, and each case's file, seed,
/// replicates, robustness samples and resolved scenarios.
#[derive(serde::Serialize)]
struct ValidationManifest<'a> {
    #[serde(flatten)]
    provenance: super::manifest::Provenance,
    cases: Vec<CaseRecord<'a>>,
}

/// One case, as the manifest records it.
#[derive(serde::Serialize)]
struct CaseRecord<'a> {
    case: &'a str,
    file: String,
    seed: u64,
    replicates: u32,
    robustness_samples: u32,
    scenarios: BTreeMap<&'a str, &'a Scenario>,
}

pub fn validate(args: &ValidateArgs) -> Result<()> {
    let clock = super::manifest::Clock::start();
    let cases = load(args)?;
    check_fits(&cases, args)?;
    set_threads(args.threads);
    let dir = output_dir(args.out.as_deref(), "validation", args.force)?;
    let total: u64 = cases
        .iter()
        .map(|l| {
            let main = l.scenarios.len() as u64 * l.replicates as u64;
            let rb = l
                .case
                .robustness
                .as_ref()
                .map_or(0, |r| r.replicates as u64 * l.scenarios.len() as u64 * l.samples as u64);
            main + rb
        })
        .sum();
    let progress = std::sync::Mutex::new(Progress::new(total, "validation replicates", args.quiet));
    let mut rows = Vec::new();
    let mut all_runs = Vec::new();
    for l in &cases {
        let (r, runs) = evaluate(l, &progress)?;
        rows.extend(r);
        all_runs.push(runs);
    }
    if let Ok(p) = progress.lock() {
        p.finish();
    }
    output::write_atomic(&dir.join("validation.csv"), &csv(&rows))?;
    let text = table(&rows, &cases);
    output::write_atomic(&dir.join("validation.txt"), &text)?;
    let manifest = ValidationManifest {
        provenance: clock.provenance(),
        cases: cases
            .iter()
            .map(|l| CaseRecord {
                case: &l.case.name,
                file: display_path(&l.path),
                seed: l.case.seed,
                replicates: l.replicates,
                robustness_samples: l.samples,
                scenarios: l.scenarios.iter().map(|(k, s)| (k.as_str(), s)).collect(),
            })
            .collect(),
    };
    output::write_atomic(&dir.join("manifest.json"), &super::manifest::to_json(&manifest))?;
    if !args.no_plots {
        let chart_dir = dir.join("charts");
        let drawn = (|| -> Result<BTreeMap<String, Vec<(String, String)>>> {
            std::fs::create_dir_all(&chart_dir).map_err(|source| Error::Io { path: chart_dir.clone(), source })?;
            let mut m = BTreeMap::new();
            for (l, runs) in cases.iter().zip(&all_runs) {
                m.insert(l.case.name.clone(), draw(l, runs, &chart_dir)?);
            }
            Ok(m)
        })();
        match drawn {
            Ok(m) => output::write_atomic(&dir.join("report.html"), &html(&rows, &cases, &m))?,
            Err(e) => eprintln!("warning: the charts could not be drawn ({e}); the results are in {}", dir.display()),
        }
    }
    let count = |v: Verdict| rows.iter().filter(|r| r.verdict == Some(v)).count();
    let checks = rows.iter().filter(|r| r.verdict.is_some()).count();
    out(&format!(
        "{text}\n{} of {checks} checks pass ({} fail, {} inconclusive). Wrote {}: validation.csv, validation.txt, manifest.json{}\n",
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Inconclusive),
        dir.display(),
        if args.no_plots { "" } else { ", charts/, report.html" }
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_validation_report_uses_the_reports_one_stylesheet() {
        let h = html(&[], &[], &BTreeMap::new());
        assert!(h.contains(super::super::plot::report::STYLE));
        assert_eq!(h.matches("<style>").count(), 1);
    }
}
