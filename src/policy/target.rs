//! Which schools take part in a policy: its target, chosen when it starts.
//!
//! ```toml
//! [policies.targets.pairing]
//! districts = [0, 1]
//! weakest_share = 0.3
//! strongest_share = 0.3
//! ```
//!
//! A target keeps the open schools that meet every criterion given (names or
//! ids, districts, type, the value of a column of the schools CSV); then, if a
//! weakest or strongest share is given, only that share of them ranked by
//! effectiveness or by published results (both shares: the two ends). No
//! target, or an empty one, means every school. The lifecycle
//! ([`super::lifecycle`]) chooses the targets each time a policy starts, so a
//! policy switched on by the timeline targets the schools as they are then;
//! a timeline change of a policy's target restarts it. A policy forms its
//! groups among its targets only ([`crate::world::World::taking_part`]).

use crate::error::InputProblem;
use crate::scenario::Scenario;
use crate::world::World;

use crate::scenario::policies::target::check;
pub use crate::scenario::policies::target::{RankBy, SchoolRef, SchoolType, TARGETABLE, Target, synthetic_name};

impl Target {
    /// The schools taking part, one flag per school, from the world as it is now.
    pub fn choose(&self, w: &World) -> Vec<bool> {
        let sch = &w.schools;
        let n = sch.len();
        let mut ids: Vec<usize> = (0..n)
            .filter(|&i| sch.open[i])
            .filter(|&i| {
                self.schools.is_empty()
                    || self.schools.iter().any(|r| match r {
                        SchoolRef::Id(k) => *k as usize == i,
                        SchoolRef::Name(name) => sch.name[i] == *name,
                    })
            })
            .filter(|&i| self.districts.is_empty() || self.districts.contains(&sch.district[i]))
            .filter(|&i| match self.school_type {
                None => true,
                Some(SchoolType::Autonomous) => sch.autonomous[i],
                Some(SchoolType::Maintained) => !sch.autonomous[i],
            })
            .filter(|&i| {
                self.column.is_empty()
                    || w.school_columns
                        .get(&self.column)
                        .and_then(|v| v.get(i))
                        .is_some_and(|x| self.values.contains(x))
            })
            .collect();
        if self.weakest_share > 0.0 || self.strongest_share > 0.0 {
            let rank = |i: usize| match self.rank_by {
                RankBy::Effectiveness => sch.effective(i),
                RankBy::Published => sch.published[i],
            };
            ids.sort_by(|&a, &b| rank(a).total_cmp(&rank(b)).then(a.cmp(&b)));
            let m = ids.len();
            let weak = ((self.weakest_share * m as f64).round() as usize).min(m);
            let strong = ((self.strongest_share * m as f64).round() as usize).min(m);
            ids = ids.iter().enumerate().filter(|(k, _)| *k < weak || *k >= m - strong).map(|(_, &i)| i).collect();
        }
        let mut out = vec![false; n];
        for i in ids {
            out[i] = true;
        }
        out
    }
}

/// Check every target against a CSV region (names, ids, districts), before
/// any work. Keys are full (`policies.targets.pairing.schools[0]`).
pub fn check_csv(s: &Scenario, csv: &crate::region::CsvRegion) -> Vec<InputProblem> {
    let mut out = Vec::new();
    let districts: std::collections::BTreeSet<&str> = csv.neighbourhoods.iter().map(|r| r.district.as_str()).collect();
    for (key, t) in &s.policies.targets {
        let name = |i: u32| csv.schools[i as usize].name.clone();
        for mut p in check(t, csv.schools.len(), districts.len(), &name) {
            p.key = format!("policies.targets.{key}.{}", p.key);
            out.push(p);
        }
        if t.column.is_empty() {
            continue;
        }
        match csv.school_columns.get(&t.column) {
            None => {
                let have: Vec<&str> = csv.school_columns.keys().map(String::as_str).collect();
                out.push(InputProblem::new(
                    format!("policies.targets.{key}.column"),
                    format!("the schools CSV has no column `{}` of its own", t.column),
                    if have.is_empty() {
                        "a column added to the schools CSV (it has none beyond those the model reads)".to_string()
                    } else {
                        format!("one of its columns: {}", have.join(", "))
                    },
                ));
            }
            Some(column) => {
                for (k, v) in t.values.iter().enumerate() {
                    if !column.contains(v) {
                        let mut seen: Vec<&str> = column.iter().map(String::as_str).collect();
                        seen.sort_unstable();
                        seen.dedup();
                        seen.truncate(20);
                        out.push(InputProblem::new(
                            format!("policies.targets.{key}.values[{k}]"),
                            format!("no school has `{v}` in column `{}`", t.column),
                            format!("values found in it: {}", seen.join(", ")),
                        ));
                    }
                }
            }
        }
    }
    out
}
