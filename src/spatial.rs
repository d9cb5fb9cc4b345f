//! A uniform grid over school sites, for nearest-school searches, and the
//! choice sets it precomputes for every neighbourhood.

use rayon::prelude::*;

use crate::ids::{NONE, SchoolId};

/// A uniform grid of cells holding point indices (compressed rows).
#[derive(Debug, Clone, Default)]
pub struct Grid {
    x0: f64,
    y0: f64,
    cell: f64,
    nx: usize,
    ny: usize,
    starts: Vec<u32>,
    items: Vec<u32>,
    xs: Vec<f32>,
    ys: Vec<f32>,
}

impl Grid {
    /// A grid over the given points (only those with `keep[i]` true), with
    /// cells sized for about two points each.
    pub fn new(xs: &[f32], ys: &[f32], keep: &[bool]) -> Grid {
        let n_kept = keep.iter().filter(|k| **k).count().max(1);
        let (mut xmin, mut ymin, mut xmax, mut ymax) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for i in 0..xs.len() {
            if keep[i] {
                xmin = xmin.min(xs[i] as f64);
                ymin = ymin.min(ys[i] as f64);
                xmax = xmax.max(xs[i] as f64);
                ymax = ymax.max(ys[i] as f64);
            }
        }
        if xmin > xmax {
            (xmin, ymin, xmax, ymax) = (0.0, 0.0, 1.0, 1.0);
        }
        let w = (xmax - xmin).max(1e-3);
        let h = (ymax - ymin).max(1e-3);
        let cell = ((w * h * 2.0 / n_kept as f64).sqrt()).max(1e-3);
        let nx = ((w / cell).floor() as usize + 1).min(4096);
        let ny = ((h / cell).floor() as usize + 1).min(4096);
        let cell = cell.max(w / nx as f64).max(h / ny as f64);
        let mut g = Grid {
            x0: xmin,
            y0: ymin,
            cell,
            nx,
            ny,
            starts: vec![0; nx * ny + 1],
            items: Vec::new(),
            xs: xs.to_vec(),
            ys: ys.to_vec(),
        };
        let mut counts = vec![0u32; nx * ny];
        for i in 0..xs.len() {
            if keep[i] {
                counts[g.cell_of(xs[i] as f64, ys[i] as f64)] += 1;
            }
        }
        for c in 0..nx * ny {
            g.starts[c + 1] = g.starts[c] + counts[c];
        }
        let mut fill = g.starts.clone();
        g.items = vec![0; g.starts[nx * ny] as usize];
        for i in 0..xs.len() {
            if keep[i] {
                let c = g.cell_of(xs[i] as f64, ys[i] as f64);
                g.items[fill[c] as usize] = i as u32;
                fill[c] += 1;
            }
        }
        g
    }

    fn cx(&self, x: f64) -> isize {
        ((x - self.x0) / self.cell).floor() as isize
    }
    fn cy(&self, y: f64) -> isize {
        ((y - self.y0) / self.cell).floor() as isize
    }
    fn cell_of(&self, x: f64, y: f64) -> usize {
        let ix = self.cx(x).clamp(0, self.nx as isize - 1) as usize;
        let iy = self.cy(y).clamp(0, self.ny as isize - 1) as usize;
        iy * self.nx + ix
    }

    /// Visit the cells of the square ring at Chebyshev distance `r` around
    /// cell (cx, cy) that lie in the grid (only those are looped over, so a
    /// ring costs at most the grid's perimeter).
    fn ring(&self, cx: isize, cy: isize, r: isize, mut f: impl FnMut(u32)) {
        let (nx, ny) = (self.nx as isize, self.ny as isize);
        let mut visit = |ix: isize, iy: isize| {
            let c = (iy * nx + ix) as usize;
            for &i in &self.items[self.starts[c] as usize..self.starts[c + 1] as usize] {
                f(i);
            }
        };
        if r == 0 {
            if cx >= 0 && cy >= 0 && cx < nx && cy < ny {
                visit(cx, cy);
            }
            return;
        }
        let (x_lo, x_hi) = ((cx - r).max(0), (cx + r).min(nx - 1));
        for iy in [cy - r, cy + r] {
            if (0..ny).contains(&iy) {
                for ix in x_lo..=x_hi {
                    visit(ix, iy);
                }
            }
        }
        let (y_lo, y_hi) = ((cy - r + 1).max(0), (cy + r - 1).min(ny - 1));
        for ix in [cx - r, cx + r] {
            if (0..nx).contains(&ix) {
                for iy in y_lo..=y_hi {
                    visit(ix, iy);
                }
            }
        }
    }

    fn max_ring(&self, cx: isize, cy: isize) -> isize {
        let dx = cx.max(self.nx as isize - 1 - cx).max(0);
        let dy = cy.max(self.ny as isize - 1 - cy).max(0);
        dx.max(dy) + 1
    }

