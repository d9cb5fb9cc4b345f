//! Pupils, as columns of plain numbers, one [`Cohort`] per year group; and
//! the entry of a new cohort each year.

use std::sync::OnceLock;

use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use crate::ids::{NONE, SchoolId};
use crate::region::{Region, SES_BANDS};
use crate::rng::{Purpose, Year, stream};
use crate::scenario::{PopulationParams, Scenario};
use crate::stats::{from_total_key, norm_inv, total_key};

/// Bit flags of a pupil.
pub mod flag {
    /// Disadvantaged (e.g. eligible for free school meals).
    pub const DIS: u8 = 1;
    /// Special educational needs.
    pub const SEN: u8 = 2;
    /// English as an additional language.
    pub const EAL: u8 = 4;
    /// The family ranked schools actively.
    pub const ACTIVE: u8 = 8;
    /// Excluded from a school at some point.
    pub const EXCLUDED: u8 = 16;
}

/// One year group: every pupil who entered in the same year, as columns.
#[derive(Debug, Clone, Default)]
pub struct Cohort {
    /// Year the cohort entered (0 for the oldest cohort of the warm start).
    pub entry_year: i32,
    /// Home position, km.
    pub x: Vec<f32>,
    /// Home position, km.
    pub y: Vec<f32>,
    /// Where each neighbourhood's pupils start: pupils are stored
    /// neighbourhood by neighbourhood, those of neighbourhood `n` at
    /// `nbhd_start[n]..nbhd_start[n + 1]` (one entry per neighbourhood and
    /// one more; empty before the first entry). Read a pupil's home
    /// neighbourhood with [`Cohort::nbhd`] or [`Cohort::nbhds`]; 4 bytes a
    /// neighbourhood instead of 4 a pupil.
    pub nbhd_start: Vec<u32>,
    /// SES as a standard normal score of the national percentile (the
    /// percentile itself is kept only for the entering cohort, in
    /// [`Scratch::ses_pct`]).
    pub ses: Vec<f32>,
    /// Flags, see [`flag`].
    pub flags: Vec<u8>,
    /// Group index.
    pub group: Vec<u8>,
    /// Prior-attainment band within the cohort (0 = lowest).
    pub band: Vec<u8>,
    /// Prior attainment at entry, SD units.
    pub prior: Vec<f32>,
    /// Current attainment, same scale.
    pub attainment: Vec<f32>,
    /// School attended.
    pub school: Vec<SchoolId>,
}

impl Cohort {
    /// Number of pupils.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// True if the cohort is empty.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Home neighbourhood of pupil `i` (a search of [`Cohort::nbhd_start`]).
    #[inline]
    pub fn nbhd(&self, i: usize) -> u32 {
        nbhd_at(&self.nbhd_start, i) as u32
    }

    /// Every pupil's home neighbourhood, in pupil order.
    pub fn nbhds(&self) -> impl Iterator<Item = u32> + '_ {
        self.nbhd_start.windows(2).enumerate().flat_map(|(n, w)| std::iter::repeat_n(n as u32, (w[1] - w[0]) as usize))
    }

    /// True if pupil `i` is disadvantaged.
    #[inline]
    pub fn dis(&self, i: usize) -> bool {
        self.flags[i] & flag::DIS != 0
    }

    fn resize(&mut self, n: usize) {
        for v in [&mut self.x, &mut self.y, &mut self.ses, &mut self.prior, &mut self.attainment] {
            resize_spare(v, n, 0.0);
        }
        resize_spare(&mut self.school, n, 0);
        for v in [&mut self.flags, &mut self.group, &mut self.band] {
            resize_spare(v, n, 0);
        }
    }
}

/// Standard normal quantiles tabulated for fast lookup.
fn normal_table() -> &'static [f32; 4097] {
    static T: OnceLock<[f32; 4097]> = OnceLock::new();
    T.get_or_init(|| std::array::from_fn(|i| norm_inv((i as f64 + 0.5) / 4097.0) as f32))
}

