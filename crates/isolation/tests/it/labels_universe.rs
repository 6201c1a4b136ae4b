//! Label-interval purging and point-in-time universes over several symbols: property tests that no train
//! label overlaps a test label (of the same symbol, or of any symbol when purging cross-sectionally), that
//! no fold holds a row of a symbol outside its membership, and table tests of the fold reports.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array};
use isolation::{
    CombinatorialPurgedCv, DataHandler, FoldOptions, FoldSpec, IsolationMode, LabelEnds, Length, PlannedFold,
    PurgedKFold, TimeFrame, Universe, WalkForward,
};
use proptest::prelude::*;

use crate::ran::Ran;

const MINUTE: i64 = 60_000_000_000;

/// A symbol: first bar at minute `start`, one bar every `step` minutes, and a `t1` label end per bar
/// `lengths[i]` minutes after it.
fn frame(start: i64, step: i64, lengths: &[i64]) -> TimeFrame {
    let n = lengths.len();
    let ts: Vec<i64> = (0..n as i64).map(|i| (start + i * step) * MINUTE).collect();
    let t1: Vec<i64> = ts.iter().zip(lengths).map(|(t, l)| t + l * MINUTE).collect();
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n).map(|i| i as f64)));
    let t1: ArrayRef = Arc::new(Int64Array::from(t1));
    TimeFrame::try_new(ts, vec![("close".into(), close), ("t1".into(), t1)]).unwrap()
}

fn symbols() -> impl Strategy<Value = Vec<(i64, i64, Vec<i64>)>> {
    let lengths = prop::collection::vec(prop_oneof![4 => 0i64..8, 1 => 0i64..80], 30..120);
    prop::collection::vec((0i64..100, 1i64..4, lengths), 1..4)
}

fn handler(symbols: &[(i64, i64, Vec<i64>)]) -> DataHandler {
    let mut handler = DataHandler::new(IsolationMode::View);
    for (i, (start, step, lengths)) in symbols.iter().enumerate() {
        handler.load(&format!("S{i}"), frame(*start, *step, lengths)).unwrap();
    }
    handler
}

/// (start, end) label intervals of `symbol`'s rows.
fn intervals(handler: &DataHandler, symbol: &str, rows: &std::ops::Range<usize>) -> Vec<(i64, i64)> {
    let frame = handler.base(symbol).unwrap();
    let t1 = frame.column("t1").unwrap().as_any().downcast_ref::<Int64Array>().unwrap();
    rows.clone().map(|r| (frame.timestamps()[r], t1.value(r))).collect()
}

/// No train label overlaps a test label: of the same symbol, or of any symbol when `cross_sectional`.
fn check_no_overlap(
    handler: &DataHandler,
    fold: &PlannedFold,
    cross_sectional: bool,
) -> Result<(), TestCaseError> {
    for s in &fold.symbols {
        let train: Vec<(i64, i64)> = s.train.iter().flat_map(|r| intervals(handler, &s.symbol, r)).collect();
        for other in fold.symbols.iter().filter(|o| cross_sectional || o.symbol == s.symbol) {
            for t in &other.test {
                for (ts, te) in intervals(handler, &other.symbol, &t.test) {
                    let hit = train.iter().find(|&&(s0, e0)| s0 <= te && e0 >= ts);
                    prop_assert!(
                        hit.is_none(),
                        "fold {}: {}'s train label {hit:?} overlaps {}'s test label ({ts}, {te})",
                        fold.index,
                        s.symbol,
                        other.symbol
                    );
                }
            }
        }
    }
    Ok(())
}

fn by_column(cross_sectional: bool) -> FoldOptions {
    FoldOptions::default().with_labels(LabelEnds::Column("t1".into())).cross_sectional(cross_sectional)
}

/// Cases that reached their checks (`ran.rs`): a universe that leaves no member for a fold is refused.
static MEMBERSHIP_RAN: Ran<1> = Ran::new();

