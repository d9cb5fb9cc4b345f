//! Segregation indices over organisational units (schools or neighbourhoods),
//! as pure functions of counts.
//!
//! For a binary split (a minority, such as disadvantaged pupils, against the
//! rest) with `x_i` minority and `t_i` pupils in unit `i`, `X = Σx`, `Y = Σ(t−x)`,
//! `T = Σt`, `P = X/T`:
//!
//! - dissimilarity (Duncan and Duncan 1955): `D = ½ Σ |x_i/X − y_i/Y|`;
//! - Gorard's segregation index (Gorard and Taylor 2002): `GS = ½ Σ |x_i/X − t_i/T|` (= D·(1−P));
//! - Theil's entropy index (Theil and Finizza 1971): `H = Σ t_i (E − E_i) / (T E)`, `E` the entropy of the split;
//! - isolation (Bell 1954; Massey and Denton 1988): `xPx = Σ (x_i/X)(x_i/t_i)`;
//! - exposure of the minority to the rest: `xPy = Σ (x_i/X)(y_i/t_i)`.
//!
//! Each is 0 (or P, for isolation) when every unit has the same composition.

/// The binary indices of one split.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binary {
    /// Duncan's dissimilarity index D.
    pub dissimilarity: f64,
    /// Gorard's segregation index GS.
    pub gorard: f64,
    /// Theil's entropy index H.
    pub theil: f64,
    /// Isolation index xPx.
    pub isolation: f64,
    /// Exposure index xPy.
    pub exposure: f64,
}

fn entropy2(p: f64) -> f64 {
    let mut e = 0.0;
    for q in [p, 1.0 - p] {
        if q > 0.0 {
            e -= q * q.ln();
        }
    }
    e
}

/// Binary segregation indices from minority counts `x` and totals `t` per unit.
/// Units with no pupils are ignored. NaN if there is no minority or no majority.
pub fn binary(x: &[f64], t: &[f64]) -> Binary {
    debug_assert_eq!(x.len(), t.len());
    binary_of(x.len().min(t.len()), |i| x[i], |i| t[i])
}

/// [`binary`] of `units` units, unit `i` having `x(i)` minority pupils of
/// `t(i)` (so that counts need not be copied into slices of their own).
pub fn binary_of(units: usize, x: impl Fn(usize) -> f64, t: impl Fn(usize) -> f64) -> Binary {
    let big_x: f64 = (0..units).map(&x).sum();
    let big_t: f64 = (0..units).map(&t).sum();
    let big_y = big_t - big_x;
    if big_x <= 0.0 || big_y <= 0.0 {
        let nan = f64::NAN;
        return Binary { dissimilarity: nan, gorard: nan, theil: nan, isolation: nan, exposure: nan };
    }
    let e = entropy2(big_x / big_t);
    let (mut d, mut gs, mut h, mut iso, mut exp) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..units {
        let (xi, ti) = (x(i), t(i));
        if ti <= 0.0 {
            continue;
        }
        let yi = ti - xi;
        d += (xi / big_x - yi / big_y).abs();
        gs += (xi / big_x - ti / big_t).abs();
        h += ti * (e - entropy2(xi / ti));
        iso += (xi / big_x) * (xi / ti);
        exp += (xi / big_x) * (yi / ti);
    }
    Binary { dissimilarity: d / 2.0, gorard: gs / 2.0, theil: h / (big_t * e), isolation: iso, exposure: exp }
}

/// Multigroup Theil entropy index H (mutual information divided by the
/// entropy of the whole), from counts laid out `k` per unit.
pub fn theil_multi(counts: &[f64], k: usize) -> f64 {
    if k == 0 {
        return f64::NAN;
    }
    theil_multi_of(counts.len() / k, k, |u, j| counts[u * k + j])
}

