//! `CowFrame`: the seed's `CopyOnWriteDataFrame`, except that a write copies one chunk of one column
//! (`chunk_rows` rows), never the whole frame, and never reaches the data it was made from.

use isolation::IsolatedData;
use isolation::cow::{CellValue, CowFrame as RustCowFrame};
use isolation::{CowConfig, Split, TimeFrame};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList};

use parking_lot::{Mutex, MutexGuard};

use crate::convert::{frame_from_py, stream_capsule};
use crate::py_err;
use crate::view::{View, bar_dict, numpy_of};

/// A frame that shares the data it was made from until written; each write copies only the chunk of the
/// column it touches. Wrapped by `isolation.CopyOnWriteFrame`.
///
/// Threads may share one: the frame is behind a lock held only while Rust reads or writes it (never while
/// Python runs), so each write is whole and reads see whole writes.
#[pyclass(module = "isolation", name = "CopyOnWriteFrame", frozen)]
pub struct CowFrame {
    inner: Mutex<RustCowFrame>,
    /// The caller's data, for a frame made directly from it: held so that memory figures count those
    /// buffers as shared with the caller (they are the caller's memory, wrapped without a copy), not as
    /// bytes this frame copied.
    _source: Option<TimeFrame>,
}

impl CowFrame {
    pub(crate) fn from_frame(inner: RustCowFrame) -> Self {
        Self { inner: Mutex::new(inner), _source: None }
    }

    fn inner(&self) -> MutexGuard<'_, RustCowFrame> {
        self.inner.lock()
    }
}

fn column_idx(frame: &RustCowFrame, column: &str) -> PyResult<usize> {
    frame.find_column(column).map_err(|e| PyKeyError::new_err(e.to_string()))
}

/// A Python number as a value to write: ints (and numpy integers) exactly, floats as floats.
fn cell_value(value: &Bound<'_, PyAny>) -> PyResult<CellValue> {
    if value.is_instance_of::<pyo3::types::PyFloat>() {
        return Ok(CellValue::Float(value.extract()?));
    }
    if let Ok(int) = value.extract::<i128>() {
        return Ok(CellValue::Int(int));
    }
    if value.is_instance_of::<pyo3::types::PyInt>() {
        let text = value.str()?.to_string();
        return Err(crate::IsolationError::new_err(format!(
            "value {text} is out of range for every column type"
        )));
    }
    Ok(CellValue::Float(value.extract()?))
}

fn check_row(frame: &RustCowFrame, row: usize) -> PyResult<()> {
    if row >= frame.n_rows() {
        return Err(pyo3::exceptions::PyIndexError::new_err(format!(
            "row {row} is outside the frame's {} rows",
            frame.n_rows()
        )));
    }
    Ok(())
}

#[pymethods]
impl CowFrame {
    /// Shares `data` (Arrow data with a time index) copy-on-write, in chunks of `chunk_rows` rows.
    #[new]
    #[pyo3(signature = (data, time_column=None, chunk_rows=None))]
    fn new(data: &Bound<'_, PyAny>, time_column: Option<&str>, chunk_rows: Option<usize>) -> PyResult<Self> {
        let frame = frame_from_py(data, time_column)?;
        let config = chunk_rows.map_or(Ok(CowConfig::default()), CowConfig::try_new).map_err(py_err)?;
        let inner =
            RustCowFrame::with_config(&frame, 0..frame.n_rows(), Split::Full, config).map_err(py_err)?;
        Ok(Self { inner: Mutex::new(inner), _source: Some(frame) })
    }

    /// `(rows, value columns)`.
    #[getter]
    fn shape(&self) -> (usize, usize) {
        let inner = self.inner();
        (inner.n_rows(), inner.n_columns())
    }

    fn __len__(&self) -> usize {
        self.inner().n_rows()
    }

