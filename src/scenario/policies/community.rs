//! Parameters of [`crate::policy::community`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// Parameters of community partnerships.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the mechanism on (default false).
    pub enabled: bool,
    /// Share of households, in the most deprived neighbourhoods, that the partnerships target (default 0.2).
    pub deprived_share: f64,
    /// Share of the targeted families who take part (default 0.33).
    pub reach: f64,
    /// Yearly gain of a pupil whose family takes part, at full trust, SD (default 0.02).
    pub effect: f64,
    /// Effectiveness a school running a partnership loses to the staff time it takes, SD (default 0.005).
    pub staff_cost: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params { enabled: false, deprived_share: 0.2, reach: 0.33, effect: 0.02, staff_cost: 0.005 }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.prob("deprived_share", p.deprived_share);
    c.prob("reach", p.reach);
    c.range("effect", p.effect, -1.0, 1.0);
    c.range("staff_cost", p.staff_cost, -1.0, 1.0);
}
