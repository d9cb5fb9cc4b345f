//! Regions read from CSV files: one of neighbourhoods, one of schools.
//!
//! `neighbourhoods.csv` columns: `id, x_km, y_km, district, households,
//! disadvantaged_share`. `schools.csv` columns: `id, name, x_km, y_km,
//! capacity, type` (`maintained` or `autonomous`), and optionally
//! `effectiveness, sen_expertise, eal_expertise` (empty for the scenario's
//! random draw). Other columns are ignored. An optional `catchments.csv`
//! (`neighbourhood, school`: ids from the other two files) gives every
//! neighbourhood its catchment school. An optional `trusts.csv` (`trust,
//! school` and optionally `lead`: a trust label, a school id of the schools
//! file, 1 for the trust's lead) groups schools into trusts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Region, SES_BANDS, SchoolSite, band_profile, equalise_bands, morton};
use crate::error::{Error, InputProblem, Location, Result};
use crate::scenario::Scenario;
use crate::stats::norm_inv;

/// One row of `neighbourhoods.csv`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct NeighbourhoodRow {
    /// Identifier.
    pub id: String,
    /// Centre, km.
    pub x_km: f64,
    /// Centre, km.
    pub y_km: f64,
    /// District label.
    pub district: String,
    /// Number of households (any scale; only proportions matter).
    pub households: f64,
    /// Share of households that are disadvantaged, 0 to 1.
    pub disadvantaged_share: f64,
}

/// One row of `schools.csv`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SchoolRow {
    /// Identifier.
    pub id: String,
    /// Name used in outputs.
    pub name: String,
    /// Position, km.
    pub x_km: f64,
    /// Position, km.
    pub y_km: f64,
    /// Places per year group.
    pub capacity: u32,
    /// `maintained` or `autonomous`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Effectiveness (value added per year, SD); empty for a random draw.
    #[serde(default)]
    pub effectiveness: Option<f64>,
    /// SEN expertise 0..1; empty for a random draw.
    #[serde(default)]
    pub sen_expertise: Option<f64>,
    /// EAL expertise 0..1; empty for a random draw.
    #[serde(default)]
    pub eal_expertise: Option<f64>,
}

/// Most rows of a neighbourhoods file (as many as a synthetic region may have).
pub const MAX_NEIGHBOURHOODS: usize = 4_000_000;
/// Most rows of a schools file (as many as a synthetic region may have: a
/// run holds at most [`crate::ids::MAX_SCHOOLS`] schools, ids being 16-bit).
pub const MAX_SCHOOLS: usize = crate::ids::MAX_SCHOOLS;
/// Largest coordinate, km, either way from the origin.
pub const MAX_COORDINATE_KM: f64 = 100_000.0;

/// Check a position, naming the column that is wrong.
fn check_position(file: &Path, line: usize, x: f64, y: f64, problems: &mut Vec<InputProblem>) {
    for (key, v) in [("x_km", x), ("y_km", y)] {
        if v.is_nan() || v.abs() > MAX_COORDINATE_KM {
            problems.push(problem(
                file,
                line,
                key,
                format!("{v} is not a usable position"),
                &format!("a finite number of km from -{MAX_COORDINATE_KM} to {MAX_COORDINATE_KM}"),
            ));
        }
    }
}

/// One row of `catchments.csv`: a neighbourhood and its catchment school.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CatchmentRow {
    /// Neighbourhood id (the `id` column of the neighbourhoods CSV).
    pub neighbourhood: String,
    /// School id (the `id` column of the schools CSV).
    pub school: String,
}

/// One row of `trusts.csv`: a school and the trust it belongs to.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TrustRow {
    /// Trust label (any text; rows with the same label are one trust).
    pub trust: String,
    /// School id (the `id` column of the schools CSV).
    pub school: String,
    /// 1 if the school leads its trust, 0 or empty if not (at most one lead
    /// per trust; without one, the trust's first row leads).
    #[serde(default)]
    pub lead: Option<u8>,
}

/// The rows of the files, read and checked.
#[derive(Debug, Clone, PartialEq)]
pub struct CsvRegion {
    /// Neighbourhood rows.
    pub neighbourhoods: Vec<NeighbourhoodRow>,
    /// School rows.
    pub schools: Vec<SchoolRow>,
    /// Catchment school (index into `schools`) of each neighbourhood row, if a catchments CSV is named.
    pub catchments: Option<Vec<u32>>,
    /// Trusts (indices into `schools`, lead first), in the order of their
    /// first row, if a trusts CSV is named.
    pub trusts: Option<Vec<Vec<u32>>>,
    /// The schools file's other columns (those the model does not read
    /// itself), by name: each school's value as text, in the order of
    /// `schools`. Policies can be targeted by them
    /// (`[policies.targets.NAME] column`, `values`).
    pub school_columns: BTreeMap<String, Vec<String>>,
}

