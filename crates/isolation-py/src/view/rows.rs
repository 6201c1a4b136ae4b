//! What a view walks: its rows, each column's reader (its type resolved once, not per bar), the column
//! names as Python strings and the columns as numpy arrays over the same memory, made on first use; and
//! where the rows live when they are a run of a shared-memory segment.

use std::path::PathBuf;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use isolation::view::DataView;
use isolation::{Cursor, NativeValue, Split, TimeFrame, ValueType};
use parking_lot::Mutex;
use pyo3::exceptions::PyIndexError;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PySlice, PyString};

use super::numpy::numpy_of;
use crate::py_err;

/// Where a view's rows live when they are a run of a shared-memory segment: what it pickles as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    /// The segment name.
    pub(crate) name: String,
    /// Its directory.
    pub(crate) dir: PathBuf,
    /// The segment row of the view's first row (its first warm-up row, if any).
    pub(crate) start: usize,
}

/// The rows a view walks (warm-up rows, then its own rows), read-only and shared, with what reading them
/// per bar needs made once: each column's reader and, on first use, its name as a Python string and its
/// values as a numpy array over the same memory.
pub(crate) struct Rows {
    data: DataView,
    readers: Vec<Reader>,
    keys: PyOnceLock<Vec<Py<PyString>>>,
    /// A dict with every key (values None), copied per bar: a copy is sized for its keys, where a new dict
    /// would grow once on the way.
    template: PyOnceLock<Py<PyDict>>,
    /// The `numpy.datetime64` scalars of a run of [`TIMESTAMP_CHUNK`] rows, made by one numpy iteration
    /// when a bar outside the run is read: a bar's timestamp is then a reference count, not a numpy call.
    timestamps: Mutex<(usize, Vec<Py<PyAny>>)>,
    numpy: Vec<PyOnceLock<Py<PyAny>>>,
}

/// Rows of timestamps made as `numpy.datetime64` scalars at once (about 50 KB of them per view).
const TIMESTAMP_CHUNK: usize = 1024;

