//! Every policy mechanism is a mechanism, not a constant: at zero effect it
//! changes nothing, each shared barrier that applies to it reduces what it
//! delivers, and the market's competitive pressure is bounded. No test here
//! says which side wins.

use std::path::Path;

use proptest::prelude::*;
use schoolscape::Simulation;
use schoolscape::scenario::{Scenario, load_path};

fn market() -> Scenario {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut s = load_path(&root.join("scenarios/market.toml")).unwrap().scaled(0.5);
    s.policies.families_of_schools.min_size = 4;
    s.policies.families_of_schools.max_size = 8;
    s.policies.families_of_schools.competitor_km = 2.0;
    s
}

/// A measure's name, subgroup, year and value bits.
type Row = (String, String, u32, u64);

/// Every measure and the whole school panel of a short run, as exact text.
fn outputs(s: &Scenario, years: u32) -> (Vec<Row>, Vec<String>) {
    let mut metrics = Vec::new();
    let mut panel = Vec::new();
    for rec in Simulation::new(s, None, 7).unwrap().run(years) {
        for m in rec.metrics {
            metrics.push((m.measure.to_string(), m.subgroup.to_string(), rec.year, m.value.to_bits()));
        }
        for r in rec.schools {
            panel.push(format!("{}:{r:?}", rec.year));
        }
    }
    (metrics, panel)
}

/// A run with a mechanism on at zero effect (and no turbulence) gives the
/// same measures and school panel as the run without it; the only extra
/// rows are the mechanism's own counts.
fn assert_zero_is_off(name: &str, on: impl Fn(&mut Scenario)) {
    let off = market();
    let mut zero = market();
    zero.policies.barriers.turbulence_dip = 0.0;
    on(&mut zero);
    let (m_off, p_off) = outputs(&off, 4);
    let (m_on, p_on) = outputs(&zero, 4);
    assert_eq!(p_off, p_on, "{name} at zero effect changed the school panel");
    let names: std::collections::HashSet<&str> = m_off.iter().map(|m| m.0.as_str()).collect();
    let common: Vec<_> = m_on.iter().filter(|m| names.contains(m.0.as_str())).cloned().collect();
    assert_eq!(m_off, common, "{name} at zero effect changed a measure");
}

#[test]
fn each_mechanism_at_zero_effect_is_the_mechanism_switched_off() {
    assert_zero_is_off("within_school", |s| {
        let p = &mut s.policies.within_school;
        p.enabled = true;
        p.practice_rate_boost = 0.0;
        p.inclusive_gain = 0.0;
        p.inclusive_cost = 0.0;
    });
    assert_zero_is_off("families_of_schools", |s| {
        s.policies.families_of_schools.enabled = true;
        s.policies.families_of_schools.sharing_rate = 0.0;
    });
    assert_zero_is_off("pairing", |s| {
        s.policies.pairing.enabled = true;
        s.policies.pairing.weak_gain_rate = 0.0;
        s.policies.pairing.strong_gain = 0.0;
    });
    assert_zero_is_off("hubs", |s| {
        s.policies.hubs.enabled = true;
        s.policies.hubs.spread_rate = 0.0;
    });
    assert_zero_is_off("advisers", |s| {
        s.policies.advisers.enabled = true;
        s.policies.advisers.rate = 0.0;
        s.policies.advisers.staff_cost = 0.0;
    });
    assert_zero_is_off("district_collaboration", |s| {
        s.policies.district_collaboration.enabled = true;
        s.policies.district_collaboration.rate = 0.0;
    });
    assert_zero_is_off("community", |s| {
        s.policies.community.enabled = true;
        s.policies.community.effect = 0.0;
        s.policies.community.staff_cost = 0.0;
    });
}

#[test]
fn market_effects_at_zero_are_off() {
    // Competitive pressure at zero, and no correlation of starting
    // effectiveness with intake: the same run whatever the other constants.
    let mut a = market();
    a.market.competitive_pressure = 0.0;
    let mut b = a.clone();
    b.market.pressure_response = 0.9;
    b.market.pressure_saturation = 0.05;
    assert_eq!(outputs(&a, 4), outputs(&b, 4));
    let mut c = market();
    c.schools.effectiveness_intake_correlation = 0.0;
    let d = {
        let mut d = c.clone();
        d.schools.effectiveness_intake_correlation = 0.3;
        d
    };
    assert_ne!(outputs(&c, 1).1, outputs(&d, 1).1, "the intake correlation should change starting effectiveness");
}

/// What a mechanism delivers over three years: the knowledge and expertise
/// it moves into schools, the home support it gives, or the inclusive gain.
/// With `threat`, every school perceives that competitive threat throughout
/// (the perceived threat is held fixed), so that willingness can bind on
/// every partner, not only on those that happen to lose pupils.
fn delivered(s: &Scenario, threat: Option<f64>) -> f64 {
    let mut s = s.clone();
    if threat.is_some() {
        s.market.pressure_response = 0.0;
    }
    let mut sim = Simulation::new(&s, None, 11).unwrap();
    if let Some(t) = threat {
        sim.world.schools.threat.iter_mut().for_each(|x| *x = t);
    }
    let mut total = 0.0;
    for _ in 0..3 {
        sim.step();
        let w = &sim.world;
        let sc = &w.schools;
        total += w.home_bonus.iter().map(|v| *v as f64).sum::<f64>();
        total += w.inclusive_gain.iter().sum::<f64>();
        total += sc.open_ids().map(|i| sc.latent[i] + sc.sen_expertise[i] + sc.eal_expertise[i]).sum::<f64>();
    }
    total
}

