"""Three vendor calendars that do not overlap (the issue's daily, hourly and monthly CSVs): the shared cut
warns loudly, naming symbol and side; the per-symbol cut is an explicit option."""

import warnings

import numpy as np
import pandas as pd
import pytest

import isolation


def vendor_frame(index: pd.DatetimeIndex) -> pd.DataFrame:
    """What ``pd.read_csv(index_col=0, parse_dates=True)`` gives for a vendor file: naive, OHLCV."""
    close = 100.0 + np.arange(len(index), dtype=np.float64)
    frame = pd.DataFrame(
        {"Open": close, "High": close + 1, "Low": close - 1, "Close": close, "Volume": np.arange(len(index))},
        index=index,
    )
    frame.index.name = "Date"
    return frame


@pytest.fixture
def three_calendars():
    return {
        "MONTHLY": vendor_frame(pd.date_range("1995-01-31", "2003-12-31", freq="ME")),
        "DAILY": vendor_frame(pd.bdate_range("2004-01-02", "2013-12-31")),
        "HOURLY": vendor_frame(pd.date_range("2016-01-04", "2018-12-31", freq="h")),
    }


def load(frames):
    handler = isolation.DataHandler("view")
    for symbol, frame in frames.items():
        handler.load_data(symbol, frame)
    return handler


def test_the_shared_cut_warns_for_each_symbol_wholly_on_one_side(three_calendars):
    handler = load(three_calendars)
    with pytest.warns(isolation.IsolationWarning) as caught:
        cut = handler.setup_train_test_split(method="ratio", train_ratio=0.7)
    assert cut > np.datetime64("2016-01-04")  # the hourly symbol has most of the distinct instants
    messages = sorted(str(w.message) for w in caught)
    assert messages == sorted(handler.split_warnings)
    assert len(messages) == 2, messages
    assert "symbol `DAILY` has no test rows: its data ends before the cut" in messages[0]
    assert "symbol `MONTHLY` has no test rows: its data ends before the cut" in messages[1]
    assert handler.get_data("DAILY", "test").size == 0
    assert handler.get_data("DAILY", "train").size == len(three_calendars["DAILY"])


def test_warnings_as_errors_make_the_split_raise(three_calendars):
    handler = load(three_calendars)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(isolation.IsolationWarning, match="symbol `DAILY` has no test rows"):
            handler.setup_train_test_split(method="ratio", train_ratio=0.7)


def test_a_per_symbol_cut_gives_every_symbol_both_sides_without_warning(three_calendars):
    handler = load(three_calendars)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cuts = handler.setup_train_test_split(method="ratio", train_ratio=0.7, per_symbol=True)
    assert sorted(cuts) == ["DAILY", "HOURLY", "MONTHLY"]
    assert handler.split_warnings == []
    for symbol, frame in three_calendars.items():
        n_train = int(0.7 * len(frame))
        train = handler.get_data(symbol, "train").to_pandas()
        test = handler.get_data(symbol, "test").to_pandas()
        pd.testing.assert_frame_equal(train, frame.iloc[:n_train])
        pd.testing.assert_frame_equal(test, frame.iloc[n_train:])
        assert cuts[symbol] == np.datetime64(frame.index[n_train], "ns")
    # The point of the docstring's warning: the cuts differ, so one symbol's test precedes another's train.
    assert cuts["DAILY"] < cuts["HOURLY"]
