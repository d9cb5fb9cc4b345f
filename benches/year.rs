//! One simulated year of the default (market) scenario and of the catchment baseline.

use std::path::Path;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use schoolscape::Simulation;
use schoolscape::scenario::load_path;

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["market", "catchment"] {
        let s = load_path(&root.join(format!("scenarios/{name}.toml"))).unwrap();
        c.bench_function(&format!("year_{name}_{}_entrants", s.region.entrants_per_year), |b| {
            b.iter_batched_ref(
                || {
                    let mut sim = Simulation::new(&s, None, 1).unwrap();
                    sim.step();
                    sim
                },
                |sim| sim.step(),
                BatchSize::LargeInput,
            )
        });
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench
}
criterion_main!(benches);
