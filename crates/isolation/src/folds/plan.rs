//! Laying a fold spec over many symbols on one time axis: the row ranges of every fold and symbol, purged by
//! label intervals and restricted to a point-in-time universe. No data is made here.

use std::borrow::Cow;
use std::ops::Range;

use arrow_array::Array;
use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use isolation_core::row_set;
use isolation_core::{
    BlockPurge, Calendar, CrossValidation, Fold, FoldError, IsolationError, LabelIntervals, Length, TestSpan,
    TestWithWarmup, TimeFold, WalkForward,
};
use timeseries_array::{TimeFrame, TimestampNs};

use crate::{FoldOptions, FoldSpec, LabelEnds, PlannedFold, SkippedSymbol, SymbolFold};

/// One symbol's frame with its label ends (from a column) once checked.
struct Symbol<'a> {
    name: &'a str,
    timestamps: &'a [TimestampNs],
    label_ends: Option<Vec<TimestampNs>>,
}

impl Symbol<'_> {
    /// This symbol's label intervals: its label-end column, or `horizon` counted on `axis`.
    fn labels(&self, horizon: Length, axis: &[TimestampNs]) -> LabelIntervals<'_> {
        match &self.label_ends {
            Some(ends) => LabelIntervals::new(self.timestamps, Cow::Borrowed(ends.as_slice()))
                .expect("checked when the symbol was read"),
            None => LabelIntervals::horizon_on(self.timestamps, axis, horizon),
        }
    }

    /// The rows of `ranges` at which the symbol is in the universe (all of them without one).
    fn members(&self, ranges: &[Range<usize>], options: &FoldOptions) -> Vec<Range<usize>> {
        let ranges = row_set::normalized(ranges.to_vec());
        match &options.universe {
            Some(universe) => row_set::intersect(&ranges, &universe.member_rows(self.name, self.timestamps)),
            None => ranges,
        }
    }
}

/// Lays `spec` over the symbols' frames (sorted by symbol) on one time axis, so that a fold cuts every
/// symbol at the same instants: walk-forward in time shares one schedule; cross-validation lays its groups
/// on the union of all symbols' timestamps ([`Calendar`]) and maps them to each symbol's rows. Walk-forward
/// in rows is refused for several symbols, whose rows are out of step in time.
pub(crate) fn plan(
    frames: &[(&str, &TimeFrame)],
    spec: &FoldSpec,
    options: &FoldOptions,
) -> Result<Vec<PlannedFold>, IsolationError> {
    let fixed_purge = spec.as_cross_validation().map_or(Length::Rows(0), CrossValidation::purge);
    if options.labels.is_some() && !fixed_purge.is_zero() {
        return Err(FoldError::PurgeAndLabels { spec: spec.to_string() });
    }
    let symbols = frames
        .iter()
        .map(|&(name, frame)| read_symbol(name, frame, options).map_err(|e| e.for_symbol(name)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut planned = match (spec, spec.as_cross_validation()) {
        (_, Some(cv)) => cross_validation(&symbols, cv, options)?,
        (FoldSpec::WalkForward(wf), None) => walk_forward(&symbols, wf, spec, options)?,
        (_, None) => unreachable!("every kind but walk-forward is a cross-validation"),
    };
    planned.retain(|f| !f.symbols.is_empty());
    if planned.is_empty() {
        let first = frames.iter().filter_map(|(_, f)| f.first_timestamp()).min().unwrap_or_default();
        let last = frames.iter().filter_map(|(_, f)| f.last_timestamp()).max().unwrap_or_default();
        let n_rows = frames.iter().map(|(_, f)| f.n_rows()).max().unwrap_or_default();
        return Err(FoldError::NoFolds { spec: spec.to_string(), n_rows, first, last, hint: "" });
    }
    let fingerprint = options.universe.as_ref().map(|u| u.fingerprint());
    for fold in &mut planned {
        fold.universe.clone_from(&fingerprint);
    }
    Ok(planned)
}

/// A symbol with its label-end column read and checked (every row has an end, none before its row).
fn read_symbol<'a>(
    name: &'a str,
    frame: &'a TimeFrame,
    options: &FoldOptions,
) -> Result<Symbol<'a>, IsolationError> {
    let timestamps = frame.timestamps();
    let label_ends = match &options.labels {
        Some(LabelEnds::Column(column)) => {
            let array = frame.column(column)?;
            let Some(values) = array.as_primitive_opt::<Int64Type>() else {
                let found = frame.value_type(frame.column_index(column)?).name();
                let reason = format!("column `{column}` holds {found}, not timestamps (i64 nanoseconds)");
                return Err(FoldError::LabelEnds { reason });
            };
            let values: &[TimestampNs] = values.values();
            if let Some(row) = (0..frame.n_rows()).find(|&row| array.is_null(row)) {
                let at = timeseries_array::format_timestamp(timestamps[row]);
                let reason =
                    format!("column `{column}` has no label end at row {row} ({at}); drop unlabelled rows");
                return Err(FoldError::LabelEnds { reason });
            }
            LabelIntervals::new(timestamps, values).map_err(|e| {
                let FoldError::LabelEnds { reason } = e else { return e };
                FoldError::LabelEnds { reason: format!("column `{column}`: {reason}") }
            })?;
            Some(values.to_vec())
        }
        _ => None,
    };
    Ok(Symbol { name, timestamps, label_ends })
}

