//! Shared-memory mode: each symbol's frame published once as a segment and attached read-only.

use std::sync::atomic::{AtomicU64, Ordering};

use isolation_core::{IsolationError, IsolationMode};
use isolation_shm::{Attached, Publisher};
use timeseries_array::TimeFrame;

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
        let name =
            format!("h{}-{}-{}", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed), sanitize(symbol));
        let unavailable = |e: isolation_shm::ShmError| {
            IsolationError::ModeUnavailable { mode: IsolationMode::SharedMemory, reason: e.to_string() }
                .for_symbol(symbol)
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

    #[test]
    fn symbols_become_valid_segment_names() {
        assert_eq!(sanitize("BTC/USD"), "BTC_USD");
        assert_eq!(sanitize("ES.c.0"), "ES_c_0");
        assert_eq!(sanitize(&"x".repeat(100)).len(), 64);
    }
}
