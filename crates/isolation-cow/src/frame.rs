//! `CowFrame`: a split's rows that read the shared base until written, copying one chunk per first write.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use arrow_array::{Array, ArrayRef, Float64Array};
use isolation_core::Split;
use timeseries_array::{FrameError, TimeFrame, ValueType, value_f64};

use crate::chunk::Chunk;
use crate::native::encode;
use crate::{CellValue, CowConfig, CowError};

/// Rows `rows` of a base frame, bounded to a split, that copy a chunk of a column on the first write into it.
///
/// Row numbers are relative to the split (row 0 is the split's first row), and so are chunks: chunk `k`
/// of a column covers split rows `k * chunk_rows .. (k + 1) * chunk_rows` (the last one may be shorter).
/// Nothing outside the split is reachable: reads and writes past it return
/// [`CowError::RowOutOfBounds`].
///
/// Cloning is cheap and isolated: the clone shares the base and the copied chunks, and the first write to a
/// shared chunk on either side copies it again.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::Float64Array;
/// use isolation_core::Split;
/// use isolation_cow::CowFrame;
/// use timeseries_array::TimeFrame;
///
/// let close = Arc::new(Float64Array::from_iter_values((0..200_000).map(f64::from)));
/// let base = TimeFrame::try_new((0..200_000).collect::<Vec<i64>>(), vec![("close".into(), close)])?;
///
/// let mut test = CowFrame::new(&base, 100_000..200_000, Split::Test)?;
/// let close = test.find_column("close")?;
/// test.set_value(close, 0, -1.0)?; // copies one chunk (64 Ki rows) of one column, not the frame
/// assert_eq!(test.get(close, 0)?, Some(-1.0));
/// assert_eq!(base.value_f64(0, 100_000), Some(100_000.0)); // the base is never written
/// test.reset(); // back to reading the base
/// assert_eq!(test.get(close, 0)?, Some(100_000.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct CowFrame {
    /// The split's rows of the base, sharing its buffers. Never written.
    pub(crate) base: TimeFrame,
    pub(crate) split: Split,
    pub(crate) base_offset: usize,
    pub(crate) config: CowConfig,
    pub(crate) columns: Vec<Column>,
}

/// One value column: where its unwritten rows come from, and its copied chunks by chunk number.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) name: String,
    pub(crate) value_type: ValueType,
    pub(crate) source: Source,
    pub(crate) chunks: BTreeMap<usize, Chunk>,
}

/// Where a column's unwritten rows are read from.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// Value column `i` of the base.
    Base(usize),
    /// A whole column this frame was given (`added` when new, else it replaced a column).
    Owned { array: ArrayRef, added: bool },
}

/// A chunk of a column that a write copied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModifiedChunk {
    /// The column's position.
    pub column_idx: usize,
    /// The chunk's number: it covers rows `chunk_idx * chunk_rows ..`.
    pub chunk_idx: usize,
    /// The split rows the chunk covers.
    pub rows: Range<usize>,
}

impl CowFrame {
    /// A copy-on-write frame over rows `rows` of `base`, with 64 Ki-row chunks. No values are copied.
    ///
    /// Returns the workspace's [`IsolationError`] (as `DataView::new` does), so backends can be made alike.
    ///
    /// # Errors
    ///
    /// [`CowError::Frame`] if `rows` reaches outside `base`.
    pub fn new(base: &TimeFrame, rows: Range<usize>, split: Split) -> Result<Self, CowError> {
        Self::with_config(base, rows, split, CowConfig::default())
    }

    /// As [`CowFrame::new`], with chunks of `config.chunk_rows()` rows.
    ///
    /// # Errors
    ///
    /// [`CowError::Frame`] if `rows` reaches outside `base`.
    pub fn with_config(
        base: &TimeFrame,
        rows: Range<usize>,
        split: Split,
        config: CowConfig,
    ) -> Result<Self, CowError> {
        let base_offset = rows.start;
        let base = base.slice(rows)?;
        let columns = base_columns(&base);
        Ok(Self { base, split, base_offset, config, columns })
    }

