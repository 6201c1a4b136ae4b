//! Reading a small side table (a universe's membership periods, a calendar of events) whole, without the
//! time-series rules of [`crate::load`]: CSV as text columns, Parquet and Arrow IPC with their own types.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use arrow_array::RecordBatch;
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
            let mut header = csv::Reader::from_reader(File::open(path).map_err(io)?);
            let names = header.headers().map_err(|e| malformed(e.to_string()))?.clone();
            let fields: Vec<Field> =
                names.iter().map(|n| Field::new(n.trim(), DataType::Utf8, true)).collect();
            let reader = arrow_csv::ReaderBuilder::new(Arc::new(Schema::new(fields)))
                .with_header(true)
                .build(handle)
                .map_err(|e| malformed(e.to_string()))?;
            reader.collect::<Result<_, _>>().map_err(|e| malformed(e.to_string()))
        }
        FileFormat::Parquet => crate::parquet::read_all(&file, handle),
        FileFormat::Ipc => {
            // The one IPC reader, reading (not mapping) the small table: nothing depends on the file after.
            let every_column = &mut |schema: &Schema| Ok((0..schema.fields().len()).collect());
            Ok(crate::mapped::map(&file, &handle, false, every_column)?.batches)
        }
    }
}
