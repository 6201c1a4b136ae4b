"""Data in: pandas frames to Arrow, sharing memory where pyarrow can; split dates to nanoseconds."""

from __future__ import annotations

from typing import Any, Optional, Tuple

import json

import pyarrow as pa

TIMESTAMP_COLUMN = "timestamp"
#: The schema metadata key where a frame records its index's name and unit (Rust's INDEX_METADATA_KEY).
INDEX_METADATA_KEY = "isolation.index_label"


def _is_pandas_frame(data: Any) -> bool:
    module = type(data).__module__
    return module.startswith("pandas") and hasattr(data, "columns") and hasattr(data, "index")


def to_arrow(data: Any, time_column: Optional[str] = None) -> Tuple[Any, Optional[str]]:
    """Returns ``(arrow_data, time_column)`` for ``data``.

    A pandas DataFrame with a DatetimeIndex becomes a table whose ``timestamp`` column is the index, naive
    or in its zone as it was, with the index's name and unit recorded in the schema metadata
    (``isolation.index_label``) so that ``to_pandas()`` gives them back; without one, ``time_column`` (or a column
    named ``timestamp``) is the index. Numeric columns without missing values keep their memory (pyarrow
    wraps the numpy buffers); the caller's frame is never modified.
    """
    if not _is_pandas_frame(data):
        if hasattr(data, "__arrow_c_stream__") or hasattr(data, "__arrow_c_array__"):
            names = getattr(getattr(data, "schema", None), "names", None)  # pyarrow: a list; polars: a method
            names = names() if callable(names) else names
            _check_names(str(n) for n in (names or getattr(data, "columns", None) or []))
            return data, time_column
        raise TypeError(
            "expected Arrow data (an object with __arrow_c_stream__: a pyarrow Table, a polars DataFrame) "
            f"or a pandas DataFrame, got {type(data).__name__}"
        )
    import pandas as pd

    _check_names(str(n) for n in [*data.columns, data.index.name or ""])
    data = _periods_as_timestamps(data)
    if not isinstance(data.index, pd.DatetimeIndex) and pd.api.types.infer_dtype(data.index) == "date":
        data = data.set_axis(pd.DatetimeIndex(data.index, name=data.index.name), axis=0)  # midnight of each day
    if time_column is not None and time_column not in data.columns and time_column == data.index.name:
        time_column = None  # the index, named as the caller named it
    if time_column is None and isinstance(data.index, pd.DatetimeIndex):
        index = data.index
        if TIMESTAMP_COLUMN in data.columns:
            raise ValueError(
                f"the frame has a DatetimeIndex and a column named `{TIMESTAMP_COLUMN}`; "
                "pass time_column= to say which is the index"
            )
        arrays = [pa.Array.from_pandas(index)]
        names = [TIMESTAMP_COLUMN]
        for name in data.columns:
            arrays.append(_column(data[name]))
            names.append(str(name))
        name = None if index.name is None else str(index.name)
        recorded = {"name": name, "unit": getattr(index, "unit", "ns")}
        if index.freqstr is not None:
            recorded["freq"] = index.freqstr
        label = json.dumps(recorded)
        return pa.Table.from_arrays(arrays, names=names, metadata={INDEX_METADATA_KEY: label}), TIMESTAMP_COLUMN
    columns = [_column(data[name]) for name in data.columns]
    return pa.Table.from_arrays(columns, names=[str(name) for name in data.columns]), time_column


def column(values: Any) -> Any:
    """Values for one column (a pandas Series, numpy array, pyarrow array or a list) as a pyarrow array:
    pandas columns as :func:`_column` converts them, a float NaN kept as NaN."""
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if type(values).__module__.startswith("pandas"):
        return _column(values)
    import numpy as np

    return pa.array(np.asarray(values), from_pandas=False)


def _column(series: Any) -> Any:
    """One pandas column as Arrow. A NumPy float column keeps NaN as NaN (a value, as pandas and numpy
    treat it; pyarrow's pandas conversion would turn it into a null, which comes back as None); pandas'
    missing markers (``pd.NA`` in nullable dtypes, ``NaT``) become nulls."""
    import numpy as np

    if isinstance(series.dtype, np.dtype) and series.dtype.kind == "f":
        return pa.array(series.to_numpy(), from_pandas=False)
    return pa.Array.from_pandas(series)


def _check_names(names) -> None:
    """Refuses a column name with a NUL character: the Arrow C interface carries names as C strings and
    would cut it there, silently."""
    for name in names:
        if "\x00" in name:
            from ._native import IsolationError

            raise IsolationError(f"column name {name!r} contains a NUL character, which Arrow's C interface "
                                 "cannot carry; rename the column")


def _periods_as_timestamps(data: Any) -> Any:
    """A pandas frame with each ``period`` column (and a PeriodIndex) as the timestamps the periods start
    at, as ``Period.to_timestamp()`` gives (pyarrow would pass the period ordinals, e.g. months since
    1970, as plain integers). The caller's frame is not modified; a frame without periods is returned as
    it is."""
    import pandas as pd

    period_columns = [name for name in data.columns if isinstance(data[name].dtype, pd.PeriodDtype)]
    period_index = isinstance(data.index, pd.PeriodIndex)
    if not period_columns and not period_index:
        return data
    data = data.copy(deep=False)
    for name in period_columns:
        data[name] = data[name].dt.to_timestamp()
    if period_index:
        data.index = data.index.to_timestamp()
    return data


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


def to_pandas(table: Any, index_name: Optional[str], index_unit: str, freq: Optional[str], copy: bool) -> Any:
    """A frame's rows (a pyarrow table whose ``timestamp`` column is the index) as a pandas DataFrame whose
    index is named, in the unit and with the frequency the data came in with (``index_name``,
    ``index_unit``, ``freq``), naive or zoned as it came (the Arrow type carries the zone). Without
    ``copy``, columns without nulls stay read-only numpy blocks over the table's memory; with it, pandas
    owns every value."""
    frame = table.to_pandas(split_blocks=not copy, self_destruct=False).set_index(TIMESTAMP_COLUMN)
    index = frame.index.rename(index_name)
    if index_unit != "ns":
        index = index.as_unit(index_unit)  # exact: the values came in this unit
    if freq is not None:
        import pandas as pd

        try:
            index = pd.DatetimeIndex(index, freq=freq)  # pandas checks the rows still follow it
        except ValueError:
            pass
    frame.index = index
    return frame.copy(deep=True) if copy else frame


def series_table(timestamps: Any, values: Any, name: str) -> Any:
    """The seed's ``TimeSeriesArray(timestamps, values)`` as a table: ``timestamps`` as given (numpy
    ``datetime64``, a pandas DatetimeIndex, or ints of nanoseconds since the epoch, taken as naive) and
    one column ``name``."""
    import numpy as np

    if isinstance(timestamps, (pa.Array, pa.ChunkedArray)):
        stamps = timestamps
    else:
        if type(timestamps).__module__.startswith("pandas"):
            stamps = pa.Array.from_pandas(timestamps)
        else:
            array = np.asarray(timestamps)
            stamps = pa.array(array.astype("datetime64[ns]") if array.dtype.kind in "iu" else array)
    if not pa.types.is_timestamp(stamps.type) and not pa.types.is_date(stamps.type):
        raise TypeError(f"timestamps must be datetime64 values or int nanoseconds, got {stamps.type}")
    return pa.table({TIMESTAMP_COLUMN: stamps, name: column(values)})
