//! Split specs resolve to non-overlapping, adjacent row ranges, or to a clear error.

use isolation_core::{Split, SplitSpec};
use proptest::prelude::*;

use crate::ran::Ran;

/// Resolves `spec` on timestamps `0, 10, 20, ...` (`n_rows` of them) and compares with `expect`:
/// `Ok((train_end, n_rows))` or the error message.
fn check(spec: SplitSpec, n_rows: usize, expect: Result<usize, &str>) {
    let timestamps: Vec<i64> = (0..n_rows as i64).map(|i| i * 10).collect();
    let got = spec.resolve(&timestamps).map(|r| r.boundary()).map_err(|e| e.to_string());
    assert_eq!(got, expect.map_err(str::to_string), "{spec:?} on {n_rows} rows");
}

#[test]
fn ratio_date_and_index_cases() {
    check(SplitSpec::Ratio(0.7), 10, Ok(7));
    check(SplitSpec::Ratio(0.75), 10, Ok(7)); // floor, like pandas' iloc[:int(n * r)]
    check(
        SplitSpec::Ratio(0.05),
        10,
        Err("a 0.05 split of 10 rows leaves the train split empty; use more data or another ratio"),
    );
    check(SplitSpec::Ratio(1.0), 10, Err("train ratio 1 is outside (0, 1); use e.g. 0.7 for 70% train"));
    check(
        SplitSpec::Ratio(f64::NAN),
        10,
        Err("train ratio NaN is outside (0, 1); use e.g. 0.7 for 70% train"),
    );
    // A date between bars starts test at the next bar: no exact match needed.
    check(SplitSpec::Date(35), 10, Ok(4));
    check(SplitSpec::Date(40), 10, Ok(4));
    // A date at the first bar is a valid split with an empty train; a date before it is outside the data.
    check(SplitSpec::Date(0), 10, Ok(0));
    check(
        SplitSpec::Date(-1),
        10,
        Err(
            "split date 1969-12-31T23:59:59.999999999Z is outside the data (1970-01-01T00:00:00Z ..= 1970-01-01T00:00:00.000000090Z); choose a date within it (the first bar's date leaves train empty)",
        ),
    );
    check(
        SplitSpec::Date(91),
        10,
        Err(
            "split date 1970-01-01T00:00:00.000000091Z is outside the data (1970-01-01T00:00:00Z ..= 1970-01-01T00:00:00.000000090Z); choose a date within it (the first bar's date leaves train empty)",
        ),
    );
    check(SplitSpec::Index(3), 10, Ok(3));
    check(
        SplitSpec::Index(10),
        10,
        Err("split index 10 is outside 1..10: train and test would not both have rows"),
    );
}

/// Cases that reached their checks, per spec kind (`ran.rs`): a ratio, date or index with no train or no
/// test rows is refused, and skipped here.
static SPLIT_RAN: Ran<3> = Ran::new();

#[test]
fn train_and_test_are_adjacent_and_never_overlap() {
    split_cases();
    SPLIT_RAN.assert_each_ran(["ratio", "date", "index"], 0.5);
}

proptest! {
    fn split_cases(
        n_rows in 2usize..5000,
        ratio in 0.0f64..1.0,
        date_at in 0.0f64..1.0,
        index_at in 0.0f64..1.0,
    ) {
        SPLIT_RAN.case();
        let timestamps: Vec<i64> = (0..n_rows as i64).map(|i| i * 10).collect();
        // Dates from just before the first bar to the last, indexes from 0 to one past the last row: mostly
        // valid cuts, and the edges (refused) now and then.
        let date = -10 + ((n_rows as f64 * 10.0) * date_at) as i64;
        let index = ((n_rows + 1) as f64 * index_at) as usize;
        for (kind, spec) in [SplitSpec::Ratio(ratio), SplitSpec::Date(date), SplitSpec::Index(index)].into_iter().enumerate() {
            let Ok(ranges) = spec.resolve(&timestamps) else { continue };
            SPLIT_RAN.ran(kind);
            let (train, test) = (ranges.range(Split::Train), ranges.range(Split::Test));
            prop_assert_eq!(train.start, 0);
            prop_assert_eq!(train.end, test.start);
            prop_assert_eq!(test.end, n_rows);
            prop_assert!(!test.is_empty());
            // Only a date at the first bar leaves train empty.
            prop_assert!(!train.is_empty() || spec == SplitSpec::Date(timestamps[0]), "{:?}", spec);
            prop_assert_eq!(ranges.range(Split::Full), 0..n_rows);
            // Every test timestamp is later than every train timestamp.
            if let Some(last_train) = train.end.checked_sub(1) {
                prop_assert!(timestamps[last_train] < timestamps[test.start]);
            }
            if let SplitSpec::Date(d) = spec {
                prop_assert!(train.end == 0 || timestamps[train.end - 1] < d);
                prop_assert!(d <= timestamps[test.start]);
            }
        }
    }
}

#[test]
fn errors_debug_print_as_their_message_with_iso_dates() {
    // `?` from `main` prints `Debug`: it must read as the message, not as nanoseconds in a struct.
    let error = SplitSpec::Date(1_262_304_000_000_000_000).resolve(&[0, 10]).unwrap_err();
    let debug = format!("{error:?}");
    assert_eq!(debug, error.to_string());
    assert!(debug.contains("2010-01-01T00:00:00Z") && !debug.contains("1262304000000000000"), "{debug}");
}
