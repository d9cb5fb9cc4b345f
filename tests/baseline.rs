//! A small seeded baseline guards against silent change: every measure of a
//! small market run must match the stored file. After an intended change to
//! the model, regenerate it with `SCHOOLSCAPE_BLESS=1 cargo test --release --test baseline`
//! and say why in the commit message.

use std::fmt::Write;
use std::path::Path;

use schoolscape::Simulation;
use schoolscape::scenario::load_path;

fn baseline_csv() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = load_path(&root.join("scenarios/market.toml")).unwrap().scaled(0.2);
    let mut out = String::from("year,measure,subgroup,value\n");
    for rec in Simulation::new(&s, None, 20161).unwrap().run(4) {
        for m in rec.metrics {
            writeln!(out, "{},{},{},{}", rec.year, m.measure, m.subgroup, m.value).unwrap();
        }
    }
    out
}

#[test]
fn seeded_baseline_is_unchanged() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/baseline.csv");
    let now = baseline_csv();
    if std::env::var_os("SCHOOLSCAPE_BLESS").is_some() {
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let stored = std::fs::read_to_string(&path).expect("tests/golden/baseline.csv (bless it first)");
    let (a, b): (Vec<&str>, Vec<&str>) = (stored.lines().collect(), now.lines().collect());
    assert_eq!(a.len(), b.len(), "the set of measures changed");
    for (x, y) in a.iter().zip(&b).skip(1) {
        let (xs, ys): (Vec<&str>, Vec<&str>) = (x.split(',').collect(), y.split(',').collect());
        assert_eq!(xs[..3], ys[..3], "measure rows differ: {x} vs {y}");
        let (u, v): (f64, f64) = (xs[3].parse().unwrap(), ys[3].parse().unwrap());
        let same = (u.is_nan() && v.is_nan()) || (u - v).abs() <= 1e-9 * u.abs().max(1.0);
        assert!(same, "baseline changed: stored {x}, now {y}");
    }
}
