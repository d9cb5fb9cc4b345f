//! `schoolscape export` (cargo feature `parquet`): every CSV file of a run
//! and of a comparison becomes a Parquet file with typed columns and the same
//! values, carrying the manifest; read back here with the parquet crate.

mod common;

use std::fs::File;
use std::path::Path;

use common::*;
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

const SMALL: [&str; 7] = ["--scale", "0.2", "--years", "3", "--replicates", "2", "--quiet"];

fn ok(args: &[&str]) {
    let o = bin().args(args).output().expect("run schoolscape");
    assert!(o.status.success(), "schoolscape {args:?} failed:\n{}", stderr(&o));
}

/// Every value of a Parquet file equals its CSV file's, in order; the column
/// types are those given (by name), and the file carries `manifest`.
fn same_as_csv(csv: &Path, pq: &Path, types: &[(&str, &str)], manifest: Option<&str>) {
    let reader = SerializedFileReader::new(File::open(pq).expect("parquet file written")).expect("a Parquet file");
    let meta = reader.metadata().file_metadata();
    let kv = meta.key_value_metadata().expect("key-value metadata");
    let get = |k: &str| kv.iter().find(|x| x.key == k).and_then(|x| x.value.clone());
    assert_eq!(get("schoolscape.version").as_deref(), Some(env!("CARGO_PKG_VERSION")));
    assert_eq!(get("schoolscape.manifest").as_deref(), manifest, "{}", pq.display());
    let schema = meta.schema_descr();
    for (name, physical) in types {
        let col = (0..schema.num_columns()).map(|i| schema.column(i)).find(|c| c.name() == *name);
        let col = col.unwrap_or_else(|| panic!("{} has no column {name}", pq.display()));
        assert_eq!(format!("{}", col.physical_type()), *physical, "{name} in {}", pq.display());
    }
    let mut rdr = csv::Reader::from_path(csv).expect("csv");
    let header: Vec<String> = rdr.headers().expect("header").iter().map(String::from).collect();
    let mut rows = reader.get_row_iter(None).expect("rows");
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.expect("csv row");
        let row = rows.next().expect("as many rows as the CSV").expect("a row");
        let fields: Vec<(&String, &Field)> = row.get_column_iter().collect();
        assert_eq!(fields.len(), header.len());
        for ((name, field), (h, cell)) in fields.iter().zip(header.iter().zip(rec.iter())) {
            assert_eq!(*name, h);
            let same = match field {
                Field::Null => cell.is_empty(),
                Field::Long(v) => cell.parse::<i64>() == Ok(*v),
                Field::Double(v) => cell.parse::<f64>().is_ok_and(|c| c == *v || (c.is_nan() && v.is_nan())),
                Field::Str(s) => s == cell,
                other => panic!("unexpected field {other:?}"),
            };
            assert!(same, "{}: row {n}, {h}: CSV {cell:?}, Parquet {field:?}", pq.display());
        }
        n += 1;
    }
    assert!(rows.next().is_none(), "{} has more rows than its CSV", pq.display());
    assert!(n > 0, "{} is empty", csv.display());
}

#[test]
fn a_run_and_a_comparison_export_to_parquet_with_the_same_values() {
    let dir = tmp("export");
    let run = dir.join("run");
    let r = run.to_str().unwrap();
    ok(&[&["run", "market", "--out", r, "--no-plots"][..], &SMALL].concat());
    ok(&["export", r, "--quiet"]);
    let manifest = std::fs::read_to_string(run.join("manifest.json")).expect("manifest");
    let pq = run.join("parquet");
    let m = Some(manifest.as_str());
    same_as_csv(
        &run.join("metrics.csv"),
        &pq.join("metrics.parquet"),
        &[("run_id", "INT64"), ("year", "INT64"), ("measure", "BYTE_ARRAY"), ("value", "DOUBLE")],
        m,
    );
    same_as_csv(&run.join("runs.csv"), &pq.join("runs.parquet"), &[("seed", "INT64"), ("scenario", "BYTE_ARRAY")], m);
    same_as_csv(
        &run.join("schools.csv"),
        &pq.join("schools.parquet"),
        &[("school", "INT64"), ("effectiveness", "DOUBLE")],
        m,
    );
    // Every CSV file has its Parquet file, and nothing unfinished is left.
    for e in std::fs::read_dir(&run).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "csv") {
            assert!(pq.join(p.file_name().unwrap()).with_extension("parquet").is_file(), "{}", p.display());
        }
    }
    assert!(std::fs::read_dir(&pq).unwrap().flatten().all(|e| !e.path().to_string_lossy().ends_with(".partial")));

    // A comparison: its scenarios' folders keep their layout under --out.
    let cmp = dir.join("cmp");
    let c = cmp.to_str().unwrap();
    ok(&[&["compare", "market", "catchment", "--out", c, "--no-plots"][..], &SMALL].concat());
    let out = dir.join("cmp-parquet");
    ok(&["export", c, "--out", out.to_str().unwrap(), "--quiet"]);
    let sub = std::fs::read_to_string(cmp.join("catchment/manifest.json")).expect("scenario manifest");
    same_as_csv(
        &cmp.join("catchment/metrics.csv"),
        &out.join("catchment/metrics.parquet"),
        &[("value", "DOUBLE")],
        Some(&sub),
    );
    let top = std::fs::read_to_string(cmp.join("compare.json")).expect("compare.json");
    same_as_csv(&cmp.join("differences.csv"), &out.join("differences.parquet"), &[], Some(&top));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn export_refuses_what_is_not_an_output_directory() {
    let dir = tmp("export-bad");
    let o = bin().args(["export", dir.join("nowhere").to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("is not a directory"), "{}", stderr(&o));
    let o = bin().args(["export", dir.to_str().unwrap()]).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("holds no CSV files"), "{}", stderr(&o));
    // A file that is not CSV: named, with the line, and nothing left under the final name.
    std::fs::write(dir.join("bad.csv"), "a,b\n1,2\n3\n").unwrap();
    let o = bin().args(["export", dir.to_str().unwrap()]).output().unwrap();
    assert_ne!(o.status.code(), Some(0));
    assert!(stderr(&o).contains("bad.csv") && stderr(&o).contains("line 3"), "{}", stderr(&o));
    assert!(!dir.join("parquet/bad.parquet").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// A full disk while writing (a file-size limit, its signal ignored) fails
/// the export naming the file, and leaves no unfinished file behind.
#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_fails_the_export_and_leaves_nothing_unfinished() {
    let dir = tmp("export-full");
    let run = dir.join("run");
    let r = run.to_str().unwrap();
    ok(&[&["run", "market", "--out", r, "--no-plots"][..], &SMALL].concat());
    let cmd = format!("trap '' XFSZ; ulimit -f 16; exec '{}' export '{r}'", env!("CARGO_BIN_EXE_schoolscape"));
    let o = std::process::Command::new("bash").arg("-c").arg(cmd).output().unwrap();
    assert!(!o.status.success(), "an export over the size limit must fail");
    assert!(stderr(&o).contains(".parquet.partial"), "{}", stderr(&o));
    let left: Vec<_> = std::fs::read_dir(run.join("parquet"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(left.is_empty(), "unfinished files left: {left:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
