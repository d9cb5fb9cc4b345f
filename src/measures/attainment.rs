//! Attainment measures as pure functions of scores.

use crate::stats::{sort_keys33, sort_total, total_key};

/// The DfE disadvantage gap index (Department for Education 2014, "Measuring
/// disadvantaged pupils' attainment gaps over time"): all pupils are ranked
/// (ties share their mean rank), ranks are scaled to percentiles from 0 to 1,
/// and the index is 20 × (mean percentile of other pupils − mean percentile of
/// disadvantaged pupils). It runs from −10 to 10; 0 means no gap.
///
/// `pairs` holds (score, disadvantaged); see [`gap_index_of`].
pub fn gap_index(pairs: &mut [(f32, bool)]) -> f64 {
    let mut dis: Vec<f32> = pairs.iter().filter(|p| p.1).map(|p| p.0).collect();
    let mut other: Vec<f32> = pairs.iter().filter(|p| !p.1).map(|p| p.0).collect();
    gap_index_of(&mut dis, &mut other)
}

/// [`gap_index`] of the disadvantaged pupils' scores `dis` and the other
/// pupils' `other` (both sorted in place, in the order of `f32::total_cmp`):
/// the two sorted lists are walked together as one ranking, so that no list
/// of (score, flag) pairs is needed (4 bytes a pupil instead of 8). A NaN
/// score (the model has none) takes a rank of its own, as in a sort of
/// pairs; equal NaNs of both groups rank the disadvantaged pupils' first.
pub fn gap_index_of(dis: &mut [f32], other: &mut [f32]) -> f64 {
    let n = dis.len() + other.len();
    if n == 0 {
        return f64::NAN;
    }
    rayon::join(|| sort_total(dis), || sort_total(other));
    let (mut sum_dis, mut n_dis, mut sum_oth, mut n_oth) = (0.0f64, 0usize, 0.0f64, 0usize);
    let (mut a, mut b) = (0usize, 0usize);
    while a < dis.len() || b < other.len() {
        // The next score of the ranking (in total order; on equal bits the
        // disadvantaged pupil's first), then every score equal to it (as `==`
        // has it: -0 and +0 alike, a NaN alone), next to it in both lists.
        let (a0, b0) = (a, b);
        let v = if b >= other.len() || (a < dis.len() && dis[a].total_cmp(&other[b]).is_le()) {
            a += 1;
            dis[a0]
        } else {
            b += 1;
            other[b0]
        };
        while a < dis.len() && dis[a] == v {
            a += 1;
        }
        while b < other.len() && other[b] == v {
            b += 1;
        }
        // Ranks i+1 ..= j share their mean; as a percentile (rank − ½)/n.
        let (i, j) = (a0 + b0, a + b);
        let pct = ((i + 1 + j) as f64 / 2.0 - 0.5) / n as f64;
        for _ in a0..a {
            sum_dis += pct;
        }
        for _ in b0..b {
            sum_oth += pct;
        }
        n_dis += a - a0;
        n_oth += b - b0;
    }
    if n_dis == 0 || n_oth == 0 {
        return f64::NAN;
    }
    20.0 * (sum_oth / n_oth as f64 - sum_dis / n_dis as f64)
}

