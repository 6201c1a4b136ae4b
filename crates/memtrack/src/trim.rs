//! Handing freed heap back to the operating system, so RSS falls after a large frame is dropped.

/// Asks the allocator to return free heap memory to the operating system: glibc's `malloc_trim(0)` on
/// Linux with glibc, nothing elsewhere. Returns `true` when the allocator says it released memory.
///
/// Large Arrow buffers are separate `mmap`s that glibc unmaps as soon as they are freed; what stays behind
/// after dropping a frame is the many small allocations (array headers, schemas, builders' leftovers) in
/// the heap arenas, which glibc keeps for reuse unless asked. Call this after dropping data in a
/// long-running process (the data handler's `unload` and `release` do).
pub fn release_free_memory() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        #[allow(unsafe_code)]
        // SAFETY: `malloc_trim` is glibc's own entry point with this exact signature; it takes its arena
        // locks and only releases pages no live allocation uses, so no pointer held anywhere is affected.
        let released = unsafe { malloc_trim(0) };
        released != 0
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
unsafe extern "C" {
    /// glibc: release free memory at the top of the heap and in every arena (`pad` bytes kept).
    fn malloc_trim(pad: usize) -> std::ffi::c_int;
}
