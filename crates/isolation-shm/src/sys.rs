//! The few operating-system facts we need: free space on a filesystem, whether a process is alive, and a
//! safe way to open a file in a directory others may write to.

use std::fs::File;
use std::path::Path;

/// Opens `path` read-only for inspection or mapping, safely in a shared directory: the last component is
/// not followed if it is a symlink (`O_NOFOLLOW`), opening never blocks (`O_NONBLOCK`: a FIFO planted at
/// the name would block a plain open forever), and the opened file itself (`fstat`, not the path) must be
/// a regular file, owned by this user, that no other user may write. Returns the file and its length.
///
/// # Errors
///
/// `Err(Ok(reason))` for a file we refuse (with the reason), `Err(Err(io))` for an I/O failure (not found,
/// permission denied).
pub(crate) fn open_private(path: &Path) -> Result<(File, u64), Result<String, std::io::Error>> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        let flags = (OFlags::NOFOLLOW | OFlags::NONBLOCK).bits();
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, flags as i32);
    }
    let file = match options.open(path) {
        Ok(file) => file,
        // ELOOP: the name is a symlink, which O_NOFOLLOW refuses.
        #[cfg(unix)]
        Err(e) if e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error()) => {
            return Err(Ok("it is a symbolic link; segments are regular files".to_string()));
        }
        Err(e) => return Err(Err(e)),
    };
    let metadata = file.metadata().map_err(Err)?;
    if !metadata.is_file() {
        return Err(Ok("it is not a regular file (a FIFO, device or directory)".to_string()));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Some((owner, me)) = other_owner(&metadata) {
            return Err(Ok(format!(
                "it is owned by user {owner}, not by this user ({me}); its owner could truncate it under us"
            )));
        }
        let mode = metadata.mode();
        if mode & 0o022 != 0 {
            return Err(Ok(format!(
                "other users may write it (mode {:o}); only files no one else can modify are mapped",
                mode & 0o777
            )));
        }
    }
    Ok((file, metadata.len()))
}

/// `(owner, this user)` when a file is owned by another user than the one running this process.
#[cfg(unix)]
pub(crate) fn other_owner(metadata: &std::fs::Metadata) -> Option<(u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    let me = rustix::process::geteuid().as_raw();
    (metadata.uid() != me).then_some((metadata.uid(), me))
}

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

/// Every file some process of this machine maps now, as `/proc/<pid>/maps` names it (processes whose maps
/// this user cannot read are skipped: they cannot map this user's 0600 segments either). `None` where the
/// platform has no `/proc`, so callers keep everything.
pub(crate) fn mapped_paths() -> Option<std::collections::HashSet<std::path::PathBuf>> {
    let processes = std::fs::read_dir("/proc").ok()?;
    let mut mapped = std::collections::HashSet::new();
    for entry in processes.flatten() {
        if !entry.file_name().to_str().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())) {
            continue;
        }
        let Ok(maps) = std::fs::read_to_string(entry.path().join("maps")) else { continue };
        for line in maps.lines() {
            // address perms offset dev inode path: the path starts at the first `/` after the inode.
            if let Some(at) = line.find(" /") {
                mapped.insert(std::path::PathBuf::from(line[at + 1..].trim_end_matches(" (deleted)")));
            }
        }
    }
    Some(mapped)
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
