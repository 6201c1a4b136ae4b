//! `BarIter` and `WindowIter`: `View.iter(*columns)` and `View.windows(column, n)`, values or windows bar by
//! bar while the view advances: the per-bar reads with the least Python work (no dict, no name lookups, one
//! lock per bar). Both step with core's `Cursor`, as every other read of the view does.

use std::sync::Arc;

use std::sync::atomic::{AtomicBool, Ordering};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PySlice, PyTuple};

use super::View;
use super::rows::Rows;

/// Steps `view` one bar: the walked row of the bar it was at (`None` once done or released), then moves on
/// (or marks the walk done at the last bar, leaving the view there, as `advance` does).
fn step(view: &View, rows: &Rows, done: &AtomicBool) -> Option<usize> {
    let mut walk = view.walk.lock();
    // Under the view's lock: two threads sharing the iterator step it one bar each.
    if done.load(Ordering::Relaxed) || walk.rows.is_none() {
        done.store(true, Ordering::Relaxed);
        return None;
    }
    let mut cursor = rows.cursor(view.warmup, walk.position);
    let Some(row) = cursor.current().map(|bar| bar.row()) else {
        done.store(true, Ordering::Relaxed);
        return None;
    };
    if cursor.advance() {
        walk.position = cursor.position();
    } else {
        done.store(true, Ordering::Relaxed);
    }
    Some(row)
}

/// The values of some columns bar by bar, advancing the view (see `View.iter`).
#[pyclass(module = "isolation", frozen)]
pub struct BarIter {
    pub(super) view: Py<View>,
    pub(super) rows: Arc<Rows>,
    pub(super) columns: Vec<usize>,
    pub(super) done: AtomicBool,
}

#[pymethods]
impl BarIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let Some(row) = step(self.view.get(), &self.rows, &self.done) else { return Ok(None) };
        if let [column] = self.columns[..] {
            return self.rows.value(py, column, row).map(Some);
        }
        let values =
            (self.columns.iter()).map(|&c| self.rows.value(py, c, row)).collect::<PyResult<Vec<_>>>()?;
        Ok(Some(PyTuple::new(py, values)?.into_any().unbind()))
    }
}

/// The last `n` values of a column up to each bar, as numpy arrays over the same memory, advancing the view
/// (see `View.windows`).
#[pyclass(module = "isolation", frozen)]
pub struct WindowIter {
    pub(super) view: Py<View>,
    pub(super) rows: Arc<Rows>,
    pub(super) column: usize,
    pub(super) n: usize,
    /// `sliding_window_view` of the column: row `i` is the window ending at row `i + n - 1`, made by an
    /// integer index (cheaper than a slice).
    pub(super) full_windows: Py<PyAny>,
    pub(super) done: AtomicBool,
}

impl WindowIter {
    /// The windows of `column` of `n` bars from the view's current bar on (see `View.windows`).
    pub(super) fn new(slf: Bound<'_, View>, column: &str, n: usize) -> PyResult<Self> {
        let py = slf.py();
        let rows = slf.get().rows()?;
        let column = rows.column_index(column)?;
        if n == 0 {
            return Err(PyValueError::new_err("a window needs at least one bar"));
        }
        let full = rows.numpy(py, column)?;
        let n_rows = rows.frame().n_rows();
        let full_windows = if n <= n_rows {
            let stride_tricks = py.import("numpy.lib.stride_tricks")?;
            stride_tricks.call_method1("sliding_window_view", (full, n))?.unbind()
        } else {
            py.None()
        };
        Ok(WindowIter { view: slf.unbind(), rows, column, n, full_windows, done: AtomicBool::new(false) })
    }
}

#[pymethods]
impl WindowIter {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        let Some(row) = step(self.view.get(), &self.rows, &self.done) else { return Ok(None) };
        // The cursor's window: never past the current bar, into warm-up history, shorter at the start.
        if row + 1 >= self.n {
            return Ok(Some(self.full_windows.bind(py).get_item(row + 1 - self.n)?.unbind()));
        }
        let column = self.rows.numpy(py, self.column)?;
        Ok(Some(column.get_item(PySlice::new(py, 0, row as isize + 1, 1))?.unbind()))
    }
}
