//! Pupils learn: each pupil on roll gains attainment every year.
//!
//! gain = w_e · effectiveness(school)
//!      + peer · (mean prior attainment at the school − mean of all pupils)
//!      + home · SES + home bonus(neighbourhood)
//!      − SEN need · (1 − SEN expertise(school))   for SEN pupils
//!      − EAL need · (1 − EAL expertise(school))   for EAL pupils
//!      + inclusive gain(school)                   for pupils in the lowest prior band
//!      + noise
//!
//! Everything about a school is computed once per school before the loop
//! over pupils, which is a plain pass over columns in parallel chunks.

use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use crate::cohort::{Cohort, flag};
use crate::rng::{CHUNK, Purpose, stream};
use crate::scenario::Scenario;
use crate::schools::Schools;

/// Per-school terms of the gain, computed once a year.
#[derive(Debug, Default, Clone)]
pub struct SchoolTerms {
    base: Vec<f32>,
    sen: Vec<f32>,
    eal: Vec<f32>,
    inclusive: Vec<f32>,
}

impl SchoolTerms {
    /// Compute the per-school terms from the schools' current state.
    /// `inclusive_gain` is the extra gain for the lowest prior band (from policies), per school.
    pub fn compute(&mut self, s: &Scenario, schools: &Schools, mean_prior: f64, inclusive_gain: &[f64]) {
        let l = &s.learning;
        let n = schools.len();
        self.base.clear();
        self.sen.clear();
        self.eal.clear();
        self.inclusive.clear();
        for sid in 0..n {
            self.base.push(
                (l.effectiveness_weight * schools.effective(sid)
                    + l.peer_effect * (schools.peer_mean[sid] - mean_prior)) as f32,
            );
            self.sen.push((l.sen_need * (1.0 - schools.sen_expertise[sid])) as f32);
            self.eal.push((l.eal_need * (1.0 - schools.eal_expertise[sid])) as f32);
            self.inclusive.push(inclusive_gain.get(sid).copied().unwrap_or(0.0) as f32);
        }
    }
}

/// One year of learning for one cohort. `stream_key` distinguishes cohorts
/// (and warm-start years) in the random streams.
pub fn learn(
    s: &Scenario,
    terms: &SchoolTerms,
    home_bonus: &[f32],
    cohort: &mut Cohort,
    seed: u64,
    year: u32,
    stream_key: u64,
) {
    let home = s.learning.home_support as f32;
    let noise_sd = s.learning.noise_sd as f32;
    let Cohort { ses, flags, band, school, nbhd_start, attainment, .. } = cohort;
    let (ses, flags, band, school, nbhd_start) = (&*ses, &*flags, &*band, &*school, &*nbhd_start);
    attainment.par_chunks_mut(CHUNK).enumerate().for_each(|(c, att)| {
        let mut rng = stream(seed, Purpose::Learning, year, (stream_key << 32) | c as u64);
        let off = c * CHUNK;
        // Pupils are stored neighbourhood by neighbourhood (see
        // `Cohort::nbhd_start`): the chunk is taken a neighbourhood at a time.
        let end = off + att.len();
        let mut nb = crate::cohort::nbhd_at(nbhd_start, off);
        let mut i = off;
        while i < end {
            let run_end = (nbhd_start[nb + 1] as usize).min(end);
            let hb = home_bonus[nb];
            // The run's pupils' columns side by side.
            let pupils = att[i - off..run_end - off]
                .iter_mut()
                .zip(&school[i..run_end])
                .zip(&flags[i..run_end])
                .zip(&ses[i..run_end])
                .zip(&band[i..run_end]);
            for ((((a, &sid), &f), &z), &b) in pupils {
                let sid = sid as usize;
                let mut g = terms.base[sid] + home * z + hb;
                if f & flag::SEN != 0 {
                    g -= terms.sen[sid];
                }
                if f & flag::EAL != 0 {
                    g -= terms.eal[sid];
                }
                if b == 0 {
                    g += terms.inclusive[sid];
                }
                let e: f32 = StandardNormal.sample(&mut rng);
                *a += g + noise_sd * e;
            }
            i = run_end;
            nb += 1;
        }
    });
}