/// Standard normal quantile of `u` (0..1) by lookup in `t`
/// ([`normal_table`]) and linear interpolation.
#[inline]
fn fast_norm_inv(t: &[f32; 4097], u: f32) -> (f32, usize) {
    let pos = u * 4096.0;
    // The whole part, 0 to 4095 (0 for NaN), as `(pos as usize).min(4095)`.
    let i = (pos as i32).clamp(0, 4095) as usize;
    let f = pos - i as f32;
    (t[i] + f * (t[i + 1] - t[i]), i)
}

/// The neighbourhood whose pupils include index `i`, given where each
/// neighbourhood's pupils start ([`Cohort::nbhd_start`]; pupils are stored
/// neighbourhood by neighbourhood).
#[inline]
pub fn nbhd_at(nbhd_start: &[u32], i: usize) -> usize {
    nbhd_start.partition_point(|&s| s as usize <= i).max(1) - 1
}

/// The first `n` elements of `rest`, which keeps the others.
fn take<'a, T>(rest: &mut &'a mut [T], n: usize) -> &'a mut [T] {
    let (a, b) = std::mem::take(rest).split_at_mut(n);
    *rest = b;
    a
}

/// One parallel chunk's rows of the entering cohort's columns (and of its
/// SES percentiles), written by [`enter`].
struct Rows<'a> {
    x: &'a mut [f32],
    y: &'a mut [f32],
    ses: &'a mut [f32],
    ses_pct: &'a mut [f32],
    flags: &'a mut [u8],
    group: &'a mut [u8],
    prior: &'a mut [f32],
    attainment: &'a mut [f32],
    school: &'a mut [SchoolId],
}

impl<'a> Rows<'a> {
    /// The rows of `cohort` and `ses_pct` cut into consecutive chunks of `sizes`.
    fn split(cohort: &'a mut Cohort, ses_pct: &'a mut [f32], sizes: &[usize]) -> Vec<Rows<'a>> {
        let Cohort { x, y, ses, flags, group, prior, attainment, school, .. } = cohort;
        let (mut x, mut y, mut ses, mut pct) = (&mut x[..], &mut y[..], &mut ses[..], ses_pct);
        let (mut flags, mut group, mut prior) = (&mut flags[..], &mut group[..], &mut prior[..]);
        let (mut attainment, mut school) = (&mut attainment[..], &mut school[..]);
        sizes
            .iter()
            .map(|&n| Rows {
                x: take(&mut x, n),
                y: take(&mut y, n),
                ses: take(&mut ses, n),
                ses_pct: take(&mut pct, n),
                flags: take(&mut flags, n),
                group: take(&mut group, n),
                prior: take(&mut prior, n),
                attainment: take(&mut attainment, n),
                school: take(&mut school, n),
            })
            .collect()
    }
}

/// Resize a column to `n` values (new ones `value`), growing its room, when
/// it must grow, to `n` and a twentieth more: cohorts differ a little in size
/// from year to year, and an ordinary resize would double the room (a
/// column's worth of memory unused).
pub(crate) fn resize_spare<T: Clone>(v: &mut Vec<T>, n: usize, value: T) {
    if v.capacity() < n {
        v.reserve_exact(n + n / 20 - v.len());
    }
    v.resize(n, value);
}

/// Neighbourhoods handled per parallel chunk when a cohort is generated.
const NBHD_CHUNK: usize = 256;

/// Working memory of cohort entry (what is a number a neighbourhood is
/// reused from year to year).
#[derive(Debug, Clone, Default)]
pub struct Scratch {
    /// Whole numbers (for example entrants per neighbourhood).
    pub counts: Vec<u32>,
    /// SES as a national percentile, 0 to 1, of each pupil of the cohort
    /// that entered last (read by choice in the year of entry only, and
    /// freed after it: see `World::admit_cohort`).
    pub ses_pct: Vec<f32>,
    /// The households in all and in each neighbourhood.
    pub households: HouseholdSums,
    /// The SEN probability at each point of the normal quantile table
    /// ([`SenEdges`]), kept while the SEN parameters stay the same.
    pub sen: SenEdges,
}

