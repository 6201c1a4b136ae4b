//! The isolation vocabulary shared by every backend: modes, split specs, the [`IsolatedData`] trait and the
//! look-ahead-free [`Cursor`].
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::Float64Array;
//! use isolation_core::{Split, SplitSpec};
//! use timeseries_array::TimeFrame;
//!
//! let close = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]));
//! let frame = TimeFrame::try_new((0..10).collect::<Vec<i64>>(), vec![("close".into(), close)])?;
//!
//! // A split spec is pure arithmetic on the index: no data is touched.
//! let ranges = SplitSpec::Ratio(0.7).resolve(frame.timestamps())?;
//! assert_eq!(ranges.range(Split::Train), 0..7);
//! assert_eq!(ranges.range(Split::Test), 7..10);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The invariant this crate keeps: a [`Cursor`] never yields a row after its current bar, and a resolved
//! split's train range ends where its test range begins (no overlap). It owns no data and implements no
//! backend; `isolation-view`, `isolation-cow` and `isolation-shm` do.
#![forbid(unsafe_code)]

mod calendar;
mod column;
mod cross_validation;
mod cursor;
mod cv_folds;
mod data;
mod error;
mod folds;
mod kfold;
mod last_n;
mod length;
mod mode;
mod purge;
pub mod row_set;
mod sklearn;
mod spec_text;
mod split;
mod split_options;
mod split_text;
mod walk_forward;

pub use calendar::Calendar;
pub use column::{BarColumn, ColumnChunk, ColumnLayout, ColumnRef, CopiedChunks, NullableColumnRef};
pub use cross_validation::{CrossValidation, TestBlock, TestBlocks};
pub use cursor::{Bar, Cursor, Window};
pub use cv_folds::CvFolds;
pub use data::{DataInfo, IsolatedData};
pub use error::IsolationError;
pub use folds::{CvFold, Fold, FoldError, TestWithWarmup};
pub use kfold::{CombinatorialPurgedCv, PurgedKFold};

/// The most folds a spec may lay out at once (a `Vec` of folds, a fold plan, a manifest): above it,
/// [`CrossValidation::folds`] and every study built on it refuse with [`FoldError::TooManyFolds`]
/// and the exact count, instead of allocating without bound. Walking folds one at a time
/// ([`CrossValidation::fold_iter`]) has no limit.
pub const MAX_FOLDS: usize = 100_000;
pub use last_n::LastN;
pub use length::Length;
pub use mode::IsolationMode;
pub use purge::{BlockPurge, LabelIntervals, Purged, TestSpan};
pub use split::{Split, SplitCut, SplitRanges, SplitSpec};
pub use split_options::{EmptySide, SplitOptions, SplitWarning};
pub use split_text::{DEFAULT_TRAIN_RATIO, SplitMethodArgs};
pub use timeseries_array::{TimeFrame, TimestampNs};
pub use walk_forward::{TimeFold, TrainWindow, WalkForward};
