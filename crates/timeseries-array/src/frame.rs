//! `TimeFrame`: a timestamp index plus named numeric columns, as one Arrow `RecordBatch`.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Float64Type, Int64Type, TimestampNanosecondType};
use arrow_array::{Array, ArrayRef, RecordBatch, TimestampNanosecondArray, make_array};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, ScalarBuffer};
use arrow_data::ArrayData;
use arrow_data::transform::MutableArrayData;
use arrow_schema::{DataType, Field, Metadata, Schema, SchemaRef, TimeUnit};
use memtrack::{BufferSet, Footprint};

use crate::index::index_field;
use crate::{FrameError, INDEX_METADATA_KEY, IndexLabel, TimeSeriesArray, TimestampNs, ValueType, value_f64};

/// The name of the timestamp index column in a frame's Arrow schema.
pub const TIMESTAMP_COLUMN: &str = "timestamp";

/// A timestamp index (i64 nanoseconds since the epoch, strictly increasing; naive or in a time zone, see
/// [`TimeFrame::index_zone`]) with named numeric columns.
///
/// Cloning and slicing are O(columns): they share the Arrow buffers. Use [`TimeFrame::deep_copy`] for an
/// independent copy.
///
/// # Invariants
///
/// Every column has as many rows as the index; every value column has a [`ValueType`]; the index has no
/// nulls and is strictly increasing (no duplicates). All constructors check this.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeFrame {
    /// Column 0 is the index, named [`TIMESTAMP_COLUMN`], of type `Timestamp(Nanosecond, zone)`; the
    /// schema metadata may record the index's original name and unit ([`crate::IndexLabel`]).
    batch: RecordBatch,
}

impl TimeFrame {
    /// Builds a frame from timestamps and named value columns.
    ///
    /// # Errors
    ///
    /// A column of another length, an unsupported type, a repeated column name, or timestamps that are not
    /// strictly increasing (the error names the first offending row).
    pub fn try_new(
        timestamps: impl Into<ScalarBuffer<i64>>,
        columns: Vec<(String, ArrayRef)>,
    ) -> Result<Self, FrameError> {
        let index: ArrayRef =
            Arc::new(TimestampNanosecondArray::new(timestamps.into(), None).with_timezone("UTC"));
        let mut fields = Vec::with_capacity(columns.len() + 1);
        let mut arrays = Vec::with_capacity(columns.len() + 1);
        fields.push(index_field(Some("UTC".into())));
        arrays.push(index);
        for (name, array) in columns {
            fields.push(Field::new(name, array.data_type().clone(), true));
            arrays.push(array);
        }
        Self::validated(fields, arrays, Metadata::default(), true)
    }

    /// Builds a frame from an Arrow record batch whose column `timestamp_column` is the index (a nanosecond
    /// `Timestamp`, whose zone or naivety the frame keeps, or `Int64` nanoseconds since the epoch, taken as
    /// UTC). The index becomes column 0, named `timestamp`; the other columns keep their order and names. The
    /// index's original name is kept as its [`IndexLabel`](crate::IndexLabel) (or the label the batch's
    /// metadata already records). No values are copied.
    ///
    /// # Errors
    ///
    /// As [`TimeFrame::try_new`], plus a missing or mistyped timestamp column.
    pub fn try_from_record_batch(batch: &RecordBatch, timestamp_column: &str) -> Result<Self, FrameError> {
        Self::from_record_batch_checking(batch, timestamp_column, true)
    }

    /// As [`TimeFrame::try_from_record_batch`], but trusts that the index strictly increases instead of
    /// reading it: O(columns) instead of O(rows). Only for batches whose order was checked when they were
    /// written by this library (a shared-memory segment published from a `TimeFrame` records that); every
    /// other check still runs. A batch that breaks the promise gives a frame whose splits and cursors are
    /// wrong (never undefined behaviour).
    ///
    /// # Errors
    ///
    /// As [`TimeFrame::try_from_record_batch`], except for the order of the index.
    pub fn try_from_record_batch_trusting_order(
        batch: &RecordBatch,
        timestamp_column: &str,
    ) -> Result<Self, FrameError> {
        Self::from_record_batch_checking(batch, timestamp_column, false)
    }

