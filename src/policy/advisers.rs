//! Mechanism 5, Expert advisers: the weakest schools are each supported by
//! an adviser drawn from one of the strongest schools (the serving heads and
//! National Leaders of Education of the London and Greater Manchester
//! Challenges: Ainscow 2016; Hutchings et al. 2012).
//!
//! An adviser is a partnership of two: the supported school's knowledge
//! moves towards the adviser's school's (the shared exchange, so trust,
//! capacity, willingness under competition, challenge and turbulence all
//! apply), and the adviser's school pays for the time its leader spends away
//! (`staff_cost`, a temporary loss of effectiveness while the support lasts).
//! The programme's size (`weakest_share`) is its capacity: there are as
//! many advisers as supported schools. After `duration_years` the weakest
//! are chosen again.

use super::barriers::{Field, Partnership, exchange};
use super::{Context, Policy};
use crate::measures::Metric;
use crate::scenario::Scenario;
use crate::world::World;

pub use crate::scenario::policies::advisers::Params;

/// The weakest `weakest_share` of open schools (weakest first), each with an
/// adviser's school from the strongest (strongest first).
pub fn match_advisers(w: &World, p: &Params) -> Vec<(u32, u32)> {
    let sch = &w.schools;
    let mut open: Vec<u32> = w.taking_part().map(|i| i as u32).collect();
    open.sort_by(|a, b| sch.effectiveness[*a as usize].total_cmp(&sch.effectiveness[*b as usize]).then(a.cmp(b)));
    let k = ((p.weakest_share * open.len() as f64).round() as usize).min(open.len() / 2);
    (0..k).map(|j| (open[open.len() - 1 - j], open[j])).collect()
}

/// Expert advisers.
pub struct Advisers {
    params: Params,
    /// Partnerships [adviser's school, supported school].
    support: Vec<Partnership>,
}

impl Advisers {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        Advisers { params, support: Vec::new() }
    }

    fn choose(&mut self, ctx: &mut Context<'_>) {
        for p in self.support.drain(..) {
            p.dissolve(ctx.world);
        }
        let b = &ctx.scenario.policies.barriers;
        for (home, weak) in match_advisers(ctx.world, &self.params) {
            self.support.push(Partnership::form(vec![home, weak], 1.0, ctx.world, b));
        }
    }
}

impl Policy for Advisers {
    fn label(&self) -> &'static str {
        "advisers"
    }

    fn update(&mut self, s: &Scenario) {
        self.params = s.policies.advisers.clone();
    }

    fn start(&mut self, ctx: &mut Context<'_>) {
        self.choose(ctx);
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        if ctx.world.year % self.params.duration_years == 0 {
            self.choose(ctx);
        }
        let b = &ctx.scenario.policies.barriers;
        let rate = [0.0, self.params.rate];
        for p in &mut self.support {
            let home = p.members[0] as usize;
            if ctx.world.schools.open[home] {
                ctx.world.schools.adjustment[home] -= self.params.staff_cost;
            }
            exchange(ctx.scenario, b, ctx.world, p, Field::Knowledge, &rate, &[0.0, 0.0]);
        }
    }

    fn end(&mut self, ctx: &mut Context<'_>) {
        for p in self.support.drain(..) {
            p.dissolve(ctx.world);
        }
    }

    fn record(&self, _w: &World, out: &mut Vec<Metric>) {
        out.push(Metric::new("adviser_supported", "all", self.support.len() as f64));
    }
}
