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

use crate::cohort::{Cohort, flag, resize_spare};
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
        // A list fills its row from the start: most fill it all.
        if row.last().is_none_or(|&s| s != NONE) {
            return row;
        }
        let len = row.iter().position(|&s| s == NONE).unwrap_or(self.list_length);
        &row[..len]
    }

    /// Room for `n` pupils' lists of `l`. What was there is not cleared:
    /// [`apply`] writes every list in full (padded with [`NONE`]), every
    /// catchment and lottery number, and admissions every rank.
    fn resize(&mut self, n: usize, l: usize) {
        self.list_length = l;
        resize_spare(&mut self.lists, n * l, NONE);
        resize_spare(&mut self.catchment, n, NONE);
        resize_spare(&mut self.lottery, n, 0);
        resize_spare(&mut self.rank, n, u8::MAX);
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

/// A school at distance `d` (a square root: never negative, so its bits
/// order as the number does) as one integer that orders as (distance, id).
#[inline]
fn key(d: f32, sid: u32) -> u64 {
    debug_assert!(d.is_sign_positive());
    (u64::from(d.to_bits()) << 32) | u64::from(sid)
}

/// The distance of a [`key`].
#[inline]
fn key_dist(k: u64) -> f32 {
    f32::from_bits((k >> 32) as u32)
}

/// A pupil's candidate schools as [`key`]s, from a choice set of at most 32
/// schools. After [`Candidates::fill`], if catchment boundaries are drawn,
/// `keys[0]` is the drawn catchment school and `keys[1..n]` the others in
/// the set's order; if not, `keys[..n]` are the set's schools in its order,
/// and the catchment school is the nearest of them, which comes first when
/// they are put in order. The set's order is nearest first from the
/// neighbourhood's centre: nearly nearest first from home. Only as many of
/// them are put in order as a family looks at. The set's positions and ids
/// are copied once per neighbourhood ([`Candidates::gather`]), so that each
/// pupil's distances are computed from them side by side.
struct Candidates {
    keys: [u64; 33],
    n: usize,
    /// What [`Candidates::within`] gives, put in order.
    near: [u64; 33],
    /// 1 if `keys[0]` is a drawn catchment school (kept first), else 0.
    head: usize,
    /// The choice set's positions and ids.
    sx: [f32; 32],
    sy: [f32; 32],
    ids: [u32; 32],
    m: usize,
}

impl Candidates {
    /// No candidates yet.
    fn new() -> Candidates {
        Candidates { keys: [0; 33], n: 0, near: [0; 33], head: 0, sx: [0.0; 32], sy: [0.0; 32], ids: [0; 32], m: 0 }
    }

    /// Candidates for a neighbourhood with choice set `set`.
    #[inline]
    fn gather(&mut self, set: &[SchoolId], schools: &Schools) {
        self.m = set.len();
        for (k, &sid) in set.iter().enumerate() {
            self.sx[k] = schools.x[sid as usize];
            self.sy[k] = schools.y[sid as usize];
            self.ids[k] = u32::from(sid);
        }
    }

    /// The candidates of a pupil at (`x`, `y`) of the gathered choice set:
    /// its schools, and `home` (the id of the drawn catchment school, if
    /// catchment boundaries are drawn) first (added if not in the set).
    /// Distances as [`Schools::dist`] computes them.
    #[inline]
    fn fill(&mut self, schools: &Schools, x: f32, y: f32, home: Option<u32>) {
        let m = self.m;
        // Four at a time (side by side in vector registers): those after
        // the set's last are computed from what is left there, and not read.
        for c in 0..m.div_ceil(4) {
            let at = 4 * c..4 * c + 4;
            let (sx, sy, ids) = (&self.sx[at.clone()], &self.sy[at.clone()], &self.ids[at.clone()]);
            let mut four = [0u64; 4];
            for l in 0..4 {
                let (dx, dy) = (sx[l] - x, sy[l] - y);
                four[l] = key((dx * dx + dy * dy).sqrt(), ids[l]);
            }
            self.keys[at].copy_from_slice(&four);
        }
        self.n = m;
        self.head = 0;
        if let Some(home) = home {
            let first = key(schools.dist(home, x, y), home);
            if let Some(at) = self.ids[..m].iter().position(|&s| s == home) {
                self.keys[..=at].rotate_right(1);
            } else {
                // The drawn catchment school is not in the set.
                self.keys.copy_within(0..m, 1);
                self.n += 1;
            }
            self.keys[0] = first;
            self.head = 1;
        }
    }

    /// The catchment school: the drawn one, or the nearest (ties by id);
    /// `u64::MAX` if there is no candidate (no open school: never with a
    /// valid scenario).
    #[inline]
    fn catchment(&self) -> u64 {
        if self.head == 1 { self.keys[0] } else { self.keys[..self.n].iter().copied().min().unwrap_or(u64::MAX) }
    }

    /// The catchment school and the `l - 1` nearest others (fewer if the set
    /// is smaller), nearest first: what a passive family lists.
    #[inline]
    fn passive(&mut self, l: usize) -> &[u64] {
        let head = self.head;
        // Without a drawn one, the catchment school is the nearest of all.
        let h = smallest_sorted(&mut self.keys[head..self.n], l.max(1) - head);
        &self.keys[..head + h]
    }

    /// The catchment school and the others within `travel` km, nearest
    /// first: what an active family ranks.
    #[inline]
    fn within(&mut self, travel: f32) -> &[u64] {
        let head = self.head;
        let (keys, near) = (&self.keys[..self.n], &mut self.near);
        // Those within travel are copied in the set's order, without a
        // branch: each is written after those kept so far, which it joins
        // only if it is within travel.
        near[0] = keys.first().copied().unwrap_or(u64::MAX);
        let mut kept = head;
        for &v in &keys[head..] {
            near[kept] = v;
            // Neither is NaN (travel is validated): `<=` is "not farther".
            kept += usize::from(key_dist(v) <= travel);
        }
        if kept == 0 {
            // None within travel: the nearest (the catchment school) alone.
            let Some(&nearest) = keys.iter().min() else {
                return &[];
            };
            near[0] = nearest;
            return &near[..1];
        }
        // Then put in order by insertion (quick: they come nearly in
        // order). Without a drawn catchment school, the nearest of all (the
        // catchment school) comes first.
        let near = &mut near[..kept];
        for j in head + 1..kept {
            let v = near[j];
            if near[j - 1] < v {
                // In order already: the usual case.
                continue;
            }
            let mut p = j;
            while p > head && near[p - 1] > v {
                near[p] = near[p - 1];
                p -= 1;
            }
            near[p] = v;
        }
        near
    }
}

/// Put the `h` smallest of `v` (distinct) in increasing order at its start
/// (or all of `v`, if shorter), by insertion (quick when `v` is nearly in
/// order); what is left after them is not kept. Returns how many.
#[inline]
fn smallest_sorted(v: &mut [u64], h: usize) -> usize {
    let h = h.min(v.len());
    if h == 0 {
        return 0;
    }
    for j in 1..v.len() {
        let x = v[j];
        let mut p = j;
        if j >= h {
            if x >= v[h - 1] {
                continue;
            }
            p = h - 1;
        }
        while p > 0 && v[p - 1] > x {
            v[p] = v[p - 1];
            p -= 1;
        }
        v[p] = x;
    }
    h
}

/// What an active family's utility of a school depends on besides the school.
struct Family<'a> {
    /// Its behaviour (by disadvantage and group).
    b: &'a Behaviour,
    /// Each school's reputation term for its kind of family: its weight on
    /// reputation times the school's reputation as `f32`, computed once a
    /// year (the same product, so the same bits).
    rep: &'a [f32],
    /// Whether its utility is reputation, distance and taste only: no weight
    /// on composition or on its own group, and no school charges fees.
    plain: bool,
    /// Its group.
    group: usize,
    /// Number of groups.
    groups: usize,
    /// Its weight on fees.
    fee_weight: f32,
}

