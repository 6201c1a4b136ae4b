//! Sealed segments (Linux): the data lives in a `memfd` whose size and contents are sealed after writing,
//! so no process, the publisher included, can truncate or change it under a reader (which would kill the
//! reader with SIGBUS). The segment directory holds a small locator file under the segment's name, naming
//! the publisher's pid and the memfd's descriptor; attaching opens `/proc/<pid>/fd/<fd>`, checks the
//! seals, and maps it.
//!
//! ```text
//!   /dev/shm/isolation.<name>      locator: "ISOLATION-SEALED-SEGMENT v1\n<pid> <fd>\n" (mode 0600)
//!   /proc/<pid>/fd/<fd>            memfd "isolation.<name>", sealed SHRINK|GROW|WRITE|SEAL
//!     ▲ map read-only in each worker
//! ```
//!
//! The memfd lives as long as its publisher holds it or any process maps it; the locator is removed when
//! the publisher drops. A segment that must outlive its publisher (`PublishOptions::keep`: `isolation shm
//! publish`, the dataset segments of fold manifests) is held by a **holder**: `sleep infinity` started in a
//! session of its own with the memfd as an inherited descriptor, so the data lives after the publisher
//! exits and still cannot be truncated under a reader. Its locator names the holder and says `kept`;
//! removing the segment ([`release_holder`]) stops the holder after checking it holds this segment's memfd.
//!
//! ```text
//!   /dev/shm/isolation.<name>      locator: "ISOLATION-SEALED-SEGMENT v1\n<holder pid> <fd> kept\n"
//!   /proc/<holder pid>/fd/<fd>     the same sealed memfd, held by `sleep infinity`
//! ```

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The first line of a locator file.
const LOCATOR_MAGIC: &str = "ISOLATION-SEALED-SEGMENT v1\n";

/// The seals a segment must carry: no shrinking, growing or writing, and no changing the seals.
#[cfg(target_os = "linux")]
fn required_seals() -> rustix::fs::SealFlags {
    use rustix::fs::SealFlags;
    SealFlags::SHRINK | SealFlags::GROW | SealFlags::WRITE | SealFlags::SEAL
}

/// A new memfd for segment `name`, sealable, with `reserve` bytes allocated up front (`fallocate`, so a
/// full tmpfs fails here with ENOSPC instead of a reader's SIGBUS later).
#[cfg(target_os = "linux")]
pub(crate) fn create(name: &str, reserve: u64) -> std::io::Result<File> {
    use rustix::fs::{FallocateFlags, MemfdFlags};
    let fd = rustix::fs::memfd_create(
        format!("isolation.{name}"),
        MemfdFlags::CLOEXEC | MemfdFlags::ALLOW_SEALING,
    )?;
    rustix::fs::fallocate(&fd, FallocateFlags::KEEP_SIZE, 0, reserve.max(1))?;
    Ok(File::from(fd))
}

/// Seals `file` (written completely) against every change.
#[cfg(target_os = "linux")]
pub(crate) fn seal(file: &File) -> std::io::Result<()> {
    Ok(rustix::fs::fcntl_add_seals(file, required_seals())?)
}

/// The locator's text for the memfd `fd` of this process.
pub(crate) fn locator(fd: i32) -> String {
    format!("{LOCATOR_MAGIC}{} {fd}\n", std::process::id())
}

/// The locator's text for the memfd `fd` of holder process `pid` (a kept segment).
pub(crate) fn holder_locator(pid: u32, fd: i32) -> String {
    format!("{LOCATOR_MAGIC}{pid} {fd} kept\n")
}

/// The `(pid, fd)` a locator's text names, or `None` when `text` is not a locator.
pub(crate) fn parse_locator(text: &[u8]) -> Option<(u32, i32)> {
    parse_locator_kept(text).map(|(pid, fd, _)| (pid, fd))
}

/// The `(pid, fd, held by a holder)` a locator's text names.
fn parse_locator_kept(text: &[u8]) -> Option<(u32, i32, bool)> {
    let rest = std::str::from_utf8(text).ok()?.strip_prefix(LOCATOR_MAGIC)?;
    let mut parts = rest.trim_end_matches('\n').split(' ');
    let pid = parts.next()?.parse().ok()?;
    let fd = parts.next()?.parse().ok()?;
    let kept = match parts.next() {
        None => false,
        Some("kept") => true,
        Some(_) => return None,
    };
    parts.next().is_none().then_some((pid, fd, kept))
}

