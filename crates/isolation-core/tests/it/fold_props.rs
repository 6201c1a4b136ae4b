//! Property tests: every fold spec keeps train and test apart, respects gap, purge and embargo, stays inside
//! the data, and a warmed-up cursor over a test never shows a bar after the current one.

use isolation_core::CrossValidation;
use std::ops::Range;

use isolation_core::{
    ColumnChunk, ColumnLayout, CombinatorialPurgedCv, Cursor, CvFold, Fold, IsolatedData, IsolationMode,
    LastN, Length, PurgedKFold, Split, WalkForward,
};
use memtrack::{BufferSet, Footprint};
use proptest::prelude::*;

use crate::ran::Ran;
use timeseries_array::{TimeFrame, TimestampNs, ValueType};

/// The time unit of the generated data: bars are 1 to 4 units apart.
const UNIT: i64 = 3_600_000_000_000;

/// Strictly increasing timestamps with irregular spacing (gaps like weekends).
fn timestamps(max_rows: usize) -> impl Strategy<Value = Vec<TimestampNs>> {
    (-1_000i64..1_000, prop::collection::vec(1i64..5, 0..max_rows)).prop_map(|(start, deltas)| {
        deltas.iter().scan(start * UNIT, |t, d| Some(std::mem::replace(t, *t + d * UNIT))).collect()
    })
}

/// A length of `n` rows or `n` units of time.
fn length(time: bool, n: usize) -> Length {
    if time { Length::Time(n as i64 * UNIT) } else { Length::Rows(n) }
}

fn walk_forward() -> impl Strategy<Value = WalkForward> {
    (
        any::<bool>(),
        1usize..30,
        1usize..12,
        1usize..12,
        0usize..5,
        prop::option::of(prop::option::of(1usize..30)),
        any::<bool>(),
    )
        .prop_map(|(time, train, test, step, gap, expanding, partial)| {
            let mut walk = WalkForward::new(length(time, train), length(time, test))
                .with_step(length(time, step))
                .with_gap(length(time, gap))
                .with_partial_last(partial);
            if let Some(max) = expanding {
                walk = walk.expanding(max.map(|m| length(time, m)));
            }
            walk
        })
}

/// Row `r`'s distance to row `s` in the spec's units: rows apart, or time apart.
fn distance(length: Length, timestamps: &[TimestampNs], from: usize, to: usize) -> i64 {
    if length.is_time() { timestamps[to] - timestamps[from] } else { to as i64 - from as i64 }
}

fn magnitude(length: Length) -> i64 {
    length.nanos().unwrap_or_else(|| length.rows().unwrap_or(0) as i64)
}

fn check_forward_fold(walk: &WalkForward, ts: &[TimestampNs], fold: &Fold) -> Result<(), TestCaseError> {
    let (train, test) = (&fold.train, &fold.test);
    prop_assert!(
        train.start < train.end && train.end <= test.start && test.start < test.end && test.end <= ts.len(),
        "{walk}: {fold:?} on {} rows",
        ts.len()
    );
    prop_assert!(ts[train.end - 1] < ts[test.start], "a test bar is not later than every train bar");
    // The gap: at least `gap` rows, or more than `gap` in time, between the last train and first test bar.
    let apart = distance(walk.gap, ts, train.end - 1, test.start);
    prop_assert!(apart > magnitude(walk.gap), "{walk}: gap not respected in {fold:?}");
    // Windows are no longer than asked.
    prop_assert!(magnitude(walk.test) > distance(walk.test, ts, test.start, test.end - 1));
    Ok(())
}

fn check_cv_fold(
    purge: Length,
    embargo: Length,
    ts: &[TimestampNs],
    fold: &CvFold,
) -> Result<(), TestCaseError> {
    let n = ts.len();
    let mut side = vec![' '; n];
    for (ranges, mark) in [(&fold.train, 'r'), (&fold.test, 't')] {
        for range in ranges {
            prop_assert!(range.start < range.end && range.end <= n, "{fold:?} outside {n} rows");
            for row in range.clone() {
                prop_assert!(side[row] == ' ', "row {row} is in train and test, or twice: {fold:?}");
                side[row] = mark;
            }
        }
    }
    // Purge on both sides of each block (a label looks `purge` ahead), then the embargo after the purge:
    // `embargo` more rows, or the rows up to `embargo` past the end of the block's last label.
    let dropped_by = |row: usize, b: &std::ops::Range<usize>| {
        let purged_end =
            (b.end..n).find(|&r| distance(purge, ts, b.end - 1, r) > magnitude(purge)).unwrap_or(n);
        let label_end = match purge.rows() {
            Some(rows) => ts[(b.end - 1 + rows).min(n - 1)],
            None => ts[b.end - 1] + magnitude(purge),
        };
        let embargoed = match embargo.rows() {
            Some(rows) => row < purged_end + rows,
            None => ts[row] - label_end <= magnitude(embargo),
        };
        (row < b.start && distance(purge, ts, row, b.start) <= magnitude(purge))
            || (row >= b.end && row < purged_end)
            || (row >= purged_end && embargoed)
    };
    for block in &fold.test {
        for row in (0..n).filter(|&r| side[r] == 'r') {
            prop_assert!(!dropped_by(row, block), "train row {row} inside the purge or embargo of {block:?}");
        }
    }
    // Nothing more than purge and embargo is dropped.
    for row in (0..n).filter(|&r| side[r] == ' ') {
        let explained = fold.test.iter().any(|b| dropped_by(row, b));
        prop_assert!(explained, "row {row} dropped for no reason in {fold:?}");
    }
    Ok(())
}

