//! `schoolscape export`: the CSV files of a run, comparison, sweep, contrast
//! or validation directory written again as Parquet, for analyses of sweeps
//! of many runs (smaller files, typed columns, read in a fraction of the
//! time). Parquet support is the cargo feature `parquet`; a build without it
//! still knows the command and says how to get it.

use std::path::{Path, PathBuf};

use clap::Args;
use schoolscape::{Error, Result};

/// Options of `schoolscape export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A run, comparison, sweep, contrast or validation directory.
    pub dir: PathBuf,
    /// Where to write the Parquet files (default: DIR/parquet), in the same
    /// layout as the CSV files they come from.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print only errors.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Run `schoolscape export`.
pub fn export(args: &ExportArgs) -> Result<()> {
    if !args.dir.is_dir() {
        return Err(Error::input(
            None,
            "DIR",
            format!("{} is not a directory", args.dir.display()),
            "the output directory of a run, comparison, sweep, contrast or validation",
        ));
    }
    let out = args.out.clone().unwrap_or_else(|| args.dir.join("parquet"));
    let files = csv_files(&args.dir, &out)?;
    if files.is_empty() {
        return Err(Error::input(
            None,
            "DIR",
            format!("{} holds no CSV files", args.dir.display()),
            "the output directory of a run, comparison, sweep, contrast or validation",
        ));
    }
    write_all(&args.dir, &out, &files, args.quiet)
}

/// The CSV files under `dir` (sorted; not those under `skip`, where the
/// Parquet files go, nor unfinished `.partial` files).
fn csv_files(dir: &Path, skip: &Path) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let entries = std::fs::read_dir(&d).map_err(|source| Error::Io { path: d.clone(), source })?;
        for e in entries {
            let path = e.map_err(|source| Error::Io { path: d.clone(), source })?.path();
            if path == skip {
                continue;
            }
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|x| x == "csv") {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(not(feature = "parquet"))]
fn write_all(_dir: &Path, _out: &Path, _files: &[PathBuf], _quiet: bool) -> Result<()> {
    Err(Error::input(
        None,
        "export",
        "this schoolscape was built without Parquet support (the cargo feature `parquet`, off by default to keep the build small)",
        "a build with it: `cargo install --path . --features parquet`, or `cargo run --release --features parquet -- export DIR`",
    ))
}

#[cfg(feature = "parquet")]
fn write_all(dir: &Path, out: &Path, files: &[PathBuf], quiet: bool) -> Result<()> {
    let (mut csv_bytes, mut pq_bytes) = (0u64, 0u64);
    for f in files {
        let rel = f.strip_prefix(dir).unwrap_or(f);
        let target = out.join(rel).with_extension("parquet");
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::Io { path: parent.to_path_buf(), source })?;
        }
        let manifest = parquet_file::manifest_near(f, dir);
        parquet_file::convert(f, &target, manifest.as_deref())?;
        csv_bytes += std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
        pq_bytes += std::fs::metadata(&target).map(|m| m.len()).unwrap_or(0);
    }
    if !quiet {
        let mb = |b: u64| b as f64 / 1e6;
        super::out(&format!(
            "wrote {} Parquet files ({:.1} MB, from {:.1} MB of CSV) to {}\n",
            files.len(),
            mb(pq_bytes),
            mb(csv_bytes),
            out.display()
        ));
    }
    Ok(())
}

/// One CSV file as one Parquet file: each column typed from its contents
/// (64-bit integers if every value is one, else doubles if every value is a
/// number, else UTF-8 text; an empty field is a null), in row groups of
/// [`parquet_file::ROWS`] rows so that memory stays bounded for any size.
#[cfg(feature = "parquet")]
pub mod parquet_file {
    use std::fs::File;
    use std::path::Path;
    use std::sync::Arc;

