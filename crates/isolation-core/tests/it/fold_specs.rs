//! Table tests for the fold specs: text forms, fold layouts and error messages.

use isolation_core::CrossValidation;
use std::ops::Range;

use isolation_core::{CombinatorialPurgedCv, LastN, Length, PurgedKFold, Split, TestWithWarmup, WalkForward};

const DAY: i64 = 86_400_000_000_000;

fn daily(n: i64) -> Vec<i64> {
    (0..n).map(|d| d * DAY).collect()
}

/// Parses `input` as a length and compares with `expect` (the debug form, or the error message).
fn check_length(input: &str, expect: &str) {
    let got = match input.parse::<Length>() {
        Ok(length) => {
            assert_eq!(length.to_string().parse::<Length>().as_ref(), Ok(&length), "round trip of {input}");
            format!("{length:?}")
        }
        Err(e) => e.to_string(),
    };
    assert_eq!(got, expect, "input {input}");
}

#[test]
fn lengths_parse_rows_and_durations() {
    check_length("500", "Rows(500)");
    check_length("500r", "Rows(500)");
    check_length("0", "Rows(0)");
    check_length("1w", "Time(604800000000000)");
    check_length("30d", "Time(2592000000000000)");
    check_length("12h", "Time(43200000000000)");
    check_length("15m", "Time(900000000000)");
    check_length("30s", "Time(30000000000)");
    check_length("500ms", "Time(500000000)");
    check_length("10us", "Time(10000)");
    check_length("7ns", "Time(7)");
    check_length(
        "1.5h",
        "invalid length `1.5h`: fractions are not supported; use a smaller unit, e.g. 90m for 1.5h; use e.g. 500 (rows), 30d, 12h, 15m or 500ms",
    );
    check_length(
        "1M",
        "invalid length `1M`: months and years have no fixed length; use days, e.g. 30d or 365d; use e.g. 500 (rows), 30d, 12h, 15m or 500ms",
    );
    check_length(
        "3x",
        "invalid length `3x`: unknown unit `x`; expected one of r, w, d, h, m, s, ms, us, ns; use e.g. 500 (rows), 30d, 12h, 15m or 500ms",
    );
    check_length(
        "d",
        "invalid length `d`: it does not start with a whole number; use e.g. 500 (rows), 30d, 12h, 15m or 500ms",
    );
    check_length(
        "-1d",
        "invalid length `-1d`: it does not start with a whole number; use e.g. 500 (rows), 30d, 12h, 15m or 500ms",
    );
    check_length(
        "99999999999w",
        "invalid length `99999999999w`: the duration overflows 64-bit nanoseconds; use e.g. 500 (rows), 30d, 12h, 15m or 500ms",
    );
}

#[test]
fn lengths_display_in_the_largest_exact_unit() {
    for (length, expect) in [
        (Length::Time(14 * DAY), "2w"),
        (Length::Time(36 * 3_600_000_000_000), "36h"),
        (Length::Time(1_500_000_000), "1500ms"),
        (Length::Time(0), "0s"),
        (Length::Rows(12), "12"),
    ] {
        assert_eq!(length.to_string(), expect);
    }
}

/// Parses `spec`, lays it over `timestamps` and compares `(train, test)` per fold, or the error message.
/// Expected `(train, test)` row ranges per fold.
type Folds<'a> = &'a [(Range<usize>, Range<usize>)];

fn check_walk(spec: &str, timestamps: &[i64], expect: Result<Folds<'_>, &str>) {
    let got = spec.parse::<WalkForward>().and_then(|walk| {
        assert_eq!(walk.to_string().parse::<WalkForward>().as_ref(), Ok(&walk), "round trip of {spec}");
        walk.folds(timestamps)
    });
    match (got, expect) {
        (Ok(folds), Ok(expect)) => {
            let pairs: Vec<_> = folds.iter().map(|f| (f.train.clone(), f.test.clone())).collect();
            assert_eq!(pairs, expect, "spec {spec}");
        }
        (Err(e), Err(expect)) => assert_eq!(e.to_string(), expect, "spec {spec}"),
        (got, expect) => panic!("spec {spec}: got {got:?}, expected {expect:?}"),
    }
}

