//! Admissions: assigning the entering cohort to schools.
//!
//! The mechanism ([`deferred_acceptance`], [`boston`], or catchment, which is
//! Boston with a one-school list) runs over *seat pools*: one per school, or
//! one per prior-attainment band at a school that admits by banding. Schools
//! rank applicants by a priority key built from the scenario's priority list
//! ([`priority_key`]); autonomous schools that cream-skim demote hard-to-teach
//! applicants first. Pupils left without a seat are placed by their district
//! at the nearest open school with room, over capacity only if no school has
//! room ([`place_unplaced`]). After admissions every pupil is in exactly one
//! school.

pub mod boston;
pub mod deferred_acceptance;

use crate::choice::Applications;
use crate::cohort::{Cohort, flag};
use crate::ids::{NONE, SchoolId};
use crate::rng::{CHUNK, Purpose, Year, combine, hash_unit_after};
use crate::scenario::{Mechanism, Priority, Scenario};
use crate::schools::Schools;
use crate::spatial::{ChoiceSets, Grid, Vacancies};

use rayon::prelude::*;

/// Counts of what happened in admissions this year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdmissionCounts {
    /// Pupils placed by the district, by disadvantage (advantaged, disadvantaged).
    pub unplaced: [u32; 2],
    /// Pupils placed over a school's capacity.
    pub over_capacity: u32,
    /// Pupils excluded from an autonomous school this year.
    pub exclusions: u32,
}

/// Working memory of admissions: what is a number a school is reused from
/// year to year; deferred acceptance's seat pools are freed after each run.
#[derive(Debug, Default)]
pub struct Workspace {
    da: deferred_acceptance::Workspace,
    boston: boston::Workspace,
    pool_start: Vec<u32>,
    capacity: Vec<u32>,
    order: Vec<u32>,
    hard: Vec<u32>,
}

/// The priority rules of each kind of school.
struct Rules<'a> {
    maintained: &'a [Priority],
    autonomous: &'a [Priority],
}

/// Quantise `v` in `[lo, hi]` to `bits` bits, higher values higher.
#[inline]
fn quantise(v: f32, lo: f32, hi: f32, bits: u32) -> u128 {
    let top = ((1u64 << bits) - 1) as f64;
    // At most 2^bits − 1 (bits ≤ 20): through u64, the same value as a
    // direct conversion to u128, without its software routine.
    (((((v.clamp(lo, hi) - lo) / (hi - lo)) as f64) * top) as u64) as u128
}

/// Whether a pupil counts as hard to teach (SEN, or prior attainment below the threshold).
#[inline]
pub fn hard_to_teach(cohort: &Cohort, i: usize, below: f64) -> bool {
    cohort.flags[i] & flag::SEN != 0 || (cohort.prior[i] as f64) < below
}

/// What a school's priority for an applicant depends on besides the
/// school's rules (see [`priority_key`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Applicant {
    /// Demoted by the school's cream-skimming.
    pub demoted: bool,
    /// The school is the applicant's catchment school.
    pub in_catchment: bool,
    /// The applicant is disadvantaged.
    pub disadvantaged: bool,
    /// Distance from home to the school, km.
    pub distance_km: f32,
    /// Prior attainment, SD units.
    pub prior: f32,
    /// The applicant's lottery number.
    pub lottery: u32,
    /// The applicant's index in its cohort.
    pub pupil: u32,
}

/// A school's priority key for applicant `a`: higher is admitted first.
///
/// From the most significant bits down: not demoted by cream-skimming; for a
/// selective school, prior attainment; then each priority of the school's list
/// in order (catchment: 1 bit; disadvantaged: 1 bit; distance: 20 bits, about
/// 1 m up to 1,000 km; attainment: 16 bits; lottery: 12 bits; at most 67 bits
/// in all); then the pupil's full 32-bit lottery number and 29 bits of its
/// index, so that keys are distinct.
#[inline]
pub fn priority_key(priorities: &[Priority], selective: bool, a: &Applicant) -> u128 {
    (priority_part(priorities, selective, a) << 61)
        | ((a.lottery as u128) << 29)
        | ((u32::MAX - a.pupil) & PUPIL_BITS) as u128
}

