//! Attaching: map a segment read-only, validate it, and hand out a frame over the mapping.

use std::path::{Path, PathBuf};

use arrow_buffer::Buffer;
use arrow_schema::Schema;
use memmap2::MmapOptions;
use memtrack::Footprint;
use timeseries_array::TimeFrame;

use crate::ShmError;
use crate::conform::{Conform, Conversions};
use crate::decode::{Source, decode};
use crate::name::{default_dir, segment_path, validate_name};
use crate::owner::SegmentOwner;

/// How to attach: which directory, and optionally which schema the caller expects.
#[derive(Debug, Clone, Default)]
pub struct AttachOptions {
    dir: Option<PathBuf>,
    expected: Option<Vec<(String, arrow_schema::DataType)>>,
    trust_published_order: bool,
    conform: Conform,
    verify: bool,
}

impl AttachOptions {
    /// Attach from [`default_dir`], accepting any time-frame schema.
    pub fn new() -> Self {
        Self::default()
    }

    /// Attach from `dir` (where the segment was published with
    /// [`PublishOptions::with_dir`](crate::PublishOptions::with_dir)).
    pub fn with_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    /// Require the attached frame to have exactly these columns (names and types, in order; nullability and
    /// metadata are ignored), typically the schema of the frame that was published (`TimeFrame::schema`).
    pub fn expect_schema(mut self, schema: &Schema) -> Self {
        self.expected = Some(columns_of(schema));
        self
    }

    /// Skip reading the whole timestamp column to check its order when the segment records that this
    /// library published it from a `TimeFrame` (whose index was checked then), so that attaching costs
    /// O(columns) whatever the rows. Every structural check still runs. Off by default: a segment
    /// corrupted after publishing (a flipped timestamp byte) is then caught at attach time; turn it on for
    /// workers attaching to a segment their own parent published.
    pub fn trust_published_order(mut self, trust: bool) -> Self {
        self.trust_published_order = trust;
        self
    }

    /// Accept a file whose index column is `name` instead of `timestamp` (as pandas or polars may write
    /// it: `date`, `datetime`, `__index_level_0__`); it is renamed to `timestamp` without copying.
    pub fn index_column(mut self, name: impl Into<String>) -> Self {
        self.conform.index_column = Some(name.into());
        self
    }

    /// Accept timestamps in seconds, milliseconds or microseconds and convert them to nanoseconds. Copies
    /// the index column (8 bytes a row) into this process; the value columns stay in the shared mapping.
    pub fn convert_timestamp_units(mut self, convert: bool) -> Self {
        self.conform.convert_units = convert;
        self
    }

    /// Accept a file of several record batches (as pyarrow writes a chunked table) by concatenating them
    /// once. Copies every column into this process: the frame is then no longer shared with other
    /// processes ([`Attached::conversions`] reports the bytes).
    pub fn concatenate_batches(mut self, concatenate: bool) -> Self {
        self.conform.concatenate_batches = concatenate;
        self
    }

    /// Recompute every column's checksum over the mapped pages and compare it with the one the publisher
    /// recorded, so a value changed or damaged after publishing is an error
    /// ([`ShmError::ChecksumMismatch`], naming the column) instead of a different backtest. Reads every byte
    /// once at memory speed (see docs/reliability.md for the measured rate); off by default.
    pub fn verify(mut self, verify: bool) -> Self {
        self.verify = verify;
        self
    }

    /// Maps segment `name` read-only and validates it; see [`Attached`].
    ///
    /// # Errors
    ///
    /// An invalid name, [`ShmError::NotFound`], a foreign, truncated or corrupt file, a schema that is
    /// not a time frame's (or not the expected one), several record batches, or an I/O error.
    pub fn attach(&self, name: &str) -> Result<Attached, ShmError> {
        validate_name(name)?;
        let path = segment_path(&self.dir.clone().unwrap_or_else(default_dir), name);
        self.attach_at(name, path)
    }

