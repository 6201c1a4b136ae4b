//! Separate date and time columns joined into one timestamp, whatever their types: text, Arrow dates
//! (`Date32`, `Date64`), Arrow times (`Time32`, `Time64`), or integers written as `HHMM` / `HHMMSS`.

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Int32Type, Int64Type, Time32MillisecondType, Time32SecondType,
    Time64MicrosecondType, Time64NanosecondType, UInt32Type,
};
use arrow_schema::{DataType, TimeUnit};

const SECOND: i64 = 1_000_000_000;
const DAY: i64 = 86_400 * SECOND;

/// Why a date column and a time column cannot be joined, if they cannot: their types, checked before any
/// value is read.
pub(crate) fn check_types(date: &DataType, time: &DataType) -> Result<(), String> {
    let date_ok = is_text(date) || matches!(date, DataType::Date32 | DataType::Date64);
    let time_ok = is_text(time)
        || matches!(
            time,
            DataType::Time32(TimeUnit::Second | TimeUnit::Millisecond)
                | DataType::Time64(TimeUnit::Microsecond | TimeUnit::Nanosecond)
                | DataType::Int32
                | DataType::Int64
                | DataType::UInt32
        );
    if date_ok && time_ok {
        Ok(())
    } else {
        Err(format!(
            "the date column is {date} and the time column is {time}; a date must be text or an Arrow date, a \
             time text (`09:30:00`), an Arrow time or an integer `HHMM`/`HHMMSS`"
        ))
    }
}

/// True for the text types.
pub(crate) fn is_text(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Row `row` of a text array (any of the three string layouts).
pub(crate) fn text_at(array: &dyn Array, row: usize) -> &str {
    match array.data_type() {
        DataType::Utf8 => array.as_string::<i32>().value(row),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row),
        _ => array.as_string_view().value(row),
    }
}

/// Midnight UTC of row `row` of a date column, in nanoseconds; `None` for unreadable text or out of range.
pub(crate) fn date_nanos(array: &dyn Array, row: usize) -> Option<i64> {
    match array.data_type() {
        DataType::Date32 => i64::from(array.as_primitive::<Date32Type>().value(row)).checked_mul(DAY),
        DataType::Date64 => array.as_primitive::<Date64Type>().value(row).checked_mul(1_000_000),
        t if is_text(t) => {
            let parsed = timeseries_array::parse_iso(text_at(array, row).trim())?;
            parsed.date_only.then_some(parsed.nanos)
        }
        _ => None,
    }
}

/// Nanoseconds since midnight of row `row` of a time column; `None` for unreadable values or a time
/// outside one day.
pub(crate) fn time_nanos(array: &dyn Array, row: usize) -> Option<i64> {
    let nanos = match array.data_type() {
        DataType::Time32(TimeUnit::Second) => {
            i64::from(array.as_primitive::<Time32SecondType>().value(row)) * SECOND
        }
        DataType::Time32(TimeUnit::Millisecond) => {
            i64::from(array.as_primitive::<Time32MillisecondType>().value(row)) * 1_000_000
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            array.as_primitive::<Time64MicrosecondType>().value(row).checked_mul(1_000)?
        }
        DataType::Time64(TimeUnit::Nanosecond) => array.as_primitive::<Time64NanosecondType>().value(row),
        DataType::Int32 => clock(i64::from(array.as_primitive::<Int32Type>().value(row)))?,
        DataType::Int64 => clock(array.as_primitive::<Int64Type>().value(row))?,
        DataType::UInt32 => clock(i64::from(array.as_primitive::<UInt32Type>().value(row)))?,
        t if is_text(t) => text_time(text_at(array, row).trim())?,
        _ => return None,
    };
    (0..DAY).contains(&nanos).then_some(nanos)
}

