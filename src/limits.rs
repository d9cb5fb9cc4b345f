//! Limits on what the program reads and runs, so that no input can exhaust
//! memory or run without end: input files stop at a size limit, and a run's
//! memory and time are estimated from the resolved scenario before any work.

use std::io::Read;
use std::path::Path;

use crate::scenario::Scenario;

/// Largest scenario, sweep or validation file read (TOML), bytes.
pub const MAX_TOML_BYTES: u64 = 16 << 20;

/// Largest CSV input file read (region data, sweep design tables), bytes.
pub const MAX_CSV_BYTES: u64 = 512 << 20;

/// Deepest chain of `extends` (a file, its parent, the parent's parent, ...).
pub const MAX_EXTENDS_DEPTH: usize = 64;

/// Most worker threads.
pub const MAX_THREADS: usize = 256;

/// A reader that fails (with [`std::io::ErrorKind::InvalidData`]) once more
/// than `limit` bytes have been read, so that a huge or endless file
/// (`/dev/zero`) stops with a clear error instead of exhausting memory.
#[derive(Debug)]
pub struct Limited<R> {
    inner: R,
    left: u64,
    limit: u64,
}

impl<R: Read> Limited<R> {
    /// Wrap a reader.
    pub fn new(inner: R, limit: u64) -> Self {
        Limited { inner, left: limit, limit }
    }
}

/// The error of a file larger than `limit` bytes.
pub fn too_large(limit: u64) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        format!("the file is larger than {} (the most an input file may hold)", human_bytes(limit as f64)),
    )
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // At the limit: anything more is too much.
            let mut one = [0u8; 1];
            return match self.inner.read(&mut one)? {
                0 => Ok(0),
                _ => Err(too_large(self.limit)),
            };
        }
        let n = buf.len().min(self.left.min(usize::MAX as u64) as usize);
        let got = self.inner.read(&mut buf[..n])?;
        self.left -= got as u64;
        Ok(got)
    }
}

/// Open an input file: a file, not a directory, a named pipe or a device
/// (`/dev/zero` would never end).
fn open_input(path: &Path) -> std::io::Result<std::fs::File> {
    // A named pipe is refused before it is opened: opening one that no
    // program writes to would wait for ever.
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if std::fs::metadata(path)?.file_type().is_fifo() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "is a named pipe, not a file"));
        }
    }
    let file = std::fs::File::open(path)?;
    let kind = file.metadata()?.file_type();
    if kind.is_dir() {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "is a directory, not a file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_char_device() || kind.is_block_device() {
            return Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, "is a device, not a file"));
        }
    }
    Ok(file)
}

/// Read a whole text file of at most `limit` bytes.
pub fn read_text(path: &Path, limit: u64) -> std::io::Result<String> {
    let mut text = String::new();
    Limited::new(open_input(path)?, limit).read_to_string(&mut text)?;
    Ok(text)
}

/// Open a file for streaming, failing once more than `limit` bytes are read.
pub fn open_limited(path: &Path, limit: u64) -> std::io::Result<Limited<std::fs::File>> {
    Ok(Limited::new(open_input(path)?, limit))
}

/// Bytes as text (`1.5 GiB`).
pub fn human_bytes(b: f64) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 { format!("{v:.0} {}", units[0]) } else { format!("{v:.1} {}", units[u]) }
}

/// Seconds as text (`2.5 hours`).
pub fn human_seconds(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} minutes", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} hours", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86_400.0)
    }
}

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

/// Bytes of model state per pupil on roll (measured: about 72; see the README's speed section).
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
    fn limited_reader_stops_at_the_limit() {
        let data = [b'a'; 100];
        let mut s = String::new();
        assert!(Limited::new(&data[..], 100).read_to_string(&mut s).is_ok());
        let mut s = String::new();
        let e = Limited::new(&data[..], 99).read_to_string(&mut s).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::InvalidData);
    }

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
