//! Reading a run directory back from its written files: the headline
//! measures from `metrics.csv`, replicate 0's school panel, sites and
//! neighbourhoods, and the scenario's description and resolved parameters.
//! Plots are drawn from these files only, so that they can be redrawn
//! without rerunning.

use std::collections::BTreeMap;
use std::path::Path;

use schoolscape::error::Location;
use schoolscape::stats::{mean_ci, quantile_sorted};
use schoolscape::{Error, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A measure and subgroup as charts show it (title, axis label with unit).
pub type Measure = super::sweep::Outcome;

/// The headline measures with axis labels and units.
pub fn measures() -> Vec<Measure> {
    Measure::headline()
}

/// The axis label, with its unit, of a headline measure (`value` for others).
pub fn axis_label(measure: &str) -> &'static str {
    match measure {
        "school_gorard" => "Gorard segregation index (0 = even, 1 = apart)",
        "gap_index" => "Gap index (-10 to 10; 0 = no gap)",
        "attainment_mean" => "Mean attainment of leavers (SD units)",
        "ses_gradient" => "SD of attainment per SD of SES",
        "between_school_variance" => "Share of attainment variance (0 to 1)",
        _ => "value",
    }
}

/// Values of one measure: year → replicate → value.
pub type Panel = BTreeMap<u32, BTreeMap<u32, f64>>;

/// One run directory, read back.
#[derive(Debug, Clone, Default)]
pub struct RunData {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// Where the scenario came from (as recorded in the manifest).
    pub scenario_file: String,
    /// Master seed, if recorded.
    pub seed: Option<u64>,
    /// Run status from the manifest (`complete`, `interrupted`, ...).
    pub status: String,
    /// Text of `scenario.toml` (the resolved parameters).
    pub scenario_toml: String,
    /// Side of a neighbourhood, km.
    pub cell_km: f64,
    /// The measures read (the headline measures unless others were asked for).
    pub measures: Vec<Measure>,
    /// One panel per measure, in the order of `measures`.
    pub headline: Vec<Panel>,
    /// The first replicate's school panel.
    pub schools: Vec<SchoolRow>,
    /// Replicate 0's school sites.
    pub sites: Vec<SiteRow>,
    /// Replicate 0's neighbourhood snapshots.
    pub neighbourhoods: Vec<NeighbourhoodRow>,
}

/// A row of `schools.csv` (the columns maps need).
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SchoolRow {
    /// Run.
    pub run_id: u64,
    /// Year.
    pub year: u32,
    /// School id.
    pub school: u32,
    /// Open (1) or closed (0).
    pub open: u8,
    /// Pupils on roll.
    pub roll: u32,
    /// Effectiveness (value added per year, SD).
    pub effectiveness: Option<f64>,
    /// Share of pupils on roll who are disadvantaged.
    pub disadvantaged_share: Option<f64>,
}

/// A row of `school_sites.csv`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct SiteRow {
    /// Run.
    pub run_id: u64,
    /// School id.
    pub school: u32,
    /// Position, km.
    pub x_km: f64,
    /// Position, km.
    pub y_km: f64,
    /// Year the school opened (0: at the start; absent in older files).
    #[serde(default)]
    pub opened: u32,
}

/// A row of `neighbourhoods.csv`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct NeighbourhoodRow {
    /// Run.
    pub run_id: u64,
    /// Year of the snapshot (0 = the start).
    pub year: u32,
    /// Centre, km.
    pub x_km: f64,
    /// Centre, km.
    pub y_km: f64,
    /// Households.
    pub households: f64,
    /// Share of households that are disadvantaged.
    pub disadvantaged_share: f64,
}

#[derive(Debug, Deserialize)]
struct RunsRow {
    run_id: u64,
    replicate: u32,
}

#[derive(Debug, Deserialize)]
struct MetricRow {
    run_id: u64,
    year: u32,
    measure: String,
    subgroup: String,
    value: Option<f64>,
}