/// The part of [`priority_key`] above the lottery number: the demotion bit,
/// prior attainment at a selective school and the school's criteria
/// ([`priority_bits`] bits).
#[inline(always)]
pub fn priority_part(priorities: &[Priority], selective: bool, a: &Applicant) -> u128 {
    let mut k: u128 = u128::from(!a.demoted);
    if selective {
        k = (k << 16) | quantise(a.prior, -8.0, 8.0, 16);
    }
    // The usual list, catchment then distance, without the loop over the list.
    if let [Priority::Catchment, Priority::Distance] = priorities {
        let near = ((1 << 20) - 1) - quantise(a.distance_km, 0.0, 1000.0, 20);
        return (((k << 1) | u128::from(a.in_catchment)) << 20) | near;
    }
    criteria_part(k, priorities, a)
}

/// `k` followed by the bits of each criterion of `priorities` in order.
#[inline(always)]
fn criteria_part(mut k: u128, priorities: &[Priority], a: &Applicant) -> u128 {
    for p in priorities {
        k = match p {
            Priority::Catchment => (k << 1) | u128::from(a.in_catchment),
            Priority::Disadvantaged => (k << 1) | u128::from(a.disadvantaged),
            Priority::Distance => (k << 20) | (((1 << 20) - 1) - quantise(a.distance_km, 0.0, 1000.0, 20)),
            Priority::Attainment => (k << 16) | quantise(a.prior, -8.0, 8.0, 16),
            Priority::Lottery => (k << 12) | (a.lottery >> 20) as u128,
        };
    }
    k
}

/// How many bits [`priority_part`] takes for these rules.
pub fn priority_bits(priorities: &[Priority], selective: bool) -> u32 {
    let criteria: u32 = priorities
        .iter()
        .map(|p| match p {
            Priority::Catchment | Priority::Disadvantaged => 1,
            Priority::Distance => 20,
            Priority::Attainment => 16,
            Priority::Lottery => 12,
        })
        .sum();
    1 + if selective { 16 } else { 0 } + criteria
}

/// Keys of 64 bits in the order of [`priority_key`], for markets whose
/// priority parts leave room: from the most significant bits down, the
/// priority part, the top `lottery_bits` bits of the lottery number, and the
/// pupil's index (lower first) in `pupil_bits` bits. Two keys equal down to
/// the pupil are ordered by their full lottery numbers, then by the pupil,
/// as [`priority_key`] orders them. Half the memory of a [`priority_key`]
/// for each seat held in deferred acceptance.
#[derive(Debug, Clone, Copy)]
pub struct ShortKeys {
    pupil_bits: u32,
    lottery_bits: u32,
    /// The low bits that name the pupil.
    mask: u32,
}

impl ShortKeys {
    /// Fewest bits of the lottery number kept for short keys to be used
    /// (fewer would leave more ties to look up).
    const MIN_LOTTERY_BITS: u32 = 12;

    /// Short keys for `n` pupils and priority parts of at most
    /// `priority_bits` bits, if they fit.
    pub fn new(priority_bits: u32, n: usize) -> Option<ShortKeys> {
        let pupil_bits = (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1);
        let lottery_bits = 64u32.checked_sub(priority_bits + pupil_bits)?.min(32);
        let mask = ((1u64 << pupil_bits) - 1) as u32;
        (lottery_bits >= Self::MIN_LOTTERY_BITS).then_some(ShortKeys { pupil_bits, lottery_bits, mask })
    }

    /// The key of a pupil with priority part `part`, lottery number `lottery` and index `pupil`.
    #[inline]
    pub fn key(self, part: u128, lottery: u32, pupil: u32) -> u64 {
        let (p, l) = (self.pupil_bits, self.lottery_bits);
        ((part as u64) << (l + p)) | (u64::from(lottery >> (32 - l)) << p) | u64::from(self.mask - pupil)
    }

