//! `describe`: a file's format, columns and types, row count and time range, for `isolation info`.

use std::fs::File;
use std::path::Path;

use arrow_schema::Schema;
use timeseries_array::ValueType;

use crate::error::LoadError;
use crate::names::canonical_name;
use crate::plan::plan;
use crate::{ColumnInfo, FileFormat, FileInfo, LoadOptions, display_name, load};

/// Describes the file at `path`: its format, size and columns (CSV types are inferred from the first
/// rows), the recognised timestamp column, and the row count and time range found by reading only the
/// timestamp column (Parquet and IPC read it from the file's metadata and mapping; CSV scans the file).
/// A file whose timestamps do not load (unsorted, unparseable) is still described, without rows and
/// time range.
///
/// # Errors
///
/// An unknown extension, an unreadable, empty or truncated file, or a CSV file with a wrong delimiter.
pub fn describe(path: impl AsRef<Path>) -> Result<FileInfo, LoadError> {
    let path = path.as_ref();
    if let Some(local) = crate::fetch_uri(path)? {
        return describe(local);
    }
    let file = display_name(path);
    let format = crate::format_of(path)?;
    let mut handle = File::open(path).map_err(|source| LoadError::Io { file: file.clone(), source })?;
    let file_bytes = handle.metadata().map_err(|source| LoadError::Io { file: file.clone(), source })?.len();
    if file_bytes == 0 {
        return Err(LoadError::Empty { file });
    }
    let schema: Schema = match format {
        FileFormat::Csv => crate::csv::sniff(&file, &mut handle, &LoadOptions::default())?.schema,
        FileFormat::Parquet => crate::parquet::open(&file, handle)?.schema().as_ref().clone(),
        FileFormat::Ipc => crate::mapped::map(&file, &handle, true, &mut |_| Ok(Vec::new()))?.schema,
    };
    let columns = schema
        .fields()
        .iter()
        .map(|f| ColumnInfo {
            name: f.name().clone(),
            data_type: f.data_type().to_string(),
            canonical: canonical_name(f.name()).filter(|c| c != f.name()).map(str::to_string),
        })
        .collect();
    let options = LoadOptions { columns: Some(Vec::new()), ..LoadOptions::default() };
    let timestamp_column =
        plan(&file, &schema, &options, &ValueType::from_arrow).ok().map(|p| p.ts_name(&schema));
    // Read the index; if it cannot be read as it is (unsorted, duplicates), say why, and for an unsorted
    // index still give the rows and time range from a sorted read.
    let (index, index_problem) = match timestamp_column.as_ref().map(|_| load(path, &options)) {
        None => (None, None),
        Some(Ok(loaded)) => (Some(loaded), None),
        Some(Err(error)) => {
            let sorted = LoadOptions { sort: true, ..options.clone() };
            (load(path, &sorted).ok(), Some(timeseries_array::error_chain(&error)))
        }
    };
    Ok(FileInfo {
        format,
        file_bytes,
        columns,
        timestamp_column,
        rows: index.as_ref().map(|l| l.frame.n_rows() as u64),
        time_range: index.and_then(|l| Some((l.frame.first_timestamp()?, l.frame.last_timestamp()?))),
        index_problem,
    })
}
