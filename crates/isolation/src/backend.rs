//! Dispatch from an `IsolationMode` to the backend crate that implements it.

use std::ops::Range;
use std::sync::Arc;

use isolation_core::{IsolatedData, IsolationError, IsolationMode, Split};
use timeseries_array::TimeFrame;

/// True when this build has a backend for `mode`.
pub(crate) fn is_available(mode: IsolationMode) -> bool {
    unavailable_reason(mode).is_none()
}

fn unavailable_reason(mode: IsolationMode) -> Option<&'static str> {
    match mode {
        IsolationMode::View | IsolationMode::DeepCopy => {
            (!cfg!(feature = "view")).then_some("enable the `view` feature of the `isolation` crate")
        }
        IsolationMode::CopyOnWrite => {
            (!cfg!(feature = "cow")).then_some("enable the `cow` feature of the `isolation` crate")
        }
        IsolationMode::SharedMemory => Some("shared-memory datasets are made by publishing: use DataHandler"),
    }
}

/// Isolated data for `rows` of `base` in `mode`, or why this build cannot make it.
pub(crate) fn isolate(
    mode: IsolationMode,
    base: &TimeFrame,
    rows: Range<usize>,
    split: Split,
) -> Result<Arc<dyn IsolatedData>, IsolationError> {
    if let Some(reason) = unavailable_reason(mode) {
        return Err(IsolationError::ModeUnavailable { mode, reason: reason.to_string() });
    }
    match mode {
        #[cfg(feature = "view")]
        IsolationMode::View => Ok(Arc::new(isolation_view::DataView::new(base, rows, split)?)),
        #[cfg(feature = "view")]
        IsolationMode::DeepCopy => Ok(Arc::new(isolation_view::DataView::deep_copy(base, rows, split)?)),
        #[cfg(feature = "cow")]
        IsolationMode::CopyOnWrite => Ok(Arc::new(isolation_cow::CowFrame::new(base, rows, split)?)),
        _ => {
            let _ = (base, rows, split);
            unreachable!("unavailable modes returned above")
        }
    }
}
