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

/// Bytes of model state per pupil on roll, with a margin: the `national`
/// run (3.0 million pupils on roll) peaks at 151 MB and at 82 MB at half the
/// scale, about 46 bytes for each added pupil (see the README's speed
/// section); 64 keeps about 40% over that.
const BYTES_PER_PUPIL: f64 = 64.0;
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

/// Memory this process may use, bytes: the machine's physical memory, or
/// less if a control group (a Slurm job's, a container's) limits it; 24 GiB
/// if neither can be read.
pub fn memory_limit() -> f64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|t| {
        t.lines()
            .find(|l| l.starts_with("MemTotal:"))
            .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
            .map(|kib| kib * 1024.0)
    });
    let limit = std::fs::read_to_string("/proc/self/cgroup")
        .ok()
        .and_then(|t| cgroup_limit(&t, std::path::Path::new("/sys/fs/cgroup")));
    match (total, limit) {
        (Some(t), Some(l)) => t.min(l),
        (Some(t), None) => t,
        (None, Some(l)) => l,
        (None, None) => 24.0 * 1024.0 * 1024.0 * 1024.0,
    }
}

/// The tightest memory limit of this process's control groups (version 2's
/// `memory.max`, version 1's `memory.limit_in_bytes`), walking up from its
/// own group; `cgroups` is the text of `/proc/self/cgroup` and `sys` where
/// the groups are mounted (`/sys/fs/cgroup`).
fn cgroup_limit(cgroups: &str, sys: &std::path::Path) -> Option<f64> {
    let mut tightest: Option<f64> = None;
    for line in cgroups.lines() {
        let mut parts = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let (root, file) = match controllers {
            "" => (sys.to_path_buf(), "memory.max"),
            c if c.split(',').any(|c| c == "memory") => (sys.join("memory"), "memory.limit_in_bytes"),
            _ => continue,
        };
        let mut dir = root.clone();
        dir.extend(path.split('/').filter(|p| !p.is_empty()));
        loop {
            let value = std::fs::read_to_string(dir.join(file)).ok();
            if let Some(v) = value.and_then(|v| v.trim().parse::<f64>().ok()) {
                tightest = Some(tightest.map_or(v, |t| t.min(v)));
            }
            if dir == root || !dir.pop() {
                break;
            }
        }
    }
    tightest
}

/// The old name of [`memory_limit`], which now also reads control groups.
#[deprecated(note = "use memory_limit, which also reads control groups")]
pub fn physical_memory() -> f64 {
    memory_limit()
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

    #[test]
    fn a_control_group_limit_is_read_walking_up_from_the_own_group() {
        let sys = std::env::temp_dir().join(format!("schoolscape-cgroup-{}", std::process::id()));
        let own = sys.join("job/step");
        std::fs::create_dir_all(&own).unwrap();
        std::fs::create_dir_all(sys.join("memory/slurm")).unwrap();
        // Version 2: the job's limit, above a step without one.
        std::fs::write(sys.join("memory.max"), "max\n").unwrap();
        std::fs::write(sys.join("job/memory.max"), "4294967296\n").unwrap();
        std::fs::write(own.join("memory.max"), "max\n").unwrap();
        assert_eq!(cgroup_limit("0::/job/step\n", &sys), Some(4294967296.0));
        // Version 1's memory controller: the tighter of the two versions.
        std::fs::write(sys.join("memory/slurm/memory.limit_in_bytes"), "1073741824\n").unwrap();
        assert_eq!(cgroup_limit("0::/job/step\n5:cpu,memory:/slurm\n", &sys), Some(1073741824.0));
        // No limit anywhere: none.
        assert_eq!(cgroup_limit("0::/\n", &sys), None);
        assert_eq!(cgroup_limit("3:cpu:/x\n", &sys), None);
        std::fs::remove_dir_all(&sys).unwrap();
    }
}