/// The households of a region in all and in each neighbourhood, summed when
/// a cohort enters and kept until they are marked stale: the households
/// change only with residential moves, so with moves off they are summed
/// once a replicate (the sum in all is a serial sum of a number a
/// neighbourhood and household type: 5.3 million at national scale).
#[derive(Debug, Clone, Default)]
pub struct HouseholdSums {
    total: f64,
    each: Vec<f64>,
    current: bool,
}

impl HouseholdSums {
    /// The households have changed: sum them again when the next cohort enters.
    pub fn stale(&mut self) {
        self.current = false;
    }

    /// Sum `households` (`types` a neighbourhood of `nn`) unless the sums are
    /// current: in all, in order, and each neighbourhood's, side by side.
    fn update(&mut self, households: &[f32], nn: usize, types: usize) {
        if self.current && self.each.len() == nn {
            return;
        }
        let each = &mut self.each;
        each.clear();
        each.resize(nn, 0.0);
        let (total, ()) = rayon::join(
            || households.iter().map(|h| *h as f64).sum::<f64>(),
            || {
                each.par_iter_mut().enumerate().with_min_len(1024).for_each(|(n, t)| {
                    *t = households[n * types..(n + 1) * types].iter().map(|v| *v as f64).sum();
                })
            },
        );
        self.total = total;
        self.current = true;
    }
}

/// `e` rounded down, or up with probability its fractional part (`u` uniform on 0 to 1).
#[inline]
fn stochastic_round(e: f64, u: f64) -> u32 {
    let base = e.floor();
    base as u32 + u32::from(u < e - base)
}

/// What the draw of an entrant depends on, fixed for a year.
struct Draw<'a> {
    p: &'a PopulationParams,
    /// Household types (SES bands × groups).
    types: usize,
    groups: usize,
    dis_cut: f32,
    /// Correlation of prior attainment with SES, and what is left of 1.
    r: f32,
    r_rest: f32,
    /// Standard normal quantiles ([`normal_table`]).
    table: &'static [f32; 4097],
    /// The SEN probability at each of them.
    sen: &'a SenEdges,
}

/// An entrant, before its home is placed.
struct Entrant {
    /// Household type (SES band × group).
    household: usize,
    /// SES (a standard normal score) and its percentile.
    z: f32,
    pct: f32,
    flags: u8,
    /// Prior attainment.
    prior: f32,
}

impl<'a> Draw<'a> {
    fn new(p: &'a PopulationParams, groups: usize, sen: &'a SenEdges) -> Self {
        let r = p.prior_ses_correlation as f32;
        Draw {
            p,
            types: SES_BANDS * groups,
            groups,
            dis_cut: p.disadvantaged_share as f32,
            r,
            r_rest: (1.0 - r * r).max(0.0).sqrt(),
            table: normal_table(),
            sen,
        }
    }

    /// One entrant of a neighbourhood whose households by type are `row`
    /// (`row_total` in all): its household type in proportion to them, its
    /// SES within the type's band, its flags and prior attainment.
    #[inline]
    fn entrant<R: rand::Rng + ?Sized>(&self, row: &[f32], row_total: f32, rng: &mut R) -> Entrant {
        let p = self.p;
        let mut u: f32 = rng.random::<f32>() * row_total;
        let mut t = self.types - 1;
        for (k, h) in row.iter().enumerate() {
            if u < *h {
                t = k;
                break;
            }
            u -= *h;
        }
        let band = t / self.groups;
        let pct = ((band as f32 + rng.random::<f32>()) / SES_BANDS as f32).min(0.999_999);
        let (z, cell) = fast_norm_inv(self.table, pct);
        let dis = pct < self.dis_cut;
        // SEN with probability min(1, share · exp(-βz - β²/2)).
        let sen = self.sen.below(rng.random::<f64>(), z, cell);
        let eal = rng.random::<f64>() < p.eal_share;
        // Flags and gaps without a branch on these unpredictable draws.
        let f = (u8::from(dis) * flag::DIS) | (u8::from(sen) * flag::SEN) | (u8::from(eal) * flag::EAL);
        let eps: f32 = StandardNormal.sample(rng);
        let mut a = self.r * z + self.r_rest * eps;
        a = if sen { a - p.sen_prior_gap as f32 } else { a };
        a = if eal { a - p.eal_prior_gap as f32 } else { a };
        Entrant { household: t, z, pct, flags: f, prior: a }
    }
}

