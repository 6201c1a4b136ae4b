//! The integration tests of `isolation`, in one test binary: each module below was a binary of its own, and
//! each linked the package's whole dependency tree again. xtask's `build_shape` test keeps it at one.

// Heap figures of `typed_alloc`: `memtrack::alloc::measure` counts the measuring thread's
// allocations only, so the other tests of this binary, running at the same time, do not disturb them.
#[global_allocator]
static ALLOCATOR: memtrack::alloc::CountingAllocator = memtrack::alloc::CountingAllocator;

mod calendars;
mod cross_symbol;
mod factory;
mod folds;
mod handler;
mod labels_universe;
mod lazy;
mod manifest;
#[path = "../../../isolation-core/tests/it/ran.rs"]
mod ran;
mod typed_alloc;
mod typed_cursor;
mod unload;
