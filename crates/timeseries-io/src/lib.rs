//! Loading market data files (CSV, Parquet, Arrow IPC) into [`TimeFrame`]s: streamed in batches, with
//! timestamps recognised, columns under the file's own names (OHLCV names recognised when asked for:
//! `columns: ["close"]` finds `Close`; never renamed), and typed errors that name the file, the line or
//! row group, and the column.
//!
//! ```
//! use timeseries_io::{LoadOptions, load};
//!
//! let dir = std::env::temp_dir().join(format!("timeseries-io-doc-{}", std::process::id()));
//! std::fs::create_dir_all(&dir)?;
//! let path = dir.join("SPY.csv");
//! std::fs::write(&path, "Date,Open,High,Low,Close,Adj Close,Volume\n\
//!     2024-01-02,472.2,473.7,470.5,472.7,468.8,123400\n\
//!     2024-01-03,470.4,471.2,468.2,468.8,465.0,103500\n")?;
//!
//! let loaded = load(&path, &LoadOptions::default())?;
//! assert_eq!(loaded.frame.column_names(), ["Open", "High", "Low", "Close", "Adj Close", "Volume"]);
//! assert_eq!(loaded.frame.f64_column("Close")?, &[472.7, 468.8]);
//! assert_eq!(loaded.report.rows, 2);
//! # std::fs::remove_dir_all(&dir)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Memory
//!
//! Batches are appended to one growing buffer per column, sized once from the file's metadata (Parquet,
//! IPC) or from the bytes the first batch took (CSV), so a load holds the final frame plus one batch. An
//! Arrow IPC file of one record batch is memory-mapped and its value columns are used in place.
//!
//! This crate knows nothing about splits or isolation: it turns files into valid frames, or says why not.
#![deny(unsafe_code)]
// `LoadError` names file, place, column and cell, so it is larger than clippy likes; it is built once per
// failed load, never on a hot path, and boxing it would only make matching on it clumsier.
#![allow(clippy::result_large_err)]

mod assemble;
mod csv;
mod date_time;
mod describe;
mod error;
mod ipc;
mod mapped;
mod names;
mod options;
mod parquet;
mod plan;
mod quiet_panic;
#[cfg(feature = "remote")]
pub mod remote;
mod report;
mod save;
mod table;
mod timestamp;

use std::fs::File;
use std::path::Path;

use timeseries_array::TimeFrame;

pub use describe::describe;
pub use error::{LoadError, Location};
pub use names::canonical_name;
pub use options::{EpochUnit, LoadOptions, TimestampFormat};
pub use report::{ColumnInfo, FileFormat, FileInfo, LoadReport, MissingCount, Rename, TimestampLayout};
pub use save::save;
pub use table::read_table;
/// True for text naming an object-store URI (`s3://...`, `file://...`) rather than a local path.
pub fn is_uri(text: &str) -> bool {
    text.split_once("://").is_some_and(|(scheme, _)| {
        scheme.len() >= 2 && scheme.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+')
    })
}

/// For a URI, the local copy of the object (fetched into the cache from the environment); `None` for a
/// local path.
pub(crate) fn fetch_uri(path: &Path) -> Result<Option<std::path::PathBuf>, LoadError> {
    let Some(uri) = path.to_str().filter(|p| is_uri(p)) else { return Ok(None) };
    #[cfg(feature = "remote")]
    let fetched = remote::RemoteCache::from_env().fetch(uri).map_err(|e| Box::new(e) as _);
    #[cfg(not(feature = "remote"))]
    let fetched: Result<std::path::PathBuf, Box<dyn std::error::Error + Send + Sync>> =
        Err("this build reads local files only: remote sources are the opt-in `remote` feature (`cargo \
             install --path crates/isolation-cli --features remote`, or timeseries-io's `remote` feature)"
            .into());
    fetched.map(Some).map_err(|source| LoadError::Remote { uri: uri.to_string(), source })
}

/// The data files of directory `dir`: every CSV, Parquet and Arrow IPC file (by extension), hidden files
/// skipped, sorted by path. The handler's `register_dir` and the CLI read directories through this.
///
/// # Errors
///
/// The directory cannot be read.
pub fn data_files_in(dir: &Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .filter(|p| FileFormat::from_path(p).is_some())
        .collect();
    files.sort();
    Ok(files)
}

/// The symbol a data file stands for: its name up to the first dot (`BTCUSD.parquet`, `BTCUSD.csv.gz`:
/// `BTCUSD`).
///
/// ```
/// assert_eq!(timeseries_io::symbol_of(std::path::Path::new("data/BTCUSD.parquet")), "BTCUSD");
/// ```
pub fn symbol_of(path: &Path) -> String {
    let name = path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    name.split('.').next().unwrap_or(&name).to_string()
}

/// Parses an ISO 8601 date or date-time to nanoseconds UTC (moved to `timeseries-array`, beside
/// `format_timestamp`; re-exported here for callers of the loader crate).
pub use timeseries_array::parse_timestamp;

/// A loaded frame and what the load did.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The frame: timestamps in nanoseconds UTC, value columns in the file's numeric types.
    pub frame: TimeFrame,
    /// Rows, columns, missing values, renames and timings.
    pub report: LoadReport,
}

/// Loads the file at `path` in the format its extension names (`.csv`, `.parquet`/`.pq`,
/// `.arrow`/`.feather`/`.ipc`).
///
/// An Arrow IPC file is **memory-mapped** by default: the frame's columns point into the file's pages (no
/// copy; the pages count as mapped memory in `memtrack` ledgers). If another process truncates or rewrites
/// the file while the frame lives, reading the lost pages kills this process with SIGBUS. Load files that
/// others may change with [`LoadOptions::memory_map`] set to `false`, which reads the file into memory.
///
/// # Errors
///
/// A [`LoadError`] naming the file and, where it applies, the line or row group and the column. No partial
/// frame is returned.
///
/// With the `remote` feature, `path` may also be an object-store URI (`s3://bucket/SPY.parquet`,
/// `gs://...`, `az://...`, `file://...`): the object is fetched into the local cache
/// ([`remote::RemoteCache::from_env`]) unless an up-to-date copy is there, and loaded from it.
pub fn load(path: impl AsRef<Path>, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let path = path.as_ref();
    if let Some(local) = fetch_uri(path)? {
        return load(local, options);
    }
    let file = display_name(path);
    let format = format_of(path)?;
    // Checked before opening: opening a FIFO (or a device) would block or read forever.
    let metadata = std::fs::metadata(path).map_err(|source| LoadError::Io { file: file.clone(), source })?;
    if !metadata.is_file() {
        return Err(LoadError::Format {
            file,
            detail: "not a regular file (a directory, FIFO or device)".into(),
        });
    }
    let mut handle = File::open(path).map_err(|source| LoadError::Io { file: file.clone(), source })?;
    match format {
        FileFormat::Csv => csv::read(&file, &mut handle, options).map(|(loaded, _)| loaded),
        // Its calls into the parquet crate are guarded against upstream panics there (`parquet::upstream`).
        FileFormat::Parquet => parquet::read(&file, handle, options),
        FileFormat::Ipc => ipc::read(&file, handle, options),
    }
}

/// The format of a path, or [`LoadError::UnknownFormat`].
fn format_of(path: &Path) -> Result<FileFormat, LoadError> {
    FileFormat::from_path(path).ok_or_else(|| LoadError::UnknownFormat {
        file: display_name(path),
        extension: path.extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default(),
    })
}

/// The path as errors show it: as the caller wrote it.
fn display_name(path: &Path) -> String {
    timeseries_array::printable(&path.display().to_string()).into_owned()
}
