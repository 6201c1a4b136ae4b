//! Purging by label intervals: worked examples from the literature as table tests, and property tests that
//! no train label overlaps a test label and no train row sits in an embargo window, for random labels.

use isolation_core::CrossValidation;
use std::ops::Range;

use isolation_core::{CombinatorialPurgedCv, LabelIntervals, Length, PurgedKFold, WalkForward};
use proptest::prelude::*;

use crate::ran::Ran;

/// One example: label ends per row (row `i` starts at `i`), the test block, the embargo, and the train rows
/// that must remain.
struct Example {
    name: &'static str,
    ends: Vec<i64>,
    test: Range<usize>,
    embargo: Length,
    train: Vec<Range<usize>>,
    purged: usize,
    embargoed: usize,
}

fn examples() -> Vec<Example> {
    vec![
        // López de Prado, fig. 7.2/7.3: labels 3 bars long; the test block 10..15 (labels reach row 17).
        // Before it, rows 7..10 have labels ending inside it; after it, rows 15..18 start inside the reach of
        // its last labels. Both sides go.
        Example {
            name: "labels overlap the test block from both sides",
            ends: (0..30).map(|i: i64| (i + 3).min(29)).collect(),
            test: 10..15,
            embargo: Length::Rows(0),
            train: vec![0..7, 18..30],
            purged: 6,
            embargoed: 0,
        },
        // A train label that starts before the test block and ends after it (it spans the block) is purged,
        // though neither end is near the block's own rows' starts; its short-labelled neighbours stay.
        Example {
            name: "a label spanning the whole test block",
            ends: (0..20).map(|i: i64| if i == 3 { 15 } else { i }).collect(),
            test: 8..12,
            embargo: Length::Rows(0),
            train: vec![0..3, 4..8, 12..20],
            purged: 1,
            embargoed: 0,
        },
        // The embargo follows the latest test label end (row 12 here, from the test row 9 labelled to 12), not
        // the block's last row: rows 13 and 14 are embargoed, rows 10..13 purged.
        Example {
            name: "embargo after the latest test label",
            ends: (0..20).map(|i: i64| if i == 9 { 12 } else { i }).collect(),
            test: 6..10,
            embargo: Length::Rows(2),
            train: vec![0..6, 15..20],
            purged: 3,
            embargoed: 2,
        },
        // The last block: the embargo runs past the data and takes every row left after the purge.
        Example {
            name: "embargo after the last block",
            ends: (0..12).map(|i: i64| (i + 1).min(11)).collect(),
            test: 6..9,
            embargo: Length::Rows(5),
            train: std::iter::once(0..5).collect(),
            purged: 2,
            embargoed: 2,
        },
        // Embargo in time: 2 units after the latest test label end (8, row 7's label), so rows 9 and 10; row 3
        // (label to 4) and row 8 (starting at 8) are purged.
        Example {
            name: "embargo in time",
            ends: (0..16).map(|i: i64| (i + 1).min(15)).collect(),
            test: 4..8,
            embargo: Length::Time(2),
            train: vec![0..3, 11..16],
            purged: 2,
            embargoed: 2,
        },
    ]
}

#[test]
fn worked_examples_from_the_literature() {
    for example in examples() {
        let starts: Vec<i64> = (0..example.ends.len() as i64).collect();
        let labels = LabelIntervals::new(&starts, example.ends.clone()).unwrap();
        let test = [example.test.clone()];
        let purged = labels.purge(&test, &labels.test_spans(&test), example.embargo, &starts);
        assert_eq!(purged.train, example.train, "{}", example.name);
        assert_eq!(
            (purged.n_purged(), purged.n_embargoed()),
            (example.purged, example.embargoed),
            "{}",
            example.name
        );
    }
}

#[test]
fn a_fixed_horizon_equals_the_spec_purge() {
    let starts: Vec<i64> = (0..60).map(|i| i * 7 + i % 3).collect();
    for (purge, embargo) in [(0, 0), (3, 0), (3, 2), (0, 4)] {
        let spec =
            CombinatorialPurgedCv::new(5, 2).with_purge_embargo(Length::Rows(purge), Length::Rows(embargo));
        let labels = LabelIntervals::horizon(&starts, Length::Rows(purge));
        let by_labels =
            CombinatorialPurgedCv { purge: Length::Rows(0), ..spec }.folds_labelled(&labels).unwrap();
        assert_eq!(spec.folds(&starts).unwrap(), by_labels, "purge={purge} embargo={embargo}");
    }
}

