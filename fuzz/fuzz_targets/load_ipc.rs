//! Any bytes as a .arrow file: `timeseries_io::load` returns a frame or a `LoadError`, never panics.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::count_only_escaping_panics();
    let path = common::scratch_file("arrow", data);
    let _ = timeseries_io::load(&path, &timeseries_io::LoadOptions::default());
});