/// Columns of the schools file the model reads itself (see [`SchoolRow`]).
const SCHOOL_FIELDS: [&str; 9] =
    ["id", "name", "x_km", "y_km", "capacity", "type", "effectiveness", "sen_expertise", "eal_expertise"];

/// The other columns of the schools file, as text per row (the file has
/// already been read and checked, row for row, by [`read_rows`]).
fn extra_columns(path: &Path, rows: usize, problems: &mut Vec<InputProblem>) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Ok(file) = crate::limits::open_limited(path, crate::limits::MAX_CSV_BYTES) else { return out };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(file);
    let Ok(headers) = reader.headers().cloned() else { return out };
    let extra: Vec<(usize, String)> = headers
        .iter()
        .enumerate()
        .filter(|(_, h)| !SCHOOL_FIELDS.contains(h))
        .map(|(k, h)| (k, h.to_string()))
        .collect();
    if extra.is_empty() {
        return out;
    }
    let mut values: Vec<Vec<String>> = vec![Vec::with_capacity(rows); extra.len()];
    for (line, rec) in reader.records().enumerate() {
        match rec {
            Ok(rec) => {
                for (c, (k, _)) in extra.iter().enumerate() {
                    values[c].push(rec.get(*k).unwrap_or("").to_string());
                }
            }
            Err(e) => {
                problems.push(problem(path, line + 2, "", format!("cannot read: {e}"), "a well-formed CSV row"));
                return BTreeMap::new();
            }
        }
    }
    for ((_, name), v) in extra.into_iter().zip(values) {
        if v.len() == rows {
            out.insert(name, v);
        }
    }
    out
}

fn problem(file: &Path, line: usize, key: &str, message: String, allowed: &str) -> InputProblem {
    InputProblem {
        location: Some(Location { file: file.to_path_buf(), line, column: 0 }),
        ..InputProblem::new(key, message, allowed)
    }
}

fn read_rows<T: for<'de> Deserialize<'de>>(
    path: &Path,
    max_rows: usize,
    problems: &mut Vec<InputProblem>,
) -> Vec<(usize, T)> {
    let file = match crate::limits::open_limited(path, crate::limits::MAX_CSV_BYTES) {
        Ok(f) => f,
        Err(e) => {
            problems.push(problem(path, 0, "", format!("cannot read: {e}"), "an existing CSV file"));
            return Vec::new();
        }
    };
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(file);
    let headers = reader.headers().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for result in reader.deserialize::<T>() {
        match result {
            Ok(row) => {
                if out.len() >= max_rows {
                    problems.push(problem(
                        path,
                        out.len() + 2,
                        "",
                        format!("more than {max_rows} rows"),
                        &format!("at most {max_rows} rows"),
                    ));
                    break;
                }
                // Line of the row just read (the header is line 1).
                out.push((out.len() + 2, row));
            }
            Err(e) => {
                let line = e.position().map(|p| p.line() as usize).unwrap_or(0);
                let (key, message) = match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => {
                        let key = err.field().and_then(|f| headers.get(f as usize)).unwrap_or("").to_string();
                        (key, err.kind().to_string())
                    }
                    csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::InvalidData => {
                        problems.push(problem(path, 0, "", format!("cannot read: {io}"), "a CSV file"));
                        break;
                    }
                    _ => (String::new(), e.to_string()),
                };
                problems.push(problem(path, line, &key, message, "see the column list in docs/ODD.md (Input data)"));
                if problems.len() > 20 {
                    break;
                }
            }
        }
    }
    out
}

/// Check each neighbourhood row: position, households, disadvantaged share.
fn check_neighbourhoods(path: &Path, rows: &[(usize, NeighbourhoodRow)], problems: &mut Vec<InputProblem>) {
    for (line, r) in rows {
        check_position(path, *line, r.x_km, r.y_km, problems);
        let mut fail =
            |key: &str, message: String, allowed: &str| problems.push(problem(path, *line, key, message, allowed));
        if !(r.households >= 0.0 && r.households <= 1e12) {
            fail("households", format!("{} is out of range", r.households), "0 to 1e12");
        }
        if !(0.0..=1.0).contains(&r.disadvantaged_share) {
            fail("disadvantaged_share", format!("{} is out of range", r.disadvantaged_share), "a share from 0 to 1");
        }
    }
}

