//! Integer narrowing: the smallest integer type that holds a column's range, signed or unsigned.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, PrimitiveArray};

use crate::{NativeValue, ValueType};

use super::Outcome;

/// Narrows an integer array, or says why not.
pub(super) fn narrow(array: &dyn Array) -> Outcome {
    match ValueType::from_arrow(array.data_type()).filter(|vt| !vt.is_float()) {
        Some(value_type) => {
            with_value_type!(value_type, |T| narrow_typed(array.as_primitive::<<T as NativeValue>::Arrow>()))
        }
        None => Outcome::Kept(format!("{} is not a plain integer type", array.data_type())),
    }
}

fn narrow_typed<A: ArrowPrimitiveType>(array: &PrimitiveArray<A>) -> Outcome
where
    A::Native: NativeValue,
{
    let Some((min, max)) = range(array) else {
        return Outcome::Kept("no non-null values".to_owned());
    };
    let Some(target) = smallest_type(min, max) else {
        return Outcome::Kept(format!("range {min}..={max} needs 64 bits"));
    };
    if target.byte_width() >= size_of::<A::Native>() {
        return Outcome::Kept(format!("range {min}..={max} already fits no smaller type"));
    }
    // Every valid value lies in `min..=max`, which `target` holds, so the conversion is exact for them
    // (through f64, exact below 2^53); null slots hold unspecified values and become zero.
    let narrowed = with_value_type!(target, |U| Arc::new(
        array
            .unary::<_, <U as NativeValue>::Arrow>(|v| { U::from_f64_exact(v.to_f64()).unwrap_or_default() })
    ) as ArrayRef);
    Outcome::Changed { array: narrowed, note: format!("range {min}..={max}"), max_abs_error: None }
}

/// Minimum and maximum of the valid values, or `None` when there are none (or the type is a float).
fn range<A: ArrowPrimitiveType>(array: &PrimitiveArray<A>) -> Option<(i128, i128)>
where
    A::Native: NativeValue,
{
    array.iter().flatten().filter_map(NativeValue::to_i128).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// The narrowest type of at most 32 bits holding `min..=max`: unsigned when `min >= 0`, else signed.
fn smallest_type(min: i128, max: i128) -> Option<ValueType> {
    let candidates: [(ValueType, i128, i128); 6] = [
        (ValueType::UInt8, 0, u8::MAX.into()),
        (ValueType::Int8, i8::MIN.into(), i8::MAX.into()),
        (ValueType::UInt16, 0, u16::MAX.into()),
        (ValueType::Int16, i16::MIN.into(), i16::MAX.into()),
        (ValueType::UInt32, 0, u32::MAX.into()),
        (ValueType::Int32, i32::MIN.into(), i32::MAX.into()),
    ];
    candidates.into_iter().find(|(_, lo, hi)| *lo <= min && max <= *hi).map(|(dt, _, _)| dt)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(min: i128, max: i128, expect: Option<ValueType>) {
        assert_eq!(smallest_type(min, max), expect, "range {min}..={max}");
    }

    #[test]
    fn smallest_type_table() {
        check(0, 255, Some(ValueType::UInt8));
        check(-1, 127, Some(ValueType::Int8));
        check(-1, 128, Some(ValueType::Int16));
        check(0, 256, Some(ValueType::UInt16));
        check(-129, 0, Some(ValueType::Int16));
        check(0, 65_536, Some(ValueType::UInt32));
        check(i32::MIN.into(), 0, Some(ValueType::Int32));
        check(0, u32::MAX.into(), Some(ValueType::UInt32));
        check(-1, u32::MAX.into(), None);
        check(0, u64::MAX.into(), None);
    }
}
