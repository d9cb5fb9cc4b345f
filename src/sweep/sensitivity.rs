//! Sensitivity of a sweep's outcomes to its parameters: standardized rank
//! regression coefficients (SRRC).
//!
//! Each parameter and the outcome are replaced by their ranks (ties get the
//! mean rank), standardised, and the outcome's ranks are regressed on the
//! parameters' ranks by least squares. A coefficient says how many standard
//! deviations of the outcome's rank follow one standard deviation of the
//! parameter's rank, the others held fixed; its sign gives the direction and
//! its size ranks the parameters. The R² of the rank regression says how much
//! of the outcome's variation monotone effects explain (Saltelli et al. 2004,
//! *Sensitivity Analysis in Practice*, §1.2.4). With independent parameters,
//! as in a grid or a Latin hypercube, the squared coefficients add up to R².

/// The rank regression of one outcome on the parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Srrc {
    /// One coefficient per parameter, in the order given; NaN for a
    /// parameter that does not vary (or varies only with the others).
    pub coefficients: Vec<f64>,
    /// The share of the variance of the outcome's ranks explained (NaN if the
    /// outcome does not vary).
    pub r_squared: f64,
}

/// Ranks from 1, with ties given their mean rank. NaN values rank last.
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut out = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]].total_cmp(&v[order[i]]).is_eq() {
            j += 1;
        }
        let mean_rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            out[k] = mean_rank;
        }
        i = j + 1;
    }
    out
}

/// Standardise to mean 0 and (population) SD 1; `None` if the values do not vary.
fn standardise(v: &[f64]) -> Option<Vec<f64>> {
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    (sd > 1e-12 * mean.abs().max(1.0)).then(|| v.iter().map(|x| (x - mean) / sd).collect())
}

/// Solve `a x = b` by Gaussian elimination with partial pivoting; `None` if
/// `a` is singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n).max_by(|&i, &j| a[i][c].abs().total_cmp(&a[j][c].abs()))?;
        if a[p][c].abs() < 1e-10 {
            return None;
        }
        a.swap(c, p);
        b.swap(c, p);
        for r in c + 1..n {
            let f = a[r][c] / a[c][c];
            for k in c..n {
                a[r][k] -= f * a[c][k];
            }
            b[r] -= f * b[c];
        }
    }
    let mut x = vec![0.0; n];
    for r in (0..n).rev() {
        let s: f64 = (r + 1..n).map(|k| a[r][k] * x[k]).sum();
        x[r] = (b[r] - s) / a[r][r];
    }
    Some(x)
}

