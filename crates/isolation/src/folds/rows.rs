//! Folds of one series' rows, for the scikit-learn splitters (`split(X)` yields row indices): the same fold
//! kinds the handler plans over many symbols, on one series given by its row count or its timestamps, and
//! purged by each row's label end (`t1`) when given. The checks on `X`'s timestamps and on `t1` live here,
//! so the Python splitters only convert.

use isolation_core::{CvFold, CvFolds, Fold, FoldError, IsolationError, LabelIntervals};
use timeseries_array::{TimestampNs, format_timestamp};

use crate::FoldSpec;

/// One series' rows as a splitter is given them.
#[derive(Debug, Clone, Default)]
pub struct RowFoldInput {
    /// Rows of `X`.
    pub n_rows: usize,
    /// `X`'s timestamps (nanoseconds, strictly increasing); `None` measures lengths in rows.
    pub timestamps: Option<Vec<TimestampNs>>,
    /// Each row's label end (López de Prado's `t1`) as `(index, ends)`: the times `t1` is indexed by, which
    /// must be `X`'s timestamps row for row (or stand in for them), and the ends (`None`: missing).
    pub label_ends: Option<(Vec<TimestampNs>, Vec<Option<TimestampNs>>)>,
}

/// The folds of [`row_folds`], made when reached: one train and one test range per walk-forward fold,
/// the ranges around and of the test blocks for cross-validation.
#[derive(Debug)]
pub struct RowFolds {
    folds: Folds,
    count: u128,
}

#[derive(Debug)]
enum Folds {
    Listed(std::vec::IntoIter<Fold>),
    Lazy(CvFolds<'static>),
}

impl RowFolds {
    /// Folds in all (made and to come), exactly.
    pub fn len_exact(&self) -> u128 {
        self.count
    }
}

impl Iterator for RowFolds {
    type Item = Result<CvFold, IsolationError>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.folds {
            Folds::Listed(folds) => folds.next().map(|f| {
                let (train, test) = (vec![f.train], vec![f.test]);
                Ok(CvFold { index: f.index, test_groups: vec![f.index], train, test, purged: Vec::new() })
            }),
            Folds::Lazy(folds) => folds.next(),
        }
    }
}

/// The folds of `spec` over one series.
///
/// ```
/// use isolation::{FoldSpec, RowFoldInput, row_folds};
///
/// let spec = FoldSpec::parse("kfold", "k=3")?;
/// let folds = row_folds(&spec, RowFoldInput { n_rows: 9, ..RowFoldInput::default() })?;
/// assert_eq!(folds.len_exact(), 3);
/// let tests: Vec<_> = folds.map(|f| f.map(|f| f.test)).collect::<Result<_, _>>()?;
/// assert_eq!(tests, [vec![0..3], vec![3..6], vec![6..9]]);
/// # Ok::<(), isolation::IsolationError>(())
/// ```
///
/// # Errors
///
/// Timestamps that do not strictly increase or are not one per row; `t1` of another length, indexed
/// otherwise than `X`, with a missing end or an end before its row; a spec with both `purge` and `t1`; or
/// whatever the spec refuses on these rows.
pub fn row_folds(spec: &FoldSpec, input: RowFoldInput) -> Result<RowFolds, IsolationError> {
    let RowFoldInput { n_rows, timestamps, label_ends } = input;
    if timestamps.is_none() && label_ends.is_none() && spec.uses_time() {
        let reason = format!(
            "are needed by `{spec}`, which measures lengths in time: give X a DatetimeIndex, or pass \
             timestamps= (or give lengths in rows)"
        );
        return Err(IsolationError::InvalidArgument { argument: "timestamps", reason });
    }
    if let Some(stamps) = &timestamps {
        check_timestamps(stamps, n_rows, "timestamps")?;
    }
    let (stamps, ends) = match label_ends {
        None => (timestamps.unwrap_or_else(|| (0..n_rows as i64).collect()), None),
        Some((index, ends)) => {
            let ends = checked_ends(&index, ends, timestamps.as_deref(), n_rows)?;
            (index, Some(ends))
        }
    };
    let labels =
        ends.map(|ends| LabelIntervals::new(&stamps, ends).map(LabelIntervals::into_owned)).transpose()?;
    match (spec, spec.as_cross_validation()) {
        (_, Some(cv)) => {
            if labels.is_some() && !cv.purge().is_zero() {
                return Err(FoldError::PurgeAndLabels { spec: spec.to_string() });
            }
            let labels = labels.unwrap_or_else(|| LabelIntervals::horizon(&stamps, cv.purge()).into_owned());
            let folds = cv.fold_iter(labels)?;
            Ok(RowFolds { count: folds.len_exact(), folds: Folds::Lazy(folds) })
        }
        (FoldSpec::WalkForward(walk), None) => {
            let folds = match &labels {
                Some(labels) => walk.folds_labelled(labels)?,
                None => walk.folds(&stamps)?,
            };
            Ok(RowFolds { count: folds.len() as u128, folds: Folds::Listed(folds.into_iter()) })
        }
        (_, None) => unreachable!("every kind but walk-forward is a cross-validation"),
    }
}

/// `stamps` are one per row and strictly increasing.
fn check_timestamps(stamps: &[TimestampNs], n_rows: usize, what: &'static str) -> Result<(), IsolationError> {
    if stamps.len() != n_rows {
        let reason = format!("has {} values for {n_rows} rows", stamps.len());
        return Err(IsolationError::InvalidArgument { argument: what, reason });
    }
    if let Some(row) = stamps.windows(2).position(|w| w[1] <= w[0]) {
        let reason = format!(
            "must strictly increase: row {} ({}) is not after row {row} ({})",
            row + 1,
            format_timestamp(stamps[row + 1]),
            format_timestamp(stamps[row])
        );
        return Err(IsolationError::InvalidArgument { argument: what, reason });
    }
    Ok(())
}

