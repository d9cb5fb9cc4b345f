//! The parameters of the collaborative policies (`[policies]`), one module
//! per policy as in [`crate::policy`], which holds the mechanisms. They sit
//! with the rest of the scenario, below the model that reads them.

pub mod advisers;
pub mod barriers;
pub mod community;
pub mod districts;
pub mod fair_access;
pub mod families;
pub mod hubs;
pub mod pairing;
pub mod rezoning;
pub mod target;
pub mod trusts;
pub mod within_school;

use serde::{Deserialize, Serialize};

use crate::scenario::Checker;

/// Parameters of the collaborative policies (every mechanism off by default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyParams {
    /// 1. Within-school collaboration (staff collaboration, lesson study).
    pub within_school: within_school::Params,
    /// 2. Families of Schools.
    pub families_of_schools: families::Params,
    /// 3. Matched pairings and trios (Keys to Success).
    pub pairing: pairing::Params,
    /// 4. Hub schools spreading SEN and EAL expertise.
    pub hubs: hubs::Params,
    /// 5. Expert advisers for the weakest schools.
    pub advisers: advisers::Params,
    /// 6. District collaboration ("leading from the middle").
    pub district_collaboration: districts::Params,
    /// 7. Partnerships with families and communities.
    pub community: community::Params,
    /// 8. Fair access agreements.
    pub fair_access: fair_access::Params,
    /// 9. Rezoning: catchment boundaries redrawn when the policy starts.
    pub rezoning: rezoning::Params,
    /// 10. Trusts: groups of schools under a lead, with central services and takeovers.
    pub trusts: trusts::Params,
    /// The barriers to collaboration, shared by every between-school mechanism.
    pub barriers: barriers::Params,
    /// Which schools take part in each policy, by the policy's key (default: every school).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub targets: std::collections::BTreeMap<String, target::Target>,
}

impl PolicyParams {
    /// True if any mechanism is switched on.
    pub fn any(&self) -> bool {
        self.within_school.enabled
            || self.families_of_schools.enabled
            || self.pairing.enabled
            || self.hubs.enabled
            || self.advisers.enabled
            || self.district_collaboration.enabled
            || self.community.enabled
            || self.fair_access.enabled
            || self.trusts.enabled
    }
}

/// Check the ranges of policy parameters, each section under its own key prefix.
pub(crate) fn validate_params(p: &PolicyParams, c: &mut Checker) {
    c.prefix = "policies.within_school";
    within_school::validate(&p.within_school, c);
    c.prefix = "policies.families_of_schools";
    families::validate(&p.families_of_schools, c);
    c.prefix = "policies.pairing";
    pairing::validate(&p.pairing, c);
    c.prefix = "policies.hubs";
    hubs::validate(&p.hubs, c);
    c.prefix = "policies.advisers";
    advisers::validate(&p.advisers, c);
    c.prefix = "policies.district_collaboration";
    districts::validate(&p.district_collaboration, c);
    c.prefix = "policies.community";
    community::validate(&p.community, c);
    c.prefix = "policies.fair_access";
    fair_access::validate(&p.fair_access, c);
    c.prefix = "policies.rezoning";
    rezoning::validate(&p.rezoning, c);
    c.prefix = "policies.trusts";
    trusts::validate(&p.trusts, c);
    c.prefix = "policies.barriers";
    barriers::validate(&p.barriers, c);
    c.prefix = "";
}
