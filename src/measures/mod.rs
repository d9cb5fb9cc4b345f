//! Measures: pure index functions ([`segregation`], [`attainment`]) and the
//! yearly record of a world ([`Recorder`]).
//!
//! Segregation is measured over all pupils on roll, between schools and
//! between the neighbourhoods they live in. Attainment is measured on the
//! leaving cohort (the year group in its final year: the published results).
//! Choice is measured on this year's entrants.

pub mod attainment;
pub mod segregation;

use std::borrow::Cow;

use crate::cohort::{Cohort, flag};
use crate::scenario::Scenario;
use crate::stats::weighted_mean_sd;
use crate::world::World;
use rayon::prelude::*;

/// One measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// What is measured (for example `school_gorard`).
    pub measure: &'static str,
    /// For whom (for example `disadvantaged`, `group:minority`, `band:1`, `all`).
    pub subgroup: Cow<'static, str>,
    /// The value.
    pub value: f64,
}

impl Metric {
    /// A metric.
    pub fn new(measure: &'static str, subgroup: impl Into<Cow<'static, str>>, value: f64) -> Metric {
        Metric { measure, subgroup: subgroup.into(), value }
    }
}

/// The headline measures: shown in summaries and charts first.
pub const HEADLINE: [(&str, &str, &str); 5] = [
    ("school_gorard", "disadvantaged", "Segregation of disadvantaged pupils (Gorard)"),
    ("gap_index", "disadvantaged", "Disadvantage gap index (DfE)"),
    ("attainment_mean", "all", "Mean attainment (SD)"),
    ("ses_gradient", "all", "SES gradient (SD per SD)"),
    ("between_school_variance", "all", "Between-school share of variance"),
];

/// Computes the yearly measures. Its working memory of a number a school
/// is reused from year to year; of a number a neighbourhood or a leaver,
/// freed after each year's record.
#[derive(Debug, Default)]
pub struct Recorder {
    district_pairs: Vec<Vec<(f32, bool)>>,
    school: Counts,
    nbhd: Counts,
}

/// Pupils on roll counted per unit (school or neighbourhood), in whole
/// numbers: a row per unit of the total, the disadvantaged, each group and
/// each band. The indices read them as numbers (the same values as adding
/// ones), without copies.
#[derive(Debug, Default)]
struct Counts {
    units: usize,
    groups: usize,
    bands: usize,
    rows: Vec<u32>,
}

/// Columns of a row of [`Counts`].
const TOTAL: usize = 0;
const DIS: usize = 1;
const FIRST_GROUP: usize = 2;

impl Counts {
    fn width(&self) -> usize {
        FIRST_GROUP + self.groups + self.bands
    }

    /// Unit `u`'s count in column `col`.
    #[inline]
    fn get(&self, u: usize, col: usize) -> f64 {
        f64::from(self.rows[u * self.width() + col])
    }

    /// Start counting `units` units, every count zero.
    fn reset(&mut self, units: usize, groups: usize, bands: usize) {
        (self.units, self.groups, self.bands) = (units, groups, bands);
        self.rows.clear();
        self.rows.resize(units * self.width(), 0);
    }

    /// Count pupils on roll by school: each pupil in its school's cell of
    /// (disadvantaged or not, group, band), then each school's columns as
    /// sums of its cells (the same whole numbers as counting each pupil in
    /// each column, with one count a pupil instead of three).
    fn fill_by_school(&mut self, units: usize, groups: usize, bands: usize, cohorts: &[Cohort]) {
        self.reset(units, groups, bands);
        let per = 2 * groups * bands;
        let mut cells = vec![0u32; units * per];
        for c in cohorts {
            for (((&u, &f), &g), &b) in c.school.iter().zip(&c.flags).zip(&c.group).zip(&c.band) {
                let dis = usize::from(f & flag::DIS != 0);
                cells[((u as usize * 2 + dis) * groups + g as usize) * bands + b as usize] += 1;
            }
        }
        self.add_cells(&cells);
    }

