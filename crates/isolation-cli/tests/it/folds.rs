//! `isolation folds`: the table and JSON people read.

use std::process::Command;

fn isolation(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_isolation")).args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn walk_forward_in_time_table() {
    let (ok, out, err) = isolation(&[
        "folds",
        "demo",
        "--walk-forward",
        "train=30d,test=10d,step=10d,gap=1d",
        "--warmup",
        "50",
        "--rows",
        "80000",
    ]);
    assert!(ok, "{err}");
    insta::assert_snapshot!(out);
}

#[test]
fn purged_kfold_json() {
    let (ok, out, err) = isolation(&[
        "folds",
        "demo",
        "--kfold",
        "k=4,purge=1h,embargo=2h",
        "--rows",
        "10000",
        "--symbols",
        "1",
        "--json",
    ]);
    assert!(ok, "{err}");
    let folds: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(folds.len(), 4);
    for (i, fold) in folds.iter().enumerate() {
        assert_eq!(fold["fold"], i);
        let symbol = &fold["symbols"][0];
        // Ten thousand minute bars in four groups; the purge removes an hour of train bars on each side of a
        // test group, the embargo two hours more after it.
        assert_eq!(symbol["test"]["rows"], 2500);
        let train_rows = symbol["train"]["rows"].as_u64().unwrap();
        let removed = if i == 0 {
            60 + 120
        } else if i == 3 {
            60
        } else {
            60 + 60 + 120
        };
        assert_eq!(train_rows, 7500 - removed, "fold {i}");
    }
}

#[test]
fn bad_specs_are_clear_errors() {
    let cases = [
        vec!["folds", "demo", "--walk-forward", "train=30x,test=1d"],
        vec!["folds", "demo", "--walk-forward", "train=400d,test=30d", "--rows", "1000"],
        vec!["folds", "demo"],
        vec!["folds", "prices.csv", "--kfold", "k=3"],
        vec!["folds", "demo", "--cpcv", "n_folds=40,n_test_folds=20", "--rows", "2000", "--symbols", "1"],
    ];
    let messages: Vec<String> = cases
        .iter()
        .map(|args| {
            let (ok, _, err) = isolation(args);
            assert!(!ok, "{args:?} should fail");
            err.lines().next().unwrap_or_default().to_string()
        })
        .collect();
    insta::assert_snapshot!(messages.join("\n"));
}

#[test]
fn walk_forward_reports_symbols_left_out_for_a_short_train() {
    let dir = std::env::temp_dir().join(format!("isolation-cli-min-train-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // EARLY: 400 daily bars from 2020-01-01; LATE: 70 bars, listed 330 days later.
    let day = 86_400_000_000_000_i64;
    for (symbol, first_day, n) in [("EARLY", 0, 400), ("LATE", 330, 70)] {
        let mut csv = String::from("timestamp,close\n");
        for i in 0..n {
            let t = 1_577_836_800_000_000_000 + (first_day + i) * day;
            csv.push_str(&format!("{},{}\n", isolation::format_timestamp(t), 100 + i));
        }
        std::fs::write(dir.join(format!("{symbol}.csv")), csv).unwrap();
    }
    let (ok, out, err) =
        isolation(&["folds", dir.to_str().unwrap(), "--walk-forward", "train=300d,test=50d,min_train=60"]);
    assert!(ok, "{err}");
    assert!(out.contains("   0  LATE       left out: no train rows in this fold's period\n"), "{out}");
    assert!(out.contains("   1  LATE       left out: 20 train rows, below min_train=60\n"), "{out}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn label_end_column_horizon_and_universe() {
    let dir = std::env::temp_dir().join(format!("isolation-cli-labels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Two symbols of 40 daily bars; every label ends 2 days after its bar, AAA's bar 5 ends 20 days later.
    for symbol in ["AAA", "BBB"] {
        let mut csv = String::from("timestamp,close,t1\n");
        for day in 0..40 {
            let length = if symbol == "AAA" && day == 5 { 20 } else { 2 };
            let (t, t1) = (day_of(day), day_of((day + length).min(39)));
            csv.push_str(&format!("{t},{},{t1}\n", 100 + day));
        }
        std::fs::write(dir.join(format!("{symbol}.csv")), csv).unwrap();
    }
    // BBB leaves the universe on 2024-01-31 (day 30).
    let universe = std::env::temp_dir().join(format!("isolation-cli-universe-{}.csv", std::process::id()));
    std::fs::write(&universe, "symbol,from,to\nAAA,2024-01-01,\nBBB,2024-01-01,2024-01-31\n").unwrap();
    let dir_arg = dir.to_str().unwrap();
    let (ok, by_column, err) = isolation(&[
        "folds",
        dir_arg,
        "--kfold",
        "k=4,embargo=1",
        "--label-end",
        "t1",
        "--universe",
        universe.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let (ok, by_horizon, err) = isolation(&["folds", dir_arg, "--kfold", "k=4,embargo=1", "--horizon", "2d"]);
    assert!(ok, "{err}");
    let (ok, cross, err) =
        isolation(&["folds", dir_arg, "--kfold", "k=4", "--label-end", "t1", "--cross-sectional", "--json"]);
    assert!(ok, "{err}");
    let folds: Vec<serde_json::Value> = cross.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // Fold 0 tests days 0..10; AAA's bar 5 is labelled to day 25, so cross-sectionally BBB's train loses
    // days 10..=25 too.
    let bbb = folds[0]["symbols"].as_array().unwrap().iter().find(|s| s["symbol"] == "BBB").unwrap();
    assert_eq!(bbb["purged"], 16);
    assert_eq!(bbb["blocks"][0]["span"]["block"], 0);
    let (ok, _, err) = isolation(&["folds", dir_arg, "--kfold", "k=4,purge=1", "--label-end", "t1"]);
    assert!(!ok && err.contains("drop `purge=`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_file(&universe).unwrap();
    insta::assert_snapshot!(format!("--label-end t1 --universe\n{by_column}\n--horizon 2d\n{by_horizon}"));
}

/// `2024-01-01` plus `day` days, as ISO 8601.
fn day_of(day: i64) -> String {
    format!("2024-{:02}-{:02}T00:00:00", 1 + day / 31, 1 + day % 31)
}

#[test]
fn manifest_is_written_beside_the_table() {
    let path = std::env::temp_dir().join(format!("isolation-cli-manifest-{}.json", std::process::id()));
    let (ok, _, err) = isolation(&[
        "folds",
        "demo",
        "--kfold",
        "k=3,purge=5",
        "--rows",
        "3000",
        "--symbols",
        "2",
        "--manifest",
        path.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let manifest: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    std::fs::remove_file(&path).unwrap();
    assert_eq!((manifest["format"].as_u64(), manifest["kind"].as_str()), (Some(2), Some("kfold")));
    assert_eq!(manifest["spec"], "k=3,purge=5");
    let sources = manifest["sources"].as_array().unwrap();
    assert_eq!(sources.len(), 2);
    assert!(
        sources.iter().all(|s| s["fingerprint"].as_str().is_some_and(|f| f.len() == 16) && s["rows"] == 3000)
    );
    let folds = manifest["folds"].as_array().unwrap();
    assert_eq!(folds.len(), 3);
    let test = &folds[1]["symbols"][0]["test"][0]["test"];
    assert_eq!((test["rows"]["start"].as_u64(), test["rows"]["end"].as_u64()), (Some(1000), Some(2000)));
    assert!(test["first"].as_str().unwrap().ends_with('Z'));
}