/// [`gap_index`] of `scores`, each pupil's flag (disadvantaged) in `dis`
/// in the same order: the scores are ranked in one sort of keys that hold a
/// score's bits (in the order of `f32::total_cmp`) and, below them, its
/// pupil's flag (on equal bits the disadvantaged pupils' first), without
/// copies of the scores by group. The same ranking and the same sums in the
/// same order as [`gap_index_of`]: a NaN score (the model has none) takes a
/// rank of its own, and -0 and +0 share theirs.
pub fn gap_index_by(scores: &[f32], dis: impl IntoIterator<Item = bool>) -> f64 {
    let mut n_dis = 0usize;
    let mut keys: Vec<u64> = scores
        .iter()
        .zip(dis)
        .map(|(&a, d)| {
            n_dis += usize::from(d);
            (u64::from(total_key(a)) << 1) | u64::from(!d)
        })
        .collect();
    let n = keys.len();
    let n_oth = n - n_dis;
    if n_dis == 0 || n_oth == 0 {
        return f64::NAN;
    }
    sort_keys33(&mut keys, &mut Vec::new());
    // The keys of -0 and +0, and the keys below and above which scores are NaN.
    const NEG_ZERO: u32 = 0x7fff_ffff;
    const POS_ZERO: u32 = 0x8000_0000;
    const NAN_BELOW: u32 = 0x007f_ffff;
    const NAN_ABOVE: u32 = 0xff80_0000;
    // A score's key with -0 read as +0 (equal as `==` has it).
    let value = |k: u64| -> u32 {
        let v = (k >> 1) as u32;
        if v == NEG_ZERO { POS_ZERO } else { v }
    };
    let (mut sum_dis, mut sum_oth) = (0.0f64, 0.0f64);
    let n_f = n as f64;
    let mut i = 0;
    while i < n {
        // Scores equal to the next one (a NaN alone) share ranks i+1 ..= j:
        // their mean as a percentile, (rank − ½)/n (ranks well below 2^53,
        // exact as floats).
        let key = keys[i];
        let v = value(key);
        let mut j = i + 1;
        if (NAN_BELOW..=NAN_ABOVE).contains(&v) {
            while j < n && value(keys[j]) == v {
                j += 1;
            }
        }
        let pct = ((i + 1 + j) as i64 as f64 / 2.0 - 0.5) / n_f;
        if j == i + 1 {
            if key & 1 == 0 {
                sum_dis += pct;
            } else {
                sum_oth += pct;
            }
        } else {
            for &k in &keys[i..j] {
                if k & 1 == 0 {
                    sum_dis += pct;
                } else {
                    sum_oth += pct;
                }
            }
        }
        i = j;
    }
    20.0 * (sum_oth / n_oth as f64 - sum_dis / n_dis as f64)
}

/// Ordinary least squares of y on x: (slope, R²).
pub fn regression(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    if x.len() < 2 {
        return (f64::NAN, f64::NAN);
    }
    let mx = x.iter().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        sxy += (a - mx) * (b - my);
        sxx += (a - mx) * (a - mx);
        syy += (b - my) * (b - my);
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    (sxy / sxx, sxy * sxy / (sxx * syy))
}

/// Running sums for a regression computed in one pass.
#[derive(Debug, Clone, Copy, Default)]
pub struct Moments {
    n: f64,
    sx: f64,
    sy: f64,
    sxx: f64,
    syy: f64,
    sxy: f64,
}

impl Moments {
    /// Add a point.
    #[inline]
    pub fn add(&mut self, x: f64, y: f64) {
        self.n += 1.0;
        self.sx += x;
        self.sy += y;
        self.sxx += x * x;
        self.syy += y * y;
        self.sxy += x * y;
    }

    /// Mean of y.
    pub fn mean_y(&self) -> f64 {
        self.sy / self.n
    }

    /// Population SD of y.
    pub fn sd_y(&self) -> f64 {
        (self.syy / self.n - self.mean_y().powi(2)).max(0.0).sqrt()
    }

    /// Slope of y on x and R².
    pub fn slope_r2(&self) -> (f64, f64) {
        let cxy = self.sxy - self.sx * self.sy / self.n;
        let cxx = self.sxx - self.sx * self.sx / self.n;
        let cyy = self.syy - self.sy * self.sy / self.n;
        if cxx <= 0.0 || cyy <= 0.0 {
            return (f64::NAN, f64::NAN);
        }
        (cxy / cxx, cxy * cxy / (cxx * cyy))
    }
}

/// Share of the variance of scores that lies between units: Σ n_u (m_u − m)² / Σ (y − m)²,
/// from per-unit counts, sums and the overall sum of squares.
pub fn between_share(count: &[f64], sum: &[f64], total_sum_sq: f64) -> f64 {
    let n: f64 = count.iter().sum();
    if n <= 0.0 {
        return f64::NAN;
    }
    let m = sum.iter().sum::<f64>() / n;
    let total = total_sum_sq - n * m * m;
    if total <= 0.0 {
        return f64::NAN;
    }
    let between: f64 = count.iter().zip(sum).filter(|(c, _)| **c > 0.0).map(|(c, s)| c * (s / c - m).powi(2)).sum();
    between / total
}

