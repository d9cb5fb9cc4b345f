//! Families apply: each entering pupil's family forms a ranked list of
//! schools from its choice set (the nearest schools to its neighbourhood).
//!
//! Active families rank schools within their travel range by utility:
//! reputation as they perceive it (with error that shrinks with
//! information), distance, the share of advantaged pupils, the share of their
//! own group, top-up fees, and an idiosyncratic taste. Passive families list
//! their catchment school, then the nearest others. Under catchment admissions
//! every family lists only its catchment school. The catchment school is the
//! nearest open school to home, unless catchment boundaries are drawn (from a
//! catchments CSV, or by rezoning): then it is the neighbourhood's catchment
//! school, and it is always among a family's candidates.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use crate::cohort::{Cohort, flag};
use crate::ids::{NONE, SchoolId};
use crate::rng::{CHUNK, Purpose, Year, stream};
use crate::scenario::{ChoiceBehaviour, Mechanism, Scenario};
use crate::schools::Schools;
use crate::spatial::ChoiceSets;

/// The applications of the entering cohort, and what admissions gave them.
#[derive(Debug, Clone, Default)]
pub struct Applications {
    /// Longest list.
    pub list_length: usize,
    /// Ranked lists, `list_length` per pupil, padded with [`NONE`].
    pub lists: Vec<SchoolId>,
    /// Catchment (nearest) school of each pupil.
    pub catchment: Vec<SchoolId>,
    /// Lottery number of each pupil (single tie-breaking).
    pub lottery: Vec<u32>,
    /// Position in the list of the school each pupil got; 255 if placed by the district.
    pub rank: Vec<u8>,
}

impl Applications {
    /// The list of pupil `i`.
    #[inline]
    pub fn list(&self, i: usize) -> &[SchoolId] {
        let row = &self.lists[i * self.list_length..(i + 1) * self.list_length];
        let len = row.iter().position(|&s| s == NONE).unwrap_or(self.list_length);
        &row[..len]
    }

    /// Room for `n` pupils' lists of `l`. What was there is not cleared:
    /// [`apply`] writes every list in full (padded with [`NONE`]), every
    /// catchment and lottery number, and admissions every rank.
    fn resize(&mut self, n: usize, l: usize) {
        self.list_length = l;
        self.lists.resize(n * l, NONE);
        self.catchment.resize(n, NONE);
        self.lottery.resize(n, 0);
        self.rank.resize(n, u8::MAX);
    }
}

/// Effective choice behaviour of one kind of family (class × group).
#[derive(Debug, Clone, Copy)]
struct Behaviour {
    active: f64,
    travel: f32,
    w_rep: f32,
    w_dist: f32,
    w_comp: f32,
    w_own: f32,
    noise_sd: f32,
}

fn behaviour(s: &Scenario, b: &ChoiceBehaviour, g: usize) -> Behaviour {
    let gp = &s.population.groups[g];
    let info = (b.information * gp.information_factor).clamp(0.0, 1.0);
    let w_rep = b.weight_reputation * gp.reputation_factor;
    let mis = w_rep * s.families.misinformation_sd * (1.0 - info);
    Behaviour {
        active: b.active_share,
        travel: (b.max_travel_km * gp.travel_factor) as f32,
        w_rep: w_rep as f32,
        w_dist: b.weight_distance as f32,
        w_comp: b.weight_composition as f32,
        w_own: gp.own_group_weight as f32,
        noise_sd: (mis * mis + s.families.taste_sd * s.families.taste_sd).sqrt() as f32,
    }
}

/// The schools of a choice set ordered nearest first from home (exact
/// distances), ties by id, written to `cand`; returns how many. A distance is
/// a square root, never negative, so its bits order as the number does:
/// (bits, id) in one integer sorts as (distance, id). The set is nearest
/// first from the neighbourhood's centre, so the order is nearly right
/// already and insertion sort is quick.
#[inline]
fn nearest_first(
    set: &[SchoolId],
    schools: &Schools,
    x: f32,
    y: f32,
    keyed: &mut [u64; 33],
    cand: &mut [(f32, u32); 33],
) -> usize {
    for (k, &sid) in set.iter().enumerate() {
        let d = schools.dist(u32::from(sid), x, y);
        debug_assert!(d.is_sign_positive());
        let v = (u64::from(d.to_bits()) << 32) | u64::from(sid);
        let mut p = k;
        while p > 0 && keyed[p - 1] > v {
            keyed[p] = keyed[p - 1];
            p -= 1;
        }
        keyed[p] = v;
    }
    for (c, &v) in cand.iter_mut().zip(&keyed[..set.len()]) {
        *c = (f32::from_bits((v >> 32) as u32), v as u32);
    }
    set.len()
}

