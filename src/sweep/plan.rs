//! The plan of a sweep: points of a design, and the runs (points ×
//! replicates) with their seeds, all fixed before anything runs.
//!
//! A design fills the points: a full grid of values, a random sample or a
//! Latin hypercube over ranges, or the rows of a design table. Run `i` is
//! replicate `i % replicates` of point `i / replicates`, and its seed is
//! derived from the master seed and `i` only, so a run's result does not
//! depend on how the plan is split into shards or on the number of threads.
//! A sweep of one point has the seeds of `schoolscape run`'s replicates.

use std::fmt;
use std::str::FromStr;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::rng::{Purpose, keyed_seed, replicate_seed};
use crate::scenario::Scenario;

/// One point of a design: a value for each varied parameter, and the scenario
/// with those values set (validated).
///
/// In a contrast ([`Plan::arms`] names two scenarios), each setting of the
/// parameters is two points in a row, one per scenario (arm), with the same
/// values.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Values, in the order of [`Plan::parameters`].
    pub values: Vec<toml::Value>,
    /// The base scenario (or, in a contrast, the arm's scenario) with the values set.
    pub scenario: Scenario,
    /// The setting of the parameters: the point itself in a sweep, the point
    /// divided by the number of arms in a contrast.
    pub setting: usize,
    /// The arm (scenario) of a contrast, from 0; 0 in a sweep.
    pub arm: usize,
}

/// One run of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunSpec {
    /// The run's id, from 0: its index in the plan.
    pub run_id: u64,
    /// The point (index into [`Plan::points`]).
    pub point: usize,
    /// The replicate at that point, from 0.
    pub replicate: u32,
    /// The run's seed.
    pub seed: u64,
}

/// Every run of a sweep, planned before anything runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The sweep's name (used in outputs).
    pub name: String,
    /// The base scenario (with the sweep's years, seed and scale).
    pub base: Scenario,
    /// Dotted paths of the varied parameters.
    pub parameters: Vec<String>,
    /// The design's points.
    pub points: Vec<Point>,
    /// Replicates per point.
    pub replicates: u32,
    /// Years simulated by each run.
    pub years: u32,
    /// Master seed.
    pub seed: u64,
    /// A contrast's scenarios, in order (A, then B): every setting runs each
    /// of them with the same seeds. Empty in an ordinary sweep.
    pub arms: Vec<String>,
    /// A contrast's scenarios with the sweep's settings, before any sampled
    /// value is set (the first is [`Plan::base`]). Empty in an ordinary sweep.
    pub arm_bases: Vec<Scenario>,
}

impl Plan {
    /// Scenarios run at each setting: the arms of a contrast, else 1.
    pub fn arm_count(&self) -> usize {
        self.arms.len().max(1)
    }

    /// Whether the plan is a contrast of scenarios.
    pub fn is_contrast(&self) -> bool {
        self.arms.len() > 1
    }

    /// Number of settings of the parameters (points divided by arms).
    pub fn settings(&self) -> usize {
        self.points.len() / self.arm_count()
    }

    /// Number of runs: points × replicates.
    pub fn len(&self) -> u64 {
        self.points.len() as u64 * self.replicates as u64
    }

    /// Whether the plan has no runs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The run with the given id (which must be below [`Plan::len`]).
    ///
    /// The seed depends on the master seed, the setting and the replicate
    /// only: in a contrast, replicate `r` of both scenarios at a setting has
    /// the same seed (common random numbers); in a sweep (one arm) the
    /// setting is the point, and the seed is [`run_seed`] of the run id.
    pub fn run(&self, run_id: u64) -> RunSpec {
        let r = self.replicates.max(1) as u64;
        let point = run_id / r;
        let replicate = run_id % r;
        let setting = point / self.arm_count() as u64;
        RunSpec {
            run_id,
            point: point as usize,
            replicate: replicate as u32,
            seed: run_seed(self.seed, setting * r + replicate),
        }
    }

    /// Every run, in order of id.
    pub fn runs(&self) -> impl Iterator<Item = RunSpec> + '_ {
        (0..self.len()).map(|i| self.run(i))
    }

    /// The runs of one shard, in order of id.
    pub fn shard_runs(&self, shard: Shard) -> impl Iterator<Item = RunSpec> + '_ {
        self.runs().filter(move |r| shard.contains(r.run_id))
    }

    /// The scenario of a run.
    pub fn scenario(&self, run: &RunSpec) -> &Scenario {
        &self.points[run.point].scenario
    }
}

