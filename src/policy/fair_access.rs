//! Mechanism 8, Fair access: collaborating schools agree on banded admissions, give up
//! cream-skimming and exclusions, and share the pupils who are hard to
//! place (Ainscow 2016, "Between school factors": issues of access and the
//! allocation of pupils that schools can tackle together).

use super::{Context, Policy};
use crate::measures::Metric;
use crate::scenario::Scenario;
use crate::world::World;

pub use crate::scenario::policies::fair_access::{Members, Params};

/// Fair access agreements.
pub struct FairAccess {
    params: Params,
    members: usize,
    /// Which schools selected by attainment before the agreement (restored when it ends).
    selective: Vec<bool>,
}

impl FairAccess {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        FairAccess { params, members: 0, selective: Vec::new() }
    }
}

impl Policy for FairAccess {
    fn label(&self) -> &'static str {
        "fair_access"
    }

    fn update(&mut self, s: &Scenario) {
        self.params = s.policies.fair_access.clone();
    }

    fn before_admissions(&mut self, ctx: &mut Context<'_>) {
        let w = &mut *ctx.world;
        if self.selective.is_empty() {
            self.selective = w.schools.selective.clone();
        }
        self.members = 0;
        for i in 0..w.schools.len() {
            let member = match self.params.members {
                Members::All => true,
                Members::Partners => w.collab.memberships.get(i).copied().unwrap_or(0) > 0,
            };
            if !member || !w.schools.open[i] || !w.takes_part(i) {
                continue;
            }
            self.members += 1;
            if self.params.banding {
                w.schools.banded[i] = true;
            }
            if self.params.no_selection {
                w.schools.cream_skimming[i] = 0.0;
                w.schools.exclusion_rate[i] = 0.0;
                w.schools.selective[i] = false;
            }
            if self.params.share_hard_to_place {
                w.schools.fair_share[i] = true;
            }
        }
    }

    fn apply(&mut self, _ctx: &mut Context<'_>) {}

    /// The schools' admission rules return to what the scenario in force sets.
    fn end(&mut self, ctx: &mut Context<'_>) {
        let a = &ctx.scenario.admissions;
        let sch = &mut ctx.world.schools;
        for i in 0..sch.len() {
            let au = sch.autonomous[i];
            sch.banded[i] = a.banding;
            sch.cream_skimming[i] = if au { a.cream_skimming } else { 0.0 };
            sch.exclusion_rate[i] = if au { a.exclusion_rate } else { 0.0 };
            sch.fair_share[i] = false;
            if let Some(sel) = self.selective.get(i) {
                sch.selective[i] = *sel;
            }
        }
        self.members = 0;
    }

    fn record(&self, _w: &World, out: &mut Vec<Metric>) {
        out.push(Metric::new("fair_access_members", "all", self.members as f64));
    }
}
