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
mod series;
mod shm;
mod view;

use pyo3::prelude::*;

pyo3::create_exception!(
    isolation,
    IsolationError,
    pyo3::exceptions::PyValueError,
    "Bad input or a refused operation: the message names what and where (row, column, segment)."
);

pyo3::create_exception!(
    isolation,
    IsolationWarning,
    pyo3::exceptions::PyUserWarning,
    "Something a person should see that is not an error: a symbol left without train or test rows by the \
     cut all symbols share. Filter it, or turn it into an error, with the `warnings` module."
);

/// Turns any Rust error of the workspace into `isolation.IsolationError` whose message is the error's
/// chain, outermost first (each layer's message once: `symbol `SPY`: SPY.csv: line 3, ...`).
pub(crate) fn py_err(error: impl std::error::Error) -> PyErr {
    IsolationError::new_err(isolation::error_chain(&error))
}

/// The `isolation` command (`python -m isolation ...`): runs the Rust CLI on `args` (the program name
/// first) with the GIL released and returns its exit code; `relaunch` is how the command starts itself
/// again (`[sys.executable, "-m", "isolation"]`, for `demo --workers`).
#[pyfunction]
fn cli_main(
    py: Python<'_>,
    args: Vec<std::ffi::OsString>,
    relaunch: Vec<std::ffi::OsString>,
) -> PyResult<u8> {
    let mut relaunch = relaunch.into_iter();
    let program = relaunch.next().ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err("relaunch needs the program to run (sys.executable)")
    })?;
    let relaunch = isolation_cli::workers::SelfCommand::new(program, relaunch.collect());
    Ok(py.detach(|| isolation_cli::cli::main(args, relaunch)))
}

/// The extension module.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("IsolationError", m.py().get_type::<IsolationError>())?;
    m.add("IsolationWarning", m.py().get_type::<IsolationWarning>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_class::<view::View>()?;
    m.add_function(wrap_pyfunction!(view::_attach_view, m)?)?;
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
    m.add_function(wrap_pyfunction!(folds::row_folds, m)?)?;
    m.add_function(wrap_pyfunction!(folds::n_splits, m)?)?;
    m.add_function(wrap_pyfunction!(manifest::node_fold, m)?)?;
    m.add_function(wrap_pyfunction!(manifest::check_manifest, m)?)?;
    m.add_function(wrap_pyfunction!(factory::decide, m)?)?;
    m.add_function(wrap_pyfunction!(factory::available_modes, m)?)?;
    m.add_function(wrap_pyfunction!(factory::create_handler, m)?)?;
    m.add_function(wrap_pyfunction!(factory::dataset_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(cli_main, m)?)?;
    m.add_function(wrap_pyfunction!(memory::process_memory, m)?)?;
    m.add_function(wrap_pyfunction!(memory::system_memory, m)?)?;
    m.add_function(wrap_pyfunction!(memory::distinct_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(memory::optimize_batch_lossless, m)?)?;
    m.add_class::<series::SeriesArray>()?;
    Ok(())
}
