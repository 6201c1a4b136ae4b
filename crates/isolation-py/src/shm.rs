//! Shared-memory datasets: publish once, attach by name from any process (an Arrow IPC file mapped
//! read-only), list and collect segments of dead publishers.

use std::path::PathBuf;
use std::sync::Arc;

use parking_lot::Mutex;

use isolation::shm::{AttachOptions, PublishOptions, Publisher, SegmentInfo};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};

use crate::convert::frame_from_py;
use crate::py_err;
use crate::view::{Origin, View};

/// A published segment. The segment is unlinked when this object is released (`release()`, the end of a
/// `with` block, or garbage collection) unless it was published with `keep=True`; processes that attached
/// keep their mapping until they release it.
///
/// Threads may share one: `release()` while another thread attaches unlinks the segment once that attach
/// has finished.
#[pyclass(module = "isolation", frozen)]
pub struct Segment {
    publisher: Mutex<Option<Arc<Publisher>>>,
    name: String,
}

impl Segment {
    fn publisher(&self) -> PyResult<Arc<Publisher>> {
        self.publisher
            .lock()
            .clone()
            .ok_or_else(|| PyValueError::new_err(format!("segment `{}` was released", self.name)))
    }
}

#[pymethods]
impl Segment {
    /// The name workers attach by.
    #[getter]
    fn name(&self) -> &str {
        &self.name
    }

    /// The segment's file (under /dev/shm unless a directory was given), as a string.
    #[getter]
    fn path(&self) -> PyResult<String> {
        Ok(self.publisher()?.path().display().to_string())
    }

    /// A path any Arrow reader can open for the data itself (`pyarrow.memory_map(segment.data_path)`): the
    /// segment file, or for a sealed segment `/proc/<pid>/fd/<fd>` of its memfd. A string, as
    /// `pyarrow.memory_map` takes it (it refuses `pathlib` paths).
    #[getter]
    fn data_path(&self) -> PyResult<String> {
        Ok(self.publisher()?.data_path().display().to_string())
    }

    /// Bytes of the segment file.
    #[getter]
    fn size_bytes(&self) -> PyResult<u64> {
        Ok(self.publisher()?.size_bytes())
    }

    /// Whether the segment is sealed against writes, shrinking and growing (memfd seals).
    #[getter]
    fn sealed(&self) -> PyResult<bool> {
        Ok(self.publisher()?.is_sealed())
    }

    /// Attaches to the segment from this process (as a worker would).
    fn attach(&self, py: Python<'_>) -> PyResult<View> {
        let publisher = self.publisher()?;
        let attached = py.detach(|| publisher.attach()).map_err(py_err)?;
        let origin = Origin { name: self.name.clone(), dir: publisher.dir().to_path_buf(), start: 0 };
        View::with_origin(attached.into_frame(), 0, "full", "shm", Some(origin))
    }

    /// The seed's `SharedMemoryDataFrame.get_view(start_idx, end_idx)`: rows `start` to `end` (exclusive;
    /// `None`: the last; clamped like a slice) as a pandas DataFrame over the mapped pages, read-only, no
    /// value copied, its index as the published data's (`attach()` gives a `View` instead).
    #[pyo3(signature = (start=0, end=None))]
    fn get_view<'py>(
        &self,
        py: Python<'py>,
        start: usize,
        end: Option<usize>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let publisher = self.publisher()?;
        let frame = py.detach(|| publisher.attach()).map_err(py_err)?.into_frame();
        let rows = frame.slice(crate::convert::clamped_rows(start, end, frame.n_rows())).map_err(py_err)?;
        crate::convert::frame_to_pandas(py, &rows, false)
    }

    /// Unlinks the segment now (unless kept); attached processes keep reading their mapping.
    fn release(&self) {
        let publisher = self.publisher.lock().take();
        drop(publisher);
    }

    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) {
        self.release();
    }

    fn __repr__(&self) -> String {
        match self.publisher.lock().as_deref() {
            Some(p) => {
                format!("Segment(name={:?}, size_bytes={}, path={:?})", self.name, p.size_bytes(), p.path())
            }
            None => format!("Segment(name={:?}, released)", self.name),
        }
    }
}

