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

    /// The nearest point to (x, y) for which `accept` is true, with its
    /// distance (ties to the lower index).
    pub fn nearest_where(&self, x: f64, y: f64, accept: impl FnMut(u32) -> bool) -> Option<(f64, u32)> {
        self.nearest_in(self, x, y, accept)
    }

    /// [`Grid::nearest_where`] over the points `cells` lays out in the
    /// grid's cells (all the grid's, or those present in a [`Vacancies`]).
    /// The answer is the least (distance, index) among accepted points,
    /// whatever order a ring visits them in.
    fn nearest_in(
        &self,
        cells: &impl Rings,
        x: f64,
        y: f64,
        mut accept: impl FnMut(u32) -> bool,
    ) -> Option<(f64, u32)> {
        if self.items.is_empty() {
            return None;
        }
        let (cx, cy) = self.start_cell(x, y);
        let rmax = self.max_ring(cx, cy);
        let mut best: Option<(f64, u32)> = None;
        for r in 0..=rmax {
            cells.ring(cx, cy, r, |i| {
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

/// Points laid out in a grid's cells, visited a square ring of cells at a
/// time (see [`Grid::ring`]).
trait Rings {
    /// Visit the points in the cells of the ring at Chebyshev distance `r`
    /// around cell (cx, cy).
    fn ring(&self, cx: isize, cy: isize, r: isize, f: impl FnMut(u32));
}

impl Rings for Grid {
    #[inline]
    fn ring(&self, cx: isize, cy: isize, r: isize, f: impl FnMut(u32)) {
        Grid::ring(self, cx, cy, r, f);
    }
}

/// The points of a [`Grid`] that still have room (schools below capacity),
/// each leaving when it fills: nearest searches among them give what
/// [`Grid::nearest_where`] gives with a test for room, visiting neither the
/// points that have left nor the cells left empty.
///
/// Each cell keeps its present points at the front of its part of the
/// grid's item list; a bit a cell, by rows and again by columns, tells
/// which cells hold any, so that a ring's stretches of empty cells are
/// passed over a word at a time.
#[derive(Debug, Clone)]
pub struct Vacancies<'g> {
    grid: &'g Grid,
    /// The grid's items, each cell's present ones first.
    items: Vec<u32>,
    /// `ends[c]`: where cell c's present points end in `items`.
    ends: Vec<u32>,
    /// Each point's position in `items`, or [`u32::MAX`] if it is not present.
    at: Vec<u32>,
    /// How many points are present.
    len: usize,
    /// Words of [`Vacancies::rows`] a row of cells takes.
    row_words: usize,
    /// Words of [`Vacancies::cols`] a column of cells takes.
    col_words: usize,
    /// Bit ix of row iy: cell (ix, iy) holds a present point.
    rows: Vec<u64>,
    /// Bit iy of column ix: cell (ix, iy) holds a present point.
    cols: Vec<u64>,
}

/// Call `f(k)` for every set bit k in `lo..=hi` of the bits `words`.
#[inline]
fn set_bits(words: &[u64], lo: usize, hi: usize, mut f: impl FnMut(usize)) {
    for w in lo / 64..=hi / 64 {
        let mut m = words[w];
        if w == lo / 64 {
            m &= u64::MAX << (lo % 64);
        }
        if w == hi / 64 {
            m &= u64::MAX >> (63 - hi % 64);
        }
        while m != 0 {
            f(w * 64 + m.trailing_zeros() as usize);
            m &= m - 1;
        }
    }
}

impl<'g> Vacancies<'g> {
    /// The points of `grid` for which `keep` is true.
    pub fn new(grid: &'g Grid, mut keep: impl FnMut(u32) -> bool) -> Vacancies<'g> {
        let (nx, ny) = (grid.nx, grid.ny);
        let (row_words, col_words) = (nx.div_ceil(64), ny.div_ceil(64));
        let mut v = Vacancies {
            grid,
            items: Vec::with_capacity(grid.items.len()),
            ends: Vec::with_capacity(nx * ny),
            at: vec![u32::MAX; grid.xs.len()],
            len: 0,
            row_words,
            col_words,
            rows: vec![0; ny * row_words],
            cols: vec![0; nx * col_words],
        };
        for c in 0..nx * ny {
            let cell = &grid.items[grid.starts[c] as usize..grid.starts[c + 1] as usize];
            for &i in cell.iter().filter(|&&i| keep(i)) {
                v.at[i as usize] = v.items.len() as u32;
                v.items.push(i);
            }
            if v.items.len() > grid.starts[c] as usize {
                let (ix, iy) = (c % nx, c / nx);
                v.rows[iy * row_words + ix / 64] |= 1 << (ix % 64);
                v.cols[ix * col_words + iy / 64] |= 1 << (iy % 64);
            }
            v.ends.push(v.items.len() as u32);
            let at = &v.at;
            v.items.extend(cell.iter().filter(|&&i| at[i as usize] == u32::MAX));
        }
        v.len = v.at.iter().filter(|&&p| p != u32::MAX).count();
        v
    }

    /// Point `i` leaves (nothing happens if it is not present).
    pub fn remove(&mut self, i: u32) {
        let pos = self.at[i as usize];
        if pos == u32::MAX {
            return;
        }
        // The cell holding position `pos`: the last whose part starts at or before it.
        let c = self.grid.starts.partition_point(|&s| s <= pos) - 1;
        let last = self.ends[c] - 1;
        let j = self.items[last as usize];
        self.items.swap(pos as usize, last as usize);
        self.at[j as usize] = pos;
        self.at[i as usize] = u32::MAX;
        self.ends[c] = last;
        self.len -= 1;
        if last == self.grid.starts[c] {
            let (ix, iy) = (c % self.grid.nx, c / self.grid.nx);
            self.rows[iy * self.row_words + ix / 64] &= !(1 << (ix % 64));
            self.cols[ix * self.col_words + iy / 64] &= !(1 << (iy % 64));
        }
    }

    /// The nearest present point to (x, y), with its distance (ties to the
    /// lower index): [`Grid::nearest_where`] accepting the present points.
    pub fn nearest(&self, x: f64, y: f64) -> Option<(f64, u32)> {
        if self.len == 0 {
            return None;
        }
        self.grid.nearest_in(self, x, y, |_| true)
    }

    /// Visit the present points of cell c.
    #[inline]
    fn visit(&self, c: usize, f: &mut impl FnMut(u32)) {
        for &i in &self.items[self.grid.starts[c] as usize..self.ends[c] as usize] {
            f(i);
        }
    }
}

impl Rings for Vacancies<'_> {
    /// The cells [`Grid::ring`] visits, those without present points passed over.
    fn ring(&self, cx: isize, cy: isize, r: isize, mut f: impl FnMut(u32)) {
        let (nx, ny) = (self.grid.nx as isize, self.grid.ny as isize);
        if r == 0 {
            if cx >= 0 && cy >= 0 && cx < nx && cy < ny {
                self.visit((cy * nx + cx) as usize, &mut f);
            }
            return;
        }
        let (x_lo, x_hi) = ((cx - r).max(0), (cx + r).min(nx - 1));
        for iy in [cy - r, cy + r] {
            if (0..ny).contains(&iy) {
                let row = &self.rows[iy as usize * self.row_words..(iy as usize + 1) * self.row_words];
                set_bits(row, x_lo as usize, x_hi as usize, |ix| self.visit(iy as usize * nx as usize + ix, &mut f));
            }
        }
        let (y_lo, y_hi) = ((cy - r + 1).max(0), (cy + r - 1).min(ny - 1));
        if y_lo > y_hi {
            return;
        }
        for ix in [cx - r, cx + r] {
            if (0..nx).contains(&ix) {
                let col = &self.cols[ix as usize * self.col_words..(ix as usize + 1) * self.col_words];
                set_bits(col, y_lo as usize, y_hi as usize, |iy| self.visit(iy * nx as usize + ix as usize, &mut f));
            }
        }
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

    /// Place a pupil at each query point in turn at the nearest point of
    /// `g` with room, as the district does, and check that `v` finds the
    /// same point as `Grid::nearest_where`; a point that fills leaves `v`
    /// (twice: a second removal changes nothing).
    fn place_and_compare(
        g: &Grid,
        v: &mut Vacancies,
        room: &mut [u32],
        queries: impl Iterator<Item = (f64, f64)>,
    ) -> Result<(), TestCaseError> {
        for (qx, qy) in queries {
            let want = g.nearest_where(qx, qy, |i| room[i as usize] > 0);
            prop_assert_eq!(v.nearest(qx, qy), want);
            if let Some((_, i)) = want {
                room[i as usize] -= 1;
                if room[i as usize] == 0 {
                    v.remove(i);
                    v.remove(i);
                }
            }
        }
        Ok(())
    }

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
        /// Points with room on a small lattice (ties of distance and repeated
        /// points), some left out of the grid: each query of a [`Vacancies`]
        /// gives what a search of the grid testing for room gives, while
        /// points fill and leave, until none is left.
        #[test]
        fn vacancies_match_nearest_where(pts in prop::collection::vec((0u8..6, 0u8..5, 0u32..3, any::<bool>()), 1..50),
                                         queries in prop::collection::vec((-2i8..8, -2i8..7), 1..80)) {
            let xs: Vec<f32> = pts.iter().map(|p| f32::from(p.0)).collect();
            let ys: Vec<f32> = pts.iter().map(|p| f32::from(p.1)).collect();
            let mut room: Vec<u32> = pts.iter().map(|p| p.2).collect();
            let keep: Vec<bool> = pts.iter().map(|p| p.3).collect();
            let g = Grid::new(&xs, &ys, &keep);
            let mut v = Vacancies::new(&g, |i| room[i as usize] > 0);
            let queries = queries.iter().map(|&(qx, qy)| (f64::from(qx) * 0.75, f64::from(qy) * 0.75));
            place_and_compare(&g, &mut v, &mut room, queries)?;
        }
        /// The same along a long strip of points, lying either way, whose
        /// rows or columns of cells take more than one word of bits.
        #[test]
        fn vacancies_match_nearest_where_on_strips(pts in prop::collection::vec((0u16..400, 0u8..3, 1u32..3), 150..250),
                                                   across in any::<bool>(),
                                                   queries in prop::collection::vec((-5i16..405, -2i8..5), 1..150)) {
            let (mut xs, mut ys): (Vec<f32>, Vec<f32>) = pts.iter().map(|p| (f32::from(p.0), f32::from(p.1))).unzip();
            if across {
                std::mem::swap(&mut xs, &mut ys);
            }
            let mut room: Vec<u32> = pts.iter().map(|p| p.2).collect();
            let g = Grid::new(&xs, &ys, &vec![true; xs.len()]);
            prop_assert!(g.nx.max(g.ny) > 64);
            let mut v = Vacancies::new(&g, |_| true);
            let queries = queries.iter().map(|&(a, b)| if across { (f64::from(b), f64::from(a)) } else { (f64::from(a), f64::from(b)) });
            place_and_compare(&g, &mut v, &mut room, queries)?;
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
