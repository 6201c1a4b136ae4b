//! Timestamps of any Arrow unit in nanoseconds, the index's unit: the one conversion that attaching a
//! foreign segment and loading Arrow data from Python share.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType,
};
use arrow_array::{Array, TimestampNanosecondArray};
use arrow_schema::TimeUnit;

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
    let (factor, values): (i64, &[i64]) = match unit {
        TimeUnit::Second => (1_000_000_000, array.as_primitive::<TimestampSecondType>().values()),
        TimeUnit::Millisecond => (1_000_000, array.as_primitive::<TimestampMillisecondType>().values()),
        TimeUnit::Microsecond => (1_000, array.as_primitive::<TimestampMicrosecondType>().values()),
        TimeUnit::Nanosecond => (1, array.as_primitive::<TimestampNanosecondType>().values()),
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

#[cfg(test)]
mod tests {
    use super::*;
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
