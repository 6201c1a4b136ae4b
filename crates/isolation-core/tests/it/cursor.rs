//! The cursor never shows a bar after its current one, whatever sequence of moves it makes.

use std::ops::Range;

use isolation_core::{ColumnChunk, ColumnLayout, Cursor, IsolatedData, IsolationMode, Split};
use memtrack::{BufferSet, Footprint};
use proptest::prelude::*;
use timeseries_array::{TimeFrame, TimestampNs, ValueType};

/// The smallest dataset: row `i` has timestamp `i` and value `i`.
#[derive(Debug)]
struct Rows(Vec<i64>);

impl IsolatedData for Rows {
    fn mode(&self) -> IsolationMode {
        IsolationMode::View
    }
    fn split(&self) -> Split {
        Split::Test
    }
    fn n_rows(&self) -> usize {
        self.0.len()
    }
    fn timestamps(&self) -> &[TimestampNs] {
        &self.0
    }
    fn column_names(&self) -> Vec<&str> {
        vec!["value"]
    }
    fn value_type(&self, column_idx: usize) -> Option<ValueType> {
        (column_idx == 0).then_some(ValueType::Int64)
    }
    fn column_layout(&self, column_idx: usize) -> Option<ColumnLayout<'_>> {
        let values = arrow_buffer::ToByteSlice::to_byte_slice(self.0.as_slice());
        let chunk = ColumnChunk { values, validity: None, len: self.0.len() };
        (column_idx == 0).then_some(ColumnLayout {
            name: "value",
            value_type: ValueType::Int64,
            base: chunk,
            copied: None,
        })
    }
    fn value_f64(&self, column_idx: usize, row: usize) -> Option<f64> {
        (column_idx == 0).then(|| self.0.get(row).map(|&t| t as f64)).flatten()
    }
    fn footprint(&self) -> Footprint {
        Footprint::owned((self.0.len() * 8) as u64)
    }
    fn add_buffers_to(&self, _set: &mut BufferSet) {}
    fn to_frame(&self) -> TimeFrame {
        unreachable!("not used by these tests")
    }
}

#[derive(Debug, Clone)]
enum Move {
    Advance,
    Reset,
    Window(usize),
}

fn moves() -> impl Strategy<Value = Vec<Move>> {
    prop::collection::vec(
        prop_oneof![
            4 => Just(Move::Advance),
            1 => Just(Move::Reset),
            3 => (0usize..40).prop_map(Move::Window),
        ],
        0..120,
    )
}

/// A window of `n` bars asked for at row `current` is exactly the `min(n, current + 1)` rows ending at the
/// current one: nothing after it, nothing skipped.
fn assert_window_within(rows: Range<usize>, current: usize, n: usize) -> Result<(), TestCaseError> {
    prop_assert!(rows.end <= current + 1, "window {rows:?} reaches past current row {current}");
    if n > 0 {
        prop_assert_eq!(rows.end, current + 1, "a window ends at the current bar");
    }
    prop_assert_eq!(
        rows.start,
        (current + 1).saturating_sub(n),
        "window {:?} for {} bars at row {}",
        rows,
        n,
        current
    );
    Ok(())
}

proptest! {
    #[test]
    fn window_never_contains_a_row_after_the_current_one(n_rows in 0usize..60, warmup in 0usize..10, moves in moves()) {
        let data = Rows((0..n_rows as i64).collect());
        let mut cursor = Cursor::with_warmup(&data, warmup);
        for m in moves {
            match m {
                Move::Advance => { cursor.advance(); }
                Move::Reset => cursor.reset(),
                Move::Window(n) => {
                    let window = cursor.window(n);
                    match cursor.current() {
                        Some(bar) => {
                            assert_window_within(window.rows(), bar.row(), n)?;
                            prop_assert_eq!(window.len(), n.min(bar.row() + 1));
                            // Values agree with the rows, and the last one is the current bar.
                            let values = window.column(0).unwrap();
                            for (i, v) in values.iter().enumerate() {
                                prop_assert_eq!(*v, (window.rows().start + i) as f64);
                            }
                            if n > 0 {
                                prop_assert_eq!(window.timestamps().last().copied(), Some(bar.timestamp()));
                            }
                            prop_assert!(window.bar(window.len()).is_none());
                        }
                        None => prop_assert!(window.is_empty()),
                    }
                }
            }
            if let Some(bar) = cursor.current() {
                prop_assert!(bar.row() >= warmup.min(n_rows));
                prop_assert_eq!(cursor.position(), bar.row() - warmup.min(n_rows));
            }
        }
    }
}

#[test]
fn walks_every_bar_once_then_stops() {
    let data = Rows((0..5).collect());
    let mut cursor = Cursor::new(&data);
    let mut seen = Vec::new();
    while let Some(bar) = cursor.current() {
        seen.push(bar.timestamp());
        cursor.advance();
    }
    assert_eq!(seen, vec![0, 1, 2, 3, 4]);
    assert!(cursor.is_exhausted());
    assert!(!cursor.advance());
    cursor.reset();
    assert_eq!(cursor.current().map(|b| b.row()), Some(0));
    assert_eq!(cursor.len(), 5);
}

#[test]
fn warmup_is_history_not_bars() {
    let data = Rows((0..10).collect());
    let cursor = Cursor::with_warmup(&data, 3);
    assert_eq!(cursor.len(), 7);
    assert_eq!(cursor.current().map(|b| b.row()), Some(3));
    assert_eq!(cursor.window(5).rows(), 0..4);
    assert_eq!(Cursor::with_warmup(&data, 20).current().map(|b| b.row()), None);
}
