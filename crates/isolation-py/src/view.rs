//! `View`: the seed design's `DataView` over one split of one symbol, walked by core's `Cursor` (the one
//! look-ahead bound: a window never reaches past the current bar, warm-up rows are history only), with the
//! per-bar reads a Python loop can afford (`get_current`, `current`, `iter`), windows as numpy arrays over
//! the same memory, zero-copy exports, and pickling as a segment's name and rows.

mod bar_iter;
mod numpy;
mod rows;
mod travel;

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use isolation::{Split, TimeFrame};
use parking_lot::Mutex;
use pyo3::exceptions::{PyIndexError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyCapsule, PyDict, PySlice, PyTuple};

use bar_iter::{BarIter, WindowIter};
use numpy::datetime64;
pub(crate) use numpy::{bar_dict, numpy_of};
pub(crate) use rows::Origin;
use rows::Rows;
pub(crate) use travel::_attach_view;

use crate::convert::{frame_to_pyarrow, stream_capsule};
use crate::py_err;

/// Rows of one split of one symbol, read through a position that never passes the current bar.
///
/// The view's own rows are `size` bars from the split's first bar; with a warm-up (a split set up with
/// `warmup=`), windows may also reach up to `warmup_rows` bars just before the split, and nothing else: no
/// bar after the current one, no bar of the other side of the split. The position, the bound and the
/// warm-up are core's `Cursor`'s (the same code a Rust strategy walks with).
///
/// Per bar, fastest first: `iter(*columns)` (values while it advances), `current(column)`,
/// `get_current()` (the seed's dict); per window: `window(column, n)` (numpy over the same memory);
/// `history(column)` hands compiled code (numba) every bar up to the current one, and no later bar.
/// Exports (`__arrow_c_stream__`, `to_arrow`, `to_numpy`, `to_pandas`) cover the own rows and share memory
/// with the loaded data (or the mapped shared-memory segment), which they keep alive. A view over a
/// shared-memory segment pickles as the segment's name and rows; one over process memory refuses.
///
/// A view may be shared between threads: its position is behind a lock held only for pure-Rust moments
/// (never while Python runs), so concurrent reads see a consistent bar and moves are not lost.
#[pyclass(module = "isolation", frozen)]
pub struct View {
    walk: Mutex<Walk>,
    warmup: usize,
    split: Split,
    mode: String,
    origin: Option<Origin>,
}

/// What moves: the rows (`None` once released) and the position among the own rows.
struct Walk {
    rows: Option<Arc<Rows>>,
    position: usize,
}

impl View {
    /// A view of `frame`'s rows after its first `warmup` (those are history, reachable only by windows).
    pub(crate) fn new(frame: TimeFrame, warmup: usize, split: &str, mode: &str) -> PyResult<Self> {
        Self::with_origin(frame, warmup, split, mode, None)
    }

    /// As [`View::new`], for rows that are a run of a shared-memory segment (`origin`).
    pub(crate) fn with_origin(
        frame: TimeFrame,
        warmup: usize,
        split: &str,
        mode: &str,
        origin: Option<Origin>,
    ) -> PyResult<Self> {
        let split: Split = split.parse().map_err(py_err)?;
        let rows = Rows::new(frame, split)?;
        let warmup = warmup.min(rows.frame().n_rows());
        let walk = Walk { rows: Some(Arc::new(rows)), position: 0 };
        Ok(Self { walk: Mutex::new(walk), warmup, split, mode: mode.to_string(), origin })
    }

    /// The rows and the position as they are now (the lock is released before this returns).
    fn now(&self) -> PyResult<(Arc<Rows>, usize)> {
        let walk = self.walk.lock();
        let rows = walk.rows.clone().ok_or_else(|| PyValueError::new_err("the view was released"))?;
        Ok((rows, walk.position))
    }

    fn rows(&self) -> PyResult<Arc<Rows>> {
        self.now().map(|(rows, _)| rows)
    }

    /// The own rows (no history), sharing the buffers.
    pub(crate) fn own_rows(&self) -> PyResult<TimeFrame> {
        let frame = self.rows()?.frame().clone();
        frame.slice(self.warmup..frame.n_rows()).map_err(py_err)
    }

