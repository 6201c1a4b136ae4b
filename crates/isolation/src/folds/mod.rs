//! Folds over a handler's symbols, one idea per file:
//!
//! - `spec.rs`: [`FoldSpec`], the registry of fold kinds by name (the one place a new kind is added);
//! - `options.rs`: [`FoldOptions`] (warm-up, label ends, cross-sectional purging, universe) and
//!   [`FoldArgs`], the one builder of them from the CLI's flags and the Python keywords;
//! - `plan.rs`: laying a spec over many symbols on one time axis (row ranges, purged and restricted to the
//!   universe; no data made);
//! - `data.rs`: what a plan holds ([`PlannedFold`], [`SymbolFold`]) and each fold's data in the handler's
//!   mode ([`FoldData`]);
//! - `rows.rs`: folds of one series' rows ([`row_folds`]), for the scikit-learn splitters.

mod data;
mod options;
mod plan;
mod rows;
mod spec;

pub(crate) use data::make_fold;
pub use data::{FoldData, FoldSegment, PlannedFold, SkippedSymbol, SymbolFold, SymbolFoldData};
pub use options::{FoldArgs, FoldOptions, LabelEnds};
pub(crate) use plan::plan;
pub use rows::{RowFoldInput, RowFolds, row_folds};
pub use spec::FoldSpec;