    /// The pupil a key names.
    #[inline]
    pub fn pupil(self, k: u64) -> u32 {
        self.mask - (k as u32 & self.mask)
    }

    /// Whether key `a` comes before (is lower than) key `b`, `lottery`
    /// holding the pupils' lottery numbers.
    #[inline]
    pub fn less(self, a: u64, b: u64, lottery: &[u32]) -> bool {
        // The keys differ above the pupil's bits (nearly always).
        if a ^ b > u64::from(self.mask) {
            return a < b;
        }
        let (la, lb) = (lottery[self.pupil(a) as usize], lottery[self.pupil(b) as usize]);
        if la != lb { la < lb } else { a < b }
    }
}

/// The low bits of a priority key that name its pupil.
const PUPIL_BITS: u32 = (1 << 29) - 1;

/// The pupil a [`priority_key`] names (cohorts are far smaller than 2^29
/// pupils: at most 10 million entrants a year).
#[inline]
pub fn key_pupil(k: u128) -> u32 {
    PUPIL_BITS - (k as u32 & PUPIL_BITS)
}

/// One year's admissions market over seat pools, as the mechanisms
/// ([`deferred_acceptance::run`], [`boston::run`]) see it.
pub struct Market<'c, L, P, K> {
    /// Pupils.
    pub n: usize,
    /// `list(i)`: pupil i's ranked schools.
    pub list: L,
    /// `pool(i, s)`: the seat pool pupil i would take at school s.
    pub pool: P,
    /// `capacity[p]`: seats in pool p.
    pub capacity: &'c [u32],
    /// `key(i, s)`: school s's priority for pupil i, higher first, all
    /// distinct for one pool.
    pub key: K,
}

/// Where the district places pupils: the grid over open schools and each
/// neighbourhood's choice set.
#[derive(Debug, Clone, Copy)]
pub struct Map<'a> {
    /// The grid over open schools.
    pub grid: &'a Grid,
    /// Each neighbourhood's nearest open schools.
    pub sets: &'a ChoiceSets,
}

/// The entering cohort and its applications, which admissions complete.
#[derive(Debug)]
pub struct Entrants<'a> {
    /// The entering cohort.
    pub cohort: &'a mut Cohort,
    /// Its applications.
    pub apps: &'a mut Applications,
}

/// What a school's priority key for an applicant is built from.
struct Ranker<'a> {
    schools: &'a Schools,
    cohort: &'a Cohort,
    apps: &'a Applications,
    rules: &'a Rules<'a>,
    below: f64,
    /// The cream-skimming draws' key but the applicant and school, combined once.
    draws: u64,
}

impl Ranker<'_> {
    /// School `sid`'s rules (its priority list and whether it selects) and
    /// pupil i as its applicant.
    #[inline(always)]
    fn applicant(&self, i: usize, sid: SchoolId) -> (&[Priority], bool, Applicant) {
        let (schools, cohort, apps) = (self.schools, self.cohort, self.apps);
        let su = sid as usize;
        let skim = schools.cream_skimming[su];
        let demoted = skim > 0.0
            && hard_to_teach(cohort, i, self.below)
            && hash_unit_after(self.draws, &[i as u64, sid as u64]) < skim;
        let prios = if schools.autonomous[su] { self.rules.autonomous } else { self.rules.maintained };
        let applicant = Applicant {
            demoted,
            in_catchment: apps.catchment[i] == sid,
            disadvantaged: cohort.dis(i),
            distance_km: schools.dist(u32::from(sid), cohort.x[i], cohort.y[i]),
            prior: cohort.prior[i],
            lottery: apps.lottery[i],
            pupil: i as u32,
        };
        (prios, schools.selective[su], applicant)
    }
}