#[test]
fn no_fold_holds_a_symbol_outside_its_membership() {
    membership_cases();
    // 35-40% of random universes leave members for the folds (the rest are refused): a quarter is the floor,
    // several standard deviations below.
    MEMBERSHIP_RAN.assert_each_ran(["universe folds"], 0.25);
}

proptest! {
    #[test]
    fn cv_train_labels_never_overlap_test_labels(
        symbols in symbols(), n_folds in 3usize..6, cross in any::<bool>(), embargo in 0usize..4,
    ) {
        let handler = handler(&symbols);
        let spec = FoldSpec::CombinatorialPurgedCv(
            CombinatorialPurgedCv::new(n_folds, 2).with_purge_embargo(Length::Rows(0), Length::Rows(embargo)),
        );
        let plan = handler.fold_plan_with(&spec, &by_column(cross));
        prop_assume!(plan.is_ok(), "purging can leave no fold at all");
        for fold in plan.unwrap() {
            check_no_overlap(&handler, &fold, cross)?;
        }
    }

    #[test]
    fn walk_forward_train_labels_never_reach_the_test(symbols in symbols(), train in 20i64..60, test in 5i64..30) {
        let handler = handler(&symbols);
        let wf = WalkForward::new(Length::Time(train * MINUTE), Length::Time(test * MINUTE));
        let plan = handler.fold_plan_with(&FoldSpec::WalkForward(wf), &by_column(false));
        prop_assume!(plan.is_ok());
        for fold in plan.unwrap() {
            check_no_overlap(&handler, &fold, false)?;
        }
    }

    fn membership_cases(
        symbols in symbols(), periods in prop::collection::vec((0usize..4, 0i64..300, 1i64..200), 0..6),
    ) {
        MEMBERSHIP_RAN.case();
        let handler = handler(&symbols);
        let rows: Vec<(String, i64, Option<i64>)> = periods
            .iter()
            .map(|&(s, from, len)| (format!("S{s}"), from * MINUTE, Some((from + len) * MINUTE)))
            .collect();
        let universe = Universe::new(rows).unwrap();
        let spec = FoldSpec::PurgedKFold(PurgedKFold::new(4).with_purge_embargo(Length::Rows(2), Length::Rows(1)));
        let options = FoldOptions::default().with_universe(universe.clone());
        let Ok(plan) = handler.fold_plan_with(&spec, &options) else { return Ok(()) };
        MEMBERSHIP_RAN.ran(0);
        for fold in plan {
            prop_assert_eq!(fold.universe.clone(), Some(universe.fingerprint()));
            for s in &fold.symbols {
                let ts = handler.base(&s.symbol).unwrap().timestamps();
                let rows = s.train.iter().cloned().chain(s.test.iter().map(|t| t.test.clone()));
                for row in rows.flatten() {
                    prop_assert!(universe.is_member(&s.symbol, ts[row]), "{} at row {row} is not a member", s.symbol);
                }
            }
        }
    }
}

#[test]
fn cross_sectional_purging_removes_a_label_reaching_into_another_symbols_test() {
    // A: bars every minute with one-minute labels, except row 3, whose label runs 40 minutes. B: the same
    // bars, short labels. 2 folds: test blocks 0..30 and 30..60 minutes. In fold 1 (test 30..60), A's row 3
    // is not near the block, but its label reaches into it.
    let mut lengths = vec![1; 60];
    lengths[3] = 40;
    let mut handler = DataHandler::new(IsolationMode::View);
    handler.load("A", frame(0, 1, &lengths)).unwrap();
    handler.load("B", frame(0, 1, &[1; 60])).unwrap();
    let spec = FoldSpec::PurgedKFold(PurgedKFold::new(2));
    let fold = |cross: bool, symbol: &str| {
        let plan = handler.fold_plan_with(&spec, &by_column(cross)).unwrap();
        plan[1].symbols.iter().find(|s| s.symbol == symbol).unwrap().clone()
    };
    // A's own row 3 is purged either way; row 29 (label to minute 30) too.
    assert_eq!(fold(false, "A").train, vec![0..3, 4..29]);
    assert_eq!(fold(false, "A").n_purged(), 2);
    // B's labels are short: only row 29 goes when B purges against its own test labels...
    assert_eq!(fold(false, "B").train, std::iter::once(0..29).collect::<Vec<_>>());
    // ...and the same cross-sectionally, since A's long label lies in A's train, not its test.
    assert_eq!(fold(true, "B").train, std::iter::once(0..29).collect::<Vec<_>>());
    // In fold 0 (test 0..30) A's row 3 is a test row whose label reaches minute 43: cross-sectionally B's
    // train rows up to 43 go too, not only up to 31.
    let plan = |cross: bool| handler.fold_plan_with(&spec, &by_column(cross)).unwrap();
    let b = |cross: bool| plan(cross)[0].symbols.iter().find(|s| s.symbol == "B").unwrap().train.clone();
    assert_eq!(b(false), std::iter::once(31..60).collect::<Vec<_>>());
    assert_eq!(b(true), std::iter::once(44..60).collect::<Vec<_>>());
    let report = plan(true)[0].symbols.iter().find(|s| s.symbol == "B").unwrap().purged.clone();
    assert_eq!((report[0].purged, report[0].span.end), (14, 43 * MINUTE));
}

