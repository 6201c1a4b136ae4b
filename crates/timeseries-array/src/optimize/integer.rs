//! Integer narrowing: the smallest integer type that holds a column's range, signed or unsigned.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, PrimitiveArray};
use arrow_schema::DataType;

use super::Outcome;

/// Narrows an integer array, or says why not.
pub(super) fn narrow(array: &dyn Array) -> Outcome {
    macro_rules! narrow_from {
        ($source:ty) => {
            narrow_typed(array.as_primitive::<$source>())
        };
    }
    match array.data_type() {
        DataType::Int8 => narrow_from!(Int8Type),
        DataType::Int16 => narrow_from!(Int16Type),
        DataType::Int32 => narrow_from!(Int32Type),
        DataType::Int64 => narrow_from!(Int64Type),
        DataType::UInt8 => narrow_from!(UInt8Type),
        DataType::UInt16 => narrow_from!(UInt16Type),
        DataType::UInt32 => narrow_from!(UInt32Type),
        DataType::UInt64 => narrow_from!(UInt64Type),
        other => Outcome::Kept(format!("{other} is not a plain integer type")),
    }
}

fn narrow_typed<T>(array: &PrimitiveArray<T>) -> Outcome
where
    T: arrow_array::ArrowPrimitiveType,
    T::Native: Into<i128>,
{
    let Some((min, max)) = range(array) else {
        return Outcome::Kept("no non-null values".to_owned());
    };
    let Some(target) = smallest_type(min, max) else {
        return Outcome::Kept(format!("range {min}..={max} needs 64 bits"));
    };
    let width = |dt: &DataType| dt.primitive_width().unwrap_or(usize::MAX);
    if width(&target) >= width(array.data_type()) {
        return Outcome::Kept(format!("range {min}..={max} already fits no smaller type"));
    }
    macro_rules! cast_to {
        ($target:ty, $native:ty) => {
            // Every valid value lies in `min..=max`, which `$native` holds, so `as` is exact for them; null
            // slots hold unspecified values either way.
            Arc::new(array.unary::<_, $target>(|v| Into::<i128>::into(v) as $native)) as ArrayRef
        };
    }
    let narrowed = match target {
        DataType::Int8 => cast_to!(Int8Type, i8),
        DataType::UInt8 => cast_to!(UInt8Type, u8),
        DataType::Int16 => cast_to!(Int16Type, i16),
        DataType::UInt16 => cast_to!(UInt16Type, u16),
        DataType::Int32 => cast_to!(Int32Type, i32),
        _ => cast_to!(UInt32Type, u32),
    };
    Outcome::Changed { array: narrowed, note: format!("range {min}..={max}"), max_abs_error: None }
}

/// Minimum and maximum of the valid values, or `None` when there are none.
fn range<T>(array: &PrimitiveArray<T>) -> Option<(i128, i128)>
where
    T: arrow_array::ArrowPrimitiveType,
    T::Native: Into<i128>,
{
    array.iter().flatten().map(Into::<i128>::into).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// The narrowest type of at most 32 bits holding `min..=max`: unsigned when `min >= 0`, else signed.
fn smallest_type(min: i128, max: i128) -> Option<DataType> {
    let candidates: [(DataType, i128, i128); 6] = [
        (DataType::UInt8, 0, u8::MAX.into()),
        (DataType::Int8, i8::MIN.into(), i8::MAX.into()),
        (DataType::UInt16, 0, u16::MAX.into()),
        (DataType::Int16, i16::MIN.into(), i16::MAX.into()),
        (DataType::UInt32, 0, u32::MAX.into()),
        (DataType::Int32, i32::MIN.into(), i32::MAX.into()),
    ];
    candidates.into_iter().find(|(_, lo, hi)| *lo <= min && max <= *hi).map(|(dt, _, _)| dt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(min: i128, max: i128, expect: Option<DataType>) {
        assert_eq!(smallest_type(min, max), expect, "range {min}..={max}");
    }

    #[test]
    fn smallest_type_table() {
        check(0, 255, Some(DataType::UInt8));
        check(-1, 127, Some(DataType::Int8));
        check(-1, 128, Some(DataType::Int16));
        check(0, 256, Some(DataType::UInt16));
        check(-129, 0, Some(DataType::Int16));
        check(0, 65_536, Some(DataType::UInt32));
        check(i32::MIN.into(), 0, Some(DataType::Int32));
        check(0, u32::MAX.into(), Some(DataType::UInt32));
        check(-1, u32::MAX.into(), None);
        check(0, u64::MAX.into(), None);
    }
}
