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

mod registry {
    //! The parameter registry (`schoolscape::scenario::docs`) documents every
    //! numeric parameter, agrees with the validator and with docs/ODD.md.

    use std::path::Path;

    use schoolscape::Scenario;
    use schoolscape::scenario::docs::{self, Role};
    use schoolscape::sweep::params::{finish, set, table_of};

    fn scenario_with_every_key() -> Scenario {
        let mut s = Scenario::default();
        s.admissions.autonomous_priorities = Some(vec![]);
        s
    }

    #[test]
    fn every_numeric_parameter_has_exactly_one_entry() {
        let paths = docs::numeric_paths(&scenario_with_every_key());
        let missing: Vec<&String> = paths.iter().filter(|p| docs::lookup(p).is_none()).collect();
        assert!(missing.is_empty(), "numeric parameters missing from scenario::docs: {missing:?}");
        let stale: Vec<&str> = docs::all().iter().map(|p| p.path).filter(|p| !paths.iter().any(|q| q == p)).collect();
        assert!(stale.is_empty(), "registry entries that are not numeric parameters: {stale:?}");
        let mut seen = std::collections::HashSet::new();
        for p in docs::all() {
            assert!(seen.insert(p.path), "{} is documented twice", p.path);
        }
    }

    #[test]
    fn entries_are_consistent() {
        let t = toml::Table::try_from(scenario_with_every_key()).unwrap();
        for p in docs::all() {
            let v = schoolscape::sweep::params::get(&t, &p.path.replace("[]", "[0]")).unwrap();
            assert_eq!(p.whole, v.is_integer(), "{}: whole-number flag disagrees with the type", p.path);
            let d = p.default_value().unwrap();
            let (lo, hi) = (p.plausible.lo, p.plausible.hi);
            assert!(lo <= hi, "{}: plausible range {lo}..{hi} is empty", p.path);
            assert!(p.allowed.contains(lo) && p.allowed.contains(hi), "{}: plausible range outside allowed", p.path);
            assert!(p.allowed.contains(d), "{}: default {d} not allowed", p.path);
            assert!(p.plausible.contains(d), "{}: default {d} outside the plausible range {lo}..{hi}", p.path);
            assert!(!p.unit.is_empty() && !p.explain.is_empty() && !p.source.is_empty(), "{}: empty text", p.path);
        }
    }

    /// Problems the validator reports for `path` when it is set to `v`.
    fn problems_at(path: &str, v: f64, whole: bool) -> Vec<String> {
        let base = Scenario::default();
        let mut t = table_of(&base);
        let path = path.replace("[]", "[0]");
        let value = if whole { toml::Value::Integer(v as i64) } else { toml::Value::Float(v) };
        set(&mut t, &path, value).unwrap();
        match finish(&base, t) {
            Ok(_) => Vec::new(),
            Err(ps) => ps.into_iter().filter(|p| p.key == path).map(|p| p.message).collect(),
        }
    }

    #[test]
    fn allowed_ranges_agree_with_the_validator() {
        // Bounds that another parameter can make unreachable at its default.
        let cross = ["region.min_school_capacity", "policies.families_of_schools.min_size", "policies.trusts.max_size"];
        let mut wrong = Vec::new();
        for p in docs::all().iter().filter(|p| !p.path.starts_with("run.")) {
            let mut accepted = |v: f64, what: &str| {
                let bad = problems_at(p.path, v, p.whole);
                if !bad.is_empty() {
                    wrong.push(format!("{} = {v} is {what} but rejected: {bad:?}", p.path));
                }
            };
            accepted(p.plausible.lo, "plausible");
            accepted(p.plausible.hi, "plausible");
            let a = p.allowed;
            let step = |x: f64| if p.whole { 1.0 } else { 1e-6 * x.abs().max(1.0) };
            if a.lo.is_finite() && !cross.contains(&p.path) {
                accepted(if a.lo_exclusive { a.lo + step(a.lo) } else { a.lo }, "allowed");
            }
            if a.hi.is_finite() && a.hi < 1e9 && !cross.contains(&p.path) {
                accepted(a.hi, "allowed");
            }
            let mut rejected = |v: f64| {
                if problems_at(p.path, v, p.whole).is_empty() {
                    wrong.push(format!("{} = {v} is outside the documented allowed range but accepted", p.path));
                }
            };
            if a.lo.is_finite() && !(p.whole && a.lo <= 0.0) {
                rejected(if a.lo_exclusive { a.lo } else { a.lo - step(a.lo) });
            }
            if a.hi.is_finite() && a.hi < 1e9 {
                rejected(a.hi + step(a.hi));
            }
        }
        assert!(wrong.is_empty(), "registry and validator disagree:\n{}", wrong.join("\n"));
    }

    #[test]
    fn policy_effect_sizes_can_be_zero() {
        // Every effect size of a policy, market or collaborative, has zero in
        // its plausible range: evaluations have found no effect.
        let effects = [
            "market.competitive_pressure",
            "market.shrink_penalty",
            "learning.peer_effect",
            "policies.within_school.practice_rate_boost",
            "policies.within_school.inclusive_gain",
            "policies.within_school.inclusive_cost",
            "policies.families_of_schools.sharing_rate",
            "policies.pairing.weak_gain_rate",
            "policies.pairing.strong_gain",
            "policies.hubs.spread_rate",
            "policies.advisers.rate",
            "policies.advisers.staff_cost",
            "policies.district_collaboration.rate",
            "policies.community.effect",
            "policies.community.staff_cost",
            "policies.barriers.turbulence_dip",
            "openings.effectiveness_shift",
            "policies.trusts.support_rate",
            "policies.trusts.lead_gain",
            "policies.trusts.funding_effect",
            "policies.trusts.money_effect",
        ];
        for e in effects {
            let p = docs::lookup(e).unwrap_or_else(|| panic!("{e} is not documented"));
            assert!(p.plausible.contains(0.0), "{e}: plausible range excludes zero");
            assert_eq!(p.role, Role::Assumption, "{e} should be sampled as an assumption");
        }
    }

    #[test]
    fn the_odd_lists_the_registry() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let odd = std::fs::read_to_string(root.join("docs/ODD.md")).unwrap();
        let (begin, end) = ("<!-- parameter-registry:begin -->\n", "<!-- parameter-registry:end -->");
        let start = odd.find(begin).expect("docs/ODD.md has no parameter-registry block") + begin.len();
        let stop = odd[start..].find(end).expect("unterminated parameter-registry block") + start;
        let want = docs::markdown_table();
        assert!(
            odd[start..stop] == want,
            "docs/ODD.md's plausible-range table differs from scenario::docs; replace it with the output of `schoolscape params --markdown`:\n{want}"
        );
    }
}