/// The seed of run `run_id` of a sweep with master seed `master`.
pub fn run_seed(master: u64, run_id: u64) -> u64 {
    replicate_seed(master, run_id)
}

/// A share of a plan: shard `index` of `count` (from 1) holds the runs whose
/// id is `index - 1` modulo `count`, so every shard gets a mix of points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 1.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl Shard {
    /// The whole plan as one shard.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Whether a run belongs to this shard.
    pub fn contains(&self, run_id: u64) -> bool {
        run_id % self.count as u64 == (self.index - 1) as u64
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    /// `K/N` with 1 ≤ K ≤ N.
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}` is not a shard: write K/N with 1 <= K <= N, for example 2/8");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

/// A full grid: every combination of the given values, the last parameter
/// varying fastest.
pub fn grid(values: &[Vec<toml::Value>]) -> Vec<Vec<toml::Value>> {
    let mut points: Vec<Vec<toml::Value>> = vec![Vec::new()];
    for list in values {
        points = points
            .into_iter()
            .flat_map(|p| {
                list.iter().map(move |v| {
                    let mut q = p.clone();
                    q.push(v.clone());
                    q
                })
            })
            .collect();
    }
    if values.is_empty() { Vec::new() } else { points }
}

/// `steps` evenly spaced values from `min` to `max` (both included).
pub fn linspace(min: f64, max: f64, steps: u32) -> Vec<f64> {
    match steps {
        0 => Vec::new(),
        1 => vec![min],
        _ => (0..steps).map(|i| min + (max - min) * i as f64 / (steps - 1) as f64).collect(),
    }
}

fn sampler(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(keyed_seed(seed, Purpose::SweepDesign))
}

/// `n` points drawn uniformly and independently over the ranges `(min, max)`.
/// The same seed gives the same points.
pub fn random_sample(ranges: &[(f64, f64)], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = sampler(seed);
    (0..n).map(|_| ranges.iter().map(|&(lo, hi)| lo + (hi - lo) * rng.random::<f64>()).collect()).collect()
}

/// A Latin hypercube of `n` points over the ranges `(min, max)`: each range is
/// cut into `n` equal strata, and each parameter takes a value in every
/// stratum exactly once (at a uniform position within it), the strata of the
/// parameters paired at random. The same seed gives the same points.
pub fn latin_hypercube(ranges: &[(f64, f64)], n: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = sampler(seed);
    let mut columns: Vec<Vec<f64>> = Vec::with_capacity(ranges.len());
    for &(lo, hi) in ranges {
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            strata.swap(i, j);
        }
        columns.push(strata.iter().map(|&k| lo + (hi - lo) * (k as f64 + rng.random::<f64>()) / n as f64).collect());
    }
    (0..n).map(|i| columns.iter().map(|c| c[i]).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use toml::Value as V;

    #[test]
    fn grid_has_every_combination_last_fastest() {
        let g = grid(&[
            vec![V::Integer(1), V::Integer(2)],
            vec![V::Float(0.1), V::Float(0.2), V::Float(0.3)],
            vec![V::Boolean(false), V::Boolean(true)],
        ]);
        assert_eq!(g.len(), 12);
        assert_eq!(g[0], vec![V::Integer(1), V::Float(0.1), V::Boolean(false)]);
        assert_eq!(g[1], vec![V::Integer(1), V::Float(0.1), V::Boolean(true)]);
        assert_eq!(g[11], vec![V::Integer(2), V::Float(0.3), V::Boolean(true)]);
        let mut sorted: Vec<String> = g.iter().map(|p| format!("{p:?}")).collect();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), 12, "points repeat");
        assert!(grid(&[]).is_empty());
    }

    #[test]
    fn linspace_includes_both_ends() {
        assert_eq!(linspace(0.0, 1.0, 5), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(linspace(2.0, 3.0, 1), vec![2.0]);
    }

    #[test]
    fn latin_hypercube_hits_every_stratum_once() {
        let ranges = [(0.0, 1.0), (10.0, 20.0), (-1.0, 1.0)];
        for n in [1, 7, 50] {
            let pts = latin_hypercube(&ranges, n, 42);
            assert_eq!(pts.len(), n);
            for (j, &(lo, hi)) in ranges.iter().enumerate() {
                let mut hits = vec![0; n];
                for p in &pts {
                    assert!(p[j] >= lo && p[j] < hi, "{} outside [{lo}, {hi})", p[j]);
                    let k = ((p[j] - lo) / (hi - lo) * n as f64).floor() as usize;
                    hits[k] += 1;
                }
                assert!(hits.iter().all(|&h| h == 1), "parameter {j}, n = {n}: strata hit {hits:?}");
            }
        }
        assert_eq!(latin_hypercube(&ranges, 20, 7), latin_hypercube(&ranges, 20, 7));
        assert_ne!(latin_hypercube(&ranges, 20, 7), latin_hypercube(&ranges, 20, 8));
    }

    #[test]
    fn random_sample_stays_in_range_and_is_reproducible() {
        let ranges = [(0.2, 0.4), (5.0, 6.0)];
        let pts = random_sample(&ranges, 200, 1);
        assert!(pts.iter().all(|p| (0.2..0.4).contains(&p[0]) && (5.0..6.0).contains(&p[1])));
        assert_eq!(pts, random_sample(&ranges, 200, 1));
    }

    fn plan(points: usize, replicates: u32) -> Plan {
        Plan {
            name: "t".into(),
            base: Scenario::default(),
            parameters: vec![],
            points: (0..points)
                .map(|p| Point { values: vec![], scenario: Scenario::default(), setting: p, arm: 0 })
                .collect(),
            replicates,
            years: 1,
            seed: 99,
            arms: vec![],
            arm_bases: vec![],
        }
    }

    #[test]
    fn runs_are_points_times_replicates() {
        let p = plan(4, 3);
        assert_eq!(p.len(), 12);
        let r = p.run(7);
        assert_eq!((r.point, r.replicate), (2, 1));
        let ids: Vec<u64> = p.runs().map(|r| r.run_id).collect();
        assert_eq!(ids, (0..12).collect::<Vec<_>>());
    }

    #[test]
    fn seeds_do_not_depend_on_sharding() {
        let p = plan(10, 3);
        let whole: Vec<RunSpec> = p.runs().collect();
        for count in 1..=7 {
            let mut parts: Vec<RunSpec> =
                (1..=count).flat_map(|index| p.shard_runs(Shard { index, count }).collect::<Vec<_>>()).collect();
            parts.sort_by_key(|r| r.run_id);
            assert_eq!(parts, whole, "{count} shards");
        }
        let seeds: std::collections::HashSet<u64> = whole.iter().map(|r| r.seed).collect();
        assert_eq!(seeds.len(), whole.len(), "seeds repeat");
        // One point: the seeds of `schoolscape run`'s replicates.
        assert_eq!(p.run(2).seed, replicate_seed(99, 2));
    }

    #[test]
    fn contrast_arms_share_seeds_within_a_setting_and_only_there() {
        let mut p = plan(6, 3);
        p.arms = vec!["a".into(), "b".into()];
        for (i, pt) in p.points.iter_mut().enumerate() {
            (pt.setting, pt.arm) = (i / 2, i % 2);
        }
        assert_eq!(p.settings(), 3);
        let runs: Vec<RunSpec> = p.runs().collect();
        for r in &runs {
            let twin = runs
                .iter()
                .find(|q| {
                    p.points[q.point].setting == p.points[r.point].setting
                        && p.points[q.point].arm != p.points[r.point].arm
                        && q.replicate == r.replicate
                })
                .unwrap();
            assert_eq!(twin.seed, r.seed, "run {} and its twin {} differ in seed", r.run_id, twin.run_id);
        }
        // Arm A's seeds are distinct across settings and replicates, and are
        // those of a one-arm sweep of the settings.
        let a: Vec<u64> = runs.iter().filter(|r| p.points[r.point].arm == 0).map(|r| r.seed).collect();
        let distinct: std::collections::HashSet<u64> = a.iter().copied().collect();
        assert_eq!(distinct.len(), 9);
        assert_eq!(a, (0..9).map(|i| run_seed(99, i)).collect::<Vec<_>>());
    }

    #[test]
    fn shards_parse_and_refuse_nonsense() {
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { index: 2, count: 5 }));
        for bad in ["0/3", "4/3", "3", "a/b", "1/0"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
