//! Contrasts of two scenarios over the plausible ranges of their parameters:
//! which one comes out better on each headline outcome, in what share of the
//! plausible settings, and which parameters decide it.
//!
//! A contrast is a sweep whose plan holds two arms (scenario A and scenario
//! B, see [`super::Plan::arms`]): every setting of the sampled parameters is
//! run in both scenarios, and replicate `r` of both at a setting has the same
//! seed (common random numbers), so that their difference at that setting
//! comes from the scenarios, not from luck. The parameters are set to the
//! same values in both scenarios; a parameter of a mechanism that a scenario
//! does not switch on has no effect in it.
//!
//! For each outcome ([`OUTCOMES`]) and setting, A's *advantage* is the mean
//! over replicates of the paired difference, signed so that a positive value
//! means A is better (lower segregation, gaps and between-school variance;
//! higher mean attainment), with a 95% t-interval over the replicates.
//! [`summarise`] gives the share of settings in which A is ahead (with a
//! Wilson 95% interval, treating the settings as a sample of the plausible
//! region), the shares in which either side is ahead beyond its own
//! interval, and the standardized rank regression coefficients
//! ([`super::sensitivity::srrc`]) of the advantage on the parameters: the
//! parameters that decide who wins.

use crate::scenario::docs::{self, Role};
use crate::stats::mean_ci;

use super::sensitivity::{Srrc, srrc};

/// Settings sampled by default.
pub const DEFAULT_SETTINGS: u32 = 200;
/// Paired replicates per setting by default.
pub const DEFAULT_REPLICATES: u32 = 4;

/// Parameter groups varied by default: the market's and the collaborative
/// mechanisms' parameters and barriers, cream-skimming, learning, and
/// families' choice behaviour and preferences (dotted-path prefixes).
pub const DEFAULT_GROUPS: [&str; 5] = ["market.", "admissions.cream_skimming", "policies.", "learning.", "families."];

/// The plausible range of a parameter, from the parameter registry
/// ([`crate::scenario::docs`]), if it has one of positive width.
pub fn plausible(path: &str) -> Option<(f64, f64)> {
    docs::lookup(path).filter(|p| p.plausible.hi > p.plausible.lo).map(|p| (p.plausible.lo, p.plausible.hi))
}

/// The parameters a contrast varies by default: every assumption (not a
/// lever or a setting) of the registry in [`DEFAULT_GROUPS`] with a
/// plausible range of positive width, in the registry's order, with that
/// range. Items of lists (such as population groups) are left out.
pub fn default_parameters() -> Vec<(String, f64, f64)> {
    docs::all()
        .iter()
        .filter(|p| p.role == Role::Assumption && !p.path.contains("[]"))
        .filter(|p| p.plausible.hi > p.plausible.lo && DEFAULT_GROUPS.iter().any(|g| p.path.starts_with(g)))
        .map(|p| (p.path.to_string(), p.plausible.lo, p.plausible.hi))
        .collect()
}

/// A headline outcome of a contrast and which direction is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Measure name, as in `metrics.csv`.
    pub measure: &'static str,
    /// Subgroup, as in `metrics.csv`.
    pub subgroup: &'static str,
    /// What it is, in words.
    pub label: &'static str,
    /// Whether a higher value is better (else lower is).
    pub higher_is_better: bool,
}

/// The outcomes a contrast reports, in order.
pub const OUTCOMES: [Outcome; 5] = [
    Outcome {
        measure: "gap_index",
        subgroup: "disadvantaged",
        label: "Disadvantage gap index (DfE)",
        higher_is_better: false,
    },
    Outcome { measure: "gap_sd", subgroup: "disadvantaged", label: "Disadvantage gap (SD)", higher_is_better: false },
    Outcome { measure: "attainment_mean", subgroup: "all", label: "Mean attainment (SD)", higher_is_better: true },
    Outcome {
        measure: "school_gorard",
        subgroup: "disadvantaged",
        label: "Segregation of disadvantaged pupils (Gorard)",
        higher_is_better: false,
    },
    Outcome {
        measure: "between_school_variance",
        subgroup: "all",
        label: "Between-school share of variance",
        higher_is_better: false,
    },
];

/// A's advantage over B at one setting: the mean over replicates of the
/// paired difference, signed so that positive means A is better.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Advantage {
    /// Mean paired advantage (NaN if no replicate pair has both values).
    pub mean: f64,
    /// Half-width of its 95% t-interval over the replicates (NaN with fewer than 2).
    pub half: f64,
    /// Replicate pairs with both values.
    pub pairs: usize,
}

