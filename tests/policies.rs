//! Collaborative policies: each mechanism moves the measure it targets in the
//! direction its parameters say, its barrier shrinks or reverses the effect,
//! and mechanisms switched off cost nothing. No test asserts that
//! collaboration beats the market overall: that depends on assumptions.

mod common;

use std::path::Path;

use schoolscape::Simulation;
use schoolscape::policy::barriers::{self, Field, Partnership, exchange};
use schoolscape::policy::families::{self, form_families};
use schoolscape::scenario::{Scenario, load_path};
use schoolscape::sim::YearRecord;

fn scenario(name: &str) -> Scenario {
    load_path(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(name)).unwrap()
}

/// Mean over seeds of a measure in a year.
fn measure(s: &Scenario, years: u32, year: u32, name: &str, sub: &str) -> f64 {
    let seeds = [11u64, 12, 13];
    let mut total = 0.0;
    for seed in seeds {
        let recs: Vec<YearRecord> = Simulation::new(s, None, seed).unwrap().run(years);
        let rec = &recs[year as usize - 1];
        total += rec
            .metrics
            .iter()
            .find(|m| m.measure == name && m.subgroup == sub)
            .unwrap_or_else(|| panic!("{name}/{sub}"))
            .value;
    }
    total / seeds.len() as f64
}

fn small(name: &str) -> Scenario {
    scenario(name).scaled(0.5)
}

#[test]
fn mechanisms_switched_off_give_byte_identical_results() {
    let dir = common::tmp("policies-off");
    // Every policy section present, all switched off, barriers changed.
    let text = format!(
        "extends = \"{}\"\nname = \"off\"\n[policies.within_school]\nenabled = false\n[policies.families_of_schools]\nenabled = false\n\
         [policies.pairing]\nenabled = false\nweak_gain_rate = 0.9\n[policies.hubs]\nenabled = false\n[policies.advisers]\nenabled = false\n\
         [policies.district_collaboration]\nenabled = false\n[policies.community]\nenabled = false\n[policies.fair_access]\nenabled = false\n\
         [policies.barriers]\nchallenge = 0.0\ntrust_decay = 9.0\n",
        common::scenarios().join("market-collaborative.toml").display()
    );
    std::fs::write(dir.join("off.toml"), text).unwrap();
    for (name, path) in [("base", "market"), ("off", "off.toml")] {
        let o =
            common::run_in(&dir, &["run", path, "--years", "3", "--replicates", "2", "--scale", "0.3", "--out", name]);
        assert!(o.status.success(), "{}", common::stderr(&o));
    }
    for f in ["metrics.csv", "schools.csv", "school_sites.csv"] {
        let a = std::fs::read(dir.join("base").join(f)).unwrap();
        let b = std::fs::read(dir.join("off").join(f)).unwrap();
        assert!(a == b, "{f} differs with every mechanism off");
    }
}

#[test]
fn every_bundled_collaborative_scenario_differs_from_its_base() {
    for (scen, base) in [("collaborative.toml", "catchment.toml"), ("market-collaborative.toml", "market.toml")] {
        let a = measure(&small(scen), 4, 4, "effectiveness_mean", "all");
        let b = measure(&small(base), 4, 4, "effectiveness_mean", "all");
        assert!(a != b, "{scen} equals {base}");
    }
}

/// Two schools in a partnership, in a small world: (weak, strong) latent knowledge after `years` of exchange.
fn pair(challenge: f64, strong_gain: f64, years: usize) -> ((f64, f64), (f64, f64)) {
    let s = small("catchment.toml");
    let mut sim = Simulation::new(&s, None, 3).unwrap();
    let w = &mut sim.world;
    let (weak, strong) = (0usize, 1usize);
    w.schools.latent[weak] = 0.0;
    w.schools.latent[strong] = 0.1;
    let b = barriers::Params { challenge, ..Default::default() };
    let mut p = Partnership::form(vec![strong as u32, weak as u32], 1.0, w, &b);
    let before = (w.schools.latent[weak], w.schools.latent[strong]);
    for _ in 0..years {
        exchange(&s, &b, w, &mut p, Field::Knowledge, &[0.2, 0.2], &[strong_gain, 0.0]);
    }
    (before, (w.schools.latent[weak], w.schools.latent[strong]))
}

