//! `isolation demo`: split synthetic bars in each mode, run the strategy on train and test, and measure.

use std::time::Instant;

use anyhow::Context;
use isolation::{BufferSet, DataHandler, IsolationMode, ProcessMemory, Split, SplitSpec};
use serde::Serialize;

use crate::strategy::{Crossover, combine_checksum};
use crate::synthetic::{SyntheticBars, generate};

/// What the demo runs.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoConfig {
    /// The synthetic data.
    pub bars: SyntheticBars,
    /// Modes to run, in order.
    pub modes: Vec<IsolationMode>,
    /// Share of each symbol's bars in train.
    pub train_ratio: f64,
    /// Worker processes to start in shared-memory mode, and how to run `isolation worker`.
    pub workers: Option<(usize, crate::workers::SelfCommand)>,
}

/// One mode's figures. Serialised as one JSON object per mode (`--json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModeResult {
    /// The mode.
    pub mode: IsolationMode,
    /// Wall time to load every symbol into a handler and set up the split, nanoseconds.
    pub setup_ns: u64,
    /// Bytes only the split data keeps alive (copies, chunks, bookkeeping), over all symbols. In
    /// copy-on-write mode this includes the chunks the write step copied (one per written column and
    /// symbol), not the derived columns it added (see `write_step`).
    pub owned_bytes: u64,
    /// Bytes the split data shares with the loaded frames or other processes, each allocation once.
    pub shared_bytes: u64,
    /// Change of the process's resident set size across the setup, bytes (may be negative).
    pub rss_delta_bytes: i64,
    /// Train bars over all symbols.
    pub train_rows: usize,
    /// Test bars over all symbols.
    pub test_rows: usize,
    /// Bars walked by the strategy per second of wall time, train and test together.
    pub bars_per_sec: f64,
    /// A hash of every (symbol, split) strategy outcome: equal across modes when isolation is correct.
    pub checksum: u64,
    /// Proportional set size of this process after setup, bytes (Linux only; null elsewhere).
    pub pss_bytes: Option<u64>,
    /// Unique set size (private memory) of this process after setup, bytes (Linux only; null elsewhere).
    pub uss_bytes: Option<u64>,
    /// What the copy-on-write write step cost (copy-on-write mode only).
    pub write_step: Option<WriteStepResult>,
    /// Worker processes' reports (shared-memory mode with `--workers` only).
    pub workers: Vec<crate::workers::WorkerReport>,
}

/// What the copy-on-write write step cost; see [`crate::cow_step`].
#[cfg(feature = "cow")]
pub type WriteStepResult = crate::cow_step::WriteStep;
/// What the copy-on-write write step cost (this build has no copy-on-write mode).
#[cfg(not(feature = "cow"))]
pub type WriteStepResult = ();

/// Runs every configured mode over the same synthetic bars.
///
/// # Errors
///
/// A mode this build cannot make, or a split the data cannot take.
pub fn run_demo(config: &DemoConfig) -> anyhow::Result<Vec<ModeResult>> {
    let frames = generate(&config.bars);
    config.modes.iter().map(|&mode| run_mode(mode, &frames, config)).collect()
}

fn run_mode(
    mode: IsolationMode,
    frames: &[(String, isolation::TimeFrame)],
    config: &DemoConfig,
) -> anyhow::Result<ModeResult> {
    let train_ratio = config.train_ratio;
    let rss_before = ProcessMemory::current().map_or(0, |m| m.rss_bytes as i64);
    let started = Instant::now();
    let mut handler = DataHandler::new(mode);
    for (symbol, frame) in frames {
        handler.load(symbol, frame.clone())?;
    }
    handler.setup_split(SplitSpec::Ratio(train_ratio)).with_context(|| format!("setting up mode {mode}"))?;
    let setup_ns = started.elapsed().as_nanos() as u64;
    let after_setup = ProcessMemory::current();
    let rss_delta_bytes = after_setup.map_or(0, |m| m.rss_bytes as i64) - rss_before;

    let (mut owned_bytes, mut shared) = (0, BufferSet::new());
    let (mut train_rows, mut test_rows, mut bars) = (0, 0, 0);
    let mut checksum = 0_u64;
    let strategy = Crossover::default();
    let walk_started = Instant::now();
    for symbol in handler.symbols() {
        for split in [Split::Train, Split::Test] {
            let data = handler.data_for(symbol, split)?;
            owned_bytes += data.footprint().owned_bytes;
            data.add_buffers_to(&mut shared);
            let outcome = strategy.run(data.as_ref())?;
            bars += outcome.bars;
            match split {
                Split::Train => train_rows += data.n_rows(),
                _ => test_rows += data.n_rows(),
            }
            checksum = combine_checksum(checksum, &outcome);
        }
    }
    let walk_secs = walk_started.elapsed().as_secs_f64().max(1e-9);
    let write_step = write_step(mode, &handler)?;
    #[cfg(feature = "cow")]
    if let Some(step) = &write_step {
        owned_bytes += step.patched_bytes;
    }
    let workers = match (&config.workers, mode) {
        #[cfg(feature = "shm")]
        (Some((n, exe)), IsolationMode::SharedMemory) if *n > 0 => {
            let segments: Vec<String> =
                handler.segment_names().iter().map(|(_, name)| name.to_string()).collect();
            crate::workers::spawn_workers(exe, &segments, train_ratio, *n)?
        }
        _ => Vec::new(),
    };
    Ok(ModeResult {
        mode,
        setup_ns,
        owned_bytes,
        shared_bytes: shared.footprint().shared_bytes,
        rss_delta_bytes,
        train_rows,
        test_rows,
        bars_per_sec: bars as f64 / walk_secs,
        checksum,
        pss_bytes: after_setup.and_then(|m| m.pss_bytes()),
        uss_bytes: after_setup.and_then(|m| m.uss_bytes()),
        write_step,
        workers,
    })
}

#[cfg(feature = "cow")]
fn write_step(mode: IsolationMode, handler: &DataHandler) -> anyhow::Result<Option<WriteStepResult>> {
    Ok(if mode == IsolationMode::CopyOnWrite {
        Some(crate::cow_step::run_write_step(handler)?)
    } else {
        None
    })
}

#[cfg(not(feature = "cow"))]
fn write_step(_mode: IsolationMode, _handler: &DataHandler) -> anyhow::Result<Option<WriteStepResult>> {
    Ok(None)
}
