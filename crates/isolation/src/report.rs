//! `MemoryReport`: the handler's memory, each allocation counted once.

use std::fmt;

use isolation_core::{IsolationMode, SplitCut};
use memtrack::Footprint;
use serde::Serialize;

/// Memory of one symbol: its loaded frame and its train and test data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymbolMemory {
    /// The symbol.
    pub symbol: String,
    /// Rows loaded.
    pub rows: usize,
    /// Bytes of the allocations behind the loaded frame.
    pub base_bytes: u64,
    /// Rows in train (0 before a split).
    pub train_rows: usize,
    /// Rows in test (0 before a split).
    pub test_rows: usize,
    /// What the train data keeps alive.
    pub train: Footprint,
    /// What the test data keeps alive.
    pub test: Footprint,
}

/// The handler's memory: per symbol, and in total with every allocation counted once.
///
/// `distinct` is the honest total: base frames and every split's data, each Arrow allocation once. The
/// `naive_sum_bytes` figure is what adding up per-object sizes gives (the seed design's report); it is shown
/// only so the difference is visible.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemoryReport {
    /// The handler's mode.
    pub mode: IsolationMode,
    /// One entry per symbol, sorted by symbol.
    pub symbols: Vec<SymbolMemory>,
    /// Bytes of all loaded frames' allocations.
    pub base_bytes: u64,
    /// What every symbol's train data keeps alive, added up over symbols (each symbol's own allocations
    /// are counted once; train and test of one symbol may share its base).
    pub train_bytes: u64,
    /// What every symbol's test data keeps alive, added up over symbols.
    pub test_bytes: u64,
    /// All allocations kept alive by frames and splits, each counted once: owned (by exactly one handle)
    /// and shared.
    pub distinct: Footprint,
    /// `distinct` in one figure: every allocation kept alive, once.
    pub total_bytes: u64,
    /// Of `distinct`, the bytes in memory-mapped segments (shared-memory mode): pages every attached
    /// process shares.
    pub mapped_bytes: u64,
    /// Base plus train plus test totals, added up per object (double counts shared buffers).
    pub naive_sum_bytes: u64,
    /// The instant the split cuts every symbol at, if a split is set up.
    pub cut: Option<SplitCut>,
}

impl MemoryReport {
    pub(crate) fn new(
        mode: IsolationMode,
        symbols: Vec<SymbolMemory>,
        distinct: Footprint,
        mapped_bytes: u64,
    ) -> Self {
        let base_bytes = symbols.iter().map(|s| s.base_bytes).sum();
        let train_bytes = symbols.iter().map(|s| s.train.total_bytes()).sum();
        let test_bytes = symbols.iter().map(|s| s.test.total_bytes()).sum();
        let naive_sum_bytes = base_bytes + train_bytes + test_bytes;
        let total_bytes = distinct.total_bytes();
        Self {
            mode,
            symbols,
            base_bytes,
            train_bytes,
            test_bytes,
            distinct,
            total_bytes,
            mapped_bytes,
            naive_sum_bytes,
            cut: None,
        }
    }

    /// Bytes that splitting added on top of the loaded frames (0 for views, the rows' bytes for copies).
    pub fn split_overhead_bytes(&self) -> u64 {
        self.distinct.total_bytes().saturating_sub(self.base_bytes)
    }
}

impl fmt::Display for MemoryReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "memory report (mode {})", self.mode)?;
        if let Some(cut) = &self.cut {
            writeln!(f, "split: every symbol cut at one instant, {cut}")?;
        }
        writeln!(
            f,
            "{:<12} {:>10} {:>12} {:>10} {:>12} {:>12} {:>10} {:>12} {:>12}",
            "symbol",
            "rows",
            "base",
            "train",
            "train owned",
            "train shared",
            "test",
            "test owned",
            "test shared"
        )?;
        for s in &self.symbols {
            writeln!(
                f,
                "{:<12} {:>10} {:>12} {:>10} {:>12} {:>12} {:>10} {:>12} {:>12}",
                s.symbol,
                s.rows,
                human_bytes(s.base_bytes),
                s.train_rows,
                human_bytes(s.train.owned_bytes),
                human_bytes(s.train.shared_bytes),
                s.test_rows,
                human_bytes(s.test.owned_bytes),
                human_bytes(s.test.shared_bytes),
            )?;
        }
        writeln!(f, "loaded frames:          {}", human_bytes(self.base_bytes))?;
        writeln!(
            f,
            "distinct total:         {} ({} owned by one handle, {} shared)",
            human_bytes(self.distinct.total_bytes()),
            human_bytes(self.distinct.owned_bytes),
            human_bytes(self.distinct.shared_bytes)
        )?;
        if self.mapped_bytes > 0 {
            writeln!(
                f,
                "of which mapped:        {} (shared-memory segments)",
                human_bytes(self.mapped_bytes)
            )?;
        }
        writeln!(f, "added by splitting:     {}", human_bytes(self.split_overhead_bytes()))?;
        write!(
            f,
            "naive per-object sum:   {} (counts shared buffers repeatedly)",
            human_bytes(self.naive_sum_bytes)
        )
    }
}

/// Bytes in binary units with one decimal: `512 B`, `1.5 KiB`, `2.0 GiB` (memtrack's formatter).
pub fn human_bytes(bytes: u64) -> String {
    memtrack::format_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::human_bytes;

    #[test]
    fn human_bytes_cases() {
        for (bytes, expect) in [(0, "0 B"), (1023, "1023 B"), (1536, "1.5 KiB"), (3 << 30, "3.0 GiB")] {
            assert_eq!(human_bytes(bytes), expect);
        }
    }
}
