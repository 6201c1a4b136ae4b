//! `Universe`: point-in-time membership (listings, delistings, index membership) that restricts each fold to
//! the symbols that were members at the time of each row.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::Range;

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use isolation_core::{FoldError, IsolationError};
#[cfg(feature = "io")]
use timeseries_array::Cause;
use timeseries_array::{
    NativeValue, TimestampNs, ValueType, datetime_values_in_nanoseconds, format_timestamp, parse_timestamp,
    with_value_type,
};

/// Which symbols were members when: per symbol, half-open periods `[from, to)` of membership.
///
/// A row of a symbol at time `t` takes part in a fold only if the symbol was a member at `t`: a symbol
/// delisted in the middle of a test block keeps its rows up to the delisting, one listed late joins when it
/// is listed, and a symbol absent from the table never takes part. This keeps survivorship out of a study
/// that would otherwise train on today's constituents.
///
/// The table has three columns: `symbol`, `from` and `to` (ISO 8601 dates or date-times, or Arrow
/// dates/timestamps); an empty `to` means "still a member". A symbol may have several periods (it left an
/// index and came back).
///
/// ```
/// use isolation::{Universe, timestamp};
///
/// let universe = Universe::new([
///     ("AAA", timestamp("2020-01-01")?, None),
///     ("BBB", timestamp("2020-01-01")?, Some(timestamp("2021-06-30")?)),
/// ])?;
/// assert!(universe.is_member("BBB", timestamp("2021-06-29")?));
/// assert!(!universe.is_member("BBB", timestamp("2021-06-30")?));
/// assert!(!universe.is_member("CCC", timestamp("2021-01-01")?));
/// assert_eq!(universe.fingerprint().len(), 16);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Universe {
    members: BTreeMap<String, Vec<(TimestampNs, TimestampNs)>>,
}

impl Universe {
    /// A universe from `(symbol, from, to)` rows; `to = None` is an open end. Overlapping periods of one
    /// symbol are joined.
    ///
    /// # Errors
    ///
    /// A period that ends before it starts.
    pub fn new<S: Into<String>>(
        rows: impl IntoIterator<Item = (S, TimestampNs, Option<TimestampNs>)>,
    ) -> Result<Self, IsolationError> {
        let mut members: BTreeMap<String, Vec<(TimestampNs, TimestampNs)>> = BTreeMap::new();
        for (row, (symbol, from, to)) in rows.into_iter().enumerate() {
            let symbol = symbol.into();
            let to = to.unwrap_or(TimestampNs::MAX);
            if to <= from {
                return Err(invalid(format!(
                    "row {row}: {symbol}'s period ends ({}) at or before it starts ({})",
                    format_timestamp(to),
                    format_timestamp(from)
                )));
            }
            members.entry(symbol).or_default().push((from, to));
        }
        for periods in members.values_mut() {
            periods.sort_unstable();
            let mut joined: Vec<(TimestampNs, TimestampNs)> = Vec::with_capacity(periods.len());
            for &(from, to) in periods.iter() {
                match joined.last_mut() {
                    Some(last) if from <= last.1 => last.1 = last.1.max(to),
                    _ => joined.push((from, to)),
                }
            }
            *periods = joined;
        }
        Ok(Self { members })
    }

    /// A universe from record batches with columns `symbol` (text), `from` and `to` (ISO 8601 text, Arrow
    /// dates or timestamps; `to` null or empty for an open end), matched by name without regard to case.
    ///
    /// # Errors
    ///
    /// A missing column, a value that is not a date, a null symbol or `from`, or a period that ends
    /// before it starts, naming the row.
    pub fn from_batches(batches: &[RecordBatch]) -> Result<Self, IsolationError> {
        let mut rows = Vec::new();
        let mut offset = 0;
        for batch in batches {
            let column = |name: &str| {
                let schema = batch.schema();
                let index = schema.fields().iter().position(|f| f.name().eq_ignore_ascii_case(name));
                index.map(|i| batch.column(i).clone()).ok_or_else(|| {
                    let found: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
                    invalid(format!("no `{name}` column (found: {})", found.join(", ")))
                })
            };
            let symbols = texts(column("symbol")?.as_ref(), "symbol")?;
            let from = instants(column("from")?.as_ref(), "from", offset)?;
            let to = instants(column("to")?.as_ref(), "to", offset)?;
            for row in 0..batch.num_rows() {
                let at = offset + row;
                let Some(symbol) = symbols[row].as_deref().map(str::trim).filter(|s| !s.is_empty()) else {
                    return Err(invalid(format!("row {at}: no symbol")));
                };
                let Some(start) = from[row] else {
                    return Err(invalid(format!("row {at}: no `from` date")));
                };
                rows.push((symbol.to_string(), start, to[row]));
            }
            offset += batch.num_rows();
        }
        Self::new(rows)
    }

