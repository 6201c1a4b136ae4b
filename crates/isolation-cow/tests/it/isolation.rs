//! Isolation guarantees: writes stay in their frame, frames stay in their split, the base is never written.

use std::borrow::Cow;
use std::sync::Arc;
use std::thread;

use arrow_array::{ArrayRef, Float64Array, Int64Array};
use isolation_core::{Cursor, IsolatedData, IsolationError, Split, SplitSpec};
use isolation_cow::{CowConfig, CowError, CowFrame, ModifiedChunk};
use memtrack::BufferSet;
use timeseries_array::{TimeFrame, ValueType};

const N_ROWS: usize = 1000;

/// `close` (f64, `i`), `volume` (i64, `10 * i`).
fn base() -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from((0..N_ROWS).map(|i| i as f64).collect::<Vec<_>>()));
    let volume: ArrayRef = Arc::new(Int64Array::from((0..N_ROWS as i64).map(|i| i * 10).collect::<Vec<_>>()));
    TimeFrame::try_new(
        (0..N_ROWS as i64).collect::<Vec<_>>(),
        vec![("close".into(), close), ("volume".into(), volume)],
    )
    .unwrap()
}

fn frame(base: &TimeFrame, split: Split) -> CowFrame {
    let ranges = SplitSpec::Ratio(0.7).resolve(base.timestamps()).unwrap();
    CowFrame::with_config(base, ranges.range(split), split, CowConfig::try_new(64).unwrap()).unwrap()
}

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn cow_frames_are_send_and_sync() {
    assert_send_sync::<CowFrame>();
}

#[test]
fn two_frames_written_from_two_threads_each_see_only_their_own_writes() {
    let base = base();
    let (mut left, mut right) = (frame(&base, Split::Full), frame(&base, Split::Full));
    let (left, right) = thread::scope(|s| {
        let l = s.spawn(move || {
            (0..N_ROWS).step_by(3).for_each(|r| left.set_value(0, r, -1.0).unwrap());
            left
        });
        let r = s.spawn(move || {
            (0..N_ROWS).step_by(5).for_each(|r| right.set_value(0, r, -2.0).unwrap());
            right
        });
        (l.join().unwrap(), r.join().unwrap())
    });
    for row in 0..N_ROWS {
        let original = row as f64;
        assert_eq!(left.get(0, row).unwrap(), Some(if row % 3 == 0 { -1.0 } else { original }));
        assert_eq!(right.get(0, row).unwrap(), Some(if row % 5 == 0 { -2.0 } else { original }));
        assert_eq!(base.value_f64(0, row), Some(original));
    }
}

