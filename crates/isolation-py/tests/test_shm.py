"""Shared-memory datasets: publish, attach by name, list, gc, release; foreign segments refused."""

import pathlib

import numpy as np
import pyarrow as pa
import pytest

import isolation
from isolation import shm
from conftest import make_bars


def test_publish_attach_and_read_the_same_pages(segment_name):
    bars = make_bars(5_000)
    with shm.publish(segment_name, bars) as segment:
        assert segment.name == segment_name
        assert segment.size_bytes >= 5_000 * 6 * 8
        view = shm.attach(segment_name)
        assert view.mode == "shm" and view.size == 5_000
        np.testing.assert_array_equal(view.to_numpy("close"), bars["close"].to_numpy())
        assert not view.to_numpy("close").flags.writeable
        other = shm.attach(segment_name)
        # numpy reads the Arrow buffer in the mapping, not a copy of it: the array starts at the buffer's address.
        close = pa.table(view).column("close").chunk(0)
        assert view.to_numpy("close").ctypes.data == close.buffers()[1].address + close.offset * 8
        # Two attachments map the same file: the same bytes, read without a copy into this process's heap.
        assert pa.table(other).equals(pa.table(view))
        names = [s["name"] for s in shm.list()]
        assert segment_name in names
    assert segment_name not in [s["name"] for s in shm.list()]
    # The mapping outlives the unlink: what was attached stays readable.
    assert view.to_numpy("close")[-1] == bars["close"].iloc[-1]


def test_pyarrow_reads_a_published_segment(segment_name):
    bars = make_bars(100)
    with shm.publish(segment_name, bars) as segment:
        with pa.memory_map(segment.data_path) as source:
            table = pa.ipc.open_file(source).read_all()
        np.testing.assert_array_equal(table.column("close").to_numpy(), bars["close"].to_numpy())