    fn from_record_batch_checking(
        batch: &RecordBatch,
        timestamp_column: &str,
        check_order: bool,
    ) -> Result<Self, FrameError> {
        let schema = batch.schema();
        let Some(ts_idx) = schema.fields().iter().position(|f| f.name() == timestamp_column) else {
            return Err(unknown_column(timestamp_column, schema.fields().iter().map(|f| f.name().as_str())));
        };
        let ts = batch.column(ts_idx);
        let (values, zone) = match ts.data_type() {
            DataType::Timestamp(TimeUnit::Nanosecond, zone) => {
                (ts.as_primitive::<TimestampNanosecondType>().values().clone(), zone.clone())
            }
            DataType::Int64 => (ts.as_primitive::<Int64Type>().values().clone(), Some("UTC".into())),
            other => {
                return Err(FrameError::UnsupportedTimestampType {
                    column: timestamp_column.to_string(),
                    found: other.to_string(),
                });
            }
        };
        if let Some(row) = ts.nulls().and_then(|n| (0..n.len()).find(|&i| n.is_null(i))) {
            return Err(FrameError::NullTimestamp { row });
        }
        let mut fields = vec![index_field(zone.clone())];
        let mut arrays: Vec<ArrayRef> =
            vec![Arc::new(TimestampNanosecondArray::new(values, None).with_timezone_opt(zone))];
        for (i, (field, array)) in schema.fields().iter().zip(batch.columns()).enumerate() {
            if i != ts_idx {
                fields.push(field.as_ref().clone().with_nullable(true));
                arrays.push(array.clone());
            }
        }
        let label = IndexLabel::from_metadata(schema.metadata()).unwrap_or(IndexLabel {
            name: Some(timestamp_column.to_string()),
            unit: TimeUnit::Nanosecond,
            freq: None,
        });
        let mut metadata = Metadata::default();
        if label != IndexLabel::default() {
            metadata.insert(INDEX_METADATA_KEY.to_string(), label.to_json());
        }
        Self::validated(fields, arrays, metadata, check_order)
    }

    fn validated(
        fields: Vec<Field>,
        arrays: Vec<ArrayRef>,
        metadata: Metadata,
        check_order: bool,
    ) -> Result<Self, FrameError> {
        let n_rows = arrays[0].len();
        for (i, (field, array)) in fields.iter().zip(&arrays).enumerate().skip(1) {
            if array.len() != n_rows {
                return Err(FrameError::LengthMismatch {
                    column: field.name().clone(),
                    expected: n_rows,
                    found: array.len(),
                });
            }
            if ValueType::from_arrow(array.data_type()).is_none() {
                return Err(FrameError::UnsupportedType {
                    column: field.name().clone(),
                    found: array.data_type().to_string(),
                });
            }
            if field.name() == TIMESTAMP_COLUMN || fields[..i].iter().any(|f| f.name() == field.name()) {
                return Err(FrameError::DuplicateColumn { column: field.name().clone() });
            }
        }
        if check_order {
            check_strictly_increasing(arrays[0].as_primitive::<TimestampNanosecondType>().values())?;
        }
        let batch = RecordBatch::try_new(Arc::new(Schema::new_with_metadata(fields, metadata)), arrays)?;
        Ok(Self { batch })
    }

    /// Wraps a batch that already is a valid frame's (the same columns with another schema's metadata or
    /// index zone).
    pub(crate) fn from_valid_batch(batch: RecordBatch) -> Self {
        Self { batch }
    }

    /// The frame's record batch, by value (column 0 is the index).
    pub fn into_record_batch(self) -> RecordBatch {
        self.batch
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.batch.num_rows()
    }

    /// True when the frame has no rows.
    pub fn is_empty(&self) -> bool {
        self.n_rows() == 0
    }

    /// Number of value columns (the index not counted).
    pub fn n_columns(&self) -> usize {
        self.batch.num_columns() - 1
    }

    /// The timestamp index, nanoseconds since the epoch (UTC).
    pub fn timestamps(&self) -> &[TimestampNs] {
        self.batch.column(0).as_primitive::<TimestampNanosecondType>().values()
    }

    /// The first timestamp, if any row exists.
    pub fn first_timestamp(&self) -> Option<TimestampNs> {
        self.timestamps().first().copied()
    }

    /// The last timestamp, if any row exists.
    pub fn last_timestamp(&self) -> Option<TimestampNs> {
        self.timestamps().last().copied()
    }

    /// The value column names, in order.
    pub fn column_names(&self) -> Vec<&str> {
        self.batch.schema_ref().fields()[1..].iter().map(|f| f.name().as_str()).collect()
    }

    /// The position of a value column (0-based, the index not counted). Names match exactly, or else
    /// ignoring case when only one column matches that way (`Close` finds `close`), see [`find_column`].
    ///
    /// # Errors
    ///
    /// [`FrameError::UnknownColumn`], listing the names the frame has.
    pub fn column_index(&self, name: &str) -> Result<usize, FrameError> {
        let fields = &self.batch.schema_ref().fields()[1..];
        find_column(fields.iter().map(|f| f.name().as_str()), name)
            .ok_or_else(|| unknown_column(name, fields.iter().map(|f| f.name().as_str())))
    }

