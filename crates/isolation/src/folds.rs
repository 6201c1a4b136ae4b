//! Folds over a handler's symbols: a plan of row ranges per fold and symbol, and the data of each fold made
//! in the handler's mode when the fold is reached.

use std::ops::Range;
use std::sync::Arc;

use isolation_core::{
    Calendar, CombinatorialPurgedCv, Cursor, Fold, FoldError, IsolatedData, IsolationError, Length,
    PurgedKFold, Split, TestWithWarmup, TimeFold, WalkForward,
};
use serde::Serialize;
use timeseries_array::{TimeFrame, TimestampNs};

use crate::backend::isolate;

/// Which cross-validation or walk-forward scheme to lay over the data.
#[derive(Debug, Clone, PartialEq)]
pub enum FoldSpec {
    /// Train, gap, test, then forward by a step. In time, one schedule cuts every symbol at the same
    /// instants; in rows, only one symbol is accepted (rows of different symbols are out of step in time).
    WalkForward(WalkForward),
    /// Purged k-fold with embargo: groups of equal numbers of instants on the union of all symbols'
    /// timestamps, so a test block is one period for every symbol.
    PurgedKFold(PurgedKFold),
    /// Combinatorial purged cross-validation, laid on the union of all symbols' timestamps as k-fold is.
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
    /// Symbols with rows in the fold's period that sit it out, and why (e.g. a train shorter than
    /// `min_train`), sorted by symbol.
    pub skipped: Vec<SkippedSymbol>,
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
    /// # Panics
    ///
    /// If `batch_rows` is 0.
    pub fn batches(&self, batch_rows: usize) -> impl Iterator<Item = TimeFrame> + use<> {
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
}

/// Lays `spec` over the symbols' frames (sorted by symbol) on one time axis, so that a fold cuts every
/// symbol at the same instants: walk-forward in time shares one schedule; cross-validation lays its groups
/// on the union of all symbols' timestamps ([`Calendar`]) and maps them to each symbol's rows. Walk-forward
/// in rows is refused for several symbols, whose rows are out of step in time.
pub(crate) fn plan(
    frames: &[(&str, &TimeFrame)],
    spec: &FoldSpec,
    warmup: Length,
) -> Result<Vec<PlannedFold>, IsolationError> {
    let mut planned: Vec<PlannedFold> = Vec::new();
    let with_warmup = |test: Range<usize>, ts: &[TimestampNs]| TestWithWarmup::new(test, warmup, ts);
    match spec {
        FoldSpec::WalkForward(wf) => {
            let all: Vec<&[TimestampNs]> = frames.iter().map(|(_, f)| f.timestamps()).collect();
            let schedule: Vec<Option<TimeFold>> = if wf.is_time() {
                wf.schedule(&all)?.into_iter().map(Some).collect()
            } else if frames.len() > 1 {
                return Err(FoldError::RowsAcrossSymbols { spec: spec.to_string() }.into());
            } else {
                vec![None]
            };
            for (symbol, frame) in frames {
                let ts = frame.timestamps();
                let folds: Vec<Fold> = match schedule.as_slice() {
                    [None] => wf.folds(ts).map_err(|e| IsolationError::from(e).for_symbol(symbol))?,
                    _ => schedule.iter().flatten().map(|tf| tf.rows_for(ts)).collect(),
                };
                for fold in folds.into_iter().filter(|f| !f.train.is_empty() || !f.test.is_empty()) {
                    let entry = fold_at(&mut planned, fold.index);
                    let reason = match (fold.train.is_empty(), fold.test.is_empty()) {
                        (true, _) => Some("no train rows in this fold's period".to_string()),
                        (_, true) => Some("no test rows in this fold's period".to_string()),
                        _ => wf.short_train(&fold.train, ts),
                    };
                    if let Some(reason) = reason {
                        entry.skipped.push(SkippedSymbol { symbol: symbol.to_string(), reason });
                        continue;
                    }
                    entry.symbols.push(SymbolFold {
                        symbol: symbol.to_string(),
                        train: vec![fold.train],
                        test: vec![with_warmup(fold.test, ts)],
                    });
                }
            }
        }
        FoldSpec::PurgedKFold(_) | FoldSpec::CombinatorialPurgedCv(_) => {
            let all: Vec<&[TimestampNs]> = frames.iter().map(|(_, f)| f.timestamps()).collect();
            let calendar = Calendar::union(&all);
            let folds = match spec {
                FoldSpec::PurgedKFold(kf) => kf.folds(calendar.instants()),
                FoldSpec::CombinatorialPurgedCv(cpcv) => cpcv.folds(calendar.instants()),
                FoldSpec::WalkForward(_) => unreachable!("matched above"),
            };
            let folds = match (folds, frames) {
                (Ok(folds), _) => folds,
                (Err(e), [(symbol, _)]) => return Err(IsolationError::from(e).for_symbol(symbol)),
                (Err(e), _) => return Err(e.into()),
            };
            for fold in folds {
                let entry = fold_at(&mut planned, fold.index);
                for (symbol, frame) in frames {
                    let ts = frame.timestamps();
                    let on_symbol = |ranges: &[Range<usize>]| -> Vec<Range<usize>> {
                        ranges
                            .iter()
                            .map(|r| calendar.rows_of(r.clone(), ts))
                            .filter(|r| !r.is_empty())
                            .collect()
                    };
                    let (train, test) = (on_symbol(&fold.train), on_symbol(&fold.test));
                    if train.is_empty() || test.is_empty() {
                        let side = if train.is_empty() { "train" } else { "test" };
                        let reason = format!("no {side} rows in this fold's period");
                        entry.skipped.push(SkippedSymbol { symbol: symbol.to_string(), reason });
                        continue;
                    }
                    let test = test.into_iter().map(|t| with_warmup(t, ts)).collect();
                    entry.symbols.push(SymbolFold { symbol: symbol.to_string(), train, test });
                }
            }
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

/// The planned fold at `index`, adding empty ones up to it.
fn fold_at(planned: &mut Vec<PlannedFold>, index: usize) -> &mut PlannedFold {
    if planned.len() <= index {
        let from = planned.len();
        planned.extend((from..=index).map(|index| PlannedFold {
            index,
            symbols: Vec::new(),
            skipped: Vec::new(),
        }));
    }
    &mut planned[index]
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
