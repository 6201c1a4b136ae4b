//! `IsolatedData` for `CowFrame`, so cursors, windows and reports work on copy-on-write data.

use std::borrow::Cow;
use std::ops::Range;

use isolation_core::{IsolatedData, IsolationError, IsolationMode, Split};
use memtrack::{BufferSet, Footprint};
use timeseries_array::{TimeFrame, TimestampNs, ValueType};

use crate::CowFrame;

impl IsolatedData for CowFrame {
    fn mode(&self) -> IsolationMode {
        IsolationMode::CopyOnWrite
    }

    fn split(&self) -> Split {
        self.split
    }

    fn n_rows(&self) -> usize {
        self.base.n_rows()
    }

    fn timestamps(&self) -> &[TimestampNs] {
        self.base.timestamps()
    }

    fn column_names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_str()).collect()
    }

    fn value_type(&self, column_idx: usize) -> Option<ValueType> {
        self.columns.get(column_idx).map(|c| c.value_type)
    }

    fn value_f64(&self, column_idx: usize, row: usize) -> Option<f64> {
        let column = self.columns.get(column_idx)?;
        (row < self.n_rows()).then(|| self.read(column, row)).flatten()
    }

    /// Borrowed for an `f64` column when `rows` lie in unwritten rows or inside one copied chunk.
    fn column_f64(&self, column_idx: usize, rows: Range<usize>) -> Result<Cow<'_, [f64]>, IsolationError> {
        IsolationError::check_rows(&rows, self.n_rows(), self.split)?;
        match self.value_type(column_idx) {
            Some(ValueType::Float64) => {
                Ok(self.f64_rows(column_idx, rows).expect("an f64 column inside the split"))
            }
            _ => Ok(Cow::Owned(rows.map(|r| self.value_f64(column_idx, r).unwrap_or(f64::NAN)).collect())),
        }
    }

    fn footprint(&self) -> Footprint {
        CowFrame::footprint(self)
    }

    fn add_buffers_to(&self, set: &mut BufferSet) {
        CowFrame::add_buffers_to(self, set);
    }

    fn to_frame(&self) -> TimeFrame {
        self.materialize()
    }
}
