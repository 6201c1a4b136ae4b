//! One test per file layout that must load with no (or one) option.

use timeseries_array::format_timestamp;
use timeseries_io::{EpochUnit, LoadOptions, Loaded, TimestampFormat, TimestampLayout, load};

fn check(
    file: &str,
    options: &LoadOptions,
    columns: &[&str],
    first: &str,
    layout: TimestampLayout,
) -> Loaded {
    let loaded = load(format!("tests/data/{file}"), options).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.frame.column_names(), columns, "{file}");
    assert_eq!(format_timestamp(loaded.frame.timestamps()[0]), first, "{file}");
    assert_eq!(loaded.report.timestamp_layout, layout, "{file}");
    assert_eq!(loaded.report.rows, loaded.frame.n_rows());
    loaded
}

#[test]
fn yahoo_daily() {
    let loaded = check(
        "yahoo.csv",
        &LoadOptions::default(),
        &["Open", "High", "Low", "Close", "Adj Close", "Volume"],
        "2024-01-02T00:00:00Z",
        TimestampLayout::Date,
    );
    assert_eq!(loaded.frame.f64_column("Adj Close").unwrap(), &[468.79, 464.96, 463.46]);
    assert_eq!(loaded.frame.value_type(5).name(), "i64");
    assert!(loaded.report.renamed.is_empty(), "the file's names are kept: {:?}", loaded.report.renamed);
}

#[test]
fn pandas_to_csv_with_unnamed_index_counts_missing_values() {
    let loaded = check(
        "pandas_index.csv",
        &LoadOptions::default(),
        &["open", "high", "low", "close", "volume"],
        "2024-03-01T09:30:00Z",
        TimestampLayout::Iso { zoned: false },
    );
    let missing: Vec<u64> = loaded.report.missing.iter().map(|m| m.missing).collect();
    assert_eq!(missing, [0, 0, 0, 1, 1]);
    assert_eq!(loaded.frame.value_f64(3, 1), None);
}

#[test]
fn binance_klines_with_and_without_header() {
    let epoch_ms = TimestampLayout::Epoch { unit: EpochUnit::Milliseconds, detected: true };
    let columns = [
        "open",
        "high",
        "low",
        "close",
        "volume",
        "close_time",
        "quote_volume",
        "trades",
        "taker_buy_base_volume",
        "taker_buy_quote_volume",
        "ignore",
    ];
    let with = check(
        "binance_header.csv",
        &LoadOptions::default(),
        &columns,
        "2024-01-01T00:00:00Z",
        epoch_ms.clone(),
    );
    let without =
        check("binance_no_header.csv", &LoadOptions::default(), &columns, "2024-01-01T00:00:00Z", epoch_ms);
    assert_eq!(with.frame, without.frame);
}

#[test]
fn metatrader_date_and_time_columns_with_semicolons() {
    let loaded = check(
        "date_time_columns.csv",
        &LoadOptions::default(),
        &["<OPEN>", "<HIGH>", "<LOW>", "<CLOSE>", "<TICKVOL>"],
        "2024-01-02T09:00:00Z",
        TimestampLayout::DateAndTime { date: "<DATE>".into(), time: "<TIME>".into() },
    );
    assert_eq!(format_timestamp(loaded.frame.timestamps()[1]), "2024-01-02T09:01:00Z");
}

#[test]
fn zoned_iso_is_converted_to_utc() {
    let loaded = check(
        "zoned.csv",
        &LoadOptions::default(),
        &["price"],
        "2024-03-01T08:30:00Z",
        TimestampLayout::Iso { zoned: true },
    );
    assert_eq!(format_timestamp(loaded.frame.timestamps()[1]), "2024-03-01T08:30:00.500Z");
}

#[test]
fn epoch_seconds_detected_or_stated() {
    let detected = TimestampLayout::Epoch { unit: EpochUnit::Seconds, detected: true };
    check("epoch_seconds.csv", &LoadOptions::default(), &["close"], "2024-03-01T09:30:00Z", detected);
    let options = LoadOptions {
        timestamp_format: TimestampFormat::Epoch(EpochUnit::Milliseconds),
        ..Default::default()
    };
    let stated = TimestampLayout::Epoch { unit: EpochUnit::Milliseconds, detected: false };
    check("epoch_seconds.csv", &options, &["close"], "1970-01-20T18:48:05.400Z", stated);
}

#[test]
fn explicit_format_string() {
    let options = LoadOptions {
        timestamp_column: Some("when".into()),
        timestamp_format: TimestampFormat::Format("%d/%m/%Y %H:%M".into()),
        ..Default::default()
    };
    let layout = TimestampLayout::Format { format: "%d/%m/%Y %H:%M".into() };
    check("custom_format.csv", &options, &["close"], "2024-03-01T09:30:00Z", layout);
}

