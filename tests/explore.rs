//! `schoolscape explore` through its HTTP interface: the same measures as
//! `run`, refusal of other origins and oversized runs, independent sessions,
//! A/B with common random numbers, a clean stop on Ctrl-C.
//! (The page itself is driven in a real browser by `.ci/explore-check`.)

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};

use common::*;
use serde_json::{Value, json};

struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn server(args: &[&str]) -> Server {
    let mut child = bin()
        .args(["explore", "--no-open"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start explore");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url =
        line.split_whitespace().find(|w| w.starts_with("http://")).unwrap_or_else(|| panic!("no address in {line:?}"));
    let port = url.trim_end_matches('/').rsplit(':').next().unwrap().parse().unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    Server { child, port }
}

/// One request; returns status and body. `headers` replace the defaults.
fn request(port: u16, method: &str, path: &str, body: Option<&Value>, headers: &[(&str, String)]) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut head = format!("{method} {path} HTTP/1.1\r\n");
    let mut hs: Vec<(&str, String)> = vec![("Host", format!("127.0.0.1:{port}"))];
    for (k, v) in headers {
        hs.retain(|(h, _)| h != k);
        hs.push((k, v.clone()));
    }
    for (k, v) in hs {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").expect("response head");
    let status = std::str::from_utf8(&out[9..12]).unwrap().parse().unwrap();
    (status, out[split + 4..].to_vec())
}

fn get(port: u16, path: &str) -> (u16, Value) {
    let (st, b) = request(port, "GET", path, None, &[]);
    (st, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

fn post(port: u16, path: &str, body: &Value) -> (u16, Value) {
    let (st, b) = request(port, "POST", path, Some(body), &[("Origin", format!("http://127.0.0.1:{port}"))]);
    (st, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

fn frame(port: u16, id: u64) -> Value {
    frame_text(port, id).0
}

/// A frame, and its text (to read numbers exactly: serde_json's default
/// float parsing may differ from Rust's in the last digit).
fn frame_text(port: u16, id: u64) -> (Value, String) {
    loop {
        let (st, b) = request(port, "GET", &format!("/api/frame?id={id}"), None, &[]);
        let v: Value = serde_json::from_slice(&b).unwrap_or(Value::Null);
        assert_eq!(st, 200, "{v}");
        if v.get("wait").is_none() {
            return (v, String::from_utf8(b).unwrap());
        }
    }
}

/// Every measure of run 0 (replicate 0) of a `run`, by year and `measure/subgroup`.
fn run_measures(args: &[&str]) -> BTreeMap<(u32, String), Option<f64>> {
    let dir = tmp(&format!("explore-run-{}", args.join("-").replace(['/', '='], "_")));
    let mut a = vec!["run", "--out", "o", "-q", "--no-plots", "--replicates", "1"];
    a.extend(args);
    let o = run_in(&dir, &a);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.join("o/metrics.csv")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|r| r[0] == "0")
        .map(|r| ((r[1].parse().unwrap(), format!("{}/{}", r[2], r[3])), r[4].parse().ok()))
        .collect()
}

/// The measures of arm `arm` in a frame's text, numbers parsed by Rust.
fn frame_measures(f: &Value, text: &str, arm: usize) -> BTreeMap<(u32, String), Option<f64>> {
    let year = f["year"].as_u64().unwrap() as u32;
    let start = text.match_indices("\"m\":{").nth(arm).expect("measures").0 + 5;
    let body = &text[start..start + text[start..].find('}').unwrap()];
    body.split(",\"")
        .map(|kv| {
            let (k, v) = kv.rsplit_once(':').unwrap();
            ((year, k.trim_matches('"').to_string()), v.parse().ok())
        })
        .collect()
}

#[test]
fn explorer_years_equal_run_and_ab_uses_common_random_numbers() {
    let srv = server(&["market", "--scale", "0.2"]);
    let port = srv.port;
    let (st, info) = get(port, "/api/info");
    assert_eq!(st, 200);
    assert!(info["scenarios"].as_array().unwrap().iter().any(|s| s["name"] == "catchment"));
    assert!(info["controls"].as_array().unwrap().len() >= 20);
    assert_eq!(info["defaults"]["scenario"], "market");
    let (st, page) = request(port, "GET", "/", None, &[]);
    assert_eq!(st, 200);
    assert!(String::from_utf8_lossy(&page).contains("app.js"));

    let start = json!({"scenario": "market", "seed": 11, "years": 3, "scale": 0.2,
        "a": ["admissions.cream_skimming=0.1"], "b": ["admissions.cream_skimming=0.1", "admissions.mechanism=catchment"]});
    let (st, s) = post(port, "/api/start", &start);
    assert_eq!(st, 200, "{s}");
    let id = s["id"].as_u64().unwrap();
    assert_eq!(s["arms"].as_array().unwrap().len(), 2);
    // Common random numbers: the same region for both arms.
    assert_eq!(s["arms"][0]["nbhd"], s["arms"][1]["nbhd"]);
    assert_eq!(s["arms"][0]["schools"]["x"], s["arms"][1]["schools"]["x"]);
    let command = s["exports"][0]["command"].as_str().unwrap();
    assert!(command.contains("--set 'admissions.cream_skimming=0.1'"), "{command}");

    let mut got = [BTreeMap::new(), BTreeMap::new()];
    for year in 1..=3 {
        let (f, text) = frame_text(port, id);
        assert_eq!(f["year"], year);
        let n = s["arms"][0]["schools"]["x"].as_array().unwrap().len();
        assert_eq!(f["arms"][0]["roll"].as_array().unwrap().len(), n);
        for (arm, g) in got.iter_mut().enumerate() {
            g.extend(frame_measures(&f, &text, arm));
        }
    }
    assert_eq!(frame(port, id)["done"], true);
    let base = ["--scale", "0.2", "--years", "3", "--seed", "11", "--set", "admissions.cream_skimming=0.1"];
    let mut args = vec!["market"];
    args.extend(base);
    let a = run_measures(&args);
    assert!(a.len() > 100, "{} measures", a.len());
    assert_eq!(got[0], a, "the explorer's arm A differs from `run`");
    args.extend(["--set", "admissions.mechanism=catchment"]);
    let b = run_measures(&args);
    assert_eq!(got[1], b, "the explorer's arm B differs from `run`");
    assert_ne!(got[0], got[1]);

    // The exported TOML reproduces the run.
    let dir = tmp("explore-export");
    std::fs::write(dir.join("a.toml"), s["exports"][0]["toml"].as_str().unwrap()).unwrap();
    let o = run_in(&dir, &["run", "a.toml", "--out", "o", "-q", "--no-plots"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.join("o/metrics.csv")).unwrap();
    assert_eq!(text.lines().filter(|l| l.starts_with("0,")).count(), a.len());
}

#[test]
fn sessions_are_independent_and_bad_requests_are_refused() {
    let srv = server(&["catchment", "--scale", "0.2"]);
    let port = srv.port;
    let start =
        |seed: u64| json!({"scenario": "catchment", "seed": seed, "years": 4, "scale": 0.2, "a": [], "b": null});
    let (_, s1) = post(port, "/api/start", &start(3));
    let (_, s2) = post(port, "/api/start", &start(3));
    let (_, s3) = post(port, "/api/start", &start(4));
    let (i1, i2, i3) = (s1["id"].as_u64().unwrap(), s2["id"].as_u64().unwrap(), s3["id"].as_u64().unwrap());
    assert!(i1 != i2);
    // Two tabs, interleaved: each gets its own years in order; the same seed gives the same years.
    let a1 = frame(port, i1);
    let b1 = frame(port, i2);
    let b2 = frame(port, i2);
    let a2 = frame(port, i1);
    assert_eq!((a1["year"].as_u64(), a2["year"].as_u64()), (Some(1), Some(2)));
    assert_eq!(a1, b1);
    assert_eq!(a2, b2);
    assert_ne!(frame(port, i3)["arms"][0]["m"], a1["arms"][0]["m"]);
    // A stopped run is gone.
    assert_eq!(post(port, &format!("/api/stop?id={i1}"), &json!({})).0, 200);
    assert_eq!(get(port, &format!("/api/frame?id={i1}")).0, 410);
    assert_eq!(frame(port, i2)["year"], 3);

    // Other origins and other host names are refused.
    let body = start(3);
    let evil = request(port, "POST", "/api/start", Some(&body), &[("Origin", "http://evil.example".into())]);
    assert_eq!(evil.0, 403);
    let rebind = request(port, "GET", "/api/info", None, &[("Host", format!("evil.example:{port}"))]);
    assert_eq!(rebind.0, 403);
    // Oversized runs and bad settings are refused, naming what is wrong.
    for (body, expected) in [
        (json!({"scenario": "catchment", "seed": 1, "years": 100000, "scale": 0.2, "a": [], "b": null}), "years"),
        (json!({"scenario": "catchment", "seed": 1, "years": 3, "scale": 50.0, "a": [], "b": null}), "scale"),
        (
            json!({"scenario": "catchment", "seed": 1, "years": 3, "scale": 1.0, "a": ["region.entrants_per_year=90000000"], "b": null}),
            "region.entrants_per_year",
        ),
        (
            json!({"scenario": "catchment", "seed": 1, "years": 3, "scale": 0.2, "a": ["admissions.cream_skimming=2"], "b": null}),
            "admissions.cream_skimming",
        ),
        (json!({"scenario": "/etc/passwd", "seed": 1, "years": 3, "scale": 0.2, "a": [], "b": null}), "no scenario"),
    ] {
        let (st, v) = post(port, "/api/start", &body);
        assert_eq!(st, 400, "{v}");
        assert!(v.to_string().contains(expected), "expected {expected:?} in {v}");
    }
    let huge = "x".repeat(100_000);
    let (st, _) = request(
        port,
        "POST",
        "/api/start",
        Some(&json!({"a": huge})),
        &[("Origin", format!("http://127.0.0.1:{port}"))],
    );
    assert_eq!(st, 413);
}

#[test]
fn ctrl_c_stops_the_server_cleanly_and_bad_options_stop_it_starting() {
    let mut srv = server(&["market", "--scale", "0.1"]);
    assert_eq!(get(srv.port, "/api/info").0, 200);
    let ok = std::process::Command::new("kill").args(["-INT", &srv.child.id().to_string()]).status().unwrap();
    assert!(ok.success());
    let status = srv.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    for (args, expected) in [
        (&["market", "--years", "1000"][..], "years"),
        (&["market", "--set", "choice.list_length=0"][..], "choice.list_length"),
        (&["nosuchscenario"][..], "no scenario file"),
    ] {
        let o = bin().args(["explore", "--no-open"]).args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(expected), "{args:?}: {}", stderr(&o));
    }
}

#[test]
fn apply_from_this_year_keeps_the_years_shown_and_equals_run_with_a_timeline() {
    let srv = server(&["market", "--scale", "0.2"]);
    let port = srv.port;
    let base = json!({"scenario": "market", "seed": 5, "years": 6, "scale": 0.2, "a": [], "b": null});
    let (st, s) = post(port, "/api/start", &base);
    assert_eq!(st, 200, "{s}");
    let id = s["id"].as_u64().unwrap();
    let mut before = BTreeMap::new();
    for _ in 1..=3 {
        let (f, text) = frame_text(port, id);
        before.extend(frame_measures(&f, &text, 0));
    }
    // From year 4, admissions by catchment: the page keeps years 1-3 and the server sends years 4-6.
    let mut changed = base.clone();
    changed["changes"] = json!([{"year": 4, "a": ["admissions.mechanism=catchment"], "b": null}]);
    let (st, s) = post(port, "/api/start", &changed);
    assert_eq!(st, 200, "{s}");
    assert_eq!(s["kept_years"], 3);
    let toml = s["exports"][0]["toml"].as_str().unwrap().to_string();
    assert!(toml.contains("[[timeline]]") && toml.contains("year = 4"), "{toml}");
    assert!(s["exports"][0]["command"].as_str().unwrap().contains("timeline"));
    let id = s["id"].as_u64().unwrap();
    let mut after = BTreeMap::new();
    for year in 4..=6 {
        let (f, text) = frame_text(port, id);
        assert_eq!(f["year"], year, "the server sends the years after those the page kept");
        after.extend(frame_measures(&f, &text, 0));
    }
    assert_eq!(frame(port, id)["done"], true);

    // `run` of the exported TOML gives the kept years and the changed ones.
    let dir = tmp("explore-apply-from");
    std::fs::write(dir.join("a.toml"), &toml).unwrap();
    let path = dir.join("a.toml").display().to_string();
    let run = run_measures(&[&path]);
    let (early, late): (BTreeMap<_, _>, BTreeMap<_, _>) = run.into_iter().partition(|((y, _), _)| *y <= 3);
    assert_eq!(early, before, "years before the change differ from the run shown");
    assert_eq!(late, after, "years from the change differ from `run` with the timeline");
    // Without the change, year 4 on differs (the change did something).
    let plain = run_measures(&["market", "--scale", "0.2", "--years", "6", "--seed", "5"]);
    let plain_late: BTreeMap<_, _> = plain.into_iter().filter(|((y, _), _)| *y > 3).collect();
    assert_ne!(plain_late, after);

    // A change that cannot happen mid-run is refused with the reason.
    let mut bad = base.clone();
    bad["changes"] = json!([{"year": 4, "a": ["region.schools=30"], "b": null}]);
    let (st, v) = post(port, "/api/start", &bad);
    assert_eq!(st, 400);
    assert!(v.to_string().contains("region"), "{v}");
}
