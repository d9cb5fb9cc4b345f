//! The changing state of one replicate: households, pupils (in cohorts of
//! columns), schools, the spatial index, and working memory reused every year.

use crate::admissions::{self, AdmissionCounts};
use crate::choice::{self, Applications, NONE};
use crate::cohort::{self, Cohort, Scratch, flag};
use crate::error::Result;
use crate::learning::{self, SchoolTerms};
use crate::market::MarketCounts;
use crate::publish::{self, Results};
use crate::region::{self, CsvRegion, Region};
use crate::residential;
use crate::rng::hash_unit;
use crate::scenario::Scenario;
use crate::schools::Schools;
use crate::spatial::{ChoiceSets, Grid};

/// Year key used in random streams for the warm start (never a simulated year).
const WARM_START_YEAR: u32 = 1_000_000;

/// What happened this year, counted as it happened.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Events {
    /// Admissions counts.
    pub admissions: AdmissionCounts,
    /// Market counts.
    pub market: MarketCounts,
    /// Pupils moved because their school closed.
    pub closure_moves: u32,
}

/// The state of one replicate.
#[derive(Debug)]
pub struct World {
    /// The current year (0 before the first step).
    pub year: u32,
    /// The replicate's seed.
    pub seed: u64,
    /// The region (fixed).
    pub region: Region,
    /// Households per neighbourhood and type (changes with residential moves).
    pub households: Vec<f32>,
    /// Extra yearly gain for pupils living in each neighbourhood (beyond-school policies).
    pub home_bonus: Vec<f32>,
    /// Schools.
    pub schools: Schools,
    /// Extra yearly gain for pupils in the lowest prior band, per school (within-school policies).
    pub inclusive_gain: Vec<f64>,
    /// Extra practice rate per school (within-school policies).
    pub practice_bonus: Vec<f64>,
    /// Grid over open schools.
    pub grid: Grid,
    /// Each neighbourhood's nearest open schools.
    pub choice_sets: ChoiceSets,
    /// Year groups; cohort entering in year e lives at slot e mod years_in_school.
    pub cohorts: Vec<Cohort>,
    /// Applications of the newest cohort.
    pub applications: Applications,
    /// Pupils on roll per (slot, school), slot-major.
    pub roll_by_slot: Vec<u32>,
    /// Mean prior attainment of all pupils on roll.
    pub mean_prior: f64,
    /// This year's published results (of the leaving cohort).
    pub results: Results,
    /// This year's events.
    pub events: Events,
    admissions_ws: admissions::Workspace,
    residential_ws: residential::Workspace,
    scratch: Scratch,
    terms: SchoolTerms,
    closing: Vec<u32>,
}

impl World {
    /// Build the world of a replicate: region, schools, and the year groups
    /// already in school (the warm start, see `docs/ODD.md`).
    pub fn new(s: &Scenario, csv: Option<&CsvRegion>, seed: u64) -> Result<World> {
        let region = region::build(s, csv, seed)?;
        let schools = Schools::new(s, &region, seed);
        let y = s.population.years_in_school as usize;
        let n_schools = schools.len();
        let mut w = World {
            year: 0,
            seed,
            households: region.households.clone(),
            home_bonus: vec![0.0; region.len()],
            inclusive_gain: vec![0.0; n_schools],
            practice_bonus: vec![0.0; n_schools],
            region,
            schools,
            grid: Grid::default(),
            choice_sets: ChoiceSets::default(),
            cohorts: (0..y).map(|_| Cohort::default()).collect(),
            applications: Applications::default(),
            roll_by_slot: vec![0; y * n_schools],
            mean_prior: 0.0,
            results: Results::default(),
            events: Events::default(),
            admissions_ws: admissions::Workspace::default(),
            residential_ws: residential::Workspace::default(),
            scratch: Scratch::default(),
            terms: SchoolTerms::default(),
            closing: Vec::new(),
        };
        w.refresh_spatial(s);
        w.warm_start(s);
        Ok(w)
    }

    /// Years a cohort stays.
    pub fn years_in_school(&self) -> usize {
        self.cohorts.len()
    }

    /// Slot of the cohort that entered in `entry_year`.
    pub fn slot(&self, entry_year: i64) -> usize {
        entry_year.rem_euclid(self.cohorts.len() as i64) as usize
    }

    /// Slot of the newest cohort (entered this year).
    pub fn newest(&self) -> usize {
        self.slot(self.year as i64)
    }

    /// Slot of the leaving cohort (in its final year this year).
    pub fn leaving(&self) -> usize {
        self.slot(self.year as i64 + 1)
    }

