//! `DataHandler`'s fold manifests: writing a study's plan with the fingerprints of the data it was laid
//! over, and making one fold of it in a worker after checking that worker's data is the same.

use isolation_core::IsolationError;
use timeseries_array::TimeFrame;

use super::DataHandler;
use crate::folds::{FoldData, make_fold};
use crate::{FoldManifest, FoldOptions, FoldSpec};

impl DataHandler {
    /// The manifest of `spec` with `options` over every symbol: the plan of
    /// [`DataHandler::fold_plan_with`], each symbol's file (if registered from one) and the fingerprint of
    /// its data.
    ///
    /// # Errors
    ///
    /// As [`DataHandler::fold_plan_with`].
    pub fn fold_manifest(
        &self,
        spec: &FoldSpec,
        options: &FoldOptions,
    ) -> Result<FoldManifest, IsolationError> {
        let plan = self.fold_plan_with(spec, options)?;
        let frames = self.frames()?;
        let with_paths = (frames.iter())
            .map(|&(symbol, frame)| Ok((symbol, frame, self.path_of(symbol), self.fingerprint_of(symbol)?)))
            .collect::<Result<Vec<(&str, &TimeFrame, Option<String>, &str)>, IsolationError>>()?;
        Ok(FoldManifest::new(spec, options, &with_paths, &plan))
    }

    /// Fold `index` of `manifest`, made in the handler's mode from the handler's data: the same views the
    /// run that wrote the manifest made, once each symbol of the fold is checked to hold the data the
    /// manifest was planned on.
    ///
    /// # Errors
    ///
    /// [`IsolationError::Manifest`] for a fold the manifest does not have; [`IsolationError::UnknownSymbol`]
    /// for a symbol the handler lacks; [`IsolationError::FingerprintMismatch`] naming the symbol and both
    /// fingerprints when its data differs.
    pub fn manifest_fold(&self, manifest: &FoldManifest, index: usize) -> Result<FoldData, IsolationError> {
        let planned = manifest.planned(index).ok_or_else(|| IsolationError::Manifest {
            reason: format!("it has no fold {index} ({} folds)", manifest.folds.len()),
        })?;
        let frames = self.frames()?;
        for symbol in &planned.symbols {
            let expected =
                manifest.source(&symbol.symbol).map(|s| s.fingerprint.clone()).ok_or_else(|| {
                    IsolationError::Manifest {
                        reason: format!("fold {index} names `{}`, not among its sources", symbol.symbol),
                    }
                })?;
            let found = self.fingerprint_of(&symbol.symbol)?;
            if found != expected {
                return Err(IsolationError::FingerprintMismatch {
                    symbol: symbol.symbol.clone(),
                    expected,
                    found: found.to_string(),
                });
            }
        }
        make_fold(self.mode, &frames, &planned)
    }

    /// The file `symbol` was registered from, if any.
    fn path_of(&self, symbol: &str) -> Option<String> {
        #[cfg(feature = "io")]
        {
            self.symbols.get(symbol)?.source.as_ref().map(|source| source.path().display().to_string())
        }
        #[cfg(not(feature = "io"))]
        {
            let _ = symbol;
            None
        }
    }
}