#[test]
fn walk_forward_in_rows() {
    let ten: Vec<i64> = (0..10).collect();
    check_walk("train=4,test=2", &ten, Ok(&[(0..4, 4..6), (2..6, 6..8), (4..8, 8..10)]));
    check_walk("train=4,test=2,gap=1", &ten, Ok(&[(0..4, 5..7), (2..6, 7..9)]));
    check_walk("train=4,test=2,gap=1,partial", &ten, Ok(&[(0..4, 5..7), (2..6, 7..9), (4..8, 9..10)]));
    check_walk("train=4,test=2,expanding", &ten, Ok(&[(0..4, 4..6), (0..6, 6..8), (0..8, 8..10)]));
    check_walk("train=3,test=2,max_train=4", &ten, Ok(&[(0..3, 3..5), (1..5, 5..7), (3..7, 7..9)]));
    check_walk("train=3,test=2,step=3", &ten, Ok(&[(0..3, 3..5), (3..6, 6..8)]));
    check_walk("train=3, test=1, step=1, rolling", &ten[..5], Ok(&[(0..3, 3..4), (1..4, 4..5)]));
    check_walk(
        "train=9,test=2",
        &ten,
        Err(
            "`train=9,test=2,step=2` gives no fold on 10 rows (1970-01-01T00:00:00Z ..= 1970-01-01T00:00:00.000000009Z); use more data or shorter lengths, or add `partial` to keep a shorter last test",
        ),
    );
    check_walk("train=9,test=2,partial", &ten, Ok(&[(0..9, 9..10)]));
    check_walk(
        "train=10,test=2,partial",
        &ten,
        Err(
            "`train=10,test=2,step=2,partial` gives no fold on 10 rows (1970-01-01T00:00:00Z ..= 1970-01-01T00:00:00.000000009Z); use more data or shorter lengths",
        ),
    );
    check_walk("train=4,test=2", &[], Err("no rows: `train=4,test=2,step=2` needs data to lay folds over"));
}

#[test]
fn walk_forward_in_time() {
    let days = daily(120);
    check_walk("train=90d,test=30d", &days, Ok(&[(0..90, 90..120)]));
    check_walk("train=60d,test=30d,step=30d,gap=1d", &days, Ok(&[(0..60, 61..91)]));
    check_walk(
        "train=30d,test=30d,expanding",
        &days,
        Ok(&[(0..30, 30..60), (0..60, 60..90), (0..90, 90..120)]),
    );
    check_walk("train=90d,test=20d,partial", &days, Ok(&[(0..90, 90..110), (20..110, 110..120)]));
    // Weekdays only: 30 calendar days of train hold fewer rows, and instants need no row of their own.
    let weekdays: Vec<i64> = (0..120).filter(|d| d % 7 < 5).map(|d| d * DAY).collect();
    check_walk(
        "train=28d,test=14d",
        &weekdays,
        Ok(&[
            (0..20, 20..30),
            (10..30, 30..40),
            (20..40, 40..50),
            (30..50, 50..60),
            (40..60, 60..70),
            (50..70, 70..80),
        ]),
    );
    check_walk(
        "train=90d,test=500",
        &days,
        Err(
            "`train=90d,test=500,step=500` mixes row counts and durations; give all lengths in rows or all in time (e.g. 30d)",
        ),
    );
}

#[test]
fn walk_forward_parse_errors_name_the_key() {
    for (spec, expect) in [
        ("test=30d", "cannot parse `test=30d`: `train` is required, e.g. `train=90d,test=30d`"),
        (
            "train=90d,test=30d,foo=1",
            "cannot parse `train=90d,test=30d,foo=1`: unknown key `foo`; expected `train`, `test`, `step`, `gap`, `expanding`, `max_train`, `rolling`, `partial`, `min_train`",
        ),
        ("train=90d,train=1d,test=1d", "cannot parse `train=90d,train=1d,test=1d`: `train` is given twice"),
        ("train=,test=1d", "cannot parse `train=,test=1d`: `train` needs a value (`train=...`)"),
        (
            "train=90d,test=30d,partial=yes",
            "cannot parse `train=90d,test=30d,partial=yes`: `partial` is a flag and takes no value, got `yes`",
        ),
        (
            "train=90d,test=30q",
            "cannot parse `train=90d,test=30q`: `test`: invalid length `30q`: unknown unit `q`; expected one of r, w, d, h, m, s, ms, us, ns; use e.g. 500 (rows), 30d, 12h, 15m or 500ms",
        ),
        ("train=90d,test=0d", "test of `train=90d,test=0s,step=0s` must be positive"),
        (
            "train=9,test=3,rolling,expanding",
            "cannot parse `train=9,test=3,rolling,expanding`: `rolling` conflicts with `expanding` and `max_train`",
        ),
        (
            "train=9,test=3,,partial",
            "cannot parse `train=9,test=3,,partial`: empty item; expected comma-separated `train`, `test`, `step`, `gap`, `expanding`, `max_train`, `rolling`, `partial`, `min_train`",
        ),
    ] {
        assert_eq!(spec.parse::<WalkForward>().map_err(|e| e.to_string()), Err(expect.to_string()));
    }
}

