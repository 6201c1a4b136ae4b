//! `TimeSeriesArray`: the seed's compact series (timestamps and one value column), as a one-column frame
//! over Arrow buffers: `get_view` is an offset and a length, `values` and `timestamps` are read-only numpy
//! arrays over the same memory.

use isolation::TimeFrame;
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PyType};

use crate::convert::{frame_from_py, frame_to_pandas, stream_capsule};
use crate::py_err;
use crate::view::numpy_of;

/// Timestamps and one value column, sharing the memory it was made from. Wrapped by
/// `isolation.TimeSeriesArray`.
#[pyclass(module = "isolation", name = "TimeSeriesArray", frozen)]
pub struct SeriesArray {
    /// Exactly one value column.
    frame: TimeFrame,
}

impl SeriesArray {
    /// The series of `column` of `frame` (no copy), its index as `frame`'s.
    fn of_column(frame: &TimeFrame, column: &str) -> PyResult<Self> {
        let series = frame.series(column).map_err(py_err)?;
        Ok(Self { frame: series.to_frame().with_index_of(frame) })
    }
}

#[pymethods]
impl SeriesArray {
    /// The seed's constructor: `timestamps` (numpy `datetime64`, pandas DatetimeIndex, or int nanoseconds
    /// since the epoch; strictly increasing) and `values` (one number per timestamp), named `name`.
    #[new]
    #[pyo3(signature = (timestamps, values, name="value"))]
    fn new(timestamps: &Bound<'_, PyAny>, values: &Bound<'_, PyAny>, name: &str) -> PyResult<Self> {
        let table = timestamps
            .py()
            .import("isolation._convert")?
            .call_method1("series_table", (timestamps, values, name))?;
        let frame = frame_from_py(&table, None)?;
        Self::of_column(&frame, name)
    }

    /// The seed's `from_dataframe(df, value_column)`: one column of `df` (pandas with a DatetimeIndex,
    /// polars, pyarrow) with its index, sharing the column's memory where pyarrow can.
    #[classmethod]
    #[pyo3(signature = (df, value_column, time_column=None))]
    fn from_dataframe(
        _cls: &Bound<'_, PyType>,
        df: &Bound<'_, PyAny>,
        value_column: &str,
        time_column: Option<&str>,
    ) -> PyResult<Self> {
        Self::of_column(&frame_from_py(df, time_column)?, value_column)
    }

    /// Rows `start` to `end` (exclusive; `None`: the last), as a new series over the same memory: O(1), no
    /// value copied. Bounds past the end are clamped, as slicing a numpy array clamps them.
    #[pyo3(signature = (start=0, end=None))]
    fn get_view(&self, start: usize, end: Option<usize>) -> PyResult<Self> {
        let rows = crate::convert::clamped_rows(start, end, self.frame.n_rows());
        Ok(Self { frame: self.frame.slice(rows).map_err(py_err)? })
    }

    /// The value column's name.
    #[getter]
    fn name(&self) -> String {
        self.frame.column_names()[0].to_string()
    }

    /// The values as a read-only numpy array over the same memory.
    #[getter]
    fn values<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        numpy_of(py, self.frame.column_at(0))
    }

    /// The timestamps as a read-only numpy `datetime64[ns]` array over the same memory (the seed gave int64
    /// nanoseconds: `.view("int64")` is that, without a copy).
    #[getter]
    fn timestamps<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        numpy_of(py, self.frame.record_batch().column(0))
    }

    /// A pandas DataFrame with the one column, indexed as the data came in (read-only where shared).
    fn to_dataframe<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frame_to_pandas(py, &self.frame, false)
    }

    /// The seed's keys (`timestamps_bytes`, `values_bytes`, `total_bytes`: the bytes these rows show) and the
    /// honest ones: `owned_bytes` (allocations only this series keeps alive) and `shared_bytes` (held with
    /// the data it came from or with other views), each allocation once.
    fn memory_usage<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rows = self.frame.n_rows() as u64;
        let value_bytes = rows * self.frame.value_type(0).byte_width() as u64;
        let footprint = self.frame.footprint();
        let out = PyDict::new(py);
        out.set_item("timestamps_bytes", rows * 8)?;
        out.set_item("values_bytes", value_bytes)?;
        out.set_item("total_bytes", rows * 8 + value_bytes)?;
        out.set_item("owned_bytes", footprint.owned_bytes)?;
        out.set_item("shared_bytes", footprint.shared_bytes)?;
        Ok(out)
    }

    /// The Arrow PyCapsule stream protocol (`timestamp` and the value column).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        stream_capsule(py, &self.frame)
    }

    fn __len__(&self) -> usize {
        self.frame.n_rows()
    }

    fn __repr__(&self) -> String {
        format!("TimeSeriesArray(name={:?}, rows={})", self.name(), self.frame.n_rows())
    }
}
