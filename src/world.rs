//! The changing state of one replicate: households, pupils (in cohorts of
//! columns), schools, the spatial index, and working memory reused every year.

use crate::admissions::{self, AdmissionCounts, Entrants, Map};
use crate::choice::{self, Applications, Options};
use crate::cohort::{self, Cohort, Scratch, flag};
use crate::error::{Error, Result};
use crate::ids::{MAX_SCHOOLS, NO_TRUST, NONE, SchoolId};
use crate::learning::{self, SchoolTerms};
use crate::market::MarketCounts;
use crate::publish::{self, Results};
use crate::region::{self, CsvRegion, Region};
use crate::residential;
use crate::rng::{CHUNK, Purpose, Year, combine, hash_unit_after};
use crate::scenario::Scenario;
use crate::schools::Schools;
use crate::spatial::{ChoiceSets, Grid};

use rayon::prelude::*;

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
    /// Schools opened.
    pub openings: u32,
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
    /// Households per neighbourhood and type (changes with residential
    /// moves only: see [`World::households`]).
    households: Vec<f32>,
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
    /// Catchment school of each neighbourhood, once boundaries are drawn (a
    /// catchments CSV, or rezoning); `None`: the nearest open school to home.
    pub boundaries: Option<Vec<u32>>,
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
    /// Collaboration state shared by the policies.
    pub collab: crate::ties::Ties,
    /// Entrants' moves between schools this year (counted while partnerships exist).
    pub flows: Flows,
    /// The schools the policy acting now is limited to (its target); empty:
    /// every school. Set by the policy lifecycle around each policy's turn.
    pub targets: Vec<bool>,
    /// The trust of each school while trusts are in force (an index into the
    /// trusts, or [`NO_TRUST`]); empty: no trusts.
    pub trust_of: Vec<u32>,
    /// Districts' years of shortage of places (for openings).
    pub openings: Shortage,
    /// Other columns of a schools CSV, by name: each school's value (schools
    /// opened during the run have none). Empty for a synthetic region.
    pub school_columns: std::collections::BTreeMap<String, Vec<String>>,
    admissions_ws: admissions::Workspace,
    residential_ws: residential::Workspace,
    scratch: Scratch,
    terms: SchoolTerms,
    closing: Vec<u32>,
    tally: Tally,
}

/// Years of shortage of places per district, kept for [`crate::openings`].
#[derive(Debug, Clone, Default)]
pub struct Shortage {
    /// Consecutive years each district has been short of places.
    pub short_years: Vec<u32>,
}

/// Where entrants went this year relative to their catchment school.
#[derive(Debug, Clone, Default)]
pub struct Flows {
    /// Entrants whose catchment school each school is.
    local: Vec<u32>,
    /// (catchment school, school attended, entrants), sorted; only pupils who went elsewhere.
    pairs: Vec<(u32, u32, u32)>,
    moved: Vec<(u32, u32)>,
}

impl Flows {
    fn count(&self, from: u32, to: u32) -> u32 {
        match self.pairs.binary_search_by(|p| (p.0, p.1).cmp(&(from, to))) {
            Ok(k) => self.pairs[k].2,
            Err(_) => 0,
        }
    }

    /// Pupils that schools `i` and `j` won from each other this year, as a
    /// share of `i`'s catchment entrants.
    pub fn share(&self, i: u32, j: u32) -> f64 {
        let local = self.local.get(i as usize).copied().unwrap_or(0).max(1);
        (self.count(i, j) + self.count(j, i)) as f64 / local as f64
    }

    /// For each district, the share of its catchment entrants who crossed to
    /// or came from another district.
    pub fn district_crossing(&self, district: &[u32], districts: usize) -> Vec<f64> {
        let mut local = vec![0u32; districts];
        for (s, n) in self.local.iter().enumerate() {
            local[district[s] as usize] += n;
        }
        let mut crossing = vec![0u32; districts];
        for &(a, b, n) in &self.pairs {
            let (da, db) = (district[a as usize] as usize, district[b as usize] as usize);
            if da != db {
                crossing[da] += n;
                crossing[db] += n;
            }
        }
        (0..districts).map(|d| crossing[d] as f64 / local[d].max(1) as f64).collect()
    }