    /// Maps any Arrow IPC file at `path` as if it were a segment (its name is the file name), e.g. one
    /// written by pyarrow. The same validation applies.
    ///
    /// # Errors
    ///
    /// As [`AttachOptions::attach`].
    pub fn attach_file(&self, path: impl AsRef<Path>) -> Result<Attached, ShmError> {
        let path = path.as_ref();
        // The name is quoted in errors: control characters in a file name are escaped.
        let name =
            path.file_name().map_or_else(|| path.display().to_string(), |f| f.to_string_lossy().into());
        let name = timeseries_array::printable(&name).into_owned();
        self.attach_at(&name, path.to_path_buf())
    }

    fn attach_at(&self, name: &str, path: PathBuf) -> Result<Attached, ShmError> {
        let src = Source { name, path: &path };
        let map = map_read_only(src)?;
        let mapped_bytes = map.len() as u64;
        let decoded = decode(&map, src, self.trust_published_order, &self.conform)?;
        if let Some(expected) = &self.expected {
            let found = columns_of(&decoded.frame.schema());
            if &found != expected {
                return Err(src.schema(format!(
                    "expected columns {}, found {}",
                    show(expected),
                    show(&found)
                )));
            }
        }
        if self.verify {
            match crate::checksum::first_mismatch(&decoded.frame, &decoded.metadata) {
                Ok(None) => {}
                Ok(Some((column, recorded, computed))) => {
                    return Err(ShmError::ChecksumMismatch {
                        name: name.to_string(),
                        column,
                        recorded,
                        computed,
                    });
                }
                Err(()) => return Err(ShmError::NoChecksums { name: name.to_string() }),
            }
        }
        let owner = SegmentOwner::from_metadata(&decoded.metadata);
        Ok(Attached {
            name: name.to_string(),
            path,
            frame: decoded.frame,
            mapped_bytes,
            owner,
            conversions: decoded.conversions,
        })
    }
}

/// Maps segment `name` from the default directory; see [`AttachOptions::attach`].
///
/// ```
/// use std::sync::Arc;
/// use arrow_array::Float64Array;
/// use timeseries_array::TimeFrame;
///
/// let close = Arc::new(Float64Array::from(vec![1.0, 2.0, 3.0]));
/// let frame = TimeFrame::try_new(vec![10, 20, 30], vec![("close".into(), close)])?;
/// let name = format!("doc-attach-{}", std::process::id());
/// let publisher = isolation_shm::publish(&name, &frame)?; // in a worker process: only the name is needed
/// let attached = isolation_shm::attach(&name)?;
/// assert_eq!(attached.frame(), &frame); // the same values, read from the shared pages
/// drop(publisher); // unlinks the name; the mapping lives while `attached` does
/// assert_eq!(attached.frame().n_rows(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`AttachOptions::attach`].
pub fn attach(name: &str) -> Result<Attached, ShmError> {
    AttachOptions::new().attach(name)
}

/// A segment mapped read-only into this process, and the [`TimeFrame`] over it.
///
/// # Memory layout
///
/// ```text
///   segment file (tmpfs pages, one copy in RAM)
///     ▲          ▲          ▲
///   map in     map in     map in        every process maps the same pages read-only
///   worker 1   worker 2   worker 3
///     └─ frame: Arrow buffers = slices of the map (Bytes::from_owner(map)), no values copied
/// ```
///
/// # Sharing
///
/// The mapping lives as long as any buffer of the frame (or of a slice, view or cursor over it), even after
/// this `Attached` and the publisher are gone. Attaching never unlinks or resizes the segment.
///
/// # Safety
///
/// Pages are mapped read-only: no reader can write them. See the `SAFETY` note in the source for why mapping
/// a file can never be fully safe and what this crate does about it.
#[derive(Debug, Clone)]
pub struct Attached {
    name: String,
    path: PathBuf,
    frame: TimeFrame,
    mapped_bytes: u64,
    owner: Option<SegmentOwner>,
    conversions: Conversions,
}

impl Attached {
    /// The frame; its buffers point into the mapping.
    pub fn frame(&self) -> &TimeFrame {
        &self.frame
    }

