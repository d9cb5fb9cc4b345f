//! Parameters of [`crate::policy::advisers`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// Parameters of expert advisers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the mechanism on (default false).
    pub enabled: bool,
    /// Share of schools, the weakest by effectiveness, that get an adviser (default 0.1).
    pub weakest_share: f64,
    /// Share of the knowledge gap to the adviser's school closed per year at full trust (default 0.2).
    pub rate: f64,
    /// Effectiveness the adviser's own school loses while the adviser is away, SD (default 0.005).
    pub staff_cost: f64,
    /// Years of support before the weakest are chosen again (default 3).
    pub duration_years: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params { enabled: false, weakest_share: 0.1, rate: 0.2, staff_cost: 0.005, duration_years: 3 }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.range("weakest_share", p.weakest_share, 0.0, 0.5);
    c.prob("rate", p.rate);
    c.range("staff_cost", p.staff_cost, -1.0, 1.0);
    c.int_range("duration_years", p.duration_years, 1, 1000);
}
