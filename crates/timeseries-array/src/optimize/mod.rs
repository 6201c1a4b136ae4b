//! Lossless column-type optimisation: narrower integers, exact `f32`, dictionary strings, with a report.
//!
//! The seed's `optimize_dataframe_memory` cast every float64 to float32 (changing values silently) and
//! rewrote the caller's frame. Here the input is never touched (new arrays are returned) and no value
//! changes unless the caller asks for lossy floats, in which case the report gives the largest error.
//!
//! ```
//! use std::sync::Arc;
//!
//! use arrow_array::{ArrayRef, Float64Array, Int64Array};
//! use arrow_schema::DataType;
//! use timeseries_array::optimize::{OptimizeOptions, optimize_array};
//!
//! let ints: ArrayRef = Arc::new(Int64Array::from(vec![1, 200, 3]));
//! let (narrow, change) = optimize_array("qty", &ints, &OptimizeOptions::default()).unwrap();
//! assert_eq!(narrow.data_type(), &DataType::UInt8);
//! assert!(change.after_bytes < change.before_bytes);
//!
//! // 0.1 has no exact f32: the column stays f64 unless lossy floats are allowed.
//! let prices: ArrayRef = Arc::new(Float64Array::from(vec![0.5, 0.1]));
//! let (kept, _) = optimize_array("price", &prices, &OptimizeOptions::default()).unwrap();
//! assert_eq!(kept.data_type(), &DataType::Float64);
//! ```

mod dictionary;
mod float;
mod integer;

use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{ArrowError, DataType, Field, Schema};
use serde::Serialize;

use std::fmt::{self, Display, Formatter};

use memtrack::format_bytes;

use crate::FrameError;

/// What the optimiser may do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OptimizeOptions {
    /// Narrow integer columns to the smallest type holding their range (signed or unsigned).
    pub integers: bool,
    /// What to do with `Float64` columns.
    pub floats: FloatPolicy,
    /// Turn string columns with repeated values into dictionary columns when that is smaller.
    pub dictionary: bool,
}

impl Default for OptimizeOptions {
    /// Everything lossless: integers, exact floats, dictionaries.
    fn default() -> Self {
        Self { integers: true, floats: FloatPolicy::Exact, dictionary: true }
    }
}

/// How `Float64` columns may narrow to `Float32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub enum FloatPolicy {
    /// Leave floats alone.
    Keep,
    /// Narrow only columns where every value round-trips exactly (NaN payloads aside).
    #[default]
    Exact,
    /// Narrow every column whose values fit the `f32` range, rounding; the report gives the largest
    /// absolute error. Columns with finite values beyond `f32::MAX` stay `Float64`.
    Lossy,
}

/// What happened to one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnChange {
    /// Column name.
    pub column: String,
    /// Type before, as Arrow writes it.
    pub from_type: String,
    /// Type after (the same as `from_type` when the column was kept).
    pub to_type: String,
    /// Arrow buffer bytes before (`Array::get_buffer_memory_size`).
    pub before_bytes: u64,
    /// Arrow buffer bytes after.
    pub after_bytes: u64,
    /// Largest absolute change of a value; `Some` only for lossy float narrowing.
    pub max_abs_error: Option<f64>,
    /// Why the column was kept or how it changed, in words.
    pub note: String,
}

impl ColumnChange {
    /// True when the column's type changed.
    pub fn changed(&self) -> bool {
        self.from_type != self.to_type
    }

    fn kept(column: &str, array: &dyn Array, note: impl Into<String>) -> Self {
        let bytes = array.get_buffer_memory_size() as u64;
        Self {
            column: column.to_owned(),
            from_type: array.data_type().to_string(),
            to_type: array.data_type().to_string(),
            before_bytes: bytes,
            after_bytes: bytes,
            max_abs_error: None,
            note: note.into(),
        }
    }

    fn converted(column: &str, before: &dyn Array, after: &dyn Array, note: impl Into<String>) -> Self {
        Self {
            column: column.to_owned(),
            from_type: before.data_type().to_string(),
            to_type: after.data_type().to_string(),
            before_bytes: before.get_buffer_memory_size() as u64,
            after_bytes: after.get_buffer_memory_size() as u64,
            max_abs_error: None,
            note: note.into(),
        }
    }
}

/// The per-column changes of one optimisation run.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct OptimizeReport {
    /// One entry per column, in column order.
    pub columns: Vec<ColumnChange>,
}

impl OptimizeReport {
    /// Bytes of all columns before.
    pub fn before_bytes(&self) -> u64 {
        self.columns.iter().map(|c| c.before_bytes).sum()
    }

    /// Bytes of all columns after.
    pub fn after_bytes(&self) -> u64 {
        self.columns.iter().map(|c| c.after_bytes).sum()
    }