    /// The universe in the table at `path` (CSV with a header line, Parquet or Arrow IPC).
    ///
    /// # Errors
    ///
    /// The file cannot be read, or as [`Universe::from_batches`].
    #[cfg(feature = "io")]
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<Self, IsolationError> {
        let path = path.as_ref();
        let batches =
            timeseries_io::read_table(path).map_err(|e| IsolationError::File { source: Cause::new(e) })?;
        Self::from_batches(&batches)
            .map_err(|e| IsolationError::Load { path: path.display().to_string(), source: Cause::new(e) })
    }

    /// True when `symbol` was a member at `t`.
    pub fn is_member(&self, symbol: &str, t: TimestampNs) -> bool {
        self.members.get(symbol).is_some_and(|periods| periods.iter().any(|&(from, to)| from <= t && t < to))
    }

    /// The symbols listed, sorted.
    pub fn symbols(&self) -> impl Iterator<Item = &str> {
        self.members.keys().map(String::as_str)
    }

    /// The rows of `timestamps` (one symbol's sorted index) at which `symbol` was a member, as sorted
    /// disjoint ranges (none when the symbol is not listed).
    pub fn member_rows(&self, symbol: &str, timestamps: &[TimestampNs]) -> Vec<Range<usize>> {
        let Some(periods) = self.members.get(symbol) else { return Vec::new() };
        periods
            .iter()
            .map(|&(from, to)| {
                timestamps.partition_point(|&t| t < from)..timestamps.partition_point(|&t| t < to)
            })
            .filter(|rows| !rows.is_empty())
            .collect()
    }

    /// A 16-hex-digit fingerprint of the membership (XXH3 of its canonical text: symbols sorted, periods
    /// joined), the same for the same membership whatever file or row order it came from. Fold reports and
    /// manifests record it.
    pub fn fingerprint(&self) -> String {
        let mut text = String::new();
        for (symbol, periods) in &self.members {
            for (from, to) in periods {
                let _ = writeln!(text, "{symbol}\t{from}\t{to}");
            }
        }
        format!("{:016x}", twox_hash::XxHash3_64::oneshot(text.as_bytes()))
    }
}

fn invalid(reason: String) -> IsolationError {
    FoldError::Universe { reason }
}

/// The values of a text column (any string layout, or a dictionary of strings), or of an integer column
/// written in decimal (a numeric symbol such as a PERMNO); nulls as `None`.
fn texts(array: &dyn Array, name: &str) -> Result<Vec<Option<String>>, IsolationError> {
    let owned =
        |values: &mut dyn Iterator<Item = Option<&str>>| values.map(|v| v.map(str::to_string)).collect();
    match array.data_type() {
        DataType::Utf8 => Ok(owned(&mut array.as_string::<i32>().iter())),
        DataType::LargeUtf8 => Ok(owned(&mut array.as_string::<i64>().iter())),
        DataType::Utf8View => Ok(owned(&mut array.as_string_view().iter())),
        DataType::Dictionary(_, _) => {
            let dictionary = array.as_any_dictionary();
            let values = texts(dictionary.values().as_ref(), name)?;
            let keys = dictionary.normalized_keys();
            Ok((0..array.len())
                .map(|row| values[keys[row]].clone().filter(|_| array.is_valid(row)))
                .collect())
        }
        other => match ValueType::from_arrow(other).filter(|t| !t.is_float()) {
            Some(value_type) => Ok(with_value_type!(value_type, |T| array
                .as_primitive::<<T as NativeValue>::Arrow>()
                .iter()
                .map(|v| v.map(|v| v.to_string()))
                .collect())),
            None => Err(invalid(format!("`{name}` is {other}, not text"))),
        },
    }
}

