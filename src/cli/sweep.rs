//! `schoolscape sweep`: plan every run of a sweep file, run them in parallel,
//! and stream each finished run's rows to disk; `--resume` continues an
//! interrupted sweep, `--shard K/N` runs one share of the plan. A sweep of
//! the whole plan that completes draws its charts and report (as
//! `schoolscape plot DIR`) unless `--no-plots`.
//!
//! How a crash cannot lose, repeat or half-record a run: see [`super::sweep_dir`].
//! Workers take runs in order of id from a shared counter and hand each
//! finished result to one writer thread through a bounded channel, so memory
//! holds a few results at a time whatever the number of runs. The writer
//! appends each finished run as one complete block, and twice a second
//! commits what it has written: syncs the results files, then appends and
//! syncs those runs' lines in `done.csv`. A crash loses at most the runs
//! written since the last commit, which `--resume` cuts off and runs again.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{RecvTimeoutError, sync_channel};
use std::time::{Duration, Instant};

use clap::Args;
use schoolscape::region::CsvRegion;
use schoolscape::run::{ReplicateResult, run_one};
use schoolscape::scenario::RegionSource;
use schoolscape::sweep::{Plan, RunSpec, Shard, SweepFile};
use schoolscape::{Error, Result};
use serde::Serialize;

use super::manifest::{Clock, Provenance, to_json};
use super::output::write_atomic;
use super::progress::Progress;
use super::run::{set_threads, stop_flag};
use super::sweep_dir::{self as dir, DoneLog, ResultFile};
use super::{bundled, load_scenario, out};

/// Options of `schoolscape sweep`.
#[derive(Debug, Args, Clone)]
pub struct SweepArgs {
    /// The sweep file (TOML).
    pub sweep: PathBuf,
    /// Output directory.
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Continue the sweep in the output directory: run only the runs not yet
    /// finished (starts the sweep if the directory holds none).
    #[arg(long)]
    pub resume: bool,
    /// Run only shard K of N of the plan (runs whose id is K-1 modulo N).
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// Write the data only: no charts, no report (a shard never draws them).
    #[arg(long)]
    pub no_plots: bool,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run even if the sweep's estimated memory or time exceeds what this
    /// machine allows (the estimate is checked before any work).
    #[arg(long)]
    pub force: bool,
}

fn parse_shard(s: &str) -> std::result::Result<Shard, String> {
    s.parse()
}

/// A sweep file with its plan: everything checked before any work.
pub struct Loaded {
    /// The sweep file.
    pub file: SweepFile,
    /// Where the base scenario came from.
    pub base_path: PathBuf,
    /// Where the contrasted scenario came from, in a contrast.
    pub contrast_path: Option<PathBuf>,
    /// The plan.
    pub plan: Plan,
    /// CSV region data of the base scenario, read once.
    pub csv: Option<CsvRegion>,
}

/// Read a sweep file, its base scenario and design table, and plan every run.
pub fn load(path: &Path) -> Result<Loaded> {
    let text = dir::read_text(path)?;
    load_text(&text, path)
}

/// A scenario a sweep file names under `key`: a file next to the sweep file,
/// else a bundled scenario.
fn scenario_of(file: &SweepFile, key: &str, name: &str) -> Result<(PathBuf, schoolscape::Scenario)> {
    let beside = file.dir().join(name);
    let arg = if beside.exists() {
        beside.to_string_lossy().into_owned()
    } else if bundled::resolve(name).starts_with(bundled::DIR) {
        name.to_string()
    } else {
        return Err(Error::input(
            Some(file.locate(key)),
            key,
            format!("no scenario file `{name}` beside the sweep file, and no bundled scenario of that name"),
            format!("a path relative to the sweep file, or one of: {}", bundled::names().join(", ")),
        ));
    };
    load_scenario(&arg)
}

