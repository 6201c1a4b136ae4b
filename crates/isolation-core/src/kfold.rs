//! `PurgedKFold` and `CombinatorialPurgedCv`: cross-validation with purging and embargo (Lopez de Prado, ch. 7, 12).

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::Serialize;
use timeseries_array::TimestampNs;

use crate::cv_folds::CvFolds;
use crate::folds::groups;
use crate::spec_text::SpecText;
use crate::{CvFold, FoldError, LabelIntervals, Length};

/// K-fold cross-validation over contiguous blocks, with purging and embargo.
///
/// The rows are cut into `k` contiguous groups (the first `n_rows % k` one row longer, as scikit-learn's
/// `KFold`); fold `i` tests group `i` and trains on every other row except:
/// - **purge**, on both sides of the test block (Lopez de Prado; skfolio's `purged_size`): the `purge` rows
///   (or the rows at most `purge` in time) right before the block, whose labels, looking `purge` ahead,
///   would overlap the test period, and as many right after it, which start inside the reach of the last
///   test labels;
/// - **embargo**: the `embargo` rows (or the rows at most `embargo` in time) after the purge that follows
///   the test block, whose features could still carry test information.
///
/// Train rows before and after the test block are both used (this is not a forward spec): use it to
/// estimate, and [`crate::WalkForward`] to simulate trading. Test bars never appear in train.
///
/// ```
/// use isolation_core::{Length, PurgedKFold};
///
/// let spec: PurgedKFold = "k=3,purge=1,embargo=2".parse()?;
/// let folds = spec.folds(&(0..9).collect::<Vec<i64>>())?;
/// // Test rows 3..6; purge drops row 2 before and row 6 after, the embargo rows 7 and 8.
/// assert_eq!((folds[1].train.clone(), folds[1].test.clone()), (vec![0..2], vec![3..6]));
/// # Ok::<(), isolation_core::FoldError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct PurgedKFold {
    /// Number of folds (groups), at least 2.
    pub k: usize,
    /// The label horizon: every row's label ends this many rows (or this much time) later, and train rows
    /// whose label overlaps a test block's labels are dropped, on both sides of the block.
    pub purge: Length,
    /// Train rows dropped after the purge that follows each test block.
    pub embargo: Length,
}

impl PurgedKFold {
    /// `k` folds, no purge, no embargo.
    pub fn new(k: usize) -> Self {
        Self { k, purge: Length::Rows(0), embargo: Length::Rows(0) }
    }

    /// This spec with `purge` and `embargo`.
    pub fn with_purge_embargo(self, purge: Length, embargo: Length) -> Self {
        Self { purge, embargo, ..self }
    }

    /// The `k` folds over `timestamps` (sorted), in the order of their test groups.
    ///
    /// # Errors
    ///
    /// `k < 2`, fewer rows than folds, or a fold left without train rows.
    pub fn folds(&self, timestamps: &[TimestampNs]) -> Result<Vec<CvFold>, FoldError> {
        self.fold_iter(LabelIntervals::horizon(timestamps, self.purge))?.collect()
    }

    /// The folds over `labels` one at a time (see [`CombinatorialPurgedCv::fold_iter`]); with labels from
    /// [`LabelIntervals::horizon`] of the spec's `purge`, as [`PurgedKFold::folds`] makes them.
    ///
    /// # Errors
    ///
    /// `k < 2` or fewer rows than folds. The spec's `purge` is not applied here: `labels` carry the horizon.
    pub fn fold_iter<'a>(&self, labels: LabelIntervals<'a>) -> Result<CvFolds<'a>, FoldError> {
        self.as_combinatorial().fold_iter_named(labels, self.to_string())
    }

    /// The `k` folds over rows labelled with `labels` (each row's label interval, e.g. from a `t1` column):
    /// a train row is purged when its label overlaps the labels of a test block, on either side, and the
    /// `embargo` follows the latest test label end. The spec's own `purge` must be zero.
    ///
    /// # Errors
    ///
    /// As [`PurgedKFold::folds`], and [`FoldError::PurgeAndLabels`] with a non-zero `purge`.
    pub fn folds_labelled(&self, labels: &LabelIntervals<'_>) -> Result<Vec<CvFold>, FoldError> {
        if !self.purge.is_zero() {
            return Err(FoldError::PurgeAndLabels { spec: self.to_string() });
        }
        self.fold_iter(labels.clone())?.collect()
    }

    fn as_combinatorial(&self) -> CombinatorialPurgedCv {
        CombinatorialPurgedCv { n_folds: self.k, n_test_folds: 1, purge: self.purge, embargo: self.embargo }
    }
}

