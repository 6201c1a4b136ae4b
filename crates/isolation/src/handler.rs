//! `DataHandler`: frames per symbol, one train/test split, data handed out in the handler's mode.

use std::collections::BTreeMap;
use std::sync::Arc;

use isolation_core::{IsolatedData, IsolationError, IsolationMode, Length, Split, SplitRanges, SplitSpec};
use memtrack::BufferSet;
use timeseries_array::TimeFrame;

use crate::backend::isolate;
use crate::folds::{FoldData, FoldSpec, PlannedFold, make_fold, plan};
use crate::report::{MemoryReport, SymbolMemory};

/// Loads a frame per symbol, sets up one train/test split, and hands out each split's data isolated in the
/// handler's [`IsolationMode`].
///
/// The loaded frames are never modified, in any mode. Train data never reaches test rows: each split's data
/// is bounded to its rows by construction (see `isolation-view`).
#[derive(Debug)]
pub struct DataHandler {
    mode: IsolationMode,
    symbols: BTreeMap<String, SymbolData>,
    spec: Option<SplitSpec>,
    active: Split,
}

#[derive(Debug)]
struct SymbolData {
    /// The caller's frame, never modified.
    base: TimeFrame,
    /// What splits are cut from: `base` itself, or in shared-memory mode the frame attached from its segment.
    source: TimeFrame,
    /// The published segment, in shared-memory mode; unlinked when the symbol is dropped.
    #[cfg(feature = "shm")]
    segment: Option<crate::shared::SharedSegment>,
    split: Option<SymbolSplit>,
}

#[derive(Debug)]
struct SymbolSplit {
    ranges: SplitRanges,
    train: Arc<dyn IsolatedData>,
    test: Arc<dyn IsolatedData>,
}

impl DataHandler {
    /// An empty handler that isolates data in `mode`.
    pub fn new(mode: IsolationMode) -> Self {
        Self { mode, symbols: BTreeMap::new(), spec: None, active: Split::Full }
    }

    /// The handler's mode.
    pub fn mode(&self) -> IsolationMode {
        self.mode
    }

    /// Registers `frame` as `symbol`'s data (replacing any earlier frame). If a split is set up, the new
    /// frame is split at once.
    ///
    /// # Errors
    ///
    /// If the split cannot be applied to this frame; nothing is registered then.
    /// In [`IsolationMode::SharedMemory`], the frame is published once as a segment and attached; every
    /// split is then a view over the mapped pages, and workers can attach to the segment by name
    /// ([`DataHandler::segment_names`]).
    pub fn load(&mut self, symbol: &str, frame: TimeFrame) -> Result<(), IsolationError> {
        #[cfg(feature = "shm")]
        let (source, segment) = if self.mode == IsolationMode::SharedMemory {
            let segment = crate::shared::SharedSegment::publish(symbol, &frame)?;
            (segment.frame().clone(), Some(segment))
        } else {
            (frame.clone(), None)
        };
        #[cfg(not(feature = "shm"))]
        let source = frame.clone();
        let split = match self.spec {
            Some(spec) => Some(self.split_one(symbol, &source, spec)?),
            None => None,
        };
        let data = SymbolData {
            base: frame,
            source,
            #[cfg(feature = "shm")]
            segment,
            split,
        };
        self.symbols.insert(symbol.to_string(), data);
        Ok(())
    }

    /// The shared-memory segment of each symbol, as (symbol, segment name) pairs: what worker processes
    /// attach to. Empty unless the handler's mode is [`IsolationMode::SharedMemory`].
    #[cfg(feature = "shm")]
    pub fn segment_names(&self) -> Vec<(&str, &str)> {
        self.symbols
            .iter()
            .filter_map(|(symbol, d)| d.segment.as_ref().map(|s| (symbol.as_str(), s.name())))
            .collect()
    }

