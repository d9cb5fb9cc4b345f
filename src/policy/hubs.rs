//! Mechanism 4, Hub schools: schools with SEN or EAL expertise spread it to the
//! schools in their network, raising outcomes for those pupils specifically
//! (Ainscow 2016, Greater Manchester Challenge hub schools).

use super::barriers::{Field, Partnership, exchange};
use super::{Context, Policy};
use crate::measures::Metric;
use crate::scenario::Scenario;
use crate::world::World;

pub use crate::scenario::policies::hubs::Params;

/// Hub networks for one kind of expertise: each school below the threshold
/// joins the nearest hub with room. Returns (hub, supported schools).
pub fn form_networks(w: &World, p: &Params, field: Field) -> Vec<(u32, Vec<u32>)> {
    let sch = &w.schools;
    let level = |i: usize| if field == Field::Sen { sch.sen_expertise[i] } else { sch.eal_expertise[i] };
    let hubs: Vec<u32> = w.taking_part().filter(|&i| level(i) >= p.hub_threshold).map(|i| i as u32).collect();
    let mut nets: Vec<(u32, Vec<u32>)> = hubs.iter().map(|&h| (h, Vec::new())).collect();
    for i in w.taking_part().filter(|&i| level(i) < p.hub_threshold) {
        let best = nets.iter_mut().filter(|(_, m)| m.len() < p.network_size as usize).min_by(|a, b| {
            sch.dist(a.0, sch.x[i], sch.y[i]).total_cmp(&sch.dist(b.0, sch.x[i], sch.y[i])).then(a.0.cmp(&b.0))
        });
        if let Some((_, m)) = best {
            m.push(i as u32);
        }
    }
    nets.retain(|(_, m)| !m.is_empty());
    nets
}

/// Hub schools for SEN and for EAL.
pub struct Hubs {
    params: Params,
    networks: Vec<(Field, Partnership)>,
}

impl Hubs {
    /// The mechanism with its parameters.
    pub fn new(params: Params) -> Self {
        Hubs { params, networks: Vec::new() }
    }
}

impl Policy for Hubs {
    fn label(&self) -> &'static str {
        "hubs"
    }

    fn update(&mut self, s: &Scenario) {
        self.params = s.policies.hubs.clone();
    }

    fn start(&mut self, ctx: &mut Context<'_>) {
        let b = &ctx.scenario.policies.barriers;
        for field in [Field::Sen, Field::Eal] {
            for (hub, members) in form_networks(ctx.world, &self.params, field) {
                let mut all = vec![hub];
                all.extend(members);
                self.networks.push((field, Partnership::form(all, 1.0, ctx.world, b)));
            }
        }
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        let b = &ctx.scenario.policies.barriers;
        for (field, net) in &mut self.networks {
            let rate = vec![self.params.spread_rate; net.members.len()];
            let bonus = vec![0.0; net.members.len()];
            exchange(ctx.scenario, b, ctx.world, net, *field, &rate, &bonus);
        }
    }

    fn end(&mut self, ctx: &mut Context<'_>) {
        for (_, net) in self.networks.drain(..) {
            net.dissolve(ctx.world);
        }
    }

    fn record(&self, _w: &World, out: &mut Vec<Metric>) {
        for (field, name) in [(Field::Sen, "sen"), (Field::Eal, "eal")] {
            let n = self.networks.iter().filter(|(f, _)| *f == field).count();
            out.push(Metric::new("hub_networks", name, n as f64));
        }
    }
}
