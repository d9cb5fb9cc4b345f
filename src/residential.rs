//! Residential moves (switchable): households move between neighbourhoods.
//!
//! Households are counts per neighbourhood and type (SES band × group); moves
//! are expected flows, so the step is deterministic. Each year a share of
//! each type moves out for ordinary reasons, plus an extra share where the
//! household's own type is below its tolerance (Schelling 1971). Movers then
//! look for housing: the housing stock of each neighbourhood is fixed, and
//! movers are housed band by band from the highest SES down (the advantaged
//! can pay more), each band spreading over vacancies in proportion to
//! `vacancy × exp(school_pull · percentile · reputation of the nearest school
//! plus composition_pull · own-type share)`. So advantaged families buy near
//! popular schools, and residential and school segregation can feed each other.

use crate::region::{Region, SES_BANDS};
use crate::scenario::{ResidentialParams, Scenario};
use crate::schools::Schools;
use crate::spatial::ChoiceSets;

/// Working memory for residential moves.
#[derive(Debug, Clone, Default)]
pub struct Workspace {
    stock: Vec<f64>,
    own_share: Vec<f32>,
    movers: Vec<f64>,
    vacancy: Vec<f64>,
    weight: Vec<f64>,
}

impl Workspace {
    /// Working memory for a region whose initial households are
    /// `households` (`types` per neighbourhood): they give each
    /// neighbourhood's housing stock.
    pub fn new(households: &[f32], types: usize) -> Workspace {
        let stock = households.chunks(types).map(|row| row.iter().map(|v| *v as f64).sum()).collect();
        Workspace { stock, ..Workspace::default() }
    }

    /// Each neighbourhood's housing stock: its initial households.
    pub fn stock(&self) -> &[f64] {
        &self.stock
    }
}

/// Share of band `b` that is disadvantaged.
fn band_dis(b: usize, p: f64) -> f64 {
    (p * SES_BANDS as f64 - b as f64).clamp(0.0, 1.0)
}

/// The own-type share of every (neighbourhood, type), into `own_share`:
/// with groups, the share of the household's group among the
/// neighbourhood's households; without, the chance that a neighbour is on
/// the same side of the disadvantage line (`p`).
fn own_shares(households: &[f32], nn: usize, g: usize, types: usize, p: f64, own_share: &mut Vec<f32>) {
    own_share.clear();
    own_share.resize(nn * types, 0.0);
    for n in 0..nn {
        let row = &households[n * types..(n + 1) * types];
        let total: f64 = row.iter().map(|v| *v as f64).sum::<f64>().max(1e-12);
        if g > 1 {
            for gi in 0..g {
                let share = (0..SES_BANDS).map(|b| row[b * g + gi] as f64).sum::<f64>() / total;
                for b in 0..SES_BANDS {
                    own_share[n * types + b * g + gi] = share as f32;
                }
            }
        } else {
            let dis = (0..SES_BANDS).map(|b| row[b] as f64 * band_dis(b, p)).sum::<f64>() / total;
            for b in 0..SES_BANDS {
                let d = band_dis(b, p);
                own_share[n * types + b] = (d * dis + (1.0 - d) * (1.0 - dis)) as f32;
            }
        }
    }
}

/// Households moving out of every neighbourhood (the unhappy at a higher
/// rate), taken from `households` and added up by type in `ws.movers`.
fn move_out(r: &ResidentialParams, households: &mut [f32], nn: usize, types: usize, ws: &mut Workspace) {
    ws.movers.clear();
    ws.movers.resize(types, 0.0);
    for n in 0..nn {
        for t in 0..types {
            let h = &mut households[n * types + t];
            let unhappy = (ws.own_share[n * types + t] as f64) < r.tolerance;
            let rate = (r.move_rate + if unhappy { r.unhappy_move_rate } else { 0.0 }).min(1.0);
            let out = *h as f64 * rate;
            ws.movers[t] += out;
            *h -= out as f32;
        }
    }
}

/// One year of residential moves. The housing stock of each neighbourhood
/// (its initial households) is in `ws` (see [`Workspace::new`]).
pub fn step(
    s: &Scenario,
    region: &Region,
    households: &mut [f32],
    schools: &Schools,
    sets: &ChoiceSets,
    ws: &mut Workspace,
) {
    let r = &s.residential;
    let g = region.groups;
    let types = region.types();
    let nn = region.len();
    let p = s.population.disadvantaged_share;
    debug_assert_eq!(ws.stock.len(), nn, "the workspace is made for the region");
    own_shares(households, nn, g, types, p, &mut ws.own_share);
    move_out(r, households, nn, types, ws);
    ws.vacancy.clear();
    ws.vacancy.extend((0..nn).map(|n| {
        let occupied: f64 = households[n * types..(n + 1) * types].iter().map(|v| *v as f64).sum();
        (ws.stock[n] - occupied).max(0.0)
    }));
    // Moving in: highest SES band first.
    ws.weight.resize(nn, 0.0);
    for b in (0..SES_BANDS).rev() {
        let pct = (b as f64 + 0.5) / SES_BANDS as f64;
        for gi in 0..g {
            let t = b * g + gi;
            let mut left = ws.movers[t];
            for _pass in 0..4 {
                if left <= 1e-9 {
                    break;
                }
                let mut total_w = 0.0;
                for n in 0..nn {
                    let v = ws.vacancy[n];
                    ws.weight[n] = if v > 1e-12 {
                        let q = sets.of(n as u32).first().map_or(0.0, |&sid| schools.reputation[sid as usize]);
                        v * (r.school_pull * pct * q + r.composition_pull * ws.own_share[n * types + t] as f64).exp()
                    } else {
                        0.0
                    };
                    total_w += ws.weight[n];
                }
                if total_w <= 0.0 {
                    break;
                }
                let mut placed = 0.0;
                for n in 0..nn {
                    let want = left * ws.weight[n] / total_w;
                    let take = want.min(ws.vacancy[n]);
                    if take > 0.0 {
                        households[n * types + t] += take as f32;
                        ws.vacancy[n] -= take;
                        placed += take;
                    }
                }
                left -= placed;
            }
            // Anyone still unhoused (rounding) returns to where there is room, pro rata.
            if left > 1e-9 {
                let total_v: f64 = ws.vacancy.iter().sum();
                if total_v > 0.0 {
                    for n in 0..nn {
                        let take = left * ws.vacancy[n] / total_v;
                        households[n * types + t] += take as f32;
                        ws.vacancy[n] -= take;
                    }
                }
            }
        }
    }
}
