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

/// Largest unit total whose entropy terms are looked up in [`Table`]: a
/// neighbourhood holds a few dozen pupils, so nearly every one is.
const TABLE_MAX: usize = 127;

/// The entropy terms of whole-number counts `x` of `t` (1 ≤ t ≤
/// [`TABLE_MAX`], 0 ≤ x ≤ t), each computed once by the very expression the
/// indices use, so that a looked-up value has the same bits as a computed one
/// (a table of logarithms: the indices of many small units cost a lookup a
/// unit instead of two or three logarithms).
struct Table {
    /// `entropy2(x / t)`.
    split: Vec<f64>,
    /// `-(x / t) · ln(x / t)`, the term of a group of `x` in [`theil_multi_of`].
    term: Vec<f64>,
}

impl Table {
    fn get() -> &'static Table {
        static TABLE: std::sync::OnceLock<Table> = std::sync::OnceLock::new();
        TABLE.get_or_init(|| {
            let (mut split, mut term) = (Vec::new(), Vec::new());
            for t in 0..=TABLE_MAX {
                for x in 0..=t {
                    let (x, t) = (x as f64, t as f64);
                    split.push(entropy2(x / t));
                    term.push(-(x / t) * (x / t).ln());
                }
            }
            Table { split, term }
        })
    }

    /// Where the terms of `x` of `t` are, if both are whole numbers the
    /// table holds.
    #[inline]
    fn index(x: f64, t: f64) -> Option<usize> {
        if t <= TABLE_MAX as f64 && x >= 0.0 && x <= t && x.fract() == 0.0 && t.fract() == 0.0 {
            let (x, t) = (x as usize, t as usize);
            Some(t * (t + 1) / 2 + x)
        } else {
            None
        }
    }

    /// Where the terms of whole numbers `x` of `t` are, if the table holds
    /// them (the place [`Table::index`] gives their values as floats).
    #[inline]
    fn index_of_counts(x: u32, t: u32) -> Option<usize> {
        if t as usize <= TABLE_MAX && x <= t {
            let (x, t) = (x as usize, t as usize);
            Some(t * (t + 1) / 2 + x)
        } else {
            None
        }
    }

    /// `entropy2(x / t)`.
    #[inline]
    fn split(&self, x: f64, t: f64) -> f64 {
        match Self::index(x, t) {
            Some(k) => self.split[k],
            None => entropy2(x / t),
        }
    }

    /// `-(c / t) · ln(c / t)`.
    #[inline]
    fn term(&self, c: f64, t: f64) -> f64 {
        match Self::index(c, t) {
            Some(k) => self.term[k],
            None => -(c / t) * (c / t).ln(),
        }
    }
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
    let table = Table::get();
    binary_with(units, x, t, |_, xi, ti| table.split(xi, ti))
}

/// [`binary_of`] of whole-number counts: the same values, each unit's
/// entropy looked up from its counts as integers (without testing that
/// floats are whole numbers).
pub fn binary_of_counts(units: usize, x: impl Fn(usize) -> u32, t: impl Fn(usize) -> u32) -> Binary {
    let table = Table::get();
    binary_with(
        units,
        |i| f64::from(x(i)),
        |i| f64::from(t(i)),
        |i, xi, ti| match Table::index_of_counts(x(i), t(i)) {
            Some(k) => table.split[k],
            None => entropy2(xi / ti),
        },
    )
}

/// [`binary_of`], `split(i, x, t)` being `entropy2(x / t)` of unit `i`.
#[inline]
fn binary_with(
    units: usize,
    x: impl Fn(usize) -> f64,
    t: impl Fn(usize) -> f64,
    split: impl Fn(usize, f64, f64) -> f64,
) -> Binary {
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
        h += ti * (e - split(i, xi, ti));
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
    let table = Table::get();
    theil_multi_with(units, k, count, |c, t| table.term(c, t))
}

/// [`theil_multi_of`] of whole-number counts: the same value, each unit's
/// terms looked up from its counts as integers.
pub fn theil_multi_of_counts(units: usize, k: usize, count: impl Fn(usize, usize) -> u32) -> f64 {
    let table = Table::get();
    // A count and a total are whole numbers (sums of whole numbers), read
    // back as integers exactly (or, beyond `u32`, as one the table does not
    // hold).
    theil_multi_with(
        units,
        k,
        |u, j| f64::from(count(u, j)),
        |c, t| match Table::index_of_counts(c as u32, t as u32) {
            Some(i) => table.term[i],
            None => -(c / t) * (c / t).ln(),
        },
    )
}

