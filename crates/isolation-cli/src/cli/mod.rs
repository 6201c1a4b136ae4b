//! The `isolation` command as a library function, so that the Rust binary and the Python package's
//! `isolation` command (`python -m isolation`) run the same code: the clap definitions here, the commands
//! in `run.rs`.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use isolation::{
    CombinatorialPurgedCv, FoldSpec, IsolationMode, Length, PurgedKFold, SplitSpec, WalkForward,
};

use crate::synthetic::SyntheticBars;

use crate::workers::SelfCommand;

mod run;

/// Runs the command line `args` (the program name first, as `std::env::args_os` gives it); `relaunch` is
/// how this program starts itself again (for `demo --workers`). Prints errors to standard error and returns
/// the process's exit code: 0 on success, 1 on an error, clap's code (2) for a command line it refuses.
pub fn main(args: impl IntoIterator<Item = OsString>, relaunch: SelfCommand) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return u8::try_from(error.exit_code()).unwrap_or(2);
        }
    };
    match run::run(cli.command, &relaunch) {
        Ok(()) => 0,
        Err(error) => {
            eprintln!("{}", run::error_text(&error));
            1
        }
    }
}

/// A mode on the command line: one of the isolation modes, or `auto` (the factory decides and says why).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ModeArg {
    Auto,
    Mode(IsolationMode),
}

impl std::str::FromStr for ModeArg {
    type Err = isolation::IsolationError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "auto" { Ok(ModeArg::Auto) } else { s.parse().map(ModeArg::Mode) }
    }
}

#[derive(Debug, Parser)]
#[command(name = "isolation", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Split synthetic minute bars in each mode, run a moving-average crossover on train and test, and
    /// compare memory, speed and results.
    Demo(DemoArgs),
    /// Load data, split it into train and test, and report rows, time ranges and memory per split.
    Split(SplitArgs),
    /// Describe a data file: format, columns, rows, time range.
    Info {
        /// A CSV, Parquet or Arrow IPC file.
        file: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Also load the file and report what storing each column in its narrowest lossless type would
        /// save (integers narrowed to their range, f64 to f32 only where every value is exact).
        #[arg(long)]
        optimize: bool,
    },
    /// Print the folds of a walk-forward or cross-validation scheme: start and end timestamps and row counts
    /// per fold and symbol.
    Folds(Box<FoldsArgs>),
    /// Shared-memory segments: publish, list, attach, collect, remove.
    #[cfg(feature = "shm")]
    #[command(subcommand)]
    Shm(ShmCommand),
    /// Prepare fold N of a manifest on this machine and run a command with the fold in its environment:
    /// each symbol's data is attached from the machine's dataset segment (`ds-<fingerprint>`, published
    /// by the first task that needs it and kept). For Slurm arrays: `isolation fold-run --manifest m.json
    /// --fold $SLURM_ARRAY_TASK_ID -- python study.py`. See docs/scale-out.md for the variables.
    #[cfg(feature = "shm")]
    FoldRun(FoldRunArgs),
    /// Run as a demo worker: attach segments by name and run the strategy (started by `demo --workers`).
    #[cfg(feature = "shm")]
    #[command(hide = true)]
    Worker {
        /// Segment names, comma-separated, in symbol order.
        #[arg(long, value_delimiter = ',')]
        segments: Vec<String>,
        /// Share of each symbol's bars in train.
        #[arg(long)]
        train_ratio: f64,
    },
}

/// Synthetic data options shared by the commands that accept `demo` as their data.
#[derive(Debug, clap::Args)]
struct DemoData {
    /// Bars per symbol (demo data).
    #[arg(long, default_value_t = 2_000_000)]
    rows: usize,
    /// Number of symbols (demo data).
    #[arg(long, default_value_t = 4)]
    symbols: usize,
    /// Seed of the synthetic random walk (demo data).
    #[arg(long, default_value_t = 42)]
    seed: u64,
}

