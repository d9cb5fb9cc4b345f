//! Command-line front end: arguments become a validated configuration once,
//! before any work; library errors become messages and exit codes.

pub use schoolscape::scenario::bundled;
mod compare;
mod contrast;
mod explore;
mod export;
pub mod manifest;
mod merge;
pub mod output;
pub mod plot;
mod progress;
mod run;
pub mod set;
mod slurm;
mod summary;
mod sweep;
mod sweep_dir;
mod sweep_summary;
mod validate;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use schoolscape::scenario::{Loader, docs};
use schoolscape::{Error, Scenario};

/// schoolscape: an agent-based simulator of school systems under market choice and collaboration.
#[derive(Debug, Parser)]
#[command(name = "schoolscape", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario: replicates in parallel, measures for every year, a summary table.
    Run(RunArgs),
    /// Check a scenario file without running it.
    Check {
        /// Scenario file, or the name of a bundled scenario.
        scenario: String,
        /// Print the fully resolved scenario (after `extends` and defaults),
        /// each parameter with its unit and plausible range.
        #[arg(long)]
        resolved: bool,
        /// Set a parameter by its dotted path (repeatable), as in a scenario file.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<String>,
    },
    /// List every numeric parameter: unit, default, allowed and plausible range, role, basis.
    Params {
        /// Print the table of docs/ODD.md (Markdown).
        #[arg(long, conflicts_with = "json")]
        markdown: bool,
        /// Print the registry as JSON (for interfaces and scripts).
        #[arg(long)]
        json: bool,
    },
    /// List the bundled scenarios.
    Scenarios,
    /// Explore a scenario live in the browser: controls, a map and charts that grow year by year.
    Explore(explore::ExploreArgs),
    /// Run several scenarios with common random numbers and compare them: charts, maps, report.
    Compare(compare::CompareArgs),
    /// Contrast two scenarios over the plausible ranges of their parameters: who wins where, and why.
    Contrast(contrast::ContrastArgs),
    /// Redraw the charts and report of a run, comparison or sweep directory from its CSV files.
    Plot(plot::PlotArgs),
    /// Run a parameter sweep: plan every run, run them in parallel, stream results to disk, draw charts.
    Sweep(sweep::SweepArgs),
    /// Combine sweep shard directories into one, checking every planned run is there exactly once.
    Merge(merge::MergeArgs),
    /// Write a Slurm job-array script for a sweep, and a merge job that waits for it.
    Slurm(slurm::SlurmArgs),
    /// Run the validation cases against published results and report pass or fail.
    Validate(validate::ValidateArgs),
    /// Summarise a sweep: final-year table per point, and parameters ranked by influence (SRRC).
    SweepSummary(sweep_summary::SummaryArgs),
    /// Write the CSV files of a run, comparison, sweep or contrast directory as Parquet
    /// (typed columns; needs a build with the cargo feature `parquet`).
    Export(export::ExportArgs),
}

/// Options of `schoolscape run`.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Scenario file, or the name of a bundled scenario (default: market).
    pub scenario: Option<String>,
    /// Options shared with `compare`.
    #[command(flatten)]
    pub opts: RunOptions,
    /// Finish an unfinished run (killed, interrupted or out of disk) in its
    /// output directory: the result has the same bytes as an uninterrupted run.
    #[arg(long, value_name = "DIR", conflicts_with = "scenario")]
    pub resume: Option<PathBuf>,
}

impl std::ops::Deref for RunArgs {
    type Target = RunOptions;
    fn deref(&self) -> &RunOptions {
        &self.opts
    }
}

/// Options shared by `run` and `compare`.
#[derive(Debug, Args, Clone, Default)]
pub struct RunOptions {
    /// Simulated years (overrides the scenario; for compare, every scenario's).
    #[arg(long)]
    pub years: Option<u32>,
    /// Replicates (overrides the scenario).
    #[arg(long)]
    pub replicates: Option<u32>,
    /// Master seed (overrides the scenario).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Output directory (default: results/<scenario>, or results/compare, numbered if it exists).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Scale the region: schools, entrants and area times this factor (density unchanged).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Set a parameter by its dotted path, such as `--set admissions.cream_skimming=0.3`
    /// (repeatable; checked as in a scenario file; recorded in the manifest).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Write into an existing, non-empty output directory, and run even when
    /// the estimate of memory or time says the run will not fit.
    #[arg(long)]
    pub force: bool,
    /// Write the data only: no charts, no report.
    #[arg(long)]
    pub no_plots: bool,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Run the command line and map errors to exit codes:
/// 0 success, 1 failure, 2 bad input, 130 interrupted.
pub fn main() -> ExitCode {
    schoolscape::run::share_one_allocator_arena();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Check { scenario, resolved, set } => check(&scenario, resolved, &set),
        Command::Params { markdown, json } => params(markdown, json),
        Command::Scenarios => list_scenarios(),
        Command::Compare(args) => compare::compare(&args),
        Command::Contrast(a) => contrast::contrast(&a),
        Command::Explore(args) => explore::explore(&args),
        Command::Plot(args) => plot::plot(&args),
        Command::Sweep(a) => sweep::sweep(&a),
        Command::Merge(a) => merge::merge(&a),
        Command::Slurm(a) => slurm::slurm(&a),
        Command::SweepSummary(a) => sweep_summary::summary(&a),
        Command::Validate(a) => validate::validate(&a),
        Command::Export(a) => export::export(&a),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let code = match &e {
                Error::Input(_) => 2,
                Error::Interrupted => 130,
                // An input refused for what it is (a directory, a named pipe, a
                // device, a file over the size limit) is bad input, like any other.
                Error::Io { source, .. }
                    if matches!(source.kind(), std::io::ErrorKind::InvalidInput | std::io::ErrorKind::InvalidData) =>
                {
                    2
                }
                Error::Io { .. } => 1,
            };
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(code)
        }
    }
}

