//! Maintainer tasks, run as `cargo xtask <task>` (the alias lives in `.cargo/config.toml`).
//!
//! - `cargo xtask bench [--quick]`: runs the criterion benches of `benches/` (`--quick` runs each bench
//!   once, as a smoke test).

use std::process::Command;

use anyhow::{Context, bail};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => bench(&args[1..]),
        Some(other) => bail!("unknown task `{other}`; tasks: bench [--quick]"),
        None => bail!("usage: cargo xtask bench [--quick]"),
    }
}

fn bench(args: &[String]) -> anyhow::Result<()> {
    let quick = args.iter().any(|a| a == "--quick");
    if let Some(unknown) = args.iter().find(|a| *a != "--quick") {
        bail!("unknown option `{unknown}` for bench; options: --quick");
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let mut command = Command::new(cargo);
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
