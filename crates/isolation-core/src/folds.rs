//! Folds as row ranges (`Fold`, `CvFold`), test ranges with warm-up history, and `FoldError`.

use std::ops::Range;

use serde::Serialize;
use thiserror::Error;
use timeseries_array::TimestampNs;

use crate::{BlockPurge, IsolationError, Length};

/// Why a fold spec could not be parsed or laid over the data. Messages name the spec and the value at fault.
///
/// `Debug` prints the same message as `Display` (dates as ISO 8601), so a `?` from `main` reads as a
/// sentence rather than a struct of nanoseconds.
#[derive(Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FoldError {
    /// A length that is not an integer with a known unit.
    #[error("invalid length `{text}`: {reason}; use e.g. 500 (rows), 30d, 12h, 15m or 500ms")]
    InvalidLength {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A spec string with an unknown, repeated, missing or malformed key.
    #[error("cannot parse `{spec}`: {reason}")]
    Parse {
        /// The spec string given.
        spec: String,
        /// What is wrong, naming the key.
        reason: String,
    },
    /// A length or count that must be positive is zero.
    #[error("{name} of `{spec}` must be positive")]
    Zero {
        /// Which parameter (`train`, `test`, `step`, `k`, ...).
        name: &'static str,
        /// The spec, as its text form.
        spec: String,
    },
    /// Row counts and durations mixed in one spec.
    #[error("`{spec}` mixes row counts and durations; give all lengths in rows or all in time (e.g. 30d)")]
    MixedUnits {
        /// The spec, as its text form.
        spec: String,
    },
    /// A schedule shared across symbols was asked of a spec in rows.
    #[error(
        "`{spec}` counts rows, which differ between symbols; give lengths in time (e.g. 30d) to cut all symbols at the same instant"
    )]
    RowsAcrossSymbols {
        /// The spec, as its text form.
        spec: String,
    },
    /// No timestamps to lay folds over.
    #[error("no rows: `{spec}` needs data to lay folds over")]
    NoData {
        /// The spec, as its text form.
        spec: String,
    },
    /// The data is too short for even one fold.
    #[error(
        "`{spec}` gives no fold on {n_rows} rows ({} ..= {}); use more data or shorter lengths{hint}",
        timeseries_array::format_timestamp(*.first), timeseries_array::format_timestamp(*.last)
    )]
    NoFolds {
        /// The spec, as its text form.
        spec: String,
        /// Rows in the data.
        n_rows: usize,
        /// First timestamp.
        first: TimestampNs,
        /// Last timestamp.
        last: TimestampNs,
        /// A suggestion, starting with `, ` or empty.
        hint: &'static str,
    },
    /// More folds than rows, or test folds not fewer than folds.
    #[error("`{spec}` cannot split {n_rows} rows: {reason}")]
    TooFewRows {
        /// The spec, as its text form.
        spec: String,
        /// Rows in the data.
        n_rows: usize,
        /// Why.
        reason: String,
    },
    /// Purge and embargo removed every train row of a fold.
    #[error(
        "fold {fold} of `{spec}` has no train rows left after purge and embargo; shorten them or use fewer folds"
    )]
    EmptyTrain {
        /// The fold's index.
        fold: usize,
        /// The spec, as its text form.
        spec: String,
    },
    /// Label ends that do not fit the rows: a different count, or a label ending before its own row.
    #[error("invalid label ends: {reason}")]
    LabelEnds {
        /// What is wrong, naming the row.
        reason: String,
    },
    /// A membership (universe) table that cannot be used.
    #[error("invalid universe table: {reason}")]
    Universe {
        /// What is wrong, naming the row or column.
        reason: String,
    },
    /// A fixed purge and per-row label ends given together.
    #[error(
        "`{spec}` has a fixed purge and label ends were given too; the label ends decide the purge, so drop `purge=`"
    )]
    PurgeAndLabels {
        /// The spec, as its text form.
        spec: String,
    },
    /// A simple train/test split failed.
    #[error(transparent)]
    Split(#[from] IsolationError),
}

