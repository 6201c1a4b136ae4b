//! `BufferSet`: the distinct Arrow allocations a container keeps alive, each counted once.

use std::collections::HashMap;

use arrow_buffer::Buffer;

use crate::Footprint;

/// The distinct allocations behind a set of Arrow buffers.
///
/// Identity is the allocation (the start of the underlying memory region), not the value and not the slice:
/// two slices of one column are one entry. Each entry remembers whether any handle other than the ones
/// inserted here keeps it alive (`Arc` strong count above one, or the caller says the holder is shared).
///
/// # Sharing
///
/// ```text
///   base column  ──┐
///   train slice  ──┼──▶ one allocation (8 MB) ── counted once, as shared
///   test slice   ──┘
///   deep copy    ─────▶ its own allocation    ── counted once, as owned
/// ```
#[derive(Debug, Default, Clone)]
pub struct BufferSet {
    entries: HashMap<usize, Entry>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    bytes: u64,
    shared: bool,
}

impl BufferSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the allocation behind `buffer`; shared if other handles keep it alive too.
    pub fn insert(&mut self, buffer: &Buffer) {
        self.insert_with(buffer, false);
    }

    /// Adds the allocation behind `buffer`, forcing it to count as shared when `holder_is_shared` (for
    /// example when the array holding the buffer is itself behind an `Arc` that other frames hold).
    pub fn insert_with(&mut self, buffer: &Buffer, holder_is_shared: bool) {
        let id = buffer.data_ptr().as_ptr() as usize;
        // `capacity` is the allocation's size for buffers Arrow allocated; it is zero for foreign memory
        // (a memory map), where the visible extent is the best figure the buffer gives.
        let bytes = buffer.capacity().max(buffer.ptr_offset() + buffer.len()) as u64;
        let shared = holder_is_shared || buffer.strong_count() > 1;
        let entry = self.entries.entry(id).or_insert(Entry { bytes, shared });
        entry.bytes = entry.bytes.max(bytes);
        entry.shared |= shared;
    }

    /// Number of distinct allocations.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no allocation was added.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes of the distinct allocations, split into owned (only this set keeps them alive) and shared.
    pub fn footprint(&self) -> Footprint {
        self.entries.values().fold(Footprint::default(), |mut acc, e| {
            if e.shared {
                acc.shared_bytes += e.bytes;
            } else {
                acc.owned_bytes += e.bytes;
            }
            acc
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sole_owner_counts_as_owned() {
        let buffer = Buffer::from_vec(vec![0_i64; 100]);
        let mut set = BufferSet::new();
        set.insert(&buffer);
        assert_eq!(set.footprint(), Footprint::owned(800));
    }

    #[test]
    fn two_slices_of_one_allocation_count_once() {
        let base = Buffer::from_vec(vec![0_u8; 4096]);
        let mut set = BufferSet::new();
        set.insert(&base.slice_with_length(0, 10));
        set.insert(&base.slice_with_length(100, 10));
        assert_eq!(set.len(), 1);
        assert_eq!(set.footprint(), Footprint { owned_bytes: 0, shared_bytes: 4096 });
    }

    #[test]
    fn holder_shared_forces_shared() {
        let buffer = Buffer::from_vec(vec![0_u8; 64]);
        let mut set = BufferSet::new();
        set.insert_with(&buffer, true);
        assert_eq!(set.footprint().shared_bytes, 64);
    }
}
