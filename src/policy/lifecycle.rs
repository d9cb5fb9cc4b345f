//! The lifecycle of policies, in one place.
//!
//! Every policy goes through the same stages, driven from here and from the
//! yearly schedule ([`crate::sim::Simulation::step`]):
//!
//! 1. **initialise**: the policy is built from the scenario in force by its
//!    [`Entry::build`] in the [`REGISTRY`] (a policy that is off is not built,
//!    so it costs nothing and shifts no random draw);
//! 2. **start**: [`Policy::start`] when it comes into force, before the first
//!    simulated year or at the start of the year a timeline change switches
//!    it on (it forms its groups from the world as it is then);
//! 3. **act**: [`Policy::before_admissions`] and [`Policy::apply`] each year
//!    while it is in force;
//! 4. **end**: [`Policy::end`] at the start of the year a timeline change
//!    switches it off (it dissolves its groups and takes back what it set);
//! 5. **record**: [`Policy::record`] each year while it is in force.
//!
//! A timeline change that leaves a policy on hands it the scenario now in
//! force ([`Policy::update`]). Policies run in the order of the registry,
//! whatever the order in which they started, so that a run does not depend
//! on when each one was switched on.
//!
//! Targets ([`super::target`]) are chosen here when a policy starts, and the
//! world is limited to them around each of the policy's turns
//! ([`World::taking_part`]); a policy does nothing about targets itself
//! beyond forming its groups from `taking_part`.
//!
//! **Adding a policy**: a module under `policy/` with its `Params` (a field of
//! [`PolicyParams`], validated in `validate_params`), a type implementing
//! [`Policy`], and one [`Entry`] in [`REGISTRY`] at the place in the order
//! where it should act (before `barriers` if its partnerships are to suffer
//! turbulence). The timeline, targets (add its key to
//! [`super::target::TARGETABLE`]) and the schedule then work for it as for
//! the others.

use super::{Context, Policy, advisers, barriers, community, districts, fair_access, families, hubs, pairing};
use super::{PolicyParams, rezoning, trusts, within_school};
use crate::measures::Metric;
use crate::scenario::Scenario;
use crate::world::World;

/// A kind of policy: how to tell whether a scenario switches it on, and how
/// to build it.
pub struct Entry {
    /// The key of the policy's section under `policies` (for example `pairing`).
    pub key: &'static str,
    /// True if the scenario switches the policy on.
    pub enabled: fn(&Scenario) -> bool,
    /// Build the policy from the scenario in force.
    pub build: fn(&Scenario) -> Box<dyn Policy>,
}

/// Every policy, in the fixed order in which they act each year: within
/// school, Families of Schools, pairings, hubs, advisers, districts,
/// community, fair access, and last the shared barriers (turbulence and the
/// network measures), in force whenever any mechanism is.
pub const REGISTRY: &[Entry] = &[
    Entry {
        key: "within_school",
        enabled: |s| s.policies.within_school.enabled,
        build: |s| Box::new(within_school::WithinSchool::new(s.policies.within_school.clone())),
    },
    Entry {
        key: "families_of_schools",
        enabled: |s| s.policies.families_of_schools.enabled,
        build: |s| Box::new(families::FamiliesOfSchools::new(s.policies.families_of_schools.clone())),
    },
    Entry {
        key: "pairing",
        enabled: |s| s.policies.pairing.enabled,
        build: |s| Box::new(pairing::Pairing::new(s.policies.pairing.clone())),
    },
    Entry {
        key: "hubs",
        enabled: |s| s.policies.hubs.enabled,
        build: |s| Box::new(hubs::Hubs::new(s.policies.hubs.clone())),
    },
    Entry {
        key: "advisers",
        enabled: |s| s.policies.advisers.enabled,
        build: |s| Box::new(advisers::Advisers::new(s.policies.advisers.clone())),
    },
    Entry {
        key: "district_collaboration",
        enabled: |s| s.policies.district_collaboration.enabled,
        build: |s| Box::new(districts::DistrictCollaboration::new(s.policies.district_collaboration.clone())),
    },
    Entry {
        key: "community",
        enabled: |s| s.policies.community.enabled,
        build: |s| Box::new(community::Community::new(s.policies.community.clone())),
    },
    Entry {
        key: "fair_access",
        enabled: |s| s.policies.fair_access.enabled,
        build: |s| Box::new(fair_access::FairAccess::new(s.policies.fair_access.clone())),
    },
    Entry {
        key: "rezoning",
        enabled: |s| s.policies.rezoning.enabled,
        build: |s| Box::new(rezoning::Rezoning::new(s.policies.rezoning.clone())),
    },
    Entry {
        key: "trusts",
        enabled: |s| s.policies.trusts.enabled,
        build: |s| Box::new(trusts::Trusts::new(s.policies.trusts.clone())),
    },
    Entry {
        key: "barriers",
        enabled: |s| PolicyParams::any(&s.policies),
        build: |s| Box::new(barriers::Barriers::new(s.policies.barriers.clone())),
    },
];

