//! The `isolation` command's pieces, as a library so they can be tested: synthetic bars, the demo strategy
//! and its report.
//!
//! ```
//! use isolation_cli::synthetic::{SyntheticBars, generate};
//! use isolation_cli::demo::{DemoConfig, run_demo};
//! use isolation::IsolationMode;
//!
//! let config = DemoConfig {
//!     bars: SyntheticBars { rows: 5_000, symbols: 2, seed: 7 },
//!     modes: vec![IsolationMode::View, IsolationMode::DeepCopy],
//!     train_ratio: 0.7,
//!     workers: None,
//! };
//! let results = run_demo(&config)?;
//! assert_eq!(results[0].checksum, results[1].checksum); // same answer whatever the mode
//! # Ok::<(), anyhow::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod cli;
#[cfg(feature = "cow")]
pub mod cow_step;
pub mod demo;
#[cfg(feature = "shm")]
pub mod fold_run;
pub mod folds;
#[cfg(feature = "shm")]
pub mod shm_cmd;
pub mod source;
pub mod split;
pub mod strategy;
pub use isolation::synthetic;
pub mod table;
pub mod workers;
