//! `cargo xtask bench` end to end on the tiny size: every child path runs once, report.json parses with the
//! expected sections, and report.md and both SVG plots are written. No timing is asserted.

use std::path::PathBuf;
use std::process::Command;

#[test]
fn tiny_bench_writes_a_parsable_report_and_both_plots() {
    let out: PathBuf = std::env::temp_dir().join(format!("xtask-bench-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let output = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["bench", "--quick", "--sizes", "tiny", "--no-release-build", "--out"])
        .arg(&out)
        .output()
        .expect("xtask runs");
    assert!(output.status.success(), "xtask bench failed: {}", String::from_utf8_lossy(&output.stderr));

    let json = std::fs::read_to_string(out.join("report.json")).expect("report.json written");
    let report: serde_json::Value = serde_json::from_str(&json).expect("report.json parses");
    let modes: Vec<&str> =
        report["runs"].as_array().expect("runs").iter().map(|r| r["mode"].as_str().expect("mode")).collect();
    assert_eq!(modes, ["deep-copy", "view", "cow", "shm"]);
    let walk = &report["runs"][1]["walk"];
    assert_eq!(walk["bars"], 7_000, "the walk covers the 70% train split");
    for field in ["cursor_vs_raw", "legacy_vs_raw", "window_over_raw"] {
        assert!(walk[field].as_f64().is_some_and(|r| r > 0.0), "{field} reported: {walk}");
    }
    assert_eq!(walk["volume_walk_heap_bytes"], 0, "a typed walk of the u32 volume allocates nothing");
    assert!(
        report["runs"][2]["walk"]["written_cursor_vs_raw"].as_f64().is_some(),
        "cow reports written chunks"
    );
    let copy = &report["deep_copy"];
    assert_eq!(copy["isolation"]["rows"], 10_000);
    assert!(
        copy["pandas"].is_object() != copy["pandas_missing"].is_string(),
        "pandas ran or says why not: {copy}"
    );
    assert_eq!(report["scaling"].as_array().expect("scaling").len(), 12, "3 row counts x 4 modes");
    let checks: Vec<&str> = report["flat_checks"]
        .as_array()
        .expect("flat checks")
        .iter()
        .map(|c| c["operation"].as_str().expect("operation"))
        .collect();
    assert_eq!(
        checks,
        [
            "view split setup",
            "cow split setup",
            "shm split setup",
            "shm attach",
            "shm attach, trusting published order"
        ]
    );
    let shared = &report["shared"][0];
    assert_eq!(shared["workers"], 2);
    assert!(shared["total_pss_bytes"].as_u64().expect("pss summed") > 0);

    // Deep copy owns its rows; a view owns nothing (both from the ledger, not from timing).
    let runs = &report["runs"];
    let owned = |i: usize| runs[i]["ledger_owned_bytes"].as_u64().expect("owned bytes");
    assert!(owned(0) >= runs[0]["dataset_bytes"].as_u64().expect("dataset bytes"), "{}", runs[0]);
    assert_eq!(owned(1), 0);

    let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md written");
    for section in
        ["## Memory per mode and size", "## Reading through the cursor", "## Deep copy against pandas"]
    {
        assert!(markdown.contains(section), "report.md has {section}");
    }
    for svg in ["memory.svg", "setup_time.svg"] {
        let text = std::fs::read_to_string(out.join(svg)).unwrap_or_else(|e| panic!("{svg}: {e}"));
        assert!(text.starts_with("<svg") && text.contains("deep-copy"), "{svg} is an SVG with a legend");
    }
    std::fs::remove_dir_all(&out).expect("clean up");
}
