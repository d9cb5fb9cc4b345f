//! # schoolscape
//!
//! A parallel agent-based simulator of school systems. It models schools,
//! families and admissions under market choice (parental choice, school
//! autonomy, league tables, funding that follows pupils, cream-skimming) and
//! under collaborative policies, and tracks segregation and attainment gaps
//! year by year.
//!
//! The library holds the model and nothing else: no command line, no
//! plotting, no output files. Its modules depend downward only, in layers
//! (each uses only those listed before it; `tests/layers.rs` checks it):
//!
//! 1. the ground: [`error`], [`ids`] (ids and sentinels such as
//!    [`ids::NONE`]), [`rng`] (named random streams), [`stats`],
//!    [`spatial`], [`limits`] (input size limits);
//! 2. the description: [`scenario`] (the typed, validated description of one
//!    simulated system, read from TOML files that may `extends` one another,
//!    with every parameter, the policies' and openings' included) and
//!    [`region`] (neighbourhoods, districts and school sites, synthetic or
//!    loaded from CSV);
//! 3. the state: [`schools`], [`cohort`] (pupils in columns) and [`ties`]
//!    (partnerships between schools);
//! 4. the mechanisms of the yearly schedule, a module each: [`residential`],
//!    [`choice`], [`admissions`], [`learning`], [`publish`], [`market`],
//!    [`improvement`];
//! 5. [`world`]: the changing state of one replicate, and the phases run on
//!    it;
//! 6. [`openings`] (new schools where places are short), [`measures`] (pure
//!    functions of counts and scores, and the yearly record) and [`policy`]
//!    (the collaborative policies), each reading the world and acting through
//!    it;
//! 7. [`sim`]: the explicit yearly schedule; [`run`]: replicates in
//!    parallel; [`estimate`]: a run's memory and time; [`sweep`] (parameter
//!    sweeps planned as a list of runs, and the sensitivity of outcomes to
//!    parameters) and [`validation`] (runs checked against published results).
//!
//! ## Using the library
//!
//! Load a scenario (a bundled one by name, a file with
//! [`scenario::load_path`], or text with [`scenario::load_from_str`]), build
//! a [`Simulation`] for one replicate and step it a year at a time; each
//! [`sim::YearRecord`] holds the year's measures and the school panel.
//!
//! ```
//! use schoolscape::{Simulation, scenario::bundled};
//!
//! let scenario = bundled::load("market")?.scaled(0.1); // a tenth of the size, for speed
//! let mut sim = Simulation::new(&scenario, None, 42)?;
//! let year = sim.step();
//! assert_eq!(year.year, 1);
//! let gorard = year.metrics.iter().find(|m| m.measure == "school_gorard" && m.subgroup == "disadvantaged");
//! assert!(gorard.is_some_and(|m| (0.0..=1.0).contains(&m.value)));
//! assert!(year.schools.iter().any(|s| s.open && s.roll > 0));
//! # Ok::<(), schoolscape::Error>(())
//! ```
//!
//! [`run::run_replicates`] runs many replicates in parallel. The
//! `examples/` directory has complete programs: `step_by_year` (change a
//! parameter, read measures and the school panel year by year) and
//! `replicates` (compare scenarios across parallel replicates).
//!
//! ## Cargo features
//!
//! - `cli` (default): the `schoolscape` binary and what only it needs
//!   (command line, progress bars, charts and maps, HTML reports, JSON
//!   manifests). Embed the model with `default-features = false` to compile
//!   only the model's own dependencies.
//!
//! The order of the yearly schedule is written once, in
//! [`sim::Simulation::step`], and described in `docs/ODD.md`.

#![warn(missing_docs)]
#![allow(clippy::needless_range_loop)] // index loops over parallel columns read best as they are

pub mod admissions;
pub mod choice;
pub mod cohort;
pub mod error;
pub mod estimate;
pub mod ids;
pub mod improvement;
pub mod learning;
pub mod limits;
pub mod market;
pub mod measures;
pub mod openings;
pub mod policy;
pub mod publish;
pub mod region;
pub mod residential;
pub mod rng;
pub mod run;
pub mod scenario;
pub mod schools;
pub mod sim;
pub mod spatial;
pub mod stats;
pub mod sweep;
pub mod ties;
pub mod validation;
pub mod world;

pub use error::{Error, Result};
pub use scenario::Scenario;
pub use sim::Simulation;

/// The program version, recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
