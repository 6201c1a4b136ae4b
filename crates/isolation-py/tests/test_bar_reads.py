"""Per-bar reads (`get_current`, `current`, `iter`, `window`, `windows`, `history`) walk with core's cursor:
by property, every value a view hands out is pandas `iloc` of the same rows, and none is of a later bar."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import isolation
from conftest import make_bars

BARS = make_bars(400)
CUT = 300  # train 0..300, test 300..400


def split_view(warmup: int) -> isolation.View:
    handler = isolation.DataHandler("view")
    handler.load_data("S", BARS)
    handler.setup_train_test_split(method="index", split_index=CUT, warmup=warmup or None)
    view = handler.get_data("S", "test")
    return view


# An operation on a view: ("seek", bar), ("advance",), ("window", n), ("iter", steps), ("windows", n, steps).
OPERATIONS = st.one_of(
    st.tuples(st.just("seek"), st.integers(0, 99)),
    st.tuples(st.just("advance")),
    st.tuples(st.just("window"), st.integers(1, 40)),
    st.tuples(st.just("iter"), st.integers(1, 30)),
    st.tuples(st.just("windows"), st.integers(1, 40), st.integers(1, 30)),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(warmup=st.sampled_from([0, 5, 30]), operations=st.lists(OPERATIONS, max_size=25))
def test_every_read_is_iloc_of_the_rows_up_to_the_current_bar(warmup, operations):
    view = split_view(warmup)
    close = BARS["close"].to_numpy()
    position = 0  # the model: the bar the view is at, among the test rows

    def check_current():
        row = CUT + position
        assert view.current_index == position
        bar = view.get_current()
        assert bar["close"] == close[row] and bar["timestamp"] == np.datetime64(BARS.index[row].tz_localize(None))
        assert view.current("close") == close[row]
        assert view.current("timestamp") == bar["timestamp"]
        assert set(bar) == {"timestamp", *BARS.columns}

    def expected_window(n):
        end = CUT + position + 1  # one past the current bar: never a later one
        return close[max(CUT - warmup, end - n):end]

    for op in operations:
        if op[0] == "seek":
            view.seek(op[1])
            position = op[1]
        elif op[0] == "advance":
            moved = view.advance()
            assert moved == (position < 99)
            position = min(position + 1, 99)
        elif op[0] == "window":
            np.testing.assert_array_equal(view.window("close", op[1]), expected_window(op[1]))
            np.testing.assert_array_equal(view.get_window(op[1]).to_numpy("close"), expected_window(op[1]))
        elif op[0] == "iter":
            for _, value in zip(range(op[1]), view.iter("close")):
                assert value == close[CUT + position]
                position = min(position + 1, 99)
        else:
            _, n, steps = op
            for _, window in zip(range(steps), view.windows("close", n)):
                np.testing.assert_array_equal(window, expected_window(n))
                assert not window.flags.writeable
                position = min(position + 1, 99)
        check_current()
        history = view.history("close")
        np.testing.assert_array_equal(history, close[CUT - warmup:CUT + position + 1])
        assert len(history) == view.current_index + view.warmup_rows + 1


def test_iter_yields_every_remaining_bar_once_and_leaves_the_view_at_the_last():
    view = split_view(0)
    view.seek(90)
    rows = list(view.iter("timestamp", "close", "volume"))
    expected = BARS.iloc[CUT + 90:]
    assert [r[1] for r in rows] == expected["close"].tolist()
    assert [r[2] for r in rows] == expected["volume"].tolist()
    assert all(isinstance(r[2], int) for r in rows)
    assert [r[0] for r in rows] == [np.datetime64(t.tz_localize(None)) for t in expected.index]
    assert view.current_index == 99 and not view.advance()
    assert list(view.iter("close")) == [BARS["close"].iloc[-1]]
    with pytest.raises(isolation.IsolationError, match="no column `nope`"):
        view.iter("close", "nope")


def test_windows_are_numpy_over_the_same_memory():
    view = split_view(10)
    first = view.window("close", 5)
    assert len(first) == 5 and first.base is not None and not first.flags.writeable
    with pytest.raises(ValueError):
        first[0] = 1.0
    assert len(view.window("close", 1000)) == 11  # the warm-up and the current bar, no more


def expected_bar(row: int) -> dict:
    values = BARS.iloc[row]
    bar = {"timestamp": np.datetime64(BARS.index[row].tz_localize(None))}
    bar.update({column: values[column] for column in BARS.columns})
    return bar


def test_get_current_dicts_kept_are_never_changed_by_later_bars():
    # get_current refills the dict it last returned when nothing else refers to it (as zip reuses its
    # tuples); a dict the caller keeps must stay the bar it was, whatever the view does after.
    view = split_view(0)
    kept = []
    for bar_index in range(100):
        kept.append(view.get_current())
        view.get_current()  # dropped at once: may be refilled next time, never one of the kept
        view.advance()
    assert len({id(bar) for bar in kept}) == 100
    for bar_index, bar in enumerate(kept):
        assert bar == expected_bar(CUT + bar_index)
        assert list(bar) == ["timestamp", *BARS.columns]


def test_a_dropped_dict_the_caller_changed_comes_back_as_a_whole_bar():
    view = split_view(0)
    keys = ["timestamp", *BARS.columns]
    changes = [
        lambda bar: bar.update(signal=1.0),  # a key added
        lambda bar: bar.pop("close"),  # a key removed
        lambda bar: bar.clear(),
        lambda bar: (bar.pop("close"), bar.update(other=0.0)),  # a key replaced by another
        lambda bar: bar.update(close="text"),  # a value replaced
    ]
    for step, change in enumerate(changes * 3):
        change(view.get_current())  # the dict is dropped changed
        bar = view.get_current()
        assert bar == expected_bar(CUT + step), step
        assert list(bar) == keys, step
        view.advance()


def test_a_key_removed_and_put_back_keeps_the_order_it_was_put_back_in():
    # The one change a refilled dict shows: checking the order per bar would cost what the reuse saves.
    view = split_view(0)
    bar = view.get_current()
    bar["open"] = bar.pop("open")
    del bar
    bar = view.get_current()
    assert bar == expected_bar(CUT)
    assert list(bar) == ["timestamp", "high", "low", "close", "volume", "open"]
    kept = view.get_current()  # the dict is held: the next bar is a new dict in the seed's order
    view.advance()
    assert list(view.get_current()) == ["timestamp", *BARS.columns] and kept == expected_bar(CUT)
