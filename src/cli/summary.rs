//! The short table a run prints: headline measures in the first and last
//! year, mean across replicates with a 95% interval.

use schoolscape::measures::HEADLINE;
use schoolscape::run::ReplicateResult;
use schoolscape::stats::mean_ci;

/// Headline values collected as replicates finish: `[measure][first|last]` → values.
#[derive(Debug, Default, Clone)]
pub struct Headline {
    first_year: u32,
    last_year: u32,
    values: Vec<[Vec<f64>; 2]>,
}

impl Headline {
    /// Collect from one replicate.
    pub fn add(&mut self, r: &ReplicateResult) {
        if self.values.is_empty() {
            self.values = vec![[Vec::new(), Vec::new()]; HEADLINE.len()];
        }
        let (Some(first), Some(last)) = (r.records.first(), r.records.last()) else { return };
        self.first_year = first.year;
        self.last_year = last.year;
        for (k, (measure, sub, _)) in HEADLINE.iter().enumerate() {
            for (j, rec) in [first, last].into_iter().enumerate() {
                if let Some(m) = rec.metrics.iter().find(|m| m.measure == *measure && m.subgroup == *sub) {
                    self.values[k][j].push(m.value);
                }
            }
        }
    }

    /// Collect from one replicate's rows of `metrics.csv`: (year, measure,
    /// subgroup, value), as [`Headline::add`] does from its records.
    pub fn add_rows(&mut self, rows: &[(u32, String, String, f64)]) {
        if self.values.is_empty() {
            self.values = vec![[Vec::new(), Vec::new()]; HEADLINE.len()];
        }
        let (Some(first), Some(last)) = (rows.iter().map(|r| r.0).min(), rows.iter().map(|r| r.0).max()) else {
            return;
        };
        self.first_year = first;
        self.last_year = last;
        for (k, (measure, sub, _)) in HEADLINE.iter().enumerate() {
            for (j, year) in [first, last].into_iter().enumerate() {
                if let Some(r) = rows.iter().find(|r| r.0 == year && r.1 == *measure && r.2 == *sub) {
                    self.values[k][j].push(r.3);
                }
            }
        }
    }

    /// The table as text.
    pub fn table(&self) -> String {
        let n = self.values.first().map_or(0, |v| v[0].len());
        let mut t = format!(
            "{:<46} {:>24} {:>24}\n",
            format!("measure (mean of {n} replicate{}, 95% CI)", if n == 1 { "" } else { "s" }),
            format!("year {}", self.first_year),
            format!("year {}", self.last_year)
        );
        for (k, (_, _, label)) in HEADLINE.iter().enumerate() {
            let cell = |v: &[f64]| {
                let (m, h) = mean_ci(v);
                if h.is_nan() { format!("{m:.3}") } else { format!("{m:.3} [{:.3}, {:.3}]", m - h, m + h) }
            };
            if let Some(v) = self.values.get(k) {
                t.push_str(&format!("{:<46} {:>24} {:>24}\n", label, cell(&v[0]), cell(&v[1])));
            }
        }
        t
    }
}
