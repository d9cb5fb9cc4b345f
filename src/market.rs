//! Market adaptation: funding follows pupils, shrinking schools lose
//! staff and with them effectiveness, and may close; popular schools expand;
//! and competition can push schools to improve (the market's own argument).
//!
//! Both effects on effectiveness are *levels* that follow the school's
//! state, not yearly increments, so neither compounds:
//!
//! ```text
//! threat_i    = min(max(0, lost_i − gained_i) / local_i, empty_i)   net loss of local entrants while places are empty
//! perceived_i ← perceived_i + response · (threat_i − perceived_i)
//! effort_i    = competitive_pressure · min(1, perceived_i / saturation)
//! staffing_i  = − shrink_penalty · max(0, threshold − occupancy_i) / threshold   (funding follows pupils)
//! in force    = effectiveness_i + effort_i + staffing_i (+ policies' temporary adjustments)
//! ```
//!
//! The effort a school makes under threat saturates at `competitive_pressure`
//! and fades at the rate `pressure_response` once the threat goes (Gibbons,
//! Machin & Silva 2008 find little or no effect of competition on attainment
//! in England, so the plausible range starts at zero).

use crate::scenario::Scenario;
use crate::schools::Schools;

/// What the market did this year.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MarketCounts {
    /// Schools closed.
    pub closures: u32,
    /// Schools expanded.
    pub expansions: u32,
}

/// Adapt schools to this year's rolls and demand. Schools to close are put in
/// `closing` (the caller moves their pupils); at most as many close as keeps
/// the total capacity of a year group at or above `largest_cohort`. A
/// school's places are its capacity times the year groups it has
/// ([`Schools::places`]).
pub fn adapt(
    s: &Scenario,
    schools: &mut Schools,
    largest_cohort: usize,
    closing: &mut Vec<u32>,
    counts: &mut MarketCounts,
) {
    let m = &s.market;
    let n = schools.len();
    let total_roll: f64 = schools.open_ids().map(|i| schools.roll[i] as f64).sum();
    let total_places: f64 = schools.open_ids().map(|i| schools.places(i)).sum();
    let fill = if total_places > 0.0 { total_roll / total_places } else { 0.0 };
    closing.clear();
    for sid in 0..n {
        if !schools.open[sid] {
            schools.funding[sid] = 0.0;
            continue;
        }
        let places = schools.places(sid);
        let occupancy = schools.roll[sid] as f64 / places.max(1.0);
        // Funding: per pupil on roll, or per planned place at the system's fill rate.
        schools.funding[sid] = if m.funding_follows_pupils { schools.roll[sid] as f64 } else { places * fill };
        // Threat: net loss of local entrants, but only while the school has empty places.
        let empty = (1.0 - schools.intake[sid] as f64 / schools.capacity[sid].max(1) as f64).max(0.0);
        let threat = schools.net_loss[sid].min(empty);
        schools.threat[sid] += m.pressure_response * (threat - schools.threat[sid]);
        let mut effect = 0.0;
        if m.funding_follows_pupils && occupancy < m.shrink_threshold && m.shrink_threshold > 0.0 {
            effect -= m.shrink_penalty * (m.shrink_threshold - occupancy) / m.shrink_threshold;
        }
        if m.competitive_pressure != 0.0 {
            effect += m.competitive_pressure * pressure_response(schools.threat[sid], m.pressure_saturation);
        }
        schools.market_effect[sid] = effect;
        if m.closures && occupancy < m.closure_occupancy {
            schools.low_years[sid] += 1;
        } else {
            schools.low_years[sid] = 0;
        }
    }
    if m.closures {
        let mut candidates: Vec<(f64, u32)> = (0..n)
            .filter(|&i| schools.open[i] && schools.low_years[i] >= m.closure_years)
            .map(|i| (schools.roll[i] as f64 / schools.capacity[i].max(1) as f64, i as u32))
            .collect();
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut capacity: u64 = schools.open_ids().map(|i| schools.capacity[i] as u64).sum();
        let open = schools.open_ids().count();
        for (_, sid) in candidates {
            let c = schools.capacity[sid as usize] as u64;
            if capacity - c >= largest_cohort as u64 && closing.len() + 1 < open {
                capacity -= c;
                closing.push(sid);
            }
        }
        for &sid in closing.iter() {
            schools.open[sid as usize] = false;
            schools.low_years[sid as usize] = 0;
            counts.closures += 1;
        }
    }
    if m.expansion {
        for sid in 0..n {
            if !schools.open[sid] {
                continue;
            }
            let cap = schools.capacity[sid];
            let limit = (schools.original_capacity[sid] as f64 * m.max_expansion).floor() as u32;
            if cap < limit && schools.first_prefs[sid] as f64 >= m.expansion_trigger * cap as f64 {
                let step = ((cap as f64 * m.expansion_step).ceil() as u32).max(1);
                schools.capacity[sid] = (cap + step).min(limit);
                counts.expansions += 1;
            }
        }
    }
}

/// The share of its full response a school makes at perceived threat `t`
/// (0 to 1): linear up to `saturation`, then flat.
pub fn pressure_response(t: f64, saturation: f64) -> f64 {
    if saturation <= 0.0 { if t > 0.0 { 1.0 } else { 0.0 } } else { (t / saturation).clamp(0.0, 1.0) }
}
