//! Runs in the explorer: one per browser tab (and start), each on its own
//! thread, stepping the library's [`Simulation`] exactly as `run` does and
//! handing over one year's frame at a time.
//!
//! The page pulls frames: the worker computes at most one year beyond the
//! frame waiting in a one-slot channel, so it never runs more than two years
//! ahead of what the page has asked for, and it stops when the page goes
//! (the session is dropped, and the next hand-over fails).

use std::collections::{BTreeMap, HashMap};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use schoolscape::measures::HEADLINE;
use schoolscape::region::CsvRegion;
use schoolscape::rng::replicate_seed;
use schoolscape::sim::{SchoolYear, YearRecord};
use schoolscape::{Scenario, Simulation};
use serde::Serialize;
use serde_json::Value;

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

/// Round for the map (three significant decimals are plenty on screen);
/// `None` (JSON null) for a value that is not finite.
fn r3(v: f64) -> Option<f64> {
    v.is_finite().then(|| (v * 1000.0).round() / 1000.0)
}

/// A finite value as it is; `None` (JSON null) otherwise.
fn exact(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

// The JSON the page reads. Fields are in alphabetical order, the order the
// responses have always had.

/// What a session sends first: per arm, its map and schools; the measures charted.
#[derive(Serialize)]
struct StaticData {
    arms: Vec<ArmStatic>,
    headline: Vec<Headline>,
}

/// The map and schools of one arm, which do not change from year to year.
#[derive(Serialize)]
struct ArmStatic {
    /// West, south, east, north edges, km.
    bounds: [f64; 4],
    cell_km: f64,
    nbhd: Neighbourhoods,
    policies: Vec<&'static str>,
    schools: SchoolSites,
}

/// The neighbourhoods of the map.
#[derive(Serialize)]
struct Neighbourhoods {
    dis: Vec<Option<f64>>,
    households: Vec<u64>,
    x: Vec<Option<f64>>,
    y: Vec<Option<f64>>,
}

/// The schools as they start.
#[derive(Serialize)]
struct SchoolSites {
    autonomous: Vec<bool>,
    district: Vec<u32>,
    name: Vec<String>,
    x: Vec<Option<f64>>,
    y: Vec<Option<f64>>,
}

/// A headline measure the page charts.
#[derive(Serialize)]
struct Headline {
    key: String,
    title: &'static str,
}

/// One year's frame: per arm, the measures and the schools.
#[derive(Serialize)]
struct Frame {
    arms: Vec<ArmFrame>,
    year: u32,
}

/// One arm's year.
#[derive(Serialize)]
struct ArmFrame {
    att: Vec<Option<f64>>,
    capacity: Vec<u32>,
    dis: Vec<Option<f64>>,
    eff: Vec<Option<f64>>,
    /// Since last year: closed (-1), grew (+1), else 0.
    event: Vec<i8>,
    intake: Vec<u32>,
    /// Measures by `measure/subgroup`.
    m: BTreeMap<String, Option<f64>>,
    open: Vec<u8>,
    rep: Vec<Option<f64>>,
    roll: Vec<u32>,
}

fn static_json(sims: &[Simulation]) -> Value {
    let arms =
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
                let r3s = |v: &[f32]| v.iter().map(|v| r3(*v as f64)).collect::<Vec<_>>();
                ArmStatic {
                    bounds: [bounds[0] - half, bounds[1] - half, bounds[2] + half, bounds[3] + half],
                    cell_km: map.cell_km,
                    nbhd: Neighbourhoods {
                        dis: dis.iter().map(|v| r3(*v as f64)).collect(),
                        households: households.iter().map(|v| v.round() as u64).collect(),
                        x: r3s(&map.x),
                        y: r3s(&map.y),
                    },
                    policies: sim.policy_labels(),
                    schools: SchoolSites {
                        autonomous: st.autonomous.clone(),
                        district: st.district.clone(),
                        name: st.name.clone(),
                        x: r3s(&st.x),
                        y: r3s(&st.y),
                    },
                }
            })
            .collect();
    serde_json::to_value(StaticData { arms, headline: headline_json() }).unwrap_or(Value::Null)
}

/// The headline measures the page charts: (measure, subgroup, title).
pub fn headline() -> Vec<(&'static str, &'static str, &'static str)> {
    let mut h: Vec<_> = HEADLINE.to_vec();
    h.push(("first_preference_rate", "all", "First-preference rate"));
    h
}

fn headline_json() -> Vec<Headline> {
    headline().iter().map(|(m, s, t)| Headline { key: format!("{m}/{s}"), title: t }).collect()
}

fn frame_json(records: &[YearRecord], last: &[Option<Vec<SchoolYear>>]) -> String {
    let arms = records
        .iter()
        .zip(last)
        .map(|(r, prev)| {
            let s = &r.schools;
            let events = s
                .iter()
                .enumerate()
                .map(|(i, y)| match prev.as_ref().and_then(|p| p.get(i)) {
                    Some(p) if p.open && !y.open => -1,
                    Some(p) if y.open && y.capacity > p.capacity => 1,
                    None if !y.open => -1,
                    _ => 0,
                })
                .collect();
            ArmFrame {
                att: s.iter().map(|y| r3(y.mean_attainment)).collect(),
                capacity: s.iter().map(|y| y.capacity).collect(),
                dis: s.iter().map(|y| r3(y.disadvantaged_share)).collect(),
                eff: s.iter().map(|y| r3(y.effectiveness)).collect(),
                event: events,
                intake: s.iter().map(|y| y.intake).collect(),
                m: r.metrics.iter().map(|x| (format!("{}/{}", x.measure, x.subgroup), exact(x.value))).collect(),
                open: s.iter().map(|y| u8::from(y.open)).collect(),
                rep: s.iter().map(|y| r3(y.reputation)).collect(),
                roll: s.iter().map(|y| y.roll).collect(),
            }
        })
        .collect();
    let year = records.first().map_or(0, |r| r.year);
    serde_json::to_string(&Frame { arms, year }).unwrap_or_default()
}
