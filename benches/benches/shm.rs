//! Shared-memory segments: attach time at 1e5 and 1e7 rows (it should barely grow with rows: the map is
//! O(1) and only the timestamp order check reads every row), and publish time (a write of the whole frame).
//!
//! Set `ISOLATION_BENCH_1E8=1` to add 1e8 rows (needs about 2.4 GB free in `/dev/shm` and as much RAM).

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use isolation_shm::{AttachOptions, PublishOptions};
use timeseries_array::TimeFrame;

fn frame(n_rows: usize) -> TimeFrame {
    isolation_benches::flat_frame(n_rows, &["open", "close"])
}

fn sizes() -> Vec<usize> {
    let mut sizes = vec![100_000, 10_000_000];
    if std::env::var_os("ISOLATION_BENCH_1E8").is_some() {
        sizes.push(100_000_000);
    }
    sizes
}

fn segment_name(tag: &str, n_rows: usize) -> String {
    format!("bench-{}-{tag}-{n_rows}", std::process::id())
}

fn attach(c: &mut Criterion) {
    let mut group = c.benchmark_group("shm_attach");
    group.sample_size(20);
    for n_rows in sizes() {
        let name = segment_name("attach", n_rows);
        let publisher =
            PublishOptions::new().publish(&name, &frame(n_rows)).expect("publish the bench segment");
        println!(
            "shm_attach/{n_rows}: segment {} bytes at {}",
            publisher.size_bytes(),
            publisher.path().display()
        );
        let options = AttachOptions::new();
        group.bench_with_input(BenchmarkId::from_parameter(n_rows), &name, |b, name| {
            b.iter(|| black_box(options.attach(name).expect("attach")))
        });
    }
}

fn publish(c: &mut Criterion) {
    let mut group = c.benchmark_group("shm_publish");
    group.sample_size(10);
    for n_rows in sizes() {
        let base = frame(n_rows);
        let name = segment_name("publish", n_rows);
        group.bench_with_input(BenchmarkId::from_parameter(n_rows), &base, |b, base| {
            // Each publisher drops (and unlinks) at the end of its iteration, so the name is free again.
            b.iter(|| black_box(PublishOptions::new().publish(&name, base).expect("publish")))
        });
    }
}

criterion_group!(benches, attach, publish);
criterion_main!(benches);
