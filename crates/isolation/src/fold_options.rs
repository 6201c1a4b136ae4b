//! `FoldOptions`: what a fold plan takes besides its spec: warm-up, label ends for purging, cross-sectional
//! purging and a point-in-time universe.

use std::sync::Arc;

use isolation_core::Length;

use crate::Universe;

/// Where each row's label ends, for purging train rows whose labels overlap test labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelEnds {
    /// Every label ends this many rows (on the calendar shared by the symbols) or this much time after its
    /// row: a fixed-horizon label. For cross-validation it is the spec's `purge`.
    Horizon(Length),
    /// Each symbol's column of this name holds its rows' label ends (López de Prado's `t1`): timestamps as
    /// `i64` nanoseconds, as loaders keep a date-time column, never before the row itself, no nulls.
    Column(String),
}

/// How to lay folds over a handler's symbols, besides the spec itself.
///
/// ```
/// use isolation::{FoldOptions, LabelEnds, Length};
///
/// let options = FoldOptions::default()
///     .with_warmup(Length::Rows(20))
///     .with_labels(LabelEnds::Column("t1".into()))
///     .cross_sectional(true);
/// assert!(options.cross_sectional);
/// ```
#[derive(Debug, Clone, Default)]
pub struct FoldOptions {
    /// History before each test block for indicator warm-up, in rows or time.
    pub warmup: Length,
    /// Label ends to purge by; `None` purges by the spec's `purge` (cross-validation) or not at all
    /// (walk-forward, whose `gap` then separates train from test).
    pub labels: Option<LabelEnds>,
    /// Purge each symbol's train against every symbol's test labels (a label of one symbol that reaches
    /// into another's test period goes too), not only its own. Fixed horizons always purge across symbols:
    /// the test periods are the same instants for all of them.
    pub cross_sectional: bool,
    /// Restrict each fold's rows to the symbols that were members at the time of each row.
    pub universe: Option<Arc<Universe>>,
}

impl FoldOptions {
    /// These options with `warmup`.
    pub fn with_warmup(self, warmup: Length) -> Self {
        Self { warmup, ..self }
    }

    /// These options purging by `labels`.
    pub fn with_labels(self, labels: LabelEnds) -> Self {
        Self { labels: Some(labels), ..self }
    }

    /// These options purging across symbols or not.
    pub fn cross_sectional(self, cross_sectional: bool) -> Self {
        Self { cross_sectional, ..self }
    }

    /// These options restricted to `universe`.
    pub fn with_universe(self, universe: impl Into<Arc<Universe>>) -> Self {
        Self { universe: Some(universe.into()), ..self }
    }
}
