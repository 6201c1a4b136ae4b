//! Datasets shared once per machine: a segment named after the data's fingerprint, published by the first
//! task of a study that needs it and attached by every other task on the machine.
//!
//! ```text
//!   task 1 ─ lock ─ not there: load, publish isolation.ds-<fingerprint> (kept) ─ unlock ─ attach
//!   task 2 ─ lock (waits) ──────────────────────────────────────────────── there: attach
//!   task 8 ─ lock (waits) ──────────────────────────────────────────────── there: attach
//! ```
//!
//! The name is derived from the content, so tasks of different studies over the same data share one
//! segment, and a segment whose content does not hash to its name is refused (a stale, damaged or planted
//! file is never read as the dataset). Publishing happens under an exclusive file lock beside the segment,
//! so racing tasks load and write the data once; the segment itself still appears atomically.
//!
//! Dataset segments are kept after their publisher exits (tasks come and go, the data stays for the study);
//! remove them with [`crate::remove`] (`isolation shm rm ds-<fingerprint>`) when the study is done, or by
//! age, idleness or a size budget with [`crate::gc_datasets_in`] (`isolation shm gc --datasets`), which
//! never removes one a process maps.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use timeseries_array::TimeFrame;

use crate::name::default_dir;
use crate::{AttachOptions, Attached, PublishOptions, ShmError};

/// Environment variable naming the directory for dataset segments that do not fit in memory-backed
/// [`default_dir`] (a file-backed map on a local disk, still one copy per machine in the page cache).
pub const SPILL_DIR_ENV: &str = "ISOLATION_SPILL_DIR";

/// The segment name of the dataset whose [`TimeFrame::fingerprint`] is `fingerprint`: `ds-<fingerprint>`.
///
/// ```
/// assert_eq!(isolation_shm::dataset_segment_name("00ff00ff00ff00ff"), "ds-00ff00ff00ff00ff");
/// ```
pub fn dataset_segment_name(fingerprint: &str) -> String {
    format!("ds-{fingerprint}")
}

/// Where a dataset segment was found or written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeLocation {
    /// In the memory-backed segment directory (`/dev/shm` by default).
    Memory,
    /// In the spill directory: a file-backed map, because the memory directory had too little room.
    Spilled,
}

/// How datasets are shared on this machine: the segment directory, an optional spill directory for
/// datasets that do not fit, and an optional cap on what may go to the memory directory.
///
/// ```
/// # use std::sync::Arc;
/// # use arrow_array::Float64Array;
/// # use timeseries_array::TimeFrame;
/// use isolation_shm::NodeOptions;
///
/// # let dir = std::env::temp_dir().join(format!("isolation-node-doc-{}", std::process::id()));
/// # let close = Arc::new(Float64Array::from(vec![1.0, 2.0]));
/// # let frame = TimeFrame::try_new(vec![1, 2], vec![("close".into(), close)])?;
/// let node = NodeOptions::new().with_dir(&dir);
/// let fingerprint = frame.fingerprint();
/// // The first task loads and publishes; every later one attaches without calling the loader.
/// let first = node.share(&fingerprint, || Ok::<_, isolation_shm::ShmError>(frame.clone()))?;
/// let second = node.share(&fingerprint, || -> Result<TimeFrame, isolation_shm::ShmError> {
///     unreachable!("already published")
/// })?;
/// assert!(first.published() && !second.published());
/// assert_eq!(second.frame(), &frame);
/// isolation_shm::remove_in(&dir, first.name())?;
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct NodeOptions {
    dir: Option<PathBuf>,
    spill_dir: Option<PathBuf>,
    memory_limit: Option<u64>,
}

impl NodeOptions {
    /// Datasets go to [`default_dir`]; the spill directory is `$ISOLATION_SPILL_DIR` if set, else none.
    pub fn new() -> Self {
        let spill_dir = std::env::var_os(SPILL_DIR_ENV).filter(|d| !d.is_empty()).map(PathBuf::from);
        Self { dir: None, spill_dir, memory_limit: None }
    }

    /// [`NodeOptions::new`] with what a caller overrides, each `None` left to the environment and the
    /// defaults: the one way the CLI's `fold-run` flags and the Python `node_fold` keywords become options.
    ///
    /// ```
    /// use isolation_shm::NodeOptions;
    ///
    /// let options = NodeOptions::from_overrides(Some("/dev/shm/study".into()), None, Some(1 << 30));
    /// assert_eq!(options.dir(), std::path::Path::new("/dev/shm/study"));
    /// ```
    pub fn from_overrides(
        dir: Option<PathBuf>,
        spill_dir: Option<PathBuf>,
        memory_limit: Option<u64>,
    ) -> Self {
        let defaults = Self::new();
        Self {
            dir: dir.or(defaults.dir),
            spill_dir: spill_dir.or(defaults.spill_dir),
            memory_limit: memory_limit.or(defaults.memory_limit),
        }
    }

