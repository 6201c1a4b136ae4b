//! The lifetime of dataset segments (`ds-<fingerprint>`, [`crate::NodeOptions::share`]): they are kept after
//! their publisher exits, so something must remove them, or a machine that runs many studies fills its
//! memory with old datasets.
//!
//! - Every attach through [`crate::NodeOptions`] stamps the dataset's lock file
//!   (`.isolation.ds-<fingerprint>.lock`) with the time: its modification time is when the dataset was last
//!   attached.
//! - [`gc_datasets_in`] removes datasets published longer ago than [`DatasetPolicy::older_than`], or not
//!   attached for [`DatasetPolicy::unused_for`], and then, while the datasets left take more than
//!   [`DatasetPolicy::budget_bytes`], the least recently attached first.
//! - A dataset some process maps right now (found in `/proc/<pid>/maps` of every process this user can
//!   read) is never removed; where that cannot be read (not Linux), nothing is removed.
//! - A removed dataset takes its lock file with it ([`crate::remove_in`] too).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::name::SEGMENT_PREFIX;
use crate::{SegmentInfo, list_segments_in};

/// The prefix of dataset segment names ([`crate::dataset_segment_name`]).
pub const DATASET_PREFIX: &str = "ds-";

/// Which dataset segments [`gc_datasets_in`] removes. Datasets mapped by a process are never removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DatasetPolicy {
    /// Remove datasets published longer ago than this.
    pub older_than: Option<Duration>,
    /// Remove datasets not attached for this long.
    pub unused_for: Option<Duration>,
    /// Then remove the least recently attached datasets until the rest take at most this many bytes.
    pub budget_bytes: Option<u64>,
}

/// The lock file beside segment `name` in `dir` (the publishing lock of datasets, and their attach stamp).
pub(crate) fn lock_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{SEGMENT_PREFIX}{name}.lock"))
}

/// Records that dataset `name` in `dir` was attached now (best effort: a directory this user cannot write
/// to keeps its datasets' publish times).
pub(crate) fn stamp_attached(dir: &Path, name: &str) {
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    if let Ok(file) = open.open(lock_path(dir, name)) {
        let _ = file.set_modified(SystemTime::now());
    }
}

/// When dataset `info` was last attached: its stamp (the lock file, made when it was published), else when
/// it was published.
fn last_attached(dir: &Path, info: &SegmentInfo) -> SystemTime {
    let stamp = std::fs::metadata(lock_path(dir, &info.name)).and_then(|m| m.modified()).ok();
    stamp
        .or(info.created)
        .or_else(|| std::fs::metadata(&info.path).and_then(|m| m.modified()).ok())
        .unwrap_or(SystemTime::UNIX_EPOCH)
}

/// Removes the dataset segments of `dir` that `policy` says to (never one a process maps); returns them.
pub fn gc_datasets_in(dir: &Path, policy: &DatasetPolicy) -> Vec<SegmentInfo> {
    let Some(mapped) = crate::sys::mapped_paths() else { return Vec::new() };
    let now = SystemTime::now();
    let age = |t: SystemTime| now.duration_since(t).unwrap_or_default();
    // A plain file maps under its path; a sealed memfd as `/memfd:isolation.<name>`.
    let is_mapped = |s: &SegmentInfo| {
        std::fs::canonicalize(&s.path).is_ok_and(|p| mapped.contains(&p))
            || mapped.contains(Path::new(&crate::sealed::memfd_link_name(&s.name)))
    };
    let (in_use, idle): (Vec<SegmentInfo>, Vec<SegmentInfo>) =
        list_segments_in(dir).into_iter().filter(|s| s.name.starts_with(DATASET_PREFIX)).partition(is_mapped);
    let in_use_bytes: u64 = in_use.iter().map(|s| s.size_bytes).sum();
    let mut datasets: Vec<(SegmentInfo, SystemTime)> = idle
        .into_iter()
        .map(|s| {
            let last = last_attached(dir, &s);
            (s, last)
        })
        .collect();
    let mut removed = Vec::new();
    datasets.retain(|(info, last)| {
        let published = info.created.unwrap_or(*last);
        let too_old = policy.older_than.is_some_and(|limit| age(published) > limit);
        let unused = policy.unused_for.is_some_and(|limit| age(*last) > limit);
        if (too_old || unused) && remove_dataset(dir, info) {
            removed.push(info.clone());
            return false;
        }
        true
    });
    if let Some(budget) = policy.budget_bytes {
        datasets.sort_by_key(|(_, last)| *last);
        let mut total = in_use_bytes + datasets.iter().map(|(s, _)| s.size_bytes).sum::<u64>();
        for (info, _) in datasets {
            if total <= budget {
                break;
            }
            if remove_dataset(dir, &info) {
                total -= info.size_bytes;
                removed.push(info);
            }
        }
    }
    removed
}

/// Removes a dataset segment and its lock file; true if the segment was removed.
fn remove_dataset(dir: &Path, info: &SegmentInfo) -> bool {
    crate::sealed::release_holder(&info.name, &info.path);
    let removed = std::fs::remove_file(&info.path).is_ok();
    if removed {
        let _ = std::fs::remove_file(lock_path(dir, &info.name));
    }
    removed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_files_sit_beside_their_segment() {
        assert_eq!(lock_path(Path::new("/dev/shm"), "ds-ab"), Path::new("/dev/shm/.isolation.ds-ab.lock"));
    }
}
