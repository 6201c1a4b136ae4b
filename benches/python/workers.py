"""Workers benchmark: N worker processes each sum `close` over the test split of one dataset.

Three ways, each in fresh processes started with "spawn" (as on macOS/Windows and as Ray and
concurrent.futures do):

- isolation: the parent publishes the dataset once to shared memory (`isolation.shm.publish`); each worker
  attaches by name, narrows to the test rows (`View.slice`, an offset and a length) and sums. By default
  attaching reads the whole index once to check its order (a segment anyone could have written);
  "trusted order" attaches with `trust_published_order=True`, which skips that read for segments this
  library published (they record that the index was checked when written).
- pandas pickled: the DataFrame is handed to each worker process (pickled and unpickled into each, as a
  `multiprocessing.Pool` task argument is).
- shared_memory + numpy: the parent copies the columns into one `multiprocessing.shared_memory` block; each
  worker maps it and builds numpy arrays over it.

Each worker measures its own memory from /proc/self/smaps_rollup before it receives or attaches to the data
and after it has read it, then waits while the parent reads every worker's figures at the same moment
(so PSS divides shared pages among all of them). Reported per way: the data's bytes, the bytes each worker
reads (test rows of close), per-worker USS and PSS added by the data, the workers' total added PSS, the
time from the task's start to its first bar, the sum (equal across ways) and wall time.

Usage: python benches/python/workers.py [--rows 10000000] [--workers 4] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import sys
import time
from multiprocessing import shared_memory

import numpy as np

COLUMNS = ["open", "high", "low", "close", "volume"]
TRAIN_RATIO = 0.7


def smaps(pid: int) -> dict:
    out = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if len(parts) >= 3 and parts[-1] == "kB":
                out[parts[0].rstrip(":")] = int(parts[1]) * 1024
    out["USS"] = out.get("Private_Clean", 0) + out.get("Private_Dirty", 0)
    return out


def make_frame(rows: int):
    import pandas as pd

    rng = np.random.default_rng(42)
    close = 100.0 + np.cumsum(rng.normal(0.0, 0.01, rows))
    data = {"open": close + 0.001, "high": close + 0.01, "low": close - 0.01, "close": close,
            "volume": rng.uniform(1.0, 1000.0, rows)}
    index = pd.date_range("2000-01-01", periods=rows, freq="min", tz="UTC").as_unit("ns")
    return pd.DataFrame(data, index=index)


# --- workers: each returns (pid, before, first_bar_seconds, total) and waits for `release` ---------------

def worker_isolation(name, start, stop, ready, release, trust_order=False):
    import isolation  # noqa: F401 - imported before the baseline, as in the other workers

    before = smaps(os.getpid())
    view = isolation.shm.attach(name, trust_published_order=trust_order).slice(start, stop)
    view.get_current()
    first_bar = time.time()
    total = float(view.to_numpy("close").sum())
    ready.put((os.getpid(), before, first_bar, total))
    release.wait()


def worker_pickled(frame_bytes_holder, start, stop, ready, release):
    # The frame arrives pickled in the process arguments; unpickling happens before this function runs, so
    # the baseline is taken from a fresh interpreter with pandas imported (see `baseline_pandas`).
    frame = frame_bytes_holder
    frame["close"].iloc[start]
    first_bar = time.time()
    total = float(frame["close"].iloc[start:stop].sum())
    ready.put((os.getpid(), None, first_bar, total))
    release.wait()


def worker_shared_memory(name, rows, start, stop, ready, release):
    before = smaps(os.getpid())
    # Spawned children share the parent's resource tracker, so attaching re-registers the same name and the
    # parent's unlink at the end clears it (a child of its own tracker would unlink on exit: gh-82300).
    block = shared_memory.SharedMemory(name=name)
    table = np.ndarray((1 + len(COLUMNS), rows), dtype=np.float64, buffer=block.buf)
    close = table[1 + COLUMNS.index("close")]
    close[start]
    first_bar = time.time()
    total = float(close[start:stop].sum())
    ready.put((os.getpid(), before, first_bar, total))
    release.wait()
    del table, close
    block.close()


def baseline_pandas(queue):
    import pandas  # noqa: F401

    queue.put(smaps(os.getpid()))


def run_way(way, frame, workers, ctx):
    rows = len(frame)
    start, stop = int(rows * TRAIN_RATIO), rows
    ready, release = ctx.Queue(), ctx.Event()
    cleanup = None
    t0 = time.perf_counter()
    if way.startswith("isolation"):
        import isolation

        segment = isolation.shm.publish(f"bench-workers-{os.getpid()}", frame)
        cleanup = segment.release
        trust = way.endswith("trusted order")
        args = lambda: (segment.name, start, stop, ready, release, trust)  # noqa: E731
        target = worker_isolation
    elif way == "pandas pickled":
        args = lambda: (frame, start, stop, ready, release)  # noqa: E731
        target = worker_pickled
    else:
        block = shared_memory.SharedMemory(create=True, size=(1 + len(COLUMNS)) * rows * 8)
        table = np.ndarray((1 + len(COLUMNS), rows), dtype=np.float64, buffer=block.buf)
        table[0] = frame.index.asi8
        for i, column in enumerate(COLUMNS):
            table[1 + i] = frame[column].to_numpy()
        del table

        def cleanup():
            block.close()
            block.unlink()

        args = lambda: (block.name, rows, start, stop, ready, release)  # noqa: E731
        target = worker_shared_memory
    setup = time.perf_counter() - t0
    processes = [ctx.Process(target=target, args=args()) for _ in range(workers)]
    launch = time.time()
    for p in processes:
        p.start()
    results = [ready.get(timeout=600) for _ in processes]
    after = {pid: smaps(pid) for pid, *_ in results}
    release.set()
    for p in processes:
        p.join()
    wall = time.perf_counter() - t0
    if cleanup:
        cleanup()
    if way == "pandas pickled":
        q = ctx.Queue()
        b = ctx.Process(target=baseline_pandas, args=(q,))
        b.start()
        base = q.get(timeout=120)
        b.join()
        results = [(pid, base, fb, total) for pid, _, fb, total in results]
    uss = [after[pid]["USS"] - before["USS"] for pid, before, _, _ in results]
    pss = [after[pid]["Pss"] - before["Pss"] for pid, before, _, _ in results]
    sums = {total for *_, total in results}
    return {
        "way": way,
        "workers": workers,
        "rows": rows,
        "data_bytes": int(rows * (1 + len(COLUMNS)) * 8),
        # Distinct bytes the workers read: the test rows of close, plus the whole index where attaching checks
        # its order.
        "read_bytes_per_worker": int((stop - start) * 8 + (rows * 8 if way == "isolation" else 0)),
        "setup_s": setup,
        "uss_added_per_worker_max": max(uss),
        "pss_added_per_worker_max": max(pss),
        "pss_added_total": sum(pss),
        # From starting the worker processes to each worker's first bar (interpreter start-up included, the
        # same for every way; for the pickled frame, its transfer and unpickling too).
        "first_bar_s_median": float(np.median([fb - launch for _, _, fb, _ in results])),
        "wall_s": wall,
        "sum": sums.pop() if len(sums) == 1 else sorted(sums),
    }


def mib(n: float) -> str:
    return f"{n / 2**20:,.1f} MiB"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", help="also write the results as JSON to this file")
    args = parser.parse_args(argv)
    ctx = mp.get_context("spawn")
    frame = make_frame(args.rows)
    ways = ["isolation", "isolation, trusted order", "shared_memory + numpy", "pandas pickled"]
    results = [run_way(way, frame, args.workers, ctx) for way in ways]
    ours, pandas = results[0], results[-1]
    print(f"{args.workers} workers, {args.rows:,} bars ({mib(ours['data_bytes'])}); each sums the test "
          f"split of close ({mib(results[1]['read_bytes_per_worker'])})")
    print("| way | bytes the workers read | USS added per worker | PSS added per worker | PSS added, all workers "
          "| all workers / bytes read | start to first bar | wall | pandas pickled / this |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        ratio = r["pss_added_total"] / r["read_bytes_per_worker"]
        versus = pandas["pss_added_total"] / max(r["pss_added_total"], 1)
        print(f"| {r['way']} | {mib(r['read_bytes_per_worker'])} | {mib(r['uss_added_per_worker_max'])} | {mib(r['pss_added_per_worker_max'])} | "
              f"{mib(r['pss_added_total'])} | {ratio:.2f}x | {r['first_bar_s_median'] * 1e3:.2f} ms | "
              f"{r['wall_s']:.2f} s | {versus:.1f}x |")
    assert len({json.dumps(r["sum"]) for r in results}) == 1 or all(
        abs(r["sum"] - ours["sum"]) <= 1e-9 * abs(ours["sum"]) for r in results), "sums differ"
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
