//! Measuring helpers for the benchmark children: repeated timings, and this process's memory figures.

use std::time::{Duration, Instant};

use memtrack::ProcessMemory;
use serde::{Deserialize, Serialize};

/// This process's memory at one moment, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Snapshot {
    /// Resident set size (shared pages counted in full).
    pub rss: u64,
    /// Proportional set size (shared pages divided among the processes mapping them); 0 off Linux.
    pub pss: u64,
    /// Unique set size (pages only this process keeps resident); 0 off Linux.
    pub uss: u64,
    /// Live heap, from the counting allocator.
    pub heap: u64,
}

impl Snapshot {
    /// Figures now.
    pub(crate) fn now() -> Self {
        let heap = memtrack::alloc::current_bytes();
        match ProcessMemory::current() {
            Some(process) => Self {
                rss: process.smaps.map_or(process.rss_bytes, |s| s.rss_bytes),
                pss: process.pss_bytes().unwrap_or(0),
                uss: process.uss_bytes().unwrap_or(0),
                heap,
            },
            None => Self { heap, ..Self::default() },
        }
    }

    /// Growth from `earlier` to `self`, per figure (negative when memory was returned).
    pub(crate) fn minus(&self, earlier: &Self) -> Delta {
        let d = |a: u64, b: u64| a as i64 - b as i64;
        Delta {
            rss: d(self.rss, earlier.rss),
            pss: d(self.pss, earlier.pss),
            uss: d(self.uss, earlier.uss),
            heap: d(self.heap, earlier.heap),
        }
    }
}

/// The difference of two [`Snapshot`]s, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Delta {
    /// RSS growth.
    pub rss: i64,
    /// PSS growth.
    pub pss: i64,
    /// USS growth.
    pub uss: i64,
    /// Live heap growth.
    pub heap: i64,
}

/// Highest RSS this process reached (`VmHWM` of `/proc/self/status`), or 0 where the file is missing.
pub(crate) fn peak_rss_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(0, |kib| kib * 1024)
}

/// How long to keep repeating an operation, and how often at least and at most.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Repeat {
    /// Runs at least this many times.
    pub min_runs: usize,
    /// Never more than this many times.
    pub max_runs: usize,
    /// Stops once the runs took this long in all (and `min_runs` are done).
    pub budget: Duration,
}

/// The median duration of `op` over repeated runs (see [`Repeat`]), in nanoseconds. The median, not the
/// mean: one run disturbed by another process on this shared machine does not move it.
pub(crate) fn median_ns<R>(repeat: Repeat, mut op: impl FnMut() -> R) -> f64 {
    let mut times = Vec::with_capacity(repeat.min_runs);
    let started = Instant::now();
    while times.len() < repeat.max_runs
        && (times.len() < repeat.min_runs || started.elapsed() < repeat.budget)
    {
        let start = Instant::now();
        std::hint::black_box(op());
        times.push(start.elapsed().as_secs_f64() * 1e9);
    }
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// Milliseconds `op` took, once, and its result.
pub(crate) fn once_ms<R>(op: impl FnOnce() -> R) -> (R, f64) {
    let start = Instant::now();
    let result = op();
    (result, start.elapsed().as_secs_f64() * 1e3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_runs_within_the_bounds_and_deltas_subtract() {
        let mut runs = 0;
        let repeat = Repeat { min_runs: 3, max_runs: 5, budget: Duration::from_secs(60) };
        // Each run sleeps at least 2 ms, so every time, and so the median, is at least that (a lower bound
        // only: sleeping longer on a busy machine cannot fail it).
        let median = median_ns(repeat, || {
            runs += 1;
            std::thread::sleep(Duration::from_millis(2));
        });
        assert_eq!(runs, 5);
        assert!(median >= 2e6, "{median} ns");
        let a = Snapshot { rss: 10, pss: 8, uss: 6, heap: 4 };
        let b = Snapshot { rss: 7, pss: 9, uss: 6, heap: 1 };
        assert_eq!(a.minus(&b), Delta { rss: 3, pss: -1, uss: 0, heap: 3 });
    }
}
