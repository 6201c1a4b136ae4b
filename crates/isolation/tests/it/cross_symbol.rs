//! Property tests across symbols with different calendars: a split or fold cuts every symbol at the same
//! instants, so no symbol's train reaches into the test period of another.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use isolation::{
    CombinatorialPurgedCv, DataHandler, FoldSpec, IsolationMode, Length, PlannedFold, PurgedKFold, Split,
    SplitSpec, TimeFrame, WalkForward,
};
use proptest::prelude::*;

use crate::ran::Ran;

const MINUTE: i64 = 60_000_000_000;

/// A symbol: first bar at minute `start`, one bar every `step` minutes, `n_rows` bars.
fn frame(start: i64, step: i64, n_rows: usize) -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| i as f64)));
    let ts: Vec<i64> = (0..n_rows as i64).map(|i| (start + i * step) * MINUTE).collect();
    TimeFrame::try_new(ts, vec![("close".into(), close)]).unwrap()
}

fn symbols() -> impl Strategy<Value = Vec<(i64, i64, usize)>> {
    prop::collection::vec((0i64..300, 1i64..4, 20usize..200), 1..5)
}

fn handler(symbols: &[(i64, i64, usize)]) -> DataHandler {
    let mut handler = DataHandler::new(IsolationMode::View);
    for (i, &(start, step, n)) in symbols.iter().enumerate() {
        handler.load(&format!("S{i}"), frame(start, step, n)).unwrap();
    }
    handler
}

/// Timestamps of `rows` of `symbol`'s loaded frame.
fn stamps<'a>(handler: &'a DataHandler, symbol: &str, rows: std::ops::Range<usize>) -> &'a [i64] {
    &handler.base(symbol).unwrap().timestamps()[rows]
}

/// Every train timestamp of every symbol against every test period of every symbol in `fold`: forward folds
/// need train strictly before test; cross-validation needs no train bar inside any test block's span.
fn check_fold(handler: &DataHandler, fold: &PlannedFold, forward: bool) -> Result<(), TestCaseError> {
    let mut train = Vec::new();
    let mut test_spans = Vec::new();
    for s in &fold.symbols {
        for rows in &s.train {
            train.extend_from_slice(stamps(handler, &s.symbol, rows.clone()));
        }
        for t in &s.test {
            let ts = stamps(handler, &s.symbol, t.test.clone());
            test_spans.push((ts[0], ts[ts.len() - 1]));
        }
    }
    if forward {
        let first_test = test_spans.iter().map(|s| s.0).min().unwrap();
        prop_assert!(
            train.iter().all(|&t| t < first_test),
            "fold {}: train reaches the test period",
            fold.index
        );
    } else {
        for &t in &train {
            prop_assert!(
                test_spans.iter().all(|&(a, b)| t < a || t > b),
                "fold {}: a train bar at {t} lies inside a test block of another symbol",
                fold.index
            );
        }
    }
    Ok(())
}

/// Cases that reached their checks, per spec kind (`ran.rs`): a cut with no train or no test anywhere is
/// refused, and skipped here.
static SPLIT_RAN: Ran<3> = Ran::new();
static CV_RAN: Ran<2> = Ran::new();

#[test]
fn ratio_date_and_index_splits_cut_every_symbol_at_one_instant() {
    split_cases();
    SPLIT_RAN.assert_each_ran(["ratio", "date", "index"], 0.5);
}

#[test]
fn purged_kfold_and_cpcv_keep_train_out_of_every_test_block() {
    cv_cases();
    CV_RAN.assert_each_ran(["purged k-fold", "CPCV"], 0.5);
}

