//! Which schools take part in a policy (`[policies.targets.KEY]`): see
//! [`crate::policy::target`], which chooses them from the world.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::InputProblem;
use crate::scenario::{Checker, RegionSource, Scenario};

/// A school named by its name or by its id (0-based, as in the outputs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SchoolRef {
    /// By id.
    Id(u32),
    /// By name.
    Name(String),
}

/// A type of school.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolType {
    /// Maintained by the district.
    Maintained,
    /// Autonomous (academies, charters).
    Autonomous,
}

/// What the weakest and strongest are ranked by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RankBy {
    /// Effectiveness in force (value added per year).
    #[default]
    Effectiveness,
    /// Last published results (what families see).
    Published,
}

/// The schools a policy is limited to (every criterion given must hold).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Target {
    /// Schools by name or id (default: any).
    pub schools: Vec<SchoolRef>,
    /// Districts by id, from 0 as in the outputs (default: any).
    pub districts: Vec<u32>,
    /// `maintained` or `autonomous` (default: either).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub school_type: Option<SchoolType>,
    /// Keep only this share of the schools so far, the weakest (default 0: not used).
    pub weakest_share: f64,
    /// Keep only this share of the schools so far, the strongest (default 0: not used).
    pub strongest_share: f64,
    /// `effectiveness` (default) or `published`: what weakest and strongest are ranked by.
    pub rank_by: RankBy,
    /// A column of the schools CSV (one the model does not read itself, such
    /// as an inspection grade): only schools whose value in it is one of
    /// `values` (default: not used).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub column: String,
    /// The values of `column` that take part.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

/// Policies that act on schools and so can be targeted.
pub const TARGETABLE: &[&str] =
    &["within_school", "families_of_schools", "pairing", "hubs", "advisers", "district_collaboration", "fair_access"];

impl Target {
    /// True if the target limits nothing.
    pub fn is_everyone(&self) -> bool {
        *self == Target::default()
    }
}

/// Check targets' keys and values, and against a synthetic region (names,
/// ids, districts); a CSV region is checked by [`crate::policy::target::check_csv`].
pub(crate) fn validate(targets: &BTreeMap<String, Target>, s: &Scenario, c: &mut Checker) {
    for (key, t) in targets {
        if !TARGETABLE.contains(&key.as_str()) {
            c.fail(
                &format!("policies.targets.{key}"),
                format!("no policy `{key}` that acts on schools"),
                &TARGETABLE.join(", "),
            );
            continue;
        }
        let at = |k: &str| format!("policies.targets.{key}.{k}");
        c.prob(&at("weakest_share"), t.weakest_share);
        c.prob(&at("strongest_share"), t.strongest_share);
        if t.weakest_share + t.strongest_share > 1.0 {
            c.fail(
                &at("strongest_share"),
                format!("weakest and strongest shares add to {} (above 1)", t.weakest_share + t.strongest_share),
                "shares adding to 1 or less",
            );
        }
        if t.column.is_empty() != t.values.is_empty() {
            let (k, what) = if t.column.is_empty() {
                ("column", "values without a column")
            } else {
                ("values", "a column without values")
            };
            c.fail(
                &at(k),
                what.to_string(),
                "a column of the schools CSV and the values of it that take part, or neither",
            );
        }
        if !t.column.is_empty() && s.region.source == RegionSource::Synthetic {
            c.fail(
                &at("column"),
                format!("column `{}`: a synthetic region has no schools CSV", t.column),
                "a column of `region.schools_csv` (with `region.source = \"csv\"`)",
            );
        }
        if s.region.source == RegionSource::Synthetic {
            let names = |i: u32| synthetic_name(i as usize);
            for p in check(t, s.region.schools as usize, s.region.districts as usize, &names) {
                c.fail(&at(&p.key), p.message, &p.allowed);
            }
        }
    }
}

/// The name of synthetic school `i`.
pub fn synthetic_name(i: usize) -> String {
    format!("S{:04}", i + 1)
}

/// Problems of a target against a region of `n` schools named by `name` and
/// `districts` districts; keys relative to the target.
pub(crate) fn check(t: &Target, n: usize, districts: usize, name: &dyn Fn(u32) -> String) -> Vec<InputProblem> {
    let mut out = Vec::new();
    let p = |key: &str, message: String, allowed: String| InputProblem::new(key, message, allowed);
    for (k, r) in t.schools.iter().enumerate() {
        let ok = match r {
            SchoolRef::Id(i) => (*i as usize) < n,
            SchoolRef::Name(x) => (0..n as u32).any(|i| name(i) == *x),
        };
        if !ok {
            let what = match r {
                SchoolRef::Id(i) => format!("no school with id {i}"),
                SchoolRef::Name(x) => format!("no school named `{x}`"),
            };
            let first = if n > 0 { name(0) } else { String::new() };
            out.push(p(
                &format!("schools[{k}]"),
                what,
                format!("ids from 0 to {} or names of the region's schools (such as `{first}`)", n.saturating_sub(1)),
            ));
        }
    }
    for (k, d) in t.districts.iter().enumerate() {
        if *d as usize >= districts {
            out.push(p(
                &format!("districts[{k}]"),
                format!("no district {d}: the region has {districts}"),
                format!("district ids from 0 to {}", districts.saturating_sub(1)),
            ));
        }
    }
    out
}
