//! `DataHandler`: frames per symbol, one train/test split, data handed out in the handler's mode.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use isolation_core::{
    EmptySide, IsolationError, IsolationMode, Length, Split, SplitCut, SplitOptions, SplitRanges, SplitSpec,
    SplitWarning,
};
use memtrack::BufferSet;
use timeseries_array::TimeFrame;

use crate::FoldOptions;
use crate::backend::{BackendOptions, isolate_with, isolate_within};
use crate::folds::{FoldData, FoldSpec, PlannedFold, make_fold, plan};
use crate::report::{MemoryReport, SymbolMemory};
use crate::split_data::SplitData;

/// Registering files to load lazily (`register_path`, `register_dir`) and their load reports: the `io`
/// feature, which brings the CSV, Parquet and Arrow IPC loaders.
#[cfg(feature = "io")]
mod files;
/// The factory's `create_handler`: a whole frame in a handler of the chosen mode.
mod from_factory;
/// Fold manifests: a study's plan with the fingerprints of its data, and one fold of it in a worker.
mod manifest;

/// Where a registered symbol's data comes from: a file and its load options (the `io` feature).
#[cfg(feature = "io")]
type Source = files::FileSource;
/// Without the `io` feature no symbol is registered from a file.
#[cfg(not(feature = "io"))]
type Source = std::convert::Infallible;

/// What the loader did for a symbol loaded from a file (the `io` feature).
#[cfg(feature = "io")]
type Report = timeseries_io::LoadReport;
/// Without the `io` feature no symbol has a load report.
#[cfg(not(feature = "io"))]
type Report = std::convert::Infallible;

/// Loads a frame per symbol, sets up one train/test split, and hands out each split's data isolated in the
/// handler's [`IsolationMode`].
///
/// The loaded frames are never modified, in any mode. Train data never reaches test rows: each split's data
/// is bounded to its rows by construction (see `isolation-view`), and every symbol is cut at the same
/// instant, so no symbol's train reaches into another's test period.
///
/// ```
/// use isolation::{DataHandler, IsolationMode, Split, SplitSpec, synthetic, timestamp};
///
/// let mut handler = DataHandler::new(IsolationMode::View);
/// handler.load("BTCUSD", synthetic::bars(10_000, 42, 0))?; // or register_path / register_dir for files
/// let cut = handler.setup_split(SplitSpec::Date(timestamp("2020-01-05")?))?;
///
/// let test = handler.data_for("BTCUSD", Split::Test)?; // bounded to test rows, zero-copy
/// let close = test.column::<f64>("close")?; // a typed handle, resolved once
/// let mut cursor = test.cursor();
/// while let Some(bar) = cursor.current() {
///     assert!(bar.timestamp() >= cut.instant);
///     let _price: f64 = bar.get(&close); // a slice index
///     let _recent = cursor.window(50).values(&close); // the last 50 closes up to this bar, borrowed
///     cursor.advance();
/// }
/// println!("{}", handler.memory_report()); // shared buffers counted once
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct DataHandler {
    mode: IsolationMode,
    backend: BackendOptions,
    symbols: BTreeMap<String, Slot>,
    split: Option<HandlerSplit>,
    active: Split,
}

/// The split set up over all symbols: one cut instant for every symbol, or the spec each symbol is cut by
/// on its own.
#[derive(Debug, Clone)]
struct HandlerSplit {
    options: SplitOptions,
    rule: CutRule,
}

/// Where symbols are cut.
#[derive(Debug, Clone, Copy)]
enum CutRule {
    /// At one instant for all (the default; no symbol's test precedes another's train).
    Shared(SplitCut),
    /// Each symbol by this spec over its own timestamps.
    PerSymbol(SplitSpec),
}

impl CutRule {
    fn cut_for(&self, symbol: &str, timestamps: &[i64]) -> Result<SplitCut, IsolationError> {
        match self {
            Self::Shared(cut) => Ok(*cut),
            Self::PerSymbol(spec) => spec.cut(&[timestamps]).map_err(|e| e.for_symbol(symbol)),
        }
    }
}

