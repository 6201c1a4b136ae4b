"""Copy-on-write: a write copies one chunk of one column and never reaches the source."""

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

import isolation
from conftest import make_bars


def test_writes_copy_one_chunk_and_leave_the_source_alone():
    bars = make_bars(10_000)
    original = bars.copy()
    frame = isolation.CopyOnWriteFrame(bars, chunk_rows=1_024)
    assert frame.shape == (10_000, 5)
    before = frame.memory_usage()
    assert before["copied_chunk_bytes"] == 0
    frame.set_value(1_234, "close", -1.0)
    assert frame.get_value(1_234, "close") == -1.0
    assert frame.modified_chunks() == [("close", 1, 1_024, 2_048)]
    usage = frame.memory_usage()
    assert usage["copied_chunk_bytes"] == 1_024 * 8  # one chunk of one column, not the frame
    assert 1_024 * 8 <= usage["owned_bytes"] - before["owned_bytes"] < 2 * 1_024 * 8
    pd.testing.assert_frame_equal(bars, original)
    assert bars.equals(original)


def test_unwritten_columns_stay_shared_and_written_ones_show_the_writes():
    bars = make_bars(5_000)
    frame = isolation.CopyOnWriteFrame(bars, chunk_rows=1_024)
    assert np.shares_memory(frame.get_column("open"), bars["open"].to_numpy())
    frame.set_row(10, {"close": 1.0, "volume": 7})
    close = frame.get_column("close")
    assert close[10] == 1.0 and not close.flags.writeable
    assert not np.shares_memory(close, bars["close"].to_numpy())
    assert np.shares_memory(frame.get_column("open"), bars["open"].to_numpy())
    assert frame.get_row(10)["volume"] == 7
    assert pa.table(frame).column("close")[10].as_py() == 1.0


def test_set_row_from_a_sequence_and_reset():
    bars = make_bars(100)
    frame = isolation.CopyOnWriteFrame(bars)
    frame.set_row(3, [1.0, 2.0, 0.5, 1.5, 9.0])
    assert frame.get_row(3)["high"] == 2.0
    assert frame.is_modified
    frame.reset()
    assert not frame.is_modified
    assert frame.get_value(3, "high") == bars["high"].iloc[3]
    with pytest.raises(ValueError, match="values for 5 columns"):
        frame.set_row(3, [1.0])


def test_bad_writes_are_refused():
    frame = isolation.CopyOnWriteFrame(make_bars(100))
    with pytest.raises(KeyError):
        frame.set_value(0, "nope", 1.0)
    with pytest.raises(IndexError):
        frame.set_value(100, "close", 1.0)
    with pytest.raises(isolation.IsolationError):
        frame.set_value(0, "volume", 1.5)  # an int64 column cannot hold 1.5 exactly


def test_handler_in_cow_mode_hands_out_writable_splits():
    bars = make_bars(1_000)
    original = bars.copy()
    handler = isolation.DataHandler(isolation.IsolationMode.COPY_ON_WRITE, cow_chunk_rows=128)
    handler.load_data("A", bars)
    handler.setup_train_test_split("ratio", 0.7)
    handler.set_active_split("test")
    test = handler.get_data("A")
    assert isinstance(test, isolation.CopyOnWriteFrame)
    assert (len(test), test.split) == (300, "test")
    test.set_value(0, "close", 0.0)
    # Another get_data starts from the handler's rows again; the handler and the source are untouched.
    assert handler.get_data("A").get_value(0, "close") == bars["close"].iloc[700]
    assert bars.equals(original)
    view = test.view()
    assert view.get_current()["close"] == 0.0
