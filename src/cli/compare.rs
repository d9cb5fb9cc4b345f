//! `schoolscape compare`: run several scenarios with common random numbers
//! and draw them side by side.
//!
//! Every scenario runs with the same master seed, years and replicates, so
//! replicate r of each has the same seed: its region, families and draws
//! start alike, and paired differences measure the policies, not luck.

use std::collections::BTreeMap;
use std::path::Path;

use clap::Args;
use schoolscape::{Error, Result};
use serde::Serialize;

use super::manifest::{Clock, Provenance, to_json};
use super::plot::{self, COMPARE_FILE, data, file_stem};
use super::run::{Prepared, execute, output_dir, prepare, set_threads};
use super::{RunOptions, display_path, out, output};

/// Options of `schoolscape compare`.
#[derive(Debug, Args, Clone)]
pub struct CompareArgs {
    /// Two or more scenario files or bundled scenario names; the first is the baseline.
    #[arg(required = true, num_args = 2.., value_name = "SCENARIO")]
    pub scenarios: Vec<String>,
    /// Options shared with `run`; years, replicates and seed default to the first scenario's.
    #[command(flatten)]
    pub opts: RunOptions,
}

impl std::ops::Deref for CompareArgs {
    type Target = RunOptions;
    fn deref(&self) -> &RunOptions {
        &self.opts
    }
}

/// Load every scenario and give them the first one's seed, years and
/// replicates (unless the command line set them); refuse repeated names.
pub fn prepare_all(a: &CompareArgs) -> Result<Vec<Prepared>> {
    let mut ps: Vec<Prepared> = a.scenarios.iter().map(|s| prepare(s, &a.opts)).collect::<Result<_>>()?;
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (p, arg) in ps.iter().zip(&a.scenarios) {
        let dir = file_stem(&p.scenario.name);
        if let Some(other) = seen.insert(dir.clone(), arg) {
            return Err(Error::input(
                None,
                "name",
                format!(
                    "`{other}` and `{arg}` are both named `{}`, and each scenario's outputs go to a folder named after it",
                    p.scenario.name
                ),
                "scenarios with distinct names (set `name` in the scenario file)",
            ));
        }
    }
    let first = ps[0].scenario.run.clone();
    for p in &mut ps[1..] {
        let r = &mut p.scenario.run;
        r.seed = first.seed;
        r.years = first.years;
        r.replicates = first.replicates;
    }
    Ok(ps)
}

/// One scenario of a comparison, in `compare.json`.
#[derive(Serialize)]
struct ScenarioEntry<'a> {
    name: &'a str,
    dir: String,
    scenario_file: String,
    set: &'a [String],
    description: &'a str,
}

/// `compare.json`: provenance, the shared seed, years and replicates, and the scenarios in order.
#[derive(Serialize)]
struct CompareManifest<'a> {
    #[serde(flatten)]
    provenance: Provenance,
    seed: u64,
    years: u32,
    replicates: u32,
    status: &'a str,
    baseline: &'a str,
    scenarios: Vec<ScenarioEntry<'a>>,
    files: BTreeMap<&'static str, &'static str>,
}

fn compare_manifest(ps: &[Prepared], clock: &Clock, status: &str) -> String {
    let s0 = &ps[0].scenario.run;
    to_json(&CompareManifest {
        provenance: clock.provenance(),
        seed: s0.seed,
        years: s0.years,
        replicates: s0.replicates,
        status,
        baseline: &ps[0].scenario.name,
        scenarios: ps
            .iter()
            .map(|p| ScenarioEntry {
                name: &p.scenario.name,
                dir: file_stem(&p.scenario.name),
                scenario_file: display_path(&p.path),
                set: &p.sets,
                description: &p.scenario.description,
            })
            .collect(),
        files: [
            ("NAME/", "each scenario's outputs, as `schoolscape run` writes them"),
            ("runs.csv", "every run of every scenario: run_id, scenario, replicate, seed"),
            ("metrics.csv", "every scenario's measures, keyed by run_id (unique across the comparison)"),
            ("differences.csv", "every year's paired differences from the first scenario, with 95% t-intervals"),
            ("charts/", "every chart as PNG and SVG"),
            ("report.html", "the report: one file, charts inlined"),
        ]
        .into_iter()
        .collect(),
    })
}

