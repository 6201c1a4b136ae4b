//! `isolation split`, `info` and `shm` on real files: good files split in every format, every bad input is a
//! clear error with a non-zero exit status.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array, Int64Array};
use isolation::TimeFrame;

const FIXTURES: &str = "../timeseries-io/tests/data";

fn isolation(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_isolation"))
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .env("RUST_LIB_BACKTRACE", "0")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

fn bars(n: usize) -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n).map(|i| 100.0 + i as f64)));
    let volume: ArrayRef = Arc::new(Int64Array::from_iter_values((0..n as i64).map(|i| i * 10)));
    TimeFrame::try_new(
        (0..n as i64).map(|i| 1_704_067_200_000_000_000 + i * 86_400_000_000_000).collect::<Vec<_>>(),
        vec![("close".into(), close), ("volume".into(), volume)],
    )
    .unwrap()
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("isolation-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn split_loads_csv_parquet_ipc_and_a_directory() {
    let dir = scratch_dir("split");
    for file in ["AAA.csv", "BBB.parquet", "CCC.arrow"] {
        timeseries_io::save(dir.join(file), &bars(100)).unwrap();
        let (ok, out, err) =
            isolation(&["split", dir.join(file).to_str().unwrap(), "--train-ratio", "0.8", "--json"]);
        assert!(ok, "{file}: {err}");
        let row: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
        assert_eq!(
            (row["train"]["rows"].as_u64(), row["test"]["rows"].as_u64()),
            (Some(80), Some(20)),
            "{file}"
        );
        assert_eq!(row["test"]["start"], "2024-03-21T00:00:00Z", "{file}");
    }
    let (ok, out, err) =
        isolation(&["split", dir.to_str().unwrap(), "--split-date", "2024-02-01", "--mode", "cow"]);
    assert!(ok, "{err}");
    insta::assert_snapshot!(out);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn info_describes_a_vendor_file() {
    let (ok, out, err) = isolation(&["info", &format!("{FIXTURES}/yahoo.csv")]);
    assert!(ok, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn info_on_an_unsorted_file_says_so_and_still_gives_rows_and_time_range() {
    let (ok, out, err) = isolation(&["info", &format!("{FIXTURES}/bad_unsorted.csv")]);
    assert!(ok, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn every_bad_input_is_a_clear_error_with_a_non_zero_exit() {
    let mut messages = Vec::new();
    for fixture in [
        "bad_cell.csv",
        "bad_duplicate.csv",
        "bad_empty.csv",
        "bad_header_only.csv",
        "bad_missing_timestamp.csv",
        "bad_mixed_zones.csv",
        "bad_no_timestamp.csv",
        "bad_timestamp.csv",
        "bad_unsorted.csv",
    ] {
        let (ok, _, err) = isolation(&["split", &format!("{FIXTURES}/{fixture}")]);
        assert!(!ok, "{fixture} should fail");
        messages.push(format!("{fixture}: {}", err.trim()));
    }
    let (ok, _, err) = isolation(&["split", "demo", "--rows", "1000", "--split-date", "2031-01-01"]);
    assert!(!ok);
    messages.push(format!("date after the data: {}", err.trim()));
    insta::assert_snapshot!(messages.join("\n"));
}

#[test]
fn shm_publish_ls_attach_rm_from_the_shell() {
    let name = format!("cli-test-{}", std::process::id());
    let (ok, out, err) = isolation(&["shm", "publish", "demo", "--rows", "5000", "--name", &name]);
    assert!(ok, "{err}");
    assert!(out.contains(&format!("published `{name}`: 5000 rows, 5 columns")), "{out}");

    let (ok, out, _) = isolation(&["shm", "ls"]);
    assert!(ok && out.contains(&name) && out.contains("kept"), "{out}");

    let (ok, out, err) = isolation(&["shm", "attach", &name]);
    assert!(ok, "{err}");
    assert!(
        out.contains("rows:     5000") && out.contains("close f64") && out.contains("volume u32"),
        "{out}"
    );
    let (ok, out, err) = isolation(&["shm", "attach", &name, "--verify"]);
    assert!(ok, "{err}");
    assert!(out.contains("verified: every column matches its checksum"), "{out}");

    let (ok, _, err) = isolation(&["shm", "rm", &name]);
    assert!(ok, "{err}");
    let (ok, _, err) = isolation(&["shm", "attach", &name]);
    assert!(!ok);
    assert!(err.contains(&name), "the error names the segment: {err}");
}

#[test]
fn demo_workers_attach_the_same_pages_and_agree() {
    let (ok, out, err) = isolation(&[
        "demo",
        "--rows",
        "20000",
        "--symbols",
        "2",
        "--modes",
        "view,shm",
        "--workers",
        "2",
        "--json",
    ]);
    assert!(ok, "{err}");
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert_eq!(
        (&lines[0]["mode"], &lines[1]["mode"]),
        (&serde_json::json!("view"), &serde_json::json!("shm"))
    );
    let checksum = lines[0]["checksum"].as_u64().expect("a numeric checksum");
    assert_eq!(lines[1]["checksum"].as_u64(), Some(checksum));
    let workers = lines[1]["workers"].as_array().unwrap();
    assert_eq!(workers.len(), 2);
    for worker in workers {
        assert_eq!(worker["checksum"].as_u64(), Some(checksum), "{worker}");
    }
}

#[test]
fn split_of_a_directory_with_two_calendars_prints_one_cut_and_the_symbol_left_without_test() {
    let dir = scratch_dir("calendars");
    // EARLY: 100 days from 2024-01-01; LATE: 100 days from 2024-03-01 (listed two months later).
    timeseries_io::save(dir.join("EARLY.csv"), &bars(100)).unwrap();
    let shifted = bars(100);
    let late: Vec<i64> = shifted.timestamps().iter().map(|t| t + 60 * 86_400_000_000_000).collect();
    let columns = ["close", "volume"].map(|c| (c.to_string(), shifted.column(c).unwrap().clone()));
    timeseries_io::save(dir.join("LATE.csv"), &TimeFrame::try_new(late, columns.to_vec()).unwrap()).unwrap();

    let (ok, out, err) = isolation(&["split", dir.to_str().unwrap(), "--train-ratio", "0.7"]);
    assert!(ok, "{err}");
    // 160 distinct days in all: the cut is the 112th, 2024-04-22, for both symbols.
    assert!(out.starts_with("cut: every symbol's test starts at 2024-04-22T00:00:00Z\n"), "{out}");
    let rows: Vec<(&str, &str, &str)> = out
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            (f.len() >= 4 && (f[2] == "train" || f[2] == "test")).then(|| (f[0], f[2], f[3]))
        })
        .collect();
    assert_eq!(
        rows,
        [("EARLY", "train", "100"), ("EARLY", "test", "0"), ("LATE", "train", "52"), ("LATE", "test", "48")]
    );
    assert!(out.contains("EARLY        warning: symbol `EARLY` has no test rows"), "{out}");

    // --per-symbol: each symbol 70/30 over its own days, both sides for both, each cut printed and why it
    // is not the default.
    let (ok, out, err) = isolation(&["split", dir.to_str().unwrap(), "--train-ratio", "0.7", "--per-symbol"]);
    assert!(ok, "{err}");
    assert!(out.starts_with("cut: each symbol over its own rows (--per-symbol)"), "{out}");
    assert!(out.contains("can see one symbol's future"), "{out}");
    assert!(out.contains("EARLY        test starts at 2024-03-11T00:00:00Z"), "{out}");
    assert!(out.contains("LATE         test starts at 2024-05-10T00:00:00Z"), "{out}");
    assert!(!out.contains("warning"), "{out}");
    let (ok, json, err) =
        isolation(&["split", dir.to_str().unwrap(), "--train-ratio", "0.7", "--per-symbol", "--json"]);
    assert!(ok, "{err}");
    let rows: Vec<serde_json::Value> = json.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(
        rows.iter().all(|r| r["per_symbol"] == true && r["train"]["rows"] == 70 && r["test"]["rows"] == 30)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn split_says_which_text_columns_it_left_out() {
    let dir = scratch_dir("dropped");
    let path = dir.join("VENUE.csv");
    std::fs::write(
        &path,
        "Date,Close,Venue\n2024-01-01,1.5,XNAS\n2024-01-02,2.5,XNAS\n2024-01-03,3.5,ARCX\n",
    )
    .unwrap();
    let (ok, out, err) = isolation(&["split", path.to_str().unwrap(), "--train-ratio", "0.5"]);
    assert!(ok, "{err}");
    assert!(out.contains("VENUE        left out non-numeric columns: Venue\n"), "{out}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn split_takes_the_spec_as_text() {
    // `--split last=N`: test is the last N instants of all symbols (the demo's symbols share their minutes).
    let (ok, out, err) =
        isolation(&["split", "demo", "--rows", "1000", "--symbols", "2", "--split", "last=100", "--json"]);
    assert!(ok, "{err}");
    let rows: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row["test"]["rows"], 100, "{row}");
        assert_eq!(row["train"]["rows"], 900, "{row}");
    }
    let (ok, _, err) = isolation(&["split", "demo", "--rows", "1000", "--split", "last=2000"]);
    assert!(!ok);
    assert!(err.contains("testing on the last 2000 of 1000 instants leaves the train split empty"), "{err}");
    let (ok, _, err) = isolation(&["split", "demo", "--split", "70%"]);
    assert!(!ok);
    assert!(err.contains("is not a split"), "{err}");
}

#[test]
fn info_optimize_reports_the_narrowest_lossless_types() {
    let (ok, out, err) = isolation(&["info", &format!("{FIXTURES}/yahoo.csv"), "--optimize", "--json"]);
    assert!(ok, "{err}");
    let value: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    let report = &value["optimize"];
    let columns = report["columns"].as_array().expect("a column list");
    let types: Vec<(&str, &str, &str)> = columns
        .iter()
        .map(|c| {
            (c["column"].as_str().unwrap(), c["from_type"].as_str().unwrap(), c["to_type"].as_str().unwrap())
        })
        .collect();
    // Prices like 472.16 have no exact f32 and stay f64; volumes 84,232,200..=123,623,700 fit in a u32.
    assert_eq!(
        types,
        [
            ("Open", "Float64", "Float64"),
            ("High", "Float64", "Float64"),
            ("Low", "Float64", "Float64"),
            ("Close", "Float64", "Float64"),
            ("Adj Close", "Float64", "Float64"),
            ("Volume", "Int64", "UInt32"),
        ],
        "{report}"
    );
    assert_eq!(
        (columns[5]["before_bytes"].as_u64(), columns[5]["after_bytes"].as_u64()),
        (Some(24), Some(12))
    );
    let (ok, text, err) = isolation(&["info", &format!("{FIXTURES}/yahoo.csv"), "--optimize"]);
    assert!(ok, "{err}");
    assert!(text.contains("narrowest lossless types (not applied; the file is unchanged)"), "{text}");
}

#[test]
fn control_characters_in_user_text_are_escaped_in_messages() {
    // Segment names and paths with ESC or BEL were echoed raw: a name could clear the screen or forge a line.
    for args in [
        vec!["shm", "rm", "bad\u{1b}[2Jname"],
        vec!["shm", "attach", "x\u{7}y"],
        vec!["info", "/tmp/no\u{1b}[31mfile.csv"],
    ] {
        let (ok, _, err) = isolation(&args);
        assert!(!ok, "{args:?}");
        assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{args:?}: {err:?}");
        assert!(err.contains("\\u{1b}") || err.contains("\\u{7}"), "{args:?}: {err}");
    }
}
