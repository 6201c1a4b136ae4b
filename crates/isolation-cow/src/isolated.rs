//! `IsolatedData` for `CowFrame`, so cursors, windows and reports work on copy-on-write data.

use isolation_core::{ColumnChunk, ColumnLayout, CopiedChunks, IsolatedData, IsolationMode, Split};
use memtrack::{BufferSet, Footprint};
use timeseries_array::{TimeFrame, TimestampNs, ValueType};

use crate::CowFrame;

impl IsolatedData for CowFrame {
    fn mode(&self) -> IsolationMode {
        IsolationMode::CopyOnWrite
    }

    fn split(&self) -> Split {
        self.split
    }

    fn n_rows(&self) -> usize {
        self.base.n_rows()
    }

    fn timestamps(&self) -> &[TimestampNs] {
        self.base.timestamps()
    }

    fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    fn value_type(&self, column_idx: usize) -> Option<ValueType> {
        self.columns.get(column_idx).map(|c| c.value_type)
    }

    fn value_f64(&self, column_idx: usize, row: usize) -> Option<f64> {
        let column = self.columns.get(column_idx)?;
        (row < self.n_rows()).then(|| self.read(column, row)).flatten()
    }

    /// The column's source rows, and once a chunk was written, the copied chunks that override them.
    fn column_layout(&self, column_idx: usize) -> Option<ColumnLayout<'_>> {
        let column = self.columns.get(column_idx)?;
        let mut layout = ColumnChunk::contiguous_layout(&column.name, self.source_array(column).as_ref())?;
        if !column.chunks.is_empty() {
            let n_chunks = self.n_rows().div_ceil(self.config.chunk_rows());
            let chunks = (0..n_chunks)
                .map(|k| {
                    column.chunks.get(&k).map(|chunk| ColumnChunk {
                        values: chunk.values().as_slice(),
                        validity: chunk.validity().map(|bits| (bits.as_slice(), 0)),
                        len: chunk.len(),
                    })
                })
                .collect();
            layout.copied = Some(CopiedChunks { shift: self.config.shift(), chunks });
        }
        Some(layout)
    }

    fn footprint(&self) -> Footprint {
        CowFrame::footprint(self)
    }

    fn add_buffers_to(&self, set: &mut BufferSet) {
        CowFrame::add_buffers_to(self, set);
    }

    fn to_frame(&self) -> TimeFrame {
        self.materialize()
    }
}
