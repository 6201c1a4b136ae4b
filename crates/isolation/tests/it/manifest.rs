//! Fold manifests: written where a study is planned, read back by a worker, they make the same folds; a
//! worker whose data differs gets an error naming the symbol and both fingerprints.

use std::sync::Arc;

use arrow_array::{ArrayRef, Float64Array};
use isolation::{
    DataHandler, FoldManifest, FoldOptions, FoldSpec, IsolationError, IsolationMode, Length, TimeFrame,
};

const MINUTE: i64 = 60_000_000_000;

fn frame(start: i64, n: usize, bump: f64) -> TimeFrame {
    let close: ArrayRef = Arc::new(Float64Array::from_iter_values((0..n).map(|i| i as f64 + bump)));
    let ts: Vec<i64> = (0..n as i64).map(|i| (start + i) * MINUTE).collect();
    TimeFrame::try_new(ts, vec![("close".into(), close)]).unwrap()
}

fn handler(mode: IsolationMode, bump: f64) -> DataHandler {
    let mut handler = DataHandler::new(mode);
    handler.load("AAA", frame(0, 600, 0.0)).unwrap();
    handler.load("BBB", frame(30, 500, bump)).unwrap();
    handler
}

#[test]
fn a_worker_makes_the_same_folds_from_the_manifest() {
    let planner = handler(IsolationMode::View, 0.0);
    for (kind, text) in
        [("walk_forward", "train=120m,test=60m"), ("cpcv", "n_folds=5,n_test_folds=2,purge=3,embargo=2")]
    {
        let spec = FoldSpec::parse(kind, text).unwrap();
        let options = FoldOptions::default().with_warmup(Length::Rows(10));
        let manifest = planner.fold_manifest(&spec, &options).unwrap();
        let json = manifest.to_json();
        let read = FoldManifest::from_json(&json).unwrap();
        assert_eq!(read, manifest);
        // The spec is written in its canonical text form, which parses back to the same spec.
        assert_eq!(FoldSpec::parse(&read.kind, &read.spec).unwrap(), spec);
        assert_eq!(read.sources.len(), 2);
        // A worker in another mode, with the same data, gets the same rows per fold and symbol.
        let worker = handler(IsolationMode::DeepCopy, 0.0);
        let single: Vec<_> = planner.folds_with(&spec, &options).unwrap().map(Result::unwrap).collect();
        assert_eq!(single.len(), read.folds.len());
        for fold in &single {
            let made = worker.manifest_fold(&read, fold.index).unwrap();
            for (a, b) in fold.symbols.iter().zip(&made.symbols) {
                assert_eq!(a.symbol, b.symbol);
                let rows = |segments: &[isolation::FoldSegment]| -> Vec<(usize, usize, Vec<i64>)> {
                    segments
                        .iter()
                        .map(|s| (s.data.n_rows(), s.warmup_rows, s.data.timestamps().to_vec()))
                        .collect()
                };
                assert_eq!(rows(&a.train), rows(&b.train), "fold {} {}", fold.index, a.symbol);
                assert_eq!(rows(&a.test), rows(&b.test), "fold {} {}", fold.index, a.symbol);
            }
        }
    }
}

#[test]
fn different_data_is_refused_naming_the_symbol_and_both_fingerprints() {
    let planner = handler(IsolationMode::View, 0.0);
    let spec = FoldSpec::parse("kfold", "k=3").unwrap();
    let manifest = planner.fold_manifest(&spec, &FoldOptions::default()).unwrap();
    let worker = handler(IsolationMode::View, 0.5); // BBB's closes differ by half a point
    let error = worker.manifest_fold(&manifest, 0).unwrap_err();
    let expected = manifest.source("BBB").unwrap().fingerprint.clone();
    assert!(
        matches!(&error, IsolationError::FingerprintMismatch { symbol, expected: e, found }
            if symbol == "BBB" && *e == expected && *found != expected),
        "{error}"
    );
    assert!(error.to_string().contains(&expected), "{error}");
    let missing = worker.manifest_fold(&manifest, 7).unwrap_err().to_string();
    assert!(missing.contains("no fold 7"), "{missing}");
    assert!(FoldManifest::from_json("{\"format\": 2}").is_err());
}