#[test]
fn pairing_with_challenge_raises_the_weaker_partner_and_collusion_pulls_the_stronger_down() {
    let (before, after) = pair(1.0, 0.005, 3);
    assert!(after.0 > before.0 + 0.01, "weak partner gains with challenge: {before:?} -> {after:?}");
    assert!(after.1 > before.1, "strong partner gains too (helping others): {before:?} -> {after:?}");
    let (before, after) = pair(0.0, 0.0, 3);
    assert!(after.1 < before.1 - 0.005, "collusion pulls the stronger partner down: {before:?} -> {after:?}");
    assert!(after.0 > before.0, "and the weaker one towards the mean: {before:?} -> {after:?}");
    assert!(after.0 < 0.05 + 1e-9, "but no further than the mean: {after:?}");
}

#[test]
fn capacity_limits_what_a_busy_school_gets_from_each_partnership() {
    let s = small("catchment.toml");
    let gain = |extra: u32| {
        let mut sim = Simulation::new(&s, None, 3).unwrap();
        let w = &mut sim.world;
        w.schools.latent[0] = 0.0;
        w.schools.latent[1] = 0.1;
        let b = barriers::Params::default();
        let mut p = Partnership::form(vec![1, 0], 1.0, w, &b);
        for _ in 0..extra {
            w.collab.join(0, w.schools.len());
        }
        exchange(&s, &b, w, &mut p, Field::Knowledge, &[0.2, 0.2], &[0.0, 0.0])[1]
    };
    let (free, busy) = (gain(0), gain(3));
    assert!(free > 0.0 && busy > 0.0);
    assert!((busy - free / 2.0).abs() < 1e-12, "4 partnerships at capacity 2 halve the gain: {free} vs {busy}");
}

#[test]
fn trust_grows_with_success_and_decays_under_competition() {
    let mut collab = small("collaborative.toml");
    collab.policies.barriers.trust_decay = 2.0;
    let calm = measure(&collab, 6, 6, "tie_strength_mean", "all");
    let market = measure(&small("market-collaborative.toml"), 6, 6, "tie_strength_mean", "all");
    assert!(calm > 0.5, "ties strengthen with successful joint work: {calm}");
    assert!(market < calm, "competition for pupils wears trust down: {market} vs {calm}");
    let mut no_decay = small("market-collaborative.toml");
    no_decay.policies.barriers.trust_decay = 0.0;
    let kept = measure(&no_decay, 6, 6, "tie_strength_mean", "all");
    assert!(kept > market, "without decay, trust survives the market: {kept} vs {market}");
}

#[test]
fn within_school_collaboration_raises_effectiveness_and_turbulence_dips_it_first() {
    let base = small("catchment.toml");
    let mut on = base.clone();
    on.policies.within_school.enabled = true;
    on.policies.barriers.turbulence_dip = 0.0;
    let e_base = measure(&base, 8, 8, "effectiveness_mean", "all");
    let e_on = measure(&on, 8, 8, "effectiveness_mean", "all");
    assert!(e_on > e_base, "{e_on} vs {e_base}");
    // A large dip makes the first years worse than doing nothing.
    let mut turbulent = on.clone();
    turbulent.policies.barriers.turbulence_dip = 0.1;
    let early = measure(&turbulent, 1, 1, "effectiveness_mean", "all");
    let early_base = measure(&base, 1, 1, "effectiveness_mean", "all");
    assert!(early < early_base, "turbulence: {early} vs {early_base}");
    // Lowest-band pupils gain from the inclusive practice.
    let mut inclusive = base.clone();
    inclusive.policies.within_school.enabled = true;
    inclusive.policies.within_school.practice_rate_boost = 0.0;
    inclusive.policies.within_school.inclusive_gain = 0.05;
    inclusive.policies.barriers.turbulence_dip = 0.0;
    let below = measure(&inclusive, 6, 6, "below_basic", "all");
    let below_base = measure(&base, 6, 6, "below_basic", "all");
    assert!(below < below_base, "{below} vs {below_base}");
}

