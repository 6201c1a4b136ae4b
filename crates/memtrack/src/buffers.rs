//! `BufferSet`: the distinct Arrow allocations a container keeps alive, each counted once.

use std::collections::HashMap;

use arrow_buffer::Buffer;
use serde::Serialize;

use crate::Footprint;
use crate::mapped::region_containing;

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
///   mmap slices  ─────▶ a registered region   ── counted once, as mapped
/// ```
///
/// Buffers inside a [`MappedRegion`](crate::MappedRegion) (or inserted with [`insert_mapped`](Self::insert_mapped))
/// are *mapped*: foreign memory such as a shared-memory segment, reported apart from heap bytes by
/// [`breakdown`](Self::breakdown).
///
/// Identity is an address, so build a set while the containers it describes are alive: a freed allocation's
/// address can be reused by the next one.
#[derive(Debug, Default, Clone)]
pub struct BufferSet {
    entries: HashMap<usize, Entry>,
}

/// One distinct allocation.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    pub(crate) bytes: u64,
    pub(crate) shared: bool,
    pub(crate) mapped: bool,
}

impl Entry {
    fn merge(&mut self, other: Entry) {
        self.bytes = self.bytes.max(other.bytes);
        self.shared |= other.shared;
        self.mapped |= other.mapped;
    }
}

/// Bytes of distinct allocations by kind: heap bytes owned, heap bytes shared, and mapped (foreign) bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Breakdown {
    /// Heap bytes that nothing outside keeps alive.
    pub owned_bytes: u64,
    /// Heap bytes that other handles keep alive too.
    pub shared_bytes: u64,
    /// Bytes of memory maps and shared-memory segments (not heap).
    pub mapped_bytes: u64,
}

impl Breakdown {
    /// Owned plus shared plus mapped bytes.
    pub fn total_bytes(&self) -> u64 {
        self.owned_bytes + self.shared_bytes + self.mapped_bytes
    }

    pub(crate) fn add_entry(&mut self, entry: Entry, shared: bool) {
        if entry.mapped {
            self.mapped_bytes += entry.bytes;
        } else if shared {
            self.shared_bytes += entry.bytes;
        } else {
            self.owned_bytes += entry.bytes;
        }
    }
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
        let shared = holder_is_shared || buffer.strong_count() > 1;
        let region = region_containing(buffer.data_ptr().as_ptr() as usize)
            .or_else(|| region_containing(buffer.as_ptr() as usize));
        match region {
            Some((start, len)) => self.add(start, Entry { bytes: len as u64, shared, mapped: true }),
            None => self.add(
                buffer.data_ptr().as_ptr() as usize,
                Entry { bytes: extent(buffer), shared, mapped: false },
            ),
        }
    }

    /// Adds the allocation behind `buffer` as mapped (foreign) memory, for a caller that knows the buffer
    /// points into a memory map but did not register a [`MappedRegion`](crate::MappedRegion). Counts the
    /// extent the buffer shows from the start of its allocation; registering the region is more precise.
    pub fn insert_mapped(&mut self, buffer: &Buffer) {
        let shared = buffer.strong_count() > 1;
        self.add(buffer.data_ptr().as_ptr() as usize, Entry { bytes: extent(buffer), shared, mapped: true });
    }

    /// Adds an allocation known only by its start address and size (memory another runtime owns: a numpy
    /// array's base, for one), shared if other holders keep it alive too. Added twice, it counts once.
    ///
    /// ```
    /// let mut set = memtrack::BufferSet::new();
    /// set.insert_region(0x1000, 800, false);
    /// set.insert_region(0x1000, 800, false); // a second column over the same block
    /// assert_eq!((set.len(), set.footprint().total_bytes()), (1, 800));
    /// ```
    pub fn insert_region(&mut self, start: usize, bytes: u64, shared: bool) {
        self.add(start, Entry { bytes, shared, mapped: false });
    }

    /// Adds every allocation of `other` (a set built for another container).
    pub fn extend_from(&mut self, other: &BufferSet) {
        for (&id, &entry) in &other.entries {
            self.add(id, entry);
        }
    }

    /// Bytes of the distinct allocations by kind: owned heap, shared heap, mapped.
    pub fn breakdown(&self) -> Breakdown {
        self.entries.values().fold(Breakdown::default(), |mut acc, &e| {
            acc.add_entry(e, e.shared);
            acc
        })
    }

    pub(crate) fn entries(&self) -> impl Iterator<Item = (usize, Entry)> + '_ {
        self.entries.iter().map(|(&id, &entry)| (id, entry))
    }

    fn add(&mut self, id: usize, entry: Entry) {
        self.entries.entry(id).and_modify(|e| e.merge(entry)).or_insert(entry);
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
    /// Mapped memory counts as shared: the segment outlives the handle and other processes may map it.
    pub fn footprint(&self) -> Footprint {
        self.entries.values().fold(Footprint::default(), |mut acc, e| {
            if e.shared || e.mapped {
                acc.shared_bytes += e.bytes;
            } else {
                acc.owned_bytes += e.bytes;
            }
            acc
        })
    }
}

/// Bytes an allocation keeps alive: its capacity, or the extent the buffer shows when that is larger.
fn extent(buffer: &Buffer) -> u64 {
    // `capacity` is the layout size for buffers Arrow allocated and the given length for custom allocations
    // (arrow-buffer 60); neither is ever smaller than what the buffer shows from the allocation's start.
    buffer.capacity().max(buffer.ptr_offset() + buffer.len()) as u64
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

    #[test]
    fn insert_mapped_counts_as_mapped_and_shared_in_footprint() {
        let buffer = Buffer::from_vec(vec![0_u8; 128]);
        let mut set = BufferSet::new();
        set.insert_mapped(&buffer);
        assert_eq!(set.breakdown(), Breakdown { owned_bytes: 0, shared_bytes: 0, mapped_bytes: 128 });
        assert_eq!(set.footprint(), Footprint { owned_bytes: 0, shared_bytes: 128 });
    }

    #[test]
    fn buffers_in_a_registered_region_count_the_region_once() {
        let segment = Buffer::from_vec(vec![0_u8; 1 << 16]);
        let copy_a = segment.slice_with_length(64, 64);
        let region = crate::MappedRegion::register(segment.as_slice());
        let mut set = BufferSet::new();
        set.insert(&copy_a);
        set.insert(&segment.slice_with_length(4096, 8));
        assert_eq!(set.len(), 1);
        assert_eq!(set.breakdown().mapped_bytes, 1 << 16);
        drop(region);
        let mut after = BufferSet::new();
        after.insert(&copy_a);
        assert_eq!(after.breakdown().mapped_bytes, 0);
    }
}
