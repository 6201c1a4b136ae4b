//! The one table of value types a frame column may have. Everything that depends on the set of types is
//! generated from the table in this file: the [`ValueType`] enum and its Arrow mapping, the
//! [`NativeValue`] trait that reads each natively, and the [`with_value_type!`](crate::with_value_type)
//! macro that dispatches from a runtime [`ValueType`] to its Rust type. Adding a value type is one line of
//! the table (`value_types!` below).

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_buffer::ArrowNativeType;
use arrow_schema::DataType;

/// A Rust type a frame column can hold, read natively (no conversion to `f64`, no allocation).
///
/// Implemented for exactly the types of [`ValueType`]; sealed. `T::VALUE_TYPE` is the runtime tag and
/// `T::Arrow` the Arrow primitive type (`f64` <-> `Float64Type`), so code generic over `T` reaches both.
pub trait NativeValue: ArrowNativeType + bytemuck::Pod + PartialOrd + sealed::Sealed {
    /// The runtime tag of this type.
    const VALUE_TYPE: ValueType;
    /// The Arrow primitive type whose native type this is.
    type Arrow: ArrowPrimitiveType<Native = Self>;
    /// The value as `f64` (64-bit integers above 2^53 round).
    fn to_f64(self) -> f64;
    /// The value of this type equal to `value`, or `None` if there is none (no rounding, no saturation;
    /// NaN only for float types).
    fn from_f64_exact(value: f64) -> Option<Self>;
    /// The value of this type equal to the integer `value`, or `None` if there is none (an integer out of
    /// range, or one a float type would round).
    fn from_i128_exact(value: i128) -> Option<Self>;
    /// True for a float NaN; always false for integers.
    fn is_nan(self) -> bool;
    /// The value as `i128` for integer types (exact); `None` for float types.
    fn to_i128(self) -> Option<i128>;
    /// Native-order bytes as values of this type, borrowed; `None` when the bytes are not aligned for the
    /// type or their length is not a multiple of its width. Arrow buffers (heap or mapped) always are.
    fn slice_from_bytes(bytes: &[u8]) -> Option<&[Self]> {
        bytemuck::try_cast_slice(bytes).ok()
    }
}

mod sealed {
    pub trait Sealed {}
}

