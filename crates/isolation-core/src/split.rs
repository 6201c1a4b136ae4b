//! Split specs, resolved to row ranges by arithmetic on the timestamp index alone.

use std::fmt;
use std::ops::Range;

use serde::Serialize;
use timeseries_array::{TimestampNs, format_timestamp};

use crate::{Calendar, IsolationError};

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
    /// The first `floor(ratio * n)` of the `n` distinct instants of all symbols train, the rest test (for
    /// one symbol: its first `floor(ratio * rows)` rows). The ratio lies in (0, 1).
    Ratio(f64),
    /// Test starts at the first row at or after this timestamp (nanoseconds); no exact match needed.
    Date(TimestampNs),
    /// Test starts at this position of the distinct instants of all symbols (for one symbol: this row).
    Index(usize),
    /// Test is the last `n` distinct instants of all symbols (for one symbol: its last `n` rows), or the
    /// instants within a duration of the last one (`t > last - duration`, so `30d` of daily bars is 30
    /// bars); see [`crate::LastN`].
    LastN(crate::Length),
}

/// A resolved split: row ranges of the frame it was resolved against.
///
/// Train ends exactly where test begins: `train.end == test.start`. Either side may be empty for a symbol
/// whose data lies wholly on one side of a cut shared with other symbols (a symbol listed after the cut has
/// no train rows); a spec resolved on one symbol alone ([`SplitSpec::resolve`]) leaves test non-empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitRanges {
    train: Range<usize>,
    test: Range<usize>,
}

impl SplitRanges {
    /// Train `0..boundary`, test `boundary..n_rows`.
    ///
    /// # Errors
    ///
    /// [`IsolationError::InvalidArgument`] if `boundary > n_rows`.
    pub fn at_boundary(boundary: usize, n_rows: usize) -> Result<Self, IsolationError> {
        if boundary > n_rows {
            let reason = format!("must be at most the {n_rows} rows, not {boundary}");
            return Err(IsolationError::InvalidArgument { argument: "boundary", reason });
        }
        Ok(Self { train: 0..boundary, test: boundary..n_rows })
    }

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

    /// The side left without rows, if any (train first).
    pub fn empty_side(&self) -> Option<Split> {
        if self.train.is_empty() {
            Some(Split::Train)
        } else if self.test.is_empty() {
            Some(Split::Test)
        } else {
            None
        }
    }
}

/// Where a split cuts every symbol at once: test is every row at or after `instant`, train every row before.
///
/// One instant for all symbols is what keeps a cross-sectional study free of look-ahead: every test
/// timestamp of every symbol is later than every train timestamp of every symbol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SplitCut {
    /// The first test instant, nanoseconds UTC.
    pub instant: TimestampNs,
    /// Distinct instants (over all symbols) before the cut.
    pub train_instants: usize,
    /// Distinct instants at or after the cut.
    pub test_instants: usize,
}

impl SplitCut {
    /// The rows of one symbol's sorted `timestamps` on each side of the cut.
    pub fn ranges(&self, timestamps: &[TimestampNs]) -> SplitRanges {
        let boundary = timestamps.partition_point(|&t| t < self.instant);
        SplitRanges { train: 0..boundary, test: boundary..timestamps.len() }
    }
}

impl fmt::Display for SplitCut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "test from {} ({} instants train, {} test)",
            format_timestamp(self.instant),
            self.train_instants,
            self.test_instants
        )
    }
}

impl SplitSpec {
    /// The one instant where this spec cuts all of `symbols` (each a sorted timestamp index).
    ///
    /// Positions count the distinct instants of all symbols together ([`Calendar`]): a ratio of 0.7 puts
    /// the cut at the instant 70% of the way through the union of every symbol's timestamps, and
    /// [`SplitSpec::Index`] counts positions on that union. With one symbol these are its rows.
    ///
    /// # Errors
    ///
    /// A ratio outside (0, 1), a ratio or index that leaves train or test without any instant, or a date
    /// before the first or after the last timestamp of all symbols. A date equal to the first timestamp is
    /// valid: train is empty.
    pub fn cut(&self, symbols: &[&[TimestampNs]]) -> Result<SplitCut, IsolationError> {
        let calendar = Calendar::union(symbols);
        let n = calendar.len();
        let position = match *self {
            SplitSpec::Ratio(ratio) => {
                if !(ratio > 0.0 && ratio < 1.0) {
                    return Err(IsolationError::InvalidRatio { ratio });
                }
                let position = (ratio * n as f64).floor() as usize;
                if position == 0 || position == n {
                    let side = if position == 0 { Split::Train } else { Split::Test };
                    return Err(IsolationError::EmptySplit { side, ratio, n_rows: n });
                }
                position
            }
            SplitSpec::Date(date) => {
                let instants = calendar.instants();
                match (instants.first(), instants.last()) {
                    (Some(&first), Some(&last)) if first <= date && date <= last => {
                        instants.partition_point(|&t| t < date)
                    }
                    _ => {
                        return Err(IsolationError::DateOutsideData {
                            date,
                            first: instants.first().copied().unwrap_or_default(),
                            last: instants.last().copied().unwrap_or_default(),
                        });
                    }
                }
            }
            SplitSpec::Index(index) => {
                if index == 0 || index >= n {
                    return Err(IsolationError::IndexOutsideData { index, n_rows: n });
                }
                index
            }
            SplitSpec::LastN(length) => {
                let index = crate::LastN(length).boundary(calendar.instants());
                if index == 0 || index >= n {
                    let side = if index == 0 { Split::Train } else { Split::Test };
                    return Err(IsolationError::LastOutsideData {
                        last: length.to_string(),
                        n_instants: n,
                        side,
                    });
                }
                index
            }
        };
        let instant = match *self {
            // A date between two bars cuts at the date itself: the same rows, and the instant the user gave.
            SplitSpec::Date(date) => date,
            _ => calendar.instant(position).expect("position < n checked above"),
        };
        Ok(SplitCut { instant, train_instants: position, test_instants: n - position })
    }

    /// The row ranges this spec gives on one symbol's `timestamps` (sorted, as every frame's index is).
    ///
    /// # Errors
    ///
    /// As [`SplitSpec::cut`] on this one symbol.
    pub fn resolve(&self, timestamps: &[TimestampNs]) -> Result<SplitRanges, IsolationError> {
        Ok(self.cut(&[timestamps])?.ranges(timestamps))
    }
}
