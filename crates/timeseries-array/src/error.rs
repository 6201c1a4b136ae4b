//! The one error type of this crate.

use std::ops::Range;

use thiserror::Error;

use crate::{Cause, TimestampNs, format_timestamp};

/// Why a frame or series could not be built or read. Messages name the column and the row.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum FrameError {
    /// A column's length differs from the timestamp column's.
    #[error("column `{column}` has {found} rows but the timestamp index has {expected}")]
    LengthMismatch {
        /// The column whose length is wrong.
        column: String,
        /// Rows in the timestamp index.
        expected: usize,
        /// Rows in the column.
        found: usize,
    },
    /// Two consecutive rows have the same timestamp.
    #[error(
        "duplicate timestamp {} at row {row} (same as row {}); timestamps must be unique",
        format_timestamp(*.timestamp), row - 1
    )]
    DuplicateTimestamp {
        /// The first row that repeats its predecessor's timestamp.
        row: usize,
        /// The repeated timestamp, in nanoseconds.
        timestamp: TimestampNs,
    },
    /// A timestamp is earlier than the one before it.
    #[error(
        "timestamps are not sorted: row {row} has {}, earlier than row {}'s {}; sort the data by time first",
        format_timestamp(*.timestamp), row - 1, format_timestamp(*.previous)
    )]
    UnsortedTimestamps {
        /// The first row whose timestamp goes backwards.
        row: usize,
        /// Its timestamp, in nanoseconds.
        timestamp: TimestampNs,
        /// The timestamp of the row before it.
        previous: TimestampNs,
    },
    /// The timestamp index has a null.
    #[error("the timestamp index has a null at row {row}; every row needs a timestamp")]
    NullTimestamp {
        /// The first null row.
        row: usize,
    },
    /// A column's Arrow type is not a supported numeric type.
    #[error(
        "column `{column}` has type {found}, which is not supported (use a signed or unsigned integer or a float)"
    )]
    UnsupportedType {
        /// The column.
        column: String,
        /// Its Arrow type, as Arrow prints it.
        found: String,
    },
    /// The timestamp column has a type that is not an integer or timestamp type.
    #[error("the timestamp column `{column}` has type {found}; expected Timestamp or Int64 nanoseconds")]
    UnsupportedTimestampType {
        /// The column.
        column: String,
        /// Its Arrow type.
        found: String,
    },
    /// Two columns share a name.
    #[error("column name `{column}` appears twice")]
    DuplicateColumn {
        /// The repeated name.
        column: String,
    },
    /// A column was asked for by a name the frame does not have.
    #[error("no column named `{column}`; the frame has: {available}")]
    UnknownColumn {
        /// The requested name.
        column: String,
        /// The names the frame has, comma-separated.
        available: String,
    },
    /// A column was read as a type it does not have.
    #[error("column `{column}` is {found}, not {expected}")]
    WrongType {
        /// The column.
        column: String,
        /// The type asked for.
        expected: String,
        /// The type it has.
        found: String,
    },
    /// A row range reaches outside the frame.
    #[error("rows {}..{} are outside the frame's {n_rows} rows", range.start, range.end)]
    RangeOutOfBounds {
        /// The requested range.
        range: Range<usize>,
        /// Rows in the frame.
        n_rows: usize,
    },
    /// Data from another library with no column that can be told to be the index.
    #[error("no time column: {reason}")]
    NoIndex {
        /// Why none could be told (none, or several candidates), and what to pass.
        reason: String,
    },
    /// A date or timestamp outside what nanoseconds since 1970 can hold (years 1677 to 2262).
    #[error("column `{column}` {detail}")]
    OutOfRange {
        /// The column.
        column: String,
        /// The row and value.
        detail: String,
    },
    /// An error from Arrow itself while assembling a batch.
    #[error("Arrow could not assemble the batch")]
    Arrow(#[source] Cause),
    /// A column's buffer does not hold values of its type (misaligned or too short): a corrupt or foreign
    /// buffer.
    #[error("column `{column}`: {detail}")]
    BadBuffer {
        /// The column.
        column: String,
        /// What is wrong with its bytes.
        detail: String,
    },
    /// Arrow refused to build an optimised column (not expected for valid input).
    #[error("optimising column {column:?}")]
    Optimize {
        /// The column being optimised (its name, or `<batch>` for the batch as a whole).
        column: String,
        /// Arrow's error.
        #[source]
        source: Cause,
    },
}

impl From<arrow_schema::ArrowError> for FrameError {
    fn from(error: arrow_schema::ArrowError) -> Self {
        FrameError::Arrow(Cause::new(error))
    }
}
