//! View creation cost at 1e5 and 1e7 rows: it must not grow with rows (O(columns), no row copies).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use isolation_core::{Split, SplitSpec};
use isolation_view::DataView;
use timeseries_array::TimeFrame;

fn frame(n_rows: usize) -> TimeFrame {
    isolation_benches::flat_frame(n_rows, &isolation_benches::OHLCV)
}

fn view_creation(c: &mut Criterion) {
    let mut group = c.benchmark_group("view_create");
    for n_rows in [100_000, 10_000_000] {
        let base = frame(n_rows);
        let ranges = SplitSpec::Ratio(0.7).resolve(base.timestamps()).expect("valid split");
        group.bench_with_input(BenchmarkId::from_parameter(n_rows), &base, |b, base| {
            b.iter(|| {
                let train = DataView::new(base, ranges.range(Split::Train), Split::Train).unwrap();
                let test = DataView::new(base, ranges.range(Split::Test), Split::Test).unwrap();
                black_box((train, test))
            })
        });
        // For comparison in the same run: what the deep-copy mode pays for the same split.
        group.bench_with_input(BenchmarkId::new("deep_copy", n_rows), &base, |b, base| {
            b.iter(|| black_box(DataView::deep_copy(base, ranges.range(Split::Train), Split::Train).unwrap()))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = view_creation
}
criterion_main!(benches);
