//! Load a bundled scenario, change a parameter, and step one replicate year
//! by year, reading the measures and the school panel as it goes.
//!
//! ```sh
//! cargo run --release --example step_by_year
//! ```

use schoolscape::rng::replicate_seed;
use schoolscape::scenario::{bundled, validate};
use schoolscape::{Result, Simulation};

/// The value of one measure for one subgroup in a year's record.
fn measure(rec: &schoolscape::sim::YearRecord, name: &str, subgroup: &str) -> f64 {
    rec.metrics.iter().find(|m| m.measure == name && m.subgroup == subgroup).map_or(f64::NAN, |m| m.value)
}

fn main() -> Result<()> {
    // The default market scenario, as `schoolscape run market` would run it.
    let mut scenario = bundled::load("market")?;

    // Change a parameter: autonomous schools admit by cream-skimming. A
    // scenario changed in code must be checked again before use.
    scenario.admissions.cream_skimming = 0.3;
    let problems = validate(&scenario);
    if !problems.is_empty() {
        return Err(schoolscape::Error::Input(problems));
    }

    // Replicate 0 of the scenario's run: its seed derives from the master seed.
    let seed = replicate_seed(scenario.run.seed, 0);
    let mut sim = Simulation::new(&scenario, None, seed)?;
    let names = sim.school_static().name;
    println!("year  gorard(disadv)  gap_sd(disadv)  open  largest school (roll)");
    for _ in 0..10 {
        let rec = sim.step();
        let largest = rec.schools.iter().filter(|s| s.open).max_by_key(|s| s.roll).expect("an open school");
        println!(
            "{:>4}  {:>14.3}  {:>14.3}  {:>4}  {} ({})",
            rec.year,
            measure(&rec, "school_gorard", "disadvantaged"),
            measure(&rec, "gap_sd", "disadvantaged"),
            rec.schools.iter().filter(|s| s.open).count(),
            names[largest.school as usize],
            largest.roll,
        );
    }
    Ok(())
}
