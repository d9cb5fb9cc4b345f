//! Parameters of [`crate::policy::families`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// Parameters of Families of Schools.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the mechanism on (default false).
    pub enabled: bool,
    /// Smallest family (default 12).
    pub min_size: u32,
    /// Largest family (default 20).
    pub max_size: u32,
    /// Schools closer than this compete for the same pupils and are never in one family, km (default 5).
    pub competitor_km: f64,
    /// Share of the gap to the family's target closed per year at full trust (default 0.1).
    pub sharing_rate: f64,
    /// SD of the log of each family's strength: impact varies between families (default 0.5).
    pub impact_sd: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params { enabled: false, min_size: 12, max_size: 20, competitor_km: 5.0, sharing_rate: 0.1, impact_sd: 0.5 }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.int_range("min_size", p.min_size, 2, 1000);
    c.int_range("max_size", p.max_size, 2, 1000);
    if p.min_size > p.max_size {
        c.fail("min_size", format!("{} is above max_size ({})", p.min_size, p.max_size), "min_size ≤ max_size");
    }
    c.range("competitor_km", p.competitor_km, 0.0, 1000.0);
    c.prob("sharing_rate", p.sharing_rate);
    c.range("impact_sd", p.impact_sd, 0.0, 5.0);
}
