//! The command line, end to end: every bundled scenario, bad input, outputs,
//! determinism across thread counts, interruption.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::*;

/// Top-level bundled scenario files (runnable scenarios, not the shared base).
fn top_level_scenarios() -> Vec<String> {
    scenario_files().into_iter().filter(|f| !f.contains('/') && f != "base.toml").collect()
}

/// Every scenario file in `scenarios/`, in any folder: not sweep files
/// (`sweeps/`) or validation case files (directly in `validation/`).
fn all_scenarios() -> Vec<String> {
    scenario_files()
        .into_iter()
        .filter(|f| !f.starts_with("sweeps/"))
        .filter(|f| !(f.starts_with("validation/") && f.matches('/').count() == 1))
        .collect()
}

/// A scale that makes a scenario small: about 6 schools.
fn small_scale(file: &str) -> String {
    let s = schoolscape::scenario::load_path(&scenarios().join(file)).unwrap();
    format!("{}", (6.0 / s.region.schools as f64).min(1.0))
}

#[test]
fn every_bundled_scenario_checks_and_runs_through_the_binary() {
    let dir = tmp("all-scenarios");
    let files = all_scenarios();
    assert!(files.len() >= 10, "{files:?}");
    for f in files {
        let path = scenarios().join(&f);
        let path = path.to_str().unwrap();
        let o = run_in(&dir, &["check", path]);
        assert!(o.status.success(), "check {f}: {}", stderr(&o));
        let out = dir.join(f.replace(".toml", "").replace('/', "-"));
        let scale = small_scale(&f);
        // Long enough to reach the last change of the scenario's timeline.
        let s = schoolscape::scenario::load_path(&scenarios().join(&f)).unwrap();
        let years = s.timeline.iter().map(|c| c.year).max().unwrap_or(0).max(2).to_string();
        let o = run_in(
            &dir,
            &["run", path, "--years", &years, "--replicates", "2", "--scale", &scale, "--out", out.to_str().unwrap()],
        );
        assert!(o.status.success(), "run {f}: {}", stderr(&o));
        assert!(stdout(&o).contains("Wrote"), "{}", stdout(&o));
        for file in ["metrics.csv", "runs.csv", "schools.csv", "manifest.json", "scenario.toml"] {
            assert!(out.join(file).is_file(), "{f}: {file} missing");
        }
        let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
        assert_eq!(runs.lines().count(), 3, "{runs}");
    }
}

#[test]
fn bundled_scenarios_are_reachable_by_name_and_listed() {
    let dir = tmp("by-name");
    let o = run_in(&dir, &["scenarios"]);
    assert!(o.status.success());
    let list = stdout(&o);
    for f in top_level_scenarios() {
        let name = f.trim_end_matches(".toml");
        assert!(list.contains(name), "{name} not listed:\n{list}");
        let o = run_in(&dir, &["check", name]);
        assert!(o.status.success(), "{name}: {}", stderr(&o));
    }
}

