//! `CvFolds`: the folds of any [`CrossValidation`](crate::CrossValidation) kind made one at a time, so
//! memory does not grow with the number of folds.

use std::fmt;

use crate::cross_validation::TestBlocks;
use crate::{CvFold, FoldError, LabelIntervals, Length};

/// The folds of a cross-validation spec, made when the iterator reaches them (in the kind's order: test
/// groups in lexicographic order for combinatorial purged CV, as skfolio's). Holds the labels and the
/// kind's lazy test blocks only.
pub struct CvFolds<'a> {
    labels: LabelIntervals<'a>,
    blocks: TestBlocks,
    embargo: Length,
    index: usize,
    count: u128,
    spec: String,
}

impl<'a> CvFolds<'a> {
    pub(crate) fn new(
        labels: LabelIntervals<'a>,
        blocks: TestBlocks,
        embargo: Length,
        count: u128,
        spec: String,
    ) -> Self {
        Self { labels, blocks, embargo, index: 0, count, spec }
    }
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

impl fmt::Debug for CvFolds<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CvFolds")
            .field("spec", &self.spec)
            .field("index", &self.index)
            .field("count", &self.count)
            .finish_non_exhaustive()
    }
}

impl Iterator for CvFolds<'_> {
    type Item = Result<CvFold, FoldError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (test_groups, test) = self.blocks.next()?;
        let index = self.index;
        self.index += 1;
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
