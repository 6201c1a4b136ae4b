//! Arrow across the boundary: any object with the Arrow PyCapsule interface in, a `TimeFrame` out; a frame
//! out as a pyarrow table, a C stream capsule or one column's array, sharing the frame's buffers.

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table, ToPyArrow};
use isolation::TimeFrame;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::py_err;

/// Reads `data` (an object with `__arrow_c_stream__` or `__arrow_c_array__`, or a pandas frame) into a
/// frame: which column is the index and how date-times convert is `TimeFrame::from_foreign_batch`'s rule.
/// Values are not copied when the input is one batch; the index is copied only when its unit is not
/// nanoseconds. The checks run with the GIL released.
pub(crate) fn frame_from_py(data: &Bound<'_, PyAny>, time_column: Option<&str>) -> PyResult<TimeFrame> {
    // pandas frames first (pandas >= 2.2 also has `__arrow_c_stream__`, which would lose the index's
    // role): `isolation._convert` makes Arrow of them, sharing the columns' memory where pyarrow can, and
    // hands anything else with the PyCapsule interface back as it is.
    let converted = data.py().import("isolation._convert")?.call_method1("to_arrow", (data, time_column))?;
    let (table, time_column): (Bound<'_, PyAny>, Option<String>) = converted.extract()?;
    let batch = batch_from_py(&table)?;
    data.py().detach(|| TimeFrame::from_foreign_batch(batch, time_column.as_deref())).map_err(py_err)
}

/// One record batch from a PyCapsule producer: a stream of several batches is concatenated (a copy,
/// which pyarrow tables of one chunk and rechunked polars frames avoid).
fn batch_from_py(data: &Bound<'_, PyAny>) -> PyResult<RecordBatch> {
    if data.hasattr("__arrow_c_stream__")? {
        let reader = RecordBatchStreamReader::from_pyarrow_bound(data)?;
        let schema = reader.schema();
        let batches = reader.collect::<Result<Vec<_>, _>>().map_err(py_err)?;
        return match batches.len() {
            0 => Ok(RecordBatch::new_empty(schema)),
            1 => Ok(batches.into_iter().next().expect("one batch")),
            _ => data.py().detach(|| arrow_select::concat::concat_batches(&schema, &batches)).map_err(py_err),
        };
    }
    if data.hasattr("__arrow_c_array__")? {
        return RecordBatch::from_pyarrow_bound(data);
    }
    Err(PyTypeError::new_err(format!(
        "expected Arrow data (an object with __arrow_c_stream__ or __arrow_c_array__: a pyarrow Table, a polars \
         DataFrame) or a pandas DataFrame, got {}",
        data.get_type().name()?
    )))
}

/// One column of values (numpy, pandas, pyarrow, a list) as an Arrow array; `isolation._convert.column`
/// decides how (a float NaN stays a value).
pub(crate) fn array_from_py(values: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    let array = values.py().import("isolation._convert")?.call_method1("column", (values,))?;
    Ok(arrow_array::make_array(arrow_data::ArrayData::from_pyarrow_bound(&array)?))
}

/// Rows `start..end` of `n` as Python slices clamp them (`end` None: the last; past the end: the end).
pub(crate) fn clamped_rows(start: usize, end: Option<usize>, n: usize) -> std::ops::Range<usize> {
    let end = end.unwrap_or(n).min(n);
    start.min(end)..end
}

/// `frame` as a `pyarrow.Table` over the same buffers.
pub(crate) fn frame_to_pyarrow<'py>(py: Python<'py>, frame: &TimeFrame) -> PyResult<Bound<'py, PyAny>> {
    let batch = frame.record_batch().clone();
    Table::try_new(vec![batch], frame.schema()).map_err(py_err)?.into_pyarrow(py)
}

/// `frame` as a pandas DataFrame with its index as the data came in (`isolation._convert.to_pandas`);
/// without `copy`, columns without nulls are read-only numpy blocks over the frame's buffers.
pub(crate) fn frame_to_pandas<'py>(
    py: Python<'py>,
    frame: &TimeFrame,
    copy: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let label = frame.index_label();
    let table = frame_to_pyarrow(py, frame)?;
    py.import("isolation._convert")?.call_method1(
        "to_pandas",
        (table, label.name, timeseries_array::unit_text(label.unit), label.freq, copy),
    )
}

/// An `arrow_array_stream` PyCapsule over `frame` (the `__arrow_c_stream__` protocol): the consumer reads
/// the frame's buffers; they stay alive until it releases the stream and every array it imported.
pub(crate) fn stream_capsule<'py>(py: Python<'py>, frame: &TimeFrame) -> PyResult<Bound<'py, PyCapsule>> {
    let batch = frame.record_batch().clone();
    let reader: Box<dyn RecordBatchReader + Send> =
        Box::new(RecordBatchIterator::new([Ok(batch)], frame.schema()));
    let stream = FFI_ArrowArrayStream::new(reader);
    PyCapsule::new_with_value(py, stream, c"arrow_array_stream")
}

/// One column as a `pyarrow.Array` over the same buffer.
pub(crate) fn array_to_pyarrow<'py>(py: Python<'py>, array: &ArrayRef) -> PyResult<Bound<'py, PyAny>> {
    array.to_data().to_pyarrow(py)
}

/// Checks that `data` makes a valid frame and returns its row count (the loaders' validation alone).
#[pyfunction]
#[pyo3(signature = (data, time_column=None))]
pub(crate) fn check_frame(data: &Bound<'_, PyAny>, time_column: Option<&str>) -> PyResult<usize> {
    Ok(frame_from_py(data, time_column)?.n_rows())
}
