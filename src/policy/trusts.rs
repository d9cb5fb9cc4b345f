//! Trusts (multi-academy trusts, federations): groups of schools under one
//! lead, sharing knowledge, paying for central services, and taking over
//! failing schools instead of letting them close.
//!
//! When the policy starts, `school_share` of the open schools are grouped
//! into trusts of about `size` schools: the strongest schools by
//! effectiveness (chosen in order, one per trust) lead, and each lead
//! gathers the nearest schools within `spread_km` not yet in a trust
//! (`members = "nearest"`), or the weakest of them (`"weakest"`). Each year
//! a trust is a partnership ([`super::barriers`]): members move towards the
//! lead's knowledge at `support_rate` (scaled by trust, capacity and
//! willingness; leads lose nothing), and the lead gains `lead_gain`. Central
//! services cost every member `central_share` of its funding, which lowers
//! its effectiveness this year by `funding_effect × central_share`. With
//! closures on, a school outside any trust that has been at risk of closure
//! for `takeover_years` years is taken over by the trust whose lead is
//! nearest (within `spread_km`, and below `max_size`) instead of closing: it
//! joins the trust (with the turbulence of new work) and its count of years
//! at risk starts again.
//!
//! With `pool_share` above 0 the trust pools that share of its members'
//! funding and gives it to the members weaker than its strongest, in
//! proportion to their gap ([`pool_funding`]): money moves effectiveness
//! at `money_effect` per unit share of a school's funding, and the trust's
//! funding is conserved.
//!
//! With `common_admissions` a trust coordinates admissions: every member
//! admits by its lead's rules (banding, covert selection, exclusions), so a
//! trust spreads whatever its lead does, banding or cream-skimming.
//!
//! With a trusts CSV (`region.trusts_csv`) the trusts are read, not
//! generated. A timeline change that raises `school_share` forms new trusts
//! among schools in none (growth); the world records each school's trust
//! ([`World::trust_of`]) for the school panel.
//!
//! The evidence on trusts is mixed (EPI 2016; Hutchings and Francis 2017;
//! NFER 2018): the defaults are small and the plausible ranges include no
//! effect and harm (`support_rate` 0, `lead_gain` below 0, costly central
//! services).

use super::barriers::{Field, Partnership, exchange};
use super::{Context, Policy};
use crate::measures::Metric;
use crate::world::World;

pub use crate::ids::NO_TRUST;

pub use crate::scenario::policies::trusts::{Members, Params};

/// Pooled funding in one trust: each open member gives `share` of its
/// funding to a pool, which goes to the members in proportion to their gap
/// in effectiveness in force to the trust's strongest. A member's
/// effectiveness this year moves by `effect` times the share of its own
/// funding it gained or lost (a gain counted up to its own funding). The
/// trust's funding is conserved. Returns the funding moved (net received).
pub fn pool_funding(w: &mut World, members: &[u32], share: f64, effect: f64) -> f64 {
    let sch = &mut w.schools;
    let open: Vec<usize> =
        members.iter().map(|&m| m as usize).filter(|&m| sch.open[m] && sch.funding[m] > 0.0).collect();
    if open.len() < 2 || share <= 0.0 {
        return 0.0;
    }
    let best = open.iter().map(|&m| sch.effective(m)).fold(f64::NEG_INFINITY, f64::max);
    let gaps: Vec<f64> = open.iter().map(|&m| best - sch.effective(m)).collect();
    let total_gap: f64 = gaps.iter().sum();
    if total_gap <= 0.0 {
        return 0.0;
    }
    let pool: f64 = open.iter().map(|&m| share * sch.funding[m]).sum();
    let mut moved = 0.0;
    for (&m, g) in open.iter().zip(&gaps) {
        let before = sch.funding[m];
        let after = before * (1.0 - share) + pool * g / total_gap;
        sch.funding[m] = after;
        sch.adjustment[m] += effect * ((after - before) / before).min(1.0);
        moved += (after - before).max(0.0);
    }
    moved
}

