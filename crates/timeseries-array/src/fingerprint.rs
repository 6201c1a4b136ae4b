//! `TimeFrame::fingerprint`: a content hash of a frame (index, column names, types, values and nulls), for
//! telling a worker's data from the data a study was planned on.

use arrow_array::Array;
use arrow_array::cast::AsArray;
use std::hash::Hasher;

use twox_hash::XxHash3_64;

use crate::{NativeValue, TimeFrame};

impl TimeFrame {
    /// A fingerprint of the frame's content: XXH3-64 over the row count, the index, and every column's
    /// name, type, values and null positions, in column order, as 16 hex digits. Equal frames (same rows,
    /// columns and values, however their buffers are laid out or sliced) have equal fingerprints (the bytes
    /// under a null slot count too; Arrow writers and our loaders zero them); a changed
    /// value, row, name or type changes it (with the odds of a 64-bit hash). It streams over the buffers once,
    /// at memory speed, and allocates nothing per row.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::Float64Array;
    /// use timeseries_array::TimeFrame;
    ///
    /// let close = |v: f64| Arc::new(Float64Array::from(vec![1.0, v])) as _;
    /// let a = TimeFrame::try_new(vec![1, 2], vec![("close".into(), close(2.0))])?;
    /// let b = TimeFrame::try_new(vec![1, 2], vec![("close".into(), close(2.5))])?;
    /// assert_ne!(a.fingerprint(), b.fingerprint());
    /// assert_eq!(a.fingerprint(), a.slice(0..2)?.fingerprint());
    /// # Ok::<(), timeseries_array::FrameError>(())
    /// ```
    pub fn fingerprint(&self) -> String {
        let mut hasher = XxHash3_64::with_seed(0);
        hasher.write_u64(self.n_rows() as u64);
        hasher.write(bytemuck::cast_slice(self.timestamps()));
        for (column_idx, name) in self.column_names().into_iter().enumerate() {
            let array = self.column_at(column_idx);
            let value_type = self.value_type(column_idx);
            hasher.write_u64(name.len() as u64);
            hasher.write(name.as_bytes());
            hasher.write(value_type.name().as_bytes());
            with_value_type!(value_type, |T| {
                let values = array.as_primitive::<<T as NativeValue>::Arrow>().values();
                hasher.write(bytemuck::cast_slice::<T, u8>(values));
            });
            hasher.write_u64(array.null_count() as u64);
            if let Some(nulls) = array.nulls() {
                for row in nulls.iter().enumerate().filter(|(_, valid)| !valid).map(|(row, _)| row) {
                    hasher.write_u64(row as u64);
                }
            }
        }
        format!("{:016x}", hasher.finish())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, Int64Array};

    use crate::TimeFrame;

    fn frame(ts: Vec<i64>, name: &str, column: ArrayRef) -> TimeFrame {
        TimeFrame::try_new(ts, vec![(name.into(), column)]).unwrap()
    }

    #[test]
    fn every_part_of_the_content_counts() {
        let floats = |v: Vec<Option<f64>>| Arc::new(Float64Array::from(v)) as ArrayRef;
        let base = frame(vec![1, 2, 3], "close", floats(vec![Some(1.0), Some(2.0), Some(3.0)]));
        let same = frame(vec![0, 1, 2, 3], "close", floats(vec![Some(9.0), Some(1.0), Some(2.0), Some(3.0)]));
        assert_eq!(base.fingerprint(), same.slice(1..4).unwrap().fingerprint(), "a slice of equal rows");
        let variants = [
            frame(vec![1, 2, 4], "close", floats(vec![Some(1.0), Some(2.0), Some(3.0)])),
            frame(vec![1, 2, 3], "open", floats(vec![Some(1.0), Some(2.0), Some(3.0)])),
            frame(vec![1, 2, 3], "close", floats(vec![Some(1.0), Some(2.0), Some(3.5)])),
            frame(vec![1, 2, 3], "close", floats(vec![Some(1.0), None, Some(3.0)])),
            frame(vec![1, 2, 3], "close", Arc::new(Int64Array::from(vec![1, 2, 3]))),
            base.slice(0..2).unwrap(),
        ];
        for (i, other) in variants.iter().enumerate() {
            assert_ne!(base.fingerprint(), other.fingerprint(), "variant {i}");
        }
    }
}
