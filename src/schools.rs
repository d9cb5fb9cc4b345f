//! Schools, as columns indexed by school id.

use rand::RngExt;
use rand::seq::SliceRandom;
use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;

use crate::region::Region;
use crate::rng::{Purpose, Rng, stream};
use crate::scenario::{Scenario, SchoolParams};

/// All schools of a world, open and closed, as columns.
#[derive(Debug, Clone, Default)]
pub struct Schools {
    /// Label used in outputs.
    pub name: Vec<String>,
    /// Position, km.
    pub x: Vec<f32>,
    /// Position, km.
    pub y: Vec<f32>,
    /// District index.
    pub district: Vec<u32>,
    /// Autonomous (academy, charter) rather than district-maintained.
    pub autonomous: Vec<bool>,
    /// Selects by prior attainment.
    pub selective: Vec<bool>,
    /// Charges top-up fees.
    pub fee_charging: Vec<bool>,
    /// Open (false once closed).
    pub open: Vec<bool>,
    /// Places per year group now.
    pub capacity: Vec<u32>,
    /// Places per year group at the start.
    pub original_capacity: Vec<u32>,
    /// Effectiveness: value added per year of the practice in use, pupil SD units.
    pub effectiveness: Vec<f64>,
    /// Temporary adjustment to effectiveness this year from policies (turbulence, staff time), cleared each year.
    pub adjustment: Vec<f64>,
    /// Effectiveness at the start (for following the initially weakest and strongest).
    pub initial_effectiveness: Vec<f64>,
    /// Shares hard-to-place pupils under a fair access agreement.
    pub fair_share: Vec<bool>,
    /// Latent knowledge: what the school knows, on the same scale; practice moves towards it.
    pub latent: Vec<f64>,
    /// SEN expertise, 0 to 1.
    pub sen_expertise: Vec<f64>,
    /// EAL expertise, 0 to 1.
    pub eal_expertise: Vec<f64>,
    /// Reputation: what parents see, SD units.
    pub reputation: Vec<f64>,
    /// Last published result (raw or value added), SD units.
    pub published: Vec<f64>,
    /// Funding this year (per-pupil units).
    pub funding: Vec<f64>,
    /// Consecutive years below the closure occupancy.
    pub low_years: Vec<u32>,
    /// Admits by prior-attainment band (scenario banding or a fair-access agreement).
    pub banded: Vec<bool>,
    /// Probability of demoting a hard-to-teach applicant (cream-skimming).
    pub cream_skimming: Vec<f64>,
    /// Yearly probability of excluding a hard-to-teach pupil on roll.
    pub exclusion_rate: Vec<f64>,
    /// Pupils on roll (all year groups), as last counted.
    pub roll: Vec<u32>,
    /// Entrants admitted this year.
    pub intake: Vec<u32>,
    /// First preferences received this year.
    pub first_prefs: Vec<u32>,
    /// Share of pupils on roll not disadvantaged.
    pub adv_share: Vec<f64>,
    /// Share of pupils on roll in each group, `groups` per school.
    pub group_share: Vec<f64>,
    /// Mean prior attainment of pupils on roll.
    pub peer_mean: Vec<f64>,
    /// Share of the pupils living nearest this school who went elsewhere this year.
    pub lost_share: Vec<f64>,
    /// Net loss of local entrants this year: (lost − gained from other catchments) / local, 0 to 1.
    pub net_loss: Vec<f64>,
    /// Competitive threat the school perceives: its net loss, smoothed over years (market).
    pub threat: Vec<f64>,
    /// Effect of the market on effectiveness in force this year: effort under threat minus staff lost to a funding shortfall.
    pub market_effect: Vec<f64>,
    /// Year the school opened (0: open at the start).
    pub opened: Vec<u32>,
    /// Year groups the school has (all of them, unless it opened during the
    /// run: a new school fills one year group a year).
    pub year_groups: Vec<u32>,
}

impl Schools {
    /// Number of schools, open and closed.
    pub fn len(&self) -> usize {
        self.x.len()
    }

    /// True if there are no schools.
    pub fn is_empty(&self) -> bool {
        self.x.is_empty()
    }

