//! Process and system memory as the operating system reports it (`sysinfo`, `smaps_rollup`, `statvfs`).

use serde::Serialize;
use sysinfo::{MemoryRefreshKind, Pid, ProcessRefreshKind, ProcessesToUpdate, System};

use crate::SmapsRollup;

/// Memory of one process, as the OS reports it.
///
/// `rss_bytes` counts every resident page the process maps, including pages it shares with other
/// processes (a mapped segment counts in full in every process that touched it). On Linux, `smaps` adds the
/// figures that do not lie about sharing: PSS (shared pages divided among their sharers) and USS (pages only
/// this process keeps resident); see [`SmapsRollup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProcessMemory {
    /// The process id these figures belong to.
    pub pid: u32,
    /// Resident set size in bytes.
    pub rss_bytes: u64,
    /// Virtual memory size in bytes.
    pub virtual_bytes: u64,
    /// PSS, USS and shared figures from `/proc/<pid>/smaps_rollup`; `None` off Linux or when unreadable.
    pub smaps: Option<SmapsRollup>,
}

impl ProcessMemory {
    /// Figures for the current process, or `None` where the OS does not give them.
    pub fn current() -> Option<Self> {
        Self::of_pid(std::process::id())
    }

    /// Figures for any process id, or `None` if it does not exist or cannot be read.
    pub fn of_pid(pid: u32) -> Option<Self> {
        let mut system = System::new().ok()?;
        let sys_pid = Pid::from_u32(pid);
        system.refresh_processes_specifics(
            ProcessesToUpdate::Some(&[sys_pid]),
            true,
            ProcessRefreshKind::nothing().with_memory(),
        );
        let process = system.process(sys_pid)?;
        Some(Self {
            pid,
            rss_bytes: process.memory(),
            virtual_bytes: process.virtual_memory(),
            smaps: SmapsRollup::of_pid(pid),
        })
    }

    /// Proportional set size in bytes (Linux only): what this process's share of its memory is.
    pub fn pss_bytes(&self) -> Option<u64> {
        self.smaps.map(|s| s.pss_bytes)
    }

    /// Unique set size in bytes (Linux only): what only this process keeps resident.
    pub fn uss_bytes(&self) -> Option<u64> {
        self.smaps.map(|s| s.uss_bytes)
    }
}

/// Memory of the whole machine, as the OS reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SystemMemory {
    /// Installed memory in bytes.
    pub total_bytes: u64,
    /// Memory available for new allocations without swapping, in bytes.
    pub available_bytes: u64,
    /// Size and free space of the shared-memory filesystem (`/dev/shm`); `None` where there is none.
    pub shm: Option<ShmSpace>,
}

impl SystemMemory {
    /// Current figures, or `None` where the OS does not give them.
    pub fn current() -> Option<Self> {
        let mut system = System::new().ok()?;
        system.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram());
        Some(Self {
            total_bytes: system.total_memory(),
            available_bytes: system.available_memory(),
            shm: ShmSpace::of(ShmSpace::DEFAULT_PATH),
        })
    }
}

/// Size and free space of a shared-memory filesystem, from `statvfs`.
///
/// Writing a segment larger than `free_bytes` to a tmpfs does not fail at `write` time: the pages are
/// missing later and touching them raises `SIGBUS`. Check this figure before publishing. Containers often
/// mount a small `/dev/shm` (Docker's default is 64 MB) whatever the machine's memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ShmSpace {
    /// Size of the filesystem in bytes.
    pub total_bytes: u64,
    /// Bytes an unprivileged process may still write.
    pub free_bytes: u64,
}

impl ShmSpace {
    /// Where POSIX shared memory lives on Linux.
    pub const DEFAULT_PATH: &'static str = "/dev/shm";

    /// Figures for the filesystem mounted at `path`; `None` if it does not exist, cannot be queried, or the
    /// platform has no `statvfs`.
    pub fn of(path: &str) -> Option<Self> {
        statvfs_space(path).map(|(total_bytes, free_bytes)| Self { total_bytes, free_bytes })
    }
}

#[cfg(unix)]
fn statvfs_space(path: &str) -> Option<(u64, u64)> {
    let stat = rustix::fs::statvfs(path).ok()?;
    // `f_frsize` is the unit of the block counts (`f_bsize` is only the preferred I/O size).
    let unit = if stat.f_frsize > 0 { stat.f_frsize } else { stat.f_bsize };
    Some((stat.f_blocks.saturating_mul(unit), stat.f_bavail.saturating_mul(unit)))
}

#[cfg(not(unix))]
fn statvfs_space(_path: &str) -> Option<(u64, u64)> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn current_process_has_resident_memory() {
        let figures = ProcessMemory::current().expect("the OS reports this process");
        assert_eq!(figures.pid, std::process::id());
        assert!(figures.rss_bytes > 0);
        assert!(figures.virtual_bytes >= figures.rss_bytes);
    }

    #[test]
    fn available_memory_is_within_total() {
        let figures = SystemMemory::current().expect("the OS reports system memory");
        assert!(figures.total_bytes > 0);
        assert!(figures.available_bytes <= figures.total_bytes);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_process_has_pss_at_most_rss() {
        let figures = ProcessMemory::current().expect("the OS reports this process");
        if let Some(pss) = figures.pss_bytes() {
            let smaps = figures.smaps.expect("pss implies smaps");
            assert!(pss <= smaps.rss_bytes);
            assert!(figures.uss_bytes().expect("uss with pss") <= pss);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn dev_shm_free_space_is_within_its_size() {
        if let Some(shm) = ShmSpace::of(ShmSpace::DEFAULT_PATH) {
            assert!(shm.total_bytes > 0);
            assert!(shm.free_bytes <= shm.total_bytes);
        }
        assert_eq!(ShmSpace::of("/no/such/mount/point"), None);
    }

    #[test]
    fn missing_pid_gives_none() {
        // Pids are bounded by pid_max (at most 2^22 on Linux), so this one cannot exist.
        assert!(ProcessMemory::of_pid(u32::MAX - 1).is_none());
    }
}
