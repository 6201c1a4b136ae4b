//! The factory's choice of mode for a workload, with its reasons in words.

use isolation::{CreateOptions, FactoryConfig, IsolationFactory, Resources, Workload};
use pyo3::prelude::*;

use crate::convert::frame_from_py;
use crate::handler::{Handler, parse_mode};
use crate::py_err;

/// A frame's rows, columns and bytes (the seed's `original_data_info`).
type FrameInfo = (usize, usize, u64);

fn factory(small_dataset_bytes: Option<u64>) -> IsolationFactory {
    let mut config = FactoryConfig::default();
    if let Some(bytes) = small_dataset_bytes {
        config.small_dataset_bytes = bytes;
    }
    IsolationFactory::new(config)
}

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
    let requested = mode.map(parse_mode).transpose()?;
    let workload = Workload { dataset_bytes, will_write, readers, copies };
    let decision =
        factory(small_dataset_bytes).decide(requested, &workload, &Resources::current()).map_err(py_err)?;
    Ok((decision.mode.name().to_string(), decision.reasons))
}

/// The seed's `create_isolation` (`IsolationFactory::create_handler`): `data` loaded as symbol `data` into
/// a handler of the mode the factory chose (or `mode`, checked), published once in shared-memory mode.
/// Returns the handler, the mode's name, the reasons, and the frame's rows, columns and bytes.
#[pyfunction]
#[pyo3(signature = (data, mode=None, will_write=false, readers=1, copies=1, small_dataset_bytes=None))]
pub(crate) fn create_handler(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    mode: Option<&str>,
    will_write: bool,
    readers: usize,
    copies: usize,
    small_dataset_bytes: Option<u64>,
) -> PyResult<(Handler, String, Vec<String>, FrameInfo)> {
    let frame = frame_from_py(data, None)?;
    let info = (frame.n_rows(), frame.n_columns(), frame.visible_bytes());
    let options = CreateOptions {
        mode: mode.map(parse_mode).transpose()?,
        will_write,
        readers,
        copies,
        resources: None,
    };
    let (handler, decision) =
        py.detach(|| factory(small_dataset_bytes).create_handler("data", frame, &options)).map_err(py_err)?;
    Ok((Handler::from_handler(handler), decision.mode.name().to_string(), decision.reasons, info))
}

/// The bytes the factory sizes `data` by: its Arrow buffers' visible bytes.
#[pyfunction]
pub(crate) fn dataset_bytes(data: &Bound<'_, PyAny>) -> PyResult<u64> {
    Ok(frame_from_py(data, None)?.visible_bytes())
}

/// The modes this build has, by name.
#[pyfunction]
pub(crate) fn available_modes() -> Vec<&'static str> {
    isolation::available_modes().into_iter().map(|m| m.name()).collect()
}
