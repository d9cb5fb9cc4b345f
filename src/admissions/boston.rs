//! The Boston mechanism (immediate acceptance; Abdulkadiroğlu and Sönmez 2003).
//!
//! In round k every unplaced pupil applies to the k-th school on its list;
//! each seat pool admits applicants of that round by priority while it has
//! seats, and admissions are final. With lists of length one this is plain
//! catchment admission.

use std::cmp::Reverse;

use super::Market;
use crate::ids::{NONE, SchoolId};

/// Working memory reused from year to year.
#[derive(Debug, Default)]
pub struct Workspace {
    applications: Vec<(u32, Reverse<u128>, u32)>,
    remaining: Vec<u32>,
}

/// Run the Boston mechanism over `market`. Arguments as for
/// [`deferred_acceptance::run`](super::deferred_acceptance::run).
pub fn run<'l, L, P, K>(market: &Market<'_, L, P, K>, assigned: &mut [SchoolId], rank: &mut [u8], ws: &mut Workspace)
where
    L: Fn(usize) -> &'l [SchoolId],
    P: Fn(usize, SchoolId) -> usize,
    K: Fn(usize, SchoolId) -> u128,
{
    let Market { n, list, pool, capacity, key } = market;
    let (n, capacity) = (*n, *capacity);
    assigned[..n].fill(NONE);
    rank[..n].fill(u8::MAX);
    ws.remaining.clear();
    ws.remaining.extend_from_slice(capacity);
    let longest = (0..n).map(|i| list(i).len()).max().unwrap_or(0);
    for round in 0..longest {
        ws.applications.clear();
        for i in 0..n {
            if assigned[i] == NONE {
                if let Some(&s) = list(i).get(round) {
                    ws.applications.push((pool(i, s) as u32, Reverse(key(i, s)), i as u32));
                }
            }
        }
        ws.applications.sort_unstable();
        for &(p, _, i) in &ws.applications {
            let left = &mut ws.remaining[p as usize];
            if *left > 0 {
                *left -= 1;
                assigned[i as usize] = list(i as usize)[round];
                rank[i as usize] = round.min(254) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Worked example: three pupils, two schools of one seat.
    /// Lists: p0 = [A, B], p1 = [B, A], p2 = [A, B]. A prefers p2 > p0; B prefers p0 > p1 > p2.
    /// Round 1: A gets {p0, p2} and admits p2; B gets {p1} and admits p1. Round 2: p0 applies to B, full.
    /// Under deferred acceptance p0 would displace p1 at B (p1 then goes unplaced as A is held by p2).
    #[test]
    fn worked_example() {
        let lists = [vec![0 as SchoolId, 1], vec![1, 0], vec![0, 1]];
        let prio = [[1u128, 0, 2], [3, 2, 1]];
        let key = |i: usize, s: SchoolId| (prio[s as usize][i] << 32) | i as u128;
        let mut a = vec![0; 3];
        let mut r = vec![0; 3];
        let market =
            Market { n: 3, list: |i: usize| &lists[i][..], pool: |_, s: SchoolId| s as usize, capacity: &[1, 1], key };
        run(&market, &mut a, &mut r, &mut Workspace::default());
        assert_eq!(a, vec![NONE, 1, 0]);
        assert_eq!(r, vec![u8::MAX, 0, 0]);
        let mut ws = super::super::deferred_acceptance::Workspace::default();
        super::super::deferred_acceptance::run(&market, |k| k as u32, &mut a, &mut r, &mut ws);
        assert_eq!(a, vec![1, NONE, 0]);
    }

    /// Boston rewards ranking a school first: a pupil with low priority who ranks a school
    /// first beats a high-priority pupil who ranks it second.
    #[test]
    fn first_choices_are_served_first() {
        let lists = [vec![1 as SchoolId, 0], vec![0, 1]];
        let key = |i: usize, _s: SchoolId| if i == 0 { 10u128 } else { 1 };
        let mut a = vec![0; 2];
        let mut r = vec![0; 2];
        let market =
            Market { n: 2, list: |i: usize| &lists[i][..], pool: |_, s: SchoolId| s as usize, capacity: &[1, 1], key };
        run(&market, &mut a, &mut r, &mut Workspace::default());
        assert_eq!(a, vec![1, 0]);
    }

    /// Lists of one school are catchment admission: the nearest pupils get the seats.
    #[test]
    fn catchment_admits_nearest_first() {
        let lists = [vec![0 as SchoolId], vec![0], vec![0]];
        let dist = [3.0f32, 1.0, 2.0];
        let key = |i: usize, _s: SchoolId| (u32::MAX - (dist[i] * 1000.0) as u32) as u128;
        let mut a = vec![0; 3];
        let mut r = vec![0; 3];
        let market =
            Market { n: 3, list: |i: usize| &lists[i][..], pool: |_, s: SchoolId| s as usize, capacity: &[2], key };
        run(&market, &mut a, &mut r, &mut Workspace::default());
        assert_eq!(a, vec![NONE, 0, 0]);
    }
}
