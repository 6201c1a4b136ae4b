//! Folds over a handler's symbols: a plan of row ranges per fold and symbol, and the data of each fold made
//! in the handler's mode when the fold is reached.

use std::ops::Range;
use std::sync::Arc;

use isolation_core::{
    CombinatorialPurgedCv, Cursor, CvFold, Fold, FoldError, IsolatedData, IsolationError, Length,
    PurgedKFold, Split, TestWithWarmup, WalkForward,
};
use serde::Serialize;
use timeseries_array::{TimeFrame, TimestampNs};

use crate::backend::isolate;

/// Which cross-validation or walk-forward scheme to lay over the data.
#[derive(Debug, Clone, PartialEq)]
pub enum FoldSpec {
    /// Train, gap, test, then forward by a step. In time, one schedule cuts every symbol at the same instants.
    WalkForward(WalkForward),
    /// Purged k-fold with embargo (per symbol, in rows of equal groups).
    PurgedKFold(PurgedKFold),
    /// Combinatorial purged cross-validation (per symbol).
    CombinatorialPurgedCv(CombinatorialPurgedCv),
}

impl std::fmt::Display for FoldSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FoldSpec::WalkForward(spec) => write!(f, "{spec}"),
            FoldSpec::PurgedKFold(spec) => write!(f, "{spec}"),
            FoldSpec::CombinatorialPurgedCv(spec) => write!(f, "{spec}"),
        }
    }
}

/// The rows of one symbol in one fold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymbolFold {
    /// The symbol.
    pub symbol: String,
    /// Train rows: one range for walk-forward, the ranges around the test blocks for cross-validation.
    pub train: Vec<Range<usize>>,
    /// Test rows, each with the warm-up history before it.
    pub test: Vec<TestWithWarmup>,
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
}

/// One fold over every symbol that has rows in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlannedFold {
    /// Position in the schedule, from 0.
    pub index: usize,
    /// Per symbol, sorted by symbol.
    pub symbols: Vec<SymbolFold>,
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
}

/// Lays `spec` over the symbols' frames (sorted by symbol). Walk-forward in time shares one schedule;
/// in rows, and for cross-validation, each symbol gets its own folds, matched by fold index.
pub(crate) fn plan(
    frames: &[(&str, &TimeFrame)],
    spec: &FoldSpec,
    warmup: Length,
) -> Result<Vec<PlannedFold>, IsolationError> {
    let mut per_symbol: Vec<(String, Vec<(usize, SymbolFold)>)> = Vec::with_capacity(frames.len());
    let with_warmup = |test: Range<usize>, ts: &[TimestampNs]| TestWithWarmup::new(test, warmup, ts);
    let forward = |symbol: &str, ts: &[TimestampNs], fold: Fold| {
        (
            fold.index,
            SymbolFold {
                symbol: symbol.to_string(),
                train: vec![fold.train],
                test: vec![with_warmup(fold.test, ts)],
            },
        )
    };
    let cv = |symbol: &str, ts: &[TimestampNs], fold: CvFold| {
        let test = fold.test.into_iter().map(|t| with_warmup(t, ts)).collect();
        (fold.index, SymbolFold { symbol: symbol.to_string(), train: fold.train, test })
    };
    match spec {
        FoldSpec::WalkForward(wf) if wf.is_time() => {
            let all: Vec<&[TimestampNs]> = frames.iter().map(|(_, f)| f.timestamps()).collect();
            let schedule = wf.schedule(&all)?;
            for (symbol, frame) in frames {
                let ts = frame.timestamps();
                let folds = schedule
                    .iter()
                    .map(|tf| tf.rows_for(ts))
                    .filter(|f| !f.train.is_empty() && !f.test.is_empty())
                    .map(|f| forward(symbol, ts, f))
                    .collect();
                per_symbol.push((symbol.to_string(), folds));
            }
        }
        FoldSpec::WalkForward(wf) => {
            for (symbol, frame) in frames {
                let ts = frame.timestamps();
                let folds = wf.folds(ts).map_err(|e| IsolationError::from(e).for_symbol(symbol))?;
                per_symbol
                    .push((symbol.to_string(), folds.into_iter().map(|f| forward(symbol, ts, f)).collect()));
            }
        }
        FoldSpec::PurgedKFold(kf) => {
            for (symbol, frame) in frames {
                let ts = frame.timestamps();
                let folds = kf.folds(ts).map_err(|e| IsolationError::from(e).for_symbol(symbol))?;
                per_symbol.push((symbol.to_string(), folds.into_iter().map(|f| cv(symbol, ts, f)).collect()));
            }
        }
        FoldSpec::CombinatorialPurgedCv(cpcv) => {
            for (symbol, frame) in frames {
                let ts = frame.timestamps();
                let folds = cpcv.folds(ts).map_err(|e| IsolationError::from(e).for_symbol(symbol))?;
                per_symbol.push((symbol.to_string(), folds.into_iter().map(|f| cv(symbol, ts, f)).collect()));
            }
        }
    }
    let n_folds = per_symbol.iter().flat_map(|(_, f)| f.iter().map(|(i, _)| i + 1)).max().unwrap_or(0);
    let mut planned: Vec<PlannedFold> =
        (0..n_folds).map(|index| PlannedFold { index, symbols: Vec::new() }).collect();
    for (_, folds) in per_symbol {
        for (index, fold) in folds {
            planned[index].symbols.push(fold);
        }
    }
    planned.retain(|f| !f.symbols.is_empty());
    if planned.is_empty() {
        let first = frames.iter().filter_map(|(_, f)| f.first_timestamp()).min().unwrap_or_default();
        let last = frames.iter().filter_map(|(_, f)| f.last_timestamp()).max().unwrap_or_default();
        let n_rows = frames.iter().map(|(_, f)| f.n_rows()).max().unwrap_or_default();
        return Err(FoldError::NoFolds { spec: spec.to_string(), n_rows, first, last, hint: "" }.into());
    }
    Ok(planned)
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
    Ok(FoldData { index: fold.index, symbols })
}
