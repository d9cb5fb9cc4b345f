//! Parameters of [`crate::policy::fair_access`] (the mechanism is there).

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// Which schools sign the agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Members {
    /// Every school.
    All,
    /// Schools in at least one between-school partnership.
    Partners,
}

/// Parameters of fair access.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the mechanism on (default false).
    pub enabled: bool,
    /// `all` (default) or `partners`.
    pub members: Members,
    /// Members admit by prior-attainment band (default true).
    pub banding: bool,
    /// Members give up cream-skimming and exclusions (default true).
    pub no_selection: bool,
    /// Unplaced hard-to-teach pupils are shared among nearby members (default true).
    pub share_hard_to_place: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params { enabled: false, members: Members::All, banding: true, no_selection: true, share_hard_to_place: true }
    }
}

pub(crate) fn validate(_p: &Params, _c: &mut Checker) {}
