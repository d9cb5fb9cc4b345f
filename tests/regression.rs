//! One test per defect fixed, named for it, so that each defect stays fixed.
//! Each test fails if its defect comes back (the comment says how).
//!
//! The defects of commit 8963134 were found while writing docs/ODD.md.

use schoolscape::admissions::{Applicant, priority_key};
use schoolscape::policy::districts::{self, DistrictCollaboration};
use schoolscape::policy::{Context, Policy};
use schoolscape::scenario::{Priority, Scenario, bundled, validate};
use schoolscape::{Simulation, scenario::Loader};

/// A small scenario (a fifth of the size) from a bundled one, with `edit` applied and checked.
fn small(name: &str, edit: impl FnOnce(&mut Scenario)) -> Scenario {
    let mut s = bundled::load(name).unwrap().scaled(0.2);
    edit(&mut s);
    assert_eq!(validate(&s), vec![], "the test's scenario is valid");
    s
}

/// What a policy sees when applied directly (the only test that does).
fn context<'a>(s: &'a Scenario, w: &'a mut schoolscape::world::World) -> Context<'a> {
    Context::new(s, w)
}

fn measure(rec: &schoolscape::sim::YearRecord, name: &str, subgroup: &str) -> f64 {
    rec.metrics.iter().find(|m| m.measure == name && m.subgroup == subgroup).map(|m| m.value).unwrap()
}

/// 8963134: temporary adjustments to effectiveness (turbulence, advisers)
/// did not reach learning, which read practice alone.
/// Fails if learning ignores `Schools::adjustment`: both runs would be equal.
#[test]
fn odd_temporary_adjustments_reach_learning() {
    let s = small("catchment", |_| {});
    let mut plain = Simulation::new(&s, None, 7).unwrap();
    let mut boosted = Simulation::new(&s, None, 7).unwrap();
    boosted.world.schools.adjustment.iter_mut().for_each(|a| *a = 0.5);
    let (a, b) = (plain.step(), boosted.step());
    let (ma, mb) = (measure(&a, "attainment_mean", "all"), measure(&b, "attainment_mean", "all"));
    // Every pupil on roll learns 0.5 SD more this year (times the effectiveness weight).
    assert!(mb - ma > 0.25, "attainment with a +0.5 adjustment {mb} vs without {ma}");
}

/// 8963134: priority keys overflowed 64 bits when a selective, cream-skimming
/// school used every criterion, shifting the demotion bit out of the key.
/// Fails if the key loses its top bits: the demoted best would outrank the
/// undemoted worst.
#[test]
fn odd_priority_keys_fit_every_criterion() {
    let all =
        [Priority::Catchment, Priority::Disadvantaged, Priority::Distance, Priority::Attainment, Priority::Lottery];
    let worst = Applicant {
        demoted: false,
        in_catchment: false,
        disadvantaged: false,
        distance_km: 999.0,
        prior: -7.9,
        lottery: 0,
        pupil: 8,
    };
    let best = Applicant {
        demoted: true,
        in_catchment: true,
        disadvantaged: true,
        distance_km: 0.0,
        prior: 7.9,
        lottery: u32::MAX,
        pupil: 9,
    };
    let worst_not_demoted = priority_key(&all, true, &worst);
    let best_demoted = priority_key(&all, true, &best);
    assert!(worst_not_demoted > best_demoted, "the demotion bit survives the longest key");
    // And each criterion still ranks, in order, below the ones before it.
    let near = priority_key(&all, true, &Applicant { distance_km: 1.0, prior: 0.0, pupil: 1, ..worst });
    let far = priority_key(&all, true, &Applicant { distance_km: 10.0, prior: 0.0, pupil: 1, ..worst });
    assert!(near > far, "distance still ranks with every criterion on");
}

