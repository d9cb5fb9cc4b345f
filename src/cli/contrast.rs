//! `schoolscape contrast A B`: run two scenarios over a Latin-hypercube
//! sample of the plausible ranges of their parameters, with common random
//! numbers at every setting, and say in what share of the settings each
//! side comes out better on each headline outcome and which parameters
//! decide it ([`schoolscape::sweep::contrast`]).
//!
//! The command writes a contrast file (a sweep file that names `contrast =
//! B`) from its options and runs it on the sweep machinery: planned before
//! anything runs, streamed to disk, resumable (`--resume`), and shardable
//! (`--shard K/N`; or run the written `sweep.toml` with `schoolscape slurm`).
//! When every run is finished it reads the final year back from
//! `metrics.csv` and writes `contrast.csv`, `contrast_sensitivity.csv` and
//! `contrast_settings.csv`, prints the table, and draws the charts and
//! report (unless `--no-plots`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Args;
use schoolscape::sweep::Shard;
use schoolscape::sweep::contrast::{self as c, Advantage, OUTCOMES, Outcome, Summary};
use schoolscape::{Error, Result};

use super::output::{field, num, write_atomic};
use super::sweep::{self, SweepArgs};
use super::sweep_dir::{self as dir, csv_problem};
use super::{out, plot};

/// Options of `schoolscape contrast`.
#[derive(Debug, Args, Clone)]
pub struct ContrastArgs {
    /// Scenario A: a file, or the name of a bundled scenario.
    pub a: String,
    /// Scenario B: a file, or the name of a bundled scenario.
    pub b: String,
    /// Output directory (default: results/A-vs-B).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Settings of the parameters sampled (Latin hypercube).
    #[arg(long, default_value_t = c::DEFAULT_SETTINGS)]
    pub settings: u32,
    /// Paired replicates per setting (both scenarios run each replicate's seed).
    #[arg(long, default_value_t = c::DEFAULT_REPLICATES)]
    pub replicates: u32,
    /// Simulated years (default: A's).
    #[arg(long)]
    pub years: Option<u32>,
    /// Master seed (default: A's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Scale both regions (schools, entrants and area; density unchanged).
    #[arg(long)]
    pub scale: Option<f64>,
    /// A parameter to sample, over its plausible range or over LOW:HIGH
    /// (repeat; replaces the default set).
    #[arg(long = "param", value_name = "PATH[=LOW:HIGH]")]
    pub params: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Continue the contrast in the output directory.
    #[arg(long)]
    pub resume: bool,
    /// Run only shard K of N of the runs.
    #[arg(long, value_name = "K/N", value_parser = |s: &str| s.parse::<Shard>())]
    pub shard: Option<Shard>,
    /// Write the data and tables only: no charts, no report.
    #[arg(long)]
    pub no_plots: bool,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run even if the estimated memory or time exceeds what this machine
    /// allows (the estimate is checked before any work).
    #[arg(long)]
    pub force: bool,
}

/// The name that stands for the options in errors (they are not a file).
const COMMAND_LINE: &str = "(contrast options)";

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

fn stem(arg: &str) -> String {
    Path::new(arg).file_stem().map_or_else(|| arg.to_string(), |s| s.to_string_lossy().into_owned())
}

/// The contrast file the options stand for.
pub fn contrast_file(a: &ContrastArgs) -> Result<String> {
    let mut t = String::new();
    let _ = writeln!(t, "# A contrast: {} against {}, written by `schoolscape contrast`.", a.a, a.b);
    let _ = writeln!(t, "name = {}", quoted(&format!("{}-vs-{}", stem(&a.a), stem(&a.b))));
    let _ = writeln!(t, "base = {}\ncontrast = {}\nreplicates = {}", quoted(&a.a), quoted(&a.b), a.replicates);
    if let Some(y) = a.years {
        let _ = writeln!(t, "years = {y}");
    }
    if let Some(s) = a.seed {
        let _ = writeln!(t, "seed = {s}");
    }
    if let Some(f) = a.scale {
        let _ = writeln!(t, "scale = {f:?}");
    }
    let _ = writeln!(t, "\n[lhs]\nsamples = {}", a.settings);
    let (mut plausible, mut ranges) = (Vec::new(), Vec::new());
    for p in &a.params {
        match p.split_once('=') {
            None => plausible.push(quoted(p.trim())),
            Some((path, range)) => {
                let bad = || {
                    Error::input(
                        None,
                        format!("--param {p}"),
                        format!("`{range}` is not a range"),
                        "PATH=LOW:HIGH with two numbers, such as market.competitive_pressure=0:0.01",
                    )
                };
                let (lo, hi) = range.split_once(':').ok_or_else(bad)?;
                let lo: f64 = lo.trim().parse().map_err(|_| bad())?;
                let hi: f64 = hi.trim().parse().map_err(|_| bad())?;
                if !(lo.is_finite() && hi.is_finite()) {
                    return Err(bad());
                }
                ranges.push(format!("{} = {{ min = {lo:?}, max = {hi:?} }}", quoted(path.trim())));
            }
        }
    }
    if !plausible.is_empty() {
        let _ = writeln!(t, "parameters = [{}]", plausible.join(", "));
    }
    if !ranges.is_empty() {
        let _ = writeln!(t, "[lhs.ranges]\n{}", ranges.join("\n"));
    }
    Ok(t)
}

