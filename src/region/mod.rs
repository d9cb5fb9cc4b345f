//! The region: neighbourhoods with their households, districts, and school
//! sites. Synthetic (generated from the seed) or read from CSV files.
//!
//! Households are held as counts per neighbourhood and *type*, a type being an
//! SES band (a twentieth of the national SES distribution) and a group. A
//! pupil's SES is a national percentile drawn within its band; pupils below
//! the `disadvantaged_share` percentile are flagged disadvantaged.

mod csv_input;
mod synthetic;

pub use csv_input::{CatchmentRow, CsvRegion, NeighbourhoodRow, SchoolRow, read_csv_region};

use crate::error::Result;
use crate::scenario::{RegionSource, Scenario};
use crate::stats::{norm_cdf, norm_inv};

/// Number of SES bands households are counted in.
pub const SES_BANDS: usize = 20;

/// Households per pupil entering school each year (sets the scale of household counts).
pub const HOUSEHOLDS_PER_ENTRANT: f64 = 10.0;

/// A school site, before schools get their characteristics.
#[derive(Debug, Clone, PartialEq)]
pub struct SchoolSite {
    /// Label used in outputs.
    pub name: String,
    /// Position, km.
    pub x: f64,
    /// Position, km.
    pub y: f64,
    /// District index.
    pub district: u32,
    /// Places per year group.
    pub capacity: u32,
    /// Autonomous, if the input says.
    pub autonomous: Option<bool>,
    /// Effectiveness, if the input says.
    pub effectiveness: Option<f64>,
    /// SEN expertise 0..1, if the input says.
    pub sen_expertise: Option<f64>,
    /// EAL expertise 0..1, if the input says.
    pub eal_expertise: Option<f64>,
}

/// The region as generated or read: fixed for a replicate.
#[derive(Debug, Clone)]
pub struct Region {
    /// Side of a neighbourhood, km.
    pub cell_km: f64,
    /// Neighbourhood centres, km, in spatial (Morton) order.
    pub nbhd_x: Vec<f32>,
    /// Neighbourhood centres, km.
    pub nbhd_y: Vec<f32>,
    /// District of each neighbourhood.
    pub nbhd_district: Vec<u32>,
    /// Number of districts.
    pub districts: usize,
    /// Number of population groups.
    pub groups: usize,
    /// Initial households, `SES_BANDS × groups` per neighbourhood, band-major.
    /// A world built on the region takes them over (`World::households`),
    /// leaving this empty.
    pub households: Vec<f32>,
    /// School sites.
    pub sites: Vec<SchoolSite>,
    /// Catchment school of each neighbourhood, if boundaries are given; `None`:
    /// each pupil's catchment school is the nearest open school to home.
    pub catchment: Option<Vec<u32>>,
    /// Trusts read from a trusts CSV (school ids, lead first); `None`:
    /// trusts, if switched on, are generated when they start.
    pub trusts: Option<Vec<Vec<u32>>>,
}

impl Region {
    /// Number of neighbourhoods.
    pub fn len(&self) -> usize {
        self.nbhd_x.len()
    }

    /// True if there are no neighbourhoods.
    pub fn is_empty(&self) -> bool {
        self.nbhd_x.is_empty()
    }

    /// Household types per neighbourhood.
    pub fn types(&self) -> usize {
        SES_BANDS * self.groups
    }
}

/// Build the region of a replicate: synthetic from the seed, or from CSV data read beforehand.
pub fn build(scenario: &Scenario, csv: Option<&CsvRegion>, seed: u64) -> Result<Region> {
    match (scenario.region.source, csv) {
        (RegionSource::Csv, Some(data)) => Ok(csv_input::region_from_csv(scenario, data, seed)),
        (RegionSource::Csv, None) => {
            let data = read_csv_region(scenario)?;
            Ok(csv_input::region_from_csv(scenario, &data, seed))
        }
        (RegionSource::Synthetic, _) => Ok(synthetic::generate(scenario, seed)),
    }
}

