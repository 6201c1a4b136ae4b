//! Typed access to column values: reading any supported type as `f64`, and storing an `f64` into a column's
//! own type only when the conversion is exact.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_buffer::{ArrowNativeType, Buffer};
use timeseries_array::ValueType;

/// Runs `$body` with `$A` bound to the Arrow primitive type of the [`ValueType`] `$vt`.
macro_rules! with_arrow_type {
    ($vt:expr, |$A:ident| $body:expr) => {{
        use arrow_array::types as t;
        match $vt {
            ValueType::Float64 => {
                type $A = t::Float64Type;
                $body
            }
            ValueType::Float32 => {
                type $A = t::Float32Type;
                $body
            }
            ValueType::Int64 => {
                type $A = t::Int64Type;
                $body
            }
            ValueType::Int32 => {
                type $A = t::Int32Type;
                $body
            }
            ValueType::Int16 => {
                type $A = t::Int16Type;
                $body
            }
            ValueType::Int8 => {
                type $A = t::Int8Type;
                $body
            }
            ValueType::UInt64 => {
                type $A = t::UInt64Type;
                $body
            }
            ValueType::UInt32 => {
                type $A = t::UInt32Type;
                $body
            }
            ValueType::UInt16 => {
                type $A = t::UInt16Type;
                $body
            }
            ValueType::UInt8 => {
                type $A = t::UInt8Type;
                $body
            }
        }
    }};
}
pub(crate) use with_arrow_type;

/// A native value type of a supported column, with exact conversions from and to `f64`.
pub(crate) trait Native: ArrowNativeType {
    /// The value as `f64` (64-bit integers above 2^53 round, as everywhere else in the workspace).
    fn to_f64(self) -> f64;
    /// The value of this type equal to `value`, or `None` if there is none (no rounding, no saturation).
    fn from_f64_exact(value: f64) -> Option<Self>;
    /// The value's bytes in native order, as Arrow stores them.
    fn write_ne(self, out: &mut [u8]);
}

macro_rules! native_float {
    ($($T:ty),*) => {$(
        impl Native for $T {
            fn to_f64(self) -> f64 { self as f64 }
            fn from_f64_exact(value: f64) -> Option<Self> {
                let narrowed = value as $T;
                (narrowed as f64 == value || value.is_nan()).then_some(narrowed)
            }
            fn write_ne(self, out: &mut [u8]) { out.copy_from_slice(&self.to_ne_bytes()) }
        }
    )*};
}

macro_rules! native_int {
    ($($T:ty),*) => {$(
        impl Native for $T {
            fn to_f64(self) -> f64 { self as f64 }
            fn from_f64_exact(value: f64) -> Option<Self> {
                // `MIN` is -2^(bits-1) or 0 and `MAX + 1` is a power of two: both are exact in f64.
                let (min, max_plus_one) = (<$T>::MIN as f64, (<$T>::MAX as f64) + 1.0);
                let in_range = value >= min && value < max_plus_one;
                (in_range && value.fract() == 0.0).then(|| value as $T)
            }
            fn write_ne(self, out: &mut [u8]) { out.copy_from_slice(&self.to_ne_bytes()) }
        }
    )*};
}

native_float!(f32, f64);
native_int!(i8, i16, i32, i64, u8, u16, u32, u64);

/// A value encoded in a column's native type: its bytes (the first `width` of them).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Encoded {
    bytes: [u8; 8],
    width: usize,
}

impl Encoded {
    /// The native bytes.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.width]
    }

    /// The bytes of a null slot: zero, as Arrow's builders write.
    pub(crate) fn null(value_type: ValueType) -> Self {
        Self { bytes: [0; 8], width: value_type.byte_width() }
    }
}

/// `value` in `value_type`'s native bytes, or `None` if the type cannot hold it exactly.
pub(crate) fn encode(value: f64, value_type: ValueType) -> Option<Encoded> {
    let width = value_type.byte_width();
    let mut bytes = [0_u8; 8];
    with_arrow_type!(value_type, |A| {
        <A as ArrowPrimitiveType>::Native::from_f64_exact(value)?.write_ne(&mut bytes[..width])
    });
    Some(Encoded { bytes, width })
}

/// Value `idx` of `buffer`, which holds values of `value_type`, as `f64`.
pub(crate) fn read_f64(buffer: &Buffer, value_type: ValueType, idx: usize) -> f64 {
    with_arrow_type!(value_type, |A| buffer.typed_data::<<A as ArrowPrimitiveType>::Native>()[idx].to_f64())
}

/// The values buffer of a primitive array of `value_type`, borrowed (strong counts stay honest) and sliced
/// to the array's visible rows.
pub(crate) fn values_buffer(array: &dyn Array, value_type: ValueType) -> &Buffer {
    with_arrow_type!(value_type, |A| array.as_primitive::<A>().values().inner())
}

/// The buffers an array keeps alive: its values and, if any, its validity bitmap. Borrowed.
pub(crate) fn array_buffers(array: &dyn Array, value_type: ValueType) -> Vec<&Buffer> {
    let mut buffers = vec![values_buffer(array, value_type)];
    if let Some(nulls) = array.nulls() {
        buffers.push(nulls.inner().inner());
    }
    buffers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: f64, value_type: ValueType, expect: Option<&[u8]>) {
        let got = encode(value, value_type);
        assert_eq!(got.as_ref().map(Encoded::as_bytes), expect, "{value} as {value_type}");
    }

    #[test]
    fn exact_conversions_only() {
        check(1.5, ValueType::Float64, Some(&1.5_f64.to_ne_bytes()));
        check(1.5, ValueType::Float32, Some(&1.5_f32.to_ne_bytes()));
        check(0.1, ValueType::Float32, None); // f32 would round 0.1
        check(-3.0, ValueType::Int16, Some(&(-3_i16).to_ne_bytes()));
        check(2.5, ValueType::Int32, None);
        check(-1.0, ValueType::UInt8, None);
        check(255.0, ValueType::UInt8, Some(&[255]));
        check(256.0, ValueType::UInt8, None);
        check(9_223_372_036_854_775_808.0, ValueType::Int64, None); // 2^63 saturates, so it is refused
        check(-9_223_372_036_854_775_808.0, ValueType::Int64, Some(&i64::MIN.to_ne_bytes()));
        check(f64::NAN, ValueType::Int64, None);
        check(f64::INFINITY, ValueType::UInt64, None);
    }

    #[test]
    fn reads_every_width() {
        let buffer = Buffer::from_vec(vec![7_u16, 9]);
        assert_eq!(read_f64(&buffer, ValueType::UInt16, 1), 9.0);
    }
}
