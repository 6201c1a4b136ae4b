"""Views: the seed's DataView API over zero-copy splits; results match pandas iloc; no look-ahead."""

import gc

import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import duckdb
import pytest

import isolation
from conftest import make_bars


@pytest.fixture
def split(bars):
    handler = isolation.DataHandler(isolation.IsolationMode.VIEW_BASED)
    handler.load_data("BTCUSD", bars)
    cut = handler.setup_train_test_split(method="ratio", train_ratio=0.7)
    return handler, cut


def test_ratio_split_matches_iloc(split, bars):
    handler, cut = split
    train, test = handler.get_data("BTCUSD", "train"), handler.get_data("BTCUSD", "test")
    assert (train.size, test.size) == (700, 300)
    assert cut == np.datetime64(bars.index[700].tz_localize(None), "ns")
    # What went in comes out: index name, unit and zone, column names and dtypes.
    pd.testing.assert_frame_equal(train.to_pandas(), bars.iloc[:700], check_freq=False)
    pd.testing.assert_frame_equal(test.to_pandas(), bars.iloc[700:], check_freq=False)


def test_train_and_test_never_overlap(split):
    handler, _ = split
    train = handler.get_data("BTCUSD", "train").to_numpy("timestamp")
    test = handler.get_data("BTCUSD", "test").to_numpy("timestamp")
    assert train.max() < test.min()
    assert len(np.intersect1d(train, test)) == 0


def test_active_split_drives_get_data(split):
    handler, _ = split
    assert handler.active_split == "train"
    assert handler.get_data("BTCUSD").split == "train"
    handler.set_active_split("test")
    assert handler.get_data("BTCUSD").split == "test"
    handler.set_active_split("full")
    assert handler.get_data("BTCUSD").size == 1000
    with pytest.raises(ValueError, match="unknown split"):
        handler.set_active_split("validation")


def test_date_split_needs_no_exact_match(bars):
    handler = isolation.DataHandler("view")
    handler.load_data("A", bars)
    handler.setup_train_test_split(method="date", split_date="2024-01-01 10:00:30")
    assert handler.get_data("A", "train").size == 601
    assert handler.get_data("A", "test").get_current()["timestamp"] == np.datetime64("2024-01-01T10:01", "ns")


def test_a_split_outside_the_data_is_an_error(bars):
    handler = isolation.DataHandler("view")
    handler.load_data("A", bars)
    with pytest.raises(isolation.IsolationError):
        handler.setup_train_test_split(method="date", split_date="2030-01-01")


def test_views_share_the_loaded_memory(split, bars):
    handler, _ = split
    full = handler.get_data("BTCUSD", "full")
    test = handler.get_data("BTCUSD", "test")
    assert np.shares_memory(test.to_numpy("close"), full.to_numpy("close"))
    assert np.shares_memory(test.to_numpy("close"), bars["close"].to_numpy())
    base = pa.table(full).column("close").chunk(0).buffers()[1]
    ours = pa.table(test).column("close").chunk(0)
    address = ours.buffers()[1].address + ours.offset * 8
    assert base.address <= address and address + test.size * 8 <= base.address + base.size


def test_numpy_arrays_are_read_only(split):
    handler, _ = split
    close = handler.get_data("BTCUSD", "test").to_numpy("close")
    assert not close.flags.writeable
    with pytest.raises(ValueError):
        close[0] = 0.0


def test_cursor_semantics_follow_the_seed(split, bars):
    handler, _ = split
    test = handler.get_data("BTCUSD", "test")
    assert test.current_index == 0
    assert test.get_current()["close"] == bars["close"].iloc[700]
    assert test.get_current()["volume"] == bars["volume"].iloc[700]
    steps = 0
    while test.advance():
        steps += 1
    assert steps == 299 and test.current_index == 299
    assert not test.advance() and test.current_index == 299
    test.reset()
    assert test.current_index == 0


def test_a_window_never_holds_a_later_row(split, bars):
    handler, _ = split
    test = handler.get_data("BTCUSD", "test")
    for _ in range(40):
        test.advance()
    window = test.get_window(10)
    stamps = window.to_numpy("timestamp")
    assert len(stamps) == 10
    assert stamps.max() == test.get_current()["timestamp"]
    np.testing.assert_array_equal(window.to_numpy("close"), bars["close"].iloc[731:741].to_numpy())
    # At the first test bar a window of the test split alone holds only that bar, never a train row.
    test.reset()
    assert test.get_window(50).size == 1


def test_warmup_reaches_history_only_through_windows(bars):
    handler = isolation.DataHandler("view")
    handler.load_data("A", bars)
    handler.setup_train_test_split("ratio", 0.7, warmup=20)
    test = handler.get_data("A", "test")
    assert (test.size, test.warmup_rows) == (300, 20)
    assert test.get_current()["close"] == bars["close"].iloc[700]
    assert test.get_window(50).size == 21
    assert len(pa.table(test)) == 300  # exports are the split's own rows


