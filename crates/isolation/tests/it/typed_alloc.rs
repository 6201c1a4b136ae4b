//! Walking integer and float columns through typed handles allocates nothing, in every backend (copy-on-write
//! with copied chunks included): the per-bar read is a slice index, never a conversion into a new buffer.
//! The counting allocator is this test binary's global allocator (`main.rs`), so every heap call of the
//! measuring thread is seen.
#![cfg(all(feature = "cow", feature = "shm"))]

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array, UInt32Array};
use isolation::{CowConfig, DataHandler, IsolationMode, Split, SplitSpec, TimeFrame};
use memtrack::alloc::measure;

fn frame(n_rows: usize) -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| i as f64)));
    let volume: ArrayRef = Arc::new(UInt32Array::from_iter_values((0..n_rows).map(|i| i as u32)));
    let trades: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n_rows).map(|i| i as i64 * 3)));
    let columns = vec![("close".into(), close), ("volume".into(), volume), ("trades".into(), trades)];
    TimeFrame::try_new((0..n_rows as i64).collect::<Vec<_>>(), columns).unwrap()
}

#[test]
fn walking_integer_columns_through_handles_allocates_nothing() {
    let n_rows = 50_000;
    for mode in IsolationMode::ALL {
        let mut handler = DataHandler::new(mode).with_cow_config(CowConfig::try_new(1024).unwrap());
        handler.load("S", frame(n_rows)).unwrap();
        handler.setup_split(SplitSpec::Ratio(0.5)).unwrap();
        let mut test = handler.data_for("S", Split::Test).unwrap();
        if mode == IsolationMode::CopyOnWrite {
            let frame = test.cow_mut().unwrap();
            for row in (0..frame.n_rows()).step_by(5_000) {
                frame.set_value(1, row, 7.0).unwrap(); // chunked volume column
            }
        }
        let volume = test.column::<u32>("volume").unwrap();
        let trades = test.column::<i64>("trades").unwrap();
        let close = test.column::<f64>("close").unwrap();
        let ((volume_sum, trades_sum, windows), stats) = measure(|| {
            let mut cursor = test.cursor();
            let (mut volume_sum, mut trades_sum, mut windows) = (0_u64, 0_i64, 0.0);
            while let Some(bar) = cursor.current() {
                volume_sum += u64::from(bar.get(&volume));
                trades_sum += bar.get(&trades);
                windows += cursor.window(10).values(&close).iter().sum::<f64>();
                cursor.advance();
            }
            (volume_sum, trades_sum, windows)
        });
        // The test rows are 25,000..50,000; copy-on-write set every 5,000th test row's volume to 7.
        let first = n_rows / 2;
        let expected_trades: i64 = (first as i64..n_rows as i64).map(|i| i * 3).sum();
        let written = |i: usize| mode == IsolationMode::CopyOnWrite && (i - first).is_multiple_of(5_000);
        let expected_volume: u64 = (first..n_rows).map(|i| if written(i) { 7 } else { i as u64 }).sum();
        // A window of 10 ends at the current bar and starts no earlier than the first test bar (no warm-up).
        let expected_windows: f64 = (first..n_rows)
            .map(|i| (i.saturating_sub(9).max(first)..=i).map(|j| j as f64).sum::<f64>())
            .sum();
        assert_eq!(trades_sum, expected_trades, "{mode}");
        assert_eq!(volume_sum, expected_volume, "{mode}");
        assert_eq!(windows, expected_windows, "{mode}");
        assert_eq!(stats.n_allocations, 0, "{mode}: the walk allocated {stats:?}");
    }
}
