//! `View`: the seed design's `DataView` over one split of one symbol: a position that only moves forward,
//! windows that end at it, and zero-copy exports (Arrow stream, numpy, pandas) of the view's own rows.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use isolation::{NativeValue, TimeFrame, ValueType};
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyCapsule, PyDict, PyTuple};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::convert::{array_to_pyarrow, frame_to_pyarrow, stream_capsule};
use crate::py_err;

/// Rows of one split of one symbol, read through a position that never passes the current bar.
///
/// The view's own rows are `size` bars from the split's first bar; with a warm-up (a split set up with
/// `warmup=`), `get_window` may also return up to `warmup_rows` bars just before the split, and nothing
/// else: no bar after the current one, no bar of the other side of the split. Exports
/// (`__arrow_c_stream__`, `to_arrow`, `to_numpy`, `to_pandas`) cover the own rows and share memory with the
/// loaded data (or the mapped shared-memory segment), which they keep alive.
///
/// A view may be shared between threads: its position is behind a lock held only for pure-Rust moments
/// (never while Python runs), so concurrent reads see a consistent bar and moves are not lost.
#[pyclass(module = "isolation", frozen)]
pub struct View {
    walk: Mutex<Walk>,
    warmup: usize,
    split: String,
    mode: String,
}

/// What moves: the rows (warm-up rows, then the view's own rows; `None` once released) and the position.
struct Walk {
    frame: Option<Arc<TimeFrame>>,
    position: usize,
}

impl Walk {
    fn n_own(&self, warmup: usize) -> usize {
        self.frame.as_ref().map_or(0, |f| f.n_rows() - warmup)
    }
}

impl View {
    /// A view of `frame`'s rows after its first `warmup` (those are history, reachable only by windows).
    pub(crate) fn new(frame: TimeFrame, warmup: usize, split: &str, mode: &str) -> Self {
        debug_assert!(warmup <= frame.n_rows());
        let walk = Walk { frame: Some(Arc::new(frame)), position: 0 };
        Self { walk: Mutex::new(walk), warmup, split: split.to_string(), mode: mode.to_string() }
    }

    /// The rows and the position as they are now (the lock is released before this returns).
    fn now(&self) -> PyResult<(Arc<TimeFrame>, usize)> {
        let walk = self.walk.lock();
        let frame = walk.frame.clone().ok_or_else(|| PyValueError::new_err("the view was released"))?;
        Ok((frame, walk.position))
    }

    fn frame(&self) -> PyResult<Arc<TimeFrame>> {
        self.now().map(|(frame, _)| frame)
    }

    /// The own rows (no history), sharing the buffers.
    pub(crate) fn own_rows(&self) -> PyResult<TimeFrame> {
        let frame = self.frame()?;
        frame.slice(self.warmup..frame.n_rows()).map_err(py_err)
    }

    fn n_own(&self) -> usize {
        self.walk.lock().n_own(self.warmup)
    }
}

#[pymethods]
impl View {
    /// Number of the view's own rows (bars it walks).
    #[getter]
    fn size(&self) -> usize {
        self.n_own()
    }

    fn __len__(&self) -> usize {
        self.n_own()
    }

    /// Position of the current bar among the view's own rows, from 0.
    #[getter]
    fn current_index(&self) -> usize {
        self.walk.lock().position
    }

    /// Bars of history before the first own row that windows may include (0 without a warm-up).
    #[getter]
    fn warmup_rows(&self) -> usize {
        self.warmup
    }

    /// `train`, `test` or `full`.
    #[getter]
    fn split(&self) -> &str {
        &self.split
    }

    /// The isolation mode that made the rows (`view`, `deep-copy`, `cow`, `shm`).
    #[getter]
    fn mode(&self) -> &str {
        &self.mode
    }

    /// Value column names (the index, `timestamp`, not included).
    #[getter]
    fn columns(&self) -> PyResult<Vec<String>> {
        Ok(self.frame()?.column_names().into_iter().map(str::to_string).collect())
    }

