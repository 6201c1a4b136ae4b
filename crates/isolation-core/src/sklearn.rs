//! scikit-learn's `TimeSeriesSplit` as a [`WalkForward`], for users moving over and for the cross-check test.

use crate::{FoldError, Length, WalkForward};

impl WalkForward {
    /// The spec that gives scikit-learn's `TimeSeriesSplit(n_splits, max_train_size, test_size, gap)` folds
    /// on `n_rows` rows, index for index, through [`WalkForward::row_folds`].
    ///
    /// scikit-learn lays its folds from the end: the last test ends at the last row, the test windows are
    /// `test_size` long (default `n_rows / (n_splits + 1)`) and follow each other, so the first test starts
    /// at `s = n_rows - n_splits * test_size` and the first train ends at `s - gap`. That is an expanding
    /// walk-forward with `train = s - gap`, `test = step = test_size`, `gap`, capped at `max_train_size`
    /// (a `max_train_size` of 0 means no cap, as in scikit-learn).
    ///
    /// # Errors
    ///
    /// Where scikit-learn raises: `n_splits < 2`, more folds than rows, or no room for the first train.
    pub fn sklearn_compatible(
        n_rows: usize,
        n_splits: usize,
        max_train_size: Option<usize>,
        test_size: Option<usize>,
        gap: usize,
    ) -> Result<Self, FoldError> {
        let spec = format!(
            "TimeSeriesSplit(n_splits={n_splits}, max_train_size={max_train_size:?}, test_size={test_size:?}, gap={gap})"
        );
        let too_few = |reason: String| FoldError::TooFewRows { spec: spec.clone(), n_rows, reason };
        if n_splits < 2 {
            return Err(too_few(format!("n_splits must be at least 2, got {n_splits}")));
        }
        if n_splits + 1 > n_rows {
            return Err(too_few(format!("{} folds need at least as many rows", n_splits + 1)));
        }
        let test_size = test_size.unwrap_or(n_rows / (n_splits + 1));
        if test_size == 0 {
            return Err(FoldError::Zero { name: "test_size", spec });
        }
        let train = n_splits
            .checked_mul(test_size)
            .and_then(|t| n_rows.checked_sub(t))
            .and_then(|r| r.checked_sub(gap))
            .filter(|&train| train > 0)
            .ok_or_else(|| {
                too_few(format!("{n_splits} tests of {test_size} rows and a gap of {gap} leave no train"))
            })?;
        let max_train = max_train_size.filter(|&m| m > 0).map(Length::Rows);
        Ok(WalkForward::new(Length::Rows(train), Length::Rows(test_size))
            .with_gap(Length::Rows(gap))
            .expanding(max_train))
    }
}
