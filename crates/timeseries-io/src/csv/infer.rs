//! Column types of a CSV file from a sample of its rows: arrow-rs's CSV inference rules (arrow-csv, which
//! this crate read CSV with before) for integers, decimals, ISO dates and date-times, `true`/`false` and
//! text, without its regex engine (docs/building.md, item 10).
//!
//! Each non-empty cell is classified once; a column's type is the narrowest that holds every class seen:
//! integers alone are `Int64`, integers and decimals `Float64`, dates and date-times the finest timestamp
//! unit seen (a date alone is `Date32`), anything mixed or unrecognised `Utf8`, nothing at all `Null`.
//!
//! One rule of ours on top: a whole number above `i64::MAX` is text to arrow-csv, and such a column used to
//! be widened to `Float64`, losing its last digits without a word (a volume of 18446744073709551615 loaded
//! as 1.8446744073709552e19). A column whose sampled cells (spaces trimmed) are all whole numbers within
//! `u64`, at least one above `i64::MAX`, loads as `UInt64` instead: exact. (A later cell with a fraction
//! still widens it to `Float64`, as for any integer column.)

use std::io::Read;

use arrow_schema::{DataType, Field, Schema, TimeUnit};

/// One cell's class, as a bit of [`Inferred`]'s set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Boolean = 0,
    Integer = 1,
    Decimal = 2,
    Date = 3,
    Seconds = 4,
    Milliseconds = 5,
    Microseconds = 6,
    Nanoseconds = 7,
    Text = 8,
}

/// The classes seen in one column, and whether its cells are all whole numbers within `u64`.
#[derive(Debug, Default, Clone, Copy)]
struct Inferred {
    classes: u16,
    /// A trimmed non-empty cell was not a whole number within `u64`.
    not_unsigned: bool,
    /// A cell was a whole number above `i64::MAX`.
    above_i64: bool,
}

impl Inferred {
    /// Takes one non-empty cell into account.
    fn update(&mut self, cell: &str) {
        self.classes |= 1 << classify(cell) as u16;
        let trimmed = cell.trim();
        if !trimmed.is_empty() {
            match trimmed.parse::<u64>() {
                Ok(value) => self.above_i64 |= value > i64::MAX as u64,
                Err(_) => self.not_unsigned = true,
            }
        }
    }

    /// The type the column loads as: arrow-csv's, or `UInt64` for whole numbers beyond `i64`.
    fn load_type(self) -> DataType {
        let arrow = self.arrow_type();
        let promotable = matches!(arrow, DataType::Float64 | DataType::Int64 | DataType::Utf8);
        if promotable && self.above_i64 && !self.not_unsigned { DataType::UInt64 } else { arrow }
    }

    /// The type arrow-csv's inference gives the column.
    fn arrow_type(self) -> DataType {
        const TEMPORAL: u16 = 0b1111_1000;
        match self.classes {
            0 => DataType::Null,
            0b1 => DataType::Boolean,
            0b10 => DataType::Int64,
            0b100 | 0b110 => DataType::Float64,
            set if set & !TEMPORAL == 0 => match 15 - set.leading_zeros() {
                7 => DataType::Timestamp(TimeUnit::Nanosecond, None),
                6 => DataType::Timestamp(TimeUnit::Microsecond, None),
                5 => DataType::Timestamp(TimeUnit::Millisecond, None),
                4 => DataType::Timestamp(TimeUnit::Second, None),
                _ => DataType::Date32,
            },
            _ => DataType::Utf8,
        }
    }
}

/// The class of one non-empty cell. A quoted cell that still starts with a quote, and an integer too large
/// for `i64`, are text.
fn classify(cell: &str) -> Class {
    let bytes = cell.as_bytes();
    if bytes.first() == Some(&b'"') {
        return Class::Text;
    }
    if cell.eq_ignore_ascii_case("true") || cell.eq_ignore_ascii_case("false") {
        return Class::Boolean;
    }
    let unsigned = bytes.strip_prefix(b"+").or_else(|| bytes.strip_prefix(b"-")).unwrap_or(bytes);
    if !unsigned.is_empty() && unsigned.iter().all(u8::is_ascii_digit) {
        return if cell.len() >= 19 && cell.parse::<i64>().is_err() { Class::Text } else { Class::Integer };
    }
    if is_decimal(unsigned) || matches!(cell, "NaN" | "nan" | "inf" | "-inf") {
        return Class::Decimal;
    }
    temporal(bytes).unwrap_or(Class::Text)
}

/// `1.5`, `.5`, `5.`, `1e-3`, `1.5E+7` (the sign already removed).
fn is_decimal(bytes: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let whole = digits(bytes);
    let mut rest = &bytes[whole..];
    let mut fraction = 0;
    let dotted = rest.first() == Some(&b'.');
    if dotted {
        rest = &rest[1..];
        fraction = digits(rest);
        rest = &rest[fraction..];
    }
    if whole + fraction == 0 {
        return false;
    }
    let exponent = match rest.first() {
        Some(b'e' | b'E') => {
            let after = &rest[1..];
            let after = after.strip_prefix(b"+").or_else(|| after.strip_prefix(b"-")).unwrap_or(after);
            let n = digits(after);
            if n == 0 || n != after.len() {
                return false;
            }
            true
        }
        None => false,
        Some(_) => return false,
    };
    dotted || exponent
}

