//! The simulation of one replicate, with its yearly schedule in one place.

use crate::error::Result;
use crate::measures::{Metric, Recorder};
use crate::policy::{self, Context, Policy};
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
pub struct Simulation<'a> {
    scenario: &'a Scenario,
    /// The world (public for inspection and tests).
    pub world: World,
    policies: Vec<Box<dyn Policy>>,
    recorder: Recorder,
    timings: [f64; PHASES.len()],
}

/// Names of the phases of the yearly schedule, as timed by [`Simulation::phase_seconds`].
pub const PHASES: [&str; 8] = [
    "moves and entry",
    "choice and admissions",
    "exclusions and counts",
    "learning",
    "publication",
    "market",
    "improvement and policies",
    "measures",
];

impl<'a> Simulation<'a> {
    /// Build a replicate from a validated scenario, CSV data read beforehand
    /// (for `source = "csv"`), and the replicate's seed.
    pub fn new(scenario: &'a Scenario, csv: Option<&CsvRegion>, seed: u64) -> Result<Simulation<'a>> {
        let mut world = World::new(scenario, csv, seed)?;
        let mut policies = policy::build(scenario);
        for p in &mut policies {
            p.initialize(&mut Context { scenario, world: &mut world });
        }
        Ok(Simulation { scenario, world, policies, recorder: Recorder::default(), timings: [0.0; PHASES.len()] })
    }

    /// Labels of the policies in force.
    pub fn policy_labels(&self) -> Vec<&'static str> {
        self.policies.iter().map(|p| p.label()).collect()
    }

    /// Simulate one year. The schedule, in order:
    ///
    /// 1. families move (if residential moves are on); the leaving cohort has
    ///    gone and a new cohort enters;
    /// 2. families apply (ranked lists);
    /// 3. policies act before admissions (fair access); admissions place
    ///    every entrant; autonomous schools may exclude;
    /// 4. pupils learn;
    /// 5. results are published and reputations follow;
    /// 6. schools adapt: market (funding, shrinking, closures, expansion,
    ///    competitive pressure), within-school improvement, then policies
    ///    (between and beyond schools);
    /// 7. measures are recorded.
    pub fn step(&mut self) -> YearRecord {
        let s = self.scenario;
        let w = &mut self.world;
        let mut clock = Clock::start(&mut self.timings);
        w.year += 1;
        w.events = Default::default();
        let year = w.year;

        // 1. Moves, then the new cohort enters (inside `admit_cohort`).
        if s.residential.moves {
            w.move_households(s);
        }
        clock.lap(0);
        // 2–3. Policies that change admission rules act first; then the
        //      cohort enters, families apply and admissions place everyone.
        for p in &mut self.policies {
            p.before_admissions(&mut Context { scenario: s, world: w });
        }
        let slot = w.newest();
        w.admit_cohort(s, slot, year as i32, year);
        clock.lap(1);
        w.recount(s);
        w.exclude(s);
        clock.lap(2);

        // 4. Learning.
        w.learn(s);
        clock.lap(3);

        // 5. Publication.
        w.publish(s);
        clock.lap(4);

        // 6. Adaptation: market, within school, then policies between and beyond schools.
        w.market(s);
        clock.lap(5);
        crate::improvement::apply(s, &mut w.schools, &w.practice_bonus, w.seed, year);
        if !self.policies.is_empty() {
            w.begin_policies();
        }
        for p in &mut self.policies {
            p.apply(&mut Context { scenario: s, world: w });
        }
        clock.lap(6);

        // 7. Measures.
        let mut metrics = self.recorder.record(s, w);
        for p in &self.policies {
            p.record(w, &mut metrics);
        }
        let record = YearRecord { year, metrics, schools: panel(w) };
        clock.lap(7);
        record
    }

    /// Seconds spent so far in each phase of the schedule (see [`PHASES`]).
    pub fn phase_seconds(&self) -> impl Iterator<Item = (&'static str, f64)> + '_ {
        PHASES.iter().copied().zip(self.timings.iter().copied())
    }

    /// The schools' fixed attributes.
    pub fn school_static(&self) -> SchoolStatic {
        let s = &self.world.schools;
        SchoolStatic {
            name: s.name.clone(),
            district: s.district.clone(),
            autonomous: s.autonomous.clone(),
            x: s.x.clone(),
            y: s.y.clone(),
        }
    }

    /// The neighbourhoods now: households and share of disadvantaged households.
    pub fn neighbourhood_snapshot(&self) -> (u32, Vec<f32>, Vec<f32>) {
        let w = &self.world;
        let types = w.region.types();
        let g = w.region.groups;
        let p = self.scenario.population.disadvantaged_share;
        let mut total = Vec::with_capacity(w.region.len());
        let mut dis = Vec::with_capacity(w.region.len());
        for row in w.households.chunks(types) {
            let t: f64 = row.iter().map(|v| *v as f64).sum();
            let d: f64 = row
                .iter()
                .enumerate()
                .map(|(k, v)| *v as f64 * (p * crate::region::SES_BANDS as f64 - (k / g) as f64).clamp(0.0, 1.0))
                .sum();
            total.push(t as f32);
            dis.push(if t > 0.0 { (d / t) as f32 } else { 0.0 });
        }
        (w.year, total, dis)
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
    fn lap(&mut self, phase: usize) {
        let now = std::time::Instant::now();
        self.times[phase] += (now - self.last).as_secs_f64();
        self.last = now;
    }
}

fn panel(w: &World) -> Vec<SchoolYear> {
    let sch = &w.schools;
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
        })
        .collect()
}
