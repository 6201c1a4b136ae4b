//! What a copy-on-write frame keeps alive, measured from its Arrow buffers, and a report a person reads.

use std::fmt;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampNanosecondType;
use isolation_core::Split;
use memtrack::{BufferSet, Footprint};
use timeseries_array::ValueType;

use crate::CowFrame;
use crate::chunk::Chunk;
use crate::frame::{Column, Source};
use crate::native::array_buffers;

impl CowFrame {
    /// What this frame keeps alive. `owned_bytes`: its copied chunks, the whole columns it was given (when
    /// nobody else holds them) and its bookkeeping; `shared_bytes`: the base buffers it still reads (the
    /// index and every column not replaced), each allocation counted once and in full, as
    /// [`memtrack::BufferSet`] counts.
    pub fn footprint(&self) -> Footprint {
        let mut set = BufferSet::new();
        self.add_buffers_to(&mut set);
        set.footprint() + Footprint::owned(self.bookkeeping_bytes())
    }

    /// Adds the allocations this frame reads to `set`: the base index, the base columns it still reads,
    /// owned columns and copied chunks. A base column that was replaced is not read, so it is not added.
    pub fn add_buffers_to(&self, set: &mut BufferSet) {
        let index = self.base.record_batch().column(0);
        set.insert_with(
            index.as_primitive::<TimestampNanosecondType>().values().inner(),
            Arc::strong_count(index) > 1,
        );
        for column in &self.columns {
            self.add_column_buffers(column, set);
        }
    }

    /// A per-column breakdown of [`CowFrame::footprint`], printable as a report.
    pub fn footprint_report(&self) -> FootprintReport {
        let columns = self
            .columns
            .iter()
            .map(|column| {
                let mut set = BufferSet::new();
                self.add_column_buffers(column, &mut set);
                let mut chunks = BufferSet::new();
                column.chunks.values().for_each(|c| add_chunk(c, &mut chunks));
                ColumnFootprint {
                    name: column.name.clone(),
                    value_type: column.value_type,
                    source: match column.source {
                        Source::Base(_) => ColumnSource::Base,
                        Source::Owned { added: true, .. } => ColumnSource::Added,
                        Source::Owned { added: false, .. } => ColumnSource::Replaced,
                    },
                    copied_chunks: column.chunks.len(),
                    n_chunks: self.n_rows().div_ceil(self.config.chunk_rows()),
                    chunk_bytes: chunks.footprint().total_bytes(),
                    footprint: set.footprint(),
                }
            })
            .collect();
        let mut index = BufferSet::new();
        let index_array = self.base.record_batch().column(0);
        index.insert_with(
            index_array.as_primitive::<TimestampNanosecondType>().values().inner(),
            Arc::strong_count(index_array) > 1,
        );
        FootprintReport {
            split: self.split,
            n_rows: self.n_rows(),
            chunk_rows: self.config.chunk_rows(),
            columns,
            index: index.footprint(),
            bookkeeping_bytes: self.bookkeeping_bytes(),
            total: self.footprint(),
        }
    }

    fn add_column_buffers(&self, column: &Column, set: &mut BufferSet) {
        let source = self.source_array(column);
        let holder_shared = Arc::strong_count(source) > 1;
        for buffer in array_buffers(source.as_ref(), column.value_type) {
            set.insert_with(buffer, holder_shared);
        }
        column.chunks.values().for_each(|chunk| add_chunk(chunk, set));
    }

    /// The frame's own structures: the struct, one entry per column (and its name), one map entry per copied
    /// chunk. B-tree node overhead is not counted; the figure is small next to any chunk.
    fn bookkeeping_bytes(&self) -> u64 {
        let per_column: usize = self
            .columns
            .iter()
            .map(|c| c.name.len() + c.chunks.len() * (size_of::<usize>() + size_of::<Chunk>()))
            .sum();
        (size_of::<Self>() + self.columns.capacity() * size_of::<Column>() + per_column) as u64
    }
}

fn add_chunk(chunk: &Chunk, set: &mut BufferSet) {
    set.insert(chunk.values());
    if let Some(validity) = chunk.validity() {
        set.insert(validity);
    }
}

/// Where a column's unwritten rows come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnSource {
    /// The base frame's column.
    Base,
    /// A whole column added to this frame.
    Added,
    /// A whole column that replaced a base or added column.
    Replaced,
}

impl fmt::Display for ColumnSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Base => "base",
            Self::Added => "added",
            Self::Replaced => "replaced",
        })
    }
}

/// One column's share of a [`FootprintReport`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnFootprint {
    /// The column's name.
    pub name: String,
    /// Its type.
    pub value_type: ValueType,
    /// Where its unwritten rows come from.
    pub source: ColumnSource,
    /// Chunks copied by writes.
    pub copied_chunks: usize,
    /// Chunks the split has per column.
    pub n_chunks: usize,
    /// Bytes of the copied chunks (values and validity bitmaps).
    pub chunk_bytes: u64,
    /// The column's source buffers plus its copied chunks, owned versus shared.
    pub footprint: Footprint,
}

/// What a [`CowFrame`] keeps alive, column by column. `Display` prints it as a table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FootprintReport {
    /// The frame's split.
    pub split: Split,
    /// Rows in the split.
    pub n_rows: usize,
    /// Rows per chunk.
    pub chunk_rows: usize,
    /// One entry per value column.
    pub columns: Vec<ColumnFootprint>,
    /// The timestamp index (read from the base, never written).
    pub index: Footprint,
    /// The frame's own structures.
    pub bookkeeping_bytes: u64,
    /// The whole frame, each allocation counted once: [`CowFrame::footprint`].
    pub total: Footprint,
}

impl FootprintReport {
    /// Bytes of all copied chunks: what writes cost.
    pub fn chunk_bytes(&self) -> u64 {
        self.columns.iter().map(|c| c.chunk_bytes).sum()
    }
}

impl fmt::Display for FootprintReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "cow frame, {} split: {} rows in chunks of {} rows",
            self.split, self.n_rows, self.chunk_rows
        )?;
        writeln!(
            f,
            "{:<12} {:<5} {:<9} {:>13} {:>12} {:>12}",
            "column", "type", "source", "copied chunks", "owned B", "shared B"
        )?;
        for c in &self.columns {
            let chunks = format!("{} of {}", c.copied_chunks, c.n_chunks);
            writeln!(
                f,
                "{:<12} {:<5} {:<9} {:>13} {:>12} {:>12}",
                c.name,
                c.value_type.name(),
                c.source.to_string(),
                chunks,
                c.footprint.owned_bytes,
                c.footprint.shared_bytes
            )?;
        }
        let index = &self.index;
        writeln!(
            f,
            "{:<12} {:<5} {:<9} {:>13} {:>12} {:>12}",
            "(index)", "ts", "base", "-", index.owned_bytes, index.shared_bytes
        )?;
        writeln!(f, "copied chunks: {} B; bookkeeping: {} B", self.chunk_bytes(), self.bookkeeping_bytes)?;
        write!(f, "total: owned {} B, shared {} B", self.total.owned_bytes, self.total.shared_bytes)
    }
}
