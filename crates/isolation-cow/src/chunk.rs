//! `Chunk`: a private copy of `chunk_rows` rows of one column, made by the first write into them.

use std::ops::Range;

use arrow_array::Array;
use arrow_buffer::{Buffer, MutableBuffer, bit_util};
use timeseries_array::ValueType;

use crate::native::{Encoded, read_f64, values_buffer};

/// A copied chunk of one column: its values in the column's native type, and a validity bitmap when the
/// chunk has (or had) a null. Both are Arrow buffers this frame alone holds, so writes mutate them in place;
/// a buffer someone else also holds (a clone of the frame) is copied first.
#[derive(Debug, Clone)]
pub(crate) struct Chunk {
    values: Buffer,
    validity: Option<Buffer>,
    len: usize,
}

impl Chunk {
    /// A copy of rows `rows` of `source` (an array of `value_type`), in new buffers. Reads `source` only.
    pub(crate) fn copy_of(source: &dyn Array, value_type: ValueType, rows: Range<usize>) -> Self {
        let width = value_type.byte_width();
        let bytes = &values_buffer(source, value_type).as_slice()[rows.start * width..rows.end * width];
        let mut values = MutableBuffer::with_capacity(bytes.len());
        values.extend_from_slice(bytes);
        let validity = source.nulls().filter(|n| rows.clone().any(|r| n.is_null(r))).map(|nulls| {
            let mut bitmap = MutableBuffer::from_len_zeroed(rows.len().div_ceil(8));
            for (i, row) in rows.clone().enumerate() {
                if nulls.is_valid(row) {
                    bit_util::set_bit(bitmap.as_slice_mut(), i);
                }
            }
            bitmap.into()
        });
        Self { values: values.into(), validity, len: rows.len() }
    }

    /// Rows in the chunk.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// True when row `idx` of the chunk holds a value.
    pub(crate) fn is_valid(&self, idx: usize) -> bool {
        self.validity.as_ref().is_none_or(|v| bit_util::get_bit(v.as_slice(), idx))
    }

    /// Row `idx` of the chunk as `f64`; `None` where null.
    pub(crate) fn value_f64(&self, value_type: ValueType, idx: usize) -> Option<f64> {
        self.is_valid(idx).then(|| read_f64(&self.values, value_type, idx))
    }

    /// The values buffer (null slots hold zero).
    pub(crate) fn values(&self) -> &Buffer {
        &self.values
    }

    /// The validity bitmap, if the chunk has one (bit `i` is row `i`, no offset).
    pub(crate) fn validity(&self) -> Option<&Buffer> {
        self.validity.as_ref()
    }

    /// Stores `value` (already in the column's native bytes) at row `idx`, or a null when `value` is `None`.
    pub(crate) fn set(&mut self, idx: usize, value: Option<Encoded>, value_type: ValueType) {
        let encoded = value.unwrap_or_else(|| Encoded::null(value_type));
        let width = encoded.as_bytes().len();
        with_exclusive(&mut self.values, |bytes| {
            bytes[idx * width..(idx + 1) * width].copy_from_slice(encoded.as_bytes());
        });
        match (&mut self.validity, value.is_some()) {
            (None, true) => {}
            (None, false) => {
                let mut bitmap = MutableBuffer::new_null(self.len);
                bitmap.as_slice_mut().fill(0xff);
                bit_util::unset_bit(bitmap.as_slice_mut(), idx);
                self.validity = Some(bitmap.into());
            }
            (Some(bitmap), valid) => with_exclusive(bitmap, |bits| {
                if valid {
                    bit_util::set_bit(bits, idx);
                } else {
                    bit_util::unset_bit(bits, idx);
                }
            }),
        }
    }
}

/// Runs `write` on the bytes of `buffer`, which this frame owns: in place when no other handle holds the
/// allocation, else on a fresh copy that then replaces `buffer` (the other holders keep the old bytes).
fn with_exclusive(buffer: &mut Buffer, write: impl FnOnce(&mut [u8])) {
    let mut mutable = match std::mem::take(buffer).into_mutable() {
        Ok(mutable) => mutable,
        Err(shared) => {
            let mut copy = MutableBuffer::with_capacity(shared.len());
            copy.extend_from_slice(shared.as_slice());
            copy
        }
    };
    write(mutable.as_slice_mut());
    *buffer = mutable.into();
}

#[cfg(test)]
mod tests {
    use arrow_array::Float64Array;
    use timeseries_array::value_f64;

    use super::*;
    use crate::native::encode;

    #[test]
    fn copy_then_write_leaves_the_source_alone() {
        let source = Float64Array::from(vec![Some(1.0), None, Some(3.0), Some(4.0)]);
        let mut chunk = Chunk::copy_of(&source, ValueType::Float64, 1..3);
        assert_eq!(
            (chunk.value_f64(ValueType::Float64, 0), chunk.value_f64(ValueType::Float64, 1)),
            (None, Some(3.0))
        );
        chunk.set(0, encode(2.0, ValueType::Float64), ValueType::Float64);
        chunk.set(1, None, ValueType::Float64);
        assert_eq!(
            (chunk.value_f64(ValueType::Float64, 0), chunk.value_f64(ValueType::Float64, 1)),
            (Some(2.0), None)
        );
        assert_eq!(value_f64(&source, 1), None);
        assert_eq!(value_f64(&source, 2), Some(3.0));
    }

    #[test]
    fn a_shared_chunk_is_copied_before_a_write() {
        let source = Float64Array::from(vec![1.0, 2.0]);
        let mut chunk = Chunk::copy_of(&source, ValueType::Float64, 0..2);
        let held_elsewhere = chunk.clone();
        chunk.set(0, encode(9.0, ValueType::Float64), ValueType::Float64);
        assert_eq!(held_elsewhere.value_f64(ValueType::Float64, 0), Some(1.0));
        assert_eq!(chunk.value_f64(ValueType::Float64, 0), Some(9.0));
        assert_eq!(chunk.len(), 2);
    }

    #[test]
    fn a_null_written_into_a_chunk_without_nulls_adds_a_bitmap() {
        let source = Float64Array::from(vec![1.0; 10]);
        let mut chunk = Chunk::copy_of(&source, ValueType::Float64, 0..10);
        assert!(chunk.validity().is_none());
        chunk.set(9, None, ValueType::Float64);
        assert!((0..9).all(|i| chunk.is_valid(i)) && !chunk.is_valid(9));
        assert_eq!(chunk.values().len(), 80);
    }
}