/// Generates everything that lists the value types from one table:
/// `Variant(rust type, Arrow primitive type, float|int) "doc";`.
/// `$d` is a literal `$`, so that the generated `with_value_type!` macro can have variables of its own.
macro_rules! value_types {
    ($d:tt $( $Variant:ident($native:ident, $arrow:ident, $kind:ident) $doc:literal; )*) => {
        /// A supported column value type: Arrow's fixed-width numeric primitives.
        ///
        /// Values are kept in the narrowest type the data came in; nothing is widened or narrowed silently.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ValueType {
            $( #[doc = $doc] $Variant, )*
        }

        impl ValueType {
            /// Every value type, widest floats first.
            pub const ALL: &'static [ValueType] = &[$( ValueType::$Variant ),*];

            /// The value type of an Arrow type, or `None` if it is not supported.
            pub fn from_arrow(data_type: &DataType) -> Option<Self> {
                match data_type {
                    $( DataType::$Variant => Some(Self::$Variant), )*
                    _ => None,
                }
            }

            /// The Arrow type of this value type.
            pub fn to_arrow(self) -> DataType {
                match self {
                    $( Self::$Variant => DataType::$Variant, )*
                }
            }

            /// Bytes per value.
            pub fn byte_width(self) -> usize {
                match self {
                    $( Self::$Variant => size_of::<$native>(), )*
                }
            }

            /// True for `f32` and `f64`.
            pub fn is_float(self) -> bool {
                match self {
                    $( Self::$Variant => value_types!(@is_float $kind), )*
                }
            }

            /// A short lowercase name (`f64`, `i32`, ...), as Rust and polars users write it.
            pub fn name(self) -> &'static str {
                match self {
                    $( Self::$Variant => stringify!($native), )*
                }
            }
        }

        $(
            impl sealed::Sealed for $native {}
            impl NativeValue for $native {
                const VALUE_TYPE: ValueType = ValueType::$Variant;
                type Arrow = arrow_array::types::$arrow;
                fn to_f64(self) -> f64 {
                    self as f64
                }
                fn from_f64_exact(value: f64) -> Option<Self> {
                    value_types!(@exact $kind $native value)
                }
                fn from_i128_exact(value: i128) -> Option<Self> {
                    value_types!(@exact_int $kind $native value)
                }
                fn is_nan(self) -> bool {
                    value_types!(@nan $kind self)
                }
                fn to_i128(self) -> Option<i128> {
                    value_types!(@i128 $kind self)
                }
            }
        )*

        /// Runs `body` with the type name `T` bound to the Rust type of the runtime [`ValueType`]
        /// `value_type` (`f64`, `u32`, ...): the one dispatch from a tag to a type, generated from the
        /// value-type table. `<T as NativeValue>::Arrow` is the Arrow primitive type.
        ///
        /// ```
        /// use timeseries_array::{NativeValue, ValueType, with_value_type};
        ///
        /// let width = with_value_type!(ValueType::UInt16, |T| size_of::<T>());
        /// assert_eq!(width, 2);
        /// let parsed: f64 = with_value_type!(ValueType::Int8, |T| <T as NativeValue>::from_f64_exact(-3.0)
        ///     .map_or(f64::NAN, NativeValue::to_f64));
        /// assert_eq!(parsed, -3.0);
        /// ```
        #[macro_export]
        macro_rules! with_value_type {
            ($d value_type:expr, |$d T:ident| $d body:expr) => {
                match $d value_type {
                    $( $crate::ValueType::$Variant => {
                        #[allow(dead_code)]
                        type $d T = $native;
                        $d body
                    } )*
                }
            };
        }
    };
    (@exact float $native:ident $value:ident) => {{
        let narrowed = $value as $native;
        (narrowed as f64 == $value || $value.is_nan()).then_some(narrowed)
    }};
    (@exact int $native:ident $value:ident) => {{
        // `MIN` is -2^(bits-1) or 0 and `MAX + 1` is a power of two: both are exact in f64.
        let (min, max_plus_one) = (<$native>::MIN as f64, (<$native>::MAX as f64) + 1.0);
        let in_range = $value >= min && $value < max_plus_one;
        (in_range && $value.fract() == 0.0).then(|| $value as $native)
    }};
    (@exact_int float $native:ident $value:ident) => {{
        // `i128::MAX as $native` is 2^127 (rounded up): below it in size, the round trip is exact or not.
        let narrowed = $value as $native;
        (narrowed.abs() < i128::MAX as $native && narrowed as i128 == $value).then_some(narrowed)
    }};
    (@exact_int int $native:ident $value:ident) => { <$native>::try_from($value).ok() };
    (@nan float $value:ident) => { $value.is_nan() };
    (@i128 float $value:ident) => {{
        let _ = $value;
        None
    }};
    (@i128 int $value:ident) => { Some(i128::from($value)) };
    (@is_float float) => { true };
    (@is_float int) => { false };
    (@nan int $value:ident) => {{
        let _ = $value;
        false
    }};
}

// The value-type table. A new type is one line here (the variant must be named as Arrow's `DataType`
// variant is).
value_types! { $
    Float64(f64, Float64Type, float) "64-bit float.";
    Float32(f32, Float32Type, float) "32-bit float.";
    Int64(i64, Int64Type, int) "64-bit signed integer.";
    Int32(i32, Int32Type, int) "32-bit signed integer.";
    Int16(i16, Int16Type, int) "16-bit signed integer.";
    Int8(i8, Int8Type, int) "8-bit signed integer.";
    UInt64(u64, UInt64Type, int) "64-bit unsigned integer.";
    UInt32(u32, UInt32Type, int) "32-bit unsigned integer.";
    UInt16(u16, UInt16Type, int) "16-bit unsigned integer.";
    UInt8(u8, UInt8Type, int) "8-bit unsigned integer.";
}

impl std::fmt::Display for ValueType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The value at `row` of a supported numeric array, as `f64`; `None` where the value is null or the row is
/// out of bounds or the array's type is not supported. This is the one conversion to `f64` in the
/// workspace; typed reads ([`NativeValue`]) need none.
///
/// 64-bit integers above 2^53 lose precision in the conversion; read them with their own type when exact
/// values matter.
pub fn value_f64(array: &dyn Array, row: usize) -> Option<f64> {
    if row >= array.len() || array.is_null(row) {
        return None;
    }
    let value_type = ValueType::from_arrow(array.data_type())?;
    Some(with_value_type!(value_type, |T| array
        .as_primitive::<<T as NativeValue>::Arrow>()
        .value(row)
        .to_f64()))
}