/// 8963134: effectiveness and latent knowledge reverted towards zero rather
/// than towards the schools' mean effectiveness at the start.
/// Fails if reversion targets zero: with full reversion every school would
/// end the year at 0 rather than at the starting mean.
#[test]
fn odd_reversion_is_towards_the_starting_mean() {
    let s = small("catchment", |s| {
        s.improvement.reversion = 1.0;
        s.improvement.drift_sd = 0.0;
        s.improvement.practice_rate = 0.0;
    });
    let mut sim = Simulation::new(&s, None, 11).unwrap();
    let start = &sim.world.schools.initial_effectiveness;
    let mean0 = start.iter().sum::<f64>() / start.len() as f64;
    assert!(mean0.abs() > 1e-6, "a starting mean away from zero, so the test can tell the two apart");
    let rec = sim.step();
    for school in rec.schools.iter().filter(|x| x.open) {
        assert!(
            (school.effectiveness - mean0).abs() < 1e-9,
            "school {} at {}, starting mean {mean0}",
            school.school,
            school.effectiveness
        );
    }
}

/// 8963134: a district learned in proportion to its own willingness to
/// share, not the other districts' willingness.
/// Fails if a district's own willingness governs its learning: a wholly
/// unwilling district among willing ones would not move.
#[test]
fn odd_district_collaboration_uses_other_districts_willingness() {
    let s = small("catchment", |s| {
        s.region.districts = 2;
        s.policies.district_collaboration = districts::Params { enabled: true, rate: 0.5 };
        s.policies.barriers.competition_sensitivity = 100.0;
        s.policies.barriers.initial_trust = 1.0;
        s.policies.barriers.challenge = 0.0; // towards the mean of the two districts, which both differ from
        s.market.funding_follows_pupils = false;
    });
    let mut sim = Simulation::new(&s, None, 5).unwrap();
    let w = &mut sim.world;
    // District 0 is (all but) wholly unwilling (under full competitive threat,
    // willingness exp(−100)); district 1 is willing.
    for i in 0..w.schools.len() {
        w.schools.threat[i] = if w.schools.district[i] == 0 { 1.0 } else { 0.0 };
    }
    let before = w.schools.latent.clone();
    let mut p = DistrictCollaboration::new(s.policies.district_collaboration.clone());
    p.start(&mut context(&s, w));
    p.apply(&mut context(&s, w));
    let moved = |d: u32| {
        (0..w.schools.len())
            .filter(|&i| w.schools.district[i] == d)
            .map(|i| (w.schools.latent[i] - before[i]).abs())
            .sum::<f64>()
    };
    assert!(moved(0) > 0.0, "the unwilling district still learns from the willing one");
    assert!(moved(1) < 1e-12 * moved(0), "the willing district learns (almost) nothing from an unwilling one");
}

/// 8963134: the first group of schools given advisers (chosen when the
/// world is built) was not supported like later groups. Advisers are now
/// partnerships of two (issue 9); the first group must be formed when the
/// simulation is built.
/// Fails if initialisation skips the first group: no school would be a
/// member of a partnership after building the simulation.
#[test]
fn odd_advisers_first_group_is_supported_from_the_start() {
    let with = small("catchment", |s| {
        s.policies.advisers.enabled = true;
        s.policies.advisers.weakest_share = 0.5;
    });
    let b = Simulation::new(&with, None, 3).unwrap();
    let n = b.world.schools.len();
    let members: u32 = b.world.collab.memberships.iter().sum();
    assert_eq!(members as usize, 2 * (n / 2), "the weakest half each with an adviser from the strongest half");
}

/// 8963134: `--scale` above 1 could not raise the number of districts
/// (it was capped at the scenario's count).
/// Fails if scaling caps districts: a doubled region would keep its count.
#[test]
fn odd_scale_raises_the_district_count() {
    let s = bundled::load("market").unwrap();
    let d = s.region.districts;
    assert!(d >= 1);
    assert_eq!(s.scaled(2.0).region.districts, 2 * d);
    assert_eq!(s.scaled(0.5).region.districts, ((d as f64 * 0.5).round() as u32).max(1));
}

