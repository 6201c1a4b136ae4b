//! `FoldOptions`: what a fold plan takes besides its spec: warm-up, label ends for purging, cross-sectional
//! purging and a point-in-time universe.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::RecordBatch;
use isolation_core::{IsolationError, Length};

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

/// Fold options as the ways in give them: the CLI's `folds` flags and the keywords of the Python
/// `DataHandler.folds`. [`FoldArgs::build`] is the one set of rules that turns them into [`FoldOptions`].
///
/// ```
/// use isolation::{FoldArgs, LabelEnds, Length};
///
/// let args = FoldArgs { horizon: Some("5d".parse()?), cross_sectional: true, ..FoldArgs::default() };
/// let options = args.build()?;
/// assert_eq!(options.labels, Some(LabelEnds::Horizon(Length::days(5))));
/// assert_eq!(options.warmup, Length::Rows(0));
///
/// let both = FoldArgs { label_end: Some("t1".into()), horizon: Some(Length::Rows(5)), ..FoldArgs::default() };
/// assert!(both.build().is_err());
/// # Ok::<(), isolation::IsolationError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct FoldArgs {
    /// History before each test block (default: none).
    pub warmup: Option<Length>,
    /// Each symbol's label-end column.
    pub label_end: Option<String>,
    /// A fixed label horizon, in place of a spec's `purge`.
    pub horizon: Option<Length>,
    /// Purge across symbols.
    pub cross_sectional: bool,
    /// A membership table file (CSV/Parquet/Arrow with columns symbol, from, to).
    pub universe_path: Option<PathBuf>,
    /// A membership table as record batches (from Python: pyarrow batches).
    pub universe_batches: Option<Vec<RecordBatch>>,
}

impl FoldArgs {
    /// The options these arguments ask for.
    ///
    /// # Errors
    ///
    /// [`IsolationError::InvalidArgument`] for a label-end column and a horizon together, or a universe
    /// file and universe batches together; a universe that cannot be read.
    pub fn build(self) -> Result<FoldOptions, IsolationError> {
        let both = |argument: &'static str, other: &str| IsolationError::InvalidArgument {
            argument,
            reason: format!("cannot be given with `{other}`: give one of them"),
        };
        let labels = match (self.label_end, self.horizon) {
            (Some(_), Some(_)) => return Err(both("label_end", "horizon")),
            (Some(column), None) => Some(LabelEnds::Column(column)),
            (None, Some(horizon)) => Some(LabelEnds::Horizon(horizon)),
            (None, None) => None,
        };
        let universe = match (self.universe_path, self.universe_batches) {
            (Some(_), Some(_)) => return Err(both("universe_path", "universe_batches")),
            (Some(path), None) => Some(Arc::new(load_universe(path)?)),
            (None, Some(batches)) => Some(Arc::new(Universe::from_batches(&batches)?)),
            (None, None) => None,
        };
        Ok(FoldOptions {
            warmup: self.warmup.unwrap_or_default(),
            labels,
            cross_sectional: self.cross_sectional,
            universe,
        })
    }
}

#[cfg(feature = "io")]
fn load_universe(path: PathBuf) -> Result<Universe, IsolationError> {
    Universe::load(path)
}

#[cfg(not(feature = "io"))]
fn load_universe(path: PathBuf) -> Result<Universe, IsolationError> {
    let reason = format!("`{}`: this build reads no files (enable the `io` feature)", path.display());
    Err(IsolationError::InvalidArgument { argument: "universe_path", reason })
}
