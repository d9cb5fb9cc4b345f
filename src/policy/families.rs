//! Mechanism 2, Families of Schools: schools grouped 12 to 20 at a time by similarity
//! of intake (prior attainment and disadvantage), never with schools that
//! compete for the same pupils (nearby schools); comparisons within a family
//! drive knowledge sharing, and impact varies between families (Ainscow
//! 2016, Greater Manchester Challenge; Ainscow 2015).

use rand_distr::{Distribution, StandardNormal};

use super::barriers::{Field, Partnership, exchange};
use super::{Context, Policy};
use crate::measures::Metric;
use crate::rng::{Purpose, stream};
use crate::scenario::Scenario;
use crate::world::World;

pub use crate::scenario::policies::families::Params;

/// Group schools into families: sorted by intake (mean prior attainment
/// minus disadvantaged share, each standardised), each school joins the
/// first family with room and no competitor; families smaller than the
/// minimum are dissolved and their schools re-placed where they fit, else
/// left out. Returns families of school ids.
pub fn form_families(w: &World, p: &Params) -> Vec<Vec<u32>> {
    let sch = &w.schools;
    let open: Vec<usize> = w.taking_part().collect();
    if open.len() < p.min_size as usize {
        return Vec::new();
    }
    let z = |v: &dyn Fn(usize) -> f64| {
        let xs: Vec<f64> = open.iter().map(|&i| v(i)).collect();
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64).sqrt().max(1e-12);
        xs.into_iter().map(move |x| (x - m) / sd).collect::<Vec<f64>>()
    };
    let prior = z(&|i| sch.peer_mean[i]);
    let dis = z(&|i| 1.0 - sch.adv_share[i]);
    let mut order: Vec<(f64, u32)> = open.iter().enumerate().map(|(k, &i)| (prior[k] - dis[k], i as u32)).collect();
    order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let target = ((p.min_size + p.max_size) / 2) as usize;
    let competes = |a: u32, b: u32| sch.dist(a, sch.x[b as usize], sch.y[b as usize]) < p.competitor_km as f32;
    let fits = |fam: &[u32], i: u32, cap: usize| fam.len() < cap && fam.iter().all(|&m| !competes(m, i));
    let mut families: Vec<Vec<u32>> = Vec::new();
    for &(_, i) in &order {
        match families.iter_mut().find(|f| fits(f, i, target)) {
            Some(f) => f.push(i),
            None => families.push(vec![i]),
        }
    }
    // Dissolve families below the minimum; re-place their schools up to the maximum.
    let (mut keep, small): (Vec<Vec<u32>>, Vec<Vec<u32>>) =
        families.into_iter().partition(|f| f.len() >= p.min_size as usize);
    for i in small.into_iter().flatten() {
        if let Some(f) = keep.iter_mut().find(|f| fits(f, i, p.max_size as usize)) {
            f.push(i);
        }
    }
    for f in &mut keep {
        f.sort_unstable();
    }
    keep
}

/// Families of Schools.
pub struct FamiliesOfSchools {
    params: Params,
    families: Vec<Partnership>,
}

impl FamiliesOfSchools {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        FamiliesOfSchools { params, families: Vec::new() }
    }

    /// The families formed (school ids).
    pub fn families(&self) -> Vec<Vec<u32>> {
        self.families.iter().map(|f| f.members.clone()).collect()
    }
}

impl Policy for FamiliesOfSchools {
    fn label(&self) -> &'static str {
        "families_of_schools"
    }

    fn update(&mut self, s: &Scenario) {
        self.params = s.policies.families_of_schools.clone();
    }

    fn start(&mut self, ctx: &mut Context<'_>) {
        let groups = form_families(ctx.world, &self.params);
        let mut rng = stream(ctx.world.seed, Purpose::Policy, 0, 2);
        let b = &ctx.scenario.policies.barriers;
        for members in groups {
            let z: f64 = StandardNormal.sample(&mut rng);
            let sd = self.params.impact_sd;
            let strength = (sd * z - sd * sd / 2.0).exp();
            self.families.push(Partnership::form(members, strength, ctx.world, b));
        }
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        let b = &ctx.scenario.policies.barriers;
        for f in &mut self.families {
            let rate = vec![self.params.sharing_rate; f.members.len()];
            let bonus = vec![0.0; f.members.len()];
            exchange(ctx.scenario, b, ctx.world, f, Field::Knowledge, &rate, &bonus);
        }
    }

    fn end(&mut self, ctx: &mut Context<'_>) {
        for g in self.families.drain(..) {
            g.dissolve(ctx.world);
        }
    }

    fn record(&self, _w: &World, out: &mut Vec<Metric>) {
        out.push(Metric::new("families_of_schools", "all", self.families.len() as f64));
        let members: usize = self.families.iter().map(|f| f.members.len()).sum();
        out.push(Metric::new("family_members", "all", members as f64));
    }
}
