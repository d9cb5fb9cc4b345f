//! Output files: tidy CSV and the manifest.
//!
//! Every file is written under a `.partial` name and renamed when complete,
//! so an interrupted or killed run never leaves a truncated file that looks
//! complete.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use schoolscape::run::ReplicateResult;
use schoolscape::{Error, Result};
use serde::Serialize;

/// A file written under `NAME.partial` and renamed to `NAME` by [`AtomicFile::finish`].
pub struct AtomicFile {
    path: PathBuf,
    partial: PathBuf,
    out: BufWriter<File>,
    /// Bytes written so far (buffered or not).
    len: u64,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_path_buf(), source }
}

impl AtomicFile {
    /// Start writing `path` (as `path.partial`).
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let partial = partial_name(path);
        let file = File::create(&partial).map_err(io_err(&partial))?;
        Ok(AtomicFile { path: path.to_path_buf(), partial, out: BufWriter::with_capacity(1 << 20, file), len: 0 })
    }

    /// Continue writing `path` after its first `len` bytes: from
    /// `path.partial` if there is one, else from `path` (renamed back to
    /// `.partial`); whatever follows those bytes (a torn row) is cut off.
    pub fn resume(path: &Path, len: u64) -> Result<AtomicFile> {
        let partial = partial_name(path);
        if !partial.exists() {
            std::fs::rename(path, &partial).map_err(io_err(path))?;
        }
        let file = std::fs::OpenOptions::new().write(true).open(&partial).map_err(io_err(&partial))?;
        let have = file.metadata().map_err(io_err(&partial))?.len();
        if have < len {
            return Err(Error::input(
                None,
                "--resume",
                format!("{} holds {have} bytes, fewer than the {len} the manifest records", partial.display()),
                "an output directory of an unfinished run, as it was left",
            ));
        }
        file.set_len(len).map_err(io_err(&partial))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        std::io::Seek::seek(out.get_mut(), std::io::SeekFrom::Start(len)).map_err(io_err(&partial))?;
        Ok(AtomicFile { path: path.to_path_buf(), partial, out, len })
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Hand what is buffered to the operating system and sync it to disk,
    /// so that it survives a kill of the process.
    pub fn sync(&mut self) -> Result<()> {
        self.out.flush().map_err(io_err(&self.partial))?;
        self.out.get_ref().sync_data().map_err(io_err(&self.partial))
    }

    /// Write text.
    pub fn write_str(&mut self, s: &str) -> Result<()> {
        self.write_bytes(s.as_bytes())
    }

    /// Write bytes.
    pub fn write_bytes(&mut self, b: &[u8]) -> Result<()> {
        self.out.write_all(b).map_err(io_err(&self.partial))?;
        self.len += b.len() as u64;
        Ok(())
    }

    /// Flush, sync and rename to the final name.
    pub fn finish(self) -> Result<()> {
        let AtomicFile { path, partial, out, .. } = self;
        let file = out.into_inner().map_err(|e| Error::Io { path: partial.clone(), source: e.into_error() })?;
        file.sync_all().map_err(io_err(&partial))?;
        std::fs::rename(&partial, &path).map_err(io_err(&path))
    }
}

/// The `.partial` name of a file.
pub fn partial_name(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".partial");
    PathBuf::from(s)
}

/// Write a whole file atomically.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_str(text)?;
    f.finish()
}

/// A number as CSV text: shortest round-trip form; missing (NaN) as empty.
pub fn num(v: f64) -> String {
    if v.is_nan() { String::new() } else { format!("{v}") }
}