impl DemoData {
    fn bars(&self) -> SyntheticBars {
        SyntheticBars { rows: self.rows, symbols: self.symbols, seed: self.seed }
    }
}

#[derive(Debug, clap::Args)]
struct DemoArgs {
    #[command(flatten)]
    data: DemoData,
    /// Modes to run, comma-separated: deep-copy, view, cow, shm, or auto (the factory chooses; see
    /// --explain). Default: every mode this build has.
    #[arg(long, value_delimiter = ',', alias = "mode")]
    modes: Option<Vec<ModeArg>>,
    /// Print the factory's choice of mode for this data, with its reasons (on standard error with --json).
    #[arg(long)]
    explain: bool,
    /// Share of each symbol's bars in train.
    #[arg(long, default_value_t = isolation::DEFAULT_TRAIN_RATIO)]
    train_ratio: f64,
    /// In shared-memory mode, also run the strategy in this many worker processes attached to the same
    /// segments, and report each worker's private memory.
    #[arg(long, default_value_t = 0)]
    workers: usize,
    /// Print one JSON object per mode instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
struct SplitArgs {
    /// `demo`, a CSV/Parquet/Arrow file, or a directory of them (one per symbol, named by file stem).
    source: String,
    /// Share of all symbols' distinct instants in train (default 0.7).
    #[arg(long, conflicts_with_all = ["split_date", "split"])]
    train_ratio: Option<f64>,
    /// Cut each symbol over its own rows (its own ratio, its own last N) instead of at one instant for all:
    /// every symbol gets both sides, but symbols no longer share a cut, so a model trained across symbols
    /// can see one symbol's future while training on another. For models fitted per symbol only.
    #[arg(long)]
    per_symbol: bool,
    /// Test starts at the first bar at or after this date or date-time (ISO 8601, UTC unless zoned).
    #[arg(long, conflicts_with = "split")]
    split_date: Option<String>,
    /// The split as text: ratio=0.7, date=2024-03-01, index=5000 (distinct instants), or last=30d / last=250
    /// (test on the last duration or instants).
    #[arg(long)]
    split: Option<SplitSpec>,
    /// Isolation mode: deep-copy, view, cow, shm, or auto (the factory chooses; see --explain).
    #[arg(long, default_value = "view")]
    mode: ModeArg,
    /// Print the mode's decision with its reasons (on standard error with --json).
    #[arg(long)]
    explain: bool,
    /// Load only these columns (comma-separated; the timestamp column is always loaded).
    #[arg(long, value_delimiter = ',')]
    columns: Option<Vec<String>>,
    /// Sort rows by time while loading, instead of refusing a file whose timestamps go backwards.
    #[arg(long)]
    sort: bool,
    #[command(flatten)]
    data: DemoData,
    /// Print one JSON object per symbol instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("kind").required(true).args(["walk_forward", "kfold", "cpcv", "scheme"])))]
struct FoldsArgs {
    /// `demo`, a CSV/Parquet/Arrow file, or a directory of them (one per symbol).
    source: String,
    /// Walk-forward: `train=90d,test=30d[,step=30d][,gap=1d][,expanding][,max_train=..][,partial]`; lengths
    /// in time (w, d, h, m, s, ms) cut every symbol at the same instants, plain numbers count rows.
    #[arg(long)]
    walk_forward: Option<WalkForward>,
    /// Purged k-fold: `k=5[,purge=1d][,embargo=1d]`.
    #[arg(long)]
    kfold: Option<PurgedKFold>,
    /// Combinatorial purged CV: `n_folds=6,n_test_folds=2[,purge=1d][,embargo=1d]`.
    #[arg(long)]
    cpcv: Option<CombinatorialPurgedCv>,
    /// Any fold kind by name, as `KIND:SPEC` (`kfold:k=5`, `walk_forward:train=90d,test=30d`): every kind
    /// the library has, including those without a flag of their own.
    #[arg(long)]
    scheme: Option<FoldSpec>,
    /// History before each test block for indicator warm-up, in rows or time.
    #[arg(long, default_value = "0")]
    warmup: Length,
    /// Purge by each row's label end, read from this column of every symbol (e.g. `t1`, a date-time).
    #[arg(long, conflicts_with = "horizon")]
    label_end: Option<String>,
    /// Purge by labels of a fixed horizon (rows or time, e.g. `5d`), in place of a spec's `purge=`.
    #[arg(long)]
    horizon: Option<Length>,
    /// Purge each symbol's train against every symbol's test labels, not only its own.
    #[arg(long)]
    cross_sectional: bool,
    /// A membership table (CSV/Parquet with columns symbol, from, to): each fold keeps only the rows of
    /// symbols that were members at the time.
    #[arg(long)]
    universe: Option<std::path::PathBuf>,
    /// Also write the study as a fold manifest (JSON: spec, each symbol's file and data fingerprint, every
    /// fold's row ranges) to this file, for workers on other processes or machines.
    #[arg(long)]
    manifest: Option<std::path::PathBuf>,
    /// Bars per symbol (demo data).
    #[arg(long, default_value_t = 200_000)]
    rows: usize,
    /// Number of symbols (demo data).
    #[arg(long, default_value_t = 2)]
    symbols: usize,
    /// Seed (demo data).
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Print one JSON object per fold instead of a table.
    #[arg(long)]
    json: bool,
}

#[cfg(feature = "shm")]
#[derive(Debug, Subcommand)]
enum ShmCommand {
    /// Publish data as a segment other processes can attach to; it stays until `shm rm`.
    Publish {
        /// `demo` or a CSV/Parquet/Arrow file.
        source: String,
        /// The segment name (letters, digits, `_`, `-`, `.`).
        #[arg(long)]
        name: String,
        #[command(flatten)]
        data: DemoData,
    },
    /// List segments with their owner and whether it is alive.
    Ls,
    /// Attach to a segment by name and describe it.
    Attach {
        /// The segment name.
        name: String,
        /// Check every column against the checksum its publisher recorded (reads every byte once).
        #[arg(long)]
        verify: bool,
    },
    /// Remove segments whose owner process died; with `--datasets`, remove kept dataset segments
    /// (`ds-<fingerprint>`) by age, idleness or a size budget (never one a process maps).
    Gc {
        /// Collect dataset segments instead (give at least one of the limits below).
        #[arg(long)]
        datasets: bool,
        /// Remove datasets published longer ago than this (`7d`, `12h`).
        #[arg(long, requires = "datasets")]
        older_than: Option<isolation::Length>,
        /// Remove datasets not attached for this long (`2d`).
        #[arg(long, requires = "datasets")]
        unused_for: Option<isolation::Length>,
        /// Then remove the least recently attached datasets until the rest take at most this many bytes.
        #[arg(long, requires = "datasets")]
        budget_bytes: Option<u64>,
    },
    /// Remove one segment.
    Rm {
        /// The segment name.
        name: String,
    },
}

#[cfg(feature = "shm")]
#[derive(Debug, clap::Args)]
struct FoldRunArgs {
    /// The fold manifest (`isolation folds ... --manifest FILE`).
    #[arg(long)]
    manifest: PathBuf,
    /// The fold to run (0-based, as in the manifest).
    #[arg(long)]
    fold: usize,
    /// Directory of dataset segments (default: $ISOLATION_SHM_DIR, else /dev/shm).
    #[arg(long)]
    shm_dir: Option<PathBuf>,
    /// Directory on a local disk for datasets that do not fit in the segment directory (default:
    /// $ISOLATION_SPILL_DIR); they are then shared as file-backed maps.
    #[arg(long)]
    spill_dir: Option<PathBuf>,
    /// Put at most this many bytes per dataset in the segment directory; larger ones spill.
    #[arg(long)]
    memory_limit: Option<u64>,
    /// The command and its arguments.
    #[arg(last = true, required = true)]
    command: Vec<String>,
}
