//! The numeric value types a frame column may have, and reading any of them as `f64`.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
    UInt64Type,
};
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::DataType;

/// A supported column value type: Arrow's fixed-width numeric primitives.
///
/// Values are kept in the narrowest type the data came in; nothing is widened or narrowed silently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// 64-bit float.
    Float64,
    /// 32-bit float.
    Float32,
    /// 64-bit signed integer.
    Int64,
    /// 32-bit signed integer.
    Int32,
    /// 16-bit signed integer.
    Int16,
    /// 8-bit signed integer.
    Int8,
    /// 64-bit unsigned integer.
    UInt64,
    /// 32-bit unsigned integer.
    UInt32,
    /// 16-bit unsigned integer.
    UInt16,
    /// 8-bit unsigned integer.
    UInt8,
}

impl ValueType {
    /// The value type of an Arrow type, or `None` if it is not supported.
    pub fn from_arrow(data_type: &DataType) -> Option<Self> {
        Some(match data_type {
            DataType::Float64 => Self::Float64,
            DataType::Float32 => Self::Float32,
            DataType::Int64 => Self::Int64,
            DataType::Int32 => Self::Int32,
            DataType::Int16 => Self::Int16,
            DataType::Int8 => Self::Int8,
            DataType::UInt64 => Self::UInt64,
            DataType::UInt32 => Self::UInt32,
            DataType::UInt16 => Self::UInt16,
            DataType::UInt8 => Self::UInt8,
            _ => return None,
        })
    }

    /// The Arrow type of this value type.
    pub fn to_arrow(self) -> DataType {
        match self {
            Self::Float64 => DataType::Float64,
            Self::Float32 => DataType::Float32,
            Self::Int64 => DataType::Int64,
            Self::Int32 => DataType::Int32,
            Self::Int16 => DataType::Int16,
            Self::Int8 => DataType::Int8,
            Self::UInt64 => DataType::UInt64,
            Self::UInt32 => DataType::UInt32,
            Self::UInt16 => DataType::UInt16,
            Self::UInt8 => DataType::UInt8,
        }
    }

    /// Bytes per value.
    pub fn byte_width(self) -> usize {
        match self {
            Self::Float64 | Self::Int64 | Self::UInt64 => 8,
            Self::Float32 | Self::Int32 | Self::UInt32 => 4,
            Self::Int16 | Self::UInt16 => 2,
            Self::Int8 | Self::UInt8 => 1,
        }
    }

    /// A short lowercase name (`f64`, `i32`, ...), as Rust and polars users write it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Float64 => "f64",
            Self::Float32 => "f32",
            Self::Int64 => "i64",
            Self::Int32 => "i32",
            Self::Int16 => "i16",
            Self::Int8 => "i8",
            Self::UInt64 => "u64",
            Self::UInt32 => "u32",
            Self::UInt16 => "u16",
            Self::UInt8 => "u8",
        }
    }
}

impl std::fmt::Display for ValueType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The value at `row` of a supported numeric array, as `f64`; `None` where the value is null or the row is
/// out of bounds or the array's type is not supported.
///
/// 64-bit integers above 2^53 lose precision in the conversion; read them with their own type when exact
/// values matter.
pub fn value_f64(array: &dyn Array, row: usize) -> Option<f64> {
    if row >= array.len() || array.is_null(row) {
        return None;
    }
    fn at<T: ArrowPrimitiveType>(array: &dyn Array, row: usize) -> T::Native {
        array.as_primitive::<T>().value(row)
    }
    Some(match ValueType::from_arrow(array.data_type())? {
        ValueType::Float64 => at::<Float64Type>(array, row),
        ValueType::Float32 => f64::from(at::<Float32Type>(array, row)),
        ValueType::Int64 => at::<Int64Type>(array, row) as f64,
        ValueType::Int32 => f64::from(at::<Int32Type>(array, row)),
        ValueType::Int16 => f64::from(at::<Int16Type>(array, row)),
        ValueType::Int8 => f64::from(at::<Int8Type>(array, row)),
        ValueType::UInt64 => at::<UInt64Type>(array, row) as f64,
        ValueType::UInt32 => f64::from(at::<UInt32Type>(array, row)),
        ValueType::UInt16 => f64::from(at::<UInt16Type>(array, row)),
        ValueType::UInt8 => f64::from(at::<UInt8Type>(array, row)),
    })
}

#[cfg(test)]
mod tests {
    use arrow_array::{Float32Array, Int16Array, StringArray, UInt64Array};

    use super::*;

    #[test]
    fn reads_every_width_as_f64() {
        assert_eq!(value_f64(&Float32Array::from(vec![1.5_f32]), 0), Some(1.5));
        assert_eq!(value_f64(&Int16Array::from(vec![-7_i16]), 0), Some(-7.0));
        assert_eq!(value_f64(&UInt64Array::from(vec![42_u64]), 0), Some(42.0));
    }

    #[test]
    fn null_out_of_bounds_and_unsupported_give_none() {
        assert_eq!(value_f64(&Int16Array::from(vec![None, Some(1)]), 0), None);
        assert_eq!(value_f64(&Int16Array::from(vec![1_i16]), 1), None);
        assert_eq!(value_f64(&StringArray::from(vec!["a"]), 0), None);
    }

    #[test]
    fn arrow_round_trip() {
        for vt in [ValueType::Float64, ValueType::Int8, ValueType::UInt32] {
            assert_eq!(ValueType::from_arrow(&vt.to_arrow()), Some(vt));
        }
    }
}
