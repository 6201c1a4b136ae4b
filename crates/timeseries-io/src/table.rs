//! Reading a small side table (a universe's membership periods, a calendar of events) whole, without the
//! time-series rules of [`crate::load`]: CSV as text columns, Parquet and Arrow IPC with their own types.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::StringBuilder;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};

use crate::{FileFormat, LoadError};

/// The rows of the table at `path` (`.csv`, `.parquet`/`.pq`, `.arrow`/`.feather`/`.ipc`) as record
/// batches, in file order. CSV columns are read as text (`Utf8`), named by the header line; Parquet and IPC
/// columns keep their types. Rows are not sorted or checked.
///
/// # Errors
///
/// A [`LoadError`] naming the file: unknown extension, unreadable, empty, or malformed.
pub fn read_table(path: impl AsRef<Path>) -> Result<Vec<RecordBatch>, LoadError> {
    let path = path.as_ref();
    let file = crate::display_name(path);
    let format = crate::format_of(path)?;
    let io = |source| LoadError::Io { file: file.clone(), source };
    let malformed = |detail: String| LoadError::Format { file: file.clone(), detail };
    let handle = File::open(path).map_err(io)?;
    if handle.metadata().map_err(io)?.len() == 0 {
        return Err(LoadError::Empty { file });
    }
    match format {
        FileFormat::Csv => {
            let mut reader = csv::Reader::from_reader(handle);
            let names = reader.headers().map_err(|e| malformed(e.to_string()))?.clone();
            let mut columns: Vec<StringBuilder> = names.iter().map(|_| StringBuilder::new()).collect();
            for record in reader.records() {
                let record = record.map_err(|e| malformed(e.to_string()))?;
                for (column, cell) in columns.iter_mut().zip(record.iter()) {
                    // An empty cell is a missing value, as in every CSV column the loader reads.
                    column.append_option(Some(cell).filter(|c| !c.is_empty()));
                }
            }
            let fields: Vec<Field> =
                names.iter().map(|n| Field::new(n.trim(), DataType::Utf8, true)).collect();
            let columns: Vec<ArrayRef> =
                columns.iter_mut().map(|c| Arc::new(c.finish()) as ArrayRef).collect();
            let batch = RecordBatch::try_new(Arc::new(Schema::new(fields)), columns)
                .map_err(|e| malformed(e.to_string()))?;
            Ok(vec![batch])
        }
        FileFormat::Parquet => crate::parquet::read_all(&file, handle),
        FileFormat::Ipc => {
            // The one IPC reader, reading (not mapping) the small table: nothing depends on the file after.
            let every_column = &mut |schema: &Schema| Ok((0..schema.fields().len()).collect());
            Ok(crate::mapped::map(&file, &handle, false, every_column)?.batches)
        }
    }
}