/// An active family's ranking: of the candidates `cand` (keys, in the order
/// the family looks at them), each with a noisy utility, handed to `keep`
/// as a [`rank_key`] in that order (each candidate's taste drawn from `rng`
/// in turn).
#[inline(always)]
fn by_utility<R: rand::Rng + ?Sized>(f: &Family, schools: &Schools, cand: &[u64], rng: &mut R, keep: impl FnMut(u64)) {
    // Terms that are zero for every candidate are left out of the loop
    // (adding zero could turn a -0 into a +0), not tested in it.
    if f.plain {
        utilities::<true, R>(f, schools, cand, rng, keep);
    } else {
        utilities::<false, R>(f, schools, cand, rng, keep);
    }
}

/// [`by_utility`]: with `PLAIN`, for a family that is [`Family::plain`].
#[inline(always)]
fn utilities<const PLAIN: bool, R: rand::Rng + ?Sized>(
    f: &Family,
    schools: &Schools,
    cand: &[u64],
    rng: &mut R,
    mut keep: impl FnMut(u64),
) {
    let b = f.b;
    // The tastes first, in the candidates' order (the same draws in the
    // same order): the loop over candidates then calls nothing, and keeps
    // what it carries in registers.
    let mut noise = [0.0f32; 33];
    let noise = &mut noise[..cand.len()];
    for z in noise.iter_mut() {
        *z = StandardNormal.sample(rng);
    }
    for (&k, &z) in cand.iter().zip(noise.iter()) {
        let (d, sid) = (key_dist(k), k as u32);
        let su = sid as usize;
        // f.rep[su] is b.w_rep * schools.reputation[su] as f32.
        let mut u = f.rep[su] - b.w_dist * d + b.noise_sd * z;
        if !PLAIN {
            if b.w_comp != 0.0 {
                u += b.w_comp * schools.adv_share[su] as f32;
            }
            if b.w_own != 0.0 {
                u += b.w_own * schools.group_share[su * f.groups + f.group] as f32;
            }
            if schools.fee_charging[su] {
                u -= f.fee_weight;
            }
        }
        keep(rank_key(u, sid));
    }
}