/// Household counts by SES band for a neighbourhood whose mean SES (in SD) is
/// `mean` and within-neighbourhood SD is `sd`; band edges are the national
/// twentieths of a standard normal.
pub(crate) fn band_profile(mean: f64, sd: f64, out: &mut [f64; SES_BANDS]) {
    // The band edges are the same for every neighbourhood: computed once.
    static EDGES: std::sync::OnceLock<[f64; SES_BANDS]> = std::sync::OnceLock::new();
    let edges = EDGES.get_or_init(|| std::array::from_fn(|b| norm_inv((b + 1) as f64 / SES_BANDS as f64)));
    let mut prev = 0.0;
    for (b, o) in out.iter_mut().enumerate() {
        let upper = if b + 1 == SES_BANDS { 1.0 } else { norm_cdf((edges[b] - mean) / sd) };
        *o = (upper - prev).max(0.0);
        prev = upper;
    }
}

/// Rescale household counts so that every SES band holds the same national
/// share (SES is a national percentile).
pub(crate) fn equalise_bands(households: &mut [f32], groups: usize) {
    let types = SES_BANDS * groups;
    let mut band_tot = [0.0f64; SES_BANDS];
    for row in households.chunks(types) {
        for (t, h) in row.iter().enumerate() {
            band_tot[t / groups] += *h as f64;
        }
    }
    let total: f64 = band_tot.iter().sum();
    let target = total / SES_BANDS as f64;
    for row in households.chunks_mut(types) {
        for (t, h) in row.iter_mut().enumerate() {
            let bt = band_tot[t / groups];
            if bt > 0.0 {
                *h = (*h as f64 * target / bt) as f32;
            }
        }
    }
}

/// Assign each point to the nearest of `d` district centres laid out as a
/// near-square grid over the bounding box.
pub(crate) fn district_centres(d: usize, x0: f64, y0: f64, w: f64, h: f64) -> Vec<(f64, f64)> {
    let d = d.max(1);
    let cols = ((d as f64 * w / h.max(1e-9)).sqrt().round() as usize).clamp(1, d);
    let rows = d.div_ceil(cols);
    let mut out = Vec::with_capacity(d);
    for r in 0..rows {
        let in_row = if r + 1 == rows { d - cols * (rows - 1) } else { cols };
        for c in 0..in_row {
            out.push((x0 + (c as f64 + 0.5) * w / in_row as f64, y0 + (r as f64 + 0.5) * h / rows as f64));
        }
    }
    out
}

/// Index of the nearest centre.
pub(crate) fn nearest_centre(centres: &[(f64, f64)], x: f64, y: f64) -> u32 {
    let mut best = (f64::MAX, 0u32);
    for (i, (cx, cy)) in centres.iter().enumerate() {
        let d = (cx - x).powi(2) + (cy - y).powi(2);
        if d < best.0 {
            best = (d, i as u32);
        }
    }
    best.1
}

/// Morton (Z-order) code of grid coordinates, for spatially ordered storage.
pub(crate) fn morton(x: u32, y: u32) -> u64 {
    fn spread(mut v: u64) -> u64 {
        v &= 0xFFFF_FFFF;
        v = (v | (v << 16)) & 0x0000_FFFF_0000_FFFF;
        v = (v | (v << 8)) & 0x00FF_00FF_00FF_00FF;
        v = (v | (v << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
        v = (v | (v << 2)) & 0x3333_3333_3333_3333;
        v = (v | (v << 1)) & 0x5555_5555_5555_5555;
        v
    }
    spread(x as u64) | (spread(y as u64) << 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_profile_of_the_national_mean_is_flat() {
        let mut p = [0.0; SES_BANDS];
        band_profile(0.0, 1.0, &mut p);
        for v in p {
            assert!((v - 0.05).abs() < 1e-6, "{v}");
        }
    }

    #[test]
    fn district_centres_are_as_many_as_asked() {
        for d in 1..12 {
            assert_eq!(district_centres(d, 0.0, 0.0, 10.0, 10.0).len(), d);
        }
    }
}
