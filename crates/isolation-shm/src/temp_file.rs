//! The temporary file a segment is written to before it is linked into place: new, private (0600), under a
//! fresh random name, and removed unless it was moved into place.

use std::fs::{File, OpenOptions};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use crate::ShmError;
use crate::name::temp_path;

/// Deletes the temporary file unless it was moved into place.
#[derive(Debug)]
pub(crate) struct TempFile(pub(crate) PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Creates a new private (mode 0600) temporary file for segment `name` in `dir`, under a fresh random name.
/// Something already at a name (a file or a symlink planted there: `O_CREAT | O_EXCL` never follows a
/// symlink) is left alone and another name is tried.
pub(crate) fn create_temp(name: &str, dir: &Path) -> Result<(TempFile, File), ShmError> {
    create_temp_from(name, dir, std::iter::repeat_with(|| temp_path(dir, name)))
}

/// [`create_temp`] trying the names `candidates` gives.
fn create_temp_from(
    name: &str,
    dir: &Path,
    candidates: impl Iterator<Item = PathBuf>,
) -> Result<(TempFile, File), ShmError> {
    const ATTEMPTS: usize = 8;
    let mut taken = Vec::new();
    for path in candidates.take(ATTEMPTS) {
        let mut open = OpenOptions::new();
        open.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        match open.open(&path) {
            Ok(file) => return Ok((TempFile(path), file)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => taken.push(path),
            Err(e) => return Err(ShmError::io(name, &path, "create", e)),
        }
    }
    let first = taken
        .first()
        .map_or_else(String::new, |p| timeseries_array::printable(&p.display().to_string()).into_owned());
    let reason = format!(
        "{ATTEMPTS} fresh temporary names were all taken (the first: {first}, a file or symlink planted there?); \
         check who writes to {}",
        dir.display()
    );
    Err(ShmError::io(
        name,
        dir,
        "create temporary file",
        std::io::Error::new(ErrorKind::AlreadyExists, reason),
    ))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_planted_symlink_at_a_temporary_name_is_left_alone_and_another_name_is_used() {
        let dir = std::env::temp_dir().join(format!("isolation-shm-planted-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("victim");
        std::fs::write(&target, b"not yours").unwrap();
        let planted = dir.join(".isolation.seg.1.tmp");
        std::os::unix::fs::symlink(&target, &planted).unwrap();
        let fresh = dir.join(".isolation.seg.2.tmp");

        let (temp, _file) =
            create_temp_from("seg", &dir, [planted.clone(), fresh.clone()].into_iter()).unwrap();
        assert_eq!(temp.0, fresh);
        assert_eq!(std::fs::read(&target).unwrap(), b"not yours");
        assert!(planted.symlink_metadata().unwrap().file_type().is_symlink());
        drop(temp);
        assert!(!fresh.exists() && planted.symlink_metadata().is_ok(), "only our own file is removed");

        let err = create_temp_from("seg", &dir, std::iter::repeat(planted.clone())).unwrap_err();
        let err = timeseries_array::error_chain(&err);
        assert!(err.contains(&format!("the first: {}", planted.display())), "{err}");
        assert!(err.contains("planted there?"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