    fn tally(&mut self, n_schools: usize, catchment: &[SchoolId], school: &[SchoolId]) {
        self.local.clear();
        self.local.resize(n_schools, 0);
        self.moved.clear();
        for (&home, &got) in catchment.iter().zip(school) {
            if home != NONE {
                self.local[home as usize] += 1;
                if got != home {
                    self.moved.push((u32::from(home), u32::from(got)));
                }
            }
        }
        self.moved.sort_unstable();
        self.pairs.clear();
        for &(a, b) in &self.moved {
            match self.pairs.last_mut() {
                Some(last) if last.0 == a && last.1 == b => last.2 += 1,
                _ => self.pairs.push((a, b, 1)),
            }
        }
    }
}

/// Counts of pupils per school: roll, disadvantaged, by group, sum of prior attainment.
#[derive(Debug, Clone, Default)]
struct Tally {
    groups: usize,
    roll: Vec<u32>,
    dis: Vec<u32>,
    group: Vec<u32>,
    prior: Vec<f64>,
}

impl Tally {
    fn reset(&mut self, n: usize, groups: usize) {
        self.groups = groups;
        for v in [&mut self.roll, &mut self.dis] {
            v.clear();
            v.resize(n, 0);
        }
        self.group.clear();
        self.group.resize(n * groups, 0);
        self.prior.clear();
        self.prior.resize(n, 0.0);
    }

    /// The counts of year group `c` in `n` schools: its pupils are counted
    /// by school in a cell of (disadvantaged or not, group) each, one count
    /// a pupil, from which the rolls, disadvantaged and group counts are
    /// summed (the same whole numbers); the priors are summed in pupil order.
    fn of(c: &Cohort, n: usize, groups: usize) -> Tally {
        let mut t = Tally::default();
        t.reset(n, groups);
        let prior = &mut t.prior[..n];
        let mut cells = vec![0u32; n * 2 * groups];
        for (((&s, &f), &g), &p) in c.school.iter().zip(&c.flags).zip(&c.group).zip(&c.prior) {
            let sid = s as usize;
            let dis = usize::from(f & flag::DIS != 0);
            cells[(sid * 2 + dis) * groups + g as usize] += 1;
            prior[sid] += p as f64;
        }
        for (sid, cells) in cells.chunks_exact(2 * groups).enumerate() {
            for (j, &k) in cells.iter().enumerate() {
                t.roll[sid] += k;
                t.dis[sid] += if j >= groups { k } else { 0 };
                t.group[sid * groups + j % groups] += k;
            }
        }
        t
    }

    fn add(&mut self, o: &Tally) {
        for (a, b) in self.roll.iter_mut().zip(&o.roll) {
            *a += b;
        }
        for (a, b) in self.dis.iter_mut().zip(&o.dis) {
            *a += b;
        }
        for (a, b) in self.group.iter_mut().zip(&o.group) {
            *a += b;
        }
        for (a, b) in self.prior.iter_mut().zip(&o.prior) {
            *a += b;
        }
    }
}

impl World {
    /// Build the world of a replicate: region, schools, and the year groups
    /// already in school (the warm start, see `docs/ODD.md`).
    pub fn new(s: &Scenario, csv: Option<&CsvRegion>, seed: u64) -> Result<World> {
        let mut region = region::build(s, csv, seed)?;
        let intake = if s.schools.effectiveness_intake_correlation != 0.0 {
            crate::schools::local_advantage(&region)
        } else {
            Vec::new()
        };
        let schools = Schools::new(s, &region, seed, &intake);
        if schools.len() > MAX_SCHOOLS {
            return Err(Error::input(
                None,
                "region.schools",
                format!("the region has {} schools", schools.len()),
                format!("at most {MAX_SCHOOLS} schools (school ids are 16-bit)"),
            ));
        }
        let y = s.population.years_in_school as usize;
        let n_schools = schools.len();
        // The region's households are the world's at the start: moved, not
        // copied (they are the region's largest array). Residential moves
        // keep the housing stock they give.
        let households = std::mem::take(&mut region.households);
        let residential_ws = residential::Workspace::new(&households, region.types());
        let mut w = World {
            year: 0,
            seed,
            households,
            home_bonus: vec![0.0; region.len()],
            inclusive_gain: vec![0.0; n_schools],
            practice_bonus: vec![0.0; n_schools],
            region,
            schools,
            grid: Grid::default(),
            choice_sets: ChoiceSets::default(),
            boundaries: None,
            cohorts: (0..y).map(|_| Cohort::default()).collect(),
            applications: Applications::default(),
            roll_by_slot: vec![0; y * n_schools],
            mean_prior: 0.0,
            results: Results::default(),
            events: Events::default(),
            admissions_ws: admissions::Workspace::default(),
            residential_ws,
            scratch: Scratch::default(),
            terms: SchoolTerms::default(),
            closing: Vec::new(),
            tally: Tally::default(),
            collab: Default::default(),
            flows: Flows::default(),
            targets: Vec::new(),
            trust_of: Vec::new(),
            openings: Default::default(),
            school_columns: csv.map(|c| c.school_columns.clone()).unwrap_or_default(),
        };
        w.boundaries = w.region.catchment.clone();
        w.refresh_spatial(s);
        w.warm_start(s);
        Ok(w)
    }

