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
use crate::ids::NONE;
use crate::rng::{CHUNK, Purpose, hash_unit};
use crate::scenario::{Mechanism, Priority, Scenario};
use crate::schools::Schools;
use crate::spatial::{ChoiceSets, Grid};

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

/// Working memory of admissions, reused from year to year.
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

/// School `s`'s priority key for entrant `i`: higher is admitted first.
///
/// From the most significant bits down: not demoted by cream-skimming; for a
/// selective school, prior attainment; then each priority of the school's list
/// in order (catchment: 1 bit; disadvantaged: 1 bit; distance: 20 bits, about
/// 1 m up to 1,000 km; attainment: 16 bits; lottery: 12 bits; at most 67 bits
/// in all); then the pupil's full 32-bit lottery number and 29 bits of its
/// index, so that keys are distinct.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn priority_key(
    priorities: &[Priority],
    selective: bool,
    demoted: bool,
    in_catchment: bool,
    disadvantaged: bool,
    distance_km: f32,
    prior: f32,
    lottery: u32,
    pupil: u32,
) -> u128 {
    let mut k: u128 = u128::from(!demoted);
    if selective {
        k = (k << 16) | quantise(prior, -8.0, 8.0, 16);
    }
    for p in priorities {
        k = match p {
            Priority::Catchment => (k << 1) | u128::from(in_catchment),
            Priority::Disadvantaged => (k << 1) | u128::from(disadvantaged),
            Priority::Distance => (k << 20) | (((1 << 20) - 1) - quantise(distance_km, 0.0, 1000.0, 20)),
            Priority::Attainment => (k << 16) | quantise(prior, -8.0, 8.0, 16),
            Priority::Lottery => (k << 12) | (lottery >> 20) as u128,
        };
    }
    (k << 61) | ((lottery as u128) << 29) | ((u32::MAX - pupil) & PUPIL_BITS) as u128
}

/// The low bits of a priority key that name its pupil.
const PUPIL_BITS: u32 = (1 << 29) - 1;

/// The pupil a [`priority_key`] names (cohorts are far smaller than 2^29
/// pupils: at most 10 million entrants a year).
#[inline]
pub fn key_pupil(k: u128) -> u32 {
    PUPIL_BITS - (k as u32 & PUPIL_BITS)
}

/// Admit the entering cohort: run the mechanism, then place the unplaced.
/// Sets `cohort.school`, `apps.rank`, `schools.intake` and `schools.first_prefs`.
#[allow(clippy::too_many_arguments)]
pub fn admit(
    s: &Scenario,
    schools: &mut Schools,
    grid: &Grid,
    sets: &ChoiceSets,
    cohort: &mut Cohort,
    apps: &mut Applications,
    ws: &mut Workspace,
    seed: u64,
    year: u32,
    counts: &mut AdmissionCounts,
) {
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
    let pool = |i: usize, sid: u32| {
        let base = pool_start[sid as usize] as usize;
        if schools_ref.banded[sid as usize] && bands > 1 { base + cohort_ref.band[i] as usize } else { base }
    };
    let key = |i: usize, sid: u32| {
        let su = sid as usize;
        let skim = schools_ref.cream_skimming[su];
        let demoted = skim > 0.0
            && hard_to_teach(cohort_ref, i, below)
            && hash_unit(&[seed, Purpose::Admissions as u64, year as u64, i as u64, sid as u64]) < skim;
        let prios = if schools_ref.autonomous[su] { rules.autonomous } else { rules.maintained };
        priority_key(
            prios,
            schools_ref.selective[su],
            demoted,
            apps_ref.catchment[i] == sid,
            cohort_ref.dis(i),
            schools_ref.dist(sid, cohort_ref.x[i], cohort_ref.y[i]),
            cohort_ref.prior[i],
            apps_ref.lottery[i],
            i as u32,
        )
    };
    match s.admissions.mechanism {
        Mechanism::DeferredAcceptance => deferred_acceptance::run(
            n,
            |i| apps_ref.list(i),
            pool,
            &ws.capacity,
            key,
            key_pupil,
            &mut assigned,
            &mut rank,
            &mut ws.da,
        ),
        Mechanism::Boston | Mechanism::Catchment => {
            boston::run(n, |i| apps_ref.list(i), pool, &ws.capacity, key, &mut assigned, &mut rank, &mut ws.boston)
        }
    }
    cohort.school = assigned;
    apps.rank = rank;
    schools.intake.iter_mut().for_each(|v| *v = 0);
    for &sid in &cohort.school {
        if sid != NONE {
            schools.intake[sid as usize] += 1;
        }
    }
    place_the_rest(s, schools, grid, sets, cohort, apps, ws, counts);
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

/// Each school's first preferences (`schools.first_prefs`), counted in
/// parallel pieces (whole numbers: the sum does not depend on the pieces).
fn count_first_preferences(apps: &Applications, n: usize, schools: &mut Schools) {
    let n_schools = schools.len();
    let l = apps.list_length.max(1);
    let firsts = apps.lists[..n * l]
        .par_chunks(CHUNK * l)
        .fold(
            || vec![0u32; n_schools],
            |mut acc, rows| {
                for row in rows.chunks_exact(l) {
                    if row[0] != NONE {
                        acc[row[0] as usize] += 1;
                    }
                }
                acc
            },
        )
        .reduce_with(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(x, y)| *x += y);
            a
        });
    match firsts {
        Some(f) => schools.first_prefs.copy_from_slice(&f),
        None => schools.first_prefs.iter_mut().for_each(|v| *v = 0),
    }
}