/// Check each school row (position, capacity, type, the optional columns);
/// the schools' total capacity.
fn check_schools(path: &Path, rows: &[(usize, SchoolRow)], problems: &mut Vec<InputProblem>) -> u64 {
    let mut total_capacity = 0u64;
    for (line, r) in rows {
        check_position(path, *line, r.x_km, r.y_km, problems);
        let mut fail =
            |key: &str, message: String, allowed: &str| problems.push(problem(path, *line, key, message, allowed));
        if r.capacity > 10_000_000 {
            fail(
                "capacity",
                format!("{} places is more than any school has", r.capacity),
                "a whole number from 1 to 10000000",
            );
        }
        if r.capacity == 0 {
            fail("capacity", "a school with no places".into(), "a whole number above 0");
        }
        total_capacity += r.capacity as u64;
        if r.kind != "maintained" && r.kind != "autonomous" {
            fail("type", format!("{:?} is not a school type", r.kind), "`maintained` or `autonomous`");
        }
        for (key, v) in [("sen_expertise", r.sen_expertise), ("eal_expertise", r.eal_expertise)] {
            if let Some(v) = v.filter(|v| !(0.0..=1.0).contains(v)) {
                fail(key, format!("{v} is out of range"), "a number from 0 to 1, or empty");
            }
        }
        if let Some(v) = r.effectiveness.filter(|v| !v.is_finite() || v.abs() > 1.0) {
            fail("effectiveness", format!("{v} is out of range"), "a number from -1 to 1, or empty");
        }
    }
    total_capacity
}

/// The first 50 problems, and a line saying how many more there are.
fn at_most_50(mut problems: Vec<InputProblem>, npath: &Path) -> Vec<InputProblem> {
    if problems.len() > 50 {
        let more = problems.len() - 50;
        problems.truncate(50);
        problems.push(InputProblem {
            location: None,
            ..problem(npath, 0, "", format!("and {more} more problems in these files"), "")
        });
    }
    problems
}

/// Read and check the CSV files a scenario names. All problems are reported together.
pub fn read_csv_region(s: &Scenario) -> Result<CsvRegion> {
    let npath = PathBuf::from(&s.region.neighbourhoods_csv);
    let spath = PathBuf::from(&s.region.schools_csv);
    let mut problems = Vec::new();
    let nrows: Vec<(usize, NeighbourhoodRow)> = read_rows(&npath, MAX_NEIGHBOURHOODS, &mut problems);
    let srows: Vec<(usize, SchoolRow)> = read_rows(&spath, MAX_SCHOOLS, &mut problems);
    check_neighbourhoods(&npath, &nrows, &mut problems);
    let total_capacity = check_schools(&spath, &srows, &mut problems);
    if problems.is_empty() {
        if nrows.is_empty() {
            problems.push(problem(&npath, 0, "", "no neighbourhoods".into(), "at least one row"));
        }
        if nrows.iter().map(|(_, r)| r.households).sum::<f64>() <= 0.0 {
            problems.push(problem(
                &npath,
                0,
                "households",
                "no households in any neighbourhood".into(),
                "some households",
            ));
        }
        if srows.is_empty() {
            problems.push(problem(&spath, 0, "", "no schools".into(), "at least one row"));
        } else if total_capacity < s.region.entrants_per_year as u64 {
            problems.push(problem(
                &spath,
                0,
                "capacity",
                format!(
                    "total capacity {total_capacity} is below the cohort (region.entrants_per_year = {})",
                    s.region.entrants_per_year
                ),
                "total capacity of at least entrants_per_year",
            ));
        }
    }
    let catchments = if s.region.catchments_csv.is_empty() || !problems.is_empty() {
        None
    } else {
        read_catchments(&PathBuf::from(&s.region.catchments_csv), &nrows, &srows, &mut problems)
    };
    let trusts = if s.region.trusts_csv.is_empty() || !problems.is_empty() {
        None
    } else {
        read_trusts(&PathBuf::from(&s.region.trusts_csv), &srows, &mut problems)
    };
    let school_columns =
        if problems.is_empty() { extra_columns(&spath, srows.len(), &mut problems) } else { BTreeMap::new() };
    if !problems.is_empty() {
        return Err(Error::Input(at_most_50(problems, &npath)));
    }
    Ok(CsvRegion {
        neighbourhoods: nrows.into_iter().map(|(_, r)| r).collect(),
        schools: srows.into_iter().map(|(_, r)| r).collect(),
        catchments,
        trusts,
        school_columns,
    })
}

