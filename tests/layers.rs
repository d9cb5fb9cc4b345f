//! The model's modules depend downward only: each uses only the modules
//! listed before it in [`ORDER`] (the layers of the crate's documentation,
//! `src/lib.rs`). A use of a later module is a cycle waiting to happen, and
//! fails here with the file and the module it reached up to.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The library's top-level modules, lowest first.
const ORDER: &[&str] = &[
    // The ground.
    "error",
    "ids",
    "rng",
    "stats",
    "spatial",
    "limits",
    // The description.
    "scenario",
    "region",
    // The state.
    "schools",
    "cohort",
    "ties",
    // The mechanisms of the yearly schedule.
    "residential",
    "choice",
    "admissions",
    "learning",
    "publish",
    "market",
    "improvement",
    // The world and what reads it.
    "world",
    "openings",
    "measures",
    "policy",
    // Running.
    "sim",
    "run",
    "estimate",
    "sweep",
    "validation",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The top-level modules a file's code names (`crate::x`, `use crate::{x, y}`),
/// comments and its test module left out.
fn uses(text: &str) -> BTreeSet<String> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or("");
    let code: String = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n");
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `use crate::{a, b::c, d::{e, f}}`: the first name of each item at depth 0.
            let mut depth = 0;
            let mut start = true;
            for (k, ch) in group.char_indices() {
                match ch {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start = true,
                    c if start && (c.is_ascii_alphanumeric() || c == '_') => {
                        out.insert(ident(&group[k..]));
                        start = false;
                    }
                    _ => {}
                }
            }
        } else {
            out.insert(ident(rest));
        }
    }
    out
}

#[test]
fn the_models_modules_depend_downward_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    let mut seen = BTreeSet::new();
    for f in &files {
        let rel = f.strip_prefix(&src).unwrap();
        let first = rel.iter().next().unwrap().to_string_lossy().trim_end_matches(".rs").to_string();
        if ["cli", "main", "lib"].contains(&first.as_str()) {
            continue;
        }
        seen.insert(first.clone());
        let Some(me) = ORDER.iter().position(|m| *m == first) else {
            upward.push(format!("{}: module `{first}` is not in ORDER (place it in its layer)", rel.display()));
            continue;
        };
        for used in uses(&std::fs::read_to_string(f).unwrap()) {
            if let Some(them) = ORDER.iter().position(|m| *m == used) {
                if them > me {
                    upward.push(format!("{}: `{first}` uses `{used}`, a later layer", rel.display()));
                }
            }
        }
    }
    assert!(upward.is_empty(), "{}", upward.join("\n"));
    // The order names only modules that exist.
    let missing: Vec<&&str> = ORDER.iter().filter(|m| !seen.contains(**m)).collect();
    assert!(missing.is_empty(), "ORDER names modules not in src/: {missing:?}");
}

#[test]
fn the_use_reader_sees_grouped_and_inline_paths() {
    let text = "use crate::{choice::{self, Applications}, ids::NONE};\n// crate::sim in a comment\nfn f() { crate::world::World::new(); }\n#[cfg(test)]\nmod tests {\n    use crate::run;\n}\n";
    let got: Vec<String> = uses(text).into_iter().collect();
    assert_eq!(got, ["choice", "ids", "world"]);
}