#[test]
fn concurrent_readers_of_one_frame_need_no_lock() {
    let base = base();
    let mut train = frame(&base, Split::Train);
    train.set_value(0, 5, 0.5).unwrap();
    let sums: Vec<f64> = thread::scope(|s| {
        let handles: Vec<_> =
            (0..4).map(|_| s.spawn(|| train.f64_chunks(0).unwrap().flatten().sum::<f64>())).collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let want = (0..700).map(|i| i as f64).sum::<f64>() - 5.0 + 0.5;
    assert!(sums.iter().all(|&s| s == want));
}

#[test]
fn train_cannot_read_or_write_test_rows() {
    let base = base();
    let mut train = frame(&base, Split::Train);
    assert_eq!(train.n_rows(), 700);
    let out = CowError::RowOutOfBounds { row: 700, n_rows: 700, split: Split::Train };
    assert_eq!(train.get(0, 700), Err(out.clone()));
    assert_eq!(train.row(700), Err(out.clone()));
    assert_eq!(train.set_value(0, 700, 1.0), Err(out.clone()));
    assert_eq!(train.set_null(1, 700), Err(out.clone()));
    assert_eq!(train.set_row(700, &[1.0, 2.0]), Err(out));
    assert_eq!(train.value_f64(0, 700), None);
    assert!(matches!(train.column_f64(0, 690..701), Err(IsolationError::RowOutOfBounds { row: 701, .. })));
    assert_eq!(train.f64_column(0).unwrap().len(), 700);
    assert_eq!(train.materialize().n_rows(), 700);
    // A whole column must have the split's length, not the base's.
    let too_long: ArrayRef = Arc::new(Float64Array::from(vec![0.0; N_ROWS]));
    assert!(matches!(train.add_column("x", too_long), Err(CowError::LengthMismatch { expected: 700, .. })));
}

#[test]
fn test_rows_are_relative_to_the_split_and_chunks_to_split_rows() {
    let base = base();
    let mut test = frame(&base, Split::Test);
    assert_eq!((test.base_offset(), test.get(0, 0).unwrap()), (700, Some(700.0)));
    test.set_value(0, 70, 1.5).unwrap();
    let chunk = ModifiedChunk { column_idx: 0, chunk_idx: 1, rows: 64..128 };
    assert_eq!(test.modified_chunks(), vec![chunk]);
    assert_eq!(base.value_f64(0, 770), Some(770.0));
}

#[test]
fn the_base_buffers_are_never_written_nor_replaced() {
    let base = base();
    let pointer = base.f64_column("close").unwrap().as_ptr();
    let mut train = frame(&base, Split::Train);
    for row in 0..700 {
        train.set_value(0, row, -(row as f64)).unwrap();
        train.set_value(1, row, 7.0).unwrap();
    }
    train.replace_column(0, Arc::new(Float64Array::from(vec![3.0; 700]))).unwrap();
    assert_eq!(base.f64_column("close").unwrap().as_ptr(), pointer);
    assert!(base.f64_column("close").unwrap().iter().enumerate().all(|(i, &v)| v == i as f64));
    assert_eq!(base.value_f64(1, 699), Some(6990.0));
}

#[test]
fn a_clone_is_isolated_from_its_original() {
    let base = base();
    let mut original = frame(&base, Split::Train);
    original.set_value(0, 1, 10.0).unwrap();
    let mut copy = original.clone();
    copy.set_value(0, 1, 20.0).unwrap();
    original.set_value(0, 2, 30.0).unwrap();
    assert_eq!((original.get(0, 1).unwrap(), original.get(0, 2).unwrap()), (Some(10.0), Some(30.0)));
    assert_eq!((copy.get(0, 1).unwrap(), copy.get(0, 2).unwrap()), (Some(20.0), Some(2.0)));
}

#[test]
fn materialized_frames_do_not_see_later_writes() {
    let base = base();
    let mut train = frame(&base, Split::Train);
    train.set_value(0, 3, 0.25).unwrap();
    let before = train.materialize();
    train.set_value(0, 3, 0.75).unwrap();
    assert_eq!(before.value_f64(0, 3), Some(0.25));
    assert_eq!(train.to_frame().value_f64(0, 3), Some(0.75));
    // The untouched column still shares the base's buffer.
    assert_eq!(
        before.column_at(1).to_data().buffers()[0].as_ptr(),
        base.column_at(1).to_data().buffers()[0].as_ptr()
    );
}

#[test]
fn integer_columns_take_only_exact_values() {
    let base = base();
    let mut train = frame(&base, Split::Train);
    train.set_value(1, 0, 42.0).unwrap();
    assert_eq!(train.get(1, 0).unwrap(), Some(42.0));
    let err = train.set_value(1, 0, 42.5).unwrap_err();
    assert_eq!(
        err.to_string(),
        "value 42.5 cannot be stored exactly in column `volume` of type i64 at row 0; round it first or replace \
         the column with an f64 column"
    );
    assert_eq!(
        train.set_row(1, &[1.0, 0.5]).map_err(|e| matches!(e, CowError::InexactValue { .. })),
        Err(true)
    );
    assert_eq!(train.get(0, 1).unwrap(), Some(1.0), "a refused row writes nothing");
    assert!(matches!(train.f64_column(1), Err(CowError::NotF64 { found: ValueType::Int64, .. })));
}

#[test]
fn integer_writes_never_pass_through_f64() {
    use arrow_array::cast::AsArray;
    use arrow_array::types::Int64Type;
    use isolation_cow::CellValue;

    let base = base();
    let mut train = frame(&base, Split::Train);
    let big = (1_i64 << 53) + 1; // f64 would store 2^53
    train.set_value(1, 0, big).unwrap();
    train.set_value(1, 1, i64::MAX).unwrap();
    let volume = train.to_frame().column_at(1).as_primitive::<Int64Type>().clone();
    assert_eq!((volume.value(0), volume.value(1)), (big, i64::MAX));
    let err = train.set_value(1, 2, CellValue::Int(i128::from(i64::MAX) + 1)).unwrap_err();
    assert!(err.to_string().starts_with("value 9223372036854775808 cannot be stored exactly"), "{err}");
    assert!(train.set_value(0, 2, big).is_err(), "an f64 column refuses an integer it would round");

    // `set_cells` is all or none: the good first cell is not written when the second is refused.
    let before = train.to_frame();
    let cells = [(0, CellValue::Float(-5.0)), (1, CellValue::Float(0.5))];
    assert!(matches!(train.set_cells(3, &cells), Err(CowError::InexactValue { .. })));
    let cells = [(0, CellValue::Float(-5.0)), (7, CellValue::Float(0.0))];
    assert!(matches!(train.set_cells(3, &cells), Err(CowError::ColumnOutOfBounds { .. })));
    assert_eq!(train.to_frame().value_f64(0, 3), before.value_f64(0, 3));
    train.set_cells(3, &[(0, CellValue::Float(-5.0)), (1, CellValue::Int(7))]).unwrap();
    assert_eq!((train.get(0, 3).unwrap(), train.get(1, 3).unwrap()), (Some(-5.0), Some(7.0)));
}

#[test]
fn column_reads_borrow_untouched_rows_and_single_chunks() {
    let base = base();
    let mut train = frame(&base, Split::Train);
    assert!(matches!(train.f64_column(0).unwrap(), Cow::Borrowed(_)));
    train.set_value(0, 100, -1.0).unwrap(); // chunk 1: rows 64..128
    assert!(matches!(train.column_f64(0, 0..64).unwrap(), Cow::Borrowed(_)));
    assert!(matches!(train.column_f64(0, 70..120).unwrap(), Cow::Borrowed(_)));
    assert!(matches!(train.column_f64(0, 128..700).unwrap(), Cow::Borrowed(_)));
    let spanning = train.column_f64(0, 60..130).unwrap();
    assert!(matches!(spanning, Cow::Owned(_)));
    assert_eq!(spanning[40], -1.0);
    let pieces: Vec<usize> = train.f64_chunks(0).unwrap().map(<[f64]>::len).collect();
    assert_eq!(pieces, vec![64, 64, 572]);
    assert_eq!(train.f64_chunks(0).unwrap().flatten().filter(|&&v| v < 0.0).count(), 1);
}

#[test]
fn one_write_costs_one_chunk_of_one_column() {
    let base = base();
    let mut train = frame(&base, Split::Train);
    let untouched = train.footprint();
    train.set_value(0, 10, 0.0).unwrap();
    let report = train.footprint_report();
    assert_eq!(report.chunk_bytes(), 64 * 8);
    assert_eq!(train.footprint().shared_bytes, untouched.shared_bytes);
    assert!(train.footprint().owned_bytes - untouched.owned_bytes >= 64 * 8);
    assert!(train.footprint().owned_bytes < 64 * 8 + 4096, "bookkeeping stays small");
    // Over many handles, a BufferSet counts the base once.
    let test = frame(&base, Split::Test);
    let mut set = BufferSet::new();
    train.add_buffers_to(&mut set);
    test.add_buffers_to(&mut set);
    assert_eq!(set.footprint().owned_bytes, 64 * 8);
    assert_eq!(set.footprint().shared_bytes, base.footprint().total_bytes());
}

#[test]
fn cursors_walk_a_written_frame() {
    let base = base();
    let mut train = frame(&base, Split::Train);
    train.set_value(0, 2, 100.0).unwrap();
    assert_eq!(train.mode(), isolation_core::IsolationMode::CopyOnWrite);
    let mut cursor = Cursor::new(&train);
    cursor.advance();
    cursor.advance();
    assert_eq!(cursor.window(3).column(0).unwrap().as_ref(), &[0.0, 1.0, 100.0]);
    assert_eq!(cursor.current().unwrap().value(0), Some(100.0));
}

#[test]
fn reset_drops_every_change() {
    let base = base();
    let mut train = frame(&base, Split::Train);
    train.set_value(0, 0, 5.0).unwrap();
    train.add_f64_column("z", vec![1.0; 700]).unwrap();
    train.replace_column(1, Arc::new(Float64Array::from(vec![0.0; 700]))).unwrap();
    assert!(train.is_modified());
    train.reset();
    assert!(!train.is_modified());
    assert_eq!(
        (train.n_columns(), train.get(0, 0).unwrap(), train.value_type(1)),
        (2, Some(0.0), Some(ValueType::Int64))
    );
    assert_eq!(train.footprint_report().chunk_bytes(), 0);
}

#[test]
fn get_cell_reads_integers_exactly_from_the_base_and_from_copied_chunks() {
    let base = base();
    let mut cow = frame(&base, Split::Full);
    let volume = cow.column_index("volume").unwrap();
    let close = cow.column_index("close").unwrap();
    assert_eq!(cow.get_cell(volume, 7).unwrap(), Some(isolation_cow::CellValue::Int(70)));
    assert_eq!(cow.get_cell(close, 7).unwrap(), Some(isolation_cow::CellValue::Float(7.0)));
    let big = (1_i64 << 53) + 1; // not an f64
    cow.set_value(volume, 7, big).unwrap();
    assert_eq!(cow.get_cell(volume, 7).unwrap(), Some(isolation_cow::CellValue::Int(i128::from(big))));
    assert_eq!(cow.get(volume, 7).unwrap(), Some((1_i64 << 53) as f64), "get's f64 rounds it");
    assert!(matches!(cow.get_cell(volume, N_ROWS), Err(CowError::RowOutOfBounds { .. })));
}

#[test]
fn set_column_replaces_or_adds_and_never_reaches_the_base() {
    let base = base();
    let before = base.deep_copy();
    let mut cow = frame(&base, Split::Full);
    let n = cow.n_rows();
    let ones: ArrayRef = Arc::new(arrow_array::Int32Array::from(vec![1; n]));
    let first = "close";
    assert_eq!(cow.set_column(first, ones.clone()).unwrap(), 0, "an existing name is replaced in place");
    let added = cow.set_column("signal", ones).unwrap();
    assert_eq!((added, cow.n_columns()), (base.n_columns(), base.n_columns() + 1));
    assert_eq!(cow.get(0, 3).unwrap(), Some(1.0));
    let short: ArrayRef = Arc::new(arrow_array::Int32Array::from(vec![1; 2]));
    assert!(cow.set_column("short", short).is_err(), "a column of another length is refused");
    assert_eq!(base, before, "the base is untouched");
}
