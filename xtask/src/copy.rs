//! Deep copy against pandas: `TimeFrame::deep_copy` of synthetic bars, and pandas' `df.copy()` of a frame
//! of the same shape (run by `benches/python/deep_copy.py` in the same bench run), both as GB/s.

use std::path::Path;

use anyhow::{Context, Result, bail};
use isolation::synthetic;
use serde::{Deserialize, Serialize};

use crate::measure::once_ms;
use crate::process::command;

/// One library's deep copy of `rows` bars.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CopyResult {
    /// Who copied: `isolation` or `pandas <version>`.
    pub library: String,
    /// Bars copied.
    pub rows: usize,
    /// Bytes copied (every column, timestamps included).
    pub bytes: u64,
    /// Best of the runs.
    pub best_seconds: f64,
    /// `bytes / best_seconds`, in 10^9 bytes a second.
    pub gb_per_second: f64,
}

/// Both sides of the comparison; pandas is `None` (with the reason) where Python or pandas is missing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CopyComparison {
    /// Our deep copy.
    pub isolation: CopyResult,
    /// pandas' deep copy of the same shape, if it ran.
    pub pandas: Option<CopyResult>,
    /// Why pandas did not run.
    pub pandas_missing: Option<String>,
}

/// Runs in a child: `TimeFrame::deep_copy` of `rows` synthetic bars, best of `runs` (each copy dropped
/// before the next, so every run allocates fresh pages as pandas' does).
pub(crate) fn measure(rows: usize, runs: usize) -> CopyResult {
    let frame = synthetic::bars(rows, 0x5EED, 0);
    let bytes = frame.visible_bytes();
    let best_ms = (0..runs.max(1))
        .map(|_| {
            let (copy, ms) = once_ms(|| frame.deep_copy());
            drop(std::hint::black_box(copy));
            ms
        })
        .fold(f64::MAX, f64::min);
    let best_seconds = best_ms / 1e3;
    CopyResult {
        library: "isolation".to_string(),
        rows,
        bytes,
        best_seconds,
        gb_per_second: bytes as f64 / best_seconds / 1e9,
    }
}

/// Our copy (in a fresh child `exe`) and pandas' (through `python`, if it has pandas), `rows` bars each.
///
/// # Errors
///
/// Our child failed.
pub(crate) fn compare(exe: &Path, python: &str, rows: usize, runs: usize) -> Result<CopyComparison> {
    let isolation =
        crate::run::child_json(exe, &["bench-copy".to_string(), rows.to_string(), runs.to_string()])?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../benches/python/deep_copy.py");
    let (pandas, pandas_missing) = match pandas(python, &script, rows, runs) {
        Ok(result) => (Some(result), None),
        Err(error) => (None, Some(format!("{error:#}"))),
    };
    Ok(CopyComparison { isolation, pandas, pandas_missing })
}

fn pandas(python: &str, script: &Path, rows: usize, runs: usize) -> Result<CopyResult> {
    let output = command(python)
        .arg(script)
        .args([rows.to_string(), runs.to_string()])
        .output()
        .with_context(|| format!("starting {python} {}", script.display()))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        bail!("{python} {} failed: {}", script.display(), stderr.lines().last().unwrap_or_default());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).context("reading the pandas result")
}