    /// Add to each unit's columns its cells of (disadvantaged or not,
    /// group, band), `2 · groups · bands` a unit: a cell's pupils to the
    /// unit's total, its group's and its band's columns, and a disadvantaged
    /// cell's to the disadvantaged column.
    fn add_cells(&mut self, cells: &[u32]) {
        let (groups, bands, w) = (self.groups, self.bands, self.width());
        let per = 2 * groups * bands;
        for (row, cells) in self.rows.chunks_exact_mut(w).zip(cells.chunks_exact(per)) {
            for (dis, cells) in cells.chunks_exact(groups * bands).enumerate() {
                for (g, by_band) in cells.chunks_exact(bands).enumerate() {
                    for (b, &k) in by_band.iter().enumerate() {
                        row[TOTAL] += k;
                        row[DIS] += if dis == 1 { k } else { 0 };
                        row[FIRST_GROUP + g] += k;
                        row[FIRST_GROUP + groups + b] += k;
                    }
                }
            }
        }
    }

    /// Count pupils on roll by home neighbourhood. A neighbourhood's pupils
    /// of a year group are stored together: its total and disadvantaged
    /// pupils are counted a run of pupils at a time, and its pupils by
    /// (group, band) into `cells`, which are then added to its group and
    /// band columns.
    fn fill_by_nbhd(&mut self, units: usize, groups: usize, bands: usize, cohorts: &[Cohort]) {
        self.reset(units, groups, bands);
        let w = self.width();
        let mut cells = vec![0u32; groups * bands];
        for (n, row) in self.rows.chunks_exact_mut(w).enumerate() {
            cells.fill(0);
            for c in cohorts {
                // A year group not yet entered has no pupils.
                let Some(r) = c.nbhd_start.get(n..n + 2) else { continue };
                let (lo, hi) = (r[0] as usize, r[1] as usize);
                row[TOTAL] += (hi - lo) as u32;
                row[DIS] += c.flags[lo..hi].iter().map(|&f| u32::from(f & flag::DIS != 0)).sum::<u32>();
                for (&g, &b) in c.group[lo..hi].iter().zip(&c.band[lo..hi]) {
                    cells[g as usize * bands + b as usize] += 1;
                }
            }
            for (g, by_band) in cells.chunks_exact(bands).enumerate() {
                for (b, &k) in by_band.iter().enumerate() {
                    row[FIRST_GROUP + g] += k;
                    row[FIRST_GROUP + groups + b] += k;
                }
            }
        }
    }

    /// The segregation indices of these counts, in the order written: the
    /// indices are computed in parallel (each one serially, as before), so
    /// the values do not depend on the thread count.
    fn record(&self, prefix: &'static [&'static str; 5], theil_multi: &'static str, s: &Scenario) -> Vec<Metric> {
        enum Task {
            /// A subgroup against the rest: its column.
            Binary(Cow<'static, str>, usize),
            /// Every subgroup at once: the first column and how many.
            Multi(&'static str, usize, usize),
        }
        let (groups, bands) = (self.groups, self.bands);
        let mut tasks = vec![Task::Binary("disadvantaged".into(), DIS)];
        if groups > 1 {
            for (g, gp) in s.population.groups.iter().enumerate() {
                tasks.push(Task::Binary(format!("group:{}", gp.name).into(), FIRST_GROUP + g));
            }
            tasks.push(Task::Multi("groups", FIRST_GROUP, groups));
        }
        if bands > 1 {
            for b in 0..bands {
                tasks.push(Task::Binary(format!("band:{}", b + 1).into(), FIRST_GROUP + groups + b));
            }
            tasks.push(Task::Multi("bands", FIRST_GROUP + groups, bands));
        }
        let parts: Vec<Vec<Metric>> = tasks
            .into_par_iter()
            .map(|task| match task {
                Task::Binary(sub, col) => {
                    let (rows, w) = (&self.rows, self.width());
                    let b = segregation::binary_of_counts(self.units, |u| rows[u * w + col], |u| rows[u * w + TOTAL]);
                    prefix
                        .iter()
                        .zip([b.dissimilarity, b.gorard, b.theil, b.isolation, b.exposure])
                        .map(|(name, v)| Metric::new(name, sub.clone(), v))
                        .collect()
                }
                Task::Multi(sub, first, k) => {
                    let (rows, w) = (&self.rows, self.width());
                    let h = segregation::theil_multi_of_counts(self.units, k, |u, j| rows[u * w + first + j]);
                    vec![Metric::new(theil_multi, sub, h)]
                }
            })
            .collect();
        parts.into_iter().flatten().collect()
    }
}

const SCHOOL: [&str; 5] =
    ["school_dissimilarity", "school_gorard", "school_theil", "school_isolation", "school_exposure"];
const RESIDENTIAL: [&str; 5] = [
    "residential_dissimilarity",
    "residential_gorard",
    "residential_theil",
    "residential_isolation",
    "residential_exposure",
];

impl Recorder {
    /// The measures of the world's current year.
    pub fn record(&mut self, s: &Scenario, w: &World) -> Vec<Metric> {
        let mut out = Vec::with_capacity(128);
        let groups = s.population.groups.len();
        let bands = s.admissions.bands as usize;
        let n_schools = w.schools.len();
        let n_nbhds = w.region.len();
        // Segregation between schools and between neighbourhoods (each from
        // its counts), the leavers' attainment and the entrants' choices are
        // independent: computed in parallel, written in this order.
        let (school, nbhd) = (&mut self.school, &mut self.nbhd);
        let ((by_school, by_nbhd), (leavers, entrants)) = rayon::join(
            || {
                rayon::join(
                    || {
                        school.fill_by_school(n_schools, groups, bands, &w.cohorts);
                        school.record(&SCHOOL, "school_theil_multigroup", s)
                    },
                    || {
                        nbhd.fill_by_nbhd(n_nbhds, groups, bands, &w.cohorts);
                        nbhd.record(&RESIDENTIAL, "residential_theil_multigroup", s)
                    },
                )
            },
            || {
                let (mut l, mut e) = (Vec::with_capacity(32), Vec::with_capacity(16));
                rayon::join(|| leavers(s, w, &mut l), || entrants(w, &mut e));
                (l, e)
            },
        );
        out.extend(by_school);
        out.extend(by_nbhd);
        out.extend(leavers);
        out.extend(entrants);
        schools_and_system(w, &mut out);
        if s.measures.per_district {
            self.per_district(s, w, &mut out);
        }
        if s.openings.enabled {
            out.push(Metric::new("openings", "all", w.events.openings as f64));
        }
        // Counts a neighbourhood and scores a leaver are not held until next
        // year (the year's peak of memory comes while the next cohort enters
        // and is admitted).
        self.nbhd.rows = Vec::new();
        self.district_pairs = Vec::new();
        out
    }

