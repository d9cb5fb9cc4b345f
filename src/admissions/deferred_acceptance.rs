//! Student-proposing deferred acceptance (Gale and Shapley 1962; Abdulkadiroğlu
//! and Sönmez 2003).
//!
//! Pupils propose down their lists; each seat pool holds the best proposers
//! so far (by priority key) up to its capacity and rejects the rest, who
//! propose to their next school. The result is the pupil-optimal stable
//! matching, whatever the order of proposals; so pupils propose concurrently,
//! each proposal made under its pool's lock.

use std::sync::atomic::{AtomicU32, Ordering::Relaxed};
use std::sync::{Mutex, PoisonError};

use rayon::prelude::*;

use super::Market;
use crate::ids::{NONE, SchoolId};

/// Working memory of one run of the mechanism (allocated when it starts,
/// freed when it ends). The pools' heaps of keys, whose type the market
/// chooses, are the run's own.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Each pupil's next list position ([`EXHAUSTED`] once it has run out).
    /// Only the worker that holds a pupil free reads or writes its entry; a
    /// worker that displaces the pupil does so under the pool lock taken
    /// after the pupil's proposal, which orders the accesses.
    next: Vec<AtomicU32>,
}

/// Each pool's holders, a binary min-heap of their keys (the weakest on
/// top), behind the pool's lock.
type Heaps<T> = Vec<Mutex<Vec<T>>>;

/// Empty pools for `capacity`, each with room for every seat (or every
/// pupil, if fewer) reserved exactly, so that a pool never holds more than
/// it needs; and `n` pupils yet to propose.
fn prepare<T>(ws: &mut Workspace, capacity: &[u32], n: usize) -> Heaps<T> {
    ws.next = (0..n).map(|_| AtomicU32::new(0)).collect();
    capacity.iter().map(|&cap| Mutex::new(Vec::with_capacity((cap as usize).min(n)))).collect()
}

/// `next` of a pupil who has proposed to every school on its list and holds no seat.
const EXHAUSTED: u32 = u32::MAX;

/// Entrants whose proposals one worker starts in a row (contiguous pupils
/// live near each other, so workers mostly meet different pools).
const BLOCK: usize = 1 << 12;

/// Restore the min-heap order of `h` (by `less`) after its last element was pushed.
#[inline]
fn sift_up<T: Copy>(h: &mut [T], less: &impl Fn(T, T) -> bool) {
    let mut k = h.len() - 1;
    let v = h[k];
    while k > 0 {
        let parent = (k - 1) / 2;
        if !less(v, h[parent]) {
            break;
        }
        h[k] = h[parent];
        k = parent;
    }
    h[k] = v;
}

/// Replace the top (smallest) of the min-heap `h` (by `less`) by `v` and restore the order.
#[inline]
fn replace_top<T: Copy>(h: &mut [T], v: T, less: &impl Fn(T, T) -> bool) {
    let n = h.len();
    let mut k = 0;
    loop {
        let l = 2 * k + 1;
        if l >= n {
            break;
        }
        let c = if l + 1 < n && less(h[l + 1], h[l]) { l + 1 } else { l };
        if !less(h[c], v) {
            break;
        }
        h[k] = h[c];
        k = c;
    }
    h[k] = v;
}

/// Pupil `i`'s next proposal: to the first pool further down its list that
/// has seats, under that pool's lock. Returns the pupil now rejected (the
/// weakest holder it displaced, or `i` itself), if any; a pupil that runs out
/// of schools is marked [`EXHAUSTED`].
#[inline]
fn propose<'l, L, P, K, T: Copy>(
    market: &Market<'_, L, P, K>,
    (pupil, less): (&impl Fn(T) -> u32, &impl Fn(T, T) -> bool),
    ws: (&[Mutex<Vec<T>>], &[AtomicU32]),
    i: u32,
) -> Option<u32>
where
    L: Fn(usize) -> &'l [SchoolId],
    P: Fn(usize, SchoolId) -> usize,
    K: Fn(usize, SchoolId) -> T,
{
    let (heaps, next) = ws;
    let iu = i as usize;
    let l = (market.list)(iu);
    let mut k = next[iu].load(Relaxed) as usize;
    // Pools without seats reject at once.
    let (s, p, cap) = loop {
        let Some(&s) = l.get(k) else {
            next[iu].store(EXHAUSTED, Relaxed); // unplaced
            return None;
        };
        k += 1;
        let p = (market.pool)(iu, s);
        if market.capacity[p] > 0 {
            break (s, p, market.capacity[p] as usize);
        }
    };
    next[iu].store(k as u32, Relaxed);
    let kk = (market.key)(iu, s);
    let mut heap = heaps[p].lock().unwrap_or_else(PoisonError::into_inner);
    if heap.len() < cap {
        heap.push(kk);
        sift_up(&mut heap, less);
        None
    } else if less(heap[0], kk) {
        // The weakest holder is displaced and proposes on.
        let out = pupil(heap[0]);
        replace_top(&mut heap, kk, less);
        Some(out)
    } else {
        Some(i)
    }
}