#[test]
fn a_delisted_symbol_keeps_its_rows_up_to_delisting() {
    let mut handler = DataHandler::new(IsolationMode::View);
    handler.load("LIVE", frame(0, 1, &[0; 100])).unwrap();
    handler.load("GONE", frame(0, 1, &[0; 100])).unwrap();
    handler.load("NEVER", frame(0, 1, &[0; 100])).unwrap();
    // GONE is delisted at minute 90, in the middle of the last test block (80..100).
    let universe = Universe::new([("LIVE", 0, None), ("GONE", 0, Some(90 * MINUTE))]).unwrap();
    let spec = FoldSpec::PurgedKFold(PurgedKFold::new(5));
    let plan = handler.fold_plan_with(&spec, &FoldOptions::default().with_universe(universe)).unwrap();
    let last = &plan[4];
    let gone = last.symbols.iter().find(|s| s.symbol == "GONE").unwrap();
    assert_eq!(
        gone.test.iter().map(|t| t.test.clone()).collect::<Vec<_>>(),
        std::iter::once(80..90).collect::<Vec<_>>()
    );
    assert!(last.symbols.iter().all(|s| s.symbol != "NEVER"));
    let never = last.skipped.iter().find(|s| s.symbol == "NEVER").unwrap();
    assert!(never.reason.contains("not a member"), "{}", never.reason);
    // In fold 0, GONE's train stops at the delisting: rows 90..100 are outside the universe.
    let gone0 = plan[0].symbols.iter().find(|s| s.symbol == "GONE").unwrap();
    assert_eq!(
        (gone0.train.clone(), gone0.outside_universe),
        (std::iter::once(20..90).collect::<Vec<_>>(), 10)
    );
}

#[test]
fn label_end_columns_that_cannot_be_used_are_named() {
    let mut handler = DataHandler::new(IsolationMode::View);
    let mut lengths = vec![1; 20];
    lengths[5] = -3;
    handler.load("BAD", frame(0, 1, &lengths)).unwrap();
    let spec = FoldSpec::PurgedKFold(PurgedKFold::new(2));
    let error = isolation::error_chain(&handler.fold_plan_with(&spec, &by_column(false)).unwrap_err());
    assert!(error.contains("BAD") && error.contains("row 5"), "{error}");
    let options = FoldOptions::default().with_labels(LabelEnds::Column("close".into()));
    let error = isolation::error_chain(&handler.fold_plan_with(&spec, &options).unwrap_err());
    assert!(error.contains("holds f64, not timestamps"), "{error}");
    let with_purge =
        FoldSpec::PurgedKFold(PurgedKFold::new(2).with_purge_embargo(Length::Rows(1), Length::Rows(0)));
    let error = isolation::error_chain(&handler.fold_plan_with(&with_purge, &by_column(false)).unwrap_err());
    assert!(error.contains("drop `purge=`"), "{error}");
}
