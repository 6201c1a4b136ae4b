//! Freeing a symbol gives its memory back: RSS after `unload` returns to within 10% of RSS before the 1 GiB
//! of bars was loaded, and in shared-memory mode the symbol's segment is unlinked. One test per binary
//! would be ideal for RSS; this file's tests serialise on a lock so the figures are this test's alone.

use std::sync::{Arc, Mutex};

use isolation::arrow_array::{ArrayRef, Float64Array};
use isolation::{DataHandler, IsolationMode, ProcessMemory, Split, SplitSpec, TimeFrame};

static SERIAL: Mutex<()> = Mutex::new(());

fn rss() -> u64 {
    ProcessMemory::current().expect("process memory from the OS").rss_bytes
}

/// `n_rows` bars: a timestamp and five `f64` columns (48 bytes a row).
fn bars(n_rows: usize) -> TimeFrame {
    let column = |x: f64| -> ArrayRef { Arc::new(Float64Array::from(vec![x; n_rows])) };
    let columns = ["open", "high", "low", "close", "volume"]
        .iter()
        .zip(1..)
        .map(|(n, x)| (n.to_string(), column(x as f64)));
    TimeFrame::try_new((0..n_rows as i64).collect::<Vec<i64>>(), columns.collect()).unwrap()
}

#[test]
fn unloading_a_gibibyte_of_bars_gives_rss_back() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut handler = DataHandler::new(IsolationMode::View);
    // One small round first, so the code paths' pages are resident before measuring: only data counts.
    handler.load("SMALL", bars(1000)).unwrap();
    handler.setup_split(SplitSpec::Ratio(0.7)).unwrap();
    drop(handler.data_for("SMALL", Split::Test).unwrap());
    handler.release();

    let before = rss();
    let n_rows = (1 << 30) / 48;
    handler.load("BIG", bars(n_rows)).unwrap();
    handler.setup_split(SplitSpec::Ratio(0.7)).unwrap();
    let test = handler.data_for("BIG", Split::Test).unwrap();
    assert_eq!(test.n_rows(), n_rows - n_rows * 7 / 10);
    drop(test);
    let loaded = rss();
    assert!(loaded > before + (1 << 30) * 9 / 10, "the bars are resident: {before} -> {loaded}");

    assert!(handler.unload("BIG"));
    assert!(handler.symbols().is_empty());
    let after = rss();
    eprintln!("RSS before load {before}, loaded {loaded}, after unload {after}");
    assert!(
        after <= before + before / 10,
        "RSS after unload {after} is not within 10% of RSS before load {before} (loaded: {loaded})"
    );
}

#[cfg(feature = "shm")]
#[test]
fn unloading_in_shared_memory_mode_unlinks_the_segment() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut handler = DataHandler::new(IsolationMode::SharedMemory);
    handler.load("A", bars(1000)).unwrap();
    handler.load("B", bars(1000)).unwrap();
    let names: Vec<String> = handler.segment_names().iter().map(|(_, n)| n.to_string()).collect();
    let listed = |name: &str| isolation::shm::list_segments().iter().any(|s| s.name == name);
    assert!(names.iter().all(|n| listed(n)));
    assert!(handler.unload("A"));
    assert!(!listed(&names[0]) && listed(&names[1]));
    handler.release();
    assert!(!listed(&names[1]));
    assert!(handler.symbols().is_empty());
}