/// One forward fold: train rows, then (after any gap) test rows, of one symbol's data.
///
/// Invariants: `train.end <= test.start` (test bars never appear in train, and every test timestamp is later
/// than every train timestamp), both ranges lie inside the data, and `test.start - train.end` rows form the
/// gap (purge) that neither side sees.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Fold {
    /// Position of the fold in its schedule, from 0.
    pub index: usize,
    /// Train rows.
    pub train: Range<usize>,
    /// Test rows.
    pub test: Range<usize>,
}

impl Fold {
    /// The test rows with up to `warmup` of history before them (rows, or a duration on `timestamps`).
    pub fn test_with_warmup(&self, warmup: Length, timestamps: &[TimestampNs]) -> TestWithWarmup {
        TestWithWarmup::new(self.test.clone(), warmup, timestamps)
    }
}

/// A test range and the history rows just before it, for indicators that need a warm-up.
///
/// The warm-up rows may overlap train or gap rows: they are history the strategy could have seen when the
/// test period starts, not leakage. What stays hidden is the future: slice the data to
/// [`TestWithWarmup::rows`] and start a cursor with
/// `Cursor::with_warmup(&data, test_with_warmup.warmup_len())`; its first bar is the first test bar, and
/// `window(n)` reaches back into the warm-up but never past the current bar.
///
/// ```
/// use isolation_core::{Length, TestWithWarmup};
///
/// let timestamps: Vec<i64> = (0..10).collect();
/// let t = TestWithWarmup::new(6..10, Length::Rows(3), &timestamps);
/// assert_eq!((t.rows(), t.warmup_len()), (3..10, 3));
/// assert_eq!((t.warmup, t.test), (3..6, 6..10));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct TestWithWarmup {
    /// History rows right before the test, ending where the test starts.
    pub warmup: Range<usize>,
    /// Test rows.
    pub test: Range<usize>,
}

impl TestWithWarmup {
    /// `test` with up to `warmup` rows (or that duration) of history before it; fewer at the start of the data.
    pub fn new(test: Range<usize>, warmup: Length, timestamps: &[TimestampNs]) -> Self {
        let start = warmup.start_before(timestamps, test.start);
        Self { warmup: start..test.start, test }
    }

    /// Warm-up and test rows together: the rows to hand a cursor.
    pub fn rows(&self) -> Range<usize> {
        self.warmup.start..self.test.end
    }

    /// Rows of warm-up: the `warmup` argument of `Cursor::with_warmup` over [`TestWithWarmup::rows`].
    pub fn warmup_len(&self) -> usize {
        self.warmup.len()
    }
}

/// One cross-validation fold whose train rows surround its test rows (k-fold and combinatorial CV).
///
/// Invariants: the ranges in `train` and `test` are sorted, non-empty, inside the data and pairwise disjoint;
/// purged and embargoed rows are in neither.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct CvFold {
    /// Position of the fold, from 0.
    pub index: usize,
    /// The groups (blocks of rows, numbered from 0 in time order) that form the test set.
    pub test_groups: Vec<usize>,
    /// Train rows, as sorted disjoint ranges.
    pub train: Vec<Range<usize>>,
    /// Test rows, as sorted disjoint ranges (adjacent test groups merged).
    pub test: Vec<Range<usize>>,
    /// Per test block, the rows purged and embargoed around it.
    pub purged: Vec<BlockPurge>,
}

impl CvFold {
    /// Number of train rows.
    pub fn n_train(&self) -> usize {
        self.train.iter().map(ExactSizeIterator::len).sum()
    }

    /// Number of test rows.
    pub fn n_test(&self) -> usize {
        self.test.iter().map(ExactSizeIterator::len).sum()
    }
}

/// `n_rows` rows split into `n_groups` contiguous groups; the first `n_rows % n_groups`
/// groups get one row more (as scikit-learn's `KFold`).
pub(crate) fn groups(n_rows: usize, n_groups: usize) -> Vec<Range<usize>> {
    let (size, extra) = (n_rows / n_groups, n_rows % n_groups);
    let mut start = 0;
    (0..n_groups)
        .map(|g| {
            let end = start + size + usize::from(g < extra);
            let range = start..end;
            start = end;
            range
        })
        .collect()
}

impl std::fmt::Debug for FoldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