impl Advantage {
    /// Which side is ahead beyond the 95% interval, if either.
    pub fn clear_winner(&self) -> Option<Side> {
        if !(self.half.is_finite() && self.mean.is_finite()) {
            return None;
        }
        if self.mean - self.half > 0.0 {
            Some(Side::A)
        } else if self.mean + self.half < 0.0 {
            Some(Side::B)
        } else {
            None
        }
    }
}

/// One side of a contrast.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The first scenario.
    A,
    /// The second scenario.
    B,
}

/// The advantage at one setting from the two scenarios' values per replicate
/// (the same replicate index means the same seed). Pairs with a missing
/// (NaN) value on either side are left out.
pub fn advantage(a: &[f64], b: &[f64], higher_is_better: bool) -> Advantage {
    let sign = if higher_is_better { 1.0 } else { -1.0 };
    let d: Vec<f64> =
        a.iter().zip(b).filter(|(x, y)| x.is_finite() && y.is_finite()).map(|(x, y)| sign * (x - y)).collect();
    if d.is_empty() {
        return Advantage { mean: f64::NAN, half: f64::NAN, pairs: 0 };
    }
    let (mean, half) = mean_ci(&d);
    Advantage { mean, half: if d.len() < 2 { f64::NAN } else { half }, pairs: d.len() }
}

/// The Wilson score 95% interval of a proportion `k / n` (NaNs if `n` is 0).
pub fn wilson(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (f64::NAN, f64::NAN);
    }
    let z = 1.959_963_984_540_054_f64;
    let (n, p) = (n as f64, k as f64 / n as f64);
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Who wins an outcome across the sampled settings, and what decides it.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Settings with a value (at least one replicate pair).
    pub settings: usize,
    /// Settings in which A's mean advantage is above zero.
    pub a_ahead: usize,
    /// Settings in which B's is (A's advantage below zero).
    pub b_ahead: usize,
    /// Share of settings in which A is ahead, `a_ahead / settings`.
    pub share: f64,
    /// Its Wilson 95% interval.
    pub share_ci: (f64, f64),
    /// Settings in which A is ahead beyond the paired 95% interval.
    pub a_clear: usize,
    /// Settings in which B is ahead beyond the paired 95% interval.
    pub b_clear: usize,
    /// Mean of A's advantage over the settings, with the half-width of its 95% interval.
    pub mean_advantage: (f64, f64),
    /// Smallest and largest advantage over the settings.
    pub range: (f64, f64),
    /// Rank regression of the advantage on the parameters.
    pub srrc: Srrc,
    /// Parameter indices by decreasing |SRRC| (parameters without a
    /// coefficient left out).
    pub decisive: Vec<usize>,
}

