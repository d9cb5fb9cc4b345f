//! Mechanism 6, District collaboration ("leading from the middle"): districts share
//! resources and expertise, moving each district's knowledge towards the
//! target set by the best district (with challenge) or the mean (without),
//! reducing the spread between districts (Ainscow 2016, "Policy
//! implications"; Hargreaves and Ainscow 2015).

use super::barriers::{funding_factor, record_ties, willingness};
use super::{Context, Policy};
use crate::scenario::Scenario;

pub use crate::scenario::policies::districts::Params;

/// District collaboration.
pub struct DistrictCollaboration {
    params: Params,
    trust: Vec<f64>,
}

impl DistrictCollaboration {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        DistrictCollaboration { params, trust: Vec::new() }
    }
}

impl Policy for DistrictCollaboration {
    fn label(&self) -> &'static str {
        "district_collaboration"
    }

    fn update(&mut self, s: &Scenario) {
        self.params = s.policies.district_collaboration.clone();
    }

    fn start(&mut self, ctx: &mut Context<'_>) {
        let b = &ctx.scenario.policies.barriers;
        self.trust = vec![b.initial_trust; ctx.world.region.districts];
        ctx.world.collab.active = true;
        // Every school starts a new way of working with its district's partners: turbulence.
        for i in ctx.world.taking_part().collect::<Vec<_>>() {
            ctx.world.collab.start_new_work(i, b);
        }
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        let b = &ctx.scenario.policies.barriers;
        let ff = funding_factor(ctx.scenario, b);
        let w = &mut *ctx.world;
        let d = self.trust.len();
        let mut sum = vec![0.0; d];
        let mut n = vec![0.0; d];
        let mut will = vec![0.0; d];
        for i in w.taking_part() {
            let k = w.schools.district[i] as usize;
            sum[k] += w.schools.latent[i];
            n[k] += 1.0;
            will[k] += willingness(w, i, b, ff);
        }
        let live: Vec<usize> = (0..d).filter(|&k| n[k] > 0.0).collect();
        if live.len() < 2 {
            return;
        }
        let mean: Vec<f64> = (0..d).map(|k| if n[k] > 0.0 { sum[k] / n[k] } else { 0.0 }).collect();
        let best = live.iter().map(|&k| mean[k]).fold(f64::MIN, f64::max);
        let avg = live.iter().map(|&k| mean[k]).sum::<f64>() / live.len() as f64;
        let target = b.challenge * best + (1.0 - b.challenge) * avg;
        // Each district learns as much as the other districts are willing to share.
        let will_sum: f64 = live.iter().map(|&k| will[k]).sum();
        let n_sum: f64 = live.iter().map(|&k| n[k]).sum();
        let mut change = vec![0.0; d];
        for &k in &live {
            let others = (will_sum - will[k]) / (n_sum - n[k]).max(1.0);
            change[k] = self.params.rate * self.trust[k] * others * (target - mean[k]);
        }
        for i in w.taking_part().collect::<Vec<_>>() {
            let k = w.schools.district[i] as usize;
            w.schools.latent[i] += change[k];
            w.collab.transferred += change[k].abs();
        }
        // Trust: success builds it; pupils crossing district lines wear it down.
        let crossing = w.flows.district_crossing(&w.schools.district, d);
        for &k in &live {
            let success = (change[k] / b.success_scale).clamp(0.0, 1.0);
            let t = &mut self.trust[k];
            *t = (*t + b.trust_growth * (1.0 - *t) * success - b.trust_decay * crossing[k] * ff * *t).clamp(0.0, 1.0);
        }
        let open: Vec<bool> = (0..d).map(|k| n[k] > 0.0).collect();
        record_ties(w, b, &self.trust, &open);
    }
}
