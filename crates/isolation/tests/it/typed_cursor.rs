//! The typed read path keeps the cursor's guarantee in every backend: a bar, a window and a typed handle
//! read through the cursor never reach a row after the current bar, and read exactly the rows they name.
#![cfg(all(feature = "cow", feature = "shm"))]

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, UInt32Array};
use isolation::{
    CowConfig, DataHandler, IsolationError, IsolationMode, Length, Split, SplitOptions, SplitSpec, TimeFrame,
};
use proptest::prelude::*;

/// Bars whose `close` is the row number and whose `volume` is the row number (u32), with a null volume
/// every `null_every` rows (0: none).
fn frame(n_rows: usize, null_every: usize) -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| i as f64)));
    let volume: ArrayRef = Arc::new(UInt32Array::from_iter(
        (0..n_rows).map(|i| (null_every == 0 || !i.is_multiple_of(null_every)).then_some(i as u32)),
    ));
    let ts: Vec<i64> = (0..n_rows as i64).collect();
    TimeFrame::try_new(ts, vec![("close".into(), close), ("volume".into(), volume)]).unwrap()
}

#[derive(Debug, Clone)]
enum Move {
    Advance,
    Reset,
    Seek(usize),
    Window(usize),
}

fn moves() -> impl Strategy<Value = Vec<Move>> {
    prop::collection::vec(
        prop_oneof![
            6 => Just(Move::Advance),
            1 => Just(Move::Reset),
            1 => (0usize..400).prop_map(Move::Seek),
            3 => (0usize..200).prop_map(Move::Window),
        ],
        0..150,
    )
}

/// The close a row holds: its row number in the base, or `-(row + 1)` where a copy-on-write write changed it.
fn expected_close(base_row: usize, written: &[usize]) -> f64 {
    if written.contains(&base_row) { -(base_row as f64) - 1.0 } else { base_row as f64 }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn typed_reads_never_pass_the_current_bar(
        n_rows in 20usize..600,
        ratio in 0.2f64..0.8,
        warmup in 0usize..40,
        mode_idx in 0usize..4,
        chunk_shift in 3u32..8,
        writes in prop::collection::vec(0usize..600, 0..12),
        moves in moves(),
    ) {
        let mode = IsolationMode::ALL[mode_idx];
        let mut handler = DataHandler::new(mode).with_cow_config(CowConfig::try_new(1 << chunk_shift).unwrap());
        handler.load("S", frame(n_rows, 7)).unwrap();
        // Copy-on-write splits are written below, which needs a split without warm-up.
        let warmup = if mode == IsolationMode::CopyOnWrite { 0 } else { warmup };
        handler.setup_split_with(SplitSpec::Ratio(ratio), SplitOptions::new().with_warmup(Length::Rows(warmup))).unwrap();
        let ranges = handler.split_ranges("S").unwrap().unwrap().clone();
        let mut test = handler.data_for("S", Split::Test).unwrap();
        let test_start = ranges.range(Split::Test).start;
        let mut written = Vec::new();
        if mode == IsolationMode::CopyOnWrite && test.n_rows() > 0 {
            let frame = test.cow_mut().unwrap();
            for &row in &writes {
                let row = row % frame.n_rows();
                frame.set_value(0, row, -((test_start + row) as f64) - 1.0).unwrap();
                written.push(test_start + row);
            }
        }
        let warmup_rows = test.warmup_rows();
        // The base row of history row 0 (the cursor's rows are history rows: warm-up then test).
        let first_base_row = test_start - warmup_rows;

        let close = test.column::<f64>("close").unwrap();
        let volume = test.nullable_column::<u32>("volume").unwrap();
        let refused = matches!(test.column::<u32>("volume"), Err(IsolationError::NullValues { .. }));
        let walked_has_null = (first_base_row..ranges.range(Split::Test).end).any(|r| r.is_multiple_of(7));
        prop_assert_eq!(refused, walked_has_null, "a column with nulls needs nullable_column");
        let mut cursor = test.cursor();
        for step in moves {
            match step {
                Move::Advance => { cursor.advance(); }
                Move::Reset => cursor.reset(),
                Move::Seek(p) => {
                    let reached = cursor.seek(p);
                    prop_assert!(reached <= p && (cursor.is_empty() || reached < cursor.len()));
                }
                Move::Window(n) => {
                    let window = cursor.window(n);
                    let values = window.values(&close);
                    prop_assert_eq!(values.len(), window.len());
                    let current = cursor.current().map(|bar| bar.row());
                    for (i, &value) in values.iter().enumerate() {
                        let row = window.rows().start + i;
                        prop_assert!(current.is_some_and(|c| row <= c), "window row {row} past {current:?}");
                        prop_assert_eq!(value, expected_close(first_base_row + row, &written));
                    }
                    // A window over untouched rows borrows (views, copies and shm always).
                    if mode != IsolationMode::CopyOnWrite {
                        prop_assert!(matches!(values, std::borrow::Cow::Borrowed(_)));
                    }
                }
            }
            if let Some(bar) = cursor.current() {
                let row = bar.row();
                prop_assert!(row >= warmup_rows, "a warm-up row is never a tradable bar");
                prop_assert_eq!(bar.get(&close), expected_close(first_base_row + row, &written));
                let base_row = first_base_row + row;
                prop_assert_eq!(bar.get(&volume), (!base_row.is_multiple_of(7)).then_some(base_row as u32));
                prop_assert_eq!(bar.timestamp(), base_row as i64);
            }
        }
    }
}

