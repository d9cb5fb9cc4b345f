//! `schoolscape explore`: a live explorer in the browser.
//!
//! A small HTTP server on the loopback address (std's `TcpListener`, one
//! thread per connection, one request per connection) serves a page embedded
//! in the binary and runs the model natively: each start of a run is a
//! [`session`] stepping the library's `Simulation` year by year, exactly as
//! `run` does, and the page pulls one compact JSON frame per year.
//!
//! Safe by default: loopback only unless `--host` says otherwise; requests
//! whose `Host` or `Origin` is not this server are refused; requests are
//! small and bounded; what one request can start is limited (years, scale,
//! schools, entrants); each tab's runs are independent and a slow or closed
//! tab only holds its own session, which is ended when it goes idle.

pub mod controls;
mod http;
pub mod session;

use std::io::Write;
use std::net::{IpAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use clap::Args;
use schoolscape::scenario::RegionSource;
use schoolscape::{Error, Result, Scenario};
use serde::Serialize;
use serde_json::{Value, json};

use super::run::{apply_overrides, set_threads, stop_flag};
use super::{RunOptions, bundled, load_scenario};
use http::{Request, Response};
use session::{Arm, Message, Sessions};

/// Longest run one request can start, in years.
pub const MAX_YEARS: u32 = 100;
/// Largest scale factor one request can ask for.
pub const MAX_SCALE: f64 = 4.0;
/// Most schools one run may have (after scaling and settings).
pub const MAX_SCHOOLS: u32 = 10_000;
/// Most entrants a year one run may have (2.5 times England).
pub const MAX_ENTRANTS: u32 = 1_500_000;
/// Connections served at once; more are answered "busy".
const MAX_CONNECTIONS: usize = 64;
/// Most changes in one run ("apply from this year").
const MAX_CHANGES: usize = 100;

/// Options of `schoolscape explore`.
#[derive(Debug, Args, Clone)]
pub struct ExploreArgs {
    /// Scenario file, or the name of a bundled scenario, to start with (default: market).
    pub scenario: Option<String>,
    /// Address to listen on (default: the loopback address, reachable from this machine only).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// Port to listen on (default: a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Do not open a browser.
    #[arg(long)]
    pub no_open: bool,
    /// Simulated years to start with (at most 100).
    #[arg(long)]
    pub years: Option<u32>,
    /// Seed to start with.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Scale of the region to start with (at most 4).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Set a parameter by its dotted path to start with (repeatable), as in `run`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
}

/// What the server knows: the scenario given on the command line, defaults and sessions.
struct State {
    /// The name the page uses for the scenario given on the command line, and its file.
    given: Option<(String, String)>,
    defaults: Defaults,
    sessions: Sessions,
    allowed_hosts: Vec<String>,
    loopback: bool,
}

/// `schoolscape explore`.
pub fn explore(a: &ExploreArgs) -> Result<()> {
    // Everything is checked before the server starts.
    let arg = a.scenario.clone().unwrap_or_else(|| bundled::DEFAULT.to_string());
    let opts = RunOptions { years: a.years, seed: a.seed, scale: a.scale, set: a.set.clone(), ..Default::default() };
    let (path, base) = load_scenario(&arg)?;
    let s = apply_overrides(base.clone(), &opts)?;
    check_limits(&s, a.scale)?;
    set_threads(a.threads);
    let given = (!path.starts_with(bundled::DIR)).then(|| (base.name.clone(), arg.clone()));
    let name = if given.is_some() { base.name.clone() } else { arg.trim_end_matches(".toml").to_string() };
    let defaults = Defaults {
        scale: a.scale.unwrap_or(1.0),
        scenario: name,
        seed: s.run.seed,
        set: super::set::parse(&a.set)?.iter().map(|x| x.text()).collect(),
        years: s.run.years.min(MAX_YEARS),
    };

    let listener = TcpListener::bind((a.host, a.port)).map_err(|e| {
        Error::input(None, "--port", format!("cannot listen on {}:{}: {e}", a.host, a.port), "a free port")
    })?;
    let port = listener.local_addr().map_err(|e| Error::Io { path: "socket".into(), source: e })?.port();
    let mut allowed_hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")];
    allowed_hosts.push(match a.host {
        IpAddr::V6(h) => format!("[{h}]:{port}"),
        IpAddr::V4(h) => format!("{h}:{port}"),
    });
    let state = Arc::new(State {
        given,
        defaults,
        sessions: Sessions::default(),
        allowed_hosts,
        loopback: a.host.is_loopback(),
    });
    let shown = match a.host {
        IpAddr::V6(h) => format!("[{h}]"),
        IpAddr::V4(h) if h.is_unspecified() => "127.0.0.1".to_string(),
        IpAddr::V4(h) => h.to_string(),
    };
    let url = format!("http://{shown}:{port}/");
    super::out(&format!("schoolscape explore: {url}  (Ctrl-C stops)\n"));
    if !a.host.is_loopback() {
        eprintln!("warning: listening on {}, reachable from other machines", a.host);
    }
    if !a.no_open {
        open_browser(&url);
    }
    serve(listener, state)
}

/// Refuse runs larger than one request may start.
fn check_limits(s: &Scenario, scale: Option<f64>) -> Result<()> {
    let mut problems = Vec::new();
    let mut bad = |key: &str, msg: String, allowed: String| {
        problems.push(schoolscape::error::InputProblem {
            kind: Default::default(),
            location: None,
            key: key.into(),
            message: msg,
            allowed,
        })
    };
    if s.run.years > MAX_YEARS {
        bad("years", format!("{} years is more than the explorer runs", s.run.years), format!("1 to {MAX_YEARS}"));
    }
    if let Some(f) = scale {
        if !(f > 0.0 && f <= MAX_SCALE) {
            bad("scale", format!("{f} is out of range for the explorer"), format!("above 0, at most {MAX_SCALE}"));
        }
    }
    if s.region.schools > MAX_SCHOOLS {
        bad(
            "region.schools",
            format!("{} schools is more than the explorer runs", s.region.schools),
            format!("at most {MAX_SCHOOLS}"),
        );
    }
    if s.region.entrants_per_year > MAX_ENTRANTS {
        bad(
            "region.entrants_per_year",
            format!("{} entrants a year is more than the explorer runs", s.region.entrants_per_year),
            format!("at most {MAX_ENTRANTS}"),
        );
    }
    if problems.is_empty() { Ok(()) } else { Err(Error::Input(problems)) }
}

fn open_browser(url: &str) {
    for opener in ["xdg-open", "open"] {
        let child = std::process::Command::new(opener)
            .arg(url)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn();
        if let Ok(mut c) = child {
            std::thread::spawn(move || {
                let _ = c.wait();
            });
            return;
        }
    }
}

fn serve(listener: TcpListener, state: Arc<State>) -> Result<()> {
    listener.set_nonblocking(true).map_err(|e| Error::Io { path: "socket".into(), source: e })?;
    let stop = stop_flag();
    let active = Arc::new(AtomicUsize::new(0));
    let mut reaped = std::time::Instant::now();
    while !stop.load(Ordering::SeqCst) {
        if reaped.elapsed() > Duration::from_secs(5) {
            state.sessions.reap();
            reaped = std::time::Instant::now();
        }
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                if active.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
                    let mut stream = stream;
                    let _ = Response::json(503, &json!({"error": "busy"})).write(&mut stream);
                    continue;
                }
                active.fetch_add(1, Ordering::SeqCst);
                let (state, active) = (state.clone(), active.clone());
                std::thread::spawn(move || {
                    handle(stream, &state);
                    active.fetch_sub(1, Ordering::SeqCst);
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(20)),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
    let _ = std::io::stderr().write_all(b"schoolscape explore: stopped\n");
    Ok(())
}

fn handle(mut stream: TcpStream, state: &State) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let response = match http::read_request(&mut stream) {
        Ok(req) => route(&req, state),
        Err(status) => Response::json(status, &json!({"error": "bad request"})),
    };
    let _ = response.write(&mut stream);
    // Close gently: read what the client still sends (a refused body) so the
    // close does not reset the connection before it reads the answer.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut sink = [0u8; 8192];
    let mut left = 1usize << 20;
    while left > 0 {
        match std::io::Read::read(&mut stream, &mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => left = left.saturating_sub(n),
        }
    }
}

const INDEX: &str = include_str!("page/index.html");
const APP: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/style.css");

fn route(req: &Request, state: &State) -> Response {
    // Only this server's own pages may talk to it (no other site, no DNS rebinding).
    let host = req.header("host").unwrap_or("");
    if state.loopback && !state.allowed_hosts.iter().any(|h| h == host) {
        return Response::json(403, &json!({"error": "unknown host"}));
    }
    if let Some(origin) = req.header("origin") {
        if origin != format!("http://{host}") {
            return Response::json(403, &json!({"error": "other origins are refused"}));
        }
    }
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/") | ("GET", "/index.html") => Response::text(200, "text/html; charset=utf-8", INDEX),
        ("GET", "/app.js") => Response::text(200, "text/javascript; charset=utf-8", APP),
        ("GET", "/style.css") => Response::text(200, "text/css; charset=utf-8", STYLE),
        ("GET", "/api/info") => Response::json(200, &info(state)),
        ("GET", "/api/scenario") => scenario_values(req.query("name").unwrap_or(""), state),
        ("POST", "/api/start") => start(&req.body, state),
        ("GET", "/api/frame") => frame(req, state),
        ("POST", "/api/stop") => {
            if let Some(id) = req.query("id").and_then(|v| v.parse().ok()) {
                state.sessions.stop(id);
            }
            Response::json(200, &json!({"stopped": true}))
        }
        ("GET", _) | ("POST", _) => Response::json(404, &json!({"error": "not found"})),
        _ => Response::json(405, &json!({"error": "method not allowed"})),
    }
}

