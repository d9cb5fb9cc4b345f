//! Mechanism 5, Expert advisers: the weakest schools get a time-limited boost to
//! effectiveness, part of which lasts as knowledge (Ainscow 2016: teams of
//! expert advisers in the London and Greater Manchester Challenges).

use serde::{Deserialize, Serialize};

use super::{Context, Policy};
use crate::measures::Metric;
use crate::scenario::{Checker, Scenario};
use crate::world::World;

/// Parameters of expert advisers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the mechanism on (default false).
    pub enabled: bool,
    /// Share of schools, the weakest by effectiveness, that get an adviser (default 0.1).
    pub weakest_share: f64,
    /// Boost to effectiveness while supported, SD units (default 0.03).
    pub boost: f64,
    /// Share of each year's boost that stays as latent knowledge (default 0.3).
    pub lasting_share: f64,
    /// Years of support before the weakest are chosen again (default 3).
    pub duration_years: u32,
}

impl Default for Params {
    fn default() -> Self {
        Params { enabled: false, weakest_share: 0.1, boost: 0.03, lasting_share: 0.3, duration_years: 3 }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.prob("weakest_share", p.weakest_share);
    c.range("boost", p.boost, -1.0, 1.0);
    c.prob("lasting_share", p.lasting_share);
    c.int_range("duration_years", p.duration_years, 1, 1000);
}

/// Expert advisers.
pub struct Advisers {
    params: Params,
    supported: Vec<u32>,
}

impl Advisers {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        Advisers { params, supported: Vec::new() }
    }

    fn choose(&mut self, w: &World) {
        let s = &w.schools;
        let mut open: Vec<u32> = w.taking_part().map(|i| i as u32).collect();
        open.sort_by(|a, b| s.effectiveness[*a as usize].total_cmp(&s.effectiveness[*b as usize]).then(a.cmp(b)));
        let k = (self.params.weakest_share * open.len() as f64).round() as usize;
        self.supported = open[..k.min(open.len())].to_vec();
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
        self.choose(ctx.world);
        for &i in &self.supported {
            ctx.world.schools.adjustment[i as usize] += self.params.boost;
            ctx.world.schools.latent[i as usize] += self.params.lasting_share * self.params.boost;
        }
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        let w = &mut *ctx.world;
        if w.year % self.params.duration_years == 0 {
            self.choose(w);
        }
        for &i in &self.supported {
            let i = i as usize;
            if w.schools.open[i] {
                w.schools.adjustment[i] += self.params.boost;
                w.schools.latent[i] += self.params.lasting_share * self.params.boost;
            }
        }
    }

    /// Last year's boost is taken back (the lasting share stays).
    fn end(&mut self, ctx: &mut Context<'_>) {
        for i in self.supported.drain(..) {
            let i = i as usize;
            if ctx.world.schools.open[i] {
                ctx.world.schools.adjustment[i] -= self.params.boost;
            }
        }
    }

    fn record(&self, _w: &World, out: &mut Vec<Metric>) {
        out.push(Metric::new("adviser_supported", "all", self.supported.len() as f64));
    }
}
