//! Cursor iteration (`current` + close value + `advance`) against a raw loop over the same `&[f64]`
//! column, per mode, and `window(50)` with the window's mean. The cursor/raw ratio is printed.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use isolation::{Cursor, DataHandler, IsolatedData, IsolationMode, Split, SplitSpec, TimeFrame};

const N_ROWS: usize = 1_000_000;

fn frame(n_rows: usize) -> TimeFrame {
    isolation_benches::flat_frame(n_rows, &["open", "close"])
}

fn cursor_walk(data: &dyn IsolatedData, close: usize) -> f64 {
    let mut cursor = Cursor::new(data);
    let mut sum = 0.0;
    while let Some(bar) = cursor.current() {
        sum += bar.value(close).unwrap_or(0.0);
        cursor.advance();
    }
    sum
}

fn raw_walk(column: &[f64]) -> f64 {
    let mut sum = 0.0;
    for &value in column {
        sum += value;
    }
    sum
}

fn window_walk(data: &dyn IsolatedData, close: usize) -> f64 {
    let mut cursor = Cursor::new(data);
    let mut sum = 0.0;
    while cursor.current().is_some() {
        let window = cursor.window(50);
        let values = window.column(close).expect("close is an f64 column");
        sum += values.iter().sum::<f64>() / values.len() as f64;
        cursor.advance();
    }
    sum
}

/// Best of 5 alternating runs of each walk, so that noise from other work hits both alike.
fn print_ratio(mode: IsolationMode, data: &dyn IsolatedData, close: usize, column: &[f64]) {
    fn timed(walk: impl FnOnce() -> f64) -> Duration {
        let start = Instant::now();
        black_box(walk());
        start.elapsed()
    }
    let (mut cursor, mut raw) = (Duration::MAX, Duration::MAX);
    for _ in 0..5 {
        cursor = cursor.min(timed(|| cursor_walk(data, close)));
        raw = raw.min(timed(|| raw_walk(black_box(column))));
    }
    let bars = data.n_rows() as f64;
    println!(
        "cursor vs raw slice, {mode}, {} bars: cursor {:.2} ns/bar, raw {:.2} ns/value, ratio {:.1}x",
        data.n_rows(),
        cursor.as_nanos() as f64 / bars,
        raw.as_nanos() as f64 / bars,
        cursor.as_secs_f64() / raw.as_secs_f64()
    );
}

fn iteration(c: &mut Criterion) {
    let base = frame(N_ROWS);
    let mut group = c.benchmark_group("cursor_walk");
    for mode in IsolationMode::ALL {
        let mut handler = DataHandler::new(mode);
        handler.load("SYN", base.clone()).expect("load");
        handler.setup_split(SplitSpec::Ratio(0.7)).expect("split");
        let train = handler.data_for("SYN", Split::Train).expect("train");
        let close = train.column_index("close").expect("close");
        let column = train.column_f64(close, 0..train.n_rows()).expect("inside train").into_owned();
        print_ratio(mode, train.as_ref(), close, &column);
        group.throughput(Throughput::Elements(train.n_rows() as u64));
        group.bench_with_input(BenchmarkId::new("cursor", mode.name()), &train, |b, train| {
            b.iter(|| cursor_walk(train.as_ref(), close))
        });
        group.bench_with_input(BenchmarkId::new("window50", mode.name()), &train, |b, train| {
            b.iter(|| window_walk(train.as_ref(), close))
        });
        if mode == IsolationMode::View {
            group.bench_function("raw_slice", |b| b.iter(|| raw_walk(black_box(&column))));
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = iteration
}
criterion_main!(benches);
