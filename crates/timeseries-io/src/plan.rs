//! Deciding, from a file's column names and types, which column holds the time, which value columns to
//! load under which names, and which to drop.

use arrow_schema::{DataType, Schema};
use timeseries_array::{TIMESTAMP_COLUMN, ValueType};

use crate::error::LoadError;
use crate::names::{canonical_name, is_date_name, is_time_name, is_timestamp_name};
use crate::{LoadOptions, Rename};

/// A value column to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Planned {
    /// Its index in the file's schema.
    pub(crate) index: usize,
    /// Its name in the file.
    pub(crate) file_name: String,
    /// Its name in the frame.
    pub(crate) name: String,
    /// Its type in the frame.
    pub(crate) value_type: ValueType,
    /// A date or timestamp column of the file (not the index, e.g. a label end `t1`), loaded as `i64`
    /// nanoseconds since the epoch (UTC).
    pub(crate) datetime: bool,
}

impl Planned {
    /// The file's `array` of this column as the frame holds it: as it is, or a date or timestamp column
    /// as `i64` nanoseconds ([`timeseries_array::datetime_values_in_nanoseconds`]). `locate` turns a row of
    /// `array` into a place in the file.
    ///
    /// # Errors
    ///
    /// A date-time outside the nanosecond range (`9999-12-31`), named by place and column: never a null.
    pub(crate) fn frame_values(
        &self,
        file: &str,
        array: &dyn arrow_array::Array,
        locate: &dyn Fn(usize) -> crate::Location,
    ) -> Result<arrow_array::ArrayRef, LoadError> {
        if !self.datetime {
            return Ok(arrow_array::make_array(array.to_data()));
        }
        match timeseries_array::datetime_values_in_nanoseconds(array) {
            Some(Ok(nanos)) => Ok(std::sync::Arc::new(nanos)),
            Some(Err(out)) => Err(LoadError::Unparseable {
                file: file.to_string(),
                location: locate(out.row),
                column: self.file_name.clone(),
                value: format!("{} ({})", out.value, out.data_type),
                expected: "a date-time in the nanosecond range (years 1677 to 2262)".to_string(),
            }),
            None => Err(LoadError::NonNumericColumn {
                file: file.to_string(),
                column: self.file_name.clone(),
                found: array.data_type().to_string(),
            }),
        }
    }
}

/// What to read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    /// The timestamp (or date) column's index.
    pub(crate) ts: usize,
    /// The time-of-day column's index, for separate date and time columns.
    pub(crate) time: Option<usize>,
    /// The value columns, in frame order.
    pub(crate) values: Vec<Planned>,
    /// Columns renamed to canonical names.
    pub(crate) renamed: Vec<Rename>,
    /// Non-numeric columns left out.
    pub(crate) dropped: Vec<String>,
}

impl Plan {
    /// The timestamp column's name as reports show it (`date+time` for two columns).
    pub(crate) fn ts_name(&self, schema: &Schema) -> String {
        let name = schema.field(self.ts).name().clone();
        match self.time {
            Some(time) => format!("{name}+{}", schema.field(time).name()),
            None => name,
        }
    }
}