/// Admit the entering cohort: run the mechanism, then place the unplaced.
/// Sets `cohort.school`, `apps.rank`, `schools.intake` and `schools.first_prefs`.
pub fn admit(
    s: &Scenario,
    schools: &mut Schools,
    map: Map<'_>,
    entrants: Entrants<'_>,
    ws: &mut Workspace,
    at: Year,
    counts: &mut AdmissionCounts,
) {
    let Entrants { cohort, apps } = entrants;
    let n = cohort.len();
    let bands = s.admissions.bands.max(1) as usize;
    seat_pools(schools, bands, ws);
    count_first_preferences(apps, n, schools);
    let rules = Rules { maintained: s.priorities_for(false), autonomous: s.priorities_for(true) };
    let below = s.admissions.hard_to_teach_below;
    let mut assigned = std::mem::take(&mut cohort.school);
    let mut rank = std::mem::take(&mut apps.rank);
    let schools_ref: &Schools = schools;
    let cohort_ref: &Cohort = cohort;
    let apps_ref: &Applications = apps;
    let pool_start = &ws.pool_start;
    // The cream-skimming draws' key but the applicant and school, combined once.
    let draws = combine(&[at.seed, Purpose::Admissions as u64, at.year as u64]);
    let pool = |i: usize, sid: SchoolId| {
        let base = pool_start[sid as usize] as usize;
        if schools_ref.banded[sid as usize] && bands > 1 { base + cohort_ref.band[i] as usize } else { base }
    };
    let ranker = Ranker { schools: schools_ref, cohort: cohort_ref, apps: apps_ref, rules: &rules, below, draws };
    let key = |i: usize, sid: SchoolId| {
        let (prios, selective, a) = ranker.applicant(i, sid);
        priority_key(prios, selective, &a)
    };
    let list = |i| apps_ref.list(i);
    let market = Market { n, list, pool, capacity: &ws.capacity, key };
    let selective = schools.selective.iter().any(|&x| x);
    let widest = priority_bits(rules.maintained, selective).max(priority_bits(rules.autonomous, selective));
    match (s.admissions.mechanism, ShortKeys::new(widest, n)) {
        (Mechanism::DeferredAcceptance, Some(short)) => {
            let lottery = &apps_ref.lottery[..];
            let key = |i: usize, sid: SchoolId| {
                let (prios, selective, a) = ranker.applicant(i, sid);
                short.key(priority_part(prios, selective, &a), a.lottery, a.pupil)
            };
            let market = Market { n, list, pool, capacity: &ws.capacity, key };
            let order = (|k| short.pupil(k), |a, b| short.less(a, b, lottery));
            deferred_acceptance::run_by(&market, order, &mut assigned, &mut rank, &mut ws.da)
        }
        (Mechanism::DeferredAcceptance, None) => {
            deferred_acceptance::run(&market, key_pupil, &mut assigned, &mut rank, &mut ws.da)
        }
        (Mechanism::Boston | Mechanism::Catchment, _) => boston::run(&market, &mut assigned, &mut rank, &mut ws.boston),
    }
    cohort.school = assigned;
    apps.rank = rank;
    let school = &cohort.school;
    let intake = par_counts(n, schools.len(), |i, acc| {
        if school[i] != NONE {
            acc[school[i] as usize] += 1;
        }
    });
    schools.intake.copy_from_slice(&intake);
    place_the_rest(s, schools, map, Entrants { cohort, apps }, ws, counts);
}

/// The seat pools of the year: one per school, or one per band at banded
/// schools, with their capacities (a closed school has none).
fn seat_pools(schools: &Schools, bands: usize, ws: &mut Workspace) {
    ws.pool_start.clear();
    ws.capacity.clear();
    for sid in 0..schools.len() {
        ws.pool_start.push(ws.capacity.len() as u32);
        let cap = if schools.open[sid] { schools.capacity[sid] } else { 0 };
        if schools.banded[sid] && bands > 1 {
            // Equal quotas per band (bands are equal shares of the cohort).
            for b in 0..bands {
                let q = cap as usize * (b + 1) / bands - cap as usize * b / bands;
                ws.capacity.push(q as u32);
            }
        } else {
            ws.capacity.push(cap);
        }
    }
}

