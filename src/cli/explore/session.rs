//! Runs in the explorer: one per browser tab (and start), each on its own
//! thread, stepping the library's [`Simulation`] exactly as `run` does and
//! handing over one year's frame at a time.
//!
//! The page pulls frames: the worker computes at most one year beyond the
//! frame waiting in a one-slot channel, so it never runs more than two years
//! ahead of what the page has asked for, and it stops when the page goes
//! (the session is dropped, and the next hand-over fails).

use std::collections::HashMap;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use schoolscape::measures::HEADLINE;
use schoolscape::region::CsvRegion;
use schoolscape::rng::replicate_seed;
use schoolscape::sim::{SchoolYear, YearRecord};
use schoolscape::{Scenario, Simulation};
use serde_json::{Value, json};

/// Sessions kept at once; starting another ends the least recently used.
pub const MAX_SESSIONS: usize = 6;
/// A session the page has not asked anything of for this long is ended.
pub const IDLE: Duration = Duration::from_secs(120);

/// One arm of a run (A, or B in A/B mode).
pub struct Arm {
    /// The resolved scenario.
    pub scenario: Scenario,
    /// CSV region data, if the scenario reads it.
    pub csv: Option<CsvRegion>,
}

/// What the worker hands over.
pub enum Message {
    /// The first message: static data (map) or a problem.
    Ready(Result<Value, String>),
    /// One year's frame, as JSON text.
    Frame(String),
    /// No more years.
    Done,
}

/// A running session.
pub struct Session {
    rx: Mutex<Receiver<Message>>,
    last: Mutex<Instant>,
}

impl Session {
    /// Wait for the next message (up to `wait`).
    pub fn next(&self, wait: Duration) -> Option<Message> {
        self.touch();
        let rx = self.rx.lock().ok()?;
        match rx.recv_timeout(wait) {
            Ok(m) => Some(m),
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => Some(Message::Done),
        }
    }

    fn touch(&self) {
        if let Ok(mut l) = self.last.lock() {
            *l = Instant::now();
        }
    }

    fn idle(&self) -> Duration {
        self.last.lock().map(|l| l.elapsed()).unwrap_or(IDLE)
    }
}

/// Every session, by id.
#[derive(Default)]
pub struct Sessions {
    map: Mutex<HashMap<u64, Arc<Session>>>,
    next_id: Mutex<u64>,
}

impl Sessions {
    /// Start a session running `arms` for `years` years from `seed` (the
    /// master seed: the run is replicate 0 of `run`), sending frames from
    /// the year after `kept` (the page has the years up to `kept` already).
    /// Returns its id.
    pub fn start(&self, arms: Vec<Arm>, years: u32, seed: u64, kept: u32) -> u64 {
        let (tx, rx) = sync_channel(1);
        std::thread::spawn(move || work(arms, years, seed, kept, tx));
        let session = Arc::new(Session { rx: Mutex::new(rx), last: Mutex::new(Instant::now()) });
        let id = {
            use std::hash::{BuildHasher, Hasher};
            let mut n = self.next_id.lock().unwrap_or_else(|e| e.into_inner());
            *n += 1;
            // Not a secret (requests are checked by origin), just unlikely to collide.
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(*n);
            h.finish() >> 11
        };
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, s| s.idle() < IDLE);
        while map.len() >= MAX_SESSIONS {
            let oldest = map.iter().max_by_key(|(_, s)| s.idle()).map(|(k, _)| *k);
            match oldest {
                Some(k) => map.remove(&k),
                None => break,
            };
        }
        map.insert(id, session);
        id
    }

    /// End every session the page has not asked anything of for [`IDLE`]:
    /// its worker stops at its next hand-over (a tab closed without saying so).
    pub fn reap(&self) {
        if let Ok(mut m) = self.map.lock() {
            m.retain(|_, s| s.idle() < IDLE);
        }
    }

    /// The session `id`, if it is running.
    pub fn get(&self, id: u64) -> Option<Arc<Session>> {
        self.map.lock().ok()?.get(&id).cloned()
    }

    /// End the session `id`.
    pub fn stop(&self, id: u64) {
        if let Ok(mut m) = self.map.lock() {
            m.remove(&id);
        }
    }
}

fn work(arms: Vec<Arm>, years: u32, seed: u64, kept: u32, tx: SyncSender<Message>) {
    let seed = replicate_seed(seed, 0);
    let sims: Result<Vec<Simulation>, String> =
        arms.iter().map(|a| Simulation::new(&a.scenario, a.csv.as_ref(), seed).map_err(|e| e.to_string())).collect();
    let mut sims = match sims {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(Message::Ready(Err(e)));
            return;
        }
    };
    if tx.send(Message::Ready(Ok(static_json(&sims)))).is_err() {
        return;
    }
    let mut last: Vec<Option<Vec<SchoolYear>>> = vec![None; sims.len()];
    for _ in 0..years {
        let records: Vec<YearRecord> = match sims.as_mut_slice() {
            [a, b] => {
                let (ra, rb) = rayon::join(|| a.step(), || b.step());
                vec![ra, rb]
            }
            all => all.iter_mut().map(|s| s.step()).collect(),
        };
        let year = records.first().map_or(0, |r| r.year);
        let frame = (year > kept).then(|| frame_json(&records, &last));
        for (l, r) in last.iter_mut().zip(records) {
            *l = Some(r.schools);
        }
        if let Some(frame) = frame {
            if tx.send(Message::Frame(frame)).is_err() {
                return;
            }
        }
    }
    let _ = tx.send(Message::Done);
}

