//! `IsolatedData`: what every isolated dataset (view, copy, copy-on-write, shared memory) offers.

use std::borrow::Cow;
use std::fmt;
use std::ops::Range;

use memtrack::{BufferSet, Footprint};
use serde::Serialize;
use timeseries_array::{NativeValue, TimeFrame, TimestampNs, ValueType};

use crate::{ColumnLayout, ColumnRef, Cursor, IsolationError, IsolationMode, NullableColumnRef, Split};

/// Rows of one split of one symbol, isolated from the base and from other splits.
///
/// Row numbers are relative to the split: row 0 is the split's first row. No method returns a row outside
/// `0..n_rows()`; an implementation keeps that invariant and the property tests check it.
pub trait IsolatedData: Send + Sync + fmt::Debug {
    /// The mode that made this dataset.
    fn mode(&self) -> IsolationMode;

    /// Which split these rows are.
    fn split(&self) -> Split;

    /// Number of rows in the split.
    fn n_rows(&self) -> usize;

    /// The split's timestamps, nanoseconds UTC.
    fn timestamps(&self) -> &[TimestampNs];

    /// Value column names, in order.
    fn column_names(&self) -> Vec<&str>;

    /// The type of a value column by position.
    fn value_type(&self, column_idx: usize) -> Option<ValueType>;

    /// The value at (`column_idx`, `row`) as `f64`; `None` for a null or a position outside the split.
    fn value_f64(&self, column_idx: usize, row: usize) -> Option<f64>;

    /// How column `column_idx` is stored: its chunks in row order, borrowed; `None` for an unknown column.
    /// Typed handles ([`ColumnRef`]) are built from it once, so reads need no call through this trait.
    fn column_layout(&self, column_idx: usize) -> Option<ColumnLayout<'_>>;

    /// The rows `rows` of a column as `f64`: borrowed where they lie in one chunk of an `f64` column without
    /// nulls, converted otherwise (nulls read as NaN). For per-bar reads use a typed handle instead.
    ///
    /// # Errors
    ///
    /// [`IsolationError::RowOutOfBounds`] if `rows` reaches past the split, or an unknown column.
    fn column_f64(&self, column_idx: usize, rows: Range<usize>) -> Result<Cow<'_, [f64]>, IsolationError> {
        IsolationError::check_rows(&rows, self.n_rows(), self.split())?;
        let layout = self.column_layout(column_idx).ok_or_else(|| {
            IsolationError::Frame(timeseries_array::FrameError::UnknownColumn {
                column: format!("#{column_idx}"),
                available: self.column_names().join(", "),
            })
        })?;
        Ok(crate::column::rows_as_f64(&layout, rows))
    }

    /// A typed handle on the column `name` (see [`ColumnRef`]).
    ///
    /// # Errors
    ///
    /// An unknown column, another type (naming both), or nulls in the column.
    fn column<T: NativeValue>(&self, name: &str) -> Result<ColumnRef<'_, T>, IsolationError>
    where
        Self: Sized,
    {
        ColumnRef::resolve(self, name)
    }

    /// A typed handle on the column `name` that reads nulls as `None` (see [`NullableColumnRef`]).
    ///
    /// # Errors
    ///
    /// An unknown column or another type (naming both).
    fn nullable_column<T: NativeValue>(&self, name: &str) -> Result<NullableColumnRef<'_, T>, IsolationError>
    where
        Self: Sized,
    {
        NullableColumnRef::resolve(self, name)
    }

    /// What this dataset keeps alive: owned bytes (only this handle) and shared bytes (with the base or other
    /// handles).
    fn footprint(&self) -> Footprint;

    /// Adds the allocations this dataset keeps alive to `set`, so that a report over many datasets counts
    /// each allocation once.
    fn add_buffers_to(&self, set: &mut BufferSet);

    /// The split's rows as a frame: shares buffers where the backend stores them contiguously.
    fn to_frame(&self) -> TimeFrame;

    /// The position of a value column by name: exact, or ignoring case where that is unambiguous (`Close`
    /// finds `close`; see [`timeseries_array::find_column`]).
    ///
    /// # Errors
    ///
    /// An unknown column, with the names the data has.
    fn column_index(&self, name: &str) -> Result<usize, IsolationError> {
        let names = self.column_names();
        timeseries_array::find_column(names.iter().copied(), name).ok_or_else(|| {
            IsolationError::Frame(timeseries_array::FrameError::UnknownColumn {
                column: name.to_string(),
                available: names.join(", "),
            })
        })
    }

    /// A summary: rows, columns and types, first and last timestamp.
    fn info(&self) -> DataInfo {
        let timestamps = self.timestamps();
        DataInfo {
            mode: self.mode(),
            split: self.split(),
            n_rows: self.n_rows(),
            columns: self
                .column_names()
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    (name.to_string(), self.value_type(i).map_or("?", ValueType::name).to_string())
                })
                .collect(),
            first_timestamp: timestamps.first().copied(),
            last_timestamp: timestamps.last().copied(),
        }
    }

    /// A cursor at the split's first row.
    fn cursor(&self) -> Cursor<'_, Self>
    where
        Self: Sized,
    {
        Cursor::new(self)
    }
}

impl<'d> dyn IsolatedData + 'd {
    /// A typed handle on the column `name` (see [`ColumnRef`]): `data.column::<f64>("close")?`.
    ///
    /// # Errors
    ///
    /// An unknown column, another type (naming both), or nulls in the column.
    pub fn column<T: NativeValue>(&self, name: &str) -> Result<ColumnRef<'_, T>, IsolationError> {
        ColumnRef::resolve(self, name)
    }

    /// A typed handle on the column `name` that reads nulls as `None` (see [`NullableColumnRef`]).
    ///
    /// # Errors
    ///
    /// An unknown column or another type (naming both).
    pub fn nullable_column<T: NativeValue>(
        &self,
        name: &str,
    ) -> Result<NullableColumnRef<'_, T>, IsolationError> {
        NullableColumnRef::resolve(self, name)
    }
}

/// A summary of an isolated dataset, as the seed design's `data_info()`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataInfo {
    /// The mode that made it.
    pub mode: IsolationMode,
    /// Which split.
    pub split: Split,
    /// Rows in the split.
    pub n_rows: usize,
    /// Value columns as (name, type) pairs.
    pub columns: Vec<(String, String)>,
    /// First timestamp, if any row.
    pub first_timestamp: Option<TimestampNs>,
    /// Last timestamp, if any row.
    pub last_timestamp: Option<TimestampNs>,
}
