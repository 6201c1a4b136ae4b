//! Shared by the fuzz targets: each input is written to a private file (the loaders take paths), whose
//! name carries the extension that picks the format.

use std::path::PathBuf;

/// Writes `data` to this process's scratch file with `extension` and returns its path.
pub fn scratch_file(extension: &str, data: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("isolation-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(format!("input.{extension}"));
    std::fs::write(&path, data).expect("write the input");
    path
}
