//! Frames from record batches other libraries made (pandas, polars, pyarrow, DuckDB): which column is the
//! index, the index in nanoseconds, and date-time value columns as `i64` nanoseconds, as the file loaders
//! keep them. The Python package hands every frame it is given to [`TimeFrame::from_foreign_batch`].

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, TimestampNanosecondArray};
use arrow_schema::{DataType, Field, Schema, TimeUnit};

use crate::{
    FrameError, IndexLabel, TIMESTAMP_COLUMN, TimeFrame, datetime_values_in_nanoseconds,
    timestamps_in_nanoseconds,
};

impl TimeFrame {
    /// A frame from `batch`, whose index is `time_column` if given, else the column named `timestamp`,
    /// else the timestamp column pandas names as its index in the schema's `pandas` metadata, else the only
    /// timestamp column. The index is converted to nanoseconds when it has another unit (pandas 3 and
    /// polars often use microseconds), keeping its zone (or naivety); its name and unit are kept as the
    /// frame's [`IndexLabel`] unless the batch's metadata records one ([`crate::INDEX_METADATA_KEY`]); other date and timestamp columns (a label end
    /// `t1`) become `i64` nanoseconds since the epoch, nulls kept. Nothing else is copied.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::{Float64Array, RecordBatch, TimestampMicrosecondArray};
    /// use timeseries_array::TimeFrame;
    ///
    /// let when = Arc::new(TimestampMicrosecondArray::from(vec![1, 2]));
    /// let close = Arc::new(Float64Array::from(vec![1.0, 2.0]));
    /// let batch = RecordBatch::try_from_iter([("when", when as _), ("close", close as _)])?;
    /// let frame = TimeFrame::from_foreign_batch(batch, None)?;
    /// assert_eq!(frame.timestamps(), [1_000, 2_000]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// No index column can be told (none, or several timestamp columns), a timestamp outside the
    /// nanosecond range (naming column and row), or anything [`TimeFrame::try_from_record_batch`] refuses.
    pub fn from_foreign_batch(batch: RecordBatch, time_column: Option<&str>) -> Result<Self, FrameError> {
        let schema = batch.schema();
        let name = index_column(schema.as_ref(), time_column)?;
        let label = IndexLabel::from_metadata(schema.metadata()).unwrap_or_else(|| IndexLabel {
            name: Some(name.clone()),
            unit: match schema.column_with_name(&name).map(|(_, f)| f.data_type()) {
                Some(DataType::Timestamp(unit, _)) => *unit,
                _ => TimeUnit::Nanosecond,
            },
            freq: None,
        });
        let batch = with_nanosecond_index(batch, &name)?;
        let batch = with_datetime_values_as_nanoseconds(batch, &name)?;
        Ok(TimeFrame::try_from_record_batch(&batch, &name)?.with_index_label(&label))
    }
}

