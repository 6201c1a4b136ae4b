//! One measurement child: synthetic bars, a 70/30 split in one mode through `DataHandler`, a cursor walk,
//! and every figure of the run as one JSON line on stdout.

use std::time::Duration;

use anyhow::{Context, Result};
use isolation::{DataHandler, IsolationMode, Split, SplitData, SplitSpec};
use memtrack::Ledger;
use serde::{Deserialize, Serialize};

use crate::measure::{Delta, Repeat, Snapshot, median_ns, once_ms, peak_rss_bytes};
use isolation::synthetic;
use isolation_benches::read_path::{
    legacy_walk, random_positions, raw_walk, raw_window_at, typed_walk, window_at,
};

/// What one child measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChildSpec {
    /// The isolation mode.
    pub mode: IsolationMode,
    /// Bars to generate.
    pub rows: usize,
    /// Walk the train split with a cursor (and a raw loop, and `window(50)`) after the setup.
    pub walk: bool,
    /// Time budget of each repeated timing (at least 3 runs, or 1 when the first setup took longer).
    pub budget: Duration,
}

/// Every figure of one child's run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunResult {
    /// The mode's name (`deep-copy`, `view`, `cow`, `shm`).
    pub mode: String,
    /// Bars in the dataset.
    pub rows: usize,
    /// Bytes of the generated frame's allocations.
    pub dataset_bytes: u64,
    /// True when the child was an optimised build (timings of a debug build mean little).
    pub release_build: bool,
    /// Generating the bars, once.
    pub generate_ms: f64,
    /// `DataHandler::load` plus the first `setup_split`, once, cold (shm: includes publishing the segment).
    pub first_setup_ms: f64,
    /// `DataHandler::load` alone, once (shm: publish and attach).
    pub load_ms: f64,
    /// Median of repeated `setup_split(Ratio(0.7))`: the split setup itself, per mode (warm: the first
    /// run replaces the split made during the load).
    pub split_setup_ns: f64,
    /// Median of repeated `isolation_shm::attach` of the handler's segment (shm mode only): validates
    /// every timestamp's order, O(rows).
    pub attach_ns: Option<f64>,
    /// The same with `AttachOptions::trust_published_order(true)`: our publisher checked the order, so
    /// attaching is O(columns).
    pub attach_trusted_ns: Option<f64>,
    /// Heap the first load and split allocated and still hold (counting allocator).
    pub setup_heap_net_bytes: i64,
    /// Highest extra heap during the first load and split.
    pub setup_heap_peak_bytes: u64,
    /// Bytes of shared-memory segments the setup wrote (shm mode only; tmpfs pages, not heap).
    pub shm_segment_bytes: u64,
    /// What isolation added: heap the setup still holds plus shared-memory segments it wrote.
    pub extra_bytes: u64,
    /// Ledger over base, train and test: bytes held by exactly one of them.
    pub ledger_owned_bytes: u64,
    /// Ledger over base, train and test: bytes held by several (counted once).
    pub ledger_shared_bytes: u64,
    /// Ledger over base, train and test: bytes of mapped memory (shm segments).
    pub ledger_mapped_bytes: u64,
    /// Sum of base, train and test sizes as a naive report would add them.
    pub ledger_naive_bytes: u64,
    /// The process after generating the bars, before any isolation.
    pub baseline: Snapshot,
    /// Growth from the baseline to after the first setup.
    pub setup_delta: Delta,
    /// Growth from the baseline to after the walk (equal to `setup_delta` without a walk).
    pub walk_delta: Delta,
    /// Highest RSS of the child over its whole run (`VmHWM`; includes the repeated timings).
    pub peak_rss_bytes: u64,
    /// The cursor walk, when asked for.
    pub walk: Option<WalkResult>,
}

