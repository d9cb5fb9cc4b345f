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

use crate::measures::Metric;
use crate::scenario::Scenario;
use crate::world::World;

pub use crate::scenario::policies::PolicyParams;

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
