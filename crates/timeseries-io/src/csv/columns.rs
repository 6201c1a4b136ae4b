//! CSV records into Arrow columns: one builder per column read, batches of a fixed number of rows, and a
//! typed error naming the record, the column and the cell when a cell does not parse.
//!
//! An empty cell is a missing value. Numbers may carry spaces around them; integers are decimal digits with
//! an optional sign; floats are decimal or scientific (`1.5`, `.5`, `1e-3`) or `NaN`/`inf`, parsed from the
//! bytes with lexical-core (no UTF-8 pass, no allocation). Dates
//! and date-times are ISO 8601 (`timeseries_array::parse_iso_datetime`), a time without a zone taken as UTC.

use std::io::Read;
use std::sync::Arc;

use arrow_array::builder::{Int32Builder, Int64Builder, PrimitiveBuilder, StringBuilder, UInt64Builder};
use arrow_array::types::{
    Date32Type, Float64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};

/// Why a batch could not be read.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// A cell is not a value of its column's type.
    Cell {
        /// 1-based record number, the header (when there is one) being record 1.
        record: usize,
        /// The column's index in the file.
        column: usize,
        /// The cell's text (invalid UTF-8 replaced).
        value: String,
    },
    /// A record has another number of fields than the first record (the header, when there is one).
    Ragged {
        /// 1-based record number, as in [`ReadError::Cell`].
        record: usize,
        /// Its fields.
        found: usize,
        /// The first record's fields.
        expected: usize,
    },
    /// The file could not be read.
    Io(std::io::Error),
    /// Anything else the CSV reader reports.
    Other(String),
}

/// One column being built.
enum Builder {
    Text(StringBuilder),
    Float64(PrimitiveBuilder<Float64Type>),
    Int64(Int64Builder),
    UInt64(UInt64Builder),
    Date32(Int32Builder),
    /// Values in `unit`s since the epoch.
    Timestamp(TimeUnit, Int64Builder),
}

impl Builder {
    fn new(data_type: &DataType, capacity: usize) -> Option<Self> {
        Some(match data_type {
            DataType::Utf8 => Builder::Text(StringBuilder::with_capacity(capacity, capacity * 16)),
            DataType::Float64 => Builder::Float64(PrimitiveBuilder::with_capacity(capacity)),
            DataType::Int64 => Builder::Int64(Int64Builder::with_capacity(capacity)),
            DataType::UInt64 => Builder::UInt64(UInt64Builder::with_capacity(capacity)),
            DataType::Date32 => Builder::Date32(Int32Builder::with_capacity(capacity)),
            DataType::Timestamp(unit, None) => {
                Builder::Timestamp(*unit, Int64Builder::with_capacity(capacity))
            }
            _ => return None,
        })
    }

    /// Appends one cell; `false` if it is not a value of this column's type.
    fn push(&mut self, cell: &[u8]) -> bool {
        if cell.is_empty() {
            self.push_null();
            return true;
        }
        match self {
            Builder::Text(b) => match std::str::from_utf8(cell) {
                Ok(text) => b.append_value(text),
                Err(_) => return false,
            },
            Builder::Float64(b) => match lexical_core::parse::<f64>(cell.trim_ascii()) {
                Ok(value) => b.append_value(value),
                Err(_) => return false,
            },
            Builder::Int64(b) => match lexical_core::parse::<i64>(cell.trim_ascii()) {
                Ok(value) => b.append_value(value),
                Err(_) => return false,
            },
            Builder::UInt64(b) => match lexical_core::parse::<u64>(cell.trim_ascii()) {
                Ok(value) => b.append_value(value),
                Err(_) => return false,
            },
            Builder::Date32(b) => {
                // A date column holds dates: a later cell with a time of day is not silently cut to its day.
                let date = date_time(cell).filter(|t| t.date_only);
                let days = date.and_then(|t| i32::try_from(t.days()).ok());
                match days {
                    Some(days) => b.append_value(days),
                    None => return false,
                }
            }
            Builder::Timestamp(unit, b) => match date_time(cell).and_then(|t| t.in_unit(*unit)) {
                Some(value) => b.append_value(value),
                None => return false,
            },
        }
        true
    }