/// The values buffer of a supported numeric array, borrowed (strong counts stay honest) and sliced to the
/// array's visible rows; `None` for other arrays.
pub fn values_buffer(array: &dyn Array) -> Option<&arrow_buffer::Buffer> {
    let value_type = ValueType::from_arrow(array.data_type())?;
    Some(with_value_type!(value_type, |T| array.as_primitive::<<T as NativeValue>::Arrow>().values().inner()))
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
    fn the_table_agrees_with_arrow() {
        assert_eq!(ValueType::ALL.len(), 10);
        for &vt in ValueType::ALL {
            assert_eq!(ValueType::from_arrow(&vt.to_arrow()), Some(vt));
            assert_eq!(vt.to_arrow().primitive_width(), Some(vt.byte_width()), "{vt}");
            with_value_type!(vt, |T| {
                assert_eq!(<T as NativeValue>::VALUE_TYPE, vt);
                assert_eq!(<<T as NativeValue>::Arrow as ArrowPrimitiveType>::DATA_TYPE, vt.to_arrow());
            });
        }
        assert_eq!(ValueType::UInt32.name(), "u32");
    }

    fn exact(value: f64, value_type: ValueType) -> Option<f64> {
        with_value_type!(value_type, |T| <T as NativeValue>::from_f64_exact(value).map(NativeValue::to_f64))
    }

    #[test]
    fn exact_conversions_only() {
        assert_eq!(exact(1.5, ValueType::Float32), Some(1.5));
        assert_eq!(exact(0.1, ValueType::Float32), None); // f32 would round 0.1
        assert_eq!(exact(-3.0, ValueType::Int16), Some(-3.0));
        assert_eq!(exact(2.5, ValueType::Int32), None);
        assert_eq!(exact(-1.0, ValueType::UInt8), None);
        assert_eq!(exact(255.0, ValueType::UInt8), Some(255.0));
        assert_eq!(exact(256.0, ValueType::UInt8), None);
        assert_eq!(exact(9_223_372_036_854_775_808.0, ValueType::Int64), None); // 2^63 would saturate
        assert_eq!(exact(-9_223_372_036_854_775_808.0, ValueType::Int64), Some(-9_223_372_036_854_775_808.0));
        assert_eq!(exact(f64::NAN, ValueType::Int64), None);
        assert!(exact(f64::NAN, ValueType::Float64).is_some_and(f64::is_nan));
        assert_eq!(exact(f64::INFINITY, ValueType::UInt64), None);
    }

    /// The integer `value` stored in `value_type`, read back as `i128` (floats through their exact value).
    fn exact_int(value: i128, value_type: ValueType) -> Option<i128> {
        with_value_type!(value_type, |T| {
            <T as NativeValue>::from_i128_exact(value).map(|v| v.to_i128().unwrap_or(v.to_f64() as i128))
        })
    }

    #[test]
    fn exact_integer_conversions_only() {
        let two_53 = 1_i128 << 53;
        assert_eq!(exact_int(two_53 + 1, ValueType::Int64), Some(two_53 + 1));
        assert_eq!(exact_int(two_53 + 1, ValueType::Float64), None); // f64 would round it to 2^53
        assert_eq!(exact_int(two_53, ValueType::Float64), Some(two_53));
        assert_eq!(exact_int(i128::from(i64::MAX), ValueType::Int64), Some(i128::from(i64::MAX)));
        assert_eq!(exact_int(i128::from(i64::MAX) + 1, ValueType::Int64), None);
        assert_eq!(exact_int((1 << 63) + 1, ValueType::UInt64), Some((1 << 63) + 1));
        assert_eq!(exact_int(-1, ValueType::UInt64), None);
        assert_eq!(exact_int(16_777_217, ValueType::Float32), None); // 2^24 + 1
        assert_eq!(exact_int(i128::MAX, ValueType::Float64), None);
        assert_eq!(exact_int(i128::MIN + 1, ValueType::Float32), None);
    }
}