/// A symbol's place in the handler: its data once loaded, and the file it loads from (with the options to
/// load it with) if registered lazily.
#[derive(Debug)]
struct Slot {
    source: Option<Source>,
    data: OnceLock<SymbolData>,
}

#[derive(Debug)]
struct SymbolData {
    /// The caller's frame, never modified.
    base: TimeFrame,
    /// What the loader did, for symbols loaded from a file (always `None` without the `io` feature, where
    /// nothing reads it).
    #[cfg_attr(not(feature = "io"), allow(dead_code))]
    report: Option<Report>,
    /// What splits are cut from: `base` itself, or in shared-memory mode the frame attached from its segment.
    source: TimeFrame,
    /// `source`'s fingerprint, computed on first use (or known when the data came from a dataset segment).
    fingerprint: OnceLock<String>,
    /// The published segment, in shared-memory mode; unlinked when the symbol is dropped.
    #[cfg(feature = "shm")]
    segment: Option<crate::shared::SharedSegment>,
    split: Option<SymbolSplit>,
}

#[derive(Debug)]
struct SymbolSplit {
    cut: SplitCut,
    ranges: SplitRanges,
    train: SplitData,
    test: SplitData,
}

impl DataHandler {
    /// An empty handler that isolates data in `mode`.
    pub fn new(mode: IsolationMode) -> Self {
        Self {
            mode,
            backend: BackendOptions::default(),
            symbols: BTreeMap::new(),
            split: None,
            active: Split::Full,
        }
    }

    /// The same handler with copy-on-write frames of `config.chunk_rows()` rows per chunk (the default is
    /// 64 Ki rows). Applies to splits set up afterwards.
    #[cfg(feature = "cow")]
    pub fn with_cow_config(mut self, config: isolation_cow::CowConfig) -> Self {
        self.backend.cow = config;
        self
    }

    /// The copy-on-write options splits are made with.
    #[cfg(feature = "cow")]
    pub fn cow_config(&self) -> isolation_cow::CowConfig {
        self.backend.cow
    }

    /// The handler's mode.
    pub fn mode(&self) -> IsolationMode {
        self.mode
    }

    /// Registers `frame` as `symbol`'s data (replacing any earlier frame). If a split is set up, the new
    /// frame is split at once at the cut instant already chosen (call [`DataHandler::setup_split`] again to
    /// choose the instant over all symbols including this one).
    ///
    /// # Errors
    ///
    /// If the split cannot be applied to this frame (an empty side under [`EmptySide::Error`]); nothing is
    /// registered then.
    /// In [`IsolationMode::SharedMemory`], the frame is published once as a segment and attached; every
    /// split is then a view over the mapped pages, and workers can attach to the segment by name
    /// ([`DataHandler::segment_names`]).
    pub fn load(&mut self, symbol: &str, frame: TimeFrame) -> Result<(), IsolationError> {
        let data = self.prepare(symbol, frame, None)?;
        self.symbols.insert(symbol.to_string(), Slot { source: None, data: OnceLock::from(data) });
        Ok(())
    }

    /// Frees `symbol`'s data: its frame, splits and (in shared-memory mode) its published segment, which is
    /// unlinked. A symbol registered from a file stays registered and loads again on next use; a frame given
    /// to [`DataHandler::load`] is forgotten. Then asks the allocator to hand freed memory back to the
    /// operating system ([`memtrack::release_free_memory`]), so RSS falls in a long-running process.
    ///
    /// Data handed out earlier ([`SplitData`], folds) keeps its buffers alive until it is dropped too.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use isolation::arrow_array::Float64Array;
    /// use isolation::{DataHandler, IsolationMode, TimeFrame};
    ///
    /// let close = Arc::new(Float64Array::from_iter_values((0..1000).map(f64::from)));
    /// let bars = TimeFrame::try_new((0..1000).collect::<Vec<i64>>(), vec![("close".into(), close)])?;
    /// let mut handler = DataHandler::new(IsolationMode::View);
    /// handler.load("BTCUSD", bars)?;
    /// assert!(handler.unload("BTCUSD"));
    /// assert!(handler.symbols().is_empty());
    /// assert_eq!(handler.memory_report().distinct.total_bytes(), 0);
    /// # Ok::<(), isolation::IsolationError>(())
    /// ```
    ///
    /// Returns whether the symbol had data in memory.
    pub fn unload(&mut self, symbol: &str) -> bool {
        let Some(slot) = self.symbols.get_mut(symbol) else { return false };
        let had_data = slot.data.take().is_some();
        if slot.source.is_none() {
            self.symbols.remove(symbol);
        }
        memtrack::release_free_memory();
        had_data
    }

