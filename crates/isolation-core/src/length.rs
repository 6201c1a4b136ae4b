//! `Length`: a span of data as a row count or a duration, parsed from `500`, `30d`, `1w`, `12h`, `500ms`.

use std::fmt;
use std::str::FromStr;

use serde::{Serialize, Serializer};
use timeseries_array::TimestampNs;

use crate::FoldError;

/// Nanoseconds per unit, largest first; [`Length`]'s `Display` picks the largest unit that divides exactly.
const UNITS: [(&str, i64); 8] = [
    ("w", 7 * DAY),
    ("d", DAY),
    ("h", 3_600 * SECOND),
    ("m", 60 * SECOND),
    ("s", SECOND),
    ("ms", 1_000_000),
    ("us", 1_000),
    ("ns", 1),
];
const SECOND: i64 = 1_000_000_000;
const DAY: i64 = 86_400 * SECOND;

/// A span of data: a number of rows, or a duration measured on the timestamp index.
///
/// Parsed from text as an integer and an optional unit (no spaces, no fractions):
///
/// | text            | meaning                                      |
/// |-----------------|----------------------------------------------|
/// | `500`, `500r`   | 500 rows (a bare integer is a row count)     |
/// | `2w`            | 2 weeks of 7 days                            |
/// | `30d`           | 30 days of 24 hours                          |
/// | `12h`, `15m`, `30s` | hours, minutes, seconds                  |
/// | `500ms`, `10us`, `7ns` | milliseconds, microseconds, nanoseconds |
///
/// Months and years are rejected: they have no fixed length, and a split must be the same arithmetic on every
/// symbol. Days are 24 hours of UTC time, not trading days; use rows to count bars.
///
/// ```
/// use isolation_core::Length;
///
/// assert_eq!("500".parse::<Length>()?, Length::Rows(500));
/// assert_eq!("1w".parse::<Length>()?, Length::Time(7 * 86_400 * 1_000_000_000));
/// assert_eq!("1w".parse::<Length>()?.to_string(), "1w");
/// assert_eq!(Length::Time(90 * 60 * 1_000_000_000).to_string(), "90m");
/// # Ok::<(), isolation_core::FoldError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Length {
    /// A number of rows (bars).
    Rows(usize),
    /// A duration in nanoseconds, never negative.
    Time(TimestampNs),
}

impl Default for Length {
    /// Zero rows.
    fn default() -> Self {
        Length::Rows(0)
    }
}

impl Length {
    /// A duration of `days` days of 24 hours.
    pub const fn days(days: i64) -> Self {
        Length::Time(days * DAY)
    }

    /// True for a zero row count or a zero duration.
    pub fn is_zero(&self) -> bool {
        matches!(self, Length::Rows(0) | Length::Time(0))
    }

    /// True for a duration.
    pub fn is_time(&self) -> bool {
        matches!(self, Length::Time(_))
    }

    /// The row count, if this is one.
    pub fn rows(&self) -> Option<usize> {
        match *self {
            Length::Rows(n) => Some(n),
            Length::Time(_) => None,
        }
    }

    /// The duration in nanoseconds, if this is one.
    pub fn nanos(&self) -> Option<TimestampNs> {
        match *self {
            Length::Time(ns) => Some(ns),
            Length::Rows(_) => None,
        }
    }

    /// Where a stretch of this length that ends just before row `row` starts: `row - n` for `n` rows, or the
    /// first row whose timestamp is at least `timestamps[row] - duration`. Never after `row`.
    pub fn start_before(&self, timestamps: &[TimestampNs], row: usize) -> usize {
        match *self {
            Length::Rows(n) => row.saturating_sub(n),
            Length::Time(ns) => match timestamps.get(row) {
                Some(&t) => timestamps[..row].partition_point(|&x| x < t.saturating_sub(ns)),
                None => row,
            },
        }
    }

    /// Where a stretch of this length that starts just after row `end - 1` ends (exclusive): `end + n` for
    /// `n` rows, or the first row whose timestamp is more than `timestamps[end - 1] + duration`. Never before
    /// `end`, never past the data.
    pub fn end_after(&self, timestamps: &[TimestampNs], end: usize) -> usize {
        let n_rows = timestamps.len();
        match *self {
            Length::Rows(n) => end.saturating_add(n).min(n_rows),
            Length::Time(ns) => match end.checked_sub(1).and_then(|last| timestamps.get(last)) {
                Some(&t) => end + timestamps[end..].partition_point(|&x| x <= t.saturating_add(ns)),
                None => end.min(n_rows),
            },
        }
    }
}

impl FromStr for Length {
    type Err = FoldError;

    fn from_str(text: &str) -> Result<Self, FoldError> {
        let invalid =
            |reason: &str| FoldError::InvalidLength { text: text.to_string(), reason: reason.into() };
        let digits = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
        let (number, unit) = text.split_at(digits);
        if number.is_empty() {
            return Err(invalid("it does not start with a whole number"));
        }
        if unit.starts_with(['.', ',']) {
            return Err(invalid("fractions are not supported; use a smaller unit, e.g. 90m for 1.5h"));
        }
        if unit.is_empty() || unit == "r" {
            let rows = number.parse::<usize>().map_err(|_| invalid("the row count is too large"))?;
            return Ok(Length::Rows(rows));
        }
        let Some(&(_, unit_ns)) = UNITS.iter().find(|(name, _)| *name == unit) else {
            let reason = match unit {
                "M" | "mo" | "y" | "Y" => {
                    "months and years have no fixed length; use days, e.g. 30d or 365d".to_string()
                }
                _ => format!("unknown unit `{unit}`; expected one of r, w, d, h, m, s, ms, us, ns"),
            };
            return Err(invalid(&reason));
        };
        number
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_mul(unit_ns))
            .map(Length::Time)
            .ok_or_else(|| invalid("the duration overflows 64-bit nanoseconds"))
    }
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Length::Rows(n) => write!(f, "{n}"),
            Length::Time(0) => f.write_str("0s"),
            Length::Time(ns) => {
                let (name, unit_ns) =
                    UNITS.iter().find(|(_, unit_ns)| ns % unit_ns == 0).unwrap_or(&UNITS[7]);
                write!(f, "{}{name}", ns / unit_ns)
            }
        }
    }
}

impl Serialize for Length {
    /// As its text form (`"30d"`, `"500"`), which parses back to the same length.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}
