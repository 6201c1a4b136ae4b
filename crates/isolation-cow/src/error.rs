//! `CowError`: the one error type of this crate.

use isolation_core::Split;
use thiserror::Error;
use timeseries_array::{FrameError, ValueType};

/// Why a copy-on-write operation failed. Messages name the column, the row and the split involved.
#[derive(Debug, Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum CowError {
    /// The base frame rejected a range, or a column looked up by name does not exist.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// A row outside the frame's split.
    #[error("row {row} is outside the {split} split's {n_rows} rows")]
    RowOutOfBounds {
        /// The row asked for, relative to the split.
        row: usize,
        /// Rows in the split.
        n_rows: usize,
        /// The split.
        split: Split,
    },
    /// A column position past the last column.
    #[error("column {column_idx} does not exist; the frame has {n_columns} value columns")]
    ColumnOutOfBounds {
        /// The position asked for.
        column_idx: usize,
        /// Value columns in the frame.
        n_columns: usize,
    },
    /// A value that the column's type cannot hold exactly (a fraction in an integer column, a value out of
    /// range, an `f64` that `f32` would round).
    #[error(
        "value {value} cannot be stored exactly in column `{column}` of type {value_type} at row {row}; \
         round it first or replace the column with an f64 column"
    )]
    InexactValue {
        /// The value given, exactly as given.
        value: crate::CellValue,
        /// The column's name.
        column: String,
        /// The column's type.
        value_type: ValueType,
        /// The row, relative to the split.
        row: usize,
    },
    /// An `f64` slice was asked of a column of another type.
    #[error("column `{column}` has type {found}, not f64; read it with value_f64 or column_f64")]
    NotF64 {
        /// The column's name.
        column: String,
        /// Its type.
        found: ValueType,
    },
    /// A row write with the wrong number of values.
    #[error("a row of this frame has {expected} value columns but {found} values were given")]
    RowWidth {
        /// Value columns in the frame.
        expected: usize,
        /// Values given.
        found: usize,
    },
    /// A whole column whose length differs from the split's.
    #[error("column `{column}` has {found} rows but the {split} split has {expected}")]
    LengthMismatch {
        /// The column's name.
        column: String,
        /// Rows in the split.
        expected: usize,
        /// Rows in the column given.
        found: usize,
        /// The split.
        split: Split,
    },
    /// A whole column of a type frames do not support.
    #[error(
        "column `{column}` has type {found}, which is not supported (use a signed or unsigned integer or a float)"
    )]
    UnsupportedType {
        /// The column's name.
        column: String,
        /// Its Arrow type, as Arrow prints it.
        found: String,
    },
    /// A column added under a name the frame already has.
    #[error("column `{column}` already exists; use replace_column to overwrite it")]
    DuplicateColumn {
        /// The name given.
        column: String,
    },
    /// A chunk size that is zero or not a power of two.
    #[error("chunk size of {chunk_rows} rows is not a power of two; use e.g. {suggestion}")]
    InvalidChunkRows {
        /// The size given.
        chunk_rows: usize,
        /// The nearest power of two at or above it.
        suggestion: usize,
    },
}

impl CowError {
    /// `Ok` when `row < n_rows`, else [`CowError::RowOutOfBounds`].
    pub(crate) fn check_row(row: usize, n_rows: usize, split: Split) -> Result<(), Self> {
        if row < n_rows { Ok(()) } else { Err(Self::RowOutOfBounds { row, n_rows, split }) }
    }
}

impl From<CowError> for isolation_core::IsolationError {
    /// Frame and row errors as the same variants of `IsolationError`; the others, kept whole, as
    /// [`isolation_core::IsolationError::Backend`] of the copy-on-write mode.
    fn from(error: CowError) -> Self {
        match error {
            CowError::Frame(e) => isolation_core::IsolationError::Frame(e),
            CowError::RowOutOfBounds { row, n_rows, split } => {
                isolation_core::IsolationError::RowOutOfBounds { row, n_rows, split }
            }
            other => isolation_core::IsolationError::Backend {
                mode: isolation_core::IsolationMode::CopyOnWrite,
                source: timeseries_array::Cause::new(other),
            },
        }
    }
}
