//! `CrossValidation`: what a cross-validation kind defines (how many folds, and each fold's test blocks
//! over `n` rows, with its purge and embargo), and what every kind gets from it: purging by label overlap,
//! the embargo, folds made one at a time, the limit on folds laid out at once.
//!
//! A new kind is a type implementing this trait (plus `FromStr` and `Display` for its text form) in this
//! crate, and one registration in the facade's `folds/spec.rs`; the fold plans over many symbols, the
//! manifests, the CLI's `--scheme` and the Python splitters then take it by name (ARCHITECTURE.md, "Where
//! to change X").

use std::fmt;
use std::ops::Range;

use timeseries_array::TimestampNs;

use crate::{CvFold, CvFolds, FoldError, LabelIntervals, Length};

/// One fold's test blocks: the indices of the groups tested (in the kind's own grouping) and the rows
/// they cover, sorted, touching ranges merged.
pub type TestBlock = (Vec<usize>, Vec<Range<usize>>);

/// Each fold's test blocks, in the kind's order, made when reached (a kind may have more folds than fit in
/// memory).
pub type TestBlocks = Box<dyn Iterator<Item = TestBlock> + Send>;

/// A cross-validation scheme: each fold tests some blocks of rows and trains on the rest, minus the rows
/// whose labels overlap the test labels (purge) and the rows right after each block (embargo).
///
/// ```
/// use isolation_core::{CrossValidation, LabelIntervals, Length, PurgedKFold};
///
/// let kfold: PurgedKFold = "k=3,embargo=1".parse()?;
/// assert_eq!(kfold.n_splits(), 3);
/// let stamps: Vec<i64> = (0..9).collect();
/// let folds = kfold.folds(&stamps)?;
/// assert_eq!((folds[0].test.clone(), folds[0].train.clone()), (vec![0..3], vec![4..9]));
/// # Ok::<(), isolation_core::FoldError>(())
/// ```
pub trait CrossValidation: fmt::Display + fmt::Debug + Send + Sync {
    /// The label horizon: each row's label ends this many rows (or this much time) later; train rows whose
    /// labels overlap a test block's labels are purged.
    fn purge(&self) -> Length;

    /// Train rows dropped right after each test block (after its latest label end).
    fn embargo(&self) -> Length;

    /// Folds in all, exactly (independent of the data, as scikit-learn's `get_n_splits`).
    fn n_splits(&self) -> u128;

    /// Each fold's test blocks over `n_rows` rows, before any purge.
    ///
    /// # Errors
    ///
    /// Too few rows for the scheme, or parameters it cannot lay out.
    fn test_blocks(&self, n_rows: usize) -> Result<TestBlocks, FoldError>;

    /// [`FoldError::TooManyFolds`] above [`crate::MAX_FOLDS`]: laying out that many folds at once (a `Vec`,
    /// a plan, a manifest) is refused; walking them with [`CrossValidation::fold_iter`] is not.
    fn check_count(&self) -> Result<(), FoldError> {
        let count = self.n_splits();
        if count > crate::MAX_FOLDS as u128 {
            return Err(FoldError::TooManyFolds { spec: self.to_string(), count, limit: crate::MAX_FOLDS });
        }
        Ok(())
    }

    /// The folds over `labels` one at a time, each purged by label overlap and embargoed; with labels from
    /// [`LabelIntervals::horizon`] of the spec's `purge`, as [`CrossValidation::folds`] makes them. Memory
    /// does not grow with the number of folds.
    ///
    /// # Errors
    ///
    /// As [`CrossValidation::test_blocks`] (a fold left without train rows is an error item).
    fn fold_iter<'a>(&self, labels: LabelIntervals<'a>) -> Result<CvFolds<'a>, FoldError> {
        let blocks = self.test_blocks(labels.len())?;
        Ok(CvFolds::new(labels, blocks, self.embargo(), self.n_splits(), self.to_string()))
    }

    /// All folds over `timestamps` (sorted), purged by the spec's `purge` as a fixed label horizon.
    ///
    /// # Errors
    ///
    /// As [`CrossValidation::fold_iter`], a fold left without train rows, or more than
    /// [`crate::MAX_FOLDS`] folds.
    fn folds(&self, timestamps: &[TimestampNs]) -> Result<Vec<CvFold>, FoldError> {
        self.check_count()?;
        self.fold_iter(LabelIntervals::horizon(timestamps, self.purge()))?.collect()
    }

    /// All folds over rows labelled with `labels` (each row's label interval, e.g. from a `t1` column):
    /// a train row is purged when its label overlaps the labels of a test block, on either side, and the
    /// embargo follows the latest test label end. The spec's own `purge` must be zero.
    ///
    /// # Errors
    ///
    /// As [`CrossValidation::folds`], and [`FoldError::PurgeAndLabels`] with a non-zero `purge`.
    fn folds_labelled(&self, labels: &LabelIntervals<'_>) -> Result<Vec<CvFold>, FoldError> {
        if !self.purge().is_zero() {
            return Err(FoldError::PurgeAndLabels { spec: self.to_string() });
        }
        self.check_count()?;
        self.fold_iter(labels.clone())?.collect()
    }
}