/// The instants of a `from` or `to` column: ISO 8601 text (empty or null for none), or Arrow dates or
/// timestamps in any unit.
fn instants(
    array: &dyn Array,
    name: &str,
    offset: usize,
) -> Result<Vec<Option<TimestampNs>>, IsolationError> {
    if matches!(array.data_type(), DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) {
        return (texts(array, name)?.iter().enumerate())
            .map(|(row, value)| match value.as_deref().map(str::trim) {
                None | Some("") => Ok(None),
                Some(value) => parse_timestamp(value).map(Some).ok_or_else(|| {
                    invalid(format!("row {}: `{name}` is `{value}`, not an ISO 8601 date", offset + row))
                }),
            })
            .collect();
    }
    match datetime_values_in_nanoseconds(array) {
        Some(Ok(nanos)) => Ok(nanos.iter().collect()),
        Some(Err(out)) => Err(invalid(format!(
            "row {}: `{name}` is {} ({}), outside the nanosecond range (years 1677 to 2262)",
            offset + out.row,
            out.value,
            out.data_type
        ))),
        None => Err(invalid(format!("`{name}` is {}, not a date or timestamp", array.data_type()))),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::types::Int32Type;
    use arrow_array::{
        ArrayRef, Date32Array, DictionaryArray, StringArray, TimestampMillisecondArray, UInt32Array,
    };

    use super::*;

    fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(columns).unwrap()
    }

    const DAY: i64 = 86_400_000_000_000;

    #[test]
    fn symbols_and_dates_of_any_arrow_layout() {
        let symbols: DictionaryArray<Int32Type> = vec!["AAA", "BBB"].into_iter().collect();
        let from: ArrayRef = Arc::new(Date32Array::from(vec![1, 2]));
        let to: ArrayRef = Arc::new(TimestampMillisecondArray::from(vec![Some(3 * 86_400_000), None]));
        let universe =
            Universe::from_batches(&[batch(vec![("symbol", Arc::new(symbols)), ("from", from), ("to", to)])])
                .unwrap();
        assert!(universe.is_member("AAA", DAY) && !universe.is_member("AAA", 3 * DAY));
        assert!(
            !universe.is_member("BBB", DAY) && universe.is_member("BBB", 1000 * DAY),
            "no end: still a member"
        );
        let numbered: ArrayRef = Arc::new(UInt32Array::from(vec![10107]));
        let from: ArrayRef = Arc::new(StringArray::from(vec!["1970-01-02"]));
        let to: ArrayRef = Arc::new(StringArray::from(vec![None::<&str>]));
        let universe =
            Universe::from_batches(&[batch(vec![("symbol", numbered), ("from", from), ("to", to)])]).unwrap();
        assert_eq!(universe.symbols().collect::<Vec<_>>(), ["10107"], "a PERMNO written in decimal");
    }

    #[test]
    fn an_end_beyond_the_nanosecond_range_is_an_error_not_an_open_period() {
        let symbols: ArrayRef = Arc::new(StringArray::from(vec!["AAA"]));
        let from: ArrayRef = Arc::new(Date32Array::from(vec![0]));
        let to: ArrayRef = Arc::new(Date32Array::from(vec![2_932_896])); // 9999-12-31
        let error = Universe::from_batches(&[batch(vec![("symbol", symbols), ("from", from), ("to", to)])])
            .unwrap_err()
            .to_string();
        assert!(error.contains("row 0: `to` is 2932896 (Date32), outside the nanosecond range"), "{error}");
        let floats: ArrayRef = Arc::new(arrow_array::Float64Array::from(vec![1.0]));
        let from: ArrayRef = Arc::new(Date32Array::from(vec![0]));
        let to: ArrayRef = Arc::new(Date32Array::from(vec![1]));
        let error = Universe::from_batches(&[batch(vec![("symbol", floats), ("from", from), ("to", to)])])
            .unwrap_err()
            .to_string();
        assert!(error.contains("`symbol` is Float64, not text"), "{error}");
    }
}