/// What an active family's utility of a school depends on besides the school.
struct Family<'a> {
    /// Its behaviour (by disadvantage and group).
    b: &'a Behaviour,
    /// Its group.
    group: usize,
    /// Number of groups.
    groups: usize,
    /// Its weight on fees.
    fee_weight: f32,
}

/// An active family's list: the schools of `cand` (nearest first) it would
/// travel to (the nearest always), each with a noisy utility, the best
/// `top.len()` kept, highest utility first (ties: lower id first: the first
/// of a full sort). Returns how many were kept.
#[inline]
fn best_by_utility<R: rand::Rng + ?Sized>(
    f: &Family,
    schools: &Schools,
    cand: &[(f32, u32)],
    rng: &mut R,
    top: &mut [(f32, u32)],
) -> usize {
    let b = f.b;
    let mut kept = 0;
    for (k, &(d, sid)) in cand.iter().enumerate() {
        if k > 0 && d > b.travel {
            continue;
        }
        let su = sid as usize;
        let noise: f32 = StandardNormal.sample(rng);
        let mut u = b.w_rep * schools.reputation[su] as f32 - b.w_dist * d + b.noise_sd * noise;
        if b.w_comp != 0.0 {
            u += b.w_comp * schools.adv_share[su] as f32;
        }
        if b.w_own != 0.0 {
            u += b.w_own * schools.group_share[su * f.groups + f.group] as f32;
        }
        if schools.fee_charging[su] {
            u -= f.fee_weight;
        }
        kept = insert_top(top, kept, (u, sid));
    }
    kept
}

/// What families choose from: the schools, each neighbourhood's choice set,
/// and each neighbourhood's catchment school if catchment boundaries are
/// drawn (`None`: the nearest open school to home).
#[derive(Debug, Clone, Copy)]
pub struct Options<'a> {
    /// The schools.
    pub schools: &'a Schools,
    /// Each neighbourhood's nearest open schools.
    pub sets: &'a ChoiceSets,
    /// Each neighbourhood's drawn catchment school, if any.
    pub boundaries: Option<&'a [u32]>,
}

/// Form the ranked lists of the entering cohort from `options`; `ses_pct`
/// gives each entrant's SES percentile.
pub fn apply(
    s: &Scenario,
    options: Options<'_>,
    cohort: &mut Cohort,
    ses_pct: &[f32],
    apps: &mut Applications,
    at: Year,
) {
    let Options { schools, sets, boundaries } = options;
    let Year { seed, year } = at;
    let n = cohort.len();
    debug_assert_eq!(ses_pct.len(), n);
    let catchment_only = s.admissions.mechanism == Mechanism::Catchment;
    let l = if catchment_only { 1 } else { s.choice.list_length as usize };
    apps.resize(n, l);
    let groups = s.population.groups.len();
    let kinds = behaviours(s);
    let fee_cost = s.schools.fee_cost as f32;
    let Cohort { x, y, nbhd_start, flags, group, .. } = cohort;
    let (x, y, nbhd_start, group) = (&*x, &*y, &*nbhd_start, &*group);
    let Applications { lists, catchment, lottery, .. } = apps;
    lists
        .par_chunks_mut(CHUNK * l)
        .zip(catchment.par_chunks_mut(CHUNK))
        .zip(lottery.par_chunks_mut(CHUNK))
        .zip(flags.par_chunks_mut(CHUNK))
        .enumerate()
        .for_each(|(c, (((lists, catch), lott), fl))| {
            let mut rng = stream(seed, Purpose::Choice, year, c as u64);
            let mut cand: [(f32, u32); 33] = [(0.0, u32::MAX); 33];
            let mut keyed = [0u64; 33];
            let mut top: Vec<(f32, u32)> = vec![(0.0, u32::MAX); l];
            // Pupils are stored neighbourhood by neighbourhood: the chunk's
            // first pupil's is searched for, the others' followed.
            let mut nb = crate::cohort::nbhd_at(nbhd_start, c * CHUNK);
            for j in 0..catch.len() {
                let i = c * CHUNK + j;
                while nbhd_start[nb + 1] as usize <= i {
                    nb += 1;
                }
                let nbhd = nb as u32;
                lott[j] = rng.random();
                let mut m = nearest_first(sets.of(nbhd), schools, x[i], y[i], &mut keyed, &mut cand);
                if let Some(b) = boundaries {
                    let home = b[nbhd as usize];
                    m = catchment_first(&mut cand, m, (schools.dist(home, x[i], y[i]), home));
                }
                // Ids below MAX_SCHOOLS: stored in 16 bits.
                catch[j] = cand[0].1 as SchoolId;
                let row = &mut lists[j * l..(j + 1) * l];
                if catchment_only {
                    row[0] = cand[0].1 as SchoolId;
                    continue;
                }
                let dis = fl[j] & flag::DIS != 0;
                let g = group[i] as usize;
                let b = &kinds[if dis { groups + g } else { g }];
                let active = rng.random::<f64>() < b.active;
                if !active {
                    for (k, slot) in row.iter_mut().enumerate() {
                        *slot = if k < m { cand[k].1 as SchoolId } else { NONE };
                    }
                    continue;
                }
                fl[j] |= flag::ACTIVE;
                let family = Family { b, group: g, groups, fee_weight: fee_cost * (1.0 - ses_pct[i]) };
                let kept = best_by_utility(&family, schools, &cand[..m], &mut rng, &mut top[..l]);
                for (k, slot) in row.iter_mut().enumerate() {
                    *slot = if k < kept { top[k].1 as SchoolId } else { NONE };
                }
            }
        });
}

