//! Setting a value at a dotted parameter path of a scenario, such as
//! `admissions.cream_skimming`, `families.disadvantaged.information` or
//! `population.groups[1].share`.
//!
//! The resolved scenario is serialised to a TOML table, the values are set in
//! the table, and the table is deserialised and validated back into a
//! [`Scenario`]: so a sweep can vary any parameter a scenario file can set,
//! with the same types and the same range checks.
//!
//! Problems come back as [`InputProblem`]s keyed by the parameter path, without
//! a location: the caller knows where the path was written.

use crate::error::{InputProblem, ProblemKind};
use crate::scenario::toml_de::{DeError, DeKind, Node, from_node};
use crate::scenario::{Scenario, validate};

/// Paths that a sweep cannot vary, and why.
const FIXED: &[(&str, &str)] = &[
    ("run", "run length, replicates and seed are set by the sweep file (`years`, `replicates`, `seed`)"),
    ("name", "the scenario's name is not a parameter"),
    ("description", "the scenario's description is not a parameter"),
    ("extends", "`extends` is resolved before a sweep starts"),
    ("region.source", "the region's source is read once, before a sweep starts"),
    ("region.schools_csv", "region CSV files are read once, before a sweep starts"),
    ("region.neighbourhoods_csv", "region CSV files are read once, before a sweep starts"),
    ("region.catchments_csv", "region CSV files are read once, before a sweep starts"),
    ("region.trusts_csv", "region CSV files are read once, before a sweep starts"),
];

/// One segment of a parameter path: a key, and an array index if it has one.
fn segments(path: &str) -> Result<Vec<(&str, Option<usize>)>, String> {
    if path.is_empty() {
        return Err("an empty parameter path".into());
    }
    path.split('.')
        .map(|seg| match seg.split_once('[') {
            None if !seg.is_empty() => Ok((seg, None)),
            Some((name, rest)) if !name.is_empty() && rest.ends_with(']') => rest[..rest.len() - 1]
                .parse::<usize>()
                .map(|i| (name, Some(i)))
                .map_err(|_| format!("`{seg}` has a bad index")),
            _ => Err(format!("`{seg}` is not a key")),
        })
        .collect()
}

fn problem(path: &str, message: impl Into<String>, allowed: impl Into<String>) -> InputProblem {
    InputProblem::new(path, message, allowed)
}

/// A problem with the path itself: it names no single parameter.
fn no_parameter(path: &str, message: impl Into<String>, allowed: impl Into<String>) -> InputProblem {
    problem(path, message, allowed).of_kind(ProblemKind::NoSuchParameter)
}

/// What kind of value a TOML value is, in words.
pub fn kind(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

fn keys_of(prefix: &str, t: &toml::Table) -> String {
    t.keys().map(|k| if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") }).collect::<Vec<_>>().join(", ")
}

/// Check that `path` names something a sweep may vary.
fn check_variable(path: &str) -> Result<(), InputProblem> {
    for (fixed, why) in FIXED {
        if path == *fixed || path.strip_prefix(fixed).is_some_and(|rest| rest.starts_with(['.', '['])) {
            return Err(problem(path, format!("cannot be varied: {why}"), "a model parameter")
                .of_kind(ProblemKind::NotVariable));
        }
    }
    Ok(())
}

/// Whether a problem is about the path itself (no such parameter, or one a
/// sweep cannot vary) rather than about a value.
pub fn is_path_problem(p: &InputProblem) -> bool {
    matches!(p.kind, ProblemKind::NoSuchParameter | ProblemKind::NotVariable)
}

/// The value at a path of a scenario table, if it is set there.
pub fn get<'t>(table: &'t toml::Table, path: &str) -> Option<&'t toml::Value> {
    let segs = segments(path).ok()?;
    let mut t = table;
    let mut out = None;
    for (n, (name, index)) in segs.iter().enumerate() {
        let mut v = t.get(*name)?;
        if let Some(i) = index {
            v = v.as_array()?.get(*i)?;
        }
        if n + 1 < segs.len() {
            t = v.as_table()?;
        } else {
            out = Some(v);
        }
    }
    out
}

/// `value` in the type of the parameter at `path` where that is lossless (see
/// [`set`]); unchanged if the path is not set in the table or the types differ.
pub fn normalise(table: &toml::Table, path: &str, value: toml::Value) -> toml::Value {
    match get(table, path) {
        Some(current) => coerce(path, current, value.clone()).unwrap_or(value),
        None => value,
    }
}

