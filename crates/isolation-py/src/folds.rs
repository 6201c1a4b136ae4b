//! Fold schedules for the scikit-learn splitters: the facade's row folds (`isolation::row_folds`), so the
//! Python classes and the Rust handler agree row for row. This module converts Arrow arrays to timestamps
//! and folds to tuples; every check (order, `t1`'s index and gaps, purge with labels) is the facade's.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, make_array};
use arrow_pyarrow::FromPyArrow;
use isolation::{CrossValidation, CvFold, FoldSpec, RowFoldInput, RowFolds, TimestampNs, WalkForward};
use parking_lot::Mutex;
use pyo3::prelude::*;

use crate::py_err;

/// A contiguous fold: `(train_start, train_end, test_start, test_end)`.
type RangeFold = (usize, usize, usize, usize);
/// A fold of several ranges: `([(train_start, train_end)], [(test_start, test_end)])`.
type RangesFold = (Vec<(usize, usize)>, Vec<(usize, usize)>);

/// Nanoseconds from an Arrow int64 array (`pyarrow.array(index.asi8)`, taken as nanoseconds) or a date or
/// timestamp array of any unit (converted); nulls as `None`.
fn nanoseconds(array: &Bound<'_, PyAny>) -> PyResult<Vec<Option<TimestampNs>>> {
    let data: ArrayRef = make_array(arrow_data::ArrayData::from_pyarrow_bound(array)?);
    if data.data_type() == &arrow_schema::DataType::Int64 {
        return Ok(data.as_primitive::<Int64Type>().iter().collect());
    }
    match timeseries_array::datetime_values_in_nanoseconds(data.as_ref()) {
        Some(Ok(nanos)) => Ok(nanos.iter().collect()),
        Some(Err(out)) => Err(crate::IsolationError::new_err(format!("timestamps: {out}"))),
        None => Err(crate::IsolationError::new_err(format!(
            "timestamps: expected int64 nanoseconds or an Arrow timestamp, got {}",
            data.data_type()
        ))),
    }
}

/// Nanoseconds without nulls (a null is refused as a missing timestamp).
fn timestamps(array: &Bound<'_, PyAny>) -> PyResult<Vec<TimestampNs>> {
    let values = nanoseconds(array)?;
    match values.iter().position(Option::is_none) {
        Some(row) => Err(crate::IsolationError::new_err(format!("timestamps: row {row} has no timestamp"))),
        None => Ok(values.into_iter().flatten().collect()),
    }
}

fn ranges_fold(fold: &CvFold) -> RangesFold {
    let pairs = |ranges: &[std::ops::Range<usize>]| ranges.iter().map(|r| (r.start, r.end)).collect();
    (pairs(&fold.train), pairs(&fold.test))
}

/// scikit-learn's `TimeSeriesSplit(n_splits, max_train_size, test_size, gap)` on `n_rows` rows, as the Rust
/// walk-forward lays it.
#[pyfunction]
#[pyo3(signature = (n_rows, n_splits=5, max_train_size=None, test_size=None, gap=0))]
pub(crate) fn sklearn_walk_forward(
    n_rows: usize,
    n_splits: usize,
    max_train_size: Option<usize>,
    test_size: Option<usize>,
    gap: usize,
) -> PyResult<Vec<RangeFold>> {
    let walk =
        WalkForward::sklearn_compatible(n_rows, n_splits, max_train_size, test_size, gap).map_err(py_err)?;
    let folds = walk.row_folds(n_rows).map_err(py_err)?;
    Ok(folds.into_iter().map(|f| (f.train.start, f.train.end, f.test.start, f.test.end)).collect())
}

/// The folds of `kind` (`walk_forward`, `kfold`, `cpcv`, or any kind the library registers) with its text
/// `spec` on `n_rows` rows: laid on `timestamps` when given (lengths in time), purged by `t1` when given
/// (`t1_index`: the times t1 is indexed by; `t1_ends`: each sample's label end, null where missing). An
/// iterator: each fold is made when reached, so `n_folds=40,n_test_folds=20` (137,846,528,820 folds)
/// gives its first fold at once in flat memory.
#[pyfunction]
#[pyo3(signature = (kind, spec, n_rows, timestamps=None, t1_index=None, t1_ends=None))]
pub(crate) fn row_folds(
    py: Python<'_>,
    kind: &str,
    spec: &str,
    n_rows: usize,
    timestamps: Option<&Bound<'_, PyAny>>,
    t1_index: Option<&Bound<'_, PyAny>>,
    t1_ends: Option<&Bound<'_, PyAny>>,
) -> PyResult<CvFoldIter> {
    let spec = FoldSpec::parse(kind, spec).map_err(py_err)?;
    let label_ends = match (t1_index, t1_ends) {
        (Some(index), Some(ends)) => Some((self::timestamps(index)?, nanoseconds(ends)?)),
        _ => None,
    };
    let input =
        RowFoldInput { n_rows, timestamps: timestamps.map(self::timestamps).transpose()?, label_ends };
    let folds = py.detach(|| isolation::row_folds(&spec, input)).map_err(py_err)?;
    Ok(CvFoldIter { folds: Mutex::new(folds) })
}

/// Folds of a cross-validation `kind` and `spec`, exactly, without data (scikit-learn's `get_n_splits()`).
#[pyfunction]
pub(crate) fn n_splits(kind: &str, spec: &str) -> PyResult<u128> {
    let spec = FoldSpec::parse(kind, spec).map_err(py_err)?;
    spec.as_cross_validation().map(CrossValidation::n_splits).ok_or_else(|| {
        crate::IsolationError::new_err(format!("a {kind} counts its folds on the data: pass X"))
    })
}

/// The folds of `row_folds`, one `([(train_start, train_end)], [(test_start, test_end)])` per step.
#[pyclass(module = "isolation._native", frozen)]
pub(crate) struct CvFoldIter {
    folds: Mutex<RowFolds>,
}

#[pymethods]
impl CvFoldIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self) -> PyResult<Option<RangesFold>> {
        let fold = self.folds.lock().next().transpose().map_err(py_err)?;
        Ok(fold.map(|f| ranges_fold(&f)))
    }

    /// Folds in all, exactly (a Python int of any size).
    fn __length_hint__(&self) -> u128 {
        self.folds.lock().len_exact()
    }

    /// Folds in all, exactly.
    #[getter]
    fn n_folds(&self) -> u128 {
        self.folds.lock().len_exact()
    }
}
