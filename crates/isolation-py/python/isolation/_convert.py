"""Data in: pandas frames to Arrow, sharing memory where pyarrow can; split dates to nanoseconds."""

from __future__ import annotations

from typing import Any, Optional, Tuple

import pyarrow as pa

TIMESTAMP_COLUMN = "timestamp"


def _is_pandas_frame(data: Any) -> bool:
    module = type(data).__module__
    return module.startswith("pandas") and hasattr(data, "columns") and hasattr(data, "index")


def to_arrow(data: Any, time_column: Optional[str] = None) -> Tuple[Any, Optional[str]]:
    """Returns ``(arrow_data, time_column)`` for ``data``.

    A pandas DataFrame with a DatetimeIndex becomes a table whose ``timestamp`` column is the index (naive
    timestamps are read as UTC); without one, ``time_column`` (or a column named ``timestamp``) is the
    index. Numeric columns without missing values keep their memory (pyarrow wraps the numpy buffers);
    the caller's frame is never modified.
    """
    if hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__"):
        return data, time_column
    if not _is_pandas_frame(data):
        raise TypeError(
            "expected Arrow data (an object with __arrow_c_stream__: a pyarrow Table, a polars DataFrame) "
            f"or a pandas DataFrame, got {type(data).__name__}"
        )
    import pandas as pd

    if time_column is None and isinstance(data.index, pd.DatetimeIndex):
        index = data.index
        index = index.tz_localize("UTC") if index.tz is None else index.tz_convert("UTC")
        if TIMESTAMP_COLUMN in data.columns:
            raise ValueError(
                f"the frame has a DatetimeIndex and a column named `{TIMESTAMP_COLUMN}`; "
                "pass time_column= to say which is the index"
            )
        arrays = [pa.Array.from_pandas(index)]
        names = [TIMESTAMP_COLUMN]
        for name in data.columns:
            arrays.append(pa.Array.from_pandas(data[name]))
            names.append(str(name))
        return pa.Table.from_arrays(arrays, names=names), TIMESTAMP_COLUMN
    table = pa.Table.from_pandas(data, preserve_index=False)
    return table, time_column


def to_nanoseconds(instant: Any) -> int:
    """Nanoseconds since the epoch (UTC) of a date: text ("2021-01-01"), datetime, pandas or numpy
    timestamp, or an int of nanoseconds. Naive dates are UTC."""
    if isinstance(instant, int):
        return instant
    try:
        import pandas as pd
    except ImportError:  # pragma: no cover - pandas is in the test environment
        import numpy as np

        return int(np.datetime64(instant, "ns").astype("int64"))
    stamp = pd.Timestamp(instant)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")
    return int(stamp.value)