/// The column that becomes the index.
fn index_column(schema: &Schema, time_column: Option<&str>) -> Result<String, FrameError> {
    if let Some(name) = time_column {
        return Ok(name.to_string());
    }
    if schema.column_with_name(TIMESTAMP_COLUMN).is_some() {
        return Ok(TIMESTAMP_COLUMN.to_string());
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
    let dates: Vec<&Field> = schema
        .fields()
        .iter()
        .filter(|f| matches!(f.data_type(), DataType::Date32 | DataType::Date64))
        .map(|f| f.as_ref())
        .collect();
    match (stamps.as_slice(), dates.as_slice()) {
        ([only], _) | ([], [only]) => Ok(only.name().clone()),
        ([], _) => Err(FrameError::NoIndex {
            reason: format!(
                "none is named `{TIMESTAMP_COLUMN}` and none has a timestamp type (columns: {}); pass time_column=",
                schema.fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", ")
            ),
        }),
        (several, _) => Err(FrameError::NoIndex {
            reason: format!(
                "{} timestamp columns ({}); pass time_column= to say which is the index",
                several.len(),
                several.iter().map(|f| f.name().as_str()).collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}

/// The index column pandas names in the schema metadata it writes (`__index_level_0__` or the index's
/// name) when a DataFrame exports itself, if it is a timestamp column.
fn pandas_index(schema: &Schema) -> Option<String> {
    let metadata: serde_json::Value = serde_json::from_str(schema.metadata().get("pandas")?).ok()?;
    let name = metadata.get("index_columns")?.as_array()?.first()?.as_str()?;
    let (_, field) = schema.column_with_name(name)?;
    matches!(field.data_type(), DataType::Timestamp(..)).then(|| name.to_string())
}

/// The batch with its index column in nanoseconds; a timestamp outside the nanosecond range is an error
/// naming its row.
fn with_nanosecond_index(batch: RecordBatch, name: &str) -> Result<RecordBatch, FrameError> {
    let Some((idx, field)) = batch.schema().column_with_name(name).map(|(i, f)| (i, f.clone())) else {
        return Ok(batch); // the frame constructor names the missing column and the ones there are
    };
    let (converted, zone) = match field.data_type() {
        DataType::Timestamp(TimeUnit::Nanosecond, _) => return Ok(batch),
        DataType::Timestamp(unit, zone) => {
            let converted = timestamps_in_nanoseconds(batch.column(idx).as_ref(), *unit)
                .map_err(|(row, value)| FrameError::OutOfRange {
                    column: name.to_string(),
                    detail: format!(
                        "row {row}: timestamp {value} ({unit:?}) is outside the nanosecond range"
                    ),
                })?
                .with_timezone_opt(zone.clone());
            (converted, zone.clone())
        }
        // A date index (polars `Date`, a date-only column): each day at midnight.
        DataType::Date32 | DataType::Date64 => {
            let nanos =
                datetime_values_in_nanoseconds(batch.column(idx).as_ref()).expect("a date column").map_err(
                    |out| FrameError::OutOfRange { column: name.to_string(), detail: out.to_string() },
                )?;
            let (_, values, nulls) = nanos.into_parts();
            (TimestampNanosecondArray::new(values, nulls), None)
        }
        _ => return Ok(batch),
    };
    let mut columns = batch.columns().to_vec();
    columns[idx] = Arc::new(converted);
    let mut fields: Vec<Field> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields[idx] =
        Field::new(name, DataType::Timestamp(TimeUnit::Nanosecond, zone.clone()), field.is_nullable());
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| FrameError::Arrow(crate::Cause::new(e)))
}

/// The batch with every date or timestamp column other than the index as `i64` nanoseconds since the
/// epoch (UTC). A value outside the nanosecond range (9999-12-31) is an error naming the column and row,
/// never a null.
fn with_datetime_values_as_nanoseconds(batch: RecordBatch, index: &str) -> Result<RecordBatch, FrameError> {
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
        let nanos =
            datetime_values_in_nanoseconds(column.as_ref()).expect("a date or timestamp column").map_err(
                |out| FrameError::OutOfRange { column: field.name().clone(), detail: out.to_string() },
            )?;
        let nanos: ArrayRef = Arc::new(nanos);
        fields.push(Field::new(field.name(), DataType::Int64, field.is_nullable()));
        columns.push(nanos);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
        .map_err(|e| FrameError::Arrow(crate::Cause::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{Date32Array, Float64Array, TimestampMillisecondArray};

    fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(columns).unwrap()
    }

    #[test]
    fn the_index_is_named_found_or_refused_by_name() {
        let ms = |v: Vec<i64>| Arc::new(TimestampMillisecondArray::from(v)) as ArrayRef;
        let close = Arc::new(Float64Array::from(vec![1.0, 2.0])) as ArrayRef;
        let one = batch(vec![("when", ms(vec![1, 2])), ("close", close.clone())]);
        let frame = TimeFrame::from_foreign_batch(one, None).unwrap();
        assert_eq!(frame.timestamps(), [1_000_000, 2_000_000]);
        // What came in is remembered: the name, the unit and the naivety of the index.
        let label = crate::IndexLabel { name: Some("when".into()), unit: TimeUnit::Millisecond, freq: None };
        assert_eq!((frame.index_label(), frame.index_zone()), (label, None));
        let two = batch(vec![("a", ms(vec![1, 2])), ("b", ms(vec![3, 4])), ("close", close.clone())]);
        let error = TimeFrame::from_foreign_batch(two.clone(), None).unwrap_err().to_string();
        assert_eq!(
            error,
            "no time column: 2 timestamp columns (a, b); pass time_column= to say which is the index"
        );
        let frame = TimeFrame::from_foreign_batch(two, Some("b")).unwrap();
        assert_eq!(frame.column_names(), ["a", "close"]);
        assert_eq!(frame.value_type(0), crate::ValueType::Int64, "a date-time value column is i64 ns");
        let none = batch(vec![("close", close)]);
        assert!(
            TimeFrame::from_foreign_batch(none, None).unwrap_err().to_string().contains("pass time_column=")
        );
    }

    #[test]
    fn a_date_index_is_each_day_at_midnight() {
        let day = Arc::new(Date32Array::from(vec![0, 1, 2])) as ArrayRef;
        let close = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0])) as ArrayRef;
        let frame = TimeFrame::from_foreign_batch(batch(vec![("day", day), ("close", close)]), None).unwrap();
        assert_eq!(frame.timestamps(), [0, 86_400_000_000_000, 172_800_000_000_000]);
        assert_eq!(frame.column_names(), ["close"]);
    }

    #[test]
    fn a_value_past_the_nanosecond_range_names_column_and_row() {
        let when = Arc::new(TimestampMillisecondArray::from(vec![1, 2])) as ArrayRef;
        let expiry = Arc::new(Date32Array::from(vec![0, 2_932_896])) as ArrayRef; // 9999-12-31
        let error = TimeFrame::from_foreign_batch(batch(vec![("when", when), ("expiry", expiry)]), None)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("column `expiry` row 1: 2932896 (Date32) is outside the nanosecond range"),
            "{error}"
        );
    }
}
