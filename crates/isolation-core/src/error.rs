//! `IsolationError`: the one error type of the isolation crates.

use thiserror::Error;
use timeseries_array::{Cause, FrameError, TimestampNs, format_timestamp};

use crate::{IsolationMode, Split};

/// Why an isolation operation failed. Messages name the symbol, split, row or value involved.
///
/// `Debug` prints the same message as `Display` (dates as ISO 8601), so a `?` from `main` reads as a
/// sentence rather than a struct of nanoseconds.
#[derive(Clone, PartialEq, Error)]
#[non_exhaustive]
pub enum IsolationError {
    /// The frame itself is invalid or a column lookup failed.
    #[error(transparent)]
    Frame(#[from] FrameError),
    /// A train ratio outside (0, 1).
    #[error("train ratio {ratio} is outside (0, 1); use e.g. 0.7 for 70% train")]
    InvalidRatio {
        /// The ratio given.
        ratio: f64,
    },
    /// A split date before the first row of all symbols, or after the last.
    #[error(
        "split date {} is outside the data ({} ..= {}); choose a date within it (the first bar's date leaves train empty)",
        format_timestamp(*.date), format_timestamp(*.first), format_timestamp(*.last)
    )]
    DateOutsideData {
        /// The split date, nanoseconds.
        date: TimestampNs,
        /// First timestamp in the data.
        first: TimestampNs,
        /// Last timestamp in the data.
        last: TimestampNs,
    },
    /// Text that is not an ISO 8601 date or date-time.
    #[error("`{text}` is not an ISO 8601 date or date-time; use e.g. 2010-01-01 or 2010-01-01T09:30:00Z")]
    InvalidDate {
        /// The text given.
        text: String,
    },
    /// A split index at 0 or at or past the end.
    #[error("split index {index} is outside 1..{n_rows}: train and test would not both have rows")]
    IndexOutsideData {
        /// The index given.
        index: usize,
        /// Rows in the data.
        n_rows: usize,
    },
    /// A `last=` split that leaves train or test without an instant.
    #[error("testing on the last {last} of {n_instants} instants leaves the {side} split empty")]
    LastOutsideData {
        /// The length as written (`30d`, `250`).
        last: String,
        /// Distinct instants of all symbols.
        n_instants: usize,
        /// The side left empty.
        side: crate::Split,
    },

    /// A split spec's text that does not parse.
    #[error("`{text}` is not a split: {reason}; use ratio=0.7, date=2024-01-01, index=5000 or last=30d")]
    InvalidSplitSpec {
        /// The text.
        text: String,
        /// What is wrong with it.
        reason: String,
    },

    /// A split that leaves one side empty.
    #[error("a {ratio} split of {n_rows} rows leaves the {side} split empty; use more data or another ratio")]
    EmptySplit {
        /// The side left empty.
        side: Split,
        /// The ratio asked for.
        ratio: f64,
        /// Rows in the data.
        n_rows: usize,
    },
    /// A symbol with no rows on one side of a cut shared by all symbols, refused by
    /// [`crate::EmptySide::Error`].
    #[error(
        "no {side} rows: the data ({} ..= {}) lies wholly on one side of the cut at {}; \
         choose another split or EmptySide::Warn to keep the symbol with an empty {side} side",
        format_timestamp(*.first), format_timestamp(*.last), format_timestamp(*.cut)
    )]
    EmptySide {
        /// The side without rows.
        side: Split,
        /// The shared cut instant.
        cut: TimestampNs,
        /// The symbol's first timestamp.
        first: TimestampNs,
        /// The symbol's last timestamp.
        last: TimestampNs,
    },
    /// An argument outside what the function accepts (a batch of 0 rows, a split boundary past the rows).
    #[error("`{argument}` {reason}")]
    InvalidArgument {
        /// The argument's name.
        argument: &'static str,
        /// What it must be, and what it was.
        reason: String,
    },
    /// A typed column handle read through a bar or window of another dataset than it was resolved from.
    #[error(
        "column handle `{column}` was resolved from another dataset than the cursor walks; resolve it with \
         cursor.column() (a split with warm-up walks its history, not the split's own rows)"
    )]
    ForeignHandle {
        /// The handle's column.
        column: String,
    },
    /// A row index outside an isolated dataset.
    #[error("row {row} is outside the {split} split's {n_rows} rows")]
    RowOutOfBounds {
        /// The row asked for, relative to the split.
        row: usize,
        /// Rows in the split.
        n_rows: usize,
        /// The split.
        split: Split,
    },
    /// A typed handle that reads values without nulls was asked for a column that has nulls.
    #[error(
        "column `{column}` has {nulls} null value(s), the first at row {first_row}; read it with \
         nullable_column::<T>() (nulls as None), or fill the nulls before isolating"
    )]
    NullValues {
        /// The column.
        column: String,
        /// How many nulls it has.
        nulls: usize,
        /// The first null's row, relative to the data the handle was asked of.
        first_row: usize,
    },
    /// Data that cannot be written was asked for write access.
    #[error("{mode} data cannot be written: {reason}")]
    NotWritable {
        /// The mode of the data.
        mode: IsolationMode,
        /// Why, and what to do instead.
        reason: String,
    },
    /// A symbol the handler has no data for.
    #[error("no data loaded for symbol `{symbol}`; loaded: {loaded}")]
    UnknownSymbol {
        /// The symbol asked for.
        symbol: String,
        /// The symbols loaded, comma-separated.
        loaded: String,
    },
    /// An error while working on one symbol's data (the symbol; the error itself is the source).
    #[error("symbol `{symbol}`")]
    ForSymbol {
        /// The symbol.
        symbol: String,
        /// What went wrong.
        source: Box<IsolationError>,
    },
    /// A file or directory (a universe table, a directory of symbols) could not be read, for a reason that
    /// does not name it (the path is said here; the reason is the source).
    #[error("loading `{path}`")]
    Load {
        /// The file.
        path: String,
        /// The loader's error.
        #[source]
        source: Cause,
    },
    /// A file could not be loaded: the loader's error, which names the file and where in it.
    #[error(transparent)]
    File {
        /// The loader's error.
        source: Cause,
    },
    /// A backend (copy-on-write, ...) refused an operation in a way no other variant names.
    #[error("{mode} mode")]
    Backend {
        /// The backend's mode.
        mode: IsolationMode,
        /// The backend's error.
        #[source]
        source: Cause,
    },
    /// A fold manifest that cannot be read or does not have what was asked of it.
    #[error("fold manifest: {reason}")]
    Manifest {
        /// What is wrong.
        reason: String,
    },
    /// A symbol's data differs from the data a fold manifest was planned on.
    #[error(
        "symbol `{symbol}`: its data is not the data the manifest was planned on (fingerprint {found}, expected {expected}); load the same file, or plan the study again"
    )]
    FingerprintMismatch {
        /// The symbol.
        symbol: String,
        /// The fingerprint in the manifest.
        expected: String,
        /// The fingerprint of the data here.
        found: String,
    },
    /// A shared-memory segment could not be published, attached or read (the segment layer's error names
    /// the segment).
    #[error(transparent)]
    SharedMemory {
        /// The segment layer's error.
        source: Cause,
    },
    /// Data was asked for a split before any split was set up.
    #[error("no train/test split is set up; call setup_split first")]
    NoSplit,
    /// A mode name that is not one of `deep-copy`, `view`, `cow`, `shm`.
    #[error("unknown isolation mode `{name}`; expected one of: deep-copy, view, cow, shm")]
    UnknownMode {
        /// The name given.
        name: String,
    },
    /// A mode this build or this platform cannot provide.
    #[error("isolation mode `{mode}` is not available: {reason}")]
    ModeUnavailable {
        /// The mode asked for.
        mode: IsolationMode,
        /// Why, and what to do instead.
        reason: String,
    },

    /// A length that is not an integer with a known unit.
    #[error("invalid length `{text}`: {reason}; use e.g. 500 (rows), 30d, 12h, 15m or 500ms")]
    InvalidLength {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Dataset segments to collect without any limit (collecting every one is `shm rm`'s job).
    #[error(
        "collecting datasets needs older_than, unused_for or budget_bytes (CLI: --older-than, --unused-for, \
         --budget-bytes); remove one dataset by name with `shm rm`"
    )]
    NoDatasetLimit,
    /// A spec string with an unknown, repeated, missing or malformed key.
    #[error("cannot parse `{spec}`: {reason}")]
    Parse {
        /// The spec string given.
        spec: String,
        /// What is wrong, naming the key.
        reason: String,
    },
    /// A length or count that must be positive is zero.
    #[error("{name} of `{spec}` must be positive")]
    Zero {
        /// Which parameter (`train`, `test`, `step`, `k`, ...).
        name: &'static str,
        /// The spec, as its text form.
        spec: String,
    },
    /// Row counts and durations mixed in one spec.
    #[error("`{spec}` mixes row counts and durations; give all lengths in rows or all in time (e.g. 30d)")]
    MixedUnits {
        /// The spec, as its text form.
        spec: String,
    },
    /// A schedule shared across symbols was asked of a spec in rows.
    #[error(
        "`{spec}` counts rows, which differ between symbols; give lengths in time (e.g. 30d) to cut all symbols at the same instant"
    )]
    RowsAcrossSymbols {
        /// The spec, as its text form.
        spec: String,
    },
    /// No timestamps to lay folds over.
    #[error("no rows: `{spec}` needs data to lay folds over")]
    NoData {
        /// The spec, as its text form.
        spec: String,
    },
    /// The data is too short for even one fold.
    #[error(
        "`{spec}` gives no fold on {n_rows} rows ({} ..= {}); use more data or shorter lengths{hint}",
        timeseries_array::format_timestamp(*.first), timeseries_array::format_timestamp(*.last)
    )]
    NoFolds {
        /// The spec, as its text form.
        spec: String,
        /// Rows in the data.
        n_rows: usize,
        /// First timestamp.
        first: TimestampNs,
        /// Last timestamp.
        last: TimestampNs,
        /// A suggestion, starting with `, ` or empty.
        hint: &'static str,
    },
    /// More folds than rows, or test folds not fewer than folds.
    #[error("`{spec}` cannot split {n_rows} rows: {reason}")]
    TooFewRows {
        /// The spec, as its text form.
        spec: String,
        /// Rows in the data.
        n_rows: usize,
        /// Why.
        reason: String,
    },
    /// A spec whose folds would be too many to lay out at once (combinatorial CV grows as a binomial).
    #[error(
        "`{spec}` makes {count} folds, more than the {limit} that can be laid out at once; use fewer \
         folds or test folds, or walk them one at a time (CombinatorialPurgedCv::fold_iter, the Python \
         splitters' split)"
    )]
    TooManyFolds {
        /// The spec, as its text form.
        spec: String,
        /// Its number of folds, exactly.
        count: u128,
        /// The limit ([`crate::MAX_FOLDS`]).
        limit: usize,
    },
    /// Purge and embargo removed every train row of a fold.
    #[error(
        "fold {fold} of `{spec}` has no train rows left after purge and embargo; shorten them or use fewer folds"
    )]
    EmptyTrain {
        /// The fold's index.
        fold: usize,
        /// The spec, as its text form.
        spec: String,
    },
    /// Label ends that do not fit the rows: a different count, or a label ending before its own row.
    #[error("invalid label ends: {reason}")]
    LabelEnds {
        /// What is wrong, naming the row.
        reason: String,
    },
    /// A membership (universe) table that cannot be used.
    #[error("invalid universe table: {reason}")]
    Universe {
        /// What is wrong, naming the row or column.
        reason: String,
    },
    /// A fixed purge and per-row label ends given together.
    #[error(
        "`{spec}` has a fixed purge and label ends were given too; the label ends decide the purge, so drop `purge=`"
    )]
    PurgeAndLabels {
        /// The spec, as its text form.
        spec: String,
    },
}

impl IsolationError {
    /// `Ok` when `rows` is a forward range inside `0..n_rows`, else [`IsolationError::RowOutOfBounds`]
    /// naming the first row past the split.
    pub fn check_rows(rows: &std::ops::Range<usize>, n_rows: usize, split: Split) -> Result<(), Self> {
        if rows.start <= rows.end && rows.end <= n_rows {
            Ok(())
        } else {
            Err(IsolationError::RowOutOfBounds { row: rows.end.max(rows.start), n_rows, split })
        }
    }
}

impl IsolationError {
    /// This error, said of `symbol`.
    pub fn for_symbol(self, symbol: &str) -> Self {
        IsolationError::ForSymbol { symbol: symbol.to_string(), source: Box::new(self) }
    }
}

impl std::fmt::Debug for IsolationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
