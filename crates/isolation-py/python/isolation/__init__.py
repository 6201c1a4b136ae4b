"""Train/test splits, walk-forward folds and shared-memory datasets for market data, without copies and
without look-ahead.

A split is an offset and a length over the loaded Arrow buffers; a copy-on-write frame copies only the
chunk you write; a shared-memory dataset is an Arrow IPC file that every worker maps read-only. A train
view cannot reach test rows, and a view's position never shows a later bar.

>>> import pandas as pd, numpy as np, isolation
>>> bars = pd.DataFrame({"close": np.arange(100.0)},
...                     index=pd.date_range("2024-01-01", periods=100, freq="min"))
>>> handler = isolation.DataHandler("view")
>>> handler.load_data("BTCUSD", bars)
>>> _ = handler.setup_train_test_split(method="ratio", train_ratio=0.7)
>>> handler.set_active_split("test")
>>> test = handler.get_data("BTCUSD")
>>> test.size, test.get_current()["close"]
(30, 70.0)
"""

from __future__ import annotations

from . import shm
from ._native import IsolationError, IsolationWarning, View, CopyOnWriteFrame, TimeSeriesArray, __version__
from ._native import available_modes as _available_modes
from ._native import process_memory
from .factory import Decision, IsolationFactory
from .handler import DataHandler, Fold, IsolationMode
from .manifest import FoldManifest
from .memory import MemoryTracker
from .model_selection import CombinatorialPurgedCV, FoldSplitter, PurgedKFold, WalkForward

# The seed design's class names, as aliases of what this package calls them (docs/python.md has the table).
EnhancedDataHandler = DataHandler
DataView = View
CopyOnWriteDataFrame = CopyOnWriteFrame
DataIsolationFactory = IsolationFactory
SharedMemoryDataFrame = shm.SharedMemoryDataFrame

__all__ = [
    "CombinatorialPurgedCV",
    "CopyOnWriteDataFrame",
    "CopyOnWriteFrame",
    "DataIsolationFactory",
    "DataView",
    "EnhancedDataHandler",
    "SharedMemoryDataFrame",
    "DataHandler",
    "Decision",
    "Fold",
    "FoldManifest",
    "IsolationError",
    "IsolationFactory",
    "IsolationWarning",
    "IsolationMode",
    "MemoryTracker",
    "PurgedKFold",
    "FoldSplitter",
    "TimeSeriesArray",
    "View",
    "WalkForward",
    "available_modes",
    "process_memory",
    "shm",
    "__version__",
]


def available_modes() -> list:
    """The isolation modes this build has (all four in the published package)."""
    return [IsolationMode(name) for name in _available_modes()]
