//! What a load did (`LoadReport`) and what a file holds (`FileInfo`), for people and for `--json`.

use std::time::Duration;

use serde::Serialize;

use crate::EpochUnit;

/// A supported file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileFormat {
    /// Comma (or other delimiter) separated text.
    Csv,
    /// Apache Parquet.
    Parquet,
    /// Arrow IPC file format (Feather v2).
    Ipc,
}

impl FileFormat {
    /// The format a path's extension names (`.csv`, `.parquet`/`.pq`, `.arrow`/`.feather`/`.ipc`).
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" | "tsv" => Some(FileFormat::Csv),
            "parquet" | "pq" => Some(FileFormat::Parquet),
            "arrow" | "feather" | "ipc" => Some(FileFormat::Ipc),
            _ => None,
        }
    }
}

/// How the timestamps were written in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum TimestampLayout {
    /// ISO 8601 date-times; `zoned` when they carry an offset (converted to UTC), else taken as UTC.
    Iso {
        /// Whether the values carry a zone offset.
        zoned: bool,
    },
    /// Dates only, taken as midnight UTC.
    Date,
    /// Separate date and time columns, joined.
    DateAndTime {
        /// The date column.
        date: String,
        /// The time column.
        time: String,
    },
    /// Epoch numbers.
    Epoch {
        /// Their unit.
        unit: EpochUnit,
        /// Whether the unit was found from the magnitude (else it was stated).
        detected: bool,
    },
    /// Text read with an explicit format string.
    Format {
        /// The format string.
        format: String,
    },
    /// A native Arrow/Parquet timestamp or date type.
    Native {
        /// The type, as Arrow prints it.
        data_type: String,
    },
}

/// A column renamed to its canonical OHLCV name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rename {
    /// The name in the file.
    pub from: String,
    /// The name in the frame.
    pub to: String,
}

/// Missing values (nulls, and NaN in float columns) of one column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MissingCount {
    /// The column, as named in the frame.
    pub column: String,
    /// How many rows have no value.
    pub missing: u64,
}

/// What a load did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoadReport {
    /// The file's format.
    pub format: FileFormat,
    /// Rows loaded.
    pub rows: usize,
    /// Value columns loaded, in frame order.
    pub columns: Vec<String>,
    /// The timestamp column(s) in the file.
    pub timestamp_column: String,
    /// How the timestamps were written.
    pub timestamp_layout: TimestampLayout,
    /// Missing values per value column (every column listed, zeros included).
    pub missing: Vec<MissingCount>,
    /// Columns renamed to canonical names.
    pub renamed: Vec<Rename>,
    /// Columns left out because they are not numeric.
    pub dropped: Vec<String>,
    /// Whether rows had to be sorted (only with `LoadOptions::sort`).
    pub sorted: bool,
    /// Whether the frame's buffers point into a memory map of the file (Arrow IPC, no copy).
    pub zero_copy: bool,
    /// Bytes of the file.
    pub file_bytes: u64,
    /// Bytes of the frame's visible values.
    pub frame_bytes: u64,
    /// Time taken.
    #[serde(serialize_with = "seconds")]
    pub elapsed: Duration,
}

/// A column of a file, as `describe` sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ColumnInfo {
    /// The name in the file.
    pub name: String,
    /// The Arrow type (for CSV: the type inferred from the first rows).
    pub data_type: String,
    /// The canonical name it would be renamed to, if any.
    pub canonical: Option<String>,
}

/// What a file holds, read as cheaply as the format allows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileInfo {
    /// The file's format.
    pub format: FileFormat,
    /// Bytes of the file.
    pub file_bytes: u64,
    /// The columns, in file order.
    pub columns: Vec<ColumnInfo>,
    /// The recognised timestamp column, if any.
    pub timestamp_column: Option<String>,
    /// Data rows: exact for Parquet and IPC (from metadata), `None` for CSV (it would need a full scan).
    pub rows: Option<u64>,
    /// First and last timestamp (nanoseconds UTC): the earliest and latest, also for an unsorted file.
    pub time_range: Option<(i64, i64)>,
    /// Why the file would not load as it is (e.g. unsorted or duplicate timestamps), if it would not.
    pub index_problem: Option<String>,
}

fn seconds<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}