/// A text field as CSV, quoted when needed.
pub fn field(s: &str) -> String {
    if s.contains([',', '"', '\n']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

/// A number in an output row: written as [`num`] writes it (missing as an empty field).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num(pub f64);

impl Serialize for Num {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if self.0.is_nan() { s.serialize_str("") } else { serialize_display(self.0, s) }
    }
}

/// Text of up to 64 bytes held on the stack (a number written without an
/// allocation); longer text does not fit ([`std::fmt::Error`]).
struct ShortText {
    bytes: [u8; 64],
    len: usize,
}

impl std::fmt::Write for ShortText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Serialise `v` as its `Display` text (what `format!("{v}")` gives),
/// written on the stack when it is short, as nearly every number is.
fn serialize_display<S: serde::Serializer>(v: impl std::fmt::Display, s: S) -> std::result::Result<S::Ok, S::Error> {
    use std::fmt::Write;
    let mut t = ShortText { bytes: [0; 64], len: 0 };
    match write!(t, "{v}").ok().and_then(|()| std::str::from_utf8(&t.bytes[..t.len]).ok()) {
        Some(text) => s.serialize_str(text),
        None => s.serialize_str(&v.to_string()),
    }
}

/// A single-precision number in an output row (positions, households),
/// written in its own shortest round-trip form; missing as an empty field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Num32(pub f32);

impl Serialize for Num32 {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if self.0.is_nan() { s.serialize_str("") } else { serialize_display(self.0, s) }
    }
}

/// Append `rows` to `out` as CSV lines (no header).
pub fn csv_rows<T: Serialize>(rows: impl IntoIterator<Item = T>, out: &mut String) {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    for r in rows {
        // Writing to memory cannot fail; a row that cannot be serialised is a bug the tests catch.
        let _ = w.serialize(r);
    }
    if let Ok(bytes) = w.into_inner() {
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
}

/// A row of `metrics.csv`: one measure of one run in one year. Runs are
/// described once each, in `runs.csv` (or a sweep's `plan.csv`), keyed by `run_id`.
#[derive(Debug, Serialize)]
pub struct MetricRow<'a> {
    /// The run.
    pub run_id: u64,
    /// Simulated year (from 1).
    pub year: u32,
    /// Measure name.
    pub measure: &'a str,
    /// The group of pupils, schools or places it is computed for (`all` if none).
    pub subgroup: &'a str,
    /// Value (empty if undefined).
    pub value: Num,
}

/// A row of `runs.csv`: what each run id of a run or comparison is.
#[derive(Debug, Serialize)]
pub struct RunRow<'a> {
    /// The run.
    pub run_id: u64,
    /// Scenario name.
    pub scenario: &'a str,
    /// Replicate (from 0): replicate r of every scenario of a comparison shares its seed.
    pub replicate: u32,
    /// The replicate's seed.
    pub seed: u64,
}

/// A row of `schools.csv`: one school in one year of one run.
#[derive(Debug, Serialize)]
pub struct SchoolRow {
    /// The run.
    pub run_id: u64,
    /// Year.
    pub year: u32,
    /// School id (its name, district, type and site are in `school_sites.csv`).
    pub school: u32,
    /// 1 if open.
    pub open: u8,
    /// Places per cohort.
    pub capacity: u32,
    /// Pupils on roll.
    pub roll: u32,
    /// Entrants this year.
    pub intake: u32,
    /// Entrants who put it first.
    pub first_preferences: u32,
    /// Effectiveness in force.
    pub effectiveness: Num,
    /// Latent knowledge.
    pub latent_knowledge: Num,
    /// Reputation.
    pub reputation: Num,
    /// Share of pupils on roll disadvantaged.
    pub disadvantaged_share: Num,
    /// Mean attainment of its leavers.
    pub mean_attainment: Num,
    /// Funding.
    pub funding: Num,
    /// Trust id within the run (empty: in no trust).
    pub trust: Option<u32>,
    /// Neighbourhoods whose catchment school it is.
    pub catchment_neighbourhoods: u32,
}

/// A row of `school_sites.csv`: where a school of a run stands.
#[derive(Debug, Serialize)]
pub struct SiteRow<'a> {
    /// The run.
    pub run_id: u64,
    /// School id.
    pub school: usize,
    /// Name.
    pub name: &'a str,
    /// District.
    pub district: u32,
    /// `autonomous` or `maintained`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// Position, km.
    pub x_km: Num32,
    /// Position, km.
    pub y_km: Num32,
    /// The year the school opened (0: open from the start).
    pub opened: u32,
}

