//! The timeline: changes to a scenario at given years.
//!
//! ```toml
//! [[timeline]]
//! year = 6
//! set = { "market.funding_follows_pupils" = true, "admissions.mechanism" = "deferred_acceptance" }
//! ```
//!
//! A change names parameters by the same dotted paths that sweeps vary
//! ([`crate::sweep::params`]); `set = { market.closures = true }` (a dotted
//! key, a nested table) means the same as the quoted path. Each change is in
//! force from the start of its year (1 = the first recorded year) to the end
//! of the run or the next change of the same parameter. The scenario in force
//! after every change is resolved and validated like a scenario file, before
//! any work: [`resolve`].

use serde::{Deserialize, Deserializer, Serialize};

use super::Scenario;
use super::params;
use crate::error::InputProblem;

/// One change of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// The year from whose start the change is in force (1 = the first recorded year).
    pub year: u32,
    /// New values by dotted parameter path (as in sweeps), held as nested tables.
    #[serde(deserialize_with = "nested")]
    pub set: toml::Table,
}

impl Change {
    /// A change at `year` of the given dotted paths to the given values.
    /// Fails on a path given twice or no path at all.
    pub fn from_paths(year: u32, paths: Vec<(String, toml::Value)>) -> Result<Change, String> {
        if paths.is_empty() {
            return Err("a change that sets nothing".into());
        }
        for (i, (p, _)) in paths.iter().enumerate() {
            if paths[..i].iter().any(|(q, _)| q == p) {
                return Err(format!("`{p}` is set twice in one change"));
            }
        }
        Ok(Change { year, set: nest(paths) })
    }
}

/// Parameters that cannot change during a run, and why.
const FIXED_IN_RUN: &[(&str, &str)] = &[
    ("timeline", "a timeline cannot change the timeline"),
    ("region", "the region is built once, at the start of the run"),
    ("population", "who the pupils are is set once, at the start of the run"),
    ("schools.autonomous_share", "schools' starting characteristics are drawn once, at the start of the run"),
    ("schools.effectiveness_sd", "schools' starting characteristics are drawn once, at the start of the run"),
    ("schools.latent_gap_mean", "schools' starting characteristics are drawn once, at the start of the run"),
    ("schools.latent_gap_sd", "schools' starting characteristics are drawn once, at the start of the run"),
    ("schools.sen_expertise_share", "schools' starting characteristics are drawn once, at the start of the run"),
    ("schools.eal_expertise_share", "schools' starting characteristics are drawn once, at the start of the run"),
    ("schools.fee_charging_share", "schools' starting characteristics are drawn once, at the start of the run"),
    ("admissions.selective_share", "which schools select is drawn once, at the start of the run"),
];