/// Summarise the advantages at every setting; `parameters` holds one column
/// of values per parameter, one value per setting.
pub fn summarise(parameters: &[Vec<f64>], advantages: &[Advantage]) -> Summary {
    let means: Vec<f64> = advantages.iter().map(|a| a.mean).collect();
    let with: Vec<f64> = means.iter().copied().filter(|m| m.is_finite()).collect();
    let a_ahead = with.iter().filter(|&&m| m > 0.0).count();
    let b_ahead = with.iter().filter(|&&m| m < 0.0).count();
    let a_clear = advantages.iter().filter(|a| a.clear_winner() == Some(Side::A)).count();
    let b_clear = advantages.iter().filter(|a| a.clear_winner() == Some(Side::B)).count();
    let n = with.len();
    let s = srrc(parameters, &means.iter().map(|m| if m.is_finite() { *m } else { f64::NAN }).collect::<Vec<_>>());
    let mut decisive: Vec<usize> = (0..parameters.len()).filter(|&j| s.coefficients[j].is_finite()).collect();
    decisive.sort_by(|&i, &j| s.coefficients[j].abs().total_cmp(&s.coefficients[i].abs()));
    Summary {
        settings: n,
        a_ahead,
        b_ahead,
        share: if n == 0 { f64::NAN } else { a_ahead as f64 / n as f64 },
        share_ci: wilson(a_ahead, n),
        a_clear,
        b_clear,
        mean_advantage: mean_ci(&with),
        range: with.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &m| (lo.min(m), hi.max(m))),
        srrc: s,
        decisive,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::plan::latin_hypercube;

    #[test]
    fn advantage_is_signed_so_that_positive_favours_a() {
        let up = advantage(&[1.0, 2.0, 3.0], &[0.0, 1.0, 2.0], true);
        assert_eq!((up.mean, up.pairs), (1.0, 3));
        assert_eq!(up.half, 0.0);
        assert_eq!(up.clear_winner(), Some(Side::A));
        let down = advantage(&[1.0, 2.0, 3.5], &[0.0, 1.0, 2.0], false);
        assert!(down.mean < 0.0 && down.clear_winner() == Some(Side::B), "{down:?}");
        let gaps = advantage(&[1.0, f64::NAN], &[2.0, 0.0], false);
        assert_eq!((gaps.mean, gaps.pairs), (1.0, 1));
        assert!(gaps.half.is_nan() && gaps.clear_winner().is_none());
    }

    #[test]
    fn wilson_interval_matches_hand_computation() {
        // 7 of 10: centre (0.7 + 1.92/10) / 1.384 = 0.6446, half 0.2654.
        let (lo, hi) = wilson(7, 10);
        assert!((lo - 0.3968).abs() < 1e-3 && (hi - 0.8922).abs() < 1e-3, "{lo} {hi}");
        assert!(wilson(0, 10).0.abs() < 1e-12);
        assert!((wilson(10, 10).1 - 1.0).abs() < 1e-12);
        assert!(wilson(0, 0).0.is_nan());
    }

    /// A synthetic contrast whose answer is known: A's advantage is
    /// `x0 - 0.3` (plus paired noise that cancels exactly), `x1` does
    /// nothing, `x2` pulls weakly the other way. On a Latin hypercube of 200
    /// settings over [0, 1]³, A is ahead exactly where x0 > 0.3: in 140
    /// settings (each of the 200 strata of x0 is hit once).
    #[test]
    fn a_synthetic_contrast_finds_the_share_and_the_deciding_parameter() {
        let ranges = [(0.0, 1.0); 3];
        let pts = latin_hypercube(&ranges, 200, 3);
        let params: Vec<Vec<f64>> = (0..3).map(|j| pts.iter().map(|p| p[j]).collect()).collect();
        // Per setting, four paired replicates: a common random part (the same
        // seed gives both scenarios the same luck) that the pairing cancels.
        let advs: Vec<Advantage> = pts
            .iter()
            .enumerate()
            .map(|(s, p)| {
                let luck: Vec<f64> = (0..4).map(|r| ((s * 7 + r * 13) % 11) as f64 - 5.0).collect();
                let effect = p[0] - 0.3 - 0.05 * p[2];
                // Lower is better for this outcome: B's value minus A's is the effect.
                // A small noise of A's own (not shared) keeps the intervals honest.
                let own = |r: usize| 0.004 * (((s * 3 + r * 5) % 7) as f64 - 3.0);
                let a: Vec<f64> = luck.iter().enumerate().map(|(r, l)| 10.0 + l - effect + own(r)).collect();
                let b: Vec<f64> = luck.iter().map(|l| 10.0 + l).collect();
                advantage(&a, &b, false)
            })
            .collect();
        let s = summarise(&params, &advs);
        assert_eq!(s.settings, 200);
        // x0 > 0.3 + 0.05 x2 decides; strata of x0 straddling the line depend on x2.
        assert!((135..=140).contains(&s.a_ahead), "{}", s.a_ahead);
        assert_eq!(s.a_ahead + s.b_ahead, 200);
        assert!(s.share_ci.0 < s.share && s.share < s.share_ci.1);
        assert!(s.share_ci.1 - s.share_ci.0 < 0.15);
        assert_eq!(s.decisive[0], 0, "{:?}", s.srrc);
        assert!(s.srrc.coefficients[0] > 0.95, "{:?}", s.srrc);
        assert!(s.srrc.coefficients[1].abs() < 0.05, "{:?}", s.srrc);
        assert!(s.srrc.coefficients[2] < 0.0, "{:?}", s.srrc);
        assert_eq!(s.decisive[1], 2);
        // The pairing cancels the luck: every setting away from the line is clear.
        assert!(s.a_clear + s.b_clear >= 170 && s.a_clear + s.b_clear < 200, "{} {}", s.a_clear, s.b_clear);
        assert!((s.mean_advantage.0 - (0.5 - 0.3 - 0.025)).abs() < 0.01, "{:?}", s.mean_advantage);
    }

    #[test]
    fn default_parameters_are_the_registrys_assumptions_in_the_groups() {
        let d = default_parameters();
        assert!(d.len() >= 20, "{d:?}");
        for (p, lo, hi) in &d {
            assert!(hi > lo, "{p}");
            assert!(DEFAULT_GROUPS.iter().any(|g| p.starts_with(g)), "{p}");
            assert_eq!(plausible(p), Some((*lo, *hi)));
            assert_eq!(docs::lookup(p).map(|x| x.role), Some(Role::Assumption), "{p}");
        }
        for must in ["market.competitive_pressure", "policies.barriers.challenge", "learning.peer_effect"] {
            assert!(d.iter().any(|(p, _, _)| p == must), "{must} is not varied by default");
        }
        // Levers stay as the scenarios set them.
        assert!(!d.iter().any(|(p, _, _)| p == "market.closure_years" || p.starts_with("choice.")));
        assert_eq!(plausible("no.such"), None);
    }
}
