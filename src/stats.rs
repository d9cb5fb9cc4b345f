//! Small numerical helpers: the normal distribution, summaries and intervals.

/// Complementary error function (Numerical Recipes `erfcc`, relative error below 1.2e-7).
pub fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 { r } else { 2.0 - r }
}

/// Standard normal cumulative distribution function.
pub fn norm_cdf(x: f64) -> f64 {
    0.5 * erfc(-x / std::f64::consts::SQRT_2)
}

/// Standard normal quantile (Acklam's approximation with one Halley step).
pub fn norm_inv(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] =
        [7.784_695_709_041_462e-3, 3.224_671_290_700_398e-1, 2.445_134_137_142_996, 3.754_408_661_907_416];
    let plow = 0.02425;
    let x = if p < plow {
        let q = (-2.0 * p.ln()).sqrt();
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    } else if p <= 1.0 - plow {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        let q = (-2.0 * (1.0 - p).ln()).sqrt();
        -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    // One Halley refinement.
    let e = norm_cdf(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

/// Two-sided 95% quantile of Student's t with `df` degrees of freedom.
pub fn t975(df: usize) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160, 2.145, 2.131,
        2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => T[df - 1],
        31..=60 => 2.042 - (df as f64 - 30.0) * (2.042 - 2.000) / 30.0,
        61..=120 => 2.000 - (df as f64 - 60.0) * (2.000 - 1.980) / 60.0,
        _ => 1.960,
    }
}