/// Effectiveness in force summed over open schools after the first year.
fn in_force(s: &Scenario) -> f64 {
    let mut sim = Simulation::new(s, None, 11).unwrap();
    sim.step();
    let sc = &sim.world.schools;
    sc.open_ids().map(|i| sc.effective(i)).sum()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Barrier {
    Trust,
    Capacity,
    Competition,
    Challenge,
    Turbulence,
}

/// A mechanism: its name, how to switch it on, and the barriers that apply to it.
type Mechanism = (&'static str, fn(&mut Scenario), Vec<Barrier>);

fn mechanisms() -> Vec<Mechanism> {
    use Barrier::*;
    vec![
        ("within_school", |s| s.policies.within_school.enabled = true, vec![Competition, Turbulence]),
        (
            "families_of_schools",
            |s| s.policies.families_of_schools.enabled = true,
            vec![Trust, Capacity, Competition, Challenge, Turbulence],
        ),
        ("pairing", |s| s.policies.pairing.enabled = true, vec![Trust, Capacity, Competition, Challenge, Turbulence]),
        ("hubs", |s| s.policies.hubs.enabled = true, vec![Trust, Capacity, Competition, Challenge, Turbulence]),
        ("advisers", |s| s.policies.advisers.enabled = true, vec![Trust, Capacity, Competition, Challenge, Turbulence]),
        (
            "district_collaboration",
            |s| s.policies.district_collaboration.enabled = true,
            vec![Trust, Competition, Challenge, Turbulence],
        ),
        ("community", |s| s.policies.community.enabled = true, vec![Trust, Capacity, Competition, Turbulence]),
    ]
}

#[test]
fn each_barrier_reduces_every_mechanism_it_applies_to() {
    let mut failures = Vec::new();
    for (name, on, barriers) in mechanisms() {
        for b in barriers {
            let mut good = market();
            on(&mut good);
            let bp = &mut good.policies.barriers;
            bp.initial_trust = 0.8;
            bp.capacity = 4.0;
            bp.competition_sensitivity = 0.0;
            bp.challenge = 1.0;
            bp.turbulence_dip = 0.0;
            if b == Barrier::Capacity {
                // Two partnerships each: pairings and community on beside the mechanism.
                good.policies.pairing.enabled = true;
                good.policies.community.enabled = true;
                good.policies.hubs.enabled = true;
            }
            let mut bad = good.clone();
            let bb = &mut bad.policies.barriers;
            match b {
                Barrier::Trust => bb.initial_trust = 0.2,
                Barrier::Capacity => bb.capacity = 0.5,
                Barrier::Competition => bb.competition_sensitivity = 5.0,
                Barrier::Challenge => bb.challenge = 0.0,
                Barrier::Turbulence => bb.turbulence_dip = 0.03,
            }
            let (g, w) = if b == Barrier::Turbulence {
                (in_force(&good), in_force(&bad))
            } else {
                let threat = (b == Barrier::Competition).then_some(0.2);
                (delivered(&good, threat), delivered(&bad, threat))
            };
            if w >= g {
                failures.push(format!("{name}: {b:?} at its worse setting gives {w} against {g}"));
            }
        }
    }
    assert!(failures.is_empty(), "barriers that do not reduce a mechanism:\n{}", failures.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    /// Over the whole plausible range of the market's constants, the effect
    /// of competition on any school's effectiveness in force stays within
    /// [−shrink_penalty, competitive_pressure] in every year: it saturates
    /// and never accumulates.
    #[test]
    fn competitive_pressure_is_bounded(
        pressure in 0.0f64..=0.02,
        response in 0.2f64..=1.0,
        saturation in 0.05f64..=0.5,
        penalty in 0.0f64..=0.1,
    ) {
        let mut s = market();
        s.market.competitive_pressure = pressure;
        s.market.pressure_response = response;
        s.market.pressure_saturation = saturation;
        s.market.shrink_penalty = penalty;
        let mut sim = Simulation::new(&s, None, 3).unwrap();
        for _ in 0..12 {
            sim.step();
            let sc = &sim.world.schools;
            for i in sc.open_ids() {
                let e = sc.market_effect[i];
                prop_assert!(e <= pressure + 1e-12 && e >= -penalty - 1e-12, "school {i}: market effect {e}");
                prop_assert!((0.0..=1.0).contains(&sc.threat[i]));
            }
        }
    }
}

#[test]
fn pressure_response_saturates_and_fades() {
    use schoolscape::market::pressure_response;
    assert_eq!(pressure_response(0.0, 0.2), 0.0);
    assert!((pressure_response(0.1, 0.2) - 0.5).abs() < 1e-12);
    assert_eq!(pressure_response(0.2, 0.2), 1.0);
    assert_eq!(pressure_response(0.9, 0.2), 1.0);
}
