//! CSV files: sniff the delimiter and header, infer column types from the first rows ([`infer`]), then
//! stream batches of typed columns ([`columns`]) into the assembler.

mod columns;
mod infer;
mod write;

pub(crate) use write::write_csv;

use std::cell::Cell;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::rc::Rc;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef};
use arrow_schema::{DataType, Field, Schema};
use timeseries_array::ValueType;

use crate::assemble::Assembler;
use crate::error::{LoadError, Location};
use crate::names::{canonical_name, headerless_names};
use crate::plan::{Plan, plan};
use crate::timestamp::TimestampReader;
use crate::{FileFormat, LoadOptions, LoadReport};

/// Rows read to infer column types.
const INFER_ROWS: usize = 10_000;
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];

/// What sniffing the top of a CSV file found.
pub(crate) struct Sniffed {
    pub(crate) delimiter: u8,
    pub(crate) header: bool,
    /// Bytes to skip at the start (a UTF-8 byte order mark).
    pub(crate) skip: u64,
    /// The inferred schema (headerless files get generated names).
    pub(crate) schema: Schema,
}

/// Reads the first line and a sample of rows: delimiter, header, column types.
pub(crate) fn sniff(file: &str, handle: &mut File, options: &LoadOptions) -> Result<Sniffed, LoadError> {
    let io = |source| LoadError::Io { file: file.to_string(), source };
    let mut reader = BufReader::new(&mut *handle);
    let mut first = String::new();
    reader.read_line(&mut first).map_err(io)?;
    let skip = if first.starts_with('\u{feff}') { 3 } else { 0 };
    let line = first.trim_start_matches('\u{feff}').trim_end_matches(['\r', '\n']);
    if line.trim().is_empty() {
        return Err(LoadError::Empty { file: file.to_string() });
    }
    let count = |d: u8| line.bytes().filter(|&b| b == d).count();
    let delimiter =
        options.delimiter.unwrap_or_else(|| *DELIMITERS.iter().max_by_key(|&&d| count(d)).unwrap_or(&b','));
    if count(delimiter) == 0 {
        let other = DELIMITERS.iter().filter(|&&d| d != delimiter).max_by_key(|&&d| count(d));
        let hint = match other {
            Some(&d) if count(d) > 0 => format!(", but {:?} appears {} times", printable(d), count(d)),
            _ => String::new(),
        };
        return Err(LoadError::WrongDelimiter {
            file: file.to_string(),
            delimiter: printable(delimiter),
            hint,
        });
    }
    let header = line.split(delimiter as char).any(|cell| {
        let cell = cell.trim().trim_matches('"');
        cell.parse::<f64>().is_err() && timeseries_array::parse_iso(cell).is_none()
    });
    handle.seek(SeekFrom::Start(skip)).map_err(io)?;
    let (mut schema, sampled_rows) = infer::infer_schema(&mut *handle, header, delimiter, INFER_ROWS)
        .map_err(|e| LoadError::Format { file: file.to_string(), detail: e.to_string() })?;
    if !header {
        let names = headerless_names(schema.fields().len());
        let fields: Vec<Field> =
            schema.fields().iter().zip(names).map(|(f, n)| f.as_ref().clone().with_name(n)).collect();
        schema = Schema::new(fields);
    }
    if sampled_rows == 0 {
        return Err(LoadError::HeaderOnly { file: file.to_string() });
    }
    Ok(Sniffed { delimiter, header, skip, schema })
}

/// The frame type a CSV column loads as: the inferred Int64, UInt64 or Float64; a column empty in the sample is
/// Float64 (all missing so far).
pub(crate) fn csv_value_type(data_type: &DataType) -> Option<ValueType> {
    match data_type {
        DataType::Null => Some(ValueType::Float64),
        other => ValueType::from_arrow(other),
    }
}

/// Loads a CSV file into an assembler-built frame. Retries with a column widened to Float64 when a later
/// row holds a decimal in a column the sample showed as integers.
pub(crate) fn read(
    file: &str,
    handle: &mut File,
    options: &LoadOptions,
) -> Result<(crate::Loaded, Plan), LoadError> {
    let started = std::time::Instant::now();
    let file_bytes =
        handle.metadata().map_err(|source| LoadError::Io { file: file.to_string(), source })?.len();
    if file_bytes == 0 {
        return Err(LoadError::Empty { file: file.to_string() });
    }
    read_records(file, handle, options, file_bytes, started).map_err(|e| {
        // Locations count records; a quoted field with a newline makes a record span several lines.
        let handle = std::cell::RefCell::new(&mut *handle);
        e.map_location(|location| match location {
            Location::Line(record) => {
                Location::Line(physical_line(&mut handle.borrow_mut(), record).unwrap_or(record))
            }
            other => other,
        })
    })
}