    /// Value column names.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner().column_names().into_iter().map(str::to_string).collect()
    }

    /// The split these rows are (`full` for a frame made directly).
    #[getter]
    fn split(&self) -> String {
        self.inner().split().to_string()
    }

    /// Rows per copy-on-write chunk.
    #[getter]
    fn chunk_rows(&self) -> usize {
        self.inner().config().chunk_rows()
    }

    /// The value at `row` of `column`: an int for an integer column (exactly), a float for a float column,
    /// None for a null; as `get_row` gives it.
    fn get_value(&self, py: Python<'_>, row: usize, column: &str) -> PyResult<Py<PyAny>> {
        let cell = {
            let inner = self.inner();
            check_row(&inner, row)?;
            inner.get_cell(column_idx(&inner, column)?, row).map_err(py_err)?
        };
        Ok(match cell {
            None => py.None(),
            Some(CellValue::Int(int)) => int.into_pyobject(py)?.into_any().unbind(),
            Some(CellValue::Float(float)) => float.into_pyobject(py)?.into_any().unbind(),
        })
    }

    /// Sets one value; copies the chunk of `column` that holds `row` on its first write. A value the
    /// column's type cannot hold exactly (1.5 in an integer column, 2**53 + 1 in a float column, 2**63 in an
    /// int64 column) is refused, and the message prints it exactly. Python ints are stored without passing
    /// through a float.
    fn set_value(&self, row: usize, column: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = cell_value(value)?;
        let mut inner = self.inner();
        check_row(&inner, row)?;
        let idx = column_idx(&inner, column)?;
        inner.set_value(idx, row, value).map_err(py_err)
    }

    /// Row `row` as a dict (`timestamp` and every column).
    fn get_row<'py>(&self, py: Python<'py>, row: usize) -> PyResult<Bound<'py, PyDict>> {
        let frame = {
            let inner = self.inner();
            check_row(&inner, row)?;
            inner.materialize()
        };
        bar_dict(py, &frame, row)
    }

    /// Sets a row from a dict (`{column: value}`, columns not named keep their values) or a sequence of
    /// one value per column. All or nothing: every name and value is checked before any is written.
    fn set_row(&self, row: usize, values: &Bound<'_, PyAny>) -> PyResult<()> {
        // Python values are read before the frame is locked (reading them may run Python code).
        let named: Option<Vec<(String, CellValue)>> = match values.cast::<PyDict>() {
            Ok(map) => Some(
                map.iter()
                    .map(|(k, v)| Ok((k.extract::<String>()?, cell_value(&v)?)))
                    .collect::<PyResult<_>>()?,
            ),
            Err(_) => None,
        };
        let listed: Vec<CellValue> = match named {
            Some(_) => Vec::new(),
            None => values.try_iter()?.map(|v| cell_value(&v?)).collect::<PyResult<_>>()?,
        };
        let mut inner = self.inner();
        check_row(&inner, row)?;
        let cells: Vec<(usize, CellValue)> = match named {
            Some(named) => {
                named.into_iter().map(|(k, v)| Ok((column_idx(&inner, &k)?, v))).collect::<PyResult<_>>()?
            }
            None => {
                if listed.len() != inner.n_columns() {
                    return Err(PyValueError::new_err(format!(
                        "set_row got {} values for {} columns",
                        listed.len(),
                        inner.n_columns()
                    )));
                }
                listed.into_iter().enumerate().collect()
            }
        };
        inner.set_cells(row, &cells).map_err(py_err)
    }

    /// One column as a read-only numpy array: over the shared data while the column is unwritten, else
    /// over a fresh array of the column with its written chunks in place.
    fn get_column<'py>(&self, py: Python<'py>, column: &str) -> PyResult<Bound<'py, PyAny>> {
        let (idx, frame) = {
            let inner = self.inner();
            (column_idx(&inner, column)?, inner.materialize())
        };
        numpy_of(py, frame.column_at(idx))
    }

    /// The seed's `set_column`: replaces `column` (or adds it after the others) with `values` (a numpy
    /// array, pandas Series, pyarrow array or list, one value per row, by position; a float NaN stays NaN).
    /// The new column is owned by this frame; the data it was made from is never written.
    fn set_column(&self, column: &str, values: &Bound<'_, PyAny>) -> PyResult<()> {
        let array = crate::convert::array_from_py(values)?;
        self.inner().set_column(column, array).map(|_| ()).map_err(py_err)
    }

    /// The current values as a pandas DataFrame, index as the data came in (name, unit, zone). Without
    /// `copy`, unwritten columns are read-only numpy blocks over the shared data (`copy=True` for a frame
    /// pandas owns, writable; writes to it never reach this frame).
    #[pyo3(signature = (copy=false))]
    fn to_pandas<'py>(&self, py: Python<'py>, copy: bool) -> PyResult<Bound<'py, PyAny>> {
        let frame = self.inner().materialize();
        crate::convert::frame_to_pandas(py, &frame, copy)
    }

    /// The seed's `data`: the current values as a pandas DataFrame (`to_pandas()`: read-only where
    /// shared; write through `set_value`, `set_row`, `set_column`).
    #[getter]
    fn data<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.to_pandas(py, false)
    }

    /// The seed's `index`: the rows' timestamps as a pandas DatetimeIndex, as the data came in.
    #[getter]
    fn index<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        self.to_pandas(py, false)?.getattr("index")
    }

    /// Drops every write: the frame shares all of the data again.
    fn reset(&self) {
        self.inner().reset();
    }

    /// True once a value was written.
    #[getter]
    fn is_modified(&self) -> bool {
        self.inner().is_modified()
    }

    /// `[(column, chunk index, first row, end row)]` of the chunks copied so far.
    fn modified_chunks(&self) -> Vec<(String, usize, usize, usize)> {
        let names = self.columns();
        self.inner()
            .modified_chunks()
            .into_iter()
            .map(|c| (names[c.column_idx].clone(), c.chunk_idx, c.rows.start, c.rows.end))
            .collect()
    }

    /// Memory as the seed's `memory_usage()`, honestly: `owned_bytes` is what this frame alone keeps alive
    /// (chunks copied by writes, columns set with `set_column`, bookkeeping), `shared_bytes` the data it
    /// still reads from its source (the caller's frame or the handler's loaded data), per column copied
    /// chunks, and the total. Before any write `owned_bytes` is only the bookkeeping.
    fn memory_usage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let report = self.inner().footprint_report();
        let out = PyDict::new(py);
        out.set_item("rows", report.n_rows)?;
        out.set_item("chunk_rows", report.chunk_rows)?;
        out.set_item("owned_bytes", report.total.owned_bytes)?;
        out.set_item("shared_bytes", report.total.shared_bytes)?;
        out.set_item("total_memory_bytes", report.total.owned_bytes + report.total.shared_bytes)?;
        out.set_item("copied_chunk_bytes", report.chunk_bytes())?;
        let columns = PyList::empty(py);
        for column in &report.columns {
            let entry = PyDict::new(py);
            entry.set_item("name", &column.name)?;
            entry.set_item("copied_chunks", column.copied_chunks)?;
            entry.set_item("n_chunks", column.n_chunks)?;
            entry.set_item("chunk_bytes", column.chunk_bytes)?;
            columns.append(entry)?;
        }
        out.set_item("columns", columns)?;
        Ok(out)
    }

    /// The current values as a `View` (unwritten columns shared, written ones assembled once).
    fn view(&self) -> PyResult<View> {
        let inner = self.inner();
        View::new(inner.materialize(), 0, &inner.split().to_string(), "cow")
    }

    /// The current values as a `pyarrow.Table`.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let frame = self.inner().materialize();
        crate::convert::frame_to_pyarrow(py, &frame)
    }

    /// The Arrow PyCapsule stream protocol over the current values.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let frame = self.inner().materialize();
        stream_capsule(py, &frame)
    }

    fn __repr__(&self) -> String {
        let inner = self.inner();
        format!(
            "CopyOnWriteFrame(rows={}, columns=[{}], modified_chunks={})",
            inner.n_rows(),
            inner.column_names().join(", "),
            inner.modified_chunks().len()
        )
    }
}
