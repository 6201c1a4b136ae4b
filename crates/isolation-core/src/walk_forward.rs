//! `WalkForward`: rolling or expanding train windows, each followed by a gap and a test window, in rows or time.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use timeseries_array::TimestampNs;

use crate::spec_text::SpecText;
use crate::{Fold, FoldError, Length};

/// How the train window moves from one fold to the next.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TrainWindow {
    /// Train keeps its length and moves forward by `step` (skfolio's `expand_train=False`).
    Rolling,
    /// Train always starts at the start of the data and grows by `step`; with `max_train` it keeps only its
    /// last `max_train` (scikit-learn's `max_train_size`).
    Expanding {
        /// Longest train window, if capped.
        max_train: Option<Length>,
    },
}

/// Walk-forward folds: train, gap, test; then everything moves forward by `step`.
///
/// # Semantics
///
/// Positions are row numbers (lengths in rows) or instants on the index (lengths in time). With the origin
/// `o` at row 0 (or the first timestamp), fold `i` is laid out as
///
/// ```text
/// train_end  = o + train + i * step
/// train      = [train_end - train, train_end)       rolling
///            = [o, train_end)                       expanding
///            = [max(o, train_end - max_train), train_end)   expanding with max_train
/// test       = [train_end + gap, train_end + gap + test)
/// ```
///
/// In time, each instant is mapped to the first row at or after it (binary search), so an instant needs no
/// row of its own; a window over a gap in the data can hold fewer rows than others, or none.
///
/// A fold is *complete* when its test window fits in the data: `test_end <= n_rows` in rows; in time,
/// `test_end <= last timestamp + bar`, where `bar` is the smallest spacing of the index (the last row covers
/// one bar). Folds are produced in order until the first incomplete one; that one is kept only with
/// `allow_partial_last` (its test then holds the rows up to the end of the data) and only if its test window
/// starts inside the data.
///
/// Against the peers: skfolio's `WalkForward(test_size, train_size, expand_train, reduce_test,
/// purged_size)` in rows is `train = train_size, test = step = test_size, gap = purged_size`,
/// `allow_partial_last = reduce_test`; scikit-learn's `TimeSeriesSplit` lays folds from the end of the data
/// backwards, see [`WalkForward::sklearn_compatible`] for the mapping.
///
/// ```
/// use isolation_core::{Length, WalkForward};
///
/// let spec: WalkForward = "train=4,test=2,gap=1".parse()?;
/// let folds = spec.folds(&(0..10).collect::<Vec<i64>>())?;
/// assert_eq!(folds.iter().map(|f| (f.train.clone(), f.test.clone())).collect::<Vec<_>>(),
///            vec![(0..4, 5..7), (2..6, 7..9)]);
///
/// let daily: Vec<i64> = (0..120).map(|d| d * 86_400_000_000_000).collect();
/// let spec: WalkForward = "train=90d,test=30d".parse()?;
/// assert_eq!(spec.folds(&daily)?[0].test, 90..120);
/// # Ok::<(), isolation_core::FoldError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct WalkForward {
    /// Length of the (first) train window.
    pub train: Length,
    /// Length of each test window.
    pub test: Length,
    /// How far each fold moves forward (the test length unless set).
    pub step: Length,
    /// Rows or time dropped between train and test (purge for label horizons); zero for none.
    pub gap: Length,
    /// Rolling or expanding train.
    pub window: TrainWindow,
    /// Keep a last fold whose test window runs past the data.
    pub allow_partial_last: bool,
    /// The least train a symbol needs to take part in a fold: rows, or time covered from its first to its
    /// last train bar. A symbol listed late gets a short first train; below this it sits the fold out.
    pub min_train: Option<Length>,
}

/// One walk-forward fold as instants, computed once and laid over any symbol by [`TimeFold::rows_for`].
///
/// Each `*_start`/`*_end` pair is a half-open interval of nanosecond timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct TimeFold {
    /// Position of the fold in the schedule, from 0.
    pub index: usize,
    /// First train instant.
    pub train_start: TimestampNs,
    /// End of train (exclusive).
    pub train_end: TimestampNs,
    /// First test instant (`train_end` plus the gap).
    pub test_start: TimestampNs,
    /// End of test (exclusive); past the data for a partial fold.
    pub test_end: TimestampNs,
    /// True for a last fold whose test window runs past the data.
    pub partial: bool,
}

impl TimeFold {
    /// The rows of `timestamps` (sorted) in this fold: each instant maps to the first row at or after it.
    /// Ranges may be empty where a symbol has no rows in a window.
    pub fn rows_for(&self, timestamps: &[TimestampNs]) -> Fold {
        let at = |instant: TimestampNs| timestamps.partition_point(|&t| t < instant);
        Fold {
            index: self.index,
            train: at(self.train_start)..at(self.train_end),
            test: at(self.test_start)..at(self.test_end),
        }
    }
}

