//! `isolation folds`: print the folds of a walk-forward or cross-validation scheme over some data.

use std::ops::Range;

use isolation::{BlockPurge, DataHandler, FoldOptions, FoldSpec, PlannedFold, TimeFrame, format_timestamp};
use serde::Serialize;

/// A span of rows of one side of a fold, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Span {
    /// First timestamp (ISO 8601), if any row.
    pub start: Option<String>,
    /// Last timestamp (ISO 8601), if any row.
    pub end: Option<String>,
    /// Rows in all (over every piece).
    pub rows: usize,
    /// Contiguous pieces (1 for walk-forward; more when train surrounds test).
    pub pieces: usize,
}

/// One symbol's side of a fold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymbolRow {
    /// The symbol.
    pub symbol: String,
    /// Train rows.
    pub train: Span,
    /// Test rows (warm-up not counted).
    pub test: Span,
    /// Warm-up rows before the (first) test block.
    pub warmup_rows: usize,
    /// Train rows purged (labels overlapping test labels), over every test block.
    pub purged: usize,
    /// Train rows embargoed after test blocks.
    pub embargoed: usize,
    /// Train-period rows left out because the symbol was not a member of the universe.
    pub outside_universe: usize,
    /// Per test block: its label span and the rows purged and embargoed around it.
    pub blocks: Vec<BlockPurge>,
}

/// One fold, over every symbol that has rows in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FoldRow {
    /// Position in the schedule.
    pub fold: usize,
    /// Per symbol.
    pub symbols: Vec<SymbolRow>,
    /// Symbols left out of this fold, and why (e.g. a train below `min_train`).
    pub skipped: Vec<isolation::SkippedSymbol>,
    /// Fingerprint of the universe table the fold was restricted to.
    pub universe: Option<String>,
}

/// The folds of `spec` over `handler`'s symbols, ready to print.
///
/// # Errors
///
/// A spec that does not fit the data.
pub fn fold_rows(
    handler: &DataHandler,
    spec: &FoldSpec,
    options: &FoldOptions,
) -> anyhow::Result<Vec<FoldRow>> {
    let plan = handler.fold_plan_with(spec, options)?;
    plan.iter().map(|fold| fold_row(handler, fold)).collect()
}

fn fold_row(handler: &DataHandler, fold: &PlannedFold) -> anyhow::Result<FoldRow> {
    let symbols = fold
        .symbols
        .iter()
        .map(|s| {
            let base = handler.base(&s.symbol)?;
            let tests: Vec<Range<usize>> = s.test.iter().map(|t| t.test.clone()).collect();
            Ok(SymbolRow {
                symbol: s.symbol.clone(),
                train: span(base, &s.train),
                test: span(base, &tests),
                warmup_rows: s.test.first().map_or(0, |t| t.warmup_len()),
                purged: s.n_purged(),
                embargoed: s.n_embargoed(),
                outside_universe: s.outside_universe,
                blocks: s.purged.clone(),
            })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(FoldRow { fold: fold.index, symbols, skipped: fold.skipped.clone(), universe: fold.universe.clone() })
}

fn span(frame: &TimeFrame, pieces: &[Range<usize>]) -> Span {
    let ts = frame.timestamps();
    let nonempty: Vec<&Range<usize>> = pieces.iter().filter(|r| !r.is_empty()).collect();
    Span {
        start: nonempty.first().map(|r| format_timestamp(ts[r.start])),
        end: nonempty.last().map(|r| format_timestamp(ts[r.end - 1])),
        rows: pieces.iter().map(Range::len).sum(),
        pieces: nonempty.len(),
    }
}

/// The folds as a table.
pub fn render_folds(rows: &[FoldRow]) -> String {
    let mut out = format!(
        "{:>4}  {:<10} {:<20} {:<20} {:>9} {:>3}  {:<20} {:<20} {:>9} {:>7} {:>7} {:>8}\n",
        "fold",
        "symbol",
        "train start",
        "train end",
        "rows",
        "pcs",
        "test start",
        "test end",
        "rows",
        "warmup",
        "purged",
        "embargo"
    );
    let dash = || "-".to_string();
    for fold in rows {
        for s in &fold.symbols {
            out.push_str(&format!(
                "{:>4}  {:<10} {:<20} {:<20} {:>9} {:>3}  {:<20} {:<20} {:>9} {:>7} {:>7} {:>8}\n",
                fold.fold,
                s.symbol,
                s.train.start.clone().unwrap_or_else(dash),
                s.train.end.clone().unwrap_or_else(dash),
                s.train.rows,
                s.train.pieces,
                s.test.start.clone().unwrap_or_else(dash),
                s.test.end.clone().unwrap_or_else(dash),
                s.test.rows,
                s.warmup_rows,
                s.purged,
                s.embargoed,
            ));
        }
        for skipped in &fold.skipped {
            out.push_str(&format!("{:>4}  {:<10} left out: {}\n", fold.fold, skipped.symbol, skipped.reason));
        }
    }
    if let Some(universe) = rows.first().and_then(|r| r.universe.as_ref()) {
        out.push_str(&format!("universe {universe}\n"));
    }
    out.push_str(&format!("{} folds\n", rows.len()));
    out
}