    fn n_own(&self) -> usize {
        self.walk.lock().rows.as_ref().map_or(0, |rows| rows.frame().n_rows() - self.warmup)
    }

    /// Rows `range` of the walked rows as a view of their own (no warm-up), with the origin moved along.
    fn sub_view(&self, rows: &Rows, range: std::ops::Range<usize>) -> PyResult<View> {
        let origin = self.origin.as_ref().map(|o| Origin { start: o.start + range.start, ..o.clone() });
        let frame = rows.frame().slice(range).map_err(py_err)?;
        View::with_origin(frame, 0, &self.split.to_string(), &self.mode, origin)
    }

    /// The walked row of the current bar, if the view has one.
    fn current_row(&self) -> PyResult<(Arc<Rows>, Option<usize>)> {
        let (rows, position) = self.now()?;
        let row = rows.cursor(self.warmup, position).current().map(|bar| bar.row());
        Ok((rows, row))
    }
}

#[pymethods]
impl View {
    /// Number of the view's own rows (bars it walks).
    #[getter]
    fn size(&self) -> usize {
        self.n_own()
    }

    fn __len__(&self) -> usize {
        self.n_own()
    }

    /// Position of the current bar among the view's own rows, from 0.
    #[getter]
    fn current_index(&self) -> usize {
        self.walk.lock().position
    }

    /// Bars of history before the first own row that windows may include (0 without a warm-up).
    #[getter]
    fn warmup_rows(&self) -> usize {
        self.warmup
    }

    /// `train`, `test` or `full`.
    #[getter]
    fn split(&self) -> String {
        self.split.to_string()
    }

    /// The isolation mode that made the rows (`view`, `deep-copy`, `cow`, `shm`).
    #[getter]
    fn mode(&self) -> &str {
        &self.mode
    }

    /// Value column names (the index, `timestamp`, not included).
    #[getter]
    fn columns(&self) -> PyResult<Vec<String>> {
        Ok(self.rows()?.frame().column_names().into_iter().map(str::to_string).collect())
    }

