//! The simulation of one replicate, with its yearly schedule in one place.

use crate::error::{Error, Result};
use crate::measures::{Metric, Recorder};
use crate::policy::lifecycle::Lifecycle;
use crate::region::CsvRegion;
use crate::scenario::Scenario;
use crate::world::World;

/// One school in one year: a row of the school panel.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolYear {
    /// School id.
    pub school: u32,
    /// Open this year (after any closure).
    pub open: bool,
    /// Places per year group.
    pub capacity: u32,
    /// Pupils on roll.
    pub roll: u32,
    /// Entrants admitted this year.
    pub intake: u32,
    /// First preferences received.
    pub first_prefs: u32,
    /// Effectiveness (value added per year, SD).
    pub effectiveness: f64,
    /// Latent knowledge.
    pub latent: f64,
    /// Reputation.
    pub reputation: f64,
    /// Share of pupils on roll who are disadvantaged.
    pub disadvantaged_share: f64,
    /// Mean attainment of the school's leavers (NaN if none).
    pub mean_attainment: f64,
    /// Funding this year.
    pub funding: f64,
    /// The school's trust (an id within the run), if it is in one.
    pub trust: Option<u32>,
    /// Neighbourhoods whose catchment school it is: by the drawn boundaries
    /// (a catchments CSV, rezoning), or else those whose centre is nearest
    /// to it; it changes when catchments are redrawn or schools open or close.
    pub catchment_neighbourhoods: u32,
}

/// Everything recorded in one year.
#[derive(Debug, Clone, PartialEq)]
pub struct YearRecord {
    /// The year (1 = first simulated year).
    pub year: u32,
    /// The measures.
    pub metrics: Vec<Metric>,
    /// The school panel.
    pub schools: Vec<SchoolYear>,
}

/// What does not change about the schools of a replicate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SchoolStatic {
    /// Names.
    pub name: Vec<String>,
    /// Districts.
    pub district: Vec<u32>,
    /// Autonomous (true) or maintained.
    pub autonomous: Vec<bool>,
    /// Positions, km.
    pub x: Vec<f32>,
    /// Positions, km.
    pub y: Vec<f32>,
    /// Year each school opened (0: open at the start).
    pub opened: Vec<u32>,
}

/// The neighbourhoods of a replicate, for maps: positions, districts and the
/// share of disadvantaged households at chosen years.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NeighbourhoodMap {
    /// Side of a neighbourhood, km.
    pub cell_km: f64,
    /// Centres, km.
    pub x: Vec<f32>,
    /// Centres, km.
    pub y: Vec<f32>,
    /// Districts.
    pub district: Vec<u32>,
    /// (year, households, disadvantaged share) snapshots; year 0 is the start.
    pub snapshots: Vec<(u32, Vec<f32>, Vec<f32>)>,
}

/// One replicate: the scenario, the world, the policies and the recorder.
///
/// Its set-up ([`Simulation::new`]) and years ([`Simulation::step`]) run in
/// parallel on the current rayon pool: the pool whose `install` called them,
/// or else the global pool (as many threads as cores unless configured),
/// whatever thread calls them. Results do not depend on the number of threads.
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    /// The scenario in force after each change of the timeline, keyed by the
    /// simulated year it takes effect (warm-up years included).
    changes: Vec<(u32, Scenario)>,
    /// How many of `changes` are in force.
    applied: usize,
    /// The world (public for inspection and tests).
    pub world: World,
    policies: Lifecycle,
    recorder: Recorder,
    timings: [f64; Phase::ALL.len()],
}

/// The phases of the yearly schedule, in order (see [`Simulation::step`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Families move; the leaving cohort goes.
    MovesAndEntry,
    /// Policies acting on admission rules, the new cohort, choice and admissions.
    ChoiceAndAdmissions,
    /// Exclusions and the recount of rolls.
    ExclusionsAndCounts,
    /// Pupils learn.
    Learning,
    /// Results are published; reputations follow.
    Publication,
    /// Market adaptation: funding, shrinking, closures, expansion, pressure.
    Market,
    /// Within-school improvement, then policies between and beyond schools.
    Adaptation,
    /// Measures are recorded.
    Measures,
}

impl Phase {
    /// Every phase, in the order of the schedule.
    pub const ALL: [Phase; 8] = [
        Phase::MovesAndEntry,
        Phase::ChoiceAndAdmissions,
        Phase::ExclusionsAndCounts,
        Phase::Learning,
        Phase::Publication,
        Phase::Market,
        Phase::Adaptation,
        Phase::Measures,
    ];

