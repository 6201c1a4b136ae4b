//! Honest memory figures for the isolation workspace.
//!
//! Two kinds of figure live here, and they answer different questions:
//!
//! - [`Footprint`]: what one container (a frame, a view, a copy) keeps alive, split into bytes only it
//!   keeps alive (`owned_bytes`) and bytes it shares with other handles (`shared_bytes`). Computed from the
//!   Arrow buffers themselves ([`BufferSet`]), never estimated from row counts, and each allocation is counted
//!   once however many slices of it a container holds. A [`Ledger`] does the same over several containers,
//!   split into owned, shared and mapped bytes ([`MappedRegion`] marks memory maps).
//! - [`ProcessMemory`] and [`SystemMemory`]: what the operating system says about this process and the
//!   machine: RSS through `sysinfo` everywhere, and on Linux the figures that do not count a shared page in
//!   every process ([`SmapsRollup`]: PSS, USS), plus the free space of `/dev/shm` ([`ShmSpace`]).
//!
//! Also here: a counting global allocator for tests that prove zero-copy claims ([`alloc`]) and
//! [`format_bytes`] for people. The report that puts these together is the facade's
//! `isolation::MemoryReport`: memtrack keeps the accounting only.
//!
//! ```
//! use arrow_buffer::Buffer;
//! use memtrack::{BufferSet, Footprint};
//!
//! let base = Buffer::from_vec(vec![1.0_f64; 1000]);
//! let view = base.slice_with_length(800, 1600); // 200 values, same allocation
//!
//! let mut set = BufferSet::new();
//! set.insert(&view);
//! // The slice keeps the whole 8000-byte allocation alive, shared with `base`.
//! assert_eq!(set.footprint(), Footprint { owned_bytes: 0, shared_bytes: 8000 });
//! ```
// Only `alloc` (the `GlobalAlloc` impl), `trim` (glibc's `malloc_trim`) and `huge_pages` (`madvise`) need
// unsafe; they allow it locally with a SAFETY comment per block.
#![deny(unsafe_code)]

pub mod alloc;
mod buffers;
mod bytes;
mod error;
mod footprint;
mod huge_pages;
mod ledger;
mod mapped;
mod process;
mod smaps;
mod trim;

pub use buffers::{Breakdown, BufferSet};
pub use bytes::format_bytes;
pub use error::MemtrackError;
pub use footprint::Footprint;
pub use huge_pages::copy_to_buffer;
pub use ledger::{Ledger, LedgerRow, LedgerSummary};
pub use mapped::{MappedRegion, RegisteredBytes};
pub use process::{ProcessMemory, ShmSpace, SystemMemory};
pub use smaps::SmapsRollup;
pub use trim::release_free_memory;
