//! One test per bad input, each with a snapshot of the message a person reads.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use timeseries_array::TimeFrame;
use timeseries_io::{LoadError, LoadOptions, load, save};

fn error(file: &str, options: &LoadOptions) -> String {
    match load(format!("tests/data/{file}"), options) {
        Ok(loaded) => panic!("{file} loaded {} rows, expected an error", loaded.frame.n_rows()),
        Err(e) => e.to_string(),
    }
}

fn bad(file: &str) -> String {
    error(file, &LoadOptions::default())
}

#[test]
fn unsorted() {
    insta::assert_snapshot!(bad("bad_unsorted.csv"), @"tests/data/bad_unsorted.csv: line 4, column `Date`: timestamp 2024-01-03T00:00:00Z is earlier than the previous row's 2024-01-04T00:00:00Z; sort the file by time or set LoadOptions::sort");
}

#[test]
fn duplicate() {
    insta::assert_snapshot!(bad("bad_duplicate.csv"), @"tests/data/bad_duplicate.csv: line 4, column `Date`: duplicate timestamp 2024-01-03T00:00:00Z; timestamps must be unique");
}

#[test]
fn duplicate_is_an_error_even_with_sort() {
    let options = LoadOptions { sort: true, ..Default::default() };
    insta::assert_snapshot!(error("bad_duplicate.csv", &options), @"tests/data/bad_duplicate.csv: line 4, column `Date`: duplicate timestamp 2024-01-03T00:00:00Z; timestamps must be unique");
}

#[test]
fn unparseable_cell() {
    insta::assert_snapshot!(bad("bad_cell.csv"), @"tests/data/bad_cell.csv: line 3, column `Close`: cannot read `n/a` as f64");
}

#[test]
fn unparseable_timestamp() {
    insta::assert_snapshot!(bad("bad_timestamp.csv"), @"tests/data/bad_timestamp.csv: line 3, column `Date`: cannot read `2024-13-03` as an ISO 8601 date-time");
}

#[test]
fn missing_timestamp_column() {
    insta::assert_snapshot!(bad("bad_no_timestamp.csv"), @"tests/data/bad_no_timestamp.csv: no timestamp column could be recognised (name it in LoadOptions::timestamp_column); the file has columns: symbol, close");
}

#[test]
fn named_timestamp_column_absent() {
    let options = LoadOptions { timestamp_column: Some("ts".into()), ..Default::default() };
    insta::assert_snapshot!(error("yahoo.csv", &options), @"tests/data/yahoo.csv: no timestamp column named `ts`; the file has columns: Date, Open, High, Low, Close, Adj Close, Volume");
}

#[test]
fn missing_timestamp_cell() {
    insta::assert_snapshot!(bad("bad_missing_timestamp.csv"), @"tests/data/bad_missing_timestamp.csv: line 3, column `Date`: the timestamp is missing; every row needs one");
}

#[test]
fn empty_file() {
    insta::assert_snapshot!(bad("bad_empty.csv"), @"tests/data/bad_empty.csv: the file is empty");
}

#[test]
fn header_only() {
    insta::assert_snapshot!(bad("bad_header_only.csv"), @"tests/data/bad_header_only.csv: the file has a header but no data rows");
}

#[test]
fn wrong_delimiter() {
    let options = LoadOptions { delimiter: Some(b','), ..Default::default() };
    insta::assert_snapshot!(error("bad_delimiter.csv", &options), @"tests/data/bad_delimiter.csv: line 1 splits into one column with delimiter ',', but ';' appears 2 times; pass the file's delimiter in LoadOptions::delimiter");
}

#[test]
fn mixed_timezones() {
    insta::assert_snapshot!(bad("bad_mixed_zones.csv"), @"tests/data/bad_mixed_zones.csv: line 3, column `timestamp`: `2024-03-01T09:31:00` has no time zone but earlier rows had one; use one convention for the whole file");
}

#[test]
fn unknown_requested_column() {
    let options = LoadOptions { columns: Some(vec!["vwap".into()]), ..Default::default() };
    insta::assert_snapshot!(error("yahoo.csv", &options), @"tests/data/yahoo.csv: no column named `vwap`; the file has columns: Date, Open, High, Low, Close, Adj Close, Volume");
}