/// Read a trusts CSV against the school rows: every school named exists and
/// is in one trust at most; each trust has at most one lead.
fn read_trusts(path: &Path, srows: &[(usize, SchoolRow)], problems: &mut Vec<InputProblem>) -> Option<Vec<Vec<u32>>> {
    let before = problems.len();
    let rows: Vec<(usize, TrustRow)> = read_rows(path, MAX_SCHOOLS, problems);
    if problems.len() > before {
        return None;
    }
    if rows.is_empty() {
        problems.push(problem(path, 0, "", "no trusts".into(), "at least one row (or leave region.trusts_csv empty)"));
        return None;
    }
    let school: BTreeMap<&str, usize> = srows.iter().enumerate().map(|(k, (_, r))| (r.id.as_str(), k)).collect();
    // School -> (line, trust label) of the row that put it in a trust.
    let mut member: BTreeMap<usize, (usize, &str)> = BTreeMap::new();
    // Trust label -> (index, line of its lead row if any).
    let mut labels: BTreeMap<&str, (usize, Option<usize>)> = BTreeMap::new();
    let mut trusts: Vec<Vec<u32>> = Vec::new();
    for (line, r) in &rows {
        if r.trust.is_empty() {
            problems.push(problem(path, *line, "trust", "an empty trust label".into(), "a label naming the trust"));
            continue;
        }
        let Some(sid) = school_id(&school, &r.school, path, *line, problems) else { continue };
        if let Some((first, t)) = member.get(&sid) {
            problems.push(problem(
                path,
                *line,
                "school",
                format!("school {:?} is already in trust {t:?} (line {first})", r.school),
                "each school in one trust at most",
            ));
            continue;
        }
        let lead = match r.lead {
            None | Some(0) => false,
            Some(1) => true,
            Some(v) => {
                problems.push(problem(path, *line, "lead", format!("{v} is not 0 or 1"), "1 for the lead, 0 or empty"));
                continue;
            }
        };
        member.insert(sid, (*line, r.trust.as_str()));
        let next = trusts.len();
        let entry = labels.entry(r.trust.as_str()).or_insert((next, None));
        if entry.0 == next {
            trusts.push(Vec::new());
        }
        let t = &mut trusts[entry.0];
        if lead {
            if let Some(first) = entry.1 {
                problems.push(problem(
                    path,
                    *line,
                    "lead",
                    format!("trust {:?} already has a lead (line {first})", r.trust),
                    "at most one lead per trust",
                ));
                continue;
            }
            entry.1 = Some(*line);
            t.insert(0, sid as u32);
        } else {
            t.push(sid as u32);
        }
    }
    if problems.len() > before {
        return None;
    }
    Some(trusts)
}

/// The index of the school with this `id`, or a problem at the row naming it.
fn school_id(
    schools: &BTreeMap<&str, usize>,
    id: &str,
    path: &Path,
    line: usize,
    problems: &mut Vec<InputProblem>,
) -> Option<usize> {
    let found = schools.get(id).copied();
    if found.is_none() {
        problems.push(problem(
            path,
            line,
            "school",
            format!("no school has the id {id:?}"),
            "an `id` of the schools CSV",
        ));
    }
    found
}

/// Read a catchments CSV against the neighbourhood and school rows: every
/// neighbourhood exactly once, every school named one that exists.
fn read_catchments(
    path: &Path,
    nrows: &[(usize, NeighbourhoodRow)],
    srows: &[(usize, SchoolRow)],
    problems: &mut Vec<InputProblem>,
) -> Option<Vec<u32>> {
    let before = problems.len();
    let rows: Vec<(usize, CatchmentRow)> = read_rows(path, MAX_NEIGHBOURHOODS, problems);
    if problems.len() > before {
        return None;
    }
    let nbhd: BTreeMap<&str, usize> = nrows.iter().enumerate().map(|(k, (_, r))| (r.id.as_str(), k)).collect();
    let school: BTreeMap<&str, usize> = srows.iter().enumerate().map(|(k, (_, r))| (r.id.as_str(), k)).collect();
    let mut out: Vec<Option<(usize, u32)>> = vec![None; nrows.len()];
    for (line, r) in &rows {
        let Some(&k) = nbhd.get(r.neighbourhood.as_str()) else {
            problems.push(problem(
                path,
                *line,
                "neighbourhood",
                format!("no neighbourhood has the id {:?}", r.neighbourhood),
                "an `id` of the neighbourhoods CSV",
            ));
            continue;
        };
        let Some(sid) = school_id(&school, &r.school, path, *line, problems) else { continue };
        if let Some((first, _)) = out[k] {
            problems.push(problem(
                path,
                *line,
                "neighbourhood",
                format!("neighbourhood {:?} already has a catchment school (line {first})", r.neighbourhood),
                "one row per neighbourhood",
            ));
            continue;
        }
        out[k] = Some((*line, sid as u32));
    }
    let missing: Vec<&str> =
        out.iter().zip(nrows).filter(|(c, _)| c.is_none()).map(|(_, (_, r))| r.id.as_str()).collect();
    if !missing.is_empty() && problems.len() == before {
        let shown: Vec<&str> = missing.iter().take(5).copied().collect();
        problems.push(problem(
            path,
            0,
            "neighbourhood",
            format!(
                "{} neighbourhood(s) without a catchment school: {}{}",
                missing.len(),
                shown.join(", "),
                if missing.len() > shown.len() { ", ..." } else { "" }
            ),
            "a row for every neighbourhood of the neighbourhoods CSV",
        ));
    }
    if problems.len() > before {
        return None;
    }
    Some(out.into_iter().map(|c| c.map_or(0, |(_, s)| s)).collect())
}

