//! Mechanism 7, Beyond school: partnerships with families and community
//! bodies (parental involvement, attendance: Ainscow 2016, "Beyond school
//! factors"; Dyson and Kerr 2013) raise home support for the pupils of the
//! families who take part.
//!
//! Each school serving one of the most deprived neighbourhoods (the nearest
//! open school) runs a partnership with the families living there. It costs
//! the school staff time (a temporary loss of effectiveness, `staff_cost`),
//! and reaches only part of the families (`reach`). What it delivers is
//! scaled by the shared barriers that apply to it: the school's trust in the
//! partnership (growing with success), its capacity (the partnership counts
//! as one of the school's partnerships), its willingness under competition
//! (a school losing pupils to rivals cuts outreach first) and turbulence when
//! it starts. The yearly home support a pupil living in a reached
//! neighbourhood gets is
//!
//! ```text
//! bonus_n = effect · reach · trust_s · capacity_s · willingness_s      (s serves n)
//! ```
//!
//! Challenge does not apply: there is no partner's practice to move towards.

use super::barriers::{capacity_factor, funding_factor, willingness};
use super::{Context, Policy};
use crate::measures::Metric;
use crate::scenario::Scenario;
use crate::world::World;

pub use crate::scenario::policies::community::Params;

/// Community partnerships.
pub struct Community {
    params: Params,
    /// Targeted neighbourhoods.
    targeted: Vec<u32>,
    /// Each school's trust in its community partnership (NaN: runs none).
    trust: Vec<f64>,
    /// Schools running a partnership, as registered with the shared state.
    running: Vec<u32>,
}

impl Community {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        Community { params, targeted: Vec::new(), trust: Vec::new(), running: Vec::new() }
    }

    /// Mark the most deprived neighbourhoods (by the share of households in
    /// disadvantaged SES bands) until `deprived_share` of households is reached.
    fn target(&mut self, w: &World, disadvantaged_share: f64) {
        let types = w.region.types();
        let g = w.region.groups;
        let mut rows: Vec<(f64, f64, usize)> = w
            .households()
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
        let mut covered = 0.0;
        self.targeted.clear();
        for (_, h, n) in rows {
            if covered >= self.params.deprived_share * all {
                break;
            }
            covered += h;
            self.targeted.push(n as u32);
        }
    }

    /// The school serving neighbourhood `n`: its nearest open school.
    fn server(w: &World, n: usize) -> Option<usize> {
        let k = w.choice_sets.k;
        w.choice_sets.schools.get(n * k).copied().filter(|s| *s != crate::ids::NONE).map(|s| s as usize)
    }

    /// Register the schools serving targeted neighbourhoods as running a
    /// partnership (capacity, turbulence when they start); schools that no
    /// longer serve one leave.
    fn register(&mut self, w: &mut World, b: &super::barriers::Params) {
        let n = w.schools.len();
        self.trust.resize(n, f64::NAN);
        let mut now: Vec<u32> =
            self.targeted.iter().filter_map(|&nb| Self::server(w, nb as usize)).map(|s| s as u32).collect();
        now.sort_unstable();
        now.dedup();
        for &s in &self.running {
            if now.binary_search(&s).is_err() {
                w.collab.leave(s as usize);
                self.trust[s as usize] = f64::NAN;
            }
        }
        for &s in &now {
            if self.running.binary_search(&s).is_err() {
                w.collab.join(s as usize, n);
                w.collab.start_new_work(s as usize, b);
                self.trust[s as usize] = b.initial_trust;
            }
        }
        self.running = now;
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
        self.register(ctx.world, &ctx.scenario.policies.barriers);
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        let b = &ctx.scenario.policies.barriers;
        if ctx.scenario.residential.moves {
            self.target(ctx.world, ctx.scenario.population.disadvantaged_share);
        }
        self.register(ctx.world, b);
        let w = &mut *ctx.world;
        let ff = funding_factor(ctx.scenario, b);
        let p = &self.params;
        // What each running school delivers this year, per unit of effect.
        let mut delivered = vec![0.0; w.schools.len()];
        for &s in &self.running {
            let s = s as usize;
            delivered[s] = self.trust[s] * capacity_factor(w, s, b) * willingness(w, s, b, ff);
            w.schools.adjustment[s] -= p.staff_cost;
        }
        w.home_bonus.iter_mut().for_each(|v| *v = 0.0);
        for &nb in &self.targeted {
            if let Some(s) = Self::server(w, nb as usize) {
                w.home_bonus[nb as usize] = (p.effect * p.reach * delivered[s]) as f32;
            }
        }
        // Trust grows with what the partnership delivers; there is no rivalry with families.
        let mut ties = Vec::with_capacity(self.running.len());
        for &s in &self.running {
            let s = s as usize;
            let success = (p.effect * p.reach * delivered[s] / b.success_scale).clamp(0.0, 1.0);
            let t = &mut self.trust[s];
            *t = (*t + b.trust_growth * (1.0 - *t) * success).clamp(0.0, 1.0);
            ties.push(*t);
        }
        w.collab.trust.extend(ties);
    }

    fn end(&mut self, ctx: &mut Context<'_>) {
        ctx.world.home_bonus.iter_mut().for_each(|v| *v = 0.0);
        for s in self.running.drain(..) {
            ctx.world.collab.leave(s as usize);
        }
        self.targeted.clear();
    }

    fn record(&self, _w: &World, out: &mut Vec<Metric>) {
        out.push(Metric::new("community_neighbourhoods", "all", self.targeted.len() as f64));
        out.push(Metric::new("community_schools", "all", self.running.len() as f64));
    }
}
