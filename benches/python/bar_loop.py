"""Per-bar Python loops over a test split: the package's reads (`get_current`, `current`, `iter`, windows)
against numpy's and pandas' own loops over the same values, in one process, as ratios to the numpy index
loop (`s += arr[i]`). 1M one-minute bars (DatetimeIndex + 5 float columns), test split of 30%, median of
runs. The seed design's pandas `DataView` is the baseline (on its first 100k bars: it is slow).

Usage: python benches/python/bar_loop.py [--rows 1000000] [--repeat 7] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Dict, Optional

import numpy as np
import pandas as pd

import isolation

#: The goals of the issue "Python strategies at the speed of Python", as ratios to the numpy index loop
#: (the window loop's to numpy's own window loop).
GOALS = {"get_current": 0.29, "iter": 1.5, "window": 1.0}


def frame(rows: int) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    close = 100.0 + np.cumsum(rng.normal(0.0, 0.01, rows))
    index = pd.date_range("2020-01-01", periods=rows, freq="min", tz="UTC").as_unit("ns")
    return pd.DataFrame({"open": close, "high": close + 0.05, "low": close - 0.05, "close": close,
                         "volume": rng.uniform(1, 100, rows)}, index=index)


class SeedDataView:
    """The seed design's `DataView` (docs: ../shared/seed/data-isolation-design.md), as written there."""

    def __init__(self, data: pd.DataFrame, start_idx: int, end_idx: int):
        self._data, self._start_idx, self._end_idx, self._current_idx = data, start_idx, end_idx, start_idx

    def get_current(self) -> Optional[pd.Series]:
        if self._current_idx >= self._end_idx:
            return None
        return self._data.iloc[self._current_idx]

    def advance(self) -> bool:
        if self._current_idx >= self._end_idx - 1:
            return False
        self._current_idx += 1
        return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)

    bars = frame(args.rows)
    handler = isolation.DataHandler("view")
    handler.load_data("SYM", bars)
    handler.setup_train_test_split(method="ratio", train_ratio=0.7)
    test = handler.get_data("SYM", "test")
    n = len(test)
    close = np.ascontiguousarray(bars["close"].to_numpy()[len(bars) - n:])
    test_frame = bars.iloc[len(bars) - n:]
    seed_n = min(n, 100_000)

    def get_current() -> float:
        test.reset()
        s = 0.0
        for _ in range(n):
            s += test.get_current()["close"]
            test.advance()
        return s

    def current() -> float:
        test.reset()
        s = 0.0
        for _ in range(n):
            s += test.current("close")
            test.advance()
        return s

    def iterate() -> float:
        test.reset()
        s = 0.0
        for c in test.iter("close"):
            s += c
        return s

    def numpy_index() -> float:
        s = 0.0
        for i in range(n):
            s += close[i]
        return s

    def tolist() -> float:
        s = 0.0
        for x in close.tolist():
            s += x
        return s

    def itertuples() -> float:
        s = 0.0
        for row in test_frame.itertuples():
            s += row.close
        return s

    def window() -> float:
        test.reset()
        s = 0.0
        for _ in range(n):
            s += test.window("close", 20).mean()
            test.advance()
        return s

    def get_window() -> float:
        test.reset()
        s = 0.0
        for _ in range(n):
            s += test.get_window(20).to_numpy("close").mean()
            test.advance()
        return s

    def numpy_window() -> float:
        s = 0.0
        for i in range(19, n):
            s += close[i - 19:i + 1].mean()
        return s

    def windows() -> float:
        test.seek(19)
        s = 0.0
        for w in test.windows("close", 20):
            s += w.mean()
        return s

    seed = SeedDataView(test_frame, 0, seed_n)

    def seed_loop() -> float:
        seed._current_idx = 0
        s = 0.0
        for _ in range(seed_n):
            s += seed.get_current()["close"]
            seed.advance()
        return s

    # The loops read the same values: a wrong path would show here, not only in the tests.
    assert abs(get_current() - numpy_index()) < 1e-6 * n and abs(iterate() - numpy_index()) < 1e-6 * n
    assert abs(windows() - numpy_window()) < 1e-6 * n

    loops: Dict[str, tuple] = {
        "numpy index loop `s += arr[i]`": (numpy_index, n),
        "plain loop over `arr.tolist()`": (tolist, n),
        "pandas `itertuples()`": (itertuples, n),
        "`get_current()[\"close\"]` + `advance()`": (get_current, n),
        "`current(\"close\")` + `advance()`": (current, n),
        "`for c in view.iter(\"close\")`": (iterate, n),
        "numpy `arr[i-19:i+1].mean()`": (numpy_window, n - 19),
        "`for w in view.windows(\"close\", 20): w.mean()`": (windows, n - 19),
        "`window(\"close\", 20).mean()` + `advance()`": (window, n),
        "`get_window(20).to_numpy(\"close\").mean()` + `advance()`": (get_window, n),
        "seed `DataView` `get_current()[\"close\"]` + `advance()` (first 100k)": (seed_loop, seed_n),
    }
    # Rounds interleave every loop, so a slow moment of a shared machine slows all of them alike; each ratio
    # is the median over rounds of the loop's rate divided by its baseline's rate in the same round.
    for fn, _ in loops.values():
        fn()  # warm
    per_round = {name: [] for name in loops}
    for _ in range(args.repeat):
        for name, (fn, count) in loops.items():
            t0 = time.perf_counter()
            fn()
            per_round[name].append(count / (time.perf_counter() - t0))
    numpy_name, window_name = "numpy index loop `s += arr[i]`", "numpy `arr[i-19:i+1].mean()`"
    baseline = lambda name: window_name if "mean()" in name else numpy_name  # noqa: E731
    rates = {name: statistics.median(r) for name, r in per_round.items()}
    ratios = {name: statistics.median(a / b for a, b in zip(r, per_round[baseline(name)]))
              for name, r in per_round.items()}
    print(f"{n:,} test bars of {args.rows:,}; {args.repeat} interleaved rounds; median bars/s, and median of "
          f"the per-round ratios to the numpy index loop (windows: to numpy's window loop)\n")
    print("| loop | bars/s | ratio |\n|---|--:|--:|")
    for name in loops:
        print(f"| {name} | {rates[name] / 1e6:.2f} M | {ratios[name]:.2f}x |")
    achieved = {
        "get_current": ratios["`get_current()[\"close\"]` + `advance()`"],
        "iter": ratios["`for c in view.iter(\"close\")`"],
        "window": ratios["`for w in view.windows(\"close\", 20): w.mean()`"],
    }
    print()
    for goal, target in GOALS.items():
        verdict = "met" if achieved[goal] >= target else "MISSED"
        print(f"goal {goal}: {achieved[goal]:.2f}x (target >= {target}x) {verdict}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"rows": args.rows, "test_bars": n, "bars_per_second": rates, "ratios": ratios,
                       "goals": GOALS, "achieved": achieved}, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
