//! Mechanism 1, Within-school collaboration: staff collaboration and lesson
//! study raise the rate at which a school turns latent knowledge into
//! practice ("schools know more than they use"), and inclusive practice
//! gives staff time to the pupils hardest to reach (Ainscow 2016, "Within
//! school factors"; Messiou and Ainscow 2015).
//!
//! The inclusive part is staff time, so it has a capacity and a cost:
//!
//! ```text
//! gain_s = inclusive_gain · min(1, inclusive_capacity / low_share_s) · willingness_s
//! cost_s = inclusive_cost                (a temporary loss of effectiveness for every pupil)
//! ```
//!
//! where `low_share_s` is the share of the school's pupils in the lowest
//! prior-attainment band: a school with many such pupils spreads the same
//! time thinner. A school under competitive threat diverts that time to the
//! pupils who count most in league tables ("educational triage": Gillborn &
//! Youdell 2000), so the gain is scaled by the school's willingness under
//! competition. Adopting schools have turbulence when they start. Trust,
//! challenge and partnership capacity do not apply: nothing moves between
//! schools.

use rand::seq::SliceRandom;

use super::barriers::{funding_factor, willingness};
use super::{Context, Policy};
use crate::rng::{Purpose, stream};
use crate::scenario::Scenario;

pub use crate::scenario::policies::within_school::Params;

/// Within-school collaboration.
pub struct WithinSchool {
    params: Params,
    adopters: Vec<u32>,
    low: Vec<u32>,
    roll: Vec<u32>,
}

impl WithinSchool {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        WithinSchool { params, adopters: Vec::new(), low: Vec::new(), roll: Vec::new() }
    }

    /// Set each adopter's inclusive gain for the coming year from its share
    /// of lowest-band pupils and its willingness under competition.
    fn set_gains(&mut self, ctx: &mut Context<'_>) {
        let w = &mut *ctx.world;
        let n = w.schools.len();
        self.low.clear();
        self.low.resize(n, 0);
        self.roll.clear();
        self.roll.resize(n, 0);
        for c in &w.cohorts {
            for (sid, band) in c.school.iter().zip(&c.band) {
                if let Some(r) = self.roll.get_mut(*sid as usize) {
                    *r += 1;
                    if *band == 0 {
                        self.low[*sid as usize] += 1;
                    }
                }
            }
        }
        let b = &ctx.scenario.policies.barriers;
        let ff = funding_factor(ctx.scenario, b);
        let p = &self.params;
        for &i in &self.adopters {
            let i = i as usize;
            let share = if self.roll[i] > 0 { self.low[i] as f64 / self.roll[i] as f64 } else { 0.0 };
            let reach = if share > p.inclusive_capacity { p.inclusive_capacity / share } else { 1.0 };
            w.inclusive_gain[i] = p.inclusive_gain * reach * willingness(w, i, b, ff);
        }
    }
}

impl Policy for WithinSchool {
    fn label(&self) -> &'static str {
        "within_school"
    }

    fn update(&mut self, s: &Scenario) {
        self.params = s.policies.within_school.clone();
    }

    fn start(&mut self, ctx: &mut Context<'_>) {
        let w = &mut *ctx.world;
        let n = w.schools.len();
        let mut ids: Vec<u32> = (0..n as u32).filter(|&i| w.takes_part(i as usize)).collect();
        let n = ids.len();
        ids.shuffle(&mut stream(w.seed, Purpose::Policy, 0, 1));
        let k = (self.params.adoption_share * n as f64).round() as usize;
        self.adopters = ids.into_iter().take(k).collect();
        self.adopters.sort_unstable();
        let barriers = &ctx.scenario.policies.barriers;
        for &i in &self.adopters {
            let i = i as usize;
            w.practice_bonus[i] += self.params.practice_rate_boost;
            w.collab.start_new_work(i, barriers);
        }
        self.set_gains(ctx);
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        for &i in &self.adopters {
            let i = i as usize;
            if ctx.world.schools.open[i] {
                ctx.world.schools.adjustment[i] -= self.params.inclusive_cost;
            }
        }
        self.set_gains(ctx);
    }

    fn end(&mut self, ctx: &mut Context<'_>) {
        let w = &mut *ctx.world;
        for &i in &self.adopters {
            let i = i as usize;
            w.practice_bonus[i] -= self.params.practice_rate_boost;
            w.inclusive_gain[i] = 0.0;
        }
        self.adopters.clear();
    }
}