/// Plans a load. `value_type` maps a file type to the frame type it loads as (`None`: not numeric).
pub(crate) fn plan(
    file: &str,
    schema: &Schema,
    options: &LoadOptions,
    value_type: &dyn Fn(&DataType) -> Option<ValueType>,
) -> Result<Plan, LoadError> {
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    // Names from the file are quoted in errors with control characters escaped.
    let available = || timeseries_array::printable(&names.join(", ")).into_owned();
    let find = |wanted: &str| -> Option<usize> {
        names
            .iter()
            .position(|n| *n == wanted)
            .or_else(|| names.iter().position(|n| n.eq_ignore_ascii_case(wanted)))
    };
    let missing_ts = |detail: String| LoadError::MissingTimestampColumn {
        file: file.to_string(),
        detail,
        available: available(),
    };
    let (ts, time) = if let Some((date, time)) = &options.date_time_columns {
        let date_idx = find(date).ok_or_else(|| missing_ts(format!(" named `{date}`")))?;
        let time_idx = find(time).ok_or_else(|| missing_ts(format!(" named `{time}`")))?;
        (date_idx, Some(time_idx))
    } else if let Some(name) = &options.timestamp_column {
        (find(name).ok_or_else(|| missing_ts(format!(" named `{name}`")))?, None)
    } else {
        let date = names.iter().position(|n| is_date_name(n));
        let time = names.iter().position(|n| is_time_name(n));
        match (date, time) {
            (Some(d), Some(t)) if !is_datetime_type(schema.field(t).data_type()) => (d, Some(t)),
            _ => {
                let by_name = names.iter().position(|n| is_timestamp_name(n));
                let by_type = || schema.fields().iter().position(|f| is_datetime_type(f.data_type()));
                let idx = by_name.or_else(by_type).ok_or_else(|| {
                    missing_ts(" could be recognised (name it in LoadOptions::timestamp_column)".to_string())
                })?;
                (idx, None)
            }
        }
    };
    if let Some(time) = time {
        let (date_field, time_field) = (schema.field(ts), schema.field(time));
        crate::date_time::check_types(date_field.data_type(), time_field.data_type()).map_err(|reason| {
            LoadError::DateTimeColumns {
                file: file.to_string(),
                date: timeseries_array::printable(date_field.name()).into_owned(),
                time: timeseries_array::printable(time_field.name()).into_owned(),
                reason,
            }
        })?;
    }
    let is_ts = |i: usize| i == ts || Some(i) == time;
    let mut plan = Plan { ts, time, values: Vec::new(), renamed: Vec::new(), dropped: Vec::new() };
    let wanted: Vec<usize> = match &options.columns {
        Some(columns) => columns
            .iter()
            .map(|c| {
                find(c)
                    .or_else(|| names.iter().position(|n| canonical_name(n) == Some(c.as_str())))
                    .ok_or_else(|| LoadError::UnknownColumn {
                        file: file.to_string(),
                        column: c.clone(),
                        available: available(),
                    })
            })
            .collect::<Result<_, _>>()?,
        None => (0..names.len()).filter(|&i| !is_ts(i)).collect(),
    };
    for index in wanted {
        let field = schema.field(index);
        let datetime = value_type(field.data_type()).is_none() && is_datetime_type(field.data_type());
        let Some(vt) = value_type(field.data_type()).or(datetime.then_some(ValueType::Int64)) else {
            if options.columns.is_some() {
                return Err(LoadError::NonNumericColumn {
                    file: file.to_string(),
                    column: timeseries_array::printable(field.name()).into_owned(),
                    found: field.data_type().to_string(),
                });
            }
            plan.dropped.push(field.name().clone());
            continue;
        };
        // Columns keep the file's names, case included (`Close` stays `Close`, as a pandas or polars frame of
        // the same file would have it); OHLCV names are only recognised (`columns=["close"]` finds `Close`).
        // The one rename: a value column named as the index is given another name.
        let file_name = field.name().clone();
        let mut name = file_name.clone();
        if name == TIMESTAMP_COLUMN {
            name = format!("{name}_value");
        }
        if name != file_name {
            plan.renamed.push(Rename { from: file_name.clone(), to: name.clone() });
        }
        plan.values.push(Planned { index, file_name, name, value_type: vt, datetime });
    }
    Ok(plan)
}

fn is_datetime_type(data_type: &DataType) -> bool {
    matches!(data_type, DataType::Timestamp(..) | DataType::Date32 | DataType::Date64)
}

#[cfg(test)]
mod tests {
    use arrow_schema::Field;

    use super::*;

    fn schema(fields: &[(&str, DataType)]) -> Schema {
        Schema::new(fields.iter().map(|(n, t)| Field::new(*n, t.clone(), true)).collect::<Vec<_>>())
    }

    #[test]
    fn yahoo_header() {
        let s = schema(&[
            ("Date", DataType::Date32),
            ("Open", DataType::Float64),
            ("Adj Close", DataType::Float64),
            ("Symbol", DataType::Utf8),
            ("Volume", DataType::Int64),
        ]);
        let plan = plan("f.csv", &s, &LoadOptions::default(), &ValueType::from_arrow).unwrap();
        assert_eq!(plan.ts, 0);
        let names: Vec<_> = plan.values.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Open", "Adj Close", "Volume"], "the file's names, case included");
        assert!(plan.renamed.is_empty());
        assert_eq!(plan.dropped, ["Symbol"]);
        let asked =
            LoadOptions { columns: Some(vec!["close".into(), "adj_close".into()]), ..LoadOptions::default() };
        let s = schema(&[
            ("Date", DataType::Date32),
            ("Close", DataType::Float64),
            ("Adj Close", DataType::Float64),
        ]);
        let projected = super::plan("f.csv", &s, &asked, &ValueType::from_arrow).unwrap();
        let names: Vec<_> = projected.values.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Close", "Adj Close"], "OHLCV names are recognised, not renamed");
    }

    #[test]
    fn separate_date_and_time() {
        let s = schema(&[("Date", DataType::Utf8), ("Time", DataType::Utf8), ("Close", DataType::Float64)]);
        let plan = plan("f.csv", &s, &LoadOptions::default(), &ValueType::from_arrow).unwrap();
        assert_eq!((plan.ts, plan.time), (0, Some(1)));
    }
}
