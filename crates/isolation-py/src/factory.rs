//! The factory's choice of mode for a workload, with its reasons in words.

use isolation::{FactoryConfig, IsolationFactory, Resources, Workload};
use pyo3::prelude::*;

use crate::handler::parse_mode;
use crate::py_err;

/// The mode for `dataset_bytes` read by `readers` processes (`will_write`: the caller changes values;
/// `copies`: copies a deep copy would make per process), checked against this machine's available memory
/// and free /dev/shm. `mode` checks a mode the caller asks for instead of choosing. Returns the mode's
/// name and the reasons.
#[pyfunction]
#[pyo3(signature = (dataset_bytes, mode=None, will_write=false, readers=1, copies=1, small_dataset_bytes=None))]
pub(crate) fn decide(
    dataset_bytes: u64,
    mode: Option<&str>,
    will_write: bool,
    readers: usize,
    copies: usize,
    small_dataset_bytes: Option<u64>,
) -> PyResult<(String, Vec<String>)> {
    let mut config = FactoryConfig::default();
    if let Some(bytes) = small_dataset_bytes {
        config.small_dataset_bytes = bytes;
    }
    let requested = mode.map(parse_mode).transpose()?;
    let workload = Workload { dataset_bytes, will_write, readers, copies };
    let decision =
        IsolationFactory::new(config).decide(requested, &workload, &Resources::current()).map_err(py_err)?;
    Ok((decision.mode.name().to_string(), decision.reasons))
}

/// The modes this build has, by name.
#[pyfunction]
pub(crate) fn available_modes() -> Vec<&'static str> {
    isolation::available_modes().into_iter().map(|m| m.name()).collect()
}
