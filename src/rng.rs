//! Explicit, seeded random streams.
//!
//! Every random draw comes from a generator derived from the replicate's seed,
//! a named purpose, the year and (for work split across threads) a fixed chunk
//! index. Adding a draw to one purpose never shifts another's, and results do
//! not depend on the number of threads: chunks have a fixed size whatever the
//! thread count.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator used everywhere.
pub type Rng = ChaCha8Rng;

/// Pupils per chunk in parallel loops; fixed so results do not depend on threads.
pub const CHUNK: usize = 4096;

/// The replicate's seed and the key of the year: what every stream of one
/// year's phase is derived from (with its purpose and chunk).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Year {
    /// The replicate's seed.
    pub seed: u64,
    /// The year's key (the simulated year, or a key of the warm start).
    pub year: u32,
}

/// What a stream is for. Each purpose has its own stream, and every random
/// draw of the model goes through one: a generator from [`stream`], a keyed
/// draw from [`hash_unit`] or a seed from [`keyed_seed`], each with its
/// purpose. The numbers are part of the seeded results: changing one changes
/// every result that draws from it. Residential moves and the market draw
/// nothing (they are deterministic given the state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Building the synthetic region.
    Region = 1,
    /// Schools' initial characteristics.
    Schools = 2,
    /// New cohorts: who enters, from where.
    Cohort = 3,
    /// Families' choices, and each applicant's lottery number, drawn with the
    /// application and used by admissions (the lottery priority, the order in
    /// which the district places the unplaced).
    Choice = 4,
    /// Admissions: a cream-skimming school's decision about one applicant
    /// (keyed by applicant and school).
    Admissions = 5,
    /// Learning noise.
    Learning = 6,
    /// School adaptation (drift).
    Improvement = 8,
    /// Collaborative policies.
    Policy = 9,
    /// Exclusions: whether an autonomous school excludes one pupil on roll
    /// (keyed by year, year group and pupil).
    Exclusions = 0xE8C1,
    /// A replicate's seed, from the master seed and the replicate's index.
    Replicate = 0x5E9,
    /// A sweep's sampled design (random and Latin-hypercube points).
    SweepDesign = 0x05A4_D91E,
    /// A validation case's sample of plausible parameters (robustness).
    ValidationSample = 0x40B,
    /// School openings (sites and new schools' characteristics).
    Openings = 11,
}

/// SplitMix64: a fast, well-mixed hash of a 64-bit value.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Where [`combine`] starts.
const COMBINE_START: u64 = 0x5EED_5C00_15CA_9E00;

/// Combine values into one well-mixed 64-bit seed.
#[inline]
pub fn combine(parts: &[u64]) -> u64 {
    combine_after(COMBINE_START, parts)
}

/// Continue [`combine`] with more values: `combine_after(combine(a), b)` is
/// `combine` of `a` followed by `b` (so that values shared by many draws
/// are combined once).
#[inline]
pub fn combine_after(acc: u64, parts: &[u64]) -> u64 {
    parts.iter().fold(acc, |acc, &p| mix(acc ^ mix(p)))
}

/// The seed of replicate `r` of a run with master seed `master`.
pub fn replicate_seed(master: u64, r: u64) -> u64 {
    combine(&[master, r, Purpose::Replicate as u64])
}

/// A seed for one purpose drawn from a master seed (for a generator outside
/// the yearly schedule, such as a sweep's sampled design).
pub fn keyed_seed(seed: u64, purpose: Purpose) -> u64 {
    combine(&[seed, purpose as u64])
}

/// A generator for (seed, purpose, year, chunk).
pub fn stream(seed: u64, purpose: Purpose, year: u32, chunk: u64) -> Rng {
    let mut key = [0u8; 32];
    for i in 0..4u64 {
        let word = combine(&[seed, purpose as u64, year as u64, chunk, i]);
        key[i as usize * 8..(i as usize + 1) * 8].copy_from_slice(&word.to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

/// A uniform number in [0, 1) from a hash, for order-independent draws keyed
/// by identities (for example a school deciding about one applicant).
#[inline]
pub fn hash_unit(parts: &[u64]) -> f64 {
    hash_unit_after(COMBINE_START, parts)
}

/// [`hash_unit`] of the values combined into `acc` (by [`combine`])
/// followed by `parts`: `hash_unit_after(combine(a), b)` is `hash_unit` of
/// `a` followed by `b`.
#[inline]
pub fn hash_unit_after(acc: u64, parts: &[u64]) -> f64 {
    (combine_after(acc, parts) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: u64 = stream(1, Purpose::Choice, 3, 0).random();
        let b: u64 = stream(1, Purpose::Choice, 3, 0).random();
        let c: u64 = stream(1, Purpose::Choice, 3, 1).random();
        let d: u64 = stream(1, Purpose::Learning, 3, 0).random();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, d);
    }

    /// Combining in two steps is combining at once.
    #[test]
    fn combining_after_a_prefix_is_combining_at_once() {
        let parts = [7u64, 0, u64::MAX, 12_345, 1 << 40];
        for k in 0..=parts.len() {
            let (a, b) = parts.split_at(k);
            assert_eq!(combine_after(combine(a), b), combine(&parts));
            assert_eq!(hash_unit_after(combine(a), b).to_bits(), hash_unit(&parts).to_bits());
        }
    }

    #[test]
    fn hash_unit_is_in_range() {
        for i in 0..1000 {
            let u = hash_unit(&[i, 7]);
            assert!((0.0..1.0).contains(&u));
        }
    }
}
