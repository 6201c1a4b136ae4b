//! `MemtrackError`: the one error type of this crate.

/// What can go wrong while reading memory figures.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MemtrackError {
    /// A line of an `smaps_rollup` file could not be read.
    #[error("smaps_rollup line {line_no}: {reason} (line: {line:?})")]
    SmapsLine {
        /// One-based line number.
        line_no: usize,
        /// The offending line, as read.
        line: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An `smaps_rollup` file lacks a field every kernel since 4.14 writes.
    #[error("smaps_rollup has no {field:?} line; is this the text of /proc/<pid>/smaps_rollup?")]
    SmapsMissingField {
        /// The missing field name, as the kernel spells it.
        field: &'static str,
    },
    /// [`alloc::measure`](crate::alloc::measure) ran while the counting allocator is not the global
    /// allocator, so it would report zero bytes whatever the closure allocated.
    #[error(
        "the counting allocator is not installed; add `#[global_allocator] static A: memtrack::alloc::CountingAllocator = memtrack::alloc::CountingAllocator;` to the test or binary"
    )]
    AllocatorNotInstalled,
}