/// A row of `neighbourhoods.csv`: a neighbourhood of a run in a snapshot year.
#[derive(Debug, Serialize)]
pub struct NeighbourhoodRow {
    /// The run.
    pub run_id: u64,
    /// Snapshot year (0 = the start).
    pub year: u32,
    /// Neighbourhood id.
    pub neighbourhood: usize,
    /// Centre, km.
    pub x_km: Num32,
    /// Centre, km.
    pub y_km: Num32,
    /// District.
    pub district: u32,
    /// Households.
    pub households: Num32,
    /// Share of households disadvantaged.
    pub disadvantaged_share: Num32,
}

/// Header of `metrics.csv` (the fields of [`MetricRow`]; a test checks they agree).
pub const METRICS_HEADER: &str = "run_id,year,measure,subgroup,value\n";
/// Header of `runs.csv` (the fields of [`RunRow`]).
pub const RUNS_HEADER: &str = "run_id,scenario,replicate,seed\n";
/// Header of `schools.csv` (the fields of [`SchoolRow`]).
pub const SCHOOLS_HEADER: &str = "run_id,year,school,open,capacity,roll,intake,first_preferences,effectiveness,latent_knowledge,reputation,disadvantaged_share,mean_attainment,funding,trust,catchment_neighbourhoods\n";
/// Header of `school_sites.csv` (the fields of [`SiteRow`]).
pub const SITES_HEADER: &str = "run_id,school,name,district,type,x_km,y_km,opened\n";
/// Header of `neighbourhoods.csv` (the fields of [`NeighbourhoodRow`]).
pub const NEIGHBOURHOODS_HEADER: &str = "run_id,year,neighbourhood,x_km,y_km,district,households,disadvantaged_share\n";

fn kind(autonomous: bool) -> &'static str {
    if autonomous { "autonomous" } else { "maintained" }
}

/// The rows one replicate adds to `metrics.csv`.
pub fn metrics_rows(run_id: u64, r: &ReplicateResult, out: &mut String) {
    csv_rows(
        r.records.iter().flat_map(|rec| {
            rec.metrics.iter().map(move |m| MetricRow {
                run_id,
                year: rec.year,
                measure: m.measure,
                subgroup: &m.subgroup,
                value: Num(m.value),
            })
        }),
        out,
    );
}

/// The rows one replicate adds to `schools.csv`.
pub fn school_rows(run_id: u64, r: &ReplicateResult, out: &mut String) {
    csv_rows(
        r.records.iter().flat_map(|rec| {
            rec.schools.iter().map(move |s| SchoolRow {
                run_id,
                year: rec.year,
                school: s.school,
                open: u8::from(s.open),
                capacity: s.capacity,
                roll: s.roll,
                intake: s.intake,
                first_preferences: s.first_prefs,
                effectiveness: Num(s.effectiveness),
                latent_knowledge: Num(s.latent),
                reputation: Num(s.reputation),
                disadvantaged_share: Num(s.disadvantaged_share),
                mean_attainment: Num(s.mean_attainment),
                funding: Num(s.funding),
                trust: s.trust,
                catchment_neighbourhoods: s.catchment_neighbourhoods,
            })
        }),
        out,
    );
}

/// The rows one replicate adds to `school_sites.csv`.
pub fn site_rows(run_id: u64, r: &ReplicateResult, out: &mut String) {
    let st = &r.schools;
    csv_rows(
        (0..st.name.len()).map(|i| SiteRow {
            run_id,
            school: i,
            name: &st.name[i],
            district: st.district[i],
            kind: kind(st.autonomous[i]),
            x_km: Num32(st.x[i]),
            y_km: Num32(st.y[i]),
            opened: st.opened.get(i).copied().unwrap_or(0),
        }),
        out,
    );
}

