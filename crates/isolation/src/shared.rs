//! Shared-memory mode: each symbol's frame published once as a segment and attached read-only.

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use isolation_core::{ColumnLayout, IsolatedData, IsolationError, IsolationMode, Split};
use isolation_shm::{Attached, Publisher};
use isolation_view::DataView;
use memtrack::{BufferSet, Footprint};
use timeseries_array::{TimeFrame, TimestampNs, ValueType};

/// A symbol's published segment and this process's attachment to it. Dropping it unlinks the segment (the
/// mapping itself lives on while any view still holds its buffers).
#[derive(Debug)]
pub(crate) struct SharedSegment {
    attached: Attached,
    publisher: Publisher,
}

impl SharedSegment {
    /// Publishes `frame` under a name unique to this process and symbol, then attaches to it.
    pub(crate) fn publish(symbol: &str, frame: &TimeFrame) -> Result<Self, IsolationError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        // The name carries 64 random bits, so a hostile co-tenant cannot plant a file at it in advance.
        let name = format!(
            "h{}-{}-{:016x}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            random_u64(),
            sanitize(symbol)
        );
        let unavailable = |e: isolation_shm::ShmError| {
            IsolationError::SharedMemory { source: timeseries_array::Cause::new(e) }.for_symbol(symbol)
        };
        let publisher = isolation_shm::publish(&name, frame).map_err(unavailable)?;
        // We wrote it from a TimeFrame a moment ago: trust its recorded index order, so attaching is
        // O(columns) instead of reading every timestamp again.
        let attached = isolation_shm::AttachOptions::new()
            .with_dir(publisher.dir())
            .trust_published_order(true)
            .attach(publisher.name())
            .map_err(unavailable)?;
        Ok(Self { attached, publisher })
    }

    /// The attached frame: its buffers point into the mapped segment.
    pub(crate) fn frame(&self) -> &TimeFrame {
        self.attached.frame()
    }

    /// The segment name workers attach to.
    pub(crate) fn name(&self) -> &str {
        self.publisher.name()
    }

    /// Where the segment is, for a process that attaches to it.
    pub(crate) fn location(&self) -> SegmentLocation {
        let timestamps = self.frame().timestamps();
        SegmentLocation {
            name: self.name().to_string(),
            dir: self.publisher.dir().to_path_buf(),
            first: timestamps.as_ptr() as usize,
            n_rows: timestamps.len(),
        }
    }
}

/// A symbol's segment as another process finds it (its name and directory), and which rows of it a
/// piece of data is: what a Python view pickles as instead of its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentLocation {
    /// The segment name.
    pub name: String,
    /// The directory it is published in.
    pub dir: std::path::PathBuf,
    /// Address of the mapped timestamp column's first value in this process.
    first: usize,
    n_rows: usize,
}

impl SegmentLocation {
    /// The segment row at which `timestamps` start, when they are a run of the segment's own mapped
    /// timestamp column (split data, a fold's piece or a window of them in shared-memory mode); `None` for
    /// timestamps anywhere else (a copy).
    pub fn start_of(&self, timestamps: &[TimestampNs]) -> Option<usize> {
        let at = timestamps.as_ptr() as usize;
        let width = std::mem::size_of::<TimestampNs>();
        let offset = at.checked_sub(self.first)?;
        let start = offset / width;
        (offset % width == 0 && start + timestamps.len() <= self.n_rows).then_some(start)
    }
}

/// Rows published as a segment of their own, read through a view of the mapped pages; the segment is
/// unlinked when the last clone of this data is dropped. What [`crate::IsolationFactory::create`] returns in
/// shared-memory mode.
#[derive(Debug, Clone)]
pub(crate) struct SegmentData {
    view: DataView,
    /// Kept only to unlink the segment when the last clone goes.
    _segment: Arc<SharedSegment>,
}

impl SegmentData {
    /// Publishes `rows` of `base` under a fresh name and reads them from the mapping.
    pub(crate) fn publish(
        base: &TimeFrame,
        rows: Range<usize>,
        split: Split,
    ) -> Result<Self, IsolationError> {
        let segment = SharedSegment::publish("factory", &base.slice(rows)?)?;
        let view = DataView::new(segment.frame(), 0..segment.frame().n_rows(), split)?
            .with_mode(IsolationMode::SharedMemory);
        Ok(Self { view, _segment: Arc::new(segment) })
    }
}

impl IsolatedData for SegmentData {
    fn mode(&self) -> IsolationMode {
        IsolationMode::SharedMemory
    }
    fn split(&self) -> Split {
        self.view.split()
    }
    fn n_rows(&self) -> usize {
        self.view.n_rows()
    }
    fn timestamps(&self) -> &[TimestampNs] {
        self.view.timestamps()
    }
    fn column_names(&self) -> Vec<&str> {
        self.view.column_names()
    }
    fn value_type(&self, column_idx: usize) -> Option<ValueType> {
        self.view.value_type(column_idx)
    }
    fn value_f64(&self, column_idx: usize, row: usize) -> Option<f64> {
        self.view.value_f64(column_idx, row)
    }
    fn column_layout(&self, column_idx: usize) -> Option<ColumnLayout<'_>> {
        self.view.column_layout(column_idx)
    }
    fn footprint(&self) -> Footprint {
        self.view.footprint()
    }
    fn add_buffers_to(&self, set: &mut BufferSet) {
        self.view.add_buffers_to(set);
    }
    fn to_frame(&self) -> TimeFrame {
        self.view.to_frame()
    }
}

/// 64 bits from the operating system's randomness (the standard library seeds every `RandomState` from it).
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new().build_hasher().finish()
}

/// A symbol as a segment-name part: letters, digits, `_` and `-` kept, anything else (`/` in `BTC/USD`)
/// becomes `_`, at most 64 bytes.
fn sanitize(symbol: &str) -> String {
    symbol
        .chars()
        .take(64)
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::sanitize;
    use timeseries_array::TimeFrame;

    #[test]
    fn handler_segment_names_are_not_guessable() {
        assert_ne!(super::random_u64(), super::random_u64());
    }

    #[test]
    fn a_run_of_the_segment_is_located_and_a_copy_is_not() {
        let values = std::sync::Arc::new(arrow_array::Float64Array::from_iter_values((0..50).map(f64::from)));
        let frame =
            TimeFrame::try_new((0..50).collect::<Vec<i64>>(), vec![("close".into(), values)]).unwrap();
        let segment = super::SharedSegment::publish("LOC", &frame).unwrap();
        let location = segment.location();
        let mapped = segment.frame().timestamps();
        assert_eq!(location.start_of(mapped), Some(0));
        assert_eq!(location.start_of(&mapped[10..20]), Some(10));
        assert_eq!(location.start_of(&mapped[49..]), Some(49));
        assert_eq!(location.start_of(frame.timestamps()), None, "the frame it was published from");
        let copy = mapped[10..20].to_vec();
        assert_eq!(location.start_of(&copy), None);
    }

    #[test]
    fn symbols_become_valid_segment_names() {
        assert_eq!(sanitize("BTC/USD"), "BTC_USD");
        assert_eq!(sanitize("ES.c.0"), "ES_c_0");
        assert_eq!(sanitize(&"x".repeat(100)).len(), 64);
    }
}
