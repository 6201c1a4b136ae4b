//! Views are bounded to their split, share the base's buffers, and cost O(columns) bytes.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int32Array};
use isolation_core::{Cursor, IsolatedData, IsolationMode, Split, SplitSpec};
use isolation_view::DataView;
use proptest::prelude::*;
use timeseries_array::TimeFrame;

/// Row `i` has timestamp `i * 10`, close `i` and an i32 volume `i`.
fn base(n_rows: usize) -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| i as f64)));
    let volume: ArrayRef = Arc::new(Int32Array::from_iter_values(0..n_rows as i32));
    TimeFrame::try_new(
        (0..n_rows as i64).map(|i| i * 10).collect::<Vec<_>>(),
        vec![("close".into(), close), ("volume".into(), volume)],
    )
    .unwrap()
}

fn assert_bounded(view: &DataView, base_rows: std::ops::Range<usize>) -> Result<(), TestCaseError> {
    let n = view.n_rows();
    prop_assert_eq!(n, base_rows.len());
    let expect: Vec<i64> = base_rows.clone().map(|r| r as i64 * 10).collect();
    prop_assert_eq!(view.timestamps(), expect.as_slice());
    for column in 0..2 {
        prop_assert_eq!(view.value_f64(column, n), None);
        prop_assert_eq!(view.value_f64(column, usize::MAX), None);
        prop_assert!(view.column_f64(column, 0..n + 1).is_err());
        prop_assert!(view.column_f64(column, n + 1..n + 1).is_err());
        let all = view.column_f64(column, 0..n).unwrap();
        prop_assert_eq!(all.len(), n);
        if let Some(first) = all.first() {
            prop_assert_eq!(*first, base_rows.start as f64);
        }
    }
    prop_assert!(view.slice(0..n + 1).is_err());
    prop_assert_eq!(view.to_frame().n_rows(), n);
    prop_assert_eq!(view.f64_column("close").unwrap().len(), n);
    Ok(())
}

proptest! {
    #[test]
    fn views_never_expose_rows_outside_their_split(n_rows in 2usize..400, ratio in 0.01f64..0.99, batch in 1usize..50) {
        let base = base(n_rows);
        let ranges = SplitSpec::Ratio(ratio).resolve(base.timestamps());
        prop_assume!(ranges.is_ok(), "a ratio that leaves one side empty is refused, not split");
        let ranges = ranges.unwrap();
        let first_test_timestamp = ranges.range(Split::Test).start as i64 * 10;
        for split in [Split::Train, Split::Test] {
            let rows = ranges.range(split);
            let view = DataView::new(&base, rows.clone(), split).unwrap();
            assert_bounded(&view, rows.clone())?;
            // Batches cover the view exactly once, in order, each bounded.
            let mut next = rows.start;
            for b in view.batches(batch).unwrap() {
                prop_assert!(b.n_rows() <= batch && b.n_rows() > 0);
                assert_bounded(&b, next..next + b.n_rows())?;
                prop_assert_eq!(b.base_offset(), next);
                next += b.n_rows();
            }
            prop_assert_eq!(next, rows.end);
            // Every bar a cursor shows, and every window it offers, lies on the view's side of the cut: a
            // train cursor never reaches a test row, a test cursor never a train row.
            let mut cursor = Cursor::new(&view);
            let mut bars = 0;
            while let Some(bar) = cursor.current() {
                let window = cursor.window(batch);
                let (first, last) = (window.timestamps()[0], *window.timestamps().last().unwrap());
                prop_assert_eq!(last, bar.timestamp());
                match split {
                    Split::Train => prop_assert!(last < first_test_timestamp, "train bar at {}", last),
                    _ => prop_assert!(first >= first_test_timestamp, "test window from {}", first),
                }
                bars += 1;
                cursor.advance();
            }
            prop_assert_eq!(bars, rows.len());
        }
    }

    #[test]
    fn deep_copy_reads_the_same_and_shares_nothing(n_rows in 2usize..300, start in 0usize..300, len in 0usize..300) {
        let base = base(n_rows);
        let start = start % n_rows;
        let rows = start..(start + len).min(n_rows);
        let view = DataView::new(&base, rows.clone(), Split::Test).unwrap();
        let copy = DataView::deep_copy(&base, rows.clone(), Split::Test).unwrap();
        prop_assert_eq!(copy.mode(), IsolationMode::DeepCopy);
        prop_assert_eq!(copy.to_frame(), view.to_frame());
        prop_assert_eq!(copy.footprint().shared_bytes, 0);
        assert_bounded(&copy, rows)?;
    }
}

#[test]
fn a_view_points_into_the_base_and_owns_almost_nothing() {
    let base = base(1_000_000);
    let view = DataView::new(&base, 700_000..1_000_000, Split::Test).unwrap();
    let all = base.f64_column("close").unwrap().as_ptr_range();
    let part = view.f64_column("close").unwrap().as_ptr_range();
    assert!(all.start <= part.start && part.end <= all.end, "the view's values lie inside the base's");

    let footprint = view.footprint();
    assert!(footprint.owned_bytes < 4096, "a view owns O(columns) bytes, got {footprint:?}");
    // The view keeps the base's three allocations alive: 8 MB index, 8 MB close, 4 MB volume.
    assert!(footprint.shared_bytes >= 20_000_000, "{footprint:?}");

    let copy = DataView::deep_copy(&base, 700_000..1_000_000, Split::Test).unwrap();
    let copied = copy.footprint();
    assert!(copied.owned_bytes >= 300_000 * 20, "a copy owns its rows, got {copied:?}");
}

#[test]
fn info_describes_the_split() {
    let base = base(10);
    let view = DataView::new(&base, 7..10, Split::Test).unwrap();
    let info = view.info();
    assert_eq!(info.n_rows, 3);
    assert_eq!(info.split, Split::Test);
    assert_eq!(
        info.columns,
        vec![("close".to_string(), "f64".to_string()), ("volume".to_string(), "i32".to_string())]
    );
    assert_eq!((info.first_timestamp, info.last_timestamp), (Some(70), Some(90)));
}
