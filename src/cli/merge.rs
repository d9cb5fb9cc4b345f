//! `schoolscape merge DIR... --out OUT`: combine the shard directories of a
//! sweep into one, with every run's block in order of run id.
//!
//! The directories must hold the same sweep (settings, plan and base
//! scenario), and together every planned run exactly once; otherwise nothing
//! is written and the error lists what is missing or duplicated. The merged
//! directory is itself a complete sweep directory: `sweep-summary` reads it,
//! and it can be merged again.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use schoolscape::{Error, Result};

use super::manifest::{Clock, to_json};
use super::out;
use super::output::{AtomicFile, write_atomic};
use super::sweep_dir::{self as dir, BlockReader, DoneLog, id_list};

/// Options of `schoolscape merge`.
#[derive(Debug, Args, Clone)]
pub struct MergeArgs {
    /// Sweep directories (shards) to combine.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output directory (new or empty).
    #[arg(long)]
    pub out: PathBuf,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// One input directory, read and checked.
struct Shard {
    dir: PathBuf,
    log: DoneLog,
}

fn refuse(message: String, allowed: &str) -> Error {
    Error::input(None, "merge", message, allowed)
}

/// `schoolscape merge`.
pub fn merge(a: &MergeArgs) -> Result<()> {
    let clock = Clock::start();
    let first = &a.dirs[0];
    for d in &a.dirs {
        if !d.join(dir::MANIFEST).exists() || !d.join(dir::PLAN).exists() {
            return Err(refuse(
                format!("{} is not a sweep directory (no sweep.json and plan.csv)", d.display()),
                "directories written by `schoolscape sweep`",
            ));
        }
    }
    let manifest = dir::read_manifest(first)?;
    let settings = manifest["settings"].clone();
    let runs = settings["runs"].as_u64().unwrap_or(0);
    let plan = dir::read_text(&first.join(dir::PLAN))?;
    let scenario = dir::read_text(&first.join(dir::SCENARIO))?;

    let mut shards = Vec::new();
    for d in &a.dirs {
        let m = dir::read_manifest(d)?;
        let differs = |what: &str| {
            refuse(
                format!("{} holds a different sweep from {}: its {what} differs", d.display(), first.display()),
                "shards of one sweep: the same sweep file and base scenario",
            )
        };
        if m["settings"] != settings {
            return Err(differs("settings (sweep.json)"));
        }
        if dir::read_text(&d.join(dir::PLAN))? != plan {
            return Err(differs("plan (plan.csv)"));
        }
        if dir::read_text(&d.join(dir::SCENARIO))? != scenario {
            return Err(differs("base scenario (scenario.toml)"));
        }
        let log = dir::read_done(&d.join(dir::DONE), runs)?;
        shards.push(Shard { dir: d.clone(), log });
    }
    let files = shards[0].log.files.clone();
    if shards.iter().any(|s| s.log.files.iter().map(|f| f.name).ne(files.iter().map(|f| f.name))) {
        return Err(refuse("the directories record different results files".into(), "shards of one sweep"));
    }

    // Every planned run exactly once.
    let mut owner: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (k, s) in shards.iter().enumerate() {
        for e in &s.log.entries {
            owner.entry(e.run_id).or_default().push(k);
        }
    }
    let missing: Vec<u64> = (0..runs).filter(|r| !owner.contains_key(r)).collect();
    let duplicated: Vec<(u64, &Vec<usize>)> = owner.iter().filter(|(_, v)| v.len() > 1).map(|(r, v)| (*r, v)).collect();
    if !missing.is_empty() || !duplicated.is_empty() {
        let mut msg = String::from("cannot merge: ");
        if !missing.is_empty() {
            msg.push_str(&format!(
                "{} of {runs} planned runs are missing (run ids {})",
                missing.len(),
                id_list(&missing, 40)
            ));
        }
        if !duplicated.is_empty() {
            if !missing.is_empty() {
                msg.push_str("; ");
            }
            let ids: Vec<u64> = duplicated.iter().map(|(r, _)| *r).collect();
            let (r, where_) = duplicated[0];
            let dirs: Vec<String> = where_.iter().map(|&k| shards[k].dir.display().to_string()).collect();
            msg.push_str(&format!(
                "{} runs are present more than once (run ids {}; run {r} is in {})",
                ids.len(),
                id_list(&ids, 40),
                dirs.join(" and ")
            ));
        }
        return Err(refuse(
            msg,
            "every shard of the sweep, each once, and each finished (`schoolscape sweep --resume` finishes one)",
        ));
    }

    write_merged(a, &shards, &files, &owner, &plan, &scenario)?;
    write_atomic(&a.out.join(dir::MANIFEST), &to_json(&merged_manifest(&clock, &manifest, &shards, owner.len())))?;
    if !a.quiet {
        out(&format!(
            "Merged {runs} runs from {} director{} into {}\nSummarise with: schoolscape sweep-summary {}\n",
            shards.len(),
            if shards.len() == 1 { "y" } else { "ies" },
            a.out.display(),
            a.out.display()
        ));
    }
    Ok(())
}

fn write_merged(
    a: &MergeArgs,
    shards: &[Shard],
    files: &[dir::ResultFile],
    owner: &BTreeMap<u64, Vec<usize>>,
    plan: &str,
    scenario: &str,
) -> Result<()> {
    let o = &a.out;
    if o.read_dir().map(|mut r| r.next().is_some()).unwrap_or(false) {
        return Err(Error::input(
            None,
            "--out",
            format!("{} already holds files; nothing was merged", o.display()),
            "an empty or new directory",
        ));
    }
    std::fs::create_dir_all(o).map_err(|source| Error::Io { path: o.clone(), source })?;
    write_atomic(&o.join(dir::PLAN), plan)?;
    write_atomic(&o.join(dir::SCENARIO), scenario)?;
    let sweep_file = shards[0].dir.join(dir::SWEEP_FILE);
    if sweep_file.exists() {
        write_atomic(&o.join(dir::SWEEP_FILE), &dir::read_text(&sweep_file)?)?;
    }
    // Blocks in order of run id; the new done.csv records where they end.
    let mut ends: Vec<Vec<u64>> = Vec::with_capacity(owner.len());
    for (k, f) in files.iter().enumerate() {
        let blocks: Vec<BTreeMap<u64, (u64, u64)>> = shards.iter().map(|s| s.log.blocks(k)).collect();
        let mut readers = shards.iter().map(|s| BlockReader::open(&s.dir.join(f.name))).collect::<Result<Vec<_>>>()?;
        let mut w = AtomicFile::create(&o.join(f.name))?;
        w.write_str(f.header)?;
        let mut end = f.header.len() as u64;
        for (i, (run, holders)) in owner.iter().enumerate() {
            let s = holders[0];
            let (start, stop) = blocks[s][run];
            let bytes = readers[s].read(start, stop)?;
            w.write_bytes(bytes)?;
            end += bytes.len() as u64;
            if k == 0 {
                ends.push(Vec::with_capacity(files.len()));
            }
            ends[i].push(end);
        }
        w.finish()?;
    }
    let mut done = dir::done_header(files);
    for ((run, _), e) in owner.iter().zip(&ends) {
        done.push_str(&run.to_string());
        for x in e {
            done.push_str(&format!(",{x}"));
        }
        done.push('\n');
    }
    write_atomic(&o.join(dir::DONE), &done)?;
    Ok(())
}

/// The merged sweep's manifest: what the sweep is comes from the shards
/// (they agree: checked before merging); how this file was made is the
/// merge's own provenance.
fn merged_manifest(clock: &Clock, manifest: &serde_json::Value, shards: &[Shard], runs: usize) -> MergedManifest {
    let field = |k: &str| manifest.get(k).cloned().unwrap_or(serde_json::Value::Null);
    MergedManifest {
        provenance: clock.provenance(),
        sweep_file: field("sweep_file"),
        description: field("description"),
        base_scenario: field("base_scenario"),
        contrast_scenario: field("contrast_scenario"),
        settings: field("settings"),
        shard: "1/1",
        shard_runs: runs,
        finished_runs: runs,
        status: "complete",
        contrast: field("contrast"),
        files: field("files"),
        merged_from: shards.iter().map(|s| s.dir.display().to_string()).collect(),
    }
}

/// `sweep.json` of a merged sweep: the merge's provenance, the sweep's
/// settings as its shards recorded them, and the shards merged (per-shard
/// timings are not carried over: they describe the shards' runs).
#[derive(serde::Serialize)]
struct MergedManifest {
    #[serde(flatten)]
    provenance: super::manifest::Provenance,
    sweep_file: serde_json::Value,
    description: serde_json::Value,
    base_scenario: serde_json::Value,
    contrast_scenario: serde_json::Value,
    settings: serde_json::Value,
    shard: &'static str,
    shard_runs: usize,
    finished_runs: usize,
    status: &'static str,
    contrast: serde_json::Value,
    files: serde_json::Value,
    merged_from: Vec<String>,
}
