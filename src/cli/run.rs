//! `schoolscape run`: run the replicates of one scenario and write tidy outputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use schoolscape::region::{CsvRegion, read_csv_region};
use schoolscape::run::{ReplicateResult, run_replicates};
use schoolscape::scenario::{RegionSource, validate};
use schoolscape::{Error, Result, Scenario};

use serde::Serialize;

use super::manifest::{Clock, Provenance, to_json};
use super::output::{self, AtomicFile};
use super::progress::Progress;
use super::summary::Headline;
use super::{RunArgs, RunOptions, bundled, display_path, load_scenario, out};

/// A stop flag set by Ctrl-C (installed once per process).
pub fn stop_flag() -> &'static AtomicBool {
    static STOP: AtomicBool = AtomicBool::new(false);
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        let _ = ctrlc::set_handler(|| {
            if STOP.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
            eprintln!("\ninterrupted: finishing what is written (Ctrl-C again to quit at once)");
        });
    });
    &STOP
}

/// Apply command-line overrides (`--set` first, then run settings and
/// `--scale`) to a scenario and validate the result.
pub fn apply_overrides(s: Scenario, a: &RunOptions) -> Result<Scenario> {
    let mut s = super::set::apply(s, &super::set::parse(&a.set)?)?;
    if let Some(y) = a.years {
        s.run.years = y;
    }
    if let Some(r) = a.replicates {
        s.run.replicates = r;
    }
    if let Some(seed) = a.seed {
        s.run.seed = seed;
    }
    if let Some(f) = a.scale {
        if !(f > 0.0 && f <= 100.0) {
            return Err(Error::input(
                None,
                "--scale",
                format!("{f} is out of range"),
                "a factor above 0 and at most 100",
            ));
        }
        s = s.scaled(f);
    }
    let problems = validate(&s);
    if !problems.is_empty() {
        return Err(Error::Input(
            problems
                .into_iter()
                .map(|mut p| {
                    p.message = format!("{} (after command-line options)", p.message);
                    p
                })
                .collect(),
        ));
    }
    if let Some(t) = a.threads {
        if t == 0 {
            return Err(Error::input(None, "--threads", "0 threads".to_string(), "1 or more"));
        }
    }
    Ok(s)
}

/// The output directory: as given (refusing a non-empty one unless forced),
/// or `results/NAME`, numbered if it exists.
pub fn output_dir(given: Option<&Path>, name: &str, force: bool) -> Result<PathBuf> {
    let dir = match given {
        Some(d) => {
            let non_empty = d.read_dir().map(|mut r| r.next().is_some()).unwrap_or(false);
            if non_empty && !force {
                return Err(Error::input(
                    None,
                    "--out",
                    format!("{} already holds files; nothing was run, so nothing in it is lost", d.display()),
                    "an empty or new directory, or --force to write over it",
                ));
            }
            d.to_path_buf()
        }
        None => {
            let base = Path::new("results").join(name);
            let mut d = base.clone();
            let mut k = 2;
            while d.exists() {
                d = PathBuf::from(format!("{}-{k}", base.display()));
                k += 1;
            }
            d
        }
    };
    std::fs::create_dir_all(&dir).map_err(|source| Error::Io { path: dir.clone(), source })?;
    Ok(dir)
}

/// Everything needed to run one scenario.
pub struct Prepared {
    /// Where the scenario came from.
    pub path: PathBuf,
    /// The resolved scenario, with overrides.
    pub scenario: Scenario,
    /// CSV region data, read and checked.
    pub csv: Option<CsvRegion>,
    /// The `--set` values applied, as `PATH=VALUE`.
    pub sets: Vec<String>,
}

/// Load, override and check a scenario and its data: all before any work.
pub fn prepare(arg: &str, a: &RunOptions) -> Result<Prepared> {
    let sets = super::set::parse(&a.set)?.iter().map(|x| x.text()).collect();
    let (path, s) = load_scenario(arg)?;
    let scenario = apply_overrides(s, a)?;
    let csv = if scenario.region.source == RegionSource::Csv { Some(read_csv_region(&scenario)?) } else { None };
    if let Some(csv) = &csv {
        check_targets(&path, &scenario, csv)?;
    }
    Ok(Prepared { path, scenario, csv, sets })
}

/// Policies' targets against the schools and districts of a CSV region,
/// located in the scenario file.
pub fn check_targets(path: &Path, s: &Scenario, csv: &CsvRegion) -> Result<()> {
    let problems = schoolscape::policy::target::check_csv(s, csv);
    if problems.is_empty() {
        return Ok(());
    }
    let text = bundled::read_any(path).unwrap_or_default();
    Err(Error::Input(
        problems
            .into_iter()
            .map(|mut p| {
                p.location = schoolscape::scenario::locate_key(&text, path, &p.key);
                p
            })
            .collect(),
    ))
}