/// `t1`'s ends, checked: one per row, none missing, indexed by `X`'s own timestamps where `X` has them.
fn checked_ends(
    index: &[TimestampNs],
    ends: Vec<Option<TimestampNs>>,
    own: Option<&[TimestampNs]>,
    n_rows: usize,
) -> Result<Vec<TimestampNs>, IsolationError> {
    let invalid = |reason: String| IsolationError::LabelEnds { reason };
    if ends.len() != n_rows || index.len() != n_rows {
        return Err(invalid(format!("t1 has {} label ends for {n_rows} samples", ends.len())));
    }
    // Purging by t1's index while the folds index X would purge the wrong rows.
    if let Some(own) = own {
        if let Some(row) = (0..n_rows).find(|&row| own[row] != index[row]) {
            return Err(invalid(format!(
                "t1 must be indexed like X: row {row} of t1 is at {}, of X at {}; use t1.reindex(X.index) \
                 or build t1 from X's index",
                format_timestamp(index[row]),
                format_timestamp(own[row])
            )));
        }
    } else {
        check_timestamps(index, n_rows, "t1")?;
    }
    ends.into_iter()
        .enumerate()
        .map(|(row, end)| {
            end.ok_or_else(|| {
                invalid(format!("t1 has no label end (NaT) at row {row}; drop unlabelled samples first"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(n_rows: usize) -> RowFoldInput {
        RowFoldInput { n_rows, ..RowFoldInput::default() }
    }

    #[test]
    #[allow(clippy::single_range_in_vec_init)]
    fn walk_forward_folds_are_one_range_each() {
        let spec = FoldSpec::parse("walk_forward", "train=4,test=2").unwrap();
        let folds: Vec<CvFold> = row_folds(&spec, input(10)).unwrap().collect::<Result<_, _>>().unwrap();
        let ranges: Vec<_> = folds.iter().map(|f| (f.train.clone(), f.test.clone())).collect();
        assert_eq!(ranges, [(vec![0..4], vec![4..6]), (vec![2..6], vec![6..8]), (vec![4..8], vec![8..10])]);
    }

    #[test]
    fn timestamps_and_t1_are_checked_by_name_and_row() {
        let spec = FoldSpec::parse("kfold", "k=2").unwrap();
        let error = |input| row_folds(&spec, input).unwrap_err().to_string();
        let unsorted = RowFoldInput { timestamps: Some(vec![0, 2, 1]), ..input(3) };
        assert_eq!(
            error(unsorted),
            "`timestamps` must strictly increase: row 2 (1970-01-01T00:00:00.000000001Z) is not after row 1 \
             (1970-01-01T00:00:00.000000002Z)"
        );
        let short = RowFoldInput { timestamps: Some(vec![0, 1]), ..input(3) };
        assert_eq!(error(short), "`timestamps` has 2 values for 3 rows");
        let shifted = RowFoldInput {
            timestamps: Some(vec![0, 1, 2]),
            label_ends: Some((vec![0, 1, 3], vec![Some(1), Some(2), Some(3)])),
            ..input(3)
        };
        assert!(
            error(shifted).starts_with("invalid label ends: t1 must be indexed like X: row 2 of t1 is at ")
        );
        let missing =
            RowFoldInput { label_ends: Some((vec![0, 1, 2], vec![Some(1), None, Some(3)])), ..input(3) };
        assert_eq!(
            error(missing),
            "invalid label ends: t1 has no label end (NaT) at row 1; drop unlabelled samples first"
        );
        let labelled = RowFoldInput { label_ends: Some((vec![0, 1, 2, 3], vec![Some(1); 4])), ..input(4) };
        assert!(error(labelled).contains("label"), "an end before its row is refused");
        let with_purge = FoldSpec::parse("kfold", "k=2,purge=1").unwrap();
        let labelled = RowFoldInput {
            label_ends: Some((vec![0, 1, 2, 3], vec![Some(1), Some(2), Some(3), Some(4)])),
            ..input(4)
        };
        assert!(matches!(row_folds(&with_purge, labelled), Err(IsolationError::PurgeAndLabels { .. })));
    }

    #[test]
    fn a_spec_in_time_without_timestamps_says_what_it_needs() {
        for (kind, text) in [("walk_forward", "train=30d,test=5d"), ("kfold", "k=3,embargo=1d")] {
            let spec = FoldSpec::parse(kind, text).unwrap();
            let error = row_folds(&spec, input(100)).unwrap_err().to_string();
            assert!(error.starts_with("`timestamps` are needed by"), "{error}");
            assert!(error.contains("DatetimeIndex"), "{error}");
        }
        let rows = FoldSpec::parse("walk_forward", "train=30,test=5").unwrap();
        assert!(row_folds(&rows, input(100)).is_ok());
    }

    #[test]
    fn cross_validation_is_lazy_and_counted_exactly() {
        let spec = FoldSpec::parse("cpcv", "n_folds=40,n_test_folds=20").unwrap();
        let mut folds = row_folds(&spec, input(1_000)).unwrap();
        assert_eq!(folds.len_exact(), 137_846_528_820);
        assert_eq!(folds.next().unwrap().unwrap().test, vec![0..500]);
    }
}