    /// A value column by position (0-based, the index not counted).
    ///
    /// # Panics
    ///
    /// If `column_idx >= self.n_columns()`.
    pub fn column_at(&self, column_idx: usize) -> &ArrayRef {
        self.batch.column(column_idx + 1)
    }

    /// A value column by name.
    ///
    /// # Errors
    ///
    /// [`FrameError::UnknownColumn`].
    pub fn column(&self, name: &str) -> Result<&ArrayRef, FrameError> {
        Ok(self.column_at(self.column_index(name)?))
    }

    /// The value type of a column by position.
    ///
    /// # Panics
    ///
    /// If `column_idx >= self.n_columns()`.
    pub fn value_type(&self, column_idx: usize) -> ValueType {
        ValueType::from_arrow(self.column_at(column_idx).data_type()).expect("checked at construction")
    }

    /// The values of an `f64` column as a slice (no copy). Nulls, if any, read as whatever the buffer holds;
    /// check [`Array::null_count`] on [`TimeFrame::column`] when the column may have nulls.
    ///
    /// # Errors
    ///
    /// An unknown column, or a column of another type.
    pub fn f64_column(&self, name: &str) -> Result<&[f64], FrameError> {
        let array = self.column(name)?;
        match array.data_type() {
            DataType::Float64 => Ok(array.as_primitive::<Float64Type>().values()),
            other => Err(FrameError::WrongType {
                column: name.to_string(),
                expected: "f64".to_string(),
                found: ValueType::from_arrow(other).map_or_else(|| other.to_string(), |v| v.to_string()),
            }),
        }
    }

    /// The value at (`column_idx`, `row`) as `f64`; `None` for a null or out-of-bounds position.
    pub fn value_f64(&self, column_idx: usize, row: usize) -> Option<f64> {
        self.batch.columns().get(column_idx + 1).and_then(|a| value_f64(a.as_ref(), row))
    }

    /// The first row whose timestamp is at or after `timestamp` (`n_rows()` if none is). Binary search.
    pub fn locate(&self, timestamp: TimestampNs) -> usize {
        self.timestamps().partition_point(|&t| t < timestamp)
    }

    /// The rows `range`, sharing this frame's buffers: O(columns) time and memory, no values copied.
    ///
    /// # Errors
    ///
    /// [`FrameError::RangeOutOfBounds`] if the range is reversed or reaches past the last row.
    pub fn slice(&self, range: Range<usize>) -> Result<Self, FrameError> {
        if range.start > range.end || range.end > self.n_rows() {
            return Err(FrameError::RangeOutOfBounds { range, n_rows: self.n_rows() });
        }
        Ok(Self { batch: self.batch.slice(range.start, range.len()) })
    }

    /// An independent copy: every visible value is copied into new buffers (only the rows of this frame,
    /// not the whole allocation a slice points into).
    pub fn deep_copy(&self) -> Self {
        let columns = self.batch.columns().iter().map(|a| copy_array(a.as_ref())).collect();
        let batch = RecordBatch::try_new(self.batch.schema(), columns).expect("same schema and lengths");
        Self { batch }
    }

    /// The frame as an Arrow record batch (column 0 is the index). Cheap: shares the buffers.
    pub fn record_batch(&self) -> &RecordBatch {
        &self.batch
    }

    /// The Arrow schema (column 0 is the index).
    pub fn schema(&self) -> SchemaRef {
        self.batch.schema()
    }

    /// One value column with the index, as a [`TimeSeriesArray`] (no copy).
    ///
    /// # Errors
    ///
    /// [`FrameError::UnknownColumn`].
    pub fn series(&self, name: &str) -> Result<TimeSeriesArray, FrameError> {
        let idx = self.column_index(name)?;
        TimeSeriesArray::try_new(
            name,
            self.batch.column(0).as_primitive::<TimestampNanosecondType>().values().clone(),
            self.column_at(idx).clone(),
        )
    }

    /// Adds the allocations behind every column to `set`. A buffer counts as shared if another handle
    /// (another frame, a slice, a view) keeps it alive too.
    pub fn add_buffers_to(&self, set: &mut BufferSet) {
        for array in self.batch.columns() {
            let holder_shared = Arc::strong_count(array) > 1;
            for buffer in array_buffers(array.as_ref()) {
                set.insert_with(buffer, holder_shared);
            }
        }
    }

