//! The report of `cargo xtask bench`: every child's figures, the scaling series and its O(1) checks, the
//! shared-memory run, and the machine they were measured on.

use serde::{Deserialize, Serialize};

use crate::child::RunResult;
use crate::copy::CopyComparison;
use crate::workers::SharedResult;

/// Largest-to-smallest time ratio an O(1) operation may show across the scaling series.
pub(crate) const FLAT_RATIO_LIMIT: f64 = 1.5;
/// Total PSS of publisher and workers over the dataset's bytes that the shared-memory run aims for.
pub(crate) const SHARED_PSS_TARGET: f64 = 1.1;

/// Everything one `cargo xtask bench` run measured; written as report.json.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Report {
    /// Where and how it was measured.
    pub machine: Machine,
    /// True for a `--quick` run.
    pub quick: bool,
    /// One child per (size, mode).
    pub runs: Vec<RunResult>,
    /// One child per (scaling row count, mode), without the walk.
    pub scaling: Vec<RunResult>,
    /// Largest/smallest time of each operation that should not grow with rows.
    pub flat_checks: Vec<FlatCheck>,
    /// Publisher plus workers over one segment, per size.
    pub shared: Vec<SharedResult>,
    /// Our deep copy against pandas' `df.copy()` of the same shape.
    pub deep_copy: CopyComparison,
}

/// The machine and build the figures come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Machine {
    /// Logical CPUs available.
    pub cpus: usize,
    /// Installed memory in bytes.
    pub memory_bytes: u64,
    /// Kernel release (`/proc/sys/kernel/osrelease`), or `unknown`.
    pub kernel: String,
    /// True when the measuring children were an optimised build.
    pub release_build: bool,
}

impl Machine {
    /// This machine's figures.
    pub(crate) fn current(release_build: bool) -> Self {
        Self {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_bytes: memtrack::SystemMemory::current().map_or(0, |m| m.total_bytes),
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| "unknown".to_string(), |k| k.trim().to_string()),
            release_build,
        }
    }
}

/// How an operation's time grows from the smallest to the largest dataset of the scaling series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FlatCheck {
    /// The operation, e.g. `view split setup`.
    pub operation: String,
    /// Rows of the smallest dataset.
    pub smallest_rows: usize,
    /// Rows of the largest dataset.
    pub largest_rows: usize,
    /// Median time on the smallest dataset, nanoseconds.
    pub smallest_ns: f64,
    /// Median time on the largest dataset, nanoseconds.
    pub largest_ns: f64,
    /// `largest_ns / smallest_ns`.
    pub ratio: f64,
    /// True when the ratio is within [`FLAT_RATIO_LIMIT`].
    pub flat: bool,
}

/// The flat-time checks over `scaling`: split setup of view, cow and shm (a view over the attached
/// segment), and attaching a segment.
pub(crate) fn flat_checks(scaling: &[RunResult]) -> Vec<FlatCheck> {
    let mut checks = Vec::new();
    let series = |mode: &str, time: fn(&RunResult) -> Option<f64>| -> Vec<(usize, f64)> {
        let mut points: Vec<_> =
            scaling.iter().filter(|r| r.mode == mode).filter_map(|r| Some((r.rows, time(r)?))).collect();
        points.sort_by_key(|&(rows, _)| rows);
        points
    };
    let split = |r: &RunResult| Some(r.split_setup_ns);
    let attach = |r: &RunResult| r.attach_ns;
    let attach_trusted = |r: &RunResult| r.attach_trusted_ns;
    for (operation, points) in [
        ("view split setup", series("view", split)),
        ("cow split setup", series("cow", split)),
        ("shm split setup", series("shm", split)),
        ("shm attach", series("shm", attach)),
        ("shm attach, trusting published order", series("shm", attach_trusted)),
    ] {
        if let (Some(&(smallest_rows, smallest_ns)), Some(&(largest_rows, largest_ns))) =
            (points.first(), points.last())
        {
            let ratio = largest_ns / smallest_ns.max(f64::MIN_POSITIVE);
            checks.push(FlatCheck {
                operation: operation.to_string(),
                smallest_rows,
                largest_rows,
                smallest_ns,
                largest_ns,
                ratio,
                flat: ratio <= FLAT_RATIO_LIMIT,
            });
        }
    }
    checks
}
