//! Train/test isolation for market data, without copies and without look-ahead.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::Float64Array;
//! use isolation::{DataHandler, IsolationMode, Split, SplitSpec, TimeFrame};
//!
//! let close = Arc::new(Float64Array::from_iter_values((0..1000).map(f64::from)));
//! let bars = TimeFrame::try_new((0..1000).collect::<Vec<i64>>(), vec![("close".into(), close)])?;
//!
//! let mut handler = DataHandler::new(IsolationMode::View);
//! handler.load("BTCUSD", bars)?;
//! handler.setup_split(SplitSpec::Ratio(0.7))?;
//!
//! let train = handler.data_for("BTCUSD", Split::Train)?;
//! let test = handler.data_for("BTCUSD", Split::Test)?;
//! assert_eq!((train.n_rows(), test.n_rows()), (700, 300));
//!
//! // Train and test share the loaded frame's buffers: the report counts them once.
//! let report = handler.memory_report();
//! assert_eq!(report.distinct.shared_bytes, report.base_bytes);
//! # Ok::<(), isolation::IsolationError>(())
//! ```
//!
//! # Crate topology
//!
//! - `memtrack`: footprints (owned vs shared bytes, each allocation once) and OS memory figures.
//! - `timeseries-array`: `TimeFrame` and `TimeSeriesArray`, Arrow-backed, sliced without copying.
//! - `isolation-core`: modes, split specs, the `IsolatedData` trait, the look-ahead-free `Cursor`, errors.
//! - `isolation-view` (feature `view`, default): zero-copy read-only views, and the deep-copy baseline.
//! - `isolation-cow` (feature `cow`): copy-on-write frames that copy only the chunks written.
//! - `isolation-shm` (feature `shm`): Arrow IPC datasets in shared memory, attached by name.
//! - `isolation` (this crate): [`DataHandler`] and [`IsolationFactory`] over all of them.
#![forbid(unsafe_code)]

mod backend;
#[cfg(feature = "shm")]
mod dataset_gc;
mod dates;
mod factory;
#[cfg(test)]
mod factory_tests;
mod folds;
mod handler;
mod manifest;
#[cfg(all(feature = "shm", feature = "io"))]
mod node_fold;
mod optimize;
mod report;
#[cfg(feature = "shm")]
mod shared;
mod split_data;
pub mod synthetic;
mod universe;
mod workload;

pub use dates::{IntoTimestamp, timestamp};
pub use factory::IsolationFactory;
pub use folds::{
    FoldArgs, FoldData, FoldOptions, FoldSegment, FoldSpec, LabelEnds, PlannedFold, RowFoldInput, RowFolds,
    SkippedSymbol, SymbolFold, SymbolFoldData, row_folds,
};
pub use handler::{DataHandler, Folds};
pub use manifest::{
    FoldManifest, MANIFEST_FORMAT, ManifestFold, ManifestSource, ManifestSymbolFold, RowSpan, TestSpanRows,
};
#[cfg(all(feature = "shm", feature = "io"))]
pub use node_fold::{NodeFold, NodeSymbol};
pub use optimize::optimize_frame;
pub use report::{MemoryReport, SymbolMemory, human_bytes};
#[cfg(feature = "shm")]
pub use shared::SegmentLocation;
pub use split_data::SplitData;
pub use universe::Universe;
pub use workload::{CreateOptions, Decision, FactoryConfig, Resources, Workload};

pub use isolation_core::{
    Bar, BarColumn, BlockPurge, Calendar, ColumnRef, CombinatorialPurgedCv, CrossValidation, Cursor, CvFold,
    CvFolds, DEFAULT_TRAIN_RATIO, DataInfo, EmptySide, Fold, FoldError, IsolatedData, IsolationError,
    IsolationMode, LabelIntervals, LastN, Length, MAX_FOLDS, NullableColumnRef, Purged, PurgedKFold, Split,
    SplitCut, SplitMethodArgs, SplitOptions, SplitRanges, SplitSpec, SplitWarning, TestSpan, TestWithWarmup,
    TimeFold, TrainWindow, WalkForward, Window,
};
pub use memtrack::{
    BufferSet, Footprint, Ledger, LedgerRow, LedgerSummary, ProcessMemory, SmapsRollup, SystemMemory,
};
pub use timeseries_array::optimize::{ColumnChange, FloatPolicy, OptimizeOptions, OptimizeReport};
/// Object-store sources: the local cache remote files are fetched into.
#[cfg(feature = "remote")]
pub use timeseries_io::remote;
#[cfg(feature = "io")]
pub use timeseries_io::{
    FileFormat, FileInfo, LoadError, LoadOptions, LoadReport, Loaded, TimestampFormat, describe, is_uri,
    load, save,
};

/// The Arrow array crate this workspace builds on (arrow-rs), for building frames without adding it
/// yourself: `isolation::arrow_array::Float64Array`.
pub use arrow_array;
/// Options of copy-on-write frames (chunk size), for [`DataHandler::with_cow_config`].
#[cfg(feature = "cow")]
pub use isolation_cow::CowConfig;
pub use timeseries_array::{
    Cause, FrameError, NativeValue, TIMESTAMP_COLUMN, TimeFrame, TimeSeriesArray, TimestampNs, ValueType,
    error_chain, format_timestamp, printable,
};

#[cfg(feature = "view")]
#[doc(inline)]
pub use isolation_view as view;

#[cfg(feature = "cow")]
#[doc(inline)]
pub use isolation_cow as cow;

#[cfg(feature = "shm")]
pub use dataset_gc::dataset_policy;
#[cfg(feature = "shm")]
#[doc(inline)]
pub use isolation_shm as shm;

/// The isolation modes this build can create (depends on the enabled cargo features).
pub fn available_modes() -> Vec<IsolationMode> {
    IsolationMode::ALL.into_iter().filter(|m| backend::is_available(*m)).collect()
}

/// README's Rust example, compiled as a doctest so the front page never shows code that does not build.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