/// Print to standard output, ignoring a closed pipe (`| head`).
pub fn out(text: &str) {
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(text.as_bytes());
    let _ = o.flush();
}

/// Load a scenario named on the command line (a file or a bundled name).
pub fn load_scenario(arg: &str) -> schoolscape::Result<(PathBuf, Scenario)> {
    let path = bundled::resolve(arg);
    if !path.starts_with(bundled::DIR) && !path.exists() {
        return Err(Error::input(
            None,
            "",
            format!("no scenario file or bundled scenario named `{arg}`"),
            format!("a path to a TOML file, or one of: {}", bundled::names().join(", ")),
        ));
    }
    let loader = Loader::new(bundled::read_any);
    let s = loader.load(&path)?;
    Ok((path, s))
}

fn check(arg: &str, resolved: bool, sets: &[String]) -> schoolscape::Result<()> {
    let settings = set::parse(sets)?;
    let (path, s) = load_scenario(arg)?;
    let s = set::apply(s, &settings)?;
    if s.region.source == schoolscape::scenario::RegionSource::Csv {
        if let Some(csv) = run::csv_of(&s, &path)? {
            run::check_targets(&path, &s, &csv)?;
        }
    }
    if resolved {
        out(&format!(
            "# {} resolved (after `extends` and defaults); comments give each parameter's unit,\n# plausible range, role and basis (`schoolscape params` lists them all)\n{}{}",
            display_path(&path),
            docs::annotate_toml(&s.to_toml()),
            timeline_summary(&s)
        ));
    } else {
        let with = settings.iter().map(|x| format!(" --set {}", x.text())).collect::<String>();
        out(&format!("{}{with}: ok ({}: {})\n", display_path(&path), s.name, s.description));
    }
    Ok(())
}

/// `schoolscape params`: the parameter registry as text, Markdown or JSON.
fn params(markdown: bool, json: bool) -> schoolscape::Result<()> {
    if markdown {
        out(&docs::markdown_table());
    } else if json {
        let rows: Vec<serde_json::Value> = docs::all()
            .iter()
            .map(|p| {
                let mut v = serde_json::to_value(p).unwrap_or_default();
                v["default"] = p.default_value().map(serde_json::Value::from).unwrap_or_default();
                v
            })
            .collect();
        out(&format!("{}\n", serde_json::to_string_pretty(&rows).unwrap_or_default()));
    } else {
        let mut text = String::new();
        for p in docs::all() {
            let d = p.default_value().map(docs::num).unwrap_or_default();
            text.push_str(&format!(
                "{:<48} {:>10} {:<14} plausible {:<18} {} ({}, {})\n",
                p.path,
                d,
                p.unit,
                docs::plausible_text(&p.plausible),
                p.explain,
                p.role.word(),
                p.status.word()
            ));
        }
        out(&text);
    }
    Ok(())
}

/// The timeline as comments: each year's changes, as dotted paths.
fn timeline_summary(s: &schoolscape::Scenario) -> String {
    if s.timeline.is_empty() && s.run.warm_up == 0 {
        return String::new();
    }
    let mut text = String::new();
    if s.run.warm_up > 0 {
        let w = s.run.warm_up;
        let years = if w == 1 { "year" } else { "years" };
        text.push_str(&format!("\n# Warm-up: {w} {years} simulated before year 1, not recorded.\n"));
    }
    if !s.timeline.is_empty() {
        text.push_str("\n# Timeline (each change in force from the start of its year to the end of the run):\n");
        let mut changes: Vec<_> = s.timeline.iter().collect();
        changes.sort_by_key(|c| c.year);
        for c in changes {
            let paths = schoolscape::scenario::timeline::flatten(&c.set).unwrap_or_default();
            let set: Vec<String> = paths.iter().map(|(p, v)| format!("{p} = {v}")).collect();
            text.push_str(&format!("#   year {}: {}\n", c.year, set.join(", ")));
        }
    }
    text
}

fn list_scenarios() -> schoolscape::Result<()> {
    let mut text = String::from("Bundled scenarios (run one with `schoolscape run NAME`):\n");
    for (name, body) in bundled::FILES {
        let name = name.trim_end_matches(".toml");
        if name == "base" || name.starts_with("validation/") {
            continue;
        }
        text.push_str(&format!("  {:<28} {}\n", name, bundled::description(body)));
    }
    let cases: Vec<&str> = bundled::FILES
        .iter()
        .map(|(n, _)| n.trim_end_matches(".toml"))
        .filter_map(|n| n.strip_prefix("validation/"))
        .filter(|n| !n.contains('/'))
        .collect();
    text.push_str(&format!(
        "Validation cases (run them with `schoolscape validate`): {}; their scenarios are under validation/scenarios/.\n",
        cases.join(", ")
    ));
    out(&text);
    Ok(())
}

/// A path as the user would write it (bundled ones as `scenarios/NAME`).
pub fn display_path(p: &Path) -> String {
    match p.strip_prefix(bundled::DIR) {
        Ok(rel) => format!("scenarios/{} (bundled)", rel.display()),
        Err(_) => p.display().to_string(),
    }
}
