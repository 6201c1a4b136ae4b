//! The read path, per mode: a cursor walk through a typed handle (`bar.get(&close)`) and through the old
//! `Bar::value(idx)` against a raw loop over the same `&[f64]`, and `window(50)` + mean at 10,000 random
//! positions against a raw slice of the same values. The ratios are printed; `cargo xtask bench` puts
//! them in its report.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use isolation::{DataHandler, IsolationMode, Split, SplitData, SplitSpec, TimeFrame};
use isolation_benches::read_path::{
    legacy_walk, random_positions, raw_walk, raw_window_at, typed_walk, window_at,
};

const N_ROWS: usize = 1_000_000;
const POSITIONS: usize = 10_000;

fn frame(n_rows: usize) -> TimeFrame {
    isolation_benches::flat_frame(n_rows, &["open", "close"])
}

/// Best of 5 alternating runs of each side, so that noise from other work hits both alike.
fn best(walk: &mut dyn FnMut() -> f64) -> Duration {
    (0..5)
        .map(|_| {
            let start = Instant::now();
            black_box(walk());
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn print_ratios(mode: IsolationMode, data: &SplitData, close: usize, column: &[f64], at: &[usize]) {
    let typed = best(&mut || typed_walk(data));
    let legacy = best(&mut || legacy_walk(data, close));
    let raw = best(&mut || raw_walk(black_box(column)));
    let window = best(&mut || window_at(data, at));
    let raw_window = best(&mut || raw_window_at(black_box(column), at));
    println!(
        "{mode}: typed cursor {:.2}x raw speed, old Bar::value path {:.3}x; window(50) {:.2}x raw time",
        raw.as_secs_f64() / typed.as_secs_f64(),
        raw.as_secs_f64() / legacy.as_secs_f64(),
        window.as_secs_f64() / raw_window.as_secs_f64(),
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
        let at = random_positions(train.n_rows(), POSITIONS);
        print_ratios(mode, &train, close, &column, &at);
        group.throughput(Throughput::Elements(train.n_rows() as u64));
        group.bench_with_input(BenchmarkId::new("typed", mode.name()), &train, |b, train| {
            b.iter(|| typed_walk(train))
        });
        group.bench_with_input(BenchmarkId::new("old_bar_value", mode.name()), &train, |b, train| {
            b.iter(|| legacy_walk(train, close))
        });
        group.bench_with_input(BenchmarkId::new("window50_random", mode.name()), &train, |b, train| {
            b.iter(|| window_at(train, &at))
        });
        if mode == IsolationMode::View {
            group.bench_function("raw_slice", |b| b.iter(|| raw_walk(black_box(&column))));
            group
                .bench_function("raw_window50_random", |b| b.iter(|| raw_window_at(black_box(&column), &at)));
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