    /// A copy-on-write frame over all of `base` (split [`Split::Full`]).
    pub fn full(base: &TimeFrame) -> Self {
        Self::new(base, 0..base.n_rows(), Split::Full).expect("all rows lie inside the frame")
    }

    /// Which split these rows are.
    pub fn split(&self) -> Split {
        self.split
    }

    /// Rows in the split.
    pub fn n_rows(&self) -> usize {
        self.base.n_rows()
    }

    /// Value columns, added ones included.
    pub fn n_columns(&self) -> usize {
        self.columns.len()
    }

    /// The row of the base frame that is this frame's row 0.
    pub fn base_offset(&self) -> usize {
        self.base_offset
    }

    /// The chunk size and other options.
    pub fn config(&self) -> CowConfig {
        self.config
    }

    /// The position of a value column by name.
    ///
    /// # Errors
    ///
    /// [`CowError::Frame`] with [`FrameError::UnknownColumn`], listing the names the frame has.
    pub fn find_column(&self, name: &str) -> Result<usize, CowError> {
        self.columns.iter().position(|c| c.name == name).ok_or_else(|| {
            let available = self.columns.iter().map(|c| c.name.as_str()).collect::<Vec<_>>().join(", ");
            CowError::Frame(FrameError::UnknownColumn { column: name.to_string(), available })
        })
    }

    /// The value at (`column_idx`, `row`) as `f64`; `Ok(None)` where null.
    ///
    /// # Errors
    ///
    /// [`CowError::ColumnOutOfBounds`] or [`CowError::RowOutOfBounds`].
    pub fn get(&self, column_idx: usize, row: usize) -> Result<Option<f64>, CowError> {
        let column = self.column(column_idx)?;
        CowError::check_row(row, self.n_rows(), self.split)?;
        Ok(self.read(column, row))
    }

    /// Every value of row `row`, in column order.
    ///
    /// # Errors
    ///
    /// [`CowError::RowOutOfBounds`].
    pub fn row(&self, row: usize) -> Result<Vec<Option<f64>>, CowError> {
        CowError::check_row(row, self.n_rows(), self.split)?;
        Ok(self.columns.iter().map(|c| self.read(c, row)).collect())
    }

    /// Writes `value` at (`column_idx`, `row`). The first write into a chunk copies that chunk of that column.
    ///
    /// The value is stored in the column's own type: an integer or `f32` column takes it only if the type
    /// holds it exactly (no rounding, no saturation).
    ///
    /// # Errors
    ///
    /// [`CowError::ColumnOutOfBounds`], [`CowError::RowOutOfBounds`] or [`CowError::InexactValue`]; nothing
    /// is written then.
    ///
    /// An integer is stored without passing through `f64`: give it as an integer (`i64`, `u64`, `i128`) to
    /// write `2^53 + 1` into an `i64` column.
    pub fn set_value(
        &mut self,
        column_idx: usize,
        row: usize,
        value: impl Into<CellValue>,
    ) -> Result<(), CowError> {
        self.write(column_idx, row, Some(value.into()))
    }

    /// Writes a null at (`column_idx`, `row`).
    ///
    /// # Errors
    ///
    /// [`CowError::ColumnOutOfBounds`] or [`CowError::RowOutOfBounds`].
    pub fn set_null(&mut self, column_idx: usize, row: usize) -> Result<(), CowError> {
        self.write(column_idx, row, None)
    }

    /// Writes every value of row `row`, in column order. All values are checked before any is written.
    ///
    /// # Errors
    ///
    /// [`CowError::RowWidth`], [`CowError::RowOutOfBounds`] or [`CowError::InexactValue`]; nothing is
    /// written then.
    pub fn set_row<V: Into<CellValue> + Copy>(&mut self, row: usize, values: &[V]) -> Result<(), CowError> {
        if values.len() != self.columns.len() {
            return Err(CowError::RowWidth { expected: self.columns.len(), found: values.len() });
        }
        let cells: Vec<(usize, CellValue)> = values.iter().map(|&v| v.into()).enumerate().collect();
        self.set_cells(row, &cells)
    }

