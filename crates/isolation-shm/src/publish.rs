//! Publishing: write a frame once as an Arrow IPC file into a named segment, atomically.

use std::fs::File;
use std::io::{BufWriter, ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_ipc::MetadataVersion;
use arrow_ipc::writer::{FileWriter, IpcWriteOptions};
use arrow_schema::{ArrowError, Schema};
use timeseries_array::TimeFrame;

use crate::name::{default_dir, segment_path, validate_name};
use crate::owner::SegmentOwner;
use crate::segments::{identity, read_info, remove_if_stale};
use crate::temp_file::create_temp;
use crate::{AttachOptions, Attached, ShmError, sys};

/// Buffers are padded to this many bytes, so every column can be mapped in place (Arrow's recommendation).
const ALIGNMENT: usize = 64;

/// How to publish: where, and whether the segment outlives its publisher.
///
/// ```
/// # use std::sync::Arc;
/// # use arrow_array::Float64Array;
/// # use timeseries_array::TimeFrame;
/// use isolation_shm::PublishOptions;
///
/// # let dir = std::env::temp_dir().join(format!("isolation-shm-doc-{}", std::process::id()));
/// # let close = Arc::new(Float64Array::from(vec![1.0, 2.0]));
/// # let frame = TimeFrame::try_new(vec![1, 2], vec![("close".into(), close)])?;
/// let publisher = PublishOptions::new().with_dir(&dir).publish("doc-options", &frame)?;
/// assert!(publisher.path().starts_with(&dir));
/// drop(publisher); // unlinks the segment: it was not kept
/// # std::fs::remove_dir(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct PublishOptions {
    dir: Option<PathBuf>,
    keep: bool,
    sealed: bool,
}

impl Default for PublishOptions {
    fn default() -> Self {
        Self { dir: None, keep: false, sealed: cfg!(target_os = "linux") }
    }
}

impl PublishOptions {
    /// Publish into [`default_dir`], unlinking the segment when the [`Publisher`] drops.
    pub fn new() -> Self {
        Self::default()
    }

    /// Publish into `dir` (created if missing) instead of the default directory, for example a fast disk
    /// when `/dev/shm` is too small. Readers must attach with the same directory.
    pub fn with_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Publish the data in a sealed `memfd` (Linux; the default there): once written, its size and
    /// contents are sealed, so no process (the publisher included) can truncate or change it under a reader,
    /// which would kill the reader with SIGBUS. The segment directory then holds a locator file under the
    /// name; attaching follows it to `/proc/<pid>/fd/<fd>` and checks the seals. `false` writes a plain file
    /// instead, which any process of the same user may truncate (the reader's risk; see [`crate::Attached`]).
    /// A kept segment's memfd is held by a holder process (`sleep infinity`, see [`PublishOptions::keep`]).
    pub fn sealed(mut self, sealed: bool) -> Self {
        self.sealed = sealed && cfg!(target_os = "linux");
        self
    }

    /// Keep the segment after the [`Publisher`] drops and after this process exits (as
    /// `isolation shm publish` does). [`gc`](crate::gc) never removes a kept segment; use
    /// [`remove`](crate::remove). Sealed (the default on Linux), the data stays in its sealed memfd after
    /// this process exits, held by a holder process (`sleep infinity` in a session of its own) that
    /// [`remove`](crate::remove) stops: no process can truncate it under a reader. Not sealed
    /// (`sealed(false)`, other systems), a kept segment is a plain file that another process of the same
    /// user can truncate under its readers (SIGBUS).
    pub fn keep(mut self) -> Self {
        self.keep = true;
        self
    }

    /// The directory segments go to.
    pub fn dir(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(default_dir)
    }

    /// About how many bytes publishing `frame` takes (an upper estimate, made before writing).
    pub fn estimated_size(&self, frame: &TimeFrame) -> u64 {
        estimated_size(frame)
    }

    /// Writes `frame` as segment `name`: to a temporary file (mode 0600) first, then linked into place, so
    /// readers never see a partial segment. A stale segment of the same name whose publisher died is replaced.
    ///
    /// # Errors
    ///
    /// An invalid name, a live segment of that name ([`ShmError::AlreadyExists`]), too little free space
    /// ([`ShmError::NoSpace`], checked before writing), or an I/O error.
    pub fn publish(&self, name: &str, frame: &TimeFrame) -> Result<Publisher, ShmError> {
        validate_name(name)?;
        let dir = self.dir();
        std::fs::create_dir_all(&dir).map_err(|e| ShmError::io(name, &dir, "create directory", e))?;
        let path = segment_path(&dir, name);
        check_name_free(name, &path)?;
        let needed = estimated_size(frame);
        let available = sys::available_bytes(&dir).map_err(|e| ShmError::io(name, &dir, "statvfs", e))?;
        if let Some(available) = available.filter(|&a| a < needed) {
            return Err(ShmError::NoSpace { name: name.to_string(), dir, needed, available });
        }

        let no_space = |e: ShmError| match e {
            ShmError::Io { source, .. } if source.kind() == ErrorKind::StorageFull => {
                let available = sys::available_bytes(&dir).ok().flatten().unwrap_or(0);
                ShmError::NoSpace { name: name.to_string(), dir: dir.clone(), needed, available }
            }
            other => other,
        };
        let (temp, file) = create_temp(name, &dir)?;
        let owner = SegmentOwner::current(self.keep);
        let (size, memfd) = if self.sealed {
            let (memfd, size) = write_sealed(name, &path, frame, owner, needed).map_err(no_space)?;
            write_locator(name, &temp.0, file, &memfd, self.keep)?;
            (size, Some(memfd))
        } else {
            (write_ipc(name, &temp.0, file, frame, owner).map_err(no_space)?.1, None)
        };
        link_into_place(name, &temp.0, &path)?;
        let identity = identity(&path);
        let publisher_pid = std::process::id();
        Ok(Publisher {
            name: name.to_string(),
            dir,
            path,
            size,
            kept: self.keep,
            identity,
            memfd,
            publisher_pid,
        })
    }
}