/// Run deferred acceptance over `market` (see [`Market`]: pupils' lists,
/// their seat pools, the pools' capacities and the schools' priority keys,
/// all distinct for one pool).
///
/// - `pupil(k)`: the pupil whose key is `k` (every key names its pupil, so
///   that a pool holds keys alone);
/// - `assigned[i]`, `rank[i]`: the school and list position each pupil gets (or [`NONE`] / 255);
///   lists may have any length, and positions from 254 on are reported as 254.
///
/// Blocks of entrants propose in parallel (on the current rayon pool), each
/// worker following the chain of pupils its proposals displace; the matching
/// is the same at any number of threads.
pub fn run<'l, L, P, K>(
    market: &Market<'_, L, P, K>,
    pupil: impl Fn(u128) -> u32 + Sync,
    assigned: &mut [SchoolId],
    rank: &mut [u8],
    ws: &mut Workspace,
) where
    L: Fn(usize) -> &'l [SchoolId] + Sync,
    P: Fn(usize, SchoolId) -> usize + Sync,
    K: Fn(usize, SchoolId) -> u128 + Sync,
{
    run_by(market, (pupil, |a: u128, b: u128| a < b), assigned, rank, ws);
}

/// [`run`] with keys of any type `T`, ordered by `less(a, b)` (a strict
/// total order on one pool's keys, higher admitted first).
pub fn run_by<'l, L, P, K, T>(
    market: &Market<'_, L, P, K>,
    order: (impl Fn(T) -> u32 + Sync, impl Fn(T, T) -> bool + Sync),
    assigned: &mut [SchoolId],
    rank: &mut [u8],
    ws: &mut Workspace,
) where
    L: Fn(usize) -> &'l [SchoolId] + Sync,
    P: Fn(usize, SchoolId) -> usize + Sync,
    K: Fn(usize, SchoolId) -> T + Sync,
    T: Copy + Send,
{
    run_in_blocks(market, order, (assigned, rank), ws, BLOCK);
}

