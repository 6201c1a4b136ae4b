//! Arrow across the boundary: any object with the Arrow PyCapsule interface in, a `TimeFrame` out; a frame
//! out as a pyarrow table, a C stream capsule or one column's array, sharing the frame's buffers.

use std::sync::Arc;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{Array, ArrayRef, RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, Table, ToPyArrow};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use isolation::TimeFrame;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

use crate::py_err;

/// Reads `data` (an object with `__arrow_c_stream__` or `__arrow_c_array__`) into a frame whose index is
/// `time_column` (default: a column named `timestamp`, else the only timestamp column). Values are not
/// copied when the input is one batch; the index is copied only when its unit is not nanoseconds.
///
/// The index check (sorted, unique, no nulls) runs with the GIL released.
pub(crate) fn frame_from_py(data: &Bound<'_, PyAny>, time_column: Option<&str>) -> PyResult<TimeFrame> {
    // pandas frames first (pandas >= 2.2 also has `__arrow_c_stream__`, which would lose the index's
    // role): `isolation._convert` makes Arrow of them, sharing the columns' memory where pyarrow can, and
    // hands anything else with the PyCapsule interface back as it is.
    let converted = data.py().import("isolation._convert")?.call_method1("to_arrow", (data, time_column))?;
    let (table, time_column): (Bound<'_, PyAny>, Option<String>) = converted.extract()?;
    let batch = batch_from_py(&table)?;
    let name = index_column(batch.schema().as_ref(), time_column.as_deref())?;
    let batch = with_nanosecond_index(batch, &name)?;
    let batch = with_datetime_values_as_nanoseconds(batch, &name)?;
    data.py().detach(|| TimeFrame::try_from_record_batch(&batch, &name)).map_err(py_err)
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

/// The column that becomes the index.
fn index_column(schema: &Schema, time_column: Option<&str>) -> PyResult<String> {
    if let Some(name) = time_column {
        return Ok(name.to_string());
    }
    if schema.column_with_name(isolation::TIMESTAMP_COLUMN).is_some() {
        return Ok(isolation::TIMESTAMP_COLUMN.to_string());
    }
    if let Some(index) = pandas_index(schema) {
        return Ok(index);
    }
    let stamps: Vec<&Field> = schema
        .fields()
        .iter()
        .filter(|f| matches!(f.data_type(), DataType::Timestamp(..)))
        .map(|f| f.as_ref())
        .collect();
    match stamps.as_slice() {
        [only] => Ok(only.name().clone()),
        [] => Err(crate::IsolationError::new_err(format!(
            "no time column: none is named `{}` and none has a timestamp type (columns: {}); pass time_column=",
            isolation::TIMESTAMP_COLUMN,
            column_list(schema)
        ))),
        several => Err(crate::IsolationError::new_err(format!(
            "{} timestamp columns ({}); pass time_column= to say which is the index",
            several.len(),
            several.iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}

/// The index column pandas names in the schema metadata it writes (`__index_level_0__` or the index's
/// name) when a DataFrame exports itself through `__arrow_c_stream__`, if it is a timestamp column.
fn pandas_index(schema: &Schema) -> Option<String> {
    let metadata: serde_json::Value = serde_json::from_str(schema.metadata().get("pandas")?).ok()?;
    let name = metadata.get("index_columns")?.as_array()?.first()?.as_str()?;
    let (_, field) = schema.column_with_name(name)?;
    matches!(field.data_type(), DataType::Timestamp(..)).then(|| name.to_string())
}

fn column_list(schema: &Schema) -> String {
    schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", ")
}

/// The batch with its index column in nanoseconds (pandas 3 and polars often use microseconds). Only the
/// index is converted; a timestamp outside the nanosecond range is an error naming its row.
fn with_nanosecond_index(batch: RecordBatch, name: &str) -> PyResult<RecordBatch> {
    let Some((idx, field)) = batch.schema().column_with_name(name).map(|(i, f)| (i, f.clone())) else {
        return Ok(batch); // the frame constructor names the missing column and the ones there are
    };
    let DataType::Timestamp(unit, zone) = field.data_type() else { return Ok(batch) };
    if *unit == TimeUnit::Nanosecond {
        return Ok(batch);
    }
    let converted = timeseries_array::timestamps_in_nanoseconds(batch.column(idx).as_ref(), *unit)
        .map_err(|(row, v)| {
            crate::IsolationError::new_err(format!(
                "column `{name}` row {row}: timestamp {v} ({unit:?}) is outside the nanosecond range"
            ))
        })?
        .with_timezone_opt(zone.clone());
    let mut columns = batch.columns().to_vec();
    columns[idx] = Arc::new(converted);
    let mut fields: Vec<Field> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields[idx] =
        Field::new(name, DataType::Timestamp(TimeUnit::Nanosecond, zone.clone()), field.is_nullable());
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(py_err)
}

/// The batch with every date or timestamp column other than the index (a label end `t1`) as `i64`
/// nanoseconds since the epoch (UTC), as the file loaders keep them; the frame holds numbers only. A value
/// outside the nanosecond range (9999-12-31) is an error naming the column and row, never a null.
fn with_datetime_values_as_nanoseconds(batch: RecordBatch, index: &str) -> PyResult<RecordBatch> {
    let schema = batch.schema();
    let is_datetime = |f: &Field| {
        f.name() != index
            && matches!(f.data_type(), DataType::Timestamp(..) | DataType::Date32 | DataType::Date64)
    };
    if !schema.fields().iter().any(|f| is_datetime(f)) {
        return Ok(batch);
    }
    let mut fields = Vec::with_capacity(schema.fields().len());
    let mut columns = Vec::with_capacity(schema.fields().len());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        if !is_datetime(field) {
            fields.push(field.as_ref().clone());
            columns.push(column.clone());
            continue;
        }
        let nanos = timeseries_array::datetime_values_in_nanoseconds(column.as_ref())
            .expect("a date or timestamp column")
            .map_err(|out| crate::IsolationError::new_err(format!("column `{}` {out}", field.name())))?;
        let nanos: ArrayRef = Arc::new(nanos);
        fields.push(Field::new(field.name(), DataType::Int64, field.is_nullable()));
        columns.push(nanos);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).map_err(py_err)
}

/// `frame` as a `pyarrow.Table` over the same buffers.
pub(crate) fn frame_to_pyarrow<'py>(py: Python<'py>, frame: &TimeFrame) -> PyResult<Bound<'py, PyAny>> {
    let batch = frame.record_batch().clone();
    Table::try_new(vec![batch], frame.schema()).map_err(py_err)?.into_pyarrow(py)
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