/// Each school's first preferences (`schools.first_prefs`).
fn count_first_preferences(apps: &Applications, n: usize, schools: &mut Schools) {
    let l = apps.list_length.max(1);
    let rows = &apps.lists[..n * l];
    let firsts = par_counts(n, schools.len(), |i, acc| {
        if rows[i * l] != NONE {
            acc[rows[i * l] as usize] += 1;
        }
    });
    schools.first_prefs.copy_from_slice(&firsts);
}

/// Whole-number counts over pupils `0..n` into `bins` bins: `add(i, counts)`
/// counts pupil i, in parallel pieces of [`CHUNK`] pupils whose counts are
/// then summed (whole numbers: the sum does not depend on the pieces).
pub fn par_counts(n: usize, bins: usize, add: impl Fn(usize, &mut [u32]) + Sync) -> Vec<u32> {
    (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .fold(
            || vec![0u32; bins],
            |mut acc, c| {
                for i in c * CHUNK..((c + 1) * CHUNK).min(n) {
                    add(i, &mut acc);
                }
                acc
            },
        )
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
            a
        })
        .unwrap_or_else(|| vec![0; bins])
}

/// The pupils the mechanism left unplaced, placed by the district in lottery
/// order (each counted in `counts.unplaced`). Under a fair access agreement,
/// hard-to-teach pupils go to the nearby member school with room that has
/// taken the fewest of them so far; the rest to the nearest school with room.
fn place_the_rest(
    s: &Scenario,
    schools: &mut Schools,
    map: Map<'_>,
    entrants: Entrants<'_>,
    ws: &mut Workspace,
    counts: &mut AdmissionCounts,
) {
    let (Map { grid, sets }, Entrants { cohort, apps }) = (map, entrants);
    let n = cohort.len();
    let below = s.admissions.hard_to_teach_below;
    let sharing = schools.fair_share.iter().any(|f| *f);
    if sharing {
        let school = &cohort.school;
        ws.hard = par_counts(n, schools.len(), |i, acc| {
            if school[i] != NONE && hard_to_teach(cohort, i, below) {
                acc[school[i] as usize] += 1;
            }
        });
    }
    ws.order.clear();
    ws.order.par_extend((0..n as u32).into_par_iter().filter(|&i| cohort.school[i as usize] == NONE));
    ws.order.sort_unstable_by_key(|&i| (apps.lottery[i as usize], i));
    // The open schools with room, each leaving as it fills: the nearest
    // among them is the nearest open school with room.
    let mut room = Vacancies::new(grid, |sid| {
        let su = sid as usize;
        schools.open[su] && schools.intake[su] < schools.capacity[su]
    });
    for &i in &ws.order {
        let iu = i as usize;
        counts.unplaced[usize::from(cohort.dis(iu))] += 1;
        let hard = sharing && hard_to_teach(cohort, iu, below);
        let shared = if hard { fair_share_school(schools, sets.of(cohort.nbhd(iu)), &ws.hard) } else { None };
        let sid = match shared {
            Some(sid) => sid,
            None => match room.nearest(cohort.x[iu] as f64, cohort.y[iu] as f64) {
                Some((_, sid)) => sid as SchoolId,
                None => {
                    counts.over_capacity += 1;
                    nearest_open(schools, grid, cohort.x[iu], cohort.y[iu])
                }
            },
        };
        cohort.school[iu] = sid;
        schools.intake[sid as usize] += 1;
        if schools.intake[sid as usize] >= schools.capacity[sid as usize] {
            room.remove(u32::from(sid));
        }
        if hard {
            ws.hard[sid as usize] += 1;
        }
    }
}

