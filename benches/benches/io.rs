//! Loading CSV, Parquet and Arrow IPC with `timeseries_io::load`, from files this bench writes with
//! `timeseries_io::save` into a temporary directory (removed at the end).

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use isolation::TimeFrame;
use timeseries_io::{LoadOptions, load, save};

const N_ROWS: usize = 200_000;

fn frame(n_rows: usize) -> TimeFrame {
    let start = 1_577_836_800_000_000_000_i64;
    let timestamps: Vec<i64> = (0..n_rows as i64).map(|i| start + i * 60_000_000_000).collect();
    let columns = ["open", "high", "low", "close", "volume"]
        .iter()
        .map(|name| {
            let values: ArrayRef =
                Arc::new(Float64Array::from_iter_values((0..n_rows).map(|i| 100.0 + (i % 997) as f64 / 8.0)));
            (name.to_string(), values)
        })
        .collect();
    TimeFrame::try_new(timestamps, columns).expect("valid synthetic frame")
}

fn loading(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("isolation-bench-io-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let base = frame(N_ROWS);
    let mut group = c.benchmark_group("load");
    group.throughput(Throughput::Elements(N_ROWS as u64));
    for extension in ["csv", "parquet", "arrow"] {
        let path: PathBuf = dir.join(format!("bars.{extension}"));
        save(&path, &base).expect("save the bench file");
        let size = std::fs::metadata(&path).map_or(0, |m| m.len());
        println!("load/{extension}: {N_ROWS} rows, file {size} bytes");
        let options = LoadOptions::default();
        group.bench_with_input(BenchmarkId::from_parameter(extension), &path, |b, path| {
            b.iter(|| load(path, &options).expect("load the bench file").frame)
        });
    }
    group.finish();
    std::fs::remove_dir_all(&dir).expect("remove the temp dir");
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = loading
}
criterion_main!(benches);
