//! Parameters of [`crate::policy::districts`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// Parameters of district collaboration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the mechanism on (default false).
    pub enabled: bool,
    /// Share of the gap between a district's mean knowledge and the target closed per year at full trust (default 0.1).
    pub rate: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params { enabled: false, rate: 0.1 }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.prob("rate", p.rate);
}
