//! Ids and the sentinels shared across the model, at the bottom of its
//! layers so that every module can use them without importing another
//! mechanism.
//!
//! Schools, pupils, neighbourhoods, districts and trusts are numbered from 0
//! as `u32` (or `usize` when indexing), in the order the world holds them:
//! a school's id is its index in [`crate::schools::Schools`], and stays its
//! id for the whole run (a closed school keeps its slot; a new school takes
//! the next id).

/// A school's id as the pupils' columns, the ranked lists and the choice
/// sets store it: 16 bits (2 bytes a pupil and a list entry instead of 4),
/// so a run holds at most [`MAX_SCHOOLS`] schools. Elsewhere school ids are
/// `u32` or `usize`, converted losslessly.
pub type SchoolId = u16;

/// No school: an empty slot of a ranked list or a choice set, or a pupil not placed.
pub const NONE: SchoolId = SchoolId::MAX;

/// Most schools a run can hold (open, closed and opened during the run):
/// ids 0 to `MAX_SCHOOLS - 1`, [`NONE`] being the next.
pub const MAX_SCHOOLS: usize = NONE as usize;

/// `World::trust_of` of a school in no trust.
pub const NO_TRUST: u32 = u32::MAX;