/// `YYYY-MM-DD` is a date; `YYYY-MM-DD[T ]HH:MM:SS` a date-time whose unit is set by the digits of its
/// fraction (none: seconds, up to 3: milliseconds, 6: microseconds, 9: nanoseconds); anything may follow
/// the seconds or the fraction (a zone) but another digit.
fn temporal(bytes: &[u8]) -> Option<Class> {
    let digits_at = |at: &[usize]| at.iter().all(|&i| bytes.get(i).is_some_and(u8::is_ascii_digit));
    if !digits_at(&[0, 1, 2, 3, 5, 6, 8, 9]) || bytes[4] != b'-' || bytes[7] != b'-' {
        return None;
    }
    if bytes.len() == 10 {
        return Some(Class::Date);
    }
    let time = matches!(bytes[10], b'T' | b' ')
        && digits_at(&[11, 12, 14, 15, 17, 18])
        && bytes.get(13) == Some(&b':')
        && bytes.get(16) == Some(&b':');
    if !time {
        return None;
    }
    match bytes.get(19) {
        None => Some(Class::Seconds),
        Some(b'.') => {
            let fraction = bytes[20..].iter().take_while(|b| b.is_ascii_digit()).count();
            match fraction {
                1..=3 => Some(Class::Milliseconds),
                4..=6 => Some(Class::Microseconds),
                7..=9 => Some(Class::Nanoseconds),
                _ => None,
            }
        }
        Some(b) if b.is_ascii_digit() => None,
        Some(_) => Some(Class::Seconds),
    }
}

/// The schema of the CSV text in `source` (already past any byte order mark) from its first `max_rows`
/// records, and how many records were sampled. Headerless files get `column_1`, `column_2`, ... Empty
/// cells are missing values and do not vote.
///
/// # Errors
///
/// What the CSV reader reports: a record with another number of fields than the first, or an I/O error.
pub(crate) fn infer_schema(
    source: impl Read,
    header: bool,
    delimiter: u8,
    max_rows: usize,
) -> Result<(Schema, usize), ::csv::Error> {
    let (names, columns, rows) = sample(source, header, delimiter, max_rows)?;
    let fields: Vec<Field> =
        names.iter().zip(&columns).map(|(name, column)| Field::new(name, column.load_type(), true)).collect();
    Ok((Schema::new(fields), rows))
}

