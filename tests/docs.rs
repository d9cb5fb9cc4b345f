//! The documentation keeps up with the code: every scenario parameter is in
//! docs/ODD.md, and every bundled scenario is listed in the README.

use std::path::Path;

fn keys(prefix: &str, v: &toml::Value, out: &mut Vec<String>) {
    match v {
        toml::Value::Table(t) => {
            for (k, v) in t {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                keys(&p, v, out);
            }
        }
        toml::Value::Array(a) if a.iter().all(|x| x.is_table()) && !a.is_empty() => {
            keys(&format!("{prefix}[]"), &a[0], out);
        }
        _ => out.push(prefix.to_string()),
    }
}

#[test]
fn every_parameter_is_documented_in_the_odd() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let odd = std::fs::read_to_string(root.join("docs/ODD.md")).expect("docs/ODD.md");
    let mut s = schoolscape::Scenario::default();
    s.admissions.autonomous_priorities = Some(vec![]);
    let v = toml::Value::try_from(&s).unwrap();
    let mut all = Vec::new();
    keys("", &v, &mut all);
    let missing: Vec<&String> = all.iter().filter(|k| !odd.contains(&format!("`{k}`"))).collect();
    assert!(missing.is_empty(), "parameters missing from docs/ODD.md (as `dotted.key`): {missing:?}");
}