/// The SEN probability `min(1, share · exp(-βz - β²/2))` at each point of
/// the normal quantile table, to decide whether a draw falls below it at a
/// `z` between two of them without computing the exponential: it lies
/// between the two (it is monotone in `z`).
#[derive(Debug, Clone, Default)]
pub struct SenEdges {
    /// `share · exp(-βz - β²/2)` at each point of [`normal_table`].
    edge: Vec<f64>,
    /// The share and slope (β) they were computed for.
    share: f64,
    beta: f64,
}

/// Relative margin of [`SenEdges::below`]'s bounds: far more than the
/// error of `exp` (an ulp), of the products, and of a `z` an ulp or two
/// outside its cell of the table (under 2e-6 for |β| ≤ 3, |z| < 6).
const SEN_TOL: f64 = 1e-4;

impl SenEdges {
    /// Make the edges be those of `share` and slope `beta` (recomputed only
    /// if they changed).
    fn set(&mut self, share: f64, beta: f64) {
        if self.edge.len() == 4097 && self.share.to_bits() == share.to_bits() && self.beta.to_bits() == beta.to_bits() {
            return;
        }
        let t = normal_table();
        self.edge.clear();
        self.edge.extend(t.iter().map(|&z| share * (-beta * z as f64 - beta * beta / 2.0).exp()));
        (self.share, self.beta) = (share, beta);
    }

    /// Whether `u` is below `min(1, share · exp(-βz - β²/2))` (the same
    /// decision as computing that), for `z` interpolated in `cell` of the
    /// table ([`fast_norm_inv`]). The probability lies between the cell's
    /// two edges: `u` below both (less the margin) is below it, `u` above
    /// both (plus the margin) is not; only in between (rare) is the
    /// exponential computed.
    #[inline]
    fn below(&self, u: f64, z: f32, cell: usize) -> bool {
        let (e0, e1) = (self.edge[cell], self.edge[cell + 1]);
        let lo = e0.min(e1) * (1.0 - SEN_TOL);
        let hi = e0.max(e1) * (1.0 + SEN_TOL);
        let sure = (self.share >= 0.0) & ((u < lo) | (u >= hi));
        if sure {
            u < lo
        } else {
            let beta = self.beta;
            u < (self.share * (-beta * z as f64 - beta * beta / 2.0).exp()).min(1.0)
        }
    }
}

