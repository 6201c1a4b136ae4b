//! `isolation`: the command-line entry point.

use anyhow::bail;
use clap::{Parser, Subcommand};
use isolation::{IsolationMode, available_modes};
use isolation_cli::demo::{DemoConfig, run_demo};
use isolation_cli::synthetic::SyntheticBars;
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
        for result in &results {
            println!("{}", serde_json::to_string(result)?);
        }
    } else {
        println!(
            "{} symbols x {} one-minute bars, {:.0}% train; strategy: 10/50 moving-average crossover",
            args.symbols,
            args.rows,
            args.train_ratio * 100.0
        );
        print!("{}", render_table(&results, false));
    }
    Ok(())
}
