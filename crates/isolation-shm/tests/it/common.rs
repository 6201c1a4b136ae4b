//! Helpers shared by the integration tests: unique names, private directories, sample frames.
#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use arrow_array::{ArrayRef, Float64Array, Int32Array};
use timeseries_array::TimeFrame;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A segment name no other test (in this or another process) uses.
pub fn unique_name(tag: &str) -> String {
    format!("test-{}-{}-{tag}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// A private directory under the default segment directory, removed with everything in it on drop.
pub struct TestDir(PathBuf);

impl TestDir {
    pub fn new(tag: &str) -> Self {
        let dir = isolation_shm::default_dir().join(format!("isolation-{}", unique_name(tag)));
        std::fs::create_dir_all(&dir).expect("create test dir");
        Self(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `n_rows` minute bars from 2020-09-13: `close` (f64) and `volume` (i32, every 7th row null).
pub fn sample_frame(n_rows: usize) -> TimeFrame {
    let start = 1_600_000_000_000_000_000_i64;
    let timestamps: Vec<i64> = (0..n_rows as i64).map(|i| start + i * 60_000_000_000).collect();
    let close: ArrayRef =
        Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| 100.0 + i as f64 * 0.25)));
    let volume: ArrayRef =
        Arc::new(Int32Array::from_iter((0..n_rows).map(|i| (i % 7 != 3).then_some(i as i32 * 10))));
    TimeFrame::try_new(timestamps, vec![("close".into(), close), ("volume".into(), volume)])
        .expect("valid frame")
}

/// A frame of `n_rows` with only f64 columns `a` and `b` (for the multi-process and interop tests).
pub fn f64_frame(n_rows: usize) -> TimeFrame {
    let start = 1_600_000_000_000_000_000_i64;
    let timestamps: Vec<i64> = (0..n_rows as i64).map(|i| start + i * 1_000_000_000).collect();
    let a: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| i as f64 * 0.5)));
    let b: ArrayRef =
        Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| (i % 1000) as f64 - 0.125)));
    TimeFrame::try_new(timestamps, vec![("a".into(), a), ("b".into(), b)]).expect("valid frame")
}
