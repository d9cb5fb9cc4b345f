//! Scenarios bundled into the library, so that `schoolscape run market` works
//! from anywhere and a program embedding the model can start from them. They
//! are the files of `scenarios/`, served under the virtual directory
//! `<bundled>`.
//!
//! ```
//! use schoolscape::scenario::bundled;
//!
//! assert!(bundled::names().contains(&"collaborative"));
//! let s = bundled::load("collaborative")?;
//! assert_eq!(s.name, "collaborative");
//! # Ok::<(), schoolscape::Error>(())
//! ```

use std::path::{Path, PathBuf};

use super::{Loader, Scenario};
use crate::error::{Error, Result};

/// The virtual directory of bundled scenarios.
pub const DIR: &str = "<bundled>";

/// The scenario run when none is named.
pub const DEFAULT: &str = "market";

/// (file name, text) of every bundled scenario file.
pub const FILES: &[(&str, &str)] = &[
    ("base.toml", include_str!("../../scenarios/base.toml")),
    ("catchment.toml", include_str!("../../scenarios/catchment.toml")),
    ("market.toml", include_str!("../../scenarios/market.toml")),
    ("national.toml", include_str!("../../scenarios/national.toml")),
    ("collaborative.toml", include_str!("../../scenarios/collaborative.toml")),
    ("market-collaborative.toml", include_str!("../../scenarios/market-collaborative.toml")),
    ("city-challenge.toml", include_str!("../../scenarios/city-challenge.toml")),
    ("voucher.toml", include_str!("../../scenarios/voucher.toml")),
    ("comprehensive.toml", include_str!("../../scenarios/comprehensive.toml")),
    ("england.toml", include_str!("../../scenarios/england.toml")),
    ("market-moves.toml", include_str!("../../scenarios/market-moves.toml")),
    ("market-reform.toml", include_str!("../../scenarios/market-reform.toml")),
    ("market-pairing.toml", include_str!("../../scenarios/market-pairing.toml")),
    ("market-openings.toml", include_str!("../../scenarios/market-openings.toml")),
    ("rezoning.toml", include_str!("../../scenarios/rezoning.toml")),
    ("trusts.toml", include_str!("../../scenarios/trusts.toml")),
    ("fragments/collaboration.toml", include_str!("../../scenarios/fragments/collaboration.toml")),
    ("validation/scenarios/chile-sae.toml", include_str!("../../scenarios/validation/scenarios/chile-sae.toml")),
    (
        "validation/scenarios/chile-voucher.toml",
        include_str!("../../scenarios/validation/scenarios/chile-voucher.toml"),
    ),
    (
        "validation/scenarios/stoica-choice.toml",
        include_str!("../../scenarios/validation/scenarios/stoica-choice.toml"),
    ),
    ("validation/scenarios/stoica-near.toml", include_str!("../../scenarios/validation/scenarios/stoica-near.toml")),
    (
        "validation/scenarios/ukanwa-differ-catchment.toml",
        include_str!("../../scenarios/validation/scenarios/ukanwa-differ-catchment.toml"),
    ),
    (
        "validation/scenarios/ukanwa-differ-choice.toml",
        include_str!("../../scenarios/validation/scenarios/ukanwa-differ-choice.toml"),
    ),
    (
        "validation/scenarios/ukanwa-same-catchment.toml",
        include_str!("../../scenarios/validation/scenarios/ukanwa-same-catchment.toml"),
    ),
    (
        "validation/scenarios/ukanwa-same-choice.toml",
        include_str!("../../scenarios/validation/scenarios/ukanwa-same-choice.toml"),
    ),
    ("validation/chile.toml", include_str!("../../scenarios/validation/chile.toml")),
    ("validation/england.toml", include_str!("../../scenarios/validation/england.toml")),
    ("validation/gap-measures.toml", include_str!("../../scenarios/validation/gap-measures.toml")),
    ("validation/stoica-flache.toml", include_str!("../../scenarios/validation/stoica-flache.toml")),
    ("validation/ukanwa.toml", include_str!("../../scenarios/validation/ukanwa.toml")),
];

