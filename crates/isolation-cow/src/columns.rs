//! Whole columns: reading an `f64` column (one borrowed slice while untouched, chunk-wise slices once
//! written) and the seed's `set_column` (replace or add a whole column).

use std::borrow::Cow;
use std::ops::Range;

use arrow_array::ArrayRef;
use arrow_array::cast::AsArray;
use arrow_array::types::Float64Type;
use timeseries_array::ValueType;

use crate::frame::Column;
use crate::{CowError, CowFrame};

impl CowFrame {
    /// The seed's `set_column`: replaces column `name` if the frame has it (exact name), else adds it;
    /// returns its position. The base is never written.
    ///
    /// # Errors
    ///
    /// As [`CowFrame::replace_column`] and [`CowFrame::add_column`].
    pub fn set_column(&mut self, name: &str, values: ArrayRef) -> Result<usize, CowError> {
        match self.find_column(name).ok() {
            Some(idx) => self.replace_column(idx, values).map(|()| idx),
            None => self.add_column(name, values),
        }
    }

    /// An `f64` column's values over the whole split: borrowed when no chunk of it was written (or when it
    /// is a whole column this frame owns), else assembled from the base and the copied chunks. Null slots
    /// read as whatever the buffer holds (zero in copied chunks); check [`CowFrame::get`] where that matters.
    ///
    /// # Errors
    ///
    /// [`CowError::ColumnOutOfBounds`] or [`CowError::NotF64`].
    pub fn f64_column(&self, column_idx: usize) -> Result<Cow<'_, [f64]>, CowError> {
        self.f64_rows(column_idx, 0..self.n_rows())
    }

    /// An `f64` column as consecutive slices covering the split in order, none copied: one slice while the
    /// column is untouched; once written, copied chunks alternate with runs of unwritten base rows.
    ///
    /// # Errors
    ///
    /// [`CowError::ColumnOutOfBounds`] or [`CowError::NotF64`].
    pub fn f64_chunks(&self, column_idx: usize) -> Result<F64Chunks<'_>, CowError> {
        self.f64_segments(column_idx, 0..self.n_rows())
    }

    /// Rows `rows` of an `f64` column: borrowed when they lie in unwritten rows or in one copied chunk.
    pub(crate) fn f64_rows(&self, column_idx: usize, rows: Range<usize>) -> Result<Cow<'_, [f64]>, CowError> {
        let mut segments = self.f64_segments(column_idx, rows)?;
        let first = segments.next().unwrap_or(&[]);
        match segments.next() {
            None => Ok(Cow::Borrowed(first)),
            Some(second) => {
                let mut values = Vec::with_capacity(segments.rows_left() + first.len() + second.len());
                values.extend_from_slice(first);
                values.extend_from_slice(second);
                segments.for_each(|s| values.extend_from_slice(s));
                Ok(Cow::Owned(values))
            }
        }
    }

    /// The slices of an `f64` column over `rows`, which must lie inside the split.
    fn f64_segments(&self, column_idx: usize, rows: Range<usize>) -> Result<F64Chunks<'_>, CowError> {
        let column = self.column(column_idx)?;
        if column.value_type != ValueType::Float64 {
            return Err(CowError::NotF64 { column: column.name.clone(), found: column.value_type });
        }
        let source = self.source_array(column).as_primitive::<Float64Type>().values();
        Ok(F64Chunks { source, column, shift: self.config.shift(), next_row: rows.start, end: rows.end })
    }
}

/// Consecutive slices of one `f64` column, in row order, borrowed from the base or from copied chunks.
/// Made by [`CowFrame::f64_chunks`].
#[derive(Debug, Clone)]
pub struct F64Chunks<'a> {
    source: &'a [f64],
    column: &'a Column,
    shift: u32,
    next_row: usize,
    end: usize,
}

impl F64Chunks<'_> {
    fn rows_left(&self) -> usize {
        self.end - self.next_row
    }
}

impl<'a> Iterator for F64Chunks<'a> {
    type Item = &'a [f64];

    fn next(&mut self) -> Option<&'a [f64]> {
        if self.next_row >= self.end {
            return None;
        }
        let row = self.next_row;
        let chunk_idx = row >> self.shift;
        let chunk_start = chunk_idx << self.shift;
        let (segment, segment_end) = match self.column.chunks.get(&chunk_idx) {
            Some(chunk) => {
                let end = (chunk_start + chunk.len()).min(self.end);
                (&chunk.values().typed_data::<f64>()[row - chunk_start..end - chunk_start], end)
            }
            None => {
                // Unwritten rows run up to the next copied chunk (or the end).
                let next_copied =
                    self.column.chunks.range(chunk_idx + 1..).next().map(|(&k, _)| k << self.shift);
                let end = next_copied.map_or(self.end, |start| start.min(self.end));
                (&self.source[row..end], end)
            }
        };
        self.next_row = segment_end;
        Some(segment)
    }
}
