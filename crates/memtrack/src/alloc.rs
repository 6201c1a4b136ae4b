//! `CountingAllocator`: a global allocator that counts heap bytes, and `measure` to ask what a closure
//! allocated. For tests that prove zero-copy claims ("a view allocates O(columns) bytes").
//!
//! The code is always compiled; counting starts only in a binary or test that installs it:
//!
//! ```
//! use memtrack::alloc::{self, CountingAllocator};
//!
//! #[global_allocator]
//! static ALLOCATOR: CountingAllocator = CountingAllocator;
//!
//! let (values, stats) = alloc::measure(|| vec![0.0_f64; 1000]);
//! assert_eq!(values.len(), 1000);
//! assert!(stats.allocated_bytes >= 8000);
//! ```
//!
//! The counters see the heap only (not memory maps). Two kinds of figures:
//! - [`current_bytes`] and [`peak_bytes`] are process-wide: every thread's heap.
//! - [`measure`] counts the calling thread's allocations and frees only, so tests that assert on figures
//!   can share a test binary (and run in parallel) with tests that allocate freely. A closure that hands
//!   work to other threads is measured for its own thread's part only.
// The `GlobalAlloc` trait is unsafe to implement; each block below forwards to `System` and says why that
// is sound.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::MemtrackError;

static CURRENT: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);
static N_ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

/// What the calling thread allocated and freed since its `measure` began. Const-initialised `Cell`s without
/// destructors: reading them from inside the allocator never allocates and works during thread exit.
struct ThreadScope {
    measuring: Cell<bool>,
    allocated: Cell<u64>,
    freed: Cell<u64>,
    n_allocations: Cell<u64>,
    /// The highest `allocated - freed` seen during the scope (frees of older memory make that negative).
    peak_net: Cell<i64>,
}

impl ThreadScope {
    /// Live bytes this thread added since the scope began.
    fn net(&self) -> i64 {
        self.allocated.get() as i64 - self.freed.get() as i64
    }
}

thread_local! {
    static SCOPE: ThreadScope = const {
        ThreadScope {
            measuring: Cell::new(false),
            allocated: Cell::new(0),
            freed: Cell::new(0),
            n_allocations: Cell::new(0),
            peak_net: Cell::new(0),
        }
    };
}

/// The system allocator, counting live and peak heap bytes. Install it with `#[global_allocator]`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged, so `System`'s guarantees
// (valid, suitably aligned memory of the requested size, or null) hold for our callers. The bookkeeping
// only touches atomics: it neither allocates nor unwinds.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract (non-zero size), which we forward.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            record_alloc(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`; the caller's contract is forwarded unchanged.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            record_alloc(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller promises `ptr` came from this allocator (so from `System`) with `layout`.
        unsafe { System.dealloc(ptr, layout) };
        record_free(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller promises `ptr` came from this allocator (so from `System`) with `layout`, and
        // that `new_size` is valid for it; forwarded unchanged.
        let new_ptr = unsafe { System.realloc(ptr, layout, new_size) };
        if !new_ptr.is_null() {
            let old_size = layout.size();
            if new_size >= old_size {
                record_alloc(new_size - old_size);
            } else {
                record_free(old_size - new_size);
            }
        }
        new_ptr
    }
}

fn record_alloc(bytes: usize) {
    let bytes = bytes as u64;
    N_ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
    // `try_with`: a thread being torn down may still free memory; it is not measuring then.
    let _ = SCOPE.try_with(|scope| {
        if scope.measuring.get() {
            scope.allocated.set(scope.allocated.get() + bytes);
            scope.n_allocations.set(scope.n_allocations.get() + 1);
            scope.peak_net.set(scope.peak_net.get().max(scope.net()));
        }
    });
}

fn record_free(bytes: usize) {
    let bytes = bytes as u64;
    CURRENT.fetch_sub(bytes, Ordering::Relaxed);
    let _ = SCOPE.try_with(|scope| {
        if scope.measuring.get() {
            scope.freed.set(scope.freed.get() + bytes);
        }
    });
}

