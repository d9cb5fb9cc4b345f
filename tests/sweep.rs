//! Sweeps through the binary, at a tiny size: the same bytes whether run in
//! one go, as shards merged, or interrupted (a crash half-way through
//! recording a run, or a kill) and resumed; merge refuses missing or
//! duplicated runs; bad sweep files get located errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_schoolscape");

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("schoolscape-sweep-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// 8 points × 2 replicates = 16 runs of 2 years on a small region.
const TINY: &str = r#"
base = "market"
replicates = 2
years = 2
seed = 11
scale = 0.2

[grid]
"admissions.cream_skimming" = [0.0, 0.5]
"families.disadvantaged.information" = [0.3, 0.8]
"choice.list_length" = [2, 4]
"#;

fn write_sweep(dir: &Path, text: &str) -> PathBuf {
    let p = dir.join("sweep.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn schoolscape(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn ok(args: &[&str]) {
    let o = schoolscape(args);
    assert!(o.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A file's lines, sorted (the results "after sorting by run id").
fn sorted_lines(p: &Path) -> Vec<String> {
    let text = String::from_utf8(read(p)).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    lines.sort();
    lines
}

fn done_ids(dir: &Path) -> Vec<u64> {
    let text = String::from_utf8(read(&dir.join("done.csv"))).unwrap();
    // Complete lines only: a torn last line has no newline.
    text.split_inclusive('\n')
        .skip(1)
        .filter(|l| l.ends_with('\n'))
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect()
}

fn merged(sources: &[&Path], out: &Path) -> (Vec<u8>, Vec<u8>) {
    let mut args = vec!["merge", "-q"];
    args.extend(sources.iter().map(|p| s(p)));
    args.extend(["--out", s(out)]);
    ok(&args);
    (read(&out.join("metrics.csv")), read(&out.join("done.csv")))
}

#[test]
fn one_go_shards_and_crash_resume_give_the_same_bytes() {
    let d = scratch("same-bytes");
    let sweep = write_sweep(&d, TINY);
    let (one, a, b, c) = (d.join("one"), d.join("shard1"), d.join("shard2"), d.join("crashed"));

    ok(&["sweep", s(&sweep), "--out", s(&one), "-q"]);
    let plan = String::from_utf8(read(&one.join("plan.csv"))).unwrap();
    assert_eq!(plan.lines().count(), 17, "{plan}");
    assert!(
        plan.starts_with(
            "run_id,point,replicate,seed,admissions.cream_skimming,families.disadvantaged.information,choice.list_length\n"
        ),
        "{plan}"
    );
    // Parameters live in the plan only: the metrics rows carry the run id.
    assert!(String::from_utf8(read(&one.join("metrics.csv"))).unwrap().starts_with("run_id,year,measure"));

    // Two shards, on different numbers of threads.
    ok(&["sweep", s(&sweep), "--out", s(&a), "--shard", "1/2", "--threads", "1", "-q"]);
    ok(&["sweep", s(&sweep), "--out", s(&b), "--shard", "2/2", "--threads", "2", "-q"]);
    assert!(done_ids(&a).iter().all(|r| r % 2 == 0) && done_ids(&a).len() == 8);

    // A crash half-way through recording the sixth run, then resume.
    let o = Command::new(BIN)
        .args(["sweep", s(&sweep), "--out", s(&c), "-q"])
        .env("SCHOOLSCAPE_TEST_CRASH_AFTER", "5")
        .output()
        .unwrap();
    assert!(!o.status.success(), "the crash hook did not fire");
    let done_text = String::from_utf8(read(&c.join("done.csv"))).unwrap();
    assert!(!done_text.ends_with('\n'), "expected a torn last line: {done_text:?}");
    assert_eq!(done_ids(&c).len(), 5, "{done_text}");
    let last_end: u64 = done_text.lines().nth(5).unwrap().split(',').nth(1).unwrap().parse().unwrap();
    assert!(std::fs::metadata(c.join("metrics.csv")).unwrap().len() > last_end, "expected a partial block");
    // Without --resume the directory is refused, untouched.
    let o = schoolscape(&["sweep", s(&sweep), "--out", s(&c), "-q"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--resume"));
    ok(&["sweep", s(&sweep), "--out", s(&c), "--resume", "-q"]);
    let mut ids = done_ids(&c);
    ids.sort_unstable();
    assert_eq!(ids, (0..16).collect::<Vec<_>>(), "each run recorded exactly once");
    // Resuming a finished sweep runs nothing and changes nothing.
    let before = read(&c.join("metrics.csv"));
    ok(&["sweep", s(&sweep), "--out", s(&c), "--resume", "-q"]);
    assert_eq!(read(&c.join("metrics.csv")), before);

    let reference = merged(&[&one], &d.join("m-one"));
    assert_eq!(merged(&[&a, &b], &d.join("m-shards")), reference, "shards merged differ from one go");
    assert_eq!(merged(&[&c], &d.join("m-crashed")), reference, "crashed and resumed differs from one go");
    // And the raw files, sorted, agree too.
    assert_eq!(sorted_lines(&c.join("metrics.csv")), sorted_lines(&one.join("metrics.csv")));

    // The summary reads the merged result.
    ok(&["sweep-summary", s(&d.join("m-shards")), "-q"]);
    let sens = String::from_utf8(read(&d.join("m-shards/sensitivity.csv"))).unwrap();
    assert!(sens.starts_with("measure,subgroup,parameter,srrc,r_squared,runs\n"));
    assert!(sens.contains("school_gorard,disadvantaged,admissions.cream_skimming,"), "{sens}");
    let fin = String::from_utf8(read(&d.join("m-shards/final_year.csv"))).unwrap();
    assert!(fin.lines().any(|l| l.starts_with("7,school_gorard,disadvantaged,2,")), "{fin}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn killed_sweep_resumes_to_the_same_bytes() {
    let d = scratch("killed");
    // 128 runs of 12 years: about a second on one thread, so that the kill
    // lands after the first commit (twice a second) and before the end.
    let text = TINY.replace("years = 2", "years = 12").replace("replicates = 2", "replicates = 16");
    let sweep = write_sweep(&d, &text);
    let (one, k) = (d.join("one"), d.join("killed"));
    let mut child =
        Command::new(BIN).args(["sweep", s(&sweep), "--out", s(&k), "--threads", "1", "-q"]).spawn().unwrap();
    // Kill it outright once a few runs are recorded.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        let n = std::fs::read_to_string(k.join("done.csv")).map(|t| t.lines().count()).unwrap_or(0);
        if n >= 2 || child.try_wait().unwrap().is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let _ = child.kill();
    let _ = child.wait();
    let before = done_ids(&k).len();
    let killed = String::from_utf8(read(&k.join("sweep.json"))).unwrap().contains("\"status\": \"running\"");
    if killed {
        assert!(before < 128, "killed, yet every run is recorded");
    }
    eprintln!("killed after {before} of 128 runs were recorded (killed while running: {killed})");
    ok(&["sweep", s(&sweep), "--out", s(&k), "--resume", "-q"]);
    ok(&["sweep", s(&sweep), "--out", s(&one), "-q"]);
    let mut ids = done_ids(&k);
    ids.sort_unstable();
    assert_eq!(ids, (0..128).collect::<Vec<_>>());
    assert_eq!(merged(&[&k], &d.join("m-killed")), merged(&[&one], &d.join("m-one")));
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn merge_refuses_missing_and_duplicated_runs() {
    let d = scratch("merge-refuses");
    let sweep = write_sweep(&d, TINY);
    let (a, b) = (d.join("a"), d.join("b"));
    ok(&["sweep", s(&sweep), "--out", s(&a), "--shard", "1/2", "-q"]);
    ok(&["sweep", s(&sweep), "--out", s(&b), "--shard", "2/2", "-q"]);

    let o = schoolscape(&["merge", s(&a), "--out", s(&d.join("m1"))]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("8 of 16 planned runs are missing (run ids 1, 3, 5, 7, 9, 11, 13, 15)"), "{e}");
    assert!(!d.join("m1/metrics.csv").exists(), "nothing is written when a merge is refused");

    let o = schoolscape(&["merge", s(&a), s(&b), s(&a), "--out", s(&d.join("m2"))]);
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("8 runs are present more than once (run ids 0, 2, 4, 6, 8, 10, 12, 14"), "{e}");

    // A shard of a different sweep is refused too.
    let other = write_sweep(&scratch("merge-other"), &TINY.replace("seed = 11", "seed = 12"));
    let c = d.join("c");
    ok(&["sweep", s(&other), "--out", s(&c), "--shard", "2/2", "-q"]);
    let o = schoolscape(&["merge", s(&a), s(&c), "--out", s(&d.join("m3"))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("different sweep"));

    // And resuming with a changed sweep file.
    let changed = write_sweep(&scratch("merge-changed"), &TINY.replace("years = 2", "years = 3"));
    let o = schoolscape(&["sweep", s(&changed), "--out", s(&a), "--shard", "1/2", "--resume"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("years was 2 and is now 3"), "{:?}", o);
    let _ = std::fs::remove_dir_all(&d);
}

/// Run a sweep file and return the error it gets.
fn sweep_error(dir: &Path, text: &str) -> String {
    let sweep = write_sweep(dir, text);
    let o = schoolscape(&["sweep", s(&sweep), "--out", s(&dir.join("out")), "-q"]);
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    assert!(!dir.join("out/metrics.csv").exists(), "nothing runs after a bad sweep file");
    String::from_utf8(o.stderr).unwrap()
}

#[test]
fn bad_sweep_files_get_located_errors() {
    let d = scratch("bad-files");
    let f = s(&d.join("sweep.toml")).to_string();
    let e = sweep_error(&d, "base = \"market\"\n[grid]\n\"admissions.cream_skiming\" = [0.1]\n");
    assert!(e.starts_with(&format!("error: {f}:3:1: `admissions.cream_skiming`: no parameter")), "{e}");
    assert!(e.contains("admissions.cream_skimming"), "{e}");

    let e = sweep_error(&d, "base = \"market\"\nreplicate = 2\n[grid]\n\"admissions.cream_skimming\" = [0.1]\n");
    assert!(e.starts_with(&format!("error: {f}:2:1:")), "{e}");

    let e = sweep_error(
        &d,
        "base = \"market\"\n[lhs]\nsamples = 10\n[lhs.ranges]\n\"admissions.cream_skimming\" = { min = 0.4, max = 0.1 }\n",
    );
    assert!(e.starts_with(&format!("error: {f}:5:1: `admissions.cream_skimming`: an empty range")), "{e}");

    let e = sweep_error(&d, "base = \"markt\"\n[grid]\n\"admissions.cream_skimming\" = [0.1]\n");
    assert!(e.starts_with(&format!("error: {f}:1:1: `base`")) && e.contains("market"), "{e}");

    std::fs::write(d.join("design.csv"), "admissions.cream_skimming\n0.1\n0.2\n").unwrap();
    let e = sweep_error(
        &d,
        "base = \"market\"\n[table]\nfile = \"design.csv\"\ncolumns = [\"admissions.cream_skimming\", \"choice.list_length\"]\n",
    );
    assert!(e.starts_with(&format!("error: {f}:4:")) && e.contains("has no column `choice.list_length`"), "{e}");

    std::fs::write(d.join("design.csv"), "admissions.cream_skimming,choice.list_length\n0.1,3\n0.2,x\n").unwrap();
    let e = sweep_error(&d, "base = \"market\"\n[table]\nfile = \"design.csv\"\n");
    let csv = s(&d.join("design.csv")).to_string();
    assert!(e.starts_with(&format!("error: {csv}:3:27: `choice.list_length`")), "{e}");
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn slurm_writes_an_array_and_a_dependent_merge() {
    let d = scratch("slurm");
    let sweep = write_sweep(&d, TINY);
    std::fs::write(d.join("modules.sh"), "module load gcc/13\n").unwrap();
    let o = Command::new(BIN)
        .current_dir(&d)
        .args([
            "slurm",
            "sweep.toml",
            "--out",
            "cluster",
            "--tasks",
            "3",
            "--cpus",
            "2",
            "--time",
            "0:10:00",
            "--mem",
            "2G",
            "--account",
            "proj42",
            "--partition",
            "short",
            "--qos",
            "normal",
            "--sbatch",
            "--constraint=haswell",
            "--prelude",
            "modules.sh",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{o:?}");
    assert!(String::from_utf8_lossy(&o.stdout).contains("submit.sh"));
    let array = String::from_utf8(read(&d.join("cluster/sweep.sbatch"))).unwrap();
    for want in [
        "#SBATCH --array=1-3",
        "#SBATCH --cpus-per-task=2",
        "#SBATCH --time=0:10:00",
        "#SBATCH --mem=2G",
        "#SBATCH --account=proj42",
        "#SBATCH --partition=short",
        "#SBATCH --qos=normal",
        "#SBATCH --constraint=haswell",
        "#SBATCH --output=cluster/logs/shard-%a.out",
        "module load gcc/13",
        "RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK",
        "sweep sweep.toml --out cluster/shard-$K --shard $K/3",
        "--resume",
        "K=$SLURM_ARRAY_TASK_ID\n",
    ] {
        assert!(array.contains(want), "{want} not in\n{array}");
    }
    // Progress goes to the logs; no path of this machine is baked in.
    assert!(!array.contains("--quiet"), "{array}");
    let merge = String::from_utf8(read(&d.join("cluster/merge.sbatch"))).unwrap();
    assert!(merge.contains("merge \"${shards[@]}\""), "{merge}");
    assert!(merge.contains("#SBATCH --time=1:00:00") && merge.contains("module load gcc/13"), "{merge}");
    // After the summary, the charts; a failure to draw them does not fail the job.
    let summary = merge.find("sweep-summary").unwrap();
    let plot = merge.find("\" plot ").unwrap_or_else(|| panic!("no plot in\n{merge}"));
    assert!(summary < plot && merge[plot..].contains("|| echo"), "{merge}");
    let submit = String::from_utf8(read(&d.join("cluster/submit.sh"))).unwrap();
    assert!(submit.contains("--dependency=afterok:$array"), "{submit}");
    assert!(
        submit.contains("root=$(cd \"$here\"/../.. && pwd)") || submit.contains("root=$(cd \"$here\"/.. && pwd)"),
        "{submit}"
    );
    let here = d.to_str().unwrap();
    for (name, text) in [("sweep.sbatch", &array), ("merge.sbatch", &merge), ("submit.sh", &submit)] {
        assert!(!text.contains(here), "{name} names {here}:\n{text}");
    }
    for (flag, bad) in [("--mem", "lots"), ("--time", "2h"), ("--merge-time", "1:2:3:4"), ("--sbatch", "constraint")] {
        let o = schoolscape(&["slurm", s(&sweep), "--out", s(&d.join("c3")), "--tasks", "2", flag, bad]);
        assert_eq!(o.status.code(), Some(2), "{flag} {bad} accepted");
        assert!(String::from_utf8_lossy(&o.stderr).contains(flag), "{o:?}");
        assert!(!d.join("c3").exists(), "{flag} {bad}: something was written");
    }
    let o = schoolscape(&["slurm", s(&sweep), "--out", s(&d.join("c2")), "--tasks", "17"]);
    assert_eq!(o.status.code(), Some(2), "more tasks than runs");
    let _ = std::fs::remove_dir_all(&d);
}