/// [`load`] a sweep file's text; `path` names it in errors and anchors its relative paths.
pub fn load_text(text: &str, path: &Path) -> Result<Loaded> {
    let file = SweepFile::parse(text, path)?;
    let (base_path, base) = scenario_of(&file, "base", file.base())?;
    let contrast = match file.contrast() {
        Some(name) => Some(scenario_of(&file, "contrast", name)?),
        None => None,
    };
    let table = match file.design_table() {
        Some(p) => Some(schoolscape::limits::read_text(&p, schoolscape::limits::MAX_CSV_BYTES).map_err(|e| {
            Error::input(
                Some(file.locate("table.file")),
                "table.file",
                format!("cannot read the design table `{}`: {e}", p.display()),
                "a CSV file, relative to the sweep file",
            )
        })?),
        None => None,
    };
    let mut arms = vec![base];
    arms.extend(contrast.as_ref().map(|(_, s)| s.clone()));
    let plan = file.plan_arms(&arms, table.as_deref())?;
    if plan.points.iter().any(|p| p.scenario.region.source == RegionSource::Csv)
        && plan.arms.len() > 1
        && plan.points[0].scenario.region != plan.points[1].scenario.region
    {
        return Err(Error::input(
            Some(file.locate("contrast")),
            "contrast",
            "the two scenarios read different regions from CSV files",
            "scenarios that share their region (the same CSV files) or generate it",
        ));
    }
    let csv = super::run::csv_of(&plan.base, &base_path)?;
    Ok(Loaded { file, base_path, contrast_path: contrast.map(|(p, _)| p), plan, csv })
}

/// What is compared on `--resume` and by `merge`: two directories hold the
/// same sweep if and only if these are equal (and so are their plans). The
/// fields are in alphabetical order, the order `sweep.json` has always had.
#[derive(Serialize)]
pub struct Settings<'a> {
    base: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    contrast: Option<ContrastSettings<'a>>,
    name: &'a str,
    parameters: &'a [String],
    points: usize,
    replicates: u32,
    results: Vec<&'static str>,
    runs: u64,
    seed: u64,
    years: u32,
}

/// The settings of a contrast: its two scenarios and how many settings were sampled.
#[derive(Serialize)]
struct ContrastSettings<'a> {
    as_written: [&'a str; 2],
    scenarios: &'a [String],
    settings: usize,
}

/// The settings of a sweep, as `sweep.json` records them.
pub fn settings(l: &Loaded) -> Settings<'_> {
    let p = &l.plan;
    Settings {
        base: l.file.base(),
        contrast: p.is_contrast().then(|| ContrastSettings {
            as_written: [l.file.base(), l.file.contrast().unwrap_or_default()],
            scenarios: &p.arms,
            settings: p.settings(),
        }),
        name: &p.name,
        parameters: &p.parameters,
        points: p.points.len(),
        replicates: p.replicates,
        results: dir::result_files(l.file.school_panel()).iter().map(|f| f.name).collect(),
        runs: p.len(),
        seed: p.seed,
        years: p.years,
    }
}

/// The text of `scenario.toml` (and, in a contrast, of `contrast.toml`).
fn scenario_text(l: &Loaded) -> String {
    format!("# The sweep's base scenario, resolved from `{}`\n{}", l.file.base(), l.plan.base.to_toml())
}

/// The text of `contrast.toml`: the contrasted scenario, resolved, with the sweep's settings.
fn contrast_text(l: &Loaded) -> Option<String> {
    let b = l.plan.arm_bases.get(1)?;
    Some(format!(
        "# The contrasted scenario, resolved from `{}`\n{}",
        l.file.contrast().unwrap_or_default(),
        b.to_toml()
    ))
}

/// A contrast in `sweep.json`: its scenarios, pairing, sampled parameters and
/// outcomes (fields in alphabetical order, as the file has always had them).
#[derive(Serialize)]
struct ContrastRecord<'a> {
    outcomes: Vec<OutcomeRecord>,
    paired_replicates: u32,
    pairing: &'static str,
    parameters: Vec<RangeRecord<'a>>,
    scenarios: &'a [String],
    settings: usize,
}

/// A sampled parameter of a contrast: the range it was sampled over, and its plausible range.
#[derive(Serialize)]
struct RangeRecord<'a> {
    parameter: &'a str,
    plausible_range: Option<[f64; 2]>,
    sampled_max: f64,
    sampled_min: f64,
}

