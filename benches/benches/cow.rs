//! Copy-on-write costs on a 10-million-row, 5-column frame: the bytes one write adds (one chunk of one
//! column, against the whole frame in the seed design), the time of that first write, and sequential reads
//! of an untouched column through a `CowFrame` against a `DataView` (ratio printed; target >= 0.9).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use isolation_core::{IsolatedData, Split};
use isolation_cow::{CowConfig, CowFrame};
use isolation_view::DataView;
use timeseries_array::TimeFrame;

const N_ROWS: usize = 10_000_000;

fn frame(n_rows: usize) -> TimeFrame {
    isolation_benches::flat_frame(n_rows, &isolation_benches::OHLCV)
}

/// Prints what one write costs and checks it is one chunk of one column.
fn report_write_bytes(base: &TimeFrame) {
    let mut cow = CowFrame::new(base, 0..base.n_rows(), Split::Full).expect("all rows");
    let before = cow.footprint();
    cow.set_value(3, N_ROWS / 2, -1.0).expect("an f64 written into an f64 column");
    let after = cow.footprint();
    let one_chunk = (CowConfig::DEFAULT_CHUNK_ROWS * size_of::<f64>()) as u64;
    let chunk_bytes = cow.footprint_report().chunk_bytes();
    println!("cow write of one value into {N_ROWS} rows x 5 f64 columns:");
    println!("  extra owned bytes (footprint after - before): {}", after.owned_bytes - before.owned_bytes);
    println!("  copied chunk bytes (measured from buffers):   {chunk_bytes}");
    println!("  one chunk of one column (64 Ki rows x 8 B):   {one_chunk}");
    println!("  seed design (copies the whole frame):         {}", base.visible_bytes());
    println!("  shared bytes still read from the base:        {}", after.shared_bytes);
    assert_eq!(chunk_bytes, one_chunk, "one write must copy exactly one chunk of one column");
}

/// Prints the sequential read ratio of an untouched column, CowFrame against DataView. Runs alternate
/// between the two and the best of each is kept, so that noise from other work hits both alike.
fn report_read_ratio(cow: &CowFrame, view: &DataView) {
    fn timed(read: impl FnOnce() -> f64) -> Duration {
        let start = Instant::now();
        black_box(read());
        start.elapsed()
    }
    let (mut cow_time, mut view_time) = (Duration::MAX, Duration::MAX);
    for _ in 0..7 {
        view_time =
            view_time.min(timed(|| view.column_f64(0, 0..N_ROWS).expect("inside the split").iter().sum()));
        cow_time =
            cow_time.min(timed(|| cow.column_f64(0, 0..N_ROWS).expect("inside the split").iter().sum()));
    }
    let ratio = view_time.as_secs_f64() / cow_time.as_secs_f64();
    println!("sequential read of an untouched column ({N_ROWS} f64), best of 7 alternating runs:");
    println!(
        "  view {view_time:?}, cow {cow_time:?}: cow throughput / view throughput = {ratio:.3} (target >= 0.9)"
    );
}

fn cow_benches(c: &mut Criterion) {
    let base = frame(N_ROWS);
    report_write_bytes(&base);

    let mut group = c.benchmark_group("cow_first_write");
    group.bench_function("one_value_10M_x5", |b| {
        b.iter_batched(
            || CowFrame::new(&base, 0..N_ROWS, Split::Full).expect("all rows"),
            |mut cow| {
                cow.set_value(3, N_ROWS / 2, -1.0).expect("an f64 column");
                cow
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();

    let cow = CowFrame::new(&base, 0..N_ROWS, Split::Full).expect("all rows");
    let view = DataView::new(&base, 0..N_ROWS, Split::Full).expect("all rows");
    report_read_ratio(&cow, &view);
    let mut written = cow.clone();
    (0..N_ROWS).step_by(1 << 20).for_each(|r| written.set_value(0, r, 0.0).expect("an f64 column"));

    let mut group = c.benchmark_group("cow_sequential_read");
    group.sample_size(20);
    group.bench_function("view_untouched", |b| {
        b.iter(|| view.column_f64(0, 0..N_ROWS).expect("inside").iter().sum::<f64>())
    });
    group.bench_function("cow_untouched", |b| {
        b.iter(|| cow.column_f64(0, 0..N_ROWS).expect("inside").iter().sum::<f64>())
    });
    group.bench_function("cow_written_chunkwise", |b| {
        b.iter(|| written.f64_chunks(0).expect("an f64 column").map(|s| s.iter().sum::<f64>()).sum::<f64>())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = cow_benches
}
criterion_main!(benches);
