//! Parameters of school openings (`[openings]`); the mechanism is in
//! [`crate::openings`].

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// How demand for places in a district is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Entrants living in the district (the district's duty to provide places).
    Residents,
    /// Places plus first preferences the district's full schools turned away (unmet parental demand).
    FirstPreferences,
}

/// Where in a short district the new school is sited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Site {
    /// The neighbourhood with the most households times distance to the nearest open school.
    Underserved,
    /// A neighbourhood drawn at random, weighted by households.
    Random,
}

/// Parameters of school openings (`[openings]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch openings on (default false).
    pub enabled: bool,
    /// How demand is measured: `residents` (default) or `first_preferences`.
    pub trigger: Trigger,
    /// Demand above places, as a share of places, that counts as a shortage (default 0.05).
    pub shortage_share: f64,
    /// Consecutive years of shortage before a school opens (default 2).
    pub shortage_years: u32,
    /// Most schools opened in one year in the whole region (default 1).
    pub max_per_year: u32,
    /// Where the school is sited: `underserved` (default) or `random`.
    pub site: Site,
    /// Places per year group, as a share of the mean of open schools (default 0.8).
    pub capacity_share: f64,
    /// Starting effectiveness relative to the mean of open schools, SD of value added per year (default 0).
    pub effectiveness_shift: f64,
    /// The new school is autonomous (a free school or academy) rather than maintained (default true).
    pub autonomous: bool,
    /// Reputation before the school has published results, SD units (default 0, the system mean).
    pub initial_reputation: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            enabled: false,
            trigger: Trigger::Residents,
            shortage_share: 0.05,
            shortage_years: 2,
            max_per_year: 1,
            site: Site::Underserved,
            capacity_share: 0.8,
            effectiveness_shift: 0.0,
            autonomous: true,
            initial_reputation: 0.0,
        }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.range("openings.shortage_share", p.shortage_share, 0.0, 1.0);
    c.int_range("openings.shortage_years", p.shortage_years, 1, 100);
    c.int_range("openings.max_per_year", p.max_per_year, 0, 1000);
    c.range("openings.capacity_share", p.capacity_share, 0.05, 5.0);
    c.range("openings.effectiveness_shift", p.effectiveness_shift, -1.0, 1.0);
    c.range("openings.initial_reputation", p.initial_reputation, -5.0, 5.0);
}