    /// True when no value changed (no column was narrowed lossily).
    pub fn is_lossless(&self) -> bool {
        self.columns.iter().all(|c| c.max_abs_error.is_none_or(|e| e == 0.0))
    }
}

/// Returns an optimised copy of `array` (or `array` itself, shared, when nothing applies) and what changed.
/// `column` names it in the report and in errors.
///
/// # Errors
///
/// [`FrameError::Optimize`] if Arrow refuses to build the new column (not expected for valid input).
pub fn optimize_array(
    column: &str,
    array: &ArrayRef,
    options: &OptimizeOptions,
) -> Result<(ArrayRef, ColumnChange), FrameError> {
    let arrow_err = |source: ArrowError| FrameError::Optimize {
        column: column.to_owned(),
        source: crate::Cause::new(source),
    };
    let outcome = match array.data_type() {
        dt if dt.is_integer() && options.integers => integer::narrow(array.as_ref()),
        DataType::Float64 if options.floats != FloatPolicy::Keep => {
            float::narrow(array.as_ref(), options.floats == FloatPolicy::Lossy)
        }
        DataType::Utf8 | DataType::LargeUtf8 if options.dictionary => {
            dictionary::encode(array.as_ref()).map_err(arrow_err)?
        }
        _ => Outcome::Kept("type not handled or disabled".to_owned()),
    };
    Ok(match outcome {
        Outcome::Kept(note) => (array.clone(), ColumnChange::kept(column, array.as_ref(), note)),
        Outcome::Changed { array: after, note, max_abs_error } => {
            let mut change = ColumnChange::converted(column, array.as_ref(), after.as_ref(), note);
            change.max_abs_error = max_abs_error;
            (after, change)
        }
    })
}

/// [`optimize_array`] over every column of `batch`; returns a new batch (same names, nullability and
/// metadata; new types) and the report. Types the optimiser does not handle (timestamps, for one) are kept.
///
/// # Errors
///
/// [`FrameError::Optimize`] naming the column Arrow refused, or `"<batch>"` if the new batch is refused.
pub fn optimize_batch(
    batch: &RecordBatch,
    options: &OptimizeOptions,
) -> Result<(RecordBatch, OptimizeReport), FrameError> {
    let schema = batch.schema();
    let mut fields = Vec::with_capacity(schema.fields().len());
    let mut columns = Vec::with_capacity(schema.fields().len());
    let mut report = OptimizeReport::default();
    for (field, array) in schema.fields().iter().zip(batch.columns()) {
        let (after, change) = optimize_array(field.name(), array, options)?;
        fields.push(Field::clone(field).with_data_type(after.data_type().clone()));
        columns.push(after);
        report.columns.push(change);
    }
    let schema = Schema::new_with_metadata(fields, schema.metadata().clone());
    let batch = RecordBatch::try_new(schema.into(), columns).map_err(|source: ArrowError| {
        FrameError::Optimize { column: "<batch>".to_owned(), source: crate::Cause::new(source) }
    })?;
    Ok((batch, report))
}

/// What a narrowing step decided.
pub(crate) enum Outcome {
    /// Keep the column; the note says why.
    Kept(String),
    /// Use the new array.
    Changed { array: ArrayRef, note: String, max_abs_error: Option<f64> },
}

impl Display for OptimizeReport {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let name_width = self
            .columns
            .iter()
            .map(|c| c.column.len())
            .chain(["column".len(), "all".len()])
            .max()
            .unwrap_or(0);
        let type_width = |pick: fn(&ColumnChange) -> &str, header: &str| {
            self.columns.iter().map(|c| pick(c).len()).chain([header.len()]).max().unwrap_or(0)
        };
        let from_width = type_width(|c| &c.from_type, "from");
        let to_width = type_width(|c| &c.to_type, "to");
        let line = |name: &str, from: &str, to: &str, before: String, after: String, note: &str| {
            format!(
                "{name:<name_width$}  {from:<from_width$}  {to:<to_width$}  {before:>10}  {after:>10}  {note}"
            )
        };
        let header = line("column", "from", "to", "before".to_owned(), "after".to_owned(), "note");
        writeln!(f, "{}", header.trim_end())?;
        for c in &self.columns {
            let row = line(
                &c.column,
                &c.from_type,
                &c.to_type,
                format_bytes(c.before_bytes),
                format_bytes(c.after_bytes),
                &c.note,
            );
            writeln!(f, "{}", row.trim_end())?;
        }
        let verdict = if self.is_lossless() { "lossless" } else { "LOSSY: some values changed, see notes" };
        let total =
            line("all", "", "", format_bytes(self.before_bytes()), format_bytes(self.after_bytes()), verdict);
        writeln!(f, "{}", total.trim_end())
    }
}