/// How often a holder checks that its locator still names it.
const HOLDER_POLL_SECONDS: u32 = 10;

/// Starts the holder of a kept sealed segment whose locator will be at `locator`: a `/bin/sh` loop in a new
/// session (a Ctrl-C or the end of the publisher's process group does not reach it), its standard streams
/// on /dev/null, holding `memfd` at the same descriptor number. Every few seconds it checks that the
/// locator still names it, and exits when not (the segment was removed by hand, its directory deleted, or
/// replaced by a new segment of the name): no holder outlives its segment for long. Returns its pid.
///
/// # Errors
///
/// `/bin/sh` cannot be started.
#[cfg(target_os = "linux")]
pub(crate) fn spawn_holder(memfd: &File, locator: &Path) -> std::io::Result<u32> {
    use std::os::fd::{AsRawFd, BorrowedFd};
    use std::os::unix::process::CommandExt;
    use std::process::{Command, Stdio};

    let fd = memfd.as_raw_fd();
    // `$0` is the locator's path and `$$` this shell's pid; the locator's second line starts with the pid.
    let script = format!("while sleep {HOLDER_POLL_SECONDS}; grep -qs \"^$$ \" \"$0\"; do :; done");
    let mut command = Command::new("/bin/sh");
    command.arg("-c").arg(script).arg(locator);
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::null());
    // SAFETY: the closure runs in the forked child before exec and makes two system calls, which are
    // async-signal-safe; `fd` is open in the child (fork copies the descriptor table) until exec, which
    // keeps it once close-on-exec is cleared.
    unsafe {
        command.pre_exec(move || {
            rustix::process::setsid()?;
            let memfd = BorrowedFd::borrow_raw(fd);
            rustix::io::fcntl_setfd(memfd, rustix::io::FdFlags::empty())?;
            Ok(())
        });
    }
    let child = command.spawn()?;
    Ok(child.id())
}

/// The path an Arrow reader of this user opens for the data of the segment at `path`: `/proc/<pid>/fd/<fd>`
/// when `path` is a locator, else `path` itself.
pub(crate) fn readable_path(path: &Path) -> std::path::PathBuf {
    read_locator(path).map_or_else(|| path.to_path_buf(), |(pid, fd, _)| target_path(pid, fd))
}

/// The `(pid, fd, kept)` of the locator at `path`, or `None` when it is not one (or cannot be read).
fn read_locator(path: &Path) -> Option<(u32, i32, bool)> {
    let (mut file, len) = crate::sys::open_private(path).ok()?;
    let mut head = Vec::new();
    (len > 0 && len <= 128 && file.read_to_end(&mut head).is_ok()).then_some(())?;
    parse_locator_kept(&head)
}

/// The name `/proc/<pid>/maps` and `/proc/<pid>/fd/<fd>` links give the memfd of segment `name`, without
/// the ` (deleted)` the kernel appends.
pub(crate) fn memfd_link_name(name: &str) -> String {
    format!("/memfd:{}{name}", crate::name::SEGMENT_PREFIX)
}

/// Whether `/proc/<pid>/fd/<fd>` is the memfd of segment `name` (a reused descriptor or pid shows another).
fn is_memfd_of(pid: u32, fd: i32, name: &str) -> Result<bool, std::io::Error> {
    let link = std::fs::read_link(target_path(pid, fd))?;
    Ok(link.to_string_lossy().starts_with(&format!("{} ", memfd_link_name(name))))
}

/// Stops the holder of the kept sealed segment `name` whose locator is at `path`, if it is one and its
/// descriptor is still this segment's memfd (a reused pid is never signalled). Readers keep their mappings.
pub(crate) fn release_holder(name: &str, path: &Path) {
    let Some((pid, fd, true)) = read_locator(path) else { return };
    let holds_it = is_memfd_of(pid, fd, name).unwrap_or(false);
    #[cfg(unix)]
    if holds_it
        && pid != std::process::id()
        && let Some(pid) = i32::try_from(pid).ok().and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::TERM);
    }
}

