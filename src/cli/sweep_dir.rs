//! The files of a sweep directory, shared by `sweep`, `merge` and
//! `sweep-summary`.
//!
//! - `plan.csv`: one row per planned run (`run_id, point, replicate, seed`,
//!   then one column per varied parameter): parameters live here, once per
//!   run, and nowhere else.
//! - `metrics.csv` (and `schools.csv` with `school_panel = true`): results in
//!   long form, keyed by `run_id`, one block of rows per finished run,
//!   appended in the order runs finish.
//! - `done.csv`: the finished runs, one line each, appended (and synced) after
//!   the run's block is written (and synced): `run_id` and the end offset of
//!   its block in each results file. A run is finished if and only if its line
//!   is here; anything in a results file past the last recorded offset is a
//!   partial block, cut off on `--resume`. Run `r`'s block in a file runs from
//!   the previous line's offset (or the end of the header) to its own.
//! - `sweep.json`: settings (compared on `--resume` and by `merge`), shard,
//!   status and timings; `scenario.toml`: the resolved base scenario;
//!   `sweep.toml`: the sweep file as given.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use schoolscape::run::ReplicateResult;
use schoolscape::sweep::Plan;
use schoolscape::sweep::params::value_text;
use schoolscape::{Error, Result};

use super::output;

/// The plan.
pub const PLAN: &str = "plan.csv";
/// The log of finished runs.
pub const DONE: &str = "done.csv";
/// Settings, shard, status and timings.
pub const MANIFEST: &str = "sweep.json";
/// The resolved base scenario.
pub const SCENARIO: &str = "scenario.toml";
/// The sweep file as given.
pub const SWEEP_FILE: &str = "sweep.toml";
/// The contrasted scenario of a contrast, resolved.
pub const CONTRAST_SCENARIO: &str = "contrast.toml";

/// A results file: its name, header, and the rows one run adds to it.
#[derive(Debug, Clone, Copy)]
pub struct ResultFile {
    /// File name.
    pub name: &'static str,
    /// Header line.
    pub header: &'static str,
    /// Append one run's rows.
    pub rows: fn(u64, &ReplicateResult, &mut String),
}

/// `metrics.csv`: every measure in every year.
pub const METRICS: ResultFile =
    ResultFile { name: "metrics.csv", header: output::METRICS_HEADER, rows: output::metrics_rows };
/// `schools.csv`: the school-by-year panel.
pub const SCHOOLS: ResultFile =
    ResultFile { name: "schools.csv", header: output::SCHOOLS_HEADER, rows: output::school_rows };

/// The results files a sweep writes.
pub fn result_files(school_panel: bool) -> Vec<ResultFile> {
    if school_panel { vec![METRICS, SCHOOLS] } else { vec![METRICS] }
}

/// The results file of a name.
pub fn result_file(name: &str) -> Option<ResultFile> {
    [METRICS, SCHOOLS].into_iter().find(|f| f.name == name)
}

/// The header of `done.csv` for these results files.
pub fn done_header(files: &[ResultFile]) -> String {
    let mut h = String::from("run_id");
    for f in files {
        h.push(',');
        h.push_str(f.name);
    }
    h.push('\n');
    h
}

/// The text of `plan.csv`.
///
/// A contrast's plan has two more columns after `seed`: `setting` (the
/// setting of the parameters, shared by both scenarios) and `scenario`.
pub fn plan_csv(plan: &Plan) -> String {
    let mut t = String::from("run_id,point,replicate,seed");
    let contrast = plan.is_contrast();
    if contrast {
        t.push_str(",setting,scenario");
    }
    for p in &plan.parameters {
        t.push(',');
        t.push_str(&output::field(p));
    }
    t.push('\n');
    let texts: Vec<Vec<String>> =
        plan.points.iter().map(|p| p.values.iter().map(|v| output::field(&value_text(v))).collect()).collect();
    for r in plan.runs() {
        t.push_str(&format!("{},{},{},{}", r.run_id, r.point, r.replicate, r.seed));
        if contrast {
            let p = &plan.points[r.point];
            t.push_str(&format!(",{},{}", p.setting, output::field(&plan.arms[p.arm])));
        }
        for v in &texts[r.point] {
            t.push(',');
            t.push_str(v);
        }
        t.push('\n');
    }
    t
}

