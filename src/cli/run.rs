//! `schoolscape run`: run the replicates of one scenario and write tidy outputs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use schoolscape::region::{CsvRegion, read_csv_region};
use schoolscape::run::{ReplicateResult, run_replicate_range};
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
        check_threads(t)?;
    }
    Ok(s)
}

/// Refuse a number of worker threads the machine cannot start.
pub fn check_threads(t: usize) -> Result<()> {
    if !(1..=schoolscape::limits::MAX_THREADS).contains(&t) {
        return Err(Error::input(
            None,
            "--threads",
            format!("{t} threads"),
            format!("1 to {}", schoolscape::limits::MAX_THREADS),
        ));
    }
    Ok(())
}

/// Estimate the memory and time of running `s` before any work, and refuse
/// (unless `force`) a run that would not fit on this machine, naming the
/// estimate and the key to change.
pub fn check_fits(
    s: &Scenario,
    path: &Path,
    csv: Option<&CsvRegion>,
    threads: Option<usize>,
    force: bool,
) -> Result<()> {
    let threads = threads.unwrap_or_else(default_threads);
    let e = schoolscape::estimate::estimate(s, threads, csv.map(|c| (c.neighbourhoods.len(), c.schools.len())));
    let what = format!("this run of `{}` ({})", s.name, display_path(path));
    refuse_unfit(&e, &what, threads, force, "a smaller `{}`, fewer threads, or --scale below 1")
}

/// Worker threads when none are asked for: the machine's cores.
pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Refuse (unless `force`) work estimated at more memory than this machine
/// allows or a longer time than [`schoolscape::estimate::MAX_SECONDS`], with
/// the estimate and the key to change. `memory_fix` says what to change,
/// with `{}` for the key.
pub fn refuse_unfit(
    e: &schoolscape::estimate::Estimate,
    what: &str,
    threads: usize,
    force: bool,
    memory_fix: &str,
) -> Result<()> {
    use schoolscape::estimate::{MAX_SECONDS, memory_limit};
    use schoolscape::limits::{human_bytes, human_seconds};
    let memory = memory_limit();
    if force {
        return Ok(());
    }
    if e.bytes > 0.8 * memory {
        return Err(Error::input(
            None,
            e.memory_key,
            format!(
                "{what} would need about {} of memory, more than the {} allowed: four fifths of the {} \
                 this machine (or this job's limit) has (nothing was run; --force tries anyway)",
                human_bytes(e.bytes),
                human_bytes(0.8 * memory),
                human_bytes(memory)
            ),
            memory_fix.replace("{}", e.memory_key),
        ));
    }
    if e.seconds > MAX_SECONDS {
        return Err(Error::input(
            None,
            e.time_key,
            format!(
                "{what} would take about {} on {threads} threads (nothing was run; --force tries anyway)",
                human_seconds(e.seconds)
            ),
            format!("work estimated at under {}: fewer `{}`", human_seconds(MAX_SECONDS), e.time_key),
        ));
    }
    Ok(())
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
            // The name comes from the scenario: the same file-name-safe form
            // as every command's output names, so it stays under results/.
            let base = Path::new("results").join(super::plot::file_stem(name));
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
    let scenario = apply_overrides(s, a).map_err(|e| e.noting(&path, &format!("running {}", display_path(&path))))?;
    let csv = csv_of(&scenario, &path)?;
    if let Some(csv) = &csv {
        check_targets(&path, &scenario, csv)?;
    }
    check_fits(&scenario, &path, csv.as_ref(), a.threads, a.force)?;
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

/// The CSV region a scenario (from `path`) reads, if it reads one; a
/// problem in a CSV file says which scenario named it.
pub fn csv_of(s: &Scenario, path: &Path) -> Result<Option<CsvRegion>> {
    if s.region.source != RegionSource::Csv {
        return Ok(None);
    }
    read_csv_region(s).map(Some).map_err(|e| e.noting(path, &format!("named by {}", display_path(path))))
}

/// Set the number of worker threads for the whole process.
pub fn set_threads(threads: Option<usize>) {
    if let Some(t) = threads {
        let _ = rayon::ThreadPoolBuilder::new().num_threads(t).build_global();
    }
}

/// The data files of a run, in a fixed order.
const DATA_FILES: [&str; 5] = ["metrics.csv", "schools.csv", "runs.csv", "school_sites.csv", "neighbourhoods.csv"];

/// How often the manifest is brought up to date while a run goes on.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// Writes replicates' rows in replicate order as they finish. What is on
/// disk is always replicates `0..n` whole (plus perhaps a torn tail); every
/// half second the files are synced and the manifest records `n` and each
/// file's length, so a killed run can be resumed from there.
struct Writer<'a> {
    p: &'a Prepared,
    dir: PathBuf,
    next: u32,
    pending: BTreeMap<u32, ReplicateResult>,
    /// The files of [`DATA_FILES`], in that order.
    files: Vec<AtomicFile>,
    /// Run id of replicate 0 (a comparison numbers its scenarios' runs apart).
    first_run_id: u64,
    /// When the work started, for the manifest.
    clock: Clock,
    headline: Headline,
    buf: String,
    /// The last state known to be on disk: replicates `0..n` and each file's length.
    synced: (u32, Vec<u64>),
    last_checkpoint: std::time::Instant,
}

