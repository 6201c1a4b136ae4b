//! Segment management: list the segments in a directory, remove one, and collect those whose owner died.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::conform::Conform;
use crate::decode::{Source, frame_schema};
use crate::name::{default_dir, name_of_file, pid_of_temp_file, segment_path, validate_name};
use crate::owner::SegmentOwner;
use crate::{ShmError, process_alive};

/// One segment file, as `isolation shm ls` shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentInfo {
    /// The segment name.
    pub name: String,
    /// Its file.
    pub path: PathBuf,
    /// File size in bytes.
    pub size_bytes: u64,
    /// The publishing process, if the segment records one (files written by other tools do not).
    pub owner_pid: Option<u32>,
    /// When it was published, if recorded.
    pub created: Option<SystemTime>,
    /// Published with [`PublishOptions::keep`](crate::PublishOptions::keep): [`gc`] leaves it alone.
    pub kept: bool,
    /// Whether the owner process is still running (false when no owner is recorded).
    pub owner_alive: bool,
    /// Why the segment's metadata could not be read, if it could not (truncated, foreign, ...).
    pub problem: Option<String>,
}

impl SegmentInfo {
    /// True when [`gc`] would remove it: a recorded owner that is dead, and not kept.
    pub fn is_stale(&self) -> bool {
        self.owner_pid.is_some() && !self.kept && !self.owner_alive
    }
}

/// The segments in [`default_dir`], sorted by name. Unreadable entries are skipped; segments whose
/// metadata cannot be read are listed with [`SegmentInfo::problem`] set.
pub fn list_segments() -> Vec<SegmentInfo> {
    list_segments_in(&default_dir())
}

/// The segments in `dir`, sorted by name; empty if the directory cannot be read.
pub fn list_segments_in(dir: &Path) -> Vec<SegmentInfo> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut segments: Vec<SegmentInfo> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| {
            let file_name = e.file_name();
            let name = name_of_file(file_name.to_str()?)?.to_string();
            Some(describe(&name, &e.path()))
        })
        .collect();
    segments.sort_by(|a, b| a.name.cmp(&b.name));
    segments
}

/// Removes the segments in [`default_dir`] whose owner died without unlinking them (e.g. after
/// `kill -9`), and our temporary files left by dead writers; returns the segments removed.
///
/// Kept segments, segments of live owners and files without owner metadata are never removed. A pid
/// reused by a new process makes a dead owner look alive: gc then errs on the side of keeping.
pub fn gc() -> Vec<SegmentInfo> {
    gc_in(&default_dir())
}

/// [`gc`] in `dir`.
pub fn gc_in(dir: &Path) -> Vec<SegmentInfo> {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let file_name = entry.file_name();
            if let Some(pid) = file_name.to_str().and_then(pid_of_temp_file)
                && !process_alive(pid)
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    list_segments_in(dir).into_iter().filter(|info| info.is_stale() && remove_if_stale(&info.path)).collect()
}

/// Removes segment `name` from [`default_dir`], whoever owns it. Processes attached to it keep their
/// mapping; the memory is freed when the last one detaches.
///
/// # Errors
///
/// An invalid name, [`ShmError::NotFound`], or an I/O error.
pub fn remove(name: &str) -> Result<(), ShmError> {
    remove_in(&default_dir(), name)
}

/// [`remove`] in `dir`.
///
/// # Errors
///
/// As [`remove`].
pub fn remove_in(dir: &Path, name: &str) -> Result<(), ShmError> {
    validate_name(name)?;
    let path = segment_path(dir, name);
    crate::sealed::release_holder(name, &path);
    std::fs::remove_file(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ShmError::NotFound { name: name.to_string(), path: path.clone() },
        _ => ShmError::io(name, &path, "remove", e),
    })?;
    // A dataset's lock file goes with it (a task publishing it again makes a new one).
    let _ = std::fs::remove_file(crate::datasets::lock_path(dir, name));
    Ok(())
}