#[test]
fn labels_and_a_fixed_purge_together_are_refused() {
    let starts: Vec<i64> = (0..20).collect();
    let labels = LabelIntervals::horizon(&starts, Length::Rows(1));
    let spec = PurgedKFold::new(4).with_purge_embargo(Length::Rows(1), Length::Rows(0));
    let error = spec.folds_labelled(&labels).unwrap_err().to_string();
    assert!(error.contains("drop `purge=`"), "{error}");
}

/// Sorted distinct timestamps and a label end per row: mostly short labels, some long ones.
fn labelled(max_rows: usize) -> impl Strategy<Value = (Vec<i64>, Vec<i64>)> {
    prop::collection::vec((1i64..4, prop_oneof![4 => 0i64..6, 1 => 0i64..60]), 4..max_rows).prop_map(|rows| {
        let mut t = 0;
        rows.iter()
            .map(|&(delta, length)| {
                t += delta;
                (t, t + length)
            })
            .unzip()
    })
}

fn embargo() -> impl Strategy<Value = Length> {
    prop_oneof![(0usize..5).prop_map(Length::Rows), (0i64..10).prop_map(Length::Time)]
}

/// No train label overlaps a test label; no train row lies in an embargo window; every row dropped is
/// explained by one or the other.
fn check_purged(
    starts: &[i64],
    ends: &[i64],
    train: &[Range<usize>],
    test: &[Range<usize>],
    embargo: Length,
) -> Result<(), TestCaseError> {
    let n = starts.len();
    let is_test = |row: usize| test.iter().any(|r| r.contains(&row));
    let is_train = |row: usize| train.iter().any(|r| r.contains(&row));
    let overlaps_test =
        |row: usize| (0..n).filter(|&i| is_test(i)).any(|i| starts[row] <= ends[i] && ends[row] >= starts[i]);
    let in_embargo = |row: usize| {
        test.iter().filter(|r| !r.is_empty()).any(|block| {
            let label_end = ends[block.clone()].iter().copied().max().unwrap();
            match embargo {
                Length::Time(ns) => starts[row] > label_end && starts[row] <= label_end + ns,
                Length::Rows(k) => {
                    let first = starts.partition_point(|&t| t <= label_end);
                    row >= first && row < first + k
                }
            }
        })
    };
    for row in 0..n {
        prop_assert!(!(is_train(row) && is_test(row)), "row {row} is train and test");
        if is_train(row) {
            prop_assert!(!overlaps_test(row), "train row {row}'s label overlaps a test label");
            prop_assert!(!in_embargo(row), "train row {row} is in an embargo window");
        } else if !is_test(row) {
            prop_assert!(overlaps_test(row) || in_embargo(row), "row {row} dropped for no reason");
        }
    }
    Ok(())
}

/// Cases that reached their checks (`ran.rs`): a series too short for one walk-forward fold is skipped.
static WALK_RAN: Ran<1> = Ran::new();

#[test]
fn walk_forward_train_labels_end_before_the_test() {
    walk_forward_cases();
    WALK_RAN.assert_each_ran(["labelled walk-forward"], 0.5);
}

proptest! {
    #[test]
    fn cv_train_labels_never_overlap_test_labels(
        (starts, ends) in labelled(70), n_folds in 2usize..6, n_test in 1usize..5, embargo in embargo(),
    ) {
        prop_assume!(n_test < n_folds);
        let labels = LabelIntervals::new(&starts, ends.clone()).unwrap();
        let spec = CombinatorialPurgedCv::new(n_folds, n_test).with_purge_embargo(Length::Rows(0), embargo);
        let folds = spec.folds_labelled(&labels);
        prop_assume!(folds.is_ok(), "purging may leave a fold without train; that is refused");
        for fold in folds.unwrap() {
            check_purged(&starts, &ends, &fold.train, &fold.test, embargo)?;
            let reported: usize = fold.purged.iter().map(|b| b.purged + b.embargoed).sum();
            prop_assert_eq!(reported + fold.n_train() + fold.n_test(), starts.len());
        }
    }

    fn walk_forward_cases(
        (starts, ends) in labelled(70), train in 3usize..20, test in 1usize..8,
    ) {
        WALK_RAN.case();
        let labels = LabelIntervals::new(&starts, ends.clone()).unwrap();
        let spec = WalkForward::new(Length::Rows(train), Length::Rows(test));
        if let Ok(folds) = spec.folds_labelled(&labels) {
            WALK_RAN.ran(0);
            for fold in folds {
                prop_assert!(!fold.train.is_empty());
                let test_start = starts[fold.test.start];
                prop_assert!(fold.train.clone().all(|row| ends[row] < test_start), "a train label reaches the test");
            }
        }
    }
}
