//! Building one frame from a stream of batches: timestamps and typed value columns grow in place (one
//! copy of the data in total), order is checked as rows arrive, and missing values are counted.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, PrimitiveArray, RecordBatch};
use arrow_buffer::{NullBufferBuilder, ScalarBuffer};
use arrow_schema::Schema;
use timeseries_array::{NativeValue, TimeFrame, ValueType, format_timestamp, with_value_type};

use crate::MissingCount;
use crate::error::{LoadError, Location};
use crate::plan::Plan;
use crate::timestamp::TimestampReader;

/// The most rows reserved up front from a file's own row count: 2^27 (1 GiB per 8-byte column).
const MAX_RESERVED_ROWS: usize = 1 << 27;

/// Accumulates batches into one frame.
pub(crate) struct Assembler {
    file: String,
    ts_column: String,
    sort: bool,
    locate: Box<dyn Fn(usize) -> Location>,
    /// Rows expected in total, used to size the buffers on the first batch.
    pub(crate) capacity_hint: usize,
    timestamps: Vec<i64>,
    columns: Vec<(String, Box<dyn ColumnSink>)>,
}

impl Assembler {
    /// An empty assembler for value columns `names` of types `types`; `locate` maps a 0-based data row
    /// to its place in the file.
    pub(crate) fn new(
        file: &str,
        ts_column: &str,
        columns: Vec<(String, ValueType)>,
        sort: bool,
        locate: Box<dyn Fn(usize) -> Location>,
    ) -> Self {
        Self {
            file: file.to_string(),
            ts_column: ts_column.to_string(),
            sort,
            locate,
            capacity_hint: 0,
            timestamps: Vec::new(),
            columns: columns.into_iter().map(|(name, vt)| (name, sink(vt))).collect(),
        }
    }

    /// Rows so far.
    pub(crate) fn rows(&self) -> usize {
        self.timestamps.len()
    }

    /// The timestamps so far, for the timestamp reader to append to.
    ///
    /// The first call sizes every buffer for `capacity_hint` rows. The hint comes from the file (a Parquet
    /// footer's row counts, an IPC file's batch lengths) and a damaged file can state any number, so it is
    /// capped at [`MAX_RESERVED_ROWS`] and reserved with `try_reserve`: past that, or when the memory is not
    /// there, the buffers grow as rows arrive (a file that lies about its rows then fails on its rows).
    pub(crate) fn timestamps_mut(&mut self) -> &mut Vec<i64> {
        if self.timestamps.capacity() == 0 {
            let hint = self.capacity_hint.clamp(1, MAX_RESERVED_ROWS);
            if self.timestamps.try_reserve_exact(hint).is_ok() {
                for (_, column) in &mut self.columns {
                    column.reserve(hint);
                }
            }
        }
        &mut self.timestamps
    }

    /// Appends the value arrays of one batch (in column order, types as declared) after its timestamps
    /// were pushed through [`Assembler::timestamps_mut`], then checks the new timestamps' order.
    pub(crate) fn push_values(&mut self, first_row: usize, values: &[&dyn Array]) -> Result<(), LoadError> {
        for ((_, column), array) in self.columns.iter_mut().zip(values) {
            column.append(*array);
        }
        if self.sort {
            return Ok(());
        }
        let from = first_row.saturating_sub(1);
        match self.timestamps[from..].windows(2).position(|w| w[1] <= w[0]) {
            None => Ok(()),
            Some(i) => Err(self.order_error(from + i + 1, from + i)),
        }
    }

    /// The frame and the missing-value counts. With `sort`, rows are put in time order first.
    pub(crate) fn finish(mut self) -> Result<(TimeFrame, Vec<MissingCount>, bool), LoadError> {
        let mut sorted = false;
        let order = if self.sort && self.timestamps.windows(2).any(|w| w[1] <= w[0]) {
            let mut order: Vec<usize> = (0..self.timestamps.len()).collect();
            order.sort_by_key(|&i| (self.timestamps[i], i));
            if let Some(w) = order.windows(2).find(|w| self.timestamps[w[0]] == self.timestamps[w[1]]) {
                return Err(self.order_error(w[1], w[0]));
            }
            sorted = order.windows(2).any(|w| w[1] < w[0]);
            Some(order)
        } else {
            None
        };
        let mut timestamps = std::mem::take(&mut self.timestamps);
        if let Some(order) = &order {
            timestamps = order.iter().map(|&i| timestamps[i]).collect();
        }
        timestamps.shrink_to_fit();
        let mut missing = Vec::with_capacity(self.columns.len());
        let mut arrays = Vec::with_capacity(self.columns.len());
        for (name, mut column) in self.columns {
            missing.push(MissingCount { column: name.clone(), missing: column.missing() });
            arrays.push((name, column.finish(order.as_deref())));
        }
        let frame = TimeFrame::try_new(ScalarBuffer::from(timestamps), arrays)
            .map_err(|source| LoadError::Frame { file: self.file.clone(), source })?;
        Ok((frame, missing, sorted))
    }

