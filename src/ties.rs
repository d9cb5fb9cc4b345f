//! Ties between schools: the partnerships each school is in, their trust
//! this year, and the turbulence of new work. They are part of the world
//! ([`crate::world::World::collab`]); the collaborative policies
//! ([`crate::policy`]) form and use them through it.

use crate::scenario::policies::barriers;

/// Collaboration state shared by the policies, kept in the world.
#[derive(Debug, Clone, Default)]
pub struct Ties {
    /// True once any between-school partnership exists (pupil flows are then counted).
    pub active: bool,
    /// Partnerships each school is in (for capacity).
    pub memberships: Vec<u32>,
    /// Years of turbulence left per school.
    pub turbulence_left: Vec<u32>,
    /// This year's tie strengths (trust of every membership).
    pub trust: Vec<f64>,
    /// This year's partnerships, and how many are active.
    pub partnerships: u32,
    /// This year's active partnerships.
    pub active_partnerships: u32,
    /// Knowledge moved this year (sum of absolute changes).
    pub transferred: f64,
}

impl Ties {
    /// Start of the policy phase: clear this year's tallies.
    pub fn begin_year(&mut self, schools: usize) {
        self.memberships.resize(schools, 0);
        self.turbulence_left.resize(schools, 0);
        self.trust.clear();
        self.partnerships = 0;
        self.active_partnerships = 0;
        self.transferred = 0.0;
    }

    /// School `i` starts a new way of working: turbulence, unless it is already turbulent.
    pub fn start_new_work(&mut self, i: usize, b: &barriers::Params) {
        self.turbulence_left.resize(i.max(self.turbulence_left.len()) + 1, 0);
        if self.turbulence_left[i] == 0 {
            self.turbulence_left[i] = b.turbulence_years;
        }
    }

    /// Register a school as a member of one more partnership.
    pub fn join(&mut self, i: usize, n_schools: usize) {
        self.active = true;
        self.memberships.resize(n_schools, 0);
        self.memberships[i] += 1;
    }

    /// Register a school leaving a partnership.
    pub fn leave(&mut self, i: usize) {
        if let Some(m) = self.memberships.get_mut(i) {
            *m = m.saturating_sub(1);
        }
    }
}
