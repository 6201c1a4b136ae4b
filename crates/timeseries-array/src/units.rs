//! Timestamps of any Arrow unit in nanoseconds, the index's unit: the one conversion that attaching a
//! foreign segment and loading Arrow data from Python share; and date or timestamp value columns as `i64`
//! nanoseconds, the one conversion the file loaders and Python share.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, Int64Array, TimestampNanosecondArray};
use arrow_schema::{DataType, TimeUnit};

/// A date or timestamp outside the nanosecond range (years 1677 to 2262), which an `i64` of nanoseconds
/// cannot hold: kept as an error, never turned into a null.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}: {value} ({data_type}) is outside the nanosecond range (years 1677 to 2262)")]
pub struct OutOfNanosecondRange {
    /// The row, from 0.
    pub row: usize,
    /// The value as stored, in its own unit.
    pub value: i64,
    /// The column's Arrow type (`Date32`, `Timestamp(Millisecond, None)`, ...).
    pub data_type: String,
}

/// A date or timestamp column that is not the index (a label end `t1`, an expiry) as `i64` nanoseconds
/// since the epoch, nulls kept, as frames hold such columns: `Timestamp` of any unit, `Date32` (days) and
/// `Date64` (milliseconds). `None` for other types.
///
/// # Errors
///
/// The first value outside the nanosecond range, by row (`9999-12-31` is a valid date and a valid
/// microsecond timestamp, but no nanosecond one).
pub fn datetime_values_in_nanoseconds(array: &dyn Array) -> Option<Result<Int64Array, OutOfNanosecondRange>> {
    let scaled = |factor: i64, values: &[i64]| {
        let mut nanos = Vec::with_capacity(values.len());
        for (row, &value) in values.iter().enumerate() {
            if array.is_null(row) {
                nanos.push(0);
                continue;
            }
            let data_type = array.data_type().to_string();
            nanos.push(value.checked_mul(factor).ok_or(OutOfNanosecondRange { row, value, data_type })?);
        }
        Ok(Int64Array::new(nanos.into(), array.nulls().cloned()))
    };
    Some(match array.data_type() {
        DataType::Timestamp(unit, _) => timestamps_in_nanoseconds(array, *unit)
            .map(|ns| Int64Array::new(ns.values().clone(), ns.nulls().cloned()))
            .map_err(|(row, value)| OutOfNanosecondRange {
                row,
                value,
                data_type: array.data_type().to_string(),
            }),
        DataType::Date32 => {
            let days: Vec<i64> =
                array.as_primitive::<Date32Type>().values().iter().map(|&d| i64::from(d)).collect();
            scaled(86_400_000_000_000, &days)
        }
        DataType::Date64 => scaled(1_000_000, array.as_primitive::<Date64Type>().values()),
        _ => return None,
    })
}

/// `array` (a timestamp array in `unit`) in nanoseconds, nulls kept, no time zone set (the caller keeps
/// the field's). `Err((row, value))` names the first value outside the nanosecond range (years 1677 to
/// 2262).
///
/// # Panics
///
/// If `array` is not a timestamp array of `unit`.
pub fn timestamps_in_nanoseconds(
    array: &dyn Array,
    unit: TimeUnit,
) -> Result<TimestampNanosecondArray, (usize, i64)> {
    let factor = nanoseconds_per(unit);
    let values: &[i64] = match unit {
        TimeUnit::Second => array.as_primitive::<TimestampSecondType>().values(),
        TimeUnit::Millisecond => array.as_primitive::<TimestampMillisecondType>().values(),
        TimeUnit::Microsecond => array.as_primitive::<TimestampMicrosecondType>().values(),
        TimeUnit::Nanosecond => array.as_primitive::<TimestampNanosecondType>().values(),
    };
    // One values buffer of exactly the rows, and the input's validity bits shared: a null slot's value is
    // whatever was there, so it is written as 0 rather than scaled (it could overflow).
    let mut nanos = Vec::with_capacity(values.len());
    for (row, &v) in values.iter().enumerate() {
        if array.is_null(row) {
            nanos.push(0);
        } else {
            nanos.push(v.checked_mul(factor).ok_or((row, v))?);
        }
    }
    Ok(TimestampNanosecondArray::new(nanos.into(), array.nulls().cloned()))
}

/// Nanoseconds in one `unit`.
pub(crate) fn nanoseconds_per(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_values_are_exact_or_an_error_never_null() {
        use arrow_array::{Date32Array, Date64Array, TimestampMicrosecondArray};
        let day = 86_400_000_000_000_i64;
        let dates = Date32Array::from(vec![Some(1), None, Some(-2)]);
        let got = datetime_values_in_nanoseconds(&dates).unwrap().unwrap();
        assert_eq!(got, Int64Array::from(vec![Some(day), None, Some(-2 * day)]));
        // 9999-12-31: a valid date, no nanosecond timestamp.
        let far = Date32Array::from(vec![Some(0), Some(2_932_896)]);
        let err = datetime_values_in_nanoseconds(&far).unwrap().unwrap_err();
        assert_eq!((err.row, err.value), (1, 2_932_896));
        assert_eq!(
            err.to_string(),
            "row 1: 2932896 (Date32) is outside the nanosecond range (years 1677 to 2262)"
        );
        let far_ms = Date64Array::from(vec![253_402_214_400_000]);
        assert_eq!(datetime_values_in_nanoseconds(&far_ms).unwrap().unwrap_err().row, 0);
        // 2262-04-12 in microseconds: just past i64 nanoseconds.
        let us = TimestampMicrosecondArray::from(vec![Some(1_000), Some(9_223_372_800_000_000)]);
        let err = datetime_values_in_nanoseconds(&us).unwrap().unwrap_err();
        assert_eq!((err.row, err.data_type.as_str()), (1, "Timestamp(µs)"));
        assert!(datetime_values_in_nanoseconds(&Int64Array::from(vec![1])).is_none());
    }
    use arrow_array::TimestampMillisecondArray;

    #[test]
    fn scales_keeps_nulls_and_names_the_first_value_out_of_range() {
        let ms = TimestampMillisecondArray::from(vec![Some(1), None, Some(2)]);
        let ns = timestamps_in_nanoseconds(&ms, TimeUnit::Millisecond).unwrap();
        assert_eq!(ns.iter().collect::<Vec<_>>(), [Some(1_000_000), None, Some(2_000_000)]);
        let far = TimestampMillisecondArray::from(vec![0, i64::MAX / 10]);
        assert_eq!(timestamps_in_nanoseconds(&far, TimeUnit::Millisecond).unwrap_err(), (1, i64::MAX / 10));
    }
}
