"""Threads calling every handler, view, copy-on-write and segment method at once never deadlock.

Each scenario runs in a child process with a hard timeout: a deadlock holds the GIL, so only another
process can notice it and kill it.
"""

import subprocess
import sys
import textwrap

import pytest

TIMEOUT_S = 60

PRELUDE = textwrap.dedent(
    """
    import threading, sys
    import numpy as np, pandas as pd, polars as pl, pyarrow as pa
    import isolation

    def bars(n, seed):
        rng = np.random.default_rng(seed)
        close = 100.0 + np.cumsum(rng.normal(0.0, 0.1, n))
        return pd.DataFrame({"close": close, "volume": rng.integers(1, 1000, n, dtype=np.int64)},
                            index=pd.date_range("2024-01-01", periods=n, freq="min", tz="UTC"))

    def run(workers, seconds=1.5):
        import time
        errors = []
        stop = time.monotonic() + seconds
        def loop(work):
            try:
                while time.monotonic() < stop:
                    work()
            except Exception as error:  # noqa: BLE001: reported below
                errors.append(repr(error))
        threads = [threading.Thread(target=loop, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors, errors[:3]
    """
)


def run_child(body: str) -> None:
    code = PRELUDE + textwrap.dedent(body) + "\nprint('done')\n"
    try:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"deadlock: the threads did not finish within {TIMEOUT_S} s")
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("done"), result.stdout


@pytest.mark.parametrize("mode", ["view", "cow", "shm", "deep-copy"])
def test_every_handler_method_at_once(mode):
    """folds/fold_manifest (which release the GIL) against every other method (issue: folds took the
    handler's lock, released the GIL, then took the GIL back while holding the lock)."""
    run_child(
        f"""
        h = isolation.DataHandler({mode!r})
        for s in ("A", "B", "C"):
            h.load_data(s, bars(3000, ord(s)))
        h.setup_train_test_split("ratio", 0.7)
        calls = [
            lambda: list(h.folds(walk_forward="train=8h,test=3h,step=3h")),
            lambda: list(h.folds(kfold="k=4,purge=2,embargo=2")),
            lambda: h.get_symbols(),
            lambda: h.get_data("A"),
            lambda: h.get_data("B", "test"),
            lambda: h.get_memory_usage(),
            lambda: h.memory_report(),
            lambda: repr(h),
            lambda: h.active_split,
            lambda: h.set_active_split("train"),
            lambda: h.split_ranges("C"),
            lambda: h.segment_names(),
        ]
        run(calls)
        h.release()
        """
    )


@pytest.mark.parametrize("source", ["pandas", "polars", "numpy-pyarrow"])
def test_replacing_python_owned_frames_while_others_read(source):
    """load_data replacing a symbol whose old buffers belong to Python (freeing them needs the GIL)
    while other threads read the handler."""
    run_child(
        f"""
        def frame(seed):
            df = bars(2000, seed)
            if {source!r} == "polars":
                return pl.from_pandas(df.reset_index(names="timestamp"))
            if {source!r} == "numpy-pyarrow":
                return pa.table({{"timestamp": pa.array(df.index.as_unit("ns").asi8, pa.timestamp("ns", "UTC")),
                                  "close": pa.array(df["close"].to_numpy()),
                                  "volume": pa.array(df["volume"].to_numpy())}})
            return df
        h = isolation.DataHandler("view")
        h.load_data("A", frame(1))
        h.setup_train_test_split("ratio", 0.7)
        seeds = iter(range(10**9))
        run([
            lambda: h.load_data("A", frame(next(seeds))),
            lambda: h.load_data("B", frame(next(seeds))),
            lambda: h.get_symbols(),
            lambda: h.get_data("A").to_numpy("close").sum(),
            lambda: h.get_memory_usage(),
            lambda: h._native.unload("B"),
        ])
        """
    )


def test_one_view_shared_by_threads_reads_whole_bars():
    """One View walked and read by several threads: no 'Already borrowed', every bar read is a bar of
    the data, and the position only moves through advance/seek/reset."""
    run_child(
        """
        df = bars(5000, 3)
        h = isolation.DataHandler("view")
        h.load_data("A", df)
        view = h.get_data("A")
        closes = set(df["close"].tolist())
        def read():
            bar = view.get_current()
            assert bar["close"] in closes, bar
            w = view.get_window(20).to_numpy("close")
            assert len(w) >= 1
        def walk():
            if not view.advance():
                view.reset()
        run([read, read, walk, walk, lambda: view.seek(view.current_index), lambda: repr(view),
             lambda: view.to_pandas(), lambda: view.data_info])
        """
    )


def test_copy_on_write_and_segment_shared_by_threads(segment_name):
    run_child(
        f"""
        df = bars(4000, 5)
        cow = isolation.CopyOnWriteFrame(df, chunk_rows=256)
        seg = isolation.shm.publish({segment_name!r}, df)
        rows = iter(range(10**9))
        run([
            lambda: cow.set_value(next(rows) % 4000, "close", 1.5),
            lambda: cow.set_row(next(rows) % 4000, {{"close": 2.5, "volume": 3}}),
            lambda: cow.get_row(next(rows) % 4000),
            lambda: cow.get_column("close").sum(),
            lambda: cow.memory_usage(),
            lambda: repr(cow),
            lambda: seg.attach().to_numpy("close").sum(),
            lambda: seg.size_bytes,
        ])
        seg.release()
        """
    )