/// An active family's list into `row` (of `L` slots): the best `L` of its
/// candidates `cand` by [`by_utility`], highest utility first (ties: lower
/// id first: the first of a full sort), then [`NONE`]. The best so far are
/// kept in `L` registers ([`insert_fixed`]).
#[inline(never)]
fn list_fixed<const L: usize, R: rand::Rng + ?Sized>(
    f: &Family,
    schools: &Schools,
    cand: &[u64],
    rng: &mut R,
    row: &mut [SchoolId],
) {
    let mut top = [u64::MAX; L];
    by_utility(f, schools, cand, rng, |c| insert_fixed(&mut top, c));
    let kept = cand.len().min(L);
    for (k, slot) in row.iter_mut().enumerate() {
        *slot = if k < kept { top[k] as u32 as SchoolId } else { NONE };
    }
}

/// [`list_fixed`] for a list of any length `row.len()`, the best so far
/// kept in `top` (as long as `row`) by [`insert_top`].
fn list_any<R: rand::Rng + ?Sized>(
    f: &Family,
    schools: &Schools,
    cand: &[u64],
    rng: &mut R,
    top: &mut [u64],
    row: &mut [SchoolId],
) {
    top.fill(u64::MAX);
    let mut kept = 0;
    by_utility(f, schools, cand, rng, |c| kept = insert_top(top, kept, c));
    for (k, slot) in row.iter_mut().enumerate() {
        *slot = if k < kept { top[k] as u32 as SchoolId } else { NONE };
    }
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
    // Each kind of family's reputation term of each school (Family::rep).
    let n_schools = schools.len();
    let rep: Vec<f32> =
        kinds.iter().flat_map(|b| schools.reputation.iter().map(move |&r| b.w_rep * r as f32)).collect();
    let no_fees = !schools.fee_charging.iter().any(|&f| f);
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
            let mut cand = Candidates::new();
            let mut top = vec![u64::MAX; l];
            // Pupils are stored neighbourhood by neighbourhood: the chunk's
            // first pupil's is searched for, the others' followed.
            let mut nb = crate::cohort::nbhd_at(nbhd_start, c * CHUNK);
            cand.gather(sets.of(nb as u32), schools);
            for j in 0..catch.len() {
                let i = c * CHUNK + j;
                if nbhd_start[nb + 1] as usize <= i {
                    while nbhd_start[nb + 1] as usize <= i {
                        nb += 1;
                    }
                    cand.gather(sets.of(nb as u32), schools);
                }
                lott[j] = rng.random();
                cand.fill(schools, x[i], y[i], boundaries.map(|b| b[nb]));
                let row = &mut lists[j * l..(j + 1) * l];
                // Ids below MAX_SCHOOLS: stored in 16 bits (u64::MAX as NONE).
                if catchment_only {
                    catch[j] = cand.catchment() as u32 as SchoolId;
                    row[0] = catch[j];
                    continue;
                }
                let dis = fl[j] & flag::DIS != 0;
                let g = group[i] as usize;
                let kind = if dis { groups + g } else { g };
                let b = &kinds[kind];
                let active = rng.random::<f64>() < b.active;
                if !active {
                    let listed = cand.passive(l);
                    // The catchment school comes first (none: no candidate).
                    catch[j] = listed.first().map_or(NONE, |&v| v as u32 as SchoolId);
                    for (k, slot) in row.iter_mut().enumerate() {
                        *slot = listed.get(k).map_or(NONE, |&v| v as u32 as SchoolId);
                    }
                    continue;
                }
                fl[j] |= flag::ACTIVE;
                let family = Family {
                    b,
                    rep: &rep[kind * n_schools..(kind + 1) * n_schools],
                    plain: no_fees && b.w_comp == 0.0 && b.w_own == 0.0,
                    group: g,
                    groups,
                    fee_weight: fee_cost * (1.0 - ses_pct[i]),
                };
                let near = cand.within(b.travel);
                catch[j] = near.first().map_or(NONE, |&v| v as u32 as SchoolId);
                // The usual lengths of list with their best so far in registers.
                match l {
                    1 => list_fixed::<1, _>(&family, schools, near, &mut rng, row),
                    2 => list_fixed::<2, _>(&family, schools, near, &mut rng, row),
                    3 => list_fixed::<3, _>(&family, schools, near, &mut rng, row),
                    4 => list_fixed::<4, _>(&family, schools, near, &mut rng, row),
                    5 => list_fixed::<5, _>(&family, schools, near, &mut rng, row),
                    6 => list_fixed::<6, _>(&family, schools, near, &mut rng, row),
                    _ => list_any(&family, schools, near, &mut rng, &mut top, row),
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

/// A school of utility `u` and id `sid` as one integer that orders as the
/// ranking does: higher utility first in the total order of floats
/// (`f32::total_cmp`), then lower id.
#[inline]
fn rank_key(u: f32, sid: u32) -> u64 {
    let bits = u.to_bits();
    // As f32::total_cmp does: negative numbers' other bits flipped, so that
    // the bits order as signed integers; then the sign bit flipped, so that
    // they order as unsigned ones; then all flipped: higher utility first.
    let ordered = (bits ^ (((bits as i32) >> 31) as u32 >> 1)) ^ 0x8000_0000;
    (u64::from(!ordered) << 32) | u64::from(sid)
}

/// Insert `c` into `top` (in increasing order, free slots `u64::MAX`),
/// dropping the largest: each slot keeps the smaller of it and what is
/// carried, and passes on the larger, without a branch. After `c`s have been
/// inserted into a `top` of `u64::MAX`, it begins with the first `L` of
/// them in order (all of them if fewer), as [`insert_top`] keeps them.
#[inline(always)]
fn insert_fixed<const L: usize>(top: &mut [u64; L], c: u64) {
    let mut carried = c;
    for slot in top.iter_mut() {
        let v = *slot;
        *slot = v.min(carried);
        carried = v.max(carried);
    }
}

/// Insert `c` into `top[..kept]` (in increasing order, the rest of `top`
/// `u64::MAX`), dropping the largest if `top` is full: each slot up to the
/// first free one keeps the smaller of it and what is carried, and passes on
/// the larger, without a branch. Returns the new number kept. After `c`s
/// have been inserted into a `top` of `u64::MAX`, it begins with the first
/// `top.len()` of them in order (all of them if fewer).
#[inline]
fn insert_top(top: &mut [u64], kept: usize, c: u64) -> usize {
    let end = (kept + 1).min(top.len());
    let mut carried = c;
    for slot in &mut top[..end] {
        let v = *slot;
        *slot = v.min(carried);
        carried = v.max(carried);
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small linear congruential generator for the tests.
    fn lcg(state: &mut u64) -> u64 {
        *state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        *state >> 33
    }

    /// `smallest_sorted` gives the head of a full sort, for any length and
    /// any number wanted, nearly sorted input or not.
    #[test]
    fn smallest_sorted_is_the_head_of_a_full_sort() {
        let mut state = 3u64;
        for trial in 0..5000 {
            let len = trial % 34;
            let mut v: Vec<u64> = (0..len as u64).map(|k| (k * 3 + lcg(&mut state) % 7) << 32 | k).collect();
            if trial % 3 == 0 {
                v.reverse();
            }
            let mut full = v.clone();
            full.sort_unstable();
            let h = trial % 9;
            let got = smallest_sorted(&mut v, h);
            assert_eq!(got, h.min(len));
            assert_eq!(&v[..got], &full[..got], "trial {trial}");
        }
    }

    /// What a passive and an active family look at is what a full sort of
    /// the choice set by (distance, id), with a drawn catchment school put
    /// first, gives: the first `l`, and the first with the others within
    /// travel; the catchment school is the first; with many ties in distance,
    /// catchment schools in and out of the set, and none within travel.
    #[test]
    fn candidates_are_those_of_a_full_sort() {
        let mut state = 17u64;
        let n_schools = 40u32;
        let mut schools = Schools::default();
        for _ in 0..n_schools {
            // On a coarse grid, so that distances tie.
            schools.x.push((lcg(&mut state) % 6) as f32 * 1.5);
            schools.y.push((lcg(&mut state) % 6) as f32 * 1.5);
        }
        let mut cand = Candidates::new();
        for trial in 0..4000 {
            let size = 1 + trial % 32;
            let mut ids: Vec<u32> = (0..n_schools).collect();
            for k in 0..size {
                let r = k + (lcg(&mut state) as usize) % (n_schools as usize - k);
                ids.swap(k, r);
            }
            let set: Vec<SchoolId> = ids[..size].iter().map(|&i| i as SchoolId).collect();
            let (x, y) = if trial % 2 == 0 { (3.0, 4.5) } else { ((lcg(&mut state) % 90) as f32 * 0.1, 2.0) };
            let home = match trial % 3 {
                0 => None,
                1 => Some(ids[(lcg(&mut state) as usize) % size]),
                _ => Some(ids[size + (lcg(&mut state) as usize) % (n_schools as usize - size)]),
            };
            let mut full: Vec<u64> = set.iter().map(|&s| key(schools.dist(s, x, y), u32::from(s))).collect();
            full.sort_unstable();
            if let Some(h) = home {
                full.retain(|&k| k as u32 != h);
                full.insert(0, key(schools.dist(h, x, y), h));
            }
            let l = 1 + trial % 7;
            cand.gather(&set, &schools);
            cand.fill(&schools, x, y, home);
            assert_eq!(cand.catchment(), full[0], "trial {trial}");
            assert_eq!(cand.passive(l), &full[..l.min(full.len())], "trial {trial}");
            let travel = (trial % 11) as f32;
            let mut near: Vec<u64> = full[1..].iter().copied().filter(|&k| key_dist(k) <= travel).collect();
            near.insert(0, full[0]);
            cand.fill(&schools, x, y, home);
            assert_eq!(cand.within(travel), &near[..], "trial {trial}");
        }
        // No open school and no drawn catchment school: no candidate.
        cand.gather(&[], &schools);
        cand.fill(&schools, 1.0, 1.0, None);
        assert_eq!(cand.catchment(), u64::MAX);
        assert!(cand.passive(3).is_empty());
        cand.fill(&schools, 1.0, 1.0, None);
        assert!(cand.within(5.0).is_empty());
        // A drawn catchment school only.
        cand.fill(&schools, 1.0, 1.0, Some(7));
        let only = key(schools.dist(7u32, 1.0, 1.0), 7);
        assert_eq!(cand.catchment(), only);
        assert_eq!(cand.passive(3), &[only]);
        cand.fill(&schools, 1.0, 1.0, Some(7));
        assert_eq!(cand.within(0.0), &[only]);
    }

    /// Branch-free insertion of rank keys keeps exactly the first `l` of a
    /// full sort by (utility in the total order of floats, descending; id),
    /// with many ties, both zeros, negatives and infinities.
    #[test]
    fn insert_top_equals_the_head_of_a_full_sort() {
        let mut state = 12345u64;
        let values = [-2.0f32, -1.5, -0.0, 0.0, 1e-30, 0.5, 2.0, f32::INFINITY, f32::NEG_INFINITY, -1e-30];
        for trial in 0..3000 {
            let m = trial % 34;
            let l = 1 + trial % 7;
            let items: Vec<(f32, u32)> = (0..m as u32)
                .map(|id| {
                    // Few distinct values, so that ties are common.
                    (values[lcg(&mut state) as usize % values.len()], (id * 7919) % 97)
                })
                .collect();
            let mut seen = std::collections::HashSet::new();
            let items: Vec<_> = items.into_iter().filter(|c| seen.insert(c.1)).collect();
            let mut full = items.clone();
            full.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            full.truncate(l);
            let mut top = vec![u64::MAX; l];
            let mut kept = 0;
            for &(u, id) in &items {
                kept = insert_top(&mut top, kept, rank_key(u, id));
            }
            assert_eq!(kept, items.len().min(l));
            let got: Vec<u32> = top[..kept].iter().map(|&k| k as u32).collect();
            let want: Vec<u32> = full.iter().map(|c| c.1).collect();
            assert_eq!(got, want, "trial {trial}");
            // The fixed-length lists keep the same: the first `kept`, then free slots.
            let fixed = match l {
                1 => fixed_top::<1>(&items),
                2 => fixed_top::<2>(&items),
                3 => fixed_top::<3>(&items),
                4 => fixed_top::<4>(&items),
                5 => fixed_top::<5>(&items),
                6 => fixed_top::<6>(&items),
                _ => fixed_top::<7>(&items),
            };
            assert_eq!(fixed.len(), l);
            assert_eq!(&fixed[..kept], &top[..kept], "trial {trial}");
            assert!(fixed[kept..].iter().all(|&k| k == u64::MAX), "trial {trial}");
        }
    }

    /// The rank keys of `items` kept by [`insert_fixed`] in `L` slots.
    fn fixed_top<const L: usize>(items: &[(f32, u32)]) -> Vec<u64> {
        let mut top = [u64::MAX; L];
        for &(u, id) in items {
            insert_fixed(&mut top, rank_key(u, id));
        }
        top.to_vec()
    }
}
