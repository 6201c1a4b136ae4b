"""Worker processes attach to a published dataset by name and read it without copying: with the "spawn"
and "fork" start methods and with concurrent.futures. A worker's private memory (USS, from
/proc/<pid>/smaps_rollup) barely moves while it reads every row of a 48 MB dataset."""

import concurrent.futures
import multiprocessing

import numpy as np
import pytest

from isolation import shm
from conftest import make_bars
from workers import attach_and_sum

ROWS = 1_000_000  # 6 columns x 8 bytes: 48 MB; close alone is 8 MB


@pytest.fixture(scope="module")
def published():
    bars = make_bars(ROWS)
    name = f"pytest-workers-{multiprocessing.current_process().pid}"
    with shm.publish(name, bars) as segment:
        # The parent reads the dataset too (as a driver that checks results would), so its pages are
        # mapped by more than one process: smaps counts a page as private (USS) while one process maps it.
        parent = shm.attach(name)
        for column in ["timestamp", *parent.columns]:
            parent.to_numpy(column).view("uint8").sum()
        yield segment.name, float(bars["close"].sum())
        parent.release()


def check(result, expected_sum):
    assert result["rows"] == ROWS
    assert result["sum"] == pytest.approx(expected_sum, rel=1e-12)
    assert result["read_only"]
    # Reading 8 MB of close through the mapping adds shared pages, not private ones: a copy would add 8 MB.
    assert result["uss_after"] - result["uss_before"] < 2 * 1024 * 1024, result
    assert result["anon_after"] - result["anon_before"] < 2 * 1024 * 1024, result


@pytest.mark.parametrize("method", ["spawn", "fork", "forkserver"])
def test_pool_workers_attach_by_name(published, method):
    name, expected = published
    context = multiprocessing.get_context(method)
    with context.Pool(2) as pool:
        results = pool.map(attach_and_sum, [name] * 4)
    for result in results:
        check(result, expected)


def test_process_pool_executor_workers_attach_by_name(published):
    name, expected = published
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        results = list(pool.map(attach_and_sum, [name] * 2))
    for result in results:
        check(result, expected)


def test_worker_results_equal_the_parents(published):
    name, expected = published
    view = shm.attach(name)
    assert float(np.sum(view.to_numpy("close"))) == pytest.approx(expected, rel=1e-12)
