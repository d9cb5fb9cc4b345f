//! Policies over time: the timeline, warm-up years and targets, through the
//! library (the binary's bad-input cases are in `tests/cli.rs`).

use std::fmt::Write;

use schoolscape::scenario::{Mechanism, load_from_str};
use schoolscape::sim::YearRecord;
use schoolscape::{Scenario, Simulation};

/// A small market region (8 schools, 2 districts).
const BASE: &str = "[run]\nyears = 6\n[region]\nschools = 8\nentrants_per_year = 800\nwidth_km = 10\nheight_km = 10\n\
districts = 2\n[market]\nfunding_follows_pupils = false\n";

fn scenario(extra: &str) -> Scenario {
    load_from_str(&format!("{BASE}{extra}"), "t.toml").unwrap()
}

/// Every value of a year as text (NaN compares equal to itself here).
fn text(r: &YearRecord) -> String {
    let mut out = String::new();
    for m in &r.metrics {
        writeln!(out, "{},{},{},{}", r.year, m.measure, m.subgroup, m.value).unwrap();
    }
    for s in &r.schools {
        writeln!(out, "{:?}", s).unwrap();
    }
    out
}

fn run(s: &Scenario, years: u32) -> Vec<String> {
    Simulation::new(s, None, 7).unwrap().run(years).iter().map(text).collect()
}

#[test]
fn years_before_the_first_change_are_identical_to_a_run_without_the_timeline() {
    let plain = scenario("");
    let changed = scenario(
        "[[timeline]]\nyear = 4\nset = { \"market.funding_follows_pupils\" = true, \"admissions.mechanism\" = \"boston\", \
         \"policies.pairing.enabled\" = true, \"improvement.drift_sd\" = 0.02 }\n",
    );
    let a = run(&plain, 6);
    let b = run(&changed, 6);
    assert_eq!(a[..3], b[..3], "years 1-3 must not move");
    assert_ne!(a[3], b[3], "year 4 must differ once the change is in force");
    assert!(b[3].contains(",pairings,") && !b[2].contains(",pairings,"), "pairing starts in year 4");
}

#[test]
fn the_scenario_in_force_follows_the_timeline() {
    let s = scenario(
        "[admissions]\nmechanism = \"catchment\"\n[[timeline]]\nyear = 3\n\
         set = { admissions.mechanism = \"deferred_acceptance\", market.closures = true }\n",
    );
    let mut sim = Simulation::new(&s, None, 1).unwrap();
    sim.step();
    sim.step();
    assert_eq!(sim.scenario().admissions.mechanism, Mechanism::Catchment);
    sim.step();
    assert_eq!(sim.scenario().admissions.mechanism, Mechanism::DeferredAcceptance);
    assert!(sim.scenario().market.closures);
}

#[test]
fn a_policy_switched_off_ends_and_leaves_no_partnership() {
    let s = scenario(
        "[policies.pairing]\nenabled = true\n[[timeline]]\nyear = 3\nset = { \"policies.pairing.enabled\" = false }\n",
    );
    let mut sim = Simulation::new(&s, None, 3).unwrap();
    assert!(sim.world.collab.memberships.iter().any(|m| *m > 0));
    let r1 = sim.step();
    assert!(r1.metrics.iter().any(|m| m.measure == "pairings"));
    sim.step();
    let r3 = sim.step();
    assert!(r3.metrics.iter().all(|m| m.measure != "pairings"), "no pairing measures after it ends");
    assert!(sim.world.collab.memberships.iter().all(|m| *m == 0), "{:?}", sim.world.collab.memberships);
    assert!(sim.policy_labels().is_empty());
    assert!(sim.world.schools.adjustment.iter().all(|a| *a == 0.0), "no adjustment left behind");
}

