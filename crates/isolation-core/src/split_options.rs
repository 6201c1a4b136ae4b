//! `SplitOptions`: how a split over many symbols treats a symbol left with one side empty, and the warm-up
//! history its test side may read.

use std::fmt;

use serde::Serialize;

use crate::{Length, Split, SplitCut};

/// What to do with a symbol whose data lies wholly on one side of the shared cut (listed after it, or
/// delisted before it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EmptySide {
    /// Keep the symbol with an empty side and record a [`SplitWarning`] the caller can read.
    #[default]
    Warn,
    /// Refuse the split, naming the symbol.
    Error,
}

/// Options of a train/test split beyond its spec.
///
/// ```
/// use isolation_core::{EmptySide, Length, SplitOptions};
///
/// let options = SplitOptions::new().with_warmup(Length::Rows(50)).with_empty_side(EmptySide::Error);
/// assert_eq!(options.warmup, Length::Rows(50));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SplitOptions {
    /// History before the cut that the test side's cursor may read through `window` (never as a tradable
    /// bar): rows, or a duration. Zero by default.
    pub warmup: Length,
    /// What to do with a symbol left with an empty train or test side.
    pub empty_side: EmptySide,
}

impl SplitOptions {
    /// No warm-up; symbols with an empty side are kept with a warning.
    pub fn new() -> Self {
        Self::default()
    }

    /// These options with `warmup` history before the test side.
    pub fn with_warmup(self, warmup: Length) -> Self {
        Self { warmup, ..self }
    }

    /// These options with `empty_side` as the policy for symbols wholly on one side.
    pub fn with_empty_side(self, empty_side: EmptySide) -> Self {
        Self { empty_side, ..self }
    }
}

/// A symbol that a split left with no rows on one side, kept because of [`EmptySide::Warn`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SplitWarning {
    /// The symbol.
    pub symbol: String,
    /// The side without rows.
    pub side: Split,
    /// The cut every symbol was split at.
    pub cut: SplitCut,
}

impl fmt::Display for SplitWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.side {
            Split::Train => "its data starts at or after the cut",
            _ => "its data ends before the cut",
        };
        write!(
            f,
            "symbol `{}` has no {} rows: {why} ({})",
            self.symbol,
            self.side,
            timeseries_array::format_timestamp(self.cut.instant)
        )
    }
}