impl WalkForward {
    /// Rolling folds with `train` and `test` lengths, a step of `test`, no gap, no partial fold.
    pub fn new(train: Length, test: Length) -> Self {
        Self {
            train,
            test,
            step: test,
            gap: Length::Rows(0),
            window: TrainWindow::Rolling,
            allow_partial_last: false,
            min_train: None,
        }
    }

    /// This spec moving forward by `step`.
    pub fn with_step(self, step: Length) -> Self {
        Self { step, ..self }
    }

    /// This spec with `gap` between train and test.
    pub fn with_gap(self, gap: Length) -> Self {
        Self { gap, ..self }
    }

    /// This spec with an expanding train window, capped at `max_train` if given.
    pub fn expanding(self, max_train: Option<Length>) -> Self {
        Self { window: TrainWindow::Expanding { max_train }, ..self }
    }

    /// This spec keeping (or not) a partial last fold.
    pub fn with_partial_last(self, allow_partial_last: bool) -> Self {
        Self { allow_partial_last, ..self }
    }

    /// This spec with a least train per symbol and fold (see [`WalkForward::min_train`]).
    pub fn with_min_train(self, min_train: Option<Length>) -> Self {
        Self { min_train, ..self }
    }

    /// Why `train` (rows of `timestamps`) is too short for [`WalkForward::min_train`], or `None` when it is
    /// long enough (or no minimum is set).
    pub fn short_train(&self, train: &std::ops::Range<usize>, timestamps: &[TimestampNs]) -> Option<String> {
        let min = self.min_train?;
        match min {
            Length::Rows(n) => {
                (train.len() < n).then(|| format!("{} train rows, below min_train={min}", train.len()))
            }
            Length::Time(ns) => {
                let covered = match (
                    timestamps.get(train.start),
                    train.end.checked_sub(1).and_then(|l| timestamps.get(l)),
                ) {
                    (Some(&first), Some(&last)) if !train.is_empty() => last.saturating_sub(first),
                    _ => 0,
                };
                (covered < ns)
                    .then(|| format!("train covers {}, below min_train={min}", Length::Time(covered)))
            }
        }
    }

    /// True when the lengths are durations, false when they are row counts.
    pub fn is_time(&self) -> bool {
        self.train.is_time()
    }

    /// `Ok` when train, test, step (and `max_train`) are positive and all lengths are of one kind (a zero
    /// gap may be either).
    ///
    /// # Errors
    ///
    /// [`FoldError::Zero`] or [`FoldError::MixedUnits`].
    pub fn validate(&self) -> Result<(), FoldError> {
        let max_train = match self.window {
            TrainWindow::Expanding { max_train } => max_train,
            TrainWindow::Rolling => None,
        };
        for (name, length) in [
            ("train", Some(self.train)),
            ("test", Some(self.test)),
            ("step", Some(self.step)),
            ("max_train", max_train),
        ] {
            if length.is_some_and(|l| l.is_zero()) {
                return Err(FoldError::Zero { name, spec: self.to_string() });
            }
        }
        let time = self.is_time();
        let lengths =
            [Some(self.test), Some(self.step), (!self.gap.is_zero()).then_some(self.gap), max_train];
        if lengths.into_iter().flatten().any(|l| l.is_time() != time) {
            return Err(FoldError::MixedUnits { spec: self.to_string() });
        }
        Ok(())
    }

    /// The folds over one symbol's `timestamps`. In time, folds of the [`WalkForward::schedule`] whose train
    /// or test holds no row are left out (the others keep their schedule `index`).
    ///
    /// # Errors
    ///
    /// An invalid spec, no data, or no fold.
    pub fn folds(&self, timestamps: &[TimestampNs]) -> Result<Vec<Fold>, FoldError> {
        if !self.is_time() {
            let mut folds = self.row_folds(timestamps.len()).map_err(|e| self.with_span(e, timestamps))?;
            folds.retain(|fold| self.short_train(&fold.train, timestamps).is_none());
            if folds.is_empty() {
                return Err(self.with_span(self.no_folds(timestamps.len()), timestamps));
            }
            return Ok(folds);
        }
        let folds: Vec<Fold> = (self.schedule(&[timestamps])?.iter())
            .map(|fold| fold.rows_for(timestamps))
            .filter(|fold| !fold.train.is_empty() && !fold.test.is_empty())
            .filter(|fold| self.short_train(&fold.train, timestamps).is_none())
            .collect();
        if folds.is_empty() {
            return Err(self.with_span(self.no_folds(timestamps.len()), timestamps));
        }
        Ok(folds)
    }