/// The SRRCs of `outcome` on the `parameters` (one column of values per
/// parameter, each as long as `outcome`). Rows with a NaN outcome are left
/// out. Parameters that do not vary get NaN; so do all if the outcome does not
/// vary, or if fewer rows than parameters remain.
pub fn srrc(parameters: &[Vec<f64>], outcome: &[f64]) -> Srrc {
    let rows: Vec<usize> = (0..outcome.len()).filter(|&i| !outcome[i].is_nan()).collect();
    let nan = Srrc { coefficients: vec![f64::NAN; parameters.len()], r_squared: f64::NAN };
    let pick = |v: &[f64]| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    let Some(y) = standardise(&ranks(&pick(outcome))) else { return nan };
    let mut used = Vec::new();
    let mut z = Vec::new();
    for (j, p) in parameters.iter().enumerate() {
        if let Some(col) = standardise(&ranks(&pick(p))) {
            used.push(j);
            z.push(col);
        }
    }
    let n = y.len();
    if used.is_empty() || n <= used.len() {
        return nan;
    }
    let k = used.len();
    let xtx: Vec<Vec<f64>> =
        (0..k).map(|a| (0..k).map(|b| z[a].iter().zip(&z[b]).map(|(p, q)| p * q).sum()).collect()).collect();
    let xty: Vec<f64> = (0..k).map(|a| z[a].iter().zip(&y).map(|(p, q)| p * q).sum()).collect();
    let Some(beta) = solve(xtx, xty) else { return nan };
    let residual: f64 = (0..n)
        .map(|i| {
            let fit: f64 = (0..k).map(|a| beta[a] * z[a][i]).sum();
            (y[i] - fit).powi(2)
        })
        .sum();
    let mut coefficients = vec![f64::NAN; parameters.len()];
    for (a, &j) in used.iter().enumerate() {
        coefficients[j] = beta[a];
    }
    Srrc { coefficients, r_squared: 1.0 - residual / n as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[3.0, 1.0, 2.0]), vec![3.0, 1.0, 2.0]);
        assert_eq!(ranks(&[5.0, 1.0, 5.0, 0.0]), vec![3.5, 2.0, 3.5, 1.0]);
    }

    /// A 10 × 10 grid of two parameters.
    fn grid() -> (Vec<f64>, Vec<f64>) {
        let a: Vec<f64> = (0..100).map(|i| (i / 10) as f64).collect();
        let b: Vec<f64> = (0..100).map(|i| (i % 10) as f64 / 10.0).collect();
        (a, b)
    }

    #[test]
    fn one_monotone_driver_gets_one_and_the_other_zero() {
        let (a, b) = grid();
        // Monotone but not linear in a; nothing of b; the grid's ties give each
        // value of a ten equal outcomes.
        let y: Vec<f64> = a.iter().map(|x| x.exp()).collect();
        let s = srrc(&[a.clone(), b.clone()], &y);
        assert!((s.coefficients[0] - 1.0).abs() < 1e-9, "{s:?}");
        assert!(s.coefficients[1].abs() < 1e-9, "{s:?}");
        assert!((s.r_squared - 1.0).abs() < 1e-9);
        let y: Vec<f64> = b.iter().map(|x| -x).collect();
        let s = srrc(&[a, b], &y);
        assert!((s.coefficients[1] + 1.0).abs() < 1e-9, "{s:?}");
    }

    #[test]
    fn equal_drivers_share_the_variance() {
        let (a, b) = grid();
        // On a balanced grid the ranks of a and b are uncorrelated and of equal
        // variance; y is symmetric in the two steps, so they get equal shares.
        let y: Vec<f64> = (0..100).map(|i| (i / 10 + i % 10) as f64).collect();
        let s = srrc(&[a, b], &y);
        assert!((s.coefficients[0] - s.coefficients[1]).abs() < 1e-9, "{s:?}");
        let sum_sq: f64 = s.coefficients.iter().map(|c| c * c).sum();
        assert!((sum_sq - s.r_squared).abs() < 1e-9, "uncorrelated inputs: squares add to R²");
        assert!(s.r_squared > 0.95);
    }

    #[test]
    fn hand_computed_three_point_case() {
        // x = 1, 2, 3 and y = 1, 3, 2: ranks of y are 1, 3, 2, so the
        // correlation of the ranks (the single SRRC) is 0.5.
        let s = srrc(&[vec![1.0, 2.0, 3.0]], &[1.0, 3.0, 2.0]);
        assert!((s.coefficients[0] - 0.5).abs() < 1e-12, "{s:?}");
        assert!((s.r_squared - 0.25).abs() < 1e-12);
    }

    #[test]
    fn constant_inputs_and_outcomes_give_nan() {
        let s = srrc(&[vec![1.0, 1.0, 1.0], vec![1.0, 2.0, 3.0]], &[2.0, 1.0, 3.0]);
        assert!(s.coefficients[0].is_nan());
        assert!(!s.coefficients[1].is_nan());
        let s = srrc(&[vec![1.0, 2.0, 3.0]], &[4.0, 4.0, 4.0]);
        assert!(s.coefficients[0].is_nan() && s.r_squared.is_nan());
        let s = srrc(&[vec![1.0, 2.0, 3.0]], &[1.0, f64::NAN, 3.0]);
        assert!((s.coefficients[0] - 1.0).abs() < 1e-12, "{s:?}");
    }
}