    /// Frees every symbol's data as [`DataHandler::unload`] does, forgets the split, and hands freed memory
    /// back to the operating system. Registered files stay registered.
    pub fn release(&mut self) {
        self.symbols.retain(|_, slot| {
            slot.data.take();
            slot.source.is_some()
        });
        self.split = None;
        self.active = Split::Full;
        memtrack::release_free_memory();
    }

    /// True once `symbol`'s data is in memory (always for [`DataHandler::load`]; after first use for
    /// registered files).
    pub fn is_loaded(&self, symbol: &str) -> bool {
        self.symbols.get(symbol).is_some_and(|slot| slot.data.get().is_some())
    }

    /// Publishes (in shared-memory mode) and splits `frame` for `symbol`.
    fn prepare(
        &self,
        symbol: &str,
        frame: TimeFrame,
        report: Option<Report>,
    ) -> Result<SymbolData, IsolationError> {
        #[cfg(feature = "shm")]
        let (source, segment) = if self.mode == IsolationMode::SharedMemory {
            let segment = crate::shared::SharedSegment::publish(symbol, &frame)?;
            (segment.frame().clone(), Some(segment))
        } else {
            (frame.clone(), None)
        };
        #[cfg(not(feature = "shm"))]
        let source = frame.clone();
        let split = match &self.split {
            Some(split) => {
                let cut = split.rule.cut_for(symbol, source.timestamps())?;
                Some(self.split_one(symbol, &source, cut, split.options)?)
            }
            None => None,
        };
        Ok(SymbolData {
            base: frame,
            report,
            source,
            fingerprint: OnceLock::new(),
            #[cfg(feature = "shm")]
            segment,
            split,
        })
    }

    /// Where `symbol`'s segment is (shared-memory mode), for processes that attach to it; `None` in other
    /// modes or for an unknown symbol.
    #[cfg(feature = "shm")]
    pub fn segment_location(&self, symbol: &str) -> Option<crate::shared::SegmentLocation> {
        self.loaded().find(|(s, _)| *s == symbol).and_then(|(_, d)| d.segment.as_ref()).map(|s| s.location())
    }

    /// The shared-memory segment of each symbol, as (symbol, segment name) pairs: what worker processes
    /// attach to. Empty unless the handler's mode is [`IsolationMode::SharedMemory`].
    #[cfg(feature = "shm")]
    pub fn segment_names(&self) -> Vec<(&str, &str)> {
        self.loaded().filter_map(|(symbol, d)| d.segment.as_ref().map(|s| (symbol, s.name()))).collect()
    }

    /// Splits every symbol by `spec` at one instant shared by all symbols (see [`SplitSpec::cut`]), with
    /// default [`SplitOptions`]: no warm-up, and a symbol wholly on one side of the cut kept with an empty
    /// side and a warning ([`DataHandler::split_warnings`]). The active split becomes [`Split::Train`].
    ///
    /// # Errors
    ///
    /// As [`DataHandler::setup_split_with`].
    pub fn setup_split(&mut self, spec: SplitSpec) -> Result<SplitCut, IsolationError> {
        self.setup_split_with(spec, SplitOptions::default())
    }