    fn push_null(&mut self) {
        match self {
            Builder::Text(b) => b.append_null(),
            Builder::Float64(b) => b.append_null(),
            Builder::Int64(b) | Builder::Timestamp(_, b) => b.append_null(),
            Builder::UInt64(b) => b.append_null(),
            Builder::Date32(b) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Builder::Text(b) => Arc::new(b.finish()),
            Builder::Float64(b) => Arc::new(b.finish()),
            Builder::Int64(b) => Arc::new(b.finish()),
            Builder::UInt64(b) => Arc::new(b.finish()),
            Builder::Date32(b) => Arc::new(b.finish().reinterpret_cast::<Date32Type>()),
            Builder::Timestamp(unit, b) => {
                let values = b.finish();
                match unit {
                    TimeUnit::Second => Arc::new(values.reinterpret_cast::<TimestampSecondType>()),
                    TimeUnit::Millisecond => Arc::new(values.reinterpret_cast::<TimestampMillisecondType>()),
                    TimeUnit::Microsecond => Arc::new(values.reinterpret_cast::<TimestampMicrosecondType>()),
                    TimeUnit::Nanosecond => Arc::new(values.reinterpret_cast::<TimestampNanosecondType>()),
                }
            }
        }
    }
}

fn date_time(cell: &[u8]) -> Option<timeseries_array::IsoDateTime> {
    timeseries_array::parse_iso_datetime(std::str::from_utf8(cell).ok()?)
}

/// Reads the columns `projection` of a CSV source whose columns have the types of `schema`, in batches of
/// `batch_size` rows: each batch's columns in projection order.
pub(crate) struct CsvBatches<R> {
    reader: ::csv::Reader<R>,
    record: ::csv::ByteRecord,
    schema: Arc<Schema>,
    projection: Vec<usize>,
    builders: Vec<Builder>,
    batch_size: usize,
    /// Records before the first data record (1 with a header).
    header_records: usize,
    rows: usize,
    done: bool,
}

impl<R: Read> CsvBatches<R> {
    /// A reader over `source` (positioned at the first record, header included).
    ///
    /// # Errors
    ///
    /// A projected column of a type this reader does not build (only text, `f64`, `i64`, `u64`, dates and
    /// zoneless timestamps are), as [`ReadError::Other`].
    pub(crate) fn new(
        source: R,
        schema: &Schema,
        projection: Vec<usize>,
        header: bool,
        delimiter: u8,
        batch_size: usize,
    ) -> Result<Self, ReadError> {
        let batch_size = batch_size.max(1);
        // Builders grow as rows arrive: a huge `batch_size` (a caller's option) reserves nothing up front.
        let capacity = batch_size.min(64 * 1024);
        let builders = (projection.iter())
            .map(|&i| {
                let field = schema.field(i);
                Builder::new(field.data_type(), capacity).ok_or_else(|| {
                    ReadError::Other(format!(
                        "column `{}`: cannot read {} from CSV",
                        field.name(),
                        field.data_type()
                    ))
                })
            })
            .collect::<Result<_, _>>()?;
        let reader = ::csv::ReaderBuilder::new().has_headers(header).delimiter(delimiter).from_reader(source);
        Ok(CsvBatches {
            reader,
            record: ::csv::ByteRecord::new(),
            schema: Arc::new(schema.project(&projection).map_err(|e| ReadError::Other(e.to_string()))?),
            projection,
            builders,
            batch_size,
            header_records: usize::from(header),
            rows: 0,
            done: false,
        })
    }

    /// The 1-based record number of data row `row` (0-based).
    fn record_number(&self, row: usize) -> usize {
        self.header_records + row + 1
    }

    fn next_batch(&mut self) -> Result<Option<RecordBatch>, ReadError> {
        let mut rows = 0;
        while rows < self.batch_size {
            match self.reader.read_byte_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    break;
                }
                Err(error) => return Err(self.csv_error(error)),
            }
            for (builder, &column) in self.builders.iter_mut().zip(&self.projection) {
                let cell = self.record.get(column).unwrap_or_default();
                if !builder.push(cell) {
                    return Err(ReadError::Cell {
                        record: self.record_number(self.rows + rows),
                        column,
                        value: String::from_utf8_lossy(cell).into_owned(),
                    });
                }
            }
            rows += 1;
        }
        if rows == 0 {
            return Ok(None);
        }
        self.rows += rows;
        let columns = self.builders.iter_mut().map(Builder::finish).collect();
        RecordBatch::try_new(self.schema.clone(), columns)
            .map(Some)
            .map_err(|e| ReadError::Other(e.to_string()))
    }

    fn csv_error(&self, error: ::csv::Error) -> ReadError {
        match error.kind() {
            ::csv::ErrorKind::UnequalLengths { pos, expected_len, len } => ReadError::Ragged {
                record: pos
                    .as_ref()
                    .map_or_else(|| self.record_number(self.rows), |p| p.record() as usize + 1),
                found: *len as usize,
                expected: *expected_len as usize,
            },
            ::csv::ErrorKind::Io(_) => match error.into_kind() {
                ::csv::ErrorKind::Io(error) => ReadError::Io(error),
                other => ReadError::Other(format!("{other:?}")),
            },
            _ => ReadError::Other(error.to_string()),
        }
    }
}

