//! The counting allocator installed as this test binary's global allocator (`main.rs`). `measure` counts the
//! calling thread's allocations, so the binary's other tests, running at the same time, do not blur them.

use arrow_buffer::Buffer;
use memtrack::alloc;

#[test]
fn counting_allocator_measures_heap_bytes() {
    assert!(alloc::is_installed());

    // A 10-million-element Vec<f64> is 80 MB of heap, counted as allocated, live at the end and at the peak.
    let (values, stats) = alloc::measure(|| vec![1.5_f64; 10_000_000]);
    assert_eq!(values.len(), 10_000_000);
    let expected = 80_000_000_u64;
    assert!((expected..expected + 4096).contains(&stats.allocated_bytes), "{stats:?}");
    assert!(stats.net_bytes >= expected as i64, "{stats:?}");
    assert!(stats.peak_extra_bytes >= expected, "{stats:?}");
    assert!(alloc::current_bytes() >= expected);

    // Slicing an Arrow buffer shares its allocation: no heap bytes at all.
    let buffer = Buffer::from_vec(values);
    let (slice, stats) = alloc::measure(|| buffer.slice_with_length(8_000_000, 8_000_000));
    assert_eq!(slice.len(), 8_000_000);
    assert_eq!(stats.allocated_bytes, 0, "{stats:?}");

    // Copying that slice allocates its length.
    let (copy, stats) = alloc::measure(|| Buffer::from(slice.as_slice().to_vec()));
    assert!((8_000_000..8_004_096).contains(&stats.allocated_bytes), "{stats:?}");

    // Freeing inside the scope: the peak shows the transient, the net change does not.
    let (_, stats) = alloc::measure(|| drop(vec![0_u8; 1 << 20]));
    assert!(stats.peak_extra_bytes >= 1 << 20, "{stats:?}");
    assert!(stats.freed_bytes >= 1 << 20, "{stats:?}");
    assert!(stats.net_bytes < 1024, "{stats:?}");

    // Dropping 88 MB allocated before the scope: freed inside it, so the thread's net change is negative.
    let (_, stats) = alloc::measure(|| drop((buffer, slice, copy)));
    assert!(stats.freed_bytes >= expected + 8_000_000, "{stats:?}");
    assert!(stats.net_bytes <= -((expected + 8_000_000) as i64), "{stats:?}");
    assert_eq!(stats.allocated_bytes, 0, "{stats:?}");
}

#[test]
fn another_threads_allocations_are_not_counted() {
    // 64 MB allocated and held by a second thread while this one measures a small allocation.
    let (started, release) = (std::sync::Barrier::new(2), std::sync::Barrier::new(2));
    std::thread::scope(|threads| {
        threads.spawn(|| {
            let held = vec![7_u8; 64 << 20];
            started.wait();
            release.wait();
            drop(held);
        });
        let (_, stats) = alloc::measure(|| {
            started.wait();
            let small = vec![1_u8; 1000];
            drop(small);
        });
        release.wait();
        assert!(stats.allocated_bytes < 64 << 10, "the other thread's 64 MB leaked into {stats:?}");
        assert!(stats.allocated_bytes >= 1000, "{stats:?}");
        assert!(alloc::current_bytes() > 0);
    });
}