    /// Ids of open schools.
    pub fn open_ids(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).filter(|&s| self.open[s])
    }

    /// Create the schools of a region with their starting characteristics.
    /// `intake` is each site's standardised local advantage (see
    /// [`local_advantage`]); it is read only if starting effectiveness
    /// correlates with intake.
    pub fn new(s: &Scenario, region: &Region, seed: u64, intake: &[f64]) -> Schools {
        let mut rng = stream(seed, Purpose::Schools, 0, 0);
        let n = region.sites.len();
        let Kinds { autonomous, selective, fee_charging } = Kinds::draw(s, region, &mut rng);
        let Start { effectiveness, latent, sen, eal } = Start::draw(&s.schools, region, intake, &mut rng);
        let capacity: Vec<u32> = region.sites.iter().map(|x| x.capacity).collect();
        let a = &s.admissions;
        Schools {
            name: region.sites.iter().map(|x| x.name.clone()).collect(),
            x: region.sites.iter().map(|x| x.x as f32).collect(),
            y: region.sites.iter().map(|x| x.y as f32).collect(),
            district: region.sites.iter().map(|x| x.district).collect(),
            cream_skimming: autonomous.iter().map(|&au| if au { a.cream_skimming } else { 0.0 }).collect(),
            exclusion_rate: autonomous.iter().map(|&au| if au { a.exclusion_rate } else { 0.0 }).collect(),
            autonomous,
            selective,
            fee_charging,
            open: vec![true; n],
            original_capacity: capacity.clone(),
            adjustment: vec![0.0; n],
            initial_effectiveness: effectiveness.clone(),
            fair_share: vec![false; n],
            capacity,
            effectiveness,
            latent,
            sen_expertise: sen,
            eal_expertise: eal,
            reputation: vec![0.0; n],
            published: vec![0.0; n],
            funding: vec![0.0; n],
            low_years: vec![0; n],
            banded: vec![a.banding; n],
            roll: vec![0; n],
            intake: vec![0; n],
            first_prefs: vec![0; n],
            adv_share: vec![1.0 - s.population.disadvantaged_share; n],
            group_share: (0..n).flat_map(|_| s.population.groups.iter().map(|g| g.share)).collect(),
            peer_mean: vec![0.0; n],
            lost_share: vec![0.0; n],
            net_loss: vec![0.0; n],
            threat: vec![0.0; n],
            market_effect: vec![0.0; n],
            opened: vec![0; n],
            year_groups: vec![s.population.years_in_school; n],
        }
    }

    /// Add a school opened during the run (see [`crate::openings`]): every
    /// column grows by one; the school has no pupils and no year groups yet.
    pub fn push(&mut self, s: &Scenario, new: &NewSchool) {
        let a = &s.admissions;
        let au = new.autonomous;
        self.name.push(new.name.clone());
        self.x.push(new.x);
        self.y.push(new.y);
        self.district.push(new.district);
        self.autonomous.push(au);
        self.selective.push(false);
        self.fee_charging.push(false);
        self.open.push(true);
        self.capacity.push(new.capacity);
        self.original_capacity.push(new.capacity);
        self.effectiveness.push(new.effectiveness);
        self.adjustment.push(0.0);
        self.initial_effectiveness.push(new.effectiveness);
        self.fair_share.push(false);
        self.latent.push(new.latent);
        self.sen_expertise.push(new.sen_expertise);
        self.eal_expertise.push(new.eal_expertise);
        self.reputation.push(new.reputation);
        self.published.push(new.reputation);
        self.funding.push(0.0);
        self.low_years.push(0);
        self.banded.push(a.banding);
        self.cream_skimming.push(if au { a.cream_skimming } else { 0.0 });
        self.exclusion_rate.push(if au { a.exclusion_rate } else { 0.0 });
        self.roll.push(0);
        self.intake.push(0);
        self.first_prefs.push(0);
        self.adv_share.push(1.0 - s.population.disadvantaged_share);
        self.group_share.extend(s.population.groups.iter().map(|g| g.share));
        self.peer_mean.push(0.0);
        self.lost_share.push(0.0);
        self.net_loss.push(0.0);
        self.threat.push(0.0);
        self.market_effect.push(0.0);
        self.opened.push(new.opened);
        self.year_groups.push(0);
    }

    /// The length of every column, in units of schools (for checks: all equal `len()`).
    pub fn column_lengths(&self, groups: usize) -> Vec<usize> {
        let Schools {
            name,
            x,
            y,
            district,
            autonomous,
            selective,
            fee_charging,
            open,
            capacity,
            original_capacity,
            effectiveness,
            adjustment,
            initial_effectiveness,
            fair_share,
            latent,
            sen_expertise,
            eal_expertise,
            reputation,
            published,
            funding,
            low_years,
            banded,
            cream_skimming,
            exclusion_rate,
            roll,
            intake,
            first_prefs,
            adv_share,
            group_share,
            peer_mean,
            lost_share,
            net_loss,
            threat,
            market_effect,
            opened,
            year_groups,
        } = self;
        vec![
            name.len(),
            x.len(),
            y.len(),
            district.len(),
            autonomous.len(),
            selective.len(),
            fee_charging.len(),
            open.len(),
            capacity.len(),
            original_capacity.len(),
            effectiveness.len(),
            adjustment.len(),
            initial_effectiveness.len(),
            fair_share.len(),
            latent.len(),
            sen_expertise.len(),
            eal_expertise.len(),
            reputation.len(),
            published.len(),
            funding.len(),
            low_years.len(),
            banded.len(),
            cream_skimming.len(),
            exclusion_rate.len(),
            roll.len(),
            intake.len(),
            first_prefs.len(),
            adv_share.len(),
            group_share.len() / groups.max(1),
            peer_mean.len(),
            lost_share.len(),
            net_loss.len(),
            threat.len(),
            market_effect.len(),
            opened.len(),
            year_groups.len(),
        ]
    }

    /// Places on roll (capacity times the year groups the school has).
    #[inline]
    pub fn places(&self, s: usize) -> f64 {
        self.capacity[s] as f64 * self.year_groups[s] as f64
    }

    /// Effectiveness in force this year: practice, plus the market's effect
    /// (effort under threat, staff lost to a funding shortfall), plus the
    /// policies' temporary adjustments (turbulence, staff time). Learning uses it.
    #[inline]
    pub fn effective(&self, s: usize) -> f64 {
        self.effectiveness[s] + self.market_effect[s] + self.adjustment[s]
    }

    /// Distance from (x, y) to school `s`, km.
    #[inline]
    pub fn dist(&self, s: impl Into<u32>, x: f32, y: f32) -> f32 {
        let s = s.into();
        let dx = self.x[s as usize] - x;
        let dy = self.y[s as usize] - y;
        (dx * dx + dy * dy).sqrt()
    }
}