/// [`theil_multi`] of `units` units of `k` groups, unit `u` having `count(u, j)`
/// pupils of group `j`.
pub fn theil_multi_of(units: usize, k: usize, count: impl Fn(usize, usize) -> f64) -> f64 {
    if k == 0 {
        return f64::NAN;
    }
    let mut totals = vec![0.0; k];
    for u in 0..units {
        for (j, a) in totals.iter_mut().enumerate() {
            *a += count(u, j);
        }
    }
    let big_t: f64 = totals.iter().sum();
    fn entropy(row: impl Iterator<Item = f64>, t: f64) -> f64 {
        row.filter(|c| *c > 0.0).map(|c| -(c / t) * (c / t).ln()).sum()
    }
    let e = entropy(totals.iter().copied(), big_t);
    if big_t <= 0.0 || e <= 0.0 {
        return f64::NAN;
    }
    let mut h = 0.0;
    for u in 0..units {
        let t: f64 = (0..k).map(|j| count(u, j)).sum();
        if t > 0.0 {
            h += t * (e - entropy((0..k).map(|j| count(u, j)), t));
        }
    }
    h / (big_t * e)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three schools: 10/100, 20/50 and 30/50 minority pupils. By hand:
    /// D = 20/42, GS = 1/3 (= D × 140/200), xPx = 0.45, xPy = 0.55,
    /// H = [100(E−E(.1)) + 2·50(E−E(.4))] / (200 E) with E = E(.3).
    #[test]
    fn hand_computed_example() {
        let b = binary(&[10.0, 20.0, 30.0], &[100.0, 50.0, 50.0]);
        assert!((b.dissimilarity - 20.0 / 42.0).abs() < 1e-12);
        assert!((b.gorard - 1.0 / 3.0).abs() < 1e-12);
        assert!((b.isolation - 0.45).abs() < 1e-12);
        assert!((b.exposure - 0.55).abs() < 1e-12);
        let e = |p: f64| -(p * p.ln() + (1.0 - p) * (1.0 - p).ln());
        let h = (100.0 * (e(0.3) - e(0.1)) + 100.0 * (e(0.3) - e(0.4))) / (200.0 * e(0.3));
        assert!((b.theil - h).abs() < 1e-12);
        assert!((b.theil - 0.18305).abs() < 1e-4);
    }

    /// Gorard and Taylor (2002) show GS = D·(1 − P): check on another table.
    #[test]
    fn gorard_is_dissimilarity_times_majority_share() {
        let x = [5.0, 0.0, 12.0, 40.0];
        let t = [60.0, 30.0, 48.0, 62.0];
        let b = binary(&x, &t);
        let p = x.iter().sum::<f64>() / t.iter().sum::<f64>();
        assert!((b.gorard - b.dissimilarity * (1.0 - p)).abs() < 1e-12);
    }

    #[test]
    fn even_and_complete_segregation() {
        let even = binary(&[10.0, 20.0], &[40.0, 80.0]);
        assert!(even.dissimilarity.abs() < 1e-12 && even.theil.abs() < 1e-12);
        assert!((even.isolation - 0.25).abs() < 1e-12);
        let full = binary(&[30.0, 0.0], &[30.0, 70.0]);
        assert!((full.dissimilarity - 1.0).abs() < 1e-12);
        assert!((full.theil - 1.0).abs() < 1e-12);
        assert!((full.gorard - 0.7).abs() < 1e-12);
        assert!((full.isolation - 1.0).abs() < 1e-12);
    }

    #[test]
    fn multigroup_theil_reduces_to_binary() {
        let x = [10.0, 20.0, 30.0];
        let t = [100.0, 50.0, 50.0];
        let counts: Vec<f64> = x.iter().zip(&t).flat_map(|(a, b)| [*a, b - a]).collect();
        assert!((theil_multi(&counts, 2) - binary(&x, &t).theil).abs() < 1e-12);
        // Three groups, each in its own unit: complete segregation.
        assert!((theil_multi(&[5.0, 0.0, 0.0, 0.0, 7.0, 0.0, 0.0, 0.0, 9.0], 3) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn no_minority_gives_nan() {
        assert!(binary(&[0.0, 0.0], &[10.0, 10.0]).dissimilarity.is_nan());
    }
}
