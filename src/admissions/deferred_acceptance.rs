//! Student-proposing deferred acceptance (Gale and Shapley 1962; Abdulkadiroğlu
//! and Sönmez 2003).
//!
//! Pupils propose down their lists; each seat pool holds the best proposers
//! so far (by priority key) up to its capacity and rejects the rest, who
//! propose to their next school. The result is the pupil-optimal stable
//! matching, whatever the order of proposals.

use rayon::prelude::*;

use super::Market;
use crate::ids::{NONE, SchoolId};

/// Working memory reused from year to year.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Each pool's holders, a binary min-heap of their keys (the weakest on
    /// top); its room is reserved once, up to the pool's capacity, so that a
    /// pool never holds more than it needs.
    heaps: Vec<Vec<u128>>,
    next: Vec<u32>,
    free: Vec<u32>,
    first: Vec<u128>,
}

impl Workspace {
    /// Empty pools for `capacity`, each with room for every seat (or every
    /// pupil, if fewer) reserved exactly, and `n` pupils yet to propose.
    fn prepare(&mut self, capacity: &[u32], n: usize) {
        self.heaps.resize_with(capacity.len(), Vec::new);
        for (h, &cap) in self.heaps.iter_mut().zip(capacity) {
            h.clear();
            h.reserve_exact((cap as usize).min(n));
        }
        self.next.clear();
        self.next.resize(n, 0);
        self.free.clear();
    }
}

/// `next` of a pupil who has proposed to every school on its list and holds no seat.
const EXHAUSTED: u32 = u32::MAX;

/// Pupils whose first keys are computed together.
const BLOCK: usize = 1 << 14;

/// Restore the min-heap order of `h` after its last element was pushed.
#[inline]
fn sift_up(h: &mut [u128]) {
    let mut k = h.len() - 1;
    let v = h[k];
    while k > 0 {
        let parent = (k - 1) / 2;
        if h[parent] <= v {
            break;
        }
        h[k] = h[parent];
        k = parent;
    }
    h[k] = v;
}

/// Replace the top (smallest) of the min-heap `h` by `v` and restore the order.
#[inline]
fn replace_top(h: &mut [u128], v: u128) {
    let n = h.len();
    let mut k = 0;
    loop {
        let l = 2 * k + 1;
        if l >= n {
            break;
        }
        let c = if l + 1 < n && h[l + 1] < h[l] { l + 1 } else { l };
        if h[c] >= v {
            break;
        }
        h[k] = h[c];
        k = c;
    }
    h[k] = v;
}

