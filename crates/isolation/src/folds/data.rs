//! What a fold plan holds (row ranges per fold and symbol, with the rows purged, embargoed and outside the
//! universe) and the data of each fold, made in the handler's mode when the fold is reached.

use std::ops::Range;
use std::sync::Arc;

use isolation_core::{BlockPurge, Cursor, IsolatedData, IsolationError, Split, TestWithWarmup};
use serde::Serialize;
use timeseries_array::TimeFrame;

use crate::backend::isolate;

/// The rows of one symbol in one fold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymbolFold {
    /// The symbol.
    pub symbol: String,
    /// Train rows: one range for walk-forward, the ranges around the test blocks for cross-validation.
    pub train: Vec<Range<usize>>,
    /// Test rows, each with the warm-up history before it.
    pub test: Vec<TestWithWarmup>,
    /// Per test block, the train rows purged (their labels overlap the block's labels) and embargoed
    /// (right after it), and the block's label span: why those rows are not in `train`.
    pub purged: Vec<BlockPurge>,
    /// Rows of the fold's train period left out because the symbol was not a member of the universe then.
    pub outside_universe: usize,
}

impl SymbolFold {
    /// Train rows in all.
    pub fn n_train(&self) -> usize {
        self.train.iter().map(Range::len).sum()
    }

    /// Test rows in all (warm-up not counted).
    pub fn n_test(&self) -> usize {
        self.test.iter().map(|t| t.test.len()).sum()
    }

    /// Train rows purged, over every test block.
    pub fn n_purged(&self) -> usize {
        self.purged.iter().map(|b| b.purged).sum()
    }

    /// Train rows embargoed, over every test block.
    pub fn n_embargoed(&self) -> usize {
        self.purged.iter().map(|b| b.embargoed).sum()
    }
}

/// One fold over every symbol that has rows in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedFold {
    /// Position in the schedule, from 0.
    pub index: usize,
    /// Per symbol, sorted by symbol.
    pub symbols: Vec<SymbolFold>,
    /// Symbols with rows in the fold's period that sit it out, and why (e.g. a train shorter than
    /// `min_train`), sorted by symbol.
    pub skipped: Vec<SkippedSymbol>,
    /// The fingerprint of the universe the fold was restricted to ([`crate::Universe::fingerprint`]).
    pub universe: Option<String>,
}

/// A symbol left out of one fold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedSymbol {
    /// The symbol.
    pub symbol: String,
    /// Why, e.g. `13 train rows, below min_train=100`.
    pub reason: String,
}

/// One contiguous piece of a fold's data, in the handler's mode.
#[derive(Debug, Clone)]
pub struct FoldSegment {
    /// The rows (for test: warm-up history, then the test bars).
    pub data: Arc<dyn IsolatedData>,
    /// Rows of warm-up at the start of `data` (0 for train).
    pub warmup_rows: usize,
}

impl FoldSegment {
    /// A cursor whose first bar is the first bar after the warm-up; `window` may reach into the warm-up.
    pub fn cursor(&self) -> Cursor<'_, dyn IsolatedData> {
        Cursor::with_warmup(self.data.as_ref(), self.warmup_rows)
    }

    /// The piece's rows after the warm-up as frames of at most `batch_rows` rows each, in order (zero-copy
    /// for views and shared memory).
    ///
    /// # Errors
    ///
    /// [`IsolationError::InvalidArgument`] if `batch_rows` is 0.
    pub fn batches(
        &self,
        batch_rows: usize,
    ) -> Result<impl Iterator<Item = TimeFrame> + use<>, IsolationError> {
        let frame = self.data.to_frame();
        let rows = self.warmup_rows.min(frame.n_rows())..frame.n_rows();
        crate::split_data::frame_batches(frame.slice(rows).expect("rows inside the piece"), batch_rows)
    }
}

/// One symbol's data in one fold.
#[derive(Debug, Clone)]
pub struct SymbolFoldData {
    /// The symbol.
    pub symbol: String,
    /// Train pieces, in time order.
    pub train: Vec<FoldSegment>,
    /// Test pieces, in time order, each with its warm-up.
    pub test: Vec<FoldSegment>,
}

/// One fold's data for every symbol, made when the iterator reaches it.
#[derive(Debug, Clone)]
pub struct FoldData {
    /// Position in the schedule.
    pub index: usize,
    /// Per symbol, sorted by symbol.
    pub symbols: Vec<SymbolFoldData>,
    /// The plan the data was made from: row ranges, rows purged and embargoed per symbol, symbols left
    /// out, and the universe's fingerprint.
    pub plan: PlannedFold,
}

/// The data of one planned fold, made in `mode` from the symbols' frames.
pub(crate) fn make_fold(
    mode: isolation_core::IsolationMode,
    frames: &[(&str, &TimeFrame)],
    fold: &PlannedFold,
) -> Result<FoldData, IsolationError> {
    let mut symbols = Vec::with_capacity(fold.symbols.len());
    for planned in &fold.symbols {
        let (_, base) = frames.iter().find(|(s, _)| *s == planned.symbol).expect("planned from these frames");
        let within = |e: IsolationError| e.for_symbol(&planned.symbol);
        let train = planned
            .train
            .iter()
            .map(|rows| {
                Ok(FoldSegment { data: isolate(mode, base, rows.clone(), Split::Train)?, warmup_rows: 0 })
            })
            .collect::<Result<Vec<_>, IsolationError>>()
            .map_err(within)?;
        let test = planned
            .test
            .iter()
            .map(|t| {
                Ok(FoldSegment {
                    data: isolate(mode, base, t.rows(), Split::Test)?,
                    warmup_rows: t.warmup_len(),
                })
            })
            .collect::<Result<Vec<_>, IsolationError>>()
            .map_err(within)?;
        symbols.push(SymbolFoldData { symbol: planned.symbol.clone(), train, test });
    }
    Ok(FoldData { index: fold.index, symbols, plan: fold.clone() })
}
