"""pandas' deep copy of synthetic minute bars, the baseline of `cargo xtask bench`'s deep-copy row.

Builds the same shape of frame the Rust side copies (an int64 nanosecond timestamp column, four float64
prices, a uint32 volume: 44 bytes a row), times `df.copy()` (deep) best of N with the copy dropped between
runs, and prints one JSON line: rows, bytes copied, best seconds, GB/s.

Usage: python deep_copy.py ROWS [RUNS]
"""

import gc
import json
import sys
import time

import numpy as np
import pandas as pd


def main() -> None:
    rows = int(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    rng = np.random.default_rng(0x5EED)
    close = 100.0 * np.cumprod(1.0 + (rng.random(rows) - 0.5) * 0.002)
    frame = pd.DataFrame(
        {
            "timestamp": pd.to_datetime(np.arange(rows, dtype=np.int64) * 60_000_000_000, utc=True),
            "open": close * 0.999,
            "high": close * 1.001,
            "low": close * 0.998,
            "close": close,
            "volume": rng.integers(1, 10_000, rows, dtype=np.uint32),
        }
    )
    copied_bytes = int(frame.memory_usage(index=False, deep=True).sum())
    best = float("inf")
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        copy = frame.copy(deep=True)
        elapsed = time.perf_counter() - start
        best = min(best, elapsed)
        del copy
    print(
        json.dumps(
            {
                "library": f"pandas {pd.__version__}",
                "rows": rows,
                "bytes": copied_bytes,
                "best_seconds": best,
                "gb_per_second": copied_bytes / best / 1e9,
            }
        )
    )


if __name__ == "__main__":
    main()