#[test]
fn warm_up_years_are_simulated_but_not_recorded() {
    let plain = scenario("");
    let mut warm = scenario("");
    warm.run.warm_up = 2;
    let long = Simulation::new(&plain, None, 7).unwrap().run(5);
    let recorded = Simulation::new(&warm, None, 7).unwrap().run(3);
    assert_eq!(recorded.iter().map(|r| r.year).collect::<Vec<_>>(), vec![1, 2, 3]);
    // Recorded year k is simulated year k + 2 of a run without warm-up.
    for (k, r) in recorded.iter().enumerate() {
        let l = &long[k + 2];
        assert_eq!(r.metrics.len(), l.metrics.len());
        for (a, b) in r.metrics.iter().zip(&l.metrics) {
            assert_eq!((a.measure, &a.subgroup, a.value.to_bits()), (b.measure, &b.subgroup, b.value.to_bits()));
        }
        assert_eq!(format!("{:?}", r.schools), format!("{:?}", l.schools));
    }
}

#[test]
fn targets_limit_which_schools_take_part() {
    let s = scenario(
        "[policies.pairing]\nenabled = true\nweakest_share = 0.5\ncross_district = false\n\
         [policies.targets.pairing]\ndistricts = [1]\n",
    );
    let sim = Simulation::new(&s, None, 5).unwrap();
    let w = &sim.world;
    let members: Vec<usize> = (0..w.schools.len()).filter(|&i| w.collab.memberships[i] > 0).collect();
    assert!(!members.is_empty());
    assert!(members.iter().all(|&i| w.schools.district[i] == 1), "{members:?}");
    let in_district: usize = (0..w.schools.len()).filter(|&i| w.schools.district[i] == 1).count();
    assert!(members.len() <= in_district);
}

#[test]
fn weakest_and_strongest_targets_are_the_two_ends() {
    let s = scenario(
        "[policies.advisers]\nenabled = true\nweakest_share = 0.5\n\
         [policies.targets.advisers]\nstrongest_share = 0.5\n",
    );
    let sim = Simulation::new(&s, None, 5).unwrap();
    let w = &sim.world;
    // Advisers go to the weakest half of the strongest half, each from one of
    // the strongest of that half (issue 9: a partnership of two): every
    // partner is above the median.
    let mut eff: Vec<f64> = (0..w.schools.len()).map(|i| w.schools.initial_effectiveness[i]).collect();
    eff.sort_by(f64::total_cmp);
    let upper = eff[4];
    let helped: Vec<usize> = (0..w.schools.len()).filter(|&i| w.collab.memberships[i] > 0).collect();
    assert_eq!(helped.len(), 4, "two supported schools and their two advisers' schools: {helped:?}");
    assert!(helped.iter().all(|&i| w.schools.initial_effectiveness[i] >= upper));
}

#[test]
fn a_policy_started_by_the_timeline_chooses_its_targets_then() {
    let s = scenario(
        "[[timeline]]\nyear = 3\nset = { \"policies.pairing.enabled\" = true }\n\
         [policies.targets.pairing]\nweakest_share = 0.5\nstrongest_share = 0.5\n",
    );
    let mut sim = Simulation::new(&s, None, 5).unwrap();
    assert!(sim.world.collab.memberships.iter().all(|m| *m == 0));
    sim.run(3);
    assert!(sim.world.collab.memberships.iter().any(|m| *m > 0));
    assert_eq!(sim.policy_labels(), vec!["pairing", "barriers"]);
}