/// The path through which another process opens the memfd a locator names.
pub(crate) fn target_path(pid: u32, fd: i32) -> std::path::PathBuf {
    std::path::PathBuf::from(format!("/proc/{pid}/fd/{fd}"))
}

/// A segment file opened for reading: the file holding the IPC data (the memfd, for a sealed segment),
/// its length, and whether it is sealed.
pub(crate) struct OpenedSegment {
    pub(crate) file: File,
    pub(crate) len: u64,
    pub(crate) sealed: bool,
    /// For a locator whose publisher is gone: its pid (the memfd went with it).
    pub(crate) dead_publisher: Option<u32>,
}

/// Opens the segment `name` at `path` safely (see `sys::open_private`), following a locator to its sealed
/// memfd and checking the seals.
///
/// # Errors
///
/// `Err(Ok(reason))` for a file we refuse, `Err(Err(io))` for an I/O failure.
pub(crate) fn open_segment(name: &str, path: &Path) -> Result<OpenedSegment, Result<String, std::io::Error>> {
    let (mut file, len) = crate::sys::open_private(path)?;
    if len == 0 || len > 128 {
        return Ok(OpenedSegment { file, len, sealed: false, dead_publisher: None });
    }
    let mut head = Vec::with_capacity(len as usize);
    file.read_to_end(&mut head).map_err(Err)?;
    let Some((pid, fd)) = parse_locator(&head) else {
        // Not a locator: hand the file back from its start, for the readers to say what is wrong with it.
        std::io::Seek::rewind(&mut file).map_err(Err)?;
        return Ok(OpenedSegment { file, len, sealed: false, dead_publisher: None });
    };
    open_target(name, pid, fd)
}

#[cfg(target_os = "linux")]
fn open_target(name: &str, pid: u32, fd: i32) -> Result<OpenedSegment, Result<String, std::io::Error>> {
    let target = target_path(pid, fd);
    // The link's text names the memfd: a reused fd number or pid shows up here as another file.
    match is_memfd_of(pid, fd, name) {
        Ok(true) => {}
        Ok(false) => {
            let now = std::fs::read_link(&target).map(|l| l.display().to_string()).unwrap_or_default();
            return Err(Ok(format!(
                "its locator names {} (now {}), not this segment's memfd",
                target.display(),
                timeseries_array::printable(&now)
            )));
        }
        Err(_) if !crate::process_alive(pid) => {
            let file = File::open("/dev/null").map_err(Err)?;
            return Ok(OpenedSegment { file, len: 0, sealed: true, dead_publisher: Some(pid) });
        }
        Err(e) => return Err(Err(e)),
    }
    let file = File::open(&target).map_err(Err)?;
    let metadata = file.metadata().map_err(Err)?;
    if let Some((owner, me)) = crate::sys::other_owner(&metadata) {
        return Err(Ok(format!("its memfd is owned by user {owner}, not by this user ({me})")));
    }
    let seals = rustix::fs::fcntl_get_seals(&file).map_err(|e| Err(e.into()))?;
    if !seals.contains(required_seals()) {
        return Err(Ok(format!("its memfd is not sealed against changes (seals {seals:?})")));
    }
    Ok(OpenedSegment { len: metadata.len(), file, sealed: true, dead_publisher: None })
}

#[cfg(not(target_os = "linux"))]
fn open_target(_name: &str, _pid: u32, _fd: i32) -> Result<OpenedSegment, Result<String, std::io::Error>> {
    Err(Ok("it is a sealed-segment locator, which only Linux can follow".to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locators_round_trip_and_nothing_else_parses() {
        let text = locator(7);
        assert_eq!(parse_locator(text.as_bytes()), Some((std::process::id(), 7)));
        assert_eq!(parse_locator(b"ARROW1"), None);
        assert_eq!(parse_locator(format!("{LOCATOR_MAGIC}1 2 3\n").as_bytes()), None);
        assert_eq!(parse_locator(format!("{LOCATOR_MAGIC}x 2\n").as_bytes()), None);
    }
}