/// Fill `cohort` with a new cohort of entrants drawn from the current
/// households, entering in `entry_year`, from the streams of `at`. `work` is
/// reused working memory.
pub fn enter(
    cohort: &mut Cohort,
    s: &Scenario,
    region: &Region,
    households: &[f32],
    at: Year,
    entry_year: i32,
    work: &mut Scratch,
) {
    let Year { seed, year } = at;
    let Scratch { counts: scratch, ses_pct, households: sums, sen } = work;
    let types = region.types();
    let groups = region.groups;
    let nn = region.len();
    sums.update(households, nn, region.types());
    senders(s.region.entrants_per_year as f64, sums, at, scratch);
    let total: usize = scratch.iter().map(|c| *c as usize).sum();
    cohort.resize(total);
    ses_pct.resize(total, 0.0); // every value is written below
    cohort.entry_year = entry_year;
    let chunk_sizes: Vec<usize> = scratch.chunks(NBHD_CHUNK).map(|c| c.iter().map(|v| *v as usize).sum()).collect();
    sen.set(s.population.sen_share, s.population.sen_ses_slope);
    let draw = Draw::new(&s.population, groups, sen);
    let cell = region.cell_km as f32;
    let counts: &[u32] = scratch;
    cohort.nbhd_start.clear();
    cohort.nbhd_start.reserve_exact(nn + 1);
    cohort.nbhd_start.push(0);
    let mut first = 0u32;
    for &k in counts {
        first += k;
        cohort.nbhd_start.push(first);
    }
    let parts = Rows::split(cohort, ses_pct, &chunk_sizes);
    parts.into_par_iter().enumerate().for_each(|(c, r)| {
        let mut rng = stream(seed, Purpose::Cohort, year, c as u64);
        let first_n = c * NBHD_CHUNK;
        // Every column of the chunk cut to the same length, so that one
        // check of a pupil's index serves them all.
        let len = r.x.len();
        let r = Rows {
            x: &mut r.x[..len],
            y: &mut r.y[..len],
            ses: &mut r.ses[..len],
            ses_pct: &mut r.ses_pct[..len],
            flags: &mut r.flags[..len],
            group: &mut r.group[..len],
            prior: &mut r.prior[..len],
            attainment: &mut r.attainment[..len],
            school: &mut r.school[..len],
        };
        let mut i = 0usize;
        for n in first_n..(first_n + NBHD_CHUNK).min(nn) {
            let row = &households[n * types..(n + 1) * types];
            let row_total: f32 = row.iter().sum();
            for _ in 0..counts[n] {
                let e = draw.entrant(row, row_total, &mut rng);
                r.x[i] = region.nbhd_x[n] + (rng.random::<f32>() - 0.5) * cell;
                r.y[i] = region.nbhd_y[n] + (rng.random::<f32>() - 0.5) * cell;
                r.ses[i] = e.z;
                r.ses_pct[i] = e.pct;
                r.flags[i] = e.flags;
                r.group[i] = (e.household % groups) as u8;
                r.prior[i] = e.prior;
                r.attainment[i] = e.prior;
                r.school[i] = NONE;
                i += 1;
            }
        }
    });
    assign_bands(cohort, s.admissions.bands as usize);
}

/// How many entrants each neighbourhood sends (into `counts`): its share of
/// the households (`sums`) times `entrants`, stochastically rounded from the
/// cohort's stream of `at`.
fn senders(entrants: f64, sums: &HouseholdSums, at: Year, counts: &mut Vec<u32>) {
    let per_h = entrants / sums.total.max(1e-12);
    let mut rng = stream(at.seed, Purpose::Cohort, at.year, u64::MAX);
    counts.clear();
    counts.resize(sums.each.len(), 0);
    for (count, &h) in counts.iter_mut().zip(sums.each.iter()) {
        *count = stochastic_round(h * per_h, rng.random());
    }
}

/// Cohorts up to this size have their band cut points selected by
/// `radix_select` (a pass or two over the priors: fewer steps than
/// selecting them one by one); larger ones are selected one by one, in
/// parallel.
const RADIX_FOR_BANDS: usize = 1 << 16;

/// Bands up to this many have a pupil's band counted as the number of cut
/// points at or below its prior (a comparison each); more, found by a
/// binary search.
const COUNT_BANDS: usize = 8;