    /// The current bar as a dict: `timestamp` (numpy.datetime64, ns, UTC) and each column's value (float or
    /// int; None for a null). None only for an empty view.
    fn get_current<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let (frame, position) = self.now()?;
        if position >= frame.n_rows() - self.warmup {
            return Ok(None);
        }
        bar_dict(py, &frame, self.warmup + position).map(Some)
    }

    /// Moves to the next bar; False (and no move) at the last bar, as the seed's `DataView.advance`.
    fn advance(&self) -> bool {
        let mut walk = self.walk.lock();
        if walk.position + 1 >= walk.n_own(self.warmup) {
            return false;
        }
        walk.position += 1;
        true
    }

    /// Moves to bar `index` of the view's own rows (backtests that restart from a bar).
    fn seek(&self, index: usize) -> PyResult<()> {
        let mut walk = self.walk.lock();
        let n_own = walk.n_own(self.warmup);
        if index >= n_own {
            return Err(PyIndexError::new_err(format!("bar {index} is outside the view's {n_own} bars")));
        }
        walk.position = index;
        Ok(())
    }

    /// Back to the first bar.
    fn reset(&self) {
        self.walk.lock().position = 0;
    }

    /// The last `window_size` bars up to and including the current one (fewer at the start; warm-up history
    /// included when the split has one) as a view of its own, sharing memory. Never a later bar.
    fn get_window(&self, window_size: usize) -> PyResult<View> {
        let (frame, position) = self.now()?;
        let end = if frame.n_rows() == self.warmup { self.warmup } else { self.warmup + position + 1 };
        let start = end.saturating_sub(window_size);
        let rows = frame.slice(start..end).map_err(py_err)?;
        Ok(View::new(rows, 0, &self.split, &self.mode))
    }

    /// Own rows `start..stop` as a view of their own (no warm-up), sharing memory: as pandas' `iloc[start:stop]`
    /// but never a copy. Narrows only: a slice never reaches rows this view cannot.
    #[pyo3(signature = (start, stop=None))]
    fn slice(&self, start: usize, stop: Option<usize>) -> PyResult<View> {
        let n = self.n_own();
        let stop = stop.unwrap_or(n).min(n);
        if start > stop {
            return Err(PyIndexError::new_err(format!(
                "slice {start}..{stop} is empty or reversed (the view has {n} rows)"
            )));
        }
        let rows = self.frame()?.slice(self.warmup + start..self.warmup + stop).map_err(py_err)?;
        Ok(View::new(rows, 0, &self.split, &self.mode))
    }

    /// Shape, columns, first and last timestamps of the own rows, split, mode and warm-up, as the seed's
    /// `data_info`.
    #[getter]
    fn data_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let frame = self.frame()?;
        let info = PyDict::new(py);
        info.set_item("shape", (frame.n_rows() - self.warmup, frame.n_columns()))?;
        info.set_item("columns", self.columns()?)?;
        let own = &frame.timestamps()[self.warmup..];
        info.set_item("start_date", own.first().map(|&ns| datetime64(py, ns)).transpose()?)?;
        info.set_item("end_date", own.last().map(|&ns| datetime64(py, ns)).transpose()?)?;
        info.set_item("split", &self.split)?;
        info.set_item("mode", &self.mode)?;
        info.set_item("warmup_rows", self.warmup)?;
        Ok(info)
    }

    /// The own rows as a `pyarrow.Table` (index column `timestamp`), sharing memory.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frame_to_pyarrow(py, &self.own_rows()?)
    }

    /// The Arrow PyCapsule stream protocol: `pyarrow.table(view)`, `polars.DataFrame(view)` and DuckDB read
    /// the own rows without a copy. `requested_schema` is ignored (the data has one schema).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        stream_capsule(py, &self.own_rows()?)
    }

    /// One column (or `timestamp`) of the own rows as a read-only numpy array over the same memory: writing
    /// to it raises. A column with nulls cannot be shared (numpy has no validity bits): it is copied, with
    /// NaN for nulls, and is read-only too.
    fn to_numpy<'py>(&self, py: Python<'py>, column: &str) -> PyResult<Bound<'py, PyAny>> {
        let own = self.own_rows()?;
        let idx = own.schema().index_of(column).map_err(|_| {
            crate::IsolationError::new_err(format!(
                "no column `{column}`; the view has timestamp, {}",
                own.column_names().join(", ")
            ))
        })?;
        let array: &ArrayRef = own.record_batch().column(idx);
        numpy_of(py, array)
    }

    /// The own rows as a pandas DataFrame indexed by `timestamp` (UTC). Columns without nulls share memory
    /// with the view (pandas gets read-only numpy blocks, so a write to the frame copies that column first,
    /// as pandas' copy-on-write does); columns with nulls, and the index (pandas keeps its own), are copied.
    fn to_pandas<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let table = self.to_arrow(py)?;
        let kwargs = PyDict::new(py);
        kwargs.set_item("split_blocks", true)?;
        kwargs.set_item("self_destruct", false)?;
        let frame = table.call_method("to_pandas", (), Some(&kwargs))?;
        frame.call_method1("set_index", (isolation::TIMESTAMP_COLUMN,))
    }

    /// Bytes this view keeps alive: `{"owned_bytes": ..., "shared_bytes": ...}` (shared: buffers other views
    /// or the loaded data also hold).
    fn footprint<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let footprint = self.frame()?.footprint();
        let out = PyDict::new(py);
        out.set_item("owned_bytes", footprint.owned_bytes)?;
        out.set_item("shared_bytes", footprint.shared_bytes)?;
        Ok(out)
    }

    /// Drops this view's hold on the data (arrays exported earlier keep what they read alive).
    fn release(&self) {
        let frame = {
            let mut walk = self.walk.lock();
            walk.position = 0;
            walk.frame.take()
        };
        // Dropped after the lock: the last hold on buffers that belong to Python frees them through Python.
        drop(frame);
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) {
        self.release();
    }

    fn __repr__(&self) -> String {
        match self.now() {
            Err(_) => "View(released)".to_string(),
            Ok((frame, position)) => format!(
                "View(split={}, mode={}, rows={}, warmup_rows={}, current_index={}, columns=[{}])",
                self.split,
                self.mode,
                frame.n_rows() - self.warmup,
                self.warmup,
                position,
                frame.column_names().join(", ")
            ),
        }
    }
}