    /// Splits every loaded symbol by `spec` and makes each split's data in the handler's mode. The active
    /// split becomes [`Split::Train`].
    ///
    /// # Errors
    ///
    /// The first symbol the spec cannot split (named in the error); no symbol's split changes then.
    pub fn setup_split(&mut self, spec: SplitSpec) -> Result<(), IsolationError> {
        let mut splits = Vec::with_capacity(self.symbols.len());
        for (symbol, data) in &self.symbols {
            splits.push(self.split_one(symbol, &data.source, spec)?);
        }
        for (data, split) in self.symbols.values_mut().zip(splits) {
            data.split = Some(split);
        }
        self.spec = Some(spec);
        self.active = Split::Train;
        Ok(())
    }

    fn split_one(
        &self,
        symbol: &str,
        base: &TimeFrame,
        spec: SplitSpec,
    ) -> Result<SymbolSplit, IsolationError> {
        let within = |e: IsolationError| e.for_symbol(symbol);
        let ranges = spec.resolve(base.timestamps()).map_err(within)?;
        let train = isolate(self.mode, base, ranges.range(Split::Train), Split::Train).map_err(within)?;
        let test = isolate(self.mode, base, ranges.range(Split::Test), Split::Test).map_err(within)?;
        Ok(SymbolSplit { ranges, train, test })
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
        if split != Split::Full && self.spec.is_none() {
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
    pub fn data(&self, symbol: &str) -> Result<Arc<dyn IsolatedData>, IsolationError> {
        self.data_for(symbol, self.active)
    }

    /// The data of `split` for `symbol`. `Full` is made on each call (a view costs nothing; a deep copy
    /// copies the frame).
    ///
    /// # Errors
    ///
    /// An unknown symbol, or train/test before a split is set up.
    pub fn data_for(&self, symbol: &str, split: Split) -> Result<Arc<dyn IsolatedData>, IsolationError> {
        let data = self.symbol(symbol)?;
        match (split, &data.split) {
            (Split::Full, _) => isolate(self.mode, &data.source, 0..data.source.n_rows(), Split::Full)
                .map_err(|e| e.for_symbol(symbol)),
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

    /// The loaded symbols, sorted.
    pub fn symbols(&self) -> Vec<&str> {
        self.symbols.keys().map(String::as_str).collect()
    }

    /// Memory per symbol and in total, each allocation counted once however many splits share it.
    pub fn memory_report(&self) -> MemoryReport {
        let mut all = BufferSet::new();
        let mut symbols = Vec::with_capacity(self.symbols.len());
        for (symbol, data) in &self.symbols {
            data.base.add_buffers_to(&mut all);
            data.source.add_buffers_to(&mut all);
            let mut entry = SymbolMemory {
                symbol: symbol.clone(),
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
        MemoryReport::new(self.mode, symbols, all.footprint())
    }

    /// The row ranges of every fold of `spec` for every symbol, with `warmup` history before each test block.
    /// No data is made.
    ///
    /// # Errors
    ///
    /// A spec that does not fit the data (named by symbol), e.g. too few rows for one fold.
    pub fn fold_plan(&self, spec: &FoldSpec, warmup: Length) -> Result<Vec<PlannedFold>, IsolationError> {
        plan(&self.frames(), spec, warmup)
    }

    /// The folds of `spec`, each fold's data made in the handler's mode when the iterator reaches it (so a
    /// deep-copy handler holds one fold's copies at a time, not all of them).
    ///
    /// # Errors
    ///
    /// As [`DataHandler::fold_plan`].
    pub fn folds(&self, spec: &FoldSpec, warmup: Length) -> Result<Folds<'_>, IsolationError> {
        Ok(Folds { handler: self, plan: self.fold_plan(spec, warmup)?.into_iter() })
    }

    fn frames(&self) -> Vec<(&str, &TimeFrame)> {
        self.symbols.iter().map(|(s, d)| (s.as_str(), &d.source)).collect()
    }

    fn symbol(&self, symbol: &str) -> Result<&SymbolData, IsolationError> {
        self.symbols.get(symbol).ok_or_else(|| IsolationError::UnknownSymbol {
            symbol: symbol.to_string(),
            loaded: self.symbols.keys().cloned().collect::<Vec<_>>().join(", "),
        })
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
        Some(make_fold(self.handler.mode, &self.handler.frames(), &fold))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.plan.size_hint()
    }
}