fn walk_forward(
    symbols: &[Symbol<'_>],
    wf: &WalkForward,
    spec: &FoldSpec,
    options: &FoldOptions,
) -> Result<Vec<PlannedFold>, IsolationError> {
    let all: Vec<&[TimestampNs]> = symbols.iter().map(|s| s.timestamps).collect();
    let schedule: Vec<Option<TimeFold>> = if wf.is_time() {
        wf.schedule(&all)?.into_iter().map(Some).collect()
    } else if symbols.len() > 1 {
        return Err(FoldError::RowsAcrossSymbols { spec: spec.to_string() });
    } else {
        vec![None]
    };
    let mut planned: Vec<PlannedFold> = Vec::new();
    for symbol in symbols {
        let ts = symbol.timestamps;
        let folds: Vec<Fold> = match schedule.as_slice() {
            [None] => wf.folds(ts).map_err(|e| e.for_symbol(symbol.name))?,
            _ => schedule.iter().flatten().map(|tf| tf.rows_for(ts)).collect(),
        };
        let labels = match &options.labels {
            Some(LabelEnds::Horizon(h)) => Some(symbol.labels(*h, ts)),
            Some(LabelEnds::Column(_)) => Some(symbol.labels(Length::Rows(0), ts)),
            None => None,
        };
        for fold in folds.into_iter().filter(|f| !f.train.is_empty() || !f.test.is_empty()) {
            let entry = fold_at(&mut planned, fold.index);
            let mut train = fold.train.clone();
            let mut purged = Vec::new();
            if let (Some(labels), Some(&test_start)) = (&labels, ts.get(fold.test.start)) {
                let end = labels.train_end_before(train.clone(), test_start);
                let label_end = labels.ends()[fold.test.clone()].iter().copied().max().unwrap_or(test_start);
                let span = TestSpan { block: 0, start: test_start, end: label_end };
                purged.push(BlockPurge { span, purged: train.end - end, embargoed: 0, embargo_end: None });
                train.end = end;
            }
            let member_train = symbol.members(std::slice::from_ref(&train), options);
            let member_test = symbol.members(std::slice::from_ref(&fold.test), options);
            let hull =
                member_train.first().map_or(0..0, |first| first.start..member_train.last().unwrap().end);
            let reason = match (fold.train.is_empty(), fold.test.is_empty()) {
                (true, _) => Some("no train rows in this fold's period".to_string()),
                (_, true) => Some("no test rows in this fold's period".to_string()),
                _ if train.is_empty() => {
                    Some("no train rows left after purging overlapping labels".to_string())
                }
                _ if member_train.is_empty() || member_test.is_empty() => {
                    Some("not a member of the universe during this fold".to_string())
                }
                _ => wf.short_train(&hull, ts),
            };
            if let Some(reason) = reason {
                entry.skipped.push(SkippedSymbol { symbol: symbol.name.to_string(), reason });
                continue;
            }
            entry.symbols.push(SymbolFold {
                symbol: symbol.name.to_string(),
                outside_universe: train.len() - row_set::len(&member_train),
                train: member_train,
                test: member_test.into_iter().map(|t| TestWithWarmup::new(t, options.warmup, ts)).collect(),
                purged,
            });
        }
    }
    Ok(planned)
}

/// A fold's index and its test ranges.
type IndexedBlock = (usize, Vec<Range<usize>>);

fn cross_validation(
    symbols: &[Symbol<'_>],
    cv: &dyn CrossValidation,
    options: &FoldOptions,
) -> Result<Vec<PlannedFold>, IsolationError> {
    let all: Vec<&[TimestampNs]> = symbols.iter().map(|s| s.timestamps).collect();
    let calendar = Calendar::union(&all);
    let axis = calendar.instants();
    let horizon = match &options.labels {
        None => cv.purge(),
        Some(LabelEnds::Horizon(h)) => *h,
        Some(LabelEnds::Column(_)) => Length::Rows(0),
    };
    // The test blocks on the calendar, before any purge (which is done per symbol below).
    // Each fold's index and test ranges on the calendar.
    let test_blocks = |n_rows: usize| -> Result<Vec<IndexedBlock>, IsolationError> {
        cv.check_count()?;
        Ok(cv.test_blocks(n_rows)?.map(|(_, test)| test).enumerate().collect())
    };
    let blocks = match (test_blocks(axis.len()), symbols) {
        (Ok(folds), _) => folds,
        (Err(e), [symbol]) => return Err(e.for_symbol(symbol.name)),
        (Err(e), _) => return Err(e),
    };
    let by_column = matches!(options.labels, Some(LabelEnds::Column(_)));
    // A fixed horizon purges against the calendar's spans; label columns against the symbols' own.
    let calendar_labels = (!by_column).then(|| LabelIntervals::horizon(axis, horizon));
    let labels: Vec<LabelIntervals<'_>> = symbols.iter().map(|s| s.labels(horizon, axis)).collect();
    let mut planned = Vec::with_capacity(blocks.len());
    for (index, test) in blocks {
        // Per symbol, its rows in each test block, and those at which it is a member.
        let tests: Vec<Vec<Range<usize>>> = symbols
            .iter()
            .map(|s| test.iter().map(|block| calendar.rows_of(block.clone(), s.timestamps)).collect())
            .collect();
        let member_tests: Vec<Vec<Vec<Range<usize>>>> = (symbols.iter().zip(&tests))
            .map(|(s, blocks)| {
                blocks.iter().map(|rows| s.members(std::slice::from_ref(rows), options)).collect()
            })
            .collect();
        let own_spans: Vec<Vec<TestSpan>> = if by_column {
            (labels.iter().zip(&member_tests)).map(|(labels, blocks)| spans_of(labels, blocks)).collect()
        } else {
            Vec::new()
        };
        let shared_spans: Vec<TestSpan> = match &calendar_labels {
            // A fixed horizon: the test periods are the calendar's, the same instants for every symbol.
            Some(calendar_labels) => calendar_labels.test_spans(&test),
            None => covering(&own_spans),
        };
        let mut entry = PlannedFold { index, symbols: Vec::new(), skipped: Vec::new(), universe: None };
        for (i, symbol) in symbols.iter().enumerate() {
            let test_rows: Vec<Range<usize>> = member_tests[i].iter().flatten().cloned().collect();
            let spans = if by_column && !options.cross_sectional { &own_spans[i] } else { &shared_spans };
            let purged = labels[i].purge(&tests[i], spans, cv.embargo(), axis);
            let train = symbol.members(&purged.train, options);
            let reason = if tests[i].iter().all(Range::is_empty) {
                Some("no test rows in this fold's period")
            } else if test_rows.is_empty() {
                Some("not a member of the universe during this fold's test period")
            } else if train.is_empty() {
                Some("no train rows in this fold's period")
            } else {
                None
            };
            if let Some(reason) = reason {
                entry
                    .skipped
                    .push(SkippedSymbol { symbol: symbol.name.to_string(), reason: reason.to_string() });
                continue;
            }
            entry.symbols.push(SymbolFold {
                symbol: symbol.name.to_string(),
                outside_universe: row_set::len(&purged.train) - row_set::len(&train),
                train,
                test: test_rows
                    .into_iter()
                    .map(|t| TestWithWarmup::new(t, options.warmup, symbol.timestamps))
                    .collect(),
                purged: purged.blocks,
            });
        }
        planned.push(entry);
    }
    Ok(planned)
}

/// One span per test block that has rows (several ranges when the universe cut the block), numbered by
/// block.
fn spans_of(labels: &LabelIntervals<'_>, blocks: &[Vec<Range<usize>>]) -> Vec<TestSpan> {
    (blocks.iter().enumerate())
        .filter_map(|(block, ranges)| {
            let span = labels.test_spans(ranges).into_iter().reduce(TestSpan::cover)?;
            Some(TestSpan { block, ..span })
        })
        .collect()
}

/// Per block, the span covering every symbol's span of it.
fn covering(per_symbol: &[Vec<TestSpan>]) -> Vec<TestSpan> {
    let mut spans: Vec<TestSpan> = Vec::new();
    for span in per_symbol.iter().flatten() {
        match spans.iter_mut().find(|s| s.block == span.block) {
            Some(existing) => *existing = existing.cover(*span),
            None => spans.push(*span),
        }
    }
    spans.sort_by_key(|s| s.block);
    spans
}

/// The planned fold at `index`, adding empty ones up to it.
fn fold_at(planned: &mut Vec<PlannedFold>, index: usize) -> &mut PlannedFold {
    if planned.len() <= index {
        let from = planned.len();
        planned.extend((from..=index).map(|index| PlannedFold {
            index,
            symbols: Vec::new(),
            skipped: Vec::new(),
            universe: None,
        }));
    }
    &mut planned[index]
}