/// Mean and 95% confidence half-width (t-based) of a sample; NaN values are skipped.
pub fn mean_ci(xs: &[f64]) -> (f64, f64) {
    let v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len();
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    if n == 1 {
        return (mean, f64::NAN);
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    (mean, t975(n - 1) * (var / n as f64).sqrt())
}

/// The q-quantile (0..1) of a sorted slice, by linear interpolation (type 7).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Weighted mean and SD (population) of values.
pub fn weighted_mean_sd(values: &[f64], weights: &[f64]) -> (f64, f64) {
    let w: f64 = weights.iter().sum();
    if w <= 0.0 {
        return (f64::NAN, f64::NAN);
    }
    let m = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / w;
    let var = values.iter().zip(weights).map(|(v, w)| w * (v - m).powi(2)).sum::<f64>() / w;
    (m, var.sqrt())
}

/// The bits of a float as an integer that orders as `f32::total_cmp` does:
/// negative numbers' bits flipped, positive numbers' sign bit set.
#[inline]
pub(crate) fn total_key(v: f32) -> u32 {
    let b = v.to_bits();
    if b >> 31 == 1 { !b } else { b | 0x8000_0000 }
}

/// The float of a [`total_key`].
#[inline]
pub(crate) fn from_total_key(k: u32) -> f32 {
    f32::from_bits(if k >> 31 == 1 { k & 0x7fff_ffff } else { !k })
}

/// Sort `v` in the order of `f32::total_cmp` (values equal in that order
/// have the same bits, so every such sort gives the same result) by a
/// least-significant-digit radix sort of their `total_key`s: three passes
/// of 11 bits, whose counts are all taken in one pass over the keys; a pass
/// in which every key has the same digit is skipped. Linear in `v.len()`.
pub fn sort_total(v: &mut [f32]) {
    let n = v.len();
    if n < 2 {
        return;
    }
    let mut keys: Vec<u32> = v.iter().map(|&x| total_key(x)).collect();
    sort_keys33(&mut keys, &mut Vec::new());
    for (x, &k) in v.iter_mut().zip(&keys) {
        *x = from_total_key(k);
    }
}

/// Sort keys of at most 33 bits (below `1 << 33`: any `u32`, or a `u64`
/// below it) in increasing order, by a least-significant-digit radix sort
/// of three passes of 11 bits, whose counts are all taken in one pass over
/// the keys, `spare` being working memory (resized to the keys' length). A
/// pass in which every key has the same digit is skipped.
pub(crate) fn sort_keys33<K: Copy + Default + Into<u64>>(keys: &mut Vec<K>, spare: &mut Vec<K>) {
    let n = keys.len();
    if n < 2 {
        return;
    }
    debug_assert!(keys.iter().all(|&k| k.into() < 1 << 33));
    spare.clear();
    spare.resize(n, K::default());
    let mut count = [[0u32; 2048]; 3];
    for &k in keys.iter() {
        let k: u64 = k.into();
        count[0][(k & 2047) as usize] += 1;
        count[1][((k >> 11) & 2047) as usize] += 1;
        count[2][((k >> 22) & 2047) as usize] += 1;
    }
    for (pass, count) in count.iter_mut().enumerate() {
        let shift = 11 * pass as u32;
        let digit = |k: K| ((k.into() >> shift) & 2047) as usize;
        if count[digit(keys[0])] as usize == n {
            continue;
        }
        let mut at = 0;
        for c in count.iter_mut() {
            let m = *c;
            *c = at;
            at += m;
        }
        for &k in keys.iter() {
            let d = digit(k);
            spare[count[d] as usize] = k;
            count[d] += 1;
        }
        std::mem::swap(keys, spare);
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Floats with ties, signed zeros, infinities and NaNs of both signs and
    /// several payloads (a fifth coarse, so that ties are common); also the
    /// scores of the gap index's tests.
    pub(crate) fn awkward(len: usize, seed: u64) -> Vec<f32> {
        let mut state = seed;
        (0..len)
            .map(|i| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                match i % 50 {
                    0 => -0.0,
                    1 => 0.0,
                    2 => f32::INFINITY,
                    3 => f32::NEG_INFINITY,
                    4 => f32::NAN,
                    5 => -f32::NAN,
                    6 => f32::from_bits(0x7fc0_0001),
                    7 => f32::from_bits(0xffa0_0000),
                    8 => f32::MIN_POSITIVE / 4.0,
                    9 => -f32::MIN_POSITIVE / 4.0,
                    10..=19 => ((state >> 40) % 7) as f32 - 3.0,
                    _ => ((state >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 8.0,
                }
            })
            .collect()
    }

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    /// The radix sort gives the bits a comparison sort by `total_cmp` gives,
    /// for every length from 0 up and heavily tied or all-equal values.
    #[test]
    fn sort_total_equals_a_total_cmp_sort() {
        for len in (0..70).chain([500, 2047, 2048, 2049, 5000, 20_000]) {
            for seed in 0..3 {
                let mut v = awkward(len, seed);
                if seed == 2 {
                    v.iter_mut().for_each(|x| *x = (*x).clamp(-1.0, 1.0).round());
                }
                let mut want = v.clone();
                want.sort_by(f32::total_cmp);
                sort_total(&mut v);
                assert_eq!(bits(&v), bits(&want), "len {len} seed {seed}");
            }
        }
        let mut same = vec![1.5f32; 100];
        sort_total(&mut same);
        assert!(same.iter().all(|x| *x == 1.5));
    }

    proptest! {
        /// Any bit patterns (every NaN payload included).
        #[test]
        fn sort_total_of_any_bits(raw in prop::collection::vec(any::<u32>(), 0..300)) {
            let mut v: Vec<f32> = raw.iter().map(|&b| f32::from_bits(b)).collect();
            let mut want = v.clone();
            want.sort_by(f32::total_cmp);
            sort_total(&mut v);
            prop_assert_eq!(bits(&v), bits(&want));
        }
    }

    proptest! {
        /// Keys of up to 33 bits (many ties below and above 32 bits) sort
        /// as a comparison sort does.
        #[test]
        fn sort_keys33_of_any_keys(raw in prop::collection::vec((any::<u32>(), 0u64..4, any::<bool>()), 0..600)) {
            let mut keys: Vec<u64> = raw
                .iter()
                .map(|&(b, lo, tie)| if tie { (lo << 31) | 7 } else { (u64::from(b) << 1) | (lo & 1) })
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_keys33(&mut keys, &mut Vec::new());
            prop_assert_eq!(keys, want);
        }
    }

    #[test]
    fn normal_functions_match_tables() {
        assert!((norm_cdf(0.0) - 0.5).abs() < 1e-7);
        assert!((norm_cdf(1.96) - 0.975).abs() < 1e-4);
        assert!((norm_inv(0.975) - 1.959964).abs() < 1e-5);
        assert!((norm_inv(0.25) + 0.674490).abs() < 1e-5);
        for p in [0.001, 0.01, 0.3, 0.7, 0.999] {
            assert!((norm_cdf(norm_inv(p)) - p).abs() < 1e-6);
        }
    }

    #[test]
    fn mean_ci_of_known_sample() {
        let (m, h) = mean_ci(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(m, 2.5);
        // sd = 1.2910, se = 0.6455, t(3) = 3.182
        assert!((h - 3.182 * 0.645_497).abs() < 1e-3);
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile_sorted(&[1.0, 2.0, 3.0], 0.5), 2.0);
        assert_eq!(quantile_sorted(&[1.0, 3.0], 0.25), 1.5);
    }
}
