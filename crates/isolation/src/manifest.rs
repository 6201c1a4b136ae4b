//! `FoldManifest`: a study's folds as a small JSON document (spec, per-symbol data fingerprints, row
//! ranges and their instants) that any worker, in any process or on any machine, turns into the same views.

use std::ops::Range;

use isolation_core::{IsolationError, TestWithWarmup};
use serde::{Deserialize, Serialize};
use timeseries_array::{TimeFrame, format_timestamp};

use crate::{FoldSpec, LabelEnds, PlannedFold, SymbolFold};

/// The manifest format this library writes and reads (2: with [`FoldManifest::checksum`]).
pub const MANIFEST_FORMAT: u32 = 2;

/// A planned study: what to cut, from which data, and every fold's row ranges per symbol.
///
/// Write it once where the study is planned ([`crate::DataHandler::fold_manifest`], `isolation folds ...
/// --manifest FILE`), hand it to workers, and each worker loads the same sources and asks for a fold
/// ([`crate::DataHandler::manifest_fold`]): it gets exactly the views a single-process run would make, or,
/// if its data differs from the data the study was planned on, an error naming the symbol and both
/// fingerprints.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoldManifest {
    /// The manifest format ([`MANIFEST_FORMAT`]).
    pub format: u32,
    /// The version of `isolation` that wrote it.
    pub library_version: String,
    /// The scheme: `walk_forward`, `kfold` or `cpcv`.
    pub kind: String,
    /// The spec as text (`train=90d,test=30d`, `k=5,embargo=1d`, ...).
    pub spec: String,
    /// Warm-up before each test block, as text (`50`, `5d`).
    pub warmup: String,
    /// Label ends purged by: `column:NAME` or `horizon:LENGTH`.
    pub labels: Option<String>,
    /// Whether purging was cross-sectional.
    pub cross_sectional: bool,
    /// The fingerprint of the universe table the folds were restricted to.
    pub universe: Option<String>,
    /// Per symbol, sorted: where its data came from and what it held.
    pub sources: Vec<ManifestSource>,
    /// The folds, in schedule order.
    pub folds: Vec<ManifestFold>,
    /// `xxh3:` and the XXH3-64 of everything above (the manifest's compact JSON with this field empty):
    /// an edit of the plan that leaves every range valid (a train range moved by a day) is still refused.
    pub checksum: String,
}

/// One symbol's data as the study saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSource {
    /// The symbol.
    pub symbol: String,
    /// The file it was registered from, if any (frames loaded in memory have none).
    pub path: Option<String>,
    /// [`TimeFrame::fingerprint`] of its frame.
    pub fingerprint: String,
    /// Rows.
    pub rows: usize,
    /// Value columns and their types (`close: f64`).
    pub columns: Vec<String>,
}

/// One fold of a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFold {
    /// Position in the schedule.
    pub index: usize,
    /// Per symbol taking part.
    pub symbols: Vec<ManifestSymbolFold>,
}

/// One symbol's rows in one fold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestSymbolFold {
    /// The symbol.
    pub symbol: String,
    /// Train pieces.
    pub train: Vec<RowSpan>,
    /// Test pieces, each with its warm-up rows before it.
    pub test: Vec<TestSpanRows>,
}

/// A range of rows with the instants of its first and last row (ISO 8601), for people reading the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowSpan {
    /// The rows.
    pub rows: Range<usize>,
    /// First row's timestamp.
    pub first: Option<String>,
    /// Last row's timestamp.
    pub last: Option<String>,
}

/// Test rows with their warm-up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestSpanRows {
    /// Warm-up rows just before the test rows.
    pub warmup: Range<usize>,
    /// The test rows.
    pub test: RowSpan,
}

impl FoldManifest {
    /// The manifest of `plan` (laid with `spec` and `labels`/`warmup`/... over `frames`, sorted by symbol,
    /// each with the file it came from, if any, and its fingerprint).
    pub(crate) fn new(
        spec: &FoldSpec,
        options: &crate::FoldOptions,
        frames: &[(&str, &TimeFrame, Option<String>, &str)],
        plan: &[PlannedFold],
    ) -> Self {
        let sources = frames
            .iter()
            .map(|(symbol, frame, path, fingerprint)| ManifestSource {
                symbol: symbol.to_string(),
                path: path.clone(),
                fingerprint: fingerprint.to_string(),
                rows: frame.n_rows(),
                columns: (frame.column_names().iter().enumerate())
                    .map(|(i, name)| format!("{name}: {}", frame.value_type(i).name()))
                    .collect(),
            })
            .collect();
        let frame_of = |symbol: &str| frames.iter().find(|(s, ..)| *s == symbol).map(|(_, f, ..)| *f);
        let folds = plan
            .iter()
            .map(|fold| ManifestFold {
                index: fold.index,
                symbols: (fold.symbols.iter())
                    .map(|s| symbol_fold(s, frame_of(&s.symbol).expect("planned from these frames")))
                    .collect(),
            })
            .collect();
        Self {
            format: MANIFEST_FORMAT,
            library_version: env!("CARGO_PKG_VERSION").to_string(),
            kind: spec.kind().to_string(),
            spec: spec.to_string(),
            warmup: options.warmup.to_string(),
            labels: options.labels.as_ref().map(|labels| match labels {
                LabelEnds::Column(name) => format!("column:{name}"),
                LabelEnds::Horizon(length) => format!("horizon:{length}"),
            }),
            cross_sectional: options.cross_sectional,
            universe: options.universe.as_ref().map(|u| u.fingerprint()),
            sources,
            folds,
            checksum: String::new(),
        }
        .signed()
    }

