"""``DataHandler``: the seed design's ``EnhancedDataHandler``, with one cut for every symbol."""

from __future__ import annotations

import enum
import json
import os
import warnings as _warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Dict, Iterator, List, Optional, Tuple, Union

from . import _native
from ._convert import to_nanoseconds
from ._native import CopyOnWriteFrame, IsolationWarning, View

if TYPE_CHECKING:
    from .manifest import FoldManifest


class IsolationMode(str, enum.Enum):
    """How a split's rows are isolated. The seed design's names are accepted as aliases."""

    DEEP_COPY = "deep-copy"
    """Each split copies its rows (the baseline; the only mode that costs memory)."""
    VIEW_BASED = "view"
    """Each split is an offset and a length over the loaded buffers: zero bytes copied."""
    COPY_ON_WRITE = "cow"
    """Each split shares the loaded buffers until written; a write copies one chunk of one column."""
    SHARED_MEMORY = "shm"
    """Each symbol is published once to shared memory; splits and worker processes map it read-only."""

    VIEW = "view"
    COW = "cow"
    SHM = "shm"

    def __str__(self) -> str:
        return self.value


def _mode_name(mode: Union[str, IsolationMode]) -> str:
    if isinstance(mode, IsolationMode):
        return mode.value
    try:
        return IsolationMode[str(mode).upper()].value
    except KeyError:
        return IsolationMode(str(mode)).value


@dataclass(frozen=True)
class Fold:
    """One fold of ``DataHandler.folds``: per symbol, the train and test rows. For a walk-forward each
    side is one ``View``; for purged k-fold and CPCV each side is a list of ``View`` (train surrounds test).
    """

    index: int
    symbols: Dict[str, Tuple[Any, Any]]
    #: Per symbol: train rows ``purged`` (labels overlapping test labels), ``embargoed`` (after test
    #: blocks) and ``outside_universe``.
    report: Dict[str, Dict[str, int]] = field(default_factory=dict)
    #: Fingerprint of the universe table the fold was restricted to, if any.
    universe: Optional[str] = None
    #: For a fold made from a manifest on a worker (:meth:`FoldManifest.fold`): per symbol the dataset
    #: segment it was attached from, ``{"segment", "path", "location", "published"}``.
    datasets: Dict[str, Dict[str, Any]] = field(default_factory=dict)

    @property
    def train(self) -> Dict[str, Any]:
        """``{symbol: train side}``."""
        return {s: sides[0] for s, sides in self.symbols.items()}

    @property
    def test(self) -> Dict[str, Any]:
        """``{symbol: test side}``."""
        return {s: sides[1] for s, sides in self.symbols.items()}

    def __iter__(self):
        return iter(self.symbols.items())


def _universe(universe: Any):
    """``(path, None)``, ``(None, record batches)`` or ``(None, None)`` for a universe argument."""
    if universe is None:
        return None, None
    if isinstance(universe, (str, os.PathLike)):
        return os.fspath(universe), None
    import pyarrow as pa

    if hasattr(universe, "to_arrow") and not isinstance(universe, pa.Table):  # polars
        universe = universe.to_arrow()
    if not isinstance(universe, pa.Table):
        universe = pa.Table.from_pandas(universe, preserve_index=False)
    return None, universe.to_batches()


def _fold_args(walk_forward, kfold, cpcv, warmup, label_end, horizon, cross_sectional, universe):
    """``(kind, native arguments)`` of ``folds`` and ``fold_manifest``."""
    given = [(k, v) for k, v in (("walk_forward", walk_forward), ("kfold", kfold), ("cpcv", cpcv)) if v]
    if len(given) != 1:
        raise ValueError("pass exactly one of walk_forward=, kfold=, cpcv=")
    kind, spec = given[0]
    warmup_text = None if warmup is None else str(warmup)
    horizon_text = None if horizon is None else str(horizon)
    universe_path, universe_batches = _universe(universe)
    return kind, (spec, warmup_text, label_end, horizon_text, cross_sectional, universe_path, universe_batches)


def _fold(kind: str, native_fold, datasets=None) -> Fold:
    """A :class:`Fold` from the native ``(index, symbols, universe fingerprint)``. Walk-forward sides are
    one ``View`` each (a list where a universe cuts a side into pieces); CV sides are lists."""
    index, symbols, fingerprint = native_fold
    per_symbol = {}
    report = {}
    for s, train, test, (purged, embargoed, outside) in symbols:
        if kind == "walk_forward":
            train = train[0] if len(train) == 1 else train
            test = test[0] if len(test) == 1 else test
        per_symbol[s] = (train, test)
        report[s] = {"purged": purged, "embargoed": embargoed, "outside_universe": outside}
    return Fold(index, per_symbol, report, fingerprint, datasets or {})


