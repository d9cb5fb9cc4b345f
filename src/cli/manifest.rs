//! What every manifest records about how it was made: the program and its
//! version, the git commit it was built from (when built from a checkout),
//! the command line, when the work started and how long it took, the worker
//! threads and the machine's cores. Manifests are typed structures written
//! with `serde_json`, never JSON assembled by hand.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// The git commit the binary was built from, if it was built from a checkout (see `build.rs`).
pub const GIT_COMMIT: Option<&str> = option_env!("SCHOOLSCAPE_GIT_COMMIT");

/// Provenance: the first fields of every manifest.
#[derive(Debug, Clone, Serialize)]
pub struct Provenance {
    /// Always `schoolscape`.
    pub program: &'static str,
    /// The crate version.
    pub version: &'static str,
    /// The git commit of the build (absent when not built from a checkout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub git_commit: Option<&'static str>,
    /// The command line, as given.
    pub command_line: Vec<String>,
    /// When the work started, UTC, as `YYYY-MM-DDTHH:MM:SSZ`.
    pub started: String,
    /// Seconds from the start to when this manifest was written.
    pub duration_s: f64,
    /// Worker threads the work ran on.
    pub threads: usize,
    /// Cores (hardware threads) the machine offers this process.
    pub cores: usize,
}

/// A clock started when the work starts, that stamps manifests.
#[derive(Debug, Clone)]
pub struct Clock {
    started: String,
    start: Instant,
}

impl Clock {
    /// Start now.
    pub fn start() -> Clock {
        let secs = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        Clock { started: utc(secs), start: Instant::now() }
    }

    /// The provenance fields as of now.
    pub fn provenance(&self) -> Provenance {
        Provenance {
            program: "schoolscape",
            version: schoolscape::VERSION,
            git_commit: GIT_COMMIT,
            command_line: std::env::args().collect(),
            started: self.started.clone(),
            duration_s: (self.start.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            threads: rayon::current_num_threads(),
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
        }
    }
}

/// Seconds since 1970 as a UTC time, `YYYY-MM-DDTHH:MM:SSZ` (Hinnant's civil-from-days).
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// A manifest as pretty JSON with a final newline.
pub fn to_json<T: Serialize>(m: &T) -> String {
    serde_json::to_string_pretty(m).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_match_known_dates() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_796_342_400 + 13 * 3600 + 2 * 60 + 3), "2026-12-04T13:02:03Z");
    }

    #[test]
    fn provenance_names_threads_cores_and_start() {
        let p = serde_json::to_value(Clock::start().provenance()).unwrap();
        for key in ["program", "version", "command_line", "started", "duration_s", "threads", "cores"] {
            assert!(p.get(key).is_some(), "no {key} in {p}");
        }
        assert!(p["threads"].as_u64().unwrap() >= 1 && p["cores"].as_u64().unwrap() >= 1);
    }
}