    /// Put dataset segments in `dir` instead of [`default_dir`].
    pub fn with_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// When the memory directory has too little free space (or the dataset exceeds
    /// [`NodeOptions::memory_limit`]), publish to `dir` instead: a file-backed map on a disk the user names.
    /// Every task of the machine then maps that file, still one copy in the page cache.
    pub fn with_spill_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.spill_dir = Some(dir.into());
        self
    }

    /// Publish to the memory directory only datasets of at most `bytes` (an estimate made before writing);
    /// larger ones go to the spill directory, or fail with [`ShmError::NoSpace`] if none is set.
    pub fn memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = Some(bytes);
        self
    }

    /// The memory-backed directory.
    pub fn dir(&self) -> PathBuf {
        self.dir.clone().unwrap_or_else(default_dir)
    }

    /// The spill directory, if any.
    pub fn spill_dir(&self) -> Option<&Path> {
        self.spill_dir.as_deref()
    }

    /// Attaches to the dataset with `fingerprint` if this machine has it (memory directory first, then the
    /// spill directory), checking that its content hashes to the fingerprint.
    ///
    /// # Errors
    ///
    /// [`ShmError::FingerprintMismatch`] for a segment of that name holding other data; any error of
    /// [`AttachOptions::attach`] but [`ShmError::NotFound`], which is `Ok(None)`.
    pub fn attach(&self, fingerprint: &str) -> Result<Option<NodeDataset>, ShmError> {
        let name = dataset_segment_name(fingerprint);
        for (dir, location) in self.dirs() {
            // A segment file this process has already hashed (same device, inode, size and modification
            // time) is not hashed again, nor its index order re-read: a worker running many folds pays the
            // check once per dataset.
            let identity = FileIdentity::of(&crate::segment_path(&dir, &name));
            let known =
                identity.as_ref().is_some_and(|id| VERIFIED.lock().contains(&(id.clone(), name.clone())));
            match AttachOptions::new().with_dir(&dir).trust_published_order(known).attach(&name) {
                Ok(attached) => {
                    if !known {
                        check_fingerprint(&attached, fingerprint)?;
                        if let Some(id) = identity {
                            VERIFIED.lock().insert((id, name.clone()));
                        }
                    }
                    crate::datasets::stamp_attached(&dir, &name);
                    return Ok(Some(NodeDataset { attached, location, published: false, dir }));
                }
                Err(ShmError::NotFound { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(None)
    }

    /// The dataset with `fingerprint`, attached: from its segment if this machine has one, else `load`ed,
    /// published (kept) and attached. Racing tasks on one machine serialise on a lock file beside the
    /// segment, so exactly one of them loads and publishes and the others attach to its segment.
    ///
    /// # Errors
    ///
    /// `load`'s error; [`ShmError::FingerprintMismatch`] if the loaded frame (or a segment found) does not
    /// hash to `fingerprint`; [`ShmError::NoSpace`] when neither the memory directory nor a spill directory
    /// has room (its message says to set one); any attach or publish error.
    pub fn share<E: From<ShmError>>(
        &self,
        fingerprint: &str,
        load: impl FnOnce() -> Result<TimeFrame, E>,
    ) -> Result<NodeDataset, E> {
        if let Some(found) = self.attach(fingerprint)? {
            return Ok(found);
        }
        let name = dataset_segment_name(fingerprint);
        let dir = self.dir();
        let _lock = DirLock::acquire(&dir, &name)?;
        // Another task may have published while we waited for the lock.
        if let Some(found) = self.attach(fingerprint)? {
            return Ok(found);
        }
        let frame = load()?;
        let found = frame.fingerprint();
        if found != fingerprint {
            return Err(
                ShmError::FingerprintMismatch { name, expected: fingerprint.to_string(), found }.into()
            );
        }
        Ok(self.publish(&name, &frame)?)
    }

    /// Publishes `frame` (kept) to the memory directory, or to the spill directory when it does not fit.
    fn publish(&self, name: &str, frame: &TimeFrame) -> Result<NodeDataset, ShmError> {
        let memory = PublishOptions::new().with_dir(self.dir()).keep();
        let too_big = self.memory_limit.is_some_and(|limit| memory.estimated_size(frame) > limit);
        let outcome = if too_big {
            Err(ShmError::NoSpace {
                name: name.to_string(),
                dir: self.dir(),
                needed: memory.estimated_size(frame),
                available: self.memory_limit.unwrap_or(0),
            })
        } else {
            memory.publish(name, frame)
        };
        let (publisher, location) = match (outcome, &self.spill_dir) {
            (Ok(publisher), _) => (publisher, NodeLocation::Memory),
            (Err(ShmError::NoSpace { dir, needed, available, .. }), Some(spill)) => {
                let _lock = DirLock::acquire(spill, name)?;
                // A plain file on disk: a sealed memfd would put it back in memory, which it does not fit.
                let publisher =
                    PublishOptions::new().with_dir(spill).keep().sealed(false).publish(name, frame)?;
                eprintln!(
                    "isolation: dataset segment `{name}` needs about {needed} bytes and {} has room for \
                     {available}: published as a file-backed map in {} instead (one copy per machine in \
                     the page cache; the first read of each page comes from disk)",
                    dir.display(),
                    spill.display()
                );
                (publisher, NodeLocation::Spilled)
            }
            (Err(ShmError::NoSpace { name, dir, needed, available }), None) => {
                return Err(ShmError::NoSpillDir { name, dir, needed, available });
            }
            (Err(other), _) => return Err(other),
        };
        let dir = publisher.dir().to_path_buf();
        let attached = AttachOptions::new().with_dir(&dir).trust_published_order(true).attach(name)?;
        // Written from a frame whose fingerprint was just checked.
        if let Some(id) = FileIdentity::of(publisher.path()) {
            VERIFIED.lock().insert((id, name.to_string()));
        }
        Ok(NodeDataset { attached, location, published: true, dir })
    }

    fn dirs(&self) -> impl Iterator<Item = (PathBuf, NodeLocation)> {
        let spill = self.spill_dir.clone().map(|d| (d, NodeLocation::Spilled));
        std::iter::once((self.dir(), NodeLocation::Memory)).chain(spill)
    }
}

/// A dataset attached from this machine's segment of it.
#[derive(Debug)]
pub struct NodeDataset {
    attached: Attached,
    location: NodeLocation,
    published: bool,
    dir: PathBuf,
}

impl NodeDataset {
    /// The frame over the mapped segment.
    pub fn frame(&self) -> &TimeFrame {
        self.attached.frame()
    }

    /// The frame, keeping the mapping alive for as long as it (or any slice of it) lives.
    pub fn into_frame(self) -> TimeFrame {
        self.attached.into_frame()
    }

    /// The segment name (`ds-<fingerprint>`).
    pub fn name(&self) -> &str {
        self.attached.name()
    }

    /// A path any Arrow reader of this user can map (`pyarrow.memory_map(path)`): the segment file, or for
    /// a sealed segment `/proc/<pid>/fd/<fd>` of its memfd.
    pub fn path(&self) -> PathBuf {
        crate::sealed::readable_path(self.attached.path())
    }

    /// The directory holding the segment.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Whether it is in memory or was spilled to a file-backed directory.
    pub fn location(&self) -> &NodeLocation {
        &self.location
    }

    /// True if this call published the segment, false if it attached to one already there.
    pub fn published(&self) -> bool {
        self.published
    }

    /// The bytes mapped.
    pub fn mapped_bytes(&self) -> u64 {
        self.attached.mapped_bytes()
    }
}

/// Dataset segment files this process has hashed and found to match their names.
static VERIFIED: parking_lot::Mutex<BTreeSet<(FileIdentity, String)>> =
    parking_lot::Mutex::new(BTreeSet::new());

/// What identifies one version of a file: device, inode, size and modification time. A segment replaced or
/// rewritten under the same name gets another identity and is hashed again.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct FileIdentity {
    device: u64,
    inode: u64,
    size: u64,
    modified: Option<SystemTime>,
}

impl FileIdentity {
    #[cfg(unix)]
    fn of(path: &Path) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some(Self { device: meta.dev(), inode: meta.ino(), size: meta.len(), modified: meta.modified().ok() })
    }

    #[cfg(not(unix))]
    fn of(_: &Path) -> Option<Self> {
        None
    }
}

/// Refuses a dataset segment whose content does not hash to the fingerprint in its name.
fn check_fingerprint(attached: &Attached, expected: &str) -> Result<(), ShmError> {
    let found = attached.frame().fingerprint();
    if found == expected {
        Ok(())
    } else {
        Err(ShmError::FingerprintMismatch {
            name: attached.name().to_string(),
            expected: expected.to_string(),
            found,
        })
    }
}

/// An exclusive lock on the hidden file `.isolation.<name>.lock` in `dir`, released on drop. The file is
/// left in place (removing it would let a waiter and a newcomer lock different files).
struct DirLock(File);

impl DirLock {
    fn acquire(dir: &Path, name: &str) -> Result<Self, ShmError> {
        std::fs::create_dir_all(dir).map_err(|e| ShmError::io(name, dir, "create directory", e))?;
        let path = crate::datasets::lock_path(dir, name);
        let mut open = OpenOptions::new();
        open.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let file = open.open(&path).map_err(|e| ShmError::io(name, &path, "open lock", e))?;
        file.lock().map_err(|e| ShmError::io(name, &path, "lock", e))?;
        Ok(Self(file))
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}
