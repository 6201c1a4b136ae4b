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
    /// A run of timestamps and the last bar's dict ([`PerBar`]).
    per_bar: Mutex<PerBar>,
    numpy: Vec<PyOnceLock<Py<PyAny>>>,
}

/// What per-bar reads keep from one bar to the next, behind one lock held only for pure-Rust moments
/// (taking references, never running Python).
#[derive(Default)]
struct PerBar {
    /// The row of `timestamps[0]`.
    run_start: usize,
    /// The `numpy.datetime64` scalars of a run of [`TIMESTAMP_CHUNK`] rows, made by one numpy iteration
    /// when a bar outside the run is read: a bar's timestamp is then a reference count, not a numpy call.
    timestamps: Vec<Py<PyAny>>,
    /// The dict `bar` last returned. When nothing in Python refers to it any more (a loop that read a value
    /// and dropped the dict), the next bar refills it instead of making a new one, as CPython's `zip` and
    /// `enumerate` reuse their result tuples: nobody can see the old bar change.
    last_bar: Option<Py<PyDict>>,
}

impl PerBar {
    /// Row `row`'s cached timestamp, if the run holds it.
    fn timestamp(&self, py: Python<'_>, row: usize) -> Option<Py<PyAny>> {
        let scalar = row.checked_sub(self.run_start).and_then(|i| self.timestamps.get(i))?;
        Some(scalar.clone_ref(py))
    }

    /// The last bar's dict, if only this cache refers to it.
    #[allow(deprecated)] // `get_refcnt` is the safe way to read a reference count; this crate has no unsafe
    fn reusable_bar(&self, py: Python<'_>) -> Option<Py<PyDict>> {
        let bar = self.last_bar.as_ref()?;
        (bar.get_refcnt(py) == 1).then(|| bar.clone_ref(py))
    }
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
        let per_bar = Mutex::new(PerBar::default());
        Ok(Self { data, readers, keys: PyOnceLock::new(), template: PyOnceLock::new(), per_bar, numpy })
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
        let keys = self.keys(py);
        let (reusable, timestamp) = {
            let per_bar = self.per_bar.lock();
            (per_bar.reusable_bar(py), per_bar.timestamp(py, row))
        };
        let timestamp = match timestamp {
            Some(timestamp) => timestamp,
            None => self.timestamp(py, row)?,
        };
        // A dropped dict the caller changed is refilled only if it still has exactly the bar's keys: same
        // count before, all of them set, same count after. (A key the caller removed and put back comes
        // after the others; that order stays. Checking it would cost what the reuse saves.)
        if let Some(bar) = reusable.map(|bar| bar.into_bound(py)).filter(|bar| bar.len() == keys.len()) {
            self.fill(py, &bar, row, timestamp.bind(py))?;
            if bar.len() == keys.len() {
                return Ok(bar);
            }
        }
        let template = self.template.get_or_try_init(py, || -> PyResult<Py<PyDict>> {
            let template = PyDict::new(py);
            for key in keys {
                template.set_item(key.bind(py), py.None())?;
            }
            Ok(template.unbind())
        })?;
        let bar = template.bind(py).copy()?;
        self.fill(py, &bar, row, timestamp.bind(py))?;
        let old = self.per_bar.lock().last_bar.replace(bar.clone().unbind());
        drop(old); // after the lock: dropping a dict is Python's work
        Ok(bar)
    }

    /// Sets `bar`'s values to row `row`'s.
    fn fill(
        &self,
        py: Python<'_>,
        bar: &Bound<'_, PyDict>,
        row: usize,
        timestamp: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let keys = self.keys(py);
        bar.set_item(keys[0].bind(py), timestamp)?;
        for (key, reader) in keys[1..].iter().zip(&self.readers) {
            bar.set_item(key.bind(py), reader(py, row)?)?;
        }
        Ok(())
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
        if let Some(scalar) = self.per_bar.lock().timestamp(py, row) {
            return Ok(scalar);
        }
        let start = row - row % TIMESTAMP_CHUNK;
        let end = (start + TIMESTAMP_CHUNK).min(self.frame().n_rows());
        let run = self.numpy(py, 0)?.get_item(PySlice::new(py, start as isize, end as isize, 1))?;
        let scalars = run.try_iter()?.map(|s| s.map(Bound::unbind)).collect::<PyResult<Vec<_>>>()?;
        let scalar = scalars.get(row - start).map(|s| s.clone_ref(py));
        let old = {
            let mut per_bar = self.per_bar.lock();
            per_bar.run_start = start;
            std::mem::replace(&mut per_bar.timestamps, scalars)
        };
        drop(old); // after the lock: dropping the old run frees Python objects
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
                // Every integer type but u64 fits an i64, whose conversion is CPython's fast one.
                match value.to_i128().map(|int| (i64::try_from(int), int)) {
                    Some((Ok(small), _)) => Ok(small.into_pyobject(py)?.into_any().unbind()),
                    Some((Err(_), int)) => Ok(int.into_pyobject(py)?.into_any().unbind()),
                    None => Ok(value.to_f64().into_pyobject(py)?.into_any().unbind()),
                }
            }) as Reader
        }
    }))
}
