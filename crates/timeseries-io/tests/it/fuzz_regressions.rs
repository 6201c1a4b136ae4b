//! Inputs the fuzzers found (fuzz/run.sh), each named after what broke; every one must now load or give a
//! `LoadError`, never panic or abort.

use timeseries_io::{LoadOptions, load, read_table};

const DIR: &str = "tests/data/fuzz";

#[test]
fn fuzz_findings_are_errors_not_crashes() {
    // ipc_lz4_buffer_claims_terabytes_uncompressed: an lz4 buffer's length prefix said 2^48 bytes, and
    // arrow-ipc allocated that before decompressing (the allocator aborted the process).
    // parquet_column_chunk_at_a_negative_offset: the parquet crate asserted (panicked) on a column chunk
    // whose offset was negative; now the chunk ranges are checked against the file first.
    // parquet_footer_row_count_disagrees_with_row_groups: one flipped bit made the footer state 14 rows
    // over row groups of 5, 5 and 2; the file loaded 12 rows without a word (as pyarrow still reads it).
    let mut checked = 0;
    for entry in std::fs::read_dir(DIR).unwrap() {
        let path = entry.unwrap().path();
        let refused = std::panic::catch_unwind(|| load(&path, &LoadOptions::default()).is_err());
        let refused = refused.unwrap_or_else(|_| panic!("{} panicked", path.display()));
        assert!(refused, "{} loaded, though it is corrupt", path.display());
        checked += 1;
    }
    assert!(checked >= 1, "the regression inputs are in {DIR}");
}

#[test]
fn side_tables_refuse_the_same_findings() {
    // `read_table` (a universe's membership, a calendar) reads Parquet and IPC through the same checks.
    for entry in std::fs::read_dir(DIR).unwrap() {
        let path = entry.unwrap().path();
        let refused = std::panic::catch_unwind(|| read_table(&path).is_err());
        let refused = refused.unwrap_or_else(|_| panic!("read_table panicked on {}", path.display()));
        assert!(refused, "read_table read {}, though it is corrupt", path.display());
    }
}

#[test]
fn a_footer_stating_rows_its_groups_do_not_hold_is_named() {
    let path = format!("{DIR}/parquet_footer_row_count_disagrees_with_row_groups.parquet");
    let err = load(&path, &LoadOptions::default()).unwrap_err().to_string();
    assert!(err.contains("its footer states 14 rows, but its row groups hold 12"), "{err}");
    assert!(err.contains("parquet_footer_row_count_disagrees_with_row_groups.parquet"), "{err}");
}

/// Set in the child run of [`a_caught_decoder_panic_prints_nothing_but_the_error`].
const QUIET_CHILD: &str = "TIMESERIES_IO_QUIET_CHILD";

#[test]
fn quiet_decoder_child() {
    if std::env::var_os(QUIET_CHILD).is_none() {
        return; // only meaningful as the child below
    }
    let path = format!("{DIR}/parquet_flipped_byte_panics_in_arrow_buffer_bit_chunks.parquet");
    let err = load(&path, &LoadOptions::default()).unwrap_err();
    eprintln!("ERROR: {err}");
}

#[test]
fn a_caught_decoder_panic_prints_nothing_but_the_error() {
    // arrow-buffer panics inside the parquet decoder on this file; the loader catches it. Before, the panic
    // message and, with RUST_BACKTRACE, a stack were printed ahead of the clean error.
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "fuzz_regressions::quiet_decoder_child", "--nocapture", "--test-threads=1"])
        .env(QUIET_CHILD, "1")
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("ERROR: ")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(errors[0].contains("the Parquet decoder failed on it: offset + len out of bounds"), "{stderr}");
    assert!(!stderr.contains("panicked"), "the caught panic printed:\n{stderr}");
    assert!(!stderr.contains("stack backtrace"), "{stderr}");
}