    /// Splits every symbol by `spec` at one instant shared by all symbols, so that every test timestamp of
    /// every symbol is later than every train timestamp of every symbol; returns that cut. Registered files
    /// are loaded first (the cut depends on every symbol's timestamps).
    ///
    /// With `options.warmup`, the test side's [`SplitData::cursor`] starts at the first test bar but its
    /// `window` may reach that much history before the cut; the history is never a tradable bar.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::Float64Array;
    /// use isolation::{DataHandler, IsolationMode, Length, Split, SplitOptions, SplitSpec, TimeFrame};
    ///
    /// let frame = |start: i64, n: i64| {
    ///     let close = Arc::new(Float64Array::from_iter_values((0..n).map(|x| x as f64)));
    ///     TimeFrame::try_new((start..start + n).collect::<Vec<i64>>(), vec![("close".into(), close)])
    /// };
    /// let mut handler = DataHandler::new(IsolationMode::View);
    /// handler.load("OLD", frame(0, 100)?)?; // instants 0..100
    /// handler.load("NEW", frame(50, 50)?)?; // listed later: instants 50..100
    /// let cut = handler.setup_split_with(SplitSpec::Ratio(0.7), SplitOptions::new().with_warmup(Length::Rows(5)))?;
    /// assert_eq!(cut.instant, 70); // 70% of the 100 distinct instants, for both symbols
    /// assert_eq!(handler.data_for("NEW", Split::Train)?.n_rows(), 20);
    /// let test = handler.data_for("NEW", Split::Test)?;
    /// assert_eq!((test.n_rows(), test.warmup_rows()), (30, 5));
    /// let cursor = test.cursor();
    /// assert_eq!(cursor.current().map(|bar| bar.timestamp()), Some(70)); // first test bar
    /// assert_eq!(cursor.window(10).len(), 6); // five warm-up bars and the current one
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// A spec that cuts no instant of the data (e.g. a date after every symbol's last bar), a symbol with an
    /// empty side under [`EmptySide::Error`] (named), or a registered file that fails to load. No symbol's
    /// split changes then.
    pub fn setup_split_with(
        &mut self,
        spec: SplitSpec,
        options: SplitOptions,
    ) -> Result<SplitCut, IsolationError> {
        let cut = {
            let frames = self.frames()?;
            let all: Vec<&[i64]> = frames.iter().map(|(_, f)| f.timestamps()).collect();
            spec.cut(&all)?
        };
        self.apply_split(CutRule::Shared(cut), options)?;
        Ok(cut)
    }

    /// Splits each symbol by `spec` over **its own** timestamps (a ratio of its own rows, its own last
    /// `n`): every symbol gets both sides, but symbols no longer share one cut, so one symbol's test rows
    /// may precede another's train rows, and a model trained across symbols (cross-sectional) can see the
    /// future of one symbol while training on another. Use it for models fitted per symbol only; the
    /// shared cut of [`DataHandler::setup_split_with`] is the default for that reason. Returns each symbol's
    /// cut, sorted by symbol; [`DataHandler::split_cut`] is `None` afterwards.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use arrow_array::Float64Array;
    /// use isolation::{DataHandler, IsolationMode, Split, SplitOptions, SplitSpec, TimeFrame};
    ///
    /// let frame = |start: i64, n: i64| {
    ///     let close = Arc::new(Float64Array::from_iter_values((0..n).map(|x| x as f64)));
    ///     TimeFrame::try_new((start..start + n).collect::<Vec<i64>>(), vec![("close".into(), close)])
    /// };
    /// let mut handler = DataHandler::new(IsolationMode::View);
    /// handler.load("OLD", frame(0, 100)?)?;
    /// handler.load("NEW", frame(1_000, 10)?)?; // wholly after OLD: a shared cut would leave it no train rows
    /// let cuts = handler.setup_split_per_symbol(SplitSpec::Ratio(0.7), SplitOptions::new())?;
    /// assert_eq!((cuts[0].1.instant, cuts[1].1.instant), (1_007, 70)); // NEW, then OLD
    /// assert_eq!(handler.data_for("NEW", Split::Train)?.n_rows(), 7);
    /// assert!(handler.split_cut().is_none() && handler.split_warnings().is_empty());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`DataHandler::setup_split_with`], naming the symbol whose data the spec cuts nothing of.
    pub fn setup_split_per_symbol(
        &mut self,
        spec: SplitSpec,
        options: SplitOptions,
    ) -> Result<Vec<(String, SplitCut)>, IsolationError> {
        self.apply_split(CutRule::PerSymbol(spec), options)?;
        Ok(self
            .loaded()
            .filter_map(|(symbol, d)| Some((symbol.to_string(), d.split.as_ref()?.cut)))
            .collect())
    }

