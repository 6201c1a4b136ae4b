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
//! The counters see the heap only (not memory maps), and they are process-wide: an allocation on another
//! thread during a [`measure`] counts too. `measure` calls are serialised against each other, but keep
//! tests that assert on figures in a test binary of their own (or in one test function) so that other
//! tests' threads do not add noise.
// The `GlobalAlloc` trait is unsafe to implement; each block below forwards to `System` and says why that
// is sound.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::MemtrackError;

static CURRENT: AtomicU64 = AtomicU64::new(0);
static PEAK: AtomicU64 = AtomicU64::new(0);
static ALLOCATED: AtomicU64 = AtomicU64::new(0);
static FREED: AtomicU64 = AtomicU64::new(0);
static N_ALLOCATIONS: AtomicU64 = AtomicU64::new(0);
static MEASURE_LOCK: Mutex<()> = Mutex::new(());

thread_local! {
    static MEASURING: Cell<bool> = const { Cell::new(false) };
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
    ALLOCATED.fetch_add(bytes, Ordering::Relaxed);
    let now = CURRENT.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

fn record_free(bytes: usize) {
    let bytes = bytes as u64;
    FREED.fetch_add(bytes, Ordering::Relaxed);
    CURRENT.fetch_sub(bytes, Ordering::Relaxed);
}

/// What a closure did to the heap, from [`measure`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct AllocStats {
    /// Bytes allocated during the scope (reallocations count their growth), whether or not freed since.
    pub allocated_bytes: u64,
    /// Bytes freed during the scope (reallocations count their shrinkage).
    pub freed_bytes: u64,
    /// Allocation calls (including reallocations) during the scope.
    pub n_allocations: u64,
    /// Highest live heap during the scope, above the live heap at its start.
    pub peak_extra_bytes: u64,
    /// Live heap at the end minus live heap at the start: what the scope's result (or a leak) keeps.
    pub net_bytes: i64,
}

/// Live heap bytes, as counted since the allocator was installed; zero if it is not installed.
pub fn current_bytes() -> u64 {
    CURRENT.load(Ordering::Relaxed)
}

/// Highest live heap bytes since the allocator was installed (or since the last [`measure`] began).
pub fn peak_bytes() -> u64 {
    PEAK.load(Ordering::Relaxed)
}

/// True when [`CountingAllocator`] is the global allocator of this process.
pub fn is_installed() -> bool {
    let before = N_ALLOCATIONS.load(Ordering::SeqCst);
    drop(std::hint::black_box(Box::new(0_u64)));
    N_ALLOCATIONS.load(Ordering::SeqCst) != before
}

/// Runs `f` and reports what it allocated.
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
/// When called from inside another `measure` on the same thread (it would wait for itself).
pub fn try_measure<R>(f: impl FnOnce() -> R) -> Result<(R, AllocStats), MemtrackError> {
    if !is_installed() {
        return Err(MemtrackError::AllocatorNotInstalled);
    }
    assert!(!MEASURING.get(), "memtrack::alloc::measure called inside another measure on the same thread");
    let _serial = MEASURE_LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    MEASURING.set(true);
    let _reset = ResetOnDrop;

    let start_current = CURRENT.load(Ordering::SeqCst);
    PEAK.store(start_current, Ordering::SeqCst);
    let start_allocated = ALLOCATED.load(Ordering::SeqCst);
    let start_freed = FREED.load(Ordering::SeqCst);
    let start_count = N_ALLOCATIONS.load(Ordering::SeqCst);

    let result = f();

    let end_current = CURRENT.load(Ordering::SeqCst);
    let stats = AllocStats {
        allocated_bytes: ALLOCATED.load(Ordering::SeqCst) - start_allocated,
        freed_bytes: FREED.load(Ordering::SeqCst) - start_freed,
        n_allocations: N_ALLOCATIONS.load(Ordering::SeqCst) - start_count,
        peak_extra_bytes: PEAK.load(Ordering::SeqCst).saturating_sub(start_current),
        net_bytes: end_current as i64 - start_current as i64,
    };
    Ok((result, stats))
}

/// Clears the re-entrance flag even when the measured closure panics.
struct ResetOnDrop;

impl Drop for ResetOnDrop {
    fn drop(&mut self) {
        MEASURING.set(false);
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
