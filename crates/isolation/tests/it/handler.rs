//! The data handler: splits in every mode, never touches the loaded frames, reports memory honestly.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, UInt32Array};
use isolation::{
    DataHandler, EmptySide, IsolationError, IsolationMode, Split, SplitOptions, SplitSpec, TimeFrame,
    available_modes, error_chain,
};
use proptest::prelude::*;

fn bars(n_rows: usize, seed: u64) -> TimeFrame {
    let close: ArrayRef =
        Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| ((i as u64 * 31 + seed) % 97) as f64)));
    let volume: ArrayRef = Arc::new(UInt32Array::from_iter_values((0..n_rows as u32).map(|i| i * 3)));
    TimeFrame::try_new(
        (0..n_rows as i64).map(|i| 1_600_000_000_000_000_000 + i * 60_000_000_000).collect::<Vec<_>>(),
        vec![("close".into(), close), ("volume".into(), volume)],
    )
    .unwrap()
}

fn handler(mode: IsolationMode, rows: &[usize]) -> DataHandler {
    let mut handler = DataHandler::new(mode);
    for (i, &n) in rows.iter().enumerate() {
        handler.load(&format!("SYM{i}"), bars(n, i as u64)).unwrap();
    }
    handler
}

/// Bars from minute `start` on, `n_rows` of them: symbols with different calendars.
fn bars_from(start: i64, n_rows: usize, seed: u64) -> TimeFrame {
    let frame = bars(n_rows, seed);
    let timestamps: Vec<i64> = frame.timestamps().iter().map(|t| t + start * 60_000_000_000).collect();
    let columns = frame.column_names().into_iter().map(|c| (c.to_string(), frame.column(c).unwrap().clone()));
    TimeFrame::try_new(timestamps, columns.collect()).unwrap()
}

proptest! {
    #[test]
    fn loaded_frames_are_unchanged_by_every_modes_split(
        symbols in prop::collection::vec((0i64..400, 2usize..300), 1..4),
        ratio in 0.05f64..0.95,
    ) {
        for mode in available_modes() {
            let mut handler = DataHandler::new(mode);
            for (i, &(start, n)) in symbols.iter().enumerate() {
                handler.load(&format!("SYM{i}"), bars_from(start, n, i as u64)).unwrap();
            }
            let before: Vec<TimeFrame> = handler.symbols().iter().map(|s| handler.base(s).unwrap().deep_copy()).collect();
            let cut = handler.setup_split(SplitSpec::Ratio(ratio));
            // With at least two distinct instants a ratio in (0.05, 0.95) may still round to an empty side.
            prop_assume!(cut.is_ok());
            let cut = cut.unwrap();
            for (symbol, before) in handler.symbols().into_iter().zip(&before) {
                prop_assert_eq!(handler.base(symbol).unwrap(), before);
                let train = handler.data_for(symbol, Split::Train).unwrap();
                let test = handler.data_for(symbol, Split::Test).unwrap();
                prop_assert_eq!(train.mode(), mode);
                prop_assert_eq!(train.n_rows() + test.n_rows(), before.n_rows());
                // One cut for every symbol: train before it, test at or after it.
                prop_assert!(train.timestamps().iter().all(|&t| t < cut.instant));
                prop_assert!(test.timestamps().iter().all(|&t| t >= cut.instant));
                prop_assert_eq!(&train.to_frame(), &before.slice(0..train.n_rows()).unwrap());
                prop_assert_eq!(&test.to_frame(), &before.slice(train.n_rows()..before.n_rows()).unwrap());
            }
        }
    }
}

