//! Parameters of [`crate::policy::barriers`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// Parameters of the barriers to collaboration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Mutual challenge, 0 (collusion: drift to the partners' mean) to 1 (move to the best) (default 1).
    pub challenge: f64,
    /// Trust at the start of a partnership, 0 to 1 (default 0.5).
    pub initial_trust: f64,
    /// Growth of trust per year of successful joint work, 0 to 1 (default 0.2).
    pub trust_growth: f64,
    /// Decay of trust per unit of rivalry between partners (default 2).
    pub trust_decay: f64,
    /// Multiplier on rivalry and competitive pressure when funding follows pupils (default 3).
    pub funding_rivalry: f64,
    /// Rate at which willingness to share falls with perceived competitive threat: willingness = exp(−sensitivity × funding factor × threat) (default 2).
    pub competition_sensitivity: f64,
    /// Knowledge gain per year that counts as full success for trust, SD units (default 0.005).
    pub success_scale: f64,
    /// Partnerships a school can sustain at full strength (default 2).
    pub capacity: f64,
    /// Dip in effectiveness when a school starts a new way of working, SD units (default 0.01).
    pub turbulence_dip: f64,
    /// Years the turbulence lasts, fading linearly (default 2).
    pub turbulence_years: u32,
    /// Trust at or above which a partnership counts as active (default 0.25).
    pub active_trust: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            challenge: 1.0,
            initial_trust: 0.5,
            trust_growth: 0.2,
            trust_decay: 2.0,
            funding_rivalry: 3.0,
            competition_sensitivity: 2.0,
            success_scale: 0.005,
            capacity: 2.0,
            turbulence_dip: 0.01,
            turbulence_years: 2,
            active_trust: 0.25,
        }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.prob("challenge", p.challenge);
    c.prob("initial_trust", p.initial_trust);
    c.prob("trust_growth", p.trust_growth);
    c.range("trust_decay", p.trust_decay, 0.0, 100.0);
    c.range("funding_rivalry", p.funding_rivalry, 0.0, 100.0);
    c.range("competition_sensitivity", p.competition_sensitivity, 0.0, 100.0);
    c.range("success_scale", p.success_scale, 1e-9, 10.0);
    c.range("capacity", p.capacity, 0.0, 100.0);
    c.range("turbulence_dip", p.turbulence_dip, -1.0, 1.0);
    c.int_range("turbulence_years", p.turbulence_years, 0, 100);
    c.prob("active_trust", p.active_trust);
}