/// Publishes `data` (Arrow data with a time index) as segment `name`.
#[pyfunction]
#[pyo3(signature = (name, data, time_column=None, keep=false, dir=None))]
pub(crate) fn publish(
    py: Python<'_>,
    name: &str,
    data: &Bound<'_, PyAny>,
    time_column: Option<&str>,
    keep: bool,
    dir: Option<PathBuf>,
) -> PyResult<Segment> {
    let frame = frame_from_py(data, time_column)?;
    let mut options = PublishOptions::new();
    if let Some(dir) = dir {
        options = options.with_dir(dir);
    }
    if keep {
        options = options.keep();
    }
    let publisher = py.detach(|| options.publish(name, &frame)).map_err(py_err)?;
    Ok(Segment { name: publisher.name().to_string(), publisher: Mutex::new(Some(Arc::new(publisher))) })
}

/// Attaches to segment `name` (validated: a foreign, truncated or corrupt segment is refused) and returns a
/// `View` over the mapped pages: no copy, whatever the size. The index's order is checked (one read of the
/// timestamps) unless `trust_published_order` and the segment records that its publisher checked it.
#[pyfunction]
#[pyo3(signature = (name, dir=None, trust_published_order=false))]
pub(crate) fn attach(
    py: Python<'_>,
    name: &str,
    dir: Option<PathBuf>,
    trust_published_order: bool,
) -> PyResult<View> {
    let dir = dir.unwrap_or_else(isolation::shm::default_dir);
    let options = AttachOptions::new().trust_published_order(trust_published_order).with_dir(&dir);
    let attached = py.detach(|| options.attach(name)).map_err(py_err)?;
    let origin = Origin { name: name.to_string(), dir, start: 0 };
    View::with_origin(attached.into_frame(), 0, "full", "shm", Some(origin))
}

fn info_dict<'py>(py: Python<'py>, info: &SegmentInfo) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("name", &info.name)?;
    out.set_item("path", &info.path)?;
    out.set_item("size_bytes", info.size_bytes)?;
    out.set_item("owner_pid", info.owner_pid)?;
    out.set_item("owner_alive", info.owner_alive)?;
    out.set_item("kept", info.kept)?;
    out.set_item("stale", info.is_stale())?;
    out.set_item("problem", info.problem.as_deref())?;
    Ok(out)
}

/// Segments in `dir` (default /dev/shm), one dict each.
#[pyfunction]
#[pyo3(signature = (dir=None))]
pub(crate) fn list_segments(py: Python<'_>, dir: Option<PathBuf>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    let segments = match dir {
        Some(dir) => isolation::shm::list_segments_in(&dir),
        None => isolation::shm::list_segments(),
    };
    segments.iter().map(|s| info_dict(py, s)).collect()
}

/// Removes segments whose publisher died (and were not kept); with `datasets`, removes dataset segments
/// published more than `older_than` ago, not attached for `unused_for` (durations as text: `7d`), then the
/// least recently attached beyond `budget_bytes`; never one a process maps. Returns what it removed.
#[pyfunction]
#[pyo3(signature = (dir=None, datasets=false, older_than=None, unused_for=None, budget_bytes=None))]
pub(crate) fn gc<'py>(
    py: Python<'py>,
    dir: Option<PathBuf>,
    datasets: bool,
    older_than: Option<&str>,
    unused_for: Option<&str>,
    budget_bytes: Option<u64>,
) -> PyResult<Vec<Bound<'py, PyDict>>> {
    let dir = dir.unwrap_or_else(isolation::shm::default_dir);
    let removed = if datasets {
        let length =
            |text: Option<&str>| text.map(str::parse::<isolation::Length>).transpose().map_err(py_err);
        let policy = isolation::dataset_policy(length(older_than)?, length(unused_for)?, budget_bytes)
            .map_err(py_err)?;
        py.detach(|| isolation::shm::gc_datasets_in(&dir, &policy))
    } else {
        py.detach(|| isolation::shm::gc_in(&dir))
    };
    removed.iter().map(|s| info_dict(py, s)).collect()
}

/// Unlinks segment `name` (attached processes keep their mapping).
#[pyfunction]
#[pyo3(signature = (name, dir=None))]
pub(crate) fn remove(name: &str, dir: Option<PathBuf>) -> PyResult<()> {
    match dir {
        Some(dir) => isolation::shm::remove_in(&dir, name),
        None => isolation::shm::remove(name),
    }
    .map_err(py_err)
}