#[test]
fn families_of_schools_respect_size_bounds_and_never_group_competitors() {
    for (seed, km, lo, hi) in [(1u64, 5.0, 12u32, 20u32), (2, 3.0, 5, 8), (3, 8.0, 3, 4), (4, 0.0, 12, 20)] {
        let s = scenario("market.toml");
        let sim = Simulation::new(&s, None, seed).unwrap();
        let w = &sim.world;
        let p = families::Params { enabled: true, min_size: lo, max_size: hi, competitor_km: km, ..Default::default() };
        let fams = form_families(w, &p);
        assert!(!fams.is_empty(), "seed {seed}: no families formed");
        let mut seen = std::collections::HashSet::new();
        for f in &fams {
            assert!(f.len() >= lo as usize && f.len() <= hi as usize, "size {} outside {lo}..={hi}", f.len());
            for (k, &a) in f.iter().enumerate() {
                assert!(seen.insert(a), "school {a} in two families");
                for &b in &f[k + 1..] {
                    let d = w.schools.dist(a, w.schools.x[b as usize], w.schools.y[b as usize]);
                    assert!(d >= km as f32, "schools {a} and {b} compete ({d} km < {km})");
                }
            }
        }
    }
}

#[test]
fn families_of_schools_lift_the_initially_weakest() {
    let base = small("catchment.toml");
    let mut on = base.clone();
    on.policies.families_of_schools.enabled = true;
    on.policies.families_of_schools.min_size = 4;
    on.policies.families_of_schools.max_size = 8;
    on.policies.families_of_schools.competitor_km = 3.0;
    on.policies.barriers.turbulence_dip = 0.0;
    let w_on = measure(&on, 8, 8, "effectiveness_mean", "initial_weakest_fifth");
    let w_off = measure(&base, 8, 8, "effectiveness_mean", "initial_weakest_fifth");
    assert!(w_on > w_off, "{w_on} vs {w_off}");
    // Collusion pulls the initially strongest down instead.
    let mut collude = on.clone();
    collude.policies.barriers.challenge = 0.0;
    let s_col = measure(&collude, 8, 8, "effectiveness_mean", "initial_strongest_fifth");
    let s_off = measure(&base, 8, 8, "effectiveness_mean", "initial_strongest_fifth");
    assert!(s_col < s_off, "{s_col} vs {s_off}");
}

#[test]
fn pairing_in_the_world_lifts_the_weakest_fifth() {
    let base = small("catchment.toml");
    let mut on = base.clone();
    on.policies.pairing.enabled = true;
    on.policies.barriers.turbulence_dip = 0.0;
    let a = measure(&on, 8, 8, "effectiveness_mean", "initial_weakest_fifth");
    let b = measure(&base, 8, 8, "effectiveness_mean", "initial_weakest_fifth");
    assert!(a > b, "{a} vs {b}");
}

#[test]
fn hub_schools_narrow_the_sen_gap_unless_trust_collapses() {
    let base = small("catchment.toml");
    let mut on = base.clone();
    on.policies.hubs.enabled = true;
    on.policies.barriers.turbulence_dip = 0.0;
    let gap_on = measure(&on, 8, 8, "gap_sd", "sen");
    let gap_off = measure(&base, 8, 8, "gap_sd", "sen");
    assert!(gap_on < gap_off, "{gap_on} vs {gap_off}");
    let mut distrust = on.clone();
    distrust.policies.barriers.initial_trust = 0.0;
    let gap_distrust = measure(&distrust, 8, 8, "gap_sd", "sen");
    assert!(gap_distrust > gap_on, "no trust, no spread: {gap_distrust} vs {gap_on}");
}

