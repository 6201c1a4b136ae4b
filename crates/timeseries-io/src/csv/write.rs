//! Writing a frame as CSV: a header of column names, the index as ISO 8601 UTC (`2024-03-01T09:30:00Z`, a
//! fraction of a second only when it is not zero), each value as the shortest text that reads back to the
//! same number (`1.5`, `1e-7`, `NaN`), a missing value as an empty cell.

use std::fmt::Write as _;
use std::io::Write;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::TimestampNanosecondType;
use timeseries_array::{NativeValue, TimeFrame, ValueType, with_value_type};

/// One column's cell at a row, appended to a buffer.
type Cell<'a> = Box<dyn Fn(usize, &mut String) + 'a>;

/// Writes `frame` as CSV to `out`.
///
/// # Errors
///
/// An I/O error from `out`, or a value column of a type a frame does not hold (as text).
pub(crate) fn write_csv(frame: &TimeFrame, out: impl Write) -> Result<(), String> {
    let batch = frame.record_batch();
    let mut writer = ::csv::Writer::from_writer(out);
    let names = batch.schema().fields().iter().map(|f| f.name().clone()).collect::<Vec<_>>();
    writer.write_record(&names).map_err(|e| e.to_string())?;
    let index = batch.column(0).as_primitive::<TimestampNanosecondType>();
    let mut cells: Vec<Cell<'_>> =
        vec![Box::new(|row, text| text.push_str(&timeseries_array::format_timestamp(index.value(row))))];
    for (array, name) in batch.columns().iter().zip(&names).skip(1) {
        let value_type = ValueType::from_arrow(array.data_type())
            .ok_or_else(|| format!("column `{name}`: cannot write {} as CSV", array.data_type()))?;
        cells.push(with_value_type!(value_type, |T| {
            let values = array.as_primitive::<<T as NativeValue>::Arrow>();
            Box::new(move |row, text: &mut String| {
                if values.is_valid(row) {
                    // Debug, not Display: floats keep a decimal point or an exponent (`1.0`, `1e20`), the
                    // shortest text that reads back exactly, as pandas and pyarrow write them.
                    let _ = write!(text, "{:?}", values.value(row));
                }
            }) as Cell<'_>
        }));
    }
    let mut text = String::new();
    for row in 0..batch.num_rows() {
        for cell in &cells {
            text.clear();
            cell(row, &mut text);
            writer.write_field(&text).map_err(|e| e.to_string())?;
        }
        writer.write_record(None::<&[u8]>).map_err(|e| e.to_string())?;
    }
    writer.flush().map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, Int64Array};

    use super::*;

    #[test]
    fn index_values_and_missing_cells() {
        let index = vec![1_709_285_400_000_000_000, 1_709_285_400_250_000_000];
        let columns: Vec<(String, ArrayRef)> = vec![
            ("close".into(), Arc::new(Float64Array::from(vec![Some(1.0), None]))),
            ("tiny".into(), Arc::new(Float64Array::from(vec![1e-7, f64::NAN]))),
            ("volume".into(), Arc::new(Int64Array::from(vec![-3, i64::MAX]))),
        ];
        let frame = TimeFrame::try_new(index, columns).unwrap();
        let mut out = Vec::new();
        write_csv(&frame, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "timestamp,close,tiny,volume\n\
             2024-03-01T09:30:00Z,1.0,1e-7,-3\n\
             2024-03-01T09:30:00.250Z,,NaN,9223372036854775807\n"
        );
    }
}
