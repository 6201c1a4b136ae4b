//! Any bytes as a segment file: attaching gives a frame or a `ShmError`, never panics; a frame that attaches
//! is a valid one (sorted index, every column readable to its last row).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::count_only_escaping_panics();
    let path = common::scratch_file("arrow", data);
    if let Ok(attached) = isolation_shm::AttachOptions::new().attach_file(&path) {
        common::check_frame(attached.frame());
    }
});