/// One line of `done.csv`: a run and where its blocks end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DoneEntry {
    /// The run.
    pub run_id: u64,
    /// End offset of the run's block in each results file, in the order of the header.
    pub ends: Vec<u64>,
}

/// `done.csv` as read: its complete lines.
#[derive(Debug, Clone)]
pub struct DoneLog {
    /// The results files, from the header.
    pub files: Vec<ResultFile>,
    /// Finished runs, in the order they finished.
    pub entries: Vec<DoneEntry>,
    /// Bytes of the header and the complete lines; more means a torn last line.
    pub valid_len: u64,
    /// The file's length.
    pub len: u64,
}

impl DoneLog {
    /// Where the results files end after the last finished run (their headers if none).
    pub fn ends(&self) -> Vec<u64> {
        match self.entries.last() {
            Some(e) => e.ends.clone(),
            None => self.files.iter().map(|f| f.header.len() as u64).collect(),
        }
    }

    /// Each finished run's block `[start, end)` in results file `k`, by run id.
    pub fn blocks(&self, k: usize) -> BTreeMap<u64, (u64, u64)> {
        let mut start = self.files[k].header.len() as u64;
        let mut out = BTreeMap::new();
        for e in &self.entries {
            out.insert(e.run_id, (start, e.ends[k]));
            start = e.ends[k];
        }
        out
    }
}

fn damaged(path: &Path, line: usize, what: &str) -> Error {
    Error::input(
        Some(schoolscape::error::Location { file: path.to_path_buf(), line, column: 1 }),
        "",
        format!("the log of finished runs is damaged: {what}"),
        "a done.csv written by `schoolscape sweep`",
    )
}

/// Read `done.csv`: its header, and every complete line (a torn last line,
/// from a run killed while writing it, is left out and counted in `len`).
pub fn read_done(path: &Path, runs: u64) -> Result<DoneLog> {
    let mut text = String::new();
    File::open(path)
        .and_then(|mut f| f.read_to_string(&mut text))
        .map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
    let len = text.len() as u64;
    let Some((header, body)) = text.split_once('\n') else {
        return Err(damaged(path, 1, "no header"));
    };
    let mut files = Vec::new();
    let mut names = header.split(',');
    if names.next() != Some("run_id") {
        return Err(damaged(path, 1, "the header does not start with run_id"));
    }
    for n in names {
        files.push(result_file(n).ok_or_else(|| damaged(path, 1, &format!("unknown results file `{n}`")))?);
    }
    let mut entries: Vec<DoneEntry> = Vec::new();
    let mut valid_len = header.len() as u64 + 1;
    let mut seen = std::collections::HashSet::new();
    let complete = match body.rfind('\n') {
        Some(p) => &body[..=p],
        None => "",
    };
    for (i, line) in complete.lines().enumerate() {
        let lineno = i + 2;
        let mut fields = line.split(',').map(str::parse::<u64>);
        let run_id = match fields.next() {
            Some(Ok(id)) if id < runs => id,
            _ => return Err(damaged(path, lineno, "a line without a planned run id")),
        };
        let ends: Vec<u64> =
            fields.collect::<std::result::Result<_, _>>().map_err(|_| damaged(path, lineno, "a bad offset"))?;
        if ends.len() != files.len() {
            return Err(damaged(path, lineno, "a line with the wrong number of offsets"));
        }
        let before = entries
            .last()
            .map(|e| e.ends.clone())
            .unwrap_or_else(|| files.iter().map(|f| f.header.len() as u64).collect());
        if ends.iter().zip(&before).any(|(e, b)| e < b) {
            return Err(damaged(path, lineno, "offsets that go backwards"));
        }
        if !seen.insert(run_id) {
            return Err(damaged(path, lineno, &format!("run {run_id} is recorded twice")));
        }
        valid_len += line.len() as u64 + 1;
        entries.push(DoneEntry { run_id, ends });
    }
    Ok(DoneLog { files, entries, valid_len, len })
}

/// Copies runs' blocks out of a sweep directory's results files.
pub struct BlockReader {
    file: File,
    path: PathBuf,
    buf: Vec<u8>,
}

impl BlockReader {
    /// Open a results file.
    pub fn open(path: &Path) -> Result<BlockReader> {
        let file = File::open(path).map_err(|source| Error::Io { path: path.to_path_buf(), source })?;
        Ok(BlockReader { file, path: path.to_path_buf(), buf: Vec::new() })
    }

