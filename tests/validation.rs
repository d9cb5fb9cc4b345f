//! Validation cases: every bundled case file parses and names scenarios that load.

use std::path::Path;

use schoolscape::scenario::load_path;
use schoolscape::validation::Case;

fn case_files() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/validation");
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_bundled_case_parses_and_its_scenarios_load() {
    let files = case_files();
    assert!(files.len() >= 4, "{files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let case = Case::parse(&text, &f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert!(!case.citation.is_empty());
        for s in case.scenario_files() {
            let p = Case::resolve(&f, &s);
            load_path(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        }
    }
}

#[test]
fn a_bad_case_file_is_located() {
    let text = "name = \"x\"\ntitle = \"t\"\ncitation = \"c\"\n[[checks]]\nlabel = \"l\"\nsource = \"s\"\nscenario = \"a.toml\"\nmeasure = \"m\"\nsubgroup = \"all\"\nyears = [5, 30]\ntarget = [1.0, 0.0]\n";
    let e = Case::parse(text, Path::new("case.toml")).unwrap_err().to_string();
    assert!(e.contains("case.toml:10:1") && e.contains("checks[0].years"), "{e}");
    assert!(e.contains("case.toml:11:1") && e.contains("checks[0].target"), "{e}");
    let e = Case::parse("name = \"x\"\ntitl = \"t\"\n", Path::new("c.toml")).unwrap_err().to_string();
    assert!(e.contains("c.toml:2:1") && e.contains("titl"), "{e}");
}

mod common;

#[test]
fn validate_runs_every_bundled_case_at_reduced_size_and_writes_every_column() {
    let dir = common::tmp("validate");
    let o = common::run_in(&dir, &["validate", "--replicates", "2", "--samples", "1", "--scale", "0.3", "--out", "v"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    let text = common::stdout(&o);
    assert!(text.contains("checks pass"), "{text}");
    let csv = std::fs::read_to_string(dir.join("v/validation.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    for col in [
        "case",
        "kind",
        "check",
        "source",
        "target_low",
        "target_high",
        "value",
        "ci_low",
        "ci_high",
        "result",
        "robustness_share",
    ] {
        assert!(header.contains(&col), "column {col} missing: {header:?}");
    }
    let rows: Vec<&str> = lines.collect();
    let mut n_checks = 0;
    for f in case_files() {
        let case = Case::parse(&std::fs::read_to_string(&f).unwrap(), &f).unwrap();
        let ours = rows.iter().filter(|r| r.starts_with(&format!("{},", case.name))).count();
        assert_eq!(ours, case.checks.len() + case.reports.len(), "{}", case.name);
        n_checks += case.checks.len();
    }
    // Every check has a value and a verdict.
    let checks: Vec<&&str> = rows.iter().filter(|r| r.split(',').nth(1) == Some("check")).collect();
    assert_eq!(checks.len(), n_checks);
    assert!(checks.iter().all(|r| [",pass,", ",fail,", ",inconclusive,"].iter().any(|v| r.contains(v))), "{checks:?}");
    let html = std::fs::read_to_string(dir.join("v/report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), n_checks, "a chart per check");
}

#[test]
fn a_user_case_file_runs_and_a_bad_one_is_refused_before_any_work() {
    let dir = common::tmp("validate-user");
    let scen = common::scenarios().join("catchment.toml");
    std::fs::write(
        dir.join("mine.toml"),
        format!("name = \"mine\"\ntitle = \"Mine\"\ncitation = \"Me\"\nyears = 3\nreplicates = 2\n[[checks]]\nlabel = \"segregation\"\nsource = \"me\"\nscenario = \"{}\"\nmeasure = \"school_gorard\"\nsubgroup = \"disadvantaged\"\nyears = [2, 3]\ntarget = [0.0, 1.0]\n", scen.display()),
    )
    .unwrap();
    let o = common::run_in(&dir, &["validate", "mine.toml", "--scale", "0.3", "--out", "v", "--no-plots"]);
    assert!(o.status.success(), "{}", common::stderr(&o));
    assert!(common::stdout(&o).contains("1 of 1 checks pass"), "{}", common::stdout(&o));
    std::fs::write(
        dir.join("bad.toml"),
        "name = \"bad\"\ntitle = \"t\"\ncitation = \"c\"\n[[checks]]\nlabel = \"l\"\n",
    )
    .unwrap();
    let o = common::run_in(&dir, &["validate", "bad.toml", "--out", "w"]);
    assert_eq!(o.status.code(), Some(2), "{}", common::stderr(&o));
    assert!(common::stderr(&o).contains("bad.toml"), "{}", common::stderr(&o));
    assert!(!dir.join("w").exists());
}
