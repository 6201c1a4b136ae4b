//! `isolation`: the command-line entry point.

use anyhow::bail;
use clap::{Parser, Subcommand};
use isolation::{
    CombinatorialPurgedCv, DataHandler, FoldSpec, IsolationMode, Length, PurgedKFold, WalkForward,
    available_modes,
};
use isolation_cli::demo::{DemoConfig, run_demo};
use isolation_cli::folds::{fold_rows, render_folds};
use isolation_cli::synthetic::{SyntheticBars, generate};
use isolation_cli::table::render_table;

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
    /// Print the folds of a walk-forward or cross-validation scheme: start and end timestamps and row counts
    /// per fold and symbol.
    Folds(FoldsArgs),
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("scheme").required(true).args(["walk_forward", "kfold", "cpcv"])))]
struct FoldsArgs {
    /// The data: `demo` for synthetic bars (see --rows, --symbols, --seed).
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
    /// History before each test block for indicator warm-up, in rows or time.
    #[arg(long, default_value = "0")]
    warmup: Length,
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

#[derive(Debug, clap::Args)]
struct DemoArgs {
    /// Bars per symbol.
    #[arg(long, default_value_t = 2_000_000)]
    rows: usize,
    /// Number of symbols.
    #[arg(long, default_value_t = 4)]
    symbols: usize,
    /// Seed of the synthetic random walk.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Modes to run, comma-separated: deep-copy, view, cow, shm (default: every mode this build has).
    #[arg(long, value_delimiter = ',')]
    modes: Option<Vec<IsolationMode>>,
    /// Share of each symbol's bars in train.
    #[arg(long, default_value_t = 0.7)]
    train_ratio: f64,
    /// Print one JSON object per mode instead of a table.
    #[arg(long)]
    json: bool,
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Demo(args) => demo(args),
        Command::Folds(args) => folds(args),
    }
}

fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let modes = args.modes.unwrap_or_else(|| {
        // Views first: their RSS change is not hidden by memory a copy freed earlier.
        let mut modes = available_modes();
        modes.sort_by_key(|m| *m == IsolationMode::DeepCopy);
        modes
    });
    if let Some(missing) = modes.iter().find(|m| !available_modes().contains(m)) {
        bail!("mode {missing} is not in this build; available: {:?}", available_modes());
    }
    let config = DemoConfig {
        bars: SyntheticBars { rows: args.rows, symbols: args.symbols, seed: args.seed },
        modes,
        train_ratio: args.train_ratio,
    };
    let results = run_demo(&config)?;
    if args.json {
        let lines: Vec<String> = results.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
        emit(&(lines.join("\n") + "\n"))
    } else {
        emit(&format!(
            "{} symbols x {} one-minute bars, {:.0}% train; strategy: 10/50 moving-average crossover\n{}",
            args.symbols,
            args.rows,
            args.train_ratio * 100.0,
            render_table(&results, false)
        ))
    }
}

fn folds(args: FoldsArgs) -> anyhow::Result<()> {
    let spec = match (args.walk_forward, args.kfold, args.cpcv) {
        (Some(wf), _, _) => FoldSpec::WalkForward(wf),
        (_, Some(kf), _) => FoldSpec::PurgedKFold(kf),
        (_, _, Some(cpcv)) => FoldSpec::CombinatorialPurgedCv(cpcv),
        _ => unreachable!("clap requires one scheme"),
    };
    let mut handler = DataHandler::new(IsolationMode::View);
    if args.source != "demo" {
        bail!("unknown data source `{}`; use `demo` for synthetic bars", args.source);
    }
    for (symbol, frame) in
        generate(&SyntheticBars { rows: args.rows, symbols: args.symbols, seed: args.seed })
    {
        handler.load(&symbol, frame)?;
    }
    let rows = fold_rows(&handler, &spec, args.warmup)?;
    if args.json {
        let lines: Vec<String> = rows.iter().map(serde_json::to_string).collect::<Result<_, _>>()?;
        emit(&(lines.join("\n") + "\n"))
    } else {
        emit(&render_folds(&rows))
    }
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
