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