def test_data_info(split, bars):
    handler, _ = split
    info = handler.get_data("BTCUSD", "test").data_info
    assert info["shape"] == (300, 5)
    assert info["columns"] == list(bars.columns)
    assert info["start_date"] == np.datetime64(bars.index[700].tz_localize(None), "ns")
    assert info["end_date"] == np.datetime64(bars.index[-1].tz_localize(None), "ns")


def test_arrow_consumers_read_views(split, bars):
    handler, _ = split
    test = handler.get_data("BTCUSD", "test")
    assert pa.table(test).num_rows == 300
    frame = pl.DataFrame(test)
    assert frame["close"].sum() == pytest.approx(bars["close"].iloc[700:].sum())
    total = duckdb.sql("select sum(close) from test").fetchall()[0][0]
    assert total == pytest.approx(bars["close"].iloc[700:].sum())


def test_exports_outlive_the_view_and_the_handler(bars):
    handler = isolation.DataHandler("view")
    handler.load_data("A", make_bars(10_000))
    handler.setup_train_test_split("ratio", 0.5)
    test = handler.get_data("A", "test")
    close = test.to_numpy("close")
    table = pa.table(test)
    expected = make_bars(10_000)["close"].iloc[5_000:].to_numpy()
    del test
    handler.release()
    del handler
    gc.collect()
    np.testing.assert_array_equal(close, expected)
    np.testing.assert_array_equal(table.column("close").to_numpy(), expected)


def test_released_views_refuse_reads(split):
    handler, _ = split
    with handler.get_data("BTCUSD", "test") as test:
        assert test.size == 300
    with pytest.raises(ValueError, match="released"):
        test.to_numpy("close")


def test_memory_usage_counts_shared_buffers_once(split, bars):
    handler, _ = split
    usage = handler.get_memory_usage()
    assert usage["isolation_mode"] == "view"
    assert usage["raw_data_bytes"] == 1000 * 8 * 6
    # Views add no data: the total is the loaded bytes (plus small bookkeeping), not base + train + test.
    assert usage["total_bytes"] < usage["raw_data_bytes"] * 1.05
    assert usage["naive_sum_bytes"] > 1.9 * usage["raw_data_bytes"]
    assert usage["process"]["rss_bytes"] > 0


def test_deep_copy_mode_copies(bars):
    handler = isolation.DataHandler("deep-copy")
    handler.load_data("A", bars)
    handler.setup_train_test_split("ratio", 0.7)
    test = handler.get_data("A", "test")
    assert not np.shares_memory(test.to_numpy("close"), bars["close"].to_numpy())
    np.testing.assert_array_equal(test.to_numpy("close"), bars["close"].iloc[700:].to_numpy())
    # The loaded frame plus a copy of every row: the split doubled the memory.
    assert handler.get_memory_usage()["total_bytes"] >= 2 * 1000 * 8 * 6


def test_seed_mode_names_are_accepted(bars):
    for mode in ["VIEW_BASED", "DEEP_COPY", "COPY_ON_WRITE", "SHARED_MEMORY", "view", isolation.IsolationMode.COW]:
        handler = isolation.DataHandler(mode)
        handler.load_data("A", bars)
        handler.setup_train_test_split()
        assert len(handler.get_data("A", "test")) == 300
        handler.release()


def test_folds_iterate_views_for_the_backtest_loop():
    handler = isolation.DataHandler("view")
    handler.load_data("A", make_bars(1_000))
    handler.load_data("B", make_bars(1_000, seed=3))
    folds = list(handler.folds(walk_forward="train=500m,test=100m,step=100m"))
    assert [f.index for f in folds] == [0, 1, 2, 3, 4]
    for fold in folds:
        assert set(fold.symbols) == {"A", "B"}
        for symbol, (train, test) in fold:
            assert train.to_numpy("timestamp").max() < test.to_numpy("timestamp").min()
            assert (train.size, test.size) == (500, 100)
    kfold = list(handler.folds(kfold="k=5,purge=10m,embargo=5m"))
    assert len(kfold) == 5
    train, test = kfold[2].symbols["A"]
    assert len(train) == 2 and len(test) == 1


def test_slice_narrows_without_copying(split, bars):
    handler, _ = split
    test = handler.get_data("BTCUSD", "test")
    part = test.slice(10, 20)
    assert part.size == 10 and part.split == "test"
    np.testing.assert_array_equal(part.to_numpy("close"), bars["close"].iloc[710:720].to_numpy())
    assert np.shares_memory(part.to_numpy("close"), test.to_numpy("close"))
    assert test.slice(290, 10_000).size == 10  # clamped to the view: never past its last row
    with pytest.raises(IndexError):
        test.slice(20, 10)


def test_last_n_split(bars):
    handler = isolation.DataHandler("view")
    handler.load_data("A", bars)
    handler.setup_train_test_split(method="last", last=100)
    assert (handler.get_data("A", "train").size, handler.get_data("A", "test").size) == (900, 100)
    handler.setup_train_test_split(method="last", last="1h")  # the bars within an hour of the last one
    assert handler.get_data("A", "test").size == 60
    with pytest.raises(isolation.IsolationError, match="leaves the train split empty"):
        handler.setup_train_test_split(method="last", last=5_000)
