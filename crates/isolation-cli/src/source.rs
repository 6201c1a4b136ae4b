//! Where the CLI's data comes from: `demo` (synthetic bars), one file, or a directory of files (one per
//! symbol, the file stem is the symbol).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use isolation::TimeFrame;
use timeseries_io::{LoadOptions, LoadReport, load};

use crate::synthetic::{SyntheticBars, generate};

/// One symbol's loaded frame and, for files, how loading went.
#[derive(Debug, Clone)]
pub struct SourceFrame {
    /// The symbol (the file stem, or `SYMnn` for demo data).
    pub symbol: String,
    /// The data.
    pub frame: TimeFrame,
    /// The load report (files only).
    pub report: Option<LoadReport>,
}

/// The files of `source` that load as symbols: the file itself, every CSV, Parquet or Arrow file in a
/// directory (sorted, hidden files skipped), or object-store URIs (`s3://bucket/SPY.parquet`, several
/// separated by commas), each a symbol named after its file.
///
/// # Errors
///
/// A path that does not exist, or a directory with no data files.
pub fn data_files(source: &Path) -> anyhow::Result<Vec<PathBuf>> {
    if let Some(uris) = source.to_str().filter(|s| timeseries_io::is_uri(s)) {
        return Ok(uris.split(',').map(PathBuf::from).collect());
    }
    if source.is_file() {
        return Ok(vec![source.to_path_buf()]);
    }
    if !source.is_dir() {
        bail!("`{}` is neither `demo`, a file nor a directory", source.display());
    }
    let files = timeseries_io::data_files_in(source)
        .with_context(|| format!("reading directory `{}`", source.display()))?;
    if files.is_empty() {
        bail!("directory `{}` has no CSV, Parquet or Arrow files", source.display());
    }
    Ok(files)
}

pub use timeseries_io::symbol_of;

/// Loads `source`: `demo` generates `bars`; a file or directory is loaded with `options`.
///
/// # Errors
///
/// The first file that fails to load, with its typed error.
pub fn load_source(
    source: &str,
    bars: SyntheticBars,
    options: &LoadOptions,
) -> anyhow::Result<Vec<SourceFrame>> {
    if source == "demo" {
        return Ok(generate(&bars)
            .into_iter()
            .map(|(symbol, frame)| SourceFrame { symbol, frame, report: None })
            .collect());
    }
    let files = data_files(Path::new(source))?;
    let progress = LoadProgress::new(files.len());
    let frames = files
        .into_iter()
        .map(|path| {
            progress.start(&path);
            let loaded = load(&path, options)?;
            progress.done();
            Ok(SourceFrame { symbol: symbol_of(&path), frame: loaded.frame, report: Some(loaded.report) })
        })
        .collect();
    progress.finish();
    frames
}

/// A progress bar on standard error while files load: drawn only when standard error is a terminal
/// (indicatif draws nothing otherwise), and only once loading has taken more than a moment, so quick loads
/// print nothing.
struct LoadProgress {
    bar: indicatif::ProgressBar,
}

impl LoadProgress {
    const MOMENT: std::time::Duration = std::time::Duration::from_millis(300);

    fn new(n_files: usize) -> Self {
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(n_files as u64),
            indicatif::ProgressDrawTarget::hidden(),
        );
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} loading {pos}/{len} files [{elapsed}] {msg}")
                .expect("a valid template"),
        );
        let delayed = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Self::MOMENT);
            if !delayed.is_finished() {
                delayed.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                delayed.enable_steady_tick(std::time::Duration::from_millis(120));
            }
        });
        Self { bar }
    }

    fn start(&self, path: &Path) {
        self.bar.set_message(path.display().to_string());
    }

    fn done(&self) {
        self.bar.inc(1);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
