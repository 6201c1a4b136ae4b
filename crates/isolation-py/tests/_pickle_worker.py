"""Worker functions for test_pickle.py, importable by a "spawn" child."""

import pickle


def anonymous_kib() -> int:
    with open("/proc/self/smaps_rollup") as rollup:
        for line in rollup:
            if line.startswith("Anonymous:"):
                return int(line.split()[1])
    raise RuntimeError("no Anonymous: line in /proc/self/smaps_rollup")


def read_column(pickled: bytes):
    """Unpickles a view, reads its whole `close` column, and reports what that cost in anonymous memory."""
    view = pickle.loads(pickled)
    column = view.to_numpy("close")
    before = anonymous_kib()
    total = float(column.sum()) + float(view.window("close", 1000).sum())
    after = anonymous_kib()
    return total, after - before, view.size, view.current_index, view.mode
