//! Shared memory across processes: a publisher child writes one segment, N worker processes attach and
//! walk all of it, and the PSS of every process is summed while all of them are alive.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Stdio};

use anyhow::{Context, Result, bail};
use isolation::view::DataView;
use isolation::{Cursor, IsolatedData, Split};
use memtrack::SmapsRollup;
use serde::{Deserialize, Serialize};

use crate::measure::once_ms;
use crate::process::command;
use isolation::synthetic;

/// Total memory of a publisher and its attached workers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SharedResult {
    /// Bars in the dataset.
    pub rows: usize,
    /// Bytes of the frame's allocations before publishing.
    pub dataset_bytes: u64,
    /// Bytes of the segment file (Arrow IPC with 64-byte padding).
    pub segment_bytes: u64,
    /// Worker processes that attached.
    pub workers: usize,
    /// Publishing the segment, once.
    pub publish_ms: f64,
    /// Slowest worker's attach, in milliseconds.
    pub max_attach_ms: f64,
    /// Slowest worker's walk over every value of every column, in milliseconds.
    pub max_walk_ms: f64,
    /// PSS of the publisher plus all workers, taken while all are alive.
    pub total_pss_bytes: u64,
    /// The shared-memory part of that PSS (`Pss_Shmem`): the segment's pages, divided among the mappers.
    pub total_pss_shmem_bytes: u64,
    /// RSS summed over the same processes: what a naive monitor would add up.
    pub total_rss_bytes: u64,
    /// Largest USS of one worker: what one more worker costs.
    pub max_worker_uss_bytes: u64,
    /// `total_pss_bytes / dataset_bytes` (target <= 1.1 for datasets far larger than a process).
    pub pss_over_dataset: f64,
}

/// What a worker reports once it has attached and walked the segment.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct WorkerReady {
    attach_ms: f64,
    walk_ms: f64,
    checksum: f64,
}

/// Publishes `rows` bars, starts `workers` copies of `exe` as `bench-worker <segment>`, and sums PSS.
///
/// # Errors
///
/// Publishing, starting or talking to a worker failed.
pub(crate) fn run(exe: &Path, rows: usize, workers: usize) -> Result<SharedResult> {
    let frame = synthetic::bars(rows, 0x5EED, 0);
    let dataset_bytes = frame.footprint().total_bytes();
    let name = format!("xtask-bench-{}", std::process::id());
    let (publisher, publish_ms) = once_ms(|| isolation_shm::publish(&name, &frame));
    let publisher = publisher.with_context(|| format!("publishing segment {name}"))?;
    // The heap copy is gone from here on: only the segment holds the data.
    drop(frame);

    let mut children: Vec<Child> = (0..workers)
        .map(|_| {
            command(exe)
                .args(["bench-worker", &name])
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .with_context(|| format!("starting worker {}", exe.display()))
        })
        .collect::<Result<_>>()?;
    let mut ready = Vec::with_capacity(workers);
    for child in &mut children {
        let stdout = child.stdout.take().context("worker stdout is piped")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).context("reading a worker's report")?;
        let report: WorkerReady = serde_json::from_str(line.trim())
            .with_context(|| format!("worker {} reported {line:?}", child.id()))?;
        ready.push(report);
    }

    // Every worker is alive and has touched every page: measure all processes now.
    let mut pids: Vec<u32> = children.iter().map(Child::id).collect();
    pids.push(std::process::id());
    let figures: Vec<SmapsRollup> = pids.iter().filter_map(|&pid| SmapsRollup::of_pid(pid)).collect();
    if figures.len() != pids.len() {
        bail!("smaps_rollup is unreadable for some of the processes {pids:?}");
    }
    let max_worker_uss_bytes = figures[..workers].iter().map(|f| f.uss_bytes).max().unwrap_or_default();
    for mut child in children {
        drop(child.stdin.take()); // end of input: the worker exits
        let status = child.wait().context("waiting for a worker")?;
        if !status.success() {
            bail!("worker {} failed: {status}", child.id());
        }
    }
    let total_pss_bytes = figures.iter().map(|f| f.pss_bytes).sum();
    Ok(SharedResult {
        rows,
        dataset_bytes,
        segment_bytes: publisher.size_bytes(),
        workers,
        publish_ms,
        max_attach_ms: ready.iter().map(|r| r.attach_ms).fold(0.0, f64::max),
        max_walk_ms: ready.iter().map(|r| r.walk_ms).fold(0.0, f64::max),
        total_pss_bytes,
        total_pss_shmem_bytes: figures.iter().filter_map(|f| f.pss_shmem_bytes).sum(),
        total_rss_bytes: figures.iter().map(|f| f.rss_bytes).sum(),
        max_worker_uss_bytes,
        pss_over_dataset: total_pss_bytes as f64 / dataset_bytes.max(1) as f64,
    })
}

/// A worker: attaches `segment`, reads every value of every column through a cursor, reports on stdout,
/// then stays alive (so the publisher can measure all processes together) until its stdin closes.
///
/// # Errors
///
/// Attaching failed, or the publisher went away before reading the report.
pub(crate) fn worker(segment: &str) -> Result<()> {
    // Our publisher checked the timestamp order: attaching trusts it and stays O(columns).
    let options = isolation_shm::AttachOptions::new().trust_published_order(true);
    let (attached, attach_ms) = once_ms(|| options.attach(segment));
    let attached = attached.with_context(|| format!("attaching segment {segment}"))?;
    let frame = attached.frame();
    let view = DataView::new(frame, 0..frame.n_rows(), Split::Full)?;
    let columns = view.column_names().len();
    let (checksum, walk_ms) = once_ms(|| {
        let mut sum = 0.0;
        let mut cursor = Cursor::new(&view);
        while let Some(bar) = cursor.current() {
            sum += bar.timestamp() as f64;
            sum += (0..columns).map(|c| bar.value(c).unwrap_or(0.0)).sum::<f64>();
            cursor.advance();
        }
        sum
    });
    let report = WorkerReady { attach_ms, walk_ms, checksum };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{}", serde_json::to_string(&report)?)?;
    stdout.flush()?;
    let mut rest = Vec::new();
    std::io::stdin().read_to_end(&mut rest).context("waiting for the publisher")?;
    Ok(())
}
