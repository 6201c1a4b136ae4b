//! Any bytes as a segment file: attaching gives a frame or a `ShmError`, never panics; a frame that attaches
//! is a valid one (sorted index, every column readable to its last row).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::count_only_escaping_panics();
    let path = common::scratch_file("arrow", data);
    if let Ok(attached) = isolation_shm::AttachOptions::new().attach_file(&path) {
        let frame = attached.frame();
        assert!(frame.timestamps().windows(2).all(|w| w[0] < w[1]), "an attached index is sorted");
        for column in 0..frame.n_columns() {
            let _ = frame.value_f64(column, frame.n_rows().saturating_sub(1));
        }
    }
});