/// The member school of a fair access agreement among `set` (a choice set)
/// that is open, has room, and has the lowest share of hard-to-teach pupils
/// (`hard`) in this year's intake (ties to the lower id).
fn fair_share_school(schools: &Schools, set: &[SchoolId], hard: &[u32]) -> Option<SchoolId> {
    set.iter()
        .copied()
        .filter(|&s| {
            let su = s as usize;
            schools.fair_share[su] && schools.open[su] && schools.intake[su] < schools.capacity[su]
        })
        .min_by(|&a, &b| {
            let share = |s: SchoolId| hard[s as usize] as f64 / schools.intake[s as usize].max(1) as f64;
            share(a).total_cmp(&share(b)).then(a.cmp(&b))
        })
}

/// The nearest open school with room (its `roll` below capacity), optionally
/// only among schools for which `only` is true; if none has room, the nearest
/// open school, over capacity (the flag is then true).
pub fn place_unplaced(
    schools: &Schools,
    grid: &Grid,
    x: f32,
    y: f32,
    roll: &[u32],
    only: Option<&dyn Fn(usize) -> bool>,
) -> (SchoolId, bool) {
    let ok = |sid: u32| {
        let su = sid as usize;
        schools.open[su] && only.is_none_or(|f| f(su))
    };
    if let Some((_, sid)) =
        grid.nearest_where(x as f64, y as f64, |sid| ok(sid) && roll[sid as usize] < schools.capacity[sid as usize])
    {
        return (sid as SchoolId, false);
    }
    if only.is_some() {
        return place_unplaced(schools, grid, x, y, roll, None);
    }
    (nearest_open(schools, grid, x, y), true)
}