/// Publishes `frame` as segment `name` in the default directory; see [`PublishOptions::publish`].
///
/// # Errors
///
/// As [`PublishOptions::publish`].
pub fn publish(name: &str, frame: &TimeFrame) -> Result<Publisher, ShmError> {
    PublishOptions::new().publish(name, frame)
}

/// A published segment. Dropping it unlinks the segment (unless it was published with
/// [`PublishOptions::keep`]); processes already attached keep their mapping until they drop it.
#[derive(Debug)]
pub struct Publisher {
    name: String,
    dir: PathBuf,
    path: PathBuf,
    size: u64,
    kept: bool,
    /// Device and inode of the file we linked, so drop never unlinks somebody else's later segment.
    identity: Option<(u64, u64)>,
    /// The sealed memfd holding the data, for a sealed segment: held open for as long as the publisher lives.
    memfd: Option<File>,
    /// The process that published: only it unlinks. A child made by `fork` inherits a copy of this value,
    /// and its drop (at its exit, or when it frees the copy) must leave the parent's segment alone.
    publisher_pid: u32,
}

impl Publisher {
    /// The segment name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The segment's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The directory holding the segment.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The segment's size in bytes.
    pub fn size_bytes(&self) -> u64 {
        self.size
    }

    /// Whether the segment outlives this publisher.
    pub fn is_kept(&self) -> bool {
        self.kept
    }

    /// Whether the data is in a sealed memfd that no process can change or truncate.
    pub fn is_sealed(&self) -> bool {
        self.memfd.is_some()
    }

    /// A path any Arrow reader of this user can open for the data itself: the segment file, or for a sealed
    /// segment `/proc/<pid>/fd/<fd>` of its memfd (e.g. for `pyarrow.memory_map`).
    pub fn data_path(&self) -> PathBuf {
        // Through the locator: this process's descriptor, or for a kept segment its holder's (which stays
        // valid after this publisher drops).
        if self.memfd.is_some() { crate::sealed::readable_path(&self.path) } else { self.path.clone() }
    }

