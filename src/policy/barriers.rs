//! Partnerships and the barriers to them.
//!
//! Knowledge moves within a partnership: each member's latent knowledge (or
//! expertise) moves towards a *target* at a rate scaled by the member's
//! trust in the partnership, its spare capacity for collaboration and its
//! partners' willingness to share:
//!
//! ```text
//! target_i = challenge · max_j K_j + (1 − challenge) · mean_j K_j
//! ΔK_i     = rate_i · trust_i · capacity_i · willingness_(others) · (target_i − K_i)
//! ```
//!
//! With full mutual challenge every member moves towards the best practice
//! in the partnership; without it they drift towards the partners' mean
//! (collusion, "acceptance of mediocrity"), so the stronger members lose.
//!
//! - **Trust** (social capital) grows with successful joint work and decays
//!   with rivalry, the share of pupils the partners win from one another,
//!   multiplied when funding follows pupils:
//!   `trust += growth·(1 − trust)·success − decay·rivalry·trust`.
//! - **Willingness to share** falls with the competitive threat a school
//!   perceives (its net loss of local entrants, smoothed: see
//!   [`crate::market`]), multiplied when funding follows pupils:
//!   `willingness_i = exp(−competition_sensitivity · funding · threat_i)`,
//!   1 with no threat, halving at a threat of `ln 2 / (sensitivity · funding)`.
//! - **Capacity**: a school in more partnerships than it has time for gets
//!   less from each: `capacity_i = min(1, capacity / partnerships_i)`
//!   (community partnerships count as partnerships).
//! - **Turbulence**: a school that starts a new way of working has a
//!   temporary dip in effectiveness that fades over a few years.

use super::{Context, Policy};
use crate::measures::Metric;
use crate::scenario::Scenario;
use crate::world::World;

pub use crate::scenario::policies::barriers::Params;

/// Which quantity a partnership moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Latent knowledge (general practice).
    Knowledge,
    /// SEN expertise.
    Sen,
    /// EAL expertise.
    Eal,
}

fn get(w: &World, f: Field, i: usize) -> f64 {
    match f {
        Field::Knowledge => w.schools.latent[i],
        Field::Sen => w.schools.sen_expertise[i],
        Field::Eal => w.schools.eal_expertise[i],
    }
}

fn set(w: &mut World, f: Field, i: usize, v: f64) {
    match f {
        Field::Knowledge => w.schools.latent[i] = v,
        Field::Sen => w.schools.sen_expertise[i] = v.clamp(0.0, 1.0),
        Field::Eal => w.schools.eal_expertise[i] = v.clamp(0.0, 1.0),
    }
}

/// A partnership: member schools, each member's trust, and a strength
/// multiplier (for example, how well a Family of Schools works).
#[derive(Debug, Clone, PartialEq)]
pub struct Partnership {
    /// Member school ids.
    pub members: Vec<u32>,
    /// Trust of each member in the partnership, 0 to 1.
    pub trust: Vec<f64>,
    /// Multiplier on every member's rate.
    pub strength: f64,
}

impl Partnership {
    /// A new partnership: members join (capacity), start new work (turbulence), with initial trust.
    pub fn form(members: Vec<u32>, strength: f64, w: &mut World, b: &Params) -> Partnership {
        let n = w.schools.len();
        for &m in &members {
            w.collab.join(m as usize, n);
            w.collab.start_new_work(m as usize, b);
        }
        let trust = vec![b.initial_trust; members.len()];
        Partnership { members, trust, strength }
    }

    /// Dissolve: members leave (capacity freed).
    pub fn dissolve(self, w: &mut World) {
        for &m in &self.members {
            w.collab.leave(m as usize);
        }
    }
}

/// The multiplier on rivalry and pressure: larger when funding follows pupils.
pub fn funding_factor(s: &Scenario, b: &Params) -> f64 {
    if s.market.funding_follows_pupils { b.funding_rivalry } else { 1.0 }
}

/// Willingness of school `j` to share, 0 to 1: `exp(−sensitivity · ff · threat_j)`.
pub fn willingness(w: &World, j: usize, b: &Params, ff: f64) -> f64 {
    (-b.competition_sensitivity * ff * w.schools.threat[j]).exp().clamp(0.0, 1.0)
}

/// The share of full strength school `i` gives each of its partnerships:
/// `min(1, capacity / partnerships_i)`.
pub fn capacity_factor(w: &World, i: usize, b: &Params) -> f64 {
    let m = w.collab.memberships.get(i).copied().unwrap_or(0) as f64;
    if m > b.capacity { b.capacity / m } else { 1.0 }
}

