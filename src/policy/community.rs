//! Mechanism 7, Beyond school: partnerships with families and community bodies raise
//! home support for pupils living in the most deprived neighbourhoods
//! (parental involvement, attendance: Ainscow 2016, "Beyond school factors";
//! Dyson and Kerr 2013).

use serde::{Deserialize, Serialize};

use super::{Context, Policy};
use crate::measures::Metric;
use crate::scenario::{Checker, Scenario};
use crate::world::World;

/// Parameters of community partnerships.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    /// Switch the mechanism on (default false).
    pub enabled: bool,
    /// Share of households, in the most deprived neighbourhoods, reached (default 0.2).
    pub deprived_share: f64,
    /// Extra yearly gain for pupils living there, SD (default 0.03).
    pub home_support_gain: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params { enabled: false, deprived_share: 0.2, home_support_gain: 0.03 }
    }
}

pub(crate) fn validate(p: &Params, c: &mut Checker) {
    c.prob("deprived_share", p.deprived_share);
    c.range("home_support_gain", p.home_support_gain, -1.0, 1.0);
}

/// Community partnerships.
pub struct Community {
    params: Params,
    reached: usize,
}

impl Community {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        Community { params, reached: 0 }
    }

    /// Mark the most deprived neighbourhoods (by the share of households in
    /// disadvantaged SES bands) until `deprived_share` of households is reached.
    fn target(&mut self, w: &mut World, disadvantaged_share: f64) {
        let types = w.region.types();
        let g = w.region.groups;
        let mut rows: Vec<(f64, f64, usize)> = w
            .households
            .chunks(types)
            .enumerate()
            .map(|(n, row)| {
                let total: f64 = row.iter().map(|v| *v as f64).sum();
                let dis: f64 = row
                    .iter()
                    .enumerate()
                    .map(|(k, v)| {
                        *v as f64
                            * (disadvantaged_share * crate::region::SES_BANDS as f64 - (k / g) as f64).clamp(0.0, 1.0)
                    })
                    .sum();
                (if total > 0.0 { dis / total } else { 0.0 }, total, n)
            })
            .collect();
        rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
        let all: f64 = rows.iter().map(|r| r.1).sum();
        w.home_bonus.iter_mut().for_each(|v| *v = 0.0);
        let mut covered = 0.0;
        self.reached = 0;
        for (_, h, n) in rows {
            if covered >= self.params.deprived_share * all {
                break;
            }
            covered += h;
            w.home_bonus[n] = self.params.home_support_gain as f32;
            self.reached += 1;
        }
    }
}

impl Policy for Community {
    fn label(&self) -> &'static str {
        "community"
    }

    fn update(&mut self, s: &Scenario) {
        self.params = s.policies.community.clone();
    }

    fn start(&mut self, ctx: &mut Context<'_>) {
        self.target(ctx.world, ctx.scenario.population.disadvantaged_share);
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        if ctx.scenario.residential.moves {
            self.target(ctx.world, ctx.scenario.population.disadvantaged_share);
        }
    }

    fn end(&mut self, ctx: &mut Context<'_>) {
        ctx.world.home_bonus.iter_mut().for_each(|v| *v = 0.0);
        self.reached = 0;
    }

    fn record(&self, _w: &World, out: &mut Vec<Metric>) {
        out.push(Metric::new("community_neighbourhoods", "all", self.reached as f64));
    }
}