    /// Attaches to the segment from this process (a zero-copy frame over the mapping).
    ///
    /// # Errors
    ///
    /// As [`AttachOptions::attach`].
    pub fn attach(&self) -> Result<Attached, ShmError> {
        AttachOptions::new().with_dir(&self.dir).attach(&self.name)
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        // A forked child holds a copy of its parent's publisher: only the publishing process unlinks.
        let publishing_process = std::process::id() == self.publisher_pid;
        if !self.kept && publishing_process && identity(&self.path) == self.identity {
            // Best effort: the segment may already be gone (`isolation shm rm`), which is fine.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Fails if a segment with a live (or kept, or unknown) owner has the name; removes a dead owner's one.
fn check_name_free(name: &str, path: &Path) -> Result<(), ShmError> {
    if !path.exists() || remove_if_stale(path) {
        return Ok(());
    }
    let owner = read_info(name, path).ok().and_then(|info| info.owner.map(|o| o.pid));
    Err(ShmError::AlreadyExists { name: name.to_string(), path: path.to_path_buf(), owner })
}

/// Bytes the file will take, from above: the padded buffers plus generous room for the messages.
fn estimated_size(frame: &TimeFrame) -> u64 {
    let pad = |n: usize| n.div_ceil(ALIGNMENT) * ALIGNMENT;
    let n_rows = frame.n_rows();
    let mut body = pad(n_rows * 8);
    for column_idx in 0..frame.n_columns() {
        body += pad(n_rows * frame.value_type(column_idx).byte_width());
        if frame.column_at(column_idx).null_count() > 0 {
            body += pad(n_rows.div_ceil(8));
        }
    }
    (body + 64 * 1024 + 1024 * frame.n_columns()) as u64
}

/// Writes the data into a new sealed memfd (space reserved first) and seals it; returns it and its size.
#[cfg(target_os = "linux")]
fn write_sealed(
    name: &str,
    path: &Path,
    frame: &TimeFrame,
    owner: SegmentOwner,
    reserve: u64,
) -> Result<(File, u64), ShmError> {
    let memfd =
        crate::sealed::create(name, reserve).map_err(|e| ShmError::io(name, path, "memfd_create", e))?;
    let (memfd, size) = write_ipc(name, path, memfd, frame, owner)?;
    crate::sealed::seal(&memfd).map_err(|e| ShmError::io(name, path, "seal", e))?;
    Ok((memfd, size))
}

#[cfg(not(target_os = "linux"))]
fn write_sealed(_: &str, _: &Path, _: &TimeFrame, _: SegmentOwner, _: u64) -> Result<(File, u64), ShmError> {
    unreachable!("PublishOptions::sealed is false off Linux")
}

/// The absolute path of segment `name` whose temporary file is `temp` (a holder names it, and `gc` may run
/// from another working directory).
#[cfg(target_os = "linux")]
fn absolute_segment_path(temp: &Path, name: &str) -> PathBuf {
    let path = segment_path(temp.parent().unwrap_or(temp), name);
    std::path::absolute(&path).unwrap_or(path)
}

/// Writes the locator naming `memfd` to `file`, the private temporary file `temp`: this process's
/// descriptor, or for a kept segment the descriptor of a holder started for it.
fn write_locator(name: &str, temp: &Path, mut file: File, memfd: &File, kept: bool) -> Result<(), ShmError> {
    #[cfg(unix)]
    let fd = std::os::fd::AsRawFd::as_raw_fd(memfd);
    #[cfg(not(unix))]
    let fd = {
        let _ = memfd;
        -1
    };
    let text = if kept {
        #[cfg(target_os = "linux")]
        let holder = crate::sealed::spawn_holder(memfd, &absolute_segment_path(temp, name))
            .map_err(|e| ShmError::io(name, temp, "start holder", e))?;
        #[cfg(not(target_os = "linux"))]
        let holder: u32 = unreachable!("PublishOptions::sealed is false off Linux");
        crate::sealed::holder_locator(holder, fd)
    } else {
        crate::sealed::locator(fd)
    };
    file.write_all(text.as_bytes()).map_err(|e| ShmError::io(name, temp, "write", e))?;
    file.sync_all().map_err(|e| ShmError::io(name, temp, "sync", e))
}

/// Writes the IPC file (one record batch, 64-byte aligned, owner and per-column checksums in the schema
/// metadata) into `file` from its start; returns the file and the bytes written.
fn write_ipc(
    name: &str,
    path: &Path,
    file: File,
    frame: &TimeFrame,
    owner: SegmentOwner,
) -> Result<(File, u64), ShmError> {
    let io = |op: &'static str| move |e: std::io::Error| ShmError::io(name, path, op, e);
    let arrow = |op: &'static str| {
        move |e: ArrowError| match e {
            ArrowError::IoError(_, source) => ShmError::io(name, path, op, source),
            other => ShmError::io(name, path, op, std::io::Error::other(other.to_string())),
        }
    };
    let base = frame.schema();
    let mut metadata = base.metadata().clone();
    metadata.extend([crate::format::version_entry()]);
    metadata.extend(owner.to_metadata());
    metadata.extend(crate::checksum::checksums(frame));
    let schema = Arc::new(Schema::new_with_metadata(base.fields().clone(), metadata));
    let batch = frame.record_batch().clone().with_schema(schema.clone()).map_err(arrow("prepare"))?;
    let options =
        IpcWriteOptions::try_new(ALIGNMENT, false, MetadataVersion::V5).map_err(arrow("prepare"))?;
    let out = BufWriter::with_capacity(1 << 20, file);
    let mut writer = FileWriter::try_new_with_options(out, &schema, options).map_err(arrow("write"))?;
    writer.write(&batch).map_err(arrow("write"))?;
    writer.finish().map_err(arrow("write"))?;
    let mut out = writer.into_inner().map_err(arrow("write"))?;
    out.flush().map_err(io("write"))?;
    let file: File = out.into_inner().map_err(|e| ShmError::io(name, path, "write", e.into_error()))?;
    file.sync_all().map_err(io("sync"))?;
    let size = file.metadata().map_err(io("stat"))?.len();
    Ok((file, size))
}

/// Moves the finished temporary file to the segment's name without ever replacing a segment that
/// appeared meanwhile (a hard link fails if the name exists; rename where links are not supported).
fn link_into_place(name: &str, temp: &Path, path: &Path) -> Result<(), ShmError> {
    for _ in 0..2 {
        match std::fs::hard_link(temp, path) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => check_name_free(name, path)?,
            Err(_) if !path.exists() => {
                return std::fs::rename(temp, path).map_err(|e| ShmError::io(name, path, "rename", e));
            }
            Err(e) => return Err(ShmError::io(name, path, "link", e)),
        }
    }
    check_name_free(name, path)?;
    Err(ShmError::io(name, path, "link", std::io::Error::from(ErrorKind::AlreadyExists)))
}
