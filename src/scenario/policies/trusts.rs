//! Parameters of [`crate::policy::trusts`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// How a lead chooses its members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Members {
    /// The nearest schools not yet in a trust.
    Nearest,
    /// The weakest schools within reach (sponsored academies).
    Weakest,
}

/// Parameters of trusts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the policy on (default false).
    pub enabled: bool,
    /// Share of open schools grouped into trusts when the policy starts (default 0.5).
    pub school_share: f64,
    /// Schools per trust, lead included, when trusts form (default 6).
    pub size: u32,
    /// Most schools a trust can hold after takeovers (default 12).
    pub max_size: u32,
    /// How members are chosen: `nearest` (default) or `weakest`.
    pub members: Members,
    /// Farthest a member may be from its lead, km (default 10).
    pub spread_km: f64,
    /// Share of the knowledge gap to the lead a member closes per year at full trust (default 0.1).
    pub support_rate: f64,
    /// Knowledge a lead gains per year at full trust, SD units (default 0).
    pub lead_gain: f64,
    /// Share of members' funding top-sliced for central services (default 0.05).
    pub central_share: f64,
    /// Effectiveness lost per unit share of funding taken, SD/yr (default 0.1).
    pub funding_effect: f64,
    /// Years at risk of closure after which a trust takes a school over; 0: never (default 2).
    pub takeover_years: u32,
    /// Share of each member's funding the trust pools and gives to its
    /// members in proportion to their effectiveness gap to its strongest (default 0: none).
    pub pool_share: f64,
    /// Effectiveness gained (lost) per unit share of its own funding a member
    /// gains (gives up) through pooling, SD/yr (default 0.1).
    pub money_effect: f64,
    /// Coordinated admissions: every member admits by its lead's rules
    /// (banding, covert selection, exclusions) (default false).
    pub common_admissions: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            enabled: false,
            school_share: 0.5,
            size: 6,
            max_size: 12,
            members: Members::Nearest,
            spread_km: 10.0,
            support_rate: 0.1,
            lead_gain: 0.0,
            central_share: 0.05,
            funding_effect: 0.1,
            takeover_years: 2,
            pool_share: 0.0,
            money_effect: 0.1,
            common_admissions: false,
        }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.prob("school_share", p.school_share);
    c.int_range("size", p.size, 2, 1000);
    c.int_range("max_size", p.max_size, 2, 10_000);
    if p.max_size < p.size {
        c.fail("max_size", format!("{} is below size ({})", p.max_size, p.size), "at least `size`");
    }
    c.range("spread_km", p.spread_km, 0.0, 2000.0);
    c.prob("support_rate", p.support_rate);
    c.range("lead_gain", p.lead_gain, -1.0, 1.0);
    c.range("central_share", p.central_share, 0.0, 0.5);
    c.range("funding_effect", p.funding_effect, -2.0, 2.0);
    c.int_range("takeover_years", p.takeover_years, 0, 100);
    c.range("pool_share", p.pool_share, 0.0, 1.0);
    c.range("money_effect", p.money_effect, -2.0, 2.0);
}
