//! Results are published: each school's leaving cohort's mean attainment
//! (raw) and mean progress (value added), both relative to all leavers and
//! in units of the leavers' SD. Reputation moves towards what is published
//! (raw results by default: mostly a reflection of intake).

use crate::cohort::Cohort;
use crate::scenario::{Published, Scenario};
use crate::schools::Schools;

/// Per-school published results of the leaving cohort.
#[derive(Debug, Default, Clone)]
pub struct Results {
    /// Leavers per school.
    pub count: Vec<u32>,
    /// Mean raw attainment of leavers per school (absolute scale).
    pub mean_attainment: Vec<f64>,
    /// Raw result relative to all leavers, SD units.
    pub raw: Vec<f64>,
    /// Value added relative to all leavers, SD units.
    pub value_added: Vec<f64>,
}

/// Compute the leaving cohort's results by school.
pub fn results(schools: usize, leavers: &Cohort, out: &mut Results) {
    out.count.clear();
    out.count.resize(schools, 0);
    out.mean_attainment.clear();
    out.mean_attainment.resize(schools, 0.0);
    out.raw.clear();
    out.raw.resize(schools, 0.0);
    out.value_added.clear();
    out.value_added.resize(schools, 0.0);
    let n = leavers.len();
    if n == 0 {
        return;
    }
    let mut sum_a = 0.0f64;
    let mut sum_a2 = 0.0f64;
    let mut sum_p = 0.0f64;
    for i in 0..n {
        let s = leavers.school[i] as usize;
        let a = leavers.attainment[i] as f64;
        let p = a - leavers.prior[i] as f64;
        out.count[s] += 1;
        out.mean_attainment[s] += a;
        out.value_added[s] += p;
        sum_a += a;
        sum_a2 += a * a;
        sum_p += p;
    }
    let mean_a = sum_a / n as f64;
    let sd = (sum_a2 / n as f64 - mean_a * mean_a).max(1e-12).sqrt();
    let mean_p = sum_p / n as f64;
    for s in 0..schools {
        let c = out.count[s];
        if c > 0 {
            out.mean_attainment[s] /= c as f64;
            out.value_added[s] = (out.value_added[s] / c as f64 - mean_p) / sd;
            out.raw[s] = (out.mean_attainment[s] - mean_a) / sd;
        } else {
            out.mean_attainment[s] = f64::NAN;
        }
    }
}

/// Publish the results and update reputations. `weight` is the weight of the
/// new result (1 replaces reputation outright).
pub fn publish(s: &Scenario, schools: &mut Schools, results: &Results, weight: f64) {
    for sid in 0..schools.len() {
        if results.count[sid] == 0 || !schools.open[sid] {
            continue;
        }
        let value = match s.reputation.published {
            Published::Raw => results.raw[sid],
            Published::ValueAdded => results.value_added[sid],
        };
        schools.published[sid] = value;
        schools.reputation[sid] = (1.0 - weight) * schools.reputation[sid] + weight * value;
    }
}
