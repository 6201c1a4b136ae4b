//! `TimeSeriesArray`: one value column with its timestamp index.

use std::sync::Arc;

use arrow_array::ArrayRef;
use arrow_buffer::ScalarBuffer;
use memtrack::{BufferSet, Footprint};

use crate::frame::{array_buffers, check_strictly_increasing};
use crate::{FrameError, TimeFrame, TimestampNs, ValueType, value_f64};

/// A timestamp index (i64 nanoseconds, UTC, strictly increasing) and one typed value column, both Arrow
/// buffers. The seed design's `TimeSeriesArray`, without its float64-only assumption.
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::Int32Array;
/// use timeseries_array::TimeSeriesArray;
///
/// let volume = TimeSeriesArray::try_new("volume", vec![1, 2, 3], Arc::new(Int32Array::from(vec![5, 6, 7])))?;
/// let tail = volume.slice(1..3)?;
/// assert_eq!(tail.timestamps(), &[2, 3]);
/// assert_eq!(tail.value_f64(0), Some(6.0));
/// # Ok::<(), timeseries_array::FrameError>(())
/// ```
#[derive(Debug, Clone)]
pub struct TimeSeriesArray {
    name: Arc<str>,
    timestamps: ScalarBuffer<i64>,
    values: ArrayRef,
}

impl TimeSeriesArray {
    /// Builds a series, checking lengths, the value type, and that timestamps strictly increase.
    ///
    /// # Errors
    ///
    /// As [`TimeFrame::try_new`].
    pub fn try_new(
        name: &str,
        timestamps: impl Into<ScalarBuffer<i64>>,
        values: ArrayRef,
    ) -> Result<Self, FrameError> {
        let timestamps = timestamps.into();
        if values.len() != timestamps.len() {
            return Err(FrameError::LengthMismatch {
                column: name.to_string(),
                expected: timestamps.len(),
                found: values.len(),
            });
        }
        if ValueType::from_arrow(values.data_type()).is_none() {
            return Err(FrameError::UnsupportedType {
                column: name.to_string(),
                found: values.data_type().to_string(),
            });
        }
        check_strictly_increasing(&timestamps)?;
        Ok(Self { name: name.into(), timestamps, values })
    }

    /// The column's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.timestamps.len()
    }

    /// True when the series has no points.
    pub fn is_empty(&self) -> bool {
        self.timestamps.is_empty()
    }

    /// The timestamp index.
    pub fn timestamps(&self) -> &[TimestampNs] {
        &self.timestamps
    }

    /// The value column.
    pub fn values(&self) -> &ArrayRef {
        &self.values
    }

    /// The value type.
    pub fn value_type(&self) -> ValueType {
        ValueType::from_arrow(self.values.data_type()).expect("checked at construction")
    }

    /// The value at `row` as `f64`; `None` for a null or out-of-bounds row.
    pub fn value_f64(&self, row: usize) -> Option<f64> {
        value_f64(self.values.as_ref(), row)
    }

    /// The first row at or after `timestamp` (`len()` if none is).
    pub fn locate(&self, timestamp: TimestampNs) -> usize {
        self.timestamps.partition_point(|&t| t < timestamp)
    }

    /// The points in `range`, sharing the buffers (no copy).
    ///
    /// # Errors
    ///
    /// [`FrameError::RangeOutOfBounds`].
    pub fn slice(&self, range: std::ops::Range<usize>) -> Result<Self, FrameError> {
        if range.start > range.end || range.end > self.len() {
            return Err(FrameError::RangeOutOfBounds { range, n_rows: self.len() });
        }
        Ok(Self {
            name: self.name.clone(),
            timestamps: self.timestamps.slice(range.start, range.len()),
            values: self.values.slice(range.start, range.len()),
        })
    }

    /// A one-column frame over the same buffers.
    pub fn to_frame(&self) -> TimeFrame {
        TimeFrame::try_new(self.timestamps.clone(), vec![(self.name.to_string(), self.values.clone())])
            .expect("a valid series is a valid frame")
    }

    /// What this series keeps alive, measured from its buffers.
    pub fn footprint(&self) -> Footprint {
        let mut set = BufferSet::new();
        set.insert(self.timestamps.inner());
        let holder_shared = Arc::strong_count(&self.values) > 1;
        for buffer in array_buffers(self.values.as_ref()) {
            set.insert_with(buffer, holder_shared);
        }
        set.footprint()
    }
}

impl PartialEq for TimeSeriesArray {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.timestamps == other.timestamps
            && self.values.to_data() == other.values.to_data()
    }
}

impl From<&TimeSeriesArray> for TimeFrame {
    fn from(series: &TimeSeriesArray) -> Self {
        series.to_frame()
    }
}