/// A read-only numpy array of `array`: over the same memory when it has no nulls (`numpy.frombuffer` on the
/// exported Arrow buffer, which keeps the Rust owner alive; no pandas import, no copy).
pub(crate) fn numpy_of<'py>(py: Python<'py>, array: &ArrayRef) -> PyResult<Bound<'py, PyAny>> {
    let arrow = array_to_pyarrow(py, array)?;
    let dtype = numpy_dtype(array.data_type());
    if array.null_count() > 0 || dtype.is_none() {
        let kwargs = PyDict::new(py);
        kwargs.set_item("zero_copy_only", false)?;
        kwargs.set_item("writable", false)?;
        let numpy = arrow.call_method("to_numpy", (), Some(&kwargs))?;
        numpy.getattr("flags")?.setattr("writeable", false)?;
        return Ok(numpy);
    }
    let values = arrow.call_method0("buffers")?.get_item(1)?;
    let width = array.data_type().primitive_width().unwrap_or(1);
    let offset: usize = arrow.getattr("offset")?.extract()?;
    let kwargs = PyDict::new(py);
    kwargs.set_item("dtype", dtype)?;
    kwargs.set_item("count", array.len())?;
    kwargs.set_item("offset", offset * width)?;
    let numpy = py.import("numpy")?.call_method("frombuffer", (values,), Some(&kwargs))?;
    numpy.getattr("flags")?.setattr("writeable", false)?;
    Ok(numpy)
}

/// The numpy dtype with the layout of an Arrow primitive type (timestamps as `datetime64[ns]`, the index's
/// unit), or None for types numpy cannot view directly.
fn numpy_dtype(data_type: &arrow_schema::DataType) -> Option<&'static str> {
    use arrow_schema::{DataType, TimeUnit};
    Some(match data_type {
        DataType::Float64 => "float64",
        DataType::Float32 => "float32",
        DataType::Int64 => "int64",
        DataType::Int32 => "int32",
        DataType::Int16 => "int16",
        DataType::Int8 => "int8",
        DataType::UInt64 => "uint64",
        DataType::UInt32 => "uint32",
        DataType::UInt16 => "uint16",
        DataType::UInt8 => "uint8",
        DataType::Timestamp(TimeUnit::Nanosecond, _) => "datetime64[ns]",
        _ => return None,
    })
}

/// `numpy.datetime64(ns, "ns")`.
pub(crate) fn datetime64(py: Python<'_>, ns: i64) -> PyResult<Bound<'_, PyAny>> {
    static DATETIME64: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    let class = DATETIME64.get_or_try_init(py, || -> PyResult<Py<PyAny>> {
        Ok(py.import("numpy")?.getattr("datetime64")?.unbind())
    })?;
    class.bind(py).call1((ns, "ns"))
}

/// Row `row` of `frame` as a dict (`timestamp` and every value column).
pub(crate) fn bar_dict<'py>(py: Python<'py>, frame: &TimeFrame, row: usize) -> PyResult<Bound<'py, PyDict>> {
    let bar = PyDict::new(py);
    bar.set_item(isolation::TIMESTAMP_COLUMN, datetime64(py, frame.timestamps()[row])?)?;
    for (idx, name) in frame.column_names().into_iter().enumerate() {
        let array = frame.record_batch().column(idx + 1);
        bar.set_item(name, value_of(py, array.as_ref(), row)?)?;
    }
    Ok(bar)
}

/// One value as a Python float or int (None for a null).
fn value_of<'py>(py: Python<'py>, array: &dyn Array, row: usize) -> PyResult<Bound<'py, PyAny>> {
    if array.is_null(row) {
        return Ok(py.None().into_bound(py));
    }
    let value_type = ValueType::from_arrow(array.data_type())
        .ok_or_else(|| PyValueError::new_err(format!("unsupported column type {}", array.data_type())))?;
    timeseries_array::with_value_type!(value_type, |T| {
        let value = array.as_primitive::<<T as NativeValue>::Arrow>().value(row);
        match value.to_i128() {
            Some(int) if !value_type.is_float() => Ok(int.into_pyobject(py)?.into_any()),
            _ => Ok(value.to_f64().into_pyobject(py)?.into_any()),
        }
    })
}