/// The paired differences as a text table.
fn differences_table(diffs: &[data::Difference]) -> String {
    let Some(d0) = diffs.first() else { return String::new() };
    let mut t = format!(
        "Year {}: difference from {} (mean over paired replicates, 95% CI)\n{:<46} {:<20} {:>28}\n",
        d0.year, d0.baseline, "measure", "scenario", "difference"
    );
    for d in diffs {
        let v = if d.half.is_finite() {
            format!("{:.3} [{:.3}, {:.3}]", d.mean, d.mean - d.half, d.mean + d.half)
        } else {
            format!("{:.3}", d.mean)
        };
        t.push_str(&format!("{:<46} {:<20} {:>28}\n", d.measure.title, d.scenario, v));
    }
    t
}

/// `schoolscape compare`.
pub fn compare(a: &CompareArgs) -> Result<()> {
    let ps = prepare_all(a)?;
    set_threads(a.threads);
    let dir = output_dir(a.out.as_deref(), "compare", a.force)?;
    let clock = Clock::start();
    output::write_atomic(&dir.join(COMPARE_FILE), &compare_manifest(&ps, &clock, "running"))?;
    let r0 = &ps[0].scenario.run;
    if !a.quiet {
        eprintln!(
            "Comparing {} scenarios: {} replicate{} × {} years each, seed {} (common random numbers)",
            ps.len(),
            r0.replicates,
            if r0.replicates == 1 { "" } else { "s" },
            r0.years,
            r0.seed
        );
    }
    for (i, p) in ps.iter().enumerate() {
        let sub = dir.join(file_stem(&p.scenario.name));
        std::fs::create_dir_all(&sub).map_err(|source| Error::Io { path: sub.clone(), source })?;
        // Run ids unique across the comparison: scenario i's replicate r is run i × R + r.
        let first_run_id = i as u64 * u64::from(r0.replicates);
        if let Err(e) = execute(p, &sub, a.quiet, &p.scenario.name, first_run_id) {
            let _ = output::write_atomic(&dir.join(COMPARE_FILE), &compare_manifest(&ps, &clock, "interrupted"));
            if matches!(e, Error::Interrupted) {
                eprintln!("Interrupted: what finished is in {} (see each manifest.json)", dir.display());
            }
            return Err(e);
        }
    }
    combine(&dir, &ps)?;
    output::write_atomic(&dir.join(COMPARE_FILE), &compare_manifest(&ps, &clock, "complete"))?;
    finish(&dir, a)
}

/// The comparison's combined tables: every scenario's `runs.csv` and
/// `metrics.csv` one after the other under one header. Run ids are unique
/// across the comparison, so `metrics.csv` joins `runs.csv` on `run_id` to
/// give each row its scenario and replicate.
fn combine(dir: &Path, ps: &[Prepared]) -> Result<()> {
    for name in [COMBINED_RUNS, COMBINED_METRICS] {
        let mut f = output::AtomicFile::create(&dir.join(name))?;
        for (i, p) in ps.iter().enumerate() {
            let path = dir.join(file_stem(&p.scenario.name)).join(name);
            let text = std::fs::read_to_string(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
            let (header, body) = text.split_once('\n').unwrap_or((&text, ""));
            if i == 0 {
                f.write_str(header)?;
                f.write_str("\n")?;
            }
            f.write_str(body)?;
        }
        f.finish()?;
    }
    Ok(())
}

/// The comparison's `runs.csv`: every run of every scenario.
pub const COMBINED_RUNS: &str = "runs.csv";
/// The comparison's `metrics.csv`: every scenario's rows, keyed by run ids unique across the comparison.
pub const COMBINED_METRICS: &str = "metrics.csv";

/// Print the differences and draw (unless asked not to); drawing failures are warnings.
fn finish(dir: &Path, a: &CompareArgs) -> Result<()> {
    let runs = plot::read_runs(dir, &[])?;
    let diffs = data::differences(&runs);
    output::write_atomic(&dir.join("differences.csv"), &plot::differences_csv(&diffs))?;
    if !a.quiet {
        out(&format!(
            "\n{}\nWrote {}: one folder per scenario, differences.csv, compare.json\n",
            differences_table(&data::final_year(&diffs)),
            dir.display()
        ));
    }
    if !a.no_plots {
        plot::draw_after(dir, a.quiet);
    }
    Ok(())
}