/// The column names, what each column's first `max_rows` cells showed, and how many records were read.
fn sample(
    source: impl Read,
    header: bool,
    delimiter: u8,
    max_rows: usize,
) -> Result<(Vec<String>, Vec<Inferred>, usize), ::csv::Error> {
    let mut reader = ::csv::ReaderBuilder::new().has_headers(header).delimiter(delimiter).from_reader(source);
    let names: Vec<String> = if header {
        reader.headers()?.iter().map(str::to_string).collect()
    } else {
        (1..=reader.headers()?.len()).map(|i| format!("column_{i}")).collect()
    };
    let mut columns = vec![Inferred::default(); names.len()];
    let mut record = ::csv::StringRecord::new();
    let mut rows = 0;
    while rows < max_rows && reader.read_record(&mut record)? {
        rows += 1;
        for (column, cell) in columns.iter_mut().zip(record.iter()) {
            if !cell.is_empty() {
                column.update(cell);
            }
        }
    }
    Ok((names, columns, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(cells: &[&str]) -> DataType {
        let mut inferred = Inferred::default();
        cells.iter().for_each(|cell| inferred.update(cell));
        inferred.arrow_type()
    }

    #[test]
    fn cells() {
        let table = [
            ("TRUE", Class::Boolean),
            ("false", Class::Boolean),
            ("-12", Class::Integer),
            ("+7", Class::Integer),
            ("9223372036854775807", Class::Integer),
            ("18446744073709551615", Class::Text),
            ("1.5", Class::Decimal),
            (".5", Class::Decimal),
            ("5.", Class::Decimal),
            ("-1e-3", Class::Decimal),
            ("2E+07", Class::Decimal),
            ("NaN", Class::Decimal),
            ("-inf", Class::Decimal),
            ("1e", Class::Text),
            (".", Class::Text),
            ("1.2.3", Class::Text),
            ("Inf", Class::Text),
            ("2024-03-01", Class::Date),
            ("2024-03-01T09:30:00", Class::Seconds),
            ("2024-03-01 09:30:00Z", Class::Seconds),
            ("2024-03-01T09:30:00+01:00", Class::Seconds),
            ("2024-03-01T09:30:00.5", Class::Milliseconds),
            ("2024-03-01T09:30:00.250Z", Class::Milliseconds),
            ("2024-03-01T09:30:00.1234", Class::Microseconds),
            ("2024-03-01T09:30:00.123456789Z", Class::Nanoseconds),
            ("2024-03-01T09:30:00.1234567890", Class::Text),
            ("2024-03-01T09:30", Class::Text),
            ("2024-03-010", Class::Text),
            ("2024/03/01", Class::Text),
            ("\"quoted", Class::Text),
            ("n/a", Class::Text),
        ];
        for (cell, class) in table {
            assert_eq!(classify(cell), class, "{cell:?}");
        }
    }

    #[test]
    fn columns_take_the_narrowest_type_that_holds_every_cell() {
        assert_eq!(column(&[]), DataType::Null);
        assert_eq!(column(&["1", "2"]), DataType::Int64);
        assert_eq!(column(&["1", "2.5"]), DataType::Float64);
        assert_eq!(column(&["NaN", "2.5"]), DataType::Float64);
        assert_eq!(column(&["true", "1"]), DataType::Utf8);
        assert_eq!(column(&["2024-03-01"]), DataType::Date32);
        assert_eq!(
            column(&["2024-03-01", "2024-03-01T09:30:00"]),
            DataType::Timestamp(TimeUnit::Second, None)
        );
        assert_eq!(
            column(&["2024-03-01T09:30:00.1", "2024-03-01T09:30:00.123456"]),
            DataType::Timestamp(TimeUnit::Microsecond, None)
        );
        assert_eq!(column(&["2024-03-01", "7"]), DataType::Utf8);
    }

    #[test]
    fn whole_numbers_beyond_i64_load_as_u64() {
        let load = |cells: &[&str]| {
            let mut inferred = Inferred::default();
            cells.iter().for_each(|cell| inferred.update(cell));
            inferred.load_type()
        };
        assert_eq!(load(&["18446744073709551615", "1"]), DataType::UInt64);
        assert_eq!(load(&[" 9223372036854775808 ", " "]), DataType::UInt64, "spaces trimmed, blanks skipped");
        assert_eq!(load(&["9223372036854775807", "1"]), DataType::Int64, "none above i64::MAX");
        assert_eq!(load(&["18446744073709551616"]), DataType::Utf8, "beyond u64");
        assert_eq!(load(&["18446744073709551615", "1.5"]), DataType::Utf8, "a fraction");
        assert_eq!(load(&["18446744073709551615", "-1"]), DataType::Utf8, "a negative number");
    }

    #[test]
    fn a_sample_counts_rows_and_names_headerless_columns() {
        let text = "1,2.5,x\n,3,y\n4,,z\n";
        let (schema, rows) = infer_schema(text.as_bytes(), false, b',', 2).unwrap();
        assert_eq!(rows, 2);
        let fields: Vec<(&str, &DataType)> =
            schema.fields().iter().map(|f| (f.name().as_str(), f.data_type())).collect();
        assert_eq!(
            fields,
            [("column_1", &DataType::Int64), ("column_2", &DataType::Float64), ("column_3", &DataType::Utf8)]
        );
        let ragged = infer_schema("a,b\n1,2\n3\n".as_bytes(), true, b',', 10).unwrap_err();
        assert!(matches!(ragged.kind(), ::csv::ErrorKind::UnequalLengths { .. }), "{ragged}");
    }

    /// Cells near every class boundary: signs, exponents, fractions of 0-10 digits, zones, quotes, words.
    fn cell() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop_oneof![
            "[+-]?[0-9]{1,20}",
            "[+-]?[0-9]{0,4}[.]?[0-9]{0,4}([eE][+-]?[0-9]{0,3})?",
            "(true|false|TRUE|False|NaN|nan|inf|-inf|Inf|n/a)",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}",
            "[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{0,10})?)?(Z|[+-][0-9]{2}:[0-9]{2}|x|5)?",
            "[a-z\"]{1,4}",
        ]
    }

    proptest::proptest! {
        /// Our inference gives the type arrow-csv's (regex-based) gives, for every column of random cells:
        /// files that loaded before load with the same column types.
        #[test]
        fn agrees_with_arrow_csv(columns in proptest::collection::vec(proptest::collection::vec(cell(), 1..6), 1..4)) {
            let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
            let mut text = (1..=columns.len()).map(|i| format!("c{i}")).collect::<Vec<_>>().join(",") + "\n";
            for row in 0..rows {
                let cells: Vec<String> = columns
                    .iter()
                    .map(|column| column.get(row).map_or(String::new(), |cell| format!("\"{}\"", cell.replace('"', "\"\""))))
                    .collect();
                text += &(cells.join(",") + "\n");
            }
            let (names, columns, sampled) = sample(text.as_bytes(), true, b',', 100).unwrap();
            let ours = Schema::new(
                names.iter().zip(&columns).map(|(n, c)| Field::new(n, c.arrow_type(), true)).collect::<Vec<_>>(),
            );
            let format = arrow_csv::reader::Format::default().with_header(true).with_delimiter(b',');
            let (reference, reference_rows) = format.infer_schema(text.as_bytes(), Some(100)).unwrap();
            proptest::prop_assert_eq!(sampled, reference_rows);
            proptest::prop_assert_eq!(ours, reference, "{}", text);
        }
    }
}