/// Build a region from checked CSV rows.
pub(crate) fn region_from_csv(s: &Scenario, data: &CsvRegion, _seed: u64) -> Region {
    let cell = s.region.neighbourhood_km;
    let groups = s.population.groups.len();
    let types = SES_BANDS * groups;
    let rows = &data.neighbourhoods;
    let xmin = rows.iter().map(|r| r.x_km).fold(f64::MAX, f64::min);
    let ymin = rows.iter().map(|r| r.y_km).fold(f64::MAX, f64::min);
    let mut order: Vec<(u64, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (morton(((r.x_km - xmin) / cell) as u32, ((r.y_km - ymin) / cell) as u32), i))
        .collect();
    order.sort_unstable();
    let district_ids: BTreeMap<&str, u32> = {
        let mut names: Vec<&str> = rows.iter().map(|r| r.district.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names.into_iter().enumerate().map(|(i, n)| (n, i as u32)).collect()
    };
    let total_h: f64 = rows.iter().map(|r| r.households).sum();
    let scale = s.region.entrants_per_year as f64 * super::HOUSEHOLDS_PER_ENTRANT / total_h;
    let within_sd = (1.0 - s.region.residential_clustering).sqrt();
    let threshold = norm_inv(s.population.disadvantaged_share.clamp(1e-3, 1.0 - 1e-3));
    let mut region = Region {
        cell_km: cell,
        nbhd_x: Vec::new(),
        nbhd_y: Vec::new(),
        nbhd_district: Vec::new(),
        districts: district_ids.len(),
        groups,
        households: vec![0.0; rows.len() * types],
        sites: Vec::new(),
        catchment: data.catchments.as_ref().map(|c| order.iter().map(|&(_, i)| c[i]).collect()),
        trusts: data.trusts.clone(),
    };
    let mut profile = [0.0; SES_BANDS];
    for (k, &(_, i)) in order.iter().enumerate() {
        let r = &rows[i];
        region.nbhd_x.push(r.x_km as f32);
        region.nbhd_y.push(r.y_km as f32);
        region.nbhd_district.push(district_ids[r.district.as_str()]);
        let mean = threshold - within_sd * norm_inv(r.disadvantaged_share.clamp(1e-3, 1.0 - 1e-3));
        for (g, gp) in s.population.groups.iter().enumerate() {
            band_profile(mean + gp.ses_shift, within_sd, &mut profile);
            for b in 0..SES_BANDS {
                region.households[k * types + b * groups + g] = (r.households * scale * gp.share * profile[b]) as f32;
            }
        }
    }
    equalise_bands(&mut region.households, groups);
    region.sites = data
        .schools
        .iter()
        .map(|r| {
            // District of the nearest neighbourhood.
            let mut best = (f64::MAX, 0u32);
            for k in 0..region.nbhd_x.len() {
                let d = (region.nbhd_x[k] as f64 - r.x_km).powi(2) + (region.nbhd_y[k] as f64 - r.y_km).powi(2);
                if d < best.0 {
                    best = (d, region.nbhd_district[k]);
                }
            }
            SchoolSite {
                name: r.name.clone(),
                x: r.x_km,
                y: r.y_km,
                district: best.1,
                capacity: r.capacity,
                autonomous: Some(r.kind == "autonomous"),
                effectiveness: r.effectiveness,
                sen_expertise: r.sen_expertise,
                eal_expertise: r.eal_expertise,
            }
        })
        .collect();
    region
}