/// Read every row of a CSV file, keeping those `keep` accepts.
fn read_csv<T: DeserializeOwned>(path: &Path, mut keep: impl FnMut(&T) -> bool) -> Result<Vec<T>> {
    let mut reader =
        csv::Reader::from_path(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e.into() })?;
    let mut rows = Vec::new();
    for row in reader.deserialize::<T>() {
        let row = row.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            Error::input(
                Some(Location { file: path.to_path_buf(), line, column: 0 }),
                "",
                format!("cannot read this row: {e}"),
                "a file as schoolscape writes it",
            )
        })?;
        if keep(&row) {
            rows.push(row);
        }
    }
    Ok(rows)
}

fn read_text(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })
}

impl RunData {
    /// Whether `dir` looks like a run directory (it has `metrics.csv`).
    pub fn is_run_dir(dir: &Path) -> bool {
        dir.join("metrics.csv").is_file()
    }

    /// Read a run directory with the measures asked for (`NAME[/SUBGROUP]`;
    /// none: the headline measures).
    pub fn read_measures(dir: &Path, wanted: &[String]) -> Result<RunData> {
        let mut d = RunData { cell_km: 1.0, ..RunData::default() };
        let manifest: serde_json::Value = read_text(&dir.join("manifest.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(serde_json::Value::Null);
        let text = |k: &str| manifest.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string();
        d.name = text("scenario");
        d.description = text("description");
        d.scenario_file = text("scenario_file");
        d.status = text("status");
        d.seed = manifest.get("seed").and_then(|v| v.as_u64());
        if d.name.is_empty() {
            d.name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("run").to_string();
        }
        d.scenario_toml = read_text(&dir.join("scenario.toml")).unwrap_or_default();
        let table: toml::Table = d
            .scenario_toml
            .lines()
            .filter(|l| !l.starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n")
            .parse()
            .unwrap_or_default();
        if let Some(c) = table.get("region").and_then(|r| r.get("neighbourhood_km")).and_then(|v| v.as_float()) {
            d.cell_km = c;
        }

        // Each run id's replicate, from runs.csv (run ids are unique across a comparison).
        let runs: Vec<RunsRow> = read_csv(&dir.join("runs.csv"), |_: &RunsRow| true)?;
        let replicate: BTreeMap<u64, u32> = runs.iter().map(|r| (r.run_id, r.replicate)).collect();
        let first = runs.iter().min_by_key(|r| r.replicate).map_or(0, |r| r.run_id);
        let file = dir.join("metrics.csv");
        let metrics: Vec<MetricRow> = read_csv(&file, |r: &MetricRow| replicate.contains_key(&r.run_id))?;
        let ms = if wanted.is_empty() {
            measures()
        } else {
            let last = metrics.iter().map(|r| r.year).max();
            let mut seen: Vec<(String, String)> = metrics
                .iter()
                .filter(|r| Some(r.year) == last)
                .map(|r| (r.measure.clone(), r.subgroup.clone()))
                .collect();
            seen.sort();
            seen.dedup();
            super::sweep::resolve_measures(wanted, &seen, &file)?
        };
        d.headline = vec![Panel::new(); ms.len()];
        for r in metrics {
            if let Some(k) = ms.iter().position(|m| m.measure == r.measure && m.subgroup == r.subgroup) {
                let rep = replicate.get(&r.run_id).copied().unwrap_or(0);
                d.headline[k].entry(r.year).or_default().insert(rep, r.value.unwrap_or(f64::NAN));
            }
        }
        d.measures = ms;
        d.schools = read_csv(&dir.join("schools.csv"), |r: &SchoolRow| r.run_id == first)?;
        d.sites = read_csv(&dir.join("school_sites.csv"), |r: &SiteRow| r.run_id == first)?;
        d.neighbourhoods = read_csv(&dir.join("neighbourhoods.csv"), |r: &NeighbourhoodRow| r.run_id == first)?;
        Ok(d)
    }

    /// The years recorded (of the first headline measure).
    pub fn years(&self) -> Vec<u32> {
        self.headline.first().map(|p| p.keys().copied().collect()).unwrap_or_default()
    }

    /// The last year recorded, if any.
    pub fn final_year(&self) -> Option<u32> {
        self.years().last().copied()
    }

    /// Number of replicates with data in the final year.
    pub fn replicates(&self) -> usize {
        self.final_year().and_then(|y| self.headline.first()?.get(&y).map(BTreeMap::len)).unwrap_or(0)
    }

    /// Replicate → value of headline measure `k` in `year` (missing values skipped).
    pub fn values(&self, k: usize, year: u32) -> BTreeMap<u32, f64> {
        self.headline
            .get(k)
            .and_then(|p| p.get(&year))
            .map(|m| m.iter().filter(|(_, v)| v.is_finite()).map(|(r, v)| (*r, *v)).collect())
            .unwrap_or_default()
    }
}

/// Median and 10th and 90th percentiles of a sample (NaN if empty).
pub fn median_band(values: impl IntoIterator<Item = f64>) -> (f64, f64, f64) {
    let mut v: Vec<f64> = values.into_iter().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    (quantile_sorted(&v, 0.5), quantile_sorted(&v, 0.1), quantile_sorted(&v, 0.9))
}

/// Paired difference of headline measure `k` in `year` between `other` and
/// `base`, over the replicates both have: (mean difference, 95% half-width, pairs).
pub fn paired_difference(base: &RunData, other: &RunData, k: usize, year: u32) -> (f64, f64, usize) {
    let a = base.values(k, year);
    let b = other.values(k, year);
    let d: Vec<f64> = b.iter().filter_map(|(r, vb)| a.get(r).map(|va| vb - va)).collect();
    let (m, h) = mean_ci(&d);
    (m, h, d.len())
}

/// A paired difference between a scenario and the first (baseline) scenario in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// The measure.
    pub measure: Measure,
    /// The scenario compared.
    pub scenario: String,
    /// The baseline scenario (the first).
    pub baseline: String,
    /// The year compared.
    pub year: u32,
    /// Mean of the paired differences (scenario − baseline).
    pub mean: f64,
    /// 95% t-interval half-width (NaN with fewer than two pairs).
    pub half: f64,
    /// Replicates paired.
    pub pairs: usize,
}

/// Paired differences of every headline measure in every year of the
/// baseline, each scenario against the first, ordered by measure, scenario
/// and year. Replicate r of each scenario shares its seed (common random
/// numbers), so the pairs differ by policy, not by luck.
pub fn differences(runs: &[RunData]) -> Vec<Difference> {
    let Some((base, rest)) = runs.split_first() else { return Vec::new() };
    let years = base.years();
    let mut out = Vec::new();
    for (k, m) in base.measures.iter().enumerate() {
        for other in rest {
            for &year in &years {
                let (mean, half, pairs) = paired_difference(base, other, k, year);
                out.push(Difference {
                    measure: m.clone(),
                    scenario: other.name.clone(),
                    baseline: base.name.clone(),
                    year,
                    mean,
                    half,
                    pairs,
                });
            }
        }
    }
    out
}

/// The differences of the last year among `diffs`.
pub fn final_year(diffs: &[Difference]) -> Vec<Difference> {
    let last = diffs.iter().map(|d| d.year).max();
    diffs.iter().filter(|d| Some(d.year) == last).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_with(values: &[(u32, u32, f64)]) -> RunData {
        let mut d =
            RunData { measures: measures(), headline: vec![Panel::new(); measures().len()], ..RunData::default() };
        for &(year, rep, v) in values {
            d.headline[0].entry(year).or_default().insert(rep, v);
        }
        d
    }

    #[test]
    fn paired_difference_uses_common_replicates() {
        let a = run_with(&[(3, 0, 1.0), (3, 1, 2.0), (3, 2, 3.0)]);
        let b = run_with(&[(3, 0, 2.0), (3, 1, 4.0), (3, 3, 9.0)]);
        let (m, h, n) = paired_difference(&a, &b, 0, 3);
        assert_eq!(n, 2);
        assert_eq!(m, 1.5);
        // differences 1 and 2: sd 0.7071, se 0.5, t(1) = 12.706
        assert!((h - 12.706 * 0.5).abs() < 1e-9);
    }

    #[test]
    fn median_band_of_known_sample() {
        let (m, lo, hi) = median_band([5.0, 1.0, 3.0, f64::NAN, 2.0, 4.0]);
        assert_eq!(m, 3.0);
        assert!((lo - 1.4).abs() < 1e-12);
        assert!((hi - 4.6).abs() < 1e-12);
    }
}
