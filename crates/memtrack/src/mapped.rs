//! `MappedRegion`: a registry of foreign memory (memory maps, shared-memory segments) so that buffers
//! pointing into it are counted as mapped, and once per region.

use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Registered regions: (registration id, start address, length in bytes).
static REGIONS: RwLock<Vec<(u64, usize, usize)>> = RwLock::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// A memory region that is not heap: a file or shared-memory mapping. While the guard lives, every Arrow
/// buffer that points into the region is counted by [`BufferSet`](crate::BufferSet) as *mapped*, and all such
/// buffers count the region's length once, whatever slices of it they show.
///
/// Arrow cannot tell us this by itself: a buffer built with `Buffer::from_custom_allocation` or from
/// `bytes::Bytes` reports the length it was given as its capacity, like any heap buffer (arrow-buffer 60).
/// The owner of a mapping knows, so it registers it:
///
/// ```
/// use arrow_buffer::Buffer;
/// use memtrack::{BufferSet, MappedRegion};
///
/// let segment = Buffer::from_vec(vec![0_u8; 4096]); // stands in for a memory map
/// let _region = MappedRegion::register(segment.as_slice());
/// let mut set = BufferSet::new();
/// set.insert(&segment.slice_with_length(0, 100));
/// set.insert(&segment.slice_with_length(2048, 100));
/// assert_eq!(set.breakdown().mapped_bytes, 4096);
/// ```
///
/// Register the whole mapping, and drop the guard before unmapping it (keep it next to the map).
#[derive(Debug)]
#[must_use = "the region is unregistered when the guard drops"]
pub struct MappedRegion {
    id: u64,
    start: usize,
    len: usize,
}

/// Bytes of a mapping (e.g. a `memmap2::Mmap`) registered as a [`MappedRegion`] for exactly as long as they
/// live: hand this, not the bare map, to `bytes::Bytes::from_owner`, and every Arrow buffer sliced from it
/// is counted as mapped. The region is unregistered before the bytes are released (fields drop in order).
///
/// ```
/// use memtrack::{BufferSet, RegisteredBytes};
///
/// let owner = RegisteredBytes::new(vec![0_u8; 4096]); // stands in for a memory map
/// let buffer = arrow_buffer::Buffer::from(bytes::Bytes::from_owner(owner));
/// let mut set = BufferSet::new();
/// set.insert(&buffer.slice_with_length(64, 128));
/// assert_eq!(set.breakdown().mapped_bytes, 4096);
/// ```
#[derive(Debug)]
pub struct RegisteredBytes<T: AsRef<[u8]>> {
    region: MappedRegion,
    bytes: T,
}

impl<T: AsRef<[u8]>> RegisteredBytes<T> {
    /// Registers `bytes` for as long as the result lives.
    pub fn new(bytes: T) -> Self {
        Self { region: MappedRegion::register(bytes.as_ref()), bytes }
    }

    /// The registered region.
    pub fn region(&self) -> &MappedRegion {
        &self.region
    }
}

impl<T: AsRef<[u8]>> AsRef<[u8]> for RegisteredBytes<T> {
    fn as_ref(&self) -> &[u8] {
        self.bytes.as_ref()
    }
}

impl MappedRegion {
    /// Registers the memory `region` covers. Only its address range is recorded; the guard does not borrow it.
    pub fn register(region: &[u8]) -> Self {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let start = region.as_ptr() as usize;
        let len = region.len();
        REGIONS.write().unwrap_or_else(|poisoned| poisoned.into_inner()).push((id, start, len));
        Self { id, start, len }
    }

    /// Start address of the region.
    pub fn start(&self) -> usize {
        self.start
    }

    /// Length of the region in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for an empty region.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Drop for MappedRegion {
    fn drop(&mut self) {
        let mut regions = REGIONS.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        regions.retain(|&(id, _, _)| id != self.id);
    }
}

/// The registered region (start, length) containing `addr`, if any.
pub(crate) fn region_containing(addr: usize) -> Option<(usize, usize)> {
    let regions = REGIONS.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    regions
        .iter()
        .find(|&&(_, start, len)| addr >= start && addr - start < len.max(1))
        .map(|&(_, start, len)| (start, len))
}
