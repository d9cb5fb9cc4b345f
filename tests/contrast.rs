//! `schoolscape contrast` through the binary, at a tiny size: the pairing
//! (a scenario against an identical copy differs by exactly zero at every
//! setting, run for run), shards merged give the one-go tables, and bad
//! contrast input gets located errors like scenario files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_schoolscape");

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("schoolscape-contrast-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn schoolscape(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().unwrap()
}

fn ok(args: &[&str]) -> String {
    let o = schoolscape(args);
    assert!(o.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn text(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

const SMALL: [&str; 8] = ["--settings", "5", "--replicates", "2", "--years", "2", "--scale", "0.2"];

#[test]
fn a_scenario_against_an_identical_copy_differs_by_exactly_zero_run_for_run() {
    let d = scratch("twin");
    let twin = d.join("twin.toml");
    std::fs::write(&twin, "extends = \"market\"\nname = \"market-twin\"\n").unwrap();
    // `extends` resolves a bundled name only through the loader's search; use the file path.
    let market = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/market.toml");
    std::fs::write(&twin, format!("extends = {:?}\nname = \"market-twin\"\n", s(&market))).unwrap();
    let out = d.join("out");
    let args = [
        &["contrast", "market", s(&twin), "--out", s(&out), "--no-plots", "-q"][..],
        &SMALL[..],
        &["--param", "admissions.cream_skimming", "--param", "learning.peer_effect=0:0.1"][..],
    ]
    .concat();
    ok(&args);
    // The plan pairs the arms: at each setting and replicate, the same seed and values.
    let plan = text(&out.join("plan.csv"));
    let mut lines = plan.lines();
    assert_eq!(
        lines.next().unwrap(),
        // A range given on the command line comes first, then those sampled over their plausible ranges.
        "run_id,point,replicate,seed,setting,scenario,learning.peer_effect,admissions.cream_skimming"
    );
    let rows: Vec<Vec<String>> = lines.map(|l| l.split(',').map(str::to_string).collect()).collect();
    assert_eq!(rows.len(), 5 * 2 * 2);
    for r in &rows {
        let twin = rows.iter().find(|q| q[4] == r[4] && q[2] == r[2] && q[5] != r[5]).unwrap();
        assert_eq!((&twin[3], &twin[6..]), (&r[3], &r[6..]), "run {} and its twin {}", r[0], twin[0]);
    }
    // Every metric of every run equals its twin's: the pairing cancels all luck.
    let metrics = text(&out.join("metrics.csv"));
    let mut by_run: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for l in metrics.lines().skip(1) {
        let (run, rest) = l.split_once(',').unwrap();
        by_run.entry(run.to_string()).or_default().push(rest.to_string());
    }
    for r in &rows {
        let twin = rows.iter().find(|q| q[4] == r[4] && q[2] == r[2] && q[5] != r[5]).unwrap();
        assert_eq!(by_run[&r[0]], by_run[&twin[0]], "runs {} and {}", r[0], twin[0]);
    }
    // So every advantage is exactly zero, and neither side wins anywhere.
    let settings = text(&out.join("contrast_settings.csv"));
    for l in settings.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f[3].parse::<f64>().unwrap(), 0.0, "{l}");
        assert_eq!(f[7], "", "{l}");
    }
    let table = text(&out.join("contrast.csv"));
    for l in table.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!((f[6], f[7], f[11], f[12]), ("0", "0", "0", "0"), "{l}");
    }
    let m: serde_json::Value = serde_json::from_str(&text(&out.join("sweep.json"))).unwrap();
    assert_eq!(m["settings"]["contrast"]["scenarios"], serde_json::json!(["market", "market-twin"]));
    let p = &m["contrast"]["parameters"];
    assert_eq!(
        (p[0]["parameter"].as_str(), p[1]["parameter"].as_str()),
        (Some("learning.peer_effect"), Some("admissions.cream_skimming"))
    );
    assert!(p[0]["sampled_min"].as_f64().unwrap() >= 0.0 && p[0]["sampled_max"].as_f64().unwrap() <= 0.1, "{p}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn shards_merged_give_the_tables_of_one_go_and_plot_draws_the_contrast() {
    let d = scratch("shards");
    let base =
        [&SMALL[..], &["--param", "admissions.cream_skimming", "--param", "policies.pairing.weak_gain_rate"][..]]
            .concat();
    let one = d.join("one");
    let out = ok(&[&["contrast", "market", "market-collaborative", "--out", s(&one)][..], &base[..]].concat());
    assert!(out.contains("market against market-collaborative"), "{out}");
    assert!(one.join("report.html").is_file() && one.join("charts/contrast-gap_index.svg").is_file());
    let report = text(&one.join("report.html"));
    assert!(report.contains("Who comes out better"), "no contrast section");
    // The assumptions: each sampled parameter with its basis and sampled range, and what
    // the collaborative scenario switches on that market does not.
    let assumed = &report[report.find("id=\"assumptions\"").expect("no assumptions section")..];
    let assumed = &assumed[..assumed.find("</table>").unwrap_or(assumed.len())];
    for p in ["admissions.cream_skimming", "policies.pairing.weak_gain_rate"] {
        let row =
            assumed.split("<tr>").find(|r| r.contains(&format!("<code>{p}</code>"))).unwrap_or_else(|| panic!("{p}"));
        assert!(row.contains("sampled") && (row.contains("illustrative") || row.contains("evidence")), "{row}");
    }
    assert!(assumed.contains("policies.pairing.enabled"), "{assumed}");
    assert!(report.contains("Validation against published results"));
    let mut shards = Vec::new();
    for k in 1..=2 {
        let p = d.join(format!("shard-{k}"));
        let shard = format!("{k}/2");
        ok(&[&["contrast", "market", "market-collaborative", "--out", s(&p), "--shard", &shard, "-q"][..], &base[..]]
            .concat());
        assert!(!p.join("contrast.csv").exists(), "a shard has no tables");
        shards.push(p);
    }
    let merged = d.join("merged");
    ok(&["merge", s(&shards[0]), s(&shards[1]), "--out", s(&merged), "-q"]);
    ok(&["plot", s(&merged)]);
    let m: serde_json::Value = serde_json::from_str(&text(&merged.join("sweep.json"))).unwrap();
    assert_eq!((m["status"].as_str(), m["shard"].as_str()), (Some("complete"), Some("1/1")), "{m}");
    assert_eq!(m["merged_from"].as_array().map(Vec::len), Some(2), "{m}");
    assert!(m["version"].is_string() && m["settings"]["contrast"]["scenarios"].is_array(), "{m}");
    for f in ["contrast.csv", "contrast_settings.csv", "contrast_sensitivity.csv"] {
        assert_eq!(text(&merged.join(f)), text(&one.join(f)), "{f}");
    }
    std::fs::remove_dir_all(&d).unwrap();
}

/// Run with bad input (at a tiny size, in case it is wrongly accepted) and return the error.
fn error_of(args: &[&str]) -> String {
    let tiny: &[&str] =
        if args[0] == "contrast" { &["--settings", "2", "--years", "1", "--scale", "0.1"] } else { &[] };
    let o = schoolscape(&[args, tiny].concat());
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_contrast_input_is_named_and_located() {
    let d = scratch("bad");
    let out = d.join("out");
    let o = s(&out);
    let e = error_of(&["contrast", "market", "no-such-scenario", "--out", o]);
    assert!(e.contains("`B`") && e.contains("no-such-scenario") && e.contains("collaborative"), "{e}");
    let e = error_of(&["contrast", "market", "collaborative", "--out", o, "--param", "learning.peer_efect"]);
    assert!(e.contains("`--param learning.peer_efect`") && e.contains("plausible range"), "{e}");
    let e = error_of(&["contrast", "market", "collaborative", "--out", o, "--param", "learning.peer_efect=0:1"]);
    assert!(e.contains("`--param learning.peer_efect`: no parameter"), "{e}");
    let e = error_of(&["contrast", "market", "collaborative", "--out", o, "--param", "learning.peer_effect=0:x"]);
    assert!(e.contains("is not a range") && e.contains("LOW:HIGH"), "{e}");
    let e = error_of(&["contrast", "market", "collaborative", "--out", o, "--param", "admissions.cream_skimming=0:2"]);
    assert!(e.contains("`--param admissions.cream_skimming`") && e.contains("an end of the range"), "{e}");
    let o1 = ["contrast", "market", "collaborative", "--out", o, "--replicates", "1"];
    let e = error_of(&o1);
    assert!(e.contains("`--replicates`") && e.contains("paired interval"), "{e}");
    let e = error_of(&["contrast", "market", "market", "--out", o]);
    assert!(e.contains("both scenarios are named `market`"), "{e}");
    // A contrast file: errors name its file, line and column.
    let f = d.join("c.toml");
    std::fs::write(&f, "base = \"market\"\ncontrast = \"collaborative\"\nreplicates = 1\n").unwrap();
    let e = error_of(&["sweep", s(&f), "--out", o]);
    assert!(e.contains(&format!("{}:3:1: `replicates`", s(&f))), "{e}");
    std::fs::write(
        &f,
        "base = \"market\"\ncontrast = \"collaborative\"\nreplicates = 2\nyears = 1\nscale = 0.1\n\
         [lhs]\nsamples = 4\nparameters = [\"market.closures\"]\n",
    )
    .unwrap();
    let e = error_of(&["sweep", s(&f), "--out", o]);
    assert!(e.contains(&format!("{}:8:1: `market.closures`: has no documented plausible range", s(&f))), "{e}");
    std::fs::write(&f, "base = \"market\"\ncontrast = \"collaborative\"\ncontrastt = 1\n").unwrap();
    let e = error_of(&["sweep", s(&f), "--out", o]);
    assert!(e.contains(&format!("{}:3:1", s(&f))) && e.contains("contrastt"), "{e}");
    // A bad scenario B: located in its own file, as `check` would.
    let b = d.join("b.toml");
    std::fs::write(&b, "name = \"b\"\n[market]\ncompetitive_presure = 0.1\n").unwrap();
    let e = error_of(&["contrast", "market", s(&b), "--out", o]);
    assert!(e.contains(&format!("{}:3:1", s(&b))) && e.contains("competitive_presure"), "{e}");
    assert!(!out.exists(), "nothing is written on bad input");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn too_few_settings_for_the_regression_are_said_plainly() {
    let d = scratch("few");
    let out = d.join("few");
    // 5 settings of every default parameter (more than 5): no rank regression can be fitted.
    ok(&[&["contrast", "market", "market-collaborative", "--out", s(&out), "-q"][..], &SMALL[..]].concat());
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("the rank regression needs more settings than sampled parameters (5 settings"),
        "no reason given"
    );
    std::fs::remove_dir_all(&d).unwrap();
}