/// The names of the bundled scenarios a user can run (all but the shared base).
pub fn names() -> Vec<&'static str> {
    FILES
        .iter()
        .map(|(n, _)| n.trim_end_matches(".toml"))
        .filter(|n| *n != "base" && !n.starts_with("validation/"))
        .collect()
}

/// Text of a bundled file at a virtual path, if it is one.
pub fn read(path: &Path) -> Option<&'static str> {
    let rel = path.strip_prefix(DIR).ok()?;
    let rel = rel.to_str()?.replace('\\', "/");
    FILES.iter().find(|(name, _)| *name == rel).map(|(_, text)| *text)
}

/// Read a scenario file: bundled (virtual path) or from disk. A file that is
/// not on disk but is named like a bundled one (`market.toml`,
/// `fragments/collaboration.toml`) is served from the bundle, so a user's
/// scenario anywhere can `extends = "market.toml"`.
pub fn read_any(path: &Path) -> std::io::Result<String> {
    if let Some(t) = read(path) {
        return Ok(t.to_string());
    }
    if path.starts_with(DIR) {
        return Err(std::io::Error::new(std::io::ErrorKind::NotFound, "no such bundled scenario"));
    }
    crate::limits::read_text(path, crate::limits::MAX_TOML_BYTES).or_else(|e| {
        if e.kind() != std::io::ErrorKind::NotFound {
            return Err(e);
        }
        let parts: Vec<&str> = path.iter().filter_map(|c| c.to_str()).collect();
        for k in (1..=parts.len().min(2)).rev() {
            let rel = parts[parts.len() - k..].join("/");
            // A bundled name with or without `.toml` (`market` as in a sweep's `base`).
            for name in [rel.clone(), format!("{rel}.toml")] {
                if let Some((_, text)) = FILES.iter().find(|(n, _)| *n == name) {
                    return Ok(text.to_string());
                }
            }
        }
        Err(e)
    })
}

/// Where to find a scenario the user named: a file on disk if it exists,
/// else a bundled scenario of that name (`market`, `market.toml` or
/// `scenarios/market.toml`).
pub fn resolve(arg: &str) -> PathBuf {
    let p = Path::new(arg);
    if p.exists() {
        return p.to_path_buf();
    }
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or(arg);
    let file = if name.ends_with(".toml") { name.to_string() } else { format!("{name}.toml") };
    let sub = p.parent().and_then(|d| d.file_name()).and_then(|d| d.to_str()).filter(|d| *d != "scenarios");
    let rel = match sub {
        Some(d) => format!("{d}/{file}"),
        None => file,
    };
    if FILES.iter().any(|(n, _)| *n == rel) {
        return Path::new(DIR).join(rel);
    }
    p.to_path_buf()
}

/// A bundled scenario by name (`market`, `collaborative`, see [`names`]),
/// with its `extends` chain resolved from the bundle and validated.
pub fn load(name: &str) -> Result<Scenario> {
    let file = if name.ends_with(".toml") { name.to_string() } else { format!("{name}.toml") };
    if !FILES.iter().any(|(n, _)| *n == file) {
        return Err(Error::input(None, "", format!("no bundled scenario named `{name}`"), names().join(", ")));
    }
    Loader::new(read_any).load(&Path::new(DIR).join(file))
}

/// The `description` of a scenario file's text (empty if it has none or
/// does not parse).
pub fn description(text: &str) -> String {
    let t: toml::Table = toml::from_str(text).unwrap_or_default();
    t.get("description").and_then(|v| v.as_str()).unwrap_or("").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under scenarios/ (but sweep files, read from disk) is bundled.
    #[test]
    fn every_scenario_file_is_bundled() {
        fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
            for e in std::fs::read_dir(dir).unwrap().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if e.path().is_dir() {
                    if name != "sweeps" {
                        walk(&e.path(), &format!("{prefix}{name}/"), out);
                    }
                } else if name.ends_with(".toml") {
                    out.push(format!("{prefix}{name}"));
                }
            }
        }
        let mut files = Vec::new();
        walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"), "", &mut files);
        for f in files {
            assert!(FILES.iter().any(|(n, _)| *n == f), "scenarios/{f} is not in bundled::FILES");
        }
    }
}