/// 8963134: a user's scenario outside `scenarios/` could not extend a
/// bundled one by name (`extends = "market.toml"`).
/// Fails if reading falls back only to disk: the parent would not be found.
#[test]
fn odd_user_scenario_extends_a_bundled_one_by_name() {
    let dir = std::env::temp_dir().join(format!("schoolscape-regression-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mine = dir.join("mine.toml");
    std::fs::write(&mine, "extends = \"market.toml\"\nname = \"mine\"\n[admissions]\ncream_skimming = 0.4\n").unwrap();
    assert!(!dir.join("market.toml").exists());
    let s = Loader::new(bundled::read_any).load(&mine);
    let _ = std::fs::remove_dir_all(&dir);
    let s = s.unwrap();
    let market = bundled::load("market").unwrap();
    assert_eq!(s.name, "mine");
    assert_eq!(s.admissions.cream_skimming, 0.4);
    assert_eq!(s.admissions.mechanism, market.admissions.mechanism, "the rest comes from the bundled market");
    assert_eq!(s.region.schools, market.region.schools);
}

/// The one problem a scenario text has (panics if it loads or has several).
fn only_problem(text: &str) -> schoolscape::error::InputProblem {
    match schoolscape::scenario::load_from_str(text, "x.toml") {
        Err(schoolscape::Error::Input(mut p)) if p.len() == 1 => p.remove(0),
        other => panic!("one input problem wanted, got {other:?}"),
    }
}

/// Issue 15: a key set twice was named by reading the text line by line: a
/// dotted key lost its table (`a.b` was called `b`) and a table header over a
/// key was named `run..years`.
/// Fails if the key set twice is not named in full.
#[test]
fn toml_key_set_twice_is_named_in_full() {
    let p = only_problem("a.b = 1\na.b = 2\n");
    assert_eq!((p.key.as_str(), p.message.as_str()), ("a.b", "`a.b` is set twice"));
    let p = only_problem("[run]\nyears = 3\n[run.years]\nx = 1\n");
    assert_eq!(p.key, "run.years");
    assert_eq!(p.location.map(|l| (l.line, l.column)), Some((3, 6)));
}

/// Issue 15: a bare seed above 2⁶³ in a scenario file was reported as a
/// syntax error, and a float too large for 64 bits as the parser's
/// "floating-point number overflowed" without what is allowed.
/// Fails if either is not an invalid value that says what is allowed.
#[test]
fn toml_numbers_too_large_say_what_is_allowed() {
    use schoolscape::error::ProblemKind;
    let p = only_problem("[run]\nseed = 18446744073709551615\n");
    assert_eq!((p.kind, p.key.as_str()), (ProblemKind::Invalid, "run.seed"));
    assert!(p.allowed.contains("in quotes"), "{p}");
    let p = only_problem("[admissions]\ncream_skimming = 1e999\n");
    assert_eq!((p.kind, p.key.as_str()), (ProblemKind::Invalid, "admissions.cream_skimming"));
    assert_eq!(p.message, "1e999 is too large");
    assert!(!p.allowed.is_empty(), "{p}");
}

/// Issue 15: a choice given a table (`mechanism = { boston = 1 }`) was
/// reported as "expected table, found integer" at a key inside it, and a
/// choice in a list given a number (a sweep setting `admissions.priorities =
/// [3]`) as "invalid type: unit variant".
/// Fails if either does not list the allowed names.
#[test]
fn toml_choice_of_the_wrong_type_lists_the_names() {
    let p = only_problem("[admissions]\nmechanism = { boston = 1 }\n");
    assert_eq!(p.key, "admissions.mechanism");
    assert!(p.allowed.contains("`deferred_acceptance`"), "{p}");
    let market = bundled::load("market").unwrap();
    let set = [("admissions.priorities", toml::Value::Array(vec![toml::Value::Integer(3)]))];
    let p = schoolscape::sweep::params::apply(&market, &set).unwrap_err();
    assert_eq!(p[0].key, "admissions.priorities");
    assert!(p[0].allowed.contains("`lottery`"), "{}", p[0]);
}