    /// The cell a search from (x, y) starts in: the point's own cell,
    /// clamped into the grid (a point outside the grid, however far, starts
    /// from the nearest edge cell).
    fn start_cell(&self, x: f64, y: f64) -> (isize, isize) {
        (self.cx(x).clamp(0, self.nx as isize - 1), self.cy(y).clamp(0, self.ny as isize - 1))
    }

    /// Distance from (x, y) to point i.
    #[inline]
    pub fn dist(&self, i: u32, x: f64, y: f64) -> f64 {
        let dx = self.xs[i as usize] as f64 - x;
        let dy = self.ys[i as usize] as f64 - y;
        (dx * dx + dy * dy).sqrt()
    }

    /// Lower bound on the distance from (x, y) to any point in a ring beyond
    /// `r`: the distance to the nearest side of the block of cells within
    /// ring r that has grid cells beyond it (infinite once the block covers
    /// the whole grid).
    fn ring_bound(&self, x: f64, y: f64, cx: isize, cy: isize, r: isize) -> f64 {
        let (nx, ny) = (self.nx as isize, self.ny as isize);
        let side = |beyond: bool, d: f64| if beyond { d } else { f64::INFINITY };
        let left = side(cx - r > 0, x - (self.x0 + (cx - r) as f64 * self.cell));
        let right = side(cx + r < nx - 1, self.x0 + (cx + r + 1) as f64 * self.cell - x);
        let bottom = side(cy - r > 0, y - (self.y0 + (cy - r) as f64 * self.cell));
        let top = side(cy + r < ny - 1, self.y0 + (cy + r + 1) as f64 * self.cell - y);
        left.min(right).min(bottom).min(top).max(0.0)
    }

    /// The `k` nearest points to (x, y), nearest first, into `out` (cleared).
    /// Ties are broken by index. The rings of cells around the point are
    /// searched outwards, keeping the best `k` seen so far in order (most
    /// points are turned away by one comparison with the `k`-th), until the
    /// `k`-th is no farther than any cell not yet searched.
    pub fn k_nearest(&self, x: f64, y: f64, k: usize, out: &mut Vec<(f64, u32)>) {
        out.clear();
        if k == 0 || self.items.is_empty() {
            return;
        }
        let before = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).is_lt();
        let (cx, cy) = self.start_cell(x, y);
        let rmax = self.max_ring(cx, cy);
        let mut r = 0;
        loop {
            self.ring(cx, cy, r, |i| {
                let c = (self.dist(i, x, y), i);
                if out.len() == k {
                    if !before(&c, &out[k - 1]) {
                        return;
                    }
                    out.pop();
                }
                let at = out.partition_point(|o| before(o, &c));
                out.insert(at, c);
            });
            if (out.len() == k && out[k - 1].0 < self.ring_bound(x, y, cx, cy, r)) || r >= rmax {
                break;
            }
            r += 1;
        }
    }

    /// The nearest point to (x, y) for which `accept` is true, with its distance.
    pub fn nearest_where(&self, x: f64, y: f64, mut accept: impl FnMut(u32) -> bool) -> Option<(f64, u32)> {
        if self.items.is_empty() {
            return None;
        }
        let (cx, cy) = self.start_cell(x, y);
        let rmax = self.max_ring(cx, cy);
        let mut best: Option<(f64, u32)> = None;
        for r in 0..=rmax {
            self.ring(cx, cy, r, |i| {
                if accept(i) {
                    let d = self.dist(i, x, y);
                    if best.is_none_or(|(bd, bi)| d < bd || (d == bd && i < bi)) {
                        best = Some((d, i));
                    }
                }
            });
            if let Some((d, _)) = best {
                if d < self.ring_bound(x, y, cx, cy, r) {
                    break;
                }
            }
        }
        best
    }
}

/// For every neighbourhood, its `k` nearest open schools, nearest first,
/// stored flat (`k` per neighbourhood; fewer schools than `k` repeat nothing:
/// the row is padded with [`NONE`]).
#[derive(Debug, Clone, Default)]
pub struct ChoiceSets {
    /// Entries per neighbourhood.
    pub k: usize,
    /// School ids, `k` per neighbourhood, padded with [`NONE`].
    pub schools: Vec<SchoolId>,
}

impl ChoiceSets {
    /// Compute the choice sets of all neighbourhood centres.
    pub fn build(grid: &Grid, nx: &[f32], ny: &[f32], k: usize) -> ChoiceSets {
        let mut schools = vec![NONE; nx.len() * k];
        schools.par_chunks_mut(k.max(1)).enumerate().for_each_init(Vec::new, |buf, (n, row)| {
            grid.k_nearest(nx[n] as f64, ny[n] as f64, k, buf);
            for (slot, (_, s)) in row.iter_mut().zip(buf.iter()) {
                *slot = *s as SchoolId;
            }
        });
        ChoiceSets { k, schools }
    }

