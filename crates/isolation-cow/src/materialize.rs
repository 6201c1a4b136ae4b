//! `materialize`: a copy-on-write frame's current values as a new `TimeFrame`.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::TimestampNanosecondType;
use arrow_array::{Array, ArrayRef, PrimitiveArray};
use arrow_buffer::{BooleanBufferBuilder, MutableBuffer, NullBuffer, ScalarBuffer};
use timeseries_array::{NativeValue, TimeFrame, ValueType, with_value_type};

use crate::CowFrame;
use crate::frame::Column;
use crate::native::values_buffer;

impl CowFrame {
    /// The frame's current values (writes, added and replaced columns included) as a new [`TimeFrame`].
    ///
    /// The index and every unwritten column share their buffers with this frame (no copy); each column with
    /// copied chunks is assembled into one new buffer of the split's rows. Later writes to this frame do not
    /// show through the result, and writes never reach the base.
    pub fn materialize(&self) -> TimeFrame {
        let timestamps =
            self.base.record_batch().column(0).as_primitive::<TimestampNanosecondType>().values();
        let columns = self.columns.iter().map(|c| (c.name.clone(), self.materialize_column(c))).collect();
        TimeFrame::try_new(timestamps.clone(), columns)
            .expect("same index as the base and split-length columns with unique names")
            .with_index_of(&self.base)
    }

    fn materialize_column(&self, column: &Column) -> ArrayRef {
        let source = self.source_array(column);
        if column.chunks.is_empty() {
            return source.clone();
        }
        let (n_rows, value_type) = (self.n_rows(), column.value_type);
        let width = value_type.byte_width();
        let source_bytes = values_buffer(source.as_ref(), value_type).as_slice();
        let has_nulls = source.null_count() > 0 || column.chunks.values().any(|c| c.validity().is_some());
        let mut values = MutableBuffer::with_capacity(n_rows * width);
        let mut validity = has_nulls.then(|| BooleanBufferBuilder::new(n_rows));
        let mut row = 0;
        for (&chunk_idx, chunk) in &column.chunks {
            let rows = self.chunk_rows_of(chunk_idx);
            values.extend_from_slice(&source_bytes[row * width..rows.start * width]);
            values.extend_from_slice(chunk.values().as_slice());
            if let Some(bits) = validity.as_mut() {
                (row..rows.start).for_each(|r| bits.append(source.is_valid(r)));
                (0..chunk.len()).for_each(|i| bits.append(chunk.is_valid(i)));
            }
            row = rows.end;
        }
        values.extend_from_slice(&source_bytes[row * width..n_rows * width]);
        if let Some(bits) = validity.as_mut() {
            (row..n_rows).for_each(|r| bits.append(source.is_valid(r)));
        }
        let nulls = validity.map(|mut bits| NullBuffer::new(bits.finish()));
        primitive_array(value_type, values, n_rows, nulls)
    }
}

/// A primitive array of `value_type` over `values` (native bytes of `len` values).
fn primitive_array(
    value_type: ValueType,
    values: MutableBuffer,
    len: usize,
    nulls: Option<NullBuffer>,
) -> ArrayRef {
    with_value_type!(value_type, |T| {
        let values = ScalarBuffer::<T>::new(values.into(), 0, len);
        Arc::new(PrimitiveArray::<<T as NativeValue>::Arrow>::new(values, nulls)) as ArrayRef
    })
}