proptest! {
    fn split_cases(
        symbols in symbols(),
        ratio in 0.05f64..0.95,
        date_at in 0.0f64..1.0,
        index_at in 0.0f64..1.0,
    ) {
        SPLIT_RAN.case();
        let mut handler = handler(&symbols);
        // The date and the index fall inside the symbols' shared calendar (outside it there is no cut to
        // check: that is an error, tested on its own).
        let mut calendar: Vec<i64> = handler.symbols().iter().flat_map(|s| handler.base(s).unwrap().timestamps().to_vec()).collect();
        calendar.sort_unstable();
        calendar.dedup();
        let (first, last) = (calendar[0], calendar[calendar.len() - 1]);
        let date = first + ((last - first) as f64 * date_at) as i64;
        let index = 1 + ((calendar.len() - 1) as f64 * index_at) as usize;
        let specs = [SplitSpec::Ratio(ratio), SplitSpec::Date(date), SplitSpec::Index(index)];
        for (kind, spec) in specs.into_iter().enumerate() {
            let Ok(cut) = handler.setup_split(spec) else { continue };
            SPLIT_RAN.ran(kind);
            let mut last_train = i64::MIN;
            let mut first_test = i64::MAX;
            for symbol in handler.symbols() {
                let train = handler.data_for(symbol, Split::Train).unwrap();
                let test = handler.data_for(symbol, Split::Test).unwrap();
                last_train = last_train.max(train.timestamps().last().copied().unwrap_or(i64::MIN));
                first_test = first_test.min(test.timestamps().first().copied().unwrap_or(i64::MAX));
            }
            prop_assert!(last_train < cut.instant && cut.instant <= first_test, "{:?}: {} {} {}", spec, last_train, cut.instant, first_test);
        }
    }

    #[test]
    fn walk_forward_in_time_keeps_every_train_before_every_test(
        symbols in symbols(),
        train in 30i64..200,
        test in 10i64..100,
        gap in 0i64..10,
        min_train in 0usize..40,
    ) {
        let handler = handler(&symbols);
        let spec = WalkForward::new(Length::Time(train * MINUTE), Length::Time(test * MINUTE))
            .with_gap(Length::Time(gap * MINUTE))
            .with_min_train((min_train > 0).then_some(Length::Rows(min_train)));
        let plan = handler.fold_plan(&FoldSpec::WalkForward(spec), Length::Rows(0));
        prop_assume!(plan.is_ok(), "a schedule with no room for a fold is refused, not laid");
        let plan = plan.unwrap();
        for fold in &plan {
            check_fold(&handler, fold, true)?;
            for s in &fold.symbols {
                prop_assert!(s.n_train() >= min_train, "a symbol below min_train took part");
            }
        }
    }

    fn cv_cases(
        symbols in symbols(),
        k in 2usize..6,
        n_test in 1usize..3,
        purge in 0usize..5,
        embargo in 0usize..5,
    ) {
        let handler = handler(&symbols);
        let kfold = PurgedKFold::new(k).with_purge_embargo(Length::Rows(purge), Length::Rows(embargo));
        let cpcv = CombinatorialPurgedCv::new(k + 1, n_test.min(k))
            .with_purge_embargo(Length::Time(purge as i64 * MINUTE), Length::Rows(embargo));
        CV_RAN.case();
        for (kind, spec) in [FoldSpec::PurgedKFold(kfold), FoldSpec::CombinatorialPurgedCv(cpcv)].into_iter().enumerate() {
            let Ok(plan) = handler.fold_plan(&spec, Length::Rows(0)) else { continue };
            CV_RAN.ran(kind);
            for fold in &plan {
                check_fold(&handler, fold, false)?;
            }
        }
    }
}

#[test]
fn walk_forward_in_rows_is_refused_for_several_symbols() {
    let handler = handler(&[(0, 1, 100), (50, 1, 100)]);
    let spec = FoldSpec::WalkForward(WalkForward::new(Length::Rows(30), Length::Rows(10)));
    let error = handler.fold_plan(&spec, Length::Rows(0)).unwrap_err().to_string();
    assert!(error.contains("counts rows, which differ between symbols"), "{error}");
}

#[test]
fn a_symbol_listed_late_sits_out_folds_below_min_train_and_is_reported() {
    // EARLY from minute 0, LATE from minute 187: LATE's first train would be 13 bars.
    let handler = handler(&[(0, 1, 400), (187, 1, 213)]);
    let spec: WalkForward = "train=200m,test=50m,min_train=100".parse().unwrap();
    let plan = handler.fold_plan(&FoldSpec::WalkForward(spec), Length::Rows(0)).unwrap();
    let first = &plan[0];
    assert_eq!(first.symbols.iter().map(|s| s.symbol.as_str()).collect::<Vec<_>>(), ["S0"]);
    assert_eq!(first.skipped.len(), 1);
    assert_eq!(first.skipped[0].symbol, "S1");
    assert_eq!(first.skipped[0].reason, "13 train rows, below min_train=100");
    // Later folds, with enough history, take LATE in.
    assert!(plan.iter().any(|f| f.symbols.iter().any(|s| s.symbol == "S1")));
}

#[test]
fn fold_pieces_batch_their_own_rows_without_the_warm_up() {
    let handler = handler(&[(0, 1, 300), (40, 2, 150)]);
    let spec: WalkForward = "train=100m,test=30m".parse().unwrap();
    for fold in handler.folds(&FoldSpec::WalkForward(spec), Length::Rows(5)).unwrap() {
        for symbol in fold.unwrap().symbols {
            for piece in &symbol.test {
                let batches: Vec<TimeFrame> = piece.batches(7).unwrap().collect();
                let rows: usize = batches.iter().map(TimeFrame::n_rows).sum();
                assert_eq!(rows, piece.data.n_rows() - piece.warmup_rows);
                let first_bar = piece.cursor().current().map(|b| b.timestamp());
                assert_eq!(batches.first().and_then(TimeFrame::first_timestamp), first_bar);
            }
        }
    }
}