/// Run deferred acceptance over `market` (see [`Market`]: pupils' lists,
/// their seat pools, the pools' capacities and the schools' priority keys,
/// all distinct for one pool).
///
/// - `pupil(k)`: the pupil whose key is `k` (every key names its pupil, so
///   that a pool holds keys alone);
/// - `assigned[i]`, `rank[i]`: the school and list position each pupil gets (or [`NONE`] / 255);
///   lists may have any length, and positions from 254 on are reported as 254.
pub fn run<'l, L, P, K>(
    market: &Market<'_, L, P, K>,
    pupil: impl Fn(u128) -> u32,
    assigned: &mut [SchoolId],
    rank: &mut [u8],
    ws: &mut Workspace,
) where
    L: Fn(usize) -> &'l [SchoolId] + Sync,
    P: Fn(usize, SchoolId) -> usize,
    K: Fn(usize, SchoolId) -> u128 + Sync,
{
    let Market { n, list, pool, capacity, key } = market;
    let (n, capacity) = (*n, *capacity);
    ws.prepare(capacity, n);
    // Pupils enter in blocks. The keys of a block's first proposals are
    // computed in parallel; then each pupil of the block proposes, and every
    // pupil it displaces proposes on down its list (keys computed as needed).
    // The order of proposals does not change the result.
    ws.first.resize(BLOCK.min(n), 0);
    for start in (0..n).step_by(BLOCK) {
        let end = (start + BLOCK).min(n);
        ws.first[..end - start].par_iter_mut().enumerate().for_each(|(j, k)| {
            if let Some(&s) = list(start + j).first() {
                *k = key(start + j, s);
            }
        });
        for entrant in start..end {
            ws.free.push(entrant as u32);
            while let Some(i) = ws.free.pop() {
                let iu = i as usize;
                let l = list(iu);
                let k = ws.next[iu] as usize;
                if k >= l.len() {
                    ws.next[iu] = EXHAUSTED; // unplaced
                    continue;
                }
                ws.next[iu] += 1;
                let s = l[k];
                let p = pool(iu, s);
                let cap = capacity[p] as usize;
                if cap == 0 {
                    ws.free.push(i);
                    continue;
                }
                // Only the entrant itself can be making its first proposal.
                let kk = if k == 0 { ws.first[iu - start] } else { key(iu, s) };
                let heap = &mut ws.heaps[p];
                if heap.len() < cap {
                    heap.push(kk);
                    sift_up(heap);
                } else if heap[0] < kk {
                    // The weakest holder is displaced and proposes on.
                    ws.free.push(pupil(heap[0]));
                    replace_top(heap, kk);
                } else {
                    ws.free.push(i);
                }
            }
        }
    }
    // Every pupil now holds a seat at the school it proposed to last, or has
    // run out of schools: read from the proposals, in parallel.
    let next = &ws.next;
    assigned[..n].par_iter_mut().zip(rank[..n].par_iter_mut()).enumerate().for_each(|(i, (a, r))| match next[i] {
        EXHAUSTED => {
            *a = NONE;
            *r = u8::MAX;
        }
        k => {
            *a = list(i)[k as usize - 1];
            *r = (k - 1).min(254) as u8;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::cmp::Reverse;

    /// A random market: pupils' lists over schools, one pool per school, random priorities.
    fn instance() -> impl Strategy<Value = (Vec<Vec<SchoolId>>, Vec<u32>, Vec<Vec<u32>>)> {
        (1usize..6, 1usize..30).prop_flat_map(|(schools, pupils)| {
            (
                prop::collection::vec(
                    prop::sample::subsequence((0..schools as SchoolId).collect::<Vec<_>>(), 0..=schools).prop_shuffle(),
                    pupils,
                ),
                prop::collection::vec(0u32..5, schools),
                prop::collection::vec(prop::collection::vec(0u32..1000, pupils), schools),
            )
        })
    }

    /// Reference: simultaneous-rounds deferred acceptance written plainly.
    fn reference(lists: &[Vec<SchoolId>], cap: &[u32], key: &dyn Fn(usize, SchoolId) -> u128) -> Vec<SchoolId> {
        let n = lists.len();
        let mut next = vec![0usize; n];
        let mut held: Vec<Vec<usize>> = vec![Vec::new(); cap.len()];
        loop {
            let mut changed = false;
            let free: Vec<usize> =
                (0..n).filter(|&i| !held.iter().any(|h| h.contains(&i)) && next[i] < lists[i].len()).collect();
            for i in free {
                let s = lists[i][next[i]] as usize;
                next[i] += 1;
                held[s].push(i);
                changed = true;
            }
            for (s, h) in held.iter_mut().enumerate() {
                h.sort_by_key(|&i| Reverse(key(i, s as SchoolId)));
                h.truncate(cap[s] as usize);
            }
            if !changed {
                break;
            }
        }
        let mut out = vec![NONE; n];
        for (s, h) in held.iter().enumerate() {
            for &i in h {
                out[i] = s as SchoolId;
            }
        }
        out
    }

    proptest! {
        #[test]
        fn stable_within_capacity_and_equal_to_reference((lists, cap, prio) in instance()) {
            let n = lists.len();
            let key = |i: usize, s: SchoolId| ((prio[s as usize][i] as u128) << 32) | i as u128;
            let mut assigned = vec![0; n];
            let mut rank = vec![0; n];
            let mut ws = Workspace::default();
            let market = Market { n, list: |i: usize| &lists[i][..], pool: |_, s: SchoolId| s as usize, capacity: &cap, key: &key };
            run(&market, |k| k as u32, &mut assigned, &mut rank, &mut ws);
            // Capacity.
            for (s, c) in cap.iter().enumerate() {
                prop_assert!(assigned.iter().filter(|&&a| a == s as SchoolId).count() <= *c as usize);
            }
            // Each pupil gets a school on its list, at the reported rank.
            for i in 0..n {
                if assigned[i] != NONE {
                    prop_assert_eq!(lists[i][rank[i] as usize], assigned[i]);
                }
            }
            // No blocking pair: a pupil who prefers s to what it got finds s full of higher priorities.
            for i in 0..n {
                let got = if assigned[i] == NONE { lists[i].len() } else { rank[i] as usize };
                for &s in &lists[i][..got] {
                    let holders: Vec<usize> = (0..n).filter(|&j| assigned[j] == s).collect();
                    prop_assert!(holders.len() == cap[s as usize] as usize);
                    prop_assert!(holders.iter().all(|&j| key(j, s) > key(i, s)));
                }
            }
            prop_assert_eq!(assigned, reference(&lists, &cap, &key));
        }
    }

    /// Lists longer than 255 entries (positions once held in a byte) end,
    /// and capacity 0 everywhere but the last school is respected.
    #[test]
    fn lists_longer_than_255_terminate() {
        let schools: SchoolId = 300;
        let lists: Vec<Vec<SchoolId>> = (0..3).map(|_| (0..schools).collect()).collect();
        let mut cap = vec![0u32; schools as usize];
        cap[299] = 2;
        let (mut assigned, mut rank) = (vec![0; 3], vec![0; 3]);
        let mut ws = Workspace::default();
        let key = |i: usize, _s: SchoolId| i as u128;
        let market = Market {
            n: 3,
            list: |i: usize| &lists[i][..],
            pool: |_, s: SchoolId| s as usize,
            capacity: &cap,
            key: &key,
        };
        run(&market, |k| k as u32, &mut assigned, &mut rank, &mut ws);
        assert_eq!(assigned, vec![NONE, 299, 299]);
        assert_eq!(rank, vec![u8::MAX, 254, 254]);
        assert_eq!(assigned, reference(&lists, &cap, &key));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        /// Long lists over many schools with many empty ones agree with the reference.
        #[test]
        fn long_lists_equal_reference(pupils in 1usize..8, caps in prop::collection::vec(0u32..2, 256..300), seed in 0u64..1000) {
            let schools = caps.len() as SchoolId;
            let lists: Vec<Vec<SchoolId>> = (0..pupils).map(|i| {
                let mut l: Vec<SchoolId> = (0..schools).collect();
                l.rotate_left(((seed as usize) * 7 + i * 13) % schools as usize);
                l
            }).collect();
            let key = |i: usize, s: SchoolId| (((seed as u128 * 31 + s as u128 * 17 + i as u128 * 5) % 101) << 32) | i as u128;
            let (mut assigned, mut rank) = (vec![0; pupils], vec![0; pupils]);
            let mut ws = Workspace::default();
            let market = Market { n: pupils, list: |i: usize| &lists[i][..], pool: |_, s: SchoolId| s as usize, capacity: &caps, key: &key };
            run(&market, |k| k as u32, &mut assigned, &mut rank, &mut ws);
            prop_assert_eq!(assigned, reference(&lists, &caps, &key));
        }
    }
}