#[test]
fn schedule_cuts_every_symbol_at_the_same_instant() {
    let full = daily(100);
    let late: Vec<i64> = (10..100).step_by(2).map(|d| d * DAY).collect(); // starts later, every other day
    let walk: WalkForward = "train=40d,test=20d,step=20d".parse().unwrap();
    let schedule = walk.schedule(&[&full, &late]).unwrap();
    let instants: Vec<_> =
        schedule.iter().map(|f| (f.train_start / DAY, f.test_start / DAY, f.test_end / DAY)).collect();
    assert_eq!(instants, vec![(0, 40, 60), (20, 60, 80), (40, 80, 100)]);
    let late_folds: Vec<_> = schedule.iter().map(|f| f.rows_for(&late)).map(|f| (f.train, f.test)).collect();
    assert_eq!(late_folds, vec![(0..15, 15..25), (5..25, 25..35), (15..35, 35..45)]);
    assert_eq!(
        "train=4,test=2".parse::<WalkForward>().unwrap().schedule(&[&full]).map_err(|e| e.to_string()),
        Err("`train=4,test=2,step=2` counts rows, which differ between symbols; give lengths in time (e.g. 30d) to cut all symbols at the same instant".into())
    );
}

/// Parses `spec` as purged k-fold (`k=`) or combinatorial CV and compares `train [..] test [..]` per fold.
fn check_cv(spec: &str, n_rows: i64, expect: Result<&[&str], &str>) {
    let timestamps: Vec<i64> = (0..n_rows).collect();
    let got = if spec.starts_with("k=") {
        spec.parse::<PurgedKFold>().and_then(|cv| {
            assert_eq!(cv.to_string().parse::<PurgedKFold>().as_ref(), Ok(&cv));
            cv.folds(&timestamps)
        })
    } else {
        spec.parse::<CombinatorialPurgedCv>().and_then(|cv| {
            assert_eq!(cv.to_string().parse::<CombinatorialPurgedCv>().as_ref(), Ok(&cv));
            cv.folds(&timestamps)
        })
    };
    match (got, expect) {
        (Ok(folds), Ok(expect)) => {
            let got: Vec<_> =
                folds.iter().map(|f| format!("train {:?} test {:?}", f.train, f.test)).collect();
            assert_eq!(got, expect, "spec {spec}");
        }
        (Err(e), Err(expect)) => assert_eq!(e.to_string(), expect, "spec {spec}"),
        (got, expect) => panic!("spec {spec}: got {got:?}, expected {expect:?}"),
    }
}

#[test]
fn purged_kfold_drops_purge_before_and_embargo_after_each_test_block() {
    check_cv(
        "k=3",
        7,
        Ok(&["train [3..7] test [0..3]", "train [0..3, 5..7] test [3..5]", "train [0..5] test [5..7]"]),
    );
    check_cv(
        "k=3,purge=1,embargo=2",
        9,
        Ok(&["train [6..9] test [0..3]", "train [0..2] test [3..6]", "train [0..5] test [6..9]"]),
    );
    // In time (row i at i ns): purge drops rows up to 2ns before the test and up to 2ns after its last bar,
    // then the embargo drops rows up to 1ns after the purge.
    check_cv(
        "k=3,purge=2ns,embargo=1ns",
        9,
        Ok(&["train [6..9] test [0..3]", "train [0..1] test [3..6]", "train [0..4] test [6..9]"]),
    );
    check_cv(
        "k=2,embargo=9",
        6,
        Err(
            "fold 0 of `k=2,embargo=9` has no train rows left after purge and embargo; shorten them or use fewer folds",
        ),
    );
    check_cv("k=5", 3, Err("`k=5` cannot split 3 rows: 5 folds need at least as many rows"));
    check_cv("k=1", 3, Err("cannot parse `k=1`: `k` must be at least 2, got 1"));
}

#[test]
fn combinatorial_cv_tests_every_pair_of_groups() {
    // Groups 0..2, 2..4, 4..6, 6..8; adjacent test groups merge into one range.
    check_cv(
        "n_folds=4,n_test_folds=2",
        8,
        Ok(&[
            "train [4..8] test [0..4]",
            "train [2..4, 6..8] test [0..2, 4..6]",
            "train [2..6] test [0..2, 6..8]",
            "train [0..2, 6..8] test [2..6]",
            "train [0..2, 4..6] test [2..4, 6..8]",
            "train [0..4] test [4..8]",
        ]),
    );
    check_cv(
        "n_folds=4,n_test_folds=2,purge=1",
        8,
        Ok(&[
            "train [5..8] test [0..4]",
            "train [7..8] test [0..2, 4..6]",
            "train [3..5] test [0..2, 6..8]",
            "train [0..1, 7..8] test [2..6]",
            "train [0..1] test [2..4, 6..8]",
            "train [0..3] test [4..8]",
        ]),
    );
    check_cv(
        "n_folds=4,n_test_folds=4",
        8,
        Err(
            "cannot parse `n_folds=4,n_test_folds=4`: need n_folds >= 2 and 1 <= n_test_folds < n_folds, got 4 and 4",
        ),
    );
    let cv = CombinatorialPurgedCv::new(10, 2);
    assert_eq!((cv.n_splits(), cv.n_test_paths()), (45, 9));
}

