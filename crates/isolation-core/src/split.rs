//! Split specs, resolved to row ranges by arithmetic on the timestamp index alone.

use std::fmt;
use std::ops::Range;

use serde::Serialize;
use timeseries_array::TimestampNs;

use crate::IsolationError;

/// Which part of a split a dataset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    /// The earlier rows, for fitting.
    Train,
    /// The later rows, for evaluation; never visible from train.
    Test,
    /// All rows (no split).
    Full,
}

impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Split::Train => "train",
            Split::Test => "test",
            Split::Full => "full",
        })
    }
}

/// How to cut a frame into train (earlier rows) and test (later rows).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SplitSpec {
    /// The first `floor(ratio * rows)` rows train, the rest test. The ratio lies in (0, 1).
    Ratio(f64),
    /// Test starts at the first row at or after this timestamp (nanoseconds); no exact match needed.
    Date(TimestampNs),
    /// Test starts at this row.
    Index(usize),
}

/// A resolved split: row ranges of the frame it was resolved against.
///
/// Train ends exactly where test begins: `train.end == test.start`, and both are non-empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitRanges {
    train: Range<usize>,
    test: Range<usize>,
}

impl SplitRanges {
    /// The rows of `split` (`Full` is both).
    pub fn range(&self, split: Split) -> Range<usize> {
        match split {
            Split::Train => self.train.clone(),
            Split::Test => self.test.clone(),
            Split::Full => self.train.start..self.test.end,
        }
    }

    /// The first test row, which is one past the last train row.
    pub fn boundary(&self) -> usize {
        self.test.start
    }
}

impl SplitSpec {
    /// The row ranges this spec gives on `timestamps` (sorted, as every frame's index is).
    ///
    /// # Errors
    ///
    /// A ratio outside (0, 1), a date or index outside the data, or a split that leaves a side empty.
    pub fn resolve(&self, timestamps: &[TimestampNs]) -> Result<SplitRanges, IsolationError> {
        let n_rows = timestamps.len();
        let boundary = match *self {
            SplitSpec::Ratio(ratio) => {
                if !(ratio > 0.0 && ratio < 1.0) {
                    return Err(IsolationError::InvalidRatio { ratio });
                }
                let boundary = (ratio * n_rows as f64).floor() as usize;
                if boundary == 0 || boundary == n_rows {
                    let side = if boundary == 0 { Split::Train } else { Split::Test };
                    return Err(IsolationError::EmptySplit { side, ratio, n_rows });
                }
                boundary
            }
            SplitSpec::Date(date) => {
                let boundary = timestamps.partition_point(|&t| t < date);
                if boundary == 0 || boundary == n_rows {
                    return Err(IsolationError::DateOutsideData {
                        date,
                        first: timestamps.first().copied().unwrap_or_default(),
                        last: timestamps.last().copied().unwrap_or_default(),
                    });
                }
                boundary
            }
            SplitSpec::Index(index) => {
                if index == 0 || index >= n_rows {
                    return Err(IsolationError::IndexOutsideData { index, n_rows });
                }
                index
            }
        };
        Ok(SplitRanges { train: 0..boundary, test: boundary..n_rows })
    }
}
