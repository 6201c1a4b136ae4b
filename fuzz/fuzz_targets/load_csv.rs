//! Any bytes as a .csv file: `timeseries_io::load` returns a frame or a `LoadError`, never panics; a frame
//! that loads is valid and has no more rows than the input has lines (a header and blank lines take none).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::count_only_escaping_panics();
    let path = common::scratch_file("csv", data);
    if let Ok(loaded) = timeseries_io::load(&path, &timeseries_io::LoadOptions::default()) {
        common::check_loaded(&loaded, None);
        let lines = data.split(|&b| b == b'\n' || b == b'\r').filter(|l| !l.is_empty()).count();
        assert!(loaded.frame.n_rows() <= lines, "{} rows from {lines} lines", loaded.frame.n_rows());
    }
});
