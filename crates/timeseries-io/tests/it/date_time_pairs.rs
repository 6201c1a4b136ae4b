//! Separate date and time columns of any supported types load (or give a clear error naming both), in
//! Parquet and Arrow IPC files. Regression: a date32 date with a text or time64 time, or a text date with
//! an integer `HHMM` time, used to panic (both were read as strings without a type check).

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray, Time64NanosecondArray,
};
use timeseries_io::{LoadError, LoadOptions, load};

const DAY_2024_01_02: i32 = 19_724;

fn write(name: &str, date: ArrayRef, time: ArrayRef) -> Vec<PathBuf> {
    let close: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0]));
    let batch = RecordBatch::try_from_iter([("date", date), ("time", time), ("close", close)]).unwrap();
    let dir = std::env::temp_dir().join(format!("timeseries-io-date-time-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let parquet = dir.join(format!("{name}.parquet"));
    let mut writer =
        parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&parquet).unwrap(), batch.schema(), None)
            .unwrap();
    writer.write(&batch).unwrap();
    writer.close().unwrap();
    let ipc = dir.join(format!("{name}.arrow"));
    let mut writer =
        arrow_ipc::writer::FileWriter::try_new(std::fs::File::create(&ipc).unwrap(), &batch.schema())
            .unwrap();
    writer.write(&batch).unwrap();
    writer.finish().unwrap();
    vec![parquet, ipc]
}

/// Loads both files of a pair and checks the timestamps, ISO 8601.
fn check(name: &str, date: ArrayRef, time: ArrayRef, expect: Result<[&str; 2], &str>) {
    for path in write(name, date.clone(), time.clone()) {
        let got = load(&path, &LoadOptions::default()).map(|l| {
            l.frame.timestamps().iter().map(|&t| timeseries_array::format_timestamp(t)).collect::<Vec<_>>()
        });
        match (&got, expect) {
            (Ok(ts), Ok(want)) => assert_eq!(ts, &want, "{}", path.display()),
            (Err(e), Err(want)) => {
                assert!(e.to_string().contains(want), "{}: {e}", path.display());
                assert!(matches!(e, LoadError::DateTimeColumns { .. }), "{}: {e:?}", path.display());
            }
            _ => panic!("{}: got {got:?}, expected {expect:?}", path.display()),
        }
    }
}

#[test]
fn date_and_time_columns_of_every_supported_type_pair() {
    let days = || -> ArrayRef { Arc::new(Date32Array::from(vec![DAY_2024_01_02, DAY_2024_01_02])) };
    let texts = |a: &str, b: &str| -> ArrayRef { Arc::new(StringArray::from(vec![a, b])) };
    let want = Ok(["2024-01-02T09:30:00Z", "2024-01-02T16:00:00Z"]);
    check("text_text", texts("2024-01-02", "2024-01-02"), texts("09:30", "16:00:00"), want);
    check("date32_text", days(), texts("09:30:00", "16:00"), want);
    let nine_thirty = (9 * 3600 + 30 * 60) * 1_000_000_000_i64;
    let time64: ArrayRef =
        Arc::new(Time64NanosecondArray::from(vec![nine_thirty, 16 * 3600 * 1_000_000_000]));
    check("date32_time64", days(), time64, want);
    let hhmm: ArrayRef = Arc::new(Int64Array::from(vec![930, 1600]));
    check("text_hhmm", texts("2024-01-02", "2024-01-02"), hhmm, want);
    let bad_time: ArrayRef = Arc::new(Int64Array::from(vec![930, 2575]));
    let result = load(&write("bad_hhmm", days(), bad_time)[0], &LoadOptions::default());
    assert!(result.unwrap_err().to_string().contains("cannot read `2575` as a time of day"));
    // A pair that cannot be joined is an error naming both columns and their types.
    let floats: ArrayRef = Arc::new(Float64Array::from(vec![1.5, 2.5]));
    check(
        "float_text",
        floats,
        texts("09:30", "16:00"),
        Err("cannot join date column `date` and time column `time`: the date column is Float64"),
    );
}