/// What a closure did to the heap on the calling thread, from [`measure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AllocStats {
    /// Bytes allocated during the scope (reallocations count their growth), whether or not freed since.
    pub allocated_bytes: u64,
    /// Bytes freed during the scope (reallocations count their shrinkage).
    pub freed_bytes: u64,
    /// Allocation calls (including reallocations) during the scope.
    pub n_allocations: u64,
    /// Highest live heap during the scope, above the live heap at its start (the thread's own part).
    pub peak_extra_bytes: u64,
    /// Live heap at the end minus live heap at the start: what the scope's result (or a leak) keeps.
    pub net_bytes: i64,
}

/// Live heap bytes, as counted since the allocator was installed; zero if it is not installed.
pub fn current_bytes() -> u64 {
    CURRENT.load(Ordering::Relaxed)
}

/// Highest live heap bytes of the whole process since the allocator was installed.
pub fn peak_bytes() -> u64 {
    PEAK.load(Ordering::Relaxed)
}

/// True when [`CountingAllocator`] is the global allocator of this process.
pub fn is_installed() -> bool {
    let before = N_ALLOCATIONS.load(Ordering::SeqCst);
    drop(std::hint::black_box(Box::new(0_u64)));
    N_ALLOCATIONS.load(Ordering::SeqCst) != before
}

/// Runs `f` and reports what it allocated on the calling thread (see the module docs).
///
/// # Panics
///
/// If [`CountingAllocator`] is not the global allocator (the figures would all be zero, and a test asserting
/// "allocates nothing" would pass whatever happened), or when called from inside another `measure` on the
/// same thread.
pub fn measure<R>(f: impl FnOnce() -> R) -> (R, AllocStats) {
    match try_measure(f) {
        Ok(measured) => measured,
        Err(err) => panic!("{err}"),
    }
}

/// Like [`measure`], but returns an error instead of panicking when the allocator is not installed.
///
/// # Errors
///
/// [`MemtrackError::AllocatorNotInstalled`] when [`CountingAllocator`] is not the global allocator.
///
/// # Panics
///
/// When called from inside another `measure` on the same thread (the scopes would overlap).
pub fn try_measure<R>(f: impl FnOnce() -> R) -> Result<(R, AllocStats), MemtrackError> {
    if !is_installed() {
        return Err(MemtrackError::AllocatorNotInstalled);
    }
    SCOPE.with(|scope| {
        assert!(
            !scope.measuring.get(),
            "memtrack::alloc::measure called inside another measure on the same thread"
        );
        for counter in [&scope.allocated, &scope.freed, &scope.n_allocations] {
            counter.set(0);
        }
        scope.peak_net.set(0);
        scope.measuring.set(true);
    });
    let _reset = ResetOnDrop;
    let result = f();
    let stats = SCOPE.with(|scope| {
        scope.measuring.set(false);
        AllocStats {
            allocated_bytes: scope.allocated.get(),
            freed_bytes: scope.freed.get(),
            n_allocations: scope.n_allocations.get(),
            peak_extra_bytes: scope.peak_net.get().max(0) as u64,
            net_bytes: scope.net(),
        }
    });
    Ok((result, stats))
}

/// Ends the thread's scope even when the measured closure panics.
struct ResetOnDrop;

impl Drop for ResetOnDrop {
    fn drop(&mut self) {
        let _ = SCOPE.try_with(|scope| scope.measuring.set(false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measuring_without_the_allocator_installed_is_an_error() {
        // Unit tests run with the system allocator: the figures would be zeros, so `measure` refuses.
        assert!(!is_installed());
        let err = try_measure(|| vec![1_u8; 10]).expect_err("not installed");
        assert!(matches!(err, MemtrackError::AllocatorNotInstalled));
    }
}
