//! The integration tests of `timeseries-io`, in one test binary: each module below was a binary of its own, and
//! each linked the package's whole dependency tree again. xtask's `build_shape` test keeps it at one.

// Heap figures of `peak_memory`: `memtrack::alloc::measure` counts the measuring thread's
// allocations only, so the other tests of this binary, running at the same time, do not disturb them.
#[global_allocator]
static ALLOCATOR: memtrack::alloc::CountingAllocator = memtrack::alloc::CountingAllocator;

mod byte_flips;
mod date_time_pairs;
mod errors;
mod fuzz_regressions;
mod layouts;
mod peak_memory;
mod pyarrow;
mod roundtrip;
