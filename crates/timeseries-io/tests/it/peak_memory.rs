//! Bounded memory while loading, measured with the counting allocator: the heap's peak above its level
//! before a load stays under 1.5x the loaded frame's bytes. `measure` counts this thread's heap only,
//! so the binary's other tests do not disturb the figure.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array};
use memtrack::alloc;
use timeseries_array::TimeFrame;
use timeseries_io::{LoadOptions, load, save};

fn bars(n: usize) -> TimeFrame {
    let f64s = |k: f64| -> ArrayRef {
        Arc::new(Float64Array::from_iter_values((0..n).map(|i| k + i as f64 * 0.25)))
    };
    let volume: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n as i64).map(|i| i * 3)));
    TimeFrame::try_new(
        (0..n as i64).map(|i| 1_600_000_000_000_000_000 + i * 60_000_000_000).collect::<Vec<_>>(),
        vec![
            ("open".into(), f64s(1.0)),
            ("high".into(), f64s(2.0)),
            ("low".into(), f64s(0.5)),
            ("close".into(), f64s(1.5)),
            ("volume".into(), volume),
        ],
    )
    .unwrap()
}

#[test]
fn loading_peaks_under_one_and_a_half_times_the_frame() {
    let dir = std::env::temp_dir().join(format!("timeseries-io-peak-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let frame = bars(400_000);
    let frame_bytes = frame.visible_bytes();
    let mut figures = Vec::new();
    for file in ["bars.csv", "bars.parquet", "bars.arrow"] {
        let path = dir.join(file);
        save(&path, &frame).unwrap();
        let (loaded, stats) = alloc::measure(|| load(&path, &LoadOptions::default()).unwrap());
        assert_eq!(loaded.frame.n_rows(), frame.n_rows());
        let ratio = stats.peak_extra_bytes as f64 / frame_bytes as f64;
        figures.push(format!(
            "{file}: peak {} bytes = {ratio:.2}x the frame's {frame_bytes}",
            stats.peak_extra_bytes
        ));
        assert!(ratio < 1.5, "{file}: {}", figures.last().unwrap());
    }
    // The figures, for the record (cargo test -- --nocapture shows them).
    println!("{}", figures.join("\n"));
    std::fs::remove_dir_all(dir).unwrap();
}
