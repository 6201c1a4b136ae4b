//! Memory as the operating system reports it (RSS, and PSS/USS from smaps_rollup on Linux; the machine's
//! total and available memory), allocations counted once, and the lossless column-type optimiser: the Rust
//! side of `isolation.MemoryTracker`.

use arrow_array::RecordBatch;
use arrow_pyarrow::{FromPyArrow, ToPyArrow};
use isolation::BufferSet;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use timeseries_array::optimize::{OptimizeOptions, optimize_batch};

use crate::py_err;

/// `{"rss_bytes", "virtual_bytes", "pss_bytes", "uss_bytes"}` of process `pid` (default: this one); PSS
/// and USS are None where the OS does not report them.
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
    out.set_item("virtual_bytes", memory.virtual_bytes)?;
    out.set_item("pss_bytes", memory.pss_bytes())?;
    out.set_item("uss_bytes", memory.uss_bytes())?;
    Ok(Some(out))
}

/// `{"total_bytes", "available_bytes", "shm_total_bytes", "shm_free_bytes"}` of this machine (the
/// shared-memory filesystem's figures None where there is none), or None where the OS gives nothing.
#[pyfunction]
pub(crate) fn system_memory(py: Python<'_>) -> PyResult<Option<Bound<'_, PyDict>>> {
    let Some(memory) = isolation::SystemMemory::current() else { return Ok(None) };
    let out = PyDict::new(py);
    out.set_item("total_bytes", memory.total_bytes)?;
    out.set_item("available_bytes", memory.available_bytes)?;
    out.set_item("shm_total_bytes", memory.shm.as_ref().map(|s| s.total_bytes))?;
    out.set_item("shm_free_bytes", memory.shm.as_ref().map(|s| s.free_bytes))?;
    Ok(Some(out))
}

/// Bytes of the distinct allocations among `regions` (`(start address, bytes)` pairs, one per column that
/// reads the allocation): memtrack's rule, each allocation once however many columns read it.
#[pyfunction]
pub(crate) fn distinct_bytes(regions: Vec<(usize, u64)>) -> u64 {
    let mut set = BufferSet::new();
    for (start, bytes) in regions {
        set.insert_region(start, bytes, false);
    }
    set.footprint().total_bytes()
}

/// The lossless optimiser over a pyarrow record batch of any columns (integers narrowed to the smallest type
/// holding their range, float64 to float32 only where every value round-trips, repeated strings to
/// dictionaries): `(new batch, [{"column", "from", "to", "before_bytes", "after_bytes", "note"}])`. The
/// input is not changed.
#[pyfunction]
pub(crate) fn optimize_batch_lossless<'py>(
    py: Python<'py>,
    batch: &Bound<'py, PyAny>,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyList>)> {
    let batch = RecordBatch::from_pyarrow_bound(batch)?;
    let (batch, report) =
        py.detach(|| optimize_batch(&batch, &OptimizeOptions::default())).map_err(py_err)?;
    let changes = PyList::empty(py);
    for change in &report.columns {
        let entry = PyDict::new(py);
        entry.set_item("column", &change.column)?;
        entry.set_item("from", &change.from_type)?;
        entry.set_item("to", &change.to_type)?;
        entry.set_item("before_bytes", change.before_bytes)?;
        entry.set_item("after_bytes", change.after_bytes)?;
        entry.set_item("note", &change.note)?;
        changes.append(entry)?;
    }
    Ok((batch.to_pyarrow(py)?, changes))
}