/// The scenarios the page may pick: the bundled ones and the one given.
fn scenario_names(state: &State) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = Vec::new();
    if let Some((name, file)) = &state.given {
        v.push((name.clone(), format!("{file} (given)")));
    }
    for (file, body) in bundled::FILES {
        let name = file.trim_end_matches(".toml");
        if name == "base" || name.starts_with("validation/") || name.starts_with("fragments/") {
            continue;
        }
        v.push((name.to_string(), bundled::description(body).to_string()));
    }
    v
}

// The JSON of the API's responses. Fields are in alphabetical order, the
// order the responses have always had.

/// What the page starts with (the scenario, seed, years, scale and settings
/// given on the command line).
#[derive(Serialize)]
struct Defaults {
    scale: f64,
    scenario: String,
    seed: u64,
    set: Vec<String>,
    years: u32,
}

/// `/api/info`: the scenarios, controls, defaults and limits.
#[derive(Serialize)]
struct Info<'a> {
    controls: Value,
    defaults: &'a Defaults,
    limits: Limits,
    scenarios: Vec<ScenarioName>,
    version: &'static str,
}

/// The largest run the page may start.
#[derive(Serialize)]
struct Limits {
    entrants: u32,
    scale: f64,
    schools: u32,
    years: u32,
}

/// A scenario the page lists.
#[derive(Serialize)]
struct ScenarioName {
    description: String,
    name: String,
}