/// An outcome a contrast compares, and which way is better.
#[derive(Serialize)]
struct OutcomeRecord {
    better: &'static str,
    measure: &'static str,
    subgroup: &'static str,
}

/// The ranges of a contrast's sampled parameters, for the manifest.
fn contrast_ranges(l: &Loaded) -> ContrastRecord<'_> {
    let p = &l.plan;
    let parameters = p
        .parameters
        .iter()
        .enumerate()
        .map(|(j, path)| {
            let v: Vec<f64> = p
                .points
                .iter()
                .filter_map(|pt| pt.values[j].as_float().or(pt.values[j].as_integer().map(|i| i as f64)))
                .collect();
            RangeRecord {
                parameter: path,
                plausible_range: schoolscape::sweep::contrast::plausible(path).map(|(lo, hi)| [lo, hi]),
                sampled_max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                sampled_min: v.iter().copied().fold(f64::INFINITY, f64::min),
            }
        })
        .collect();
    ContrastRecord {
        outcomes: schoolscape::sweep::contrast::OUTCOMES
            .iter()
            .map(|o| OutcomeRecord {
                better: if o.higher_is_better { "higher" } else { "lower" },
                measure: o.measure,
                subgroup: o.subgroup,
            })
            .collect(),
        paired_replicates: p.replicates,
        pairing: "replicate r of both scenarios at a setting runs from the same seed (common random numbers)",
        parameters,
        scenarios: &p.arms,
        settings: p.settings(),
    }
}

/// Time spent outside the simulations.
#[derive(Debug, Default, Clone, Copy)]
struct Timings {
    planning: Duration,
    opening: Duration,
    writing: Duration,
    /// Run time summed over workers.
    simulating: Duration,
    /// Wall time of the parallel phase.
    running: Duration,
    total: Duration,
}

impl Timings {
    /// Share of the workers' time spent simulating during the parallel phase.
    fn busy(&self, workers: usize) -> f64 {
        self.simulating.as_secs_f64() / (self.running.as_secs_f64() * workers as f64).max(1e-9)
    }
}

/// Seconds spent in each phase, as `sweep.json` records them.
#[derive(Serialize)]
struct TimingsRecord {
    planning: f64,
    opening_and_resuming: f64,
    writing: f64,
    simulating_summed_over_workers: f64,
    running: f64,
    total: f64,
}

/// `sweep.json`: provenance, the sweep's settings, the shard and its progress.
#[derive(Serialize)]
struct SweepManifest<'a> {
    #[serde(flatten)]
    provenance: Provenance,
    sweep_file: String,
    description: &'a str,
    base_scenario: String,
    contrast_scenario: Option<String>,
    settings: Settings<'a>,
    shard: String,
    shard_runs: usize,
    finished_runs: usize,
    status: &'a str,
    contrast: Option<ContrastRecord<'a>>,
    timings_s: TimingsRecord,
    files: BTreeMap<&'static str, &'static str>,
}

fn manifest(
    l: &Loaded,
    clock: &Clock,
    shard: Shard,
    status: &str,
    done: usize,
    shard_runs: usize,
    t: &Timings,
) -> String {
    to_json(&SweepManifest {
        provenance: clock.provenance(),
        sweep_file: l.file.path().display().to_string(),
        description: l.file.description(),
        base_scenario: super::display_path(&l.base_path),
        contrast_scenario: l.contrast_path.as_deref().map(super::display_path),
        settings: settings(l),
        shard: shard.to_string(),
        shard_runs,
        finished_runs: done,
        status,
        contrast: l.plan.is_contrast().then(|| contrast_ranges(l)),
        timings_s: TimingsRecord {
            planning: t.planning.as_secs_f64(),
            opening_and_resuming: t.opening.as_secs_f64(),
            writing: t.writing.as_secs_f64(),
            simulating_summed_over_workers: t.simulating.as_secs_f64(),
            running: t.running.as_secs_f64(),
            total: t.total.as_secs_f64(),
        },
        files: [
            ("plan.csv", "one row per planned run: run_id, point, replicate, seed, and the varied parameters"),
            ("metrics.csv", "long form: run_id, year, measure, subgroup, value (blocks in the order runs finished)"),
            ("schools.csv", "with school_panel = true: the school-by-year panel, keyed by run_id"),
            ("done.csv", "finished runs: run_id and the end of its block in each results file"),
            ("scenario.toml", "the resolved base scenario"),
            ("sweep.toml", "the sweep file as given"),
        ]
        .into_iter()
        .collect(),
    })
}

