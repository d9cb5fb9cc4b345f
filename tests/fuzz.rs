//! A fuzz harness: thousands of mutated scenario, CSV, sweep and validation
//! inputs made from the bundled ones by a deterministic mutator (deleted,
//! renamed and duplicated keys, wrong types, extremes, NaN and infinities,
//! empty and large tables, cycles, cut files), each run through the binary.
//!
//! For every input it asserts: no panic, no process beyond a time bound, a
//! refusal (exit 2) names the file and leaves no output directory, and an
//! accepted input runs (at a small size) to exit 0.
//!
//! CI runs a few hundred cases; run more by hand with
//! `SCHOOLSCAPE_FUZZ_CASES=5000 cargo test --release --test fuzz -- --nocapture`
//! (and `SCHOOLSCAPE_FUZZ_SEED=N` for another sequence). A failing case is
//! kept in the printed directory with the command that failed.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

use common::*;

/// Cases per input kind in CI (override with SCHOOLSCAPE_FUZZ_CASES).
const DEFAULT_CASES: usize = 250;
/// The longest any one command may take.
const TIME_BOUND: Duration = Duration::from_secs(90);

/// SplitMix64: a small deterministic generator, so a case is reproducible from its number.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

fn cases() -> usize {
    std::env::var("SCHOOLSCAPE_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_CASES)
}

fn seed() -> u64 {
    std::env::var("SCHOOLSCAPE_FUZZ_SEED").ok().and_then(|v| v.parse().ok()).unwrap_or(13)
}

/// Values that break things: extremes, non-finite numbers, wrong types.
const NASTY: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "+inf",
    "1e308",
    "-1e308",
    "1e300",
    "5e-324",
    "0",
    "-0.0",
    "-1",
    "1",
    "2",
    "255",
    "256",
    "65536",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "\"18446744073709551615\"",
    "0.5",
    "1e9",
    "100000",
    "10000000",
    "\"\"",
    "\"text\"",
    "\"../../escape\"",
    "\"/tmp/schoolscape-fuzz-absolute\"",
    "\"/dev/zero\"",
    "\"market\"",
    "true",
    "[]",
    "[1, 2, 3]",
    "[nan, nan]",
    "[\"lottery\", \"lottery\"]",
    "{}",
    "{ min = 1, max = 0 }",
    "{ min = nan, max = 1 }",
    "1979-05-27",
    "42",
];