#[test]
fn last_n_tests_the_last_rows_or_the_last_stretch_of_time() {
    let days = daily(100);
    for (spec, expect) in [
        ("10", Ok((0..90, 90..100))),
        ("30d", Ok((0..70, 70..100))),
        ("1w", Ok((0..93, 93..100))),
        ("0", Err("testing on the last 0 of 100 instants leaves the test split empty")),
        ("100", Err("testing on the last 100 of 100 instants leaves the train split empty")),
        ("100d", Err("testing on the last 100d of 100 instants leaves the train split empty")),
    ] {
        let got = spec
            .parse::<LastN>()
            .and_then(|last| last.resolve(&days))
            .map(|r| (r.range(Split::Train), r.range(Split::Test)))
            .map_err(|e| e.to_string());
        assert_eq!(got, expect.map_err(String::from), "last {spec}");
    }
}

#[test]
fn warmup_reaches_back_into_history_but_not_before_the_data() {
    let days = daily(10);
    for (test, warmup, expect) in [
        (6..10, Length::Rows(3), 3..6),
        (2..10, Length::Rows(5), 0..2),
        (6..10, Length::Time(2 * DAY), 4..6),
        (6..10, Length::Time(2 * DAY - 1), 5..6),
        (0..4, Length::Time(DAY), 0..0),
    ] {
        let t = TestWithWarmup::new(test.clone(), warmup, &days);
        assert_eq!(
            (t.warmup.clone(), t.test.clone()),
            (expect.clone(), test.clone()),
            "warm-up {warmup} before {test:?}"
        );
        assert_eq!((t.rows(), t.warmup_len()), (expect.start..test.end, expect.len()));
    }
}

#[test]
fn cpcv_train_sizes_match_skfolios_on_the_leak_report_example() {
    // #17's example: 6000 rows, n_folds=6, n_test_folds=2, purged_size=10, embargo_size=5. skfolio's
    // CombinatorialPurgedCV gives train sizes 3950 to 3990 (purge on both sides of each test block, then the
    // embargo); purging one side only gave 3970 to 3995, leaving up to 20 rows whose labels overlap the test.
    let spec: isolation_core::CombinatorialPurgedCv =
        "n_folds=6,n_test_folds=2,purge=10,embargo=5".parse().unwrap();
    let folds = spec.folds(&(0..6000).collect::<Vec<i64>>()).unwrap();
    let sizes: Vec<usize> = folds.iter().map(|f| f.n_train()).collect();
    assert_eq!((sizes.iter().min(), sizes.iter().max()), (Some(&3950), Some(&3990)), "{sizes:?}");
    // Two interior, non-adjacent test groups: 1000 + 1000 test rows, 2 x (10 + 10 + 5) removed.
    assert_eq!(folds.iter().find(|f| f.test_groups == [1, 3]).unwrap().n_train(), 3950);
}

#[test]
fn huge_combinatorial_specs_are_refused_at_once_and_walk_lazily() {
    let stamps: Vec<i64> = (0..400).collect();
    let spec = CombinatorialPurgedCv::new(40, 20);
    assert_eq!(spec.n_splits(), 137_846_528_820);
    let err = spec.folds(&stamps).unwrap_err();
    assert_eq!(
        err.to_string(),
        "`n_folds=40,n_test_folds=20` makes 137846528820 folds, more than the 100000 that can be laid out at \
         once; use fewer folds or test folds, or walk them one at a time (CombinatorialPurgedCv::fold_iter, the \
         Python splitters' split)"
    );
    // Walking: the folds come one at a time, in the order `folds` gives for a small spec.
    let labels = isolation_core::LabelIntervals::horizon(&stamps, Length::Rows(0));
    let walked: Vec<_> = spec.fold_iter(labels).unwrap().take(10_000).map(Result::unwrap).collect();
    assert_eq!(walked.len(), 10_000);
    assert_eq!(walked[1].test_groups, (0..19).chain([20]).collect::<Vec<_>>());
    let small = CombinatorialPurgedCv::new(6, 2).with_purge_embargo(Length::Rows(2), Length::Rows(1));
    let eager = small.folds(&stamps).unwrap();
    let lazy: Vec<_> = small
        .fold_iter(isolation_core::LabelIntervals::horizon(&stamps, Length::Rows(2)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!((eager.len(), &eager), (15, &lazy));
}