impl<R: Read> Iterator for CsvBatches<R> {
    type Item = Result<RecordBatch, ReadError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let batch = self.next_batch();
        if batch.is_err() {
            self.done = true;
        }
        batch.transpose()
    }
}

#[cfg(test)]
mod tests {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Int64Type, UInt64Type};
    use arrow_schema::Field;

    use super::*;

    fn schema(types: &[DataType]) -> Schema {
        Schema::new(
            types
                .iter()
                .enumerate()
                .map(|(i, t)| Field::new(format!("c{i}"), t.clone(), true))
                .collect::<Vec<_>>(),
        )
    }

    fn read(
        text: &str,
        types: &[DataType],
        projection: Vec<usize>,
        batch: usize,
    ) -> Result<Vec<RecordBatch>, ReadError> {
        CsvBatches::new(text.as_bytes(), &schema(types), projection, true, b',', batch)?.collect()
    }

    #[test]
    fn cells_become_typed_values_in_batches() {
        let text = "t,x,n,u,d,s\n\
                    2024-03-01T09:30:00Z, 1.5 ,-3,18446744073709551615,2024-03-01,2024-03-01T09:30:00.25+01:00\n\
                    2024-03-01T09:31:00Z,,7,,9999-12-31,\n\
                    2024-03-01T09:32:00Z,NaN,0,1,1970-01-02,1970-01-01\n";
        let types = [
            DataType::Utf8,
            DataType::Float64,
            DataType::Int64,
            DataType::UInt64,
            DataType::Date32,
            DataType::Timestamp(TimeUnit::Millisecond, None),
        ];
        let batches = read(text, &types, vec![5, 0, 1, 2, 3, 4], 2).unwrap();
        assert_eq!(batches.iter().map(RecordBatch::num_rows).collect::<Vec<_>>(), [2, 1]);
        let first = &batches[0];
        let ms = first.column(0).as_primitive::<TimestampMillisecondType>();
        assert_eq!(ms.value(0), 1_709_281_800_250, "08:30:00.250 UTC in milliseconds");
        assert!(ms.is_null(1));
        assert_eq!(first.column(1).as_string::<i32>().value(1), "2024-03-01T09:31:00Z");
        let x = first.column(2).as_primitive::<Float64Type>();
        assert_eq!((x.value(0), x.is_null(1)), (1.5, true), "spaces around a number are not part of it");
        assert_eq!(first.column(3).as_primitive::<Int64Type>().values(), &[-3, 7]);
        assert_eq!(first.column(4).as_primitive::<UInt64Type>().value(0), u64::MAX);
        assert_eq!(first.column(5).as_primitive::<Date32Type>().values(), &[19_783, 2_932_896]);
        assert!(batches[1].column(2).as_primitive::<Float64Type>().value(0).is_nan());
    }

    #[test]
    fn a_bad_cell_names_its_record_and_column() {
        let text = "t,x\na,1\nb,2\nc,oops\n";
        let Err(ReadError::Cell { record, column, value }) =
            read(text, &[DataType::Utf8, DataType::Int64], vec![0, 1], 2)
        else {
            panic!("expected a cell error");
        };
        assert_eq!((record, column, value.as_str()), (4, 1, "oops"), "the header is record 1");
        let Err(ReadError::Cell { value, .. }) =
            read("t,x\na,1.5\n", &[DataType::Utf8, DataType::Int64], vec![1], 8)
        else {
            panic!("a decimal is not an i64");
        };
        assert_eq!(value, "1.5");
        let Err(ReadError::Cell { value, .. }) =
            read("t,d\na,2024-03-01T09:30:00\n", &[DataType::Utf8, DataType::Date32], vec![1], 8)
        else {
            panic!("a date-time is not a date");
        };
        assert_eq!(value, "2024-03-01T09:30:00");
    }

    #[test]
    fn a_huge_batch_size_reserves_nothing_up_front() {
        let batches = read("t,x\na,1\n", &[DataType::Utf8, DataType::Int64], vec![0, 1], usize::MAX).unwrap();
        assert_eq!(batches[0].num_rows(), 1);
    }

    #[test]
    fn a_short_record_is_ragged_and_unread_columns_are_not_parsed() {
        let Err(ReadError::Ragged { record, found, expected }) =
            read("t,x\na,1\nb\n", &[DataType::Utf8, DataType::Int64], vec![0], 8)
        else {
            panic!("expected a ragged-record error");
        };
        assert_eq!((record, found, expected), (3, 1, 2));
        let batches = read("t,x\na,not a number\n", &[DataType::Utf8, DataType::Int64], vec![0], 8).unwrap();
        assert_eq!(batches[0].num_columns(), 1);
    }
}
