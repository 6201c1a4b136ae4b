//! `isolation._native`: the Rust half of the `isolation` Python package.
//!
//! Python's `isolation` package (under `python/`) wraps these classes and functions; users import
//! `isolation`, never this module. Data crosses the boundary as Arrow through the C data and C stream
//! interfaces ([`convert`]): a pandas, polars or pyarrow frame comes in without a copy where its layout
//! allows, and views go out as Arrow buffers that keep their Rust owner (the frame, or the mapped shared
//! memory segment) alive for as long as Python holds them.
//!
//! Long calls (validating a loaded frame, deep copies, publishing and attaching segments) release the GIL.
//! Errors from the Rust crates become `isolation.IsolationError` (a `ValueError`) carrying the Rust
//! message, which names the row and the column.

#![forbid(unsafe_code)]

mod convert;
mod cow;
mod factory;
mod folds;
mod handler;
mod manifest;
mod memory;
mod shm;
mod view;

use pyo3::prelude::*;

pyo3::create_exception!(
    isolation,
    IsolationError,
    pyo3::exceptions::PyValueError,
    "Bad input or a refused operation: the message names what and where (row, column, segment)."
);

/// Turns any Rust error of the workspace into `isolation.IsolationError` with its message and the
/// messages of its causes.
pub(crate) fn py_err(error: impl std::error::Error) -> PyErr {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    IsolationError::new_err(isolation::printable(&message).into_owned())
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("IsolationError", m.py().get_type::<IsolationError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<view::View>()?;
    m.add_class::<handler::Handler>()?;
    m.add_class::<cow::CowFrame>()?;
    m.add_class::<shm::Segment>()?;
    m.add_function(wrap_pyfunction!(convert::check_frame, m)?)?;
    m.add_function(wrap_pyfunction!(shm::publish, m)?)?;
    m.add_function(wrap_pyfunction!(shm::attach, m)?)?;
    m.add_function(wrap_pyfunction!(shm::list_segments, m)?)?;
    m.add_function(wrap_pyfunction!(shm::gc, m)?)?;
    m.add_function(wrap_pyfunction!(shm::remove, m)?)?;
    m.add_function(wrap_pyfunction!(folds::sklearn_walk_forward, m)?)?;
    m.add_function(wrap_pyfunction!(folds::walk_forward, m)?)?;
    m.add_function(wrap_pyfunction!(folds::cv_folds, m)?)?;
    m.add_function(wrap_pyfunction!(manifest::node_fold, m)?)?;
    m.add_function(wrap_pyfunction!(manifest::check_manifest, m)?)?;
    m.add_function(wrap_pyfunction!(factory::decide, m)?)?;
    m.add_function(wrap_pyfunction!(factory::available_modes, m)?)?;
    m.add_function(wrap_pyfunction!(memory::process_memory, m)?)?;
    Ok(())
}
