//! `LastN`: a split whose test is the last rows or the last stretch of time of the data.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use timeseries_array::TimestampNs;

use crate::{FoldError, Length, SplitRanges, SplitSpec};

/// Test on the last `n` rows, or on the rows of the last duration, train on everything before.
///
/// In time the test holds the rows within the duration of the last timestamp: those with
/// `t > last - duration` (so `30d` on daily rows is exactly 30 rows). It resolves to the same
/// [`SplitRanges`] as [`SplitSpec::Index`] at the first test row.
///
/// ```
/// use isolation_core::{LastN, Length, Split};
///
/// let daily: Vec<i64> = (0..100).map(|d| d * 86_400_000_000_000).collect();
/// let ranges = LastN("30d".parse()?).resolve(&daily)?;
/// assert_eq!(ranges.range(Split::Test), 70..100);
/// assert_eq!(LastN(Length::Rows(10)).resolve(&daily)?.range(Split::Train), 0..90);
/// # Ok::<(), isolation_core::FoldError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct LastN(pub Length);

impl LastN {
    /// The first test row on `timestamps` (sorted).
    pub fn boundary(&self, timestamps: &[TimestampNs]) -> usize {
        let n_rows = timestamps.len();
        match self.0 {
            Length::Rows(n) => n_rows.saturating_sub(n),
            Length::Time(ns) => match timestamps.last() {
                Some(&last) => timestamps.partition_point(|&t| t <= last.saturating_sub(ns)),
                None => 0,
            },
        }
    }

    /// The train and test ranges on `timestamps`.
    ///
    /// # Errors
    ///
    /// A length that leaves train or test empty ([`crate::IsolationError::IndexOutsideData`]).
    pub fn resolve(&self, timestamps: &[TimestampNs]) -> Result<SplitRanges, FoldError> {
        SplitSpec::LastN(self.0).resolve(timestamps)
    }
}

impl FromStr for LastN {
    type Err = FoldError;

    /// Parses a [`Length`]: `250` (rows) or `30d`.
    fn from_str(text: &str) -> Result<Self, FoldError> {
        text.parse().map(LastN)
    }
}

impl fmt::Display for LastN {
    /// The length's text form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
