//! New schools: where demand for places exceeds supply in a district for a
//! number of years, a new school opens (free schools and academies in
//! England; charter schools elsewhere).
//!
//! Each year, after the market has closed and expanded schools, every
//! district's demand is set against its places: the entrants living in the
//! district (`trigger = "residents"`, the duty to provide a place), or its
//! places plus the first preferences its full schools turned away
//! (`trigger = "first_preferences"`, unmet parental demand), against the
//! places of its open schools. A district
//! whose demand exceeds its places by more than `shortage_share` for
//! `shortage_years` years in a row is short of places; the most short
//! districts (at most `max_per_year` a year) get a new school. It opens at
//! the end of the year, with no pupils; it admits its first entrants next
//! year and fills one year group a year. Its size, starting effectiveness,
//! type and reputation are parameters; it builds its reputation from its own
//! published results once it has leavers. Off by default: then nothing here
//! runs and no random number is drawn.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

use crate::rng::{Purpose, stream};
use crate::scenario::Scenario;
use crate::world::World;

pub use crate::scenario::openings::{Params, Site, Trigger};
pub use crate::schools::NewSchool;

/// Decide this year's openings (after the market). Returns the schools to
/// open, in a fixed order; the world adds them.
pub fn decide(s: &Scenario, w: &mut World) -> Vec<NewSchool> {
    let p = &s.openings;
    let short = short_districts(s, w);
    if short.is_empty() {
        return Vec::new();
    }
    let sch = &w.schools;
    let open: Vec<usize> = sch.open_ids().collect();
    let n_open = open.len().max(1) as f64;
    let mean_cap = open.iter().map(|&i| sch.capacity[i] as f64).sum::<f64>() / n_open;
    let mean_eff = open.iter().map(|&i| sch.effectiveness[i]).sum::<f64>() / n_open;
    let capacity = ((p.capacity_share * mean_cap).round() as u32).max(s.region.min_school_capacity).max(1);
    let mut rng = stream(w.seed, Purpose::Openings, w.year, 0);
    let mut out = Vec::with_capacity(short.len());
    for (_, k) in short {
        w.openings.short_years[k] = 0;
        // Drawn for every short district, whatever the siting rule, so the draws stay aligned.
        let u: f64 = rng.random();
        let Some(n) = site(p.site, w, k, u) else { continue };
        let z: f64 = StandardNormal.sample(&mut rng);
        let g: f64 = StandardNormal.sample(&mut rng);
        let (u1, u2): (f64, f64) = (rng.random(), rng.random());
        let sc = &s.schools;
        let effectiveness = mean_eff + p.effectiveness_shift + sc.effectiveness_sd * z;
        let id = w.schools.len() + out.len();
        out.push(NewSchool {
            name: format!("N{:04}", id + 1),
            x: w.region.nbhd_x[n],
            y: w.region.nbhd_y[n],
            district: k as u32,
            capacity,
            autonomous: p.autonomous,
            effectiveness,
            latent: effectiveness + (sc.latent_gap_mean + sc.latent_gap_sd * g).max(0.0),
            sen_expertise: if u1 < sc.sen_expertise_share { 1.0 } else { 0.0 },
            eal_expertise: if u2 < sc.eal_expertise_share { 1.0 } else { 0.0 },
            reputation: p.initial_reputation,
            opened: w.year,
        });
    }
    out
}

/// Count this year's demand against places in every district, update the
/// districts' years of shortage, and return the districts that get a school
/// this year: (excess demand as a share of places, district), the most short
/// first, at most `max_per_year`.
fn short_districts(s: &Scenario, w: &mut World) -> Vec<(f64, usize)> {
    let p = &s.openings;
    let d = w.region.districts;
    let sch = &w.schools;
    let mut demand = vec![0.0f64; d];
    let mut places = vec![0.0f64; d];
    for sid in sch.open_ids() {
        places[sch.district[sid] as usize] += sch.capacity[sid] as f64;
        if p.trigger == Trigger::FirstPreferences {
            // Places, plus the first preferences a full school had to turn away.
            let turned_away = sch.first_prefs[sid].saturating_sub(sch.capacity[sid]);
            demand[sch.district[sid] as usize] += sch.capacity[sid] as f64 + turned_away as f64;
        }
    }
    if p.trigger == Trigger::Residents {
        let c = &w.cohorts[w.newest()];
        for n in c.nbhds() {
            demand[w.region.nbhd_district[n as usize] as usize] += 1.0;
        }
    }
    let state = &mut w.openings;
    state.short_years.resize(d, 0);
    let mut short: Vec<(f64, usize)> = Vec::new();
    for k in 0..d {
        let excess = (demand[k] - places[k]) / places[k].max(1.0);
        if demand[k] > 0.0 && excess > p.shortage_share {
            state.short_years[k] += 1;
            if state.short_years[k] >= p.shortage_years {
                short.push((excess, k));
            }
        } else {
            state.short_years[k] = 0;
        }
    }
    if p.max_per_year == 0 {
        return Vec::new();
    }
    short.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    short.truncate(p.max_per_year as usize);
    short
}

/// The neighbourhood of district `k` where a new school is sited: the most
/// underserved (households times the distance to the nearest open school),
/// or one drawn by households with the uniform draw `u`.
fn site(rule: Site, w: &World, k: usize, u: f64) -> Option<usize> {
    let types = w.region.types();
    let nbhds: Vec<usize> = (0..w.region.len()).filter(|&n| w.region.nbhd_district[n] as usize == k).collect();
    let households = |n: usize| w.households()[n * types..(n + 1) * types].iter().map(|h| *h as f64).sum::<f64>();
    match rule {
        Site::Underserved => nbhds
            .iter()
            .map(|&n| {
                let (x, y) = (w.region.nbhd_x[n] as f64, w.region.nbhd_y[n] as f64);
                let near = w.grid.nearest_where(x, y, |_| true).map_or(0.0, |(dist, _)| dist);
                (households(n) * near, n)
            })
            .max_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, n)| n),
        Site::Random => {
            let total: f64 = nbhds.iter().map(|&n| households(n)).sum();
            let mut left = u * total;
            nbhds
                .iter()
                .copied()
                .find(|&n| {
                    left -= households(n);
                    left < 0.0
                })
                .or(nbhds.last().copied())
        }
    }
}