/// The rows of `neighbourhoods.csv` (replicate 0's map).
pub fn neighbourhood_rows(run_id: u64, r: &ReplicateResult, out: &mut String) {
    let Some(m) = &r.neighbourhoods else { return };
    csv_rows(
        m.snapshots.iter().flat_map(|(year, households, dis)| {
            (0..m.x.len()).map(move |k| NeighbourhoodRow {
                run_id,
                year: *year,
                neighbourhood: k,
                x_km: Num32(m.x[k]),
                y_km: Num32(m.y[k]),
                district: m.district[k],
                households: Num32(households[k]),
                disadvantaged_share: Num32(dis[k]),
            })
        }),
        out,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header a row type gives when serialised with headers.
    fn header_of<T: Serialize>(row: T) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.serialize(row).unwrap();
        let text = String::from_utf8(w.into_inner().unwrap()).unwrap();
        text.lines().next().unwrap().to_string() + "\n"
    }

    /// Numbers are written as `format!` writes them, those too long for
    /// the stack text (tiny and huge ones) included.
    #[test]
    fn numbers_are_written_as_format_writes_them() {
        let one = |row: &dyn Fn(&mut csv::Writer<Vec<u8>>)| {
            let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
            row(&mut w);
            String::from_utf8(w.into_inner().unwrap()).unwrap()
        };
        let mut state = 9u64;
        let mut values = vec![0.0, -0.0, 0.5, -1.25, 1e-7, 1e21, 1e300, -1e-300, 5e-324, f64::MAX, f64::INFINITY];
        values.push(f64::NEG_INFINITY);
        for _ in 0..2000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            values.push(f64::from_bits(state));
        }
        for v in values {
            let want = if v.is_nan() { String::new() } else { format!("{v}") };
            assert_eq!(one(&|w| w.serialize((Num(v),)).unwrap()), format!("{want}\n"), "{v:e}");
            assert_eq!(num(v), want);
            let x = v as f32;
            let want = if x.is_nan() { String::new() } else { format!("{x}") };
            assert_eq!(one(&|w| w.serialize((Num32(x),)).unwrap()), format!("{want}\n"), "{x:e}");
        }
    }

    #[test]
    fn headers_are_the_row_types_fields() {
        let n = Num(0.5);
        assert_eq!(
            header_of(MetricRow { run_id: 0, year: 1, measure: "m", subgroup: "all", value: n }),
            METRICS_HEADER
        );
        assert_eq!(header_of(RunRow { run_id: 0, scenario: "s", replicate: 0, seed: 1 }), RUNS_HEADER);
        let school = SchoolRow {
            run_id: 0,
            year: 1,
            school: 0,
            open: 1,
            capacity: 1,
            roll: 1,
            intake: 1,
            first_preferences: 1,
            effectiveness: n,
            latent_knowledge: n,
            reputation: n,
            disadvantaged_share: n,
            mean_attainment: n,
            funding: n,
            trust: Some(0),
            catchment_neighbourhoods: 0,
        };
        assert_eq!(header_of(school), SCHOOLS_HEADER);
        let m = Num32(0.5);
        let site =
            SiteRow { run_id: 0, school: 0, name: "a", district: 0, kind: "maintained", x_km: m, y_km: m, opened: 0 };
        assert_eq!(header_of(site), SITES_HEADER);
        let nb = NeighbourhoodRow {
            run_id: 0,
            year: 0,
            neighbourhood: 0,
            x_km: m,
            y_km: m,
            district: 0,
            households: m,
            disadvantaged_share: m,
        };
        assert_eq!(header_of(nb), NEIGHBOURHOODS_HEADER);
    }

    #[test]
    fn numbers_and_text_are_written_as_before() {
        let mut out = String::new();
        let rows = [
            MetricRow { run_id: 3, year: 2, measure: "m", subgroup: "band:1", value: Num(0.1) },
            MetricRow { run_id: 3, year: 2, measure: "m", subgroup: "a,b", value: Num(f64::NAN) },
            MetricRow { run_id: 3, year: 2, measure: "m", subgroup: "all", value: Num(1e-7) },
        ];
        csv_rows(rows, &mut out);
        assert_eq!(out, "3,2,m,band:1,0.1\n3,2,m,\"a,b\",\n3,2,m,all,0.0000001\n");
        assert_eq!(field("a\"b"), "\"a\"\"b\"");
    }
}
