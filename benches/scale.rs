//! The scale benchmark: an England-sized year, and many replicates of a city.
//!
//! `cargo bench --bench scale` runs the bundled `national` scenario (about
//! 3,500 schools, 600,000 entrants a year, 3 million pupils on roll) for 20
//! years, one replicate, and the default `market` scenario for 20 years × 100
//! replicates in parallel, and prints seconds per simulated year,
//! pupils·years per second and peak memory. Options after `--`:
//! `--years N`, `--replicates R` (for the city run), `--skip-national`, `--skip-city`,
//! `--per-district` (national with `measures.per_district` on).

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use schoolscape::Simulation;
use schoolscape::run::run_replicates;
use schoolscape::scenario::load_path;

fn peak_memory_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<f64>().unwrap_or(0.0))
        })
        .unwrap_or(f64::NAN)
        / 1024.0
}

fn arg(args: &[String], name: &str) -> Option<u32> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let years = arg(&args, "--years").unwrap_or(20);
    let replicates = arg(&args, "--replicates").unwrap_or(100);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let threads = rayon::current_num_threads();
    println!("schoolscape {} scale benchmark, {threads} threads", schoolscape::VERSION);
    if !args.iter().any(|a| a == "--skip-national") {
        let mut s = load_path(&root.join("scenarios/national.toml")).unwrap();
        s.measures.per_district = args.iter().any(|a| a == "--per-district");
        if s.measures.per_district {
            println!("national: with per-district measures");
        }
        let t0 = Instant::now();
        let mut sim = Simulation::new(&s, None, schoolscape::rng::replicate_seed(s.run.seed, 0)).unwrap();
        let setup = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let mut pupil_years = 0usize;
        let mut slowest: f64 = 0.0;
        for _ in 0..years {
            let ty = Instant::now();
            sim.step();
            slowest = slowest.max(ty.elapsed().as_secs_f64());
            pupil_years += sim.world.cohorts.iter().map(|c| c.len()).sum::<usize>();
        }
        let run = t1.elapsed().as_secs_f64();
        println!(
            "national: {} schools, {} entrants/year, {} pupils on roll",
            s.region.schools,
            s.region.entrants_per_year,
            sim.world.cohorts.iter().map(|c| c.len()).sum::<usize>()
        );
        println!(
            "national: set-up {setup:.2} s; {years} years {run:.2} s ({:.3} s per year, slowest {slowest:.3} s); total {:.2} s",
            run / years as f64,
            setup + run
        );
        println!(
            "national: {:.1} million pupils·years per second; peak memory {:.0} MiB",
            pupil_years as f64 / run / 1e6,
            peak_memory_mib()
        );
        for (phase, secs) in sim.phase_seconds() {
            println!("national:   {phase:<28} {:.3} s per year", secs / years as f64);
        }
    }
    if !args.iter().any(|a| a == "--skip-city") {
        let s = load_path(&root.join("scenarios/market.toml")).unwrap();
        let stop = AtomicBool::new(false);
        let t0 = Instant::now();
        run_replicates(&s, None, years, replicates, s.run.seed, &stop, |r| {
            std::hint::black_box(r);
            Ok(())
        })
        .unwrap();
        let t = t0.elapsed().as_secs_f64();
        let pupils = s.region.entrants_per_year as f64 * s.population.years_in_school as f64;
        println!(
            "city (market): {replicates} replicates × {years} years in {t:.2} s ({:.1} million pupils·years per second); peak memory {:.0} MiB",
            pupils * replicates as f64 * years as f64 / t / 1e6,
            peak_memory_mib()
        );
    }
}
