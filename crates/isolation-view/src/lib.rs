//! Read-only views bounded to a split: an offset and a length over the base frame's Arrow buffers.
//!
//! ```
//! use std::sync::Arc;
//! use arrow_array::Float64Array;
//! use isolation_core::{Cursor, IsolatedData, Split, SplitSpec};
//! use isolation_view::DataView;
//! use timeseries_array::TimeFrame;
//!
//! let close = Arc::new(Float64Array::from((0..100).map(f64::from).collect::<Vec<_>>()));
//! let base = TimeFrame::try_new((0..100).collect::<Vec<i64>>(), vec![("close".into(), close)])?;
//! let ranges = SplitSpec::Ratio(0.7).resolve(base.timestamps())?;
//!
//! let train = DataView::new(&base, ranges.range(Split::Train), Split::Train)?;
//! let test = DataView::new(&base, ranges.range(Split::Test), Split::Test)?;
//! assert_eq!((train.n_rows(), test.n_rows()), (70, 30));
//! assert_eq!(test.f64_column("close")?[0], 70.0); // row 0 of test is row 70 of the base
//! assert_eq!(test.value_f64(0, 30), None);        // nothing past the split, by any method
//!
//! let mut cursor = Cursor::new(&train);
//! while cursor.advance() {}
//! assert_eq!(cursor.window(3).timestamps(), &[] as &[i64]); // exhausted: nothing to see
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Memory layout
//!
//! ```text
//!   base frame   [ row 0 ............................ row n-1 ]   one Arc'd buffer per column
//!   train view   [ offset 0, len k ]──┘            │
//!   test view                 [ offset k, len n-k ]┘
//! ```
//!
//! Creating a view clones one `Arc` per column and records an offset and a length: O(1) time in the rows
//! and O(columns) bytes. The invariant this crate keeps: **a view never allocates in proportion to rows,
//! and no public method returns a row outside its range.** It never writes (see `isolation-cow` for
//! writes). [`DataView::deep_copy`] is the same reader over copied rows, for the deep-copy mode.
#![forbid(unsafe_code)]

mod batches;
mod view;

pub use batches::Batches;
pub use view::DataView;