/// One column's value at a row as a Python object, its type resolved once (not per bar).
type Reader = Box<dyn Fn(Python<'_>, usize) -> PyResult<Py<PyAny>> + Send + Sync>;

impl Rows {
    pub(crate) fn new(frame: TimeFrame, split: Split) -> PyResult<Self> {
        let n_rows = frame.n_rows();
        let data = DataView::new(&frame, 0..n_rows, split).map_err(py_err)?;
        let readers = (0..frame.n_columns())
            .map(|idx| reader(frame.record_batch().column(idx + 1).clone()))
            .collect::<PyResult<Vec<_>>>()?;
        let numpy = (0..=frame.n_columns()).map(|_| PyOnceLock::new()).collect();
        let timestamps = Mutex::new((0, Vec::new()));
        Ok(Self { data, readers, keys: PyOnceLock::new(), template: PyOnceLock::new(), timestamps, numpy })
    }

    pub(crate) fn frame(&self) -> &TimeFrame {
        self.data.frame()
    }

    /// The core cursor over these rows, `warmup` rows of history first, at `position`.
    pub(crate) fn cursor(&self, warmup: usize, position: usize) -> Cursor<'_, DataView> {
        let mut cursor = Cursor::with_warmup(&self.data, warmup);
        cursor.seek(position);
        cursor
    }

    /// `timestamp` and the value columns' names, as Python strings made once.
    pub(crate) fn keys(&self, py: Python<'_>) -> &[Py<PyString>] {
        self.keys.get_or_init(py, || {
            let names = std::iter::once(isolation::TIMESTAMP_COLUMN).chain(self.frame().column_names());
            names.map(|name| PyString::intern(py, name).unbind()).collect()
        })
    }

    /// Row `row` as the seed's dict: `timestamp` and every column's value.
    pub(crate) fn bar<'py>(&self, py: Python<'py>, row: usize) -> PyResult<Bound<'py, PyDict>> {
        let template = self.template.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
            let template = PyDict::new(py);
            for key in self.keys(py) {
                template.set_item(key.bind(py), py.None())?;
            }
            Ok(template.unbind())
        })?;
        let bar = template.bind(py).copy()?;
        for (idx, key) in self.keys(py).iter().enumerate() {
            bar.set_item(key.bind(py), self.value(py, idx, row)?)?;
        }
        Ok(bar)
    }

    /// Column `idx` (0: `timestamp`) as a read-only numpy array over all rows, made once.
    pub(crate) fn numpy<'py>(&self, py: Python<'py>, idx: usize) -> PyResult<&Bound<'py, PyAny>> {
        let array = self.numpy[idx].get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(numpy_of(py, self.frame().record_batch().column(idx))?.unbind())
        })?;
        Ok(array.bind(py))
    }

    /// Row `row`'s timestamp as `numpy.datetime64[ns]`, from the cached run of scalars (made anew, by one
    /// iteration over the numpy column, when `row` lies outside it).
    fn timestamp(&self, py: Python<'_>, row: usize) -> PyResult<Py<PyAny>> {
        {
            let cached = self.timestamps.lock();
            if let Some(scalar) = row.checked_sub(cached.0).and_then(|i| cached.1.get(i)) {
                return Ok(scalar.clone_ref(py));
            }
        }
        let start = row - row % TIMESTAMP_CHUNK;
        let end = (start + TIMESTAMP_CHUNK).min(self.frame().n_rows());
        let run = self.numpy(py, 0)?.get_item(PySlice::new(py, start as isize, end as isize, 1))?;
        let scalars = run.try_iter()?.map(|s| s.map(Bound::unbind)).collect::<PyResult<Vec<_>>>()?;
        let scalar = scalars.get(row - start).map(|s| s.clone_ref(py));
        // The old run is dropped after the lock is released (dropping it frees Python objects).
        let old = std::mem::replace(&mut *self.timestamps.lock(), (start, scalars));
        drop(old);
        scalar.ok_or_else(|| PyIndexError::new_err(format!("row {row} is outside the view's rows")))
    }

    /// The index (0: `timestamp`) of `column`, or an error naming the columns there are.
    pub(crate) fn column_index(&self, column: &str) -> PyResult<usize> {
        self.frame().schema().index_of(column).map_err(|_| {
            crate::IsolationError::new_err(format!(
                "no column `{column}`; the view has timestamp, {}",
                self.frame().column_names().join(", ")
            ))
        })
    }

    /// Row `row`'s value in column `idx` (0: `timestamp`, as numpy.datetime64).
    pub(crate) fn value(&self, py: Python<'_>, idx: usize, row: usize) -> PyResult<Py<PyAny>> {
        if idx == 0 {
            return self.timestamp(py, row);
        }
        (self.readers[idx - 1])(py, row)
    }
}

/// The reader of one column: values of its type as Python floats or ints, None for a null.
pub(crate) fn reader(array: ArrayRef) -> PyResult<Reader> {
    let value_type = ValueType::from_arrow(array.data_type())
        .ok_or_else(|| PyValueError::new_err(format!("unsupported column type {}", array.data_type())))?;
    // Floats and integers get a reader each, so no per-bar branch on the type remains.
    Ok(timeseries_array::with_value_type!(value_type, |T| {
        let values = array.as_primitive::<<T as NativeValue>::Arrow>().clone();
        if value_type.is_float() {
            Box::new(move |py: Python<'_>, row: usize| -> PyResult<Py<PyAny>> {
                if values.is_null(row) {
                    return Ok(py.None());
                }
                Ok(values.value(row).to_f64().into_pyobject(py)?.into_any().unbind())
            }) as Reader
        } else {
            Box::new(move |py: Python<'_>, row: usize| -> PyResult<Py<PyAny>> {
                if values.is_null(row) {
                    return Ok(py.None());
                }
                let value = values.value(row);
                match value.to_i128() {
                    Some(int) => Ok(int.into_pyobject(py)?.into_any().unbind()),
                    None => Ok(value.to_f64().into_pyobject(py)?.into_any().unbind()),
                }
            }) as Reader
        }
    }))
}
