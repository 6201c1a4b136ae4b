//! `isolation`: the command-line entry point.

use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use isolation::{
    CombinatorialPurgedCv, DataHandler, Decision, FoldArgs, FoldSpec, IsolationFactory, IsolationMode,
    Length, PurgedKFold, Resources, SplitSpec, WalkForward, Workload, available_modes,
};
use isolation_cli::demo::{DemoConfig, run_demo};
use isolation_cli::folds::{fold_rows, render_folds};
use isolation_cli::source::load_source;
use isolation_cli::split::{render_split, split_rows};
use isolation_cli::synthetic::SyntheticBars;
use isolation_cli::table::render_table;
use timeseries_io::LoadOptions;

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

/// Asks the factory for a mode for `dataset_bytes` read by `readers` processes, split into `copies` parts.
fn decide(requested: ModeArg, dataset_bytes: u64, readers: usize) -> anyhow::Result<Decision> {
    let workload = Workload { dataset_bytes, will_write: false, readers: readers.max(1), copies: 1 };
    let requested = match requested {
        ModeArg::Auto => None,
        ModeArg::Mode(mode) => Some(mode),
    };
    Ok(IsolationFactory::default().decide(requested, &workload, &Resources::current())?)
}

fn explain(decision: &Decision) -> String {
    let mut out = format!("mode: {}\n", decision.mode);
    for reason in &decision.reasons {
        out.push_str(&format!("  because {reason}\n"));
    }
    out
}

/// Split market data into train and test without copies and without look-ahead.
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

fn main() -> std::process::ExitCode {
    match run(Cli::parse().command) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{}", error_text(&error));
            std::process::ExitCode::FAILURE
        }
    }
}

/// `error: <message>: <its cause>: ...`: each layer's message once, outermost first (each error type says
/// what failed at its own level and leaves its cause to the chain). Control characters from user text
/// (names, paths) are escaped: they never reach the terminal raw.
fn error_text(error: &anyhow::Error) -> String {
    format!("error: {}", isolation::error_chain(error.as_ref()))
}

fn run(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Demo(args) => demo(args),
        Command::Split(args) => split(args),
        Command::Info { file, json, optimize } => info(&file, json, optimize),
        Command::Folds(args) => folds(*args),
        #[cfg(feature = "shm")]
        Command::Shm(command) => shm(command),
        #[cfg(feature = "shm")]
        Command::FoldRun(args) => {
            let node =
                isolation::shm::NodeOptions::from_overrides(args.shm_dir, args.spill_dir, args.memory_limit);
            let code = isolation_cli::fold_run::run_fold(&args.manifest, args.fold, &node, &args.command)?;
            if code != 0 {
                std::process::exit(code);
            }
            Ok(())
        }
        #[cfg(feature = "shm")]
        Command::Worker { segments, train_ratio } => {
            let report = isolation_cli::workers::run_worker(&segments, train_ratio)?;
            emit(&format!("{}\n", serde_json::to_string(&report)?))
        }
    }
}

fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let bars = args.data.bars();
    let dataset_bytes = (bars.rows * bars.symbols * isolation::synthetic::BYTES_PER_ROW) as u64;
    let auto = decide(ModeArg::Auto, dataset_bytes, args.workers)?;
    let modes: Vec<IsolationMode> = match args.modes {
        Some(modes) => modes
            .into_iter()
            .map(|m| match m {
                ModeArg::Auto => auto.mode,
                ModeArg::Mode(mode) => mode,
            })
            .collect(),
        None => {
            // Views first: their RSS change is not hidden by memory a copy freed earlier.
            let mut modes = available_modes();
            modes.sort_by_key(|m| *m == IsolationMode::DeepCopy);
            modes
        }
    };
    if args.explain {
        let text = explain(&auto);
        if args.json { eprint!("{text}") } else { emit(&text)? }
    }
    if let Some(missing) = modes.iter().find(|m| !available_modes().contains(m)) {
        bail!("mode {missing} is not in this build; available: {:?}", available_modes());
    }
    if args.workers > 0 && !modes.contains(&IsolationMode::SharedMemory) {
        bail!("--workers needs the shm mode (add it to --modes)");
    }
    let workers = (args.workers > 0)
        .then(|| std::env::current_exe().map(|exe| (args.workers, exe)))
        .transpose()
        .context("finding this executable to start workers")?;
    let config = DemoConfig { bars, modes, train_ratio: args.train_ratio, workers };
    let results = run_demo(&config)?;
    if args.json {
        let lines: Vec<String> = results.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
        emit(&(lines.join("\n") + "\n"))
    } else {
        emit(&format!(
            "{} symbols x {} one-minute bars, {:.0}% train; strategy: 10/50 moving-average crossover\n{}",
            args.data.symbols,
            args.data.rows,
            args.train_ratio * 100.0,
            render_table(&results, false)
        ))
    }
}

