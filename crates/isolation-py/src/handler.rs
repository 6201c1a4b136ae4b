//! `Handler`: the seed's `EnhancedDataHandler` over the Rust `DataHandler`: symbols loaded once, one cut
//! for every symbol, train/test/full data in the chosen mode, folds, and an honest memory report.

use std::sync::Mutex;

use arrow_array::RecordBatch;
use arrow_pyarrow::PyArrowType;
use isolation::{
    DataHandler, FoldArgs, FoldOptions, FoldSpec, IsolationMode, Length, LoadOptions, Split, SplitMethodArgs,
    SplitOptions, SplitSpec,
};
use pyo3::prelude::*;

use crate::convert::frame_from_py;
use crate::cow::CowFrame;
use crate::py_err;
use crate::view::{Origin, View};
use isolation::SegmentLocation;

/// `(start, end)` rows.
type RowRange = (usize, usize);
/// One fold: its index and per symbol `(symbol, train views, test views)`.
/// Per symbol: train views, test views, and `(purged, embargoed, outside_universe)` rows.
pub(crate) type SymbolViews = (String, Vec<View>, Vec<View>, (usize, usize, usize));
/// One fold: its index, its symbols, and the universe fingerprint.
pub(crate) type FoldViews = (usize, Vec<SymbolViews>, Option<String>);

/// Market data of several symbols, split once for all of them. Wrapped by `isolation.DataHandler`.
#[pyclass(module = "isolation._native")]
pub struct Handler {
    inner: Mutex<DataHandler>,
}

impl Handler {
    /// Wraps a handler made in Rust (the factory's).
    pub(crate) fn from_handler(handler: DataHandler) -> Self {
        Self { inner: Mutex::new(handler) }
    }

    /// Runs `f` on the handler with the GIL released.
    ///
    /// The lock order of the package: the handler's mutex is only ever waited for without the GIL, and
    /// nothing that holds it waits for a thread that holds the GIL, except to take the GIL itself (dropping
    /// a frame whose buffers belong to Python does). A thread holding the GIL never waits for the mutex,
    /// so two threads cannot each hold what the other waits for. Python objects are made after `f` returns.
    fn with<R: Send>(&self, py: Python<'_>, f: impl FnOnce(&mut DataHandler) -> R + Send) -> R {
        py.detach(|| f(&mut self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)))
    }
}

pub(crate) fn parse_mode(mode: &str) -> PyResult<IsolationMode> {
    mode.parse().map_err(py_err)
}

pub(crate) fn parse_split(split: &str) -> PyResult<Split> {
    split.parse().map_err(py_err)
}

/// A length from its text (`50` rows, `5d`), if given.
fn parse_length(text: Option<&str>) -> PyResult<Option<Length>> {
    text.map(str::parse).transpose().map_err(py_err)
}

/// A split's cut: `(None, instant)` for the one shared cut, `(Some(symbol), instant)` per symbol.
type SymbolCut = (Option<String>, i64);

#[pymethods]
impl Handler {
    /// A handler in `mode` (`view`, `deep-copy`, `cow`, `shm`); `cow_chunk_rows` sets the copy-on-write
    /// chunk size.
    #[new]
    #[pyo3(signature = (mode, cow_chunk_rows=None))]
    fn new(mode: &str, cow_chunk_rows: Option<usize>) -> PyResult<Self> {
        let mut handler = DataHandler::new(parse_mode(mode)?);
        if let Some(rows) = cow_chunk_rows {
            handler = handler.with_cow_config(isolation::CowConfig::try_new(rows).map_err(py_err)?);
        }
        Ok(Self { inner: Mutex::new(handler) })
    }

