"""Splitters: the scikit-learn protocol, row for row with scikit-learn where they mean the same."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, KFold, TimeSeriesSplit, cross_val_score

import isolation
from conftest import make_bars

CASES = [
    dict(n_splits=5),
    dict(n_splits=3, gap=2),
    dict(n_splits=4, test_size=7),
    dict(n_splits=4, max_train_size=20, test_size=5, gap=1),
    dict(n_splits=2, max_train_size=3),
]


@pytest.mark.parametrize("n_rows", [12, 50, 101])
@pytest.mark.parametrize("params", CASES)
def test_walk_forward_equals_time_series_split(n_rows, params):
    X = np.zeros((n_rows, 2))
    try:
        theirs = list(TimeSeriesSplit(**params).split(X))
    except ValueError:
        with pytest.raises(isolation.IsolationError):  # where scikit-learn refuses, so do we
            list(isolation.WalkForward(**params).split(X))
        return
    ours = list(isolation.WalkForward(**params).split(X))
    assert len(ours) == len(theirs) == isolation.WalkForward(**params).get_n_splits(X)
    for (train, test), (sk_train, sk_test) in zip(ours, theirs):
        np.testing.assert_array_equal(train, sk_train)
        np.testing.assert_array_equal(test, sk_test)


def test_walk_forward_refuses_what_scikit_learn_refuses():
    with pytest.raises(isolation.IsolationError):
        list(isolation.WalkForward(n_splits=10).split(np.zeros((5, 1))))


@pytest.mark.parametrize("n_rows,k", [(50, 5), (53, 4), (10, 10)])
def test_purged_kfold_without_purge_equals_kfold(n_rows, k):
    X = np.zeros((n_rows, 1))
    ours = list(isolation.PurgedKFold(k).split(X))
    theirs = list(KFold(k, shuffle=False).split(X))
    for (train, test), (sk_train, sk_test) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(train, sk_train)
        np.testing.assert_array_equal(test, sk_test)


def test_purge_and_embargo_remove_rows_around_each_test_block():
    X = np.zeros((100, 1))
    for train, test in isolation.PurgedKFold(5, purge=3, embargo=2).split(X):
        lo, hi = test.min(), test.max()
        assert not np.any((train >= lo - 3) & (train <= hi + 2) & (train < lo)) or lo == 0
        assert not np.any((train > hi) & (train <= hi + 2))
        assert len(np.intersect1d(train, test)) == 0


def test_cpcv_lays_every_combination():
    X = np.zeros((60, 1))
    cv = isolation.CombinatorialPurgedCV(n_folds=6, n_test_folds=2, purge=2, embargo=1)
    folds = list(cv.split(X))
    assert len(folds) == cv.get_n_splits() == 15
    for train, test in folds:
        assert len(test) == 20 and len(np.intersect1d(train, test)) == 0


def test_time_lengths_on_a_datetime_index():
    bars = make_bars(24 * 60 * 3)  # three days of minutes
    cv = isolation.WalkForward(train="1d", test="12h")
    folds = list(cv.split(bars))
    assert len(folds) == cv.get_n_splits(bars) == 4
    train, test = folds[0]
    assert (len(train), len(test)) == (24 * 60, 12 * 60)
    assert bars.index[train].max() < bars.index[test].min()


def test_splitters_plug_into_scikit_learn():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + rng.normal(scale=0.1, size=300)
    scores = cross_val_score(Ridge(), X, y, cv=isolation.WalkForward(n_splits=4))
    expected = cross_val_score(Ridge(), X, y, cv=TimeSeriesSplit(n_splits=4))
    np.testing.assert_allclose(scores, expected)
    # GridSearchCV runs every fold of ours: its scores are the Ridge scores over our purged folds.
    cv = isolation.PurgedKFold(5, purge=2, embargo=2)
    search = GridSearchCV(Ridge(), {"alpha": [0.1, 1000.0]}, cv=cv)
    search.fit(X, y)
    for alpha in (0.1, 1000.0):
        by_hand = cross_val_score(Ridge(alpha=alpha), X, y, cv=list(cv.split(X)))
        row = search.cv_results_["params"].index({"alpha": alpha})
        assert np.isclose(search.cv_results_["mean_test_score"][row], by_hand.mean(), rtol=1e-12)
    # A near-noiseless linear target: the light penalty wins by a wide margin.
    assert search.best_params_["alpha"] == 0.1
    assert len(cross_val_score(Ridge(), X, y, cv=isolation.CombinatorialPurgedCV(4, 2))) == 6


def test_huge_combinatorial_cv_walks_lazily_in_flat_memory():
    """CombinatorialPurgedCV(40, 20) has 137,846,528,820 folds: the first comes at once and 10,000 folds
    leave memory flat (every fold was built up front: an 800 MB allocation aborted the process). Run in a
    child process with a hard timeout, as the old behaviour aborted or hung."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        """
        import itertools, numpy as np, isolation
        X = np.zeros((2_000, 3))
        cv = isolation.CombinatorialPurgedCV(40, 20)
        assert cv.get_n_splits(X) == 137_846_528_820
        folds = cv.split(X)
        train, test = next(folds)
        assert len(test) == 1_000 and len(train) == 1_000 and test[0] == 0
        for _ in itertools.islice(folds, 999):
            pass
        before = isolation.process_memory()["rss_bytes"]
        seen = 0
        for train, test in itertools.islice(folds, 10_000):
            assert len(train) + len(test) == 2_000
            seen += 1
        grown = isolation.process_memory()["rss_bytes"] - before
        assert seen == 10_000
        assert grown < 16 * 2**20, grown
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"


def test_handler_refuses_a_study_with_too_many_folds_with_the_count():
    handler = isolation.DataHandler("view")
    handler.load_data("A", make_bars(2_000))
    with pytest.raises(isolation.IsolationError, match=r"makes 137846528820 folds, more than the 100000"):
        list(handler.folds(cpcv="n_folds=40,n_test_folds=20"))
    with pytest.raises(isolation.IsolationError, match=r"makes 137846528820 folds"):
        handler.fold_manifest(cpcv="n_folds=40,n_test_folds=20")


def test_a_kind_by_name_and_text_splits_as_its_class():
    """FoldSplitter takes any kind the Rust registry has, as the CLI's --scheme does."""
    bars = make_bars(300)
    for by_name, by_class in [
        (isolation.FoldSplitter("kfold", "k=5,purge=3,embargo=2"), isolation.PurgedKFold(5, purge=3, embargo=2)),
        (isolation.FoldSplitter("cpcv", "n_folds=6,n_test_folds=2"), isolation.CombinatorialPurgedCV(6, 2)),
        (isolation.FoldSplitter("walk_forward", "train=2h,test=1h"), isolation.WalkForward(train="2h", test="1h")),
    ]:
        ours, theirs = list(by_name.split(bars)), list(by_class.split(bars))
        assert len(ours) == len(theirs) == by_name.get_n_splits(bars) > 0
        for (train, test), (c_train, c_test) in zip(ours, theirs):
            np.testing.assert_array_equal(train, c_train)
            np.testing.assert_array_equal(test, c_test)
    assert isolation.FoldSplitter("cpcv", "n_folds=40,n_test_folds=20").get_n_splits() == 137_846_528_820
    with pytest.raises(isolation.IsolationError, match="unknown scheme `bogus`"):
        list(isolation.FoldSplitter("bogus", "k=5").split(bars))
