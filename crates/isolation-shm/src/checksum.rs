//! Optional per-column checksums: the publisher stores an xxh3-64 of every column's visible bytes in the
//! segment's schema metadata; an attacher that asks (`AttachOptions::verify`) recomputes them over the
//! mapped pages and names the first column that differs. Arrow IPC has no checksum of its own: structure
//! checks catch a damaged layout, only a checksum catches a flipped value.

use std::hash::Hasher;

use arrow_array::Array;
use arrow_schema::Metadata;
use timeseries_array::{TIMESTAMP_COLUMN, TimeFrame};
use twox_hash::XxHash3_64;

use crate::format::KEY_CHECKSUM_PREFIX as KEY_PREFIX;

/// The checksum entries for `frame`'s index and value columns, as schema metadata.
pub(crate) fn checksums(frame: &TimeFrame) -> Metadata {
    column_checksums(frame).into_iter().map(|(column, hex)| (format!("{KEY_PREFIX}{column}"), hex)).collect()
}

/// Each column's name and checksum (hex), index first, in column order.
fn column_checksums(frame: &TimeFrame) -> Vec<(String, String)> {
    let batch = frame.record_batch();
    let schema = batch.schema();
    schema
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, array)| (field.name().clone(), format!("{:016x}", column_hash(array))))
        .collect()
}

/// The first column of `frame` whose checksum differs from the one recorded in `metadata`, as
/// `(column, recorded, computed)`; `Ok(None)` when all match. `Err` when the segment records no checksums.
pub(crate) fn first_mismatch(
    frame: &TimeFrame,
    metadata: &Metadata,
) -> Result<Option<(String, String, String)>, ()> {
    if !metadata.contains_key(&format!("{KEY_PREFIX}{TIMESTAMP_COLUMN}")) {
        return Err(());
    }
    for (column, computed) in column_checksums(frame) {
        let recorded =
            metadata.get(&format!("{KEY_PREFIX}{column}")).cloned().unwrap_or_else(|| "none".into());
        if recorded != computed {
            return Ok(Some((column, recorded, computed)));
        }
    }
    Ok(None)
}

/// xxh3-64 of a primitive column's visible values and, when it has nulls, its validity bits (both from the
/// array's offset, so a slice and the file it was written to hash alike).
fn column_hash(array: &dyn Array) -> u64 {
    let data = array.to_data();
    let mut hasher = XxHash3_64::default();
    let width = array.data_type().primitive_width().unwrap_or(0);
    if let Some(values) = data.buffers().first() {
        let start = (data.offset() * width).min(values.len());
        let end = ((data.offset() + data.len()) * width).min(values.len());
        hasher.write(&values.as_slice()[start..end]);
    }
    if let Some(nulls) = data.nulls().filter(|n| n.null_count() > 0) {
        let bits = nulls.inner().sliced();
        let n_bytes = data.len().div_ceil(8).min(bits.len());
        let bytes = &bits.as_slice()[..n_bytes];
        if let Some((last, whole)) = bytes.split_last() {
            hasher.write(whole);
            let used = data.len() % 8;
            hasher.write_u8(if used == 0 { *last } else { last & ((1 << used) - 1) });
        }
    }
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Float64Array, Int32Array};
    use timeseries_array::TimeFrame;

    use super::*;

    fn frame(n: i64) -> TimeFrame {
        let close = Arc::new(Float64Array::from_iter_values((0..n).map(|i| i as f64)));
        let volume = Arc::new(Int32Array::from_iter((0..n).map(|i| (i % 3 != 0).then_some(i as i32))));
        TimeFrame::try_new(
            (0..n).collect::<Vec<i64>>(),
            vec![("close".into(), close), ("volume".into(), volume)],
        )
        .unwrap()
    }

    #[test]
    fn a_slice_hashes_like_a_copy_of_its_rows_and_a_changed_value_differs() {
        let whole = frame(100);
        let slice = whole.slice(13..77).unwrap();
        assert_eq!(checksums(&slice), checksums(&slice.deep_copy()));
        assert_ne!(checksums(&slice), checksums(&whole.slice(14..78).unwrap()));
        let recorded = checksums(&slice);
        assert_eq!(first_mismatch(&slice, &recorded), Ok(None));
        let other = whole.slice(12..76).unwrap();
        let mismatch = first_mismatch(&other, &recorded).unwrap().unwrap();
        assert_eq!(mismatch.0, "timestamp");
        assert_eq!(first_mismatch(&slice, &Metadata::new()), Err(()));
    }
}
