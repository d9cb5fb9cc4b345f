//! Output files: tidy CSV and the manifest.
//!
//! Every file is written under a `.partial` name and renamed when complete,
//! so an interrupted or killed run never leaves a truncated file that looks
//! complete.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use schoolscape::run::ReplicateResult;
use schoolscape::{Error, Result};

/// A file written under `NAME.partial` and renamed to `NAME` by [`AtomicFile::finish`].
pub struct AtomicFile {
    path: PathBuf,
    partial: PathBuf,
    out: BufWriter<File>,
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Io { path: path.to_path_buf(), source }
}

impl AtomicFile {
    /// Start writing `path` (as `path.partial`).
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let partial = partial_name(path);
        let file = File::create(&partial).map_err(io_err(&partial))?;
        Ok(AtomicFile { path: path.to_path_buf(), partial, out: BufWriter::with_capacity(1 << 20, file) })
    }

    /// Write text.
    pub fn write_str(&mut self, s: &str) -> Result<()> {
        self.write_bytes(s.as_bytes())
    }

    /// Write bytes.
    pub fn write_bytes(&mut self, b: &[u8]) -> Result<()> {
        self.out.write_all(b).map_err(io_err(&self.partial))
    }

    /// Flush, sync and rename to the final name.
    pub fn finish(self) -> Result<()> {
        let AtomicFile { path, partial, out } = self;
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

/// Header of `metrics.csv`.
pub const METRICS_HEADER: &str = "run_id,replicate,year,measure,subgroup,value\n";
/// Header of `runs.csv`.
pub const RUNS_HEADER: &str = "run_id,scenario,replicate,seed\n";
/// Header of `schools.csv`.
pub const SCHOOLS_HEADER: &str = "run_id,replicate,year,school,name,district,type,open,capacity,roll,intake,first_preferences,effectiveness,latent_knowledge,reputation,disadvantaged_share,mean_attainment,funding\n";

/// The rows one replicate adds to `metrics.csv`.
pub fn metrics_rows(run_id: u64, r: &ReplicateResult, out: &mut String) {
    for rec in &r.records {
        for m in &rec.metrics {
            let _ = writeln!(
                out,
                "{run_id},{},{},{},{},{}",
                r.replicate,
                rec.year,
                m.measure,
                field(&m.subgroup),
                num(m.value)
            );
        }
    }
}

/// The rows one replicate adds to `schools.csv`.
pub fn school_rows(run_id: u64, r: &ReplicateResult, out: &mut String) {
    let st = &r.schools;
    for rec in &r.records {
        for s in &rec.schools {
            let i = s.school as usize;
            let _ = writeln!(
                out,
                "{run_id},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                r.replicate,
                rec.year,
                s.school,
                field(&st.name[i]),
                st.district[i],
                if st.autonomous[i] { "autonomous" } else { "maintained" },
                u8::from(s.open),
                s.capacity,
                s.roll,
                s.intake,
                s.first_prefs,
                num(s.effectiveness),
                num(s.latent),
                num(s.reputation),
                num(s.disadvantaged_share),
                num(s.mean_attainment),
                num(s.funding)
            );
        }
    }
}

/// Header of `school_sites.csv`.
pub const SITES_HEADER: &str = "run_id,replicate,school,name,district,type,x_km,y_km,opened\n";

/// The rows one replicate adds to `school_sites.csv`.
pub fn site_rows(run_id: u64, r: &ReplicateResult, out: &mut String) {
    let st = &r.schools;
    for i in 0..st.name.len() {
        let kind = if st.autonomous[i] { "autonomous" } else { "maintained" };
        let _ = writeln!(
            out,
            "{run_id},{},{i},{},{},{kind},{},{},{}",
            r.replicate,
            field(&st.name[i]),
            st.district[i],
            st.x[i],
            st.y[i],
            st.opened.get(i).copied().unwrap_or(0)
        );
    }
}

/// Header of `neighbourhoods.csv`.
pub const NEIGHBOURHOODS_HEADER: &str =
    "run_id,replicate,year,neighbourhood,x_km,y_km,district,households,disadvantaged_share\n";

/// The rows of `neighbourhoods.csv` (replicate 0's map).
pub fn neighbourhood_rows(run_id: u64, r: &ReplicateResult, out: &mut String) {
    let Some(m) = &r.neighbourhoods else { return };
    for (year, households, dis) in &m.snapshots {
        for k in 0..m.x.len() {
            let _ = writeln!(
                out,
                "{run_id},{},{year},{k},{},{},{},{},{}",
                r.replicate, m.x[k], m.y[k], m.district[k], households[k], dis[k]
            );
        }
    }
}
