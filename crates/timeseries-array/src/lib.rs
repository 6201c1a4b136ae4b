//! Arrow-backed time series for market data: a strictly increasing timestamp index (i64 nanoseconds, UTC)
//! with named numeric columns, sliced without copying.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::{ArrayRef, Float64Array};
//! use timeseries_array::TimeFrame;
//!
//! let close: ArrayRef = Arc::new(Float64Array::from(vec![10.0, 10.5, 10.25, 11.0]));
//! let frame = TimeFrame::try_new(vec![100, 200, 300, 400], vec![("close".into(), close)])?;
//!
//! // A slice is an offset and a length over the same buffers: no values are copied.
//! let tail = frame.slice(2..4)?;
//! assert_eq!(tail.timestamps(), &[300, 400]);
//! assert_eq!(tail.f64_column("close")?, &[10.25, 11.0]);
//! assert_eq!(frame.locate(250), 2); // first row at or after t=250
//! # Ok::<(), timeseries_array::FrameError>(())
//! ```
//!
//! # Memory layout
//!
//! A [`TimeFrame`] is an Arrow `RecordBatch` whose first column is the timestamp index. Every column is an
//! `Arc`-shared, 64-byte aligned Arrow buffer. Slicing clones the `Arc`s and records an offset and a length:
//!
//! ```text
//!   frame         [ts | open | high | low | close]   (n rows)
//!   frame[a..b]    └── same buffers, offset a, length b - a
//! ```
//!
//! This crate knows nothing about splits, modes or isolation: it keeps one invariant, that every frame it
//! hands out has equal-length columns of supported types and strictly increasing timestamps.
#![forbid(unsafe_code)]

mod dtype;
mod error;
mod frame;
mod series;

pub use dtype::{ValueType, value_f64};
pub use error::FrameError;
pub use frame::{TIMESTAMP_COLUMN, TimeFrame};
pub use series::TimeSeriesArray;

/// A point in time: nanoseconds since the Unix epoch, UTC.
pub type TimestampNs = i64;
