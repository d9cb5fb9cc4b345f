//! Small seeded baselines guard against silent change: every measure of a
//! small run of each scenario below must match its stored file in
//! `tests/golden/`. They cover market choice (`market`), the collaborative
//! policies (`collaborative`) and residential moves (`market-moves`). After
//! an intended change to the model, regenerate them with
//! `SCHOOLSCAPE_BLESS=1 cargo test --release --test baseline` and say why in
//! the commit message.

use std::fmt::Write;
use std::path::Path;

use schoolscape::Simulation;
use schoolscape::scenario::load_path;

/// Every measure of 4 years of a fifth-size run of `scenarios/NAME.toml`, seed 20161.
fn baseline_csv(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = load_path(&root.join(format!("scenarios/{name}.toml"))).unwrap().scaled(0.2);
    let mut out = String::from("year,measure,subgroup,value\n");
    for rec in Simulation::new(&s, None, 20161).unwrap().run(4) {
        for m in rec.metrics {
            writeln!(out, "{},{},{},{}", rec.year, m.measure, m.subgroup, m.value).unwrap();
        }
    }
    out
}

/// Compare the run of `scenario` with `tests/golden/FILE` (or write it when blessing).
fn check(scenario: &str, file: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(file);
    let now = baseline_csv(scenario);
    if std::env::var_os("SCHOOLSCAPE_BLESS").is_some() {
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).unwrap_or_else(|_| panic!("tests/golden/{file} (bless it first)"));
    let (a, b): (Vec<&str>, Vec<&str>) = (stored.lines().collect(), now.lines().collect());
    assert_eq!(a.len(), b.len(), "{scenario}: the set of measures changed");
    for (x, y) in a.iter().zip(&b).skip(1) {
        let (xs, ys): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
        assert_eq!(xs[..3], ys[..3], "{scenario}: measure rows differ: {x} vs {y}");
        let (u, v): (f64, f64) = (xs[3].parse().unwrap(), ys[3].parse().unwrap());
        let same = (u.is_nan() && v.is_nan()) || (u - v).abs() <= 1e-9 * u.abs().max(1.0);
        assert!(same, "{scenario}: baseline changed: stored {x}, now {y}");
    }
}

#[test]
fn seeded_baseline_is_unchanged() {
    check("market", "baseline.csv");
}

#[test]
fn collaborative_baseline_is_unchanged() {
    check("collaborative", "collaborative.csv");
}

#[test]
fn residential_moves_baseline_is_unchanged() {
    check("market-moves", "market-moves.csv");
}
