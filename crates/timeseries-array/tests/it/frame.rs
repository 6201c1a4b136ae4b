//! Construction, validation, slicing and accounting of `TimeFrame`.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use proptest::prelude::*;
use timeseries_array::{FrameError, TimeFrame};

fn f64s(values: &[f64]) -> ArrayRef {
    Arc::new(Float64Array::from(values.to_vec()))
}

fn frame(timestamps: &[i64]) -> TimeFrame {
    let close: Vec<f64> = (0..timestamps.len()).map(|i| i as f64).collect();
    TimeFrame::try_new(timestamps.to_vec(), vec![("close".into(), f64s(&close))]).unwrap()
}

/// Builds a frame from `timestamps` and one `close` column, expecting the error message `expect`.
fn check_error(timestamps: &[i64], columns: Vec<(&str, ArrayRef)>, expect: &str) {
    let columns = columns.into_iter().map(|(n, a)| (n.to_string(), a)).collect();
    let error = TimeFrame::try_new(timestamps.to_vec(), columns).unwrap_err();
    assert_eq!(error.to_string(), expect);
}

#[test]
fn construction_errors_name_the_column_and_row() {
    let three = f64s(&[1.0, 2.0, 3.0]);
    check_error(
        &[1, 2],
        vec![("close", three.clone())],
        "column `close` has 3 rows but the timestamp index has 2",
    );
    check_error(
        &[1, 2, 2],
        vec![("close", three.clone())],
        "duplicate timestamp 1970-01-01T00:00:00.000000002Z at row 2 (same as row 1); timestamps must be unique",
    );
    check_error(
        &[1, 5, 3],
        vec![("close", three.clone())],
        "timestamps are not sorted: row 2 has 1970-01-01T00:00:00.000000003Z, earlier than row 1's 1970-01-01T00:00:00.000000005Z; sort the data by time first",
    );
    check_error(
        &[1, 2, 3],
        vec![("symbol", Arc::new(StringArray::from(vec!["a", "b", "c"])))],
        "column `symbol` has type Utf8, which is not supported (use a signed or unsigned integer or a float)",
    );
    check_error(
        &[1, 2, 3],
        vec![("close", three.clone()), ("close", three)],
        "column name `close` appears twice",
    );
}

#[test]
fn error_messages_snapshot() {
    let f = frame(&[10, 20, 30]);
    let messages = [
        f.column("volume").unwrap_err().to_string(),
        f.slice(2..5).unwrap_err().to_string(),
        TimeFrame::try_new(
            vec![1, 2],
            vec![("v".into(), Arc::new(Int32Array::from(vec![1, 2])) as ArrayRef)],
        )
        .unwrap()
        .f64_column("v")
        .unwrap_err()
        .to_string(),
    ];
    insta::assert_snapshot!(messages.join("\n"));
}

#[test]
fn locate_finds_first_row_at_or_after() {
    let f = frame(&[10, 20, 30]);
    for (t, expect) in [(5, 0), (10, 0), (11, 1), (30, 2), (31, 3)] {
        assert_eq!(f.locate(t), expect, "locate({t})");
    }
}

#[test]
fn slice_shares_buffers_and_copy_does_not() {
    let f = frame(&(0..1000).collect::<Vec<_>>());
    let s = f.slice(100..200).unwrap();
    assert_eq!(s.n_rows(), 100);
    assert_eq!(s.timestamps()[0], 100);
    // Same allocation: the slice's values lie inside the base's.
    let base = f.f64_column("close").unwrap().as_ptr_range();
    let part = s.f64_column("close").unwrap().as_ptr_range();
    assert!(base.start <= part.start && part.end <= base.end);

    let copy = s.deep_copy();
    assert_eq!(copy, s);
    let copied = copy.f64_column("close").unwrap().as_ptr_range();
    assert!(copied.end <= base.start || copied.start >= base.end);
}

