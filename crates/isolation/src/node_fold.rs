//! One fold of a manifest on a worker, with each symbol's data attached from this machine's dataset
//! segment: the first task of the machine loads the source and publishes it, every other task attaches,
//! so a machine holds each dataset once whatever its number of tasks.

use std::path::PathBuf;

use isolation_core::{IsolationError, IsolationMode};
use isolation_shm::{NodeLocation, NodeOptions, ShmError};
use timeseries_array::{Cause, TimeFrame};

use crate::{DataHandler, FoldData, FoldManifest};

/// A manifest's fold made on a worker from the machine's dataset segments ([`FoldManifest::node_fold`]).
#[derive(Debug)]
pub struct NodeFold {
    /// The fold's views, exactly those a single-process run over the same data makes.
    pub fold: FoldData,
    /// Per symbol of the fold, the segment its data was attached from.
    pub datasets: Vec<NodeSymbol>,
}

/// Where one symbol's data of a [`NodeFold`] lives on this machine.
#[derive(Debug, Clone)]
pub struct NodeSymbol {
    /// The symbol.
    pub symbol: String,
    /// The dataset segment's name (`ds-<fingerprint>`).
    pub segment: String,
    /// Where any Arrow reader of this user maps the data: the segment file, or for a sealed segment
    /// `/proc/<holder pid>/fd/<fd>` of its memfd.
    pub path: PathBuf,
    /// In memory, or spilled to a file-backed directory.
    pub location: NodeLocation,
    /// True if this task published it (it was the first on the machine).
    pub published: bool,
    /// Rows of the dataset.
    pub rows: usize,
}

impl FoldManifest {
    /// Fold `index` made from this machine's dataset segments (see [`NodeOptions::share`]): each symbol of
    /// the fold is attached from `ds-<fingerprint>` if the machine has it, or loaded from the manifest's
    /// source for it, checked against the fingerprint, published and attached. The views are zero-copy over
    /// the shared pages.
    ///
    /// # Errors
    ///
    /// [`IsolationError::Manifest`] for a fold the manifest lacks or a symbol without a source file;
    /// [`IsolationError::Load`] if the source cannot be read; [`IsolationError::FingerprintMismatch`] if it
    /// holds other data than the study was planned on; [`IsolationError::SharedMemory`] for a segment that
    /// cannot be published or attached (a segment whose content differs from its name included).
    pub fn node_fold(&self, index: usize, node: &NodeOptions) -> Result<NodeFold, IsolationError> {
        let planned = self.planned(index).ok_or_else(|| IsolationError::Manifest {
            reason: format!("it has no fold {index} ({} folds)", self.folds.len()),
        })?;
        let mut handler = DataHandler::new(IsolationMode::View);
        let mut datasets = Vec::with_capacity(planned.symbols.len());
        for symbol in planned.symbols.iter().map(|s| s.symbol.as_str()) {
            let source = self.source(symbol).ok_or_else(|| IsolationError::Manifest {
                reason: format!("fold {index} names `{symbol}`, not among its sources"),
            })?;
            let shared = node
                .share(&source.fingerprint, || {
                    let path = source.path.as_deref().ok_or_else(|| IsolationError::Manifest {
                        reason: format!(
                            "`{symbol}` has no source file (it was loaded in memory by the planner); a worker \
                             cannot load it"
                        ),
                    })?;
                    let frame = load_source(symbol, path)?;
                    let found = frame.fingerprint();
                    if found != source.fingerprint {
                        return Err(IsolationError::FingerprintMismatch {
                            symbol: symbol.to_string(),
                            expected: source.fingerprint.clone(),
                            found,
                        }
                        .into());
                    }
                    Ok(frame)
                })
                .map_err(|e: ShareError| e.into_isolation(symbol))?;
            datasets.push(NodeSymbol {
                symbol: symbol.to_string(),
                segment: shared.name().to_string(),
                path: shared.path().to_path_buf(),
                location: shared.location().clone(),
                published: shared.published(),
                rows: shared.frame().n_rows(),
            });
            handler.load_fingerprinted(symbol, shared.into_frame(), source.fingerprint.clone())?;
        }
        Ok(NodeFold { fold: handler.manifest_fold(self, index)?, datasets })
    }
}

/// Loads a manifest source: a local path or a `file://` URI.
fn load_source(symbol: &str, path: &str) -> Result<TimeFrame, IsolationError> {
    let local = path.strip_prefix("file://").unwrap_or(path);
    timeseries_io::load(local, &timeseries_io::LoadOptions::default())
        .map(|loaded| loaded.frame)
        .map_err(|e| IsolationError::File { source: Cause::new(e) }.for_symbol(symbol))
}

/// An error of [`NodeOptions::share`]: from the segment, or from loading the source.
enum ShareError {
    Segment(ShmError),
    Source(IsolationError),
}

impl From<ShmError> for ShareError {
    fn from(e: ShmError) -> Self {
        Self::Segment(e)
    }
}

impl From<IsolationError> for ShareError {
    fn from(e: IsolationError) -> Self {
        Self::Source(e)
    }
}

impl ShareError {
    fn into_isolation(self, symbol: &str) -> IsolationError {
        match self {
            Self::Source(e) => e,
            Self::Segment(e) => IsolationError::SharedMemory { source: Cause::new(e) }.for_symbol(symbol),
        }
    }
}
