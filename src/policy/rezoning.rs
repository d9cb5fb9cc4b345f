//! Rezoning: the district redraws catchment boundaries to balance the
//! disadvantaged share of schools' catchments, subject to a limit on extra
//! travel and on how far a catchment may outgrow its school's places
//! (after Gillani et al. 2023, who redrew US elementary attendance
//! boundaries to lower segregation with limited extra travel).
//!
//! When the policy starts, every neighbourhood keeps its catchment school
//! (the drawn boundaries, or else the nearest open school to its centre) as
//! the starting map. Then, in passes over the neighbourhoods in a fixed
//! order, a neighbourhood moves to another open school of its district if
//! that school is at most `max_extra_km` farther from its centre than its
//! nearest school, the receiving catchment stays within `capacity_slack`
//! above its places (or shrinks), and the move lowers
//!
//! ```text
//! Σ_schools H_j (D_j / H_j − p_d)²
//! ```
//!
//! (H_j households and D_j disadvantaged households in school j's catchment,
//! p_d the share in its district): the spread of catchments' disadvantaged
//! shares around their district's. The best move for each neighbourhood is
//! taken; passes stop when none improves. The new map is in force from the
//! next admissions; how many entrants' catchment school changed and the
//! extra distance are recorded in the year it is drawn. Contiguity of
//! catchments is not enforced.

use super::{Context, Policy};
use crate::measures::Metric;
use crate::measures::segregation;
use crate::world::World;

pub use crate::scenario::policies::rezoning::Params;

/// What a redraw did.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Report {
    /// Share of expected entrants whose catchment school changed.
    pub switched_share: f64,
    /// Mean extra distance from neighbourhood centre to catchment school, over all expected entrants, km.
    pub extra_km: f64,
    /// Dissimilarity of disadvantaged households between catchments, before.
    pub dissimilarity_before: f64,
    /// The same, after.
    pub dissimilarity_after: f64,
}

/// Households and disadvantaged households of each neighbourhood.
fn composition(w: &World, p: f64) -> (Vec<f64>, Vec<f64>) {
    let types = w.region.types();
    let g = w.region.groups;
    let mut h = Vec::with_capacity(w.region.len());
    let mut d = Vec::with_capacity(w.region.len());
    for row in w.households().chunks(types) {
        h.push(row.iter().map(|v| *v as f64).sum());
        d.push(
            row.iter()
                .enumerate()
                .map(|(k, v)| *v as f64 * (p * crate::region::SES_BANDS as f64 - (k / g) as f64).clamp(0.0, 1.0))
                .sum(),
        );
    }
    (h, d)
}

fn catchment_dissimilarity(map: &[u32], h: &[f64], d: &[f64], n_schools: usize) -> f64 {
    let (mut x, mut t) = (vec![0.0; n_schools], vec![0.0; n_schools]);
    for (k, &s) in map.iter().enumerate() {
        x[s as usize] += d[k];
        t[s as usize] += h[k];
    }
    segregation::binary(&x, &t).dissimilarity
}

/// Redraw the catchments of the world (see the module documentation).
pub fn redraw(w: &mut World, p: &Params, disadvantaged_share: f64) -> Report {
    let nn = w.region.len();
    let ns = w.schools.len();
    let (h, d) = composition(w, disadvantaged_share);
    let centre = |k: usize| (w.region.nbhd_x[k], w.region.nbhd_y[k]);
    // The starting map: drawn boundaries, or the nearest open school to each centre.
    let nearest: Vec<(f32, u32)> = (0..nn)
        .map(|k| {
            let (x, y) = centre(k);
            let (dist, sid) = w.grid.nearest_where(x as f64, y as f64, |_| true).unwrap_or((0.0, 0));
            (dist as f32, sid)
        })
        .collect();
    let before: Vec<u32> = match &w.boundaries {
        Some(b) => b.clone(),
        None => nearest.iter().map(|n| n.1).collect(),
    };
    let mut map = before.clone();
    // Expected entrants per household, and each school's room in households.
    let total_h: f64 = h.iter().sum();
    let per_h = if total_h > 0.0 { w.cohorts[w.newest()].len() as f64 / total_h } else { 0.0 };
    let room: Vec<f64> = (0..ns)
        .map(|j| if w.schools.open[j] { w.schools.capacity[j] as f64 * (1.0 + p.capacity_slack) } else { 0.0 })
        .collect();
    let (mut big_h, mut big_d) = (vec![0.0; ns], vec![0.0; ns]);
    for k in 0..nn {
        big_h[map[k] as usize] += h[k];
        big_d[map[k] as usize] += d[k];
    }
    let target = district_shares(w, &h, &d);
    let cost = |hh: f64, dd: f64, t: f64| if hh > 0.0 { hh * (dd / hh - t).powi(2) } else { 0.0 };
    for _ in 0..p.passes {
        let mut moved = false;
        for k in 0..nn {
            if h[k] <= 0.0 {
                continue;
            }
            let dk = w.region.nbhd_district[k] as usize;
            let t = target[dk];
            let from = map[k] as usize;
            let (x, y) = centre(k);
            let limit = nearest[k].0 + p.max_extra_km as f32;
            let leave = cost(big_h[from] - h[k], big_d[from] - d[k], t) - cost(big_h[from], big_d[from], t);
            let mut best: Option<(f64, u32)> = None;
            for &c in w.choice_sets.of(k as u32) {
                let c = u32::from(c);
                let cu = c as usize;
                if cu == from || w.schools.district[cu] as usize != dk || w.schools.dist(c, x, y) > limit {
                    continue;
                }
                if (big_h[cu] + h[k]) * per_h > room[cu] {
                    continue;
                }
                let delta = leave + cost(big_h[cu] + h[k], big_d[cu] + d[k], t) - cost(big_h[cu], big_d[cu], t);
                if delta < -1e-9 * (1.0 + h[k]) && best.is_none_or(|(b, bi)| delta < b || (delta == b && c < bi)) {
                    best = Some((delta, c));
                }
            }
            if let Some((_, c)) = best {
                let cu = c as usize;
                big_h[from] -= h[k];
                big_d[from] -= d[k];
                big_h[cu] += h[k];
                big_d[cu] += d[k];
                map[k] = c;
                moved = true;
            }
        }
        if !moved {
            break;
        }
    }
    let report = compare_maps(w, &before, &map, &h, &d);
    w.boundaries = Some(map);
    report
}