/// Removes the segment at `path` if its recorded owner is dead and it was not kept; true if removed.
pub(crate) fn remove_if_stale(path: &Path) -> bool {
    let name = path.file_name().and_then(|f| f.to_str()).and_then(name_of_file).unwrap_or("?");
    let before = identity(path);
    let stale = describe(name, path).is_stale();
    // Re-check the file is the one we read, so a segment published in between is not removed.
    stale && before.is_some() && identity(path) == before && std::fs::remove_file(path).is_ok()
}

fn describe(name: &str, path: &Path) -> SegmentInfo {
    let (owner, problem, size_bytes) = match read_info(name, path) {
        Ok(info) => (info.owner, None, info.size),
        Err(e) => (None, Some(e.to_string()), std::fs::symlink_metadata(path).map_or(0, |m| m.len())),
    };
    SegmentInfo {
        name: name.to_string(),
        path: path.to_path_buf(),
        size_bytes,
        owner_pid: owner.map(|o| o.pid),
        created: owner.map(|o| o.created),
        kept: owner.is_some_and(|o| o.kept),
        owner_alive: owner.is_some_and(|o| process_alive(o.pid)),
        problem,
    }
}

/// What the footer of the segment at `path` says, read with plain file reads (no mapping).
pub(crate) struct FooterInfo {
    pub(crate) owner: Option<SegmentOwner>,
    /// Bytes of the segment's data (the memfd's, for a sealed segment).
    pub(crate) size: u64,
}

pub(crate) fn read_info(name: &str, path: &Path) -> Result<FooterInfo, ShmError> {
    let src = Source { name, path };
    let io = |op: &'static str| move |e: std::io::Error| ShmError::io(name, path, op, e);
    // Never a plain open in a shared directory: a FIFO planted at the name would block it forever.
    let (mut file, len) = match crate::sealed::open_segment(name, path) {
        Ok(opened) => match opened.dead_publisher {
            // A sealed segment's locator outlived its publisher: stale, and gc may remove the locator.
            Some(pid) => {
                let owner = SegmentOwner { pid, created: std::time::UNIX_EPOCH, kept: false };
                return Ok(FooterInfo { owner: Some(owner), size: 0 });
            }
            None => (opened.file, opened.len),
        },
        Err(Ok(reason)) => return Err(src.foreign(reason)),
        Err(Err(e)) => return Err(io("open")(e)),
    };
    let mut magic = [0_u8; 6];
    if len < 6 || file.read_exact(&mut magic).is_err() || &magic != timeseries_ipc::MAGIC {
        return Err(src.foreign("it does not start with the ARROW1 magic"));
    }
    let mut trailer = [0_u8; timeseries_ipc::TRAILER_LEN];
    if len >= timeseries_ipc::TRAILER_LEN as u64 {
        file.seek(SeekFrom::End(-(timeseries_ipc::TRAILER_LEN as i64))).map_err(io("seek"))?;
        file.read_exact(&mut trailer).map_err(io("read"))?;
    }
    let footer_len = timeseries_ipc::footer_len(&trailer, len).map_err(|e| src.ipc(e))?;
    let mut footer = vec![0_u8; footer_len as usize];
    file.seek(SeekFrom::Start(len - 10 - footer_len)).map_err(io("seek"))?;
    file.read_exact(&mut footer).map_err(io("read"))?;
    let footer = timeseries_ipc::footer(&footer).map_err(|e| src.ipc(e))?;
    let schema = frame_schema(&footer, src, &Conform::default())?;
    Ok(FooterInfo { owner: SegmentOwner::from_metadata(schema.metadata()), size: len })
}

pub(crate) fn identity(path: &Path) -> Option<(u64, u64)> {
    let metadata = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((metadata.dev(), metadata.ino()))
    }
    #[cfg(not(unix))]
    {
        Some((metadata.len(), 0))
    }
}
