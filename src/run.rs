//! Running replicates in parallel.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::region::CsvRegion;
use crate::rng::replicate_seed;
use crate::scenario::Scenario;
use crate::sim::{NeighbourhoodMap, SchoolStatic, Simulation, YearRecord};

/// Have every thread of the process allocate from one memory arena of the C
/// library's allocator, where it is glibc's (Linux); elsewhere this does
/// nothing. Returns whether the setting was made.
///
/// glibc gives threads that allocate at the same time arenas of their own,
/// and a block freed returns to the arena it came from: memory a year's
/// parallel work freed in one arena is not reused by the next allocation
/// made in another, and the process keeps both. With one arena it is reused,
/// and the national scenario's peak resident memory is about 11 MiB lower
/// (`cargo bench --bench scale`; README, "Speed"). The model allocates once a
/// year a buffer, never a pupil, so the arena's lock is rarely waited for.
///
/// A process-wide setting, so the library never makes it itself: the
/// `schoolscape` binary calls this first thing in `main`, before any thread
/// starts, and so does the scale benchmark; a program embedding the model
/// may do the same.
pub fn share_one_allocator_arena() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt changes a setting of the allocator and touches no
        // memory of ours; glibc makes it under the allocator's own lock.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, 1) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// The records of one finished replicate.
#[derive(Debug, Clone, PartialEq)]
pub struct ReplicateResult {
    /// Replicate index (0-based).
    pub replicate: u32,
    /// The replicate's seed (derived from the master seed and the index).
    pub seed: u64,
    /// The schools' fixed attributes (every school, including those opened during the run).
    pub schools: SchoolStatic,
    /// Neighbourhood snapshots for maps (replicate 0 only): the start, and
    /// every year if residential moves are on, else the start only.
    pub neighbourhoods: Option<NeighbourhoodMap>,
    /// One record per simulated year.
    pub records: Vec<YearRecord>,
}

/// Run one replicate to the end, checking `stop` between years.
pub fn run_one(
    s: &Scenario,
    csv: Option<&CsvRegion>,
    years: u32,
    seed: u64,
    replicate: u32,
    stop: &AtomicBool,
) -> Result<ReplicateResult> {
    let mut sim = Simulation::new(s, csv, seed)?;
    let mut map = (replicate == 0).then(|| sim.neighbourhood_map());
    if let Some(m) = &mut map {
        m.snapshots.push(sim.neighbourhood_snapshot());
    }
    let mut records = Vec::with_capacity(years as usize);
    for _ in 0..years {
        if stop.load(Ordering::Relaxed) {
            return Err(Error::Interrupted);
        }
        records.push(sim.step());
        if let Some(m) = &mut map {
            if sim.scenario().residential.moves {
                m.snapshots.push(sim.neighbourhood_snapshot());
            }
        }
    }
    // Taken at the end, so that schools opened during the run are included.
    let schools = sim.school_static();
    Ok(ReplicateResult { replicate, seed, schools, neighbourhoods: map, records })
}

/// Run replicates `0..replicates` in parallel (on the current rayon pool).
/// Each finished replicate is handed to `done` as it finishes (in any order);
/// results do not depend on the number of threads. Stops early, with
/// [`Error::Interrupted`], once `stop` is set.
///
/// ```
/// use std::sync::{Mutex, atomic::AtomicBool};
/// use schoolscape::{run::run_replicates, scenario::bundled};
///
/// let s = bundled::load("market")?.scaled(0.1);
/// let finished = Mutex::new(Vec::new());
/// run_replicates(&s, None, 2, 4, s.run.seed, &AtomicBool::new(false), |r| {
///     finished.lock().unwrap().push((r.replicate, r.records.len()));
///     Ok(())
/// })?;
/// let mut finished = finished.into_inner().unwrap();
/// finished.sort();
/// assert_eq!(finished, [(0, 2), (1, 2), (2, 2), (3, 2)]);
/// # Ok::<(), schoolscape::Error>(())
/// ```
pub fn run_replicates(
    s: &Scenario,
    csv: Option<&CsvRegion>,
    years: u32,
    replicates: u32,
    master_seed: u64,
    stop: &AtomicBool,
    done: impl Fn(ReplicateResult) -> Result<()> + Sync,
) -> Result<()> {
    run_replicate_range(s, csv, years, 0..replicates, master_seed, stop, done)
}

/// Run the replicates in `range` (to finish a resumed run): replicate `r`
/// is the same whatever range it is run in.
pub fn run_replicate_range(
    s: &Scenario,
    csv: Option<&CsvRegion>,
    years: u32,
    range: std::ops::Range<u32>,
    master_seed: u64,
    stop: &AtomicBool,
    done: impl Fn(ReplicateResult) -> Result<()> + Sync,
) -> Result<()> {
    // Workers take replicates in index order (not halves of the range), so
    // they finish nearly in order: a writer holds few out of order, and a
    // stopped run has a long whole prefix.
    let next = AtomicU32::new(range.start);
    let failed = AtomicBool::new(false);
    let workers = rayon::current_num_threads().min(range.len()).max(1);
    (0..workers).into_par_iter().try_for_each(|_| {
        loop {
            if failed.load(Ordering::Relaxed) {
                return Ok(());
            }
            let r = next.fetch_add(1, Ordering::Relaxed);
            if r >= range.end {
                return Ok(());
            }
            let seed = replicate_seed(master_seed, r as u64);
            let result = run_one(s, csv, years, seed, r, stop).and_then(&done);
            if result.is_err() {
                failed.store(true, Ordering::Relaxed);
                return result;
            }
        }
    })
}
