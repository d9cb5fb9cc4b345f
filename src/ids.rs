//! Ids and the sentinels shared across the model, at the bottom of its
//! layers so that every module can use them without importing another
//! mechanism.
//!
//! Schools, pupils, neighbourhoods, districts and trusts are numbered from 0
//! as `u32` (or `usize` when indexing), in the order the world holds them:
//! a school's id is its index in [`crate::schools::Schools`], and stays its
//! id for the whole run (a closed school keeps its slot; a new school takes
//! the next id).

/// No school: an empty slot of a ranked list, or a pupil not placed.
pub const NONE: u32 = u32::MAX;

/// `World::trust_of` of a school in no trust.
pub const NO_TRUST: u32 = u32::MAX;
