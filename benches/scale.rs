//! The scale benchmark: an England-sized year, and many replicates of a city.
//!
//! `cargo bench --bench scale` runs the bundled `national` scenario (about
//! 3,500 schools, 600,000 entrants a year, 3 million pupils on roll) for 20
//! years, one replicate, on all threads and then on one thread, and the
//! default `market` scenario for 20 years × 100 replicates in parallel and as
//! one replicate on one thread. It prints the whole time (set-up and years),
//! seconds per simulated year, each phase's share of the year, pupils·years
//! per second, the cost per pupil-year, peak memory (of the national run, read
//! before anything else runs) and the speed-up from one thread to all.
//! Options after `--`: `--years N`, `--replicates R` (for the city run),
//! `--skip-national`, `--skip-city`, `--skip-one-thread` (no one-thread
//! runs, so no speed-up), `--per-district` (national with
//! `measures.per_district` on).

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use schoolscape::Scenario;
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

/// What one timed run of a scenario measured.
struct Timed {
    setup: f64,
    run: f64,
    slowest: f64,
    pupil_years: usize,
    on_roll: usize,
    phases: Vec<(&'static str, f64)>,
}

impl Timed {
    fn total(&self) -> f64 {
        self.setup + self.run
    }
}

/// One replicate of `s` for `years` years, timed (set-up, then each year).
fn one_replicate(s: &Scenario, years: u32) -> Timed {
    let t0 = Instant::now();
    let mut sim = Simulation::new(s, None, schoolscape::rng::replicate_seed(s.run.seed, 0)).unwrap();
    let setup = t0.elapsed().as_secs_f64();
    let t1 = Instant::now();
    let mut pupil_years = 0usize;
    let mut slowest: f64 = 0.0;
    for _ in 0..years {
        let ty = Instant::now();
        std::hint::black_box(sim.step());
        slowest = slowest.max(ty.elapsed().as_secs_f64());
        pupil_years += sim.world.cohorts.iter().map(|c| c.len()).sum::<usize>();
    }
    let run = t1.elapsed().as_secs_f64();
    let on_roll = sim.world.cohorts.iter().map(|c| c.len()).sum::<usize>();
    Timed { setup, run, slowest, pupil_years, on_roll, phases: sim.phase_seconds().collect() }
}

fn report(label: &str, t: &Timed, years: u32) {
    println!(
        "{label}: set-up {:.2} s; {years} years {:.2} s ({:.3} s per year, slowest {:.3} s); whole {:.2} s",
        t.setup,
        t.run,
        t.run / years as f64,
        t.slowest,
        t.total()
    );
    println!(
        "{label}: {:.1} million pupils·years per second, {:.3} µs per pupil-year ({:.3} µs with set-up)",
        t.pupil_years as f64 / t.run / 1e6,
        t.run / t.pupil_years as f64 * 1e6,
        t.total() / t.pupil_years as f64 * 1e6
    );
    let year: f64 = t.phases.iter().map(|p| p.1).sum();
    for (phase, secs) in &t.phases {
        println!(
            "{label}:   {phase:<28} {:.3} s per year, {:>4.1}%",
            secs / years as f64,
            100.0 * secs / year.max(1e-12)
        );
    }
}

fn one_thread<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(f)
}

fn main() {
    // As the binary does (peak memory is the process's).
    schoolscape::run::share_one_allocator_arena();
    let args: Vec<String> = std::env::args().collect();
    let years = arg(&args, "--years").unwrap_or(20);
    let replicates = arg(&args, "--replicates").unwrap_or(100);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let threads = rayon::current_num_threads();
    let single = threads > 1 && !args.iter().any(|a| a == "--skip-one-thread");
    println!("schoolscape {} scale benchmark, {threads} threads", schoolscape::VERSION);
    if !args.iter().any(|a| a == "--skip-national") {
        let mut s = load_path(&root.join("scenarios/national.toml")).unwrap();
        s.measures.per_district = args.iter().any(|a| a == "--per-district");
        if s.measures.per_district {
            println!("national: with per-district measures");
        }
        let t = one_replicate(&s, years);
        println!(
            "national: {} schools, {} entrants/year, {} pupils on roll; peak memory {:.0} MiB",
            s.region.schools,
            s.region.entrants_per_year,
            t.on_roll,
            peak_memory_mib()
        );
        report(&format!("national, {threads} threads"), &t, years);
        if single {
            let t1 = one_thread(|| one_replicate(&s, years));
            report("national, 1 thread", &t1, years);
            println!(
                "national: speed-up from 1 to {threads} threads {:.2}× (whole run), {:.2}× (years only)",
                t1.total() / t.total(),
                t1.run / t.run
            );
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
        if single {
            let t1 = one_thread(|| one_replicate(&s, years));
            report("city (market), one replicate, 1 thread", &t1, years);
        }
    }
}