/// Group schools into trusts: (lead, members) with the lead first.
pub fn form_trusts(w: &World, p: &Params) -> Vec<Vec<u32>> {
    let open = w.schools.open_ids().count();
    let target = (p.school_share * open as f64).round() as usize;
    form_more(w, p, &mut vec![false; w.schools.len()], target)
}

/// Form new trusts among the open schools not `taken`, with about `target`
/// schools in all (leads included); the schools put in a trust are marked taken.
fn form_more(w: &World, p: &Params, taken: &mut [bool], target: usize) -> Vec<Vec<u32>> {
    let sch = &w.schools;
    let mut open: Vec<u32> = sch.open_ids().filter(|&i| !taken[i]).map(|i| i as u32).collect();
    // Strongest first.
    open.sort_by(|a, b| sch.effectiveness[*b as usize].total_cmp(&sch.effectiveness[*a as usize]).then(a.cmp(b)));
    let size = p.size as usize;
    let mut trusts: Vec<Vec<u32>> = Vec::new();
    let mut in_trusts = 0;
    for &lead in &open {
        if in_trusts + 2 > target {
            break;
        }
        if taken[lead as usize] {
            continue;
        }
        let (lx, ly) = (sch.x[lead as usize], sch.y[lead as usize]);
        let mut cands: Vec<(f64, u32)> = open
            .iter()
            .copied()
            .filter(|&c| c != lead && !taken[c as usize] && sch.dist(c, lx, ly) as f64 <= p.spread_km)
            .map(|c| {
                let key = match p.members {
                    Members::Nearest => sch.dist(c, lx, ly) as f64,
                    Members::Weakest => sch.effectiveness[c as usize],
                };
                (key, c)
            })
            .collect();
        cands.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        cands.truncate((size - 1).min(target - in_trusts - 1));
        if cands.is_empty() {
            continue;
        }
        let mut members = vec![lead];
        members.extend(cands.iter().map(|c| c.1));
        for &m in &members {
            taken[m as usize] = true;
        }
        in_trusts += members.len();
        trusts.push(members);
    }
    trusts
}

/// Trusts.
pub struct Trusts {
    params: Params,
    trusts: Vec<Partnership>,
    takeovers: u32,
    takeovers_total: u32,
    /// Share of members' funding moved by pooling this year.
    pooled: f64,
    /// A timeline change raised `school_share`: trusts grow at the next turn.
    grow: bool,
    /// Members admit by their lead's rules (set while `common_admissions` is on).
    common: bool,
}

impl Trusts {
    /// The policy with its parameters.
    pub fn new(params: Params) -> Self {
        Trusts { params, trusts: Vec::new(), takeovers: 0, takeovers_total: 0, pooled: 0.0, grow: false, common: false }
    }

    /// The trusts (school ids, lead first).
    pub fn trusts(&self) -> Vec<Vec<u32>> {
        self.trusts.iter().map(|t| t.members.clone()).collect()
    }

    /// Add trusts formed from `groups` (lead first) and record each member's
    /// trust in the world.
    fn add(&mut self, groups: Vec<Vec<u32>>, ctx: &mut Context<'_>) {
        let b = &ctx.scenario.policies.barriers;
        let w = &mut *ctx.world;
        w.trust_of.resize(w.schools.len(), NO_TRUST);
        for members in groups {
            let id = self.trusts.len() as u32;
            for &m in &members {
                w.trust_of[m as usize] = id;
            }
            self.trusts.push(Partnership::form(members, 1.0, w, b));
        }
    }

    /// Coordinated admissions: each open member takes its open lead's
    /// admission rules (banding, cream-skimming, exclusions), as they are
    /// this year.
    fn coordinate_admissions(&self, w: &mut World) {
        let sch = &mut w.schools;
        for t in &self.trusts {
            let lead = t.members[0] as usize;
            if !sch.open[lead] {
                continue;
            }
            let (banded, cream, exclusion) = (sch.banded[lead], sch.cream_skimming[lead], sch.exclusion_rate[lead]);
            for &m in &t.members[1..] {
                let m = m as usize;
                sch.banded[m] = banded;
                sch.cream_skimming[m] = cream;
                sch.exclusion_rate[m] = exclusion;
            }
        }
    }

