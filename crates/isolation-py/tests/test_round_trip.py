"""What goes in comes out the same: random pandas frames through load -> split -> to_pandas in every mode
equal the matching ``iloc`` slice of the input (index dtype, unit, zone, name and frequency; column names
and dtypes; NaN as NaN)."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import isolation

MODES = ["deep-copy", "view", "cow", "shm"]
DTYPES = ["float64", "float32", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16", "uint8"]
ZONES = [None, "UTC", "America/New_York", "Asia/Kolkata"]
# Names a vendor file or a notebook may have: case, spaces, punctuation, non-ASCII, empty. A NUL is refused
# (Arrow's C interface cannot carry it) and `timestamp` is the index column's name in Arrow: both have
# their own tests.
NAMES = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00", exclude_categories=("Cs",)), max_size=8
).filter(lambda name: name != "timestamp")


@st.composite
def frames(draw):
    unit = draw(st.sampled_from(["ns", "us", "ms"]))
    zone = draw(st.sampled_from(ZONES))
    ticks = draw(st.lists(st.integers(0, 2 * 10**9), min_size=2, max_size=40, unique=True))
    scale = {"ns": 1, "us": 1_000, "ms": 1_000_000}[unit]
    # Instants over six years from 1970, whole in the index's own unit.
    stamps = np.array(sorted(ticks), dtype=np.int64) * (10**9 // scale) // 10
    name = draw(st.none() | NAMES)
    if draw(st.booleans()):  # a regular calendar: pandas keeps its frequency, and so must we
        freq = draw(st.sampled_from(["s", "min", "h", "D", "B", "ME"]))
        index = pd.date_range("2024-01-01", periods=len(stamps), freq=freq, unit=unit, tz=zone, name=name)
    else:
        index = pd.DatetimeIndex(stamps.astype(f"datetime64[{unit}]"), name=name)
        if zone is not None:
            index = index.tz_localize("UTC").tz_convert(zone)
    names = draw(st.lists(NAMES, min_size=1, max_size=4, unique=True))
    columns = {}
    for name in names:
        dtype = np.dtype(draw(st.sampled_from(DTYPES)))
        columns[name] = draw(hnp.arrays(dtype, len(index)))  # floats include NaN and infinities
    return pd.DataFrame(columns, index=index)


def split_frames(frame, mode):
    with isolation.DataHandler(mode) as handler:
        handler.load_data("S", frame)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", isolation.IsolationWarning)  # tiny frames may put all on one side
            handler.setup_train_test_split(method="ratio", train_ratio=0.5)
        return [handler.get_data("S", split).to_pandas(copy=True) for split in ("train", "test")]


@pytest.mark.parametrize("mode", MODES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frame=frames())
def test_load_split_to_pandas_gives_back_the_input(mode, frame):
    before = frame.copy(deep=True)
    train, test = split_frames(frame, mode)
    n_train = len(train)
    pd.testing.assert_frame_equal(train, frame.iloc[:n_train])
    pd.testing.assert_frame_equal(test, frame.iloc[n_train:])
    pd.testing.assert_frame_equal(frame, before)  # the caller's frame is untouched


def test_a_naive_index_joins_the_callers_frame():
    index = pd.date_range("2024-01-01", periods=10, freq="D", name="Date")
    frame = pd.DataFrame({"Close": np.arange(10.0)}, index=index)
    handler = isolation.DataHandler("view")
    handler.load_data("S", frame)
    handler.setup_train_test_split(method="ratio", train_ratio=0.6)
    test = handler.get_data("S", "test").to_pandas()
    assert test.index.tz is None and test.index.name == "Date"
    assert test.index[0] == frame.index[6]
    joined = test.join(frame, suffixes=("", "_in"))  # raised "Cannot join tz-naive with tz-aware" before
    assert (joined["Close"] == joined["Close_in"]).all()