    /// Rebuild the grid over open schools and the neighbourhoods' choice sets.
    pub fn refresh_spatial(&mut self, s: &Scenario) {
        self.grid = Grid::new(&self.schools.x, &self.schools.y, &self.schools.open);
        let open = self.schools.open.iter().filter(|o| **o).count();
        let k = (s.choice.choice_set_size as usize).min(open).max(1);
        self.choice_sets = ChoiceSets::build(&self.grid, &self.region.nbhd_x, &self.region.nbhd_y, k);
    }

    fn warm_start(&mut self, s: &Scenario) {
        let y = self.years_in_school() as i64;
        // Year groups already in school at the start: entered in years 2−Y ..= 0.
        for e in (2 - y)..=0 {
            let key = WARM_START_YEAR + (e + y) as u32;
            let slot = self.slot(e);
            self.admit_cohort(s, slot, e as i32, key);
        }
        self.recount(s);
        // Each has learned for 1 − e years by the start of year 1.
        self.terms.compute(s, &self.schools, self.mean_prior, &self.inclusive_gain);
        for e in (2 - y)..=0 {
            let slot = self.slot(e);
            for t in 0..(1 - e) {
                let key = WARM_START_YEAR + (e + y) as u32;
                learning::learn(
                    s,
                    &self.terms,
                    &self.home_bonus,
                    &mut self.cohorts[slot],
                    self.seed,
                    key,
                    t as u64 + 1,
                );
            }
        }
        // First reputations: the published results of the most advanced year group.
        if y >= 2 {
            let slot = self.slot(2 - y);
            publish::results(self.schools.len(), &self.cohorts[slot], &mut self.results);
            publish::publish(s, &mut self.schools, &self.results, 1.0);
        }
        self.events = Events::default();
    }

    /// A new cohort enters at `slot`, families apply, and admissions place it.
    pub(crate) fn admit_cohort(&mut self, s: &Scenario, slot: usize, entry_year: i32, year_key: u32) {
        cohort::enter(
            &mut self.cohorts[slot],
            s,
            &self.region,
            &self.households,
            self.seed,
            year_key,
            entry_year,
            &mut self.scratch,
        );
        choice::apply(
            s,
            &self.schools,
            &self.choice_sets,
            &mut self.cohorts[slot],
            &mut self.applications,
            self.seed,
            year_key,
        );
        admissions::admit(
            s,
            &mut self.schools,
            &self.grid,
            &mut self.cohorts[slot],
            &mut self.applications,
            &mut self.admissions_ws,
            self.seed,
            year_key,
            &mut self.events.admissions,
        );
        self.lost_shares(slot);
    }

    /// Residential moves for this year.
    pub(crate) fn move_households(&mut self, s: &Scenario) {
        residential::step(
            s,
            &self.region,
            &mut self.households,
            &self.schools,
            &self.choice_sets,
            &mut self.residential_ws,
        );
    }

    /// Share of each school's catchment entrants who went elsewhere.
    fn lost_shares(&mut self, slot: usize) {
        let n = self.schools.len();
        let mut local = vec![0u32; n];
        let mut lost = vec![0u32; n];
        let c = &self.cohorts[slot];
        for i in 0..c.len() {
            let home = self.applications.catchment[i];
            if home != NONE {
                local[home as usize] += 1;
                if c.school[i] != home {
                    lost[home as usize] += 1;
                }
            }
        }
        for sid in 0..n {
            self.schools.lost_share[sid] = if local[sid] > 0 { lost[sid] as f64 / local[sid] as f64 } else { 0.0 };
        }
    }

    /// Count every school's roll, by year group and composition.
    pub fn recount(&mut self, s: &Scenario) {
        let n = self.schools.len();
        let groups = s.population.groups.len();
        self.roll_by_slot.iter_mut().for_each(|v| *v = 0);
        let sch = &mut self.schools;
        sch.roll.iter_mut().for_each(|v| *v = 0);
        let mut dis = vec![0u32; n];
        let mut grp = vec![0u32; n * groups];
        let mut prior = vec![0.0f64; n];
        let mut all_prior = 0.0;
        let mut all = 0usize;
        for (slot, c) in self.cohorts.iter().enumerate() {
            for i in 0..c.len() {
                let sid = c.school[i] as usize;
                sch.roll[sid] += 1;
                self.roll_by_slot[slot * n + sid] += 1;
                dis[sid] += u32::from(c.flags[i] & flag::DIS != 0);
                grp[sid * groups + c.group[i] as usize] += 1;
                prior[sid] += c.prior[i] as f64;
                all_prior += c.prior[i] as f64;
                all += 1;
            }
        }
        self.mean_prior = if all > 0 { all_prior / all as f64 } else { 0.0 };
        for sid in 0..n {
            let r = sch.roll[sid];
            if r > 0 {
                sch.adv_share[sid] = 1.0 - dis[sid] as f64 / r as f64;
                sch.peer_mean[sid] = prior[sid] / r as f64;
                for g in 0..groups {
                    sch.group_share[sid * groups + g] = grp[sid * groups + g] as f64 / r as f64;
                }
            }
        }
    }

