//! Registered files load on first use: memory is spent only on the symbols used.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use isolation::{DataHandler, IsolationError, IsolationMode, Split, SplitSpec, TimeFrame};

fn frame(n: usize) -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n).map(|i| i as f64)));
    TimeFrame::try_new(
        (0..n as i64).map(|i| i * 60_000_000_000).collect::<Vec<_>>(),
        vec![("close".into(), close)],
    )
    .unwrap()
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("isolation-lazy-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_directory_registers_one_symbol_per_file_and_loads_only_what_is_used() {
    let dir = scratch_dir("dir");
    timeseries_io::save(dir.join("AAA.parquet"), &frame(100)).unwrap();
    timeseries_io::save(dir.join("BBB.arrow"), &frame(200)).unwrap();
    timeseries_io::save(dir.join("CCC.csv"), &frame(50)).unwrap();
    std::fs::write(dir.join("notes.txt.bak"), "not data").unwrap();

    let mut handler = DataHandler::new(IsolationMode::View);
    assert_eq!(handler.register_dir(&dir).unwrap(), vec!["AAA", "BBB", "CCC"]);
    assert!(handler.memory_report().symbols.is_empty(), "nothing loaded yet");

    let full = handler.data_for("BBB", Split::Full).unwrap();
    assert_eq!(full.n_rows(), 200);
    assert!(handler.is_loaded("BBB") && !handler.is_loaded("AAA") && !handler.is_loaded("CCC"));
    assert_eq!(handler.memory_report().symbols.len(), 1);

    // The cut depends on every symbol's timestamps: setting up a split loads them all.
    handler.setup_split(SplitSpec::Ratio(0.5)).unwrap();
    assert!(handler.is_loaded("AAA") && handler.is_loaded("CCC"));
    assert_eq!(handler.data_for("BBB", Split::Test).unwrap().n_rows(), 100);
    assert_eq!(handler.base("CCC").unwrap(), &frame(50));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_bad_file_fails_on_first_use_naming_symbol_and_file_and_stays_unloaded() {
    let dir = scratch_dir("bad");
    let path = dir.join("BAD.csv");
    std::fs::write(&path, "timestamp,close\n2024-01-02,1.0\n2024-01-01,2.0\n").unwrap();
    let mut handler = DataHandler::new(IsolationMode::View);
    handler.register_path("BAD", &path);
    let error = handler.data_for("BAD", Split::Full).unwrap_err();
    // The loader's own error is kept, not flattened to text: the symbol's error holds it as a `File`.
    let IsolationError::ForSymbol { source, .. } = &error else { panic!("{error:?}") };
    let IsolationError::File { source: cause } = &**source else { panic!("{source:?}") };
    assert!(matches!(
        cause.downcast_ref::<isolation::LoadError>(),
        Some(isolation::LoadError::Unsorted { .. })
    ));
    // Each layer says its part once: the symbol, then the loader's message (which names the file).
    assert_eq!(error.to_string(), "symbol `BAD`");
    let message = isolation::error_chain(&error);
    assert!(message.starts_with("symbol `BAD`: ") && message.matches("BAD.csv").count() == 1, "{message}");
    assert!(!handler.is_loaded("BAD"));
    std::fs::remove_dir_all(dir).unwrap();
}