/// Each school site's local advantage, standardised across sites (mean 0,
/// SD 1): the household-weighted mean SES percentile of the neighbourhoods
/// for which it is the nearest site. Starting effectiveness can correlate
/// with it (`schools.effectiveness_intake_correlation`).
pub fn local_advantage(region: &Region) -> Vec<f64> {
    let n = region.sites.len();
    let xs: Vec<f32> = region.sites.iter().map(|x| x.x as f32).collect();
    let ys: Vec<f32> = region.sites.iter().map(|x| x.y as f32).collect();
    let grid = crate::spatial::Grid::new(&xs, &ys, &vec![true; n]);
    let (types, g) = (region.types(), region.groups.max(1));
    let bands = crate::region::SES_BANDS as f64;
    let mut sum = vec![0.0; n];
    let mut weight = vec![0.0; n];
    // Each neighbourhood's nearest site, found in parallel; the sums are
    // then taken in neighbourhood order.
    let nearest: Vec<u32> = (0..region.len())
        .into_par_iter()
        .map(|nb| {
            let (x, y) = (region.nbhd_x[nb] as f64, region.nbhd_y[nb] as f64);
            grid.nearest_where(x, y, |_| true).map_or(u32::MAX, |(_, site)| site)
        })
        .collect();
    for (row, &site) in region.households.chunks(types).zip(&nearest) {
        let (mut h, mut ses) = (0.0, 0.0);
        for (k, v) in row.iter().enumerate() {
            h += *v as f64;
            ses += *v as f64 * ((k / g) as f64 + 0.5) / bands;
        }
        if h > 0.0 && site != u32::MAX {
            sum[site as usize] += ses;
            weight[site as usize] += h;
        }
    }
    let mean_all = sum.iter().sum::<f64>() / weight.iter().sum::<f64>().max(1e-12);
    let v: Vec<f64> = (0..n).map(|i| if weight[i] > 0.0 { sum[i] / weight[i] } else { mean_all }).collect();
    let m = v.iter().sum::<f64>() / n.max(1) as f64;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n.max(1) as f64).sqrt();
    v.iter().map(|x| if sd > 0.0 { (x - m) / sd } else { 0.0 }).collect()
}