/// Problems with a request, each with its key (and, when an arm of an A/B
/// run has them, which arm).
#[derive(Serialize)]
struct Problems {
    #[serde(skip_serializing_if = "Option::is_none")]
    arm: Option<&'static str>,
    problems: Vec<ProblemJson>,
}

/// One problem: the key, what is wrong, what is allowed, and the whole text.
#[derive(Serialize)]
struct ProblemJson {
    allowed: String,
    key: String,
    message: String,
    text: String,
}

impl Problems {
    /// One problem that is not about a key.
    fn of_text(message: String) -> Problems {
        Problems {
            arm: None,
            problems: vec![ProblemJson { allowed: String::new(), key: String::new(), text: message.clone(), message }],
        }
    }
}

/// `/api/scenario`: a scenario's value of every control.
#[derive(Serialize)]
struct ScenarioValues {
    description: String,
    name: String,
    seed: u64,
    values: serde_json::Map<String, Value>,
    years: u32,
}

/// How to rerun an arm from the command line: the command and the resolved scenario.
#[derive(Serialize)]
struct Export {
    command: String,
    toml: String,
}

fn info(state: &State) -> Info<'_> {
    Info {
        controls: controls::to_json(),
        defaults: &state.defaults,
        limits: Limits { entrants: MAX_ENTRANTS, scale: MAX_SCALE, schools: MAX_SCHOOLS, years: MAX_YEARS },
        scenarios: scenario_names(state)
            .into_iter()
            .map(|(name, description)| ScenarioName { description, name })
            .collect(),
        version: schoolscape::VERSION,
    }
}

/// Load a scenario the page names: only a bundled one or the one given.
fn load_named(name: &str, state: &State) -> Result<(String, Scenario)> {
    if let Some((given, file)) = &state.given {
        if name == given {
            return load_scenario(file).map(|(_, s)| (file.clone(), s));
        }
    }
    if !scenario_names(state).iter().any(|(n, _)| n == name) {
        return Err(Error::input(None, "scenario", format!("no scenario `{name}` here"), "a scenario in the list"));
    }
    load_scenario(name).map(|(_, s)| (name.to_string(), s))
}

