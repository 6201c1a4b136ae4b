//! Fold schedules for the scikit-learn splitters: row ranges computed by the Rust fold code from a row
//! count or from timestamps, so the Python classes and the Rust handler agree row for row.

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{Array, ArrayRef, make_array};
use arrow_pyarrow::FromPyArrow;
use isolation::{
    CombinatorialPurgedCv, CvFold, CvFolds, Fold, FoldError, LabelIntervals, PurgedKFold, TimestampNs,
    WalkForward,
};
use parking_lot::Mutex;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::py_err;

/// A contiguous fold: `(train_start, train_end, test_start, test_end)`.
type RangeFold = (usize, usize, usize, usize);
/// A fold of several ranges: `([(train_start, train_end)], [(test_start, test_end)])`.
type RangesFold = (Vec<(usize, usize)>, Vec<(usize, usize)>);

/// Timestamps (ns) from an Arrow int64 or timestamp array (`pyarrow.array(index.asi8)`), checked strictly
/// increasing; `0..n_rows` when none are given (lengths are then rows).
fn timestamps(
    py: Python<'_>,
    timestamps: Option<&Bound<'_, PyAny>>,
    n_rows: usize,
) -> PyResult<Vec<TimestampNs>> {
    let Some(array) = timestamps else { return Ok((0..n_rows as i64).collect()) };
    let data = arrow_data_of(array)?;
    let values = arrow_cast::cast(&data, &arrow_schema::DataType::Int64).map_err(py_err)?;
    if values.null_count() > 0 {
        return Err(PyValueError::new_err("timestamps contain nulls"));
    }
    let values = values.as_primitive::<Int64Type>().values().to_vec();
    py.detach(|| {
        if let Some(row) = values.windows(2).position(|w| w[1] <= w[0]) {
            return Err(crate::IsolationError::new_err(format!(
                "timestamps must strictly increase: row {} ({}) is not after row {row} ({})",
                row + 1,
                values[row + 1],
                values[row]
            )));
        }
        Ok(())
    })?;
    Ok(values)
}

fn arrow_data_of(array: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    Ok(make_array(arrow_data::ArrayData::from_pyarrow_bound(array)?))
}

fn range_folds(folds: Vec<Fold>) -> Vec<RangeFold> {
    folds.into_iter().map(|f| (f.train.start, f.train.end, f.test.start, f.test.end)).collect()
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
    walk.row_folds(n_rows).map(range_folds).map_err(py_err)
}

/// A walk-forward from its text (`train=90d,test=30d,step=30d,gap=1d,expanding`) on `timestamps` (or rows).
#[pyfunction]
#[pyo3(signature = (spec, n_rows, timestamps=None, label_ends=None))]
pub(crate) fn walk_forward(
    py: Python<'_>,
    spec: &str,
    n_rows: usize,
    timestamps: Option<&Bound<'_, PyAny>>,
    label_ends: Option<&Bound<'_, PyAny>>,
) -> PyResult<Vec<RangeFold>> {
    let walk: WalkForward = spec.parse().map_err(py_err)?;
    let stamps = self::timestamps(py, timestamps, n_rows)?;
    match self::label_ends(label_ends, &stamps)? {
        Some(labels) => walk.folds_labelled(&labels).map(range_folds).map_err(py_err),
        None => walk.folds(&stamps).map(range_folds).map_err(py_err),
    }
}

/// The label intervals from each row's timestamp to its label end (`t1`, an Arrow int64 or timestamp
/// array of as many rows), if given.
fn label_ends<'a>(
    label_ends: Option<&Bound<'_, PyAny>>,
    stamps: &'a [TimestampNs],
) -> PyResult<Option<LabelIntervals<'a>>> {
    let Some(array) = label_ends else { return Ok(None) };
    let data = arrow_data_of(array)?;
    let values = arrow_cast::cast(&data, &arrow_schema::DataType::Int64).map_err(py_err)?;
    if let Some(row) = (0..values.len()).find(|&row| values.is_null(row)) {
        return Err(crate::IsolationError::new_err(format!(
            "t1 has no label end at row {row}; drop unlabelled samples first"
        )));
    }
    let ends = values.as_primitive::<Int64Type>().values().to_vec();
    LabelIntervals::new(stamps, ends).map(Some).map_err(py_err)
}

/// Cross-validation folds: `kind` is `kfold` (purged k-fold, `k=5,purge=1d,embargo=1d`) or `cpcv`
/// (combinatorial purged CV, `n_folds=6,n_test_folds=2,purge=10,embargo=5`), laid on `timestamps` (or
/// rows), purged by `label_ends` when given. An iterator: each fold is made when it is reached, so
/// `n_folds=40,n_test_folds=20` (137,846,528,820 folds) gives its first fold at once in flat memory.
#[pyfunction]
#[pyo3(signature = (kind, spec, n_rows, timestamps=None, label_ends=None))]
pub(crate) fn cv_folds(
    py: Python<'_>,
    kind: &str,
    spec: &str,
    n_rows: usize,
    timestamps: Option<&Bound<'_, PyAny>>,
    label_ends: Option<&Bound<'_, PyAny>>,
) -> PyResult<CvFoldIter> {
    let stamps = self::timestamps(py, timestamps, n_rows)?;
    let labels = self::label_ends(label_ends, &stamps)?.map(LabelIntervals::into_owned);
    let folds = match kind {
        "kfold" => {
            let kfold: PurgedKFold = spec.parse().map_err(py_err)?;
            match labels {
                Some(_) if !kfold.purge.is_zero() => {
                    Err(FoldError::PurgeAndLabels { spec: kfold.to_string() })
                }
                Some(labels) => kfold.fold_iter(labels),
                None => kfold.fold_iter(LabelIntervals::horizon(&stamps, kfold.purge).into_owned()),
            }
        }
        "cpcv" => {
            let cpcv: CombinatorialPurgedCv = spec.parse().map_err(py_err)?;
            match labels {
                Some(_) if !cpcv.purge.is_zero() => Err(FoldError::PurgeAndLabels { spec: cpcv.to_string() }),
                Some(labels) => cpcv.fold_iter(labels),
                None => cpcv.fold_iter(LabelIntervals::horizon(&stamps, cpcv.purge).into_owned()),
            }
        }
        other => return Err(PyValueError::new_err(format!("unknown cross-validation kind `{other}`"))),
    };
    Ok(CvFoldIter { folds: Mutex::new(folds.map_err(py_err)?) })
}

/// The folds of `cv_folds`, one `([(train_start, train_end)], [(test_start, test_end)])` per step.
#[pyclass(module = "isolation._native", frozen)]
pub(crate) struct CvFoldIter {
    folds: Mutex<CvFolds<'static>>,
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