    /// The bytes `[start, end)`.
    pub fn read(&mut self, start: u64, end: u64) -> Result<&[u8]> {
        let io = |source| Error::Io { path: self.path.clone(), source };
        self.buf.resize((end - start) as usize, 0);
        self.file.seek(SeekFrom::Start(start)).map_err(io)?;
        self.file.read_exact(&mut self.buf).map_err(|source| Error::Io { path: self.path.clone(), source })?;
        Ok(&self.buf)
    }
}

/// Read a sweep directory's manifest.
pub fn read_manifest(dir: &Path) -> Result<serde_json::Value> {
    let path = dir.join(MANIFEST);
    let text = std::fs::read_to_string(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
    serde_json::from_str(&text).map_err(|e| {
        Error::input(
            Some(schoolscape::error::Location { file: path, line: e.line(), column: e.column() }),
            "",
            format!("not a sweep manifest: {e}"),
            "a sweep.json written by `schoolscape sweep`",
        )
    })
}

/// Read a whole text file.
pub fn read_text(path: &Path) -> Result<String> {
    schoolscape::limits::read_text(path, schoolscape::limits::MAX_CSV_BYTES)
        .map_err(|source| Error::Io { path: path.to_path_buf(), source })
}

/// Run ids as short text: `3, 7-9, 12`, at most `max` items.
pub fn id_list(ids: &[u64], max: usize) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let mut j = i;
        while j + 1 < ids.len() && ids[j + 1] == ids[j] + 1 {
            j += 1;
        }
        parts.push(if j > i { format!("{}-{}", ids[i], ids[j]) } else { ids[i].to_string() });
        i = j + 1;
    }
    if parts.len() > max {
        let rest = parts.len() - max;
        parts.truncate(max);
        parts.push(format!("and {rest} more ranges"));
    }
    parts.join(", ")
}

/// `plan.csv` as read back.
#[derive(Debug, Clone, Default)]
pub struct PlanTable {
    /// Dotted paths of the varied parameters, in column order.
    pub parameters: Vec<String>,
    /// Per run: its point.
    pub point: Vec<usize>,
    /// Per point: the parameter values as written.
    pub point_values: Vec<Vec<String>>,
    /// Per parameter, per run: the value as a number (`true` is 1, `false`
    /// is 0; NaN if it is not a number).
    pub numeric: Vec<Vec<f64>>,
}

impl PlanTable {
    /// Number of planned runs.
    pub fn runs(&self) -> usize {
        self.point.len()
    }
}

/// A parameter value from `plan.csv` as a number: `true` is 1, `false` is 0,
/// NaN if it is not a number.
pub fn plan_number(text: &str) -> f64 {
    match text {
        "true" => 1.0,
        "false" => 0.0,
        _ => text.parse().unwrap_or(f64::NAN),
    }
}

/// A CSV file of a sweep directory that cannot be read, located.
pub fn csv_problem(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line() as usize);
    Error::input(
        Some(schoolscape::error::Location { file: path.to_path_buf(), line, column: 1 }),
        "",
        format!("cannot read: {e}"),
        "a file written by `schoolscape sweep`",
    )
}

/// Read `plan.csv` (a contrast's `setting` and `scenario` columns are not parameters).
pub fn read_plan(path: &Path) -> Result<PlanTable> {
    let mut r = csv::Reader::from_path(path).map_err(|e| csv_problem(path, e))?;
    let header = r.headers().map_err(|e| csv_problem(path, e))?.clone();
    let contrast = header.get(4) == Some("setting") && header.get(5) == Some("scenario");
    let skip = if contrast { 6 } else { 4 };
    let parameters: Vec<String> = header.iter().skip(skip).map(str::to_string).collect();
    let mut t = PlanTable { numeric: vec![Vec::new(); parameters.len()], parameters, ..PlanTable::default() };
    for rec in r.records() {
        let rec = rec.map_err(|e| csv_problem(path, e))?;
        let point: usize = rec.get(1).and_then(|p| p.parse().ok()).unwrap_or(0);
        t.point.push(point);
        if point == t.point_values.len() {
            t.point_values.push(rec.iter().skip(skip).map(str::to_string).collect());
        }
        for (j, v) in rec.iter().skip(skip).enumerate() {
            t.numeric[j].push(plan_number(v));
        }
    }
    Ok(t)
}