/// Cases that reached their checks, per property (see `ran.rs`): each property below skips inputs its
/// function refuses (too few rows for a fold, say), and must still check most of them.
static WALK_RAN: Ran<1> = Ran::new();
static SCHEDULE_RAN: Ran<1> = Ran::new();
static KFOLD_RAN: Ran<1> = Ran::new();
static CPCV_RAN: Ran<1> = Ran::new();
static LAST_N_RAN: Ran<1> = Ran::new();

#[test]
fn walk_forward_folds_keep_train_before_gap_before_test() {
    walk_forward_cases();
    WALK_RAN.assert_each_ran(["walk-forward folds"], 0.5);
}

#[test]
fn schedule_cuts_each_symbol_inside_the_same_instants() {
    schedule_cases();
    // 40-50% of random pairs of calendars leave room for a fold (the rest are refused): a quarter is the
    // floor, several standard deviations below, and still 64 checked cases.
    SCHEDULE_RAN.assert_each_ran(["two-symbol schedules"], 0.25);
}

#[test]
fn purged_kfold_tests_every_row_once_and_respects_purge_and_embargo() {
    purged_kfold_cases();
    KFOLD_RAN.assert_each_ran(["purged k-fold"], 0.5);
}

#[test]
fn combinatorial_cv_gives_every_combination_purged() {
    combinatorial_cases();
    CPCV_RAN.assert_each_ran(["combinatorial purged CV"], 0.5);
}

#[test]
fn last_n_tests_exactly_the_last_stretch() {
    last_n_cases();
    // About 60% of the random lengths leave both train and test rows (the rest are refused).
    LAST_N_RAN.assert_each_ran(["last-n splits"], 0.4);
}

proptest! {
    fn walk_forward_cases(walk in walk_forward(), ts in timestamps(80)) {
        WALK_RAN.case();
        if let Ok(folds) = walk.folds(&ts) {
            WALK_RAN.ran(0);
            for fold in &folds {
                check_forward_fold(&walk, &ts, fold)?;
            }
            prop_assert!(folds.windows(2).all(|w| w[0].index < w[1].index && w[0].test.start <= w[1].test.start));
            if !walk.is_time() {
                let complete = folds.iter().filter(|f| f.test.len() == walk.test.rows().unwrap_or(0)).count();
                prop_assert!(complete + usize::from(walk.allow_partial_last) >= folds.len());
            }
        }
    }

    fn schedule_cases(walk in walk_forward(), a in timestamps(60), b in timestamps(60)) {
        SCHEDULE_RAN.case();
        if let Ok(schedule) = walk.schedule(&[&a, &b]) {
            SCHEDULE_RAN.ran(0);
            for time_fold in &schedule {
                prop_assert!(time_fold.train_start < time_fold.train_end && time_fold.train_end <= time_fold.test_start);
                for ts in [&a, &b] {
                    let fold = time_fold.rows_for(ts);
                    prop_assert!(fold.train.end <= fold.test.start && fold.test.end <= ts.len());
                    prop_assert!(ts[fold.train.clone()].iter().all(|&t| t >= time_fold.train_start && t < time_fold.train_end));
                    prop_assert!(ts[fold.test.clone()].iter().all(|&t| t >= time_fold.test_start && t < time_fold.test_end));
                }
            }
        }
    }

    fn purged_kfold_cases(
        k in 2usize..7, time in any::<bool>(), purge in 0usize..6, embargo in 0usize..6, ts in timestamps(60),
    ) {
        KFOLD_RAN.case();
        let (purge, embargo) = (length(time, purge), length(time, embargo));
        if let Ok(folds) = PurgedKFold::new(k).with_purge_embargo(purge, embargo).folds(&ts) {
            KFOLD_RAN.ran(0);
            prop_assert_eq!(folds.len(), k);
            let tested: Vec<Range<usize>> = folds.iter().flat_map(|f| f.test.clone()).collect();
            prop_assert_eq!(tested.first().map(|r| r.start), Some(0));
            prop_assert!(tested.windows(2).all(|w| w[0].end == w[1].start) && tested.last().map(|r| r.end) == Some(ts.len()));
            for fold in &folds {
                check_cv_fold(purge, embargo, &ts, fold)?;
            }
        }
    }

    fn combinatorial_cases(
        (n_folds, n_test) in (2usize..7).prop_flat_map(|n| (Just(n), 1..n)), time in any::<bool>(),
        purge in 0usize..4, embargo in 0usize..4, ts in timestamps(50),
    ) {
        CPCV_RAN.case();
        let (purge, embargo) = (length(time, purge), length(time, embargo));
        let cv = CombinatorialPurgedCv::new(n_folds, n_test).with_purge_embargo(purge, embargo);
        if let Ok(folds) = cv.folds(&ts) {
            CPCV_RAN.ran(0);
            prop_assert_eq!(folds.len() as u128, cv.n_splits());
            for fold in &folds {
                prop_assert_eq!(fold.test_groups.len(), n_test);
                check_cv_fold(purge, embargo, &ts, fold)?;
            }
            for group in 0..n_folds {
                prop_assert_eq!(folds.iter().filter(|f| f.test_groups.contains(&group)).count() as u128, cv.n_test_paths());
            }
        }
    }

    fn last_n_cases(time in any::<bool>(), n in 0usize..40, ts in timestamps(40)) {
        LAST_N_RAN.case();
        let last = LastN(length(time, n));
        if let Ok(ranges) = last.resolve(&ts) {
            LAST_N_RAN.ran(0);
            let (train, test) = (ranges.range(Split::Train), ranges.range(Split::Test));
            prop_assert!(!train.is_empty() && train.end == test.start && test.end == ts.len());
            prop_assert!(distance(last.0, &ts, test.start, ts.len() - 1) < magnitude(last.0));
            prop_assert!(distance(last.0, &ts, train.end - 1, ts.len() - 1) >= magnitude(last.0));
        }
    }
}