#[test]
fn bad_targets_are_located_errors() {
    let e = load_from_str(&format!("{BASE}[policies.targets.pairing]\ndistricts = [5]\n"), "t.toml").unwrap_err();
    let e = e.to_string();
    assert!(e.starts_with("t.toml:") && e.contains("policies.targets.pairing.districts[0]"), "{e}");
    assert!(e.contains("no district 5") && e.contains("0 to 1"), "{e}");
    let e = load_from_str(&format!("{BASE}[policies.targets.pairing]\nschools = [\"Eton\"]\n"), "t.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("no school named `Eton`") && e.contains("S0001"), "{e}");
    let e = load_from_str(&format!("{BASE}[policies.targets.pairng]\ndistricts = [0]\n"), "t.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("no policy `pairng`") && e.contains("pairing"), "{e}");
    let e = load_from_str(&format!("{BASE}[policies.targets.pairing]\nweakest_share = 1.5\n"), "t.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("policies.targets.pairing.weakest_share") && e.contains("0 to 1"), "{e}");
}

#[test]
fn per_district_measures_of_a_single_district_equal_the_regions() {
    let mut s = scenario("[measures]\nper_district = true\n");
    s.region.districts = 1;
    let r = Simulation::new(&s, None, 11).unwrap().run(2).pop().unwrap();
    let value =
        |m: &str, sub: &str| r.metrics.iter().find(|x| x.measure == m && x.subgroup == sub).map(|x| x.value.to_bits());
    let pairs = [
        ("school_gorard", "disadvantaged"),
        ("school_dissimilarity", "disadvantaged"),
        ("residential_theil", "disadvantaged"),
        ("attainment_mean", "all"),
        ("gap_sd", "disadvantaged"),
        ("gap_index", "disadvantaged"),
        ("ses_gradient", "all"),
        ("below_basic", "all"),
        ("between_school_variance", "all"),
    ];
    for (m, sub) in pairs {
        assert!(value(m, sub).is_some(), "{m} {sub}");
        assert_eq!(value(m, "district:0"), value(m, sub), "{m}");
    }
}

#[test]
fn per_district_measures_are_off_by_default_and_cover_every_district() {
    let off = Simulation::new(&scenario(""), None, 11).unwrap().run(1).pop().unwrap();
    assert!(off.metrics.iter().all(|m| !m.subgroup.starts_with("district:")));
    let s = scenario("[measures]\nper_district = true\n");
    let on = Simulation::new(&s, None, 11).unwrap().run(1).pop().unwrap();
    for k in 0..2 {
        let sub = format!("district:{k}");
        assert!(on.metrics.iter().any(|m| m.measure == "school_gorard" && m.subgroup == sub));
        assert!(on.metrics.iter().any(|m| m.measure == "gap_index" && m.subgroup == sub));
    }
    // The region's own rows do not move.
    let region: Vec<_> = on.metrics.iter().filter(|m| !m.subgroup.starts_with("district:")).collect();
    assert_eq!(region.len(), off.metrics.len());
    for (a, b) in region.iter().zip(&off.metrics) {
        assert_eq!((a.measure, a.value.to_bits()), (b.measure, b.value.to_bits()));
    }
}

/// Trusts grow over the timeline: raising `school_share` forms new trusts
/// among schools in none, and the school panel records each school's trust
/// (once in a trust, a school stays in it while trusts are in force) and
/// every neighbourhood's catchment school.
#[test]
fn trusts_grow_over_the_timeline_and_the_panel_records_each_schools_trust() {
    let s = load_from_str(
        "[run]\nyears = 6\n[region]\nschools = 30\nentrants_per_year = 3000\nwidth_km = 16\nheight_km = 16\n\
         [policies.trusts]\nenabled = true\nschool_share = 0.2\nsize = 3\nspread_km = 30\n\
         [[timeline]]\nyear = 4\nset = { \"policies.trusts.school_share\" = 0.7 }\n",
        "t.toml",
    )
    .unwrap();
    let mut sim = Simulation::new(&s, None, 5).unwrap();
    let neighbourhoods = sim.world.region.len() as u32;
    let recs = sim.run(6);
    let mut last: Vec<Option<u32>> = Vec::new();
    let mut in_trusts = Vec::new();
    for r in &recs {
        let get = |m: &str| r.metrics.iter().find(|x| x.measure == m && x.subgroup == "all").unwrap().value;
        let members = r.schools.iter().filter(|x| x.open && x.trust.is_some()).count();
        assert_eq!(members as f64, get("trust_schools"), "year {}: the panel's trusts are the measure's", r.year);
        let ids: std::collections::BTreeSet<u32> = r.schools.iter().filter_map(|x| x.trust).collect();
        assert_eq!(ids.len() as f64, get("trusts"), "year {}", r.year);
        for (k, was) in last.iter().enumerate() {
            if was.is_some() {
                assert_eq!(*was, r.schools[k].trust, "year {}: school {k} left its trust", r.year);
            }
        }
        last = r.schools.iter().map(|x| x.trust).collect();
        let catchments: u32 = r.schools.iter().map(|x| x.catchment_neighbourhoods).sum();
        assert_eq!(catchments, neighbourhoods, "year {}: one catchment school per neighbourhood", r.year);
        assert!(r.schools.iter().all(|x| x.open || x.catchment_neighbourhoods == 0));
        in_trusts.push(members);
    }
    assert_eq!(in_trusts[0], in_trusts[2], "no growth before the change: {in_trusts:?}");
    assert!((5..=7).contains(&in_trusts[0]), "a fifth of 30 schools: {in_trusts:?}");
    assert!(in_trusts[3] >= 18 && in_trusts[3] <= 21, "seven tenths of 30 from year 4: {in_trusts:?}");
}

/// A CSV region of six schools with a column of its own (`grade`), in a
/// scratch directory; returns the scenario text's region section.
fn csv_region(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("schoolscape-lifecycle-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut n = String::from("id,x_km,y_km,district,households,disadvantaged_share\n");
    for k in 0..36 {
        let (x, y) = (k % 6, k / 6);
        writeln!(n, "n{k},{}.5,{}.5,{},100,{}", x, y, if x < 3 { "A" } else { "B" }, 0.1 + 0.02 * k as f64).unwrap();
    }
    let schools = "id,name,x_km,y_km,capacity,type,grade\n\
        s1,Ash,1,1,80,maintained,good\ns2,Birch,3,1,80,maintained,requires improvement\n\
        s3,Cedar,5,1,80,autonomous,outstanding\ns4,Damson,1,5,80,maintained,requires improvement\n\
        s5,Elm,3,5,80,autonomous,good\ns6,Fir,5,5,80,maintained,outstanding\n";
    std::fs::write(dir.join("n.csv"), n).unwrap();
    std::fs::write(dir.join("s.csv"), schools).unwrap();
    format!(
        "[run]\nyears = 4\n[region]\nsource = \"csv\"\nschools_csv = \"{}\"\nneighbourhoods_csv = \"{}\"\nentrants_per_year = 300\n",
        dir.join("s.csv").display(),
        dir.join("n.csv").display()
    )
}

#[test]
fn targets_by_a_column_of_the_schools_csv() {
    let text = format!(
        "{}[policies.pairing]\nenabled = true\nweakest_share = 0.5\ncross_district = true\n\
         [policies.targets.pairing]\ncolumn = \"grade\"\nvalues = [\"requires improvement\", \"outstanding\"]\n",
        csv_region("column")
    );
    let s = load_from_str(&text, "t.toml").unwrap();
    let csv = schoolscape::region::read_csv_region(&s).unwrap();
    assert_eq!(csv.school_columns["grade"][1], "requires improvement");
    assert!(schoolscape::policy::target::check_csv(&s, &csv).is_empty());
    let sim = Simulation::new(&s, Some(&csv), 5).unwrap();
    let w = &sim.world;
    let members: Vec<usize> = (0..w.schools.len()).filter(|&i| w.collab.memberships[i] > 0).collect();
    assert!(!members.is_empty());
    // Ash and Elm are graded good: never paired.
    assert!(members.iter().all(|&i| ![0, 4].contains(&i)), "{members:?}");

    // A column or value the file does not have is named with what it has.
    let bad = text.replace("column = \"grade\"", "column = \"ofsted\"");
    let s = load_from_str(&bad, "t.toml").unwrap();
    let p = schoolscape::policy::target::check_csv(&s, &csv);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].key == "policies.targets.pairing.column" && p[0].allowed.contains("grade"), "{p:?}");
    let bad = text.replace("\"outstanding\"]", "\"Outstanding\"]");
    let s = load_from_str(&bad, "t.toml").unwrap();
    let p = schoolscape::policy::target::check_csv(&s, &csv);
    assert!(p.len() == 1 && p[0].key == "policies.targets.pairing.values[1]", "{p:?}");
    assert!(p[0].allowed.contains("outstanding") && p[0].allowed.contains("good"), "{p:?}");
    // A synthetic region has no such columns; a column needs its values.
    let e = load_from_str(
        &format!("{BASE}[policies.targets.pairing]\ncolumn = \"grade\"\nvalues = [\"good\"]\n"),
        "t.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("policies.targets.pairing.column") && e.contains("synthetic"), "{e}");
    let e = load_from_str(&format!("{BASE}[policies.targets.pairing]\ncolumn = \"grade\"\n"), "t.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("policies.targets.pairing.values"), "{e}");
}
