//! `isolation fold-run --manifest FILE --fold N -- CMD`: prepare one fold of a manifest on this machine
//! (each symbol's data attached from the machine's dataset segment, published by the first task) and run
//! a command with the fold described in its environment. One line per task of a Slurm array or shell loop.

use std::ops::Range;
use std::path::Path;
use std::process::Command;

use anyhow::Context;
use isolation::shm::NodeOptions;
use isolation::{FoldManifest, ManifestFold, NodeFold};
use serde::Serialize;

/// The environment variable prefix of everything `fold-run` hands to the command.
pub const ENV_PREFIX: &str = "ISOLATION_";

/// One symbol of the fold as the command sees it (in `ISOLATION_FOLD_JSON`).
#[derive(Debug, Serialize)]
struct SymbolEnv<'a> {
    symbol: &'a str,
    segment: &'a str,
    /// The Arrow IPC file to map (e.g. `pyarrow.ipc.open_file(pyarrow.memory_map(path))`).
    path: String,
    train: Vec<[usize; 2]>,
    test: Vec<[usize; 2]>,
    warmup: Vec<[usize; 2]>,
}

/// The fold as environment variables, in a stable order:
///
/// - `ISOLATION_MANIFEST`, `ISOLATION_FOLD`, `ISOLATION_N_FOLDS`, `ISOLATION_N_SYMBOLS`, `ISOLATION_SYMBOLS`
///   (comma-separated);
/// - per symbol `i` (0-based, in the fold's order): `ISOLATION_SYMBOL_i`, `ISOLATION_SEGMENT_i` (the dataset
///   segment's name), `ISOLATION_DATA_i` (its Arrow IPC file), `ISOLATION_TRAIN_i`, `ISOLATION_TEST_i` and
///   `ISOLATION_WARMUP_i` (half-open row ranges `start:end`, comma-separated when there are several);
/// - `ISOLATION_FOLD_JSON`: all of it as one JSON object.
///
/// # Errors
///
/// `made` is not a fold of `manifest` (no fold of its index, or a symbol without a dataset).
pub fn fold_env(
    manifest_path: &Path,
    manifest: &FoldManifest,
    made: &NodeFold,
) -> anyhow::Result<Vec<(String, String)>> {
    let index = made.fold.index;
    let fold: &ManifestFold = (manifest.folds.iter().find(|f| f.index == index))
        .ok_or_else(|| anyhow::anyhow!("the manifest has no fold {index}: the fold was made from another"))?;
    let mut env = vec![
        ("MANIFEST".to_string(), manifest_path.display().to_string()),
        ("FOLD".to_string(), fold.index.to_string()),
        ("N_FOLDS".to_string(), manifest.folds.len().to_string()),
        ("N_SYMBOLS".to_string(), fold.symbols.len().to_string()),
        ("SYMBOLS".to_string(), fold.symbols.iter().map(|s| s.symbol.as_str()).collect::<Vec<_>>().join(",")),
    ];
    let mut symbols = Vec::with_capacity(fold.symbols.len());
    for (i, rows) in fold.symbols.iter().enumerate() {
        let dataset = (made.datasets.iter().find(|d| d.symbol == rows.symbol)).ok_or_else(|| {
            anyhow::anyhow!(
                "symbol `{}` of fold {index} has no dataset: the fold was made from another manifest",
                rows.symbol
            )
        })?;
        let pair = |r: &Range<usize>| [r.start, r.end];
        let symbol = SymbolEnv {
            symbol: &rows.symbol,
            segment: &dataset.segment,
            path: dataset.path.display().to_string(),
            train: rows.train.iter().map(|t| pair(&t.rows)).collect(),
            test: rows.test.iter().map(|t| pair(&t.test.rows)).collect(),
            warmup: rows.test.iter().map(|t| pair(&t.warmup)).collect(),
        };
        env.push((format!("SYMBOL_{i}"), symbol.symbol.to_string()));
        env.push((format!("SEGMENT_{i}"), symbol.segment.to_string()));
        env.push((format!("DATA_{i}"), symbol.path.clone()));
        env.push((format!("TRAIN_{i}"), ranges(&symbol.train)));
        env.push((format!("TEST_{i}"), ranges(&symbol.test)));
        env.push((format!("WARMUP_{i}"), ranges(&symbol.warmup)));
        symbols.push(symbol);
    }
    let json = serde_json::json!({ "fold": fold.index, "symbols": symbols });
    env.push(("FOLD_JSON".to_string(), json.to_string()));
    Ok(env.into_iter().map(|(k, v)| (format!("{ENV_PREFIX}{k}"), v)).collect())
}

/// `start:end[,start:end...]`.
fn ranges(pairs: &[[usize; 2]]) -> String {
    pairs.iter().map(|[a, b]| format!("{a}:{b}")).collect::<Vec<_>>().join(",")
}

/// Prepares fold `index` of the manifest at `manifest_path` on this machine and runs `command` with the
/// fold in its environment ([`fold_env`]); returns the command's exit code (128 + signal if it was killed).
/// Messages about the segments go to standard error.
///
/// # Errors
///
/// An unreadable or invalid manifest, a fold it lacks, a source that cannot be loaded or whose data differs
/// from the manifest's fingerprint, a segment that cannot be published or attached, or a command that
/// cannot be started.
pub fn run_fold(
    manifest_path: &Path,
    index: usize,
    node: &NodeOptions,
    command: &[String],
) -> anyhow::Result<i32> {
    let text = std::fs::read_to_string(manifest_path)
        .with_context(|| format!("reading the manifest {}", manifest_path.display()))?;
    let manifest = FoldManifest::from_json(&text)?;
    let made = manifest.node_fold(index, node)?;
    for dataset in &made.datasets {
        eprintln!(
            "isolation fold-run: fold {index}: {} {} segment `{}` ({} rows, {:?})",
            dataset.symbol,
            if dataset.published { "published" } else { "attached" },
            dataset.segment,
            dataset.rows,
            dataset.location
        );
    }
    let (program, args) = command.split_first().context("no command given after `--`")?;
    let status = Command::new(program)
        .args(args)
        .envs(fold_env(manifest_path, &manifest, &made)?)
        .status()
        .with_context(|| format!("starting `{program}`"))?;
    Ok(exit_code(status))
}

#[cfg(unix)]
fn exit_code(status: std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.code().unwrap_or_else(|| 128 + status.signal().unwrap_or(0))
}

#[cfg(not(unix))]
fn exit_code(status: std::process::ExitStatus) -> i32 {
    status.code().unwrap_or(1)
}