/// [`run_by`], with entrants taken `block` at a time.
fn run_in_blocks<'l, L, P, K, T>(
    market: &Market<'_, L, P, K>,
    (pupil, less): (impl Fn(T) -> u32 + Sync, impl Fn(T, T) -> bool + Sync),
    (assigned, rank): (&mut [SchoolId], &mut [u8]),
    ws: &mut Workspace,
    block: usize,
) where
    L: Fn(usize) -> &'l [SchoolId] + Sync,
    P: Fn(usize, SchoolId) -> usize + Sync,
    K: Fn(usize, SchoolId) -> T + Sync,
    T: Copy + Send,
{
    let (n, list) = (market.n, &market.list);
    let heaps = prepare::<T>(ws, market.capacity, n);
    let pools = (&heaps[..], &ws.next[..]);
    (0..n.div_ceil(block)).into_par_iter().for_each_init(Vec::new, |free, b| {
        for entrant in b * block..((b + 1) * block).min(n) {
            free.push(entrant as u32);
            while let Some(i) = free.pop() {
                free.extend(propose(market, (&pupil, &less), pools, i));
            }
        }
    });
    // The pools are freed before the results are read (a key a seat, not
    // held while the results are written).
    drop(heaps);
    // Every pupil now holds a seat at the school it proposed to last, or has
    // run out of schools: read from the proposals, in parallel.
    let next = &ws.next;
    assigned[..n].par_iter_mut().zip(rank[..n].par_iter_mut()).enumerate().for_each(|(i, (a, r))| {
        match next[i].load(Relaxed) {
            EXHAUSTED => {
                *a = NONE;
                *r = u8::MAX;
            }
            k => {
                *a = list(i)[k as usize - 1];
                *r = (k - 1).min(254) as u8;
            }
        }
    });
    // The positions are freed until next year's admissions (a number a
    // pupil, not held the rest of the year, when the other year groups'
    // work needs memory), as the pools are.
    *ws = Workspace::default();
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

    /// Reference: simultaneous-rounds deferred acceptance written plainly,
    /// one pool per school.
    fn reference(lists: &[Vec<SchoolId>], cap: &[u32], key: &dyn Fn(usize, SchoolId) -> u128) -> Vec<SchoolId> {
        reference_pools(lists, cap, &|_, s| s as usize, key)
    }

    /// Reference over seat pools: `pool(i, s)` is the pool pupil i would take at school s.
    fn reference_pools(
        lists: &[Vec<SchoolId>],
        cap: &[u32],
        pool: &dyn Fn(usize, SchoolId) -> usize,
        key: &dyn Fn(usize, SchoolId) -> u128,
    ) -> Vec<SchoolId> {
        let n = lists.len();
        let mut next = vec![0usize; n];
        let mut held: Vec<Vec<usize>> = vec![Vec::new(); cap.len()];
        loop {
            let mut changed = false;
            let free: Vec<usize> =
                (0..n).filter(|&i| !held.iter().any(|h| h.contains(&i)) && next[i] < lists[i].len()).collect();
            for i in free {
                let s = lists[i][next[i]];
                next[i] += 1;
                held[pool(i, s)].push(i);
                changed = true;
            }
            for h in held.iter_mut() {
                h.sort_by_key(|&i| Reverse(key(i, lists[i][next[i] - 1])));
            }
            for (p, h) in held.iter_mut().enumerate() {
                h.truncate(cap[p] as usize);
            }
            if !changed {
                break;
            }
        }
        let mut out = vec![NONE; n];
        for h in &held {
            for &i in h {
                out[i] = lists[i][next[i] - 1];
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

    /// Lists, which schools have two bands, each pool's capacity, each school's priorities.
    type Banded = (Vec<Vec<SchoolId>>, Vec<bool>, Vec<u32>, Vec<Vec<u32>>);

    /// A random market over seat pools: two bands at some schools.
    fn banded() -> impl Strategy<Value = Banded> {
        (1usize..8, 1usize..120).prop_flat_map(|(schools, pupils)| {
            (
                prop::collection::vec(
                    prop::sample::subsequence((0..schools as SchoolId).collect::<Vec<_>>(), 0..=schools).prop_shuffle(),
                    pupils,
                ),
                prop::collection::vec(any::<bool>(), schools),
                prop::collection::vec(0u32..8, 2 * schools),
                prop::collection::vec(prop::collection::vec(0u32..50, pupils), schools),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Proposals made concurrently by four threads, a few entrants at a
        /// time, give the reference's matching, and the same ranks as one thread.
        #[test]
        fn four_threads_equal_reference_and_one_thread((lists, two, cap, prio) in banded(), block in 1usize..5) {
            let n = lists.len();
            let key = |i: usize, s: SchoolId| ((prio[s as usize][i] as u128) << 32) | i as u128;
            let pool = |i: usize, s: SchoolId| 2 * s as usize + usize::from(two[s as usize] && i % 2 == 1);
            let market = Market { n, list: |i: usize| &lists[i][..], pool, capacity: &cap, key: &key };
            let mut got = Vec::new();
            for threads in [1, 4] {
                let (mut assigned, mut rank) = (vec![0; n], vec![0; n]);
                let mut ws = Workspace::default();
                let tp = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
                tp.install(|| run_in_blocks(&market, (|k: u128| k as u32, |a: u128, b: u128| a < b), (&mut assigned, &mut rank), &mut ws, block));
                got.push((assigned, rank));
            }
            prop_assert_eq!(&got[0].0, &reference_pools(&lists, &cap, &pool, &key));
            prop_assert_eq!(&got[0], &got[1]);
        }
    }

    /// A city-sized market (20,000 pupils, 40 schools, oversubscribed):
    /// four threads taking eight entrants at a time, repeated, match one thread.
    #[test]
    fn four_threads_equal_one_thread_on_a_large_market() {
        let (n, schools) = (20_000usize, 40u32);
        let h = |a: u64| a.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        let lists: Vec<Vec<SchoolId>> = (0..n)
            .map(|i| {
                let home = (i * schools as usize / n) as u64;
                (0..6u64).map(|j| ((home + h(i as u64 * 8 + j) % 5 + j) % schools as u64) as SchoolId).fold(
                    Vec::new(),
                    |mut l, s| {
                        if !l.contains(&s) {
                            l.push(s);
                        }
                        l
                    },
                )
            })
            .collect();
        let cap: Vec<u32> = (0..schools).map(|s| 300 + (s % 7) * 80).collect();
        let key = |i: usize, s: SchoolId| (((h(i as u64 ^ (s as u64) << 40) >> 44) as u128) << 32) | i as u128;
        let market =
            Market { n, list: |i: usize| &lists[i][..], pool: |_, s: SchoolId| s as usize, capacity: &cap, key };
        let solve = |threads: usize, block: usize| {
            let (mut assigned, mut rank) = (vec![0; n], vec![0; n]);
            let mut ws = Workspace::default();
            let tp = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            tp.install(|| {
                run_in_blocks(
                    &market,
                    (|k: u128| k as u32, |a: u128, b: u128| a < b),
                    (&mut assigned, &mut rank),
                    &mut ws,
                    block,
                )
            });
            (assigned, rank)
        };
        let one = solve(1, BLOCK);
        assert!(one.0.contains(&NONE) && one.1.iter().any(|&r| r > 0), "a market with rejections");
        for _ in 0..5 {
            assert!(solve(4, 8) == one);
        }
    }
}