/// Row `row` of a date or time column as the file wrote it, for error messages: text as it is, integers in
/// decimal, Arrow dates and times as their raw count and type (`2932896 (Date32)`); empty for a null.
pub(crate) fn cell_text(array: &dyn Array, row: usize) -> String {
    if array.is_null(row) {
        return String::new();
    }
    let raw = |value: i64| format!("{value} ({})", array.data_type());
    match array.data_type() {
        t if is_text(t) => text_at(array, row).to_string(),
        DataType::Int32 => array.as_primitive::<Int32Type>().value(row).to_string(),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row).to_string(),
        DataType::UInt32 => array.as_primitive::<UInt32Type>().value(row).to_string(),
        DataType::Date32 => raw(i64::from(array.as_primitive::<Date32Type>().value(row))),
        DataType::Date64 => raw(array.as_primitive::<Date64Type>().value(row)),
        DataType::Time32(TimeUnit::Second) => {
            raw(i64::from(array.as_primitive::<Time32SecondType>().value(row)))
        }
        DataType::Time32(TimeUnit::Millisecond) => {
            raw(i64::from(array.as_primitive::<Time32MillisecondType>().value(row)))
        }
        DataType::Time64(TimeUnit::Microsecond) => {
            raw(array.as_primitive::<Time64MicrosecondType>().value(row))
        }
        DataType::Time64(TimeUnit::Nanosecond) => {
            raw(array.as_primitive::<Time64NanosecondType>().value(row))
        }
        other => format!("row {row} ({other})"),
    }
}

/// An integer clock time: `HHMM` (up to 2359) or `HHMMSS`.
fn clock(value: i64) -> Option<i64> {
    let (h, m, s) = if (0..=2359).contains(&value) {
        (value / 100, value % 100, 0)
    } else if (0..=235_959).contains(&value) {
        (value / 10_000, value / 100 % 100, value % 100)
    } else {
        return None;
    };
    (h < 24 && m < 60 && s < 60).then(|| ((h * 60 + m) * 60 + s) * SECOND)
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fffffffff`.
fn text_time(text: &str) -> Option<i64> {
    let mut parts = text.splitn(3, ':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let (s, frac) = match parts.next() {
        None => (0, 0),
        Some(rest) => {
            let (whole, frac) = rest.split_once('.').unwrap_or((rest, ""));
            if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let frac_nanos = if frac.is_empty() { 0 } else { format!("{frac:0<9}").parse::<i64>().ok()? };
            (whole.parse::<i64>().ok()?, frac_nanos)
        }
    };
    (h < 24 && (0..60).contains(&m) && (0..60).contains(&s)).then(|| ((h * 60 + m) * 60 + s) * SECOND + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_times() {
        assert_eq!(clock(930), Some((9 * 60 + 30) * 60 * SECOND));
        assert_eq!(clock(93_015), Some(((9 * 60 + 30) * 60 + 15) * SECOND));
        assert_eq!(clock(2460), None);
        assert_eq!(clock(-1), None);
        assert_eq!(text_time("09:30:15.5"), Some(((9 * 60 + 30) * 60 + 15) * SECOND + 500_000_000));
        assert_eq!(text_time("25:00"), None);
        assert_eq!(text_time("9h30"), None);
    }

    #[test]
    fn cells_as_text() {
        use std::sync::Arc;
        let dates: arrow_array::ArrayRef =
            Arc::new(arrow_array::Date32Array::from(vec![Some(2_932_896), None]));
        assert_eq!(cell_text(dates.as_ref(), 0), "2932896 (Date32)");
        assert_eq!(cell_text(dates.as_ref(), 1), "");
        let text = arrow_array::StringArray::from(vec!["2024-13-01"]);
        assert_eq!(cell_text(&text, 0), "2024-13-01");
        assert_eq!(cell_text(&arrow_array::Int64Array::from(vec![2460]), 0), "2460");
    }

    #[test]
    fn type_pairs() {
        assert!(check_types(&DataType::Date32, &DataType::Time64(TimeUnit::Nanosecond)).is_ok());
        assert!(check_types(&DataType::Utf8, &DataType::Int64).is_ok());
        let error = check_types(&DataType::Float64, &DataType::Utf8).unwrap_err();
        assert!(error.starts_with("the date column is Float64 and the time column is Utf8"), "{error}");
    }
}
