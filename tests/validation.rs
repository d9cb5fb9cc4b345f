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