/// The results files and `done.csv`, open for appending.
struct ResultLog {
    dir: PathBuf,
    files: Vec<(ResultFile, File)>,
    ends: Vec<u64>,
    done: File,
    bufs: Vec<String>,
    /// `done.csv` lines of runs written but not yet committed.
    lines: String,
    written: u64,
    pending: u64,
    committed: u64,
    /// Test only: after this many runs, write half a block and a torn line, then abort.
    crash_after: Option<u64>,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_path_buf(), source }
}

fn open_append(path: &Path) -> Result<File> {
    OpenOptions::new().append(true).open(path).map_err(io(path))
}

/// Cut a file back to `len` bytes.
fn truncate(path: &Path, len: u64) -> Result<()> {
    let f = OpenOptions::new().write(true).open(path).map_err(io(path))?;
    f.set_len(len).map_err(io(path))?;
    f.sync_all().map_err(io(path))
}

impl ResultLog {
    /// Start empty results files and `done.csv`.
    fn create(d: &Path, files: &[ResultFile]) -> Result<ResultLog> {
        for f in files {
            write_atomic(&d.join(f.name), f.header)?;
        }
        write_atomic(&d.join(dir::DONE), &dir::done_header(files))?;
        Self::open(d, files, files.iter().map(|f| f.header.len() as u64).collect())
    }

    /// Continue: cut `done.csv` after its last complete line and each results
    /// file after the last finished run's block, dropping anything partial.
    fn resume(d: &Path, log: &DoneLog) -> Result<ResultLog> {
        let ends = log.ends();
        for (f, &end) in log.files.iter().zip(&ends) {
            let path = d.join(f.name);
            let len = std::fs::metadata(&path).map_err(io(&path))?.len();
            if len < end {
                return Err(Error::input(
                    None,
                    "--resume",
                    format!(
                        "{} is shorter ({len} bytes) than done.csv says ({end}): the directory is damaged",
                        path.display()
                    ),
                    "a sweep directory written by `schoolscape sweep`",
                ));
            }
            if len > end {
                truncate(&path, end)?;
            }
        }
        if log.len > log.valid_len {
            truncate(&d.join(dir::DONE), log.valid_len)?;
        }
        Self::open(d, &log.files, ends)
    }

    fn open(d: &Path, files: &[ResultFile], ends: Vec<u64>) -> Result<ResultLog> {
        let opened = files.iter().map(|f| Ok((*f, open_append(&d.join(f.name))?))).collect::<Result<Vec<_>>>()?;
        Ok(ResultLog {
            dir: d.to_path_buf(),
            bufs: vec![String::new(); files.len()],
            files: opened,
            ends,
            done: open_append(&d.join(dir::DONE))?,
            lines: String::new(),
            written: 0,
            pending: 0,
            committed: 0,
            crash_after: std::env::var("SCHOOLSCAPE_TEST_CRASH_AFTER").ok().and_then(|v| v.parse().ok()),
        })
    }

    /// Append finished runs' blocks to the results files. They count as
    /// finished only once [`ResultLog::commit`] has recorded them.
    fn write(&mut self, batch: &[(RunSpec, ReplicateResult)]) -> Result<()> {
        for b in &mut self.bufs {
            b.clear();
        }
        for (run, result) in batch {
            if self.crash_after == Some(self.written) {
                self.crash(run, result);
            }
            let mut line = run.run_id.to_string();
            for (k, (f, _)) in self.files.iter().enumerate() {
                let before = self.bufs[k].len();
                (f.rows)(run.run_id, result, &mut self.bufs[k]);
                self.ends[k] += (self.bufs[k].len() - before) as u64;
                line.push_str(&format!(",{}", self.ends[k]));
            }
            self.lines.push_str(&line);
            self.lines.push('\n');
            self.written += 1;
            self.pending += 1;
        }
        for (k, (f, file)) in self.files.iter_mut().enumerate() {
            file.write_all(self.bufs[k].as_bytes()).map_err(io(&self.dir.join(f.name)))?;
        }
        Ok(())
    }