/// Prior-attainment bands: equal-sized groups of the cohort by prior
/// attainment. The cut points are the order statistics of the priors
/// (`RADIX_FOR_BANDS`).
pub fn assign_bands(cohort: &mut Cohort, bands: usize) {
    let n = cohort.len();
    if n == 0 || bands <= 1 {
        cohort.band.iter_mut().for_each(|b| *b = 0);
        return;
    }
    // The cut points are order statistics of the priors (in the total order
    // of floats, where equal means the same bits: each is one exact value).
    let mut pos = [0usize; 32];
    let mut cuts = [f32::INFINITY; 32];
    let k = bands.min(32) - 1;
    for (j, p) in pos[..k].iter_mut().enumerate() {
        *p = ((j + 1) * n / bands).min(n - 1);
    }
    // Distinct positions (they repeat only when there are fewer pupils than bands).
    let mut uniq = pos;
    let mut m = 0;
    for j in 0..k {
        if m == 0 || uniq[m - 1] != pos[j] {
            uniq[m] = pos[j];
            m += 1;
        }
    }
    let mut vals = [0.0f32; 32];
    if n <= RADIX_FOR_BANDS {
        radix_select(&cohort.prior, &uniq[..m], &mut vals[..m]);
    } else {
        // A copy, freed at once (a number a pupil, needed for a moment once a year).
        let mut scratch = cohort.prior.clone();
        order_statistics(&mut scratch, 0, &uniq[..m], &mut vals[..m]);
    }
    for j in 0..k {
        cuts[j] = vals[uniq[..m].partition_point(|&u| u < pos[j])];
    }
    let cuts = &cuts[..k];
    // Counting the cut points at or below a prior is the binary search's
    // answer when the cut points, sorted, are at or below it only from the
    // first on: so unless one is NaN.
    if k <= COUNT_BANDS && !cuts.iter().any(|c| c.is_nan()) {
        cohort.prior.par_iter().zip(cohort.band.par_iter_mut()).for_each(|(p, b)| {
            *b = cuts.iter().map(|c| u8::from(*c <= *p)).sum();
        });
    } else {
        cohort.prior.par_iter().zip(cohort.band.par_iter_mut()).for_each(|(p, b)| {
            *b = cuts.partition_point(|c| *c <= *p) as u8;
        });
    }
}

/// The values at the distinct, increasing positions `pos` of `v` in the
/// order of `f32::total_cmp`, into `out`, by a radix selection: the values
/// are counted by the top 11 bits of their `total_key`s, which tells in
/// which of these buckets each position falls and where in it; the keys of
/// those buckets only are gathered, and each position selected among them.
fn radix_select(v: &[f32], pos: &[usize], out: &mut [f32]) {
    const SHIFT: u32 = 21;
    let mut count = [0u32; 2048];
    for &x in v {
        count[(total_key(x) >> SHIFT) as usize] += 1;
    }
    // Each position's bucket and rank within it; the distinct buckets, and
    // each bucket's slot among them (`u8::MAX`: no position falls in it).
    let (mut bucket, mut rank) = ([0usize; 32], [0usize; 32]);
    let (mut j, mut at) = (0, 0usize);
    for (b, &c) in count.iter().enumerate() {
        let end = at + c as usize;
        while j < pos.len() && pos[j] < end {
            (bucket[j], rank[j]) = (b, pos[j] - at);
            j += 1;
        }
        if j == pos.len() {
            break;
        }
        at = end;
    }
    let mut slot = [u8::MAX; 2048];
    let mut gathered: Vec<Vec<u32>> = Vec::new();
    for &b in &bucket[..pos.len()] {
        if slot[b] == u8::MAX {
            slot[b] = gathered.len() as u8;
            gathered.push(Vec::with_capacity(count[b] as usize));
        }
    }
    for &x in v {
        let key = total_key(x);
        let s = slot[(key >> SHIFT) as usize];
        if s != u8::MAX {
            gathered[s as usize].push(key);
        }
    }
    for j in 0..pos.len() {
        let g = &mut gathered[slot[bucket[j]] as usize];
        out[j] = from_total_key(*g.select_nth_unstable(rank[j]).1);
    }
}

