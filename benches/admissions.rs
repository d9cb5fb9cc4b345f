//! Admissions on a realistic city cohort: deferred acceptance and Boston over
//! the lists families formed in the default market scenario.

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use schoolscape::Simulation;
use schoolscape::admissions::{Applicant, Market, boston, deferred_acceptance, priority_key};
use schoolscape::ids::SchoolId;
use schoolscape::scenario::{Priority, load_path};

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let s = load_path(&root.join("scenarios/market.toml")).unwrap();
    let mut sim = Simulation::new(&s, None, 1).unwrap();
    sim.step();
    let w = &sim.world;
    let cohort = &w.cohorts[w.newest()];
    let apps = &w.applications;
    let n = cohort.len();
    let prios = [Priority::Catchment, Priority::Distance];
    let key = |i: usize, sid: SchoolId| {
        let a = Applicant {
            demoted: false,
            in_catchment: apps.catchment[i] == sid,
            disadvantaged: cohort.dis(i),
            distance_km: w.schools.dist(u32::from(sid), cohort.x[i], cohort.y[i]),
            prior: cohort.prior[i],
            lottery: apps.lottery[i],
            pupil: i as u32,
        };
        priority_key(&prios, false, &a)
    };
    let market =
        Market { n, list: |i| apps.list(i), pool: |_, s: SchoolId| s as usize, capacity: &w.schools.capacity, key };
    let mut assigned = vec![0; n];
    let mut rank = vec![0; n];
    let mut ws = deferred_acceptance::Workspace::default();
    c.bench_function(&format!("deferred_acceptance_{n}_pupils_{}_schools", w.schools.len()), |b| {
        b.iter(|| {
            deferred_acceptance::run(&market, schoolscape::admissions::key_pupil, &mut assigned, &mut rank, &mut ws)
        })
    });
    let mut bws = boston::Workspace::default();
    c.bench_function(&format!("boston_{n}_pupils_{}_schools", w.schools.len()), |b| {
        b.iter(|| boston::run(&market, &mut assigned, &mut rank, &mut bws))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