    /// The folds over rows labelled with `labels` (each row's label interval, e.g. from a `t1` column): each
    /// fold's train ends before its first row whose label reaches the fold's first test bar, so no train
    /// label overlaps a test bar (this replaces a fixed `gap`, which still applies when given). Folds whose
    /// train is then empty or shorter than `min_train` are left out.
    ///
    /// ```
    /// use isolation_core::{LabelIntervals, WalkForward};
    ///
    /// let t: Vec<i64> = (0..10).collect();
    /// // Every label ends two bars later, except row 1's, which runs to the end of the data.
    /// let ends: Vec<i64> = (0..10).map(|i| if i == 1 { 9 } else { (i + 2).min(9) }).collect();
    /// let labels = LabelIntervals::new(&t, ends)?;
    /// let spec: WalkForward = "train=4,test=2,step=2,expanding".parse()?;
    /// let folds = spec.folds_labelled(&labels)?;
    /// // The first fold tests rows 4..6: rows 2 and 3 reach row 4, and row 1's label reaches it too.
    /// assert_eq!((folds[0].train.clone(), folds[0].test.clone()), (0..1, 4..6));
    /// # Ok::<(), isolation_core::FoldError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`WalkForward::folds`].
    pub fn folds_labelled(&self, labels: &crate::LabelIntervals<'_>) -> Result<Vec<Fold>, FoldError> {
        let timestamps = labels.starts();
        let mut folds = self.folds(timestamps)?;
        for fold in &mut folds {
            if let Some(&test_start) = timestamps.get(fold.test.start) {
                fold.train.end = labels.train_end_before(fold.train.clone(), test_start);
            }
        }
        folds.retain(|fold| !fold.train.is_empty() && self.short_train(&fold.train, timestamps).is_none());
        if folds.is_empty() {
            return Err(self.with_span(self.no_folds(timestamps.len()), timestamps));
        }
        Ok(folds)
    }

    /// The folds over `n_rows` rows, for a spec in rows.
    ///
    /// # Errors
    ///
    /// An invalid spec, a spec in time ([`FoldError::MixedUnits`]), no rows, or no fold.
    pub fn row_folds(&self, n_rows: usize) -> Result<Vec<Fold>, FoldError> {
        self.validate()?;
        if self.is_time() {
            return Err(FoldError::MixedUnits { spec: self.to_string() });
        }
        if n_rows == 0 {
            return Err(FoldError::NoData { spec: self.to_string() });
        }
        let rows = |l: Length| l.rows().unwrap_or(0) as i128;
        let n = n_rows as i128;
        let folds: Vec<Fold> = self
            .lay_out(0, n, n, rows)
            .into_iter()
            .map(|(index, [train_start, train_end, test_start, test_end], _)| Fold {
                index,
                train: train_start as usize..train_end as usize,
                test: test_start as usize..test_end.min(n) as usize,
            })
            // A minimum in time needs timestamps: `folds` checks it.
            .filter(|fold| self.min_train.and_then(|m| m.rows()).is_none_or(|n| fold.train.len() >= n))
            .collect();
        if folds.is_empty() {
            return Err(self.no_folds(n_rows));
        }
        Ok(folds)
    }

    /// The folds as instants, computed once over the span of all `symbols` (each a sorted timestamp slice),
    /// so that [`TimeFold::rows_for`] cuts every symbol at the same instants whatever its calendar. The span
    /// runs from the earliest first timestamp to the latest last one; `bar` is the smallest spacing of any
    /// symbol's index.
    ///
    /// # Errors
    ///
    /// An invalid spec, a spec in rows ([`FoldError::RowsAcrossSymbols`]), or no timestamps at all.
    pub fn schedule(&self, symbols: &[&[TimestampNs]]) -> Result<Vec<TimeFold>, FoldError> {
        self.validate()?;
        if !self.is_time() {
            return Err(FoldError::RowsAcrossSymbols { spec: self.to_string() });
        }
        let non_empty = symbols.iter().filter(|ts| !ts.is_empty());
        let (Some(first), Some(last)) =
            (non_empty.clone().map(|ts| ts[0]).min(), non_empty.clone().map(|ts| ts[ts.len() - 1]).max())
        else {
            return Err(FoldError::NoData { spec: self.to_string() });
        };
        let bar = non_empty.flat_map(|ts| ts.windows(2).map(|w| w[1] - w[0])).min().unwrap_or(1).max(1);
        let nanos = |l: Length| i128::from(l.nanos().unwrap_or(0));
        let (first, last) = (i128::from(first), i128::from(last));
        let clamp = |x: i128| x.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as TimestampNs;
        Ok(self
            .lay_out(first, last + 1, last + i128::from(bar), nanos)
            .into_iter()
            .map(|(index, [train_start, train_end, test_start, test_end], partial)| TimeFold {
                index,
                train_start: clamp(train_start),
                train_end: clamp(train_end),
                test_start: clamp(test_start),
                test_end: clamp(test_end),
                partial,
            })
            .collect())
    }