    /// Recompute only the rows that hold a school no longer open.
    pub fn repair(&mut self, grid: &Grid, nx: &[f32], ny: &[f32], open: &[bool]) {
        let k = self.k;
        self.schools.par_chunks_mut(k.max(1)).enumerate().for_each_init(Vec::new, |buf, (n, row)| {
            if row.iter().any(|&s| s != NONE && !open[s as usize]) {
                grid.k_nearest(nx[n] as f64, ny[n] as f64, k, buf);
                row.fill(NONE);
                for (slot, (_, s)) in row.iter_mut().zip(buf.iter()) {
                    *slot = *s as SchoolId;
                }
            }
        });
    }

    /// Schools `new` have opened (already in `grid`): recompute only the rows
    /// of neighbourhoods to which one of them is at least as near as the
    /// row's farthest school. Every other row is what [`ChoiceSets::build`]
    /// would give: a school farther than the k-th nearest does not enter it.
    pub fn add(&mut self, grid: &Grid, nx: &[f32], ny: &[f32], new: std::ops::Range<u32>) {
        let k = self.k;
        self.schools.par_chunks_mut(k.max(1)).enumerate().for_each_init(Vec::new, |buf, (n, row)| {
            let (x, y) = (nx[n] as f64, ny[n] as f64);
            let reach = match row.last() {
                Some(&last) if last != NONE => grid.dist(u32::from(last), x, y),
                _ => f64::INFINITY,
            };
            if new.clone().any(|j| grid.dist(j, x, y) <= reach) {
                grid.k_nearest(x, y, k, buf);
                row.fill(NONE);
                for (slot, (_, s)) in row.iter_mut().zip(buf.iter()) {
                    *slot = *s as SchoolId;
                }
            }
        });
    }

    /// The choice set of neighbourhood `n` (open schools, nearest first).
    #[inline]
    pub fn of(&self, n: u32) -> &[SchoolId] {
        let row = &self.schools[n as usize * self.k..(n as usize + 1) * self.k];
        let len = row.iter().position(|&s| s == NONE).unwrap_or(self.k);
        &row[..len]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn k_nearest_matches_brute_force(pts in prop::collection::vec((0.0f32..50.0, 0.0f32..30.0), 1..60),
                                         q in (-5.0f64..55.0, -5.0f64..35.0), k in 1usize..10) {
            let xs: Vec<f32> = pts.iter().map(|p| p.0).collect();
            let ys: Vec<f32> = pts.iter().map(|p| p.1).collect();
            let keep = vec![true; xs.len()];
            let g = Grid::new(&xs, &ys, &keep);
            let mut out = Vec::new();
            g.k_nearest(q.0, q.1, k, &mut out);
            let mut brute: Vec<(f64, u32)> = (0..xs.len() as u32).map(|i| (g.dist(i, q.0, q.1), i)).collect();
            brute.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            brute.truncate(k);
            prop_assert_eq!(out, brute);
            let near = g.nearest_where(q.0, q.1, |i| i % 2 == 0);
            let bn = (0..xs.len() as u32).filter(|i| i % 2 == 0).map(|i| (g.dist(i, q.0, q.1), i))
                .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            prop_assert_eq!(near, bn);
        }
        /// Points on a small lattice (many equal distances and repeated
        /// points): ties are broken by index, as a full sort breaks them.
        #[test]
        fn k_nearest_breaks_ties_by_index(pts in prop::collection::vec((0u8..5, 0u8..4), 1..60),
                                          q in (0u8..5, 0u8..4), k in 1usize..20) {
            let xs: Vec<f32> = pts.iter().map(|p| f32::from(p.0)).collect();
            let ys: Vec<f32> = pts.iter().map(|p| f32::from(p.1)).collect();
            let g = Grid::new(&xs, &ys, &vec![true; xs.len()]);
            let (qx, qy) = (f64::from(q.0), f64::from(q.1));
            let mut out = Vec::new();
            g.k_nearest(qx, qy, k, &mut out);
            let mut brute: Vec<(f64, u32)> = (0..xs.len() as u32).map(|i| (g.dist(i, qx, qy), i)).collect();
            brute.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            brute.truncate(k);
            prop_assert_eq!(out, brute);
        }
        /// Queries far outside the grid (and grids of one point) give the
        /// exact answer quickly.
        #[test]
        fn far_queries_match_brute_force(pts in prop::collection::vec((0.0f32..50.0, 0.0f32..30.0), 1..20),
                                         q in (-1e7f64..1e7, -1e7f64..1e7), k in 1usize..4) {
            let xs: Vec<f32> = pts.iter().map(|p| p.0).collect();
            let ys: Vec<f32> = pts.iter().map(|p| p.1).collect();
            let g = Grid::new(&xs, &ys, &vec![true; xs.len()]);
            let mut out = Vec::new();
            g.k_nearest(q.0, q.1, k, &mut out);
            let mut brute: Vec<(f64, u32)> = (0..xs.len() as u32).map(|i| (g.dist(i, q.0, q.1), i)).collect();
            brute.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            brute.truncate(k);
            prop_assert_eq!(out, brute);
            prop_assert!(g.nearest_where(q.0, q.1, |_| true).is_some());
        }
    }
}