/// A new school (see [`crate::openings`]): everything [`Schools::push`] needs.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSchool {
    /// Name in outputs.
    pub name: String,
    /// Position, km.
    pub x: f32,
    /// Position, km.
    pub y: f32,
    /// District.
    pub district: u32,
    /// Places per year group.
    pub capacity: u32,
    /// Autonomous.
    pub autonomous: bool,
    /// Starting effectiveness.
    pub effectiveness: f64,
    /// Starting latent knowledge.
    pub latent: f64,
    /// SEN expertise.
    pub sen_expertise: f64,
    /// EAL expertise.
    pub eal_expertise: f64,
    /// Starting reputation.
    pub reputation: f64,
    /// Year it opens.
    pub opened: u32,
}
/// Which schools are autonomous, selective and fee-charging.
struct Kinds {
    autonomous: Vec<bool>,
    selective: Vec<bool>,
    fee_charging: Vec<bool>,
}

impl Kinds {
    /// As the input says where it does, else a random subset of the shares
    /// the scenario sets (selective and fee-charging schools autonomous ones first).
    fn draw(s: &Scenario, region: &Region, rng: &mut Rng) -> Kinds {
        let n = region.sites.len();
        let sc = &s.schools;
        // Which schools are autonomous: as the input says, else a random subset.
        let mut ids: Vec<usize> = (0..n).collect();
        ids.shuffle(rng);
        let n_auto = (sc.autonomous_share * n as f64).round() as usize;
        let mut autonomous = vec![false; n];
        for &i in ids.iter().take(n_auto) {
            autonomous[i] = true;
        }
        for (i, site) in region.sites.iter().enumerate() {
            if let Some(a) = site.autonomous {
                autonomous[i] = a;
            }
        }
        // Selective schools: autonomous ones first, in the shuffled order.
        let mut order: Vec<usize> = ids.iter().copied().filter(|&i| autonomous[i]).collect();
        order.extend(ids.iter().copied().filter(|&i| !autonomous[i]));
        let n_sel = (s.admissions.selective_share * n as f64).round() as usize;
        let mut selective = vec![false; n];
        for &i in order.iter().take(n_sel) {
            selective[i] = true;
        }
        let autos: Vec<usize> = ids.iter().copied().filter(|&i| autonomous[i]).collect();
        let n_fee = (sc.fee_charging_share * autos.len() as f64).round() as usize;
        let mut fee_charging = vec![false; n];
        for &i in autos.iter().take(n_fee) {
            fee_charging[i] = true;
        }
        Kinds { autonomous, selective, fee_charging }
    }
}

/// Schools' starting effectiveness, latent knowledge and SEN and EAL expertise.
struct Start {
    effectiveness: Vec<f64>,
    latent: Vec<f64>,
    sen: Vec<f64>,
    eal: Vec<f64>,
}

impl Start {
    /// As the input says where it does, else drawn (effectiveness correlated
    /// with the advantage of the intake, `intake`, as the scenario sets).
    fn draw(sc: &SchoolParams, region: &Region, intake: &[f64], rng: &mut Rng) -> Start {
        let n = region.sites.len();
        let mut effectiveness = Vec::with_capacity(n);
        let mut latent = Vec::with_capacity(n);
        let mut sen = Vec::with_capacity(n);
        let mut eal = Vec::with_capacity(n);
        let rho = sc.effectiveness_intake_correlation;
        let rest = (1.0 - rho * rho).sqrt();
        for (i, site) in region.sites.iter().enumerate() {
            let mut z: f64 = StandardNormal.sample(rng);
            if rho != 0.0 {
                z = rho * intake.get(i).copied().unwrap_or(0.0) + rest * z;
            }
            let g: f64 = StandardNormal.sample(rng);
            let u1: f64 = rng.random();
            let u2: f64 = rng.random();
            let e = site.effectiveness.unwrap_or(sc.effectiveness_sd * z);
            effectiveness.push(e);
            latent.push(e + (sc.latent_gap_mean + sc.latent_gap_sd * g).max(0.0));
            sen.push(site.sen_expertise.unwrap_or(if u1 < sc.sen_expertise_share { 1.0 } else { 0.0 }));
            eal.push(site.eal_expertise.unwrap_or(if u2 < sc.eal_expertise_share { 1.0 } else { 0.0 }));
        }
        Start { effectiveness, latent, sen, eal }
    }
}
