//! Frame -> CSV / Parquet / IPC -> load gives the same frame (proptest over small random frames), and an
//! IPC file of one batch loads in place.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float32Array, Float64Array, Int16Array, Int64Array, UInt8Array};
use proptest::prelude::*;
use timeseries_array::TimeFrame;
use timeseries_io::{LoadOptions, load, save};

fn dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("timeseries-io-roundtrip");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Strictly increasing nanosecond timestamps from 2001 to about 2100, with sub-second parts.
fn timestamps(n: usize) -> impl Strategy<Value = Vec<i64>> {
    (
        1_000_000_000_000_000_000_i64..2_000_000_000_000_000_000,
        prop::collection::vec(1_i64..10_000_000_000_000, n),
    )
        .prop_map(|(start, steps)| {
            steps
                .iter()
                .scan(start, |t, step| {
                    *t += step;
                    Some(*t)
                })
                .collect()
        })
}

/// A frame of 1..40 rows with f64 (with nulls) and i64 columns: the types CSV can carry.
fn csv_frame() -> impl Strategy<Value = TimeFrame> {
    (1_usize..40).prop_flat_map(|n| {
        (
            timestamps(n),
            prop::collection::vec(prop::option::weighted(0.9, -1e9_f64..1e9), n),
            prop::collection::vec(any::<i64>(), n),
        )
            .prop_map(|(ts, close, volume)| {
                // Keep at least one value so the column's type shows in the file.
                let mut close = close;
                close[0] = close[0].or(Some(0.5));
                let close: ArrayRef = Arc::new(Float64Array::from(close));
                let volume: ArrayRef = Arc::new(Int64Array::from(volume));
                TimeFrame::try_new(ts, vec![("close".into(), close), ("volume".into(), volume)]).unwrap()
            })
    })
}

/// A frame with narrow types too, for the binary formats.
fn typed_frame() -> impl Strategy<Value = TimeFrame> {
    (1_usize..40).prop_flat_map(|n| {
        (
            timestamps(n),
            prop::collection::vec(prop::option::of(any::<f32>()), n),
            prop::collection::vec(any::<i16>(), n),
            prop::collection::vec(any::<u8>(), n),
        )
            .prop_map(|(ts, a, b, c)| {
                let a: ArrayRef = Arc::new(Float32Array::from(a));
                let b: ArrayRef = Arc::new(Int16Array::from(b));
                let c: ArrayRef = Arc::new(UInt8Array::from(c));
                TimeFrame::try_new(
                    ts,
                    vec![("f32_col".into(), a), ("i16_col".into(), b), ("u8_col".into(), c)],
                )
                .unwrap()
            })
    })
}

fn round_trip(frame: &TimeFrame, name: &str) -> TimeFrame {
    let path = dir().join(name);
    save(&path, frame).unwrap();
    load(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}")).frame
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn csv_round_trip(frame in csv_frame()) {
        prop_assert_eq!(round_trip(&frame, "rt.csv"), frame);
    }

    #[test]
    fn parquet_round_trip(frame in typed_frame()) {
        prop_assert_eq!(round_trip(&frame, "rt.parquet"), frame);
    }

    #[test]
    fn ipc_round_trip(frame in typed_frame()) {
        prop_assert_eq!(round_trip(&frame, "rt.arrow"), frame);
    }
}

#[test]
fn one_batch_ipc_file_loads_in_place() {
    let close: ArrayRef = Arc::new(Float64Array::from((0..10_000).map(f64::from).collect::<Vec<_>>()));
    let frame = TimeFrame::try_new((0..10_000).collect::<Vec<i64>>(), vec![("close".into(), close)]).unwrap();
    let path = dir().join("in_place.arrow");
    save(&path, &frame).unwrap();
    let loaded = load(&path, &LoadOptions::default()).unwrap();
    assert!(loaded.report.zero_copy, "{:?}", loaded.report);
    assert_eq!(loaded.frame, frame);
    // The map is registered with memtrack: the ledger counts the frame's buffers as the mapped file, once.
    let file_len = std::fs::metadata(&path).unwrap().len();
    assert_eq!(buffers_of(&loaded.frame).breakdown().mapped_bytes, file_len);
    // Without mapping, the file is read into memory once: the same frame, owned, nothing mapped.
    let read = load(&path, &LoadOptions { memory_map: false, ..LoadOptions::default() }).unwrap();
    assert_eq!(read.frame, frame);
    assert!(!read.report.zero_copy, "{:?}", read.report);
    let owned = buffers_of(&read.frame).breakdown();
    assert_eq!(owned.mapped_bytes, 0);
    std::fs::remove_file(&path).unwrap();
}

/// Every buffer of the frame's columns and index.
fn buffers_of(frame: &TimeFrame) -> memtrack::BufferSet {
    let mut set = memtrack::BufferSet::new();
    for c in 0..frame.n_columns() {
        for buffer in frame.column_at(c).to_data().buffers() {
            set.insert(buffer);
        }
    }
    set
}

#[test]
fn describe_reports_rows_and_time_range() {
    let close: ArrayRef = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0]));
    let frame = TimeFrame::try_new(vec![10, 20, 30], vec![("Close".into(), close)]).unwrap();
    for name in ["d.csv", "d.parquet", "d.feather"] {
        let path = dir().join(name);
        save(&path, &frame).unwrap();
        let info = timeseries_io::describe(&path).unwrap();
        assert_eq!(info.rows, Some(3), "{name}");
        assert_eq!(info.time_range, Some((10, 30)), "{name}");
        assert_eq!(info.timestamp_column.as_deref(), Some("timestamp"), "{name}");
        assert_eq!(info.columns[1].canonical.as_deref(), Some("close"), "{name}");
    }
}