/// Each kind of family's behaviour: the advantaged of each group, then the
/// disadvantaged of each group.
fn behaviours(s: &Scenario) -> Vec<Behaviour> {
    let groups = s.population.groups.len();
    (0..2 * groups)
        .map(|k| {
            let b = if k < groups { &s.families.advantaged } else { &s.families.disadvantaged };
            behaviour(s, b, k % groups)
        })
        .collect()
}

/// Put the drawn catchment school `home` (its distance and id) first among
/// the `m` candidates, whatever its distance: moved up if it is one of them,
/// else added. Returns the new number of candidates.
#[inline]
fn catchment_first(cand: &mut [(f32, u32)], m: usize, home: (f32, u32)) -> usize {
    let m = match cand[..m].iter().position(|c| c.1 == home.1) {
        Some(p) => {
            cand[..=p].rotate_right(1);
            m
        }
        None => {
            cand.copy_within(0..m, 1);
            m + 1
        }
    };
    cand[0] = home;
    m
}

/// Whether utility `a` ranks before `b`: higher utility first, then lower school id.
#[inline]
fn before(a: (f32, u32), b: (f32, u32)) -> bool {
    b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).is_lt()
}

/// Insert `c` into `top[..kept]` (kept in rank order, at most `top.len()`
/// entries), dropping the last if full and `c` ranks before it. Returns the
/// new number kept. The result equals the first `top.len()` entries of a full
/// sort of everything offered (the order is total: ids are distinct).
#[inline]
fn insert_top(top: &mut [(f32, u32)], kept: usize, c: (f32, u32)) -> usize {
    let cap = top.len();
    let mut k = if kept < cap {
        kept
    } else if cap > 0 && before(c, top[cap - 1]) {
        cap - 1
    } else {
        return kept;
    };
    while k > 0 && before(c, top[k - 1]) {
        top[k] = top[k - 1];
        k -= 1;
    }
    top[k] = c;
    kept.min(cap - 1) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bounded insertion keeps exactly the first `l` of a full sort, ties by id.
    #[test]
    fn insert_top_equals_the_head_of_a_full_sort() {
        let mut state = 12345u64;
        for trial in 0..2000 {
            let m = trial % 34;
            let l = 1 + trial % 7;
            let items: Vec<(f32, u32)> = (0..m as u32)
                .map(|id| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    // Few distinct values, so that ties are common.
                    (((state >> 33) % 5) as f32 - 2.0, (id * 7919) % 97)
                })
                .collect();
            let mut seen = std::collections::HashSet::new();
            let items: Vec<_> = items.into_iter().filter(|c| seen.insert(c.1)).collect();
            let mut full = items.clone();
            full.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            full.truncate(l);
            let mut top = vec![(0.0, u32::MAX); l];
            let mut kept = 0;
            for &c in &items {
                kept = insert_top(&mut top, kept, c);
            }
            assert_eq!(&top[..kept], &full[..], "trial {trial}");
        }
    }
}
