"""Worker functions for test_workers.py (a module of their own so "spawn" children can import them)."""

import os


def _smaps(pid: int) -> dict:
    figures = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) >= 3 and parts[-1] == "kB":
                figures[parts[0].rstrip(":")] = int(parts[1]) * 1024
    return figures


def uss_bytes(pid: int) -> int:
    """Pages only this process keeps resident (Private_Clean + Private_Dirty)."""
    figures = _smaps(pid)
    return figures["Private_Clean"] + figures["Private_Dirty"]


def anonymous_bytes(pid: int) -> int:
    """Anonymous memory (heap and private copies); a copy of the data would land here."""
    return _smaps(pid)["Anonymous"]


def attach_and_sum(name: str, column: str = "close"):
    """Attaches to segment ``name``, sums ``column`` over every row, and reports the worker's USS before
    attaching and after reading (from /proc/self/smaps_rollup)."""
    import isolation

    pid = os.getpid()
    before, anon_before = uss_bytes(pid), anonymous_bytes(pid)
    view = isolation.shm.attach(name)
    values = view.to_numpy(column)
    total = float(values.sum())
    after, anon_after = uss_bytes(pid), anonymous_bytes(pid)
    shares = bool(values.base is not None and not values.flags.writeable)
    return {"sum": total, "rows": view.size, "uss_before": before, "uss_after": after, "read_only": shares,
            "anon_before": anon_before, "anon_after": anon_after}