    /// Record the runs written since the last commit as finished: sync the
    /// results files, then append their lines to `done.csv` and sync it.
    /// Returns how many runs were recorded.
    fn commit(&mut self) -> Result<u64> {
        if self.pending == 0 {
            return Ok(0);
        }
        for (f, file) in &self.files {
            file.sync_data().map_err(io(&self.dir.join(f.name)))?;
        }
        let path = self.dir.join(dir::DONE);
        self.done.write_all(self.lines.as_bytes()).map_err(io(&path))?;
        self.done.sync_data().map_err(io(&path))?;
        self.lines.clear();
        self.committed += self.pending;
        Ok(std::mem::take(&mut self.pending))
    }

    /// Test only: record what is written, then die as a kill would, half-way
    /// through writing the next run.
    fn crash(&mut self, run: &RunSpec, result: &ReplicateResult) -> ! {
        // Runs of this batch before the crash are recorded in full first, as
        // the normal path writes every block before committing it.
        for (k, (_, file)) in self.files.iter_mut().enumerate() {
            let _ = file.write_all(self.bufs[k].as_bytes());
        }
        let _ = self.commit();
        let mut block = String::new();
        (self.files[0].0.rows)(run.run_id, result, &mut block);
        let _ = self.files[0].1.write_all(&block.as_bytes()[..block.len() / 2]);
        let _ = self.done.write_all(format!("{},{}", run.run_id, self.ends[0]).as_bytes());
        std::process::abort();
    }
}

/// The longest a finished run waits to be recorded in `done.csv`.
const COMMIT_EVERY: Duration = Duration::from_millis(500);

/// Is the directory missing or empty?
fn is_empty_dir(d: &Path) -> bool {
    d.read_dir().map(|mut r| r.next().is_none()).unwrap_or(true)
}

/// Open the output directory: start a new sweep in it, or (with `--resume`)
/// continue the one it holds after checking it is the same sweep.
fn open_dir(a: &SweepArgs, l: &Loaded, clock: &Clock, shard: Shard, plan_csv: &str) -> Result<(ResultLog, Vec<bool>)> {
    let d = &a.out;
    let files = dir::result_files(l.file.school_panel());
    let started = d.join(dir::MANIFEST).exists();
    if started && !a.resume {
        return Err(Error::input(
            None,
            "--out",
            format!("{} already holds a sweep; nothing was run, so nothing in it is lost", d.display()),
            "--resume to continue it, or a new directory",
        ));
    }
    if !started && !is_empty_dir(d) {
        check_unstarted(d, a.resume)?;
    }
    std::fs::create_dir_all(d).map_err(io(d))?;
    let mut done = vec![false; l.plan.len() as usize];
    if !started {
        write_atomic(&d.join(dir::PLAN), plan_csv)?;
        write_atomic(&d.join(dir::SCENARIO), &scenario_text(l))?;
        if let Some(t) = contrast_text(l) {
            write_atomic(&d.join(dir::CONTRAST_SCENARIO), &t)?;
        }
        write_atomic(&d.join(dir::SWEEP_FILE), l.file.text())?;
        let log = ResultLog::create(d, &files)?;
        write_atomic(&d.join(dir::MANIFEST), &manifest(l, clock, shard, "running", 0, 0, &Timings::default()))?;
        return Ok((log, done));
    }
    check_same_sweep(d, l, shard, plan_csv)?;
    let done_path = d.join(dir::DONE);
    let log = if done_path.exists() {
        let log = dir::read_done(&done_path, l.plan.len())?;
        if log.files.iter().map(|f| f.name).ne(files.iter().map(|f| f.name)) {
            return Err(different_sweep(d, "its done.csv records other results files".into()));
        }
        for e in &log.entries {
            done[e.run_id as usize] = true;
        }
        ResultLog::resume(d, &log)?
    } else {
        ResultLog::create(d, &files)?
    };
    Ok((log, done))
}