/// Files in a fresh temporary directory, and a directory for dataset segments beside them.
fn saved(tag: &str) -> (std::path::PathBuf, DataHandler) {
    let dir = std::env::temp_dir().join(format!("isolation-node-fold-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut planner = DataHandler::new(IsolationMode::View);
    for (symbol, data, ext) in [("AAA", frame(0, 600, 0.0), "arrow"), ("BBB", frame(30, 500, 0.0), "parquet")]
    {
        let path = dir.join(format!("{symbol}.{ext}"));
        isolation::save(&path, &data).unwrap();
        planner.register_path(symbol, &path);
    }
    (dir, planner)
}

#[test]
fn workers_attach_the_machines_dataset_segments_and_make_the_same_folds() {
    let (dir, planner) = saved("same");
    let segments = dir.join("shm");
    let node = isolation::shm::NodeOptions::new().with_dir(&segments);
    let spec = FoldSpec::parse("walk_forward", "train=120m,test=60m").unwrap();
    let options = FoldOptions::default().with_warmup(Length::Rows(10));
    let manifest =
        FoldManifest::from_json(&planner.fold_manifest(&spec, &options).unwrap().to_json()).unwrap();
    let single: Vec<_> = planner.folds_with(&spec, &options).unwrap().map(Result::unwrap).collect();
    let mut published = Vec::new();
    for fold in &single {
        let made = manifest.node_fold(fold.index, &node).unwrap();
        for symbol in &made.datasets {
            assert_eq!(
                symbol.segment,
                format!("ds-{}", manifest.source(&symbol.symbol).unwrap().fingerprint)
            );
            assert!(segments.join(format!("isolation.{}", symbol.segment)).exists());
            assert!(std::fs::metadata(&symbol.path).is_ok(), "the data is readable at {:?}", symbol.path);
            if symbol.published {
                published.push(symbol.symbol.clone());
            }
        }
        assert_eq!(fold.symbols.len(), made.fold.symbols.len());
        for (a, b) in fold.symbols.iter().zip(&made.fold.symbols) {
            let rows = |segments: &[isolation::FoldSegment]| -> Vec<(usize, Vec<i64>, Vec<f64>)> {
                (segments.iter())
                    .map(|s| {
                        (
                            s.warmup_rows,
                            s.data.timestamps().to_vec(),
                            s.data.column_f64(0, 0..s.data.n_rows()).unwrap().to_vec(),
                        )
                    })
                    .collect()
            };
            assert_eq!(
                (rows(&a.train), rows(&a.test)),
                (rows(&b.train), rows(&b.test)),
                "fold {}",
                fold.index
            );
        }
    }
    published.sort();
    assert_eq!(published, ["AAA", "BBB"], "each dataset published once, by the first fold that needed it");
    let names: Vec<String> =
        isolation::shm::list_segments_in(&segments).into_iter().map(|s| s.name).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    for name in names {
        isolation::shm::remove_in(&segments, &name).unwrap();
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_worker_whose_source_file_changed_is_refused() {
    let (dir, planner) = saved("changed");
    let node = isolation::shm::NodeOptions::new().with_dir(dir.join("shm"));
    let spec = FoldSpec::parse("kfold", "k=3").unwrap();
    let manifest = planner.fold_manifest(&spec, &FoldOptions::default()).unwrap();
    isolation::save(dir.join("BBB.parquet"), &frame(30, 500, 0.5)).unwrap();
    let error = manifest.node_fold(0, &node).unwrap_err();
    assert!(
        matches!(&error, IsolationError::FingerprintMismatch { symbol, .. } if symbol == "BBB"),
        "{error}"
    );
    let names: Vec<String> =
        isolation::shm::list_segments_in(&dir.join("shm")).into_iter().map(|s| s.name).collect();
    assert_eq!(
        names,
        [format!("ds-{}", manifest.source("AAA").unwrap().fingerprint)],
        "BBB was not published"
    );
    isolation::shm::remove_in(&dir.join("shm"), &names[0]).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_manifest_with_impossible_row_ranges_is_refused_not_cut() {
    let planner = handler(IsolationMode::View, 0.0);
    let spec = FoldSpec::parse("walk_forward", "train=120m,test=60m").unwrap();
    let options = FoldOptions::default().with_warmup(Length::Rows(10));
    let json = planner.fold_manifest(&spec, &options).unwrap().to_json();
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let symbol = &value["folds"][0]["symbols"][0];
    let test_start = symbol["test"][0]["test"]["rows"]["start"].clone();
    let edits: [(&str, &[&str], serde_json::Value, &str); 4] = [
        ("past the rows", &["test", "0", "test", "rows", "end"], 100_000.into(), "outside 0..600"),
        ("reversed", &["train", "0", "rows", "start"], 10_000.into(), "outside"),
        (
            "warm-up apart",
            &["test", "0", "warmup", "end"],
            (test_start.as_u64().unwrap() - 1).into(),
            "warm-up rows do not end",
        ),
        (
            "train into test",
            &["train", "0", "rows", "end"],
            (test_start.as_u64().unwrap() + 5).into(),
            "overlap",
        ),
    ];
    for (what, path, new, message) in edits {
        let mut edited = value.clone();
        let mut at = &mut edited["folds"][0]["symbols"][0];
        for key in path {
            at = match key.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*key],
            };
        }
        *at = new;
        let error = FoldManifest::from_json(&edited.to_string()).unwrap_err().to_string();
        assert!(error.contains("does not match its checksum"), "{what}: {error}");
        // Signed again (a tool that rewrites manifests), the ranges themselves are still checked.
        let error = FoldManifest::from_json(&resigned(&edited)).unwrap_err().to_string();
        assert!(error.contains(message), "{what}: {error}");
    }
    value["folds"][0]["symbols"][0]["symbol"] = "ZZZ".into();
    assert!(
        FoldManifest::from_json(&resigned(&value)).unwrap_err().to_string().contains("not among the sources")
    );
}

/// `manifest` (JSON) with its checksum computed again, as `FoldManifest` computes it.
fn resigned(manifest: &serde_json::Value) -> String {
    let mut parsed: FoldManifest = serde_json::from_value(manifest.clone()).unwrap();
    parsed.checksum = String::new();
    let compact = serde_json::to_string(&parsed).unwrap();
    parsed.checksum = format!("xxh3:{:016x}", twox_hash::XxHash3_64::oneshot(compact.as_bytes()));
    parsed.to_json()
}

#[test]
fn an_edited_manifest_whose_ranges_stay_valid_is_refused_by_its_checksum() {
    let planner = handler(IsolationMode::View, 0.0);
    let spec = FoldSpec::parse("walk_forward", "train=120m,test=60m").unwrap();
    let manifest = planner.fold_manifest(&spec, &FoldOptions::default()).unwrap();
    assert!(manifest.checksum.starts_with("xxh3:"));
    assert_eq!(FoldManifest::from_json(&manifest.to_json()).unwrap(), manifest);
    let mut value: serde_json::Value = serde_json::from_str(&manifest.to_json()).unwrap();
    // One train row fewer at the start: every range still valid, the plan changed.
    let start = &mut value["folds"][0]["symbols"][0]["train"][0]["rows"]["start"];
    *start = (start.as_u64().unwrap() + 1).into();
    let error = FoldManifest::from_json(&value.to_string()).unwrap_err().to_string();
    assert!(error.contains("its plan does not match its checksum"), "{error}");
    assert!(
        FoldManifest::from_json(&resigned(&value)).is_ok(),
        "the same edit, signed again, is a valid plan"
    );
}
