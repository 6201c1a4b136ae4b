//! The one error type of this crate: every variant names the file and, where it can, the place in it.

use std::fmt;

use thiserror::Error;

/// Where in a file something went wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// A 1-based line of a CSV file (the header is line 1 when there is one).
    Line(usize),
    /// A 0-based data row of a Parquet or IPC file, with the row group (Parquet) or record batch (IPC) it
    /// sits in.
    Row {
        /// The 0-based row across the whole file.
        row: usize,
        /// The 0-based row group (Parquet) or record batch (IPC).
        group: usize,
        /// "row group" or "batch".
        group_kind: &'static str,
    },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(line) => write!(f, "line {line}"),
            Location::Row { row, group, group_kind } => write!(f, "row {row} ({group_kind} {group})"),
        }
    }
}

/// Why a file could not be loaded, described or saved. Nothing is returned half-loaded: an error means no
/// frame.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum LoadError {
    /// An object-store URI could not be fetched (or this build reads local files only).
    #[error("{uri}")]
    Remote {
        /// The URI.
        uri: String,
        /// Why.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The file could not be opened, read or written.
    #[error("{file}")]
    Io {
        /// The file, as the caller named it.
        file: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The extension does not name a supported format.
    #[error("{file}: unknown file type `{extension}`; use .csv, .parquet/.pq or .arrow/.feather/.ipc")]
    UnknownFormat {
        /// The file.
        file: String,
        /// Its extension (empty when it has none).
        extension: String,
    },
    /// The file has no bytes, or no lines.
    #[error("{file}: the file is empty")]
    Empty {
        /// The file.
        file: String,
    },
    /// The file has a header and no data rows.
    #[error("{file}: the file has a header but no data rows")]
    HeaderOnly {
        /// The file.
        file: String,
    },
    /// Only one column was found where a timestamp and at least one value were expected.
    #[error(
        "{file}: line 1 splits into one column with delimiter {delimiter:?}{hint}; pass the file's delimiter in LoadOptions::delimiter"
    )]
    WrongDelimiter {
        /// The file.
        file: String,
        /// The delimiter used, as a character.
        delimiter: char,
        /// ", but ';' appears 6 times" when another delimiter seems likely, else empty.
        hint: String,
    },
    /// No timestamp column was named and none could be recognised, or the named one does not exist.
    #[error("{file}: no timestamp column{detail}; the file has columns: {available}")]
    MissingTimestampColumn {
        /// The file.
        file: String,
        /// " named `ts`" when a name was given, else " could be recognised (name one in LoadOptions)".
        detail: String,
        /// The file's column names, comma-separated.
        available: String,
    },
    /// A requested column does not exist.
    #[error("{file}: no column named `{column}`; the file has columns: {available}")]
    UnknownColumn {
        /// The file.
        file: String,
        /// The requested column.
        column: String,
        /// The file's column names, comma-separated.
        available: String,
    },
    /// A column that was asked for explicitly is not numeric.
    #[error(
        "{file}: column `{column}` has type {found}, which is not numeric; leave it out of LoadOptions::columns"
    )]
    NonNumericColumn {
        /// The file.
        file: String,
        /// The column.
        column: String,
        /// Its type, as Arrow prints it.
        found: String,
    },
    /// A cell could not be parsed as its column's type.
    #[error("{file}: {location}, column `{column}`: cannot read `{value}` as {expected}")]
    Unparseable {
        /// The file.
        file: String,
        /// Where.
        location: Location,
        /// The column.
        column: String,
        /// The cell's text (cut to 40 characters).
        value: String,
        /// What was expected ("f64", "a timestamp", ...).
        expected: String,
    },
    /// A CSV record has another number of fields than the header (or, without one, the first record).
    #[error("{file}: {location}: {found} fields where the first line has {expected}")]
    RaggedRecord {
        /// The file.
        file: String,
        /// Where.
        location: Location,
        /// The record's fields.
        found: usize,
        /// The header's fields.
        expected: usize,
    },
    /// A timestamp is earlier than the one before it.
    #[error(
        "{file}: {location}, column `{column}`: timestamp {timestamp} is earlier than the previous row's {previous}; sort the file by time or set LoadOptions::sort"
    )]
    Unsorted {
        /// The file.
        file: String,
        /// Where the timestamp goes backwards.
        location: Location,
        /// The timestamp column.
        column: String,
        /// The offending timestamp, ISO 8601 UTC.
        timestamp: String,
        /// The timestamp of the row before, ISO 8601 UTC.
        previous: String,
    },
    /// A timestamp repeats the one before it.
    #[error(
        "{file}: {location}, column `{column}`: duplicate timestamp {timestamp}; timestamps must be unique"
    )]
    Duplicate {
        /// The file.
        file: String,
        /// Where the repeat is.
        location: Location,
        /// The timestamp column.
        column: String,
        /// The repeated timestamp, ISO 8601 UTC.
        timestamp: String,
    },
    /// A timestamp cell is empty.
    #[error("{file}: {location}, column `{column}`: the timestamp is missing; every row needs one")]
    MissingTimestamp {
        /// The file.
        file: String,
        /// Where.
        location: Location,
        /// The timestamp column.
        column: String,
    },
    /// Some timestamps carry a zone and others do not.
    #[error(
        "{file}: {location}, column `{column}`: `{value}` {found} time zone but earlier rows {earlier}; use one convention for the whole file"
    )]
    MixedTimezones {
        /// The file.
        file: String,
        /// The first row that differs from the ones before.
        location: Location,
        /// The timestamp column.
        column: String,
        /// The cell.
        value: String,
        /// "has a" or "has no".
        found: &'static str,
        /// "had none" or "had one".
        earlier: &'static str,
    },
    /// Separate date and time columns whose types cannot be joined into a timestamp.
    #[error("{file}: cannot join date column `{date}` and time column `{time}`: {reason}")]
    DateTimeColumns {
        /// The file.
        file: String,
        /// The date column.
        date: String,
        /// The time column.
        time: String,
        /// The types found, and what is accepted.
        reason: String,
    },
    /// A Parquet or IPC file ends early or its footer is damaged.
    #[error("{file}: the {format} file is truncated or corrupt ({detail}); write it again")]
    Truncated {
        /// The file.
        file: String,
        /// "Parquet" or "Arrow IPC".
        format: &'static str,
        /// What the reader said.
        detail: String,
    },
    /// Any other error from the CSV, Parquet or IPC reader or writer.
    #[error("{file}: {detail}")]
    Format {
        /// The file.
        file: String,
        /// What the reader said.
        detail: String,
    },
    /// The loaded columns did not make a valid frame.
    #[error("{file}")]
    Frame {
        /// The file.
        file: String,
        /// The frame's complaint.
        source: timeseries_array::FrameError,
    },
}

impl LoadError {
    /// This error with its location changed by `f` (for variants that have one).
    pub(crate) fn map_location(mut self, f: impl Fn(Location) -> Location) -> Self {
        match &mut self {
            LoadError::Unparseable { location, .. }
            | LoadError::RaggedRecord { location, .. }
            | LoadError::Unsorted { location, .. }
            | LoadError::Duplicate { location, .. }
            | LoadError::MissingTimestamp { location, .. }
            | LoadError::MixedTimezones { location, .. } => *location = f(*location),
            _ => {}
        }
        self
    }
}
