//! Segment names, the directory segments live in, and the file names they map to.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::ShmError;

/// Every segment file is named `isolation.<name>`, so `ls /dev/shm` shows whose files they are.
pub const SEGMENT_PREFIX: &str = "isolation.";

/// Environment variable that overrides [`default_dir`] (for example to put segments on a large disk when
/// `/dev/shm` is small, as in many containers).
pub const DIR_ENV: &str = "ISOLATION_SHM_DIR";

/// The longest segment name accepted, in bytes (file names are limited to 255 bytes on most filesystems).
pub const MAX_NAME_LEN: usize = 200;

/// Where segments live when no directory is given: `$ISOLATION_SHM_DIR` if set, else `/dev/shm` on Linux
/// (memory-backed, shared by every process), else the system temp directory.
pub fn default_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(DIR_ENV).filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if cfg!(target_os = "linux") && shm.is_dir() { shm.to_path_buf() } else { std::env::temp_dir() }
}

/// The path of segment `name` in `dir` (the name is not validated here).
pub fn segment_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{SEGMENT_PREFIX}{name}"))
}

/// Checks that `name` can name a segment: 1 to [`MAX_NAME_LEN`] bytes of ASCII letters, digits, `_`, `-` and
/// `.`, not starting with `.` (so it can never be a path, a hidden file or a temporary file of ours).
///
/// # Errors
///
/// [`ShmError::InvalidName`] saying which rule the name breaks.
pub fn validate_name(name: &str) -> Result<(), ShmError> {
    let reason = if name.is_empty() {
        Some("the name is empty")
    } else if name.len() > MAX_NAME_LEN {
        Some("the name is longer than 200 bytes")
    } else if name.starts_with('.') {
        Some("the name starts with `.`")
    } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')) {
        Some("use only ASCII letters, digits, `_`, `-` and `.` (no `/`, spaces or other characters)")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ShmError::InvalidName { name: name.to_string(), reason }),
        None => Ok(()),
    }
}

/// The segment name of a directory entry, if the entry is a segment file.
pub(crate) fn name_of_file(file_name: &str) -> Option<&str> {
    file_name.strip_prefix(SEGMENT_PREFIX).filter(|n| validate_name(n).is_ok())
}

/// A fresh temporary path next to the segment, unique within this machine: `.isolation.<name>.<pid>.<n>.tmp`.
/// Hidden, so listings skip it; the pid lets [`crate::gc`] remove it once its writer is dead.
pub(crate) fn temp_path(dir: &Path, name: &str) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    // A counter for this process, mixed with 64 random bits: another user cannot plant a file or a
    // symlink at the next name in advance.
    let n = COUNTER.fetch_add(1, Ordering::Relaxed) ^ random_u64();
    dir.join(format!(".{SEGMENT_PREFIX}{name}.{}.{n}.tmp", std::process::id()))
}

/// 64 bits from the operating system's randomness (the standard library seeds every `RandomState` from it).
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new().build_hasher().finish()
}

/// The writer pid of one of our temporary files, if `file_name` is one.
pub(crate) fn pid_of_temp_file(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_prefix(SEGMENT_PREFIX)?.strip_suffix(".tmp")?;
    let mut parts = rest.rsplitn(3, '.');
    let _counter: u64 = parts.next()?.parse().ok()?;
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, valid: bool) {
        assert_eq!(validate_name(name).is_ok(), valid, "name {name:?}");
    }

    #[test]
    fn name_rules() {
        check("spy-2020.daily_v2", true);
        check("a", true);
        check(&"x".repeat(MAX_NAME_LEN), true);
        check(&"x".repeat(MAX_NAME_LEN + 1), false);
        check("", false);
        check(".hidden", false);
        check("a/b", false);
        check("..", false);
        check("has space", false);
        check("naïve", false);
    }

    #[test]
    fn temp_files_are_recognised_and_are_not_segments() {
        let path = temp_path(Path::new("/d"), "prices.v1");
        let file_name = path.file_name().and_then(|f| f.to_str()).expect("utf-8 name");
        assert_eq!(pid_of_temp_file(file_name), Some(std::process::id()));
        assert_eq!(name_of_file(file_name), None);
        assert_eq!(name_of_file("isolation.prices.v1"), Some("prices.v1"));
        assert_eq!(pid_of_temp_file("isolation.prices.v1"), None);
    }
}
