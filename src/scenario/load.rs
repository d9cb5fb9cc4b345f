//! Reading scenario files: `extends` chains, defaults, and errors that name
//! the file, line, column and key.

use std::path::{Component, Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::Scenario;
use super::toml_de::{DeError, DeKind, Node, from_node, statements};
use crate::error::{Error, InputProblem, Location, ProblemKind, Result, line_col};

/// Reads scenario files. The read function lets the binary serve bundled
/// scenarios from memory and tests serve files from strings.
pub struct Loader<'a> {
    read: Box<ReadFn<'a>>,
}

/// A function that reads a scenario file.
type ReadFn<'a> = dyn Fn(&Path) -> std::io::Result<String> + 'a;

/// A TOML file as read: one file of an `extends` chain, or a sweep file.
#[derive(Debug)]
pub(crate) struct ChainFile {
    pub path: PathBuf,
    pub text: String,
}

impl<'a> Loader<'a> {
    /// A loader that reads with the given function.
    pub fn new(read: impl Fn(&Path) -> std::io::Result<String> + 'a) -> Self {
        Loader { read: Box::new(read) }
    }

    /// A loader that reads from the file system.
    pub fn from_disk() -> Loader<'static> {
        Loader::new(|p: &Path| crate::limits::read_text(p, crate::limits::MAX_TOML_BYTES))
    }

    /// Read, resolve (`extends`, defaults) and validate the scenario at `path`.
    pub fn load(&self, path: &Path) -> Result<Scenario> {
        let chain = self.read_chain(path)?;
        resolve(&chain)
    }

    /// Every file the scenario depends on, highest precedence first (the
    /// file itself, then its parents in reverse merge order). A file reached
    /// twice (a diamond) is merged once, where it is first needed.
    fn read_chain(&self, path: &Path) -> Result<Vec<ChainFile>> {
        let mut merge_order = Vec::new();
        let mut stack = Vec::new();
        self.visit(&normalise(path), None, &mut stack, &mut merge_order)?;
        merge_order.reverse();
        Ok(merge_order)
    }

    fn visit(
        &self,
        path: &Path,
        from: Option<&ChainFile>,
        stack: &mut Vec<ChainFile>,
        out: &mut Vec<ChainFile>,
    ) -> Result<()> {
        let at_extends = || from.and_then(|f| locate(f, "extends"));
        if stack.len() >= crate::limits::MAX_EXTENDS_DEPTH {
            return Err(Error::input(
                at_extends(),
                "extends",
                format!("`extends` chains more than {} files deep", crate::limits::MAX_EXTENDS_DEPTH),
                format!("a chain of at most {} files", crate::limits::MAX_EXTENDS_DEPTH),
            ));
        }
        if let Some(pos) = stack.iter().position(|f| f.path == path) {
            let names: Vec<String> = stack[pos..].iter().map(|f| f.path.display().to_string()).collect();
            return Err(Error::input(
                at_extends().or(from.map(|f| Location { file: f.path.clone(), line: 0, column: 0 })),
                "extends",
                format!("`extends` makes a cycle: {} -> {}", names.join(" -> "), path.display()),
                "a chain of files that ends in files without `extends`",
            ));
        }
        if out.iter().any(|f: &ChainFile| f.path == path) {
            return Ok(());
        }
        let text = (self.read)(path).map_err(|e| match from {
            Some(_) => Error::input(
                at_extends(),
                "extends",
                format!("cannot read `{}`: {e}", path.display()),
                "a path to a scenario file, relative to the file that extends it",
            ),
            None => Error::Io { path: path.to_path_buf(), source: e },
        })?;
        let file = ChainFile { path: path.to_path_buf(), text };
        check_file(&file).map_err(|e| match from {
            Some(f) => {
                let at = at_extends().map_or_else(|| f.path.display().to_string(), |l| l.to_string());
                e.noting(&f.path, &format!("a file that `extends` at {at} names"))
            }
            None => e,
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let parents = extends_of(&file);
        let here = ChainFile { path: file.path.clone(), text: file.text.clone() };
        stack.push(file);
        for rel in parents {
            self.visit(&normalise(&dir.join(rel)), Some(&here), stack, out)?;
        }
        stack.pop();
        out.push(here);
        Ok(())
    }
}

/// Read, resolve and validate a scenario file from disk.
pub fn load_path(path: &Path) -> Result<Scenario> {
    Loader::from_disk().load(path)
}

/// Resolve and validate a scenario given as text (it may not use `extends`).
/// `name` stands for the file in error messages.
///
/// ```
/// use schoolscape::scenario::load_from_str;
///
/// let s = load_from_str("[admissions]\ncream_skimming = 0.2\n", "mine.toml")?;
/// assert_eq!(s.admissions.cream_skimming, 0.2);
///
/// // A value out of range is refused, naming the file, line and key.
/// let e = load_from_str("[admissions]\ncream_skimming = 2.0\n", "mine.toml").unwrap_err();
/// assert!(e.to_string().starts_with("mine.toml:2:"), "{e}");
/// assert!(e.to_string().contains("admissions.cream_skimming"), "{e}");
/// # Ok::<(), schoolscape::Error>(())
/// ```
pub fn load_from_str(text: &str, name: &str) -> Result<Scenario> {
    let file = ChainFile { path: PathBuf::from(name), text: text.to_string() };
    check_file(&file)?;
    if !extends_of(&file).is_empty() {
        return Err(Error::input(
            locate(&file, "extends"),
            "extends",
            "a scenario given as text cannot extend a file",
            "a scenario without `extends`",
        ));
    }
    resolve(&[file])
}

/// Parse any TOML input file (for example a validation case) into `T`, with
/// errors that name the file, line, column and key, as for scenarios.
pub fn parse_located<T: serde::de::DeserializeOwned>(text: &str, path: &Path) -> Result<T> {
    parse_file(&ChainFile { path: path.to_path_buf(), text: text.to_string() })
}

/// Where a dotted key is set in a TOML text, if it is.
pub fn locate_key(text: &str, path: &Path, key: &str) -> Option<Location> {
    locate(&ChainFile { path: path.to_path_buf(), text: text.to_string() }, key)
        .or_else(|| Some(Location { file: path.to_path_buf(), line: 0, column: 0 }))
}

/// Lexically normalise a path (`a/./b/../c` becomes `a/c`), so that cycles are
/// found whatever way a file is named.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                // Pop a name, but never a `..` already kept (`../../a` stays so).
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Check one file on its own: TOML syntax, known keys, right types.
fn check_file(file: &ChainFile) -> Result<()> {
    parse_file::<Scenario>(file).map(|_| ())
}

/// Parse a TOML file into `T`, with errors that name the file, line, column
/// and key (serde's `deny_unknown_fields` lists the allowed keys).
pub(crate) fn parse_file<T: serde::de::DeserializeOwned>(file: &ChainFile) -> Result<T> {
    from_node(&document(file)?).map_err(|e| value_problem(file, &e))
}

/// A file's TOML document, or the syntax error that stops it being one.
fn document(file: &ChainFile) -> Result<Node> {
    let doc = DeTable::parse(&file.text).map_err(|e| syntax_problem(file, &e))?;
    Ok(Node::document(&doc))
}

/// What `extends` takes, in words.
const EXTENDS_ALLOWED: &str =
    "a path relative to this file or a bundled scenario name (such as \"market\"), or a list of them";

/// What a seed takes, in words.
const SEED_ALLOWED: &str = "a whole number from 0 to 18446744073709551615 (above 9223372036854775807, in quotes)";

fn problem_at(
    file: &ChainFile,
    offset: usize,
    kind: ProblemKind,
    key: String,
    message: String,
    allowed: String,
) -> Error {
    let (line, column) = line_col(&file.text, offset);
    Error::Input(vec![InputProblem {
        kind,
        location: Some(Location { file: file.path.clone(), line, column }),
        key,
        message,
        allowed,
    }])
}

/// A value a file's types do not take: the key and what is allowed come from
/// the error's kind; `extends` and seeds say what they take in words.
fn value_problem(file: &ChainFile, e: &DeError) -> Error {
    let key = e.key();
    let (kind, mut message, mut allowed) = e.words();
    let written = e.span.clone().and_then(|s| file.text.get(s)).unwrap_or("").trim();
    if key == "extends" || key.starts_with("extends[") {
        message = format!("`{written}` is not a file to extend");
        allowed = EXTENDS_ALLOWED.to_string();
    } else if matches!(e.kind, DeKind::TooLarge { .. }) && key.ends_with("seed") {
        allowed = SEED_ALLOWED.to_string();
    }
    problem_at(file, e.span.as_ref().map_or(0, |s| s.start), kind, key, message, allowed)
}

/// A text that is not TOML. The key is the one the statement at the error
/// sets; a key set by an earlier statement too is named as set twice (the
/// parser's words for that are terse).
fn syntax_problem(file: &ChainFile, e: &toml::de::Error) -> Error {
    let offset = e.span().map_or(0, |s| s.start);
    let statements = statements(&file.text);
    let here = statements.iter().rposition(|s| s.start <= offset);
    let (key, message, allowed) = match here.map(|i| (&statements[i], &statements[..i])) {
        Some((s, before)) if before.iter().any(|b| b.key == s.key) => {
            (s.key.clone(), format!("`{}` is set twice", s.key), "each key at most once in a table".to_string())
        }
        Some((s, _)) if s.key == "extends" => {
            let written = e.span().and_then(|r| file.text.get(r)).unwrap_or("").trim();
            (s.key.clone(), format!("`{written}` is not a file to extend"), EXTENDS_ALLOWED.to_string())
        }
        Some((s, _)) => (s.key.clone(), e.message().trim().to_string(), String::new()),
        None => (String::new(), e.message().trim().to_string(), String::new()),
    };
    problem_at(file, offset, ProblemKind::Syntax, key, message, allowed)
}

fn extends_of(file: &ChainFile) -> Vec<String> {
    let Ok(t) = toml::from_str::<toml::Table>(&file.text) else { return Vec::new() };
    match t.get("extends") {
        Some(toml::Value::String(s)) => vec![s.clone()],
        Some(toml::Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

/// Where a dotted key path (with `[i]` for array items) is set in a file.
pub(crate) fn locate(file: &ChainFile, key: &str) -> Option<Location> {
    let doc = DeTable::parse(&file.text).ok()?;
    let mut table: &DeTable<'_> = doc.get_ref();
    let mut span = None;
    let segments: Vec<&str> = key.split('.').collect();
    for (n, seg) in segments.iter().enumerate() {
        let (name, index) = match seg.split_once('[') {
            Some((a, b)) => (a, b.trim_end_matches(']').parse::<usize>().ok()),
            None => (*seg, None),
        };
        let (k, v) = table.iter().find(|(k, _)| k.get_ref() == name)?;
        span = Some(k.span());
        let mut value = v;
        if let Some(i) = index {
            if let DeValue::Array(a) = v.get_ref() {
                value = a.get(i)?;
                span = Some(value.span());
            }
        }
        if n + 1 < segments.len() {
            match value.get_ref() {
                DeValue::Table(t) => table = t,
                _ => break,
            }
        }
    }
    let s = span?;
    let (line, column) = line_col(&file.text, s.start);
    Some(Location { file: file.path.clone(), line, column })
}

/// The file of the chain (child first) that sets a key, and where.
pub(crate) fn locate_in_chain(chain: &[ChainFile], key: &str) -> Option<Location> {
    // Try the full key, then its parents (a whole array or table may be set).
    let mut k = key.to_string();
    loop {
        for f in chain {
            if let Some(l) = locate(f, &k) {
                return Some(l);
            }
        }
        match k.rfind(['.', '[']) {
            Some(p) => k.truncate(p),
            None => return None,
        }
    }
}

fn merge(base: &mut toml::Table, over: toml::Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Merge a chain (child first), apply defaults, resolve CSV paths, validate.
fn resolve(chain: &[ChainFile]) -> Result<Scenario> {
    // Start from the defaults, so that every key is present before the
    // files are merged over them (class-specific defaults stay right).
    let mut merged = toml::Table::try_from(Scenario::default()).unwrap_or_default();
    for f in chain.iter().rev() {
        // A number beyond TOML's 64 bits (a bare seed above 2⁶³) has no place in a table.
        if let toml::Value::Table(t) = document(f)?.to_value().map_err(|e| value_problem(f, &e))? {
            merge(&mut merged, t);
        }
    }
    merged.remove("extends");
    let first = &chain[0];
    let mut scenario: Scenario = from_node(&Node::table(&merged)).map_err(|e| {
        let (kind, message, allowed) = e.words();
        let key = e.key();
        let location = locate_in_chain(chain, &key).or(Some(Location { file: first.path.clone(), line: 0, column: 0 }));
        Error::Input(vec![InputProblem { kind, location, key, message, allowed }])
    })?;
    scenario.extends = None;
    if scenario.name.is_empty() {
        scenario.name =
            first.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario".into());
    }
    // CSV paths are relative to the file that names them.
    for key in ["region.schools_csv", "region.neighbourhoods_csv", "region.catchments_csv", "region.trusts_csv"] {
        let value = match key {
            "region.schools_csv" => &mut scenario.region.schools_csv,
            "region.neighbourhoods_csv" => &mut scenario.region.neighbourhoods_csv,
            "region.catchments_csv" => &mut scenario.region.catchments_csv,
            _ => &mut scenario.region.trusts_csv,
        };
        if value.is_empty() || Path::new(value.as_str()).is_absolute() {
            continue;
        }
        if let Some(f) = chain.iter().find(|f| locate(f, key).is_some()) {
            let dir = f.path.parent().map(Path::to_path_buf).unwrap_or_default();
            *value = normalise(&dir.join(value.as_str())).to_string_lossy().into_owned();
        }
    }
    let mut problems = super::validate(&scenario);
    if !problems.is_empty() {
        // Locating a problem reads the files again: report the first few.
        const SHOWN: usize = 50;
        if problems.len() > SHOWN {
            let more = problems.len() - SHOWN;
            problems.truncate(SHOWN);
            problems.push(crate::error::InputProblem {
                kind: Default::default(),
                location: None,
                key: String::new(),
                message: format!("and {more} more problems"),
                allowed: String::new(),
            });
        }
        let problems = problems
            .into_iter()
            .map(|mut p| {
                p.location = locate_in_chain(chain, &p.key)
                    .or_else(|| Some(Location { file: first.path.clone(), line: 0, column: 0 }));
                p
            })
            .collect();
        return Err(Error::Input(problems));
    }
    Ok(scenario)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn loader(files: &[(&str, &str)]) -> (HashMap<PathBuf, String>, ()) {
        (files.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect(), ())
    }

    fn load(files: &[(&str, &str)], path: &str) -> Result<Scenario> {
        let (map, ()) = loader(files);
        let l = Loader::new(move |p: &Path| {
            map.get(p).cloned().ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
        });
        l.load(Path::new(path))
    }

    #[test]
    fn defaults_fill_an_empty_file() {
        let s = load(&[("a.toml", "")], "a.toml").unwrap();
        assert_eq!(s.name, "a");
        assert_eq!(s.run.years, 20);
    }

    #[test]
    fn extends_merges_tables_key_by_key() {
        let s = load(
            &[
                ("d/base.toml", "[region]\nschools = 40\nentrants_per_year = 3000\n"),
                ("d/child.toml", "extends = \"base.toml\"\n[region]\nschools = 50\n"),
            ],
            "d/child.toml",
        )
        .unwrap();
        assert_eq!(s.region.schools, 50);
        assert_eq!(s.region.entrants_per_year, 3000);
        assert_eq!(s.extends, None);
    }

    #[test]
    fn unknown_key_names_file_line_and_allowed_keys() {
        let e = load(&[("x.toml", "name = \"x\"\n[region]\nschool = 3\n")], "x.toml").unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("x.toml:3:1:"), "{text}");
        assert!(text.contains("school"), "{text}");
        assert!(text.contains("entrants_per_year"), "{text}");
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let e = load(&[("x.toml", "[run]\nyears = \"many\"\n")], "x.toml").unwrap_err();
        let text = e.to_string();
        assert!(text.contains("x.toml:2:"), "{text}");
        assert!(text.contains("run.years"), "{text}");
    }

    #[test]
    fn out_of_range_value_is_located_in_the_file_that_sets_it() {
        let e = load(
            &[("base.toml", "[admissions]\ncream_skimming = 1.5\n"), ("c.toml", "extends = \"base.toml\"\n")],
            "c.toml",
        )
        .unwrap_err();
        let text = e.to_string();
        assert!(text.starts_with("base.toml:2:1:"), "{text}");
        assert!(text.contains("admissions.cream_skimming"), "{text}");
        assert!(text.contains("0 to 1"), "{text}");
    }

    #[test]
    fn extends_lists_merge_in_order_and_diamonds_once() {
        let s = load(
            &[
                ("base.toml", "[region]\nschools = 40\n[run]\nyears = 5\n"),
                ("a.toml", "extends = \"base.toml\"\n[region]\nschools = 50\n"),
                ("frag.toml", "extends = \"base.toml\"\n[run]\nyears = 7\n"),
                ("c.toml", "extends = [\"a.toml\", \"frag.toml\"]\n"),
            ],
            "c.toml",
        )
        .unwrap();
        // base is merged once (before a), so a's schools survive frag's parent.
        assert_eq!(s.region.schools, 50);
        assert_eq!(s.run.years, 7);
    }

    #[test]
    fn extends_cycle_is_an_error() {
        let e =
            load(&[("a.toml", "extends = \"b.toml\"\n"), ("b.toml", "extends = \"a.toml\"\n")], "a.toml").unwrap_err();
        assert!(e.to_string().contains("cycle"), "{e}");
        assert!(e.to_string().starts_with("b.toml:1:1"), "{e}");
    }

    #[test]
    fn missing_parent_is_reported_at_the_extends_line() {
        let e = load(&[("a.toml", "name = \"a\"\nextends = \"nope.toml\"\n")], "a.toml").unwrap_err();
        assert!(e.to_string().starts_with("a.toml:2:1"), "{e}");
    }

    #[test]
    fn array_item_errors_name_the_item() {
        let e = load(
            &[(
                "g.toml",
                "[[population.groups]]\nname = \"a\"\nshare = 0.5\n[[population.groups]]\nname = \"b\"\nshare = 0.6\n",
            )],
            "g.toml",
        )
        .unwrap_err();
        assert!(e.to_string().contains("population.groups"), "{e}");
    }

    #[test]
    fn csv_paths_are_relative_to_the_file_that_names_them() {
        let s = load(
            &[
                (
                    "data/base.toml",
                    "[region]\nsource = \"csv\"\nschools_csv = \"s.csv\"\nneighbourhoods_csv = \"n.csv\"\n",
                ),
                ("x/c.toml", "extends = \"../data/base.toml\"\n"),
            ],
            "x/c.toml",
        )
        .unwrap();
        assert_eq!(s.region.schools_csv, "data/s.csv");
    }
}
