//! Shared fixtures for the criterion benches in `benches/` (the benches themselves are the bench targets).
#![forbid(unsafe_code)]

pub mod read_path;

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use timeseries_array::TimeFrame;

/// One-minute bars with the given `f64` columns, every column `0, 1, 2, ...`: cheap to build, so the
/// benches time the operation, not the data.
pub fn flat_frame(n_rows: usize, columns: &[&str]) -> TimeFrame {
    let timestamps: Vec<i64> = (0..n_rows as i64).map(|i| i * 60_000_000_000).collect();
    let columns = columns
        .iter()
        .map(|name| {
            let values: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| i as f64)));
            (name.to_string(), values)
        })
        .collect();
    TimeFrame::try_new(timestamps, columns).expect("valid synthetic frame")
}

/// The OHLCV column names.
pub const OHLCV: [&str; 5] = ["open", "high", "low", "close", "volume"];