/// Round for the map (three significant decimals are plenty on screen).
fn r3(v: f64) -> Value {
    if v.is_finite() { json!((v * 1000.0).round() / 1000.0) } else { Value::Null }
}

fn exact(v: f64) -> Value {
    if v.is_finite() { json!(v) } else { Value::Null }
}

fn static_json(sims: &[Simulation]) -> Value {
    let arms: Vec<Value> =
        sims.iter()
            .map(|sim| {
                let st = sim.school_static();
                let map = sim.neighbourhood_map();
                let (_, households, dis) = sim.neighbourhood_snapshot();
                let half = map.cell_km / 2.0;
                let bounds =
                    map.x.iter().zip(&map.y).chain(st.x.iter().zip(&st.y)).fold(
                        [f64::INFINITY, f64::INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY],
                        |b, (x, y)| {
                            [b[0].min(*x as f64), b[1].min(*y as f64), b[2].max(*x as f64), b[3].max(*y as f64)]
                        },
                    );
                json!({
                    "bounds": [bounds[0] - half, bounds[1] - half, bounds[2] + half, bounds[3] + half],
                    "cell_km": map.cell_km,
                    "nbhd": {
                        "x": map.x.iter().map(|v| r3(*v as f64)).collect::<Vec<_>>(),
                        "y": map.y.iter().map(|v| r3(*v as f64)).collect::<Vec<_>>(),
                        "dis": dis.iter().map(|v| r3(*v as f64)).collect::<Vec<_>>(),
                        "households": households.iter().map(|v| v.round() as u64).collect::<Vec<_>>(),
                    },
                    "schools": {
                        "name": st.name,
                        "x": st.x.iter().map(|v| r3(*v as f64)).collect::<Vec<_>>(),
                        "y": st.y.iter().map(|v| r3(*v as f64)).collect::<Vec<_>>(),
                        "autonomous": st.autonomous,
                        "district": st.district,
                    },
                    "policies": sim.policy_labels(),
                })
            })
            .collect();
    json!({ "arms": arms, "headline": headline_json() })
}

/// The headline measures the page charts: (measure, subgroup, title).
pub fn headline() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut h: Vec<_> = HEADLINE.to_vec();
    h.push(("first_preference_rate", "all", "First-preference rate"));
    h
}

fn headline_json() -> Value {
    json!(headline().iter().map(|(m, s, t)| json!({"key": format!("{m}/{s}"), "title": t})).collect::<Vec<_>>())
}

fn frame_json(records: &[YearRecord], last: &[Option<Vec<SchoolYear>>]) -> String {
    let arms: Vec<Value> = records
        .iter()
        .zip(last)
        .map(|(r, prev)| {
            let mut m = serde_json::Map::new();
            for x in &r.metrics {
                m.insert(format!("{}/{}", x.measure, x.subgroup), exact(x.value));
            }
            let s = &r.schools;
            // Events since last year: closed (-1), grew (+1), else 0.
            let events: Vec<i8> = s
                .iter()
                .enumerate()
                .map(|(i, y)| match prev.as_ref().and_then(|p| p.get(i)) {
                    Some(p) if p.open && !y.open => -1,
                    Some(p) if y.open && y.capacity > p.capacity => 1,
                    None if !y.open => -1,
                    _ => 0,
                })
                .collect();
            json!({
                "m": m,
                "open": s.iter().map(|y| u8::from(y.open)).collect::<Vec<_>>(),
                "roll": s.iter().map(|y| y.roll).collect::<Vec<_>>(),
                "intake": s.iter().map(|y| y.intake).collect::<Vec<_>>(),
                "capacity": s.iter().map(|y| y.capacity).collect::<Vec<_>>(),
                "dis": s.iter().map(|y| r3(y.disadvantaged_share)).collect::<Vec<_>>(),
                "eff": s.iter().map(|y| r3(y.effectiveness)).collect::<Vec<_>>(),
                "rep": s.iter().map(|y| r3(y.reputation)).collect::<Vec<_>>(),
                "att": s.iter().map(|y| r3(y.mean_attainment)).collect::<Vec<_>>(),
                "event": events,
            })
        })
        .collect();
    let year = records.first().map_or(0, |r| r.year);
    json!({ "year": year, "arms": arms }).to_string()
}
