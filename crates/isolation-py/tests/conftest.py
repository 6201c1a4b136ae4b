"""Shared fixtures: synthetic minute bars as pandas frames."""

import os
import uuid

import numpy as np
import pandas as pd
import pytest


def make_bars(n: int, seed: int = 7, start: str = "2024-01-01") -> pd.DataFrame:
    """``n`` one-minute bars: open/high/low/close (float64) and volume (int64), DatetimeIndex (UTC)."""
    rng = np.random.default_rng(seed)
    close = 100.0 + np.cumsum(rng.normal(0.0, 0.1, n))
    return pd.DataFrame(
        {
            "open": close + rng.normal(0.0, 0.01, n),
            "high": close + 0.05,
            "low": close - 0.05,
            "close": close,
            "volume": rng.integers(1, 1_000, n, dtype=np.int64),
        },
        index=pd.date_range(start, periods=n, freq="min", tz="UTC"),
    )


@pytest.fixture
def bars() -> pd.DataFrame:
    return make_bars(1_000)


@pytest.fixture
def segment_name() -> str:
    """A segment name no other test (or test run) uses."""
    return f"pytest-{os.getpid()}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def _remove_kept_segments_under_tmp_path(request):
    """After each test, removes the kept segments (fold manifests' datasets) it published under its
    ``tmp_path``: their holder processes stop at once instead of when pytest deletes old temporary
    directories, runs later."""
    yield
    tmp_path = request.node.funcargs.get("tmp_path")
    if tmp_path is None:
        return
    import isolation

    for locator in tmp_path.rglob("isolation.*"):
        if locator.is_file() and not locator.name.endswith((".lock", ".tmp")):
            try:
                isolation.shm.remove(locator.name[len("isolation."):], dir=locator.parent)
            except isolation.IsolationError:
                pass
