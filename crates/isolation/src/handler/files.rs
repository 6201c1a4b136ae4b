//! `DataHandler`'s files: symbols registered from CSV, Parquet or Arrow IPC files, loaded on first use, and
//! what the loader did for each (the facade's `io` feature).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use isolation_core::IsolationError;
use timeseries_array::{Cause, TimeFrame};
use timeseries_io::{LoadOptions, LoadReport};

use super::{DataHandler, Slot};

/// A registered file and the options to load it with.
#[derive(Debug)]
pub(super) struct FileSource {
    path: PathBuf,
    options: LoadOptions,
}

impl FileSource {
    /// The registered file.
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// Loads the file: the frame and the loader's report, errors naming the symbol and the path.
    pub(super) fn load(&self, symbol: &str) -> Result<(TimeFrame, Option<LoadReport>), IsolationError> {
        let loaded = timeseries_io::load(&self.path, &self.options)
            .map_err(|e| IsolationError::File { source: Cause::new(e) }.for_symbol(symbol))?;
        Ok((loaded.frame, Some(loaded.report)))
    }
}

impl DataHandler {
    /// Registers `path` (CSV, Parquet or Arrow IPC) as `symbol`'s data without reading it, loaded with
    /// default [`LoadOptions`]: see [`DataHandler::register_path_with`].
    pub fn register_path(&mut self, symbol: &str, path: impl Into<PathBuf>) {
        self.register_path_with(symbol, path, LoadOptions::default());
    }

    /// Registers `path` (CSV, Parquet or Arrow IPC) as `symbol`'s data without reading it: the file is
    /// loaded with `options`, split and isolated the first time the symbol's data is asked for (or when a
    /// split is set up), so memory is spent only on the symbols used. What the loader did (columns renamed,
    /// non-numeric columns dropped, missing values) is kept: [`DataHandler::load_report`].
    pub fn register_path_with(&mut self, symbol: &str, path: impl Into<PathBuf>, options: LoadOptions) {
        self.symbols.insert(
            symbol.to_string(),
            Slot { source: Some(FileSource { path: path.into(), options }), data: OnceLock::new() },
        );
    }

    /// Loads `path` (CSV, Parquet or Arrow IPC) as `symbol`'s data now, with `options`, and remembers the
    /// file (so a fold manifest names it, and [`DataHandler::unload`] can load it again later). Nothing is
    /// registered if loading fails.
    ///
    /// # Errors
    ///
    /// [`IsolationError::Load`] naming the symbol and the file, or a split that cannot be applied.
    pub fn load_path(
        &mut self,
        symbol: &str,
        path: impl Into<PathBuf>,
        options: LoadOptions,
    ) -> Result<(), IsolationError> {
        let source = FileSource { path: path.into(), options };
        let (frame, report) = source.load(symbol)?;
        let data = self.prepare(symbol, frame, report)?;
        self.symbols.insert(symbol.to_string(), Slot { source: Some(source), data: OnceLock::from(data) });
        Ok(())
    }

    /// Registers every CSV, Parquet and Arrow IPC file in `dir` with default [`LoadOptions`]: see
    /// [`DataHandler::register_dir_with`].
    ///
    /// # Errors
    ///
    /// [`IsolationError::Load`] if the directory cannot be read.
    pub fn register_dir(&mut self, dir: impl AsRef<Path>) -> Result<Vec<String>, IsolationError> {
        self.register_dir_with(dir, &LoadOptions::default())
    }

    /// Registers every CSV, Parquet and Arrow IPC file in `dir` (hidden files skipped), one symbol per file
    /// named by its stem (`BTCUSD.parquet` is `BTCUSD`), each to be loaded with `options`. Returns the
    /// symbols registered, sorted.
    ///
    /// ```
    /// use isolation::{DataHandler, IsolationMode, LoadOptions, Split, SplitSpec};
    ///
    /// let dir = std::env::temp_dir().join(format!("isolation-doc-register-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir)?;
    /// std::fs::write(dir.join("BTCUSD.csv"), "Date,Close,Venue\n2024-01-01,1.5,X\n2024-01-02,2.5,X\n2024-01-03,3.5,X\n")?;
    ///
    /// let mut handler = DataHandler::new(IsolationMode::View);
    /// assert_eq!(handler.register_dir_with(&dir, &LoadOptions::default())?, ["BTCUSD"]);
    /// handler.setup_split(SplitSpec::Ratio(0.5))?; // loads every registered file
    /// let report = handler.load_report("BTCUSD")?.expect("loaded from a file");
    /// assert_eq!(report.dropped, ["Venue"]); // a text column, left out and said so
    /// assert!(report.renamed.is_empty()); // columns keep the file's names
    /// assert_eq!(handler.data_for("BTCUSD", Split::Test)?.column_index("Close")?, 0);
    /// # std::fs::remove_dir_all(&dir)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`IsolationError::Load`] if the directory cannot be read.
    pub fn register_dir_with(
        &mut self,
        dir: impl AsRef<Path>,
        options: &LoadOptions,
    ) -> Result<Vec<String>, IsolationError> {
        let dir = dir.as_ref();
        let load_error = |e: std::io::Error| IsolationError::Load {
            path: dir.display().to_string(),
            source: Cause::new(e),
        };
        let files = timeseries_io::data_files_in(dir).map_err(load_error)?;
        let mut symbols = Vec::with_capacity(files.len());
        for path in files {
            let symbol = timeseries_io::symbol_of(&path);
            self.register_path_with(&symbol, path, options.clone());
            symbols.push(symbol);
        }
        Ok(symbols)
    }

    /// What the loader did for `symbol` (renamed and dropped columns, missing values, timing), if it was
    /// loaded from a file; `None` for frames given to [`DataHandler::load`]. Loads a registered file.
    ///
    /// # Errors
    ///
    /// An unknown symbol, or a registered file that fails to load.
    pub fn load_report(&self, symbol: &str) -> Result<Option<&LoadReport>, IsolationError> {
        Ok(self.symbol(symbol)?.report.as_ref())
    }
}