#[test]
fn resolved_scenario_round_trips() {
    let dir = tmp("resolved");
    let o = run_in(&dir, &["check", "market", "--resolved"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("[admissions]") && text.contains("deferred_acceptance"), "{text}");
    std::fs::write(dir.join("r.toml"), &text).unwrap();
    let again = schoolscape::scenario::load_path(&dir.join("r.toml")).unwrap();
    let orig = schoolscape::scenario::load_path(&scenarios().join("market.toml")).unwrap();
    assert_eq!(again, orig);
}

#[test]
fn a_run_writes_tidy_outputs_and_a_manifest() {
    let dir = tmp("outputs");
    let o = run_in(&dir, &["run", "catchment", "--years", "3", "--replicates", "2", "--scale", "0.2", "--seed", "7"]);
    assert!(o.status.success(), "{}", stderr(&o));
    // Default output directory, numbered when it exists.
    let out = dir.join("results/catchment");
    assert!(out.join("metrics.csv").is_file());
    let o2 = run_in(&dir, &["run", "catchment", "--years", "1", "--replicates", "1", "--scale", "0.2", "-q"]);
    assert!(o2.status.success());
    assert!(dir.join("results/catchment-2/metrics.csv").is_file());

    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let mut lines = metrics.lines();
    assert_eq!(lines.next(), Some("run_id,year,measure,subgroup,value"));
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().all(|r| r.len() == 5));
    for year in ["1", "2", "3"] {
        for m in ["school_gorard", "residential_gorard", "gap_index", "ses_gradient", "first_preference_rate"] {
            assert!(rows.iter().any(|r| r[0] == "1" && r[1] == year && r[2] == m), "{m} missing in year {year}");
        }
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["seed"], 7);
    assert_eq!(manifest["status"], "complete");
    assert_eq!(manifest["version"], schoolscape::VERSION);
    assert_eq!(manifest["resolved_scenario"]["admissions"]["mechanism"], "catchment");
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert!(runs.starts_with("run_id,scenario,replicate,seed\n0,catchment,0,"), "{runs}");
    // Parameters are not repeated on metric rows.
    assert!(!metrics.contains("cream_skimming"));
    // No partial files are left.
    assert!(std::fs::read_dir(&out).unwrap().flatten().all(|e| !e.file_name().to_string_lossy().ends_with(".partial")));
    // The summary table names the headline measures with intervals.
    let text = stdout(&o);
    assert!(text.contains("Segregation of disadvantaged pupils") && text.contains("year 3"), "{text}");
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn same_seed_same_bytes_with_one_and_two_threads() {
    let dir = tmp("threads");
    for t in ["1", "2"] {
        let out = format!("t{t}");
        let o = run_in(
            &dir,
            &["run", "market", "--years", "4", "--replicates", "3", "--scale", "0.3", "--threads", t, "--out", &out],
        );
        assert!(o.status.success(), "{}", stderr(&o));
        // With schools opening, closing and taken over by trusts mid-run.
        let out = format!("o{t}");
        let args = ["run", "market-openings", "--years", "8", "--replicates", "2", "--scale", "0.3", "--threads", t];
        let trusts = [
            "--set",
            "policies.trusts.enabled=true",
            "--set",
            "policies.trusts.spread_km=50",
            "--set",
            "policies.trusts.max_size=60",
            "--set",
            "market.closure_occupancy=0.8",
        ];
        let o = run_in(&dir, &[&args[..], &trusts, &["--no-plots", "--out", &out]].concat());
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in ["metrics.csv", "schools.csv", "runs.csv", "school_sites.csv", "neighbourhoods.csv", "scenario.toml"] {
        assert!(read(&dir.join("t1").join(f)) == read(&dir.join("t2").join(f)), "{f} differs between 1 and 2 threads");
        assert!(read(&dir.join("o1").join(f)) == read(&dir.join("o2").join(f)), "{f} differs with openings");
    }
    let metrics = String::from_utf8(read(&dir.join("o1/metrics.csv"))).unwrap();
    let total = |m: &str| -> f64 {
        metrics
            .lines()
            .filter(|l| l.contains(&format!(",{m},all,")))
            .map(|l| l.rsplit(',').next().unwrap().parse::<f64>().unwrap())
            .sum()
    };
    for m in ["openings", "closures", "takeovers"] {
        assert!(total(m) > 0.0, "the run should have {m} in 8 years at this scale");
    }
    // A different seed gives different results.
    let o = run_in(
        &dir,
        &["run", "market", "--years", "4", "--replicates", "3", "--scale", "0.3", "--seed", "99", "--out", "t3"],
    );
    assert!(o.status.success());
    assert!(read(&dir.join("t1/metrics.csv")) != read(&dir.join("t3/metrics.csv")));
}

/// Write a scenario file and check that running it fails with exit code 2,
/// that the message contains every expected fragment, and that nothing was written.
fn expect_input_error(name: &str, files: &[(&str, &str)], run: &str, expected: &[&str]) {
    let dir = tmp(name);
    for (f, text) in files {
        std::fs::write(dir.join(f), text).unwrap();
    }
    let o = run_in(&dir, &["run", run, "--out", "out", "--years", "1", "--replicates", "1"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{name}: {err}");
    for e in expected {
        assert!(err.contains(e), "{name}: expected {e:?} in:\n{err}");
    }
    assert!(!dir.join("out").exists(), "{name}: output written despite bad input");
    assert!(!dir.join("results").exists(), "{name}: output written despite bad input");
    // `check` reports the same.
    let o = run_in(&dir, &["check", run]);
    assert_eq!(o.status.code(), Some(2), "{name} check: {}", stderr(&o));
}

/// As [`expect_input_error`], for one scenario file `s.toml` with `text`.
fn expect_scenario_error(name: &str, text: &str, expected: &[&str]) {
    expect_input_error(name, &[("s.toml", text)], "s.toml", expected);
}

/// As [`expect_input_error`], for files held as owned text, running `s.toml`.
fn expect_csv_error(name: &str, files: &[(&str, String)], expected: &[&str]) {
    let refs: Vec<(&str, &str)> = files.iter().map(|(a, b)| (*a, b.as_str())).collect();
    expect_input_error(name, &refs, "s.toml", expected);
}

/// Write `files` to a fresh directory and run its `s.toml` for two years
/// into `o/` (no plots); the directory.
fn run_two_years(name: &str, files: &[(&str, String)]) -> PathBuf {
    let dir = tmp(name);
    for (f, t) in files {
        std::fs::write(dir.join(f), t).unwrap();
    }
    let o = run_in(&dir, &["run", "s.toml", "--years", "2", "--replicates", "1", "--out", "o", "--no-plots"]);
    assert!(o.status.success(), "{}", stderr(&o));
    dir
}

/// The rows of a CSV text (plain, unquoted) as column name to value.
fn rows(csv: &str) -> Vec<std::collections::HashMap<&str, &str>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split(',').collect();
    lines.map(|l| header.iter().copied().zip(l.split(',')).collect()).collect()
}

#[test]
fn unknown_key_is_named_with_file_line_and_allowed_keys() {
    expect_scenario_error(
        "unknown-key",
        "name = \"s\"\n\n[admissions]\nmechanism = \"boston\"\ncreamskimming = 0.2\n",
        &["s.toml:5:1", "admissions.creamskimming", "unknown field", "cream_skimming"],
    );
}

#[test]
fn wrong_type_is_named() {
    expect_scenario_error(
        "wrong-type",
        "[region]\nschools = \"sixty\"\n",
        &["s.toml:2:", "region.schools", "invalid type"],
    );
    expect_scenario_error(
        "bad-enum",
        "[admissions]\nmechanism = \"lottery\"\n",
        &["s.toml:2:", "admissions.mechanism", "deferred_acceptance"],
    );
}

#[test]
fn impossible_values_are_named_with_what_is_allowed() {
    expect_scenario_error(
        "probability",
        "[families.disadvantaged]\ninformation = 1.5\n",
        &["s.toml:2:1", "families.disadvantaged.information", "0 to 1"],
    );
    expect_scenario_error(
        "capacity-below-cohort",
        "[region]\ncapacity_margin = -0.2\n",
        &["s.toml:2:1", "region.capacity_margin", "smaller than the cohort"],
    );
    expect_scenario_error("years-zero", "[run]\nyears = 0\n", &["s.toml:2:1", "run.years"]);
}

#[test]
fn extends_cycles_and_missing_parents_are_errors() {
    expect_input_error(
        "cycle",
        &[("a.toml", "extends = \"b.toml\"\n"), ("b.toml", "extends = \"a.toml\"\n")],
        "a.toml",
        &["cycle", "extends"],
    );
    expect_input_error(
        "missing-parent",
        &[("a.toml", "extends = \"nowhere.toml\"\n")],
        "a.toml",
        &["a.toml:1:1", "nowhere.toml"],
    );
}

const NEIGHBOURHOODS: &str = "id,x_km,y_km,district,households,disadvantaged_share\n\
n1,0.5,0.5,A,100,0.1\nn2,1.5,0.5,A,120,0.4\nn3,0.5,1.5,B,90,0.2\nn4,1.5,1.5,B,80,0.6\n";

fn csv_scenario(schools: &str) -> Vec<(&'static str, String)> {
    vec![
        ("s.toml", "[region]\nsource = \"csv\"\nschools_csv = \"schools.csv\"\nneighbourhoods_csv = \"n.csv\"\nentrants_per_year = 200\n".to_string()),
        ("n.csv", NEIGHBOURHOODS.to_string()),
        ("schools.csv", schools.to_string()),
    ]
}

#[test]
fn csv_regions_run_and_bad_csv_is_located() {
    let good = "id,name,x_km,y_km,capacity,type,effectiveness,sen_expertise,eal_expertise\n\
s1,North,0.6,0.6,120,maintained,,,\ns2,South,1.4,1.4,120,autonomous,0.05,1,\n";
    let dir = tmp("csv-good");
    for (f, t) in csv_scenario(good) {
        std::fs::write(dir.join(f), t).unwrap();
    }
    let o = run_in(&dir, &["run", "s.toml", "--years", "2", "--replicates", "1", "--out", "o"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let sites = std::fs::read_to_string(dir.join("o/school_sites.csv")).unwrap();
    assert!(sites.contains("North") && sites.contains("autonomous"), "{sites}");

    let malformed = csv_scenario(
        "id,name,x_km,y_km,capacity,type\ns1,North,0.6,0.6,120,maintained\ns2,South,1.4,oops,120,maintained\n",
    );
    expect_csv_error("csv-malformed", &malformed, &["schools.csv:3", "y_km"]);

    let negative = csv_scenario("id,name,x_km,y_km,capacity,type\ns1,North,0.6,0.6,-5,maintained\n");
    expect_csv_error("csv-negative-capacity", &negative, &["schools.csv:2", "capacity"]);

    let small = csv_scenario("id,name,x_km,y_km,capacity,type\ns1,North,0.6,0.6,50,maintained\n");
    expect_csv_error("csv-capacity-below-cohort", &small, &["schools.csv", "below the cohort"]);

    let missing_column = csv_scenario("id,name,x_km,y_km,type\ns1,North,0.6,0.6,maintained\n");
    expect_csv_error("csv-missing-column", &missing_column, &["schools.csv", "capacity"]);

    let mut missing_file = csv_scenario("");
    missing_file.retain(|(f, _)| *f != "schools.csv");
    expect_csv_error("csv-missing-file", &missing_file, &["schools.csv", "cannot read"]);
}

/// A CSV region with a catchments CSV: the scenario, both region files and the catchments.
fn catchment_scenario(catchments: &str) -> Vec<(&'static str, String)> {
    let schools = "id,name,x_km,y_km,capacity,type\ns1,North,0.6,0.6,150,maintained\ns2,South,1.4,1.4,300,maintained\n";
    let mut files = csv_scenario(schools);
    files[0].1 = files[0].1.replace("[region]\n", "[region]\ncatchments_csv = \"c.csv\"\n")
        + "[admissions]\nmechanism = \"catchment\"\n";
    files.push(("c.csv", catchments.to_string()));
    files
}

#[test]
fn catchment_csv_decides_the_catchment_school_and_bad_catchments_are_located() {
    // Every neighbourhood in South's catchment: under catchment admissions North takes nobody.
    let dir =
        run_two_years("catchments-good", &catchment_scenario("neighbourhood,school\nn1,s2\nn2,s2\nn3,s2\nn4,s2\n"));
    let panel = std::fs::read_to_string(dir.join("o/schools.csv")).unwrap();
    let mut intakes = [0u32; 2];
    for row in rows(&panel) {
        intakes[row["school"].parse::<usize>().unwrap()] += row["intake"].parse::<u32>().unwrap();
    }
    assert_eq!(intakes[0], 0, "North is nobody's catchment school: {panel}");
    assert!(intakes[1] > 0, "{panel}");

    let cases: [(&str, &str, &[&str]); 4] = [
        (
            "catchments-missing-school",
            "neighbourhood,school\nn1,s1\nn2,s9\nn3,s2\nn4,s2\n",
            &["c.csv:3", "school", "s9"],
        ),
        ("catchments-unknown-nbhd", "neighbourhood,school\nn1,s1\nn2,s1\nn3,s2\nn4,s2\nn7,s2\n", &["c.csv:6", "n7"]),
        ("catchments-twice", "neighbourhood,school\nn1,s1\nn2,s1\nn2,s2\nn3,s2\nn4,s2\n", &["c.csv:4", "line 3"]),
        (
            "catchments-uncovered",
            "neighbourhood,school\nn1,s1\nn2,s1\nn4,s2\n",
            &["c.csv", "without a catchment school", "n3"],
        ),
    ];
    for (name, csv, expected) in cases {
        let files = catchment_scenario(csv);
        expect_csv_error(name, &files, expected);
    }
    // A catchments CSV needs a CSV region.
    expect_scenario_error(
        "catchments-synthetic",
        "[region]\ncatchments_csv = \"c.csv\"\n",
        &["s.toml:2", "region.catchments_csv", "source"],
    );
}

/// A CSV region of four schools with a trusts CSV, trusts switched on.
fn trusts_scenario(trusts: &str) -> Vec<(&'static str, String)> {
    let schools = "id,name,x_km,y_km,capacity,type\ns1,North,0.6,0.6,100,maintained\n\
s2,South,1.4,1.4,100,autonomous\ns3,East,1.4,0.6,100,autonomous\ns4,West,0.6,1.4,100,maintained\n";
    let mut files = csv_scenario(schools);
    files[0].1 =
        files[0].1.replace("[region]\n", "[region]\ntrusts_csv = \"t.csv\"\n") + "[policies.trusts]\nenabled = true\n";
    files.push(("t.csv", trusts.to_string()));
    files
}

#[test]
fn trusts_csv_groups_the_schools_and_bad_trusts_are_located() {
    // Two trusts: A led by South (its second row), B of West alone; North in none.
    let dir = run_two_years("trusts-good", &trusts_scenario("trust,school,lead\nA,s3,\nA,s2,1\nB,s4,0\n"));
    let panel = std::fs::read_to_string(dir.join("o/schools.csv")).unwrap();
    let mut trust = std::collections::BTreeMap::new();
    let mut catchments = std::collections::BTreeMap::new();
    for row in rows(&panel) {
        trust.insert(row["school"].to_string(), row["trust"].to_string());
        *catchments.entry(row["year"].to_string()).or_insert(0) +=
            row["catchment_neighbourhoods"].parse::<u32>().unwrap();
    }
    // School ids are the rows of the schools CSV (0 = s1).
    let got: Vec<&str> = (0..4).map(|k| trust[&k.to_string()].as_str()).collect();
    assert_eq!(got, ["", "0", "0", "1"], "{panel}");
    assert!(catchments.values().all(|&n| n == 4), "every neighbourhood has one catchment school: {catchments:?}");
    let metrics = std::fs::read_to_string(dir.join("o/metrics.csv")).unwrap();
    assert!(metrics.contains(",trust_schools,all,3\n"), "{metrics}");

    let cases: [(&str, &str, &[&str]); 5] = [
        ("trusts-missing-school", "trust,school\nA,s1\nA,s9\n", &["t.csv:3", "school", "s9"]),
        ("trusts-school-twice", "trust,school\nA,s1\nA,s2\nB,s3\nB,s1\n", &["t.csv:5", "already in trust", "line 2"]),
        ("trusts-two-leads", "trust,school,lead\nA,s1,1\nA,s2,1\n", &["t.csv:3", "lead", "line 2"]),
        ("trusts-bad-lead", "trust,school,lead\nA,s1,2\n", &["t.csv:2", "lead", "0 or 1"]),
        ("trusts-empty", "trust,school\n", &["t.csv", "no trusts"]),
    ];
    for (name, csv, expected) in cases {
        let files = trusts_scenario(csv);
        expect_csv_error(name, &files, expected);
    }
    // A trusts CSV needs a CSV region.
    expect_scenario_error(
        "trusts-synthetic",
        "[region]\ntrusts_csv = \"t.csv\"\n",
        &["s.toml:2", "region.trusts_csv", "source"],
    );
}

#[test]
fn a_rezoning_limit_out_of_range_is_located() {
    expect_scenario_error(
        "rezoning-limit",
        "[policies.rezoning]\nenabled = true\nmax_extra_km = -1.0\n",
        &["s.toml:3", "policies.rezoning.max_extra_km", "-1"],
    );
}

#[test]
fn unknown_scenario_name_lists_the_bundled_ones() {
    let dir = tmp("unknown-name");
    let o = run_in(&dir, &["run", "markte"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("market") && stderr(&o).contains("catchment"), "{}", stderr(&o));
}

#[test]
fn an_existing_output_directory_is_not_overwritten() {
    let dir = tmp("no-overwrite");
    std::fs::create_dir_all(dir.join("out")).unwrap();
    std::fs::write(dir.join("out/keep.txt"), "precious").unwrap();
    let o = run_in(&dir, &["run", "catchment", "--out", "out", "--years", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(dir.join("out/keep.txt")).unwrap(), "precious");
    assert!(!dir.join("out/metrics.csv").exists());
}

/// Start a long run, wait for the first finished replicate, then signal it.
fn interrupted_run(name: &str, signal: &str) -> std::path::PathBuf {
    let dir = tmp(name);
    let mut child = bin()
        .current_dir(&dir)
        .args([
            "run",
            "market",
            "--years",
            "20",
            "--replicates",
            "400",
            "--scale",
            "0.5",
            "--threads",
            "1",
            "--out",
            "o",
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    loop {
        let l = lines.next().expect("progress line").unwrap();
        // Plain progress lines are throttled to one each half second, so on a fast
        // machine "2 of 400" may be skipped: wait for any count of 2 or more.
        // Only progress lines count: the first line ends with the seed, a number too.
        let done =
            l.split_once(" of 400 done").and_then(|(h, _)| h.rsplit(' ').next()).and_then(|n| n.parse::<u32>().ok());
        if done.is_some_and(|n| n >= 2) {
            break;
        }
    }
    let ok = std::process::Command::new("kill").args([signal, &child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    for _ in lines {}
    let status = child.wait().unwrap();
    if signal == "-INT" {
        assert_eq!(status.code(), Some(130));
    }
    dir.join("o")
}

#[test]
fn ctrl_c_keeps_every_finished_replicate_whole() {
    let out = interrupted_run("interrupt", "-INT");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "interrupted");
    let done: Vec<u64> =
        manifest["completed_replicates"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert!(done.len() >= 2 && done.len() < 400, "{done:?}");
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let runs = std::fs::read_to_string(out.join("runs.csv")).unwrap();
    assert_eq!(runs.lines().count(), done.len() + 1);
    // Every completed replicate has all 20 years; no other replicate appears.
    for r in &done {
        let years: std::collections::BTreeSet<&str> = metrics
            .lines()
            .skip(1)
            .filter(|l| l.split(',').next() == Some(&r.to_string()))
            .map(|l| l.split(',').nth(1).unwrap())
            .collect();
        assert_eq!(years.len(), 20, "replicate {r}");
    }
    // In a run, run id r is replicate r.
    let reps: std::collections::BTreeSet<u64> =
        metrics.lines().skip(1).map(|l| l.split(',').next().unwrap().parse().unwrap()).collect();
    assert_eq!(reps.into_iter().collect::<Vec<_>>(), done);
}

#[test]
fn a_killed_run_leaves_no_file_that_looks_complete() {
    let out = interrupted_run("killed", "-KILL");
    assert!(!out.join("metrics.csv").exists());
    assert!(out.join("metrics.csv.partial").exists());
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "running");
}

#[test]
fn a_scenario_anywhere_can_extend_a_bundled_one_by_name() {
    let dir = tmp("extend-bundled");
    std::fs::write(
        dir.join("mine.toml"),
        "extends = \"market.toml\"\nname = \"mine\"\n[families.disadvantaged]\ninformation = 0.9\n",
    )
    .unwrap();
    let o = run_in(&dir, &["check", "mine.toml", "--resolved"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("deferred_acceptance"), "the market's settings are inherited");
    assert!(text.contains("information = 0.9"), "{text}");
}

#[test]
fn every_bundled_sweep_file_plans() {
    let dir = tmp("sweep-files");
    let sweeps: Vec<String> = scenario_files().into_iter().filter(|f| f.starts_with("sweeps/")).collect();
    assert!(sweeps.len() >= 3, "{sweeps:?}");
    for (k, f) in sweeps.iter().enumerate() {
        let path = scenarios().join(f);
        let out = format!("s{k}");
        // `slurm` plans the whole sweep (refusing a bad file) without running it.
        let o = run_in(&dir, &["slurm", path.to_str().unwrap(), "--out", &out, "--tasks", "2"]);
        assert!(o.status.success(), "{f}: {}", stderr(&o));
        assert!(dir.join(&out).join("sweep.sbatch").is_file(), "{f}");
    }
}

#[test]
fn set_changes_parameters_is_checked_and_recorded() {
    let dir = tmp("set");
    let common = ["--years", "2", "--replicates", "1", "--scale", "0.2", "--seed", "5", "-q", "--no-plots"];
    let mut args = vec!["run", "market", "--out", "a", "--set", "admissions.cream_skimming=0.4"];
    args.extend(["--set", "families.disadvantaged.information=0.2"]);
    args.extend(common);
    let o = run_in(&dir, &args);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("a/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["set"][0], "admissions.cream_skimming=0.4");
    assert_eq!(manifest["set"][1], "families.disadvantaged.information=0.2");
    assert_eq!(manifest["resolved_scenario"]["admissions"]["cream_skimming"], 0.4);
    assert_eq!(manifest["resolved_scenario"]["families"]["disadvantaged"]["information"], 0.2);
    // The written scenario (already scaled, with its seed) reproduces the run without --set.
    let o = run_in(
        &dir,
        &["run", "a/scenario.toml", "--out", "b", "--years", "2", "--replicates", "1", "-q", "--no-plots"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        read(&dir.join("a/metrics.csv")) == read(&dir.join("b/metrics.csv")),
        "the written scenario does not reproduce"
    );
    // And it differs from the run without the settings.
    let mut plain = vec!["run", "market", "--out", "c"];
    plain.extend(common);
    assert!(run_in(&dir, &plain).status.success());
    assert!(read(&dir.join("a/metrics.csv")) != read(&dir.join("c/metrics.csv")), "--set changed nothing");

    // `check` applies the same settings and refuses bad ones, naming the path.
    let o = run_in(&dir, &["check", "market", "--set", "choice.list_length=2", "--resolved"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("list_length = 2"), "{}", stdout(&o));
    for (bad, expected) in [
        ("admissions.cream_skimming=1.5", "0 to 1"),
        ("admissions.cream_skiming=0.1", "admissions.cream_skimming"),
        ("choice.list_length=two", "a whole number"),
        ("run.years=3", "--years"),
        ("nothing", "has no `=`"),
    ] {
        for cmd in [&["check", "market"][..], &["run", "market", "--out", "bad"][..]] {
            let mut a = cmd.to_vec();
            a.extend(["--set", bad]);
            let o = run_in(&dir, &a);
            assert_eq!(o.status.code(), Some(2), "{bad}: {}", stderr(&o));
            assert!(stderr(&o).contains(expected), "{bad}: expected {expected:?} in {}", stderr(&o));
        }
        assert!(!dir.join("bad").exists(), "{bad}: output written despite bad input");
    }
}

#[test]
fn bad_timelines_are_located_errors_before_any_work() {
    expect_scenario_error(
        "timeline-year",
        "[run]\nyears = 5\n[[timeline]]\nyear = 9\nset = { \"market.closures\" = true }\n",
        &["s.toml:4:", "timeline[0].year", "outside the run", "1 to 5"],
    );
    expect_scenario_error(
        "timeline-path",
        "[[timeline]]\nyear = 1\nset = { \"market.closure\" = true }\n",
        &["s.toml:3:", "timeline[0].set.market.closure", "no parameter", "market.closures"],
    );
    expect_scenario_error(
        "timeline-range",
        "[[timeline]]\nyear = 1\nset = { \"admissions.cream_skimming\" = 1.5 }\n",
        &["s.toml:3:", "admissions.cream_skimming", "0 to 1", "in force from year 1"],
    );
    expect_scenario_error(
        "timeline-twice",
        "[[timeline]]\nyear = 1\nset = { \"market.closures\" = true }\n\
             [[timeline]]\nyear = 1\nset = { \"market.closures\" = false }\n",
        &["s.toml:6:", "timeline[1].set.market.closures", "twice in year 1"],
    );
    expect_scenario_error(
        "timeline-fixed",
        "[[timeline]]\nyear = 1\nset = { \"region.schools\" = 10 }\n",
        &["s.toml:3:", "region.schools", "cannot change during a run"],
    );
}

#[test]
fn targets_naming_missing_schools_or_districts_are_located_errors() {
    expect_scenario_error(
        "target-name",
        "[policies.pairing]\nenabled = true\n[policies.targets.pairing]\nschools = [\"Nowhere\"]\n",
        &["s.toml:4:", "policies.targets.pairing.schools[0]", "no school named `Nowhere`"],
    );
    expect_scenario_error(
        "target-district",
        "[policies.targets.hubs]\ndistricts = [0, 9]\n",
        &["s.toml:2:", "policies.targets.hubs.districts[1]", "no district 9"],
    );
    let mut csv = csv_scenario(
        "id,name,x_km,y_km,capacity,type\ns1,North,0.6,0.6,120,maintained\ns2,South,1.4,1.4,120,autonomous\n",
    );
    csv[0].1.push_str("[policies.targets.pairing]\nschools = [\"North\", \"West\"]\ndistricts = [2]\n");
    expect_csv_error("target-csv", &csv, &["s.toml:7:", "no school named `West`", "s.toml:8:", "no district 2"]);
}

#[test]
fn a_timeline_runs_through_the_binary_and_is_shown_and_recorded() {
    let dir = tmp("timeline-run");
    let text = "extends = \"market.toml\"\n[run]\nwarm_up = 1\n[[timeline]]\nyear = 2\n\
                set = { \"policies.pairing.enabled\" = true, admissions.mechanism = \"boston\" }\n";
    std::fs::write(dir.join("t.toml"), text).unwrap();
    let o = run_in(&dir, &["check", "t.toml", "--resolved"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let shown = stdout(&o);
    assert!(shown.contains("[[timeline]]") && shown.contains("year 2: "), "{shown}");
    assert!(shown.contains("policies.pairing.enabled = true") && shown.contains("Warm-up: 1 year"), "{shown}");
    let o = run_in(&dir, &["run", "t.toml", "--years", "3", "--replicates", "1", "--scale", "0.1", "--out", "o"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("o/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["warm_up_years"], 1);
    assert_eq!(manifest["timeline"][0]["year"], 2);
    assert_eq!(manifest["timeline"][0]["set"]["admissions.mechanism"], "boston");
    let metrics = std::fs::read_to_string(dir.join("o/metrics.csv")).unwrap();
    let years: Vec<&str> =
        metrics.lines().skip(1).filter(|l| l.contains(",pairings,")).map(|l| l.split(',').nth(1).unwrap()).collect();
    assert_eq!(years, vec!["2", "3"], "pairing is in force from year 2");
    // The written scenario reruns with the same timeline.
    let again = schoolscape::scenario::load_path(&dir.join("o/scenario.toml")).unwrap();
    assert_eq!(again.timeline.len(), 1);
    assert_eq!(again.run.warm_up, 1);
}

/// Without the cargo feature `parquet`, `export` is known and says how to get it.
#[cfg(not(feature = "parquet"))]
#[test]
fn export_without_the_parquet_feature_says_how_to_build_it() {
    let dir = tmp("export-no-feature");
    std::fs::write(dir.join("metrics.csv"), "run_id,value\n0,1.5\n").unwrap();
    let o = bin().args(["export", dir.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--features parquet"), "{}", stderr(&o));
    assert!(!dir.join("parquet").exists(), "nothing is written");
    let _ = std::fs::remove_dir_all(&dir);
}