    /// The current bar as a dict: `timestamp` (numpy.datetime64, ns, UTC) and each column's value (float or
    /// int; None for a null). None only for an empty view. The seed's shape; for hot loops `iter` and
    /// `current` read the same values without building a dict.
    ///
    /// A dict you keep is yours and never changes. One you drop may be refilled for a later bar instead of
    /// a new one being made (as `zip` refills its tuples); if you had removed a key from it and put it back,
    /// that key stays last in the refilled bars.
    fn get_current<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let (rows, row) = self.current_row()?;
        row.map(|row| rows.bar(py, row)).transpose()
    }

    /// The current bar's value in `column` (`timestamp` included): a float or int, None for a null or an
    /// empty view.
    fn current(&self, py: Python<'_>, column: &str) -> PyResult<Py<PyAny>> {
        let (rows, row) = self.current_row()?;
        let idx = rows.column_index(column)?;
        row.map_or_else(|| Ok(py.None()), |row| rows.value(py, idx, row))
    }

    /// Moves to the next bar; False (and no move) at the last bar, as the seed's `DataView.advance`.
    fn advance(&self) -> bool {
        let mut walk = self.walk.lock();
        let Some(rows) = walk.rows.as_ref() else { return false };
        let mut cursor = rows.cursor(self.warmup, walk.position);
        if !cursor.advance() {
            return false;
        }
        walk.position = cursor.position();
        true
    }

    /// Moves to bar `index` of the view's own rows (backtests that restart from a bar).
    fn seek(&self, index: usize) -> PyResult<()> {
        let mut walk = self.walk.lock();
        let Some(rows) = walk.rows.as_ref() else {
            return Err(PyValueError::new_err("the view was released"));
        };
        let mut cursor = rows.cursor(self.warmup, 0);
        if index >= cursor.len() {
            let n = cursor.len();
            return Err(PyIndexError::new_err(format!("bar {index} is outside the view's {n} bars")));
        }
        walk.position = cursor.seek(index);
        Ok(())
    }

    /// Back to the first bar.
    fn reset(&self) {
        self.walk.lock().position = 0;
    }

    /// An iterator over the bars from the current one to the last, advancing the view as it goes: one
    /// column gives its values (`for close in view.iter("close")`), several give tuples
    /// (`for ts, close in view.iter("timestamp", "close")`). The fastest per-bar read: no dict, no lookups.
    #[pyo3(signature = (*columns))]
    fn iter(slf: Bound<'_, Self>, columns: Vec<String>) -> PyResult<BarIter> {
        let rows = slf.get().rows()?;
        let columns = (columns.iter()).map(|c| rows.column_index(c)).collect::<PyResult<Vec<_>>>()?;
        if columns.is_empty() {
            return Err(PyValueError::new_err("iter() needs at least one column, e.g. view.iter(\"close\")"));
        }
        Ok(BarIter { view: slf.unbind(), rows, columns, done: AtomicBool::new(false) })
    }

    /// An iterator over the bars from the current one to the last, advancing the view as it goes, that
    /// yields the last `n` values of `column` up to each bar as a read-only numpy array over the same memory
    /// (as `window(column, n)` gives them): `for w in view.windows("close", 20): signal = w.mean()`.
    fn windows(slf: Bound<'_, Self>, column: &str, n: usize) -> PyResult<WindowIter> {
        WindowIter::new(slf, column, n)
    }

    /// The last `n` values of `column` up to and including the current bar (fewer at the start; warm-up
    /// history included when the split has one) as a read-only numpy array over the same memory: no copy
    /// and no `View` made. Never a later bar.
    fn window<'py>(&self, py: Python<'py>, column: &str, n: usize) -> PyResult<Bound<'py, PyAny>> {
        let (rows, position) = self.now()?;
        let idx = rows.column_index(column)?;
        let range = rows.cursor(self.warmup, position).window(n).rows();
        rows.numpy(py, idx)?.get_item(PySlice::new(py, range.start as isize, range.end as isize, 1))
    }

    /// Every value of `column` up to and including the current bar, warm-up history first, as a read-only
    /// numpy array over the same memory: what to hand a compiled (numba) step function, which then cannot
    /// see a later bar. `current_index + warmup_rows` is the current bar's index in it (the last).
    fn history<'py>(&self, py: Python<'py>, column: &str) -> PyResult<Bound<'py, PyAny>> {
        self.window(py, column, usize::MAX)
    }

    /// The last `window_size` bars up to and including the current one (fewer at the start; warm-up history
    /// included when the split has one) as a view of its own, sharing memory. Never a later bar. For one
    /// column as numpy, `window(column, n)` costs less.
    fn get_window(&self, window_size: usize) -> PyResult<View> {
        let (rows, position) = self.now()?;
        let range = rows.cursor(self.warmup, position).window(window_size).rows();
        self.sub_view(&rows, range)
    }

    /// Own rows `start..stop` as a view of their own (no warm-up), sharing memory: as pandas' `iloc[start:stop]`
    /// but never a copy. Narrows only: a slice never reaches rows this view cannot.
    #[pyo3(signature = (start, stop=None))]
    fn slice(&self, start: usize, stop: Option<usize>) -> PyResult<View> {
        let n = self.n_own();
        let stop = stop.unwrap_or(n).min(n);
        if start > stop {
            return Err(PyIndexError::new_err(format!(
                "slice {start}..{stop} is empty or reversed (the view has {n} rows)"
            )));
        }
        let rows = self.rows()?;
        self.sub_view(&rows, self.warmup + start..self.warmup + stop)
    }

    /// Shape, columns, first and last timestamps of the own rows, split, mode and warm-up, as the seed's
    /// `data_info`.
    #[getter]
    fn data_info<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let rows = self.rows()?;
        let frame = rows.frame();
        let info = PyDict::new(py);
        info.set_item("shape", (frame.n_rows() - self.warmup, frame.n_columns()))?;
        info.set_item("columns", self.columns()?)?;
        let own = &frame.timestamps()[self.warmup..];
        info.set_item("start_date", own.first().map(|&ns| datetime64(py, ns)).transpose()?)?;
        info.set_item("end_date", own.last().map(|&ns| datetime64(py, ns)).transpose()?)?;
        info.set_item("split", self.split.to_string())?;
        info.set_item("mode", &self.mode)?;
        info.set_item("warmup_rows", self.warmup)?;
        Ok(info)
    }

    /// The own rows as a `pyarrow.Table` (index column `timestamp`), sharing memory.
    fn to_arrow<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        frame_to_pyarrow(py, &self.own_rows()?)
    }

    /// The Arrow PyCapsule stream protocol: `pyarrow.table(view)`, `polars.DataFrame(view)` and DuckDB read
    /// the own rows without a copy. `requested_schema` is ignored (the data has one schema).
    #[pyo3(signature = (requested_schema=None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        stream_capsule(py, &self.own_rows()?)
    }

    /// One column (or `timestamp`) of the own rows as a read-only numpy array over the same memory: writing
    /// to it raises. A column with nulls cannot be shared (numpy has no validity bits): it is copied, with
    /// NaN for nulls, and is read-only too.
    fn to_numpy<'py>(&self, py: Python<'py>, column: &str) -> PyResult<Bound<'py, PyAny>> {
        let rows = self.rows()?;
        let idx = rows.column_index(column)?;
        let end = rows.frame().n_rows() as isize;
        rows.numpy(py, idx)?.get_item(PySlice::new(py, self.warmup as isize, end, 1))
    }

    /// The own rows as a pandas DataFrame whose index is as the data came in: its name, its unit, naive or
    /// in its time zone (data loaded from a file: named after the file's time column, naive unless the
    /// file's timestamps carried a zone).
    ///
    /// By default nothing is copied that can be shared: columns without nulls are read-only numpy blocks
    /// over the view's memory (the loaded data, or the mapped segment), so writing into the frame
    /// (`df.iloc[0, 0] = x`, `df.loc[...] = x`, `fillna(inplace=True)`) raises `ValueError: assignment
    /// destination is read-only`; new columns and whole-column assignment (`df["x"] = ...`) work. Columns
    /// with nulls, and the index, are copies. `copy=True` returns a frame pandas owns, writable everywhere,
    /// at the cost of one copy of the rows; writes to it never reach the view's data.
    #[pyo3(signature = (copy=false))]
    fn to_pandas<'py>(&self, py: Python<'py>, copy: bool) -> PyResult<Bound<'py, PyAny>> {
        let rows = self.own_rows()?;
        crate::convert::frame_to_pandas(py, &rows, copy)
    }

    /// Bytes this view keeps alive: `{"owned_bytes": ..., "shared_bytes": ...}` (shared: buffers other views
    /// or the loaded data also hold).
    fn footprint<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let footprint = self.rows()?.frame().footprint();
        let out = PyDict::new(py);
        out.set_item("owned_bytes", footprint.owned_bytes)?;
        out.set_item("shared_bytes", footprint.shared_bytes)?;
        Ok(out)
    }

    /// Pickling: a view over a shared-memory segment travels as the segment's name, directory and rows
    /// (the process that unpickles it attaches; no value is copied). A view over this process's memory
    /// refuses rather than copying its rows into the pickle.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        travel::reduce(self, py)
    }

    /// Drops this view's hold on the data (arrays exported earlier keep what they read alive).
    fn release(&self) {
        let rows = {
            let mut walk = self.walk.lock();
            walk.position = 0;
            walk.rows.take()
        };
        // Dropped after the lock: the last hold on buffers that belong to Python frees them through Python.
        drop(rows);
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) {
        self.release();
    }

    fn __repr__(&self) -> String {
        match self.now() {
            Err(_) => "View(released)".to_string(),
            Ok((rows, position)) => format!(
                "View(split={}, mode={}, rows={}, warmup_rows={}, current_index={}, columns=[{}])",
                self.split,
                self.mode,
                rows.frame().n_rows() - self.warmup,
                self.warmup,
                position,
                rows.frame().column_names().join(", ")
            ),
        }
    }
}
