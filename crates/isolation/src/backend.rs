//! Dispatch from an `IsolationMode` to the backend crate that implements it.

use std::ops::Range;
use std::sync::Arc;

use isolation_core::{IsolatedData, IsolationError, IsolationMode, Split};
use timeseries_array::TimeFrame;

/// True when this build has a backend for `mode`.
pub(crate) fn is_available(mode: IsolationMode) -> bool {
    unavailable_reason(mode).is_none()
}

/// The cargo feature of the `isolation` crate that brings `mode`'s backend, and whether this build has it:
/// the one table of modes and features.
pub(crate) fn feature_of(mode: IsolationMode) -> (&'static str, bool) {
    match mode {
        IsolationMode::View | IsolationMode::DeepCopy => ("view", cfg!(feature = "view")),
        IsolationMode::CopyOnWrite => ("cow", cfg!(feature = "cow")),
        IsolationMode::SharedMemory => ("shm", cfg!(feature = "shm")),
    }
}

fn unavailable_reason(mode: IsolationMode) -> Option<String> {
    let (feature, built) = feature_of(mode);
    (!built).then(|| format!("enable the `{feature}` feature of the `isolation` crate"))
}

/// Options of the backends that have some, passed from the handler.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BackendOptions {
    /// Chunk size of copy-on-write frames.
    #[cfg(feature = "cow")]
    pub(crate) cow: isolation_cow::CowConfig,
}

/// Isolated data as a backend made it: shared and read-only, or a copy-on-write frame that its holder may
/// write (the `Arc` is cloned cheaply and made unique on the first write).
#[derive(Debug, Clone)]
pub(crate) enum Isolated {
    /// Any backend, read through the trait.
    Shared(Arc<dyn IsolatedData>),
    /// A copy-on-write frame.
    #[cfg(feature = "cow")]
    Cow(Arc<isolation_cow::CowFrame>),
}

impl Isolated {
    /// The data as the trait.
    pub(crate) fn as_dyn(&self) -> &(dyn IsolatedData + 'static) {
        match self {
            Self::Shared(data) => data.as_ref(),
            #[cfg(feature = "cow")]
            Self::Cow(frame) => frame.as_ref(),
        }
    }

    /// The data as a shared trait object.
    pub(crate) fn to_arc(&self) -> Arc<dyn IsolatedData> {
        match self {
            Self::Shared(data) => data.clone(),
            #[cfg(feature = "cow")]
            Self::Cow(frame) => frame.clone(),
        }
    }
}

/// Isolated data for `rows` of `base` in `mode`, or why this build cannot make it.
///
/// For [`IsolationMode::SharedMemory`], `base` must already be the frame attached from a segment (the
/// handler publishes and attaches); the data is then a view over the mapped pages.
pub(crate) fn isolate(
    mode: IsolationMode,
    base: &TimeFrame,
    rows: Range<usize>,
    split: Split,
) -> Result<Arc<dyn IsolatedData>, IsolationError> {
    isolate_with(mode, base, rows, split, BackendOptions::default()).map(|data| data.to_arc())
}

/// As [`isolate`], with the backends' options, keeping a copy-on-write frame writable.
pub(crate) fn isolate_with(
    mode: IsolationMode,
    base: &TimeFrame,
    rows: Range<usize>,
    split: Split,
    options: BackendOptions,
) -> Result<Isolated, IsolationError> {
    if let Some(reason) = unavailable_reason(mode) {
        return Err(IsolationError::ModeUnavailable { mode, reason });
    }
    let _ = options;
    match mode {
        #[cfg(feature = "view")]
        IsolationMode::View => {
            Ok(Isolated::Shared(Arc::new(isolation_view::DataView::new(base, rows, split)?)))
        }
        #[cfg(feature = "view")]
        IsolationMode::DeepCopy => {
            Ok(Isolated::Shared(Arc::new(isolation_view::DataView::deep_copy(base, rows, split)?)))
        }
        #[cfg(feature = "cow")]
        IsolationMode::CopyOnWrite => {
            Ok(Isolated::Cow(Arc::new(isolation_cow::CowFrame::with_config(base, rows, split, options.cow)?)))
        }
        #[cfg(all(feature = "shm", feature = "view"))]
        IsolationMode::SharedMemory => Ok(Isolated::Shared(Arc::new(
            isolation_view::DataView::new(base, rows, split)?.with_mode(IsolationMode::SharedMemory),
        ))),
        // Reached only in builds without some backend features; with all of them every mode matched above.
        #[allow(unreachable_patterns)]
        _ => {
            let _ = (base, rows, split);
            unreachable!("unavailable modes returned above")
        }
    }
}

/// The test rows `rows` of `base` when `history` (made in `mode`) already holds `warmup_rows` rows before
/// them and then exactly them: in deep-copy mode a view of the history's copy (so the test rows are copied
/// once, not twice), in every other mode the rows isolated from `base` as usual.
pub(crate) fn isolate_within(
    mode: IsolationMode,
    base: &TimeFrame,
    history: &Arc<dyn IsolatedData>,
    warmup_rows: usize,
    rows: Range<usize>,
    options: BackendOptions,
) -> Result<Isolated, IsolationError> {
    match mode {
        #[cfg(feature = "view")]
        IsolationMode::DeepCopy => {
            let copied = history.to_frame();
            let view = isolation_view::DataView::new(&copied, warmup_rows..copied.n_rows(), Split::Test)?;
            Ok(Isolated::Shared(Arc::new(view.with_mode(IsolationMode::DeepCopy))))
        }
        _ => {
            let _ = (history, warmup_rows);
            isolate_with(mode, base, rows, Split::Test, options)
        }
    }
}