    /// Fold `i`'s `[train_start, train_end, test_start, test_end]` from `origin`, until the first test that
    /// starts at or after `data_end`; complete while `test_end <= limit`.
    fn lay_out(
        &self,
        origin: i128,
        data_end: i128,
        limit: i128,
        units: impl Fn(Length) -> i128,
    ) -> Vec<(usize, [i128; 4], bool)> {
        let (train, test, step, gap) =
            (units(self.train), units(self.test), units(self.step), units(self.gap));
        let mut folds = Vec::new();
        for index in 0.. {
            let train_end = origin + train + index as i128 * step;
            let test_start = train_end + gap;
            let test_end = test_start + test;
            if test_start >= data_end {
                break;
            }
            let train_start = match self.window {
                TrainWindow::Rolling => train_end - train,
                TrainWindow::Expanding { max_train: None } => origin,
                TrainWindow::Expanding { max_train: Some(max) } => origin.max(train_end - units(max)),
            };
            let partial = test_end > limit;
            if partial && !self.allow_partial_last {
                break;
            }
            folds.push((index, [train_start, train_end, test_start, test_end], partial));
            if partial {
                break;
            }
        }
        folds
    }

    fn no_folds(&self, n_rows: usize) -> FoldError {
        let hint =
            if self.allow_partial_last { "" } else { ", or add `partial` to keep a shorter last test" };
        FoldError::NoFolds { spec: self.to_string(), n_rows, first: 0, last: 0, hint }
    }

    fn with_span(&self, error: FoldError, timestamps: &[TimestampNs]) -> FoldError {
        match error {
            FoldError::NoFolds { spec, n_rows, hint, .. } => FoldError::NoFolds {
                spec,
                n_rows,
                first: timestamps.first().copied().unwrap_or_default(),
                last: timestamps.last().copied().unwrap_or_default(),
                hint,
            },
            other => other,
        }
    }
}

impl FromStr for WalkForward {
    type Err = FoldError;

    /// Parses `train=90d,test=30d[,step=30d][,gap=1d][,expanding][,max_train=365d][,rolling][,partial][,min_train=60d]`
    /// (the form `Display` writes). `step` defaults to `test`; `max_train` implies `expanding`.
    fn from_str(spec: &str) -> Result<Self, FoldError> {
        const KEYS: &[&str] =
            &["train", "test", "step", "gap", "expanding", "max_train", "rolling", "partial", "min_train"];
        let mut text = SpecText::parse(spec, KEYS)?;
        let missing = |key: &str| format!("`{key}` is required, e.g. `train=90d,test=30d`");
        let train = text.length("train")?.ok_or_else(|| text.error(missing("train")))?;
        let test = text.length("test")?.ok_or_else(|| text.error(missing("test")))?;
        let step = text.length("step")?.unwrap_or(test);
        let gap = text.length("gap")?.unwrap_or(Length::Rows(0));
        let max_train = text.length("max_train")?;
        let (expanding, rolling) = (text.flag("expanding")? || max_train.is_some(), text.flag("rolling")?);
        if expanding && rolling {
            return Err(text.error("`rolling` conflicts with `expanding` and `max_train`".into()));
        }
        let mut walk = WalkForward::new(train, test)
            .with_step(step)
            .with_gap(gap)
            .with_partial_last(text.flag("partial")?)
            .with_min_train(text.length("min_train")?);
        if expanding {
            walk = walk.expanding(max_train);
        }
        walk.validate()?;
        Ok(walk)
    }
}

impl fmt::Display for WalkForward {
    /// The text form `FromStr` parses, e.g. `train=90d,test=30d,step=30d,gap=1d,expanding,partial`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "train={},test={},step={}", self.train, self.test, self.step)?;
        if !self.gap.is_zero() {
            write!(f, ",gap={}", self.gap)?;
        }
        match self.window {
            TrainWindow::Rolling => {}
            TrainWindow::Expanding { max_train: None } => f.write_str(",expanding")?,
            TrainWindow::Expanding { max_train: Some(max) } => write!(f, ",expanding,max_train={max}")?,
        }
        if self.allow_partial_last {
            f.write_str(",partial")?;
        }
        if let Some(min) = self.min_train {
            write!(f, ",min_train={min}")?;
        }
        Ok(())
    }
}
