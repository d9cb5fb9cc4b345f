//! Within-school improvement: practice moves towards latent knowledge at a
//! rate ("schools know more than they use": upwards when knowledge exceeds
//! practice, downwards when a school's standards have fallen below its
//! practice); practice drifts with staff turnover, and both revert slowly
//! towards the schools' mean effectiveness at the start.

use rand_distr::{Distribution, StandardNormal};

use crate::rng::{Purpose, stream};
use crate::scenario::Scenario;
use crate::schools::Schools;

/// Apply one year of within-school improvement. `rate_bonus` adds to the
/// practice rate per school (from within-school collaboration policies).
pub fn apply(s: &Scenario, schools: &mut Schools, rate_bonus: &[f64], seed: u64, year: u32) {
    let im = &s.improvement;
    let mut rng = stream(seed, Purpose::Improvement, year, 0);
    // The mean of the schools open at the start (not of schools opened since).
    let start = schools.opened.iter().take_while(|o| **o == 0).count();
    let n = start.max(1) as f64;
    let mean0 = schools.initial_effectiveness[..start].iter().sum::<f64>() / n;
    for sid in 0..schools.len() {
        // One draw per school, open or not, so closures do not shift the stream.
        let z: f64 = StandardNormal.sample(&mut rng);
        if !schools.open[sid] {
            continue;
        }
        let rate = (im.practice_rate + rate_bonus.get(sid).copied().unwrap_or(0.0)).clamp(0.0, 1.0);
        let e = &mut schools.effectiveness[sid];
        let k = &mut schools.latent[sid];
        *e += rate * (*k - *e);
        *e += im.drift_sd * z;
        *e -= im.reversion * (*e - mean0);
        *k -= im.reversion * (*k - mean0);
    }
}
