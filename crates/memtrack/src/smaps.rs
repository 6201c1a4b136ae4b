//! `SmapsRollup`: Linux's per-process page accounting from `/proc/<pid>/smaps_rollup` (PSS, USS, shared).

use serde::Serialize;

use crate::MemtrackError;

/// A process's memory as Linux accounts shared pages, in bytes (from `/proc/<pid>/smaps_rollup`, Linux >= 4.14).
///
/// RSS counts a resident page in every process that maps it: eight workers reading one 2 GB segment show
/// 16 GB of RSS between them. PSS divides each shared page by the number of processes mapping it, so PSS
/// summed over processes is the memory they really use. USS (unique set size, `Private_Clean +
/// Private_Dirty`) is what this process alone keeps resident: what killing it would free. A worker that
/// attached a segment zero-copy shows a large RSS, a PSS of its share and a small USS.
///
/// The split of PSS by kind (`Pss_Anon`, `Pss_File`, `Pss_Shmem`) appeared in Linux 5.9; older kernels give
/// `None` there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct SmapsRollup {
    /// Resident set size (`Rss`): shared pages counted in full.
    pub rss_bytes: u64,
    /// Proportional set size (`Pss`): shared pages divided among the processes mapping them.
    pub pss_bytes: u64,
    /// Unique set size: `Private_Clean + Private_Dirty`.
    pub uss_bytes: u64,
    /// Resident pages that other processes map too: `Shared_Clean + Shared_Dirty`.
    pub shared_bytes: u64,
    /// PSS of anonymous memory (heap, stacks), where the kernel reports it.
    pub pss_anon_bytes: Option<u64>,
    /// PSS of file-backed mappings (binaries, mapped files), where the kernel reports it.
    pub pss_file_bytes: Option<u64>,
    /// PSS of shared memory (`/dev/shm` segments, `memfd`), where the kernel reports it.
    pub pss_shmem_bytes: Option<u64>,
    /// Swapped-out memory (`Swap`), where the kernel reports it.
    pub swap_bytes: Option<u64>,
}

impl SmapsRollup {
    /// Figures for this process; `None` where `/proc/self/smaps_rollup` is missing or unreadable (not Linux,
    /// a kernel older than 4.14, or a sandbox without `/proc`).
    pub fn current() -> Option<Self> {
        Self::read("/proc/self/smaps_rollup")
    }

    /// Figures for process `pid`; `None` if it does not exist, cannot be read (another user's process), or
    /// the platform lacks the file.
    pub fn of_pid(pid: u32) -> Option<Self> {
        Self::read(&format!("/proc/{pid}/smaps_rollup"))
    }

    /// Parses the text of an `smaps_rollup` file: an optional header line (the `[rollup]` address range),
    /// then `Key:   123 kB` lines.
    ///
    /// Unknown keys are skipped, so newer kernels parse; the six keys every kernel since 4.14 writes (`Rss`,
    /// `Pss`, `Shared_Clean`, `Shared_Dirty`, `Private_Clean`, `Private_Dirty`) are required.
    ///
    /// # Errors
    ///
    /// [`MemtrackError::SmapsLine`] for a known key whose value is not `<number> kB` (or overflows), a
    /// repeated known key, or a line after the first that is not `Key: value`;
    /// [`MemtrackError::SmapsMissingField`] when a required key is absent.
    pub fn parse(text: &str) -> Result<Self, MemtrackError> {
        let mut fields = Fields::default();
        for (line_idx, line) in text.lines().enumerate() {
            let line_no = line_idx + 1;
            let bad = |reason| MemtrackError::SmapsLine { line_no, line: line.to_owned(), reason };
            if line.trim().is_empty() {
                continue;
            }
            let Some((key, value)) = line.split_once(':').filter(|(key, _)| is_key(key)) else {
                if line_idx == 0 {
                    continue; // the `[rollup]` header
                }
                return Err(bad("expected `Key: value kB`"));
            };
            let Some(slot) = fields.slot(key) else { continue };
            if slot.is_some() {
                return Err(bad("repeated key"));
            }
            *slot = Some(parse_kib(value).ok_or_else(|| bad("expected `<number> kB`"))?);
        }
        fields.finish()
    }

    fn read(path: &str) -> Option<Self> {
        Self::parse(&std::fs::read_to_string(path).ok()?).ok()
    }
}

/// True for a field name as the kernel writes them: letters, digits and underscores.
fn is_key(key: &str) -> bool {
    !key.is_empty() && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// `"   123 kB"` to bytes.
fn parse_kib(value: &str) -> Option<u64> {
    let mut parts = value.split_whitespace();
    let kib: u64 = parts.next()?.parse().ok()?;
    if parts.next()? != "kB" || parts.next().is_some() {
        return None;
    }
    kib.checked_mul(1024)
}

#[derive(Default)]
struct Fields {
    rss: Option<u64>,
    pss: Option<u64>,
    shared_clean: Option<u64>,
    shared_dirty: Option<u64>,
    private_clean: Option<u64>,
    private_dirty: Option<u64>,
    pss_anon: Option<u64>,
    pss_file: Option<u64>,
    pss_shmem: Option<u64>,
    swap: Option<u64>,
}

impl Fields {
    fn slot(&mut self, key: &str) -> Option<&mut Option<u64>> {
        Some(match key {
            "Rss" => &mut self.rss,
            "Pss" => &mut self.pss,
            "Shared_Clean" => &mut self.shared_clean,
            "Shared_Dirty" => &mut self.shared_dirty,
            "Private_Clean" => &mut self.private_clean,
            "Private_Dirty" => &mut self.private_dirty,
            "Pss_Anon" => &mut self.pss_anon,
            "Pss_File" => &mut self.pss_file,
            "Pss_Shmem" => &mut self.pss_shmem,
            "Swap" => &mut self.swap,
            _ => return None,
        })
    }

    fn finish(self) -> Result<SmapsRollup, MemtrackError> {
        let need = |value: Option<u64>, field| value.ok_or(MemtrackError::SmapsMissingField { field });
        let private_clean = need(self.private_clean, "Private_Clean")?;
        let private_dirty = need(self.private_dirty, "Private_Dirty")?;
        let shared_clean = need(self.shared_clean, "Shared_Clean")?;
        let shared_dirty = need(self.shared_dirty, "Shared_Dirty")?;
        Ok(SmapsRollup {
            rss_bytes: need(self.rss, "Rss")?,
            pss_bytes: need(self.pss, "Pss")?,
            // Each term is a kB count times 1024 (below 2^64 / 1024 * 1024), so two of them cannot
            // overflow unless the file lies; saturate rather than panic if it does.
            uss_bytes: private_clean.saturating_add(private_dirty),
            shared_bytes: shared_clean.saturating_add(shared_dirty),
            pss_anon_bytes: self.pss_anon,
            pss_file_bytes: self.pss_file,
            pss_shmem_bytes: self.pss_shmem,
            swap_bytes: self.swap,
        })
    }
}
