//! Symbols with different calendars (daily 2004-2013, hourly 2017-2018, monthly 2012-2024), loaded from CSVs
//! in the pandas `to_csv` layout (`,Open,High,Low,Close,Volume`): a ratio or date split cuts them all at one
//! instant, and symbols wholly on one side keep an empty side with a warning.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use isolation::{
    DataHandler, EmptySide, IsolationError, IsolationMode, Split, SplitOptions, SplitSpec, format_timestamp,
};

/// Writes `instants` as a pandas-style CSV: an unnamed index column, then OHLCV.
fn write_vendor_csv(path: &Path, instants: &[DateTime<Utc>]) {
    let mut text = String::from(",Open,High,Low,Close,Volume\n");
    for (i, t) in instants.iter().enumerate() {
        let close = 100.0 + (i % 17) as f64;
        let stamp = t.format("%Y-%m-%d %H:%M:%S");
        writeln!(text, "{stamp},{},{},{},{close},{}", close - 1.0, close + 1.0, close - 2.0, 1000 + i)
            .unwrap();
    }
    std::fs::write(path, text).unwrap();
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc()
}

fn every(start: DateTime<Utc>, end: DateTime<Utc>, step: Duration) -> Vec<DateTime<Utc>> {
    std::iter::successors(Some(start), |t| Some(*t + step)).take_while(|t| *t < end).collect()
}

fn months(from_year: i32, to_year: i32) -> Vec<DateTime<Utc>> {
    (from_year..=to_year).flat_map(|y| (1..=12).map(move |m| at(y, m, 1))).collect()
}

/// DAILY 2004-2013, HOURLY 2017-2018, MONTHLY 2012-2024.
fn three_calendars(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("isolation-calendars-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    write_vendor_csv(&dir.join("DAILY.csv"), &every(at(2004, 1, 1), at(2014, 1, 1), Duration::days(1)));
    write_vendor_csv(&dir.join("HOURLY.csv"), &every(at(2017, 1, 1), at(2019, 1, 1), Duration::hours(1)));
    write_vendor_csv(&dir.join("MONTHLY.csv"), &months(2012, 2024));
    dir
}

fn check_one_cut(handler: &DataHandler, cut: i64) {
    for symbol in handler.symbols() {
        let train = handler.data_for(symbol, Split::Train).unwrap();
        let test = handler.data_for(symbol, Split::Test).unwrap();
        assert!(train.timestamps().iter().all(|&t| t < cut), "{symbol} train reaches the cut");
        assert!(test.timestamps().iter().all(|&t| t >= cut), "{symbol} test starts before the cut");
        assert_eq!(train.n_rows() + test.n_rows(), handler.base(symbol).unwrap().n_rows());
    }
}

#[test]
fn a_ratio_split_cuts_three_calendars_at_one_instant() {
    let dir = three_calendars("ratio");
    let mut handler = DataHandler::new(IsolationMode::View);
    assert_eq!(handler.register_dir(&dir).unwrap(), ["DAILY", "HOURLY", "MONTHLY"]);
    let cut = handler.setup_split(SplitSpec::Ratio(0.7)).unwrap();

    // The union of distinct instants: 3653 days, 17520 hours, 156 months; a month start in 2012-2013 is
    // also a day of DAILY (24 of them), and a month start in 2017-2018 is also an hour of HOURLY (24).
    let n_instants = 3653 + 17520 + 156 - 24 - 24;
    assert_eq!(cut.train_instants + cut.test_instants, n_instants);
    assert_eq!(cut.train_instants, (0.7 * n_instants as f64).floor() as usize);
    check_one_cut(&handler, cut.instant);
    assert!(format_timestamp(cut.instant).starts_with("2018-0"), "{}", format_timestamp(cut.instant));

    // DAILY ends in 2013, long before the cut: all train, no test, with a warning the caller can read.
    let warnings = handler.split_warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert_eq!((warnings[0].symbol.as_str(), warnings[0].side), ("DAILY", Split::Test));
    assert_eq!(handler.data_for("DAILY", Split::Train).unwrap().n_rows(), 3653);
    // The memory report names the cut.
    let report = handler.memory_report().to_string();
    assert!(report.contains(&format!("test from {}", format_timestamp(cut.instant))), "{report}");

    // The same split refused when the caller asks for every symbol to have both sides.
    let strict = SplitOptions::new().with_empty_side(EmptySide::Error);
    let error = handler.setup_split_with(SplitSpec::Ratio(0.7), strict).unwrap_err();
    assert!(matches!(&error, IsolationError::ForSymbol { symbol, .. } if symbol == "DAILY"), "{error}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_date_split_cuts_three_calendars_at_the_date() {
    let dir = three_calendars("date");
    let mut handler = DataHandler::new(IsolationMode::View);
    handler.register_dir(&dir).unwrap();
    let date = at(2015, 6, 15).timestamp_nanos_opt().unwrap();
    let cut = handler.setup_split(SplitSpec::Date(date)).unwrap();
    assert_eq!(cut.instant, date);
    check_one_cut(&handler, date);
    let rows = |symbol, split| handler.data_for(symbol, split).unwrap().n_rows();
    assert_eq!((rows("DAILY", Split::Train), rows("DAILY", Split::Test)), (3653, 0));
    assert_eq!((rows("HOURLY", Split::Train), rows("HOURLY", Split::Test)), (0, 17520));
    // MONTHLY: 2012-01 ..= 2015-06 train (42 months), the rest test.
    assert_eq!((rows("MONTHLY", Split::Train), rows("MONTHLY", Split::Test)), (42, 156 - 42));
    let sides: Vec<(String, Split)> =
        handler.split_warnings().into_iter().map(|w| (w.symbol, w.side)).collect();
    assert_eq!(sides, [("DAILY".to_string(), Split::Test), ("HOURLY".to_string(), Split::Train)]);

    // A date at the very first bar is a valid split with an empty train for every symbol.
    let first = at(2004, 1, 1).timestamp_nanos_opt().unwrap();
    let cut = handler.setup_split(SplitSpec::Date(first)).unwrap();
    assert_eq!(cut.train_instants, 0);
    // Before it, or after the last bar, is outside the data.
    for outside in [first - 1, at(2025, 1, 1).timestamp_nanos_opt().unwrap()] {
        let error = handler.setup_split(SplitSpec::Date(outside)).unwrap_err();
        assert!(matches!(error, IsolationError::DateOutsideData { .. }), "{error}");
    }
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_test_side_reads_warm_up_history_but_trades_only_test_bars() {
    let dir = three_calendars("warmup");
    let mut handler = DataHandler::new(IsolationMode::DeepCopy);
    handler.register_dir(&dir).unwrap();
    let date = at(2018, 1, 1).timestamp_nanos_opt().unwrap();
    let options = SplitOptions::new().with_warmup("2d".parse().unwrap());
    handler.setup_split_with(SplitSpec::Date(date), options).unwrap();
    let test = handler.data_for("HOURLY", Split::Test).unwrap();
    assert_eq!(test.warmup_rows(), 48);
    let mut cursor = test.cursor();
    assert_eq!(cursor.current().unwrap().timestamp(), date, "the first tradable bar is the first test bar");
    assert_eq!(cursor.window(100).len(), 49, "48 warm-up bars and the current one");
    assert!(cursor.window(100).timestamps().iter().all(|&t| t <= date));
    let mut bars = 0;
    while let Some(bar) = cursor.current() {
        assert!(bar.timestamp() >= date);
        bars += 1;
        cursor.advance();
    }
    assert_eq!(bars, test.n_rows());
    std::fs::remove_dir_all(dir).unwrap();
}
