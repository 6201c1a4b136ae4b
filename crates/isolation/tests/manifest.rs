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
