//! `isolation fold-run`: a plain shell loop over a manifest's folds, as a Slurm array would run them.

use std::process::Command;

fn day_of(day: i64) -> String {
    format!("2024-{:02}-{:02}T00:00:00", 1 + day / 31, 1 + day % 31)
}

#[test]
fn a_shell_loop_runs_every_fold_on_one_copy_of_the_data() {
    let dir = std::env::temp_dir().join(format!("isolation-cli-fold-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    for (symbol, days) in [("AAA", 60), ("BBB", 50)] {
        let mut csv = String::from("timestamp,close\n");
        for day in 0..days {
            csv.push_str(&format!("{},{}\n", day_of(day), 100 + day));
        }
        std::fs::write(data.join(format!("{symbol}.csv")), csv).unwrap();
    }
    let bin = env!("CARGO_BIN_EXE_isolation");
    let manifest = dir.join("study.json");
    let planned = Command::new(bin)
        .args(["folds", data.to_str().unwrap(), "--walk-forward", "train=20d,test=10d", "--warmup", "3"])
        .arg("--manifest")
        .arg(&manifest)
        .output()
        .unwrap();
    assert!(planned.status.success(), "{}", String::from_utf8_lossy(&planned.stderr));
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    let n_folds = json["folds"].as_array().unwrap().len();
    assert!(n_folds >= 3, "{json}");

    // The loop a user writes (or `sbatch --array=0-K` runs): one task per fold.
    let shm = dir.join("shm");
    let out = dir.join("out.txt");
    let script = format!(
        r#"for n in $(seq 0 {last}); do
  "{bin}" fold-run --manifest "{manifest}" --fold "$n" --shm-dir "{shm}" -- \
    sh -c 'echo "$ISOLATION_FOLD|$ISOLATION_N_FOLDS|$ISOLATION_SYMBOLS|$ISOLATION_SYMBOL_0|$ISOLATION_TRAIN_0|$ISOLATION_TEST_0|$ISOLATION_WARMUP_0|$ISOLATION_DATA_0|$ISOLATION_SEGMENT_1" >> "{out}"' || exit 1
done"#,
        last = n_folds - 1,
        manifest = manifest.display(),
        shm = shm.display(),
        out = out.display(),
    );
    let run = Command::new("sh").arg("-c").arg(&script).output().unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert_eq!(stderr.matches(" published segment ").count(), 2, "each symbol published once:\n{stderr}");

    let lines: Vec<String> = std::fs::read_to_string(&out).unwrap().lines().map(String::from).collect();
    assert_eq!(lines.len(), n_folds);
    let fingerprint = |symbol: &str| {
        let sources = json["sources"].as_array().unwrap();
        sources.iter().find(|s| s["symbol"] == symbol).unwrap()["fingerprint"].as_str().unwrap().to_string()
    };
    for (n, line) in lines.iter().enumerate() {
        let fields: Vec<&str> = line.split('|').collect();
        let symbols: Vec<&str> = json["folds"][n]["symbols"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["symbol"].as_str().unwrap())
            .collect();
        let fold = &json["folds"][n]["symbols"][0];
        let rows = |r: &serde_json::Value| format!("{}:{}", r["start"], r["end"]);
        let expected = [
            n.to_string(),
            n_folds.to_string(),
            symbols.join(","),
            "AAA".to_string(),
            rows(&fold["train"][0]["rows"]),
            rows(&fold["test"][0]["test"]["rows"]),
            rows(&fold["test"][0]["warmup"]),
            // Sealed datasets: the data is read through its holder's descriptor of the memfd.
            fields[7].to_string(),
            symbols.get(1).map_or(String::new(), |s| format!("ds-{}", fingerprint(s))),
        ];
        assert_eq!(fields, expected, "fold {n}");
        assert!(fields[7].starts_with("/proc/"), "{}", fields[7]);
        assert!(shm.join(format!("isolation.ds-{}", fingerprint("AAA"))).exists());
        assert_eq!(fields[6].split(':').map(|x| x.parse::<usize>().unwrap()).fold(0, |a, b| b - a), 3);
    }
    // The data path is the Arrow IPC file any reader maps.
    let data = lines[0].split('|').nth(7).unwrap().to_string();
    let bytes = std::fs::read(&data).unwrap();
    assert!(bytes.starts_with(b"ARROW1") && bytes.ends_with(b"ARROW1"));

    // The command's exit code comes back; a fold the manifest lacks is a clear error.
    let failed = Command::new(bin)
        .args(["fold-run", "--manifest", manifest.to_str().unwrap(), "--fold", "0", "--shm-dir"])
        .arg(&shm)
        .args(["--", "sh", "-c", "exit 3"])
        .status()
        .unwrap();
    assert_eq!(failed.code(), Some(3));
    let missing = Command::new(bin)
        .args(["fold-run", "--manifest", manifest.to_str().unwrap(), "--fold", "99", "--", "true"])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no fold 99"));

    let removed = Command::new(bin).env("ISOLATION_SHM_DIR", &shm).args(["shm", "ls"]).output().unwrap();
    assert!(String::from_utf8_lossy(&removed.stdout).contains(&format!("ds-{}", fingerprint("AAA"))));
    std::fs::remove_dir_all(&dir).unwrap();
}
