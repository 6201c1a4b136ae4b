//! Folds through the handler: every symbol cut at the same instants, train never holds a test bar, and the
//! warm-up is history only.

use std::collections::HashSet;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use isolation::{
    DataHandler, FoldSpec, IsolatedData, IsolationMode, Length, PurgedKFold, TimeFrame, WalkForward,
    available_modes,
};
use proptest::prelude::*;

use crate::ran::Ran;

const DAY: i64 = 86_400_000_000_000;

/// Daily bars on `days` (sorted, unique day numbers), close = day number.
fn daily(days: &[i64]) -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values(days.iter().map(|&d| d as f64)));
    TimeFrame::try_new(days.iter().map(|d| d * DAY).collect::<Vec<_>>(), vec![("close".into(), close)])
        .unwrap()
}

fn handler(mode: IsolationMode, calendars: &[Vec<i64>]) -> DataHandler {
    let mut handler = DataHandler::new(mode);
    for (i, days) in calendars.iter().enumerate() {
        handler.load(&format!("S{i}"), daily(days)).unwrap();
    }
    handler
}

fn timestamps_of(data: &dyn IsolatedData, skip: usize) -> Vec<i64> {
    data.timestamps()[skip..].to_vec()
}

#[test]
fn walk_forward_in_time_cuts_every_symbol_at_the_same_instant() {
    // S0 trades every day, S1 only on weekdays (days 5 and 6 of each week missing).
    let every_day: Vec<i64> = (0..200).collect();
    let weekdays: Vec<i64> = (0..200).filter(|d| d % 7 < 5).collect();
    let handler = handler(IsolationMode::View, &[every_day, weekdays]);
    let spec = FoldSpec::WalkForward("train=60d,test=20d,step=20d".parse().unwrap());
    let plan = handler.fold_plan(&spec, Length::Rows(0)).unwrap();
    assert_eq!(plan.len(), 7);
    for fold in handler.folds(&spec, Length::Rows(0)).unwrap() {
        let fold = fold.unwrap();
        let firsts: Vec<i64> = fold.symbols.iter().map(|s| s.test[0].data.timestamps()[0]).collect();
        // Each symbol's test starts at its first bar at or after the same instant.
        let instant = (60 + 20 * fold.index as i64) * DAY;
        for first in firsts {
            assert!(first >= instant && first < instant + 3 * DAY, "fold {}: {first}", fold.index);
        }
    }
}

/// Cases that reached their checks, per spec kind (`ran.rs`): calendars too short for a fold are skipped.
/// Counted once per mode, so a mode whose folds always failed would pull the share down.
static FOLDS_RAN: Ran<2> = Ran::new();

#[test]
fn train_never_holds_a_test_bar_and_warmup_is_history() {
    fold_cases();
    FOLDS_RAN.assert_each_ran(["walk-forward", "purged k-fold"], 0.5 * available_modes().len() as f64);
}

proptest! {
    fn fold_cases(
        skips in prop::collection::vec(prop::collection::btree_set(0i64..400, 0..80), 1..3),
        k in 2usize..6,
        warmup in 0usize..10,
    ) {
        FOLDS_RAN.case();
        let calendars: Vec<Vec<i64>> = skips.iter().map(|skip| (0..400).filter(|d| !skip.contains(d)).collect()).collect();
        for mode in available_modes() {
            let handler = handler(mode, &calendars);
            let specs = [
                FoldSpec::WalkForward(WalkForward::new(Length::days(50), Length::days(20)).with_gap(Length::days(1))),
                FoldSpec::PurgedKFold(PurgedKFold::new(k).with_purge_embargo(Length::days(2), Length::days(3))),
            ];
            for (kind, spec) in specs.iter().enumerate() {
                let Ok(folds) = handler.folds(spec, Length::Rows(warmup)) else { continue };
                FOLDS_RAN.ran(kind);
                for fold in folds {
                    let fold = fold.unwrap();
                    for symbol in &fold.symbols {
                        let train: HashSet<i64> = symbol.train.iter().flat_map(|s| timestamps_of(s.data.as_ref(), 0)).collect();
                        for segment in &symbol.test {
                            let test = timestamps_of(segment.data.as_ref(), segment.warmup_rows);
                            prop_assert!(test.iter().all(|t| !train.contains(t)), "a test bar is in train");
                            if matches!(spec, FoldSpec::WalkForward(_)) {
                                prop_assert!(train.iter().all(|t| *t < test[0]));
                            }
                            // The cursor starts at the first test bar; windows reach back only.
                            let mut cursor = segment.cursor();
                            prop_assert_eq!(cursor.current().map(|b| b.timestamp()), test.first().copied());
                            while let Some(bar) = cursor.current() {
                                let window = cursor.window(warmup + 2);
                                prop_assert!(window.timestamps().iter().all(|t| *t <= bar.timestamp()));
                                cursor.advance();
                            }
                        }
                    }
                }
            }
        }
    }
}
