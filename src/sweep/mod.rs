//! Parameter sweeps, planned before anything runs.
//!
//! A sweep file ([`SweepFile`]) names a base scenario, the parameters to vary
//! and how (a full grid of values, a random or Latin-hypercube sample over
//! ranges, or a design table), the replicates per point and the years. The
//! planner turns it into a [`Plan`]: every point's scenario, set and validated
//! through the same checks as a scenario file ([`params`]), and every run with
//! its seed ([`RunSpec`]). Nothing here runs a simulation or writes a file:
//! the binary runs the plan, streams results, resumes and merges shards.
//!
//! A sweep file that names a `contrast` scenario plans a [`contrast`]: every
//! setting run in both scenarios with the same seeds.
//!
//! [`sensitivity`] ranks the varied parameters by their influence on an
//! outcome, from the written results.

pub mod contrast;
mod file;
pub use crate::scenario::params;
pub mod plan;
pub mod sensitivity;

pub use file::{MAX_RUNS, SweepFile};
pub use plan::{Plan, Point, RunSpec, Shard, run_seed};
