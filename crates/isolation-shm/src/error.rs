//! `ShmError`: the one error type of this crate; every variant names the segment.

use std::path::PathBuf;

use thiserror::Error;
use timeseries_array::FrameError;

/// Why publishing, attaching or managing a segment failed. Every message names the segment.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ShmError {
    /// The name cannot be a segment name.
    #[error("invalid segment name `{}`: {reason}", timeseries_array::printable(name))]
    InvalidName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No segment with this name exists.
    #[error("no shared-memory segment `{name}` at {}; publish it first or check the name with `isolation shm ls`", path.display())]
    NotFound {
        /// The segment name.
        name: String,
        /// Where it was looked for.
        path: PathBuf,
    },
    /// A segment with this name exists and its owner is alive.
    #[error(
        "segment `{name}` already exists at {} (owner pid {}); pick another name or remove it with `isolation shm rm {name}`",
        path.display(),
        owner.map_or_else(|| "unknown".to_string(), |p| p.to_string())
    )]
    AlreadyExists {
        /// The segment name.
        name: String,
        /// Its path.
        path: PathBuf,
        /// The pid that published it, when its metadata says.
        owner: Option<u32>,
    },
    /// The target filesystem has too little free space for the segment.
    #[error(
        "not enough space for segment `{name}` in {}: need about {needed} bytes, {available} available; free space or publish with another directory (with_dir)",
        dir.display()
    )]
    NoSpace {
        /// The segment name.
        name: String,
        /// The directory it was to be written to.
        dir: PathBuf,
        /// Bytes the segment needs (an estimate made before writing).
        needed: u64,
        /// Bytes available to this user on that filesystem.
        available: u64,
    },
    /// The segment was published by this library in a layout this build does not read (another version of
    /// `isolation`, before or after [`SEGMENT_FORMAT_VERSION`](crate::SEGMENT_FORMAT_VERSION)).
    #[error(
        "segment `{name}` has segment format version {found}, and this build reads version {}; republish it with this version",
        crate::SEGMENT_FORMAT_VERSION
    )]
    UnknownFormat {
        /// The segment name.
        name: String,
        /// The version its metadata records (`none recorded` for segments older than versioning).
        found: String,
    },
    /// The file is not an Arrow IPC file at all.
    #[error("segment `{name}` at {} is not an Arrow IPC file: {reason}", path.display())]
    Foreign {
        /// The segment name.
        name: String,
        /// Its path.
        path: PathBuf,
        /// What gave it away.
        reason: String,
    },
    /// The file starts like an Arrow IPC file but is truncated or corrupt.
    #[error("segment `{name}` at {} is truncated or corrupt: {reason}", path.display())]
    Corrupt {
        /// The segment name.
        name: String,
        /// Its path.
        path: PathBuf,
        /// The first structural check that failed.
        reason: String,
    },
    /// A valid Arrow IPC file whose schema is not a time frame's, or not the one the caller expected.
    #[error("segment `{name}` has an unexpected schema: {reason}")]
    UnexpectedSchema {
        /// The segment name.
        name: String,
        /// How the schema differs.
        reason: String,
    },
    /// A foreign file with several record batches; attaching them would need a copy.
    #[error(
        "segment `{name}` holds {n_batches} record batches; only single-batch files attach without copying (combine the batches before writing, e.g. pyarrow's `table.combine_chunks()`, or attach with AttachOptions::concatenate_batches(true), which copies them once)"
    )]
    MultipleBatches {
        /// The segment name.
        name: String,
        /// Record batches in the file.
        n_batches: usize,
    },
    /// The data decodes but breaks a frame invariant (unsorted or null timestamps, ...).
    #[error("segment `{name}` does not hold a valid time frame")]
    Frame {
        /// The segment name.
        name: String,
        /// The frame check that failed.
        source: FrameError,
    },
    /// A column's values differ from the checksum its publisher recorded (`AttachOptions::verify`).
    #[error(
        "segment `{name}`: column `{column}` does not match its checksum (recorded {recorded}, computed {computed}); the segment was changed or damaged after publishing"
    )]
    ChecksumMismatch {
        /// The segment name.
        name: String,
        /// The first column that differs.
        column: String,
        /// The xxh3-64 the publisher recorded, in hex.
        recorded: String,
        /// The xxh3-64 of the mapped values, in hex.
        computed: String,
    },
    /// Verification was asked for a segment that records no checksums (written by another tool).
    #[error("segment `{name}` records no checksums to verify (it was not published by this library)")]
    NoChecksums {
        /// The segment name.
        name: String,
    },
    /// A dataset segment's content does not hash to the fingerprint its name (or the caller) gives.
    #[error(
        "dataset segment `{name}`: expected data with fingerprint {expected}, found {found}; the segment or the source changed (remove the segment with `isolation shm rm {name}` if it is stale)"
    )]
    FingerprintMismatch {
        /// The segment name.
        name: String,
        /// The fingerprint expected.
        expected: String,
        /// The fingerprint of the data found.
        found: String,
    },
    /// A dataset does not fit in the memory-backed directory and no spill directory is set.
    #[error(
        "dataset segment `{name}` needs about {needed} bytes and {} has room for {available}; set ISOLATION_SPILL_DIR (or --spill-dir) to a directory on a local disk to share it as a file-backed map instead",
        dir.display()
    )]
    NoSpillDir {
        /// The segment name.
        name: String,
        /// The memory-backed directory.
        dir: PathBuf,
        /// Bytes the segment needs (an estimate).
        needed: u64,
        /// Bytes it had room for.
        available: u64,
    },
    /// An operating-system call failed.
    #[error("{op} failed for segment `{name}` at {}", path.display())]
    Io {
        /// The segment name.
        name: String,
        /// The path involved.
        path: PathBuf,
        /// What we were doing (`open`, `write`, `rename`, `map`, ...).
        op: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
}

impl ShmError {
    /// The segment name the error is about.
    pub fn segment_name(&self) -> &str {
        match self {
            Self::InvalidName { name, .. }
            | Self::NotFound { name, .. }
            | Self::AlreadyExists { name, .. }
            | Self::NoSpace { name, .. }
            | Self::UnknownFormat { name, .. }
            | Self::Foreign { name, .. }
            | Self::Corrupt { name, .. }
            | Self::UnexpectedSchema { name, .. }
            | Self::MultipleBatches { name, .. }
            | Self::Frame { name, .. }
            | Self::ChecksumMismatch { name, .. }
            | Self::NoChecksums { name }
            | Self::FingerprintMismatch { name, .. }
            | Self::NoSpillDir { name, .. }
            | Self::Io { name, .. } => name,
        }
    }

    pub(crate) fn io(name: &str, path: &std::path::Path, op: &'static str, source: std::io::Error) -> Self {
        Self::Io { name: name.to_string(), path: path.to_path_buf(), op, source }
    }
}
