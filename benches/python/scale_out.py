"""Scale-out benchmark: a walk-forward study run (a) in one process, (b) on a local Ray with 2 workers from
a fold manifest (each dataset in shared memory once per node), (c) on the same Ray with a ``ray.put``
pyarrow table per symbol handed to every task. Checks the three give identical results and reports wall
time, peak object-store bytes, and peak total PSS of the driver and every Ray process (sampled every 50 ms
from /proc/<pid>/smaps_rollup), plus the dataset segments' bytes in the segment directory for (b).

Usage: python benches/python/scale_out.py [--rows 2000000] [--symbols 4] [--folds 20] [--json FILE]

The object-store figure comes from the raylet's memory statistics, which Ray reads over gRPC: the minimal
``ray`` package of the test environment leaves ``grpcio`` out (``pip install grpcio``; without it the
column says n/a).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import threading
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

import isolation

MINUTE = 60_000_000_000


def write_bars(directory: str, symbols: int, rows: int) -> dict:
    paths = {}
    for s in range(symbols):
        rng = np.random.default_rng(100 + s)
        close = 100.0 * np.cumprod(1.0 + rng.normal(0.0, 0.0005, rows))
        index = pd.date_range("2020-01-01", periods=rows, freq="min", tz="UTC").as_unit("ns")
        frame = pd.DataFrame({"open": close * 0.9995, "high": close * 1.001, "low": close * 0.999,
                              "close": close, "volume": rng.integers(1, 1_000, rows).astype(np.float64)},
                             index=index)
        paths[f"SYM{s}"] = os.path.join(directory, f"SYM{s}.parquet")
        frame.to_parquet(paths[f"SYM{s}"])
    return paths


def core(train_close: np.ndarray, test_close: np.ndarray) -> float:
    """A stand-in backtest: long when the close is above the train mean, P&L summed over the test bars."""
    position = np.where(test_close[:-1] > train_close.mean(), 1.0, -1.0)
    return float(np.sum(position * np.diff(test_close)))


def score(train, test, fold):
    return {s: core(train[s].to_numpy("close"), test[s].to_numpy("close")) for s in sorted(train)}


def descendants(root: int) -> list:
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def object_store_bytes():
    """Bytes in Ray's object store now (0 before Ray starts, None without grpcio)."""
    import ray
    if not ray.is_initialized():
        return 0
    try:
        import grpc  # noqa: F401  (Ray's memory statistics need it)
    except ImportError:
        return None
    from ray._private.internal_api import get_memory_info_reply, get_state_from_address

    return int(get_memory_info_reply(get_state_from_address()).store_stats.object_store_bytes_used)