    /// Members' admission rules back to what the scenario in force sets for
    /// their type (as a timeline change of admissions sets them).
    fn restore_admissions(&self, sc: &crate::scenario::Scenario, w: &mut World) {
        let (a, s) = (&sc.admissions, &mut w.schools);
        for &m in self.trusts.iter().flat_map(|t| &t.members) {
            let (m, au) = (m as usize, s.autonomous[m as usize]);
            s.banded[m] = a.banding;
            s.cream_skimming[m] = if au { a.cream_skimming } else { 0.0 };
            s.exclusion_rate[m] = if au { a.exclusion_rate } else { 0.0 };
        }
    }

    /// Open schools in trusts now.
    fn members_open(&self, w: &World) -> usize {
        self.trusts.iter().flat_map(|t| &t.members).filter(|&&m| w.schools.open[m as usize]).count()
    }

    /// Trusts grow to a raised `school_share`: new trusts form, as at the
    /// start, among the open schools not yet in one.
    fn grow(&mut self, ctx: &mut Context<'_>) {
        let w = &*ctx.world;
        let open = w.schools.open_ids().count();
        let target = (self.params.school_share * open as f64).round() as usize;
        let now = self.members_open(w);
        if target <= now {
            return;
        }
        let mut taken = vec![false; w.schools.len()];
        for t in &self.trusts {
            for &m in &t.members {
                taken[m as usize] = true;
            }
        }
        let groups = form_more(w, &self.params, &mut taken, target - now);
        self.add(groups, ctx);
    }

    /// Schools at risk of closure taken over by the trust whose lead is nearest.
    fn take_over(&mut self, ctx: &mut Context<'_>) {
        self.takeovers = 0;
        let y = self.params.takeover_years;
        if y == 0 || !ctx.scenario.market.closures || self.trusts.is_empty() {
            return;
        }
        let w = &mut *ctx.world;
        let n = w.schools.len();
        let mut member = vec![false; n];
        for t in &self.trusts {
            for &m in &t.members {
                member[m as usize] = true;
            }
        }
        let b = &ctx.scenario.policies.barriers;
        for sid in 0..n {
            if member[sid] || !w.schools.open[sid] || w.schools.low_years[sid] < y {
                continue;
            }
            let (x, yy) = (w.schools.x[sid], w.schools.y[sid]);
            let best = self
                .trusts
                .iter()
                .enumerate()
                .filter(|(_, t)| {
                    t.members.len() < self.params.max_size as usize && w.schools.open[t.members[0] as usize]
                })
                .map(|(k, t)| (w.schools.dist(t.members[0], x, yy) as f64, k))
                .filter(|(d, _)| *d <= self.params.spread_km)
                .min_by(|a, c| a.0.total_cmp(&c.0).then(a.1.cmp(&c.1)));
            if let Some((_, k)) = best {
                let t = &mut self.trusts[k];
                t.members.push(sid as u32);
                w.trust_of[sid] = k as u32;
                t.trust.push(b.initial_trust);
                w.collab.join(sid, n);
                w.collab.start_new_work(sid, b);
                w.schools.low_years[sid] = 0;
                member[sid] = true;
                self.takeovers += 1;
            }
        }
        self.takeovers_total += self.takeovers;
    }
}