/// Set the number of worker threads for the whole process.
pub fn set_threads(threads: Option<usize>) {
    if let Some(t) = threads {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(t).build_global();
    }
}

/// Writes replicates' rows in replicate order as they finish.
struct Writer {
    next: u32,
    pending: BTreeMap<u32, ReplicateResult>,
    metrics: AtomicFile,
    schools: AtomicFile,
    runs: AtomicFile,
    sites: AtomicFile,
    neighbourhoods: AtomicFile,
    scenario_name: String,
    /// Run id of replicate 0 (a comparison numbers its scenarios' runs apart).
    first_run_id: u64,
    headline: Headline,
    completed: Vec<u32>,
    buf: String,
}

impl Writer {
    fn new(dir: &Path, scenario_name: &str, first_run_id: u64) -> Result<Writer> {
        let mut w = Writer {
            next: 0,
            pending: BTreeMap::new(),
            metrics: AtomicFile::create(&dir.join("metrics.csv"))?,
            schools: AtomicFile::create(&dir.join("schools.csv"))?,
            runs: AtomicFile::create(&dir.join("runs.csv"))?,
            sites: AtomicFile::create(&dir.join("school_sites.csv"))?,
            neighbourhoods: AtomicFile::create(&dir.join("neighbourhoods.csv"))?,
            scenario_name: scenario_name.to_string(),
            first_run_id,
            headline: Headline::default(),
            completed: Vec::new(),
            buf: String::new(),
        };
        w.metrics.write_str(output::METRICS_HEADER)?;
        w.schools.write_str(output::SCHOOLS_HEADER)?;
        w.runs.write_str(output::RUNS_HEADER)?;
        w.sites.write_str(output::SITES_HEADER)?;
        w.neighbourhoods.write_str(output::NEIGHBOURHOODS_HEADER)?;
        Ok(w)
    }

    fn write(&mut self, r: ReplicateResult) -> Result<()> {
        let run_id = self.first_run_id + u64::from(r.replicate);
        self.buf.clear();
        output::metrics_rows(run_id, &r, &mut self.buf);
        self.metrics.write_str(&self.buf)?;
        self.buf.clear();
        output::school_rows(run_id, &r, &mut self.buf);
        self.schools.write_str(&self.buf)?;
        self.buf.clear();
        output::site_rows(run_id, &r, &mut self.buf);
        self.sites.write_str(&self.buf)?;
        self.buf.clear();
        output::neighbourhood_rows(run_id, &r, &mut self.buf);
        self.neighbourhoods.write_str(&self.buf)?;
        self.buf.clear();
        let row = output::RunRow { run_id, scenario: &self.scenario_name, replicate: r.replicate, seed: r.seed };
        output::csv_rows([row], &mut self.buf);
        self.runs.write_str(&self.buf)?;
        self.headline.add(&r);
        self.completed.push(r.replicate);
        Ok(())
    }

    /// Accept a finished replicate; write every replicate now in order.
    fn accept(&mut self, r: ReplicateResult) -> Result<()> {
        self.pending.insert(r.replicate, r);
        while let Some(r) = self.pending.remove(&self.next) {
            self.write(r)?;
            self.next += 1;
        }
        Ok(())
    }

    /// Write whatever finished out of order (after an interruption), then close the files.
    fn finish(mut self) -> Result<(Headline, Vec<u32>)> {
        let rest: Vec<ReplicateResult> = std::mem::take(&mut self.pending).into_values().collect();
        for r in rest {
            self.write(r)?;
        }
        self.metrics.finish()?;
        self.schools.finish()?;
        self.runs.finish()?;
        self.sites.finish()?;
        self.neighbourhoods.finish()?;
        Ok((self.headline, self.completed))
    }
}

/// `manifest.json` of a run: provenance, seeds, status and the resolved scenario.
#[derive(Serialize)]
struct RunManifest<'a> {
    #[serde(flatten)]
    provenance: Provenance,
    scenario_file: String,
    set: &'a [String],
    scenario: &'a str,
    description: &'a str,
    seed: u64,
    replicate_seeds: Vec<u64>,
    years: u32,
    warm_up_years: u32,
    timeline: Vec<TimelineEntry>,
    replicates: u32,
    status: &'a str,
    completed_replicates: &'a [u32],
    files: BTreeMap<&'static str, &'static str>,
    resolved_scenario: &'a Scenario,
}

/// A timed change of the scenario, as the manifest records it.
#[derive(Serialize)]
struct TimelineEntry {
    year: u32,
    set: serde_json::Map<String, serde_json::Value>,
}

