//! Parameters of [`crate::policy::hubs`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// Parameters of hub schools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the mechanism on (default false).
    pub enabled: bool,
    /// Expertise at or above which a school is a hub, 0 to 1 (default 0.5).
    pub hub_threshold: f64,
    /// Schools each hub supports (default 5).
    pub network_size: u32,
    /// Share of the expertise gap closed per year at full trust (default 0.2).
    pub spread_rate: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params { enabled: false, hub_threshold: 0.5, network_size: 5, spread_rate: 0.2 }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.prob("hub_threshold", p.hub_threshold);
    c.int_range("network_size", p.network_size, 1, 1000);
    c.prob("spread_rate", p.spread_rate);
}