/// The 1-based line where 1-based record `record` (the header is record 1) starts, counting newlines inside
/// quoted fields; `None` if the file cannot be read again. Read only when an error names a place.
fn physical_line(handle: &mut File, record: usize) -> Option<usize> {
    use std::io::{Read, Seek};
    handle.seek(std::io::SeekFrom::Start(0)).ok()?;
    let (mut line, mut records_started, mut in_quotes) = (1, 1, false);
    let mut buffer = [0_u8; 64 * 1024];
    loop {
        let n = handle.read(&mut buffer).ok()?;
        if n == 0 {
            return Some(line);
        }
        for &byte in &buffer[..n] {
            if records_started == record {
                return Some(line);
            }
            match byte {
                b'"' => in_quotes = !in_quotes,
                b'\n' => {
                    line += 1;
                    if !in_quotes {
                        records_started += 1;
                    }
                }
                _ => {}
            }
        }
    }
}

fn read_records(
    file: &str,
    handle: &mut File,
    options: &LoadOptions,
    file_bytes: u64,
    started: std::time::Instant,
) -> Result<(crate::Loaded, Plan), LoadError> {
    let sniffed = sniff(file, handle, options)?;
    // A recognised OHLCV column with text in it is bad data, not a text column: read it as Float64 so the
    // first bad cell is reported with its line.
    let fields: Vec<Field> = sniffed
        .schema
        .fields()
        .iter()
        .map(|f| match f.data_type() {
            DataType::Utf8 if canonical_name(f.name()).is_some() => {
                f.as_ref().clone().with_data_type(DataType::Float64)
            }
            _ => f.as_ref().clone(),
        })
        .collect();
    let mut schema = Schema::new(fields);
    loop {
        let plan = plan(file, &schema, options, &csv_value_type)?;
        match read_with(file, handle, options, &sniffed, &schema, &plan, file_bytes) {
            Ok(mut loaded) => {
                loaded.report.elapsed = started.elapsed();
                return Ok((loaded, plan));
            }
            Err(Attempt::Failed(e)) => return Err(e),
            Err(Attempt::Widen(index)) => {
                let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
                fields[index] = fields[index].clone().with_data_type(DataType::Float64);
                schema = Schema::new(fields);
            }
        }
    }
}

enum Attempt {
    Failed(LoadError),
    /// Column `.0` held a decimal although inferred as Int64: read again as Float64.
    Widen(usize),
}

impl From<LoadError> for Attempt {
    fn from(e: LoadError) -> Self {
        Attempt::Failed(e)
    }
}