/// Cursor iteration over the train split against a raw loop over the same column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct WalkResult {
    /// Bars walked.
    pub bars: usize,
    /// `current` + `bar.get(&close)` (a typed handle) + `advance`, per bar (best of 5).
    pub cursor_ns_per_bar: f64,
    /// The old path: `current` + `bar.value(close_idx)` (a dynamic call and a type match) + `advance`.
    pub legacy_ns_per_bar: f64,
    /// A `for` loop over the close column as `&[f64]`, per value (best of 5).
    pub raw_ns_per_bar: f64,
    /// Speed of the typed cursor walk as a fraction of the raw loop's (`raw / cursor` time; 1.0 = as fast).
    pub cursor_vs_raw: f64,
    /// The same for the old `Bar::value` path.
    pub legacy_vs_raw: f64,
    /// Copy-on-write only: `cursor_vs_raw` after a write into every other chunk of `close`, so that the
    /// handle reads a mix of copied chunks and base rows.
    pub written_cursor_vs_raw: Option<f64>,
    /// The `u32` volume column walked through its typed handle: heap allocated during the walk.
    pub volume_walk_heap_bytes: u64,
    /// Random positions the window benchmark visits.
    pub window_positions: usize,
    /// `seek` + `window(50).values(&close)` + mean, per position.
    pub window50_ns: f64,
    /// A raw slice of the same 50 values + mean, per position.
    pub raw_window50_ns: f64,
    /// `window50_ns / raw_window50_ns` (time; 1.0 = as fast).
    pub window_over_raw: f64,
}

/// The symbol every child loads its bars under.
const SYMBOL: &str = "SYN";
/// Random positions the `window(50)` benchmark reads.
const WINDOW_POSITIONS: usize = 10_000;

/// Runs one measurement; see [`RunResult`].
///
/// # Errors
///
/// Any error of the handler (a mode this build lacks, no room in `/dev/shm`).
pub(crate) fn run(spec: ChildSpec) -> Result<RunResult> {
    let (frame, generate_ms) = once_ms(|| synthetic::bars(spec.rows, 0x5EED, 0));
    let dataset_bytes = frame.footprint().total_bytes();
    let baseline = Snapshot::now();

    let mut handler = DataHandler::new(spec.mode);
    let (((load_ms, split_result), first_setup_ms), heap) = memtrack::alloc::measure(|| {
        once_ms(|| {
            let (loaded, load_ms) = once_ms(|| handler.load(SYMBOL, frame.clone()));
            (load_ms, loaded.and_then(|()| handler.setup_split(SplitSpec::Ratio(0.7))))
        })
    });
    split_result.with_context(|| format!("setting up a {} split of {} rows", spec.mode, spec.rows))?;
    let after_setup = Snapshot::now();

    let segment = handler.segment_names().first().map(|(_, name)| name.to_string());
    let shm_segment_bytes = segment.as_deref().map_or(0, segment_bytes);

    let (summary, walk) = {
        let train = handler.data_for(SYMBOL, Split::Train)?;
        let test = handler.data_for(SYMBOL, Split::Test)?;
        let mut ledger = Ledger::new();
        ledger.add("base", |set| handler.base(SYMBOL).expect("loaded").add_buffers_to(set));
        ledger.add("train", |set| train.add_buffers_to(set));
        ledger.add("test", |set| test.add_buffers_to(set));
        let walk = if spec.walk { Some(walk(&train)?) } else { None };
        (ledger.summary(), walk)
        // `train` and `test` drop here, so the repeated setups below hold at most two splits at once.
    };
    let after_walk = Snapshot::now();

    // Repeated timings last: a deep copy made and freed many times leaves freed pages in the allocator's
    // cache, which would blur the memory figures above. A setup slower than the budget is repeated once
    // only (a 4 GB deep copy made three more times proves nothing more and needs the RAM of two).
    let min_runs = if first_setup_ms > spec.budget.as_secs_f64() * 1e3 { 1 } else { 3 };
    let repeat = Repeat { min_runs, max_runs: 1001, budget: spec.budget };
    let split_setup_ns = median_ns(repeat, || handler.setup_split(SplitSpec::Ratio(0.7)));
    let attach_ns = segment.as_deref().map(|name| median_ns(repeat, || isolation_shm::attach(name)));
    let trusted = isolation_shm::AttachOptions::new().trust_published_order(true);
    let attach_trusted_ns = segment.as_deref().map(|name| median_ns(repeat, || trusted.attach(name)));
    let setup_heap_net_bytes = heap.net_bytes;
    Ok(RunResult {
        mode: spec.mode.name().to_string(),
        rows: spec.rows,
        dataset_bytes,
        release_build: !cfg!(debug_assertions),
        generate_ms,
        first_setup_ms,
        load_ms,
        split_setup_ns,
        attach_ns,
        attach_trusted_ns,
        setup_heap_net_bytes,
        setup_heap_peak_bytes: heap.peak_extra_bytes,
        shm_segment_bytes,
        extra_bytes: setup_heap_net_bytes.max(0) as u64 + shm_segment_bytes,
        ledger_owned_bytes: summary.total.owned_bytes,
        ledger_shared_bytes: summary.total.shared_bytes,
        ledger_mapped_bytes: summary.total.mapped_bytes,
        ledger_naive_bytes: summary.naive_total_bytes,
        baseline,
        setup_delta: after_setup.minus(&baseline),
        walk_delta: after_walk.minus(&baseline),
        peak_rss_bytes: peak_rss_bytes(),
        walk,
    })
}