/// Convert `value` to the type of `current` where that is lossless (a whole
/// number for a number parameter, a number with no fraction for a whole-number
/// parameter), or say why it does not fit.
fn coerce(path: &str, current: &toml::Value, value: toml::Value) -> Result<toml::Value, InputProblem> {
    use toml::Value as V;
    let wrong = |v: &V| {
        problem(
            path,
            format!("{} is {}, but this parameter is {}", value_text(v), kind(v), kind(current)),
            kind(current),
        )
        .of_kind(ProblemKind::WrongType)
    };
    match (current, value) {
        (V::Float(_), V::Integer(i)) => Ok(V::Float(i as f64)),
        (V::Float(_), v @ V::Float(_)) => Ok(v),
        (V::Integer(_), V::Integer(i)) => Ok(V::Integer(i)),
        (V::Integer(_), V::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(V::Integer(f as i64)),
        (V::Integer(_), V::Float(f)) => {
            Err(problem(path, format!("{f} is not a whole number"), "a whole number for this parameter")
                .of_kind(ProblemKind::WrongType))
        }
        (V::Boolean(_), v @ V::Boolean(_)) => Ok(v),
        (V::String(_), v @ V::String(_)) => Ok(v),
        (V::Array(_), v @ V::Array(_)) => Ok(v),
        (V::Table(t), v) => Err(no_parameter(
            path,
            format!(
                "no single parameter `{path}`: it is a group of parameters ({} cannot be set on it)",
                value_text(&v)
            ),
            format!("one of its parameters: {}", keys_of(path, t)),
        )),
        (_, v) => Err(wrong(&v)),
    }
}

/// Set `value` at `path` in a scenario table.
///
/// Checks the path against the table (unknown keys, array indexes out of
/// range, a group of parameters where one is wanted) and the value against the
/// type already there. A key that the table does not hold yet (an optional
/// parameter that is unset) is inserted; deserialising the table says whether
/// it exists (see [`apply`]).
pub fn set(table: &mut toml::Table, path: &str, value: toml::Value) -> Result<(), InputProblem> {
    check_variable(path)?;
    let segs =
        segments(path).map_err(|m| no_parameter(path, m, "a dotted path such as `admissions.cream_skimming`"))?;
    let mut t = table;
    let mut walked = String::new();
    for (n, (name, index)) in segs.iter().enumerate() {
        let last = n + 1 == segs.len();
        let here = if walked.is_empty() { name.to_string() } else { format!("{walked}.{name}") };
        if !t.contains_key(*name) {
            if index.is_some() {
                return Err(no_parameter(
                    path,
                    format!("no parameter `{path}`: no list `{here}`"),
                    keys_of(&walked, t),
                ));
            }
            if last {
                t.insert(name.to_string(), value);
                return Ok(());
            }
            t.insert(name.to_string(), toml::Value::Table(toml::Table::new()));
        }
        let keys = keys_of(&walked, t);
        let Some(mut slot) = t.get_mut(*name) else {
            return Err(no_parameter(path, format!("no parameter `{here}`"), keys));
        };
        if let Some(i) = index {
            let toml::Value::Array(items) = slot else {
                return Err(no_parameter(path, format!("no parameter `{path}`: `{here}` is not a list"), here));
            };
            let len = items.len();
            slot = items.get_mut(*i).ok_or_else(|| {
                no_parameter(
                    path,
                    format!("no parameter `{path}`: `{here}` has {len} item{}", if len == 1 { "" } else { "s" }),
                    if len == 0 { "no index".to_string() } else { format!("an index from 0 to {}", len - 1) },
                )
            })?;
        }
        walked = match index {
            Some(i) => format!("{here}[{i}]"),
            None => here,
        };
        if last {
            *slot = coerce(path, slot, value)?;
            return Ok(());
        }
        match slot {
            toml::Value::Table(next) => t = next,
            other => {
                return Err(no_parameter(
                    path,
                    format!("no parameter `{path}`: `{walked}` is {}, not a group of parameters", kind(other)),
                    format!("`{walked}` itself"),
                ));
            }
        }
    }
    Ok(())
}

/// The scenario table a sweep sets values in: `base` serialised, with the
/// run settings left out (they are not parameters, and a seed above 2⁶³ has no
/// TOML form).
pub fn table_of(base: &Scenario) -> toml::Table {
    let mut s = base.clone();
    s.run = Default::default();
    let mut t = toml::Table::try_from(&s).unwrap_or_default();
    t.remove("run");
    t
}

/// Deserialise a scenario table (from [`table_of`], with values [`set`]) and
/// validate it. `base` supplies what the table leaves out. A problem of
/// deserialising names no key: the caller knows which values it set.
pub fn finish(base: &Scenario, table: toml::Table) -> Result<Scenario, Vec<InputProblem>> {
    let s = deserialise(base, &table).map_err(|e| {
        let (kind, message, allowed) = e.words();
        vec![problem("", message, allowed).of_kind(kind)]
    })?;
    let problems = validate(&s);
    if problems.is_empty() { Ok(s) } else { Err(problems) }
}

/// A scenario table deserialised, with `base`'s run settings, name and description.
fn deserialise(base: &Scenario, table: &toml::Table) -> Result<Scenario, DeError> {
    let mut s: Scenario = from_node(&Node::table(table))?;
    s.run = base.run.clone();
    s.name = base.name.clone();
    s.description = base.description.clone();
    s.extends = None;
    Ok(s)
}

/// The scenario `base` with `values` set at their paths, deserialised and
/// validated. Problems are keyed by the parameter path that caused them
/// (for a range problem, by the key the check names).
///
/// ```
/// use schoolscape::{scenario::bundled, sweep::params::apply};
///
/// let base = bundled::load("market")?;
/// let s = apply(&base, &[("admissions.cream_skimming", toml::Value::Float(0.25))]).unwrap();
/// assert_eq!(s.admissions.cream_skimming, 0.25);
/// let refused = apply(&base, &[("admissions.no_such_key", toml::Value::Float(1.0))]).unwrap_err();
/// assert_eq!(refused[0].key, "admissions.no_such_key");
/// # Ok::<(), schoolscape::Error>(())
/// ```
pub fn apply(base: &Scenario, values: &[(&str, toml::Value)]) -> Result<Scenario, Vec<InputProblem>> {
    apply_to(base, &table_of(base), values)
}

/// As [`apply`], starting from a table made once by [`table_of`].
pub fn apply_to(
    base: &Scenario,
    base_table: &toml::Table,
    values: &[(&str, toml::Value)],
) -> Result<Scenario, Vec<InputProblem>> {
    let mut table = base_table.clone();
    for (path, v) in values {
        set(&mut table, path, v.clone()).map_err(|p| vec![p])?;
    }
    let s = deserialise(base, &table).map_err(|e| {
        // Find the value that breaks it on its own, and name its path.
        let alone = |(path, v): &&(&str, toml::Value)| {
            let mut one = base_table.clone();
            set(&mut one, path, v.clone()).ok()?;
            deserialise(base, &one).err().map(|e| name_problem(base_table, path, &e))
        };
        vec![values.iter().find_map(|pv| alone(&pv)).unwrap_or_else(|| {
            let (kind, message, allowed) = e.words();
            problem("", message, allowed).of_kind(kind)
        })]
    })?;
    let problems = validate(&s);
    if problems.is_empty() { Ok(s) } else { Err(problems) }
}

/// A deserialising problem as one about the parameter `path`.
fn name_problem(base_table: &toml::Table, path: &str, e: &DeError) -> InputProblem {
    let (kind, message, allowed) = e.words();
    let DeKind::UnknownKey { allowed: names, .. } = &e.kind else {
        return problem(path, message, allowed).of_kind(kind);
    };
    // The unknown key is the first segment of the path that the
    // scenario's table does not hold ([`set`] inserted it).
    let segs: Vec<&str> = path.split('.').collect();
    let at = (0..segs.len()).find(|&n| get(base_table, &segs[..=n].join(".")).is_none()).unwrap_or(segs.len() - 1);
    let name = segs[at].split('[').next().unwrap_or(segs[at]);
    // The keys allowed where the unknown one is, prefixed with its parent.
    let parent = segs[..at].join(".");
    let allowed: Vec<String> = names
        .iter()
        .map(|f| if parent.is_empty() { f.to_string() } else { format!("{parent}.{f}") })
        .filter(|k| check_variable(k).is_ok())
        .collect();
    no_parameter(path, format!("no parameter `{path}` (unknown key `{name}`)"), allowed.join(", "))
}

/// A value as plain text: strings bare, numbers in their shortest form, lists
/// and tables in TOML's inline form.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Float(f) => format!("{f}"),
        other => other.to_string(),
    }
}