    /// The mode's name.
    #[getter]
    fn mode(&self, py: Python<'_>) -> &'static str {
        self.with(py, |h| h.mode().name())
    }

    /// Loads Arrow data (PyCapsule producer) for `symbol`; replaces an earlier load of that symbol.
    #[pyo3(signature = (symbol, data, time_column=None))]
    fn load(
        &self,
        py: Python<'_>,
        symbol: &str,
        data: &Bound<'_, PyAny>,
        time_column: Option<&str>,
    ) -> PyResult<()> {
        let frame = frame_from_py(data, time_column)?;
        self.with(py, |h| h.load(symbol, frame)).map_err(py_err)
    }

    /// Loads a CSV, Parquet or Arrow IPC file for `symbol` (the CLI's loader: checks order and types).
    /// The file is remembered by its absolute path, so a fold manifest names a file workers can load. An
    /// object-store URI (`s3://bucket/SPY.parquet`) is fetched into the local cache first.
    fn load_file(&self, py: Python<'_>, symbol: &str, path: std::path::PathBuf) -> PyResult<()> {
        let uri = path.to_str().is_some_and(isolation::is_uri);
        let path = if uri { path } else { std::path::absolute(&path).map_err(py_err)? };
        self.with(py, |h| h.load_path(symbol, path, LoadOptions::default())).map_err(py_err)
    }

    /// Symbols loaded, sorted.
    fn symbols(&self, py: Python<'_>) -> Vec<String> {
        self.with(py, |h| h.symbols().into_iter().map(str::to_string).collect())
    }

    /// Cuts every symbol at one instant: `method` is `ratio` (of all symbols' distinct instants), `date`
    /// (`split_date` in ns: test starts at the first bar at or after it), `index`, or `last` (`last`: test
    /// on the last "250" instants or "30d"). `warmup` ("50" rows or "5d") lets test windows read that much
    /// history. Returns the cut instant (ns) and the warnings.
    #[pyo3(signature = (method, train_ratio=None, split_date=None, split_index=None, last=None, warmup=None, per_symbol=false))]
    #[allow(clippy::too_many_arguments)]
    fn setup_split(
        &self,
        py: Python<'_>,
        method: &str,
        train_ratio: Option<f64>,
        split_date: Option<i64>,
        split_index: Option<usize>,
        last: Option<&str>,
        warmup: Option<&str>,
        per_symbol: bool,
    ) -> PyResult<(Vec<SymbolCut>, Vec<String>)> {
        let args = SplitMethodArgs { method, train_ratio, split_date, split_index, last };
        let spec = SplitSpec::from_method(args).map_err(py_err)?;
        let options = SplitOptions::new().with_warmup(parse_length(warmup)?.unwrap_or_default());
        self.with(py, |handler| {
            let cuts = if per_symbol {
                let cuts = handler.setup_split_per_symbol(spec, options)?;
                cuts.into_iter().map(|(symbol, cut)| (Some(symbol), cut.instant)).collect()
            } else {
                vec![(None, handler.setup_split_with(spec, options)?.instant)]
            };
            let warnings = handler.split_warnings().iter().map(ToString::to_string).collect();
            Ok::<_, isolation::IsolationError>((cuts, warnings))
        })
        .map_err(py_err)
    }

    /// Chooses the split `data` returns: `train`, `test` or `full`.
    fn set_active_split(&self, py: Python<'_>, split: &str) -> PyResult<()> {
        let split = parse_split(split)?;
        self.with(py, |h| h.set_active_split(split)).map_err(py_err)
    }

    /// The active split's name.
    #[getter]
    fn active_split(&self, py: Python<'_>) -> String {
        self.with(py, |h| h.active_split().to_string())
    }

    /// The data of `split` (default: the active one) for `symbol`: a `View`, or in copy-on-write mode a
    /// `CowFrame` whose writes never reach the loaded data.
    #[pyo3(signature = (symbol, split=None))]
    fn data(&self, py: Python<'_>, symbol: &str, split: Option<&str>) -> PyResult<Py<PyAny>> {
        let split = split.map(parse_split).transpose()?;
        let (mut data, split, mode, segment) = self
            .with(py, |h| {
                let split = split.unwrap_or(h.active_split());
                let data = h.data_for(symbol, split)?;
                Ok::<_, isolation::IsolationError>((data, split, h.mode(), h.segment_location(symbol)))
            })
            .map_err(py_err)?;
        if mode == IsolationMode::CopyOnWrite && data.warmup_rows() == 0 {
            let frame = data.cow_mut().map_err(py_err)?.clone();
            return Ok(Py::new(py, CowFrame::from_frame(frame))?.into_any());
        }
        let (frame, warmup) = data.walked_frame();
        let origin = origin_of(segment.as_ref(), &frame);
        Ok(Py::new(py, View::with_origin(frame, warmup, &split.to_string(), mode.name(), origin)?)?
            .into_any())
    }

    /// Row ranges of `symbol`'s split: `{"train": (start, end), "test": (start, end)}`, or None before a
    /// split.
    fn split_ranges(&self, py: Python<'_>, symbol: &str) -> PyResult<Option<(RowRange, RowRange)>> {
        self.with(py, |handler| {
            Ok(handler.split_ranges(symbol)?.map(|r| {
                let (train, test) = (r.range(Split::Train), r.range(Split::Test));
                ((train.start, train.end), (test.start, test.end))
            }))
        })
        .map_err(|e: isolation::IsolationError| py_err(e))
    }

    /// The memory report as JSON (shared buffers counted once) and as the text the CLI prints.
    fn memory_report(&self, py: Python<'_>) -> PyResult<(String, String)> {
        let report = self.with(py, |h| h.memory_report());
        let json = serde_json::to_string(&report).map_err(py_err)?;
        Ok((json, report.to_string()))
    }

    /// `(symbol, segment name)` of each published segment (shared-memory mode): workers attach by name.
    fn segment_names(&self, py: Python<'_>) -> Vec<(String, String)> {
        self.with(py, |h| {
            h.segment_names().into_iter().map(|(s, n)| (s.to_string(), n.to_string())).collect()
        })
    }

    /// Forgets `symbol`; true if it was loaded.
    fn unload(&self, py: Python<'_>, symbol: &str) -> bool {
        self.with(py, |h| h.unload(symbol))
    }

    /// Frees every symbol (and unlinks this handler's segments).
    fn release(&self, py: Python<'_>) {
        self.with(py, DataHandler::release);
    }

    /// Folds over every symbol on one time axis: `kind` is `walk_forward`, `kfold` or `cpcv` and `spec` its
    /// text (`train=90d,test=30d,step=30d`, `k=5,purge=1d,embargo=1d`, `n_folds=6,n_test_folds=2`).
    /// Returns per fold `(index, [(symbol, train views, test views)])`.
    /// `label_end` names each symbol's label-end column and `horizon` a fixed label horizon (purging by
    /// label overlap); `universe_path` or `universe_batches` (pyarrow record batches with symbol, from, to)
    /// restrict folds to members. Each symbol also gets `(purged, embargoed, outside_universe)`, and each
    /// fold the universe's fingerprint.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (kind, spec, warmup=None, label_end=None, horizon=None, cross_sectional=false,
                        universe_path=None, universe_batches=None))]
    fn folds(
        &self,
        py: Python<'_>,
        kind: &str,
        spec: &str,
        warmup: Option<&str>,
        label_end: Option<String>,
        horizon: Option<&str>,
        cross_sectional: bool,
        universe_path: Option<std::path::PathBuf>,
        universe_batches: Option<Vec<PyArrowType<RecordBatch>>>,
    ) -> PyResult<Vec<FoldViews>> {
        let spec = FoldSpec::parse(kind, spec).map_err(py_err)?;
        let options =
            fold_options(warmup, label_end, horizon, cross_sectional, universe_path, universe_batches)?;
        let (folds, mode, segments) = self
            .with(py, |handler| {
                let folds = handler.folds_with(&spec, &options)?.collect::<Result<Vec<_>, _>>()?;
                let segments: Vec<SegmentLocation> =
                    handler.symbols().into_iter().filter_map(|s| handler.segment_location(s)).collect();
                Ok::<_, isolation::IsolationError>((folds, handler.mode().name(), segments))
            })
            .map_err(py_err)?;
        folds.iter().map(|fold| fold_views(fold, mode, &segments)).collect()
    }

    /// The fold manifest (JSON) of the same arguments as `folds`: the spec, each symbol's file and data
    /// fingerprint, and every fold's row ranges, for workers in other processes or on other machines.
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (kind, spec, warmup=None, label_end=None, horizon=None, cross_sectional=false,
                        universe_path=None, universe_batches=None))]
    fn fold_manifest(
        &self,
        py: Python<'_>,
        kind: &str,
        spec: &str,
        warmup: Option<&str>,
        label_end: Option<String>,
        horizon: Option<&str>,
        cross_sectional: bool,
        universe_path: Option<std::path::PathBuf>,
        universe_batches: Option<Vec<PyArrowType<RecordBatch>>>,
    ) -> PyResult<String> {
        let spec = FoldSpec::parse(kind, spec).map_err(py_err)?;
        let options =
            fold_options(warmup, label_end, horizon, cross_sectional, universe_path, universe_batches)?;
        let manifest = self.with(py, |h| h.fold_manifest(&spec, &options)).map_err(py_err)?;
        Ok(manifest.to_json())
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        self.with(py, |handler| {
            format!(
                "DataHandler(mode={}, symbols={:?}, active_split={})",
                handler.mode(),
                handler.symbols(),
                handler.active_split()
            )
        })
    }
}

