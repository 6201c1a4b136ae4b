"""Purging by label intervals and point-in-time universes, checked against skfolio and scikit-learn (from
PyPI, in the test environment) and against a brute-force overlap check, as mlfinlab users pass ``t1``."""

import itertools

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import KFold
from skfolio.model_selection import CombinatorialPurgedCV as SkfolioCPCV

import isolation
from isolation.model_selection import CombinatorialPurgedCV, PurgedKFold, WalkForward
from conftest import make_bars


def _skfolio_splits(n_rows, n_folds, n_test_folds, purged, embargo):
    cv = SkfolioCPCV(n_folds=n_folds, n_test_folds=n_test_folds, purged_size=purged, embargo_size=embargo)
    X = np.zeros((n_rows, 1))
    return [(train, np.sort(np.concatenate(tests))) for train, tests in cv.split(X)]


# skfolio puts the remainder rows of n_rows / n_folds in its last group, scikit-learn's KFold (and we) in
# the first ones: the sizes below divide evenly, where both layouts agree.
@pytest.mark.parametrize(
    "n_rows,n_folds,n_test_folds,purged,embargo",
    [
        (6_000, 6, 2, 10, 5),  # the example: skfolio's train sizes 3950..3990
        (600, 6, 2, 0, 0),
        (600, 4, 2, 3, 0),
        (600, 5, 3, 0, 4),
        (1_000, 10, 2, 7, 3),
        (840, 7, 3, 2, 2),
    ],
)
def test_cpcv_equals_skfolio(n_rows, n_folds, n_test_folds, purged, embargo):
    ours = list(CombinatorialPurgedCV(n_folds, n_test_folds, purge=purged, embargo=embargo).split(np.zeros(n_rows)))
    theirs = _skfolio_splits(n_rows, n_folds, n_test_folds, purged, embargo)
    assert len(ours) == len(theirs)
    for i, ((train, test), (sk_train, sk_test)) in enumerate(zip(ours, theirs)):
        np.testing.assert_array_equal(test, sk_test, err_msg=f"fold {i}: test rows")
        np.testing.assert_array_equal(train, sk_train, err_msg=f"fold {i}: train rows")
    if (n_rows, purged) == (6_000, 10):
        sizes = [len(t) for t, _ in ours]
        assert (min(sizes), max(sizes)) == (3950, 3990)


@pytest.mark.parametrize("n_rows,k", [(100, 2), (101, 3), (1_003, 7)])
def test_purged_kfold_with_zero_horizon_equals_kfold(n_rows, k):
    index = pd.date_range("2024-01-01", periods=n_rows, freq="h")
    t1 = pd.Series(index, index=index)  # every label ends where it starts
    ours = list(PurgedKFold(k, t1=t1).split(pd.DataFrame({"x": np.arange(n_rows)}, index=index)))
    theirs = list(KFold(k, shuffle=False).split(np.zeros(n_rows)))
    for (train, test), (sk_train, sk_test) in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(train, sk_train)
        np.testing.assert_array_equal(test, sk_test)


def _random_t1(n_rows, seed):
    rng = np.random.default_rng(seed)
    index = pd.date_range("2024-01-01", periods=n_rows, freq="5min")
    lengths = np.where(rng.random(n_rows) < 0.9, rng.integers(0, 6, n_rows), rng.integers(0, 60, n_rows))
    ends = index[np.minimum(np.arange(n_rows) + lengths, n_rows - 1)]
    return pd.Series(ends, index=index)


@pytest.mark.parametrize("seed", range(5))
def test_no_train_label_overlaps_a_test_label(seed):
    t1 = _random_t1(400, seed)
    starts, ends = t1.index.asi8, pd.DatetimeIndex(t1.values).asi8
    for splitter in (PurgedKFold(5, t1=t1, embargo=3), CombinatorialPurgedCV(6, 2, t1=t1, embargo="15m")):
        for train, test in splitter.split(t1.to_frame()):
            assert len(np.intersect1d(train, test)) == 0
            t0, t_end = starts[test][:, None], ends[test][:, None]
            overlap = (starts[train][None, :] <= t_end) & (ends[train][None, :] >= t0)
            assert not overlap.any(), f"{splitter}: a train label overlaps a test label"


