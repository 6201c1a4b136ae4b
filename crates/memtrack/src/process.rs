//! Process and system memory as the operating system reports it (through `sysinfo`).

use serde::Serialize;
use sysinfo::{MemoryRefreshKind, Pid, ProcessRefreshKind, ProcessesToUpdate, System};

/// Memory of one process, as the OS reports it.
///
/// `rss_bytes` counts every resident page the process maps, including pages it shares with other
/// processes (a mapped segment counts in full in every process that touched it). Proportional and unique
/// figures (PSS, USS) come with the full memtrack issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ProcessMemory {
    /// The process id these figures belong to.
    pub pid: u32,
    /// Resident set size in bytes.
    pub rss_bytes: u64,
    /// Virtual memory size in bytes.
    pub virtual_bytes: u64,
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
        Some(Self { pid, rss_bytes: process.memory(), virtual_bytes: process.virtual_memory() })
    }
}

/// Memory of the whole machine, as the OS reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SystemMemory {
    /// Installed memory in bytes.
    pub total_bytes: u64,
    /// Memory available for new allocations without swapping, in bytes.
    pub available_bytes: u64,
}

impl SystemMemory {
    /// Current figures, or `None` where the OS does not give them.
    pub fn current() -> Option<Self> {
        let mut system = System::new().ok()?;
        system.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram());
        Some(Self { total_bytes: system.total_memory(), available_bytes: system.available_memory() })
    }
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

    #[test]
    fn missing_pid_gives_none() {
        // Pids are bounded by pid_max (at most 2^22 on Linux), so this one cannot exist.
        assert!(ProcessMemory::of_pid(u32::MAX - 1).is_none());
    }
}
