//! Typed access to column values: reading any supported type as `f64`, and storing an `f64` into a column's
//! own type only when the conversion is exact.

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_buffer::Buffer;
use timeseries_array::{NativeValue, ValueType, with_value_type};

use crate::CellValue;

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
pub(crate) fn encode(value: impl Into<CellValue>, value_type: ValueType) -> Option<Encoded> {
    let value = value.into();
    let width = value_type.byte_width();
    let mut bytes = [0_u8; 8];
    with_value_type!(value_type, |T| {
        let native = value.to_native::<T>()?;
        bytes[..width].copy_from_slice(bytemuck_bytes(&native));
    });
    Some(Encoded { bytes, width })
}

/// Value `idx` of `buffer`, which holds values of `value_type`, as `f64`.
pub(crate) fn read_f64(buffer: &Buffer, value_type: ValueType, idx: usize) -> f64 {
    with_value_type!(value_type, |T| buffer.typed_data::<T>()[idx].to_f64())
}

/// The values buffer of a primitive array of `value_type`, borrowed (strong counts stay honest) and sliced
/// to the array's visible rows.
pub(crate) fn values_buffer(array: &dyn Array, value_type: ValueType) -> &Buffer {
    with_value_type!(value_type, |T| array.as_primitive::<<T as NativeValue>::Arrow>().values().inner())
}

/// The native-order bytes of one value, as Arrow stores it.
fn bytemuck_bytes<T: NativeValue>(value: &T) -> &[u8] {
    let values = std::slice::from_ref(value);
    arrow_buffer::ToByteSlice::to_byte_slice(values)
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
