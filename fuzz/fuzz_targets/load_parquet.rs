//! Any bytes as a .parquet file: `timeseries_io::load` returns a frame or a `LoadError`, never panics; a
//! frame that loads is valid and has exactly the rows the file's metadata states (read by the parquet crate
//! as the reference).
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;

fuzz_target!(|data: &[u8]| {
    common::count_only_escaping_panics();
    let path = common::scratch_file("parquet", data);
    if let Ok(loaded) = timeseries_io::load(&path, &timeseries_io::LoadOptions::default()) {
        let rows = common::reference(|| {
            let file = std::fs::File::open(&path).ok()?;
            let builder = ParquetRecordBatchReaderBuilder::try_new(file).ok()?;
            usize::try_from(builder.metadata().file_metadata().num_rows()).ok()
        });
        common::check_loaded(&loaded, rows);
    }
});
