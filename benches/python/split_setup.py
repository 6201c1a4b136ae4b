"""Split setup from Python: `DataHandler.setup_train_test_split` plus taking both sides, against pandas
`iloc` slices of the same frame, at 1e5 and 1e7 rows (median of repeated runs, as a ratio in one process).

Usage: python benches/python/split_setup.py [--rows 100000 10000000] [--repeat 31]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import numpy as np
import pandas as pd

import isolation


def frame(rows: int) -> pd.DataFrame:
    close = 100.0 + np.cumsum(np.random.default_rng(1).normal(0.0, 0.01, rows))
    index = pd.date_range("2000-01-01", periods=rows, freq="min", tz="UTC").as_unit("ns")
    return pd.DataFrame({"open": close, "high": close, "low": close, "close": close, "volume": close},
                        index=index)


def median_seconds(fn, repeat: int) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=31)
    args = parser.parse_args(argv)
    print("| rows | ours: setup_train_test_split + get_data x2 | pandas: iloc x2 | ours / pandas |")
    print("|---|---|---|---|")
    for rows in args.rows:
        df = frame(rows)
        handler = isolation.DataHandler("view")
        handler.load_data("X", df)

        def ours():
            handler.setup_train_test_split("ratio", 0.7)
            return handler.get_data("X", "train"), handler.get_data("X", "test")

        def pandas_iloc():
            cut = int(len(df) * 0.7)
            return df.iloc[:cut], df.iloc[cut:]

        train, test = ours()
        expected = pandas_iloc()
        assert (train.size, test.size) == (len(expected[0]), len(expected[1]))
        a, b = median_seconds(ours, args.repeat), median_seconds(pandas_iloc, args.repeat)
        print(f"| {rows:,} | {a * 1e6:,.1f} us | {b * 1e6:,.1f} us | {a / b:.2f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
