//! A run's memory and time, estimated from the resolved scenario before any
//! work, so that no scenario runs the machine out of memory or runs without
//! end unasked (the command line refuses such work without `--force`).

use crate::scenario::Scenario;

/// What a run is expected to need, estimated from the resolved scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Peak memory, bytes.
    pub bytes: f64,
    /// Wall-clock time, seconds.
    pub seconds: f64,
    /// The key that contributes most to the memory estimate.
    pub memory_key: &'static str,
    /// The key that contributes most to the time estimate.
    pub time_key: &'static str,
}

/// Bytes of model state per pupil on roll: a safe margin over what is
/// measured (the `national` run, 3.0 million pupils on roll, peaks at 151 MB
/// and 82 MB at half the scale: about 47 bytes a pupil with the
/// neighbourhoods' share; see the README's speed section).
const BYTES_PER_PUPIL: f64 = 96.0;
/// Bytes per neighbourhood and household type (households, counts, maps).
const BYTES_PER_CELL_TYPE: f64 = 24.0;
/// Bytes per school and year of the records kept until a replicate is written.
const BYTES_PER_SCHOOL_YEAR: f64 = 400.0;
/// Seconds per pupil-year (measured 0.13 to 1.1 µs; the high end, to be safe).
const SECONDS_PER_PUPIL_YEAR: f64 = 1.2e-6;
/// Seconds per neighbourhood cell and year (choice sets, maps, moves).
const SECONDS_PER_CELL_YEAR: f64 = 2e-7;
/// Seconds per school-year (market, measures, records).
const SECONDS_PER_SCHOOL_YEAR: f64 = 2e-6;

/// Estimate the memory and time of running the replicates of `s` on
/// `threads` threads (`neighbourhoods` and `schools` given for a region read
/// from CSV, else taken from the scenario).
pub fn estimate(s: &Scenario, threads: usize, csv_sizes: Option<(usize, usize)>) -> Estimate {
    estimate_runs(s, f64::from(s.run.replicates), threads, csv_sizes)
}

/// Estimate the memory and time of `runs` runs of `s` (each of its years and
/// warm-up years) on `threads` threads.
pub fn estimate_runs(s: &Scenario, runs: f64, threads: usize, csv_sizes: Option<(usize, usize)>) -> Estimate {
    let r = &s.region;
    let (cells, schools) = match csv_sizes {
        Some((n, k)) => (n as f64, k as f64),
        None => (
            (r.width_km / r.neighbourhood_km).ceil().max(1.0) * (r.height_km / r.neighbourhood_km).ceil().max(1.0),
            r.schools as f64,
        ),
    };
    let types = 10.0 * s.population.groups.len() as f64;
    let pupils = r.entrants_per_year as f64 * s.population.years_in_school as f64;
    let years = (s.run.years + s.run.warm_up) as f64;
    let parallel = (threads.max(1) as f64).min(runs.max(1.0));
    // Memory: one world per replicate in flight, plus the records a finished
    // replicate holds until it is written (at most about one per thread waits).
    let world_pupils = pupils * BYTES_PER_PUPIL;
    let world_cells = cells * types * BYTES_PER_CELL_TYPE;
    let records = schools * years * BYTES_PER_SCHOOL_YEAR;
    let bytes = 64.0 * 1024.0 * 1024.0 + parallel * (world_pupils + world_cells + 2.0 * records);
    let memory_key = if world_pupils >= world_cells.max(records) {
        "region.entrants_per_year"
    } else if world_cells >= records {
        "region.neighbourhood_km"
    } else {
        "region.schools"
    };
    // Time: pupil-years, cell-years and school-years, spread over the threads.
    let t_pupils = pupils * SECONDS_PER_PUPIL_YEAR;
    let t_cells = cells * SECONDS_PER_CELL_YEAR;
    let t_schools = schools * SECONDS_PER_SCHOOL_YEAR;
    let seconds = runs * (years + 1.0) * (t_pupils + t_cells + t_schools) / parallel;
    let time_key = if runs >= years && runs > 1.0 { "run.replicates" } else { "run.years" };
    Estimate { bytes, seconds, memory_key, time_key }
}

/// Estimate a batch of runs of several scenarios (a sweep's points, a
/// validation's cases), each given with its number of runs, on `threads`
/// threads: the time of every run spread over the threads, the memory of
/// the largest scenario run on every thread at once. `time_key` names what
/// sets the number of runs.
pub fn estimate_batch<'a>(
    items: impl IntoIterator<Item = (&'a Scenario, f64)>,
    threads: usize,
    csv_sizes: Option<(usize, usize)>,
    time_key: &'static str,
) -> Estimate {
    let items: Vec<(&Scenario, f64)> = items.into_iter().collect();
    let total: f64 = items.iter().map(|(_, n)| n).sum();
    let parallel = (threads.max(1) as f64).min(total.max(1.0));
    let mut e = Estimate { bytes: 0.0, seconds: 0.0, memory_key: "region.entrants_per_year", time_key };
    for (s, n) in items {
        e.seconds += estimate_runs(s, n, 1, csv_sizes).seconds / parallel;
        let m = estimate_runs(s, parallel, threads, csv_sizes);
        if m.bytes > e.bytes {
            e.bytes = m.bytes;
            e.memory_key = m.memory_key;
        }
    }
    e
}

/// Physical memory of this machine, bytes (24 GiB if it cannot be read).
pub fn physical_memory() -> f64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(24.0 * 1024.0 * 1024.0 * 1024.0, |kib| kib * 1024.0)
}

/// Longest run accepted without `--force`, seconds (7 days).
pub const MAX_SECONDS: f64 = 7.0 * 86_400.0;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimate_grows_with_entrants_and_replicates() {
        let s = Scenario::default();
        let a = estimate(&s, 2, None);
        let mut big = s.clone();
        big.region.entrants_per_year *= 100;
        let b = estimate(&big, 2, None);
        assert!(b.bytes > a.bytes && b.seconds > a.seconds);
        assert_eq!(b.memory_key, "region.entrants_per_year");
        let mut long = s.clone();
        long.run.replicates *= 10;
        assert!(estimate(&long, 2, None).seconds > 9.0 * a.seconds);
    }

    #[test]
    fn a_batch_of_one_scenario_is_estimated_as_its_runs() {
        let s = Scenario::default();
        let one = estimate_runs(&s, 40.0, 2, None);
        let batch = estimate_batch([(&s, 40.0)], 2, None, "replicates");
        assert!((one.seconds - batch.seconds).abs() < 1e-9 * one.seconds);
        assert!((one.bytes - batch.bytes).abs() < 1.0);
        assert_eq!(batch.time_key, "replicates");
        // Two scenarios: the times add up, the memory is the larger one's.
        let mut big = s.clone();
        big.region.entrants_per_year *= 10;
        let both = estimate_batch([(&s, 40.0), (&big, 40.0)], 2, None, "samples");
        let b = estimate_runs(&big, 40.0, 2, None);
        assert!((both.seconds - one.seconds - b.seconds).abs() < 1e-6 * both.seconds);
        assert!((both.bytes - b.bytes).abs() < 1.0);
    }
}
