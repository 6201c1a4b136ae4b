//! Fold manifests on a worker: one fold of a manifest made from this machine's dataset segments.

use isolation::FoldManifest;
use isolation::shm::{NodeLocation, NodeOptions};
use pyo3::prelude::*;

use crate::handler::{FoldViews, fold_views};
use crate::py_err;

/// Per symbol of a node fold: `(symbol, segment name, segment file, location, published by this call)`.
type Dataset = (String, String, String, &'static str, bool);

/// Fold `index` of the manifest `manifest_json`, made on this machine: each symbol attached from its
/// dataset segment `ds-<fingerprint>` (loaded from the manifest's source, checked and published by the
/// first task of the machine that needs it). `shm_dir` and `spill_dir` override `$ISOLATION_SHM_DIR` and
/// `$ISOLATION_SPILL_DIR`; `memory_limit` caps the bytes a dataset may take in the segment directory.
/// Returns the fold as `DataHandler.folds` gives it, and the datasets.
#[pyfunction]
#[pyo3(signature = (manifest_json, index, shm_dir=None, spill_dir=None, memory_limit=None))]
pub(crate) fn node_fold(
    py: Python<'_>,
    manifest_json: &str,
    index: usize,
    shm_dir: Option<std::path::PathBuf>,
    spill_dir: Option<std::path::PathBuf>,
    memory_limit: Option<u64>,
) -> PyResult<(FoldViews, Vec<Dataset>)> {
    let manifest = FoldManifest::from_json(manifest_json).map_err(py_err)?;
    let node = NodeOptions::from_overrides(shm_dir, spill_dir, memory_limit);
    let made = py.detach(|| manifest.node_fold(index, &node)).map_err(py_err)?;
    let datasets = (made.datasets.iter())
        .map(|d| {
            let location = match d.location {
                NodeLocation::Memory => "memory",
                NodeLocation::Spilled => "spilled",
            };
            (d.symbol.clone(), d.segment.clone(), d.path.display().to_string(), location, d.published)
        })
        .collect();
    Ok((fold_views(&made.fold, "view", &[])?, datasets))
}

/// The manifest `manifest_json` checked and written back in canonical form (the JSON every writer makes).
#[pyfunction]
pub(crate) fn check_manifest(manifest_json: &str) -> PyResult<String> {
    Ok(FoldManifest::from_json(manifest_json).map_err(py_err)?.to_json())
}
