//! `CvFolds`: the folds of combinatorial purged CV (and purged k-fold) made one at a time, so memory does
//! not grow with the number of folds.

use std::ops::Range;

use crate::kfold::merged;
use crate::{CvFold, FoldError, LabelIntervals, Length};

/// The folds of a [`CombinatorialPurgedCv`] or [`PurgedKFold`], made when the iterator reaches them (test
/// groups in lexicographic order, as skfolio's). Holds the labels and the current combination only.
#[derive(Debug, Clone)]
pub struct CvFolds<'a> {
    pub(crate) labels: LabelIntervals<'a>,
    pub(crate) groups: Vec<Range<usize>>,
    pub(crate) embargo: Length,
    /// The test groups of the next fold; `None` once every fold was made.
    pub(crate) next: Option<Vec<usize>>,
    pub(crate) index: usize,
    pub(crate) count: u128,
    pub(crate) spec: String,
}

impl CvFolds<'_> {
    /// Folds in all (made and to come), exactly.
    pub fn len_exact(&self) -> u128 {
        self.count
    }

    /// The spec's text form.
    pub fn spec(&self) -> &str {
        &self.spec
    }
}

impl Iterator for CvFolds<'_> {
    type Item = Result<CvFold, FoldError>;

    fn next(&mut self) -> Option<Self::Item> {
        let test_groups = self.next.take()?;
        let mut following = test_groups.clone();
        if next_combination(&mut following, self.groups.len()) {
            self.next = Some(following);
        }
        let index = self.index;
        self.index += 1;
        let test = merged(test_groups.iter().map(|&g| self.groups[g].clone()));
        let labels = &self.labels;
        let purged = labels.purge(&test, &labels.test_spans(&test), self.embargo, labels.starts());
        if purged.train.is_empty() {
            return Some(Err(FoldError::EmptyTrain { fold: index, spec: self.spec.clone() }));
        }
        Some(Ok(CvFold { index, test_groups, train: purged.train, test, purged: purged.blocks }))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.count.saturating_sub(self.index as u128);
        (usize::try_from(left).unwrap_or(usize::MAX), usize::try_from(left).ok())
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
}
