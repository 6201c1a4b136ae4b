"""scikit-learn splitters computed by the Rust fold code: ``split(X, y=None, groups=None)`` yields
``(train_index, test_index)`` numpy arrays, ``get_n_splits`` counts them, so they plug into
``cross_val_score``, ``GridSearchCV`` and every other scikit-learn ``cv=`` argument.

Lengths are rows (ints) or durations (``"1d"``, ``"90m"``); durations need ``X`` with a DatetimeIndex (or
a ``timestamps=`` array of datetime64) and are measured on it.
"""

from __future__ import annotations

from typing import Any, Iterator, Optional, Tuple, Union

import numpy as np

from . import _native

Length = Union[int, str]


def _n_rows(X: Any) -> int:
    if X is None:
        raise ValueError("this splitter needs X (or its number of rows) to count or lay its folds")
    if isinstance(X, int):
        return X
    shape = getattr(X, "shape", None)
    if shape is not None:
        return int(shape[0])
    return len(X)


def _timestamps(X: Any, timestamps: Any) -> Optional[Any]:
    """An Arrow int64 array of nanoseconds for time lengths, or None to measure in rows."""
    import pyarrow as pa

    stamps = timestamps
    if stamps is None:
        index = getattr(X, "index", None)
        if index is not None and str(getattr(index, "dtype", "")).startswith("datetime64"):
            stamps = index
    if stamps is None:
        return None
    if hasattr(stamps, "as_unit"):  # a pandas DatetimeIndex or Series, tz-aware or not
        if getattr(stamps, "tz", None) is not None:
            stamps = stamps.tz_convert("UTC").tz_localize(None)
        stamps = stamps.as_unit("ns")
    values = np.asarray(stamps)
    if values.dtype.kind == "M":
        values = values.astype("datetime64[ns]").view("int64")
    return pa.array(np.ascontiguousarray(values, dtype=np.int64))


def _length_text(length: Length) -> str:
    return str(length)


def _nanoseconds(values: Any) -> Any:
    """An Arrow int64 array of nanoseconds from datetime-like values (a DatetimeIndex, a Series, numpy);
    NaT becomes null (the Rust side names the row)."""
    import pandas as pd
    import pyarrow as pa

    index = pd.DatetimeIndex(values)
    if index.tz is not None:
        index = index.tz_convert("UTC").tz_localize(None)
    nanos = np.ascontiguousarray(index.as_unit("ns").asi8, dtype=np.int64)
    return pa.array(nanos, mask=np.asarray(index.isna()))


def _folds(kind: str, spec: str, X: Any, t1: Any, timestamps: Any):
    """The Rust row folds of ``kind``/``spec`` on ``X`` (its DatetimeIndex, or ``timestamps=``), purged by
    ``t1`` (a Series: index = sample start times, values = label end times, as mlfinlab takes it). Every
    check (order, t1's length, index and gaps) is made in Rust; this only converts."""
    own = _timestamps(X, timestamps) if X is not None or timestamps is not None else None
    if t1 is None:
        return _native.row_folds(kind, spec, _n_rows(X), own)
    if not hasattr(t1, "index"):
        raise ValueError("t1 must be a pandas Series: index = sample start times, values = label end times")
    n_rows = _n_rows(X) if X is not None else len(t1)
    return _native.row_folds(kind, spec, n_rows, own, _nanoseconds(t1.index), _nanoseconds(t1.values))


def _indices(ranges) -> np.ndarray:
    if not ranges:
        return np.empty(0, dtype=np.int64)
    return np.concatenate([np.arange(start, end, dtype=np.int64) for start, end in ranges])