#[test]
fn non_numeric_requested_column() {
    let options = LoadOptions { columns: Some(vec!["symbol".into()]), ..Default::default() };
    insta::assert_snapshot!(error("int_then_float.csv", &options), @"tests/data/int_then_float.csv: column `symbol` has type Utf8, which is not numeric; leave it out of LoadOptions::columns");
}

#[test]
fn unknown_extension() {
    insta::assert_snapshot!(bad("yahoo.xlsx"), @"tests/data/yahoo.xlsx: unknown file type `xlsx`; use .csv, .parquet/.pq or .arrow/.feather/.ipc");
}

/// Writes a small frame as `name`, cuts the file to `keep` of its bytes, and loads it.
fn truncated(name: &str, keep: f64) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("timeseries-io-errors");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let close: ArrayRef = Arc::new(Float64Array::from((0..1000).map(f64::from).collect::<Vec<_>>()));
    let frame = TimeFrame::try_new((0..1000).collect::<Vec<i64>>(), vec![("close".into(), close)]).unwrap();
    save(&path, &frame).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..(bytes.len() as f64 * keep) as usize]).unwrap();
    let error = load(&path, &LoadOptions::default()).expect_err("a truncated file must not load");
    assert!(matches!(error, LoadError::Truncated { .. }), "{error:?}");
    error.to_string().replace(&dir.display().to_string(), "<tmp>")
}

#[test]
fn truncated_parquet() {
    insta::assert_snapshot!(truncated("cut.parquet", 0.5), @"<tmp>/cut.parquet: the Parquet file is truncated or corrupt (Parquet error: Invalid Parquet file. Corrupt footer); write it again");
}

#[test]
fn truncated_ipc() {
    insta::assert_snapshot!(truncated("cut.arrow", 0.5), @"<tmp>/cut.arrow: the Arrow IPC file is truncated or corrupt (the trailing ARROW1 magic is missing (truncated, or not written to the end)); write it again");
}

/// Loads `contents` written as a CSV file named `name` in a scratch directory; the error as its message.
fn load_csv_text(name: &str, contents: &str, options: &LoadOptions) -> Result<timeseries_io::Loaded, String> {
    let dir = std::env::temp_dir().join(format!("timeseries-io-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, contents).unwrap();
    let result = load(&path, options).map_err(|e| e.to_string());
    std::fs::remove_file(path).unwrap();
    result
}

#[test]
fn control_characters_from_a_hostile_file_are_escaped_in_messages() {
    // Regression: a header with an escape sequence was printed raw, so an error could clear the terminal
    // or forge lines.
    let options = LoadOptions { columns: Some(vec!["close".into()]), ..Default::default() };
    let text = "time\x1b[2J,close\n2024-01-01,1\n2024-01-02,\x07x\n";
    let message = load_csv_text("hostile.csv", text, &options).unwrap_err();
    assert!(!message.chars().any(char::is_control), "{message:?}");
}

#[test]
fn a_csv_error_after_a_quoted_newline_names_the_physical_line() {
    // Regression: locations counted records, so a quoted field spanning two lines shifted every later line.
    let text = "timestamp,close,note\n2024-01-01,1.0,\"two\nlines\"\n2024-01-02,abc,x\n";
    let message = load_csv_text("quoted.csv", text, &LoadOptions::default()).unwrap_err();
    assert!(message.contains("line 4, column `close`: cannot read `abc`"), "{message}");
}

#[test]
fn a_volume_above_i64_max_loads_exactly_as_u64() {
    // Regression: arrow-csv inferred f64 for 18446744073709551615 and the last digits were lost silently.
    let text = "timestamp,close,volume\n2024-01-01,1.5,18446744073709551615\n2024-01-02,2.5,7\n";
    let loaded = load_csv_text("big.csv", text, &LoadOptions::default()).unwrap();
    let volume = loaded.frame.column("volume").unwrap();
    let volume = volume.as_any().downcast_ref::<arrow_array::UInt64Array>().expect("volume loads as u64");
    assert_eq!(volume.values().as_ref(), [u64::MAX, 7]);
}
