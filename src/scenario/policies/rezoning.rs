//! Parameters of [`crate::policy::rezoning`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// Parameters of rezoning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the policy on (default false): catchments are redrawn when it starts.
    pub enabled: bool,
    /// Farthest a neighbourhood's new catchment school may be beyond its nearest school, km (default 1.5).
    pub max_extra_km: f64,
    /// Share by which a catchment may exceed its school's places, in expected entrants (default 0.1).
    pub capacity_slack: f64,
    /// Most passes over the neighbourhoods (default 20).
    pub passes: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params { enabled: false, max_extra_km: 1.5, capacity_slack: 0.1, passes: 20 }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.range("max_extra_km", p.max_extra_km, 0.0, 50.0);
    c.range("capacity_slack", p.capacity_slack, 0.0, 2.0);
    c.int_range("passes", p.passes, 1, 1000);
}
