//! Policies as plug-ins with a lifecycle: the collaborative side of the model.
//!
//! A policy is built from the scenario, initialised once on the new world,
//! and applied at fixed points of the yearly schedule
//! ([`crate::sim::Simulation::step`]): before admissions (fair access) and in
//! the adaptation phase (knowledge moving within, between and beyond
//! schools). Policies act only by changing the world's state (latent
//! knowledge, expertise, admission rules, home support, a temporary
//! adjustment to effectiveness), draw random numbers only from their own
//! stream, and record their own measures. A policy that is switched off is
//! not built at all, so it costs nothing and shifts no random draw.
//!
//! Knowledge moves through *partnerships*; the barriers that can switch the
//! benefit off or turn it negative (collusion instead of challenge,
//! turbulence, trust that decays under competition, limited capacity) are in
//! [`barriers`]. The sources of every mechanism are cited in `docs/ODD.md`.

pub mod advisers;
pub mod barriers;
pub mod community;
pub mod districts;
pub mod fair_access;
pub mod families;
pub mod hubs;
pub mod pairing;
pub mod within_school;

use serde::{Deserialize, Serialize};

use crate::measures::Metric;
use crate::scenario::{Checker, Scenario};
use crate::world::World;

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
    /// The barriers to collaboration, shared by every between-school mechanism.
    pub barriers: barriers::Params,
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
    c.prefix = "policies.barriers";
    barriers::validate(&p.barriers, c);
    c.prefix = "";
}

/// What a policy sees when it is applied.
pub struct Context<'a> {
    /// The scenario.
    pub scenario: &'a Scenario,
    /// The world, to change.
    pub world: &'a mut World,
}

/// A policy plug-in.
pub trait Policy: Send {
    /// A short label, used in outputs.
    fn label(&self) -> &'static str;
    /// Called once, after the world is built.
    fn initialize(&mut self, _ctx: &mut Context<'_>) {}
    /// Called each year before families apply and admissions run.
    fn before_admissions(&mut self, _ctx: &mut Context<'_>) {}
    /// Called each year in the adaptation phase, after market and within-school adaptation.
    fn apply(&mut self, ctx: &mut Context<'_>);
    /// Add this policy's measures for the year.
    fn record(&self, _world: &World, _out: &mut Vec<Metric>) {}
}

/// Build the policies a scenario switches on, in their fixed order: within
/// school, Families of Schools, pairings, hubs, advisers, districts,
/// community, fair access, and last the shared barriers (turbulence and the
/// network measures) if any mechanism is on.
pub fn build(s: &Scenario) -> Vec<Box<dyn Policy>> {
    let p = &s.policies;
    let mut out: Vec<Box<dyn Policy>> = Vec::new();
    if p.within_school.enabled {
        out.push(Box::new(within_school::WithinSchool::new(p.within_school.clone())));
    }
    if p.families_of_schools.enabled {
        out.push(Box::new(families::FamiliesOfSchools::new(p.families_of_schools.clone())));
    }
    if p.pairing.enabled {
        out.push(Box::new(pairing::Pairing::new(p.pairing.clone())));
    }
    if p.hubs.enabled {
        out.push(Box::new(hubs::Hubs::new(p.hubs.clone())));
    }
    if p.advisers.enabled {
        out.push(Box::new(advisers::Advisers::new(p.advisers.clone())));
    }
    if p.district_collaboration.enabled {
        out.push(Box::new(districts::DistrictCollaboration::new(p.district_collaboration.clone())));
    }
    if p.community.enabled {
        out.push(Box::new(community::Community::new(p.community.clone())));
    }
    if p.fair_access.enabled {
        out.push(Box::new(fair_access::FairAccess::new(p.fair_access.clone())));
    }
    if p.any() {
        out.push(Box::new(barriers::Barriers::new(p.barriers.clone())));
    }
    out
}
