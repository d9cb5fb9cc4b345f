//! Progress: a bar on a terminal, plain lines otherwise.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

/// Progress over a known number of units of work.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: u64,
    done: u64,
    skipped: u64,
    label: String,
    start: Instant,
    quiet: bool,
    last_line: Option<Instant>,
}

impl Progress {
    /// Start showing progress over `total` units.
    pub fn new(total: u64, label: &str, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new(total);
            b.set_style(
                ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({elapsed}, about {eta} left)")
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            b.set_message(label.to_string());
            b
        });
        Progress {
            bar,
            total,
            done: 0,
            skipped: 0,
            label: label.to_string(),
            start: Instant::now(),
            quiet,
            last_line: None,
        }
    }

    /// One more unit done.
    pub fn inc(&mut self) {
        self.done += 1;
        if let Some(b) = &self.bar {
            b.inc(1);
        } else if !self.quiet {
            // Plain lines at most twice a second, and always the last.
            if self.done < self.total && self.last_line.is_some_and(|t| t.elapsed().as_secs_f64() < 0.5) {
                return;
            }
            self.last_line = Some(Instant::now());
            let secs = self.start.elapsed().as_secs_f64();
            let ran = self.done - self.skipped;
            let left = if ran > 0 { secs / ran as f64 * (self.total - self.done) as f64 } else { 0.0 };
            let _ = writeln!(
                std::io::stderr(),
                "{}: {} of {} done ({secs:.1} s, about {left:.0} s left)",
                self.label,
                self.done,
                self.total
            );
        }
    }

    /// Count `n` units as done before this process started (a resumed sweep),
    /// leaving them out of the rate behind the time-left estimate.
    pub fn skip(&mut self, n: u64) {
        self.done += n;
        self.skipped += n;
        if let Some(b) = &self.bar {
            b.set_position(self.done);
            b.reset_eta();
        }
    }

    /// Stop showing progress.
    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
