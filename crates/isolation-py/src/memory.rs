//! Process memory as the operating system reports it (RSS, and PSS/USS from smaps_rollup on Linux).

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// `{"rss_bytes", "pss_bytes", "uss_bytes"}` of process `pid` (default: this one); PSS and USS are None
/// where the OS does not report them.
#[pyfunction]
#[pyo3(signature = (pid=None))]
pub(crate) fn process_memory(py: Python<'_>, pid: Option<u32>) -> PyResult<Option<Bound<'_, PyDict>>> {
    let memory = match pid {
        Some(pid) => isolation::ProcessMemory::of_pid(pid),
        None => isolation::ProcessMemory::current(),
    };
    let Some(memory) = memory else { return Ok(None) };
    let out = PyDict::new(py);
    out.set_item("rss_bytes", memory.rss_bytes)?;
    out.set_item("pss_bytes", memory.pss_bytes())?;
    out.set_item("uss_bytes", memory.uss_bytes())?;
    Ok(Some(out))
}