    /// Splits every frame by `rule` (all or none: any error leaves every symbol's split as it was).
    fn apply_split(&mut self, rule: CutRule, options: SplitOptions) -> Result<(), IsolationError> {
        let mut splits = Vec::new();
        for (symbol, frame) in self.frames()? {
            let cut = rule.cut_for(symbol, frame.timestamps())?;
            splits.push(self.split_one(symbol, frame, cut, options)?);
        }
        for (data, split) in self.symbols.values_mut().filter_map(|slot| slot.data.get_mut()).zip(splits) {
            data.split = Some(split);
        }
        self.split = Some(HandlerSplit { options, rule });
        self.active = Split::Train;
        Ok(())
    }

    /// The instant the split cuts every symbol at, if a split with one shared cut is set up (`None` after
    /// [`DataHandler::setup_split_per_symbol`]).
    pub fn split_cut(&self) -> Option<SplitCut> {
        match self.split.as_ref()?.rule {
            CutRule::Shared(cut) => Some(cut),
            CutRule::PerSymbol(_) => None,
        }
    }

    /// The loaded symbols the split left with an empty side (kept because of [`EmptySide::Warn`]), sorted by
    /// symbol.
    pub fn split_warnings(&self) -> Vec<SplitWarning> {
        self.loaded()
            .filter_map(|(symbol, data)| {
                let split = data.split.as_ref()?;
                let side = split.ranges.empty_side()?;
                Some(SplitWarning { symbol: symbol.to_string(), side, cut: split.cut })
            })
            .collect()
    }

    fn split_one(
        &self,
        symbol: &str,
        base: &TimeFrame,
        cut: SplitCut,
        options: SplitOptions,
    ) -> Result<SymbolSplit, IsolationError> {
        let within = |e: IsolationError| e.for_symbol(symbol);
        let timestamps = base.timestamps();
        let ranges = cut.ranges(timestamps);
        if let (Some(side), EmptySide::Error) = (ranges.empty_side(), options.empty_side) {
            return Err(within(IsolationError::EmptySide {
                side,
                cut: cut.instant,
                first: base.first_timestamp().unwrap_or_default(),
                last: base.last_timestamp().unwrap_or_default(),
            }));
        }
        let (train_rows, test_rows) = (ranges.range(Split::Train), ranges.range(Split::Test));
        let isolate = |rows, split| isolate_with(self.mode, base, rows, split, self.backend).map_err(within);
        let train = isolate(train_rows, Split::Train)?;
        let warmup_start = options.warmup.start_before(timestamps, test_rows.start);
        let test = if warmup_start < test_rows.start && !test_rows.is_empty() {
            let warmup_rows = test_rows.start - warmup_start;
            let history = isolate(warmup_start..test_rows.end, Split::Test)?.to_arc();
            let test = isolate_within(self.mode, base, &history, warmup_rows, test_rows, self.backend)
                .map_err(within)?;
            SplitData::with_history(test, history, warmup_rows)
        } else {
            SplitData::isolated(isolate(test_rows, Split::Test)?)
        };
        Ok(SymbolSplit { cut, ranges, train: SplitData::isolated(train), test })
    }

    /// The split that [`DataHandler::data`] returns.
    pub fn active_split(&self) -> Split {
        self.active
    }

    /// Chooses the split that [`DataHandler::data`] returns.
    ///
    /// # Errors
    ///
    /// [`IsolationError::NoSplit`] for train or test before a split is set up.
    pub fn set_active_split(&mut self, split: Split) -> Result<(), IsolationError> {
        if split != Split::Full && self.split.is_none() {
            return Err(IsolationError::NoSplit);
        }
        self.active = split;
        Ok(())
    }

    /// The active split's data for `symbol`.
    ///
    /// # Errors
    ///
    /// An unknown symbol.
    pub fn data(&self, symbol: &str) -> Result<SplitData, IsolationError> {
        self.data_for(symbol, self.active)
    }

