//! Turning a file's timestamp column (text, epoch numbers or a native Arrow type) into i64 nanoseconds UTC.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::{DataType, TimeUnit};
use chrono::format::ParseErrorKind;
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use timeseries_array::{IndexLabel, TimeFrame};

use crate::error::{LoadError, Location};
use crate::{EpochUnit, TimestampFormat, TimestampLayout, date_time};

/// Reads timestamp cells batch by batch, remembering what the first rows looked like so that the whole
/// column follows one convention.
pub(crate) struct TimestampReader {
    file: String,
    column: String,
    format: TimestampFormat,
    /// Epoch unit, once known, and whether it was detected.
    epoch: Option<(EpochUnit, bool)>,
    /// Whether ISO values carry a zone, once the first one is seen.
    zoned: Option<bool>,
    /// Every ISO value so far was a date only.
    all_dates: bool,
    /// The native Arrow type, if the column had one.
    native: Option<String>,
    /// The zone of a native timestamp column (`None` for a naive one or a date).
    native_zone: Option<Arc<str>>,
    /// Separate date and time columns.
    date_time: Option<(String, String)>,
}

impl TimestampReader {
    pub(crate) fn new(file: &str, column: &str, format: &TimestampFormat) -> Self {
        let epoch = match format {
            TimestampFormat::Epoch(unit) => Some((*unit, false)),
            _ => None,
        };
        Self {
            file: file.to_string(),
            column: timeseries_array::printable(column).into_owned(),
            format: format.clone(),
            epoch,
            zoned: None,
            all_dates: true,
            native: None,
            native_zone: None,
            date_time: None,
        }
    }

    /// Reads timestamps as a date column and a time column joined with a `T`.
    pub(crate) fn with_date_time(mut self, date: &str, time: &str) -> Self {
        self.column = timeseries_array::printable(&format!("{date}+{time}")).into_owned();
        self.date_time = Some((date.to_string(), time.to_string()));
        self
    }

    /// How the timestamps were written, as far as the rows read so far show.
    pub(crate) fn layout(&self) -> TimestampLayout {
        if let Some((date, time)) = &self.date_time {
            return TimestampLayout::DateAndTime { date: date.clone(), time: time.clone() };
        }
        if let Some(data_type) = &self.native {
            return TimestampLayout::Native { data_type: data_type.clone() };
        }
        if let TimestampFormat::Format(format) = &self.format {
            return TimestampLayout::Format { format: format.clone() };
        }
        match (self.epoch, self.zoned) {
            (Some((unit, detected)), _) => TimestampLayout::Epoch { unit, detected },
            (None, _) if self.all_dates => TimestampLayout::Date,
            (None, zoned) => TimestampLayout::Iso { zoned: zoned.unwrap_or(false) },
        }
    }

    /// The index's zone as the file wrote it: a native timestamp column's own zone (or none); UTC for
    /// epoch numbers and for text with offsets (converted to UTC); none (naive) for dates and for text
    /// without a zone, which a pandas user reading the file would get as naive timestamps too.
    pub(crate) fn zone(&self) -> Option<Arc<str>> {
        let utc = || Some(Arc::from("UTC"));
        if self.native.is_some() {
            return self.native_zone.clone();
        }
        if let TimestampFormat::Format(format) = &self.format {
            return if format.contains("%z") || format.contains("%:z") { utc() } else { None };
        }
        match (self.epoch, self.zoned) {
            (Some(_), _) | (None, Some(true)) => utc(),
            _ => None,
        }
    }

    /// `frame` with its index labelled as the file had it: named after the file's time column (the name
    /// exactly as written, case included; an empty header is an unnamed index) and in the file's zone ([`TimestampReader::zone`]).
    pub(crate) fn label_index(&self, frame: TimeFrame, column: &str) -> TimeFrame {
        // An empty header is how pandas writes an unnamed index (and reads it back as unnamed).
        let name = (!column.is_empty()).then(|| column.to_string());
        let label = IndexLabel { name, unit: TimeUnit::Nanosecond, freq: None };
        frame.with_index_zone(self.zone()).with_index_label(&label)
    }