#[test]
fn advisers_lift_the_weakest_schools() {
    let base = small("catchment.toml");
    let mut on = base.clone();
    on.policies.advisers.enabled = true;
    on.policies.advisers.weakest_share = 0.2;
    on.policies.barriers.turbulence_dip = 0.0;
    let a = measure(&on, 4, 4, "effectiveness_mean", "initial_weakest_fifth");
    let b = measure(&base, 4, 4, "effectiveness_mean", "initial_weakest_fifth");
    assert!(a > b, "{a} vs {b}");
}

#[test]
fn district_collaboration_narrows_the_gap_between_districts() {
    let base = small("catchment.toml");
    let mut on = base.clone();
    on.policies.district_collaboration.enabled = true;
    on.policies.district_collaboration.rate = 0.3;
    let a = measure(&on, 10, 10, "district_effectiveness_gap", "all");
    let b = measure(&base, 10, 10, "district_effectiveness_gap", "all");
    assert!(a < b, "{a} vs {b}");
}

#[test]
fn community_partnerships_raise_disadvantaged_attainment() {
    let base = small("catchment.toml");
    let mut on = base.clone();
    on.policies.community.enabled = true;
    on.policies.community.staff_cost = 0.0;
    on.policies.barriers.turbulence_dip = 0.0;
    let a = measure(&on, 6, 6, "attainment_mean", "disadvantaged");
    let b = measure(&base, 6, 6, "attainment_mean", "disadvantaged");
    assert!(a > b, "{a} vs {b}");
    let mut negative = on.clone();
    negative.policies.community.effect = -0.03;
    let c = measure(&negative, 6, 6, "attainment_mean", "disadvantaged");
    assert!(c < b, "a negative gain lowers it: {c} vs {b}");
}

#[test]
fn fair_access_stops_cream_skimming_and_exclusions() {
    let mut base = small("market.toml");
    base.admissions.cream_skimming = 1.0;
    base.admissions.exclusion_rate = 0.05;
    let mut on = base.clone();
    on.policies.fair_access.enabled = true;
    let ex_on = measure(&on, 4, 4, "exclusions", "all");
    let ex_off = measure(&base, 4, 4, "exclusions", "all");
    assert_eq!(ex_on, 0.0);
    assert!(ex_off > 0.0);
    let seg_on = measure(&on, 6, 6, "school_gorard", "band:1");
    let seg_off = measure(&base, 6, 6, "school_gorard", "band:1");
    assert!(seg_on < seg_off, "lowest-band pupils less concentrated: {seg_on} vs {seg_off}");
}

/// Rezoning redraws catchments so that their disadvantaged shares are closer
/// to their district's, within the travel limit; under catchment admissions
/// school segregation follows. With no extra travel allowed, little moves.
#[test]
fn rezoning_balances_catchments_within_the_travel_limit() {
    let mut s = small("catchment.toml");
    s.region.residential_clustering = 0.6;
    let off = measure(&s, 3, 3, "school_dissimilarity", "disadvantaged");
    s.policies.rezoning.enabled = true;
    s.policies.rezoning.max_extra_km = 2.0;
    let recs = Simulation::new(&s, None, 11).unwrap().run(3);
    let get =
        |name: &str, sub: &str| recs[2].metrics.iter().find(|m| m.measure == name && m.subgroup == sub).unwrap().value;
    let (before, after) = (get("catchment_dissimilarity", "before"), get("catchment_dissimilarity", "after"));
    assert!(after < before - 0.02, "catchments balanced: {before} -> {after}");
    let switched = get("rezoning_switched_share", "all");
    assert!(switched > 0.0 && switched < 1.0, "{switched}");
    let extra = get("rezoning_extra_km", "all");
    assert!(extra > 0.0 && extra <= 2.0 * switched + 1e-9, "extra {extra} km for {switched} switched");
    let on = measure(&s, 3, 3, "school_dissimilarity", "disadvantaged");
    assert!(on < off, "school segregation follows the catchments: {off} -> {on}");
    // No extra travel allowed: (almost) nothing can move.
    s.policies.rezoning.max_extra_km = 0.0;
    let recs = Simulation::new(&s, None, 11).unwrap().run(1);
    let none = recs[0].metrics.iter().find(|m| m.measure == "rezoning_switched_share").unwrap().value;
    assert!(none < switched / 4.0, "{none} vs {switched}");
}