/// Mutate a TOML text once.
fn mutate_toml(text: &str, rng: &mut Rng, self_name: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        lines.push(String::new());
    }
    let settings: Vec<usize> = (0..lines.len())
        .filter(|&i| {
            let l = lines[i].trim_start();
            !l.starts_with('#') && !l.starts_with('[') && l.contains('=')
        })
        .collect();
    let headers: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].trim_start().starts_with('[')).collect();
    let at = |rng: &mut Rng, v: &[usize], n: usize| if v.is_empty() { rng.below(n) } else { *rng.pick(v) };
    match rng.below(12) {
        // A value replaced by a nasty one.
        0..=3 => {
            let i = at(rng, &settings, lines.len());
            if let Some((k, _)) = lines[i].split_once('=') {
                lines[i] = format!("{k}= {}", rng.pick(NASTY));
            }
        }
        // A line deleted.
        4 => {
            let i = rng.below(lines.len());
            lines.remove(i);
        }
        // A key renamed.
        5 => {
            let i = at(rng, &settings, lines.len());
            if let Some((k, v)) = lines[i].split_once('=') {
                lines[i] = format!("{}_x ={v}", k.trim_end());
            }
        }
        // A line duplicated (a duplicate key or table).
        6 => {
            let from = if rng.below(2) == 0 { &headers } else { &settings };
            let i = at(rng, from, lines.len());
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        // A cycle, a self-extension or a deep chain marker.
        7 => {
            let target = *rng.pick(&[self_name, "missing.toml", "market", "42", "../../../../etc/passwd"]);
            let value = if target == "42" { "42".to_string() } else { format!("\"{target}\"") };
            lines.retain(|l| !l.trim_start().starts_with("extends"));
            lines.insert(0, format!("extends = {value}"));
        }
        // Cut short.
        8 => {
            let cut = rng.below(text.len().max(1));
            let mut t: String = text.chars().take(cut).collect();
            t.push('\n');
            return t;
        }
        // A table of the wrong kind, or an unknown section (a timeline of nonsense).
        9 => {
            let extra = rng.pick(&[
                "[[timeline]]\nyear = -1\nset = { \"learning.peer_effect\" = nan }\n",
                "[run]\nyears = 0\n",
                "[region]\nschools = 1\nentrants_per_year = 50\n",
                "[admissions]\npriorities = [\"lottery\", \"distance\", \"catchment\", \"attainment\", \"disadvantaged\", \"lottery\"]\n",
                "[population]\ngroups = []\n",
                "[[population.groups]]\nname = \"a,b\"\nshare = 2\n",
                "[policies]\nnonsense = true\n",
                "region = 3\n",
            ]);
            lines.push(extra.to_string());
        }
        // Two lines swapped.
        10 => {
            let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
            lines.swap(a, b);
        }
        // A nasty value set on a random known key, in its own table.
        _ => {
            let key = *rng.pick(&[
                "run.years",
                "run.replicates",
                "run.seed",
                "region.schools",
                "region.entrants_per_year",
                "region.width_km",
                "region.neighbourhood_km",
                "region.field_scale_km",
                "region.capacity_margin",
                "region.min_school_capacity",
                "population.years_in_school",
                "choice.list_length",
                "choice.choice_set_size",
                "learning.peer_effect",
                "learning.effectiveness_weight",
                "families.taste_sd",
                "families.advantaged.max_travel_km",
                "admissions.mechanism",
                "admissions.bands",
                "market.closure_years",
                "reputation.published",
            ]);
            let (table, k) = key.rsplit_once('.').unwrap();
            lines.push(format!("[{table}]\n{k} = {}", rng.pick(NASTY)));
        }
    }
    lines.join("\n") + "\n"
}

/// Mutate one of `files` (paths under `scenarios/`) in the case directory
/// `d` one to three times; its path from `d`, and its file name.
fn mutate_one(d: &Path, files: &[String], rng: &mut Rng) -> (String, String) {
    let f = rng.pick(files).clone();
    let path = format!("scenarios/{f}");
    let name = Path::new(&f).file_name().unwrap().to_str().unwrap().to_string();
    let mut text = std::fs::read_to_string(d.join(&path)).unwrap();
    for _ in 0..1 + rng.below(3) {
        text = mutate_toml(&text, rng, &name);
    }
    std::fs::write(d.join(&path), &text).unwrap();
    (path, name)
}