#[test]
fn footprint_is_owned_until_shared() {
    let f = frame(&(0..1000).collect::<Vec<_>>());
    // 1000 timestamps + 1000 f64 = 16000 bytes, Arrow rounds capacities to 64 bytes.
    let alone = f.footprint();
    assert_eq!(alone.shared_bytes, 0);
    assert!(alone.owned_bytes >= 16_000 && alone.owned_bytes < 16_000 + 256, "{alone:?}");

    let slice = f.slice(0..10).unwrap();
    assert_eq!(slice.footprint().owned_bytes, 0);
    assert_eq!(slice.footprint().shared_bytes, alone.owned_bytes);
    assert_eq!(f.footprint().owned_bytes, 0, "the base shares with its slice now");

    let copy = slice.deep_copy();
    let copied = copy.footprint();
    assert_eq!(copied.shared_bytes, 0);
    assert!(copied.owned_bytes >= 160 && copied.owned_bytes < 1024, "{copied:?}");
}

#[test]
fn record_batch_round_trip_moves_index_first() {
    let schema = Arc::new(Schema::new(vec![
        Field::new("close", DataType::Float64, false),
        Field::new("time", DataType::Int64, false),
    ]));
    let batch = RecordBatch::try_new(
        schema,
        vec![f64s(&[1.0, 2.0]), Arc::new(arrow_array::Int64Array::from(vec![5, 6]))],
    )
    .unwrap();
    let f = TimeFrame::try_from_record_batch(&batch, "time").unwrap();
    assert_eq!(f.timestamps(), &[5, 6]);
    assert_eq!(f.column_names(), vec!["close"]);
    assert!(matches!(
        TimeFrame::try_from_record_batch(&batch, "close"),
        Err(FrameError::UnsupportedTimestampType { .. })
    ));
    assert!(matches!(TimeFrame::try_from_record_batch(&batch, "ts"), Err(FrameError::UnknownColumn { .. })));
}

#[test]
fn series_round_trip() {
    let f = frame(&[1, 2, 3]);
    let s = f.series("close").unwrap();
    assert_eq!(s.value_f64(2), Some(2.0));
    assert_eq!(s.to_frame(), f);
}

proptest! {
    #[test]
    fn slice_sees_exactly_its_rows(n in 0usize..300, a in 0usize..300, b in 0usize..300) {
        let timestamps: Vec<i64> = (0..n as i64).map(|i| i * 7 + 3).collect();
        let f = frame(&timestamps);
        let (start, end) = (a.min(b), a.max(b));
        match f.slice(start..end) {
            Ok(s) => {
                prop_assert!(end <= n);
                prop_assert_eq!(s.timestamps(), &timestamps[start..end]);
                for row in 0..s.n_rows() {
                    prop_assert_eq!(s.value_f64(0, row), Some((start + row) as f64));
                }
                prop_assert_eq!(s.value_f64(0, s.n_rows()), None);
            }
            Err(_) => prop_assert!(end > n),
        }
    }

    #[test]
    fn locate_agrees_with_a_linear_scan(mut ts in proptest::collection::btree_set(-1000i64..1000, 0..50), probe in -1100i64..1100) {
        let ts: Vec<i64> = std::mem::take(&mut ts).into_iter().collect();
        let f = frame(&ts);
        let expect = ts.iter().position(|&t| t >= probe).unwrap_or(ts.len());
        prop_assert_eq!(f.locate(probe), expect);
    }
}

proptest! {
    /// A deep copy of any slice equals the slice, nulls included (validity bits at any bit offset), and
    /// shares no allocation with it.
    #[test]
    fn deep_copy_of_any_slice_is_equal_and_independent(
        values in prop::collection::vec(prop::option::weighted(0.8, any::<i32>()), 1..300),
        cut in any::<prop::sample::Index>(),
        len in any::<prop::sample::Index>(),
    ) {
        let n = values.len();
        let start = cut.index(n);
        let end = start + len.index(n - start + 1);
        let ints: ArrayRef = Arc::new(Int32Array::from(values));
        let f = TimeFrame::try_new((0..n as i64).collect::<Vec<_>>(), vec![("v".into(), ints)]).unwrap();
        let slice = f.slice(start..end).unwrap();
        let copy = slice.deep_copy();
        prop_assert_eq!(&copy, &slice);
        prop_assert_eq!(copy.footprint().shared_bytes, 0);
        prop_assert_eq!(copy.column_at(0).null_count(), slice.column_at(0).null_count());
    }
}