/// Problems found in the generated contrast file, named by the option that caused them.
fn as_options(e: Error) -> Error {
    let Error::Input(problems) = e else { return e };
    Error::Input(
        problems
            .into_iter()
            .map(|mut p| {
                if p.location.as_ref().is_some_and(|l| l.file == Path::new(COMMAND_LINE)) {
                    p.location = None;
                    p.key = match p.key.as_str() {
                        "base" => "A".into(),
                        "contrast" => "B".into(),
                        "replicates" => "--replicates".into(),
                        "years" => "--years".into(),
                        "seed" => "--seed".into(),
                        "scale" => "--scale".into(),
                        "lhs.samples" => "--settings".into(),
                        "" | "lhs" => String::new(),
                        k => format!("--param {k}"),
                    };
                }
                p
            })
            .collect(),
    )
}

/// `schoolscape contrast`.
pub fn contrast(a: &ContrastArgs) -> Result<()> {
    let start = Instant::now();
    if a.threads == Some(0) {
        return Err(Error::input(None, "--threads", "0 threads", "1 or more"));
    }
    let text = contrast_file(a)?;
    let l = sweep::load_text(&text, Path::new(COMMAND_LINE)).map_err(as_options)?;
    let out_dir = a.out.clone().unwrap_or_else(|| PathBuf::from("results").join(l.plan.name.clone()));
    let sa = SweepArgs {
        sweep: PathBuf::from(COMMAND_LINE),
        out: out_dir.clone(),
        threads: a.threads,
        resume: a.resume,
        shard: a.shard,
        no_plots: true,
        quiet: a.quiet,
        force: a.force,
    };
    if !a.quiet {
        eprintln!(
            "Contrast {} against {}: {} settings of {} parameters, {} paired replicates each",
            l.plan.arms[0],
            l.plan.arms[1],
            l.plan.settings(),
            l.plan.parameters.len(),
            l.plan.replicates
        );
    }
    sweep::execute_loaded(&sa, &l, start)?;
    if a.shard.is_some_and(|s| s != Shard::ALL) {
        return Ok(());
    }
    let data = read(&out_dir)?;
    write_tables(&out_dir, &data)?;
    if !a.quiet {
        out(&table(&data));
    }
    if !a.no_plots {
        match plot::contrast::draw_data(&out_dir, &data) {
            Ok(drawn) if !a.quiet => out(&plot::summary_line(&out_dir, &drawn)),
            Ok(_) => {}
            Err(e) => eprintln!(
                "warning: could not draw the charts ({e}); the data in {} are complete: try `schoolscape plot {}`",
                out_dir.display(),
                out_dir.display()
            ),
        }
    }
    Ok(())
}

/// A contrast directory's results, read back from its files.
#[derive(Debug, Clone, Default)]
pub struct ContrastData {
    /// Scenario A and scenario B.
    pub scenarios: [String; 2],
    /// Sampled parameters.
    pub parameters: Vec<String>,
    /// Per parameter, per setting: its value.
    pub values: Vec<Vec<f64>>,
    /// Paired replicates per setting.
    pub replicates: u32,
    /// The final year.
    pub year: u64,
    /// Runs planned and finished.
    pub runs: (usize, usize),
    /// Per outcome (in the order of [`OUTCOMES`]): the advantage at every
    /// setting, and the summary.
    pub outcomes: Vec<(Outcome, Vec<Advantage>, Summary)>,
    /// The contrast file and the two resolved scenarios.
    pub files: Vec<(String, String)>,
}