/// A directory that is not empty and holds no started sweep: only a sweep
/// killed while starting (its own files, before sweep.json), and that only
/// to resume.
fn check_unstarted(d: &Path, resume: bool) -> Result<()> {
    // A sweep killed while starting leaves only its own files, before sweep.json.
    let ours = [
        dir::PLAN,
        dir::SCENARIO,
        dir::CONTRAST_SCENARIO,
        dir::SWEEP_FILE,
        dir::DONE,
        dir::METRICS.name,
        dir::SCHOOLS.name,
    ];
    let foreign: Vec<String> = d
        .read_dir()
        .map_err(io(d))?
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !ours.contains(&n.trim_end_matches(".partial")))
        .collect();
    if foreign.is_empty() && !resume {
        return Err(Error::input(
            None,
            "--out",
            format!("{} holds a sweep stopped before its first run", d.display()),
            "--resume to start it again, or a new directory",
        ));
    }
    if !foreign.is_empty() {
        return Err(Error::input(
            None,
            "--out",
            format!("{} already holds files that are not a sweep ({})", d.display(), foreign.join(", ")),
            "an empty or new directory",
        ));
    }
    Ok(())
}

/// A directory's sweep refused for resuming: it is another sweep.
fn different_sweep(d: &Path, what: String) -> Error {
    Error::input(
        None,
        "--resume",
        format!("{} holds a different sweep: {what}", d.display()),
        "--resume with the sweep file, shard and base scenario that started it, or a new directory",
    )
}

/// The sweep in `d` is this one: same settings, shard, plan and base scenario.
fn check_same_sweep(d: &Path, l: &Loaded, shard: Shard, plan_csv: &str) -> Result<()> {
    let old = dir::read_manifest(d)?;
    let new = serde_json::to_value(settings(l)).unwrap_or_default();
    if old["settings"] != new {
        let keys: Vec<String> = new
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, v)| old["settings"][k.as_str()] != **v)
            .map(|(k, v)| format!("{k} was {} and is now {v}", old["settings"][k.as_str()]))
            .collect();
        return Err(different_sweep(d, keys.join("; ")));
    }
    if old["shard"] != shard.to_string() {
        return Err(different_sweep(d, format!("it is shard {}, not {shard}", old["shard"])));
    }
    if dir::read_text(&d.join(dir::PLAN))? != plan_csv {
        return Err(different_sweep(d, "its plan.csv differs from this sweep's plan".into()));
    }
    if dir::read_text(&d.join(dir::SCENARIO))? != scenario_text(l) {
        return Err(different_sweep(d, "its base scenario (scenario.toml) differs".into()));
    }
    Ok(())
}