impl Policy for Trusts {
    fn label(&self) -> &'static str {
        "trusts"
    }

    fn update(&mut self, s: &crate::scenario::Scenario) {
        self.grow |= s.policies.trusts.school_share > self.params.school_share;
        self.params = s.policies.trusts.clone();
    }

    fn start(&mut self, ctx: &mut Context<'_>) {
        let groups = match &ctx.world.region.trusts {
            // Read from a trusts CSV: the open schools of each trust (the
            // lead first while it is open).
            Some(csv) => csv
                .iter()
                .map(|t| t.iter().copied().filter(|&m| ctx.world.schools.open[m as usize]).collect::<Vec<u32>>())
                .filter(|t| !t.is_empty())
                .collect(),
            None => form_trusts(ctx.world, &self.params),
        };
        self.add(groups, ctx);
    }

    fn before_admissions(&mut self, ctx: &mut Context<'_>) {
        if std::mem::take(&mut self.grow) {
            self.grow(ctx);
        }
        if self.params.common_admissions {
            self.coordinate_admissions(ctx.world);
            self.common = true;
        } else if std::mem::take(&mut self.common) {
            self.restore_admissions(ctx.scenario, ctx.world);
        }
    }

    fn end(&mut self, ctx: &mut Context<'_>) {
        if std::mem::take(&mut self.common) {
            self.restore_admissions(ctx.scenario, ctx.world);
        }
        for t in self.trusts.drain(..) {
            t.dissolve(ctx.world);
        }
        ctx.world.trust_of.clear();
    }

    fn apply(&mut self, ctx: &mut Context<'_>) {
        self.take_over(ctx);
        let p = &self.params;
        let b = &ctx.scenario.policies.barriers;
        let cost = p.funding_effect * p.central_share;
        for t in &mut self.trusts {
            // Member 0 is the lead: it passes knowledge on and loses none.
            let mut rate = vec![p.support_rate; t.members.len()];
            rate[0] = 0.0;
            let mut bonus = vec![0.0; t.members.len()];
            bonus[0] = p.lead_gain;
            exchange(ctx.scenario, b, ctx.world, t, Field::Knowledge, &rate, &bonus);
            for &m in &t.members {
                let m = m as usize;
                if ctx.world.schools.open[m] {
                    ctx.world.schools.adjustment[m] -= cost;
                }
            }
        }
        if p.pool_share > 0.0 {
            let w = &mut *ctx.world;
            let (mut moved, mut funding) = (0.0, 0.0);
            for t in &self.trusts {
                funding += t
                    .members
                    .iter()
                    .filter(|&&m| w.schools.open[m as usize])
                    .map(|&m| w.schools.funding[m as usize])
                    .sum::<f64>();
                moved += pool_funding(w, &t.members, p.pool_share, p.money_effect);
            }
            self.pooled = if funding > 0.0 { moved / funding } else { 0.0 };
        }
    }

    fn record(&self, w: &World, out: &mut Vec<Metric>) {
        let sch = &w.schools;
        let live: Vec<Vec<usize>> = self
            .trusts
            .iter()
            .map(|t| t.members.iter().map(|&m| m as usize).filter(|&m| sch.open[m]).collect::<Vec<_>>())
            .filter(|t: &Vec<usize>| !t.is_empty())
            .collect();
        let schools: usize = live.iter().map(Vec::len).sum();
        out.push(Metric::new("trusts", "all", live.len() as f64));
        out.push(Metric::new("trust_schools", "all", schools as f64));
        let mean_size = if live.is_empty() { f64::NAN } else { schools as f64 / live.len() as f64 };
        out.push(Metric::new("trust_size_mean", "all", mean_size));
        // Spread of effectiveness within trusts (pooled SD around each trust's
        // mean) and between them (SD of the trusts' means).
        let (mut within, mut means) = (0.0, Vec::with_capacity(live.len()));
        for t in &live {
            let m = t.iter().map(|&i| sch.effective(i)).sum::<f64>() / t.len() as f64;
            within += t.iter().map(|&i| (sch.effective(i) - m).powi(2)).sum::<f64>();
            means.push(m);
        }
        let within_sd = if schools > 0 { (within / schools as f64).sqrt() } else { f64::NAN };
        let between_sd = if means.is_empty() {
            f64::NAN
        } else {
            let m = means.iter().sum::<f64>() / means.len() as f64;
            (means.iter().map(|x| (x - m).powi(2)).sum::<f64>() / means.len() as f64).sqrt()
        };
        out.push(Metric::new("effectiveness_sd", "within_trusts", within_sd));
        out.push(Metric::new("effectiveness_sd", "between_trusts", between_sd));
        out.push(Metric::new("takeovers", "all", self.takeovers as f64));
        if self.params.pool_share > 0.0 {
            out.push(Metric::new("trust_funding_moved", "all", self.pooled));
        }
    }
}