class DataHandler:
    """Market data of several symbols, split at one instant shared by all of them.

    ``load_data`` takes a pandas DataFrame (a DatetimeIndex, or a ``timestamp`` column), a pyarrow
    Table, a polars DataFrame or any object with ``__arrow_c_stream__``, or a path to a CSV, Parquet or
    Arrow IPC file. Loading shares the source's memory where its layout allows (no copy): do not write to
    the source frame's numpy arrays afterwards. Nothing of the source is ever modified.

    ``get_data`` returns a :class:`View` (or, in copy-on-write mode, a :class:`CopyOnWriteFrame`) bounded
    to the active split: a train view cannot reach test rows.
    """

    def __init__(self, isolation_mode: Union[str, IsolationMode] = IsolationMode.VIEW_BASED, *,
                 cow_chunk_rows: Optional[int] = None) -> None:
        self._native = _native.Handler(_mode_name(isolation_mode), cow_chunk_rows)

    @property
    def isolation_mode(self) -> IsolationMode:
        """The mode splits are made in."""
        return IsolationMode(self._native.mode)

    def load_data(self, symbol: str, data: Any, time_column: Optional[str] = None) -> None:
        """Loads ``data`` for ``symbol`` (replacing an earlier load). Unsorted or duplicate timestamps, a
        missing time column or an unsupported dtype raise :class:`IsolationError` naming row and column."""
        if isinstance(data, (str, os.PathLike)):
            self._native.load_file(symbol, os.fspath(data))
        else:
            self._native.load(symbol, data, time_column)

    def get_symbols(self) -> List[str]:
        """Symbols loaded, sorted."""
        return self._native.symbols()

    def setup_train_test_split(self, method: str = "ratio", train_ratio: Optional[float] = None,
                               split_date: Any = None, *, split_index: Optional[int] = None,
                               last: Union[None, int, str] = None,
                               warmup: Union[None, int, str] = None, per_symbol: bool = False) -> Any:
        """Cuts every symbol at one instant and returns it (numpy.datetime64 of the instant in UTC, which for
        naive data is its wall-clock time).

        ``method="ratio"``: train gets the first ``train_ratio`` (default 0.7) of all symbols' distinct
        instants;
        ``method="date"``: test starts at the first bar at or after ``split_date`` (no exact match needed; a
        date without a zone is read as UTC, which matches naive data; give zoned data a zoned date, e.g.
        ``pd.Timestamp("2024-03-01", tz="America/New_York")``);
        ``method="index"``: test starts at distinct instant ``split_index``; ``method="last"``: test is the
        last ``last`` distinct instants (``250``) or the last duration (``"30d"``). ``warmup`` (rows, or a
        duration like ``"5d"``) lets test windows read that much history before the cut. The active split
        becomes ``train``. A symbol wholly on one side of the cut is kept with that side empty: each such case
        is raised as an :class:`isolation.IsolationWarning` (``warnings.warn``; filter it, or make it an error
        with ``warnings.simplefilter("error", isolation.IsolationWarning)``) and listed in
        :attr:`split_warnings`.

        ``per_symbol=True`` cuts each symbol by the method over **its own** rows instead (a ratio of its
        own rows, its own last ``n``) and returns ``{symbol: cut}``. Every symbol then gets both sides, but
        symbols no longer share one cut: one symbol's test rows may come before another's train rows, so a
        model trained across symbols (cross-sectional) can see the future of one symbol while it trains on
        another. Use it only for models fitted per symbol; the shared cut is the default for that reason.
        """
        import numpy as np

        date_ns = None if split_date is None else to_nanoseconds(split_date)
        warmup_text = None if warmup is None else str(warmup)
        last_text = None if last is None else str(last)
        ratio = None if train_ratio is None else float(train_ratio)
        cuts, warnings = self._native.setup_split(method, ratio, date_ns, split_index, last_text,
                                                  warmup_text, bool(per_symbol))
        self._warnings = warnings
        for text in warnings:
            _warnings.warn(text, IsolationWarning, stacklevel=2)
        if per_symbol:
            return {symbol: np.datetime64(cut, "ns") for symbol, cut in cuts}
        return np.datetime64(cuts[0][1], "ns")

    @property
    def split_warnings(self) -> List[str]:
        """Warnings of the last split (e.g. a symbol delisted before the cut has no test rows)."""
        return list(getattr(self, "_warnings", []))

    def set_active_split(self, split_name: str) -> None:
        """``"train"``, ``"test"`` or ``"full"``: what :meth:`get_data` returns."""
        self._native.set_active_split(split_name)

    @property
    def active_split(self) -> str:
        """The split :meth:`get_data` returns."""
        return self._native.active_split

    def get_data(self, symbol: str, split: Optional[str] = None) -> Union[View, CopyOnWriteFrame]:
        """The rows of ``split`` (default: the active split) of ``symbol``."""
        return self._native.data(symbol, split)

    def split_ranges(self, symbol: str) -> Optional[Dict[str, Tuple[int, int]]]:
        """Row ranges of ``symbol``'s train and test, or None before a split."""
        ranges = self._native.split_ranges(symbol)
        if ranges is None:
            return None
        return {"train": ranges[0], "test": ranges[1]}

    def get_memory_usage(self) -> Dict[str, Any]:
        """Memory of the loaded data and every split, each buffer counted once.

        Keys of the seed design (``isolation_mode``, ``raw_data_bytes``, ``train_data_bytes``,
        ``test_data_bytes``, ``total_bytes``) plus ``owned_bytes``/``shared_bytes`` (``total_bytes`` is
        their sum: what all of it keeps alive), ``mapped_bytes`` (shared-memory pages), ``naive_sum_bytes``
        (the seed's double-counting sum, for comparison), per-symbol figures and this process's RSS/PSS/USS
        from the OS.
        """
        report_json, _ = self._native.memory_report()
        report = json.loads(report_json)
        distinct = report["distinct"]
        return {
            "isolation_mode": report["mode"],
            "raw_data_bytes": report["base_bytes"],
            "train_data_bytes": report["train_bytes"],
            "test_data_bytes": report["test_bytes"],
            "total_bytes": report["total_bytes"],
            "owned_bytes": distinct["owned_bytes"],
            "shared_bytes": distinct["shared_bytes"],
            "mapped_bytes": report["mapped_bytes"],
            "naive_sum_bytes": report["naive_sum_bytes"],
            "symbols": report["symbols"],
            "process": _native.process_memory(),
        }

    def memory_report(self) -> str:
        """The memory report as text (as the CLI prints it)."""
        return self._native.memory_report()[1]

    def segment_names(self) -> Dict[str, str]:
        """``{symbol: segment name}`` in shared-memory mode: hand the names to workers, which call
        ``isolation.shm.attach(name)``."""
        return dict(self._native.segment_names())

    def folds(self, *, walk_forward: Optional[str] = None, kfold: Optional[str] = None,
              cpcv: Optional[str] = None, warmup: Union[None, int, str] = None,
              label_end: Optional[str] = None, horizon: Union[None, int, str] = None,
              cross_sectional: bool = False, universe: Any = None) -> Iterator[Fold]:
        """Folds over every symbol on one time axis, for the backtest loop: exactly one of
        ``walk_forward="train=90d,test=30d,step=30d[,gap=1d][,expanding]"``,
        ``kfold="k=5,purge=1d,embargo=1d"`` or ``cpcv="n_folds=6,n_test_folds=2,purge=10,embargo=5"``
        (lengths in rows, or durations). Yields :class:`Fold` objects.

        Purging by labels: ``label_end="t1"`` names each symbol's column of label end times (a train row is
        dropped when its [t, t1] overlaps a test row's); ``horizon="5d"`` (or rows) is a fixed label length
        in place of a spec's ``purge=``; ``cross_sectional=True`` purges every symbol against every
        symbol's test labels. ``universe`` (a path to a CSV/Parquet table, or a DataFrame / pyarrow Table
        with columns symbol, from, to) keeps only rows of symbols that were members at the time.

        A ``cpcv`` spec of more than 100,000 folds is refused with its count (the study is planned up
        front); walk such a spec with :class:`~isolation.CombinatorialPurgedCV`, which makes one fold at a
        time."""
        kind, args = _fold_args(walk_forward, kfold, cpcv, warmup, label_end, horizon, cross_sectional,
                                universe)
        for fold in self._native.folds(kind, *args):
            yield _fold(kind, fold)

    def fold_manifest(self, *, walk_forward: Optional[str] = None, kfold: Optional[str] = None,
                      cpcv: Optional[str] = None, warmup: Union[None, int, str] = None,
                      label_end: Optional[str] = None, horizon: Union[None, int, str] = None,
                      cross_sectional: bool = False, universe: Any = None) -> "FoldManifest":
        """The :class:`~isolation.FoldManifest` of the folds :meth:`folds` makes with the same arguments:
        the spec, each symbol's file and data fingerprint, and every fold's row ranges. Workers in other
        processes or on other machines make the same folds from it (``manifest.fold(n)``,
        ``isolation.ray.run_folds``, ``isolation fold-run``). Symbols loaded from files
        (``load_data(symbol, path)``) are named by absolute path; a worker cannot load a symbol given as a
        DataFrame."""
        from .manifest import FoldManifest

        kind, args = _fold_args(walk_forward, kfold, cpcv, warmup, label_end, horizon, cross_sectional,
                                universe)
        return FoldManifest.from_json(self._native.fold_manifest(kind, *args))

    def release(self) -> None:
        """Frees every symbol (and unlinks this handler's shared-memory segments)."""
        self._native.release()

    def __enter__(self) -> "DataHandler":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def __repr__(self) -> str:
        return repr(self._native)
