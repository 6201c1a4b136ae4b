//! Folds as row ranges (`Fold`, `CvFold`), test ranges with warm-up history, and `FoldError`.

use std::ops::Range;

use serde::Serialize;
use timeseries_array::TimestampNs;

use crate::{BlockPurge, IsolationError, Length};

/// Fold and spec errors: variants of [`IsolationError`], the one error type of this crate (`InvalidLength`,
/// `Parse`, `NoFolds`, `EmptyTrain`, `LabelEnds`, ...). The name stays for the functions that only fail in
/// these ways.
pub type FoldError = IsolationError;

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