/// The values at the distinct, increasing positions `pos` (offset by `base`)
/// of `v` in sorted order, into `out`: the middle one first, then the two
/// sides (in parallel when large), which hold the smaller and larger values.
fn order_statistics(v: &mut [f32], base: usize, pos: &[usize], out: &mut [f32]) {
    if pos.is_empty() {
        return;
    }
    let m = pos.len() / 2;
    let p = pos[m] - base;
    let (left, mid, right) = v.select_nth_unstable_by(p, f32::total_cmp);
    out[m] = *mid;
    let (pl, pr) = pos.split_at(m);
    let (ol, or) = out.split_at_mut(m);
    let large = left.len() + right.len() > 1 << 16;
    let mut lower = move || order_statistics(left, base, pl, ol);
    let mut upper = move || order_statistics(right, base + p + 1, &pr[1..], &mut or[1..]);
    if large {
        rayon::join(lower, upper);
    } else {
        lower();
        upper();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn household_sums_are_kept_until_stale_and_are_the_ordered_sums() {
        let (nn, types) = (3000, 7);
        let mut h: Vec<f32> = (0..nn * types).map(|k| ((k * 7919) % 1000) as f32 * 0.013 + 0.1).collect();
        let mut sums = HouseholdSums::default();
        sums.update(&h, nn, types);
        let serial: f64 = h.iter().map(|v| *v as f64).sum();
        assert_eq!(sums.total.to_bits(), serial.to_bits());
        for (n, t) in sums.each.iter().enumerate() {
            let row: f64 = h[n * types..(n + 1) * types].iter().map(|v| *v as f64).sum();
            assert_eq!(t.to_bits(), row.to_bits());
        }
        // Changed households are not summed again until marked stale.
        h[5] += 100.0;
        sums.update(&h, nn, types);
        assert_eq!(sums.total.to_bits(), serial.to_bits());
        sums.stale();
        sums.update(&h, nn, types);
        let serial: f64 = h.iter().map(|v| *v as f64).sum();
        assert_eq!(sums.total.to_bits(), serial.to_bits());
        assert_eq!(sums.each[0].to_bits(), h[..types].iter().map(|v| *v as f64).sum::<f64>().to_bits());
    }

    #[test]
    fn a_cohort_has_the_scenario_shares() {
        let s = Scenario::default();
        let region = crate::region::build(&s, None, 11).unwrap();
        let mut c = Cohort::default();
        let mut scratch = Scratch::default();
        enter(&mut c, &s, &region, &region.households, Year { seed: 11, year: 1 }, 1, &mut scratch);
        let n = c.len() as f64;
        assert!((n - 6000.0).abs() < 200.0, "{n}");
        let dis = (0..c.len()).filter(|&i| c.dis(i)).count() as f64 / n;
        assert!((dis - 0.25).abs() < 0.03, "{dis}");
        let sen = c.flags.iter().filter(|f| *f & flag::SEN != 0).count() as f64 / n;
        assert!((sen - 0.14).abs() < 0.03, "{sen}");
        // Prior attainment is correlated with SES.
        let (ms, mp) = (c.ses.iter().sum::<f32>() / n as f32, c.prior.iter().sum::<f32>() / n as f32);
        let cov: f32 = c.ses.iter().zip(&c.prior).map(|(a, b)| (a - ms) * (b - mp)).sum::<f32>();
        assert!(cov > 0.0);
        // Bands are equal-sized.
        let low = c.band.iter().filter(|b| **b == 0).count() as f64 / n;
        assert!((low - 0.2).abs() < 0.01, "{low}");
    }

    /// The band cut points are the order statistics a full sort gives, for
    /// any size of cohort (fewer pupils than bands included) and many ties.
    #[test]
    fn band_cuts_are_the_sorted_order_statistics() {
        let mut state = 7u64;
        for n in [1usize, 2, 3, 4, 5, 7, 30, 1000, 70_001, 200_000] {
            for bands in [2usize, 3, 5, 9, 32, 40] {
                let mut c = Cohort::default();
                c.resize(n);
                for p in c.prior.iter_mut() {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    *p = ((state >> 40) % 50) as f32 * 0.1 - 2.5;
                }
                let mut sorted = c.prior.clone();
                sorted.sort_by(f32::total_cmp);
                let k = bands.min(32) - 1;
                let cuts: Vec<f32> = (1..=k).map(|j| sorted[(j * n / bands).min(n - 1)]).collect();
                assign_bands(&mut c, bands);
                for (p, b) in c.prior.iter().zip(&c.band) {
                    assert_eq!(*b as usize, cuts.partition_point(|x| *x <= *p), "n {n} bands {bands}");
                }
            }
        }
    }

    /// The radix selection gives the values a sort by `total_cmp` puts at
    /// the positions, for floats with ties, signed zeros, infinities and
    /// NaNs, heavily tied ones and any bits.
    #[test]
    fn radix_select_is_the_sorted_order_statistics() {
        let check = |v: &[f32], pos: &[usize]| {
            let mut sorted = v.to_vec();
            sorted.sort_unstable_by(f32::total_cmp);
            let mut out = vec![0.0f32; pos.len()];
            radix_select(v, pos, &mut out);
            for (p, o) in pos.iter().zip(&out) {
                assert_eq!(o.to_bits(), sorted[*p].to_bits(), "n {} pos {p}", v.len());
            }
        };
        for (len, seed) in [(1usize, 1u64), (2, 2), (5, 3), (50, 4), (999, 5), (6000, 6), (70_000, 7)] {
            let v = crate::stats::tests::awkward(len, seed);
            let tied: Vec<f32> = v.iter().map(|x| x.clamp(-1.0, 1.0).round()).collect();
            for bands in [2usize, 5, 10, 32] {
                let pos: Vec<usize> = (1..bands).map(|j| (j * len / bands).min(len - 1)).collect();
                let mut pos_uniq = pos.clone();
                pos_uniq.dedup();
                check(&v, &pos_uniq);
                check(&tied, &pos_uniq);
            }
            check(&v, &(0..len.min(31)).collect::<Vec<_>>());
        }
    }

    proptest::proptest! {
        /// Any bit patterns, any distinct positions.
        #[test]
        fn radix_select_of_any_bits(
            raw in proptest::collection::vec(proptest::prelude::any::<u32>(), 1..400),
            picks in proptest::collection::vec(proptest::prelude::any::<usize>(), 1..31),
        ) {
            let v: Vec<f32> = raw.iter().map(|&b| f32::from_bits(b)).collect();
            let mut pos: Vec<usize> = picks.iter().map(|p| p % v.len()).collect();
            pos.sort_unstable();
            pos.dedup();
            let mut sorted = v.clone();
            sorted.sort_unstable_by(f32::total_cmp);
            let mut out = vec![0.0f32; pos.len()];
            radix_select(&v, &pos, &mut out);
            for (p, o) in pos.iter().zip(&out) {
                proptest::prop_assert_eq!(o.to_bits(), sorted[*p].to_bits());
            }
        }
    }

    /// The decision from the table's edges is the exact one, for SES
    /// percentiles anywhere (table points included), draws far from and
    /// right at the probability (and the floats next to it), slopes from -3
    /// to 3 and shares from 0 to 1 (some clamped at 1).
    #[test]
    fn sen_edges_decide_as_the_exact_exp() {
        let mut state = 5u64;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let t = normal_table();
        let mut edges = SenEdges::default();
        let (mut near, mut total) = (0, 0);
        for i in 0..400_000 {
            if i % 2000 == 0 {
                let share = [0.0, 1.0, 0.14, next()][i / 2000 % 4];
                edges.set(share, (next() - 0.5) * 6.0);
            }
            let pct = match i % 4 {
                0 => ((next() * 4096.0).floor() / 4096.0) as f32,
                1 => 0.999_999,
                _ => (next() as f32).min(0.999_999),
            };
            let (z, cell) = fast_norm_inv(t, pct);
            let (share, beta) = (edges.share, edges.beta);
            let p = (share * (-beta * z as f64 - beta * beta / 2.0).exp()).min(1.0);
            let step = |x: f64, up: bool| {
                let b = x.to_bits();
                f64::from_bits(if up { b + 1 } else { b.saturating_sub(1) })
            };
            let draws = [next(), p, step(p, true), step(p, false), p * (1.0 + 3e-5), p * (1.0 - 3e-5), 0.0];
            for u in draws {
                let u = u.min(1.0 - f64::EPSILON / 2.0);
                total += 1;
                near += usize::from((u - p).abs() <= p * SEN_TOL);
                assert_eq!(edges.below(u, z, cell), u < p, "u {u} share {share} beta {beta} pct {pct} p {p}");
            }
        }
        assert!(near > total / 4, "{near} of {total}");
    }

    #[test]
    fn fast_normal_quantiles_are_close() {
        for u in [0.01f32, 0.1, 0.25, 0.5, 0.9, 0.99] {
            assert!((fast_norm_inv(normal_table(), u).0 - norm_inv(u as f64) as f32).abs() < 5e-3);
        }
    }
}