/// Move `field` within a partnership for one year, then update trust.
/// `rate[m]` is member m's convergence rate; `bonus[m]` an extra gain
/// (reciprocal learning), both scaled by trust and capacity.
/// Returns each member's change.
pub fn exchange(
    s: &Scenario,
    b: &Params,
    w: &mut World,
    p: &mut Partnership,
    field: Field,
    rate: &[f64],
    bonus: &[f64],
) -> Vec<f64> {
    let ff = funding_factor(s, b);
    let open: Vec<bool> = p.members.iter().map(|&m| w.schools.open[m as usize]).collect();
    let k: Vec<f64> = p.members.iter().map(|&m| get(w, field, m as usize)).collect();
    let will: Vec<f64> = p.members.iter().map(|&m| willingness(w, m as usize, b, ff)).collect();
    let live: Vec<usize> = (0..p.members.len()).filter(|&i| open[i]).collect();
    let mut change = vec![0.0; p.members.len()];
    if live.len() >= 2 {
        let max = live.iter().map(|&i| k[i]).fold(f64::MIN, f64::max);
        let mean = live.iter().map(|&i| k[i]).sum::<f64>() / live.len() as f64;
        let will_sum: f64 = live.iter().map(|&i| will[i]).sum();
        for &i in &live {
            let m = p.members[i] as usize;
            let others = (will_sum - will[i]) / (live.len() - 1) as f64;
            let cap = capacity_factor(w, m, b);
            let target = b.challenge * max + (1.0 - b.challenge) * mean;
            let scale = p.strength * p.trust[i] * cap;
            let d = scale * (rate[i] * others * (target - k[i]) + bonus[i]);
            change[i] = d;
            set(w, field, m, k[i] + d);
            w.collab.transferred += d.abs();
        }
    }
    // Trust: success strengthens ties; rivalry between partners wears them down.
    for &i in &live {
        let m = p.members[i];
        let success = (change[i] / b.success_scale).clamp(0.0, 1.0);
        let rivalry: f64 = live.iter().filter(|&&j| j != i).map(|&j| w.flows.share(m, p.members[j])).sum::<f64>() * ff;
        let t = &mut p.trust[i];
        *t = (*t + b.trust_growth * (1.0 - *t) * success - b.trust_decay * rivalry * *t).clamp(0.0, 1.0);
    }
    record_ties(w, b, &p.trust, &open);
    change
}

/// Add a partnership's ties to this year's tallies.
pub fn record_ties(w: &mut World, b: &Params, trust: &[f64], open: &[bool]) {
    let live: Vec<f64> = trust.iter().zip(open).filter(|(_, o)| **o).map(|(t, _)| *t).collect();
    if live.len() < 2 {
        return;
    }
    w.collab.partnerships += 1;
    let mean = live.iter().sum::<f64>() / live.len() as f64;
    if mean >= b.active_trust {
        w.collab.active_partnerships += 1;
    }
    w.collab.trust.extend(live);
}

/// The shared last step: turbulence, and the network measures.
pub struct Barriers {
    params: Params,
}

impl Barriers {
    /// The shared barriers step.
    pub fn new(params: Params) -> Self {
        Barriers { params }
    }
}

impl Policy for Barriers {
    fn label(&self) -> &'static str {
        "barriers"
    }

    fn update(&mut self, s: &Scenario) {
        self.params = s.policies.barriers.clone();
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        let w = &mut *ctx.world;
        let years = self.params.turbulence_years.max(1) as f64;
        for i in 0..w.schools.len() {
            let left = w.collab.turbulence_left.get(i).copied().unwrap_or(0);
            if left > 0 {
                w.schools.adjustment[i] -= self.params.turbulence_dip * left as f64 / years;
                w.collab.turbulence_left[i] = left - 1;
            }
        }
    }

    fn record(&self, w: &World, out: &mut Vec<Metric>) {
        let c = &w.collab;
        let n = c.trust.len() as f64;
        let (mean, sd) = if n > 0.0 {
            let m = c.trust.iter().sum::<f64>() / n;
            (m, (c.trust.iter().map(|t| (t - m).powi(2)).sum::<f64>() / n).sqrt())
        } else {
            (f64::NAN, f64::NAN)
        };
        out.push(Metric::new("tie_strength_mean", "all", mean));
        out.push(Metric::new("tie_strength_sd", "all", sd));
        out.push(Metric::new("partnerships", "all", c.partnerships as f64));
        out.push(Metric::new("active_partnerships", "all", c.active_partnerships as f64));
        out.push(Metric::new("knowledge_transferred", "all", c.transferred));
        let turbulent = c.turbulence_left.iter().filter(|t| **t > 0).count();
        out.push(Metric::new("turbulent_schools", "all", turbulent as f64));
    }
}