#[test]
fn decimal_after_integers_widens_the_column_and_text_is_dropped() {
    let loaded = check(
        "int_then_float.csv",
        &LoadOptions::default(),
        &["close"],
        "2024-01-01T00:00:00Z",
        TimestampLayout::Date,
    );
    assert_eq!(loaded.frame.f64_column("close").unwrap(), &[1.0, 2.5]);
    assert_eq!(loaded.report.dropped, ["symbol"]);
}

#[test]
fn projection_by_file_or_canonical_name_in_the_order_asked() {
    let options = LoadOptions { columns: Some(vec!["Volume".into(), "close".into()]), ..Default::default() };
    check("yahoo.csv", &options, &["Volume", "Close"], "2024-01-02T00:00:00Z", TimestampLayout::Date);
}

#[test]
fn sort_option_sorts_unsorted_rows() {
    let options = LoadOptions { sort: true, ..Default::default() };
    let loaded =
        check("bad_unsorted.csv", &options, &["Close"], "2024-01-02T00:00:00Z", TimestampLayout::Date);
    assert_eq!(loaded.frame.f64_column("Close").unwrap(), &[1.0, 3.0, 2.0]);
    assert!(loaded.report.sorted);
}

#[test]
fn small_batches_give_the_same_frame() {
    let one =
        load("tests/data/pandas_index.csv", &LoadOptions { batch_size: 1, ..Default::default() }).unwrap();
    let all = load("tests/data/pandas_index.csv", &LoadOptions::default()).unwrap();
    assert_eq!(one.frame, all.frame);
}

#[test]
fn a_datetime_value_column_loads_as_nanoseconds_with_its_gaps() {
    // A label-end column (`t1`) beside the index: kept as i64 nanoseconds since the epoch, not dropped; a
    // label not yet resolved (empty) is a null.
    let loaded = check(
        "label_ends.csv",
        &LoadOptions::default(),
        &["close", "t1"],
        "2024-01-01T00:00:00Z",
        TimestampLayout::Iso { zoned: false },
    );
    assert_eq!(loaded.frame.value_type(1).name(), "i64");
    let t1: Vec<Option<String>> =
        (0..3).map(|row| loaded.frame.value_f64(1, row).map(|v| format_timestamp(v as i64))).collect();
    assert_eq!(t1, [Some("2024-01-03T00:00:00Z".into()), Some("2024-01-04T12:00:00Z".into()), None]);
    assert!(loaded.report.dropped.is_empty());
}

#[test]
fn a_datetime_value_outside_the_nanosecond_range_is_an_error_not_a_null() {
    // `9999-12-31` (a valid date, "open-ended" in many vendors' files) cannot be held in i64 nanoseconds:
    // it became a null, and the purge then reported a missing label end.
    let dir = std::env::temp_dir().join(format!("isolation-io-far-dates-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("far.csv");
    std::fs::write(&path, "date,close,t1\n2024-01-01,1.0,2024-01-05\n2024-01-02,2.0,9999-12-31\n").unwrap();
    let err = load(&path, &LoadOptions::default()).unwrap_err().to_string();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        err.ends_with(
            "line 3, column `t1`: cannot read `2932896 (Date32)` as a date-time in the nanosecond range (years \
             1677 to 2262)"
        ),
        "{err}"
    );
}

#[test]
fn the_index_keeps_the_files_name_and_zone() {
    // (file, the index name as the file writes it, its zone: naive text and dates stay naive, text with
    // offsets and epoch numbers are UTC)
    let cases = [
        ("yahoo.csv", Some("Date"), None),
        ("pandas_index.csv", None, None), // an empty header is pandas' unnamed index
        ("zoned.csv", Some("timestamp"), Some("UTC")),
        ("epoch_seconds.csv", Some("time"), Some("UTC")),
        ("custom_format.csv", Some("when"), None),
    ];
    for (file, name, zone) in cases {
        let options = match file {
            "custom_format.csv" => LoadOptions {
                timestamp_format: TimestampFormat::Format("%m/%d/%Y %H:%M".into()),
                timestamp_column: Some("when".into()),
                ..LoadOptions::default()
            },
            _ => LoadOptions::default(),
        };
        let loaded = load(format!("tests/data/{file}"), &options).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(loaded.frame.index_zone(), zone, "{file}");
        assert_eq!(loaded.frame.index_label().name.as_deref(), name, "{file}");
    }
}