    /// Autonomous schools exclude hard-to-teach pupils on roll (not this
    /// year's entrants); the district places each at the nearest open
    /// maintained school with room in the pupil's year group.
    pub(crate) fn exclude(&mut self, s: &Scenario) {
        if self.schools.exclusion_rate.iter().all(|r| *r <= 0.0) {
            return;
        }
        let n = self.schools.len();
        let newest = self.newest();
        let below = s.admissions.hard_to_teach_below;
        for slot in 0..self.cohorts.len() {
            if slot == newest {
                continue;
            }
            for i in 0..self.cohorts[slot].len() {
                let c = &self.cohorts[slot];
                let sid = c.school[i] as usize;
                let rate = self.schools.exclusion_rate[sid];
                if rate <= 0.0 || !admissions::hard_to_teach(c, i, below) {
                    continue;
                }
                if hash_unit(&[self.seed, 0xE8C1, self.year as u64, slot as u64, i as u64]) >= rate {
                    continue;
                }
                let roll = &self.roll_by_slot[slot * n..(slot + 1) * n];
                let maintained = |k: usize| !self.schools.autonomous[k] && k != sid;
                let (to, over) =
                    admissions::place_unplaced(&self.schools, &self.grid, c.x[i], c.y[i], roll, Some(&maintained));
                if to as usize == sid {
                    continue;
                }
                self.events.admissions.over_capacity += u32::from(over);
                self.events.admissions.exclusions += 1;
                self.roll_by_slot[slot * n + sid] -= 1;
                self.roll_by_slot[slot * n + to as usize] += 1;
                let c = &mut self.cohorts[slot];
                c.school[i] = to;
                c.flags[i] |= flag::EXCLUDED;
            }
        }
    }

    /// Close the schools in `closing` (already marked closed) and move their
    /// pupils to the nearest open school with room in their year group.
    pub(crate) fn close_schools(&mut self, s: &Scenario) {
        if self.closing.is_empty() {
            return;
        }
        self.refresh_spatial(s);
        let n = self.schools.len();
        for slot in 0..self.cohorts.len() {
            for i in 0..self.cohorts[slot].len() {
                let sid = self.cohorts[slot].school[i] as usize;
                if self.schools.open[sid] {
                    continue;
                }
                let c = &self.cohorts[slot];
                let roll = &self.roll_by_slot[slot * n..(slot + 1) * n];
                let (to, over) = admissions::place_unplaced(&self.schools, &self.grid, c.x[i], c.y[i], roll, None);
                self.events.admissions.over_capacity += u32::from(over);
                self.events.closure_moves += 1;
                self.roll_by_slot[slot * n + sid] -= 1;
                self.roll_by_slot[slot * n + to as usize] += 1;
                self.cohorts[slot].school[i] = to;
            }
        }
        self.recount(s);
    }

    /// Market adaptation, including closures and the moves they cause.
    pub(crate) fn market(&mut self, s: &Scenario) {
        let largest = self.cohorts.iter().map(Cohort::len).max().unwrap_or(0);
        let mut closing = std::mem::take(&mut self.closing);
        let years = self.years_in_school() as u32;
        crate::market::adapt(s, &mut self.schools, years, largest, &mut closing, &mut self.events.market);
        self.closing = closing;
        self.close_schools(s);
    }

    /// One year of learning for every pupil on roll.
    pub(crate) fn learn(&mut self, s: &Scenario) {
        self.terms.compute(s, &self.schools, self.mean_prior, &self.inclusive_gain);
        for slot in 0..self.cohorts.len() {
            learning::learn(
                s,
                &self.terms,
                &self.home_bonus,
                &mut self.cohorts[slot],
                self.seed,
                self.year,
                slot as u64,
            );
        }
    }

    /// Publish the leaving cohort's results; reputations follow.
    pub(crate) fn publish(&mut self, s: &Scenario) {
        let slot = self.leaving();
        publish::results(self.schools.len(), &self.cohorts[slot], &mut self.results);
        publish::publish(s, &mut self.schools, &self.results, s.reputation.update_weight);
    }

    /// Every pupil is in exactly one open school (a check used by tests).
    pub fn check_placement(&self) -> std::result::Result<(), String> {
        for (slot, c) in self.cohorts.iter().enumerate() {
            for i in 0..c.len() {
                let sid = c.school[i];
                if sid == NONE || sid as usize >= self.schools.len() {
                    return Err(format!("pupil {i} of year group {slot} has no school"));
                }
                if !self.schools.open[sid as usize] {
                    return Err(format!("pupil {i} of year group {slot} is in closed school {sid}"));
                }
            }
        }
        Ok(())
    }
}