/// The files of a run directory and what each holds.
pub const RUN_FILES: [(&str, &str); 6] = [
    ("metrics.csv", "long form: run_id, year, measure, subgroup, value"),
    ("runs.csv", "one row per run: run_id, scenario, replicate, seed (join the other files on run_id)"),
    ("schools.csv", "school-by-year panel, keyed by run_id"),
    ("school_sites.csv", "school positions, districts and types per run"),
    ("neighbourhoods.csv", "replicate 0's neighbourhoods (year 0; every year if residential moves are on)"),
    ("scenario.toml", "the resolved scenario: `schoolscape run scenario.toml` reruns it"),
];

/// The manifest: provenance, seeds, status and the resolved scenario.
pub fn manifest(p: &Prepared, clock: &Clock, status: &str, completed: &[u32]) -> String {
    let s = &p.scenario;
    to_json(&RunManifest {
        provenance: clock.provenance(),
        scenario_file: display_path(&p.path),
        set: &p.sets,
        scenario: &s.name,
        description: &s.description,
        seed: s.run.seed,
        replicate_seeds: (0..s.run.replicates)
            .map(|r| schoolscape::rng::replicate_seed(s.run.seed, u64::from(r)))
            .collect(),
        years: s.run.years,
        warm_up_years: s.run.warm_up,
        timeline: s
            .timeline
            .iter()
            .map(|c| TimelineEntry {
                year: c.year,
                set: schoolscape::scenario::timeline::flatten(&c.set)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(p, v)| (p, serde_json::to_value(v).unwrap_or(serde_json::Value::Null)))
                    .collect(),
            })
            .collect(),
        replicates: s.run.replicates,
        status,
        completed_replicates: completed,
        files: RUN_FILES.into_iter().collect(),
        resolved_scenario: s,
    })
}

/// Run a prepared scenario into `dir`, numbering its runs from `first_run_id`
/// (0 for a run; a comparison numbers each scenario's runs apart, so run ids
/// are unique across it). Returns the headline summary.
pub fn execute(p: &Prepared, dir: &Path, quiet: bool, label: &str, first_run_id: u64) -> Result<Headline> {
    let s = &p.scenario;
    output::write_atomic(
        &dir.join("scenario.toml"),
        &format!("# Resolved from {}\n{}", display_path(&p.path), s.to_toml()),
    )?;
    let clock = Clock::start();
    output::write_atomic(&dir.join("manifest.json"), &manifest(p, &clock, "running", &[]))?;
    let writer = Mutex::new(Writer::new(dir, &s.name, first_run_id)?);
    let progress = Mutex::new(Progress::new(s.run.replicates as u64, label, quiet));
    let stop = stop_flag();
    let result = run_replicates(s, p.csv.as_ref(), s.run.years, s.run.replicates, s.run.seed, stop, |r| {
        writer.lock().map_err(|_| Error::Interrupted)?.accept(r)?;
        if let Ok(mut pr) = progress.lock() {
            pr.inc();
        }
        Ok(())
    });
    if let Ok(pr) = progress.lock() {
        pr.finish();
    }
    let writer = writer.into_inner().map_err(|_| Error::Interrupted)?;
    let (headline, mut completed) = writer.finish()?;
    completed.sort_unstable();
    let status = match &result {
        Ok(()) => "complete",
        Err(Error::Interrupted) => "interrupted",
        Err(_) => "failed",
    };
    output::write_atomic(&dir.join("manifest.json"), &manifest(p, &clock, status, &completed))?;
    result.map(|()| headline)
}

/// `schoolscape run`.
pub fn run(a: &RunArgs) -> Result<()> {
    let arg = a.scenario.clone().unwrap_or_else(|| bundled::DEFAULT.to_string());
    let p = prepare(&arg, &a.opts)?;
    set_threads(a.threads);
    let dir = output_dir(a.out.as_deref(), &p.scenario.name, a.force)?;
    let s = &p.scenario;
    if !a.quiet {
        eprintln!(
            "Running {} ({}): {} replicate{} × {} years, seed {}",
            s.name,
            display_path(&p.path),
            s.run.replicates,
            if s.run.replicates == 1 { "" } else { "s" },
            s.run.years,
            s.run.seed
        );
    }
    let result = execute(&p, &dir, a.quiet, "replicates", 0);
    match result {
        Ok(headline) => {
            if !a.quiet {
                out(&format!(
                    "\n{}: {}\n\n{}\nWrote {}: metrics.csv, runs.csv, schools.csv, school_sites.csv, neighbourhoods.csv, scenario.toml, manifest.json\n",
                    s.name,
                    s.description,
                    headline.table(),
                    dir.display()
                ));
            }
            if !a.no_plots {
                super::plot::draw_after(&dir, a.quiet);
            }
            Ok(())
        }
        Err(Error::Interrupted) => {
            eprintln!("Interrupted: the replicates that finished are in {} (see manifest.json)", dir.display());
            Err(Error::Interrupted)
        }
        Err(e) => Err(e),
    }
}
