"""A typed user of the package: `mypy --strict` checks this file against the package's annotations and
`_native.pyi` (tests/test_typing.py), and pytest runs it, so the types describe code that works."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd

import isolation


def crossover_signals(view: isolation.View, fast: int = 10, slow: int = 50) -> int:
    """Counts bars where the fast mean is above the slow one, reading windows as numpy over shared memory."""
    above = 0
    view.reset()
    while True:
        if view.current_index + 1 >= slow:
            if float(np.mean(view.window("close", fast))) > float(np.mean(view.window("close", slow))):
                above += 1
        if not view.advance():
            return above


def run() -> dict[str, int]:
    bars = pd.DataFrame(
        {"close": 100.0 + np.arange(2_000, dtype=np.float64) % 37},
        index=pd.date_range("2024-01-01", periods=2_000, freq="min", name="Date"),
    )
    with isolation.DataHandler(isolation.IsolationMode.VIEW_BASED) as handler:
        handler.load_data("BTCUSD", bars)
        cut = handler.setup_train_test_split(method="ratio", train_ratio=0.7)
        test = handler.get_data("BTCUSD", "test")
        assert isinstance(test, isolation.View)
        signals = crossover_signals(test)
        current: Optional[dict[str, object]] = test.get_current()
        assert current is not None and cut is not None
    series = isolation.TimeSeriesArray.from_dataframe(bars, "close").get_view(10, 20)
    usage: dict[str, int] = series.memory_usage()
    cow = isolation.CopyOnWriteFrame(bars)
    cow.set_value(0, "close", 1.5)
    rows, columns = cow.shape
    estimate = isolation.MemoryTracker.estimate_dataframe_memory(bars)
    return {
        "signals": signals,
        "series_bytes": usage["total_bytes"],
        "cow_rows": rows * columns,
        "frame_bytes": int(estimate["total_bytes"]),
    }


if __name__ == "__main__":
    print(run())