    /// Appends the nanosecond timestamps of `array` (and `time`, for separate date and time columns) to
    /// `out`. `locate` maps a row of `array` to its place in the file.
    pub(crate) fn push(
        &mut self,
        array: &dyn Array,
        time: Option<&dyn Array>,
        locate: &dyn Fn(usize) -> Location,
        out: &mut Vec<i64>,
    ) -> Result<(), LoadError> {
        if let Some(row) = (0..array.len()).find(|&i| array.is_null(i) || time.is_some_and(|t| t.is_null(i)))
        {
            return Err(LoadError::MissingTimestamp {
                file: self.file.clone(),
                location: locate(row),
                column: self.column.clone(),
            });
        }
        if let Some(time) = time {
            return self.date_and_time(array, time, locate, out);
        }
        let native = |scale: i64| Some((scale, true));
        let (scale, is_native) = match array.data_type() {
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
                return self.strings(array, locate, out);
            }
            DataType::Timestamp(TimeUnit::Second, _) => native(1_000_000_000),
            DataType::Timestamp(TimeUnit::Millisecond, _) => native(1_000_000),
            DataType::Timestamp(TimeUnit::Microsecond, _) => native(1_000),
            DataType::Timestamp(TimeUnit::Nanosecond, _) => native(1),
            DataType::Date32 => native(86_400_000_000_000),
            DataType::Date64 => native(1_000_000),
            DataType::Int64 | DataType::Int32 | DataType::UInt32 | DataType::UInt64 => None,
            other => {
                return Err(self.unparseable(locate(0), other.to_string(), "a timestamp column type"));
            }
        }
        .map_or((0, false), |x| x);
        if is_native {
            self.native = Some(array.data_type().to_string());
            self.native_zone = match array.data_type() {
                DataType::Timestamp(_, zone) => zone.clone(),
                _ => None,
            };
        }
        let values = integers(array);
        for (row, value) in values.enumerate() {
            let scale = if is_native { scale } else { self.epoch_scale(value) };
            let nanos = value.and_then(|v| v.checked_mul(scale));
            match nanos {
                Some(nanos) => out.push(nanos),
                None => {
                    let text = value.map_or_else(|| "out of range".to_string(), |v| v.to_string());
                    return Err(self.unparseable(locate(row), text, "a timestamp in range"));
                }
            }
        }
        Ok(())
    }

    fn epoch_scale(&mut self, value: Option<i64>) -> i64 {
        let (unit, _) = *self.epoch.get_or_insert_with(|| (EpochUnit::detect(value.unwrap_or(0)), true));
        unit.nanos()
    }

    fn strings(
        &mut self,
        array: &dyn Array,
        locate: &dyn Fn(usize) -> Location,
        out: &mut Vec<i64>,
    ) -> Result<(), LoadError> {
        for row in 0..array.len() {
            let nanos = self.text(date_time::text_at(array, row), &|| locate(row))?;
            out.push(nanos);
        }
        Ok(())
    }

    /// A date column and a time column joined: as text when both are text (so zones and formats apply),
    /// else the date's midnight plus the time of day. The types were checked when the columns were chosen;
    /// a pair that slips through is an error here, never a panic.
    fn date_and_time(
        &mut self,
        dates: &dyn Array,
        times: &dyn Array,
        locate: &dyn Fn(usize) -> Location,
        out: &mut Vec<i64>,
    ) -> Result<(), LoadError> {
        if let Err(reason) = date_time::check_types(dates.data_type(), times.data_type()) {
            return Err(self.unparseable(locate(0), reason, "a date and a time column"));
        }
        if date_time::is_text(dates.data_type()) && date_time::is_text(times.data_type()) {
            let mut joined = String::new();
            for row in 0..dates.len() {
                joined.clear();
                joined.push_str(date_time::text_at(dates, row).trim());
                joined.push('T');
                joined.push_str(date_time::text_at(times, row).trim());
                let nanos = self.text(&joined, &|| locate(row))?;
                out.push(nanos);
            }
            return Ok(());
        }
        self.native = Some(format!("{} + {}", dates.data_type(), times.data_type()));
        for row in 0..dates.len() {
            let date = date_time::date_nanos(dates, row)
                .ok_or_else(|| self.unparseable(locate(row), date_time::cell_text(dates, row), "a date"))?;
            let time = date_time::time_nanos(times, row).ok_or_else(|| {
                self.unparseable(
                    locate(row),
                    date_time::cell_text(times, row),
                    "a time of day (HH:MM[:SS], HHMM)",
                )
            })?;
            let nanos = date.checked_add(time).ok_or_else(|| {
                self.unparseable(
                    locate(row),
                    date_time::cell_text(dates, row),
                    "a date in the nanosecond range",
                )
            })?;
            out.push(nanos);
        }
        Ok(())
    }

    /// One timestamp written as text.
    fn text(&mut self, text: &str, locate: &dyn Fn() -> Location) -> Result<i64, LoadError> {
        let text = text.trim();
        if let TimestampFormat::Format(format) = &self.format {
            return with_format(text, format).ok_or_else(|| {
                self.unparseable(locate(), text.to_string(), &format!("a timestamp `{format}`"))
            });
        }
        let is_integer = !text.is_empty()
            && text.bytes().enumerate().all(|(i, b)| b.is_ascii_digit() || (i == 0 && b == b'-'));
        let epoch_mode = self.epoch.is_some() || (self.zoned.is_none() && is_integer);
        if epoch_mode {
            let value = text.parse::<i64>().ok();
            let scale = self.epoch_scale(value);
            return value
                .and_then(|v| v.checked_mul(scale))
                .ok_or_else(|| self.unparseable(locate(), text.to_string(), "an epoch number"));
        }
        let Some(parsed) = timeseries_array::parse_iso(text) else {
            return Err(self.unparseable(locate(), text.to_string(), "an ISO 8601 date-time"));
        };
        let earlier = *self.zoned.get_or_insert(parsed.zoned);
        if earlier != parsed.zoned && !parsed.date_only {
            return Err(LoadError::MixedTimezones {
                file: self.file.clone(),
                location: locate(),
                column: self.column.clone(),
                value: text.to_string(),
                found: if parsed.zoned { "has a" } else { "has no" },
                earlier: if earlier { "had one" } else { "had none" },
            });
        }
        self.all_dates &= parsed.date_only;
        Ok(parsed.nanos)
    }

    fn unparseable(&self, location: Location, value: String, expected: &str) -> LoadError {
        LoadError::Unparseable {
            file: self.file.clone(),
            location,
            column: self.column.clone(),
            value: timeseries_array::printable(&value.chars().take(40).collect::<String>()).into_owned(),
            expected: expected.to_string(),
        }
    }
}

