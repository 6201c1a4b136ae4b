//! Taking Arrow IPC files other tools wrote whose layout is not a time frame's as it is: an index column with
//! another name, timestamps in seconds, milliseconds or microseconds, several record batches. Each is
//! accepted only when the caller asks ([`Conform`], through `AttachOptions`), and what it cost is reported.

use std::sync::Arc;

use arrow_array::{Array, ArrayRef, RecordBatch, TimestampNanosecondArray};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use timeseries_array::TIMESTAMP_COLUMN;

use crate::ShmError;
use crate::decode::Source;

/// Which departures from a time frame's layout to accept, and convert, when attaching a foreign file. All
/// off by default: a file that needs any of them is refused with an error naming the option, and attaching
/// stays zero-copy and strict.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Conform {
    /// The name of the file's index column, when it is not `timestamp` (renamed without copying).
    pub(crate) index_column: Option<String>,
    /// Convert second, millisecond and microsecond timestamps to nanoseconds (copies the index only).
    pub(crate) convert_units: bool,
    /// Concatenate several record batches into one (copies every column once).
    pub(crate) concatenate_batches: bool,
}

/// What conforming a file did: the conversions, and the bytes they copied out of the mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conversions {
    /// One sentence per conversion, e.g. `index column \`date\` renamed to \`timestamp\``.
    pub notes: Vec<String>,
    /// Bytes copied into this process's heap (the rest stays in the shared mapping).
    pub copied_bytes: u64,
}

impl Conform {
    /// The name the file's index column has.
    pub(crate) fn index_name(&self) -> &str {
        self.index_column.as_deref().unwrap_or(TIMESTAMP_COLUMN)
    }

    /// Whether the index column may have `data_type`, or the error that names the option to accept it.
    pub(crate) fn check_index_type(&self, data_type: &DataType, src: Source<'_>) -> Result<(), ShmError> {
        match data_type {
            DataType::Int64 | DataType::Timestamp(TimeUnit::Nanosecond, _) => Ok(()),
            DataType::Timestamp(_, _) if self.convert_units => Ok(()),
            DataType::Timestamp(unit, _) => Err(src.schema(format!(
                "index column `{}` holds timestamps in {unit:?}s; attach with \
                 AttachOptions::convert_timestamp_units(true) to convert them to nanoseconds (copies the index)",
                self.index_name()
            ))),
            other => Err(src.schema(format!(
                "index column `{}` has type {other}; a time frame's index is nanosecond timestamps",
                self.index_name()
            ))),
        }
    }

    /// `batches` decoded from the file, made into one batch with a nanosecond `timestamp` index.
    pub(crate) fn apply(
        &self,
        mut batches: Vec<RecordBatch>,
        src: Source<'_>,
    ) -> Result<(RecordBatch, Conversions), ShmError> {
        let mut done = Conversions::default();
        let schema =
            batches.first().map(RecordBatch::schema).ok_or_else(|| src.corrupt("no record batch"))?;
        let batch = if batches.len() == 1 {
            batches.pop().expect("one batch")
        } else {
            let joined = arrow_select::concat::concat_batches(&schema, &batches)
                .map_err(|e| src.corrupt(format!("the record batches do not concatenate: {e}")))?;
            done.copied_bytes += joined.get_array_memory_size() as u64;
            done.notes.push(format!("{} record batches concatenated into one (copied)", batches.len()));
            joined
        };
        let Some(index_idx) = schema.index_of(self.index_name()).ok() else {
            return Err(src.schema(format!("there is no index column `{}`", self.index_name())));
        };
        let mut fields: Vec<Field> = schema.fields().iter().map(|f| Field::clone(f)).collect();
        let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
        if self.index_name() != TIMESTAMP_COLUMN {
            done.notes.push(format!("index column `{}` renamed to `{TIMESTAMP_COLUMN}`", self.index_name()));
        }
        if let DataType::Timestamp(unit, tz) = columns[index_idx].data_type().clone()
            && unit != TimeUnit::Nanosecond
        {
            let index = to_nanoseconds(&columns[index_idx], unit, src)?;
            done.copied_bytes += (index.len() * 8) as u64;
            done.notes.push(format!("timestamps converted from {unit:?}s to nanoseconds (index copied)"));
            columns[index_idx] = Arc::new(index.with_timezone_opt(tz.clone()));
            fields[index_idx] =
                Field::new(TIMESTAMP_COLUMN, DataType::Timestamp(TimeUnit::Nanosecond, tz), false);
        }
        fields[index_idx] = fields[index_idx].clone().with_name(TIMESTAMP_COLUMN);
        let schema = Schema::new_with_metadata(fields, schema.metadata().clone());
        let batch = RecordBatch::try_new(Arc::new(schema), columns)
            .map_err(|e| src.schema(format!("the conformed columns do not form a batch: {e}")))?;
        Ok((batch, done))
    }
}

/// `array` (timestamps in `unit`) in nanoseconds; a value out of the nanosecond range is an error.
fn to_nanoseconds(
    array: &ArrayRef,
    unit: TimeUnit,
    src: Source<'_>,
) -> Result<TimestampNanosecondArray, ShmError> {
    timeseries_array::timestamps_in_nanoseconds(array.as_ref(), unit).map_err(|(row, v)| {
        src.schema(format!("timestamp {v} at row {row} does not fit in nanoseconds (years 1677 to 2262)"))
    })
}