/// Trusts: no school in two trusts, members within reach of the lead, sizes
/// as asked; members' knowledge moves towards the lead's; with closures,
/// trusts take over schools at risk instead of letting them close.
#[test]
fn trusts_form_share_knowledge_and_take_over_failing_schools() {
    let mut s = small("market.toml");
    s.policies.trusts.enabled = true;
    s.policies.trusts.support_rate = 0.3;
    let sim = Simulation::new(&s, None, 11).unwrap();
    let trusts = schoolscape::policy::trusts::form_trusts(&sim.world, &s.policies.trusts);
    assert!(!trusts.is_empty());
    let mut seen = std::collections::BTreeSet::new();
    let sch = &sim.world.schools;
    for t in &trusts {
        assert!(t.len() >= 2 && t.len() <= s.policies.trusts.size as usize, "{t:?}");
        let lead = t[0] as usize;
        for &m in t {
            assert!(seen.insert(m), "school {m} in two trusts");
            assert!(sch.dist(m, sch.x[lead], sch.y[lead]) as f64 <= s.policies.trusts.spread_km);
        }
    }
    let in_trusts = seen.len() as f64 / sch.open_ids().count() as f64;
    assert!((in_trusts - s.policies.trusts.school_share).abs() < 0.15, "{in_trusts}");
    // Knowledge moves towards the lead's: members' gap to their lead shrinks.
    let gap = |w: &schoolscape::world::World| -> f64 {
        trusts
            .iter()
            .flat_map(|t| t[1..].iter().map(move |&m| (t[0], m)))
            .map(|(l, m)| (w.schools.latent[l as usize] - w.schools.latent[m as usize]).abs())
            .sum()
    };
    let mut sim = Simulation::new(&s, None, 11).unwrap();
    let g0 = gap(&sim.world);
    sim.run(4);
    let mut off = s.clone();
    off.policies.trusts.enabled = false;
    let mut alone = Simulation::new(&off, None, 11).unwrap();
    assert_eq!(gap(&alone.world), g0, "the same schools at the start");
    alone.run(4);
    let (with, without) = (gap(&sim.world), gap(&alone.world));
    assert!(with < g0 && with < without, "gap to the lead: {g0} at the start, {with} with trusts, {without} without");
    // Takeovers instead of closures.
    let mut hard = small("market.toml");
    hard.market.closure_occupancy = 0.8;
    hard.market.closure_years = 3;
    let open_without = measure(&hard, 8, 8, "open_schools", "all");
    hard.policies.trusts.enabled = true;
    hard.policies.trusts.takeover_years = 2;
    hard.policies.trusts.spread_km = 50.0;
    hard.policies.trusts.max_size = 60;
    let open_with = measure(&hard, 8, 8, "open_schools", "all");
    let mut taken = 0.0;
    for rec in Simulation::new(&hard, None, 11).unwrap().run(8) {
        taken += rec.metrics.iter().find(|m| m.measure == "takeovers").unwrap().value;
    }
    assert!(taken > 0.0, "the test should exercise takeovers");
    assert!(open_with > open_without, "more schools stay open: {open_without} -> {open_with}");
}