    /// The phase's name, as timed by [`Simulation::phase_seconds`].
    pub fn name(self) -> &'static str {
        match self {
            Phase::MovesAndEntry => "moves and entry",
            Phase::ChoiceAndAdmissions => "choice and admissions",
            Phase::ExclusionsAndCounts => "exclusions and counts",
            Phase::Learning => "learning",
            Phase::Publication => "publication",
            Phase::Market => "market",
            Phase::Adaptation => "improvement and policies",
            Phase::Measures => "measures",
        }
    }
}

/// Run `f` on a thread of the current rayon pool (the global pool outside
/// any): at once if this thread is one of them, otherwise sent there once and
/// waited for. A year runs dozens of parallel loops; from a thread outside
/// the pool, each would be sent to the pool and waited for on its own (a
/// sleep and a wake-up each), which made a one-thread run half as slow again.
fn on_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    rayon::scope(|_| f())
}

impl<'a> Simulation<'a> {
    /// Build a replicate from a validated scenario, CSV data read beforehand
    /// (for `source = "csv"`), and the replicate's seed; then simulate the
    /// scenario's warm-up years (`run.warm_up`), which are not recorded.
    pub fn new(scenario: &'a Scenario, csv: Option<&CsvRegion>, seed: u64) -> Result<Simulation<'a>> {
        on_pool(|| Simulation::build(scenario, csv, seed))
    }

    fn build(scenario: &'a Scenario, csv: Option<&CsvRegion>, seed: u64) -> Result<Simulation<'a>> {
        let warm_up = scenario.run.warm_up;
        let changes = if scenario.timeline.is_empty() {
            Vec::new()
        } else {
            crate::scenario::timeline::resolve(scenario)
                .map_err(Error::Input)?
                .into_iter()
                .map(|(y, s)| (y + warm_up, s))
                .collect()
        };
        let mut world = World::new(scenario, csv, seed)?;
        let mut policies = Lifecycle::new();
        policies.sync(None, scenario, &mut world);
        let mut sim = Simulation {
            scenario,
            changes,
            applied: 0,
            world,
            policies,
            recorder: Recorder::default(),
            timings: [0.0; Phase::ALL.len()],
        };
        for _ in 0..warm_up {
            sim.advance(false);
        }
        Ok(sim)
    }

    /// The scenario in force now (the timeline may have changed it).
    pub fn scenario(&self) -> &Scenario {
        match self.applied {
            0 => self.scenario,
            k => &self.changes[k - 1].1,
        }
    }

    /// Labels of the policies in force.
    pub fn policy_labels(&self) -> Vec<&'static str> {
        self.policies.labels()
    }

    /// Simulate one year and record it. The schedule, in order:
    ///
    /// 0. changes of the timeline for this year take effect: the scenario in
    ///    force changes, and policies it switches off end and those it
    ///    switches on start;
    /// 1. families move (if residential moves are on); the leaving cohort has
    ///    gone and a new cohort enters;
    /// 2. families apply (ranked lists);
    /// 3. policies act before admissions (fair access); admissions place
    ///    every entrant; autonomous schools may exclude;
    /// 4. pupils learn;
    /// 5. results are published and reputations follow;
    /// 6. schools adapt: market (funding, shrinking, closures, expansion,
    ///    competitive pressure), openings, within-school improvement, then
    ///    policies (between and beyond schools);
    /// 7. measures are recorded.
    ///
    /// The record's year counts recorded years (1 = the first after the warm-up).
    pub fn step(&mut self) -> YearRecord {
        on_pool(|| self.advance(true)).unwrap_or_else(|| unreachable!("a recorded year has a record"))
    }

    fn advance(&mut self, recorded: bool) -> Option<YearRecord> {
        let w = &mut self.world;
        let mut clock = Clock::start(&mut self.timings);
        w.year += 1;
        w.events = Default::default();
        let year = w.year;

        // 0. The timeline.
        if self.changes.get(self.applied).is_some_and(|(y, _)| *y == year) {
            let old = if self.applied == 0 { self.scenario } else { &self.changes[self.applied - 1].1 };
            let new = &self.changes[self.applied].1;
            w.apply_change(old, new);
            self.policies.sync(Some(old), new, w);
            self.applied += 1;
        }
        let s: &Scenario = if self.applied == 0 { self.scenario } else { &self.changes[self.applied - 1].1 };

        // 1. Moves, then the new cohort enters (inside `admit_cohort`).
        if s.residential.moves {
            w.move_households(s);
        }
        clock.lap(Phase::MovesAndEntry);
        // 2–3. Policies that change admission rules act first; then the
        //      cohort enters, families apply and admissions place everyone.
        self.policies.before_admissions(s, w);
        let slot = w.newest();
        w.admit_cohort(s, slot, year as i32, year);
        clock.lap(Phase::ChoiceAndAdmissions);
        w.recount(s);
        w.exclude(s);
        clock.lap(Phase::ExclusionsAndCounts);

        // 4. Learning.
        w.learn(s);
        clock.lap(Phase::Learning);

        // 5. Publication.
        w.publish(s);
        clock.lap(Phase::Publication);

        // 6. Adaptation: market, within school, then policies between and beyond schools.
        w.market(s);
        if s.openings.enabled {
            let new = crate::openings::decide(s, w);
            w.open_schools(s, &new);
        }
        clock.lap(Phase::Market);
        w.improve(s);
        self.policies.apply(s, w);
        clock.lap(Phase::Adaptation);

        // 7. Measures (not in warm-up years).
        if !recorded {
            return None;
        }
        let mut metrics = self.recorder.record(s, w);
        self.policies.record(w, &mut metrics);
        let record = YearRecord { year: year - self.scenario.run.warm_up, metrics, schools: panel(w) };
        clock.lap(Phase::Measures);
        Some(record)
    }

    /// Seconds spent so far in each phase of the schedule (see [`Phase`]).
    pub fn phase_seconds(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        Phase::ALL.iter().map(|p| p.name()).zip(self.timings.iter().copied())
    }

    /// The schools' fixed attributes (of every school so far, including any opened during the run).
    pub fn school_static(&self) -> SchoolStatic {
        let s = &self.world.schools;
        SchoolStatic {
            name: s.name.clone(),
            district: s.district.clone(),
            autonomous: s.autonomous.clone(),
            x: s.x.clone(),
            y: s.y.clone(),
            opened: s.opened.clone(),
        }
    }

    /// The neighbourhoods now: households and share of disadvantaged households.
    pub fn neighbourhood_snapshot(&self) -> (u32, Vec<f32>, Vec<f32>) {
        let w = &self.world;
        let types = w.region.types();
        let g = w.region.groups;
        let p = self.scenario().population.disadvantaged_share;
        let mut total = Vec::with_capacity(w.region.len());
        let mut dis = Vec::with_capacity(w.region.len());
        for row in w.households().chunks(types) {
            let t: f64 = row.iter().map(|v| *v as f64).sum();
            let d: f64 = row
                .iter()
                .enumerate()
                .map(|(k, v)| *v as f64 * (p * crate::region::SES_BANDS as f64 - (k / g) as f64).clamp(0.0, 1.0))
                .sum();
            total.push(t as f32);
            dis.push(if t > 0.0 { (d / t) as f32 } else { 0.0 });
        }
        (w.year.saturating_sub(self.scenario.run.warm_up), total, dis)
    }

    /// An empty map of the neighbourhoods (positions and districts).
    pub fn neighbourhood_map(&self) -> NeighbourhoodMap {
        let r = &self.world.region;
        NeighbourhoodMap {
            cell_km: r.cell_km,
            x: r.nbhd_x.clone(),
            y: r.nbhd_y.clone(),
            district: r.nbhd_district.clone(),
            snapshots: Vec::new(),
        }
    }

    /// Simulate `years` years and return every year's record.
    pub fn run(&mut self, years: u32) -> Vec<YearRecord> {
        (0..years).map(|_| self.step()).collect()
    }
}

/// Times the phases of a step.
struct Clock<'t> {
    times: &'t mut [f64],
    last: std::time::Instant,
}