    /// A change of the timeline takes effect: what the world holds from the
    /// scenario (schools' admission rules, the choice sets) follows it.
    /// Everything else the model reads from the scenario in force each year.
    pub(crate) fn apply_change(&mut self, old: &Scenario, new: &Scenario) {
        let (a, b) = (&old.admissions, &new.admissions);
        if a.cream_skimming != b.cream_skimming || a.exclusion_rate != b.exclusion_rate || a.banding != b.banding {
            let sch = &mut self.schools;
            for i in 0..sch.len() {
                let au = sch.autonomous[i];
                sch.cream_skimming[i] = if au { b.cream_skimming } else { 0.0 };
                sch.exclusion_rate[i] = if au { b.exclusion_rate } else { 0.0 };
                sch.banded[i] = b.banding;
            }
        }
        if old.choice.choice_set_size != new.choice.choice_set_size {
            self.refresh_spatial(new);
        }
    }

    /// True if school `i` takes part in the policy acting now (its target).
    pub fn takes_part(&self, i: usize) -> bool {
        self.targets.get(i).copied().unwrap_or(self.targets.is_empty())
    }

    /// Open schools taking part in the policy acting now (see [`World::takes_part`]).
    pub fn taking_part(&self) -> impl Iterator<Item = usize> + '_ {
        self.schools.open_ids().filter(|&i| self.takes_part(i))
    }

    /// Each neighbourhood's housing stock (its initial households, in all),
    /// which residential moves respect.
    pub fn housing_stock(&self) -> &[f64] {
        self.residential_ws.stock()
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
        let at = Year { seed: self.seed, year: year_key };
        cohort::enter(&mut self.cohorts[slot], s, &self.region, &self.households, at, entry_year, &mut self.scratch);
        let options =
            Options { schools: &self.schools, sets: &self.choice_sets, boundaries: self.boundaries.as_deref() };
        let cohort = &mut self.cohorts[slot];
        choice::apply(s, options, cohort, &self.scratch.ses_pct, &mut self.applications, at);
        // The entrants' SES percentiles are read by choice alone: freed until
        // the next cohort enters (a number a pupil, not held the rest of the year).
        self.scratch.ses_pct = Vec::new();
        admissions::admit(
            s,
            &mut self.schools,
            Map { grid: &self.grid, sets: &self.choice_sets },
            Entrants { cohort, apps: &mut self.applications },
            &mut self.admissions_ws,
            at,
            &mut self.events.admissions,
        );
        self.lost_shares(slot);
    }

    /// Households per neighbourhood and type, `region.types()` a
    /// neighbourhood (read-only: only residential moves change them, and
    /// cohort entry keeps their sums until they do).
    pub fn households(&self) -> &[f32] {
        &self.households
    }

    /// Residential moves for this year.
    pub(crate) fn move_households(&mut self, s: &Scenario) {
        self.scratch.households.stale();
        residential::step(
            s,
            &self.region,
            &mut self.households,
            &self.schools,
            &self.choice_sets,
            &mut self.residential_ws,
        );
    }

    /// Start of the policy phase: clear the temporary adjustments and this
    /// year's collaboration tallies.
    pub(crate) fn begin_policies(&mut self) {
        self.schools.adjustment.iter_mut().for_each(|a| *a = 0.0);
        self.collab.begin_year(self.schools.len());
    }

    /// Share of each school's catchment entrants who went elsewhere.
    fn lost_shares(&mut self, slot: usize) {
        if self.collab.active {
            let c = &self.cohorts[slot];
            self.flows.tally(self.schools.len(), &self.applications.catchment, &c.school);
        }
        let n = self.schools.len();
        let (catchment, school) = (&self.applications.catchment, &self.cohorts[slot].school);
        // Counted in parallel: each school's local entrants, then those it lost, then those it gained.
        let counts = admissions::par_counts(school.len(), 3 * n, |i, acc| {
            let (home, went) = (catchment[i] as usize, school[i] as usize);
            if catchment[i] != NONE {
                acc[home] += 1;
                if went != home {
                    acc[n + home] += 1;
                    if went < n {
                        acc[2 * n + went] += 1;
                    }
                }
            }
        });
        let (local, rest) = counts.split_at(n);
        let (lost, gained) = rest.split_at(n);
        for sid in 0..n {
            let l = local[sid].max(1) as f64;
            self.schools.lost_share[sid] = if local[sid] > 0 { lost[sid] as f64 / l } else { 0.0 };
            self.schools.net_loss[sid] = (lost[sid].saturating_sub(gained[sid]) as f64 / l).min(1.0);
        }
    }

    /// Count every school's roll, by year group and composition, from the
    /// pupils (year groups counted in parallel, added in a fixed order).
    pub fn recount(&mut self, s: &Scenario) {
        let n = self.schools.len();
        let groups = s.population.groups.len();
        let partial: Vec<Tally> = self.cohorts.par_iter().map(|c| Tally::of(c, n, groups)).collect();
        let t = &mut self.tally;
        t.reset(n, groups);
        self.roll_by_slot.iter_mut().for_each(|v| *v = 0);
        for (slot, p) in partial.iter().enumerate() {
            t.add(p);
            self.roll_by_slot[slot * n..(slot + 1) * n].copy_from_slice(&p.roll);
        }
        self.update_shares();
    }

    /// Move pupil `i` of year group `slot` from its school to `to`, keeping the counts.
    fn move_pupil(&mut self, slot: usize, i: usize, to: SchoolId) {
        let n = self.schools.len();
        let c = &mut self.cohorts[slot];
        let from = c.school[i] as usize;
        let to_u = to as usize;
        c.school[i] = to;
        self.roll_by_slot[slot * n + from] -= 1;
        self.roll_by_slot[slot * n + to_u] += 1;
        let g = self.tally.groups;
        let t = &mut self.tally;
        t.roll[from] -= 1;
        t.roll[to_u] += 1;
        if c.flags[i] & flag::DIS != 0 {
            t.dis[from] -= 1;
            t.dis[to_u] += 1;
        }
        let gi = c.group[i] as usize;
        t.group[from * g + gi] -= 1;
        t.group[to_u * g + gi] += 1;
        t.prior[from] -= c.prior[i] as f64;
        t.prior[to_u] += c.prior[i] as f64;
    }

    /// Schools' rolls and composition shares from the counts.
    fn update_shares(&mut self) {
        let t = &self.tally;
        let g = t.groups;
        let sch = &mut self.schools;
        sch.roll.copy_from_slice(&t.roll);
        let total: u64 = t.roll.iter().map(|r| *r as u64).sum();
        self.mean_prior = if total > 0 { t.prior.iter().sum::<f64>() / total as f64 } else { 0.0 };
        for sid in 0..sch.len() {
            let r = t.roll[sid];
            if r > 0 {
                sch.adv_share[sid] = 1.0 - t.dis[sid] as f64 / r as f64;
                sch.peer_mean[sid] = t.prior[sid] / r as f64;
                for k in 0..g {
                    sch.group_share[sid * g + k] = t.group[sid * g + k] as f64 / r as f64;
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
            // Who is excluded does not depend on earlier exclusions: found in
            // parallel (a chunk of pupils at a time, in order), then placed
            // one by one in order.
            let rates = &self.schools.exclusion_rate;
            // The draws' key but the pupil, combined once.
            let key = combine(&[self.seed, Purpose::Exclusions as u64, self.year as u64, slot as u64]);
            let c = &self.cohorts[slot];
            let excluded: Vec<Vec<u32>> = c
                .school
                .par_chunks(CHUNK)
                .enumerate()
                .map(|(k, school)| {
                    let first = k * CHUNK;
                    let end = first + school.len();
                    let mut out = Vec::new();
                    // Hard to teach as `admissions::hard_to_teach` has it.
                    let pupils = school.iter().zip(&c.flags[first..end]).zip(&c.prior[first..end]);
                    for (i, ((&sid, &f), &p)) in (first..).zip(pupils) {
                        let rate = rates[sid as usize];
                        if rate > 0.0
                            && (f & flag::SEN != 0 || (p as f64) < below)
                            && hash_unit_after(key, &[i as u64]) < rate
                        {
                            out.push(i as u32);
                        }
                    }
                    out
                })
                .collect();
            for i in excluded.into_iter().flatten() {
                let i = i as usize;
                let c = &self.cohorts[slot];
                let sid = c.school[i] as usize;
                let roll = &self.roll_by_slot[slot * n..(slot + 1) * n];
                let maintained = |k: usize| !self.schools.autonomous[k] && k != sid;
                let (to, over) =
                    admissions::place_unplaced(&self.schools, &self.grid, c.x[i], c.y[i], roll, Some(&maintained));
                if to as usize == sid {
                    continue;
                }
                self.events.admissions.over_capacity += u32::from(over);
                self.events.admissions.exclusions += 1;
                self.move_pupil(slot, i, to);
                self.cohorts[slot].flags[i] |= flag::EXCLUDED;
            }
        }
        self.update_shares();
    }

    /// Close the schools in `closing` (already marked closed) and move their
    /// pupils to the nearest open school with room in their year group.
    pub(crate) fn close_schools(&mut self, s: &Scenario) {
        if self.closing.is_empty() {
            return;
        }
        let open = self.schools.open.iter().filter(|o| **o).count();
        if open < self.choice_sets.k {
            self.refresh_spatial(s);
        } else {
            self.grid = Grid::new(&self.schools.x, &self.schools.y, &self.schools.open);
            self.choice_sets.repair(&self.grid, &self.region.nbhd_x, &self.region.nbhd_y, &self.schools.open);
        }
        self.redraw_closed_catchments();
        let n = self.schools.len();
        // Who is in a closed school does not change as others move: found in
        // every year group side by side, then moved one by one in order.
        let open = &self.schools.open;
        let moving: Vec<Vec<u32>> = self
            .cohorts
            .par_iter()
            .map(|c| (0..c.len() as u32).filter(|&i| !open[c.school[i as usize] as usize]).collect())
            .collect();
        for (slot, moving) in moving.into_iter().enumerate() {
            for i in moving {
                let i = i as usize;
                let c = &self.cohorts[slot];
                let roll = &self.roll_by_slot[slot * n..(slot + 1) * n];
                let (to, over) = admissions::place_unplaced(&self.schools, &self.grid, c.x[i], c.y[i], roll, None);
                self.events.admissions.over_capacity += u32::from(over);
                self.events.closure_moves += 1;
                self.move_pupil(slot, i, to);
            }
        }
        self.update_shares();
    }

    /// Neighbourhoods whose catchment school has closed take the nearest open
    /// school to their centre.
    fn redraw_closed_catchments(&mut self) {
        let Some(b) = &mut self.boundaries else { return };
        for (k, home) in b.iter_mut().enumerate() {
            if !self.schools.open[*home as usize] {
                let (x, y) = (self.region.nbhd_x[k] as f64, self.region.nbhd_y[k] as f64);
                if let Some((_, sid)) = self.grid.nearest_where(x, y, |_| true) {
                    *home = sid;
                }
            }
        }
    }

    /// Add schools opened this year: every per-school array grows; the new
    /// schools join the grid, the choice sets and (where boundaries are drawn)
    /// the catchments of the neighbourhoods they are now nearest to.
    /// No school opens once the world holds [`MAX_SCHOOLS`] (ids are 16-bit).
    pub(crate) fn open_schools(&mut self, s: &Scenario, new: &[crate::schools::NewSchool]) {
        let new = &new[..new.len().min(MAX_SCHOOLS.saturating_sub(self.schools.len()))];
        if new.is_empty() {
            return;
        }
        let old = self.schools.len();
        for ns in new {
            self.schools.push(s, ns);
        }
        let n = self.schools.len();
        self.inclusive_gain.resize(n, 0.0);
        self.practice_bonus.resize(n, 0.0);
        if !self.targets.is_empty() {
            self.targets.resize(n, false); // a new school is in no policy's target
        }
        if !self.trust_of.is_empty() {
            self.trust_of.resize(n, NO_TRUST);
        }
        let y = self.years_in_school();
        let mut by_slot = vec![0u32; y * n];
        for slot in 0..y {
            by_slot[slot * n..slot * n + old].copy_from_slice(&self.roll_by_slot[slot * old..(slot + 1) * old]);
        }
        self.roll_by_slot = by_slot;
        let t = &mut self.tally;
        t.roll.resize(n, 0);
        t.dis.resize(n, 0);
        t.prior.resize(n, 0.0);
        t.group.resize(n * t.groups, 0); // school-major: new schools at the end
        self.events.openings += new.len() as u32;
        self.grid = Grid::new(&self.schools.x, &self.schools.y, &self.schools.open);
        // Drawn catchments: a neighbourhood now nearest to a new school takes
        // it (a tie goes to the old school, the lower id, as `nearest_where`
        // would; the old nearest is the first of the choice set before it is updated).
        if let Some(b) = &mut self.boundaries {
            let (nx, ny, grid, sets) = (&self.region.nbhd_x, &self.region.nbhd_y, &self.grid, &self.choice_sets);
            for (k, home) in b.iter_mut().enumerate() {
                let (x, y) = (nx[k] as f64, ny[k] as f64);
                let mut best = sets.of(k as u32).first().map_or(f64::INFINITY, |&i| grid.dist(u32::from(i), x, y));
                for j in old as u32..n as u32 {
                    let d = grid.dist(j, x, y);
                    if d < best {
                        best = d;
                        *home = j;
                    }
                }
            }
        }
        let open = self.schools.open.iter().filter(|o| **o).count();
        if (s.choice.choice_set_size as usize).min(open).max(1) == self.choice_sets.k {
            self.choice_sets.add(&self.grid, &self.region.nbhd_x, &self.region.nbhd_y, old as u32..n as u32);
        } else {
            self.refresh_spatial(s);
        }
    }

    /// Market adaptation, including closures and the moves they cause (the
    /// yearly step then runs openings, if switched on: [`crate::openings`]).
    pub(crate) fn market(&mut self, s: &Scenario) {
        // Schools opened during the run gain a year group a year.
        let y = self.years_in_school() as u32;
        for g in self.schools.year_groups.iter_mut().filter(|g| **g < y) {
            *g += 1;
        }
        let largest = self.cohorts.iter().map(Cohort::len).max().unwrap_or(0);
        let mut closing = std::mem::take(&mut self.closing);
        crate::market::adapt(s, &mut self.schools, largest, &mut closing, &mut self.events.market);
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

    /// One year of within-school improvement (practice towards knowledge,
    /// with the practice-rate bonuses of within-school collaboration).
    pub(crate) fn improve(&mut self, s: &Scenario) {
        crate::improvement::apply(s, &mut self.schools, &self.practice_bonus, self.seed, self.year);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A year group's counts through cells are each pupil counted in its
    /// school's roll, disadvantaged and group counts, with three groups; the
    /// priors summed in pupil order.
    #[test]
    fn tally_counts_each_pupil() {
        let (n, groups) = (6usize, 3usize);
        let mut state = 9u64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let k = 500;
        let c = Cohort {
            school: (0..k).map(|_| next(n as u64) as _).collect(),
            flags: (0..k).map(|_| next(32) as u8).collect(),
            group: (0..k).map(|_| next(groups as u64) as u8).collect(),
            prior: (0..k).map(|_| next(1000) as f32 / 300.0 - 1.5).collect(),
            ..Default::default()
        };
        let t = Tally::of(&c, n, groups);
        let (mut roll, mut dis, mut group, mut prior) =
            (vec![0u32; n], vec![0u32; n], vec![0u32; n * groups], vec![0.0f64; n]);
        for i in 0..k {
            let sid = c.school[i] as usize;
            roll[sid] += 1;
            dis[sid] += u32::from(c.flags[i] & flag::DIS != 0);
            group[sid * groups + c.group[i] as usize] += 1;
            prior[sid] += c.prior[i] as f64;
        }
        assert_eq!((t.roll, t.dis, t.group), (roll, dis, group));
        assert_eq!(
            t.prior.iter().map(|p| p.to_bits()).collect::<Vec<_>>(),
            prior.iter().map(|p| p.to_bits()).collect::<Vec<_>>()
        );
    }
}
