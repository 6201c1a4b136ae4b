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

/// The loaders' contract is that no panic escapes `load` (the Parquet decoder's own panics are caught and
/// become a `LoadError`, see `timeseries_io::load`). libFuzzer's panic hook aborts on every panic, caught or
/// not; this quiets the hook, so a panic counts as a crash only when it escapes the call under test (then
/// libfuzzer-sys's own `catch_unwind` aborts, and the input is saved).
pub fn count_only_escaping_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}