    /// The data of `split` for `symbol`: bounded to that split's rows, readable through
    /// [`SplitData::cursor`] (which never shows a later bar) or as [`IsolatedData`]. `Full` is made on each
    /// call (a view costs nothing; a deep copy copies the frame).
    ///
    /// # Errors
    ///
    /// An unknown symbol, or train/test before a split is set up.
    pub fn data_for(&self, symbol: &str, split: Split) -> Result<SplitData, IsolationError> {
        let data = self.symbol(symbol)?;
        match (split, &data.split) {
            (Split::Full, _) => {
                isolate_with(self.mode, &data.source, 0..data.source.n_rows(), Split::Full, self.backend)
                    .map(SplitData::isolated)
                    .map_err(|e| e.for_symbol(symbol))
            }
            (_, None) => Err(IsolationError::NoSplit),
            (Split::Train, Some(s)) => Ok(s.train.clone()),
            (Split::Test, Some(s)) => Ok(s.test.clone()),
        }
    }

    /// The row ranges of `symbol`'s split, if one is set up.
    ///
    /// # Errors
    ///
    /// An unknown symbol.
    pub fn split_ranges(&self, symbol: &str) -> Result<Option<&SplitRanges>, IsolationError> {
        Ok(self.symbol(symbol)?.split.as_ref().map(|s| &s.ranges))
    }

    /// The frame loaded for `symbol`, unchanged by any split.
    ///
    /// # Errors
    ///
    /// An unknown symbol.
    pub fn base(&self, symbol: &str) -> Result<&TimeFrame, IsolationError> {
        Ok(&self.symbol(symbol)?.base)
    }

    /// The symbols, loaded or registered, sorted.
    pub fn symbols(&self) -> Vec<&str> {
        self.symbols.keys().map(String::as_str).collect()
    }

    /// Memory per loaded symbol and in total, each allocation counted once however many splits share it.
    /// Registered symbols not loaded yet cost nothing and are not listed.
    pub fn memory_report(&self) -> MemoryReport {
        let mut all = BufferSet::new();
        let mut symbols = Vec::with_capacity(self.symbols.len());
        for (symbol, data) in self.loaded() {
            data.base.add_buffers_to(&mut all);
            data.source.add_buffers_to(&mut all);
            let mut entry = SymbolMemory {
                symbol: symbol.to_string(),
                rows: data.base.n_rows(),
                base_bytes: data.base.footprint().total_bytes(),
                train_rows: 0,
                test_rows: 0,
                train: Default::default(),
                test: Default::default(),
            };
            if let Some(split) = &data.split {
                split.train.add_buffers_to(&mut all);
                split.test.add_buffers_to(&mut all);
                entry.train_rows = split.train.n_rows();
                entry.test_rows = split.test.n_rows();
                entry.train = split.train.footprint();
                entry.test = split.test.footprint();
            }
            symbols.push(entry);
        }
        let mut report = MemoryReport::new(self.mode, symbols, all.footprint(), all.breakdown().mapped_bytes);
        report.cut = self.split_cut();
        report
    }

    /// The row ranges of every fold of `spec` for every symbol, with `warmup` history before each test block.
    /// No data is made.
    ///
    /// # Errors
    ///
    /// A spec that does not fit the data (named by symbol), e.g. too few rows for one fold.
    pub fn fold_plan(&self, spec: &FoldSpec, warmup: Length) -> Result<Vec<PlannedFold>, IsolationError> {
        self.fold_plan_with(spec, &FoldOptions::default().with_warmup(warmup))
    }

    /// The row ranges of every fold of `spec` for every symbol, with the warm-up, label-interval purging
    /// and universe of `options`; each symbol's fold reports the rows purged and embargoed per test block.
    ///
    /// # Errors
    ///
    /// As [`DataHandler::fold_plan`]; a label-end column that is missing, not timestamps, null, or ends
    /// before its row (named by symbol and row); label ends given with a spec that has its own `purge`.
    pub fn fold_plan_with(
        &self,
        spec: &FoldSpec,
        options: &FoldOptions,
    ) -> Result<Vec<PlannedFold>, IsolationError> {
        plan(&self.frames()?, spec, options)
    }

