//! The few operating-system facts we need: free space on a filesystem and whether a process is alive.

use std::path::Path;

/// Bytes an unprivileged user may still write on the filesystem holding `dir`, or `None` where the
/// platform does not say.
pub(crate) fn available_bytes(dir: &Path) -> std::io::Result<Option<u64>> {
    #[cfg(unix)]
    {
        let stat = rustix::fs::statvfs(dir)?;
        Ok(Some(stat.f_bavail.saturating_mul(stat.f_frsize)))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(None)
    }
}

/// Whether process `pid` exists. A process owned by another user counts as alive. Where the platform cannot
/// tell, every process counts as alive (so garbage collection never removes a segment in use).
pub fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw) else {
            return false;
        };
        match rustix::process::test_kill_process(pid) {
            Ok(()) => true,
            Err(errno) => errno != rustix::io::Errno::SRCH,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_an_impossible_pid_is_not() {
        assert!(process_alive(std::process::id()));
        // Pids are bounded by pid_max (at most 2^22 on Linux).
        assert!(!process_alive(u32::MAX - 1));
        assert!(!process_alive(0x7fff_fff0));
    }

    #[test]
    fn temp_dir_has_some_space() {
        let bytes = available_bytes(&std::env::temp_dir()).expect("statvfs works on the temp dir");
        assert!(bytes.is_none_or(|b| b > 0));
    }
}
