//! Parameters of [`crate::policy::pairing`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// Parameters of pairings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the mechanism on (default false).
    pub enabled: bool,
    /// Share of schools, the weakest by effectiveness, given a partner (default 0.2).
    pub weakest_share: f64,
    /// Trios (one stronger school with two weaker ones) instead of pairs (default false).
    pub trios: bool,
    /// Match across district boundaries where possible (default true).
    pub cross_district: bool,
    /// Share of the knowledge gap the weaker school closes per year at full trust (default 0.2).
    pub weak_gain_rate: f64,
    /// Knowledge the stronger school gains per year at full trust, SD units (default 0.005).
    pub strong_gain: f64,
    /// Years before partners are re-matched; 0 keeps them for the whole run (default 0).
    pub duration_years: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            enabled: false,
            weakest_share: 0.2,
            trios: false,
            cross_district: true,
            weak_gain_rate: 0.2,
            strong_gain: 0.005,
            duration_years: 0,
        }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.range("weakest_share", p.weakest_share, 0.0, 0.5);
    c.prob("weak_gain_rate", p.weak_gain_rate);
    c.range("strong_gain", p.strong_gain, -1.0, 1.0);
    c.int_range("duration_years", p.duration_years, 0, 1000);
}