    /// The segregation of disadvantaged pupils (between the schools of each
    /// district, and between its neighbourhoods) and the attainment measures
    /// of each district's leavers (by their school's district), as subgroup
    /// `district:K`.
    fn per_district(&mut self, s: &Scenario, w: &World, out: &mut Vec<Metric>) {
        let d = w.region.districts;
        let label = |k: usize| -> Cow<'static, str> { format!("district:{k}").into() };
        let units: [(&Counts, &[u32], &[&str; 5]); 2] =
            [(&self.school, &w.schools.district, &SCHOOL), (&self.nbhd, &w.region.nbhd_district, &RESIDENTIAL)];
        for (counts, district, names) in units {
            let (mut x, mut t) = (vec![Vec::new(); d], vec![Vec::new(); d]);
            for (u, &k) in district.iter().enumerate() {
                x[k as usize].push(counts.get(u, DIS));
                t[k as usize].push(counts.get(u, TOTAL));
            }
            for k in 0..d {
                let b = segregation::binary(&x[k], &t[k]);
                for (name, v) in names.iter().zip([b.dissimilarity, b.gorard, b.theil, b.isolation, b.exposure]) {
                    out.push(Metric::new(name, label(k), v));
                }
            }
        }
        let c = &w.cohorts[w.leaving()];
        let n_schools = w.schools.len();
        let mut all = vec![attainment::Moments::default(); d];
        let mut by = vec![[attainment::Moments::default(); 2]; d];
        let mut below = vec![0usize; d];
        let mut ss = vec![0.0f64; d];
        let (mut count, mut sum) = (vec![0.0; n_schools], vec![0.0; n_schools]);
        self.district_pairs.resize_with(d, Vec::new);
        self.district_pairs.iter_mut().for_each(Vec::clear);
        let basic = s.measures.basic_threshold;
        for i in 0..c.len() {
            let a = c.attainment[i] as f64;
            let dis = c.flags[i] & flag::DIS != 0;
            let sid = c.school[i] as usize;
            let k = w.schools.district[sid] as usize;
            all[k].add(c.ses[i] as f64, a);
            by[k][usize::from(dis)].add(0.0, a);
            below[k] += usize::from(a < basic);
            ss[k] += a * a;
            count[sid] += 1.0;
            sum[sid] += a;
            self.district_pairs[k].push((c.attainment[i], dis));
        }
        // Each district's gap index ranks its own leavers: side by side.
        let gaps: Vec<f64> = self.district_pairs.par_iter_mut().map(|p| attainment::gap_index(p)).collect();
        for k in 0..d {
            let sd = all[k].sd_y();
            let (slope, r2) = all[k].slope_r2();
            let of_k = |v: &[f64]| -> Vec<f64> {
                (0..n_schools).filter(|&i| w.schools.district[i] as usize == k).map(|i| v[i]).collect()
            };
            out.push(Metric::new("attainment_mean", label(k), all[k].mean_y()));
            out.push(Metric::new("attainment_sd", label(k), sd));
            out.push(Metric::new("gap_sd", label(k), (by[k][0].mean_y() - by[k][1].mean_y()) / sd));
            out.push(Metric::new("gap_index", label(k), gaps[k]));
            out.push(Metric::new("ses_gradient", label(k), slope));
            out.push(Metric::new("ses_r2", label(k), r2));
            out.push(Metric::new("below_basic", label(k), below[k] as f64 / self.district_pairs[k].len() as f64));
            out.push(Metric::new(
                "between_school_variance",
                label(k),
                attainment::between_share(&of_k(&count), &of_k(&sum), ss[k]),
            ));
        }
    }
}

/// Leaving cohorts of more pupils than this rank their scores as two lists,
/// one a group ([`gap_of_lists`]: 4 bytes a pupil for the copies and 8 for
/// their sorts), not in one sort of flagged 64-bit keys
/// ([`attainment::gap_index_by`], quicker, but 16 bytes a pupil): a national
/// run's measures come at its year's peak of memory. The index is the same.
const GAP_KEYS_UP_TO: usize = 1 << 16;

/// The leaving cohort's gap index from its scores copied into two lists by
/// group ([`attainment::gap_index_of`]), each list allocated at its size.
fn gap_of_lists(c: &Cohort) -> f64 {
    let n_dis = c.flags.iter().filter(|&&f| f & flag::DIS != 0).count();
    let (mut dis, mut other) = (Vec::with_capacity(n_dis), Vec::with_capacity(c.len() - n_dis));
    for (&a, &f) in c.attainment.iter().zip(&c.flags) {
        if f & flag::DIS != 0 { &mut dis } else { &mut other }.push(a);
    }
    attainment::gap_index_of(&mut dis, &mut other)
}

/// The measures of the leaving cohort.
fn leavers(s: &Scenario, w: &World, out: &mut Vec<Metric>) {
    let c = &w.cohorts[w.leaving()];
    let n = c.len();
    let n_schools = w.schools.len();
    let mut all = attainment::Moments::default();
    // Sums of scores: of the advantaged and the disadvantaged; of SEN,
    // non-SEN, EAL and non-EAL pupils. Pupils are counted in whole numbers
    // (adding ones in f64 gives the same whole numbers).
    let mut by = [0.0f64; 2];
    let mut needs = [0.0f64; 4];
    let (mut n_dis, mut n_sen, mut n_eal) = (0usize, 0usize, 0usize);
    let mut below = [0usize; 2];
    let mut count = vec![0u32; n_schools];
    let mut sum = vec![0.0; n_schools];
    let d = w.region.districts;
    let mut dsum = vec![0.0; d];
    let mut ss = 0.0;
    let basic = s.measures.basic_threshold;
    let district = &w.schools.district[..n_schools];
    // The gap index ranks the scores (sorted apart from the sums below,
    // which are taken in pupil order).
    let (gap, ()) = rayon::join(
        || {
            let dis = c.flags.iter().map(|f| f & flag::DIS != 0);
            if n <= GAP_KEYS_UP_TO { attainment::gap_index_by(&c.attainment, dis) } else { gap_of_lists(c) }
        },
        || {
            for (((&a, &x), &f), &sid) in c.attainment.iter().zip(&c.ses).zip(&c.flags).zip(&c.school) {
                let a = a as f64;
                let dis = usize::from(f & flag::DIS != 0);
                let sen = usize::from(f & flag::SEN != 0);
                let eal = usize::from(f & flag::EAL != 0);
                all.add(x as f64, a);
                by[dis] += a;
                n_dis += dis;
                needs[1 - sen] += a;
                n_sen += sen;
                needs[3 - eal] += a;
                n_eal += eal;
                below[dis] += usize::from(a < basic);
                let sid = sid as usize;
                count[sid] += 1;
                sum[sid] += a;
                dsum[district[sid] as usize] += a;
                ss += a * a;
            }
        },
    );
    let count: Vec<f64> = count.into_iter().map(f64::from).collect();
    let mut dcnt = vec![0.0; d];
    for (&k, &m) in district.iter().zip(&count) {
        dcnt[k as usize] += m;
    }
    let (n_d, n_a) = (n_dis as f64, (n - n_dis) as f64);
    let needs = [
        [needs[0], n_sen as f64],
        [needs[1], (n - n_sen) as f64],
        [needs[2], n_eal as f64],
        [needs[3], (n - n_eal) as f64],
    ];
    let sd = all.sd_y();
    let (slope, r2) = all.slope_r2();
    // Means of empty groups are 0/0: NaN, written as missing.
    out.push(Metric::new("attainment_mean", "all", all.mean_y()));
    out.push(Metric::new("attainment_mean", "advantaged", by[0] / n_a));
    out.push(Metric::new("attainment_mean", "disadvantaged", by[1] / n_d));
    out.push(Metric::new("attainment_sd", "all", sd));
    out.push(Metric::new("gap_sd", "disadvantaged", (by[0] / n_a - by[1] / n_d) / sd));
    out.push(Metric::new("gap_sd", "sen", (needs[1][0] / needs[1][1] - needs[0][0] / needs[0][1]) / sd));
    out.push(Metric::new("gap_sd", "eal", (needs[3][0] / needs[3][1] - needs[2][0] / needs[2][1]) / sd));
    out.push(Metric::new("gap_index", "disadvantaged", gap));
    out.push(Metric::new("ses_gradient", "all", slope));
    out.push(Metric::new("ses_r2", "all", r2));
    out.push(Metric::new("below_basic", "all", (below[0] + below[1]) as f64 / n as f64));
    out.push(Metric::new("below_basic", "advantaged", below[0] as f64 / n_a));
    out.push(Metric::new("below_basic", "disadvantaged", below[1] as f64 / n_d));
    out.push(Metric::new("between_school_variance", "all", attainment::between_share(&count, &sum, ss)));
    out.push(Metric::new("district_attainment_gap", "all", range_of_means(&dsum, &dcnt) / sd));
}

/// The measures of this year's entrants: first preferences met, distance
/// travelled, pupils the district placed.
fn entrants(w: &World, out: &mut Vec<Metric>) {
    let c = &w.cohorts[w.newest()];
    let apps = &w.applications;
    // Pupils and first preferences counted in whole numbers (the same
    // values as adding ones in f64); distances summed in pupil order.
    let mut first = [0u32; 2];
    let mut dist = [0.0f64; 2];
    let mut n = [0u32; 2];
    let pupils = c.flags.iter().zip(&apps.rank[..c.len()]).zip(&c.school).zip(&c.x).zip(&c.y);
    for ((((&f, &rank), &sid), &x), &y) in pupils {
        let k = usize::from(f & flag::DIS != 0);
        n[k] += 1;
        first[k] += u32::from(rank == 0);
        dist[k] += w.schools.dist(u32::from(sid), x, y) as f64;
    }
    let (n, first) = (n.map(f64::from), first.map(f64::from));
    let tot = n[0] + n[1];
    out.push(Metric::new("first_preference_rate", "all", (first[0] + first[1]) / tot));
    out.push(Metric::new("first_preference_rate", "advantaged", first[0] / n[0]));
    out.push(Metric::new("first_preference_rate", "disadvantaged", first[1] / n[1]));
    out.push(Metric::new("distance_km", "all", (dist[0] + dist[1]) / tot));
    out.push(Metric::new("distance_km", "advantaged", dist[0] / n[0]));
    out.push(Metric::new("distance_km", "disadvantaged", dist[1] / n[1]));
    let u = &w.events.admissions.unplaced;
    out.push(Metric::new("unplaced", "all", (u[0] + u[1]) as f64));
    out.push(Metric::new("unplaced", "advantaged", u[0] as f64));
    out.push(Metric::new("unplaced", "disadvantaged", u[1] as f64));
}

/// Largest minus smallest of the means sum/count over units with a count.
fn range_of_means(sum: &[f64], count: &[f64]) -> f64 {
    let means: Vec<f64> = sum.iter().zip(count).filter(|(_, c)| **c > 0.0).map(|(s, c)| s / c).collect();
    if means.len() < 2 {
        return f64::NAN;
    }
    means.iter().copied().fold(f64::MIN, f64::max) - means.iter().copied().fold(f64::MAX, f64::min)
}

fn schools_and_system(w: &World, out: &mut Vec<Metric>) {
    let sch = &w.schools;
    let open: Vec<usize> = sch.open_ids().collect();
    let eff: Vec<f64> = open.iter().map(|&i| sch.effective(i)).collect();
    let rep: Vec<f64> = open.iter().map(|&i| sch.reputation[i]).collect();
    let ones = vec![1.0; open.len()];
    let (em, esd) = weighted_mean_sd(&eff, &ones);
    let (_, rsd) = weighted_mean_sd(&rep, &ones);
    out.push(Metric::new("effectiveness_mean", "all", em));
    out.push(Metric::new("effectiveness_sd", "all", esd));
    out.push(Metric::new("reputation_sd", "all", rsd));
    out.push(Metric::new("open_schools", "all", open.len() as f64));
    // The initially weakest and strongest fifth of schools, followed (open ones).
    // (Schools opened since the start are not in either fifth.)
    let start = sch.opened.iter().take_while(|o| **o == 0).count();
    let mut by_start: Vec<usize> = (0..start).collect();
    by_start.sort_by(|&a, &b| sch.initial_effectiveness[a].total_cmp(&sch.initial_effectiveness[b]).then(a.cmp(&b)));
    let fifth = (start / 5).max(1);
    for (name, ids) in
        [("initial_weakest_fifth", &by_start[..fifth]), ("initial_strongest_fifth", &by_start[start - fifth..])]
    {
        let e: Vec<f64> = ids.iter().filter(|&&i| sch.open[i]).map(|&i| sch.effective(i)).collect();
        let m = if e.is_empty() { f64::NAN } else { e.iter().sum::<f64>() / e.len() as f64 };
        out.push(Metric::new("effectiveness_mean", name, m));
    }
    // Districts: the range of mean effectiveness.
    let d = w.region.districts;
    let (mut sum, mut cnt) = (vec![0.0; d], vec![0.0; d]);
    for &i in &open {
        sum[sch.district[i] as usize] += sch.effective(i);
        cnt[sch.district[i] as usize] += 1.0;
    }
    out.push(Metric::new("district_effectiveness_gap", "all", range_of_means(&sum, &cnt)));
    let y = w.years_in_school() as f64;
    let mut per_place: Vec<f64> =
        open.iter().map(|&i| sch.funding[i] / (sch.capacity[i] as f64 * y).max(1.0)).collect();
    out.push(Metric::new("funding_gini", "all", attainment::gini(&mut per_place)));
    let e = &w.events;
    out.push(Metric::new("closures", "all", e.market.closures as f64));
    out.push(Metric::new("closure_moves", "all", e.closure_moves as f64));
    out.push(Metric::new("expansions", "all", e.market.expansions as f64));
    out.push(Metric::new("over_capacity", "all", e.admissions.over_capacity as f64));
    out.push(Metric::new("exclusions", "all", e.admissions.exclusions as f64));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counting by school through cells gives the counts of each pupil
    /// added to each of its columns, for several groups and bands.
    #[test]
    fn school_counts_are_each_pupils_columns() {
        let (units, groups, bands) = (7usize, 3usize, 4usize);
        let mut state = 3u64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let cohorts: Vec<Cohort> = (0..3)
            .map(|y| {
                let n = 200 + 37 * y;
                Cohort {
                    school: (0..n).map(|_| next(units as u64) as _).collect(),
                    flags: (0..n).map(|_| next(32) as u8).collect(),
                    group: (0..n).map(|_| next(groups as u64) as u8).collect(),
                    band: (0..n).map(|_| next(bands as u64) as u8).collect(),
                    ..Default::default()
                }
            })
            .collect();
        let mut counts = Counts::default();
        counts.fill_by_school(units, groups, bands, &cohorts);
        let w = counts.width();
        let mut want = vec![0u32; units * w];
        for c in &cohorts {
            for i in 0..c.school.len() {
                let at = c.school[i] as usize * w;
                want[at + TOTAL] += 1;
                want[at + DIS] += u32::from(c.flags[i] & flag::DIS != 0);
                want[at + FIRST_GROUP + c.group[i] as usize] += 1;
                want[at + FIRST_GROUP + groups + c.band[i] as usize] += 1;
            }
        }
        assert_eq!(counts.rows, want);
    }
}