#[test]
fn views_add_nothing_and_copies_add_their_rows() {
    let mut view = handler(IsolationMode::View, &[10_000, 20_000]);
    view.setup_split(SplitSpec::Ratio(0.7)).unwrap();
    let report = view.memory_report();
    assert_eq!(report.distinct.total_bytes(), report.base_bytes, "base + train + test views = base bytes");
    assert_eq!(report.split_overhead_bytes(), 0);
    assert!(report.naive_sum_bytes >= 3 * report.base_bytes, "the naive sum counts the base three times");
    for s in &report.symbols {
        assert!(s.train.owned_bytes < 4096 && s.test.owned_bytes < 4096, "{s:?}");
    }

    let mut copy = handler(IsolationMode::DeepCopy, &[10_000, 20_000]);
    copy.setup_split(SplitSpec::Ratio(0.7)).unwrap();
    let report = copy.memory_report();
    // 30 000 rows of 8 + 8 + 4 bytes copied once more (allocations round up to 64 bytes).
    let copied = report.split_overhead_bytes();
    assert!((600_000..600_000 + 1024).contains(&copied), "copied {copied}");
}

#[test]
fn memory_report_snapshot() {
    let mut handler = handler(IsolationMode::View, &[1000, 400]);
    handler.setup_split(SplitSpec::Ratio(0.75)).unwrap();
    // Owned bytes are the views' bookkeeping (Arrow array headers), fixed for a given Arrow version.
    insta::assert_snapshot!(handler.memory_report().to_string());
}

#[test]
fn errors_name_the_symbol_and_the_problem() {
    let mut handler = handler(IsolationMode::View, &[100, 3]);
    let strict = SplitOptions::new().with_empty_side(EmptySide::Error);
    let messages = [
        error_chain(&handler.data_for("SYM0", Split::Train).unwrap_err()),
        error_chain(&handler.data("ETHUSD").unwrap_err()),
        error_chain(&handler.set_active_split(Split::Test).unwrap_err()),
        error_chain(&handler.setup_split_with(SplitSpec::Ratio(0.2), strict).unwrap_err()),
        error_chain(&handler.setup_split(SplitSpec::Date(0)).unwrap_err()),
        "cow".parse::<IsolationMode>().map(|m| m.to_string()).unwrap_or_else(|e| e.to_string()),
        "copy".parse::<IsolationMode>().unwrap_err().to_string(),
    ];
    insta::assert_snapshot!(messages.join("\n"));
    // A failed setup changes nothing.
    assert!(handler.split_ranges("SYM0").unwrap().is_none());
}

#[test]
fn loading_after_setup_splits_the_new_symbol_and_a_bad_load_registers_nothing() {
    let mut handler = handler(IsolationMode::View, &[100]);
    handler
        .setup_split_with(SplitSpec::Index(50), SplitOptions::new().with_empty_side(EmptySide::Error))
        .unwrap();
    handler.load("LATE", bars(80, 9)).unwrap();
    assert_eq!(handler.data_for("LATE", Split::Test).unwrap().n_rows(), 30);
    assert!(matches!(handler.load("SHORT", bars(20, 1)), Err(IsolationError::ForSymbol { .. })));
    assert_eq!(handler.symbols(), vec!["LATE", "SYM0"]);
    handler.set_active_split(Split::Full).unwrap();
    assert_eq!(handler.data("LATE").unwrap().n_rows(), 80);
}

#[cfg(feature = "shm")]
#[test]
fn shared_memory_splits_are_views_of_mapped_pages() {
    let mut handler = handler(IsolationMode::SharedMemory, &[5_000]);
    handler.setup_split(SplitSpec::Ratio(0.7)).unwrap();
    let names = handler.segment_names();
    assert_eq!(names.len(), 1);
    let report = handler.memory_report();
    assert!(report.mapped_bytes > 0, "{report}");
    let attached = isolation::shm::attach(names[0].1).unwrap();
    assert_eq!(attached.frame(), handler.base("SYM0").unwrap());
    let test = handler.data_for("SYM0", Split::Test).unwrap();
    assert_eq!(test.mode(), IsolationMode::SharedMemory);
    assert_eq!(test.n_rows(), 1_500);
}