class WalkForward:
    """Walk-forward splits: train on the past, test on the next block, step forward.

    With the scikit-learn parameters (``n_splits``, ``max_train_size``, ``test_size``, ``gap``) the folds
    are exactly those of ``sklearn.model_selection.TimeSeriesSplit`` (expanding train, fixed-size test
    blocks ending at the last row). With ``train=``/``test=`` (rows or durations such as ``"90d"``) the
    folds are the Rust walk-forward's: ``step`` (default: ``test``), ``gap`` (purge between train and test)
    and ``expanding=True`` (train grows from the first row). With ``t1`` (a Series of label end times
    indexed by sample time) each train ends before its first sample whose label reaches the test.
    """

    def __init__(self, n_splits: int = 5, *, max_train_size: Optional[int] = None,
                 test_size: Optional[int] = None, gap: Length = 0, train: Optional[Length] = None,
                 test: Optional[Length] = None, step: Optional[Length] = None, expanding: bool = False,
                 timestamps: Any = None, t1: Any = None) -> None:
        self.n_splits = n_splits
        self.t1 = t1
        self.max_train_size = max_train_size
        self.test_size = test_size
        self.gap = gap
        self.train = train
        self.test = test
        self.step = step
        self.expanding = expanding
        self.timestamps = timestamps
        if (train is None) != (test is None):
            raise ValueError("give both train= and test= (or neither, for the scikit-learn parameters)")

    def spec(self) -> Optional[str]:
        """The walk-forward as the text the CLI and ``DataHandler.folds`` take (None in scikit-learn form)."""
        if self.train is None:
            return None
        parts = [f"train={self.train}", f"test={self.test}"]
        if self.step is not None:
            parts.append(f"step={self.step}")
        if self.gap not in (0, "0"):
            parts.append(f"gap={self.gap}")
        if self.expanding:
            parts.append("expanding")
        return ",".join(parts)

    def _folds(self, X: Any):
        spec = self.spec()
        if spec is None:
            n_rows = _n_rows(X)
            if self.t1 is not None:
                raise ValueError("t1 needs the train=/test= form of WalkForward")
            if not isinstance(self.gap, int):
                raise ValueError("in the scikit-learn form gap is a number of rows")
            return _native.sklearn_walk_forward(n_rows, self.n_splits, self.max_train_size, self.test_size,
                                                self.gap)
        return [train + test for (train,), (test,) in _folds("walk_forward", spec, X, self.t1, self.timestamps)]

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
        """Yields ``(train_index, test_index)`` per fold, in time order."""
        for train_start, train_end, test_start, test_end in self._folds(X):
            yield (np.arange(train_start, train_end, dtype=np.int64),
                   np.arange(test_start, test_end, dtype=np.int64))

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Number of folds (``n_splits`` in the scikit-learn form; counted on ``X`` otherwise)."""
        if self.spec() is None and X is None:
            return self.n_splits
        return len(self._folds(X))

    def __repr__(self) -> str:
        spec = self.spec()
        if spec is None:
            return (f"WalkForward(n_splits={self.n_splits}, max_train_size={self.max_train_size}, "
                    f"test_size={self.test_size}, gap={self.gap})")
        return f"WalkForward({spec!r})"


class FoldSplitter:
    """Any fold kind the library has, by name and text, as a scikit-learn splitter:
    ``FoldSplitter("kfold", "k=5,embargo=1d")``, ``FoldSplitter("walk_forward", "train=90d,test=30d")``
    (the kinds and texts of the CLI's ``--scheme KIND:SPEC`` and :meth:`DataHandler.folds`).
    :class:`PurgedKFold` and :class:`CombinatorialPurgedCV` are this with keyword arguments; a kind added in
    Rust is usable here without a class of its own. ``t1`` purges by label overlap as in
    :class:`PurgedKFold`."""

    def __init__(self, kind: str, spec: str, *, timestamps: Any = None, t1: Any = None) -> None:
        self.kind = kind
        self.spec_text = spec
        self.timestamps = timestamps
        self.t1 = t1

    def spec(self) -> str:
        """The spec's text."""
        return self.spec_text

    def split(self, X: Any, y: Any = None, groups: Any = None) -> Iterator[Tuple[np.ndarray, np.ndarray]]:
        """Yields ``(train_index, test_index)`` per fold, each made when it is reached."""
        for train, test in _folds(self.kind, self.spec(), X, self.t1, self.timestamps):
            yield _indices(train), _indices(test)

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """Folds on ``X``; without ``X``, the count of a cross-validation kind (walk-forwards need ``X``)."""
        if X is None:
            return _native.n_splits(self.kind, self.spec())
        return _folds(self.kind, self.spec(), X, self.t1, self.timestamps).n_folds

    def __repr__(self) -> str:
        return f"FoldSplitter({self.kind!r}, {self.spec_text!r})"


class PurgedKFold(FoldSplitter):
    """K contiguous test blocks in time order; train is every other row except ``purge`` before each test
    block and ``embargo`` after it (López de Prado, ch. 7). With zero purge and embargo the folds equal
    ``sklearn.model_selection.KFold(n_splits, shuffle=False)``.

    ``t1`` (a pandas Series: index = sample start times, values = label end times, as mlfinlab's
    ``samples_info_sets``) purges by label overlap instead of a fixed ``purge``: every train sample whose
    [t, t1] overlaps a test sample's is dropped, on both sides of the block, and the embargo follows the
    block's latest label end."""

    kind = "kfold"

    def __init__(self, n_splits: int = 5, *, purge: Length = 0, embargo: Length = 0,
                 timestamps: Any = None, t1: Any = None) -> None:
        self.n_splits = n_splits
        self.t1 = t1
        self.purge = purge
        self.embargo = embargo
        self.timestamps = timestamps

    def spec(self) -> str:
        """The text the CLI and ``DataHandler.folds(kfold=...)`` take."""
        return f"k={self.n_splits},purge={_length_text(self.purge)},embargo={_length_text(self.embargo)}"

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """``n_splits``."""
        return self.n_splits

    def __repr__(self) -> str:
        return f"PurgedKFold(n_splits={self.n_splits}, purge={self.purge!r}, embargo={self.embargo!r})"


class CombinatorialPurgedCV(FoldSplitter):
    """Combinatorial purged cross-validation: ``n_folds`` blocks, every combination of ``n_test_folds``
    of them as test, train the rest minus purge and embargo around each test block (``purge`` and ``embargo``
    in rows are skfolio's ``purged_size`` and ``embargo_size``). ``t1`` purges by label overlap as in
    :class:`PurgedKFold`."""

    kind = "cpcv"

    def __init__(self, n_folds: int = 6, n_test_folds: int = 2, *, purge: Length = 0, embargo: Length = 0,
                 timestamps: Any = None, t1: Any = None) -> None:
        self.n_folds = n_folds
        self.t1 = t1
        self.n_test_folds = n_test_folds
        self.purge = purge
        self.embargo = embargo
        self.timestamps = timestamps

    def spec(self) -> str:
        """The text the CLI and ``DataHandler.folds(cpcv=...)`` take."""
        return (f"n_folds={self.n_folds},n_test_folds={self.n_test_folds},purge={_length_text(self.purge)},"
                f"embargo={_length_text(self.embargo)}")

    def get_n_splits(self, X: Any = None, y: Any = None, groups: Any = None) -> int:
        """The number of test-block combinations: C(n_folds, n_test_folds), exactly. ``split`` makes each
        fold when it is reached: the first of ``CombinatorialPurgedCV(40, 20)`` (137,846,528,820 folds) comes
        at once, in flat memory."""
        return _native.n_splits(self.kind, self.spec())

    def __repr__(self) -> str:
        return (f"CombinatorialPurgedCV(n_folds={self.n_folds}, n_test_folds={self.n_test_folds}, "
                f"purge={self.purge!r}, embargo={self.embargo!r})")