/// Combinatorial purged cross-validation: `n_folds` contiguous groups, and one fold for each of the
/// C(`n_folds`, `n_test_folds`) ways to pick the test groups (in lexicographic order, as skfolio's
/// `CombinatorialPurgedCV`). Each test block (adjacent test groups merged) is purged and embargoed as in
/// [`PurgedKFold`], which is the case `n_test_folds = 1`.
///
/// ```
/// use isolation_core::CombinatorialPurgedCv;
///
/// let spec: CombinatorialPurgedCv = "n_folds=4,n_test_folds=2,embargo=1".parse()?;
/// let folds = spec.folds(&(0..8).collect::<Vec<i64>>())?;
/// assert_eq!((folds.len(), spec.n_test_paths()), (6, 3));
/// assert_eq!((folds[1].test.clone(), folds[1].train.clone()), (vec![0..2, 4..6], vec![3..4, 7..8]));
/// # Ok::<(), isolation_core::FoldError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CombinatorialPurgedCv {
    /// Number of groups, at least 2.
    pub n_folds: usize,
    /// Groups in each test set, in `1..n_folds`.
    pub n_test_folds: usize,
    /// The label horizon, as [`PurgedKFold::purge`].
    pub purge: Length,
    /// Train rows dropped after the purge that follows each test block.
    pub embargo: Length,
}

impl CombinatorialPurgedCv {
    /// `n_folds` groups, `n_test_folds` of them tested per fold, no purge, no embargo.
    pub fn new(n_folds: usize, n_test_folds: usize) -> Self {
        Self { n_folds, n_test_folds, purge: Length::Rows(0), embargo: Length::Rows(0) }
    }

    /// This spec with `purge` and `embargo`.
    pub fn with_purge_embargo(self, purge: Length, embargo: Length) -> Self {
        Self { purge, embargo, ..self }
    }

    /// Number of folds: C(`n_folds`, `n_test_folds`), exactly (`u128::MAX` where it does not fit 128 bits).
    pub fn n_splits(&self) -> u128 {
        binomial(self.n_folds, self.n_test_folds)
    }

    /// Number of backtest paths: each group is tested in C(`n_folds - 1`, `n_test_folds - 1`) folds, and
    /// every path takes one of them per group.
    pub fn n_test_paths(&self) -> u128 {
        binomial(self.n_folds.saturating_sub(1), self.n_test_folds.saturating_sub(1))
    }

    /// All C(`n_folds`, `n_test_folds`) folds over `timestamps` (sorted).
    ///
    /// # Errors
    ///
    /// `n_folds < 2`, `n_test_folds` outside `1..n_folds`, fewer rows than groups, a fold left without
    /// train rows, or more than [`crate::MAX_FOLDS`] folds ([`FoldError::TooManyFolds`]: walk them with
    /// [`CombinatorialPurgedCv::fold_iter`] instead).
    pub fn folds(&self, timestamps: &[TimestampNs]) -> Result<Vec<CvFold>, FoldError> {
        self.check_count()?;
        self.fold_iter(LabelIntervals::horizon(timestamps, self.purge))?.collect()
    }

    /// All folds over rows labelled with `labels`, purged by label overlap as in
    /// [`PurgedKFold::folds_labelled`]. The spec's own `purge` must be zero.
    ///
    /// # Errors
    ///
    /// As [`CombinatorialPurgedCv::folds`], and [`FoldError::PurgeAndLabels`] with a non-zero `purge`.
    pub fn folds_labelled(&self, labels: &LabelIntervals<'_>) -> Result<Vec<CvFold>, FoldError> {
        if !self.purge.is_zero() {
            return Err(FoldError::PurgeAndLabels { spec: self.to_string() });
        }
        self.check_count()?;
        self.fold_iter(labels.clone())?.collect()
    }

    /// The folds over `labels`, made one at a time as the iterator is advanced: memory stays flat however
    /// many folds there are (C(40, 20) is 137,846,528,820), and the first fold comes at once.
    ///
    /// ```
    /// use isolation_core::{CombinatorialPurgedCv, LabelIntervals, Length};
    ///
    /// let stamps: Vec<i64> = (0..1_000).collect();
    /// let spec = CombinatorialPurgedCv::new(40, 20);
    /// let mut folds = spec.fold_iter(LabelIntervals::horizon(&stamps, Length::Rows(0)))?;
    /// assert_eq!(folds.len_exact(), 137_846_528_820);
    /// let first = folds.next().unwrap()?;
    /// assert_eq!((first.test.clone(), first.train.clone()), (vec![0..500], vec![500..1_000]));
    /// # Ok::<(), isolation_core::FoldError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// `n_folds < 2`, `n_test_folds` outside `1..n_folds`, or fewer rows than groups (a fold left without
    /// train rows is an error item of the iterator).
    pub fn fold_iter<'a>(&self, labels: LabelIntervals<'a>) -> Result<CvFolds<'a>, FoldError> {
        self.fold_iter_named(labels, self.to_string())
    }

    fn fold_iter_named<'a>(
        &self,
        labels: LabelIntervals<'a>,
        spec: String,
    ) -> Result<CvFolds<'a>, FoldError> {
        let groups = self.groups(labels.len(), &spec)?;
        Ok(CvFolds {
            labels,
            groups,
            embargo: self.embargo,
            next: Some((0..self.n_test_folds).collect()),
            index: 0,
            count: self.n_splits(),
            spec,
        })
    }

    /// [`FoldError::TooManyFolds`] above [`crate::MAX_FOLDS`].
    pub fn check_count(&self) -> Result<(), FoldError> {
        let count = self.n_splits();
        if count > crate::MAX_FOLDS as u128 {
            return Err(FoldError::TooManyFolds { spec: self.to_string(), count, limit: crate::MAX_FOLDS });
        }
        Ok(())
    }

    fn groups(&self, n_rows: usize, spec: &str) -> Result<Vec<Range<usize>>, FoldError> {
        let too_few = |reason: String| FoldError::TooFewRows { spec: spec.to_string(), n_rows, reason };
        if self.n_folds < 2 {
            return Err(too_few(format!("at least 2 folds are needed, got {}", self.n_folds)));
        }
        if self.n_test_folds == 0 || self.n_test_folds >= self.n_folds {
            let reason = format!("test folds must lie in 1..{}, got {}", self.n_folds, self.n_test_folds);
            return Err(too_few(reason));
        }
        if n_rows < self.n_folds {
            return Err(too_few(format!("{} folds need at least as many rows", self.n_folds)));
        }
        Ok(groups(n_rows, self.n_folds))
    }
}