/// The pupils the mechanism left unplaced, placed by the district in lottery
/// order (each counted in `counts.unplaced`). Under a fair access agreement,
/// hard-to-teach pupils go to the nearby member school with room that has
/// taken the fewest of them so far; the rest to the nearest school with room.
#[allow(clippy::too_many_arguments)]
fn place_the_rest(
    s: &Scenario,
    schools: &mut Schools,
    grid: &Grid,
    sets: &ChoiceSets,
    cohort: &mut Cohort,
    apps: &Applications,
    ws: &mut Workspace,
    counts: &mut AdmissionCounts,
) {
    let n = cohort.len();
    let n_schools = schools.len();
    let below = s.admissions.hard_to_teach_below;
    let sharing = schools.fair_share.iter().any(|f| *f);
    if sharing {
        ws.hard.clear();
        ws.hard.resize(n_schools, 0);
        for i in 0..n {
            let sid = cohort.school[i];
            if sid != NONE && hard_to_teach(cohort, i, below) {
                ws.hard[sid as usize] += 1;
            }
        }
    }
    ws.order.clear();
    ws.order.extend((0..n as u32).filter(|&i| cohort.school[i as usize] == NONE));
    ws.order.sort_unstable_by_key(|&i| (apps.lottery[i as usize], i));
    for &i in &ws.order {
        let iu = i as usize;
        counts.unplaced[usize::from(cohort.dis(iu))] += 1;
        let hard = sharing && hard_to_teach(cohort, iu, below);
        let shared = if hard {
            sets.of(cohort.nbhd[iu])
                .iter()
                .copied()
                .filter(|&s| {
                    let su = s as usize;
                    schools.fair_share[su] && schools.open[su] && schools.intake[su] < schools.capacity[su]
                })
                .min_by(|&a, &b| {
                    let share = |s: u32| ws.hard[s as usize] as f64 / schools.intake[s as usize].max(1) as f64;
                    share(a).total_cmp(&share(b)).then(a.cmp(&b))
                })
        } else {
            None
        };
        let sid = match shared {
            Some(sid) => sid,
            None => {
                let (sid, over) = place_unplaced(schools, grid, cohort.x[iu], cohort.y[iu], &schools.intake, None);
                counts.over_capacity += u32::from(over);
                sid
            }
        };
        cohort.school[iu] = sid;
        schools.intake[sid as usize] += 1;
        if hard {
            ws.hard[sid as usize] += 1;
        }
    }
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
) -> (u32, bool) {
    let ok = |sid: u32| {
        let su = sid as usize;
        schools.open[su] && only.is_none_or(|f| f(su))
    };
    if let Some((_, sid)) =
        grid.nearest_where(x as f64, y as f64, |sid| ok(sid) && roll[sid as usize] < schools.capacity[sid as usize])
    {
        return (sid, false);
    }
    if only.is_some() {
        return place_unplaced(schools, grid, x, y, roll, None);
    }
    let (_, sid) =
        grid.nearest_where(x as f64, y as f64, |sid| schools.open[sid as usize]).expect("at least one open school");
    (sid, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_priority_order() {
        let p = [Priority::Catchment, Priority::Distance];
        let near_out = priority_key(&p, false, false, false, false, 0.5, 0.0, 1, 0);
        let far_in = priority_key(&p, false, false, true, false, 5.0, 0.0, 1, 1);
        let near_in = priority_key(&p, false, false, true, false, 1.0, 0.0, 1, 2);
        assert!(far_in > near_out, "catchment beats distance");
        assert!(near_in > far_in, "then distance");
        let demoted = priority_key(&p, false, true, true, false, 0.1, 0.0, 1, 3);
        assert!(demoted < near_out, "cream-skimming demotes below everyone");
        let sel_high = priority_key(&p, true, false, false, false, 9.0, 2.0, 1, 4);
        let sel_low = priority_key(&p, true, false, true, false, 0.1, -1.0, 1, 5);
        assert!(sel_high > sel_low, "selective schools rank by attainment first");
        // Every priority at once on a selective, demoting school fits in the key.
        let p_all =
            [Priority::Catchment, Priority::Disadvantaged, Priority::Distance, Priority::Attainment, Priority::Lottery];
        let top = priority_key(&p_all, true, false, false, false, 999.0, -7.9, 0, 8);
        let demoted_best = priority_key(&p_all, true, true, true, true, 0.0, 7.9, u32::MAX, 9);
        assert!(top > demoted_best, "the demotion bit survives the longest key");
        let dis = priority_key(&[Priority::Disadvantaged], false, false, false, true, 3.0, 0.0, 0, 6);
        let adv = priority_key(&[Priority::Disadvantaged], false, false, false, false, 3.0, 0.0, u32::MAX, 7);
        assert!(dis > adv);
        // Every key names its pupil.
        for pupil in [0u32, 1, 17, 600_000, 10_000_000, PUPIL_BITS] {
            let k = priority_key(&p_all, true, true, false, true, 12.5, 0.3, 0xdead_beef, pupil);
            assert_eq!(key_pupil(k), pupil);
        }
    }
}