proptest! {
    #[test]
    fn warmed_up_cursor_starts_at_the_test_and_never_sees_a_later_bar(
        walk in walk_forward(), warmup in 0usize..10, window in 1usize..15, ts in timestamps(80),
    ) {
        let folds = walk.folds(&ts);
        prop_assume!(folds.is_ok(), "a schedule with no room for a fold is refused, not laid");
        let folds = folds.unwrap();
        for fold in &folds {
            let with = fold.test_with_warmup(length(walk.is_time(), warmup), &ts);
            prop_assert!(with.warmup.end == fold.test.start && with.test == fold.test);
            let data = Slice { timestamps: ts[with.rows()].to_vec() };
            let mut cursor = Cursor::with_warmup(&data, with.warmup_len());
            let mut expected_row = fold.test.start;
            while let Some(bar) = cursor.current() {
                prop_assert_eq!(bar.timestamp(), ts[expected_row], "the cursor walks the test bars in order");
                let seen = cursor.window(window);
                prop_assert!(seen.timestamps().iter().all(|&t| t <= bar.timestamp()), "a bar after the current one");
                prop_assert!(seen.timestamps().first().is_none_or(|&t| t >= ts[with.warmup.start]));
                expected_row += 1;
                cursor.advance();
            }
            prop_assert_eq!(expected_row, fold.test.end);
        }
    }
}

/// A tiny dataset: the rows of one test with its warm-up, value = timestamp.
#[derive(Debug)]
struct Slice {
    timestamps: Vec<TimestampNs>,
}

impl IsolatedData for Slice {
    fn mode(&self) -> IsolationMode {
        IsolationMode::View
    }
    fn split(&self) -> Split {
        Split::Test
    }
    fn n_rows(&self) -> usize {
        self.timestamps.len()
    }
    fn timestamps(&self) -> &[TimestampNs] {
        &self.timestamps
    }
    fn column_names(&self) -> Vec<&str> {
        vec!["value"]
    }
    fn value_type(&self, column_idx: usize) -> Option<ValueType> {
        (column_idx == 0).then_some(ValueType::Int64)
    }
    fn column_layout(&self, column_idx: usize) -> Option<ColumnLayout<'_>> {
        let values = arrow_buffer::ToByteSlice::to_byte_slice(self.timestamps.as_slice());
        let chunk = ColumnChunk { values, validity: None, len: self.timestamps.len() };
        (column_idx == 0).then_some(ColumnLayout {
            name: "value",
            value_type: ValueType::Int64,
            base: chunk,
            copied: None,
        })
    }
    fn value_f64(&self, column_idx: usize, row: usize) -> Option<f64> {
        (column_idx == 0).then(|| self.timestamps.get(row).map(|&t| t as f64)).flatten()
    }
    fn footprint(&self) -> Footprint {
        Footprint::owned((self.timestamps.len() * 8) as u64)
    }
    fn add_buffers_to(&self, _set: &mut BufferSet) {}
    fn to_frame(&self) -> TimeFrame {
        unreachable!("the cursor never asks for a frame")
    }
}
