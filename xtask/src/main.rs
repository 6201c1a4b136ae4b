//! Maintainer tasks, run as `cargo xtask <task>` (the alias lives in `.cargo/config.toml`).
//!
//! - `cargo xtask bench [--quick] [--sizes small,medium,large] [--out DIR] [--no-release-build]`: memory and
//!   time of every isolation mode, each measurement in a fresh child process, written to
//!   `target/bench-report/` as report.md, report.json, memory.svg and setup_time.svg. The children run from
//!   a release build of this crate, built first. See docs/benchmarks.md.
//! - `cargo xtask criterion [--quick]`: runs the criterion benches of `benches/` (`--quick` runs each bench
//!   once, as a smoke test).
//!
//! - `cargo xtask test [--python-only | --cargo-only] [-- CARGO TEST ARGS]`: README's test command: sets up
//!   `target/py-venv` from the pinned requirements, installs the Python package into it, runs
//!   `cargo test --workspace` with that interpreter and then pytest (see `test_suite.rs`).
//!
//! Hidden tasks, run by `bench` in its children: `bench-child <mode> <rows> <budget-ms> [--walk]`,
//! `bench-shared <rows> <workers>`, `bench-worker <segment>` and `bench-copy <rows> <runs>`.

mod child;
mod copy;
mod markdown;
mod measure;
mod options;
mod plot;
mod process;
mod report;
mod run;
mod test_suite;
mod wheel;
mod workers;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use memtrack::alloc::CountingAllocator;

use crate::child::ChildSpec;
use crate::options::BenchOptions;
use crate::process::cargo;

// Heap figures of the children come from counting every allocation of this binary.
#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

const USAGE: &str = "tasks: test [--python-only | --cargo-only] [-- ARGS], wheel [--check-install], bench [--quick] [--sizes small,medium,large], criterion [--quick]";

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("bench") => run::bench(&BenchOptions::parse(rest, default_out_dir())?),
        Some("criterion") => criterion(rest),
        Some("test") => test_suite::run(&workspace_root(), &test_suite::TestOptions::parse(rest)?),
        Some("wheel") => wheel::run(&workspace_root(), &wheel::WheelOptions::parse(rest)?),
        Some("bench-child") => print_json(&child::run(child_spec(rest)?)?),
        Some("bench-shared") => {
            let (rows, workers) = match rest {
                [rows, workers] => (rows.parse()?, workers.parse()?),
                _ => bail!("usage: xtask bench-shared <rows> <workers>"),
            };
            let exe = std::env::current_exe().context("locating the xtask binary")?;
            print_json(&workers::run(&exe, rows, workers)?)
        }
        Some("bench-copy") => match rest {
            [rows, runs] => print_json(&copy::measure(rows.parse()?, runs.parse()?)),
            _ => bail!("usage: xtask bench-copy <rows> <runs>"),
        },
        Some("bench-worker") => match rest {
            [segment] => workers::worker(segment),
            _ => bail!("usage: xtask bench-worker <segment>"),
        },
        Some(other) => bail!("unknown task `{other}`; {USAGE}"),
        None => bail!("usage: cargo xtask <task>; {USAGE}"),
    }
}

/// The workspace root (xtask's parent directory).
fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap_or(Path::new(".")).to_path_buf()
}

/// `target/bench-report` in the workspace root.
fn default_out_dir() -> PathBuf {
    workspace_root().join("target").join("bench-report")
}

fn child_spec(args: &[String]) -> Result<ChildSpec> {
    let usage = "usage: xtask bench-child <mode> <rows> <budget-ms> [--walk]";
    let (mode, rows, budget_ms, walk) = match args {
        [mode, rows, budget_ms] => (mode, rows, budget_ms, false),
        [mode, rows, budget_ms, flag] if flag == "--walk" => (mode, rows, budget_ms, true),
        _ => bail!("{usage}"),
    };
    let rows = rows.parse().with_context(|| format!("rows `{rows}` is not a count; {usage}"))?;
    let budget_ms =
        budget_ms.parse().with_context(|| format!("budget `{budget_ms}` is not a count; {usage}"))?;
    Ok(ChildSpec { mode: mode.parse()?, rows, walk, budget: Duration::from_millis(budget_ms) })
}

fn print_json(value: &impl serde::Serialize) -> Result<()> {
    println!("{}", serde_json::to_string(value)?);
    Ok(())
}

fn criterion(args: &[String]) -> Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(unknown) = args.iter().find(|a| *a != "--quick") {
        bail!("unknown option `{unknown}` for criterion; options: --quick");
    }
    let mut command = cargo();
    command.args(["bench", "--package", "isolation-benches"]);
    if quick {
        // Criterion's test mode runs every benchmark once: it exercises every path without measuring.
        command.args(["--", "--test"]);
    }
    let status = command.status().context("running cargo bench")?;
    if !status.success() {
        bail!("cargo bench failed: {status}");
    }
    Ok(())
}