/// Pooled funding: each trust's funding is conserved while it moves to the
/// weaker members, whose effectiveness in force rises as the strongest's
/// falls, so the spread within trusts narrows; with no effect of money,
/// money moves and effectiveness does not.
#[test]
fn pooled_funding_moves_money_to_weaker_members_and_conserves_it() {
    let mut s = small("trusts.toml");
    let year1 = |s: &Scenario| Simulation::new(s, None, 11).unwrap().run(1).remove(0);
    let get = |r: &YearRecord, m: &str, sub: &str| {
        r.metrics.iter().find(|x| x.measure == m && x.subgroup == sub).map(|x| x.value)
    };
    let off = year1(&s);
    assert_eq!(get(&off, "trust_funding_moved", "all"), None, "no pooling, no measure");
    s.policies.trusts.pool_share = 0.1;
    let on = year1(&s);
    // The same schools, rolls and trusts in year 1; only funding and effectiveness move.
    let mut sums: std::collections::BTreeMap<u32, (f64, f64)> = Default::default();
    let mut moved = 0;
    for (a, b) in off.schools.iter().zip(&on.schools) {
        assert_eq!((a.roll, a.trust), (b.roll, b.trust));
        if let Some(t) = b.trust {
            let e = sums.entry(t).or_default();
            e.0 += a.funding;
            e.1 += b.funding;
            moved += usize::from((a.funding - b.funding).abs() > 1e-9);
        } else {
            assert_eq!(a.funding, b.funding, "a school in no trust keeps its funding");
        }
    }
    assert!(moved > 0, "pooling moves money");
    for (t, (before, after)) in &sums {
        assert!((before - after).abs() <= 1e-9 * before.max(1.0), "trust {t}: {before} -> {after}");
    }
    let share = get(&on, "trust_funding_moved", "all").unwrap();
    assert!(share > 0.0 && share <= 0.1, "{share}");
    let within = |r: &YearRecord| get(r, "effectiveness_sd", "within_trusts").unwrap();
    assert!(within(&on) < within(&off), "spread within trusts: {} pooled vs {}", within(&on), within(&off));
    // Money without effect: the same effectiveness as without pooling.
    s.policies.trusts.money_effect = 0.0;
    let neutral = year1(&s);
    assert_eq!(within(&neutral), within(&off));
    assert!(neutral.schools.iter().zip(&on.schools).all(|(a, b)| a.funding == b.funding));
}

/// Coordinated admissions: every member of a trust admits by its lead's
/// rules, so members of one trust share them whatever their type; when the
/// timeline stops the coordination, each school's rules are its type's again.
#[test]
fn trusts_coordinate_admissions_by_their_leads_rules() {
    let mut s = small("trusts.toml");
    s.policies.trusts.common_admissions = true;
    s.timeline = schoolscape::scenario::load_from_str(
        "[[timeline]]\nyear = 3\nset = { \"policies.trusts.common_admissions\" = false }\n",
        "t.toml",
    )
    .unwrap()
    .timeline;
    let own = |w: &schoolscape::world::World, k: usize| {
        let au = w.schools.autonomous[k];
        let a = &s.admissions;
        (a.banding, if au { a.cream_skimming } else { 0.0 }, if au { a.exclusion_rate } else { 0.0 })
    };
    let rules = |w: &schoolscape::world::World, k: usize| {
        (w.schools.banded[k], w.schools.cream_skimming[k], w.schools.exclusion_rate[k])
    };
    let mut sim = Simulation::new(&s, None, 11).unwrap();
    sim.step();
    let w = &sim.world;
    let mut by_trust: std::collections::BTreeMap<u32, Vec<usize>> = Default::default();
    for k in w.schools.open_ids() {
        match w.trust_of[k] {
            schoolscape::policy::trusts::NO_TRUST => assert_eq!(rules(w, k), own(w, k), "school {k} in no trust"),
            t => by_trust.entry(t).or_default().push(k),
        }
    }
    let mut mixed = 0;
    for (t, members) in &by_trust {
        assert!(members.iter().all(|&k| rules(w, k) == rules(w, members[0])), "trust {t}: members' rules differ");
        mixed += usize::from(members.iter().any(|&k| rules(w, k) != own(w, k)));
    }
    assert!(mixed > 0, "some member admits by rules other than its own type's");
    sim.step();
    sim.step();
    let w = &sim.world;
    assert!(w.schools.open_ids().all(|k| rules(w, k) == own(w, k)), "coordination stopped in year 3");
}