    /// The frame, keeping the mapping alive through its buffers.
    pub fn into_frame(self) -> TimeFrame {
        self.frame
    }

    /// The segment name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The segment's file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes mapped (the whole file).
    pub fn mapped_bytes(&self) -> u64 {
        self.mapped_bytes
    }

    /// Who published the segment, when it records it (files from other tools do not).
    pub fn owner(&self) -> Option<SegmentOwner> {
        self.owner
    }

    /// What was converted to make a foreign file a time frame (index renamed, units converted, batches
    /// concatenated) and the bytes that copied; empty for files in a time frame's own layout.
    pub fn conversions(&self) -> &Conversions {
        &self.conversions
    }

    /// The mapped bytes, all shared: the OS keeps one copy for every process attached.
    pub fn footprint(&self) -> Footprint {
        Footprint { owned_bytes: 0, shared_bytes: self.mapped_bytes }
    }
}

/// Opens and maps the file read-only, as one Arrow buffer that owns the map.
fn map_read_only(src: Source<'_>) -> Result<Buffer, ShmError> {
    let io = |op: &'static str| move |e: std::io::Error| ShmError::io(src.name, src.path, op, e);
    let opened = match crate::sealed::open_segment(src.name, src.path) {
        Ok(opened) => opened,
        Err(Ok(reason)) => return Err(src.foreign(reason)),
        Err(Err(e)) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ShmError::NotFound { name: src.name.to_string(), path: src.path.to_path_buf() });
        }
        Err(Err(e)) => return Err(io("open")(e)),
    };
    if let Some(pid) = opened.dead_publisher {
        return Err(src.foreign(format!("its publisher (pid {pid}) has exited, and its sealed data with it")));
    }
    if opened.len == 0 {
        return Err(src.corrupt("the file is empty"));
    }
    let file = opened.file;
    // SAFETY: mapping a file cannot be made fully safe. The kernel lets any process that may write the file
    // change or truncate it while we hold the map: a changed byte breaks the "immutable slice" promise Rust
    // makes about `&[u8]`, and touching a page past a truncated end raises SIGBUS (ripgrep's mmap.rs says
    // the same). What this crate does about it: segments are written to a temporary file and linked into
    // place complete, never written or truncated after that; they are created with mode 0600 (only their
    // owner may write them), and we refuse above to map a file another user owns or may write (checked on the open file, which was
    // opened without following symlinks and without blocking); we map read-only, so no
    // code here can write through the map; and every structure is validated against the file's length
    // before use. Segments this library publishes on Linux, kept ones included, are sealed memfds that no
    // process can truncate or write; a process of the same user that deliberately truncates a plain-file
    // segment (spilled datasets, `sealed(false)`, foreign files) can still crash its readers: the remaining,
    // documented risk (docs/reliability.md).
    let map = match unsafe { MmapOptions::new().map(&file) } {
        Ok(map) => map,
        // Before Linux 6.1 a shared read-only map of a write-sealed memfd is refused (EPERM); a private
        // read-only map of it shares the same pages until written, and it is never written.
        Err(_) if opened.sealed => {
            // SAFETY: as above; the memfd is sealed, so no process can change or truncate it at all.
            unsafe { MmapOptions::new().map_copy_read_only(&file) }.map_err(io("map"))?
        }
        Err(e) => return Err(io("map")(e)),
    };
    // Registered with memtrack for as long as the map lives, so that ledgers count buffers that point into
    // it as mapped memory (shared with every process that attaches), not as heap.
    Ok(Buffer::from(bytes::Bytes::from_owner(memtrack::RegisteredBytes::new(map))))
}

fn columns_of(schema: &Schema) -> Vec<(String, arrow_schema::DataType)> {
    schema.fields().iter().map(|f| (f.name().clone(), f.data_type().clone())).collect()
}

fn show(columns: &[(String, arrow_schema::DataType)]) -> String {
    let parts: Vec<String> = columns.iter().map(|(name, ty)| format!("{name}: {ty}")).collect();
    format!("[{}]", parts.join(", "))
}
