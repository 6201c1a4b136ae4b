//! `CellValue`: a value to write, as the caller has it: an exact integer or a float. Integers are never
//! routed through `f64` (which holds integers exactly only up to 2^53).

use std::fmt;

use timeseries_array::{NativeValue, ValueType, with_value_type};

/// One value to store in a column: an integer (exact, any `i64` or `u64` and more) or a float.
///
/// A column takes it only if its own type holds it exactly: `CellValue::Int(2^53 + 1)` goes into an `i64`
/// column unchanged and is refused by an `f64` one; `CellValue::Float(1.5)` is refused by an integer column.
///
/// ```
/// use isolation_cow::CellValue;
///
/// assert_eq!(CellValue::from(9_007_199_254_740_993_i64).to_string(), "9007199254740993");
/// assert_eq!(CellValue::from(1.5).to_string(), "1.5");
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CellValue {
    /// An integer, kept exactly.
    Int(i128),
    /// A float (NaN included).
    Float(f64),
}

impl CellValue {
    /// The value in `value_type`'s native type, or `None` if the type cannot hold it exactly.
    pub(crate) fn to_native<T: NativeValue>(self) -> Option<T> {
        match self {
            CellValue::Int(int) => T::from_i128_exact(int),
            CellValue::Float(float) => T::from_f64_exact(float),
        }
    }

    /// Whether a column of `value_type` holds this value exactly.
    pub fn fits(self, value_type: ValueType) -> bool {
        with_value_type!(value_type, |T| self.to_native::<T>().is_some())
    }
}

impl From<f64> for CellValue {
    fn from(value: f64) -> Self {
        CellValue::Float(value)
    }
}

impl From<i64> for CellValue {
    fn from(value: i64) -> Self {
        CellValue::Int(i128::from(value))
    }
}

impl From<u64> for CellValue {
    fn from(value: u64) -> Self {
        CellValue::Int(i128::from(value))
    }
}

impl From<i128> for CellValue {
    fn from(value: i128) -> Self {
        CellValue::Int(value)
    }
}

impl fmt::Display for CellValue {
    /// Integers in full; floats as Rust's shortest exact form (`1.5`, `9007199254740992`, `NaN`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CellValue::Int(int) => write!(f, "{int}"),
            CellValue::Float(float) => write!(f, "{float}"),
        }
    }
}

/// A value of `value_type` as a cell: exact integers for integer types, floats for float types.
fn cell_of<T: NativeValue>(value: T, value_type: ValueType) -> CellValue {
    match value.to_i128() {
        Some(int) if !value_type.is_float() => CellValue::Int(int),
        _ => CellValue::Float(value.to_f64()),
    }
}

impl crate::CowFrame {
    /// The value at (`column_idx`, `row`) in the column's own kind: an exact integer for an integer column
    /// (an `i64` past 2^53 is not rounded, as [`CowFrame::get`](crate::CowFrame::get)'s `f64` would),
    /// a float for a float column; `Ok(None)` where null.
    ///
    /// # Errors
    ///
    /// [`CowError::ColumnOutOfBounds`](crate::CowError::ColumnOutOfBounds) or
    /// [`CowError::RowOutOfBounds`](crate::CowError::RowOutOfBounds).
    pub fn get_cell(&self, column_idx: usize, row: usize) -> Result<Option<CellValue>, crate::CowError> {
        let column = self.column(column_idx)?;
        crate::CowError::check_row(row, self.n_rows(), self.split)?;
        let value_type = column.value_type;
        let chunk_idx = row >> self.config.shift();
        Ok(match column.chunks.get(&chunk_idx) {
            Some(chunk) => {
                let idx = row & (self.config.chunk_rows() - 1);
                chunk.is_valid(idx).then(|| {
                    with_value_type!(value_type, |T| cell_of(
                        chunk.values().typed_data::<T>()[idx],
                        value_type
                    ))
                })
            }
            None => {
                let array = self.source_array(column);
                array.is_valid(row).then(|| {
                    with_value_type!(value_type, |T| {
                        let values = arrow_array::cast::AsArray::as_primitive::<<T as NativeValue>::Arrow>(
                            array.as_ref(),
                        );
                        cell_of(values.value(row), value_type)
                    })
                })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_are_exact_or_refused() {
        let two_53_plus_1 = CellValue::from((1_i64 << 53) + 1);
        assert!(two_53_plus_1.fits(ValueType::Int64));
        assert!(!two_53_plus_1.fits(ValueType::Float64));
        assert!(CellValue::from(i64::MAX).fits(ValueType::Int64));
        assert!(!CellValue::Int(i128::from(i64::MAX) + 1).fits(ValueType::Int64));
        assert!(CellValue::from((1_u64 << 63) + 1).fits(ValueType::UInt64));
        assert!(!CellValue::from(1.5).fits(ValueType::Int32));
        assert_eq!(CellValue::from(i64::MAX).to_string(), "9223372036854775807");
    }
}
