//! Split setup per mode and size through `DataHandler::setup_split` (70/30): view, copy-on-write and
//! shared memory (a view over the attached segment) stay flat with rows; deep copy grows with them.
//!
//! Sizes are modest (1e4 and 1e6 rows) so `cargo bench -p isolation-benches -- --test` stays quick;
//! `cargo xtask bench` measures up to 2 GB in fresh processes.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use isolation::{DataHandler, IsolationMode, SplitSpec, TimeFrame};

fn frame(n_rows: usize) -> TimeFrame {
    isolation_benches::flat_frame(n_rows, &isolation_benches::OHLCV)
}

fn split_setup(c: &mut Criterion) {
    let mut group = c.benchmark_group("split_setup");
    for n_rows in [10_000, 1_000_000] {
        let base = frame(n_rows);
        for mode in IsolationMode::ALL {
            let mut handler = DataHandler::new(mode);
            handler.load("SYN", base.clone()).expect("load (shm: publish and attach)");
            group.bench_with_input(BenchmarkId::new(mode.name(), n_rows), &n_rows, |b, _| {
                b.iter(|| black_box(handler.setup_split(SplitSpec::Ratio(0.7))).expect("70/30 split"))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = split_setup
}
criterion_main!(benches);
