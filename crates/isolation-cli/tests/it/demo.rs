//! The demo: same checksum in every mode, views own almost nothing, and the output people read is stable.

use std::process::Command;

use isolation::{IsolationMode, available_modes};
use isolation_cli::demo::{DemoConfig, run_demo};
use isolation_cli::synthetic::SyntheticBars;
use isolation_cli::table::render_table;

fn config(modes: Vec<IsolationMode>) -> DemoConfig {
    DemoConfig {
        bars: SyntheticBars { rows: 3_000, symbols: 2, seed: 42 },
        modes,
        train_ratio: 0.7,
        workers: None,
    }
}

#[test]
fn every_mode_gives_the_same_checksum_and_rows() {
    let results = run_demo(&config(available_modes())).unwrap();
    assert_eq!(results.len(), available_modes().len());
    for r in &results {
        assert_eq!(
            (r.train_rows, r.test_rows, r.checksum),
            (4_200, 1_800, results[0].checksum),
            "{:?}",
            r.mode
        );
    }
}

#[test]
fn views_own_under_4_kib_per_split_and_copies_own_their_rows() {
    let results = run_demo(&config(vec![IsolationMode::View, IsolationMode::DeepCopy])).unwrap();
    let (view, copy) = (&results[0], &results[1]);
    assert!(view.owned_bytes < 4096 * 4, "2 symbols x 2 splits: {}", view.owned_bytes);
    // Every bar: 8-byte timestamp, four f64 prices and a u32 volume.
    let frame_bytes = 6_000 * (8 + 4 * 8 + 4);
    assert!(view.shared_bytes as usize >= frame_bytes);
    assert!(copy.owned_bytes as usize >= frame_bytes, "{}", copy.owned_bytes);
    assert_eq!(copy.shared_bytes, 0);
}

#[test]
fn demo_table_layout() {
    let results = run_demo(&config(vec![IsolationMode::View, IsolationMode::DeepCopy])).unwrap();
    insta::assert_snapshot!(render_table(&results, true));
}

#[test]
fn json_lines_have_the_documented_keys() {
    let output = Command::new(env!("CARGO_BIN_EXE_isolation"))
        .args(["demo", "--rows", "2000", "--symbols", "2", "--json", "--modes", "view,deep-copy"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let lines: Vec<serde_json::Value> =
        String::from_utf8(output.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2);
    let keys = [
        "mode",
        "setup_ns",
        "owned_bytes",
        "shared_bytes",
        "rss_delta_bytes",
        "train_rows",
        "test_rows",
        "bars_per_sec",
        "checksum",
        "pss_bytes",
        "uss_bytes",
        "write_step",
        "workers",
    ];
    for line in &lines {
        let object = line.as_object().unwrap();
        assert_eq!(object.len(), keys.len(), "{line}");
        for key in keys {
            assert!(object.contains_key(key), "missing {key} in {line}");
        }
    }
    assert_eq!(lines[0]["mode"], "view");
    assert_eq!(lines[1]["mode"], "deep-copy");
    // Values, not only keys: 2 symbols x 2000 bars cut 70/30, the same result in both modes, and a view
    // that shares the base while the deep copy owns its rows (a demo bar is 44 bytes: 4000 are 176,000).
    for line in &lines {
        assert_eq!(
            (line["train_rows"].as_u64(), line["test_rows"].as_u64()),
            (Some(2800), Some(1200)),
            "{line}"
        );
        assert!(line["checksum"].as_u64().is_some(), "{line}");
        assert!(line["bars_per_sec"].as_f64().is_some_and(|b| b > 0.0), "{line}");
        assert_eq!(line["workers"], serde_json::json!([]), "{line}");
    }
    assert_eq!(lines[0]["checksum"], lines[1]["checksum"]);
    assert_eq!(lines[0]["shared_bytes"], 176_000, "the view shares the whole base");
    assert_eq!(lines[1]["shared_bytes"], 0, "the deep copy shares nothing");
    assert!(lines[1]["owned_bytes"].as_u64().unwrap() >= 176_000, "{}", lines[1]);
    assert!(lines[0]["owned_bytes"].as_u64().unwrap() < 16_384, "a view owns O(columns) bytes: {}", lines[0]);
}

#[test]
fn unknown_mode_is_a_clear_error() {
    let output =
        Command::new(env!("CARGO_BIN_EXE_isolation")).args(["demo", "--modes", "fastest"]).output().unwrap();
    assert!(!output.status.success());
    insta::assert_snapshot!(String::from_utf8_lossy(&output.stderr));
}
