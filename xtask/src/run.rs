//! The parent of `cargo xtask bench`: builds the measuring binary, runs one fresh child process per
//! measurement (so each starts with clean memory figures), and writes the report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use isolation::IsolationMode;
use serde::de::DeserializeOwned;

use crate::child::RunResult;
use crate::options::BenchOptions;
use crate::process::{cargo, command};
use crate::report::{Machine, Report, flat_checks};
use crate::workers::SharedResult;
use crate::{markdown, plot};

/// Runs every measurement of `options` and writes report.md, report.json and the SVG plots.
///
/// # Errors
///
/// The release build, a child, or writing the report failed.
pub(crate) fn bench(options: &BenchOptions) -> Result<()> {
    let started = Instant::now();
    let exe = child_executable(options)?;
    let mut runs = Vec::new();
    for size in &options.sizes {
        for mode in IsolationMode::ALL {
            eprintln!("bench: {} {} ({} rows)", size.name(), mode, size.rows());
            runs.push(run_child(&exe, mode, size.rows(), true, options)?);
        }
    }
    let mut scaling = Vec::new();
    for rows in options.scaling_rows() {
        for mode in IsolationMode::ALL {
            eprintln!("bench: scaling {mode} at {rows} rows");
            scaling.push(run_child(&exe, mode, rows, false, options)?);
        }
    }
    let mut shared = Vec::new();
    for size in &options.sizes {
        eprintln!("bench: {} shared segment, {} workers", size.name(), options.workers());
        let args = ["bench-shared".to_string(), size.rows().to_string(), options.workers().to_string()];
        shared.push(child_json::<SharedResult>(&exe, &args)?);
    }
    let copy_rows = options.copy_rows();
    eprintln!("bench: deep copy of {copy_rows} rows against pandas ({})", options.python);
    let deep_copy = crate::copy::compare(&exe, &options.python, copy_rows, 5)?;
    let release_build = runs.iter().chain(&scaling).all(|r| r.release_build);
    let report = Report {
        machine: Machine::current(release_build),
        quick: options.quick,
        flat_checks: flat_checks(&scaling),
        runs,
        scaling,
        shared,
        deep_copy,
    };
    write_report(&report, &options.out_dir)?;
    eprintln!(
        "bench: report in {} ({:.1} s)",
        options.out_dir.join("report.md").display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Writes report.json, report.md, memory.svg and setup_time.svg into `dir`.
///
/// # Errors
///
/// The directory or a file could not be written.
pub(crate) fn write_report(report: &Report, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let write = |name: &str, text: String| {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))
    };
    write("report.json", serde_json::to_string_pretty(report)?)?;
    write("report.md", markdown::render(report))?;
    plot::memory(report, &dir.join(plot::MEMORY_SVG))?;
    plot::setup_time(report, &dir.join(plot::SETUP_TIME_SVG))?;
    Ok(())
}

/// The binary the children run: this one with `--no-release-build`, else the release xtask, built now.
fn child_executable(options: &BenchOptions) -> Result<PathBuf> {
    let this = std::env::current_exe().context("locating the xtask binary")?;
    if options.no_release_build || !cfg!(debug_assertions) {
        return Ok(this);
    }
    // `cargo xtask` runs a debug build; timings need an optimised one. Build it next to this binary
    // (same target directory), so `target/release/xtask` is reused by later runs.
    eprintln!("bench: building the release xtask that runs the measurements");
    let status = cargo()
        .args(["build", "--release", "--package", "xtask", "--bin", "xtask"])
        .status()
        .context("running cargo build --release")?;
    if !status.success() {
        bail!("cargo build --release -p xtask failed: {status}");
    }
    let target_dir =
        this.parent().and_then(Path::parent).context("the xtask binary lives in <target>/debug")?;
    let release = target_dir.join("release").join(this.file_name().context("binary name")?);
    if !release.exists() {
        bail!("no release xtask at {} after building it", release.display());
    }
    Ok(release)
}

fn run_child(
    exe: &Path,
    mode: IsolationMode,
    rows: usize,
    walk: bool,
    options: &BenchOptions,
) -> Result<RunResult> {
    let budget_ms = options.budget().as_millis().to_string();
    let mut args = vec!["bench-child".to_string(), mode.name().to_string(), rows.to_string(), budget_ms];
    if walk {
        args.push("--walk".to_string());
    }
    child_json(exe, &args)
}

/// Runs `exe args` and parses the last line of its stdout as JSON.
pub(crate) fn child_json<T: DeserializeOwned>(exe: &Path, args: &[String]) -> Result<T> {
    let output = command(exe)
        .args(args)
        .output()
        .with_context(|| format!("starting {} {}", exe.display(), args.join(" ")))?;
    if !output.status.success() {
        bail!(
            "child `{}` failed ({}): {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(line).with_context(|| format!("child `{}` printed {line:?}", args.join(" ")))
}