/// Run `todo` in parallel and record each run as it finishes. Returns the
/// time the writer spent writing and syncing, the time spent in runs summed
/// over workers, and how the runs ended.
fn execute(
    plan: &Plan,
    csv: Option<&CsvRegion>,
    todo: &[RunSpec],
    log: &mut ResultLog,
    progress: &mut Progress,
) -> (Duration, Duration, Result<()>) {
    let stop: &AtomicBool = stop_flag();
    let next = AtomicUsize::new(0);
    let failure: Mutex<Option<Error>> = Mutex::new(None);
    let fail = |e: Error| {
        if let Ok(mut f) = failure.lock() {
            f.get_or_insert(e);
        }
        stop.store(true, Ordering::SeqCst);
    };
    let workers = rayon::current_num_threads().max(1);
    let writing = AtomicU64::new(0);
    let simulating = AtomicU64::new(0);
    std::thread::scope(|ts| {
        let (tx, rx) = sync_channel::<(RunSpec, ReplicateResult)>(2 * workers);
        let (next, fail, simulating) = (&next, &fail, &simulating);
        ts.spawn(move || {
            // One worker loop per pool thread. A broadcast job belongs to its
            // thread, so a thread waiting inside a run's parallel loop never
            // picks up another worker loop: each takes the next run when its
            // own run is done, and runs finish in about the order of their ids.
            rayon::broadcast(|_| {
                while !stop.load(Ordering::Relaxed) {
                    let Some(run) = todo.get(next.fetch_add(1, Ordering::Relaxed)) else { break };
                    let t = Instant::now();
                    let result = run_one(plan.scenario(run), csv, plan.years, run.seed, run.replicate, stop);
                    simulating.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
                    match result {
                        Ok(r) => {
                            if tx.send((*run, r)).is_err() {
                                break;
                            }
                        }
                        Err(Error::Interrupted) => break,
                        Err(e) => {
                            fail(e);
                            break;
                        }
                    }
                }
            });
            drop(tx);
        });
        // Write blocks as runs finish; commit them at most every COMMIT_EVERY
        // (and at the end), so a sync is shared by the runs finished meanwhile.
        let mut batch = Vec::new();
        let mut last_commit = Instant::now();
        loop {
            let message = if log.pending > 0 {
                rx.recv_timeout(COMMIT_EVERY.saturating_sub(last_commit.elapsed()))
            } else {
                rx.recv().map_err(|_| RecvTimeoutError::Disconnected)
            };
            let t = Instant::now();
            let closed = match message {
                Ok(first) => {
                    batch.push(first);
                    while let Ok(more) = rx.try_recv() {
                        batch.push(more);
                    }
                    let written = log.write(&batch);
                    batch.clear();
                    if let Err(e) = written {
                        fail(e);
                        break;
                    }
                    false
                }
                Err(RecvTimeoutError::Timeout) => false,
                Err(RecvTimeoutError::Disconnected) => true,
            };
            if closed || last_commit.elapsed() >= COMMIT_EVERY {
                match log.commit() {
                    Ok(n) => (0..n).for_each(|_| progress.inc()),
                    Err(e) => {
                        fail(e);
                        break;
                    }
                }
                last_commit = Instant::now();
            }
            writing.fetch_add(t.elapsed().as_nanos() as u64, Ordering::Relaxed);
            if closed {
                break;
            }
        }
        drop(rx);
    });
    let writing = Duration::from_nanos(writing.into_inner());
    let simulating = Duration::from_nanos(simulating.into_inner());
    if let Some(e) = failure.into_inner().ok().flatten() {
        return (writing, simulating, Err(e));
    }
    let stopped = stop.load(Ordering::SeqCst) && (log.committed as usize) < todo.len();
    (writing, simulating, if stopped { Err(Error::Interrupted) } else { Ok(()) })
}

/// `schoolscape sweep`.
pub fn sweep(a: &SweepArgs) -> Result<()> {
    let start = Instant::now();
    if let Some(t) = a.threads {
        super::run::check_threads(t)?;
    }
    let l = load(&a.sweep)?;
    execute_loaded(a, &l, start)
}

/// Estimate the memory and time of the runs of `shard` before any work, and
/// refuse (unless `--force`) a sweep that would not fit on this machine.
fn check_fits(a: &SweepArgs, l: &Loaded, shard: Shard) -> Result<()> {
    let threads = a.threads.unwrap_or_else(super::run::default_threads);
    let mut runs = vec![0.0f64; l.plan.points.len()];
    for r in l.plan.shard_runs(shard) {
        runs[r.point] += 1.0;
    }
    let sizes = l.csv.as_ref().map(|c| (c.neighbourhoods.len(), c.schools.len()));
    let key = if l.plan.is_contrast() { "settings" } else { "replicates" };
    let e = schoolscape::estimate::estimate_batch(
        l.plan.points.iter().zip(&runs).filter(|(_, n)| **n > 0.0).map(|(p, n)| (&p.scenario, *n)),
        threads,
        sizes,
        key,
    );
    let what = format!(
        "{} {} ({}: {} runs{})",
        if l.plan.is_contrast() { "the contrast" } else { "the sweep" },
        l.plan.name,
        l.file.path().display(),
        runs.iter().sum::<f64>(),
        if shard == Shard::ALL { String::new() } else { format!(" in shard {shard}") }
    );
    super::run::refuse_unfit(&e, &what, threads, a.force, "a smaller `{}` in the scenario, or fewer threads")
}