/// Gini coefficient of non-negative values.
pub fn gini(values: &mut [f64]) -> f64 {
    let n = values.len();
    let total: f64 = values.iter().sum();
    if n == 0 || total <= 0.0 {
        return f64::NAN;
    }
    values.sort_unstable_by(f64::total_cmp);
    let weighted: f64 = values.iter().enumerate().map(|(i, v)| (2.0 * (i as f64 + 1.0) - n as f64 - 1.0) * v).sum();
    weighted / (n as f64 * total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_index_worked_examples() {
        // Disadvantaged pupils take the two lowest of four ranks: percentiles .125, .375 vs .625, .875.
        let mut v = vec![(3.0, false), (1.0, true), (4.0, false), (2.0, true)];
        assert!((gap_index(&mut v) - 10.0).abs() < 1e-12);
        // Ties share their rank.
        let mut t = vec![(1.0, true), (1.0, true), (2.0, false), (2.0, false)];
        assert!((gap_index(&mut t) - 10.0).abs() < 1e-12);
        let mut all_tied = vec![(1.0, true), (1.0, false), (1.0, true), (1.0, false)];
        assert!(gap_index(&mut all_tied).abs() < 1e-12);
        // Reversed: disadvantaged on top.
        let mut r = vec![(1.0, false), (2.0, true)];
        assert!((gap_index(&mut r) + 10.0).abs() < 1e-12);
        // One disadvantaged pupil in the middle of five: percentile .5 vs mean of others .5: no gap.
        let mut m = vec![(1.0, false), (2.0, false), (3.0, true), (4.0, false), (5.0, false)];
        assert!(gap_index(&mut m).abs() < 1e-12);
    }

    /// Scores with ties, signed zeros, infinities and NaNs
    /// ([`crate::stats::tests::awkward`]), with a flag each.
    fn awkward_scores(len: usize, seed: u64) -> Vec<(f32, bool)> {
        let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
        crate::stats::tests::awkward(len, seed)
            .into_iter()
            .map(|x| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (x, (state >> 33) & 1 == 1)
            })
            .collect()
    }

    /// The gap index as it was computed before (issue 16): (score, flag)
    /// pairs sorted together, each run of equal scores sharing its mean rank.
    fn gap_index_of_pairs(pairs: &mut [(f32, bool)]) -> f64 {
        let n = pairs.len();
        if n == 0 {
            return f64::NAN;
        }
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let (mut sum_dis, mut n_dis, mut sum_oth, mut n_oth) = (0.0f64, 0usize, 0.0f64, 0usize);
        let mut i = 0;
        while i < n {
            let mut j = i + 1;
            while j < n && pairs[j].0 == pairs[i].0 {
                j += 1;
            }
            let pct = ((i + 1 + j) as f64 / 2.0 - 0.5) / n as f64;
            for p in &pairs[i..j] {
                if p.1 {
                    sum_dis += pct;
                    n_dis += 1;
                } else {
                    sum_oth += pct;
                    n_oth += 1;
                }
            }
            i = j;
        }
        if n_dis == 0 || n_oth == 0 {
            return f64::NAN;
        }
        20.0 * (sum_oth / n_oth as f64 - sum_dis / n_dis as f64)
    }

    /// Walking the two groups' sorted scores together gives the same bits as
    /// ranking the pairs, ties, signed zeros and infinities included. (NaN
    /// scores, which the model never produces, each take a rank of their own
    /// either way, but equal NaNs of the two groups may take them in another
    /// order.)
    #[test]
    fn gap_index_of_two_lists_equals_the_pairs_ranking() {
        for (len, seed) in [(0usize, 1u64), (1, 2), (2, 3), (7, 4), (60, 5), (5000, 6), (20_000, 7)] {
            let pairs: Vec<(f32, bool)> = awkward_scores(len, seed).into_iter().filter(|p| !p.0.is_nan()).collect();
            let got = gap_index(&mut pairs.clone());
            let want = gap_index_of_pairs(&mut pairs.clone());
            assert_eq!(got.to_bits(), want.to_bits(), "len {len}: {got} vs {want}");
            // Scores far apart and heavily tied alike.
            let tied: Vec<(f32, bool)> = pairs.iter().map(|p| (p.0.clamp(-1.0, 1.0).round(), p.1)).collect();
            let got = gap_index(&mut tied.clone());
            let want = gap_index_of_pairs(&mut tied.clone());
            assert_eq!(got.to_bits(), want.to_bits(), "tied, len {len}: {got} vs {want}");
        }
    }

    /// The one sort of flagged keys gives the bits of the two sorted lists
    /// walked together, NaNs of every payload included, and of the pairs
    /// ranking without NaNs; heavily tied scores and one group alone too.
    #[test]
    fn gap_index_by_equals_the_two_lists() {
        let check = |pairs: &[(f32, bool)]| {
            let scores: Vec<f32> = pairs.iter().map(|p| p.0).collect();
            let got = gap_index_by(&scores, pairs.iter().map(|p| p.1));
            let want = gap_index(&mut pairs.to_vec());
            assert_eq!(got.to_bits(), want.to_bits(), "{} pupils: {got} vs {want}", pairs.len());
            if pairs.iter().all(|p| !p.0.is_nan()) {
                let want = gap_index_of_pairs(&mut pairs.to_vec());
                assert_eq!(got.to_bits(), want.to_bits(), "{} pupils: {got} vs {want}", pairs.len());
            }
        };
        for (len, seed) in [(0usize, 1u64), (1, 2), (2, 3), (7, 4), (60, 5), (5000, 6), (20_000, 7)] {
            let pairs = awkward_scores(len, seed);
            check(&pairs);
            check(&pairs.iter().filter(|p| !p.0.is_nan()).copied().collect::<Vec<_>>());
            check(&pairs.iter().map(|p| (p.0.clamp(-1.0, 1.0).round(), p.1)).collect::<Vec<_>>());
            check(&pairs.iter().map(|p| (p.0, true)).collect::<Vec<_>>());
            check(&pairs.iter().map(|p| (p.0.signum() * 0.0, p.1)).collect::<Vec<_>>());
        }
    }

    proptest::proptest! {
        /// Any bit patterns (every NaN payload included) and flags.
        #[test]
        fn gap_index_by_of_any_bits(raw in proptest::collection::vec((proptest::prelude::any::<u32>(), proptest::prelude::any::<bool>()), 0..300)) {
            let pairs: Vec<(f32, bool)> = raw.iter().map(|&(b, d)| (f32::from_bits(b), d)).collect();
            let scores: Vec<f32> = pairs.iter().map(|p| p.0).collect();
            let got = gap_index_by(&scores, pairs.iter().map(|p| p.1));
            let want = gap_index(&mut pairs.clone());
            proptest::prop_assert_eq!(got.to_bits(), want.to_bits());
        }
    }

    #[test]
    fn regression_and_moments_agree() {
        let x = [1.0, 2.0, 3.0, 4.0];
        let y = [2.0, 4.1, 5.9, 8.0];
        let (b, r2) = regression(&x, &y);
        let mut m = Moments::default();
        for (a, c) in x.iter().zip(&y) {
            m.add(*a, *c);
        }
        let (b2, r22) = m.slope_r2();
        assert!((b - 1.98).abs() < 1e-9, "{b}");
        assert!((b - b2).abs() < 1e-9 && (r2 - r22).abs() < 1e-9);
        assert!(r2 > 0.99 && r2 <= 1.0);
    }

    #[test]
    fn between_share_by_hand() {
        // Unit A: 1, 3 (mean 2); unit B: 5, 7 (mean 6). Overall mean 4.
        // Between: 2·4 + 2·4 = 16; total: 9+1+1+9 = 20 → 0.8.
        let ss = 1.0 + 9.0 + 25.0 + 49.0;
        assert!((between_share(&[2.0, 2.0], &[4.0, 12.0], ss) - 0.8).abs() < 1e-12);
    }

    #[test]
    fn gini_by_hand() {
        assert!(gini(&mut [1.0, 1.0, 1.0]).abs() < 1e-12);
        // (0, 0, 0, 1): G = 3/4.
        assert!((gini(&mut [0.0, 0.0, 0.0, 1.0]) - 0.75).abs() < 1e-12);
    }
}
