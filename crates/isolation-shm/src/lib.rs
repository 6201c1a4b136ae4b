//! Publish a [`TimeFrame`] once as an Arrow IPC file in shared memory; other processes attach to it by
//! name and read the same pages, zero-copy.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::Float64Array;
//! use isolation_shm::{attach, publish};
//! use timeseries_array::TimeFrame;
//!
//! let close = Arc::new(Float64Array::from(vec![10.0, 10.5, 10.25]));
//! let frame = TimeFrame::try_new(vec![100, 200, 300], vec![("close".into(), close)])?;
//!
//! // Writes /dev/shm/isolation.<name> on Linux (the temp dir elsewhere); unlinked when `segment` drops.
//! let name = format!("doc-example-{}", std::process::id());
//! let segment = publish(&name, &frame)?;
//!
//! // Any process of this user can now attach by name; the frame's buffers point into the mapping.
//! let attached = attach(&name)?;
//! assert_eq!(attached.frame(), &frame);
//! assert_eq!(attached.frame().f64_column("close")?, &[10.0, 10.5, 10.25]);
//! # drop(attached);
//! # drop(segment);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Memory layout
//!
//! A segment is a standard Arrow IPC *file* (readable by pyarrow, polars, DuckDB...) with one record batch,
//! buffers padded to 64 bytes, and the owner (pid, creation time, kept flag) in the schema's custom
//! metadata. Attaching maps it read-only and wraps the map as the owner of one Arrow buffer; every column
//! is a slice of it:
//!
//! ```text
//!   /dev/shm/isolation.spy   [ARROW1|schema|batch: ts | open | close |footer|ARROW1]
//!   worker A: frame ──────────────────────┴──────┴───────┘  (slices of A's map)
//!   worker B: frame ──────────────────────┴──────┴───────┘  (same physical pages)
//! ```
//!
//! # Guarantees
//!
//! - Publishing is atomic (temporary file, then linked into place), the file mode is 0600, and free space
//!   is checked before writing (a full tmpfs otherwise kills readers with SIGBUS).
//! - Attaching validates everything before use (magics, footer, schema, every buffer inside the file,
//!   alignment, timestamps sorted) and never unlinks or resizes the segment. Bad input gives a
//!   [`ShmError`] naming the segment, never a panic.
//! - Only the [`Publisher`] unlinks (on drop, unless kept); [`gc`] removes segments whose owner died.
//!
//! A file with several record batches (as other tools may write) is refused with
//! [`ShmError::MultipleBatches`]: joining them would be a copy.
//!
//! This crate does not split data or run strategies; the `isolation` facade gives train/test views on an
//! attached frame exactly as on an in-memory one.

mod attach;
mod checksum;
mod conform;
mod datasets;
mod decode;
mod error;
mod format;
mod name;
mod node;
mod owner;
mod publish;
mod sealed;
mod segments;
mod sys;
mod temp_file;

pub use attach::{AttachOptions, Attached, attach};
pub use conform::Conversions;
pub use datasets::{DATASET_PREFIX, DatasetPolicy, gc_datasets_in};
pub use error::ShmError;
pub use format::SEGMENT_FORMAT_VERSION;
/// Memory figures from `/proc/<pid>/smaps_rollup` (re-exported from `memtrack`), for workers that report
/// their private memory.
pub use memtrack::SmapsRollup;
pub use name::{DIR_ENV, MAX_NAME_LEN, SEGMENT_PREFIX, default_dir, segment_path, validate_name};
pub use node::{NodeDataset, NodeLocation, NodeOptions, SPILL_DIR_ENV, dataset_segment_name};
pub use owner::SegmentOwner;
pub use publish::{PublishOptions, Publisher, publish};
pub use segments::{SegmentInfo, gc, gc_in, list_segments, list_segments_in, remove, remove_in};
pub use sys::process_alive;
pub use timeseries_array::TimeFrame;
