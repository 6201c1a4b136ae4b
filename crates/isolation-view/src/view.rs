//! `DataView`: a split's rows as an offset and a length over shared buffers.

use std::ops::Range;

use arrow_array::Array;
use isolation_core::{ColumnChunk, ColumnLayout, IsolatedData, IsolationError, IsolationMode, Split};
use memtrack::{BufferSet, Footprint};
use timeseries_array::{TimeFrame, TimestampNs, ValueType};

use crate::Batches;

/// A read-only dataset bounded to rows `base_offset .. base_offset + n_rows` of a base frame.
///
/// Row numbers are relative to the view. Cloning is cheap (O(columns)).
#[derive(Debug, Clone)]
pub struct DataView {
    /// The visible rows, sharing the base's buffers (or a copy of them in deep-copy mode).
    frame: TimeFrame,
    split: Split,
    mode: IsolationMode,
    base_offset: usize,
}

impl DataView {
    /// A view of `rows` of `base`. No values are copied.
    ///
    /// # Errors
    ///
    /// [`IsolationError::Frame`] if `rows` reaches outside `base`.
    pub fn new(base: &TimeFrame, rows: Range<usize>, split: Split) -> Result<Self, IsolationError> {
        let start = rows.start;
        Ok(Self { frame: base.slice(rows)?, split, mode: IsolationMode::View, base_offset: start })
    }

    /// A view of all of `base`.
    pub fn full(base: &TimeFrame) -> Self {
        Self { frame: base.clone(), split: Split::Full, mode: IsolationMode::View, base_offset: 0 }
    }

    /// The same reader over a private copy of `rows` of `base` (the deep-copy mode): costs the rows' bytes,
    /// shares nothing with the base.
    ///
    /// # Errors
    ///
    /// [`IsolationError::Frame`] if `rows` reaches outside `base`.
    pub fn deep_copy(base: &TimeFrame, rows: Range<usize>, split: Split) -> Result<Self, IsolationError> {
        let start = rows.start;
        let frame = base.slice(rows)?.deep_copy();
        Ok(Self { frame, split, mode: IsolationMode::DeepCopy, base_offset: start })
    }

    /// The same view, labelled with the mode that made its base: a view over a frame attached from shared
    /// memory reports [`IsolationMode::SharedMemory`]. Reading is the same either way.
    pub fn with_mode(mut self, mode: IsolationMode) -> Self {
        self.mode = mode;
        self
    }

    /// The row of the base frame that is this view's row 0.
    pub fn base_offset(&self) -> usize {
        self.base_offset
    }

    /// The view's rows as a frame (sharing buffers, bounded to the view).
    pub fn frame(&self) -> &TimeFrame {
        &self.frame
    }

    /// An `f64` column's values within the view, borrowed.
    ///
    /// # Errors
    ///
    /// An unknown column or a column of another type.
    pub fn f64_column(&self, name: &str) -> Result<&[f64], IsolationError> {
        Ok(self.frame.f64_column(name)?)
    }

    /// A narrower view: `rows` relative to this view, which must lie inside it.
    ///
    /// # Errors
    ///
    /// [`IsolationError::RowOutOfBounds`] if `rows` reaches outside this view.
    pub fn slice(&self, rows: Range<usize>) -> Result<Self, IsolationError> {
        IsolationError::check_rows(&rows, self.n_rows(), self.split)?;
        Ok(Self {
            frame: self.frame.slice(rows.clone())?,
            split: self.split,
            mode: self.mode,
            base_offset: self.base_offset + rows.start,
        })
    }

    /// Zero-copy sub-views of `batch_rows` rows each (the last may be shorter), for processing large data
    /// in pieces.
    ///
    /// # Errors
    ///
    /// [`IsolationError::InvalidArgument`] if `batch_rows` is 0.
    pub fn batches(&self, batch_rows: usize) -> Result<Batches<'_>, IsolationError> {
        Batches::new(self, batch_rows)
    }

    /// Bytes this handle's own bookkeeping takes: the struct, and per column an `Arc`'d array header and a
    /// pointer. This is all a view allocates; it does not grow with rows.
    fn bookkeeping_bytes(&self) -> u64 {
        let batch = self.frame.record_batch();
        let per_column: usize = batch
            .columns()
            .iter()
            .map(|a| {
                let header = a.get_array_memory_size().saturating_sub(a.get_buffer_memory_size());
                header + 2 * size_of::<usize>() /* Arc counts */ + size_of::<arrow_array::ArrayRef>()
            })
            .sum();
        (size_of::<Self>() + per_column) as u64
    }
}

impl IsolatedData for DataView {
    fn mode(&self) -> IsolationMode {
        self.mode
    }

    fn split(&self) -> Split {
        self.split
    }

    fn n_rows(&self) -> usize {
        self.frame.n_rows()
    }

    fn timestamps(&self) -> &[TimestampNs] {
        self.frame.timestamps()
    }

    fn column_names(&self) -> Vec<&str> {
        self.frame.column_names()
    }

    fn value_type(&self, column_idx: usize) -> Option<ValueType> {
        (column_idx < self.frame.n_columns()).then(|| self.frame.value_type(column_idx))
    }

    fn value_f64(&self, column_idx: usize, row: usize) -> Option<f64> {
        self.frame.value_f64(column_idx, row)
    }

    fn column_layout(&self, column_idx: usize) -> Option<ColumnLayout<'_>> {
        let name = self.frame.record_batch().schema_ref().fields().get(column_idx + 1)?.name();
        ColumnChunk::contiguous_layout(
            name,
            self.frame.record_batch().columns().get(column_idx + 1)?.as_ref(),
        )
    }

    fn footprint(&self) -> Footprint {
        self.frame.footprint() + Footprint::owned(self.bookkeeping_bytes())
    }

    fn add_buffers_to(&self, set: &mut BufferSet) {
        self.frame.add_buffers_to(set);
    }

    fn to_frame(&self) -> TimeFrame {
        self.frame.clone()
    }
}
