//! Row-count walk-forward folds equal scikit-learn's `TimeSeriesSplit`, index for index.
//!
//! Needs Python with scikit-learn: `$ISOLATION_PYTHON` (which `cargo xtask test`, README's test command,
//! sets to its virtual environment, and then makes this test mandatory) or `python3`. Under a plain
//! `cargo test` without scikit-learn it prints why it skipped and passes.

use std::process::Command;

use isolation_core::WalkForward;

/// `(n_rows, n_splits, max_train_size, test_size, gap)`; `None` is Python's `None`.
type Case = (usize, usize, Option<usize>, Option<usize>, usize);

const CASES: &[Case] = &[
    (6, 5, None, None, 0),
    (10, 3, None, None, 0),
    (12, 2, None, None, 0),
    (20, 4, Some(5), None, 0),
    (20, 4, Some(3), Some(2), 1),
    (23, 3, None, Some(4), 2),
    (50, 5, Some(10), Some(5), 3),
    (50, 7, None, Some(1), 0),
    (101, 10, Some(7), None, 4),
    (30, 3, Some(0), Some(5), 0),
    (100, 2, Some(1000), Some(30), 10),
    (97, 6, Some(11), Some(13), 0),
    // scikit-learn raises on these; so must we.
    (5, 5, None, None, 0),
    (20, 4, None, Some(5), 0),
    (20, 4, None, Some(4), 4),
    (10, 1, None, None, 0),
];

/// Prints one line per case: `error`, or the folds as `train_start train_end test_start test_end` quadruples
/// separated by `;` (each side checked to be a contiguous range first).
const SCRIPT: &str = r#"
import sys
from sklearn.model_selection import TimeSeriesSplit
for case in sys.argv[1].split(";"):
    n, n_splits, max_train, test_size, gap = [None if v == "None" else int(v) for v in case.split(",")]
    try:
        folds = []
        for train, test in TimeSeriesSplit(n_splits=n_splits, max_train_size=max_train, test_size=test_size, gap=gap).split(list(range(n))):
            for side in (train, test):
                assert list(side) == list(range(side[0], side[-1] + 1)), "not contiguous"
            folds.append(f"{train[0]} {train[-1] + 1} {test[0]} {test[-1] + 1}")
        print(";".join(folds))
    except ValueError:
        print("error")
"#;

fn python_value(v: Option<usize>) -> String {
    v.map_or("None".into(), |v| v.to_string())
}

/// scikit-learn's folds, one line per case, or `None` (the test skips) where scikit-learn is missing and
/// `ISOLATION_REQUIRE_PYTHON` is unset; with it set, a missing scikit-learn fails the test.
fn sklearn_folds(cases: &[Case]) -> Option<Vec<String>> {
    let arg = cases
        .iter()
        .map(|&(n, s, m, t, g)| format!("{n},{s},{},{},{g}", python_value(m), python_value(t)))
        .collect::<Vec<_>>()
        .join(";");
    let python = std::env::var("ISOLATION_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python).args(["-c", "import sklearn"]).output();
    if !probe.is_ok_and(|out| out.status.success()) {
        assert!(
            std::env::var_os("ISOLATION_REQUIRE_PYTHON").is_none(),
            "the scikit-learn cross-check needs `{python}` with scikit-learn; `cargo xtask test` sets it up"
        );
        eprintln!("skipped: needs `{python}` with scikit-learn (run `cargo xtask test`, which installs it)");
        return None;
    }
    let output = Command::new(&python).args(["-c", SCRIPT, &arg]).output().expect("run python");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the scikit-learn script failed:\n{stderr}");
    Some(String::from_utf8(output.stdout).expect("python prints ASCII").lines().map(str::to_string).collect())
}

fn our_folds(&(n_rows, n_splits, max_train, test_size, gap): &Case) -> String {
    match WalkForward::sklearn_compatible(n_rows, n_splits, max_train, test_size, gap)
        .and_then(|walk| walk.row_folds(n_rows))
    {
        Ok(folds) => folds
            .iter()
            .map(|f| format!("{} {} {} {}", f.train.start, f.train.end, f.test.start, f.test.end))
            .collect::<Vec<_>>()
            .join(";"),
        Err(_) => "error".into(),
    }
}

#[test]
fn walk_forward_matches_sklearn_time_series_split() {
    let Some(expected) = sklearn_folds(CASES) else { return };
    assert_eq!(expected.len(), CASES.len(), "one line per case from python");
    for (case, expected) in CASES.iter().zip(&expected) {
        assert_eq!(
            &our_folds(case),
            expected,
            "TimeSeriesSplit (n_rows, n_splits, max_train_size, test_size, gap) = {case:?}"
        );
    }
    // The table is not vacuous: most cases give folds.
    assert!(expected.iter().filter(|line| *line != "error").count() >= 12);
}

#[test]
fn sklearn_mapping_reads_as_a_walk_forward() {
    let walk = WalkForward::sklearn_compatible(20, 4, Some(3), Some(2), 1).unwrap();
    assert_eq!(walk.to_string(), "train=11,test=2,step=2,gap=1,expanding,max_train=3");
    let walk = WalkForward::sklearn_compatible(12, 2, None, None, 0).unwrap();
    assert_eq!(walk.to_string(), "train=4,test=4,step=4,expanding");
}