/// Paths and values of a `set` table: dotted keys and nested tables both
/// name paths. Fails on a path given twice.
pub fn flatten(set: &toml::Table) -> Result<Vec<(String, toml::Value)>, String> {
    fn walk(prefix: &str, t: &toml::Table, out: &mut Vec<(String, toml::Value)>) -> Result<(), String> {
        for (k, v) in t {
            let path = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
            match v {
                toml::Value::Table(inner) => walk(&path, inner, out)?,
                other => {
                    if out.iter().any(|(p, _)| *p == path) {
                        return Err(format!("`{path}` is set twice in one change"));
                    }
                    out.push((path, other.clone()));
                }
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    walk("", set, &mut out)?;
    Ok(out)
}

/// A `set` table in nested form: `"a.b" = 1` becomes `a = { b = 1 }`.
fn nest(paths: Vec<(String, toml::Value)>) -> toml::Table {
    let mut root = toml::Table::new();
    for (path, v) in paths {
        let segs: Vec<&str> = path.split('.').collect();
        let mut t = &mut root;
        for seg in &segs[..segs.len() - 1] {
            let slot = t.entry(seg.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            if !slot.is_table() {
                *slot = toml::Value::Table(toml::Table::new());
            }
            let toml::Value::Table(next) = slot else { unreachable!("made a table above") };
            t = next;
        }
        t.insert(segs[segs.len() - 1].to_string(), v);
    }
    root
}

fn nested<'de, D: Deserializer<'de>>(d: D) -> Result<toml::Table, D::Error> {
    let t = toml::Table::deserialize(d)?;
    let paths = flatten(&t).map_err(serde::de::Error::custom)?;
    if paths.is_empty() {
        return Err(serde::de::Error::custom("a change that sets nothing"));
    }
    Ok(nest(paths))
}

/// The scenario in force from each year in which the timeline changes
/// something, in order of year: each the scenario before it with the year's
/// changes set (changes of one year in the order written), deserialised and
/// validated. Problems are keyed `timeline[i].year` or
/// `timeline[i].set.PATH` (for the loader to locate).
pub fn resolve(s: &Scenario) -> Result<Vec<(u32, Scenario)>, Vec<InputProblem>> {
    let mut problems = Vec::new();
    let years = s.run.years;
    let mut order: Vec<usize> = (0..s.timeline.len()).collect();
    order.sort_by_key(|&i| s.timeline[i].year);
    for (i, c) in s.timeline.iter().enumerate() {
        if c.year < 1 || c.year > years {
            problems.push(InputProblem::new(
                format!("timeline[{i}].year"),
                format!("year {} is outside the run (years 1 to {years} are recorded)", c.year),
                format!("a year from 1 to {years}"),
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let mut prev = s.clone();
    prev.timeline.clear();
    let mut out: Vec<(u32, Scenario)> = Vec::new();
    let mut k = 0;
    while k < order.len() {
        let year = s.timeline[order[k]].year;
        // Every change of this year: (entry, path, value).
        let mut values: Vec<(usize, String, toml::Value)> = Vec::new();
        while k < order.len() && s.timeline[order[k]].year == year {
            let i = order[k];
            let key = |p: &str| format!("timeline[{i}].set.{p}");
            match flatten(&s.timeline[i].set) {
                Err(m) => problems.push(problem(format!("timeline[{i}].set"), m, "each parameter once per change")),
                Ok(paths) => {
                    for (path, v) in paths {
                        if let Some((j, _, _)) = values.iter().find(|(_, p, _)| *p == path) {
                            problems.push(problem(
                                key(&path),
                                format!("`{path}` is changed twice in year {year} (also by timeline[{j}])"),
                                "one change of a parameter per year",
                            ));
                        } else if let Some(why) = fixed_in_run(&path) {
                            problems.push(problem(
                                key(&path),
                                format!("`{path}` cannot change during a run: {why}"),
                                "a parameter the model reads each year",
                            ));
                        } else {
                            values.push((i, path, v));
                        }
                    }
                }
            }
            k += 1;
        }
        if !problems.is_empty() {
            continue;
        }
        let set: Vec<(&str, toml::Value)> = values.iter().map(|(_, p, v)| (p.as_str(), v.clone())).collect();
        match params::apply(&prev, &set) {
            Ok(next) => {
                out.push((year, next.clone()));
                prev = next;
            }
            Err(ps) => {
                for mut p in ps {
                    let at = values.iter().find(|(_, path, _)| *path == p.key).or(values.first());
                    if let Some((i, path, _)) = at {
                        if *path != p.key && !p.key.is_empty() {
                            p.message = format!("`{}`: {}", p.key, p.message);
                        }
                        p.key = format!("timeline[{i}].set.{path}");
                    }
                    p.message = format!("{} (in the scenario in force from year {year})", p.message);
                    problems.push(p);
                }
            }
        }
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

fn problem(key: String, message: impl Into<String>, allowed: &str) -> InputProblem {
    InputProblem::new(key, message, allowed)
}

fn fixed_in_run(path: &str) -> Option<&'static str> {
    FIXED_IN_RUN.iter().find_map(|(fixed, why)| {
        let hit = path == *fixed || path.strip_prefix(fixed).is_some_and(|rest| rest.starts_with(['.', '[']));
        hit.then_some(*why)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Mechanism, load_from_str};

    fn load(text: &str) -> crate::Result<Scenario> {
        load_from_str(text, "t.toml")
    }

    #[test]
    fn changes_resolve_in_order_of_year() {
        let s = load(
            "[run]\nyears = 10\n[[timeline]]\nyear = 6\nset = { \"admissions.mechanism\" = \"boston\", market.closures = true }\n\
             [[timeline]]\nyear = 3\nset = { \"market.funding_follows_pupils\" = true }\n",
        )
        .unwrap();
        let r = resolve(&s).unwrap();
        assert_eq!(r.iter().map(|(y, _)| *y).collect::<Vec<_>>(), vec![3, 6]);
        assert!(r[0].1.market.funding_follows_pupils);
        assert_eq!(r[0].1.admissions.mechanism, Mechanism::DeferredAcceptance);
        assert!(r[1].1.market.funding_follows_pupils, "earlier changes stay in force");
        assert_eq!(r[1].1.admissions.mechanism, Mechanism::Boston);
        assert!(r[1].1.market.closures);
        assert!(r.iter().all(|(_, x)| x.timeline.is_empty()));
    }

    #[test]
    fn the_timeline_survives_a_round_trip_through_toml() {
        let s = load("[[timeline]]\nyear = 2\nset = { \"market.closures\" = true }\n").unwrap();
        let again = load(&s.to_toml()).unwrap();
        assert_eq!(again.timeline, s.timeline);
    }

    #[test]
    fn sweeps_vary_a_changes_year_and_values() {
        let s = load("[[timeline]]\nyear = 4\nset = { \"policies.pairing.enabled\" = true }\n").unwrap();
        let v = |x: f64| toml::Value::Float(x);
        let t = params::apply(
            &s,
            &[
                ("timeline[0].year", toml::Value::Integer(7)),
                ("timeline[0].set.policies.pairing.weakest_share", v(0.4)),
            ],
        )
        .unwrap();
        assert_eq!(t.timeline[0].year, 7);
        let r = resolve(&t).unwrap();
        assert_eq!(r[0].0, 7);
        assert!(r[0].1.policies.pairing.enabled);
        assert_eq!(r[0].1.policies.pairing.weakest_share, 0.4);
        let e = params::apply(&s, &[("timeline[0].set.policies.pairing.weakest_share", v(0.9))]).unwrap_err();
        assert!(e[0].key.contains("weakest_share") && e[0].allowed.contains("0.5"), "{e:?}");
        let e = params::apply(&s, &[("timeline[0].year", toml::Value::Integer(40))]).unwrap_err();
        assert!(e[0].message.contains("outside the run"), "{e:?}");
    }

    fn err(text: &str) -> String {
        load(text).unwrap_err().to_string()
    }

    #[test]
    fn bad_changes_are_located_errors() {
        let e = err("[run]\nyears = 5\n[[timeline]]\nyear = 6\nset = { \"market.closures\" = true }\n");
        assert!(e.starts_with("t.toml:4:"), "{e}");
        assert!(e.contains("outside the run") && e.contains("from 1 to 5"), "{e}");
        let e = err("[[timeline]]\nyear = 2\nset = { \"market.closure\" = true }\n");
        assert!(e.starts_with("t.toml:3:"), "{e}");
        assert!(e.contains("no parameter") && e.contains("market.closures"), "{e}");
        let e = err("[[timeline]]\nyear = 2\nset = { \"admissions.cream_skimming\" = 1.5 }\n");
        assert!(e.starts_with("t.toml:3:") && e.contains("0 to 1"), "{e}");
        let e = err("[[timeline]]\nyear = 2\nset = { \"market.closures\" = true }\n\
             [[timeline]]\nyear = 2\nset = { \"market.closures\" = false }\n");
        assert!(e.starts_with("t.toml:6:") && e.contains("twice in year 2"), "{e}");
        let e = err("[[timeline]]\nyear = 2\nset = { \"market.closures\" = true, market = { closures = false } }\n");
        assert!(e.starts_with("t.toml:3:") && e.contains("twice"), "{e}");
        let e = err("[[timeline]]\nyear = 2\nset = { \"region.schools\" = 10 }\n");
        assert!(e.contains("cannot change during a run"), "{e}");
        let e = err("[[timeline]]\nyear = 2\nset = { \"run.years\" = 10 }\n");
        assert!(e.contains("cannot be varied"), "{e}");
        let e = err("[[timeline]]\nyear = 2\nset = {}\n");
        assert!(e.contains("sets nothing"), "{e}");
    }
}
