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

mod cause;
#[macro_use]
mod dtype;
mod error;
mod fingerprint;
mod foreign;
mod frame;
mod index;
mod iso;
pub mod optimize;
mod series;
mod units;

pub use arrow_schema::TimeUnit;
pub use cause::Cause;
pub use dtype::{NativeValue, ValueType, value_f64, values_buffer};
pub use error::FrameError;
pub use frame::{TIMESTAMP_COLUMN, TimeFrame, find_column};
pub use index::{INDEX_METADATA_KEY, IndexLabel, unit_text};
pub use iso::{IsoDateTime, ParsedTimestamp, parse_iso, parse_iso_datetime};
pub use series::TimeSeriesArray;
pub use units::{OutOfNanosecondRange, datetime_values_in_nanoseconds, timestamps_in_nanoseconds};

/// A point in time: nanoseconds since the Unix epoch, UTC.
pub type TimestampNs = i64;

/// `text` with control characters escaped (`\u{1b}`, `\n`), for error messages that quote names and values
/// from files: a hostile header or file name cannot move the cursor, clear the screen or forge a line.
///
/// ```
/// assert_eq!(timeseries_array::printable("close"), "close");
/// assert_eq!(timeseries_array::printable("a\x1b[2Jb\nc"), "a\\u{1b}[2Jb\\nc");
/// ```
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `error`'s message and the messages of its sources, outermost first, joined by `": "` (as anyhow's `{:#}`
/// prints a chain), with control characters escaped ([`printable`]). Every error type of the workspace
/// says what failed at its own level and leaves its cause to the chain, so this text says each thing once;
/// the CLI prints it and the Python package raises it.
///
/// ```
/// use timeseries_array::{Cause, FrameError, error_chain};
///
/// let error = FrameError::Arrow(Cause::new(std::io::Error::other("out of\nmemory")));
/// assert_eq!(error.to_string(), "Arrow could not assemble the batch");
/// assert_eq!(error_chain(&error), "Arrow could not assemble the batch: out of\\nmemory");
/// ```
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = printable(&error.to_string()).into_owned();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&printable(&cause.to_string()));
        source = cause.source();
    }
    text
}

/// Parses an ISO 8601 date or date-time (`2024-03-01`, `2024-03-01T09:30:00Z`, `2024-03-01 09:30+02:00`) to
/// nanoseconds since the epoch, UTC (a time without a zone is taken as UTC); `None` if the text is not one.
///
/// ```
/// assert_eq!(timeseries_array::parse_timestamp("1970-01-02"), Some(86_400_000_000_000));
/// assert_eq!(timeseries_array::parse_timestamp("yesterday"), None);
/// ```
pub fn parse_timestamp(text: &str) -> Option<TimestampNs> {
    parse_iso(text).map(|parsed| parsed.nanos)
}

/// Formats nanoseconds since the epoch as an ISO 8601 UTC date-time: `2024-03-01T09:30:00Z`, with a fraction
/// of a second only when it is not zero (`...:00.250Z`).
///
/// ```
/// assert_eq!(timeseries_array::format_timestamp(0), "1970-01-01T00:00:00Z");
/// assert_eq!(timeseries_array::format_timestamp(1_709_285_400_250_000_000), "2024-03-01T09:30:00.250Z");
/// ```
pub fn format_timestamp(timestamp: TimestampNs) -> String {
    let secs = timestamp.div_euclid(1_000_000_000);
    let nanos = timestamp.rem_euclid(1_000_000_000);
    let (days, secs_of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    let (h, m, s) = (secs_of_day / 3600, secs_of_day % 3600 / 60, secs_of_day % 60);
    let mut out = format!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}");
    if nanos != 0 {
        let fraction = format!("{nanos:09}");
        let trimmed = fraction.trim_end_matches('0');
        // Keep milliseconds, microseconds or nanoseconds: whole groups of three digits.
        let digits = trimmed.len().div_ceil(3) * 3;
        out.push('.');
        out.push_str(&fraction[..digits]);
    }
    out.push('Z');
    out
}

/// Year, month, day of a count of days since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