/// Whether a directory holds a contrast.
pub fn is_contrast_dir(d: &Path) -> bool {
    d.join(dir::PLAN).is_file()
        && dir::read_manifest(d).is_ok_and(|m| m["settings"]["contrast"]["scenarios"].as_array().is_some())
}

/// Read a contrast directory: the plan, and the final year of every finished run.
pub fn read(d: &Path) -> Result<ContrastData> {
    let m = dir::read_manifest(d)?;
    let s = &m["settings"];
    let names: Vec<String> = s["contrast"]["scenarios"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    let [a_name, b_name] = <[String; 2]>::try_from(names).map_err(|_| {
        Error::input(
            None,
            "",
            format!("{} is not a contrast directory", d.display()),
            "a directory written by `schoolscape contrast`",
        )
    })?;
    let year = s["years"].as_u64().unwrap_or(0);
    let replicates = s["replicates"].as_u64().unwrap_or(0) as usize;
    let path = d.join(dir::PLAN);
    let plan = dir::read_plan(&path)?;
    // Per run: (setting, arm, replicate), from the plan's columns.
    let mut r = csv::Reader::from_path(&path).map_err(|e| csv_problem(&path, e))?;
    let mut runs = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_problem(&path, e))?;
        let setting: usize = rec.get(4).and_then(|v| v.parse().ok()).unwrap_or(0);
        let arm = usize::from(rec.get(5) == Some(b_name.as_str()));
        let replicate: usize = rec.get(2).and_then(|v| v.parse().ok()).unwrap_or(0);
        runs.push((setting, arm, replicate));
    }
    let settings = runs.iter().map(|r| r.0 + 1).max().unwrap_or(0);
    // Parameter values per setting (the same in both arms).
    let mut values = vec![vec![f64::NAN; settings]; plan.parameters.len()];
    for (i, run) in runs.iter().enumerate() {
        for (j, col) in plan.numeric.iter().enumerate() {
            values[j][run.0] = col[i];
        }
    }
    let keep = |m: &str, g: &str| OUTCOMES.iter().any(|o| o.measure == m && o.subgroup == g);
    let finals = dir::read_finals(d, runs.len(), year, keep)?;
    let mut outcomes = Vec::new();
    for o in OUTCOMES {
        let empty = Vec::new();
        let v = finals.values.get(&(o.measure.to_string(), o.subgroup.to_string())).unwrap_or(&empty);
        let mut by: Vec<[Vec<f64>; 2]> = vec![[vec![f64::NAN; replicates], vec![f64::NAN; replicates]]; settings];
        for (i, &(setting, arm, rep)) in runs.iter().enumerate() {
            if rep < replicates {
                by[setting][arm][rep] = v.get(i).copied().unwrap_or(f64::NAN);
            }
        }
        let adv: Vec<Advantage> = by.iter().map(|[a, b]| c::advantage(a, b, o.higher_is_better)).collect();
        let summary = c::summarise(&values, &adv);
        outcomes.push((o, adv, summary));
    }
    let text = |name: &str| std::fs::read_to_string(d.join(name)).unwrap_or_default();
    Ok(ContrastData {
        scenarios: [a_name, b_name],
        parameters: plan.parameters,
        values,
        replicates: replicates as u32,
        year,
        runs: (runs.len(), finals.finished),
        outcomes,
        files: vec![
            ("sweep.toml (the contrast file)".into(), text(dir::SWEEP_FILE)),
            ("scenario.toml (scenario A, resolved)".into(), text(dir::SCENARIO)),
            ("contrast.toml (scenario B, resolved)".into(), text(dir::CONTRAST_SCENARIO)),
        ],
    })
}

/// The parameter a summary ranks `k`-th by |SRRC|, with its coefficient.
pub fn decisive(d: &ContrastData, s: &Summary, k: usize) -> Option<(String, f64)> {
    s.decisive.get(k).map(|&j| (d.parameters[j].clone(), s.srrc.coefficients[j]))
}