    /// Writes `(column_idx, value)` pairs into row `row`, all or none: every column and value is checked
    /// before any is written. Columns not named keep their values.
    ///
    /// # Errors
    ///
    /// [`CowError::ColumnOutOfBounds`], [`CowError::RowOutOfBounds`] or [`CowError::InexactValue`]; nothing
    /// is written then.
    pub fn set_cells(&mut self, row: usize, cells: &[(usize, CellValue)]) -> Result<(), CowError> {
        CowError::check_row(row, self.n_rows(), self.split)?;
        let encoded = cells
            .iter()
            .map(|&(column_idx, value)| {
                self.column(column_idx)?;
                Ok((column_idx, self.encode(column_idx, row, value)?))
            })
            .collect::<Result<Vec<_>, CowError>>()?;
        for (column_idx, value) in encoded {
            self.store(column_idx, row, Some(value));
        }
        Ok(())
    }

    /// Adds a whole column, owned by this frame, after the existing ones; returns its position.
    ///
    /// # Errors
    ///
    /// [`CowError::DuplicateColumn`], [`CowError::LengthMismatch`] or [`CowError::UnsupportedType`].
    pub fn add_column(&mut self, name: &str, values: ArrayRef) -> Result<usize, CowError> {
        if name == timeseries_array::TIMESTAMP_COLUMN || self.columns.iter().any(|c| c.name == name) {
            return Err(CowError::DuplicateColumn { column: name.to_string() });
        }
        let value_type = self.check_column(name, &values)?;
        let source = Source::Owned { array: values, added: true };
        self.columns.push(Column { name: name.to_string(), value_type, source, chunks: BTreeMap::new() });
        Ok(self.columns.len() - 1)
    }

    /// Adds a whole `f64` column (see [`CowFrame::add_column`]).
    ///
    /// # Errors
    ///
    /// As [`CowFrame::add_column`].
    pub fn add_f64_column(&mut self, name: &str, values: Vec<f64>) -> Result<usize, CowError> {
        self.add_column(name, Arc::new(Float64Array::from(values)))
    }

    /// Replaces a whole column (its copied chunks are dropped); the new values may have another type.
    ///
    /// # Errors
    ///
    /// [`CowError::ColumnOutOfBounds`], [`CowError::LengthMismatch`] or [`CowError::UnsupportedType`].
    pub fn replace_column(&mut self, column_idx: usize, values: ArrayRef) -> Result<(), CowError> {
        let name = self.column(column_idx)?.name.clone();
        let value_type = self.check_column(&name, &values)?;
        let column = &mut self.columns[column_idx];
        let added = matches!(column.source, Source::Owned { added: true, .. });
        column.value_type = value_type;
        column.source = Source::Owned { array: values, added };
        column.chunks.clear();
        Ok(())
    }

    /// Drops every change: copied chunks, added and replaced columns. Reads come from the base again.
    pub fn reset(&mut self) {
        self.columns = base_columns(&self.base);
    }

    /// True when anything was written, added or replaced since creation or the last [`CowFrame::reset`].
    pub fn is_modified(&self) -> bool {
        self.columns.iter().any(|c| !c.chunks.is_empty() || matches!(c.source, Source::Owned { .. }))
    }

    /// The chunks writes have copied, by column then chunk. Whole columns added or replaced are not chunks;
    /// [`CowFrame::footprint_report`] lists them.
    pub fn modified_chunks(&self) -> Vec<ModifiedChunk> {
        let columns = self.columns.iter().enumerate();
        columns
            .flat_map(|(column_idx, c)| {
                c.chunks.keys().map(move |&chunk_idx| ModifiedChunk {
                    column_idx,
                    chunk_idx,
                    rows: self.chunk_rows_of(chunk_idx),
                })
            })
            .collect()
    }

