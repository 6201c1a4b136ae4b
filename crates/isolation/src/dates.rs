//! Instants for split dates: ISO 8601 text, `chrono` values or nanoseconds, turned into [`TimestampNs`].

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone};
use isolation_core::IsolationError;
use timeseries_array::TimestampNs;

/// Something that names an instant: ISO 8601 text (`"2010-01-01"`, `"2010-01-01T09:30:00Z"`, a time without
/// a zone is UTC), a `chrono` date-time in any zone, a `NaiveDate` (midnight UTC), a `NaiveDateTime` (UTC), or
/// nanoseconds since the epoch.
///
/// ```
/// use isolation::{SplitSpec, timestamp};
///
/// let by_text = SplitSpec::Date(timestamp("2010-01-01")?);
/// let by_chrono = SplitSpec::Date(timestamp(chrono::NaiveDate::from_ymd_opt(2010, 1, 1).unwrap())?);
/// assert_eq!(by_text, by_chrono);
/// assert_eq!(by_text, SplitSpec::Date(1_262_304_000_000_000_000));
/// assert!(timestamp("next tuesday").is_err());
/// # Ok::<(), isolation::IsolationError>(())
/// ```
pub trait IntoTimestamp {
    /// Nanoseconds since the epoch, UTC.
    ///
    /// # Errors
    ///
    /// [`IsolationError::InvalidDate`] for text that is not ISO 8601 or an instant outside the nanosecond
    /// range (years 1677 to 2262).
    fn into_timestamp(self) -> Result<TimestampNs, IsolationError>;
}

/// The instant `at` names, in nanoseconds since the epoch, UTC: see [`IntoTimestamp`].
///
/// # Errors
///
/// As [`IntoTimestamp::into_timestamp`].
pub fn timestamp(at: impl IntoTimestamp) -> Result<TimestampNs, IsolationError> {
    at.into_timestamp()
}

impl IntoTimestamp for &str {
    fn into_timestamp(self) -> Result<TimestampNs, IsolationError> {
        timeseries_array::parse_timestamp(self)
            .ok_or_else(|| IsolationError::InvalidDate { text: self.to_string() })
    }
}

impl IntoTimestamp for &String {
    fn into_timestamp(self) -> Result<TimestampNs, IsolationError> {
        self.as_str().into_timestamp()
    }
}

impl IntoTimestamp for TimestampNs {
    fn into_timestamp(self) -> Result<TimestampNs, IsolationError> {
        Ok(self)
    }
}

impl<Tz: TimeZone> IntoTimestamp for DateTime<Tz> {
    fn into_timestamp(self) -> Result<TimestampNs, IsolationError> {
        self.timestamp_nanos_opt()
            .ok_or_else(|| IsolationError::InvalidDate { text: self.naive_utc().to_string() })
    }
}

impl IntoTimestamp for NaiveDateTime {
    fn into_timestamp(self) -> Result<TimestampNs, IsolationError> {
        self.and_utc().into_timestamp()
    }
}

impl IntoTimestamp for NaiveDate {
    fn into_timestamp(self) -> Result<TimestampNs, IsolationError> {
        self.and_time(chrono::NaiveTime::MIN).into_timestamp()
    }
}
