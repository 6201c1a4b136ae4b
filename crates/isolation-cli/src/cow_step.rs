//! The copy-on-write demo step: patch one bar and add a derived column in each symbol's train split, and
//! measure what it cost.

use isolation::cow::CowFrame;
use isolation::{DataHandler, Split};
use serde::Serialize;

/// What the write step copied, over all symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WriteStep {
    /// Bytes copied to patch one `close` value per symbol: one chunk of one column each.
    pub patched_bytes: u64,
    /// Bytes of the added `log_return` columns (owned by the frames that added them).
    pub derived_column_bytes: u64,
    /// Bytes the seed design would have copied on the first write: the whole train split of every symbol.
    pub whole_frame_bytes: u64,
    /// Symbols written.
    pub symbols: usize,
}

/// Patches the middle `close` of each symbol's train split (as one fixes a bad tick) and adds a `log_return`
/// column, each in a copy-on-write frame over the handler's data. The handler's data is not changed.
///
/// # Errors
///
/// If a symbol has no split or no `close` column.
pub fn run_write_step(handler: &DataHandler) -> anyhow::Result<WriteStep> {
    let mut step = WriteStep { patched_bytes: 0, derived_column_bytes: 0, whole_frame_bytes: 0, symbols: 0 };
    for symbol in handler.symbols() {
        let train_rows = handler.split_ranges(symbol)?.map(|r| r.range(Split::Train)).unwrap_or(0..0);
        let base = handler.base(symbol)?;
        let mut frame = CowFrame::new(base, train_rows.clone(), Split::Train)?;
        let before = frame.footprint().owned_bytes;
        let close = frame.find_column("close")?;
        let mid = frame.n_rows() / 2;
        let value = frame.get(close, mid)?.unwrap_or(f64::NAN);
        frame.set_value(close, mid, value * 1.0001)?;
        let patched = frame.footprint().owned_bytes;
        let closes = frame.f64_column(close)?;
        let returns: Vec<f64> =
            std::iter::once(f64::NAN).chain(closes.windows(2).map(|w| (w[1] / w[0]).ln())).collect();
        frame.add_f64_column("log_return", returns)?;
        step.patched_bytes += patched - before;
        step.derived_column_bytes += frame.footprint().owned_bytes - patched;
        step.whole_frame_bytes += base.slice(train_rows)?.visible_bytes();
        step.symbols += 1;
    }
    Ok(step)
}