/// A value from plain text (a design table's cell): a whole number, a number,
/// `true`/`false`, a TOML list or table, or else a string.
pub fn parse_value(text: &str) -> toml::Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        return toml::Value::Integer(i);
    }
    if let Ok(f) = t.parse::<f64>() {
        return toml::Value::Float(f);
    }
    match t {
        "true" => return toml::Value::Boolean(true),
        "false" => return toml::Value::Boolean(false),
        _ => {}
    }
    if t.starts_with(['[', '{', '"']) {
        if let Ok(mut doc) = toml::from_str::<toml::Table>(&format!("v = {t}")) {
            if let Some(v) = doc.remove("v") {
                return v;
            }
        }
    }
    toml::Value::String(t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::Value as V;

    fn base() -> Scenario {
        Scenario::default()
    }

    fn err(path: &str, v: V) -> InputProblem {
        let mut e = apply(&base(), &[(path, v)]).unwrap_err();
        assert_eq!(e.len(), 1, "{e:?}");
        e.remove(0)
    }

    #[test]
    fn sets_nested_and_indexed_paths() {
        let mut b = base();
        b.population.groups.push(b.population.groups[0].clone());
        b.population.groups[1].name = "b".into();
        b.population.groups[0].share = 0.5;
        b.population.groups[1].share = 0.5;
        let s = apply(
            &b,
            &[
                ("admissions.cream_skimming", V::Float(0.4)),
                ("families.disadvantaged.information", V::Float(0.2)),
                ("choice.list_length", V::Integer(4)),
                ("population.groups[1].ses_shift", V::Float(-0.5)),
                ("admissions.mechanism", V::String("boston".into())),
            ],
        )
        .unwrap();
        assert_eq!(s.admissions.cream_skimming, 0.4);
        assert_eq!(s.families.disadvantaged.information, 0.2);
        assert_eq!(s.families.advantaged.information, 0.9);
        assert_eq!(s.choice.list_length, 4);
        assert_eq!(s.population.groups[1].ses_shift, -0.5);
        assert_eq!(s.admissions.mechanism, crate::scenario::Mechanism::Boston);
    }

    #[test]
    fn whole_numbers_become_numbers_and_back() {
        let s =
            apply(&base(), &[("market.max_expansion", V::Integer(2)), ("choice.list_length", V::Float(5.0))]).unwrap();
        assert_eq!(s.market.max_expansion, 2.0);
        assert_eq!(s.choice.list_length, 5);
        let e = err("choice.list_length", V::Float(4.5));
        assert!(e.message.contains("not a whole number"), "{e}");
    }

    #[test]
    fn unset_optional_parameters_can_be_set() {
        let v = V::Array(vec![V::String("lottery".into())]);
        let s = apply(&base(), &[("admissions.autonomous_priorities", v)]).unwrap();
        assert_eq!(s.admissions.autonomous_priorities, Some(vec![crate::scenario::Priority::Lottery]));
    }

    #[test]
    fn unknown_path_names_the_path_and_what_is_allowed() {
        let e = err("admissions.cream_skiming", V::Float(0.1));
        assert_eq!(e.key, "admissions.cream_skiming");
        assert!(e.message.contains("no parameter"), "{e}");
        assert!(e.allowed.contains("admissions.cream_skimming"), "{e}");
        let e = err("admisions.cream_skimming", V::Float(0.1));
        assert!(e.message.contains("no parameter"), "{e}");
        assert!(e.allowed.contains("admissions"), "{e}");
    }

    #[test]
    fn wrong_type_says_what_the_parameter_is() {
        let e = err("admissions.cream_skimming", V::String("high".into()));
        assert_eq!(e.key, "admissions.cream_skimming");
        assert!(e.message.contains("high is a string"), "{e}");
        assert_eq!(e.allowed, "a number");
        let e = err("admissions", V::Float(0.1));
        assert!(e.message.contains("group of parameters"), "{e}");
        assert!(e.allowed.contains("admissions.cream_skimming"), "{e}");
        let e = err("admissions.mechanism", V::String("lottery".into()));
        assert!(e.message.contains("unknown variant"), "{e}");
        assert!(e.allowed.contains("deferred_acceptance"), "{e}");
    }

    #[test]
    fn index_out_of_range_and_fixed_paths_are_refused() {
        let e = err("population.groups[3].share", V::Float(0.1));
        assert!(e.message.contains("1 item"), "{e}");
        assert_eq!(e.allowed, "an index from 0 to 0");
        let e = err("run.years", V::Integer(3));
        assert!(e.message.contains("cannot be varied"), "{e}");
    }

    #[test]
    fn out_of_range_values_fail_validation_with_their_key() {
        let e = err("admissions.cream_skimming", V::Float(1.5));
        assert_eq!(e.key, "admissions.cream_skimming");
        assert!(e.allowed.contains("0 to 1"), "{e}");
    }

    #[test]
    fn values_round_trip_through_text() {
        for v in [V::Integer(3), V::Float(0.25), V::Boolean(true), V::String("boston".into())] {
            assert_eq!(parse_value(&value_text(&v)), v);
        }
        let list = parse_value("[\"catchment\", \"distance\"]");
        assert_eq!(list.as_array().map(Vec::len), Some(2));
    }
}
