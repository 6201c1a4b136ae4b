//! numpy out: a column as a read-only array over the same memory, the dtype of each Arrow layout, and
//! timestamps as `numpy.datetime64`.

use arrow_array::{Array, ArrayRef};
use isolation::TimeFrame;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyDict;

use crate::convert::array_to_pyarrow;

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

/// Row `row` of `frame` as a dict (`timestamp` and every value column), for frames read once (a
/// copy-on-write frame's row); views read bars through their cached readers instead.
pub(crate) fn bar_dict<'py>(py: Python<'py>, frame: &TimeFrame, row: usize) -> PyResult<Bound<'py, PyDict>> {
    let bar = PyDict::new(py);
    bar.set_item(isolation::TIMESTAMP_COLUMN, datetime64(py, frame.timestamps()[row])?)?;
    for (idx, name) in frame.column_names().into_iter().enumerate() {
        let value = super::rows::reader(frame.record_batch().column(idx + 1).clone())?(py, row)?;
        bar.set_item(name, value)?;
    }
    Ok(bar)
}