/// The final-year values of a sweep's finished runs, read from `metrics.csv`.
#[derive(Debug, Clone, Default)]
pub struct Finals {
    /// Runs recorded as finished in `done.csv`.
    pub finished: usize,
    /// Per kept (measure, subgroup): per run, the final-year value (NaN where
    /// a run has not finished or has no value).
    pub values: BTreeMap<(String, String), Vec<f64>>,
    /// Every (measure, subgroup) in the final year, kept or not, in the order
    /// of the first finished run's rows.
    pub measures: Vec<(String, String)>,
}

/// Read the final-year (`year`) values of the measures `keep` accepts, per run,
/// streaming `metrics.csv` up to the end of the last finished run's block:
/// memory holds one value per kept measure and run, whatever the file's size.
pub fn read_finals(d: &Path, runs: usize, year: u64, keep: impl Fn(&str, &str) -> bool) -> Result<Finals> {
    let log = read_done(&d.join(DONE), runs as u64)?;
    let k = log.files.iter().position(|f| f.name == METRICS.name).unwrap_or(0);
    let end = log.ends()[k];
    let path = d.join(METRICS.name);
    let file = File::open(&path).map_err(|source| Error::Io { path: path.clone(), source })?;
    let mut reader = csv::Reader::from_reader(file.take(end));
    // Columns by name, so that older files (with a `replicate` column) read too.
    let headers = reader.headers().map_err(|e| csv_problem(&path, e))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(c_run), Some(c_year), Some(c_measure), Some(c_subgroup), Some(c_value)) =
        (col("run_id"), col("year"), col("measure"), col("subgroup"), col("value"))
    else {
        return Err(damaged(&path, 1, "the header lacks run_id, year, measure, subgroup or value"));
    };
    let mut f = Finals { finished: log.entries.len(), ..Finals::default() };
    let year = year.to_string();
    let mut first_run = None;
    for rec in reader.records() {
        let rec = rec.map_err(|e| csv_problem(&path, e))?;
        if rec.get(c_year) != Some(year.as_str()) {
            continue;
        }
        let (Some(run), Some(measure), Some(subgroup), Some(value)) = (
            rec.get(c_run).and_then(|r| r.parse::<usize>().ok()),
            rec.get(c_measure),
            rec.get(c_subgroup),
            rec.get(c_value),
        ) else {
            continue;
        };
        if run >= runs {
            continue;
        }
        if *first_run.get_or_insert(run) == run {
            f.measures.push((measure.to_string(), subgroup.to_string()));
        }
        if !keep(measure, subgroup) {
            continue;
        }
        let v = f.values.entry((measure.to_string(), subgroup.to_string())).or_insert_with(|| vec![f64::NAN; runs]);
        v[run] = value.parse().unwrap_or(f64::NAN);
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_lists_compress_ranges() {
        assert_eq!(id_list(&[1, 2, 3, 5, 7, 8], 10), "1-3, 5, 7-8");
        assert_eq!(id_list(&[1, 3, 5], 2), "1, 3, and 1 more ranges");
    }

    #[test]
    fn done_log_drops_a_torn_last_line_and_refuses_damage() {
        let dir = std::env::temp_dir().join(format!("schoolscape-done-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("done.csv");
        let h = METRICS.header.len();
        std::fs::write(&p, format!("run_id,metrics.csv\n3,{}\n1,{}\n4,{}", h + 10, h + 25, h + 3)).unwrap();
        let log = read_done(&p, 10).unwrap();
        assert_eq!(log.entries.len(), 2);
        assert_eq!(log.ends(), vec![h as u64 + 25]);
        assert_eq!(
            log.valid_len + 2 + (h + 3).to_string().len() as u64,
            log.len,
            "the torn line \"4,...\" is left out"
        );
        assert_eq!(log.blocks(0)[&1], (h as u64 + 10, h as u64 + 25));
        std::fs::write(&p, format!("run_id,metrics.csv\n3,{}\n3,{}\n", h + 10, h + 25)).unwrap();
        assert!(read_done(&p, 10).unwrap_err().to_string().contains("recorded twice"));
        std::fs::write(&p, format!("run_id,metrics.csv\n3,{}\n1,{}\n", h + 10, h + 5)).unwrap();
        assert!(read_done(&p, 10).unwrap_err().to_string().contains("backwards"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