fn problems_json(e: &Error) -> Problems {
    match e {
        Error::Input(p) => Problems {
            arm: None,
            problems: p
                .iter()
                .map(|x| ProblemJson {
                    allowed: x.allowed.clone(),
                    key: x.key.clone(),
                    message: x.message.clone(),
                    text: x.to_string(),
                })
                .collect(),
        },
        other => Problems::of_text(other.to_string()),
    }
}

/// The scenario's value of every control, and its description.
fn scenario_values(name: &str, state: &State) -> Response {
    match load_named(name, state) {
        Ok((_, s)) => {
            let t = schoolscape::sweep::params::table_of(&s);
            let values: serde_json::Map<String, Value> = controls::CONTROLS
                .iter()
                .filter_map(|c| {
                    let v = schoolscape::sweep::params::get(&t, c.path)?;
                    Some((c.path.to_string(), serde_json::to_value(v).ok()?))
                })
                .collect();
            let years = s.run.years.min(MAX_YEARS);
            Response::json(
                200,
                &ScenarioValues { description: s.description, name: s.name, seed: s.run.seed, values, years },
            )
        }
        Err(e) => Response::json(400, &problems_json(&e)),
    }
}

/// A run as the page asks for it.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StartRequest {
    scenario: String,
    seed: u64,
    years: u32,
    scale: f64,
    /// `PATH=VALUE` settings of A.
    a: Vec<String>,
    /// `PATH=VALUE` settings of B, in A/B mode.
    b: Option<Vec<String>>,
    /// Changes made in the middle of the run ("apply from this year"), in
    /// order of year: each becomes an entry of the scenario's timeline.
    #[serde(default)]
    changes: Vec<ChangeRequest>,
}

/// The settings in force from a year of the run on: the page's controls
/// when the user changed them with "apply from this year".
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ChangeRequest {
    /// The first year the new settings are in force (2 or later).
    year: u32,
    /// `PATH=VALUE` settings of A from that year.
    a: Vec<String>,
    /// `PATH=VALUE` settings of B from that year, in A/B mode.
    b: Option<Vec<String>>,
}

impl StartRequest {
    /// The settings of arm `arm` (0 = A, 1 = B) at the start and at each change.
    fn arm_sets(&self, arm: usize) -> (&[String], Vec<(u32, &[String])>) {
        let start: &[String] = if arm == 0 { &self.a } else { self.b.as_deref().unwrap_or(&self.a) };
        let changes = self
            .changes
            .iter()
            .map(|c| (c.year, if arm == 0 { c.a.as_slice() } else { c.b.as_deref().unwrap_or(&c.a) }))
            .collect();
        (start, changes)
    }

    /// The year before the last change: the years the page already has.
    fn kept_years(&self) -> u32 {
        self.changes.last().map_or(0, |c| c.year.saturating_sub(1))
    }
}

fn prepare_arm(req: &StartRequest, arm: usize, state: &State) -> Result<(Arm, Export)> {
    let (sets, changes) = req.arm_sets(arm);
    if sets.len() > 200 || changes.iter().any(|(_, c)| c.len() > 200) {
        return Err(Error::input(None, "set", "too many settings".to_string(), "at most 200"));
    }
    if changes.len() > MAX_CHANGES {
        return Err(Error::input(None, "changes", "too many changes".to_string(), format!("at most {MAX_CHANGES}")));
    }
    let (file, base) = load_named(&req.scenario, state)?;
    let scale = (req.scale != 1.0).then_some(req.scale);
    if let Some(f) = scale {
        if !(f > 0.0 && f <= MAX_SCALE) {
            return Err(Error::input(
                None,
                "scale",
                format!("{f} is out of range"),
                format!("above 0, at most {MAX_SCALE}"),
            ));
        }
    }
    let opts = |sets: &[String]| RunOptions {
        years: Some(req.years),
        seed: Some(req.seed),
        replicates: Some(1),
        scale,
        set: sets.to_vec(),
        ..Default::default()
    };
    let mut s = apply_overrides(base.clone(), &opts(sets))?;
    check_limits(&s, scale)?;
    // Each change: the parameters whose values differ from those in force
    // before it become one entry of the timeline, from its year.
    let mut before = s.clone();
    let mut last_year = 1;
    let mut applied: Vec<u32> = Vec::new();
    for (year, new_sets) in &changes {
        if *year <= last_year || *year > req.years {
            return Err(Error::input(
                None,
                "changes",
                format!("a change from year {year}"),
                format!("years after {last_year}, in order, up to {}", req.years),
            ));
        }
        last_year = *year;
        let after = apply_overrides(base.clone(), &opts(new_sets))?;
        let diff = changed_paths(&before, &after);
        if !diff.is_empty() {
            let change = schoolscape::scenario::timeline::Change::from_paths(*year, diff)
                .map_err(|m| Error::input(None, "changes", m, "each parameter once"))?;
            s.timeline.push(change);
            applied.push(*year);
        }
        before = after;
    }
    if !s.timeline.is_empty() {
        schoolscape::scenario::timeline::resolve(&s).map_err(Error::Input)?;
    }
    let csv = if s.region.source == RegionSource::Csv { Some(schoolscape::region::read_csv_region(&s)?) } else { None };
    let mut command = format!("schoolscape run {file} --seed {} --years {} --replicates 1", req.seed, req.years);
    if let Some(f) = scale {
        command.push_str(&format!(" --scale {f}"));
    }
    for x in super::set::parse(sets)? {
        command.push_str(&format!(" --set '{}'", x.text().replace('\'', "'\\''")));
    }
    if !applied.is_empty() {
        // A timeline cannot be given on the command line: the TOML is the run.
        command = format!(
            "schoolscape run THIS_FILE.toml  # the exported TOML below; its [[timeline]] holds the changes made from year{} {}",
            if applied.len() == 1 { "" } else { "s" },
            applied.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
        );
    }
    let toml = format!(
        "# Exported from schoolscape explore {}: scenario `{}`{}{}.\n# `schoolscape run THIS_FILE` reproduces the explorer's run (replicate 0, seed {}).\n{}",
        schoolscape::VERSION,
        req.scenario,
        if sets.is_empty() { String::new() } else { format!(" with {}", sets.join(", ")) },
        if applied.is_empty() { String::new() } else { ", changed during the run as its timeline says".to_string() },
        req.seed,
        s.to_toml()
    );
    Ok((Arm { scenario: s, csv }, Export { command, toml }))
}

