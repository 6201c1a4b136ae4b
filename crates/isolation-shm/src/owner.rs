//! Owner metadata (pid, creation time, kept flag), stored in the Arrow schema's custom metadata so that
//! any Arrow reader still opens the file.

use arrow_schema::Metadata;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::format::{INDEX_CHECKED, KEY_CREATED, KEY_INDEX, KEY_KEPT, KEY_PID};

/// Who published a segment and when, as recorded in the segment itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentOwner {
    /// The publishing process.
    pub pid: u32,
    /// When the segment was written.
    pub created: SystemTime,
    /// Published with [`PublishOptions::keep`](crate::PublishOptions::keep): outlives its publisher, and
    /// [`gc`](crate::gc) leaves it alone.
    pub kept: bool,
}

impl SegmentOwner {
    /// This process, now.
    pub(crate) fn current(kept: bool) -> Self {
        Self { pid: std::process::id(), created: SystemTime::now(), kept }
    }

    /// The metadata entries that record this owner.
    pub(crate) fn to_metadata(self) -> Metadata {
        let created_ns = self.created.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        Metadata::from([
            (KEY_PID.to_string(), self.pid.to_string()),
            (KEY_CREATED.to_string(), created_ns.to_string()),
            (KEY_KEPT.to_string(), self.kept.to_string()),
            (KEY_INDEX.to_string(), INDEX_CHECKED.to_string()),
        ])
    }

    /// True when `metadata` records an owner and that its publisher checked the index order, so attaching
    /// may skip reading the whole timestamp column (attach stays O(columns)).
    pub(crate) fn index_checked(metadata: &Metadata) -> bool {
        Self::from_metadata(metadata).is_some() && metadata.get(KEY_INDEX).is_some_and(|v| v == INDEX_CHECKED)
    }

    /// The owner recorded in `metadata`, or `None` for a file we did not publish (e.g. written by pyarrow).
    pub(crate) fn from_metadata(metadata: &Metadata) -> Option<Self> {
        let pid = metadata.get(KEY_PID)?.parse().ok()?;
        let created_ns: u64 = metadata.get(KEY_CREATED)?.parse().ok()?;
        let kept = metadata.get(KEY_KEPT).is_some_and(|k| k == "true");
        Some(Self { pid, created: UNIX_EPOCH + Duration::from_nanos(created_ns), kept })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_metadata() {
        let owner = SegmentOwner {
            pid: 42,
            created: UNIX_EPOCH + Duration::from_nanos(1_700_000_000_123),
            kept: true,
        };
        let metadata = owner.to_metadata();
        assert_eq!(metadata.iter().count(), 4);
        assert!(SegmentOwner::index_checked(&metadata));
        assert_eq!(SegmentOwner::from_metadata(&metadata), Some(owner));
    }

    #[test]
    fn foreign_metadata_has_no_owner() {
        assert_eq!(SegmentOwner::from_metadata(&Metadata::default()), None);
        let bad = Metadata::from([(KEY_PID, "x")]);
        assert_eq!(SegmentOwner::from_metadata(&bad), None);
    }
}
