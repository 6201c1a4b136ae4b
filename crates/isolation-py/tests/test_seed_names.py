"""The seed design's whole surface: every name in docs/python.md's table resolves, and the pieces the
seed named work as it described (TimeSeriesArray, MemoryTracker, SharedMemoryDataFrame, the copy-on-write
frame's data/index/set_column)."""

import pathlib
import re

import numpy as np
import pandas as pd
import pytest

import isolation
from conftest import make_bars

DOCS = pathlib.Path(__file__).resolve().parents[3] / "docs" / "python.md"


def table_names():
    text = DOCS.read_text()
    section = text.split("## The seed design, name by name", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    names = []
    for row in rows:
        seed, ours = row.split("|")[1:3]
        names += [(seed.strip(" `"), name) for name in re.findall(r"`(isolation\.[A-Za-z_.]+)`", ours)]
    return names


def resolve(dotted):
    obj = isolation
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def test_the_table_covers_every_seed_class_and_method():
    seed = pathlib.Path(__file__).resolve().parents[4] / "shared" / "seed" / "data-isolation-design.md"
    assert seed.exists(), f"the seed design is read from {seed} (CI has ../shared beside the clone)"
    seen = {s for s, _ in table_names()}
    names, cls = [], None
    for line in seed.read_text().splitlines():
        if match := re.match(r"class (\w+)", line):
            cls = match.group(1)
            names.append(cls)
        elif (match := re.match(r"    def ([a-z]\w*)\(", line)) and cls:
            names.append(f"{cls}.{match.group(1)}")
    missing = [n for n in names if n not in seen and n.split(".")[-1] not in ("__init__",)]
    assert not missing, missing


@pytest.mark.parametrize("seed,name", table_names())
def test_every_name_in_the_table_resolves(seed, name):
    assert resolve(name) is not None, f"{seed} -> {name}"


def test_seed_class_names_are_aliases():
    assert isolation.EnhancedDataHandler is isolation.DataHandler
    assert isolation.DataView is isolation.View
    assert isolation.CopyOnWriteDataFrame is isolation.CopyOnWriteFrame
    assert isolation.DataIsolationFactory is isolation.IsolationFactory


def test_time_series_array_views_without_copying():
    bars = make_bars(1_000)
    series = isolation.TimeSeriesArray.from_dataframe(bars, "close")
    assert len(series) == 1_000 and series.name == "close"
    view = series.get_view(100, 200)
    assert len(view) == 100
    np.testing.assert_array_equal(view.values, bars["close"].to_numpy()[100:200])
    assert np.shares_memory(view.values, series.values), "a view is an offset and a length"
    assert not view.values.flags.writeable
    np.testing.assert_array_equal(view.timestamps.view("int64"), bars.index.as_unit("ns").asi8[100:200])
    frame = view.to_dataframe()
    pd.testing.assert_frame_equal(frame, bars[["close"]].iloc[100:200])
    usage = view.memory_usage()
    assert usage["timestamps_bytes"] == 800 and usage["values_bytes"] == 800 and usage["total_bytes"] == 1600
    assert len(series.get_view(990, 5_000)) == 10  # clamped like a slice
    made = isolation.TimeSeriesArray(bars.index.to_numpy(), bars["close"].to_numpy())
    assert made.name == "value" and len(made) == 1_000


def test_memory_tracker_reports_the_os_figures():
    process = isolation.MemoryTracker.get_process_memory()
    assert process["rss_bytes"] > 0 and process["rss_mb"] == process["rss_bytes"] / 2**20
    system = isolation.MemoryTracker.get_system_memory()
    assert 0 < system["available_bytes"] <= system["total_bytes"]
    assert 0.0 <= system["percent_used"] <= 100.0
    assert isinstance(isolation.MemoryTracker.collect_garbage()["collected"], int)
    assert isolation.MemoryTracker.get_object_counts()["dict"] > 0


def test_estimate_counts_a_shared_block_once():
    block = np.arange(4_000.0).reshape(1_000, 4)
    frame = pd.DataFrame(block, columns=list("abcd"), index=pd.RangeIndex(1_000))
    estimate = isolation.MemoryTracker.estimate_dataframe_memory(frame)
    assert estimate["columns"] == {c: 8_000 for c in "abcd"}
    # One 32 kB block read by four columns, plus the index: not four blocks.
    assert estimate["total_bytes"] == 32_000 + frame.index.memory_usage(deep=True)
    separate = pd.DataFrame({c: np.arange(1_000.0) for c in "abcd"})
    assert isolation.MemoryTracker.estimate_dataframe_memory(separate)["total_bytes"] >= 32_000


def test_optimize_is_lossless_and_leaves_its_input_alone():
    frame = pd.DataFrame(
        {
            "small": np.arange(100, dtype=np.int64),
            "price": np.linspace(100.0, 101.0, 100),  # not exact in float32: kept float64
            "half": np.arange(100) / 2.0,  # exact in float32
            "side": ["buy", "sell"] * 50,
            "signed": -np.arange(100, dtype=np.int64),
        },
        index=pd.date_range("2024-01-01", periods=100, freq="min"),
    )
    before = frame.copy(deep=True)
    optimized, report = isolation.MemoryTracker.optimize_dataframe_memory(frame)
    pd.testing.assert_frame_equal(frame, before)  # the input is untouched
    assert optimized is not frame
    assert optimized["small"].dtype == np.uint8 and optimized["signed"].dtype == np.int8
    assert optimized["price"].dtype == np.float64 and optimized["half"].dtype == np.float32
    assert isinstance(optimized["side"].dtype, pd.CategoricalDtype)
    pd.testing.assert_frame_equal(optimized, before, check_dtype=False, check_categorical=False)
    assert report["after_bytes"] < report["before_bytes"] and report["lossless"]


def test_shared_memory_dataframe_publishes_attaches_and_views(segment_name, bars):
    with isolation.SharedMemoryDataFrame(bars, segment_name) as published:
        pd.testing.assert_frame_equal(published.get_view(10, 20), bars.iloc[10:20])
        other = isolation.SharedMemoryDataFrame(shared_memory_name=published.name)
        pd.testing.assert_frame_equal(other.get_view(990), bars.iloc[990:])
        assert other.shape == (1_000, 5)
        other.release()
    with pytest.raises(ValueError):
        isolation.SharedMemoryDataFrame()


def test_copy_on_write_frame_has_the_seeds_data_index_and_set_column(bars):
    before = bars.copy(deep=True)
    cow = isolation.CopyOnWriteFrame(bars)
    assert cow.memory_usage()["owned_bytes"] < 4_096, "nothing is copied before a write"
    pd.testing.assert_frame_equal(cow.data, bars)
    pd.testing.assert_index_equal(cow.index, bars.index)
    cow.set_column("close", np.zeros(1_000))
    cow.set_column("signal", pd.Series(np.ones(1_000), index=bars.index))
    assert cow.columns == ["open", "high", "low", "close", "volume", "signal"]
    assert cow.data["close"].sum() == 0.0 and cow.data["signal"].sum() == 1_000.0
    assert cow.memory_usage()["owned_bytes"] >= 16_000
    pd.testing.assert_frame_equal(bars, before)  # the caller's frame is never written
    with pytest.raises(isolation.IsolationError):
        cow.set_column("short", np.zeros(3))