#[test]
fn a_wrong_type_names_the_column_and_both_types() {
    let mut handler = DataHandler::new(IsolationMode::View);
    handler.load("S", frame(10, 0)).unwrap();
    let data = handler.data_for("S", Split::Full).unwrap();
    let error = data.column::<i64>("volume").unwrap_err().to_string();
    assert_eq!(error, "column `volume` is u32, not i64");
    assert!(data.column::<u32>("volume").is_ok());
    assert!(data.column::<f64>("missing").is_err());
}

/// Train and test of 100 rows split in half, as views.
fn halves() -> (isolation::SplitData, isolation::SplitData) {
    let mut handler = DataHandler::new(IsolationMode::View);
    handler.load("S", frame(100, 0)).unwrap();
    handler.setup_split(SplitSpec::Ratio(0.5)).unwrap();
    (handler.data_for("S", Split::Train).unwrap(), handler.data_for("S", Split::Test).unwrap())
}

#[test]
#[should_panic(expected = "resolved from another dataset")]
fn a_handle_from_other_rows_cannot_be_read_through_a_cursor() {
    let (train, test) = halves();
    let test_close = test.column::<f64>("close").unwrap();
    let cursor = train.cursor();
    // Train row 0 read through a test handle would be test row 0: a later row. Refused.
    let _ = cursor.current().unwrap().get(&test_close);
}

#[test]
fn try_get_and_try_values_return_a_foreign_handle_as_an_error() {
    let (train, test) = halves();
    let test_close = test.column::<f64>("close").unwrap();
    let mut cursor = train.cursor();
    let own = cursor.column::<f64>("close").unwrap();
    cursor.seek(10);
    let bar = cursor.current().unwrap();
    assert_eq!(bar.try_get(&own).unwrap(), bar.get(&own));
    let error = bar.try_get(&test_close).unwrap_err();
    assert!(matches!(&error, IsolationError::ForeignHandle { column } if column == "close"), "{error}");
    let window = cursor.window(5);
    assert_eq!(window.try_values(&own).unwrap(), window.values(&own));
    assert!(matches!(window.try_values(&test_close), Err(IsolationError::ForeignHandle { .. })));
}

#[test]
fn batches_of_zero_rows_are_an_error() {
    let mut handler = DataHandler::new(IsolationMode::View);
    handler.load("S", frame(10, 0)).unwrap();
    let data = handler.data_for("S", Split::Full).unwrap();
    let error = data.batches(0).err().expect("0 rows per batch is refused");
    assert_eq!(error.to_string(), "`batch_rows` must be at least 1 (rows per batch)");
    assert_eq!(data.batches(4).unwrap().map(|b| b.n_rows()).collect::<Vec<_>>(), [4, 4, 2]);
}

#[test]
fn only_copy_on_write_splits_without_warmup_are_writable() {
    for mode in IsolationMode::ALL {
        let mut handler = DataHandler::new(mode);
        handler.load("S", frame(100, 0)).unwrap();
        handler.setup_split(SplitSpec::Ratio(0.5)).unwrap();
        let mut test = handler.data_for("S", Split::Test).unwrap();
        let writable = test.cow_mut().map(|frame| frame.set_value(0, 0, -1.0));
        assert_eq!(writable.is_ok(), mode == IsolationMode::CopyOnWrite, "{mode}");
        if mode == IsolationMode::CopyOnWrite {
            assert_eq!(test.value_f64(0, 0), Some(-1.0), "the writer sees its write");
            let again = handler.data_for("S", Split::Test).unwrap();
            assert_eq!(again.value_f64(0, 0), Some(50.0), "the handler's split is never written");
        }
        handler
            .setup_split_with(SplitSpec::Ratio(0.5), SplitOptions::new().with_warmup(Length::Rows(5)))
            .unwrap();
        let mut warm = handler.data_for("S", Split::Test).unwrap();
        assert!(matches!(warm.cow_mut(), Err(IsolationError::NotWritable { .. })));
    }
}