def test_a_label_spanning_the_whole_test_block_is_purged():
    index = pd.date_range("2024-01-01", periods=40, freq="D")
    t1 = pd.Series(index, index=index)
    t1.iloc[3] = index[25]  # row 3's label spans test block 10..20 entirely
    folds = list(PurgedKFold(4, t1=t1).split(t1.to_frame()))
    train, test = folds[1]
    assert list(test) == list(range(10, 20))
    assert 3 not in train and 2 in train and 4 in train and 20 in train


def test_walk_forward_train_ends_before_labels_reach_the_test():
    t1 = _random_t1(300, 11)
    ends = pd.DatetimeIndex(t1.values).asi8
    for train, test in WalkForward(train=100, test=50, t1=t1).split(t1.to_frame()):
        assert ends[train].max() < t1.index.asi8[test[0]]


def test_bad_t1_is_refused_clearly():
    index = pd.date_range("2024-01-01", periods=20, freq="D")
    t1 = pd.Series(index, index=index)
    t1.iloc[5] = index[2]
    with pytest.raises(isolation.IsolationError, match="row 5's label ends"):
        list(PurgedKFold(2, t1=t1).split(t1.to_frame()))
    with pytest.raises(ValueError, match="NaT"):
        list(PurgedKFold(2, t1=pd.Series(pd.NaT, index=index)).split(t1.to_frame()))
    with pytest.raises(isolation.IsolationError, match="drop `purge=`"):
        list(PurgedKFold(2, purge=1, t1=t1.where(t1.index != index[5], index[5])).split(t1.to_frame()))


def _labelled(n, seed, long_row=None):
    bars = make_bars(n, seed=seed)
    t1 = bars.index + pd.Timedelta(minutes=3)
    if long_row is not None:
        t1 = t1.where(np.arange(n) != long_row, bars.index[long_row] + pd.Timedelta(minutes=200))
    return bars.assign(t1=t1)


def test_handler_folds_purge_by_label_column_across_symbols_and_report():
    handler = isolation.DataHandler("view")
    handler.load_data("AAA", _labelled(400, 1, long_row=5))
    handler.load_data("BBB", _labelled(400, 2))
    own = list(handler.folds(kfold="k=4", label_end="t1"))
    cross = list(handler.folds(kfold="k=4", label_end="t1", cross_sectional=True))
    # Fold 0 tests minutes 0..100; AAA's row 5 is labelled to minute 205: cross-sectionally BBB's train
    # loses minutes 100..=205, not only 100..=102.
    assert own[0].report["BBB"]["purged"] == 3
    assert cross[0].report["BBB"]["purged"] == 106
    train_views = cross[0].symbols["BBB"][0]
    assert sum(v.size for v in train_views) == 300 - 106
    horizon = list(handler.folds(kfold="k=4", horizon="3m"))
    assert horizon[1].report["AAA"]["purged"] == 6  # 3 bars on each side


def test_handler_folds_restricted_to_a_universe(tmp_path):
    handler = isolation.DataHandler("view")
    for seed, symbol in enumerate(["AAA", "BBB", "CCC"]):
        handler.load_data(symbol, make_bars(400, seed=seed))
    members = pd.DataFrame({
        "symbol": ["AAA", "BBB"],
        "from": ["2024-01-01", "2024-01-01"],
        "to": [None, "2024-01-01T05:00:00"],  # BBB delisted after 300 minutes
    })
    path = tmp_path / "universe.csv"
    members.to_csv(path, index=False)
    for universe in (members, str(path)):
        folds = list(handler.folds(kfold="k=4", universe=universe))
        assert all("CCC" not in f.symbols for f in folds)
        assert "BBB" not in folds[3].symbols and folds[0].report["BBB"]["outside_universe"] == 100
        assert folds[0].universe is not None and len(folds[0].universe) == 16
    assert len({f.universe for u in (members, str(path)) for f in handler.folds(kfold="k=4", universe=u)}) == 1


def test_t1_must_be_indexed_like_x():
    """A t1 indexed differently from X was accepted and purged by its own index."""
    index = pd.date_range("2024-01-01", periods=100, freq="D")
    X = pd.DataFrame({"f": np.arange(100.0)}, index=index)
    shifted = pd.Series(index + pd.Timedelta("3D"), index=index + pd.Timedelta("1D"))
    with pytest.raises(ValueError, match=r"t1 must be indexed like X: row 0 of t1 is at 2024-01-02"):
        list(isolation.PurgedKFold(5, t1=shifted).split(X))
    good = pd.Series(index + pd.Timedelta("3D"), index=index)
    assert len(list(isolation.PurgedKFold(5, t1=good).split(X))) == 5
