//! Shared by the fuzz targets: each input is written to a private file (the loaders take paths), whose
//! name carries the extension that picks the format.

use std::path::PathBuf;

/// Writes `data` to this process's scratch file with `extension` and returns its path. The file is made
/// mode 0600 whatever the umask: the segment attach refuses group- or world-writable files, and under umask
/// 002 every input would otherwise be refused before its bytes were read.
pub fn scratch_file(extension: &str, data: &[u8]) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("isolation-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let path = dir.join(format!("input.{extension}"));
    std::fs::write(&path, data).expect("write the input");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("mode 0600");
    path
}

/// What every successful load must satisfy, whatever the bytes: the report agrees with the frame, the index
/// is strictly increasing, every column reads to its last row, and (where a reference count is given) no
/// row was lost or invented.
#[allow(dead_code)] // each target compiles this module; attach_segment has no `Loaded`
pub fn check_loaded(loaded: &timeseries_io::Loaded, reference_rows: Option<usize>) {
    let frame = &loaded.frame;
    assert_eq!(loaded.report.rows, frame.n_rows(), "the report's row count is the frame's");
    check_frame(frame);
    if let Some(rows) = reference_rows {
        assert_eq!(frame.n_rows(), rows, "the reference reader counts {rows} rows");
    }
}

/// What every frame that loads or attaches must satisfy: a strictly increasing index, and every column
/// readable to its last row.
pub fn check_frame(frame: &isolation_shm::TimeFrame) {
    assert!(frame.timestamps().windows(2).all(|w| w[0] < w[1]), "the index is strictly increasing");
    for column in 0..frame.n_columns() {
        let _ = frame.value_f64(column, frame.n_rows().saturating_sub(1));
    }
}

/// `call` with its panics caught: for reference readers (arrow-rs, parquet), whose own panics on corrupt
/// input are not what these targets test.
#[allow(dead_code)] // each target compiles this module; the CSV target has no reference reader
pub fn reference<T>(call: impl FnOnce() -> Option<T>) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).ok().flatten()
}

/// The loaders' contract is that no panic escapes `load` (the parquet crate's own panics are caught around
/// each call into it and become a `LoadError`; a panic in our code is not caught and is a crash).
/// libFuzzer's panic hook aborts on every panic, caught or not; this quiets the hook, so a panic counts as a
/// crash only when it escapes the call under test (then libfuzzer-sys's own `catch_unwind` aborts, and the
/// input is saved).
pub fn count_only_escaping_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| std::panic::set_hook(Box::new(|_| {})));
}
