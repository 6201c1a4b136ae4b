//! Any bytes as a .arrow file: `timeseries_io::load` returns a frame or a `LoadError`, never panics; a frame
//! that loads is valid and has exactly the rows arrow-ipc's own file reader decodes (the reference).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    common::count_only_escaping_panics();
    let path = common::scratch_file("arrow", data);
    if let Ok(loaded) = timeseries_io::load(&path, &timeseries_io::LoadOptions::default()) {
        let rows = common::reference(|| {
            let file = std::fs::File::open(&path).ok()?;
            let reader = arrow_ipc::reader::FileReader::try_new(file, None).ok()?;
            reader.map(|batch| batch.ok().map(|b| b.num_rows())).sum::<Option<usize>>()
        });
        common::check_loaded(&loaded, rows);
    }
});
