//! Mechanism 1, Within-school collaboration: staff collaboration and lesson study
//! raise the rate at which a school turns latent knowledge into practice
//! ("schools know more than they use"), with attention to the pupils hardest
//! to reach: an extra yearly gain for pupils in the lowest prior-attainment
//! band (Ainscow 2016, "Within school factors"; Messiou and Ainscow 2015).

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::{Context, Policy};
use crate::rng::{Purpose, stream};
use crate::scenario::{Checker, Scenario};

/// Parameters of within-school collaboration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the mechanism on (default false).
    pub enabled: bool,
    /// Share of schools that adopt it (default 1).
    pub adoption_share: f64,
    /// Added to the practice rate of adopting schools (default 0.1).
    pub practice_rate_boost: f64,
    /// Extra yearly gain for pupils in the lowest prior band at adopting schools, SD (default 0.02).
    pub inclusive_gain: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params { enabled: false, adoption_share: 1.0, practice_rate_boost: 0.1, inclusive_gain: 0.02 }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.prob("adoption_share", p.adoption_share);
    c.range("practice_rate_boost", p.practice_rate_boost, 0.0, 1.0);
    c.range("inclusive_gain", p.inclusive_gain, -1.0, 1.0);
}

/// Within-school collaboration.
pub struct WithinSchool {
    params: Params,
    adopters: Vec<u32>,
}

impl WithinSchool {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        WithinSchool { params, adopters: Vec::new() }
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
            w.inclusive_gain[i] += self.params.inclusive_gain;
            w.collab.start_new_work(i, barriers);
        }
    }

    fn apply(&mut self, _ctx: &mut Context<'_>) {}

    fn end(&mut self, ctx: &mut Context<'_>) {
        let w = &mut *ctx.world;
        for &i in &self.adopters {
            let i = i as usize;
            w.practice_bonus[i] -= self.params.practice_rate_boost;
            w.inclusive_gain[i] -= self.params.inclusive_gain;
        }
        self.adopters.clear();
    }
}
