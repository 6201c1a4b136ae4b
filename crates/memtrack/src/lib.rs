//! Honest memory figures for the isolation workspace.
//!
//! Two kinds of figure live here, and they answer different questions:
//!
//! - [`Footprint`]: what one container (a frame, a view, a copy) keeps alive, split into bytes only it
//!   keeps alive (`owned_bytes`) and bytes it shares with other handles (`shared_bytes`). Computed from the
//!   Arrow buffers themselves ([`BufferSet`]), never estimated from row counts, and each allocation is counted
//!   once however many slices of it a container holds.
//! - [`ProcessMemory`] and [`SystemMemory`]: what the operating system says about this process and the
//!   machine (via `sysinfo`).
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
#![forbid(unsafe_code)]

mod buffers;
mod footprint;
mod process;

pub use buffers::BufferSet;
pub use footprint::Footprint;
pub use process::{ProcessMemory, SystemMemory};