    /// What this frame keeps alive, measured from its buffers: each allocation counted once, owned when
    /// no other handle holds it.
    pub fn footprint(&self) -> Footprint {
        let mut set = BufferSet::new();
        self.add_buffers_to(&mut set);
        set.footprint()
    }

    /// Bytes of the visible values (rows times value widths, index included), whatever allocation they sit
    /// in. This is what a deep copy of the frame costs.
    pub fn visible_bytes(&self) -> u64 {
        let per_row: usize =
            8 + (0..self.n_columns()).map(|c| self.value_type(c).byte_width()).sum::<usize>();
        (per_row * self.n_rows()) as u64
    }
}

pub(crate) fn unknown_column<'a>(name: &str, available: impl Iterator<Item = &'a str>) -> FrameError {
    FrameError::UnknownColumn {
        column: name.to_string(),
        available: available.collect::<Vec<_>>().join(", "),
    }
}

/// Checks that `timestamps` strictly increase; the error names the first row that does not.
pub(crate) fn check_strictly_increasing(timestamps: &[i64]) -> Result<(), FrameError> {
    match timestamps.windows(2).position(|w| w[1] <= w[0]) {
        None => Ok(()),
        Some(i) => {
            let (previous, timestamp) = (timestamps[i], timestamps[i + 1]);
            Err(if previous == timestamp {
                FrameError::DuplicateTimestamp { row: i + 1, timestamp }
            } else {
                FrameError::UnsortedTimestamps { row: i + 1, timestamp, previous }
            })
        }
    }
}

/// A copy of `array`'s visible values (and validity bits) in new buffers: one `memcpy` per buffer into
/// fresh memory that asks for huge pages when large ([`memtrack::copy_to_buffer`]), so a deep copy runs
/// at memory speed.
fn copy_array(array: &dyn Array) -> ArrayRef {
    let values = match array.data_type() {
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            Some(array.as_primitive::<TimestampNanosecondType>().values().inner())
        }
        _ => crate::values_buffer(array),
    };
    let Some(values) = values else {
        // Not a frame column type (never reached for a valid frame): Arrow's generic copy.
        let data = array.to_data();
        let mut copy = MutableArrayData::new(vec![&data], false, data.len());
        copy.try_extend(0, 0, data.len()).expect("a copy of one array cannot overflow its offsets");
        return make_array(copy.freeze());
    };
    let nulls = array.nulls().filter(|n| n.null_count() > 0).map(|nulls| {
        let bits = memtrack::copy_to_buffer(nulls.inner().sliced().as_slice());
        NullBuffer::new(BooleanBuffer::new(bits, 0, nulls.len()))
    });
    let data = ArrayData::builder(array.data_type().clone())
        .len(array.len())
        .add_buffer(memtrack::copy_to_buffer(values.as_slice()))
        .nulls(nulls)
        .build()
        .expect("the same type, length and buffer sizes as a valid array");
    make_array(data)
}

/// The values buffer and (if any) the validity buffer of a primitive array, borrowed (no `Arc` clone, so
/// strong counts stay honest while we look).
pub(crate) fn array_buffers(array: &dyn Array) -> Vec<&Buffer> {
    let values = match array.data_type() {
        DataType::Timestamp(TimeUnit::Nanosecond, _) => {
            array.as_primitive::<TimestampNanosecondType>().values().inner()
        }
        _ => match crate::values_buffer(array) {
            Some(values) => values,
            None => return Vec::new(),
        },
    };
    let mut buffers = vec![values];
    if let Some(nulls) = array.nulls() {
        buffers.push(nulls.inner().inner());
    }
    buffers
}

/// The position of `name` among `names`: the exact match, or else the one name equal to it ignoring ASCII
/// case (`Close` finds `close`, the name loaders give OHLCV columns). `None` when nothing matches or two
/// names match only ignoring case.
///
/// ```
/// use timeseries_array::find_column;
///
/// assert_eq!(find_column(["close", "volume"], "Close"), Some(0));
/// assert_eq!(find_column(["close", "Close"], "Close"), Some(1));
/// assert_eq!(find_column(["close", "CLOSE"], "Close"), None);
/// ```
pub fn find_column<'a>(names: impl IntoIterator<Item = &'a str> + Clone, name: &str) -> Option<usize> {
    if let Some(exact) = names.clone().into_iter().position(|n| n == name) {
        return Some(exact);
    }
    let mut folded = names.into_iter().enumerate().filter(|(_, n)| n.eq_ignore_ascii_case(name));
    match (folded.next(), folded.next()) {
        (Some((i, _)), None) => Some(i),
        _ => None,
    }
}
