//! Parameters of [`crate::policy::within_school`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

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
    /// Extra yearly gain for pupils in the lowest prior band at adopting schools, within capacity, SD (default 0.02).
    pub inclusive_gain: f64,
    /// Share of a school's pupils its inclusive staff time can reach at the full gain (default 0.2).
    pub inclusive_capacity: f64,
    /// Effectiveness lost at adopting schools to the staff time inclusive practice takes, SD (default 0.002).
    pub inclusive_cost: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            enabled: false,
            adoption_share: 1.0,
            practice_rate_boost: 0.1,
            inclusive_gain: 0.02,
            inclusive_capacity: 0.2,
            inclusive_cost: 0.002,
        }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.prob("adoption_share", p.adoption_share);
    c.range("practice_rate_boost", p.practice_rate_boost, 0.0, 1.0);
    c.range("inclusive_gain", p.inclusive_gain, -1.0, 1.0);
    c.range("inclusive_capacity", p.inclusive_capacity, 0.0, 1.0);
    c.range("inclusive_cost", p.inclusive_cost, -1.0, 1.0);
}
