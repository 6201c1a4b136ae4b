//! `LoadOptions`: what to load and how to read the timestamps. The defaults load the common layouts.

/// How the timestamp column is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TimestampFormat {
    /// Recognise ISO 8601 date-times (with or without a zone), dates, and epoch numbers (unit by magnitude).
    #[default]
    Auto,
    /// Numbers since 1970-01-01 UTC in the given unit.
    Epoch(EpochUnit),
    /// A strftime-like format (chrono's syntax, e.g. `%d/%m/%Y %H:%M`). With `%z` or `%:z` the offset is
    /// applied; without, the time is taken as UTC. A format with only date fields gives midnight UTC.
    Format(String),
}

/// The unit of an epoch timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EpochUnit {
    /// Seconds.
    Seconds,
    /// Milliseconds.
    Milliseconds,
    /// Microseconds.
    Microseconds,
    /// Nanoseconds.
    Nanoseconds,
}

impl EpochUnit {
    /// Nanoseconds per unit.
    pub fn nanos(self) -> i64 {
        match self {
            EpochUnit::Seconds => 1_000_000_000,
            EpochUnit::Milliseconds => 1_000_000,
            EpochUnit::Microseconds => 1_000,
            EpochUnit::Nanoseconds => 1,
        }
    }

    /// The unit an epoch number of this magnitude most plausibly has, for dates from 1973 to 5138:
    /// below 1e11 seconds, below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
    pub fn detect(value: i64) -> Self {
        match value.unsigned_abs() {
            v if v < 100_000_000_000 => EpochUnit::Seconds,
            v if v < 100_000_000_000_000 => EpochUnit::Milliseconds,
            v if v < 100_000_000_000_000_000 => EpochUnit::Microseconds,
            _ => EpochUnit::Nanoseconds,
        }
    }

    /// A short name: `s`, `ms`, `us`, `ns`.
    pub fn name(self) -> &'static str {
        match self {
            EpochUnit::Seconds => "s",
            EpochUnit::Milliseconds => "ms",
            EpochUnit::Microseconds => "us",
            EpochUnit::Nanoseconds => "ns",
        }
    }
}

/// What to load from a file and how. `LoadOptions::default()` loads Yahoo, pandas `to_csv` and exchange
/// kline layouts as they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Value columns to load, by their name in the file or their canonical name (`close`, `adj_close`), in
    /// the order wanted. `None` loads every numeric column and drops the others (noted in the report);
    /// naming a non-numeric column is an error.
    pub columns: Option<Vec<String>>,
    /// The timestamp column's name; `None` recognises it (`timestamp`, `date`, `datetime`, `open_time`,
    /// an unnamed first column, ...).
    pub timestamp_column: Option<String>,
    /// Separate date and time columns, `(date, time)`, joined into one timestamp. When `None`, columns
    /// named `date` and `time` are joined if both exist and no timestamp column was named.
    pub date_time_columns: Option<(String, String)>,
    /// How timestamps are written.
    pub timestamp_format: TimestampFormat,
    /// Sort rows by time instead of failing on unsorted input (costs one extra copy of the frame).
    /// Duplicate timestamps are an error either way.
    pub sort: bool,
    /// The CSV delimiter; `None` picks the most frequent of `,` `;` tab `|` in the first line.
    pub delimiter: Option<u8>,
    /// Rows per batch while streaming.
    pub batch_size: usize,
    /// Memory-map Arrow IPC files (default) so the frame's columns point into the file's pages: no copy,
    /// and pages shared with every process that maps the same file. The price is the one any mapping has:
    /// if another process truncates or rewrites the file while the frame lives, reading the lost pages
    /// kills this process with SIGBUS (or shows the new bytes). Set `false` for files that others may
    /// change: the file is then read into memory once (one copy) and nothing depends on it afterwards.
    pub memory_map: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            columns: None,
            timestamp_column: None,
            date_time_columns: None,
            timestamp_format: TimestampFormat::Auto,
            sort: false,
            delimiter: None,
            batch_size: 8 * 1024,
            memory_map: true,
        }
    }
}