impl<'t> Clock<'t> {
    fn start(times: &'t mut [f64]) -> Self {
        Clock { times, last: std::time::Instant::now() }
    }
    fn lap(&mut self, phase: Phase) {
        let now = std::time::Instant::now();
        self.times[phase as usize] += (now - self.last).as_secs_f64();
        self.last = now;
    }
}

fn panel(w: &World) -> Vec<SchoolYear> {
    let sch = &w.schools;
    let mut catchment = vec![0u32; sch.len()];
    match &w.boundaries {
        Some(b) => b.iter().for_each(|&k| catchment[k as usize] += 1),
        None => (0..w.region.len() as u32).filter_map(|n| w.choice_sets.of(n).first()).for_each(|&k| {
            if let Some(c) = catchment.get_mut(k as usize) {
                *c += 1;
            }
        }),
    }
    (0..sch.len())
        .map(|i| SchoolYear {
            school: i as u32,
            open: sch.open[i],
            capacity: sch.capacity[i],
            roll: sch.roll[i],
            intake: sch.intake[i],
            first_prefs: sch.first_prefs[i],
            effectiveness: sch.effective(i),
            latent: sch.latent[i],
            reputation: sch.reputation[i],
            disadvantaged_share: if sch.roll[i] > 0 { 1.0 - sch.adv_share[i] } else { f64::NAN },
            mean_attainment: w.results.mean_attainment.get(i).copied().unwrap_or(f64::NAN),
            funding: sch.funding[i],
            trust: w.trust_of.get(i).copied().filter(|&t| t != crate::ids::NO_TRUST),
            catchment_neighbourhoods: catchment[i],
        })
        .collect()
}
