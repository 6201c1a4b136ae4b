//! `isolation split` and `isolation info`: load data, split it, and report rows, time ranges and memory.

use std::path::Path;

use isolation::{DataHandler, IsolationMode, Split, SplitSpec, format_timestamp, human_bytes};
use serde::Serialize;
use timeseries_io::FileInfo;

use crate::source::SourceFrame;

/// One side of a split, as a person reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SideRow {
    /// Rows.
    pub rows: usize,
    /// First timestamp, ISO 8601.
    pub start: Option<String>,
    /// Last timestamp, ISO 8601.
    pub end: Option<String>,
    /// Bytes only this split's data keeps alive.
    pub owned_bytes: u64,
    /// Bytes it shares with the loaded frame (or a segment).
    pub shared_bytes: u64,
}

/// One symbol's split.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitRow {
    /// The symbol.
    pub symbol: String,
    /// The instant this symbol is cut at (first test instant), ISO 8601: the same on every row unless the
    /// split was per symbol.
    pub cut: String,
    /// True when each symbol was cut over its own rows (`--per-symbol`): symbols do not share one cut.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub per_symbol: bool,
    /// Why this symbol has an empty side, if it has one.
    pub warning: Option<String>,
    /// The mode the splits were made in.
    pub mode: IsolationMode,
    /// Rows loaded.
    pub rows: usize,
    /// Missing (null or NaN) values the loader counted, over all columns.
    pub missing_values: u64,
    /// Columns of the file left out because they are not numeric (text columns such as a symbol name).
    pub dropped_columns: Vec<String>,
    /// Train.
    pub train: SideRow,
    /// Test.
    pub test: SideRow,
}

/// Splits every source in `mode` and describes the result: at one instant for all symbols, or with
/// `per_symbol` each symbol over its own rows ([`DataHandler::setup_split_per_symbol`]).
///
/// # Errors
///
/// A split the data cannot take (e.g. a date outside a symbol's data), named by symbol.
pub fn split_rows(
    mode: IsolationMode,
    sources: Vec<SourceFrame>,
    spec: SplitSpec,
    per_symbol: bool,
) -> anyhow::Result<Vec<SplitRow>> {
    let mut handler = DataHandler::new(mode);
    let mut missing = std::collections::BTreeMap::new();
    let mut dropped = std::collections::BTreeMap::new();
    for source in sources {
        let n_missing = source.report.as_ref().map_or(0, |r| r.missing.iter().map(|m| m.missing).sum());
        missing.insert(source.symbol.clone(), n_missing);
        dropped.insert(
            source.symbol.clone(),
            source.report.as_ref().map(|r| r.dropped.clone()).unwrap_or_default(),
        );
        handler.load(&source.symbol, source.frame)?;
    }
    let cuts: std::collections::BTreeMap<String, String> = if per_symbol {
        let cuts = handler.setup_split_per_symbol(spec, isolation::SplitOptions::new())?;
        cuts.into_iter().map(|(symbol, cut)| (symbol, format_timestamp(cut.instant))).collect()
    } else {
        let cut = format_timestamp(handler.setup_split(spec)?.instant);
        handler.symbols().into_iter().map(|symbol| (symbol.to_string(), cut.clone())).collect()
    };
    let warnings = handler.split_warnings();
    handler
        .symbols()
        .into_iter()
        .map(|symbol| {
            let side = |split| -> anyhow::Result<SideRow> {
                let data = handler.data_for(symbol, split)?;
                let footprint = data.footprint();
                let ts = data.timestamps();
                Ok(SideRow {
                    rows: data.n_rows(),
                    start: ts.first().map(|&t| format_timestamp(t)),
                    end: ts.last().map(|&t| format_timestamp(t)),
                    owned_bytes: footprint.owned_bytes,
                    shared_bytes: footprint.shared_bytes,
                })
            };
            Ok(SplitRow {
                symbol: symbol.to_string(),
                cut: cuts.get(symbol).cloned().unwrap_or_default(),
                per_symbol,
                warning: warnings.iter().find(|w| w.symbol == symbol).map(ToString::to_string),
                mode,
                rows: handler.base(symbol)?.n_rows(),
                missing_values: missing.get(symbol).copied().unwrap_or(0),
                dropped_columns: dropped.get(symbol).cloned().unwrap_or_default(),
                train: side(Split::Train)?,
                test: side(Split::Test)?,
            })
        })
        .collect()
}

/// The splits as a table, after the instant every symbol is cut at.
pub fn render_split(rows: &[SplitRow]) -> String {
    let mut out = String::new();
    match rows.first() {
        Some(first) if !first.per_symbol => {
            out.push_str(&format!("cut: every symbol's test starts at {}\n", first.cut));
        }
        Some(_) => {
            out.push_str(
                "cut: each symbol over its own rows (--per-symbol): symbols do not share one cut, so a model \
                 trained across symbols can see one symbol's future while training on another\n",
            );
            for row in rows {
                out.push_str(&format!("{:<12} test starts at {}\n", row.symbol, row.cut));
            }
        }
        None => {}
    }
    out.push_str(&format!(
        "{:<12} {:<6} {:<5} {:>9} {:<20} {:<20} {:>10} {:>10}\n",
        "symbol", "mode", "split", "rows", "start", "end", "owned", "shared"
    ));
    let dash = || "-".to_string();
    for row in rows {
        for (name, side) in [("train", &row.train), ("test", &row.test)] {
            out.push_str(&format!(
                "{:<12} {:<6} {:<5} {:>9} {:<20} {:<20} {:>10} {:>10}\n",
                row.symbol,
                row.mode.name(),
                name,
                side.rows,
                side.start.clone().unwrap_or_else(dash),
                side.end.clone().unwrap_or_else(dash),
                human_bytes(side.owned_bytes),
                human_bytes(side.shared_bytes),
            ));
        }
        if let Some(warning) = &row.warning {
            out.push_str(&format!("{:<12} warning: {warning}\n", row.symbol));
        }
        if !row.dropped_columns.is_empty() {
            out.push_str(&format!(
                "{:<12} left out non-numeric columns: {}\n",
                row.symbol,
                row.dropped_columns.join(", ")
            ));
        }
        if row.missing_values > 0 {
            out.push_str(&format!(
                "{:<12} {} missing values loaded as null/NaN\n",
                row.symbol, row.missing_values
            ));
        }
    }
    out
}

/// A file's description as text.
pub fn render_info(path: &Path, info: &FileInfo) -> String {
    let mut out = format!("{}: {:?}, {}\n", path.display(), info.format, human_bytes(info.file_bytes));
    if let Some(rows) = info.rows {
        out.push_str(&format!("rows:      {rows}\n"));
    }
    if let Some((first, last)) = info.time_range {
        out.push_str(&format!("time:      {} ..= {}\n", format_timestamp(first), format_timestamp(last)));
    }
    if let Some(ts) = &info.timestamp_column {
        out.push_str(&format!("timestamp: {ts}\n"));
    }
    if let Some(problem) = &info.index_problem {
        out.push_str(&format!("problem:   {problem}\n"));
    }
    out.push_str("columns:\n");
    for column in &info.columns {
        let canonical = column.canonical.as_ref().map(|c| format!(" (loads as `{c}`)")).unwrap_or_default();
        out.push_str(&format!("  {:<16} {}{}\n", column.name, column.data_type, canonical));
    }
    out
}