    /// The column at `column_idx`.
    pub(crate) fn column(&self, column_idx: usize) -> Result<&Column, CowError> {
        self.columns
            .get(column_idx)
            .ok_or(CowError::ColumnOutOfBounds { column_idx, n_columns: self.columns.len() })
    }

    /// The array a column's unwritten rows are read from, bounded to the split.
    pub(crate) fn source_array<'a>(&'a self, column: &'a Column) -> &'a ArrayRef {
        match &column.source {
            Source::Base(i) => self.base.column_at(*i),
            Source::Owned { array, .. } => array,
        }
    }

    /// The split rows chunk `chunk_idx` covers.
    pub(crate) fn chunk_rows_of(&self, chunk_idx: usize) -> Range<usize> {
        let start = chunk_idx << self.config.shift();
        start..(start + self.config.chunk_rows()).min(self.n_rows())
    }

    /// Row `row` (inside the split) of `column`: from its chunk if copied, else from its source.
    pub(crate) fn read(&self, column: &Column, row: usize) -> Option<f64> {
        let chunk_idx = row >> self.config.shift();
        match column.chunks.get(&chunk_idx) {
            Some(chunk) => chunk.value_f64(column.value_type, row & (self.config.chunk_rows() - 1)),
            None => value_f64(self.source_array(column).as_ref(), row),
        }
    }

    fn write(&mut self, column_idx: usize, row: usize, value: Option<CellValue>) -> Result<(), CowError> {
        self.column(column_idx)?;
        CowError::check_row(row, self.n_rows(), self.split)?;
        let encoded = value.map(|v| self.encode(column_idx, row, v)).transpose()?;
        self.store(column_idx, row, encoded);
        Ok(())
    }

    fn encode(
        &self,
        column_idx: usize,
        row: usize,
        value: CellValue,
    ) -> Result<crate::native::Encoded, CowError> {
        let column = &self.columns[column_idx];
        encode(value, column.value_type).ok_or_else(|| CowError::InexactValue {
            value,
            column: column.name.clone(),
            value_type: column.value_type,
            row,
        })
    }

    /// Stores an encoded value (or a null) at a checked position, copying the chunk on its first write.
    fn store(&mut self, column_idx: usize, row: usize, value: Option<crate::native::Encoded>) {
        let chunk_idx = row >> self.config.shift();
        let rows = self.chunk_rows_of(chunk_idx);
        let offset = row - rows.start;
        let column = &self.columns[column_idx];
        let value_type = column.value_type;
        if !column.chunks.contains_key(&chunk_idx) {
            let chunk = Chunk::copy_of(self.source_array(column).as_ref(), value_type, rows);
            self.columns[column_idx].chunks.insert(chunk_idx, chunk);
        }
        let chunk = self.columns[column_idx].chunks.get_mut(&chunk_idx).expect("copied above");
        chunk.set(offset, value, value_type);
    }

    fn check_column(&self, name: &str, values: &ArrayRef) -> Result<ValueType, CowError> {
        if values.len() != self.n_rows() {
            return Err(CowError::LengthMismatch {
                column: name.to_string(),
                expected: self.n_rows(),
                found: values.len(),
                split: self.split,
            });
        }
        ValueType::from_arrow(values.data_type()).ok_or_else(|| CowError::UnsupportedType {
            column: name.to_string(),
            found: values.data_type().to_string(),
        })
    }
}

fn base_columns(base: &TimeFrame) -> Vec<Column> {
    let names = base.column_names();
    (0..base.n_columns())
        .map(|i| Column {
            name: names[i].to_string(),
            value_type: base.value_type(i),
            source: Source::Base(i),
            chunks: BTreeMap::new(),
        })
        .collect()
}
