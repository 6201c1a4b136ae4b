//! Copy-on-write frames bounded to a split: reads share the base frame's Arrow buffers until a chunk of a
//! column is written, and the first write into a chunk copies that chunk of that column only.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::Float64Array;
//! use isolation_core::{Cursor, IsolatedData, Split, SplitSpec};
//! use isolation_cow::{CowConfig, CowFrame};
//! use timeseries_array::TimeFrame;
//!
//! let close = Arc::new(Float64Array::from((0..1000).map(f64::from).collect::<Vec<_>>()));
//! let base = TimeFrame::try_new((0..1000).collect::<Vec<i64>>(), vec![("close".into(), close)])?;
//! let ranges = SplitSpec::Ratio(0.7).resolve(base.timestamps())?;
//! let config = CowConfig::try_new(64)?;
//! let mut train = CowFrame::with_config(&base, ranges.range(Split::Train), Split::Train, config)?;
//!
//! // Patch a bad tick: only the 64-row chunk holding row 100 of `close` is copied.
//! train.set_value(0, 100, 99.5)?;
//! assert_eq!(train.get(0, 100)?, Some(99.5));
//! assert_eq!(base.value_f64(0, 100), Some(100.0)); // the base never changes
//! assert_eq!(train.footprint_report().chunk_bytes(), 64 * 8);
//!
//! // Add a derived column, owned by this frame; cursors see it like any other.
//! let close_idx = train.find_column("close")?;
//! let returns: Vec<f64> = (0..train.n_rows())
//!     .map(|r| if r == 0 { 0.0 } else { train.get(close_idx, r).unwrap().unwrap() / r as f64 })
//!     .collect();
//! let ret = train.add_f64_column("ret", returns)?;
//! let mut cursor = Cursor::new(&train);
//! cursor.advance();
//! assert_eq!(cursor.current().unwrap().value(ret), Some(1.0));
//!
//! // Train is bounded to its rows: row 700 is test's row 0.
//! assert!(train.get(0, 700).is_err());
//! assert!(train.set_value(0, 700, 0.0).is_err());
//!
//! train.reset(); // drop every change
//! assert!(!train.is_modified());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Memory layout
//!
//! Chunks are aligned in **split-row space**: chunk `k` of a column covers rows
//! `k * chunk_rows .. (k + 1) * chunk_rows` of the split, whatever the split's offset in the base.
//!
//! ```text
//!   base column   [ ........................ n rows ........................ ]   Arc'd, never written
//!   train frame   [ offset 0, len k ]                                          reads the base
//!     chunks        [ c0 ][ c1 ][ c2 ]...                                      64 Ki rows each by default
//!     written c1          [copy]                                               one chunk, owned
//!   test frame                       [ offset k, len n - k ]                    unaffected
//! ```
//!
//! # Sharing
//!
//! A [`CowFrame`] holds a slice of the base (an offset and a length over its `Arc`'d buffers), a map of
//! copied chunks per column, and the whole columns it was given. Reads look up the row's chunk (a shift
//! and a map lookup) and fall back to the base. Writes need `&mut self`, so a frame is written by one
//! owner at a time with no lock; frames are `Send + Sync`, many frames over one base may live on many
//! threads, and none sees another's writes.
//!
//! # The base is never written
//!
//! A chunk is copied into a new allocation before its first write; the base's buffers are only ever read.
//! Arrow's in-place mutation (`Buffer::into_mutable`) is used on copied chunks only, and only when no other
//! handle (a clone of the frame) holds them; otherwise the chunk is copied again.
//!
//! # Values are typed
//!
//! Writes take an `f64` and store it in the column's own type, only when that type holds it exactly: `3.0`
//! into an `i32` column is stored, `3.5` is refused with [`CowError::InexactValue`]. Replace the column
//! ([`CowFrame::replace_column`]) to change its type.
//!
//! The invariant this crate keeps: **no write through a `CowFrame` is visible through the base or through
//! any other handle, and no public method reads or writes a row outside its split.**
#![forbid(unsafe_code)]

mod cell;
mod chunk;
mod columns;
mod config;
mod error;
mod footprint;
mod frame;
mod isolated;
mod materialize;
mod native;

pub use cell::CellValue;
pub use columns::F64Chunks;
pub use config::CowConfig;
pub use error::CowError;
pub use footprint::{ColumnFootprint, ColumnSource, FootprintReport};
pub use frame::{CowFrame, ModifiedChunk};