/// Each district's share of households disadvantaged (the target of every
/// catchment in it), from the neighbourhoods' households `h` and
/// disadvantaged households `d`.
fn district_shares(w: &World, h: &[f64], d: &[f64]) -> Vec<f64> {
    let districts = w.region.districts;
    let (mut dh, mut dd) = (vec![0.0; districts], vec![0.0; districts]);
    for k in 0..w.region.len() {
        let dk = w.region.nbhd_district[k] as usize;
        dh[dk] += h[k];
        dd[dk] += d[k];
    }
    (0..districts).map(|x| if dh[x] > 0.0 { dd[x] / dh[x] } else { 0.0 }).collect()
}

/// What a redrawing did: the share of households whose catchment school
/// changed, their extra distance per household, and the catchments'
/// dissimilarity before and after.
fn compare_maps(w: &World, before: &[u32], map: &[u32], h: &[f64], d: &[f64]) -> Report {
    let total_h: f64 = h.iter().sum();
    let (mut switched, mut extra) = (0.0, 0.0);
    for k in 0..w.region.len() {
        if map[k] != before[k] {
            let (x, y) = (w.region.nbhd_x[k], w.region.nbhd_y[k]);
            switched += h[k];
            extra += h[k] * (w.schools.dist(map[k], x, y) - w.schools.dist(before[k], x, y)) as f64;
        }
    }
    let ns = w.schools.len();
    Report {
        switched_share: if total_h > 0.0 { switched / total_h } else { 0.0 },
        extra_km: if total_h > 0.0 { extra / total_h } else { 0.0 },
        dissimilarity_before: catchment_dissimilarity(before, h, d, ns),
        dissimilarity_after: catchment_dissimilarity(map, h, d, ns),
    }
}

/// Rezoning as a policy: catchments are redrawn when it starts.
pub struct Rezoning {
    params: Params,
    report: Report,
}

impl Rezoning {
    /// The policy with its parameters.
    pub fn new(params: Params) -> Self {
        Rezoning { params, report: Report::default() }
    }
}

impl Policy for Rezoning {
    fn label(&self) -> &'static str {
        "rezoning"
    }

    fn update(&mut self, s: &crate::scenario::Scenario) {
        self.params = s.policies.rezoning.clone();
    }

    fn start(&mut self, ctx: &mut Context<'_>) {
        let p = ctx.scenario.population.disadvantaged_share;
        self.report = redraw(ctx.world, &self.params, p);
    }

    fn apply(&mut self, _ctx: &mut Context<'_>) {}

    /// The redraw's figures, every year the map is in force.
    fn record(&self, _w: &World, out: &mut Vec<Metric>) {
        let r = self.report;
        out.push(Metric::new("rezoning_switched_share", "all", r.switched_share));
        out.push(Metric::new("rezoning_extra_km", "all", r.extra_km));
        out.push(Metric::new("catchment_dissimilarity", "before", r.dissimilarity_before));
        out.push(Metric::new("catchment_dissimilarity", "after", r.dissimilarity_after));
    }
}
