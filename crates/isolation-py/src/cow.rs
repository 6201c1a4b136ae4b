//! `CowFrame`: the seed's `CopyOnWriteDataFrame`, except that a write copies one chunk of one column
//! (`chunk_rows` rows), never the whole frame, and never reaches the data it was made from.

use isolation::IsolatedData;
use isolation::cow::CowFrame as RustCowFrame;
use isolation::{CowConfig, Split};
use pyo3::exceptions::{PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyList};

use crate::convert::{frame_from_py, stream_capsule};
use crate::py_err;
use crate::view::{View, bar_dict, numpy_of};

/// A frame that shares the data it was made from until written; each write copies only the chunk of the
/// column it touches. Wrapped by `isolation.CopyOnWriteFrame`.
#[pyclass(module = "isolation", name = "CopyOnWriteFrame")]
pub struct CowFrame {
    inner: RustCowFrame,
}

impl CowFrame {
    pub(crate) fn from_frame(inner: RustCowFrame) -> Self {
        Self { inner }
    }

    fn column_idx(&self, column: &str) -> PyResult<usize> {
        self.inner.find_column(column).map_err(|e| PyKeyError::new_err(e.to_string()))
    }

    fn check_row(&self, row: usize) -> PyResult<()> {
        if row >= self.inner.n_rows() {
            return Err(pyo3::exceptions::PyIndexError::new_err(format!(
                "row {row} is outside the frame's {} rows",
                self.inner.n_rows()
            )));
        }
        Ok(())
    }
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
        Ok(Self { inner })
    }

    /// `(rows, value columns)`.
    #[getter]
    fn shape(&self) -> (usize, usize) {
        (self.inner.n_rows(), self.inner.n_columns())
    }

    fn __len__(&self) -> usize {
        self.inner.n_rows()
    }

    /// Value column names.
    #[getter]
    fn columns(&self) -> Vec<String> {
        self.inner.column_names().into_iter().map(str::to_string).collect()
    }

    /// The split these rows are (`full` for a frame made directly).
    #[getter]
    fn split(&self) -> String {
        self.inner.split().to_string()
    }

    /// Rows per copy-on-write chunk.
    #[getter]
    fn chunk_rows(&self) -> usize {
        self.inner.config().chunk_rows()
    }

    /// The value at `row` of `column` as a float (None for a null).
    fn get_value(&self, row: usize, column: &str) -> PyResult<Option<f64>> {
        self.check_row(row)?;
        self.inner.get(self.column_idx(column)?, row).map_err(py_err)
    }

    /// Sets one value; copies the chunk of `column` that holds `row` on its first write. A value the
    /// column's type cannot hold exactly (1.5 in an integer column) is refused.
    fn set_value(&mut self, row: usize, column: &str, value: f64) -> PyResult<()> {
        self.check_row(row)?;
        let idx = self.column_idx(column)?;
        self.inner.set_value(idx, row, value).map_err(py_err)
    }

    /// Row `row` as a dict (`timestamp` and every column).
    fn get_row<'py>(&self, py: Python<'py>, row: usize) -> PyResult<Bound<'py, PyDict>> {
        self.check_row(row)?;
        let frame = self.inner.materialize();
        bar_dict(py, &frame, row)
    }

    /// Sets a row from a dict (`{column: value}`, columns not named keep their values) or a sequence of
    /// one value per column.
    fn set_row(&mut self, row: usize, values: &Bound<'_, PyAny>) -> PyResult<()> {
        self.check_row(row)?;
        if let Ok(map) = values.cast::<PyDict>() {
            let mut pairs = Vec::with_capacity(map.len());
            for (key, value) in map.iter() {
                pairs.push((self.column_idx(&key.extract::<String>()?)?, value.extract::<f64>()?));
            }
            for (idx, value) in pairs {
                self.inner.set_value(idx, row, value).map_err(py_err)?;
            }
            return Ok(());
        }
        let values: Vec<f64> = values.extract()?;
        if values.len() != self.inner.n_columns() {
            return Err(PyValueError::new_err(format!(
                "set_row got {} values for {} columns",
                values.len(),
                self.inner.n_columns()
            )));
        }
        self.inner.set_row(row, &values).map_err(py_err)
    }

    /// One column as a read-only numpy array: over the shared data while the column is unwritten, else
    /// over a fresh array of the column with its written chunks in place.
    fn get_column<'py>(&self, py: Python<'py>, column: &str) -> PyResult<Bound<'py, PyAny>> {
        let idx = self.column_idx(column)?;
        let frame = self.inner.materialize();
        numpy_of(py, frame.column_at(idx))
    }

    /// Drops every write: the frame shares all of the data again.
    fn reset(&mut self) {
        self.inner.reset();
    }

    /// True once a value was written.
    #[getter]
    fn is_modified(&self) -> bool {
        self.inner.is_modified()
    }

    /// `[(column, chunk index, first row, end row)]` of the chunks copied so far.
    fn modified_chunks(&self) -> Vec<(String, usize, usize, usize)> {
        let names = self.columns();
        self.inner
            .modified_chunks()
            .into_iter()
            .map(|c| (names[c.column_idx].clone(), c.chunk_idx, c.rows.start, c.rows.end))
            .collect()
    }

    /// Memory as the seed's `memory_usage()`, honestly: bytes copied by writes (`owned_bytes`), bytes still
    /// shared with the source (`shared_bytes`), per column copied chunks, and the total.
    fn memory_usage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let report = self.inner.footprint_report();
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
    fn view(&self) -> View {
        View::new(self.inner.materialize(), 0, &self.inner.split().to_string(), "cow")
    }

    /// The current values as a `pyarrow.Table`.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        crate::convert::frame_to_pyarrow(py, &self.inner.materialize())
    }

    /// The Arrow PyCapsule stream protocol over the current values.
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        stream_capsule(py, &self.inner.materialize())
    }

    fn __repr__(&self) -> String {
        format!(
            "CopyOnWriteFrame(rows={}, columns=[{}], modified_chunks={})",
            self.inner.n_rows(),
            self.columns().join(", "),
            self.inner.modified_chunks().len()
        )
    }
}
