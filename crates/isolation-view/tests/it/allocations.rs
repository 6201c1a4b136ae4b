//! Zero-copy, proven with the counting allocator: a view of a 10-million-row frame allocates a few hundred
//! bytes (O(columns)), a deep copy of the same rows allocates their size. `measure` counts this
//! thread's allocations only, so the binary's other tests do not blur the figures.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use isolation_core::{IsolatedData, Split};
use isolation_view::DataView;
use memtrack::alloc;
use timeseries_array::TimeFrame;

#[test]
fn a_view_allocates_o_columns_bytes_and_a_copy_allocates_the_rows() {
    const N_ROWS: usize = 10_000_000;
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..N_ROWS).map(|i| i as f64)));
    let volume: ArrayRef = Arc::new(Float64Array::from_iter_values((0..N_ROWS).map(|i| (i % 7) as f64)));
    let base = TimeFrame::try_new(
        (0..N_ROWS as i64).collect::<Vec<_>>(),
        vec![("close".into(), close), ("volume".into(), volume)],
    )
    .unwrap();

    let (view, stats) = alloc::measure(|| DataView::new(&base, 3_000_000..N_ROWS, Split::Test).unwrap());
    assert!(stats.allocated_bytes < 4096, "a view of 10M rows allocated {stats:?}");
    assert_eq!(view.f64_column("close").unwrap()[0], 3_000_000.0);

    let (batches, stats) =
        alloc::measure(|| view.batches(1_000_000).unwrap().map(|b| b.n_rows()).sum::<usize>());
    assert_eq!(batches, 7_000_000);
    assert!(stats.peak_extra_bytes < 4096, "zero-copy batches peaked at {stats:?}");

    // 7M rows x (8-byte timestamp + two f64) = 168 MB.
    let (copy, stats) =
        alloc::measure(|| DataView::deep_copy(&base, 3_000_000..N_ROWS, Split::Test).unwrap());
    let rows_bytes = 7_000_000 * 24;
    assert!(
        stats.allocated_bytes >= rows_bytes && stats.allocated_bytes < rows_bytes + 64 * 1024,
        "{stats:?}"
    );
    assert_eq!(copy.f64_column("close").unwrap()[0], 3_000_000.0);
}
