//! Policies as plug-ins with a lifecycle.
//!
//! A policy is built from the scenario, initialised once on the new world,
//! and applied at fixed points of the yearly schedule
//! ([`crate::sim::Simulation::step`]): before admissions (for example fair
//! access agreements) and in the adaptation phase (knowledge moving between
//! and beyond schools). Policies act only by changing the world's state
//! (schools' effectiveness, knowledge, admission rules; home support), draw
//! random numbers only from their own stream, and record their own measures.
//! A policy that is switched off is not built at all, so it costs nothing and
//! shifts no random draw.

use serde::{Deserialize, Serialize};

use crate::measures::Metric;
use crate::scenario::Scenario;
use crate::world::World;

/// Parameters of the collaborative policies (all off by default).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyParams {}

/// Report a problem with a policy parameter: (key, message, allowed).
pub type Report<'a> = dyn FnMut(&str, String, &str) + 'a;

/// Check the ranges of policy parameters.
pub fn validate_params(_p: &PolicyParams, _report: &mut Report<'_>) {}

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
    /// Called each year after families apply and before admissions.
    fn before_admissions(&mut self, _ctx: &mut Context<'_>) {}
    /// Called each year in the adaptation phase, after market and within-school adaptation.
    fn apply(&mut self, ctx: &mut Context<'_>);
    /// Add this policy's measures for the year.
    fn record(&self, _world: &World, _out: &mut Vec<Metric>) {}
}

/// Build the policies a scenario switches on, in their fixed order.
pub fn build(_s: &Scenario) -> Vec<Box<dyn Policy>> {
    Vec::new()
}
