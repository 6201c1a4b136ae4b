"""Views that travel: a view over shared memory pickles as the segment's name and rows and a worker
attaches; a view over process memory refuses to pickle rather than copy its rows."""

import multiprocessing as mp
import pickle

import numpy as np
import pandas as pd
import pytest

import isolation
from conftest import make_bars


def test_a_shared_memory_view_pickles_as_a_name_and_rows():
    bars = make_bars(2_000)
    handler = isolation.DataHandler("shm")
    handler.load_data("S", bars)
    handler.setup_train_test_split(method="index", split_index=1_500, warmup=20)
    test = handler.get_data("S", "test")
    test.seek(7)
    data = pickle.dumps(test)
    assert len(data) < 1_000, "names and numbers, no values"
    back = pickle.loads(data)
    assert (back.size, back.current_index, back.warmup_rows, back.split, back.mode) == (500, 7, 20, "test", "shm")
    pd.testing.assert_frame_equal(back.to_pandas(), test.to_pandas())
    np.testing.assert_array_equal(back.window("close", 50), test.window("close", 50))
    # Windows and slices of it travel too, and fold views of a shared-memory handler.
    window = pickle.loads(pickle.dumps(test.get_window(30)))
    np.testing.assert_array_equal(window.to_numpy("close"), test.window("close", 30))
    part = pickle.loads(pickle.dumps(test.slice(100, 200)))
    np.testing.assert_array_equal(part.to_numpy("close"), bars["close"].to_numpy()[1_600:1_700])
    fold = list(handler.folds(kfold="k=4"))[1]
    train = fold.train["S"][0]
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(train)).to_numpy("close"), train.to_numpy("close"))


def test_attached_views_pickle_and_process_memory_views_refuse(segment_name):
    bars = make_bars(300)
    with isolation.shm.publish(segment_name, bars) as segment:
        attached = isolation.shm.attach(segment_name)
        back = pickle.loads(pickle.dumps(attached))
        np.testing.assert_array_equal(back.to_numpy("close"), bars["close"].to_numpy())
        np.testing.assert_array_equal(pickle.loads(pickle.dumps(segment.attach())).to_numpy("open"),
                                      bars["open"].to_numpy())
    handler = isolation.DataHandler("view")
    handler.load_data("S", bars)
    with pytest.raises(isolation.IsolationError, match=r"does not pickle.*mode=\"shm\""):
        pickle.dumps(handler.get_data("S", "full"))


def test_a_spawned_worker_reads_a_40_mb_column_without_copying_it():
    rows = 5_000_000  # 40 MB of close prices
    index = pd.date_range("2020-01-01", periods=rows, freq="s", tz="UTC")
    close = np.linspace(1.0, 2.0, rows)
    handler = isolation.DataHandler("shm")
    handler.load_data("BIG", pd.DataFrame({"close": close}, index=index))
    view = handler.get_data("BIG", "full")
    view.seek(rows - 1)
    with mp.get_context("spawn").Pool(1) as pool:
        total, grown_kib, size, position, mode = pool.apply(
            __import__("_pickle_worker").read_column, (pickle.dumps(view),))
    assert (size, position, mode) == (rows, rows - 1, "shm")
    assert total == pytest.approx(close.sum() + close[-1000:].sum())
    assert grown_kib < 2 * 1024, f"the worker's anonymous memory grew by {grown_kib} KiB"


def test_an_unpickled_view_with_damaged_numbers_is_refused(segment_name):
    """The numbers a pickled view carries are checked: a range past the segment, one that overflows, or a
    warm-up longer than the rows is an error, never a panic or a clamped view."""
    from isolation import _native

    with isolation.shm.publish(segment_name, make_bars(100)):
        args = pickle.loads(pickle.dumps(isolation.shm.attach(segment_name))).__reduce__()[1]
        name, directory = args[0], args[1]
        assert _native._attach_view(*args).size == 100
        for start, n_rows, warmup in [(90, 20, 0), (2**63, 2**63, 0), (0, 10, 11)]:
            with pytest.raises(isolation.IsolationError):
                _native._attach_view(name, directory, start, n_rows, warmup, 0, "full", "shm")
        with pytest.raises(IndexError):
            _native._attach_view(name, directory, 0, 10, 0, 10, "full", "shm")