/// [`theil_multi_of`], `term(c, t)` being `-(c / t) · ln(c / t)` of a
/// group of `c` of a unit's `t`.
#[inline]
fn theil_multi_with(
    units: usize,
    k: usize,
    count: impl Fn(usize, usize) -> f64,
    term: impl Fn(f64, f64) -> f64,
) -> f64 {
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
            let e_u: f64 = (0..k).map(|j| count(u, j)).filter(|c| *c > 0.0).map(|c| term(c, t)).sum();
            h += t * (e - e_u);
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

    /// The indices as written before the table of logarithms: every
    /// entropy computed.
    fn computed(x: &[f64], t: &[f64], k: usize, counts: &[f64]) -> (Binary, f64) {
        let (bx, bt): (f64, f64) = (x.iter().sum(), t.iter().sum());
        let by = bt - bx;
        if bx <= 0.0 || by <= 0.0 {
            let nan = f64::NAN;
            return (Binary { dissimilarity: nan, gorard: nan, theil: nan, isolation: nan, exposure: nan }, f64::NAN);
        }
        let e = entropy2(bx / bt);
        let (mut d, mut gs, mut h, mut iso, mut exp) = (0.0, 0.0, 0.0, 0.0, 0.0);
        for (&xi, &ti) in x.iter().zip(t) {
            if ti <= 0.0 {
                continue;
            }
            let yi = ti - xi;
            d += (xi / bx - yi / by).abs();
            gs += (xi / bx - ti / bt).abs();
            h += ti * (e - entropy2(xi / ti));
            iso += (xi / bx) * (xi / ti);
            exp += (xi / bx) * (yi / ti);
        }
        let b = Binary { dissimilarity: d / 2.0, gorard: gs / 2.0, theil: h / (bt * e), isolation: iso, exposure: exp };
        let ent =
            |row: &[f64], t: f64| -> f64 { row.iter().filter(|c| **c > 0.0).map(|c| -(c / t) * (c / t).ln()).sum() };
        let mut totals = vec![0.0; k];
        for row in counts.chunks(k) {
            totals.iter_mut().zip(row).for_each(|(a, c)| *a += c);
        }
        let big_t: f64 = totals.iter().sum();
        let e = ent(&totals, big_t);
        let mut hm = 0.0;
        for row in counts.chunks(k) {
            let t: f64 = row.iter().sum();
            if t > 0.0 {
                hm += t * (e - ent(row, t));
            }
        }
        (b, hm / (big_t * e))
    }

    /// Looked-up entropies give the same bits as computed ones: whole-number
    /// counts in and beyond the table, and counts that are not whole.
    #[test]
    fn table_gives_the_bits_of_computed_entropies() {
        let mut state = 99u64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        for trial in 0..300 {
            let units = 1 + next(400) as usize;
            let k = 1 + next(5) as usize;
            let top = [3, 40, 127, 128, 300][trial % 5];
            let counts: Vec<f64> = (0..units * k)
                .map(|_| if trial % 7 == 6 { next(1000) as f64 / 7.0 } else { next(top / k as u64 + 2) as f64 })
                .collect();
            let t: Vec<f64> = counts.chunks(k).map(|r| r.iter().sum()).collect();
            let x: Vec<f64> = counts.chunks(k).map(|r| r[0]).collect();
            let (b, hm) = computed(&x, &t, k, &counts);
            let got = binary(&x, &t);
            let bits = |b: Binary| [b.dissimilarity, b.gorard, b.theil, b.isolation, b.exposure].map(f64::to_bits);
            assert_eq!(bits(got), bits(b), "trial {trial}");
            let multi = theil_multi(&counts, k);
            if hm.is_nan() {
                assert!(multi.is_nan(), "trial {trial}");
            } else {
                assert_eq!(multi.to_bits(), hm.to_bits(), "trial {trial}");
            }
            // Whole numbers also as integers.
            if trial % 7 != 6 {
                let c: Vec<u32> = counts.iter().map(|v| *v as u32).collect();
                let got = binary_of_counts(units, |u| c[u * k], |u| c[u * k..(u + 1) * k].iter().sum());
                assert_eq!(bits(got), bits(b), "trial {trial}");
                let multi = theil_multi_of_counts(units, k, |u, j| c[u * k + j]);
                assert_eq!(multi.to_bits(), hm.to_bits(), "trial {trial}");
            }
        }
    }

    #[test]
    fn no_minority_gives_nan() {
        assert!(binary(&[0.0, 0.0], &[10.0, 10.0]).dissimilarity.is_nan());
    }
}