    /// The folds of `spec`, each fold's data made in the handler's mode when the iterator reaches it (so a
    /// deep-copy handler holds one fold's copies at a time, not all of them).
    ///
    /// # Errors
    ///
    /// As [`DataHandler::fold_plan`].
    pub fn folds(&self, spec: &FoldSpec, warmup: Length) -> Result<Folds<'_>, IsolationError> {
        self.folds_with(spec, &FoldOptions::default().with_warmup(warmup))
    }

    /// The folds of `spec` with `options` (see [`DataHandler::fold_plan_with`]), made one at a time.
    ///
    /// # Errors
    ///
    /// As [`DataHandler::fold_plan_with`].
    pub fn folds_with(&self, spec: &FoldSpec, options: &FoldOptions) -> Result<Folds<'_>, IsolationError> {
        Ok(Folds { handler: self, plan: self.fold_plan_with(spec, options)?.into_iter() })
    }

    /// Every symbol's frame to cut from, loading registered files as needed.
    fn frames(&self) -> Result<Vec<(&str, &TimeFrame)>, IsolationError> {
        self.symbols.keys().map(|s| Ok((s.as_str(), &self.symbol(s)?.source))).collect()
    }

    /// [`TimeFrame::fingerprint`] of `symbol`'s data, computed once per loaded symbol.
    fn fingerprint_of(&self, symbol: &str) -> Result<&str, IsolationError> {
        let data = self.symbol(symbol)?;
        Ok(data.fingerprint.get_or_init(|| data.source.fingerprint()))
    }

    /// Registers `frame` as `symbol`'s data as [`DataHandler::load`] does, with its fingerprint already known
    /// (checked by whoever hands it over).
    #[cfg(all(feature = "shm", feature = "io"))]
    pub(crate) fn load_fingerprinted(
        &mut self,
        symbol: &str,
        frame: TimeFrame,
        fingerprint: String,
    ) -> Result<(), IsolationError> {
        let data = self.prepare(symbol, frame, None)?;
        let _ = data.fingerprint.set(fingerprint);
        self.symbols.insert(symbol.to_string(), Slot { source: None, data: OnceLock::from(data) });
        Ok(())
    }

    /// The symbols whose data is in memory, sorted.
    fn loaded(&self) -> impl Iterator<Item = (&str, &SymbolData)> {
        self.symbols.iter().filter_map(|(s, slot)| slot.data.get().map(|d| (s.as_str(), d)))
    }

    /// A symbol's data, loading its registered file on first use.
    fn symbol(&self, symbol: &str) -> Result<&SymbolData, IsolationError> {
        let slot = self.symbols.get(symbol).ok_or_else(|| IsolationError::UnknownSymbol {
            symbol: symbol.to_string(),
            loaded: self.symbols.keys().cloned().collect::<Vec<_>>().join(", "),
        })?;
        if let Some(data) = slot.data.get() {
            return Ok(data);
        }
        let source = slot.source.as_ref().expect("a slot without data was registered with a path");
        #[cfg(feature = "io")]
        {
            let (frame, report) = source.load(symbol)?;
            // Two threads may load at once; the first to finish wins and the other's copy is dropped.
            let _ = slot.data.set(self.prepare(symbol, frame, report)?);
            Ok(slot.data.get().expect("set above"))
        }
        #[cfg(not(feature = "io"))]
        match *source {}
    }
}

/// The folds of a handler, made one at a time. See [`DataHandler::folds`].
#[derive(Debug)]
pub struct Folds<'a> {
    handler: &'a DataHandler,
    plan: std::vec::IntoIter<PlannedFold>,
}

impl Iterator for Folds<'_> {
    type Item = Result<FoldData, IsolationError>;

    fn next(&mut self) -> Option<Self::Item> {
        let fold = self.plan.next()?;
        Some(self.handler.frames().and_then(|frames| make_fold(self.handler.mode, &frames, &fold)))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.plan.size_hint()
    }
}