class Peak:
    """Samples total PSS (this process and its descendants: Ray's GCS, raylet, workers) and object-store
    bytes every 50 ms while active."""

    def __init__(self):
        self.pss = 0
        self.store = 0  # None: not measurable here
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            self.pss = max(self.pss, sum(pss_bytes(p) for p in descendants(os.getpid())))
            try:
                used = object_store_bytes()
                self.store = None if used is None else max(self.store or 0, used)
            except Exception:  # the store may be starting or stopping
                pass
            self._stop.wait(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_one_process(paths: dict, spec: dict) -> tuple:
    handler = isolation.DataHandler("view")
    for symbol, path in paths.items():
        handler.load_data(symbol, path)
    results = [score(f.train, f.test, f) for f in handler.folds(**spec)]
    return results, handler


@__import__("functools").lru_cache(maxsize=None)
def _put_task():
    import ray

    @ray.remote
    def task(rows, *tables):
        out = {}
        for (symbol, train, test), table in zip(rows, tables):
            close = table.column("close")
            tr = close.slice(train[0], train[1] - train[0]).to_numpy()
            te = close.slice(test[0], test[1] - test[0]).to_numpy()
            out[symbol] = core(tr, te)
        return dict(sorted(out.items()))

    return task


def run_ray_put(paths: dict, manifest) -> list:
    import ray

    refs = {symbol: ray.put(pq.read_table(path)) for symbol, path in paths.items()}
    tasks = []
    for fold in manifest._document["folds"]:
        rows = [(s["symbol"], (s["train"][0]["rows"]["start"], s["train"][0]["rows"]["end"]),
                 (s["test"][0]["test"]["rows"]["start"], s["test"][0]["test"]["rows"]["end"]))
                for s in fold["symbols"]]
        tasks.append(_put_task().remote(rows, *[refs[symbol] for symbol, _, _ in rows]))
    results = ray.get(tasks)
    del refs
    return results


def measure(name: str, fn) -> dict:
    with Peak() as peak:
        start = time.perf_counter()
        results = fn()
        wall = time.perf_counter() - start
    return {"run": name, "wall_s": wall, "peak_pss_bytes": peak.pss, "peak_object_store_bytes": peak.store,
            "results": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--symbols", type=int, default=4)
    parser.add_argument("--folds", type=int, default=20)
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args()

    work = tempfile.mkdtemp(prefix="isolation-scale-out-")
    shm_dir = tempfile.mkdtemp(prefix="isolation-scale-out-", dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    try:
        paths = write_bars(work, args.symbols, args.rows)
        days = args.rows // (24 * 60)
        train = days // 4
        test = (days - train) // args.folds
        spec = {"walk_forward": f"train={train}d,test={test}d", "warmup": 0}

        figures = [measure("(a) one process", lambda: run_one_process(paths, spec)[0])]
        _, planner = run_one_process(paths, spec)
        manifest = planner.fold_manifest(**spec)
        del planner
        assert len(manifest) == args.folds, f"{len(manifest)} folds, wanted {args.folds}"

        import ray
        import isolation.ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 runtime_env={"env_vars": {"PYTHONPATH": os.path.dirname(os.path.abspath(__file__))}})
        ray.get([ray.remote(lambda: None).remote() for _ in range(2)])  # workers up before timing
        figures.append(measure("(b) Ray, manifest (2 workers)",
                               lambda: isolation.ray.run_folds(manifest, score, shm_dir=shm_dir)))
        figures[-1]["segment_bytes"] = sum(os.path.getsize(os.path.join(shm_dir, f)) for f in os.listdir(shm_dir)
                                           if not f.startswith("."))
        figures.append(measure("(c) Ray, ray.put table (2 workers)", lambda: run_ray_put(paths, manifest)))
        ray.shutdown()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(shm_dir, ignore_errors=True)

    reference = figures[0]["results"]
    for figure in figures:
        figure["identical_results"] = figure.pop("results") == reference
    dataset = args.rows * args.symbols * 48
    print(f"{args.folds}-fold walk-forward ({spec['walk_forward']}) over {args.symbols} symbols x {args.rows:,} "
          f"bars ({dataset / 2**20:.0f} MiB as 6 float64/int64 columns)")
    print("| run | wall | peak object store | dataset segments | peak total PSS | identical |")
    print("|---|---:|---:|---:|---:|---|")
    for f in figures:
        segments = f"{f['segment_bytes'] / 2**20:.0f} MiB" if "segment_bytes" in f else "-"
        store = "n/a" if f["peak_object_store_bytes"] is None else f"{f['peak_object_store_bytes'] / 2**20:.0f} MiB"
        print(f"| {f['run']} | {f['wall_s']:.2f} s | {store} | {segments} | "
              f"{f['peak_pss_bytes'] / 2**20:.0f} MiB | {f['identical_results']} |")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"rows": args.rows, "symbols": args.symbols, "folds": args.folds, "spec": spec,
                       "figures": figures}, out, indent=2)
    if not all(f["identical_results"] for f in figures):
        raise SystemExit("results differ between runs")


if __name__ == "__main__":
    main()
