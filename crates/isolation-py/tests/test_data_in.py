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


@pytest.mark.parametrize("far", [
    pd.Series([pd.Timestamp("2024-01-05"), pd.Timestamp("2262-04-12")], dtype="datetime64[us]"),
    pd.Series([pd.Timestamp("2024-01-05"), pd.Timestamp("9999-12-31")], dtype="datetime64[s]"),
    pa.array([19_727, 2_932_896], pa.date32()),
    pa.array([1_704_412_800_000, 253_402_214_400_000], pa.date64()),
])
def test_a_date_time_value_outside_the_nanosecond_range_is_an_error_naming_column_and_row(far):
    """A t1 of 2262-04-12 or 9999-12-31 became null silently; the purge then said 'no label end at row 0'."""
    index = pa.array([1_704_067_200_000_000_000, 1_704_153_600_000_000_000], pa.timestamp("ns", "UTC"))
    t1 = far if isinstance(far, pa.Array) else pa.Array.from_pandas(far)
    table = pa.table({"timestamp": index, "close": [1.0, 2.0], "t1": t1})
    with pytest.raises(isolation.IsolationError, match=r"column `t1` row 1: .* is outside the nanosecond range"):
        isolation.DataHandler("view").load_data("A", table)


def test_pandas_frames_take_the_pandas_path_not_their_arrow_stream():
    """pandas >= 2.2 frames have __arrow_c_stream__; through it a `timestamp` column silently became the
    index and the real index a column `__index_level_0__`. The pandas path refuses the ambiguity."""
    index = pd.date_range("2024-01-01", periods=5, freq="D", tz="UTC")
    df = pd.DataFrame({"timestamp": pd.date_range("2030-01-01", periods=5, freq="D", tz="UTC"),
                       "close": np.arange(5.0)}, index=index)
    assert hasattr(df, "__arrow_c_stream__")
    handler = isolation.DataHandler("view")
    with pytest.raises(ValueError, match="a DatetimeIndex and a column named `timestamp`"):
        handler.load_data("A", df)
    handler.load_data("A", df, time_column="timestamp")  # said explicitly: that column is the index
    view = handler.get_data("A")
    assert view.columns == ["close"]
    assert view.to_numpy("timestamp")[0] == np.datetime64("2030-01-01", "ns")
    plain = pd.DataFrame({"close": np.arange(5.0)}, index=index)
    handler.load_data("B", plain)
    assert handler.get_data("B").columns == ["close"]  # no `__index_level_0__`
    assert handler.get_data("B").to_numpy("timestamp")[0] == np.datetime64("2024-01-01", "ns")


def test_period_columns_load_as_the_timestamps_they_start_at():
    index = pd.date_range("2024-01-31", periods=3, freq="D")
    df = pd.DataFrame({"close": [1.0, 2.0, 3.0],
                       "month": pd.period_range("2024-01", periods=3, freq="M")}, index=index)
    before = df.copy()
    handler = isolation.DataHandler("view")
    handler.load_data("A", df)
    month = handler.get_data("A").to_numpy("month")
    assert month.tolist() == [int(pd.Timestamp(f"2024-0{m}-01").value) for m in (1, 2, 3)]  # not ordinals 648..
    pd.testing.assert_frame_equal(df, before)
    by_month = pd.DataFrame({"close": [1.0, 2.0]}, index=pd.period_range("2024-01", periods=2, freq="M"))
    handler.load_data("M", by_month)
    assert handler.get_data("M").to_numpy("timestamp")[1] == np.datetime64("2024-02-01", "ns")


@pytest.mark.parametrize("make", [
    lambda: pd.DataFrame({"cl\x00ose": [1.0]}, index=pd.date_range("2024-01-01", periods=1)),
    lambda: pa.table({"timestamp": pa.array([0], pa.timestamp("ns")), "cl\x00ose": [1.0]}),
    lambda: pl.DataFrame({"timestamp": [0], "cl\x00ose": [1.0]}).with_columns(pl.col("timestamp").cast(pl.Datetime("ns"))),
])
def test_a_nul_in_a_column_name_is_refused_not_cut(make):
    with pytest.raises(isolation.IsolationError, match="contains a NUL character"):
        isolation.DataHandler("view").load_data("A", make())