/// The fold options of `folds`' and `fold_manifest`'s arguments (converted; the rules are the facade's).
fn fold_options(
    warmup: Option<&str>,
    label_end: Option<String>,
    horizon: Option<&str>,
    cross_sectional: bool,
    universe_path: Option<std::path::PathBuf>,
    universe_batches: Option<Vec<PyArrowType<RecordBatch>>>,
) -> PyResult<FoldOptions> {
    let args = FoldArgs {
        warmup: parse_length(warmup)?,
        label_end,
        horizon: parse_length(horizon)?,
        cross_sectional,
        universe_path,
        universe_batches: universe_batches.map(|b| b.into_iter().map(|b| b.0).collect()),
    };
    args.build().map_err(py_err)
}

/// A fold as Python gets it: per symbol its train and test views (each keeping its warm-up rows as
/// history) and `(purged, embargoed, outside_universe)`, and the universe's fingerprint. Views whose rows
/// lie in one of `segments` pickle as that segment's name and rows.
pub(crate) fn fold_views(
    fold: &isolation::FoldData,
    mode: &str,
    segments: &[SegmentLocation],
) -> PyResult<FoldViews> {
    let views = |pieces: &[isolation::FoldSegment], split: &str| -> PyResult<Vec<View>> {
        (pieces.iter())
            .map(|s| {
                let frame = s.data.to_frame();
                let origin = segments.iter().find_map(|segment| origin_of(Some(segment), &frame));
                View::with_origin(frame, s.warmup_rows, split, mode, origin)
            })
            .collect()
    };
    let symbols = (fold.symbols.iter().zip(&fold.plan.symbols))
        .map(|(s, p)| {
            let report = (p.n_purged(), p.n_embargoed(), p.outside_universe);
            Ok((s.symbol.clone(), views(&s.train, "train")?, views(&s.test, "test")?, report))
        })
        .collect::<PyResult<Vec<_>>>()?;
    Ok((fold.index, symbols, fold.plan.universe.clone()))
}

/// Where `frame`'s rows lie in `segment`, if they are a run of its mapped rows.
pub(crate) fn origin_of(segment: Option<&SegmentLocation>, frame: &isolation::TimeFrame) -> Option<Origin> {
    let segment = segment?;
    let start = segment.start_of(frame.timestamps())?;
    Some(Origin { name: segment.name.clone(), dir: segment.dir.clone(), start })
}