impl<'a> Writer<'a> {
    fn new(p: &'a Prepared, dir: &Path, first_run_id: u64) -> Result<Writer<'a>> {
        let mut files = DATA_FILES.iter().map(|f| AtomicFile::create(&dir.join(f))).collect::<Result<Vec<_>>>()?;
        let headers = [
            output::METRICS_HEADER,
            output::SCHOOLS_HEADER,
            output::RUNS_HEADER,
            output::SITES_HEADER,
            output::NEIGHBOURHOODS_HEADER,
        ];
        for (f, h) in files.iter_mut().zip(headers) {
            f.write_str(h)?;
        }
        let mut w = Writer::with_files(p, dir, 0, files, Headline::default(), first_run_id);
        w.checkpoint()?;
        Ok(w)
    }

    /// Continue an unfinished run: replicates `0..done` are on disk in the
    /// first `bytes` of each file.
    fn resume(p: &'a Prepared, dir: &Path, done: u32, bytes: &[u64], headline: Headline) -> Result<Writer<'a>> {
        let files = DATA_FILES
            .iter()
            .zip(bytes)
            .map(|(f, &len)| AtomicFile::resume(&dir.join(f), len))
            .collect::<Result<Vec<_>>>()?;
        Ok(Writer::with_files(p, dir, done, files, headline, 0))
    }

    fn with_files(
        p: &'a Prepared,
        dir: &Path,
        next: u32,
        files: Vec<AtomicFile>,
        headline: Headline,
        first_run_id: u64,
    ) -> Writer<'a> {
        let lens = files.iter().map(AtomicFile::len).collect();
        Writer {
            p,
            dir: dir.to_path_buf(),
            next,
            pending: BTreeMap::new(),
            files,
            first_run_id,
            clock: Clock::start(),
            headline,
            buf: String::new(),
            synced: (next, lens),
            last_checkpoint: std::time::Instant::now(),
        }
    }

    fn write(&mut self, r: ReplicateResult) -> Result<()> {
        let run_id = self.first_run_id + u64::from(r.replicate);
        for k in 0..DATA_FILES.len() {
            self.buf.clear();
            match k {
                0 => output::metrics_rows(run_id, &r, &mut self.buf),
                1 => output::school_rows(run_id, &r, &mut self.buf),
                2 => {
                    let row = output::RunRow {
                        run_id,
                        scenario: &self.p.scenario.name,
                        replicate: r.replicate,
                        seed: r.seed,
                    };
                    output::csv_rows([row], &mut self.buf);
                }
                3 => output::site_rows(run_id, &r, &mut self.buf),
                _ => output::neighbourhood_rows(run_id, &r, &mut self.buf),
            }
            self.files[k].write_str(&self.buf)?;
        }
        self.headline.add(&r);
        Ok(())
    }

    /// Accept a finished replicate; write every replicate now in order.
    fn accept(&mut self, r: ReplicateResult) -> Result<()> {
        self.pending.insert(r.replicate, r);
        while let Some(r) = self.pending.remove(&self.next) {
            self.write(r)?;
            self.next += 1;
        }
        if self.last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Sync the files and record in the manifest what they hold.
    fn checkpoint(&mut self) -> Result<()> {
        for f in &mut self.files {
            f.sync()?;
        }
        self.synced = (self.next, self.files.iter().map(AtomicFile::len).collect());
        self.last_checkpoint = std::time::Instant::now();
        output::write_atomic(
            &self.dir.join("manifest.json"),
            &manifest(self.p, &self.clock, "running", self.synced.0, &self.synced.1),
        )
    }

    /// Close the files: after success or an interruption, under their final
    /// names, holding replicates `0..n` (replicates that finished out of
    /// order are dropped: a resume runs them again). Returns `n` and the lengths.
    fn close(mut self) -> Result<(Headline, u32, Vec<u64>)> {
        self.pending.clear();
        for f in &mut self.files {
            f.sync()?;
        }
        let lens: Vec<u64> = self.files.iter().map(AtomicFile::len).collect();
        for f in self.files {
            f.finish()?;
        }
        Ok((self.headline, self.next, lens))
    }
}

/// `manifest.json` of a run: provenance, seeds, status and the resolved
/// scenario; what is done: the replicates `0..done` whole on disk, and the
/// length of each data file that holds them (what `run --resume` continues from).
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
    completed_replicates: Vec<u32>,
    written_bytes: BTreeMap<&'static str, u64>,
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
pub fn manifest(p: &Prepared, clock: &Clock, status: &str, done: u32, bytes: &[u64]) -> String {
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
        completed_replicates: (0..done).collect(),
        written_bytes: DATA_FILES.into_iter().zip(bytes.iter().copied()).collect(),
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
    let writer = Writer::new(p, dir, first_run_id)?;
    run_with(p, writer, quiet, label)
}

/// Run the replicates a writer has not written yet, then close the files
/// and write the manifest, true to what is on disk whatever happened.
fn run_with(p: &Prepared, writer: Writer<'_>, quiet: bool, label: &str) -> Result<Headline> {
    let s = &p.scenario;
    let dir = writer.dir.clone();
    let clock = writer.clock.clone();
    let start = writer.next;
    let writer = Mutex::new(writer);
    let progress = Mutex::new(Progress::new((s.run.replicates - start) as u64, label, quiet));
    let stop = stop_flag();
    let result = run_replicate_range(s, p.csv.as_ref(), s.run.years, start..s.run.replicates, s.run.seed, stop, |r| {
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
    let synced = writer.synced.clone();
    let closed = match &result {
        Ok(()) | Err(Error::Interrupted) => writer.close(),
        // After a failure (a full disk), the files stay `.partial`: the
        // manifest records the last state known to be whole on disk.
        Err(_) => Err(Error::Interrupted),
    };
    let (status, headline, done, bytes, close_error) = match (&result, closed) {
        (Ok(()), Ok((h, n, b))) => ("complete", h, n, b, None),
        (Err(Error::Interrupted), Ok((h, n, b))) => ("interrupted", h, n, b, None),
        (_, closed) => ("failed", Headline::default(), synced.0, synced.1, closed.err()),
    };
    let written = output::write_atomic(&dir.join("manifest.json"), &manifest(p, &clock, status, done, &bytes));
    match (result, close_error) {
        (Ok(()), None) => written.map(|()| headline),
        // The files could not be completed (a full disk): say why.
        (Ok(()) | Err(Error::Interrupted), Some(e)) => Err(e),
        (Err(e), _) => Err(e),
    }
}

/// `schoolscape run --resume DIR`: finish an unfinished run from what its
/// manifest records as whole on disk; the result has the same bytes as an
/// uninterrupted run.
fn resume(dir: &Path, a: &RunArgs) -> Result<()> {
    let bad = |message: String| {
        Error::input(
            None,
            "--resume",
            message,
            "the output directory of an unfinished `schoolscape run`, with its manifest.json",
        )
    };
    if a.scenario.is_some()
        || a.years.is_some()
        || a.replicates.is_some()
        || a.seed.is_some()
        || a.scale.is_some()
        || !a.set.is_empty()
    {
        return Err(bad("a resumed run takes its scenario and settings from its manifest".into()));
    }
    if a.out.is_some() {
        return Err(bad("--resume writes into the directory it resumes; --out is not used with it".into()));
    }
    let path = dir.join("manifest.json");
    let text = schoolscape::limits::read_text(&path, schoolscape::limits::MAX_TOML_BYTES)
        .map_err(|source| Error::Io { path: path.clone(), source })?;
    let m: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| bad(format!("{}: not a run manifest: {e}", path.display())))?;
    match m["status"].as_str() {
        Some("complete") => {
            return Err(bad(format!(
                "{} is complete: nothing to resume (if its charts or report are missing, `schoolscape plot {}` draws them)",
                dir.display(),
                dir.display()
            )));
        }
        Some("running" | "interrupted" | "failed") => {}
        _ => return Err(bad(format!("{} has no status a run writes", path.display()))),
    }
    let scenario: Scenario = serde_json::from_value(m["resolved_scenario"].clone())
        .map_err(|e| bad(format!("{}: the resolved scenario cannot be read: {e}", path.display())))?;
    let problems = validate(&scenario);
    if !problems.is_empty() {
        return Err(Error::Input(problems));
    }
    let done: Vec<u64> = m["completed_replicates"]
        .as_array()
        .map(|v| v.iter().filter_map(serde_json::Value::as_u64).collect())
        .unwrap_or_default();
    if done.iter().enumerate().any(|(i, r)| *r != i as u64) || done.len() as u64 > scenario.run.replicates as u64 {
        return Err(bad(format!("{}: the completed replicates are not 0, 1, 2, ...", path.display())));
    }
    let bytes: Option<Vec<u64>> = DATA_FILES.iter().map(|f| m["written_bytes"][*f].as_u64()).collect();
    let Some(bytes) = bytes else {
        return Err(bad(format!(
            "{}: no record of the bytes written (a manifest of an older version)",
            path.display()
        )));
    };
    let csv = if scenario.region.source == RegionSource::Csv { Some(read_csv_region(&scenario)?) } else { None };
    set_threads(a.threads);
    let sets = m["set"].as_array().map(|v| v.iter().filter_map(|x| x.as_str().map(str::to_string)).collect());
    let p = Prepared {
        path: PathBuf::from(m["scenario_file"].as_str().unwrap_or("")),
        scenario,
        csv,
        sets: sets.unwrap_or_default(),
    };
    let n = done.len() as u32;
    let headline = headline_from_metrics(&dir.join("metrics.csv"), bytes[0])?;
    let writer = Writer::resume(&p, dir, n, &bytes, headline)?;
    if !a.quiet {
        eprintln!(
            "Resuming {} in {}: {} of {} replicates done",
            p.scenario.name,
            dir.display(),
            n,
            p.scenario.run.replicates
        );
    }
    let headline = run_with(&p, writer, a.quiet, "replicates");
    finish_run(&p, dir, a, headline)
}

/// The headline table's values from the first `len` bytes of a run's metrics
/// (`.partial` or not), for the replicates already written.
fn headline_from_metrics(path: &Path, len: u64) -> Result<Headline> {
    let partial = output::partial_name(path);
    let file = if partial.exists() { partial } else { path.to_path_buf() };
    let io = |source| Error::Io { path: file.clone(), source };
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::Read::take(std::fs::File::open(&file).map_err(io)?, len), &mut bytes)
        .map_err(io)?;
    let mut headline = Headline::default();
    let mut rows: Vec<(u32, String, String, f64)> = Vec::new();
    let mut current: Option<String> = None;
    for rec in csv::Reader::from_reader(&bytes[..]).records() {
        let rec = rec.map_err(|e| Error::Io { path: file.clone(), source: std::io::Error::other(e) })?;
        let replicate = rec.get(0).unwrap_or("").to_string();
        if current.as_deref() != Some(replicate.as_str()) {
            if current.is_some() {
                headline.add_rows(&rows);
            }
            rows.clear();
            current = Some(replicate);
        }
        let year = rec.get(1).and_then(|y| y.parse().ok()).unwrap_or(0);
        let value = rec.get(4).filter(|v| !v.is_empty()).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN);
        rows.push((year, rec.get(2).unwrap_or("").to_string(), rec.get(3).unwrap_or("").to_string(), value));
    }
    if current.is_some() {
        headline.add_rows(&rows);
    }
    Ok(headline)
}

/// `schoolscape run`.
pub fn run(a: &RunArgs) -> Result<()> {
    if let Some(dir) = &a.resume {
        return resume(dir, a);
    }
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
    finish_run(&p, &dir, a, result)
}

/// Print the summary and draw the charts of a finished run, or say where
/// the finished replicates of an interrupted one are.
fn finish_run(p: &Prepared, dir: &Path, a: &RunArgs, result: Result<Headline>) -> Result<()> {
    let s = &p.scenario;
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
                super::plot::draw_after(dir, a.quiet);
            }
            Ok(())
        }
        Err(Error::Interrupted) => {
            eprintln!(
                "Interrupted: the replicates that finished are in {} (see manifest.json); \
                 `schoolscape run --resume {}` runs the rest",
                dir.display(),
                dir.display()
            );
            Err(Error::Interrupted)
        }
        Err(e) => Err(e),
    }
}
