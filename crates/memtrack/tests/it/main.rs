//! The integration tests of `memtrack`, in one test binary: each module below was a binary of its own, and
//! each linked the package's whole dependency tree again. xtask's `build_shape` test keeps it at one.

// Heap figures of `counting_alloc`: `memtrack::alloc::measure` counts the measuring thread's
// allocations only, so the other tests of this binary, running at the same time, do not disturb them.
#[global_allocator]
static ALLOCATOR: memtrack::alloc::CountingAllocator = memtrack::alloc::CountingAllocator;

mod counting_alloc;
mod ledger_props;
mod smaps;