/// A policy in force: its registry entry, since when, and its targets.
struct InForce {
    entry: usize,
    since: u32,
    /// One flag per school (empty: every school), chosen when it started.
    targets: Vec<bool>,
    policy: Box<dyn Policy>,
}

impl InForce {
    /// Run `f` on the policy with the world limited to its targets.
    fn with(&mut self, s: &Scenario, w: &mut World, f: impl FnOnce(&mut dyn Policy, &mut Context<'_>)) {
        std::mem::swap(&mut w.targets, &mut self.targets);
        f(self.policy.as_mut(), &mut Context::new(s, w));
        std::mem::swap(&mut w.targets, &mut self.targets);
    }
}

/// The targets of policy `key` under `s`, chosen from the world now.
fn choose_targets(s: &Scenario, key: &str, w: &World) -> Vec<bool> {
    match s.policies.targets.get(key) {
        Some(t) if !t.is_everyone() => t.choose(w),
        _ => Vec::new(),
    }
}

/// The policies in force in one replicate, kept in registry order.
#[derive(Default)]
pub struct Lifecycle {
    in_force: Vec<InForce>,
}

impl Lifecycle {
    /// No policy in force yet.
    pub fn new() -> Self {
        Lifecycle::default()
    }

    /// Bring the policies in line with the scenario in force `s`: end those
    /// it switches off, start those it switches on (choosing their targets),
    /// restart those whose target it changes, and hand it to those that stay.
    /// Called before the first year (`old` none) and at the start of each
    /// year in which the timeline changes something (`old` the scenario in
    /// force until then).
    pub fn sync(&mut self, old: Option<&Scenario>, s: &Scenario, w: &mut World) {
        let retarget = |key: &str| old.is_some_and(|o| o.policies.targets.get(key) != s.policies.targets.get(key));
        // End first (in registry order), so that a policy that starts sees
        // the world without the groups of one that ended.
        let mut k = 0;
        let mut ended = false;
        while k < self.in_force.len() {
            let key = REGISTRY[self.in_force[k].entry].key;
            if (REGISTRY[self.in_force[k].entry].enabled)(s) && !retarget(key) {
                k += 1;
            } else {
                let mut gone = self.in_force.remove(k);
                gone.with(old.unwrap_or(s), w, |p, ctx| p.end(ctx));
                ended = true;
            }
        }
        if ended && self.in_force.is_empty() {
            // Nothing will clear the last temporary adjustments: clear them now.
            w.begin_policies();
        }
        for (e, entry) in REGISTRY.iter().enumerate() {
            if !(entry.enabled)(s) {
                continue;
            }
            match self.in_force.binary_search_by_key(&e, |p| p.entry) {
                Ok(k) => {
                    if old.is_some() {
                        self.in_force[k].policy.update(s);
                    }
                }
                Err(k) => {
                    let targets = choose_targets(s, entry.key, w);
                    let mut p = InForce { entry: e, since: w.year, targets, policy: (entry.build)(s) };
                    p.with(s, w, |p, ctx| p.start(ctx));
                    self.in_force.insert(k, p);
                }
            }
        }
    }

    /// True if no policy is in force.
    pub fn is_empty(&self) -> bool {
        self.in_force.is_empty()
    }

    /// Labels of the policies in force, in the order they act.
    pub fn labels(&self) -> Vec<&'static str> {
        self.in_force.iter().map(|p| p.policy.label()).collect()
    }

    /// The policies in force with the year each started (0: before the first
    /// year) and how many schools it targets (`None`: every school).
    pub fn in_force(&self) -> impl Iterator<Item = (&'static str, u32, Option<usize>)> + '_ {
        self.in_force.iter().map(|p| {
            let n = (!p.targets.is_empty()).then(|| p.targets.iter().filter(|t| **t).count());
            (REGISTRY[p.entry].key, p.since, n)
        })
    }

    /// Act before admissions (each policy in force, in order).
    pub fn before_admissions(&mut self, s: &Scenario, w: &mut World) {
        for p in &mut self.in_force {
            p.with(s, w, |p, ctx| p.before_admissions(ctx));
        }
    }

    /// Act in the adaptation phase: clear last year's temporary adjustments
    /// and tallies, then each policy in force, in order.
    pub fn apply(&mut self, s: &Scenario, w: &mut World) {
        if self.in_force.is_empty() {
            return;
        }
        w.begin_policies();
        for p in &mut self.in_force {
            p.with(s, w, |p, ctx| p.apply(ctx));
        }
    }

    /// Add the measures of every policy in force.
    pub fn record(&self, w: &World, out: &mut Vec<Metric>) {
        for p in &self.in_force {
            p.policy.record(w, out);
        }
    }
}