fn split(args: SplitArgs) -> anyhow::Result<()> {
    let spec = match (args.split, &args.split_date, args.train_ratio) {
        (Some(spec), _, _) => spec,
        (None, Some(date), _) => format!("date={date}").parse()?,
        (None, None, ratio) => ratio.map_or_else(SplitSpec::default, SplitSpec::Ratio),
    };
    let options = LoadOptions { columns: args.columns.clone(), sort: args.sort, ..LoadOptions::default() };
    let sources = load_source(&args.source, args.data.bars(), &options)?;
    let dataset_bytes = sources.iter().map(|s| s.frame.visible_bytes()).sum();
    let decision = decide(args.mode, dataset_bytes, 1)?;
    if args.explain {
        let text = explain(&decision);
        if args.json { eprint!("{text}") } else { emit(&text)? }
    }
    let rows = split_rows(decision.mode, sources, spec)?;
    if args.json {
        let lines: Vec<String> = rows.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
        emit(&(lines.join("\n") + "\n"))
    } else {
        emit(&render_split(&rows))
    }
}

fn info(file: &std::path::Path, json: bool, optimize: bool) -> anyhow::Result<()> {
    let info = timeseries_io::describe(file)?;
    let optimized = if optimize {
        let loaded = isolation::load(file, &LoadOptions::default())?;
        Some(isolation::optimize_frame(&loaded.frame, &isolation::OptimizeOptions::default())?.1)
    } else {
        None
    };
    if json {
        let mut value = serde_json::to_value(&info)?;
        if let Some(report) = &optimized {
            value["optimize"] = serde_json::to_value(report)?;
        }
        emit(&format!("{}\n", serde_json::to_string(&value)?))
    } else {
        let mut text = isolation_cli::split::render_info(file, &info);
        if let Some(report) = &optimized {
            text.push_str(&format!(
                "\nnarrowest lossless types (not applied; the file is unchanged):\n{report}\n"
            ));
        }
        emit(&text)
    }
}

fn folds(args: FoldsArgs) -> anyhow::Result<()> {
    let spec = match (args.walk_forward, args.kfold, args.cpcv, args.scheme) {
        (Some(wf), ..) => FoldSpec::WalkForward(wf),
        (_, Some(kf), ..) => FoldSpec::PurgedKFold(kf),
        (_, _, Some(cpcv), _) => FoldSpec::CombinatorialPurgedCv(cpcv),
        (.., Some(spec)) => spec,
        _ => unreachable!("clap requires one scheme"),
    };
    let mut handler = DataHandler::new(IsolationMode::View);
    let bars = SyntheticBars { rows: args.rows, symbols: args.symbols, seed: args.seed };
    if args.source == "demo" {
        for source in load_source(&args.source, bars, &LoadOptions::default())? {
            handler.load(&source.symbol, source.frame)?;
        }
    } else {
        // Registered by absolute path (or URI), so a manifest names sources a worker can load.
        for path in isolation_cli::source::data_files(std::path::Path::new(&args.source))? {
            let path = if timeseries_io::is_uri(&args.source) { path } else { std::path::absolute(&path)? };
            handler.register_path(&timeseries_io::symbol_of(&path), path);
        }
    }
    let options = FoldArgs {
        warmup: Some(args.warmup),
        label_end: args.label_end,
        horizon: args.horizon,
        cross_sectional: args.cross_sectional,
        universe_path: args.universe,
        universe_batches: None,
    }
    .build()?;
    let rows = fold_rows(&handler, &spec, &options)?;
    if let Some(path) = &args.manifest {
        let manifest = handler.fold_manifest(&spec, &options)?;
        std::fs::write(path, manifest.to_json() + "\n")
            .map_err(|e| anyhow::anyhow!("writing the manifest {}: {e}", path.display()))?;
    }
    if args.json {
        let lines: Vec<String> = rows.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
        emit(&(lines.join("\n") + "\n"))
    } else {
        emit(&render_folds(&rows))
    }
}

#[cfg(feature = "shm")]
fn shm(command: ShmCommand) -> anyhow::Result<()> {
    use isolation_cli::shm_cmd;
    let text = match command {
        ShmCommand::Publish { source, name, data } => {
            let mut sources =
                load_source(&source, SyntheticBars { symbols: 1, ..data.bars() }, &LoadOptions::default())?;
            if sources.len() != 1 {
                bail!("`shm publish` takes one file (or `demo`); `{source}` holds {} symbols", sources.len());
            }
            shm_cmd::publish_kept(&name, &sources.remove(0).frame)?
        }
        ShmCommand::Ls => shm_cmd::list_table(),
        ShmCommand::Attach { name, verify } => shm_cmd::describe_attached(&name, verify)?,
        ShmCommand::Gc { datasets: false, .. } => shm_cmd::collect_garbage(),
        ShmCommand::Gc { datasets: true, older_than, unused_for, budget_bytes } => {
            shm_cmd::collect_datasets(older_than, unused_for, budget_bytes)?
        }
        ShmCommand::Rm { name } => shm_cmd::remove_segment(&name)?,
    };
    emit(&text)
}

/// Writes `text` to standard output; a closed pipe (`isolation folds ... | head`) is not an error.
fn emit(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
