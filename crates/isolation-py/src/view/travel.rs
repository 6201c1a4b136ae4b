//! Views that travel: the function a pickled view calls in the process that unpickles it (`View.__reduce__`
//! names it), attaching to the segment and walking the same rows from the same bar.

use std::path::PathBuf;

use pyo3::prelude::*;
use pyo3::types::PyTuple;

use super::{Origin, View};
use crate::py_err;

/// A view unpickled: attaches to segment `name` in `dir` and walks rows `start..start + n_rows` of it (the
/// first `warmup` of them history) from `position`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn _attach_view(
    py: Python<'_>,
    name: &str,
    dir: PathBuf,
    start: usize,
    n_rows: usize,
    warmup: usize,
    position: usize,
    split: &str,
    mode: &str,
) -> PyResult<View> {
    // The numbers come from a pickle: a range past the segment or a warm-up past the rows is refused
    // (the slice checks the segment's end), never wrapped or clamped.
    let end = start.checked_add(n_rows).filter(|_| warmup <= n_rows).ok_or_else(|| {
        crate::IsolationError::new_err(format!(
            "a pickled view of segment `{name}` names rows {start} + {n_rows} with {warmup} of warm-up: not a \
             view this package pickled"
        ))
    })?;
    let options = isolation::shm::AttachOptions::new().with_dir(&dir).trust_published_order(true);
    let attached = py.detach(|| options.attach(name)).map_err(py_err)?;
    let frame = attached.into_frame().slice(start..end).map_err(py_err)?;
    let origin = Origin { name: name.to_string(), dir, start };
    let view = View::with_origin(frame, warmup, split, mode, Some(origin))?;
    if position > 0 {
        view.seek(position)?;
    }
    Ok(view)
}

/// `View.__reduce__`: the segment's name, directory and rows, or a refusal for process memory.
pub(super) fn reduce<'py>(
    view: &View,
    py: Python<'py>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
    let Some(origin) = &view.origin else {
        return Err(crate::IsolationError::new_err(format!(
            "a {} view over this process's memory does not pickle: its rows would be copied into every \
             pickle. Put the data in shared memory once (DataHandler(mode=\"shm\"), or isolation.shm.publish \
             and then attach) and pass those views: they pickle as the segment's name and rows",
            view.mode
        )));
    };
    let (rows, position) = view.now()?;
    let attach = py.import("isolation._native")?.getattr("_attach_view")?;
    let args = (
        &origin.name,
        &origin.dir,
        origin.start,
        rows.frame().n_rows(),
        view.warmup,
        position,
        view.split.to_string(),
        &view.mode,
    );
    Ok((attach, args.into_pyobject(py)?))
}