/// Parses with a chrono format string; an offset (`%z`) is applied, otherwise the time is UTC.
fn with_format(text: &str, format: &str) -> Option<i64> {
    if format.contains("%z") || format.contains("%:z") || format.contains("%#z") {
        return DateTime::parse_from_str(text, format).ok()?.timestamp_nanos_opt();
    }
    let naive = match NaiveDateTime::parse_from_str(text, format) {
        Ok(naive) => naive,
        Err(e) if e.kind() == ParseErrorKind::NotEnough => {
            NaiveDate::parse_from_str(text, format).ok()?.and_hms_opt(0, 0, 0)?
        }
        Err(_) => return None,
    };
    naive.and_utc().timestamp_nanos_opt()
}

/// The values of an integer, timestamp or date array as `i64` (`None` for a `u64` above `i64::MAX`).
fn integers(array: &dyn Array) -> Box<dyn Iterator<Item = Option<i64>> + '_> {
    fn prim<T: ArrowPrimitiveType>(array: &dyn Array) -> impl Iterator<Item = T::Native> + '_ {
        array.as_primitive::<T>().values().iter().copied()
    }
    match array.data_type() {
        DataType::Timestamp(TimeUnit::Second, _) => Box::new(prim::<TimestampSecondType>(array).map(Some)),
        DataType::Timestamp(TimeUnit::Millisecond, _) => {
            Box::new(prim::<TimestampMillisecondType>(array).map(Some))
        }
        DataType::Timestamp(TimeUnit::Microsecond, _) => {
            Box::new(prim::<TimestampMicrosecondType>(array).map(Some))
        }
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            Box::new(prim::<TimestampNanosecondType>(array).map(Some))
        }
        DataType::Date32 => Box::new(prim::<Date32Type>(array).map(|d| Some(i64::from(d)))),
        DataType::Date64 => Box::new(prim::<Date64Type>(array).map(Some)),
        DataType::Int32 => Box::new(prim::<Int32Type>(array).map(|v| Some(i64::from(v)))),
        DataType::UInt32 => Box::new(prim::<UInt32Type>(array).map(|v| Some(i64::from(v)))),
        DataType::UInt64 => Box::new(prim::<UInt64Type>(array).map(|v| i64::try_from(v).ok())),
        _ => Box::new(prim::<Int64Type>(array).map(Some)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_strings() {
        let at = |t, f| with_format(t, f).map(timeseries_array::format_timestamp);
        assert_eq!(at("01/03/2024 09:30", "%d/%m/%Y %H:%M").as_deref(), Some("2024-03-01T09:30:00Z"));
        assert_eq!(at("01/03/2024", "%d/%m/%Y").as_deref(), Some("2024-03-01T00:00:00Z"));
        assert_eq!(
            at("2024-03-01 09:30 +0100", "%Y-%m-%d %H:%M %z").as_deref(),
            Some("2024-03-01T08:30:00Z")
        );
        assert_eq!(at("nope", "%d/%m/%Y"), None);
    }

    #[test]
    fn epoch_units_by_magnitude() {
        assert_eq!(EpochUnit::detect(1_700_000_000), EpochUnit::Seconds);
        assert_eq!(EpochUnit::detect(1_700_000_000_000), EpochUnit::Milliseconds);
        assert_eq!(EpochUnit::detect(1_700_000_000_000_000), EpochUnit::Microseconds);
        assert_eq!(EpochUnit::detect(1_700_000_000_000_000_000), EpochUnit::Nanoseconds);
    }
}
