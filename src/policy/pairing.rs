//! Mechanism 3, Matched pairings and trios (the Keys to Success idea): the weakest
//! schools are matched with stronger ones across district boundaries; the
//! weaker school gains, and the stronger one gains too ("by helping others
//! you help yourself"), each as a parameter (Ainscow 2016; Hutchings et al.
//! 2012; Ainscow 2021).

use super::barriers::{Field, Partnership, exchange};
use super::{Context, Policy};
use crate::measures::Metric;
use crate::scenario::Scenario;
use crate::world::World;

pub use crate::scenario::policies::pairing::Params;

/// Match the weakest schools to the strongest: returns (strong, weak members).
/// Each weak school (weakest first) takes the strongest free school from
/// another district when `cross_district` allows, else from any district.
pub fn match_partners(w: &World, p: &Params) -> Vec<(u32, Vec<u32>)> {
    let sch = &w.schools;
    let mut open: Vec<u32> = w.taking_part().map(|i| i as u32).collect();
    open.sort_by(|a, b| sch.effectiveness[*a as usize].total_cmp(&sch.effectiveness[*b as usize]).then(a.cmp(b)));
    let n_weak = ((p.weakest_share * open.len() as f64).round() as usize).min(open.len() / 2);
    let per_strong = if p.trios { 2 } else { 1 };
    let weak: Vec<u32> = open[..n_weak].to_vec();
    let mut strong: Vec<u32> = open[n_weak..].iter().rev().copied().collect(); // strongest first
    let mut groups: Vec<(u32, Vec<u32>)> = Vec::new();
    for &wk in &weak {
        // Join an unfilled trio in another district first.
        if per_strong > 1 {
            if let Some(g) = groups.iter_mut().find(|(st, m)| {
                m.len() < per_strong && (!p.cross_district || sch.district[*st as usize] != sch.district[wk as usize])
            }) {
                g.1.push(wk);
                continue;
            }
        }
        let pick = strong
            .iter()
            .position(|&st| p.cross_district && sch.district[st as usize] != sch.district[wk as usize])
            .or(if strong.is_empty() { None } else { Some(0) });
        if let Some(k) = pick {
            let st = strong.remove(k);
            groups.push((st, vec![wk]));
        }
    }
    groups
}

/// Pairings and trios.
pub struct Pairing {
    params: Params,
    groups: Vec<Partnership>,
    started: u32,
}

impl Pairing {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        Pairing { params, groups: Vec::new(), started: 0 }
    }

    fn rematch(&mut self, ctx: &mut Context<'_>) {
        for g in self.groups.drain(..) {
            g.dissolve(ctx.world);
        }
        let b = &ctx.scenario.policies.barriers;
        for (strong, weak) in match_partners(ctx.world, &self.params) {
            let mut members = vec![strong];
            members.extend(weak);
            self.groups.push(Partnership::form(members, 1.0, ctx.world, b));
        }
        self.started = ctx.world.year;
    }
}

impl Policy for Pairing {
    fn label(&self) -> &'static str {
        "pairing"
    }

    fn update(&mut self, s: &Scenario) {
        self.params = s.policies.pairing.clone();
    }

    fn start(&mut self, ctx: &mut Context<'_>) {
        self.rematch(ctx);
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        let d = self.params.duration_years;
        if d > 0 && ctx.world.year >= self.started + d {
            self.rematch(ctx);
        }
        let b = &ctx.scenario.policies.barriers;
        for g in &mut self.groups {
            // Member 0 is the stronger school.
            let rate = vec![self.params.weak_gain_rate; g.members.len()];
            let mut bonus = vec![0.0; g.members.len()];
            bonus[0] = self.params.strong_gain;
            exchange(ctx.scenario, b, ctx.world, g, Field::Knowledge, &rate, &bonus);
        }
    }

    fn end(&mut self, ctx: &mut Context<'_>) {
        for g in self.groups.drain(..) {
            g.dissolve(ctx.world);
        }
    }

    fn record(&self, _w: &World, out: &mut Vec<Metric>) {
        out.push(Metric::new("pairings", "all", self.groups.len() as f64));
    }
}