impl FromStr for PurgedKFold {
    type Err = FoldError;

    /// Parses `k=5[,purge=1d][,embargo=1d]` (the form `Display` writes).
    fn from_str(spec: &str) -> Result<Self, FoldError> {
        let mut text = SpecText::parse(spec, &["k", "purge", "embargo"])?;
        let k =
            text.count("k")?.ok_or_else(|| text.error("`k` is required, e.g. `k=5,embargo=1d`".into()))?;
        let purge = text.length("purge")?.unwrap_or(Length::Rows(0));
        let embargo = text.length("embargo")?.unwrap_or(Length::Rows(0));
        if k < 2 {
            return Err(text.error(format!("`k` must be at least 2, got {k}")));
        }
        Ok(PurgedKFold { k, purge, embargo })
    }
}

impl FromStr for CombinatorialPurgedCv {
    type Err = FoldError;

    /// Parses `n_folds=10,n_test_folds=2[,purge=1d][,embargo=1d]` (the form `Display` writes).
    fn from_str(spec: &str) -> Result<Self, FoldError> {
        let mut text = SpecText::parse(spec, &["n_folds", "n_test_folds", "purge", "embargo"])?;
        let required = |key: &str| format!("`{key}` is required, e.g. `n_folds=10,n_test_folds=2`");
        let n_folds = text.count("n_folds")?.ok_or_else(|| text.error(required("n_folds")))?;
        let n_test_folds = text.count("n_test_folds")?.ok_or_else(|| text.error(required("n_test_folds")))?;
        let purge = text.length("purge")?.unwrap_or(Length::Rows(0));
        let embargo = text.length("embargo")?.unwrap_or(Length::Rows(0));
        if n_folds < 2 || n_test_folds == 0 || n_test_folds >= n_folds {
            let reason = format!(
                "need n_folds >= 2 and 1 <= n_test_folds < n_folds, got {n_folds} and {n_test_folds}"
            );
            return Err(text.error(reason));
        }
        Ok(CombinatorialPurgedCv { n_folds, n_test_folds, purge, embargo })
    }
}

impl fmt::Display for PurgedKFold {
    /// The text form `FromStr` parses, e.g. `k=5,purge=1d,embargo=1d`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "k={}", self.k)?;
        write_purge_embargo(f, self.purge, self.embargo)
    }
}

impl fmt::Display for CombinatorialPurgedCv {
    /// The text form `FromStr` parses, e.g. `n_folds=10,n_test_folds=2,embargo=1d`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "n_folds={},n_test_folds={}", self.n_folds, self.n_test_folds)?;
        write_purge_embargo(f, self.purge, self.embargo)
    }
}

fn write_purge_embargo(f: &mut fmt::Formatter<'_>, purge: Length, embargo: Length) -> fmt::Result {
    if !purge.is_zero() {
        write!(f, ",purge={purge}")?;
    }
    if !embargo.is_zero() {
        write!(f, ",embargo={embargo}")?;
    }
    Ok(())
}

/// Sorted ranges with touching neighbours joined.
pub(crate) fn merged(ranges: impl Iterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for range in ranges {
        match out.last_mut() {
            Some(last) if last.end == range.start => last.end = range.end,
            _ => out.push(range),
        }
    }
    out
}

/// C(`n`, `k`), exactly; `u128::MAX` if it does not fit.
fn binomial(n: usize, k: usize) -> u128 {
    if k > n {
        return 0;
    }
    // Each partial product C(n, i + 1) = C(n, i) * (n - i) / (i + 1) is an integer.
    (0..k.min(n - k))
        .try_fold(1_u128, |acc, i| acc.checked_mul((n - i) as u128).map(|p| p / (i as u128 + 1)))
        .unwrap_or(u128::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binomials_are_exact() {
        assert_eq!(binomial(40, 20), 137_846_528_820);
        assert_eq!(binomial(6, 2), 15);
        assert_eq!(binomial(5, 0), 1);
        assert_eq!(binomial(3, 4), 0);
        assert_eq!(binomial(100, 50), 100_891_344_545_564_193_334_812_497_256);
        assert_eq!(binomial(1_000, 500), u128::MAX);
    }
}
