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


def test_integer_writes_are_exact_or_refused_with_the_exact_value():
    """Python ints never pass through a float: 2**53 + 1 is stored as is, 2**63 - 1 fits int64, and a
    refused value is printed exactly (it was rounded through f64 and printed as 9223372036854776000)."""
    index = pd.date_range("2024-01-01", periods=4, freq="D")
    frame = isolation.CopyOnWriteFrame(pd.DataFrame(
        {"i": np.zeros(4, np.int64), "u": np.zeros(4, np.uint64), "f": np.zeros(4)}, index=index))
    frame.set_value(0, "i", 2**53 + 1)
    frame.set_value(1, "i", 2**63 - 1)
    frame.set_value(0, "u", 2**63 + 1)
    frame.set_value(2, "i", np.int64(-7))
    out = frame.to_arrow().to_pandas()
    assert out["i"].tolist()[:3] == [2**53 + 1, 2**63 - 1, -7]
    assert out["u"].tolist()[0] == 2**63 + 1
    with pytest.raises(isolation.IsolationError, match=r"value 9223372036854775808 cannot be stored exactly"):
        frame.set_value(3, "i", 2**63)
    with pytest.raises(isolation.IsolationError, match=r"value 9007199254740993 cannot be stored exactly"):
        frame.set_value(3, "f", 2**53 + 1)
    with pytest.raises(isolation.IsolationError, match="out of range"):
        frame.set_value(3, "i", 2**200)


def test_set_row_is_all_or_nothing():
    """A row with one bad value writes nothing, in both forms (a dict wrote some columns, then raised)."""
    index = pd.date_range("2024-01-01", periods=3, freq="D")
    frame = isolation.CopyOnWriteFrame(pd.DataFrame({"a": [1.0, 2.0, 3.0], "n": [1, 2, 3]}, index=index))
    with pytest.raises(isolation.IsolationError):
        frame.set_row(0, {"a": 9.0, "n": 0.5})
    with pytest.raises(KeyError):
        frame.set_row(0, {"a": 9.0, "missing": 1})
    with pytest.raises(isolation.IsolationError):
        frame.set_row(0, [9.0, 0.5])
    assert frame.get_row(0)["a"] == 1.0 and frame.get_row(0)["n"] == 1
    assert not frame.is_modified
    frame.set_row(0, {"a": 9.0, "n": 4})
    assert (frame.get_row(0)["a"], frame.get_row(0)["n"]) == (9.0, 4)