/// Write `contrast.csv`, `contrast_sensitivity.csv` and `contrast_settings.csv`.
pub fn write_tables(d: &Path, data: &ContrastData) -> Result<()> {
    let [a, b] = &data.scenarios;
    let mut t = String::from(
        "measure,subgroup,better,scenario_a,scenario_b,settings,a_ahead,b_ahead,share_a_ahead,share_ci_low,share_ci_high,\
         a_ahead_clearly,b_ahead_clearly,mean_advantage_a,mean_ci_low,mean_ci_high,min_advantage_a,max_advantage_a,\
         r_squared,decisive_1,srrc_1,decisive_2,srrc_2\n",
    );
    let mut sens = String::from("measure,subgroup,parameter,srrc,r_squared\n");
    let mut per = String::from("setting,measure,subgroup,advantage_a,ci_low,ci_high,pairs,ahead_clearly\n");
    for (o, adv, s) in &data.outcomes {
        let d1 = decisive(data, s, 0);
        let d2 = decisive(data, s, 1);
        let _ = writeln!(
            t,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            o.measure,
            o.subgroup,
            if o.higher_is_better { "higher" } else { "lower" },
            field(a),
            field(b),
            s.settings,
            s.a_ahead,
            s.b_ahead,
            num(s.share),
            num(s.share_ci.0),
            num(s.share_ci.1),
            s.a_clear,
            s.b_clear,
            num(s.mean_advantage.0),
            num(s.mean_advantage.0 - s.mean_advantage.1),
            num(s.mean_advantage.0 + s.mean_advantage.1),
            num(s.range.0),
            num(s.range.1),
            num(s.srrc.r_squared),
            d1.as_ref().map_or(String::new(), |x| field(&x.0)),
            d1.as_ref().map_or(String::new(), |x| num(x.1)),
            d2.as_ref().map_or(String::new(), |x| field(&x.0)),
            d2.as_ref().map_or(String::new(), |x| num(x.1)),
        );
        for (j, p) in data.parameters.iter().enumerate() {
            let _ = writeln!(
                sens,
                "{},{},{},{},{}",
                o.measure,
                o.subgroup,
                field(p),
                num(s.srrc.coefficients[j]),
                num(s.srrc.r_squared)
            );
        }
        for (k, v) in adv.iter().enumerate() {
            let w = match v.clear_winner() {
                Some(c::Side::A) => field(a),
                Some(c::Side::B) => field(b),
                None => String::new(),
            };
            let _ = writeln!(
                per,
                "{k},{},{},{},{},{},{},{w}",
                o.measure,
                o.subgroup,
                num(v.mean),
                num(v.mean - v.half),
                num(v.mean + v.half),
                v.pairs
            );
        }
    }
    write_atomic(&d.join("contrast.csv"), &t)?;
    write_atomic(&d.join("contrast_sensitivity.csv"), &sens)?;
    write_atomic(&d.join("contrast_settings.csv"), &per)
}

/// The table printed at the end of a contrast.
pub fn table(data: &ContrastData) -> String {
    let [a, b] = &data.scenarios;
    let mut t = format!(
        "\n{a} against {b}, year {}: {} settings × {} paired replicates ({} of {} runs finished).\n\
         'A ahead' is the share of settings in which {a} is better on average over the paired replicates\n\
         (95% Wilson interval); 'clearly' counts settings where the paired 95% interval excludes zero.\n\n",
        data.year,
        data.values.first().map_or(0, Vec::len),
        data.replicates,
        data.runs.1,
        data.runs.0,
    );
    let _ = writeln!(
        t,
        "{:<54} {:>18} {:>9} {:>9} {:>24}  deciding parameters (SRRC of {a}'s advantage)",
        "outcome (better)", "A ahead", "A clearly", "B clearly", "mean advantage of A"
    );
    for (o, _, s) in &data.outcomes {
        let label = format!("{} ({})", o.label, if o.higher_is_better { "higher" } else { "lower" });
        let deciding: Vec<String> =
            (0..2).filter_map(|k| decisive(data, s, k)).map(|(p, c)| format!("{p} {c:+.2}")).collect();
        let _ = writeln!(
            t,
            "{:<54} {:>4.0}% [{:>3.0}%, {:>3.0}%] {:>9} {:>9} {:>+7.3} [{:+.3}, {:+.3}]  {} (R² {:.2})",
            label,
            100.0 * s.share,
            100.0 * s.share_ci.0,
            100.0 * s.share_ci.1,
            s.a_clear,
            s.b_clear,
            s.mean_advantage.0,
            s.mean_advantage.0 - s.mean_advantage.1,
            s.mean_advantage.0 + s.mean_advantage.1,
            deciding.join(", "),
            s.srrc.r_squared
        );
    }
    t
}
