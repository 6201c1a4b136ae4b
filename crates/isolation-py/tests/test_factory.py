"""The factory chooses a mode for the workload and says why."""

import os

import isolation
from conftest import make_bars


def test_decisions_follow_the_workload():
    factory = isolation.IsolationFactory()
    assert factory.decide(1_000).mode is isolation.IsolationMode.DEEP_COPY
    assert factory.decide(512 << 20).mode is isolation.IsolationMode.VIEW_BASED
    writer = factory.decide(512 << 20, will_write=True)
    assert writer.mode is isolation.IsolationMode.COPY_ON_WRITE
    assert len(writer.reasons) == 1, writer.reasons
    assert writer.reasons[0].startswith("512.0 MiB dataset, one process, ")
    assert writer.reasons[0].endswith(
        "available, written to: copy-on-write shares the base for reading and copies only the chunks written")
    # Four readers share one copy when /dev/shm has room for it (75% of its free space is usable), else views.
    shm = os.statvfs("/dev/shm") if os.path.isdir("/dev/shm") else None
    shm_free = shm.f_bavail * shm.f_frsize if shm else 0
    readers = factory.decide(64 << 20, readers=4)
    if 64 << 20 <= shm_free * 0.75:
        assert readers.mode is isolation.IsolationMode.SHARED_MEMORY, readers.reasons
        assert "shared memory keeps one copy for all of them" in readers.reasons[0]
    else:
        assert readers.mode is isolation.IsolationMode.VIEW_BASED, readers.reasons
        assert "falling back to views" in readers.reasons[-1]


def test_a_deep_copy_larger_than_memory_is_refused():
    import pytest

    with pytest.raises(isolation.IsolationError):
        isolation.IsolationFactory().decide(1 << 60, mode="deep-copy")


def test_create_isolation_returns_the_seed_shape():
    bars = make_bars(1_000)
    made = isolation.IsolationFactory().create_isolation(bars, will_write=True)
    assert made["mode"] is isolation.IsolationMode.COPY_ON_WRITE
    assert isinstance(made["data"], isolation.CopyOnWriteFrame)
    assert made["original_data_info"]["shape"] == (1_000, 5)
    ours = lambda: {s["name"] for s in isolation.shm.list() if s["owner_pid"] == os.getpid()}  # noqa: E731
    before = ours()
    shared = isolation.IsolationFactory().create_isolation(bars, mode="shm")
    assert shared["data"].size == 1_000
    assert shared["shared_memory_name"] == shared["segment"].name
    # Published once: one new segment of this process, the one workers are told to attach.
    assert ours() - before == {shared["shared_memory_name"]}
    worker_view = isolation.shm.attach(shared["shared_memory_name"])
    assert worker_view.to_pandas().equals(shared["data"].to_pandas())
    shared["segment"].release()
    assert ours() == before
    assert set(isolation.available_modes()) == set(isolation.IsolationMode) - set()
