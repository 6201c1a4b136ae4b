//! Snapshot of the footprint report after a known sequence of writes.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int32Array};
use isolation_core::Split;
use isolation_cow::{CowConfig, CowFrame};
use timeseries_array::TimeFrame;

#[test]
fn footprint_report_after_known_writes() {
    let n_rows: usize = 1000;
    let close: ArrayRef = Arc::new(Float64Array::from((0..n_rows).map(|i| i as f64).collect::<Vec<_>>()));
    let volume: ArrayRef = Arc::new(Int32Array::from((0..n_rows as i32).collect::<Vec<_>>()));
    let base = TimeFrame::try_new(
        (0..n_rows as i64).collect::<Vec<_>>(),
        vec![("close".into(), close), ("volume".into(), volume)],
    )
    .unwrap();
    let config = CowConfig::try_new(128).unwrap();
    let mut train = CowFrame::with_config(&base, 0..700, Split::Train, config).unwrap();

    train.set_value(0, 5, 1.5).unwrap(); // copies chunk 0 of close: 128 x 8 B
    train.set_value(0, 6, 2.5).unwrap(); // same chunk: no new copy
    train.set_value(0, 650, 3.5).unwrap(); // copies chunk 5 (rows 640..700, the short last one): 60 x 8 B,
    // allocated as 512 B (Arrow rounds capacities up to 64 B)
    train.set_null(1, 300).unwrap(); // copies chunk 2 of volume: 128 x 4 B, plus a 16 B validity bitmap
    train.add_f64_column("ret", vec![0.0; 700]).unwrap(); // 700 x 8 B, owned

    insta::assert_snapshot!(train.footprint_report().to_string());
}