    /// The manifest with its checksum set.
    fn signed(mut self) -> Self {
        self.checksum = self.plan_checksum();
        self
    }

    /// The checksum of the plan: XXH3-64 of the compact JSON with an empty `checksum`.
    fn plan_checksum(&self) -> String {
        let unsigned = Self { checksum: String::new(), ..self.clone() };
        let json = serde_json::to_string(&unsigned).expect("a manifest always serializes");
        format!("xxh3:{:016x}", twox_hash::XxHash3_64::oneshot(json.as_bytes()))
    }

    /// The manifest as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a manifest always serializes")
    }

    /// A manifest from its JSON.
    ///
    /// # Errors
    ///
    /// [`IsolationError::Manifest`] for JSON that is not a manifest, one of another format, one whose
    /// checksum does not match its plan (edited or damaged), or one whose row ranges no planner writes: a symbol without a source, a range reversed or past the symbol's
    /// rows, warm-up rows not just before their test rows, or train rows inside test rows.
    pub fn from_json(json: &str) -> Result<Self, IsolationError> {
        let invalid = |e: serde_json::Error| IsolationError::Manifest { reason: e.to_string() };
        // The format first: a manifest of another format may lack fields this one has.
        #[derive(Deserialize)]
        struct Format {
            format: u32,
        }
        let Format { format } = serde_json::from_str(json).map_err(invalid)?;
        if format != MANIFEST_FORMAT {
            let reason = format!("format {format} (this library reads {MANIFEST_FORMAT})");
            return Err(IsolationError::Manifest { reason });
        }
        let manifest: FoldManifest = serde_json::from_str(json).map_err(invalid)?;
        let computed = manifest.plan_checksum();
        if manifest.checksum != computed {
            let reason = format!(
                "its plan does not match its checksum (recorded `{}`, computed `{computed}`): the file was edited \
                 or damaged after it was written; plan the study again",
                timeseries_array::printable(&manifest.checksum)
            );
            return Err(IsolationError::Manifest { reason });
        }
        manifest.check_rows().map_err(|reason| IsolationError::Manifest { reason })?;
        Ok(manifest)
    }

    /// Refuses row ranges a planner cannot have written (a damaged or edited file), so a worker never cuts
    /// outside a symbol's rows or hands test rows to train.
    fn check_rows(&self) -> Result<(), String> {
        for fold in &self.folds {
            for symbol in &fold.symbols {
                let at = |what: &str| format!("fold {}, `{}`: {what}", fold.index, symbol.symbol);
                let rows = self.source(&symbol.symbol).ok_or_else(|| at("not among the sources"))?.rows;
                let within = |r: &Range<usize>, what: &str| {
                    if r.start <= r.end && r.end <= rows {
                        Ok(())
                    } else {
                        Err(at(&format!("{what} rows {}..{} outside 0..{rows}", r.start, r.end)))
                    }
                };
                for train in &symbol.train {
                    within(&train.rows, "train")?;
                }
                for test in &symbol.test {
                    within(&test.test.rows, "test")?;
                    within(&test.warmup, "warm-up")?;
                    if test.warmup.end != test.test.rows.start {
                        return Err(at("warm-up rows do not end where their test rows start"));
                    }
                    let overlaps =
                        |t: &RowSpan| t.rows.start < test.test.rows.end && test.test.rows.start < t.rows.end;
                    if symbol.train.iter().any(overlaps) {
                        return Err(at("train rows overlap test rows"));
                    }
                }
            }
        }
        Ok(())
    }

    /// The source of `symbol`.
    pub fn source(&self, symbol: &str) -> Option<&ManifestSource> {
        self.sources.iter().find(|s| s.symbol == symbol)
    }

    /// Fold `index` as a plan of row ranges (what [`crate::DataHandler::manifest_fold`] makes data from).
    pub(crate) fn planned(&self, index: usize) -> Option<PlannedFold> {
        let fold = self.folds.iter().find(|f| f.index == index)?;
        let symbols = fold
            .symbols
            .iter()
            .map(|s| SymbolFold {
                symbol: s.symbol.clone(),
                train: s.train.iter().map(|t| t.rows.clone()).collect(),
                test: (s.test.iter())
                    .map(|t| TestWithWarmup { warmup: t.warmup.clone(), test: t.test.rows.clone() })
                    .collect(),
                purged: Vec::new(),
                outside_universe: 0,
            })
            .collect();
        Some(PlannedFold { index, symbols, skipped: Vec::new(), universe: self.universe.clone() })
    }
}

fn symbol_fold(fold: &SymbolFold, frame: &TimeFrame) -> ManifestSymbolFold {
    let span = |rows: &Range<usize>| {
        let at = |row: usize| frame.timestamps().get(row).map(|&t| format_timestamp(t));
        RowSpan { rows: rows.clone(), first: at(rows.start), last: rows.end.checked_sub(1).and_then(at) }
    };
    ManifestSymbolFold {
        symbol: fold.symbol.clone(),
        train: fold.train.iter().map(span).collect(),
        test: fold
            .test
            .iter()
            .map(|t| TestSpanRows { warmup: t.warmup.clone(), test: span(&t.test) })
            .collect(),
    }
}
