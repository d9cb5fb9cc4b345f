//! Run replicates of two bundled scenarios in parallel and compare a measure
//! in the final year, with a 95% interval across replicates.
//!
//! ```sh
//! cargo run --release --example replicates
//! ```

use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use schoolscape::Result;
use schoolscape::run::run_replicates;
use schoolscape::scenario::bundled;
use schoolscape::stats::mean_ci;

/// The final-year value of `measure` for `subgroup` in each of `replicates` replicates.
fn final_values(name: &str, measure: &str, subgroup: &str, replicates: u32, years: u32) -> Result<Vec<f64>> {
    let scenario = bundled::load(name)?;
    let values = Mutex::new(Vec::new());
    let stop = AtomicBool::new(false); // set it (from another thread) to stop early
    // Replicates run in parallel on rayon's pool; each replicate's seed comes
    // from the master seed and its index, so results do not depend on threads.
    run_replicates(&scenario, None, years, replicates, scenario.run.seed, &stop, |result| {
        let last = result.records.last().expect("at least one year");
        let v = last.metrics.iter().find(|m| m.measure == measure && m.subgroup == subgroup).map(|m| m.value);
        values.lock().expect("no panic while holding the lock").push((result.replicate, v.unwrap_or(f64::NAN)));
        Ok(())
    })?;
    // Replicates finish in any order; sort by index for a stable listing.
    let mut values = values.into_inner().expect("no panic while holding the lock");
    values.sort_by_key(|(r, _)| *r);
    Ok(values.into_iter().map(|(_, v)| v).collect())
}

fn main() -> Result<()> {
    let (replicates, years) = (20, 15);
    for name in ["market", "collaborative"] {
        for (measure, subgroup) in [("school_gorard", "disadvantaged"), ("gap_sd", "disadvantaged")] {
            let v = final_values(name, measure, subgroup, replicates, years)?;
            let (mean, half) = mean_ci(&v);
            println!("{name:<14} {measure}[{subgroup}] in year {years}: {mean:.3} ± {half:.3} (95% interval)");
        }
    }
    Ok(())
}