    use parquet::basic::{Compression, LogicalType, Repetition, Type as Physical};
    use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, Int64Type};
    use parquet::file::metadata::KeyValue;
    use parquet::file::properties::WriterProperties;
    use parquet::file::writer::SerializedFileWriter;
    use parquet::schema::types::Type;
    use schoolscape::{Error, Result};

    use crate::cli::output::partial_name;

    /// Rows per row group.
    pub const ROWS: usize = 1 << 18;

    /// The manifests a Parquet file carries (as the key-value metadata
    /// `schoolscape.manifest`): the first of these next to the CSV file,
    /// else in the exported directory.
    const MANIFESTS: [&str; 5] = ["manifest.json", "compare.json", "sweep.json", "contrast.json", "validate.json"];

    /// The type of a column, from its values.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Kind {
        /// Every value a 64-bit integer.
        Int,
        /// Every value a number.
        Float,
        /// Text.
        Text,
    }

    impl Kind {
        /// The narrowest kind that holds this value too.
        fn widen(self, cell: &str) -> Kind {
            if cell.is_empty() {
                return self;
            }
            match self {
                Kind::Int if cell.parse::<i64>().is_ok() => Kind::Int,
                Kind::Int | Kind::Float if cell.parse::<f64>().is_ok() => Kind::Float,
                _ => Kind::Text,
            }
        }
    }

    /// The text of the manifest that describes a CSV file, if there is one.
    pub fn manifest_near(csv: &Path, root: &Path) -> Option<String> {
        let dirs = [csv.parent(), Some(root)];
        dirs.iter()
            .flatten()
            .flat_map(|d| MANIFESTS.iter().map(move |m| d.join(m)))
            .find_map(|p| std::fs::read_to_string(p).ok())
    }

    fn io(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
        move |source| Error::Io { path: path.to_path_buf(), source }
    }

    fn pq(path: &Path) -> impl Fn(parquet::errors::ParquetError) -> Error + '_ {
        move |e| Error::Io { path: path.to_path_buf(), source: std::io::Error::other(e) }
    }

    fn bad_csv(path: &Path) -> impl Fn(csv::Error) -> Error + '_ {
        move |e| {
            let line = e.position().map_or(String::new(), |p| format!(" (line {})", p.line()));
            Error::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidData, format!("not a CSV file{line}: {e}")),
            }
        }
    }

    fn reader(path: &Path) -> Result<csv::Reader<File>> {
        let f = File::open(path).map_err(io(path))?;
        Ok(csv::ReaderBuilder::new().has_headers(true).from_reader(f))
    }

    /// The header and the kind of each column of a CSV file (one pass).
    pub fn kinds(path: &Path) -> Result<(Vec<String>, Vec<Kind>)> {
        let mut r = reader(path)?;
        let header: Vec<String> = r.headers().map_err(bad_csv(path))?.iter().map(String::from).collect();
        let mut kinds = vec![Kind::Int; header.len()];
        let mut rec = csv::StringRecord::new();
        while r.read_record(&mut rec).map_err(bad_csv(path))? {
            for (k, cell) in kinds.iter_mut().zip(rec.iter()) {
                *k = k.widen(cell);
            }
        }
        Ok((header, kinds))
    }

    /// One column's values of a row group, with its definition levels (1 a value, 0 a null).
    enum Column {
        Int(Vec<i64>, Vec<i16>),
        Float(Vec<f64>, Vec<i16>),
        Text(Vec<ByteArray>, Vec<i16>),
    }

    impl Column {
        fn new(k: Kind) -> Column {
            match k {
                Kind::Int => Column::Int(Vec::new(), Vec::new()),
                Kind::Float => Column::Float(Vec::new(), Vec::new()),
                Kind::Text => Column::Text(Vec::new(), Vec::new()),
            }
        }

        /// Add a cell (already known to fit the column's kind).
        fn push(&mut self, cell: &str) {
            let (levels, present) = match self {
                Column::Int(_, d) | Column::Float(_, d) | Column::Text(_, d) => (d, !cell.is_empty()),
            };
            levels.push(i16::from(present));
            if !present {
                return;
            }
            match self {
                Column::Int(v, _) => v.push(cell.parse().unwrap_or_default()),
                Column::Float(v, _) => v.push(cell.parse().unwrap_or(f64::NAN)),
                Column::Text(v, _) => v.push(ByteArray::from(cell)),
            }
        }

        fn clear(&mut self) {
            match self {
                Column::Int(v, d) => (v.clear(), d.clear()),
                Column::Float(v, d) => (v.clear(), d.clear()),
                Column::Text(v, d) => (v.clear(), d.clear()),
            };
        }

        fn rows(&self) -> usize {
            match self {
                Column::Int(_, d) | Column::Float(_, d) | Column::Text(_, d) => d.len(),
            }
        }
    }

    fn schema(header: &[String], kinds: &[Kind]) -> parquet::errors::Result<Type> {
        let mut fields = Vec::with_capacity(header.len());
        for (name, k) in header.iter().zip(kinds) {
            let (physical, logical) = match k {
                Kind::Int => (Physical::INT64, None),
                Kind::Float => (Physical::DOUBLE, None),
                Kind::Text => (Physical::BYTE_ARRAY, Some(LogicalType::String)),
            };
            let t = Type::primitive_type_builder(name, physical)
                .with_repetition(Repetition::OPTIONAL)
                .with_logical_type(logical)
                .build()?;
            fields.push(Arc::new(t));
        }
        Type::group_type_builder("schema").with_fields(fields).build()
    }

    /// Write `csv` as the Parquet file `target` (under a `.partial` name,
    /// renamed when complete), with `manifest` as its metadata.
    pub fn convert(csv: &Path, target: &Path, manifest: Option<&str>) -> Result<()> {
        let (header, kinds) = kinds(csv)?;
        let partial = partial_name(target);
        let written = write(csv, &partial, &header, &kinds, manifest);
        if written.is_err() {
            // Nothing unfinished is left behind (a full disk, a file changed while read).
            let _ = std::fs::remove_file(&partial);
        }
        written?;
        std::fs::rename(&partial, target).map_err(io(target))
    }

    /// Write the Parquet file `partial` from `csv`, whose columns are `header` of `kinds`.
    fn write(csv: &Path, partial: &Path, header: &[String], kinds: &[Kind], manifest: Option<&str>) -> Result<()> {
        let file = File::create(partial).map_err(io(partial))?;
        let mut meta = vec![KeyValue::new("schoolscape.version".into(), schoolscape::VERSION.to_string())];
        if let Some(m) = manifest {
            meta.push(KeyValue::new("schoolscape.manifest".into(), m.to_string()));
        }
        let props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("schoolscape {}", schoolscape::VERSION))
            .set_key_value_metadata(Some(meta))
            .build();
        let schema = Arc::new(schema(header, kinds).map_err(pq(csv))?);
        let mut w = SerializedFileWriter::new(file, schema, Arc::new(props)).map_err(pq(partial))?;
        let mut cols: Vec<Column> = kinds.iter().map(|&k| Column::new(k)).collect();
        let mut r = reader(csv)?;
        let mut rec = csv::StringRecord::new();
        loop {
            let more = r.read_record(&mut rec).map_err(bad_csv(csv))?;
            if more {
                for (c, cell) in cols.iter_mut().zip(rec.iter()) {
                    c.push(cell);
                }
            }
            let rows = cols.first().map_or(0, Column::rows);
            if rows > 0 && (rows >= ROWS || !more) {
                write_group(&mut w, &cols).map_err(pq(partial))?;
                cols.iter_mut().for_each(Column::clear);
            }
            if !more {
                break;
            }
        }
        w.close().map_err(pq(partial))?;
        Ok(())
    }

    fn write_group(w: &mut SerializedFileWriter<File>, cols: &[Column]) -> parquet::errors::Result<()> {
        let mut g = w.next_row_group()?;
        for c in cols {
            let Some(mut cw) = g.next_column()? else { break };
            match c {
                Column::Int(v, d) => cw.typed::<Int64Type>().write_batch(v, Some(d), None)?,
                Column::Float(v, d) => cw.typed::<DoubleType>().write_batch(v, Some(d), None)?,
                Column::Text(v, d) => cw.typed::<ByteArrayType>().write_batch(v, Some(d), None)?,
            };
            cw.close()?;
        }
        g.close()?;
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn kinds_widen_from_integers_to_numbers_to_text() {
            assert_eq!(Kind::Int.widen("12"), Kind::Int);
            assert_eq!(Kind::Int.widen(""), Kind::Int);
            assert_eq!(Kind::Int.widen("0.5"), Kind::Float);
            assert_eq!(Kind::Float.widen("7"), Kind::Float);
            assert_eq!(Kind::Float.widen("inf"), Kind::Float);
            assert_eq!(Kind::Float.widen("market"), Kind::Text);
            assert_eq!(Kind::Text.widen("3"), Kind::Text);
        }
    }
}
