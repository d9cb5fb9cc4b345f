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
pub mod lifecycle;
pub mod pairing;
pub mod rezoning;
pub mod target;
pub mod trusts;
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

/// What every stage of a policy's lifecycle sees.
pub struct Context<'a> {
    /// The scenario in force this year (the timeline may have changed it).
    pub scenario: &'a Scenario,
    /// The world, to change.
    pub world: &'a mut World,
    /// The simulated year (0 before the first year).
    pub year: u32,
    /// The replicate's seed (policies draw from their own streams of it).
    pub seed: u64,
}

impl<'a> Context<'a> {
    /// The context of the world's current year under `scenario`.
    pub fn new(scenario: &'a Scenario, world: &'a mut World) -> Context<'a> {
        let (year, seed) = (world.year, world.seed);
        Context { scenario, world, year, seed }
    }
}

/// A policy plug-in. Its lifecycle (see [`lifecycle`]): built from the
/// scenario, started when it comes into force, acting each year while in
/// force, ended when switched off, recording its measures each year.
pub trait Policy: Send {
    /// A short label, used in outputs.
    fn label(&self) -> &'static str;
    /// Called when the policy comes into force: before the first year, or at
    /// the start of the year a timeline change switches it on.
    fn start(&mut self, _ctx: &mut Context<'_>) {}
    /// Called each year in force, before families apply and admissions run.
    fn before_admissions(&mut self, _ctx: &mut Context<'_>) {}
    /// Called each year in force in the adaptation phase, after market and within-school adaptation.
    fn apply(&mut self, ctx: &mut Context<'_>);
    /// Called when a timeline change switches the policy off, at the start of
    /// that year: dissolve its groups and take back what it set in the world.
    fn end(&mut self, _ctx: &mut Context<'_>) {}
    /// Take the parameters of the scenario now in force (a timeline change
    /// that leaves the policy on). Groups already formed stay.
    fn update(&mut self, s: &Scenario);
    /// Add this policy's measures for the year.
    fn record(&self, _world: &World, _out: &mut Vec<Metric>) {}
}