/// Size of segment `name`: the bytes an attach maps (sealed memfd segments have no file of their size in
/// `/dev/shm`, only a locator, so the file's length would say almost nothing), or 0 if it cannot be attached.
fn segment_bytes(name: &str) -> u64 {
    isolation_shm::AttachOptions::new()
        .trust_published_order(true)
        .attach(name)
        .map_or(0, |attached| attached.mapped_bytes())
}

/// Walks `data` with a typed cursor, the old `Bar::value` path and a raw loop (best of five alternating
/// runs each), then reads `window(50)` at random positions against raw slices.
fn walk(data: &SplitData) -> Result<WalkResult> {
    let close_idx = data.column_index("close")?;
    let column = data.column_f64(close_idx, 0..data.n_rows())?;
    let bars = data.n_rows().max(1) as f64;
    let best = |f: &mut dyn FnMut() -> f64| {
        (0..5).map(|_| once_ms(|| std::hint::black_box(f())).1 * 1e6).fold(f64::MAX, f64::min) / bars
    };
    let (mut cursor_ns, mut legacy_ns, mut raw_ns) = (f64::MAX, f64::MAX, f64::MAX);
    for _ in 0..3 {
        cursor_ns = cursor_ns.min(best(&mut || typed_walk(data)));
        legacy_ns = legacy_ns.min(best(&mut || legacy_walk(data, close_idx)));
        raw_ns = raw_ns.min(best(&mut || raw_walk(std::hint::black_box(column.as_ref()))));
    }
    let written_cursor_vs_raw = if data.mode() == IsolationMode::CopyOnWrite {
        let mut written = data.clone();
        let frame = written.cow_mut()?;
        let chunk_rows = frame.config().chunk_rows();
        for row in (0..frame.n_rows()).step_by(2 * chunk_rows) {
            let value = frame.get(close_idx, row)?.unwrap_or(0.0);
            frame.set_value(close_idx, row, value)?; // the same value: copies the chunk, changes nothing
        }
        let written_ns = (0..3).map(|_| best(&mut || typed_walk(&written))).fold(f64::MAX, f64::min);
        Some(raw_ns / written_ns.max(f64::MIN_POSITIVE))
    } else {
        None
    };
    let volume = data.column::<u32>("volume")?;
    let (volume_sum, heap) = memtrack::alloc::measure(|| {
        let mut cursor = data.cursor();
        let mut sum = 0_u64;
        while let Some(bar) = cursor.current() {
            sum += u64::from(bar.get(&volume));
            cursor.advance();
        }
        sum
    });
    std::hint::black_box(volume_sum);
    let positions = random_positions(data.n_rows(), WINDOW_POSITIONS);
    let (mut window_ns, mut raw_window_ns) = (f64::MAX, f64::MAX);
    for _ in 0..5 {
        window_ns = window_ns.min(once_ms(|| std::hint::black_box(window_at(data, &positions))).1 * 1e6);
        let raw = std::hint::black_box(column.as_ref());
        raw_window_ns =
            raw_window_ns.min(once_ms(|| std::hint::black_box(raw_window_at(raw, &positions))).1 * 1e6);
    }
    let n_positions = positions.len().max(1) as f64;
    let (window50_ns, raw_window50_ns) = (window_ns / n_positions, raw_window_ns / n_positions);
    Ok(WalkResult {
        bars: data.n_rows(),
        cursor_ns_per_bar: cursor_ns,
        legacy_ns_per_bar: legacy_ns,
        raw_ns_per_bar: raw_ns,
        cursor_vs_raw: raw_ns / cursor_ns.max(f64::MIN_POSITIVE),
        legacy_vs_raw: raw_ns / legacy_ns.max(f64::MIN_POSITIVE),
        written_cursor_vs_raw,
        volume_walk_heap_bytes: heap.allocated_bytes,
        window_positions: positions.len(),
        window50_ns,
        raw_window50_ns,
        window_over_raw: window50_ns / raw_window50_ns.max(f64::MIN_POSITIVE),
    })
}
