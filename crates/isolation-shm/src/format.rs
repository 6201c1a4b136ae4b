//! The segment layout's custom metadata: every key this crate writes into a segment's Arrow schema, and
//! the format version an attacher checks before it trusts any of them.
//!
//! A segment is an Arrow IPC file (any Arrow reader opens it); what makes it ours is this metadata. The
//! version changes whenever a key's meaning changes or a key an attacher relies on is added, so a segment
//! written by another version of this library is refused by name instead of misread.

use arrow_schema::Metadata;

/// The segment layout version this build writes and reads.
pub const SEGMENT_FORMAT_VERSION: u32 = 1;

/// Metadata key of the layout version (decimal).
pub(crate) const KEY_FORMAT: &str = "isolation.segment_format";
/// Metadata key of the publishing process id.
pub(crate) const KEY_PID: &str = "isolation.owner_pid";
/// Metadata key of the publishing time (Unix nanoseconds).
pub(crate) const KEY_CREATED: &str = "isolation.created_unix_ns";
/// Metadata key of the kept flag (`true`: outlives its publisher).
pub(crate) const KEY_KEPT: &str = "isolation.kept";
/// Metadata key recording that the publisher checked the index order (value [`INDEX_CHECKED`]).
pub(crate) const KEY_INDEX: &str = "isolation.index";
/// The value of [`KEY_INDEX`] a publisher writes.
pub(crate) const INDEX_CHECKED: &str = "strictly-increasing";
/// Metadata key prefix: `isolation.xxh3.<column>` holds the column's checksum in hex.
pub(crate) const KEY_CHECKSUM_PREFIX: &str = "isolation.xxh3.";

/// The entry recording this build's layout version.
pub(crate) fn version_entry() -> (String, String) {
    (KEY_FORMAT.to_string(), SEGMENT_FORMAT_VERSION.to_string())
}

/// What a segment's metadata says about its layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Layout {
    /// No key of ours: a file another tool wrote (pyarrow, polars); read as plain Arrow.
    Foreign,
    /// Written by this layout version.
    Current,
    /// Written by this library in another layout (`None`: before versions were recorded).
    Other(Option<String>),
}

/// The layout `metadata` records.
pub(crate) fn layout(metadata: &Metadata) -> Layout {
    match metadata.get(KEY_FORMAT) {
        Some(v) if v.parse() == Ok(SEGMENT_FORMAT_VERSION) => Layout::Current,
        Some(v) => Layout::Other(Some(v.clone())),
        None if metadata.keys().any(|k| k.starts_with("isolation.")) => Layout::Other(None),
        None => Layout::Foreign,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_ours_foreign_and_other_versions_apart() {
        assert_eq!(layout(&Metadata::from([version_entry()])), Layout::Current);
        assert_eq!(layout(&Metadata::default()), Layout::Foreign);
        assert_eq!(layout(&Metadata::from([("pandas".to_string(), "{}".to_string())])), Layout::Foreign);
        let old = Metadata::from([(KEY_PID.to_string(), "1".to_string())]);
        assert_eq!(layout(&old), Layout::Other(None));
        let newer = Metadata::from([(KEY_FORMAT.to_string(), "2".to_string())]);
        assert_eq!(layout(&newer), Layout::Other(Some("2".to_string())));
    }
}