fn read_with(
    file: &str,
    handle: &mut File,
    options: &LoadOptions,
    sniffed: &Sniffed,
    schema: &Schema,
    plan: &Plan,
    file_bytes: u64,
) -> Result<crate::Loaded, Attempt> {
    let io = |source| Attempt::Failed(LoadError::Io { file: file.to_string(), source });
    // The timestamp columns are read as text; value columns with their inferred (or widened) type.
    let mut fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    for ts in std::iter::once(plan.ts).chain(plan.time) {
        fields[ts] = fields[ts].clone().with_data_type(DataType::Utf8);
    }
    for value in plan.values.iter().filter(|v| !v.datetime) {
        fields[value.index] = fields[value.index].clone().with_data_type(value.value_type.to_arrow());
    }
    let read_schema = Arc::new(Schema::new(fields));
    let projection: Vec<usize> =
        std::iter::once(plan.ts).chain(plan.time).chain(plan.values.iter().map(|v| v.index)).collect();
    let n_ts = 1 + usize::from(plan.time.is_some());
    handle.seek(SeekFrom::Start(sniffed.skip)).map_err(io)?;
    let counted = Rc::new(Cell::new(0_u64));
    let source = Counting { inner: &mut *handle, count: counted.clone() };
    let reader = columns::CsvBatches::new(
        source,
        &read_schema,
        projection,
        sniffed.header,
        sniffed.delimiter,
        options.batch_size,
    )
    .map_err(|e| read_error(file, e, &read_schema))?;
    let header_lines = usize::from(sniffed.header);
    let ts_name = plan.ts_name(schema);
    let mut ts_reader = TimestampReader::new(file, &ts_name, &options.timestamp_format);
    if let Some(time) = plan.time {
        ts_reader = ts_reader.with_date_time(schema.field(plan.ts).name(), schema.field(time).name());
    }
    let value_columns = plan.values.iter().map(|v| (v.name.clone(), v.value_type)).collect();
    let locate = move |row: usize| Location::Line(row + header_lines + 1);
    let mut assembler = Assembler::new(file, &ts_name, value_columns, options.sort, Box::new(locate));
    for batch in reader {
        let batch = batch.map_err(|e| read_error(file, e, &read_schema))?;
        let first_row = assembler.rows();
        if first_row == 0 {
            // Size the buffers once from the bytes one batch took: no doubling reallocations later.
            let per_row = counted.get() as f64 / batch.num_rows().max(1) as f64;
            assembler.capacity_hint = ((file_bytes as f64 / per_row.max(1.0)) * 1.02) as usize + 16;
        }
        let locate_batch = |row: usize| locate(first_row + row);
        let time = plan.time.map(|_| batch.column(1).as_ref());
        ts_reader.push(batch.column(0).as_ref(), time, &locate_batch, assembler.timestamps_mut())?;
        let values: Vec<ArrayRef> = (plan.values.iter().zip(&batch.columns()[n_ts..]))
            .map(|(planned, array)| planned.frame_values(file, array.as_ref(), &locate_batch))
            .collect::<Result<_, _>>()?;
        let values: Vec<&dyn Array> = values.iter().map(AsRef::as_ref).collect();
        assembler.push_values(first_row, &values)?;
    }
    if assembler.rows() == 0 {
        return Err(LoadError::HeaderOnly { file: file.to_string() }.into());
    }
    let (frame, missing, sorted) = assembler.finish()?;
    let frame = ts_reader.label_index(frame, &ts_name);
    let report = LoadReport {
        format: FileFormat::Csv,
        rows: frame.n_rows(),
        columns: plan.values.iter().map(|v| v.name.clone()).collect(),
        timestamp_column: ts_name,
        timestamp_layout: ts_reader.layout(),
        missing,
        renamed: plan.renamed.clone(),
        dropped: plan.dropped.clone(),
        sorted,
        zero_copy: false,
        file_bytes,
        frame_bytes: frame.visible_bytes(),
        elapsed: std::time::Duration::ZERO,
    };
    Ok(crate::Loaded { frame, report })
}

/// Turns the CSV reader's error into ours; a decimal in an integer column asks for a retry with the column
/// widened.
fn read_error(file: &str, error: columns::ReadError, schema: &Schema) -> Attempt {
    match error {
        columns::ReadError::Cell { record, column, value } => {
            let field = schema.field(column);
            let integer = matches!(field.data_type(), DataType::Int64 | DataType::UInt64);
            if integer && value.trim().parse::<f64>().is_ok() {
                return Attempt::Widen(column);
            }
            let expected = match field.data_type() {
                DataType::Utf8 => "UTF-8 text".to_string(),
                DataType::Date32 => "a date (YYYY-MM-DD)".to_string(),
                DataType::Timestamp(..) => "an ISO 8601 date-time".to_string(),
                other => ValueType::from_arrow(other).map_or("a number".to_string(), |v| v.to_string()),
            };
            Attempt::Failed(LoadError::Unparseable {
                file: file.to_string(),
                location: Location::Line(record),
                column: timeseries_array::printable(field.name()).into_owned(),
                value: timeseries_array::printable(&value.chars().take(40).collect::<String>()).into_owned(),
                expected,
            })
        }
        columns::ReadError::Ragged { record, found, expected } => Attempt::Failed(LoadError::RaggedRecord {
            file: file.to_string(),
            location: Location::Line(record),
            found,
            expected,
        }),
        columns::ReadError::Io(source) => Attempt::Failed(LoadError::Io { file: file.to_string(), source }),
        columns::ReadError::Other(detail) => {
            Attempt::Failed(LoadError::Format { file: file.to_string(), detail })
        }
    }
}

fn printable(delimiter: u8) -> char {
    delimiter as char
}

/// A reader that counts the bytes it hands out.
struct Counting<R> {
    inner: R,
    count: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}
