//! Inputs the fuzzers found (fuzz/run.sh), each named after what broke; every one must now load or give a
//! `LoadError`, never panic or abort.

use timeseries_io::{LoadOptions, load};

const DIR: &str = "tests/data/fuzz";

#[test]
fn fuzz_findings_are_errors_not_crashes() {
    // ipc_lz4_buffer_claims_terabytes_uncompressed: an lz4 buffer's length prefix said 2^48 bytes, and
    // arrow-ipc allocated that before decompressing (the allocator aborted the process).
    // parquet_column_chunk_at_a_negative_offset: the parquet crate asserted (panicked) on a column chunk
    // whose offset was negative; now the chunk ranges are checked against the file first.
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
