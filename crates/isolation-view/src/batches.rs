//! `Batches`: a view cut into zero-copy sub-views of a fixed number of rows.

use crate::DataView;
use isolation_core::{IsolatedData, IsolationError};

/// An iterator of sub-views of at most `batch_rows` rows each, in order, covering the view exactly once.
#[derive(Debug, Clone)]
pub struct Batches<'a> {
    view: &'a DataView,
    batch_rows: usize,
    next_row: usize,
}

impl<'a> Batches<'a> {
    pub(crate) fn new(view: &'a DataView, batch_rows: usize) -> Result<Self, IsolationError> {
        if batch_rows == 0 {
            let reason = "must be at least 1 (rows per batch)".to_string();
            return Err(IsolationError::InvalidArgument { argument: "batch_rows", reason });
        }
        Ok(Self { view, batch_rows, next_row: 0 })
    }
}

impl Iterator for Batches<'_> {
    type Item = DataView;

    fn next(&mut self) -> Option<DataView> {
        let n_rows = self.view.n_rows();
        if self.next_row >= n_rows {
            return None;
        }
        let end = (self.next_row + self.batch_rows).min(n_rows);
        let batch = self.view.slice(self.next_row..end).expect("batch rows lie inside the view");
        self.next_row = end;
        Some(batch)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.view.n_rows() - self.next_row).div_ceil(self.batch_rows);
        (left, Some(left))
    }
}

impl ExactSizeIterator for Batches<'_> {}