/// The nearest open school.
fn nearest_open(schools: &Schools, grid: &Grid, x: f32, y: f32) -> SchoolId {
    let (_, sid) =
        grid.nearest_where(x as f64, y as f64, |sid| schools.open[sid as usize]).expect("at least one open school");
    sid as SchoolId
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A priority criterion.
    fn criterion() -> impl Strategy<Value = Priority> {
        prop::sample::select(vec![
            Priority::Catchment,
            Priority::Disadvantaged,
            Priority::Distance,
            Priority::Attainment,
            Priority::Lottery,
        ])
    }

    /// Applicants with many ties: few distances, attainments and lottery
    /// numbers (equal in their top bits, or altogether), distinct pupils.
    fn applicants() -> impl Strategy<Value = Vec<Applicant>> {
        prop::collection::vec(
            (any::<bool>(), any::<bool>(), any::<bool>(), 0usize..3, 0usize..3, 0u32..3, 0usize..4),
            1..40,
        )
        .prop_map(|v| {
            v.into_iter()
                .enumerate()
                .map(|(k, (demoted, in_catchment, disadvantaged, d, p, top, low))| Applicant {
                    demoted,
                    in_catchment,
                    disadvantaged,
                    distance_km: [0.0, 0.5, 12.5][d],
                    prior: [-1.0, 0.0, 0.3][p],
                    lottery: (top << 30) | [0, 1, 0x1000, 0x0123_4567][low],
                    pupil: (k * 37) as u32,
                })
                .collect()
        })
    }

    proptest! {
        /// The usual list's bits, built without the loop, are the loop's.
        #[test]
        fn catchment_then_distance_as_the_loop_builds_it(selective in any::<bool>(), apps in applicants(),
                                                         far in 0.0f32..1200.0) {
            let p = [Priority::Catchment, Priority::Distance];
            for a in apps.iter().chain([&Applicant { distance_km: far, ..apps[0] }]) {
                let mut k = u128::from(!a.demoted);
                if selective {
                    k = (k << 16) | quantise(a.prior, -8.0, 8.0, 16);
                }
                prop_assert_eq!(priority_part(&p, selective, a), criteria_part(k, &p, a));
            }
        }

        /// Short keys order applicants as full keys do, ties of their
        /// kept lottery bits included, and name their pupils.
        #[test]
        fn short_keys_order_as_full_keys(prios in prop::collection::vec(criterion(), 0..4), selective in any::<bool>(),
                                         n_bits in 11u32..26, apps in applicants()) {
            let n = 1usize << n_bits;
            let bits = priority_bits(&prios, selective);
            let Some(short) = ShortKeys::new(bits, n) else {
                prop_assert!(bits + n_bits + ShortKeys::MIN_LOTTERY_BITS > 64);
                return Ok(());
            };
            let mut lottery = vec![0u32; n];
            for a in &apps {
                lottery[a.pupil as usize] = a.lottery;
            }
            let full: Vec<u128> = apps.iter().map(|a| priority_key(&prios, selective, a)).collect();
            let keys: Vec<u64> =
                apps.iter().map(|a| short.key(priority_part(&prios, selective, a), a.lottery, a.pupil)).collect();
            for (x, a) in apps.iter().enumerate() {
                prop_assert_eq!(short.pupil(keys[x]), a.pupil);
                for y in 0..apps.len() {
                    prop_assert_eq!(short.less(keys[x], keys[y], &lottery), full[x] < full[y]);
                }
            }
        }
    }

    #[test]
    fn keys_follow_the_priority_order() {
        let p = [Priority::Catchment, Priority::Distance];
        let base = Applicant {
            demoted: false,
            in_catchment: false,
            disadvantaged: false,
            distance_km: 0.5,
            prior: 0.0,
            lottery: 1,
            pupil: 0,
        };
        let near_out = priority_key(&p, false, &base);
        let far_in = priority_key(&p, false, &Applicant { in_catchment: true, distance_km: 5.0, pupil: 1, ..base });
        let near_in = priority_key(&p, false, &Applicant { in_catchment: true, distance_km: 1.0, pupil: 2, ..base });
        assert!(far_in > near_out, "catchment beats distance");
        assert!(near_in > far_in, "then distance");
        let demoted = Applicant { demoted: true, in_catchment: true, distance_km: 0.1, pupil: 3, ..base };
        assert!(priority_key(&p, false, &demoted) < near_out, "cream-skimming demotes below everyone");
        let sel_high = priority_key(&p, true, &Applicant { distance_km: 9.0, prior: 2.0, pupil: 4, ..base });
        let sel_low =
            priority_key(&p, true, &Applicant { in_catchment: true, distance_km: 0.1, prior: -1.0, pupil: 5, ..base });
        assert!(sel_high > sel_low, "selective schools rank by attainment first");
        // Every priority at once on a selective, demoting school fits in the key.
        let p_all =
            [Priority::Catchment, Priority::Disadvantaged, Priority::Distance, Priority::Attainment, Priority::Lottery];
        let top =
            priority_key(&p_all, true, &Applicant { distance_km: 999.0, prior: -7.9, lottery: 0, pupil: 8, ..base });
        let best = Applicant {
            demoted: true,
            in_catchment: true,
            disadvantaged: true,
            distance_km: 0.0,
            prior: 7.9,
            lottery: u32::MAX,
            pupil: 9,
        };
        assert!(top > priority_key(&p_all, true, &best), "the demotion bit survives the longest key");
        let d = [Priority::Disadvantaged];
        let dis =
            priority_key(&d, false, &Applicant { disadvantaged: true, distance_km: 3.0, lottery: 0, pupil: 6, ..base });
        let adv = priority_key(&d, false, &Applicant { distance_km: 3.0, lottery: u32::MAX, pupil: 7, ..base });
        assert!(dis > adv);
        // Every key names its pupil.
        for pupil in [0u32, 1, 17, 600_000, 10_000_000, PUPIL_BITS] {
            let a = Applicant {
                demoted: true,
                disadvantaged: true,
                distance_km: 12.5,
                prior: 0.3,
                lottery: 0xdead_beef,
                pupil,
                ..base
            };
            assert_eq!(key_pupil(priority_key(&p_all, true, &a)), pupil);
        }
    }
}