def test_attach_unknown_or_foreign_segments_fails_clearly(tmp_path, segment_name):
    with pytest.raises(isolation.IsolationError, match=segment_name):
        shm.attach(segment_name, dir=tmp_path)
    published = shm.publish(segment_name, make_bars(100), dir=tmp_path)
    path = pathlib.Path(published.path)
    data = path.read_bytes()
    published.release()
    path.write_bytes(data[: len(data) // 2])  # truncated, as a crashed writer would leave it
    with pytest.raises(isolation.IsolationError):
        shm.attach(segment_name, dir=tmp_path)
    path.write_bytes(b"not an arrow file at all" * 10)
    with pytest.raises(isolation.IsolationError):
        shm.attach(segment_name, dir=tmp_path)


def test_gc_keeps_live_segments_and_list_reports_owners(tmp_path, segment_name):
    segment = shm.publish(segment_name, make_bars(100), dir=tmp_path)
    assert shm.gc(dir=tmp_path) == []
    (entry,) = shm.list(dir=tmp_path)
    assert entry["owner_alive"] and not entry["stale"]
    segment.release()
    assert shm.list(dir=tmp_path) == []


def test_kept_segments_survive_release_until_removed(tmp_path, segment_name):
    segment = shm.publish(segment_name, make_bars(100), keep=True, dir=tmp_path)
    segment.release()
    assert shm.attach(segment_name, dir=tmp_path).size == 100
    shm.remove(segment_name, dir=tmp_path)
    assert shm.list(dir=tmp_path) == []


def test_handler_in_shm_mode_names_its_segments():
    handler = isolation.DataHandler("shm")
    handler.load_data("A", make_bars(1_000))
    handler.setup_train_test_split("ratio", 0.7)
    names = handler.segment_names()
    assert set(names) == {"A"}
    full = shm.attach(names["A"])
    test = handler.get_data("A", "test")
    # The test view reads the handler's segment at row 700, in place (its own attachment of the same file).
    inner = pa.table(test).column("close").chunk(0)
    assert test.to_numpy("close").ctypes.data == inner.buffers()[1].address + inner.offset * 8
    np.testing.assert_array_equal(full.to_numpy("close")[700:], test.to_numpy("close"))
    assert handler.get_memory_usage()["mapped_bytes"] > 0
    handler.release()


def test_attached_buffers_lie_inside_the_mapping(segment_name):
    bars = make_bars(10_000)
    with shm.publish(segment_name, bars) as segment:
        view = shm.attach(segment_name)
        table = pa.table(view)
        addresses = [table.column(c).chunk(0).buffers()[1].address for c in table.column_names]
        # One mapping of `size_bytes` holds every column: the spread of the buffer addresses fits in it.
        assert max(addresses) + 10_000 * 8 - min(addresses) <= segment.size_bytes
        test = view.slice(7_000)
        inner = pa.table(test).column("close").chunk(0)
        address = inner.buffers()[1].address + inner.offset * 8
        assert min(addresses) <= address < min(addresses) + segment.size_bytes


def test_trusted_attach_reads_the_same_rows(segment_name):
    bars = make_bars(1_000)
    with shm.publish(segment_name, bars):
        trusted = shm.attach(segment_name, trust_published_order=True)
        checked = shm.attach(segment_name)
        assert pa.table(trusted).equals(pa.table(checked))


FORK_SCENARIO = """
import gc, multiprocessing, os, sys
import isolation
from isolation import shm
sys.path.insert(0, {tests!r})
from conftest import make_bars

def drop_all(segment, handler):
    # In a forked child: drop every inherited object that publishes.
    segment.release()
    handler.release()
    del segment, handler
    gc.collect()

def main():
    bars = make_bars(2_000)
    segment = shm.publish({name!r}, bars)
    handler = isolation.DataHandler("shm")
    handler.load_data("A", bars)
    handler_segment = handler.segment_names()["A"]

    def still_there():
        assert shm.attach({name!r}).to_numpy("close")[5] == bars["close"].iloc[5]
        assert shm.attach(handler_segment).to_numpy("close")[7] == bars["close"].iloc[7]

    for exit_how in ("normal", "_exit", "keep objects"):
        pid = os.fork()
        if pid == 0:
            if exit_how != "keep objects":
                drop_all(segment, handler)
            if exit_how == "_exit":
                os._exit(0)
            sys.exit(0)  # interpreter shutdown finalizes whatever the child still holds
        _, status = os.waitpid(pid, 0)
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, (exit_how, status)
        still_there()

    context = multiprocessing.get_context("fork")
    child = context.Process(target=drop_all, args=(segment, handler))
    child.start()
    child.join(60)
    assert child.exitcode == 0, child.exitcode
    still_there()
    with context.Pool(2) as pool:
        assert pool.map(len, [shm.attach({name!r}).to_numpy("close")] * 4) == [2_000] * 4
    still_there()

    segment.release()
    handler.release()
    try:
        shm.attach({name!r})
    except isolation.IsolationError:
        print("ok")

if __name__ == "__main__":
    main()
"""


def test_forked_children_never_unlink_the_parents_segments(segment_name, tmp_path):
    """A child made by os.fork (exiting normally, with os._exit, or holding its copies to the end), by a
    multiprocessing 'fork' Process or by a fork Pool, that drops a Segment or a shared-memory DataHandler,
    leaves the parent's segments attachable: only the publishing process unlinks. In its own process, so
    that the children's normal exits are real interpreter shutdowns."""
    import os
    import subprocess
    import sys

    script = tmp_path / "fork_scenario.py"
    script.write_text(FORK_SCENARIO.format(name=segment_name, tests=os.path.dirname(__file__)))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "ok", result.stdout


def test_truncating_a_kept_segment_under_a_reader_does_not_kill_it(segment_name):
    """A kept segment (keep=True) was a plain file: truncating it killed its readers with SIGBUS. It is now
    a sealed memfd held by a holder process: truncation fails, and the reader reads on. In a child process,
    so a regression shows as a signal, not a crashed test run."""
    import os
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        f"""
        import os, sys
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        import numpy as np
        from isolation import shm
        from conftest import make_bars
        bars = make_bars(200_000)
        seg = shm.publish({segment_name!r}, bars, keep=True)
        path, data_path = str(seg.path), str(seg.data_path)
        assert seg.sealed
        seg.release()  # kept: the data stays
        view = shm.attach({segment_name!r})
        close = view.to_numpy("close")
        with open(path, "r+b") as f:
            f.truncate(0)  # the locator only
        try:
            with open(data_path, "r+b") as f:
                f.truncate(0)
            raise SystemExit("truncating the sealed data succeeded")
        except PermissionError:
            pass
        assert float(close.sum()) == float(bars["close"].sum())
        shm.remove({segment_name!r})
        print("ok")
        """
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.strip() == "ok"