/// The properties every command must have on any input.
fn assert_sound(dir: &Path, args: &[String], o: &Output, files: &[&str], out: Option<&str>) {
    let e = stderr(o);
    let cmd = format!("in {}: `schoolscape {}`", dir.display(), args.join(" "));
    assert!(!e.contains("panicked") && !e.contains("RUST_BACKTRACE"), "{cmd} panicked:\n{e}");
    let code = o.status.code();
    assert!(matches!(code, Some(0..=2)), "{cmd} ended with {:?}:\n{e}", o.status);
    if code != Some(0) {
        assert!(e.starts_with("error: "), "{cmd}: no error message:\n{e}");
        assert!(
            files.iter().any(|f| e.contains(f)) || e.contains("`--"),
            "{cmd}: the message names none of {files:?}:\n{e}"
        );
        if let Some(out) = out {
            if code == Some(2) {
                assert!(!dir.join(out).exists(), "{cmd}: refused, but made {out}/:\n{e}");
            }
        }
    }
    assert!(!Path::new("/tmp/schoolscape-fuzz-absolute").exists(), "{cmd} wrote outside results/");
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

/// A fresh directory for a case, holding copies of the bundled scenarios.
fn case_dir(kind: &str, k: usize) -> PathBuf {
    let d = tmp(&format!("fuzz-{kind}-{k}"));
    copy_dir(&scenarios(), &d.join("scenarios"));
    d
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

fn runnable_scenarios() -> Vec<String> {
    scenario_files()
        .into_iter()
        .filter(|f| !f.starts_with("sweeps/"))
        .filter(|f| !(f.starts_with("validation/") && f.matches('/').count() == 1))
        .collect()
}

#[test]
fn fuzz_scenario_files() {
    let files = runnable_scenarios();
    let mut rng = Rng(seed());
    for k in 0..cases() {
        let d = case_dir("scenario", k);
        let (path, name) = mutate_one(&d, &files, &mut rng);
        // Sometimes a nasty `--set` on top (checked as a scenario file is).
        let set: Vec<String> = if rng.below(3) == 0 {
            let key = *rng.pick(&[
                "learning.peer_effect",
                "region.schools",
                "run.seed",
                "admissions.mechanism",
                "region.field_scale_km",
                "choice.list_length",
                "nonsense.key",
            ]);
            s(&["--set", &format!("{key}={}", rng.pick(NASTY))])
        } else {
            Vec::new()
        };
        let args = [s(&["check", &path]), set.clone()].concat();
        let o = run_bounded(&d, &args, TIME_BOUND);
        assert_sound(&d, &args, &o, &[&name, ".toml", ".csv", "--set"], None);
        if o.status.success() && rng.below(3) == 0 {
            let args = s(&["run", &path, "--years", "2", "--replicates", "1", "--scale", "0.05", "--no-plots", "-q"]);
            let args = [args, set, s(&["--out", "o", "--threads", "1"])].concat();
            let o = run_bounded(&d, &args, TIME_BOUND);
            assert_sound(&d, &args, &o, &[&name, ".toml", ".csv", "region.", "run."], Some("o"));
        }
        let _ = std::fs::remove_dir_all(&d);
    }
}

/// A small CSV region and a scenario that reads it.
fn csv_case(d: &Path, rng: &mut Rng) {
    let mut n = String::from("id,x_km,y_km,district,households,disadvantaged_share\n");
    let rows = if rng.below(10) == 0 { 20_000 } else { 25 };
    for i in 0..rows {
        let _ = std::fmt::Write::write_fmt(
            &mut n,
            format_args!("n{i},{},{},d{},{},{}\n", i % 5, i / 5, i % 3, 50 + i % 7, (i % 10) as f64 / 10.0),
        );
    }
    let mut sc = String::from("id,name,x_km,y_km,capacity,type,effectiveness,sen_expertise,eal_expertise\n");
    for i in 0..5 {
        let _ = std::fmt::Write::write_fmt(
            &mut sc,
            format_args!(
                "s{i},School {i},{},{},80,{},,,\n",
                i,
                i,
                if i % 2 == 0 { "maintained" } else { "autonomous" }
            ),
        );
    }
    std::fs::write(d.join("n.csv"), n).unwrap();
    std::fs::write(d.join("s.csv"), sc).unwrap();
    std::fs::write(
        d.join("c.toml"),
        "name = \"csvcase\"\n[region]\nsource = \"csv\"\nschools_csv = \"s.csv\"\nneighbourhoods_csv = \"n.csv\"\n\
         entrants_per_year = 200\nneighbourhood_km = 1.0\n",
    )
    .unwrap();
}

/// Mutate a CSV text once.
fn mutate_csv(text: &str, rng: &mut Rng) -> String {
    let mut rows: Vec<Vec<String>> = text.lines().map(|l| l.split(',').map(str::to_string).collect()).collect();
    match rng.below(8) {
        0..=3 => {
            let r = rng.below(rows.len());
            let c = rng.below(rows[r].len());
            let v = rng.pick(&[
                "nan",
                "inf",
                "-inf",
                "1e300",
                "-1e300",
                "",
                "x",
                "-1",
                "0",
                "4294967296",
                "1e12",
                "0.5",
                "2",
                "\"",
                "autonomous",
                "private",
                "99999",
                "100001",
            ]);
            rows[r][c] = v.to_string();
        }
        4 => {
            // A column deleted.
            let c = rng.below(rows[0].len());
            for r in &mut rows {
                if c < r.len() {
                    r.remove(c);
                }
            }
        }
        5 => rows.truncate(1), // header only
        6 => rows.truncate(0), // empty
        _ => {
            // A row cut short or doubled.
            let r = rng.below(rows.len());
            if rng.below(2) == 0 {
                rows[r].truncate(2);
            } else {
                let dup = rows[r].clone();
                rows.push(dup);
            }
        }
    }
    rows.iter().map(|r| r.join(",")).collect::<Vec<_>>().join("\n") + "\n"
}

#[test]
fn fuzz_csv_regions() {
    let mut rng = Rng(seed() ^ 0xC5);
    for k in 0..cases() {
        let d = tmp(&format!("fuzz-csv-{k}"));
        csv_case(&d, &mut rng);
        let target = *rng.pick(&["n.csv", "s.csv", "c.toml"]);
        let text = std::fs::read_to_string(d.join(target)).unwrap();
        let text =
            if target == "c.toml" { mutate_toml(&text, &mut rng, "c.toml") } else { mutate_csv(&text, &mut rng) };
        std::fs::write(d.join(target), text).unwrap();
        let args = s(&["check", "c.toml"]);
        let o = run_bounded(&d, &args, TIME_BOUND);
        assert_sound(&d, &args, &o, &["c.toml", "n.csv", "s.csv"], None);
        if o.status.success() {
            let args = s(&["run", "c.toml", "--years", "2", "--replicates", "1", "--no-plots", "-q", "--out", "o"]);
            let o = run_bounded(&d, &args, TIME_BOUND);
            assert_sound(&d, &args, &o, &["c.toml", "n.csv", "s.csv", "region.", "run."], Some("o"));
        }
        let _ = std::fs::remove_dir_all(&d);
    }
}

#[test]
fn fuzz_sweep_files() {
    let sweeps: Vec<String> = scenario_files().into_iter().filter(|f| f.starts_with("sweeps/")).collect();
    let mut rng = Rng(seed() ^ 0x5EE9);
    for k in 0..cases() {
        let d = case_dir("sweep", k);
        let (path, name) = mutate_one(&d, &sweeps, &mut rng);
        // Plan the whole sweep (slurm plans it and writes scripts; no simulation).
        let args = s(&["slurm", &path, "--out", "o", "--tasks", "3"]);
        let o = run_bounded(&d, &args, TIME_BOUND);
        assert_sound(&d, &args, &o, &[&name, ".toml", ".csv"], Some("o"));
        let _ = std::fs::remove_dir_all(&d);
    }
}

#[test]
fn fuzz_validation_cases() {
    let cases_files: Vec<String> =
        scenario_files().into_iter().filter(|f| f.starts_with("validation/") && f.matches('/').count() == 1).collect();
    let mut rng = Rng(seed() ^ 0x7A1);
    for k in 0..cases() {
        let d = case_dir("validation", k);
        let (path, name) = mutate_one(&d, &cases_files, &mut rng);
        let args = s(&[
            "validate",
            &path,
            "--replicates",
            "2",
            "--samples",
            "1",
            "--scale",
            "0.05",
            "--no-plots",
            "-q",
            "--out",
            "o",
            "--threads",
            "1",
        ]);
        let o = run_bounded(&d, &args, TIME_BOUND);
        assert_sound(&d, &args, &o, &[&name, ".toml"], Some("o"));
        let _ = std::fs::remove_dir_all(&d);
    }
}