/// The dotted paths (and new values) of every parameter whose value differs
/// between two scenarios.
fn changed_paths(before: &Scenario, after: &Scenario) -> Vec<(String, toml::Value)> {
    use schoolscape::scenario::timeline::flatten;
    use schoolscape::sweep::params::table_of;
    let old: std::collections::BTreeMap<String, toml::Value> =
        flatten(&table_of(before)).unwrap_or_default().into_iter().collect();
    let mut out: Vec<(String, toml::Value)> =
        flatten(&table_of(after)).unwrap_or_default().into_iter().filter(|(p, v)| old.get(p) != Some(v)).collect();
    // (A table entry the new settings remove, such as a named target, stays:
    // a timeline sets values, it does not delete them.)
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn start(body: &[u8], state: &State) -> Response {
    let req: StartRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return Response::json(400, &Problems::of_text(e.to_string()));
        }
    };
    let mut arms = Vec::new();
    let mut exports = Vec::new();
    for arm in 0..if req.b.is_some() { 2 } else { 1 } {
        match prepare_arm(&req, arm, state) {
            Ok((arm, export)) => {
                arms.push(arm);
                exports.push(export);
            }
            Err(e) => {
                let mut v = problems_json(&e);
                v.arm = Some(if arms.is_empty() { "A" } else { "B" });
                return Response::json(400, &v);
            }
        }
    }
    let id = state.sessions.start(arms, req.years, req.seed, req.kept_years());
    let Some(session) = state.sessions.get(id) else {
        return Response::json(503, &json!({"error": "busy"}));
    };
    match session.next(Duration::from_secs(300)) {
        Some(Message::Ready(Ok(mut v))) => {
            v["id"] = json!(id);
            v["exports"] = serde_json::to_value(&exports).unwrap_or_default();
            v["kept_years"] = json!(req.kept_years());
            Response::json(200, &v)
        }
        Some(Message::Ready(Err(e))) => {
            state.sessions.stop(id);
            Response::json(400, &Problems::of_text(e))
        }
        _ => {
            state.sessions.stop(id);
            Response::json(503, &json!({"error": "the run did not start"}))
        }
    }
}

fn frame(req: &Request, state: &State) -> Response {
    let Some(session) = req.query("id").and_then(|v| v.parse().ok()).and_then(|id| state.sessions.get(id)) else {
        return Response::json(410, &json!({"error": "no such run (it ended or was replaced)"}));
    };
    match session.next(Duration::from_secs(20)) {
        Some(Message::Frame(text)) => Response::text(200, "application/json", &text),
        Some(Message::Done) => Response::json(200, &json!({"done": true})),
        Some(Message::Ready(_)) | None => Response::json(200, &json!({"wait": true})),
    }
}