    fn order_error(&self, row: usize, previous_row: usize) -> LoadError {
        let (t, previous) = (self.timestamps[row], self.timestamps[previous_row]);
        let (file, location, column) = (self.file.clone(), (self.locate)(row), self.ts_column.clone());
        if t == previous {
            LoadError::Duplicate { file, location, column, timestamp: format_timestamp(t) }
        } else {
            LoadError::Unsorted {
                file,
                location,
                column,
                timestamp: format_timestamp(t),
                previous: format_timestamp(previous),
            }
        }
    }
}

/// Pushes one batch (holding the projected columns, in any order) into the assembler, finding columns by
/// their file names.
pub(crate) fn push_batch(
    file: &str,
    batch: &RecordBatch,
    schema: &Schema,
    plan: &Plan,
    ts_reader: &mut TimestampReader,
    assembler: &mut Assembler,
    locate: &dyn Fn(usize) -> Location,
) -> Result<(), LoadError> {
    let column = |index: usize| -> &dyn Array {
        let name = schema.field(index).name();
        batch.column_by_name(name).expect("the projection holds every planned column").as_ref()
    };
    let first_row = assembler.rows();
    let locate_batch = |row: usize| locate(first_row + row);
    let time = plan.time.map(column);
    ts_reader.push(column(plan.ts), time, &locate_batch, assembler.timestamps_mut())?;
    let values: Vec<ArrayRef> = plan
        .values
        .iter()
        .map(|v| v.frame_values(file, column(v.index), &locate_batch))
        .collect::<Result<_, _>>()?;
    let values: Vec<&dyn Array> = values.iter().map(AsRef::as_ref).collect();
    assembler.push_values(first_row, &values)
}

/// Missing values of a whole array: nulls, and NaN in float columns.
pub(crate) fn missing_in(array: &dyn Array) -> u64 {
    let nan = ValueType::from_arrow(array.data_type()).map_or(0, |value_type| {
        with_value_type!(value_type, |T| {
            array.as_primitive::<<T as NativeValue>::Arrow>().iter().flatten().filter(|v| v.is_nan()).count()
        })
    });
    (array.null_count() + nan) as u64
}

/// One growing value column.
trait ColumnSink {
    fn reserve(&mut self, additional: usize);
    fn append(&mut self, array: &dyn Array);
    fn missing(&self) -> u64;
    fn finish(&mut self, order: Option<&[usize]>) -> ArrayRef;
}

struct Primitive<T: ArrowPrimitiveType> {
    values: Vec<T::Native>,
    nulls: NullBufferBuilder,
    missing: u64,
}

impl<T: ArrowPrimitiveType> ColumnSink for Primitive<T>
where
    T::Native: NativeValue,
{
    fn reserve(&mut self, additional: usize) {
        // A hint only (see `Assembler::timestamps_mut`): without the memory, the column grows as rows arrive.
        let _ = self.values.try_reserve_exact(additional);
    }

    fn append(&mut self, array: &dyn Array) {
        let array = array.as_primitive::<T>();
        self.values.extend_from_slice(array.values());
        match array.nulls() {
            Some(nulls) => {
                self.nulls.append_buffer(nulls);
                self.missing += nulls.null_count() as u64;
                let nan = array.iter().flatten().filter(|v| v.is_nan()).count();
                self.missing += nan as u64;
            }
            None => {
                self.nulls.append_n_non_nulls(array.len());
                self.missing += array.values().iter().filter(|v| v.is_nan()).count() as u64;
            }
        }
    }

    fn missing(&self) -> u64 {
        self.missing
    }

    fn finish(&mut self, order: Option<&[usize]>) -> ArrayRef {
        let mut values = std::mem::take(&mut self.values);
        let mut nulls = self.nulls.finish();
        if let Some(order) = order {
            values = order.iter().map(|&i| values[i]).collect();
            nulls = nulls.map(|n| order.iter().map(|&i| n.is_valid(i)).collect());
        }
        values.shrink_to_fit();
        Arc::new(PrimitiveArray::<T>::new(ScalarBuffer::from(values), nulls))
    }
}

fn sink(value_type: ValueType) -> Box<dyn ColumnSink> {
    with_value_type!(value_type, |T| Box::new(Primitive::<<T as NativeValue>::Arrow> {
        values: Vec::new(),
        nulls: NullBufferBuilder::new(0),
        missing: 0,
    }) as Box<dyn ColumnSink>)
}
