//! The seed design's `optimize_dataframe_memory`, done losslessly: a frame's columns in the narrowest type
//! that holds every value exactly, as a new frame (the input is never touched), with a report.

use isolation_core::IsolationError;
use timeseries_array::optimize::{OptimizeOptions, OptimizeReport, optimize_batch};
use timeseries_array::{TIMESTAMP_COLUMN, TimeFrame};

/// A copy of `frame` whose value columns use the narrowest type that keeps every value exactly (integers
/// to the smallest signed or unsigned width holding their range, `f64` to `f32` only where every value is
/// an exact `f32`, unless `options` allow loss), and the bytes saved per column. Columns that cannot
/// shrink are shared with `frame`, not copied; `frame` is never modified.
///
/// ```
/// use std::sync::Arc;
/// use isolation::arrow_array::{Float64Array, Int64Array};
/// use isolation::{OptimizeOptions, TimeFrame, ValueType, optimize_frame};
///
/// let volume = Arc::new(Int64Array::from_iter_values((0..1000).map(|i| i % 200)));
/// let close = Arc::new(Float64Array::from_iter_values((0..1000).map(|i| 100.0 + i as f64 * 0.1)));
/// let bars = TimeFrame::try_new((0..1000).collect::<Vec<i64>>(), vec![("close".into(), close), ("volume".into(), volume)])?;
///
/// let (smaller, report) = optimize_frame(&bars, &OptimizeOptions::default())?;
/// assert_eq!(smaller.value_type(1), ValueType::UInt8); // 0..200 fits in a byte
/// assert_eq!(smaller.value_type(0), ValueType::Float64); // 100.1 has no exact f32: kept
/// assert!(report.after_bytes() < report.before_bytes() && report.is_lossless());
/// assert_eq!(bars.value_type(1), ValueType::Int64); // the input is unchanged
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// [`IsolationError::Frame`] with [`timeseries_array::FrameError::Optimize`] if Arrow refuses a new column
/// (not expected for a valid frame).
pub fn optimize_frame(
    frame: &TimeFrame,
    options: &OptimizeOptions,
) -> Result<(TimeFrame, OptimizeReport), IsolationError> {
    let (batch, mut report) = optimize_batch(frame.record_batch(), options)?;
    report.columns.retain(|c| c.column != TIMESTAMP_COLUMN);
    // The index was kept as it is, so its order still holds.
    let optimized = TimeFrame::try_from_record_batch_trusting_order(&batch, TIMESTAMP_COLUMN)?;
    Ok((optimized, report))
}
