"""Data in: pandas, pyarrow and polars frames load without a copy where the layout allows; bad input
raises IsolationError with the Rust message (row, column) and never changes the caller's data."""

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import isolation
from conftest import make_bars


def full_view(data, **kwargs):
    handler = isolation.DataHandler("view")
    handler.load_data("X", data, **kwargs)
    return handler, handler.get_data("X", "full")


def test_pandas_columns_are_shared_not_copied(bars):
    _, view = full_view(bars)
    for column in ["open", "close", "volume"]:
        assert np.shares_memory(view.to_numpy(column), bars[column].to_numpy()), column
    assert view.size == len(bars)
    assert view.columns == ["open", "high", "low", "close", "volume"]


def test_pyarrow_table_is_shared_not_copied(bars):
    table = pa.Table.from_pandas(bars.rename_axis("timestamp").reset_index(), preserve_index=False)
    _, view = full_view(table)
    ours = pa.table(view).column("close").chunk(0).buffers()[1]
    theirs = table.column("close").chunk(0).buffers()[1]
    assert ours.address == theirs.address


def test_polars_frame_loads_through_the_capsule_interface(bars):
    frame = pl.from_pandas(bars.reset_index(names="timestamp"))
    _, view = full_view(frame)
    np.testing.assert_array_equal(view.to_numpy("close"), bars["close"].to_numpy())
    np.testing.assert_array_equal(view.to_numpy("volume"), bars["volume"].to_numpy())


def test_a_timestamp_column_of_another_name_and_unit(bars):
    frame = bars.reset_index(names="ts")
    frame["ts"] = frame["ts"].dt.as_unit("ms")
    _, view = full_view(frame, time_column="ts")
    assert view.get_current()["timestamp"] == np.datetime64(bars.index[0].tz_localize(None), "ns")


def test_naive_index_is_read_as_utc(bars):
    naive = bars.tz_localize(None)
    _, view = full_view(naive)
    assert view.data_info["start_date"] == np.datetime64("2024-01-01T00:00", "ns")


def test_unsorted_timestamps_name_the_row(bars):
    shuffled = bars.iloc[[0, 1, 3, 2, 4]]
    before = shuffled.copy()
    with pytest.raises(isolation.IsolationError, match=r"row 3"):
        full_view(shuffled)
    pd.testing.assert_frame_equal(shuffled, before)


def test_duplicate_timestamps_name_the_row(bars):
    duplicated = bars.iloc[[0, 1, 1, 2]]
    with pytest.raises(isolation.IsolationError, match=r"row 2"):
        full_view(duplicated)


def test_no_time_column_is_a_clear_error():
    frame = pd.DataFrame({"close": [1.0, 2.0]})
    with pytest.raises(isolation.IsolationError, match="no time column"):
        full_view(frame)


def test_unsupported_dtype_names_the_column(bars):
    frame = bars.assign(venue="XNAS")
    with pytest.raises(isolation.IsolationError, match="venue"):
        full_view(frame)


def test_not_a_frame_is_a_type_error():
    with pytest.raises(TypeError, match="Arrow data"):
        full_view([1, 2, 3])


def test_loading_never_modifies_the_source(bars):
    before = bars.copy()
    handler, _ = full_view(bars)
    handler.setup_train_test_split("ratio", 0.5)
    pd.testing.assert_frame_equal(bars, before)


def test_load_a_file(tmp_path, bars):
    path = tmp_path / "bars.parquet"
    bars.rename_axis("timestamp").reset_index().to_parquet(path)
    handler = isolation.DataHandler("view")
    handler.load_data("X", path)
    np.testing.assert_allclose(handler.get_data("X", "full").to_numpy("close"), bars["close"].to_numpy())


def test_multi_chunk_streams_are_concatenated():
    first = make_bars(10)
    second = make_bars(10, start="2024-02-01")
    table = pa.concat_tables(
        [pa.Table.from_pandas(f.rename_axis("timestamp").reset_index(), preserve_index=False) for f in (first, second)]
    )
    assert table.column("close").num_chunks == 2
    _, view = full_view(table)
    assert view.size == 20
    expected = np.concatenate([first["close"].to_numpy(), second["close"].to_numpy()])
    np.testing.assert_array_equal(view.to_numpy("close"), expected)
