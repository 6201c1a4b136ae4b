//! `demo --workers N`: worker processes that attach to the demo's shared-memory segments by name, run the
//! strategy, and report their checksum and private memory.

use serde::{Deserialize, Serialize};

#[cfg(feature = "shm")]
pub use process::{run_worker, spawn_workers};

/// What one worker process reports (one JSON line on its standard output).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkerReport {
    /// The worker's process id.
    pub pid: u32,
    /// Checksum of the strategy over every segment's train and test split (equal to the parent's).
    pub checksum: u64,
    /// Resident set size at the end, bytes (counts the shared pages it touched).
    pub rss_bytes: u64,
    /// Proportional set size at the end, bytes (shared pages divided among the processes mapping them).
    pub pss_bytes: Option<u64>,
    /// Unique set size at the end, bytes: memory private to this worker.
    pub uss_bytes: Option<u64>,
    /// Unique set size before attaching, bytes.
    pub uss_before_bytes: Option<u64>,
}

#[cfg(feature = "shm")]
mod process {
    use super::SelfCommand;

    use anyhow::{Context, bail};
    use isolation::shm::AttachOptions;
    use isolation::view::DataView;
    use isolation::{IsolationMode, ProcessMemory, Split, SplitSpec};

    use super::WorkerReport;
    use crate::strategy::{Crossover, combine_checksum};

    /// The worker side: attach each segment (in the order given, which must be the symbols' order), split it
    /// by `train_ratio`, and run the strategy over train and test through views of the mapped pages.
    ///
    /// # Errors
    ///
    /// A segment that cannot be attached, or data the strategy cannot run on.
    pub fn run_worker(segments: &[String], train_ratio: f64) -> anyhow::Result<WorkerReport> {
        let uss_before_bytes = ProcessMemory::current().and_then(|m| m.uss_bytes());
        let strategy = Crossover::default();
        let mut checksum = 0;
        let mut attached = Vec::with_capacity(segments.len());
        for name in segments {
            let segment = AttachOptions::new()
                .trust_published_order(true)
                .attach(name)
                .with_context(|| format!("attaching segment `{name}`"))?;
            let frame = segment.frame();
            let ranges = SplitSpec::Ratio(train_ratio).resolve(frame.timestamps())?;
            for split in [Split::Train, Split::Test] {
                let view =
                    DataView::new(frame, ranges.range(split), split)?.with_mode(IsolationMode::SharedMemory);
                checksum = combine_checksum(checksum, &strategy.run(&view)?);
            }
            attached.push(segment);
        }
        let memory = ProcessMemory::current();
        Ok(WorkerReport {
            pid: std::process::id(),
            checksum,
            rss_bytes: memory.map_or(0, |m| m.rss_bytes),
            pss_bytes: memory.and_then(|m| m.pss_bytes()),
            uss_bytes: memory.and_then(|m| m.uss_bytes()),
            uss_before_bytes,
        })
    }

    /// The parent side: starts `n` copies of `exe` as workers over `segments` at once, and collects their
    /// reports.
    ///
    /// # Errors
    ///
    /// A worker that cannot start, fails, or prints something that is not a report.
    pub fn spawn_workers(
        exe: &SelfCommand,
        segments: &[String],
        train_ratio: f64,
        n: usize,
    ) -> anyhow::Result<Vec<WorkerReport>> {
        let children = (0..n)
            .map(|_| {
                exe.command()
                    .args([
                        "worker",
                        "--segments",
                        &segments.join(","),
                        "--train-ratio",
                        &train_ratio.to_string(),
                    ])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .with_context(|| format!("starting worker {}", exe.program.display()))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        children
            .into_iter()
            .map(|child| {
                let output = child.wait_with_output()?;
                if !output.status.success() {
                    bail!(
                        "worker failed ({}): {}",
                        output.status,
                        String::from_utf8_lossy(&output.stderr).trim()
                    );
                }
                let text = String::from_utf8(output.stdout)?;
                serde_json::from_str(text.trim())
                    .with_context(|| format!("reading worker report `{}`", text.trim()))
            })
            .collect()
    }
}

/// How this program starts itself again (a worker is `<program> <args...> worker ...`): the `isolation`
/// binary is its own path; the Python package's command is the interpreter with `-m isolation`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelfCommand {
    /// The executable.
    pub program: std::path::PathBuf,
    /// Arguments before the subcommand.
    pub args: Vec<std::ffi::OsString>,
}

impl SelfCommand {
    /// `program` run with `args` before the subcommand.
    pub fn new(program: impl Into<std::path::PathBuf>, args: Vec<std::ffi::OsString>) -> Self {
        Self { program: program.into(), args }
    }

    /// A `Command` that runs this program with its leading arguments.
    pub fn command(&self) -> std::process::Command {
        let mut command = std::process::Command::new(&self.program);
        command.args(&self.args);
        command
    }
}
