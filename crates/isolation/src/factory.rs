//! `IsolationFactory`: isolated data in a chosen mode, or a mode chosen for a stated reason.

use std::ops::Range;
use std::sync::Arc;

use isolation_core::{IsolatedData, IsolationError, IsolationMode, Split};
use serde::Serialize;
use timeseries_array::TimeFrame;

use crate::backend::{is_available, isolate};
use crate::report::human_bytes;

/// Thresholds the factory decides by.
#[derive(Debug, Clone, PartialEq)]
pub struct FactoryConfig {
    /// Below this many bytes a deep copy is cheap enough that full separation is worth it.
    pub small_dataset_bytes: u64,
}

impl Default for FactoryConfig {
    fn default() -> Self {
        Self { small_dataset_bytes: 1 << 20 }
    }
}

/// The mode the factory chose and why, in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The chosen mode.
    pub mode: IsolationMode,
    /// Why, one sentence each.
    pub reasons: Vec<String>,
}

/// Makes isolated data in a given mode, or chooses the mode.
///
/// The automatic choice here uses the dataset's size only: a small dataset is deep-copied (full separation
/// costs almost nothing), anything larger gets a zero-copy view. Writers and multi-process readers are
/// weighed in the memtrack issue.
#[derive(Debug, Clone, Default)]
pub struct IsolationFactory {
    config: FactoryConfig,
}

impl IsolationFactory {
    /// A factory with the given thresholds.
    pub fn new(config: FactoryConfig) -> Self {
        Self { config }
    }

    /// The mode for a dataset of `dataset_bytes`, with reasons.
    pub fn choose(&self, dataset_bytes: u64) -> Decision {
        let size = human_bytes(dataset_bytes);
        let limit = human_bytes(self.config.small_dataset_bytes);
        if dataset_bytes < self.config.small_dataset_bytes && is_available(IsolationMode::DeepCopy) {
            Decision {
                mode: IsolationMode::DeepCopy,
                reasons: vec![format!(
                    "{size} dataset is under the {limit} small-dataset threshold: a private copy costs little and shares nothing"
                )],
            }
        } else {
            Decision {
                mode: IsolationMode::View,
                reasons: vec![format!(
                    "{size} dataset is at or over the {limit} small-dataset threshold: views share one copy and cost O(columns) bytes each"
                )],
            }
        }
    }

    /// Isolated data for `rows` of `base`: in `mode` if given, else in the mode [`IsolationFactory::choose`]
    /// picks for the rows' size.
    ///
    /// # Errors
    ///
    /// Rows outside `base`, or a mode this build cannot make.
    pub fn create(
        &self,
        base: &TimeFrame,
        rows: Range<usize>,
        split: Split,
        mode: Option<IsolationMode>,
    ) -> Result<(Arc<dyn IsolatedData>, Decision), IsolationError> {
        let decision = match mode {
            Some(mode) => Decision { mode, reasons: vec![format!("mode {mode} was asked for")] },
            None => {
                let rows_bytes = base.slice(rows.clone())?.visible_bytes();
                self.choose(rows_bytes)
            }
        };
        if decision.mode == IsolationMode::SharedMemory {
            // A segment must outlive the data made from it; the handler keeps it, the factory could not.
            return Err(IsolationError::ModeUnavailable {
                mode: decision.mode,
                reason: "the factory does not publish segments; use DataHandler::new(IsolationMode::SharedMemory), \
                         or isolation_shm::publish and pass the attached frame in view mode"
                    .to_string(),
            });
        }
        let data = isolate(decision.mode, base, rows, split)?;
        Ok((data, decision))
    }
}