/// Run a loaded sweep (or contrast) into `a.out`: everything after planning.
pub fn execute_loaded(a: &SweepArgs, l: &Loaded, start: Instant) -> Result<()> {
    let clock = Clock::start();
    let shard = a.shard.unwrap_or(Shard::ALL);
    let plan_csv = dir::plan_csv(&l.plan);
    let mut t = Timings { planning: start.elapsed(), ..Timings::default() };
    set_threads(a.threads);

    check_fits(a, l, shard)?;
    let opening = Instant::now();
    let (mut log, done) = open_dir(a, l, &clock, shard, &plan_csv)?;
    let shard_runs: Vec<RunSpec> = l.plan.shard_runs(shard).collect();
    let todo: Vec<RunSpec> = shard_runs.iter().filter(|r| !done[r.run_id as usize]).copied().collect();
    let before = shard_runs.len() - todo.len();
    t.opening = opening.elapsed();

    if !a.quiet {
        let p = &l.plan;
        eprintln!(
            "Sweep {} ({}): {} points × {} replicate{} = {} runs of {} years{}; {} to run{}",
            p.name,
            l.file.path().display(),
            p.points.len(),
            p.replicates,
            if p.replicates == 1 { "" } else { "s" },
            p.len(),
            p.years,
            if shard == Shard::ALL { String::new() } else { format!("; shard {shard}: {} runs", shard_runs.len()) },
            todo.len(),
            if before > 0 { format!(" ({before} already finished)") } else { String::new() },
        );
    }
    let mut progress = Progress::new(shard_runs.len() as u64, "runs", a.quiet);
    progress.skip(before as u64);
    let running = Instant::now();
    let (writing, simulating, result) = execute(&l.plan, l.csv.as_ref(), &todo, &mut log, &mut progress);
    progress.finish();
    let ran = running.elapsed();
    t.simulating = simulating;
    t.running = ran;
    let finished = before + log.committed as usize;
    t.writing = writing;
    t.total = start.elapsed();
    let status = match &result {
        Ok(_) => "complete",
        Err(Error::Interrupted) => "interrupted",
        Err(_) => "failed",
    };
    write_atomic(&a.out.join(dir::MANIFEST), &manifest(l, &clock, shard, status, finished, shard_runs.len(), &t))?;
    match result {
        Ok(_) => {
            if !a.quiet {
                let n = log.committed;
                let pct = |d: Duration| 100.0 * d.as_secs_f64() / t.total.as_secs_f64().max(1e-9);
                out(&format!(
                    "Ran {n} runs in {:.1} s ({:.2} runs/s on {} threads; workers simulating {:.1}% of the time).\n\
                     Outside the runs: planning {:.3} s ({:.2}% of {:.1} s), opening{} {:.4} s ({:.3}%); \
                     writing (beside the runs) {:.3} s ({:.2}%).\n\
                     Results in {}: plan.csv, metrics.csv{}, done.csv, sweep.json.\n{}\n",
                    ran.as_secs_f64(),
                    n as f64 / ran.as_secs_f64().max(1e-9),
                    rayon::current_num_threads(),
                    100.0 * t.busy(rayon::current_num_threads()),
                    t.planning.as_secs_f64(),
                    pct(t.planning),
                    t.total.as_secs_f64(),
                    if before > 0 { " and resuming" } else { "" },
                    t.opening.as_secs_f64(),
                    pct(t.opening),
                    t.writing.as_secs_f64(),
                    pct(t.writing),
                    a.out.display(),
                    if l.file.school_panel() { ", schools.csv" } else { "" },
                    if l.plan.is_contrast() && shard == Shard::ALL {
                        String::new()
                    } else if shard == Shard::ALL {
                        format!("Summarise with: schoolscape sweep-summary {}", a.out.display())
                    } else {
                        "When every shard has finished, combine them with: schoolscape merge DIR... --out MERGED".into()
                    }
                ));
            }
            // Charts of the whole plan only; a failure to draw them is a warning.
            if shard == Shard::ALL && !a.no_plots {
                super::plot::draw_after(&a.out, a.quiet);
            }
            Ok(())
        }
        Err(Error::Interrupted) => {
            eprintln!(
                "Interrupted: {finished} of {} runs are finished and recorded in {}; continue with --resume",
                shard_runs.len(),
                a.out.display()
            );
            Err(Error::Interrupted)
        }
        Err(e) => Err(e),
    }
}
