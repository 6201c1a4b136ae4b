"""What a pandas user gets out: a frame that shares memory by default and says so when written to, a
writable one on request, and split warnings they see."""

import warnings

import numpy as np
import pandas as pd
import pytest

import isolation
from conftest import make_bars


def test_to_pandas_copy_is_writable_and_writes_never_reach_the_view():
    bars = make_bars(100)
    handler = isolation.DataHandler("view")
    handler.load_data("S", bars)
    view = handler.get_data("S", "full")
    shared = view.to_pandas()
    with pytest.raises(ValueError, match="read-only"):
        shared.iloc[0, 0] = -1.0
    frame = view.to_pandas(copy=True)
    frame.iloc[0, 0] = -1.0
    frame.loc[frame.index[1], "close"] = -2.0
    frame.loc[frame.index[2], "high"] = np.nan
    frame.fillna(0.0, inplace=True)
    assert (frame.iloc[0, 0], frame["close"].iloc[1], frame["high"].iloc[2]) == (-1.0, -2.0, 0.0)
    # The view, a fresh export and the loaded frame are unchanged.
    np.testing.assert_array_equal(view.to_numpy("close"), bars["close"].to_numpy())
    pd.testing.assert_frame_equal(view.to_pandas(), shared)
    assert view.to_pandas().iloc[0, 0] == bars.iloc[0, 0]


def test_a_symbol_wholly_on_one_side_of_the_cut_is_an_isolation_warning():
    early = make_bars(100, start="2024-01-01")
    late = make_bars(100, start="2024-03-01")
    handler = isolation.DataHandler("view")
    handler.load_data("EARLY", early)
    handler.load_data("LATE", late)
    with pytest.warns(isolation.IsolationWarning) as caught:
        handler.setup_train_test_split(method="ratio", train_ratio=0.7)
    messages = [str(w.message) for w in caught]
    assert messages == handler.split_warnings
    assert any("symbol `EARLY` has no test rows: its data ends before the cut" in m for m in messages), messages
    assert issubclass(isolation.IsolationWarning, UserWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error", isolation.IsolationWarning)
        with pytest.raises(isolation.IsolationWarning):
            handler.setup_train_test_split(method="ratio", train_ratio=0.7)


def test_nan_stays_nan_and_missing_stays_missing():
    bars = make_bars(10)
    bars.iloc[3, bars.columns.get_loc("close")] = np.nan
    bars["flag"] = pd.array([1, None, 3, 4, 5, 6, 7, 8, 9, 10], dtype="Int64")
    handler = isolation.DataHandler("view")
    handler.load_data("S", bars)
    view = handler.get_data("S", "full")
    view.seek(3)
    bar = view.get_current()
    assert isinstance(bar["close"], float) and np.isnan(bar["close"])
    assert np.isnan(view.current("close"))
    assert np.isnan(view.to_numpy("close")[3]) and view.to_pandas()["close"].isna().sum() == 1
    view.seek(1)
    assert view.get_current()["flag"] is None  # pandas' NA is Arrow's null


def test_date_indexes_load_as_midnight_timestamps():
    import datetime

    import polars as pl

    days = [datetime.date(2024, 1, d) for d in (2, 3, 4)]
    expected = np.array(["2024-01-02", "2024-01-03", "2024-01-04"], dtype="datetime64[ns]")
    by_polars = pl.DataFrame({"day": days, "close": [1.0, 2.0, 3.0]})
    by_pandas = pd.DataFrame({"close": [1.0, 2.0, 3.0]}, index=pd.Index(days, name="day"))
    for data in (by_polars, by_pandas):
        handler = isolation.DataHandler("view")
        handler.load_data("S", data)
        view = handler.get_data("S", "full")
        np.testing.assert_array_equal(view.to_numpy("timestamp"), expected)
        np.testing.assert_array_equal(view.to_numpy("close"), [1.0, 2.0, 3.0])


def test_a_duration_spec_on_rows_says_it_needs_timestamps():
    with pytest.raises(isolation.IsolationError, match="needs|DatetimeIndex"):
        list(isolation.WalkForward(train="30d", test="5d").split(np.zeros((100, 1))))
    with pytest.raises(isolation.IsolationError, match="give X a DatetimeIndex, or pass timestamps="):
        list(isolation.PurgedKFold(3, embargo="1d").split(np.zeros((100, 1))))


def test_segment_paths_are_strings_pyarrow_maps(segment_name):
    import pyarrow as pa

    with isolation.shm.publish(segment_name, make_bars(50)) as segment:
        assert isinstance(segment.data_path, str) and isinstance(segment.path, str)
        with pa.memory_map(segment.data_path) as source:
            assert pa.ipc.open_file(source).read_all().num_rows == 50


def test_a_file_and_its_dataframe_load_with_the_same_column_names(tmp_path):
    path = tmp_path / "GOOG.csv"
    path.write_text("Date,Open,Close,Adj Close,Volume\n2024-01-02,1.0,1.5,1.4,100\n2024-01-03,2.0,2.5,2.4,200\n")
    by_path, by_frame = isolation.DataHandler("view"), isolation.DataHandler("view")
    by_path.load_data("GOOG", str(path))
    by_frame.load_data("GOOG", pd.read_csv(path, index_col=0, parse_dates=True))
    names = by_path.get_data("GOOG", "full").columns
    assert names == by_frame.get_data("GOOG", "full").columns == ["Open", "Close", "Adj Close", "Volume"]


def test_copy_on_write_get_value_is_an_int_for_an_int_column():
    bars = make_bars(10)
    frame = isolation.CopyOnWriteFrame(bars)
    value = frame.get_value(3, "volume")
    assert isinstance(value, int) and value == frame.get_row(3)["volume"] == bars["volume"].iloc[3]
    frame.set_value(3, "volume", 2**53 + 1)
    assert frame.get_value(3, "volume") == 2**53 + 1
    assert isinstance(frame.get_value(3, "close"), float)
