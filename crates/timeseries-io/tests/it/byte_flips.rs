//! Every single-byte corruption of a small Parquet, Arrow IPC and CSV file loads or gives a `LoadError`:
//! never a panic, and never a frame that differs from the original without an error. Regressions: flipped
//! bytes panicked in arrow-buffer (IPC buffer offsets were not checked) and inside the parquet crate.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array};
use timeseries_array::TimeFrame;
use timeseries_io::{LoadOptions, load, save};

fn frame() -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..40).map(|i| 100.0 + i as f64 * 0.5)));
    let volume: ArrayRef = Arc::new(Int64Array::from_iter_values((0..40).map(|i| i * 7)));
    let ts: Vec<i64> = (0..40).map(|i| 1_704_067_200_000_000_000 + i * 60_000_000_000).collect();
    TimeFrame::try_new(ts, vec![("close".into(), close), ("volume".into(), volume)]).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("timeseries-io-flips-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// Flips each byte of the file written as `name` to each of `patterns` and loads it; returns how many
/// loads succeeded with other values than the original (silent corruption) and the first such case.
fn sweep(name: &str, patterns: &[u8]) -> (usize, Option<String>) {
    let original = frame();
    let clean = scratch(name);
    save(&clean, &original).unwrap();
    let bytes = std::fs::read(&clean).unwrap();
    let damaged = scratch(&format!("damaged-{name}"));
    let (mut silent, mut first) = (0, None);
    for at in 0..bytes.len() {
        for &pattern in patterns {
            let mut copy = bytes.clone();
            copy[at] ^= pattern;
            std::fs::write(&damaged, &copy).unwrap();
            let result = std::panic::catch_unwind(|| load(&damaged, &LoadOptions::default()).ok());
            let loaded =
                result.unwrap_or_else(|_| panic!("{name}: flipping byte {at} with {pattern:#04x} panicked"));
            if let Some(loaded) = loaded
                && loaded.frame != original
                && !changed_only_a_value(&loaded.frame, &original)
            {
                silent += 1;
                first.get_or_insert_with(|| format!("byte {at} ^ {pattern:#04x}"));
            }
        }
    }
    (silent, first)
}

/// A flip inside a value's bytes gives another valid value: no format can tell without a checksum. What
/// must not happen is a change of shape: other rows, columns, types or timestamps.
fn changed_only_a_value(loaded: &TimeFrame, original: &TimeFrame) -> bool {
    loaded.n_rows() == original.n_rows()
        && loaded.column_names() == original.column_names()
        && (0..loaded.n_columns()).all(|c| loaded.value_type(c) == original.value_type(c))
        && loaded.timestamps().iter().zip(original.timestamps()).filter(|(a, b)| a != b).count() <= 1
}

fn check(name: &str) {
    let (silent, first) = sweep(name, &[0x01, 0x80, 0xff]);
    // CSV is text: a flipped header letter renames a column and a flipped digit another number, which no
    // reader can tell from the original; for CSV the guarantee is only "no panic".
    if !name.ends_with(".csv") {
        assert_eq!(silent, 0, "{name}: {silent} corruptions loaded as a different frame, first at {first:?}");
    }
}

#[test]
fn no_byte_flip_of_a_parquet_file_panics_or_reshapes_the_frame() {
    check("flips.parquet");
}

#[test]
fn no_byte_flip_of_an_ipc_file_panics_or_reshapes_the_frame() {
    check("flips.arrow");
}

#[test]
fn no_byte_flip_of_a_csv_file_panics_or_reshapes_the_frame() {
    check("flips.csv");
}
