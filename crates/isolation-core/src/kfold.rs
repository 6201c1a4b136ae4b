//! `PurgedKFold` and `CombinatorialPurgedCv`: cross-validation with purging and embargo (Lopez de Prado, ch. 7, 12).

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::Serialize;

use crate::cross_validation::{TestBlock, TestBlocks};
use crate::folds::groups;
use crate::spec_text::SpecText;
use crate::{CrossValidation, FoldError, Length};

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
/// use isolation_core::{CrossValidation, Length, PurgedKFold};
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

    fn as_combinatorial(&self) -> CombinatorialPurgedCv {
        CombinatorialPurgedCv { n_folds: self.k, n_test_folds: 1, purge: self.purge, embargo: self.embargo }
    }
}

impl CrossValidation for PurgedKFold {
    fn purge(&self) -> Length {
        self.purge
    }

    fn embargo(&self) -> Length {
        self.embargo
    }

    /// `k`.
    fn n_splits(&self) -> u128 {
        self.k as u128
    }

    /// Group `i` tests in fold `i`. Errors: `k < 2` or fewer rows than folds.
    fn test_blocks(&self, n_rows: usize) -> Result<TestBlocks, FoldError> {
        self.as_combinatorial().blocks(n_rows, &self.to_string())
    }
}

/// Combinatorial purged cross-validation: `n_folds` contiguous groups, and one fold for each of the
/// C(`n_folds`, `n_test_folds`) ways to pick the test groups (in lexicographic order, as skfolio's
/// `CombinatorialPurgedCV`). Each test block (adjacent test groups merged) is purged and embargoed as in
/// [`PurgedKFold`], which is the case `n_test_folds = 1`.
///
/// ```
/// use isolation_core::{CombinatorialPurgedCv, CrossValidation};
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

    /// Number of backtest paths: each group is tested in C(`n_folds - 1`, `n_test_folds - 1`) folds, and
    /// every path takes one of them per group.
    pub fn n_test_paths(&self) -> u128 {
        binomial(self.n_folds.saturating_sub(1), self.n_test_folds.saturating_sub(1))
    }

    fn blocks(&self, n_rows: usize, spec: &str) -> Result<TestBlocks, FoldError> {
        let groups = self.groups(n_rows, spec)?;
        Ok(Box::new(GroupCombinations { groups, next: Some((0..self.n_test_folds).collect()) }))
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

impl CrossValidation for CombinatorialPurgedCv {
    fn purge(&self) -> Length {
        self.purge
    }

    fn embargo(&self) -> Length {
        self.embargo
    }

    /// C(`n_folds`, `n_test_folds`), exactly (`u128::MAX` where it does not fit 128 bits).
    fn n_splits(&self) -> u128 {
        binomial(self.n_folds, self.n_test_folds)
    }

    /// Every combination of `n_test_folds` of the `n_folds` groups, in lexicographic order, made one at a
    /// time: C(40, 20) is 137,846,528,820 folds, and the first comes at once.
    ///
    /// ```
    /// use isolation_core::{CombinatorialPurgedCv, CrossValidation, LabelIntervals, Length};
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
    /// Errors: `n_folds < 2`, `n_test_folds` outside `1..n_folds`, or fewer rows than groups.
    fn test_blocks(&self, n_rows: usize) -> Result<TestBlocks, FoldError> {
        self.blocks(n_rows, &self.to_string())
    }
}

/// The combinations of test groups, in lexicographic order, each with the rows it covers.
struct GroupCombinations {
    groups: Vec<Range<usize>>,
    /// The test groups of the next fold; `None` once every fold was made.
    next: Option<Vec<usize>>,
}

impl Iterator for GroupCombinations {
    type Item = TestBlock;

    fn next(&mut self) -> Option<TestBlock> {
        let pick = self.next.take()?;
        let mut following = pick.clone();
        if next_combination(&mut following, self.groups.len()) {
            self.next = Some(following);
        }
        let test = merged(pick.iter().map(|&g| self.groups[g].clone()));
        Some((pick, test))
    }
}

/// Moves `pick` (a sorted `k`-subset of `0..n`) to the next one in lexicographic order; false after the
/// last.
fn next_combination(pick: &mut [usize], n: usize) -> bool {
    let k = pick.len();
    // The rightmost position that can still move right.
    let Some(i) = (0..k).rev().find(|&i| pick[i] < n - k + i) else { return false };
    pick[i] += 1;
    for j in i + 1..k {
        pick[j] = pick[j - 1] + 1;
    }
    true
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
    fn combinations_in_lexicographic_order() {
        let mut pick = vec![0, 1];
        let mut all = vec![pick.clone()];
        while next_combination(&mut pick, 4) {
            all.push(pick.clone());
        }
        assert_eq!(all, [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]);
    }

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
