//! The synthetic region: a grid of square neighbourhoods with spatially
//! correlated SES and group composition, districts, and school sites placed
//! where people live and sized to local demand.

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use super::{Region, SES_BANDS, SchoolSite, band_profile, district_centres, equalise_bands, morton, nearest_centre};
use crate::rng::{Purpose, Rng, stream};
use crate::scenario::Scenario;
use crate::spatial::Grid;

/// A Gaussian random field on an nx × ny grid: white noise blurred with
/// standard deviation `sigma` cells, standardised to mean 0 and SD 1.
pub(crate) fn gaussian_field(nx: usize, ny: usize, sigma: f64, rng: &mut Rng) -> Vec<f64> {
    let mut f: Vec<f64> = (0..nx * ny).map(|_| StandardNormal.sample(rng)).collect();
    if sigma > 0.3 {
        // Offsets beyond the grid are never used, so the kernel stops there
        // (the same sums, without a kernel larger than the map).
        let radius = ((3.0 * sigma).ceil() as isize).min(nx.max(ny) as isize);
        let kernel: Vec<f64> = (-radius..=radius).map(|i| (-(i * i) as f64 / (2.0 * sigma * sigma)).exp()).collect();
        let mut tmp = vec![0.0; nx * ny];
        // Horizontal pass, then vertical; at the edges the kernel is renormalised.
        blur_pass(&f, &mut tmp, nx, ny, &kernel, (1, nx));
        blur_pass(&tmp, &mut f, ny, nx, &kernel, (nx, 1));
    }
    let n = f.len() as f64;
    let mean = f.iter().sum::<f64>() / n;
    let sd = (f.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt().max(1e-12);
    for v in &mut f {
        *v = (*v - mean) / sd;
    }
    f
}

/// One pass of a 1-D blur along lines of length `len` (`count` of them):
/// element k of line l is at `l * stride.1 + k * stride.0`, with one stride 1
/// (lines along memory rows, or across them).
///
/// Memory rows of `dst` are computed in parallel; each element is the same
/// sum in the same order as a serial pass, so the result does not depend on
/// the thread count.
fn blur_pass(src: &[f64], dst: &mut [f64], len: usize, count: usize, kernel: &[f64], stride: (usize, usize)) {
    let radius = (kernel.len() / 2) as isize;
    let along = stride.0 == 1;
    let row = if along { len } else { count };
    dst[..len * count].par_chunks_mut(row.max(1)).enumerate().for_each(|(r, out)| {
        for (c, d) in out.iter_mut().enumerate() {
            let (l, k) = if along { (r, c) } else { (c, r) };
            let (mut s, mut w) = (0.0, 0.0);
            for (j, kv) in kernel.iter().enumerate() {
                let kk = k as isize + j as isize - radius;
                if kk >= 0 && (kk as usize) < len {
                    s += kv * src[l * stride.1 + kk as usize * stride.0];
                    w += kv;
                }
            }
            *d = s / w;
        }
    });
}

/// Generate the synthetic region of a replicate.
pub(crate) fn generate(s: &Scenario, seed: u64) -> Region {
    let r = &s.region;
    let mut rng = stream(seed, Purpose::Region, 0, 0);
    let cell = r.neighbourhood_km;
    let nx = ((r.width_km / cell).ceil() as usize).max(1);
    let ny = ((r.height_km / cell).ceil() as usize).max(1);
    let sigma = r.field_scale_km / cell;
    let ses_field = gaussian_field(nx, ny, sigma, &mut rng);
    let density_field = gaussian_field(nx, ny, sigma * 2.0, &mut rng);
    let groups = s.population.groups.len();
    let group_fields: Vec<Vec<f64>> =
        if groups > 1 { (0..groups).map(|_| gaussian_field(nx, ny, sigma, &mut rng)).collect() } else { Vec::new() };

    // Spatial order: neighbourhoods sorted along a Z-curve.
    let mut order: Vec<(u64, usize)> = (0..nx * ny).map(|i| (morton((i % nx) as u32, (i / nx) as u32), i)).collect();
    order.sort_unstable();

    let total_households = r.entrants_per_year as f64 * super::HOUSEHOLDS_PER_ENTRANT;
    let ds = r.density_sd;
    let raw_density: Vec<f64> = order.par_iter().map(|&(_, i)| (ds * density_field[i] - ds * ds / 2.0).exp()).collect();
    let dsum: f64 = raw_density.iter().sum();

    let c = r.residential_clustering;
    let within_sd = (1.0 - c).sqrt();
    let gc = s.population.group_clustering;
    let centres = district_centres(r.districts as usize, 0.0, 0.0, nx as f64 * cell, ny as f64 * cell);

    let types = SES_BANDS * groups;
    let n = order.len();
    let mut region = Region {
        cell_km: cell,
        nbhd_x: Vec::with_capacity(n),
        nbhd_y: Vec::with_capacity(n),
        nbhd_district: Vec::with_capacity(n),
        districts: centres.len(),
        groups,
        households: vec![0.0; n * types],
        sites: Vec::new(),
        catchment: None,
        trusts: None,
    };
    // Each neighbourhood on its own (in parallel; no random draws here).
    let xy = |i: usize| ((i % nx) as f64 * cell + cell / 2.0, (i / nx) as f64 * cell + cell / 2.0);
    region.nbhd_x.extend(order.iter().map(|&(_, i)| xy(i).0 as f32));
    region.nbhd_y.extend(order.iter().map(|&(_, i)| xy(i).1 as f32));
    region.nbhd_district = order
        .par_iter()
        .map(|&(_, i)| {
            let (x, y) = xy(i);
            nearest_centre(&centres, x, y)
        })
        .collect();
    region.households.par_chunks_mut(types.max(1)).zip(order.par_iter()).enumerate().for_each_init(
        || vec![0.0; groups],
        |gshare, (k, (row, &(_, i)))| {
            let mut profile = [0.0; SES_BANDS];
            let h = total_households * raw_density[k] / dsum;
            if groups > 1 {
                let spread = 2.0 * gc.sqrt();
                for (g, gp) in s.population.groups.iter().enumerate() {
                    gshare[g] = gp.share * (spread * group_fields[g][i]).exp();
                }
                let t: f64 = gshare.iter().sum();
                gshare.iter_mut().for_each(|v| *v /= t);
            } else {
                gshare[0] = 1.0;
            }
            let mean = c.sqrt() * ses_field[i];
            for (g, gp) in s.population.groups.iter().enumerate() {
                band_profile(mean + gp.ses_shift, within_sd, &mut profile);
                for b in 0..SES_BANDS {
                    row[b * groups + g] = (h * gshare[g] * profile[b]) as f32;
                }
            }
        },
    );
    equalise_bands(&mut region.households, groups);
    region.sites = place_schools(s, &region, &mut rng, nx as f64 * cell, ny as f64 * cell);
    region
}

/// Place school sites where households live, at least a minimum spacing
/// apart where possible, and size them to the households nearest to them.
fn place_schools(s: &Scenario, region: &Region, rng: &mut Rng, w: f64, h: f64) -> Vec<SchoolSite> {
    let r = &s.region;
    let n_schools = r.schools as usize;
    let types = region.types();
    let nb_h: Vec<f64> = region.households.chunks(types).map(|row| row.iter().map(|v| *v as f64).sum()).collect();
    let (xs, ys) = scatter_sites(region, &nb_h, rng, (w, h), n_schools);
    let demand = local_demand(region, &xs, &ys, &nb_h);
    let mean_demand = demand.iter().sum::<f64>() / n_schools as f64;
    let weights: Vec<f64> = demand
        .iter()
        .map(|d| {
            let noise: f64 = StandardNormal.sample(rng);
            (0.5 + 0.5 * d / mean_demand.max(1e-9)) * (r.school_size_sd * noise).exp()
        })
        .collect();
    let capacities = apportion(
        (r.entrants_per_year as f64 * (1.0 + r.capacity_margin)).ceil() as u32,
        &weights,
        r.min_school_capacity,
    );
    let centres = district_centres(r.districts as usize, 0.0, 0.0, w, h);
    (0..n_schools)
        .map(|i| SchoolSite {
            name: format!("S{:04}", i + 1),
            x: xs[i],
            y: ys[i],
            district: nearest_centre(&centres, xs[i], ys[i]),
            capacity: capacities[i],
            autonomous: None,
            effectiveness: None,
            sen_expertise: None,
            eal_expertise: None,
        })
        .collect()
}

/// Sites for `n_schools` schools, drawn in proportion to the neighbourhoods'
/// households (`nb_h`); a site closer than the spacing to one already placed
/// is drawn again, up to 30 times.
fn scatter_sites(
    region: &Region,
    nb_h: &[f64],
    rng: &mut Rng,
    (w, h): (f64, f64),
    n_schools: usize,
) -> (Vec<f64>, Vec<f64>) {
    let mut cdf = Vec::with_capacity(nb_h.len());
    let mut acc = 0.0;
    for v in nb_h {
        acc += v;
        cdf.push(acc);
    }
    let spacing = 0.6 * (w * h / n_schools as f64).sqrt();
    let mut xs: Vec<f64> = Vec::with_capacity(n_schools);
    let mut ys: Vec<f64> = Vec::with_capacity(n_schools);
    // A coarse grid of placed sites for the spacing test.
    let gcell = spacing.max(1e-6);
    let gnx = (w / gcell).ceil() as usize + 1;
    let gny = (h / gcell).ceil() as usize + 1;
    let mut occupied: Vec<Vec<usize>> = vec![Vec::new(); gnx * gny];
    for _ in 0..n_schools {
        let mut chosen = (0.0, 0.0);
        for attempt in 0..30 {
            let u: f64 = rng.random::<f64>() * acc;
            let k = cdf.partition_point(|&c| c < u).min(cdf.len() - 1);
            let x = region.nbhd_x[k] as f64 + (rng.random::<f64>() - 0.5) * region.cell_km;
            let y = region.nbhd_y[k] as f64 + (rng.random::<f64>() - 0.5) * region.cell_km;
            chosen = (x, y);
            let (cx, cy) = ((x / gcell) as usize, (y / gcell) as usize);
            let mut clash = false;
            for gy in cy.saturating_sub(1)..=(cy + 1).min(gny - 1) {
                for gx in cx.saturating_sub(1)..=(cx + 1).min(gnx - 1) {
                    for &j in &occupied[gy * gnx + gx] {
                        if (xs[j] - x).powi(2) + (ys[j] - y).powi(2) < spacing * spacing {
                            clash = true;
                        }
                    }
                }
            }
            if !clash || attempt == 29 {
                break;
            }
        }
        let (cx, cy) = ((chosen.0 / gcell) as usize, (chosen.1 / gcell) as usize);
        occupied[cy.min(gny - 1) * gnx + cx.min(gnx - 1)].push(xs.len());
        xs.push(chosen.0);
        ys.push(chosen.1);
    }
    (xs, ys)
}

/// Local demand: the households whose nearest site each site is.
fn local_demand(region: &Region, xs: &[f64], ys: &[f64], nb_h: &[f64]) -> Vec<f64> {
    let fx: Vec<f32> = xs.iter().map(|v| *v as f32).collect();
    let fy: Vec<f32> = ys.iter().map(|v| *v as f32).collect();
    let grid = Grid::new(&fx, &fy, &vec![true; xs.len()]);
    let mut demand = vec![0.0; xs.len()];
    // Nearest sites found in parallel, added up in the neighbourhoods' order.
    let nearest: Vec<u32> = (0..nb_h.len())
        .into_par_iter()
        .map_init(Vec::new, |buf, k| {
            grid.k_nearest(region.nbhd_x[k] as f64, region.nbhd_y[k] as f64, 1, buf);
            buf.first().map_or(u32::MAX, |&(_, sidx)| sidx)
        })
        .collect();
    for (&sidx, hh) in nearest.iter().zip(nb_h) {
        if sidx != u32::MAX {
            demand[sidx as usize] += hh;
        }
    }
    demand
}

/// Split `total` whole places in proportion to `weights`, each at least
/// `min` (largest remainders get the leftover places). The result adds to at
/// least `total`.
pub(crate) fn apportion(total: u32, weights: &[f64], min: u32) -> Vec<u32> {
    let n = weights.len();
    if n == 0 {
        return Vec::new();
    }
    let wsum: f64 = weights.iter().sum::<f64>().max(1e-12);
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / wsum).collect();
    let mut out: Vec<u32> = exact.iter().map(|e| (e.floor() as u32).max(min)).collect();
    let mut assigned: u64 = out.iter().map(|v| *v as u64).sum();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())).then(a.cmp(&b)));
    let mut i = 0;
    while assigned < total as u64 {
        out[order[i % n]] += 1;
        assigned += 1;
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_adds_up_and_respects_minimum() {
        let v = apportion(1000, &[1.0, 2.0, 3.0, 0.01], 30);
        assert!(v.iter().sum::<u32>() >= 1000);
        assert!(v.iter().all(|x| *x >= 30));
        assert!(v[2] > v[1] && v[1] > v[0]);
    }

    #[test]
    fn synthetic_region_matches_its_parameters() {
        let s = Scenario::default();
        let r = generate(&s, 7);
        assert_eq!(r.len(), 24 * 24);
        assert_eq!(r.sites.len(), 60);
        let cap: u32 = r.sites.iter().map(|x| x.capacity).sum();
        assert!(cap as f64 >= 6000.0 * 1.1);
        assert_eq!(r.districts, 4);
        // Bands are equal nationally.
        let mut band = [0.0f64; SES_BANDS];
        for row in r.households.chunks(r.types()) {
            for (t, h) in row.iter().enumerate() {
                band[t] += *h as f64;
            }
        }
        for b in band {
            assert!((b / band[0] - 1.0).abs() < 1e-3);
        }
        // The same seed gives the same region.
        let r2 = generate(&s, 7);
        assert_eq!(r.sites, r2.sites);
    }

    #[test]
    fn clustering_separates_neighbourhoods() {
        let mut s = Scenario::default();
        let spread = |c: f64, s: &mut Scenario| {
            s.region.residential_clustering = c;
            let r = generate(s, 3);
            // SD across neighbourhoods of the share in the lowest 5 bands.
            let shares: Vec<f64> = r
                .households
                .chunks(r.types())
                .map(|row| row[..5].iter().sum::<f32>() as f64 / row.iter().sum::<f32>() as f64)
                .collect();
            let m = shares.iter().sum::<f64>() / shares.len() as f64;
            (shares.iter().map(|x| (x - m).powi(2)).sum::<f64>() / shares.len() as f64).sqrt()
        };
        let low = spread(0.0, &mut s);
        let high = spread(0.6, &mut s);
        assert!(low < 0.01, "{low}");
        assert!(high > 0.1, "{high}");
    }
}
