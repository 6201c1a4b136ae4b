"""The seed's ``MemoryTracker``, honest: process figures from the operating system (RSS, and PSS/USS on
Linux, which count a page shared with other processes once), a frame's memory with shared buffers counted
once, and a lossless optimiser that returns a new frame and never touches its input."""

from __future__ import annotations

import gc
from typing import Any, Dict, List, Optional, Tuple

from . import _native

__all__ = ["MemoryTracker"]

_MB = 1024 * 1024


def _mb(value: Optional[int]) -> Optional[float]:
    return None if value is None else value / _MB


class MemoryTracker:
    """Memory figures and tools (static methods, as in the seed design)."""

    @staticmethod
    def get_process_memory(pid: Optional[int] = None) -> Dict[str, Any]:
        """This process's memory (or ``pid``'s) as the OS reports it: ``rss_bytes``, ``vms_bytes``,
        ``pss_bytes`` and ``uss_bytes`` (None where the OS does not give them), and the same in MB
        (``rss_mb``, ...). PSS is the figure to add up over workers that share a segment."""
        figures = _native.process_memory(pid)
        if figures is None:
            raise OSError(f"the operating system gives no memory figures for process {pid or 'self'}")
        out: Dict[str, Any] = {
            "rss_bytes": figures["rss_bytes"],
            "vms_bytes": figures["virtual_bytes"],
            "pss_bytes": figures["pss_bytes"],
            "uss_bytes": figures["uss_bytes"],
        }
        for key in ("rss", "vms", "pss", "uss"):
            out[f"{key}_mb"] = _mb(out[f"{key}_bytes"])
        return out

    @staticmethod
    def get_system_memory() -> Dict[str, Any]:
        """The machine's ``total_mb``, ``available_mb`` and ``percent_used`` (the seed's keys), the same in
        bytes, and the shared-memory filesystem's size and free space (``shm_total_bytes``,
        ``shm_free_bytes``; None where there is none)."""
        figures = _native.system_memory()
        if figures is None:
            raise OSError("the operating system gives no memory figures")
        total, available = int(figures["total_bytes"] or 0), int(figures["available_bytes"] or 0)
        return {
            "total_bytes": total,
            "available_bytes": available,
            "total_mb": total / _MB,
            "available_mb": available / _MB,
            "percent_used": 100.0 * (total - available) / total if total else 0.0,
            "shm_total_bytes": figures["shm_total_bytes"],
            "shm_free_bytes": figures["shm_free_bytes"],
        }

    @staticmethod
    def collect_garbage() -> Dict[str, int]:
        """Runs Python's garbage collector: ``{"collected": objects freed}``. Arrow buffers are freed when
        their last holder goes, without it."""
        return {"collected": gc.collect()}

    @staticmethod
    def get_object_counts() -> Dict[str, int]:
        """Live objects the garbage collector tracks, counted by type name."""
        counts: Dict[str, int] = {}
        for obj in gc.get_objects():
            name = type(obj).__name__
            counts[name] = counts.get(name, 0) + 1
        return counts

    @staticmethod
    def estimate_dataframe_memory(df: Any) -> Dict[str, Any]:
        """Memory of a pandas DataFrame, each allocation counted once.

        ``columns`` gives each column's own bytes (pandas' ``memory_usage(deep=True)``); ``total_bytes``
        counts every allocation once however many columns read it (pandas keeps columns of one dtype in one
        2-D block; a frame made from one numpy array, or columns that are views of one another, share it),
        plus the index; ``naive_total_bytes`` is pandas' sum, which counts a shared block once per column
        (the seed's figure), and ``shared_bytes`` the difference."""
        import numpy as np

        usage = df.memory_usage(deep=True, index=True)
        columns = {name: int(usage.iloc[i + 1]) for i, name in enumerate(df.columns)}
        regions: List[Tuple[int, int]] = []
        other = int(usage.iloc[0])  # the index
        for i, name in enumerate(df.columns):
            values = df.iloc[:, i]
            array = values.array if not isinstance(values.dtype, np.dtype) else values.to_numpy(copy=False)
            if isinstance(array, np.ndarray) and array.dtype != object:
                base = array
                while isinstance(base.base, np.ndarray):
                    base = base.base
                regions.append((base.__array_interface__["data"][0], base.nbytes))
            else:  # objects, strings, extension arrays: pandas' deep figure, not shared-aware
                other += int(usage.iloc[i + 1])
        total = _native.distinct_bytes(regions) + other
        naive = int(usage.sum())
        return {
            "total_bytes": total,
            "total_mb": total / _MB,
            "naive_total_bytes": naive,
            "shared_bytes": max(naive - total, 0),
            "columns": columns,
        }

    @staticmethod
    def optimize_dataframe_memory(df: Any) -> Tuple[Any, Dict[str, Any]]:
        """A new, smaller frame equal in value to ``df``, and what changed. ``df`` is never modified.

        Lossless, unlike the seed's (which turned every float64 into float32 and rounded prices): integer
        columns narrow to the smallest type that holds their range, float64 columns to float32 only when
        every value round-trips exactly, string columns with repeated values become ``category``. Other
        columns, and nullable (extension) dtypes, are kept as they are. The rule is the Rust optimiser's
        (``timeseries_array::optimize``), the one the CLI's ``optimize`` runs."""
        import numpy as np
        import pandas as pd
        import pyarrow as pa

        from ._convert import column

        before = int(df.memory_usage(deep=True).sum())
        chosen = []
        for i, name in enumerate(df.columns):
            series = df.iloc[:, i]
            numeric = isinstance(series.dtype, np.dtype) and series.dtype.kind in "iuf"
            strings = series.dtype == object or isinstance(series.dtype, pd.StringDtype)
            if strings and not series.map(lambda v: v is None or isinstance(v, str)).all():
                strings = False
            if numeric or strings:
                chosen.append(i)
        out = [df.iloc[:, i] for i in range(len(df.columns))]
        report: Dict[str, Any] = {}
        if chosen:
            arrays = [column(df.iloc[:, i]) for i in chosen]
            batch = pa.RecordBatch.from_arrays(arrays, names=[str(i) for i in chosen])
            optimized, changes = _native.optimize_batch_lossless(batch)
            for position, (i, change) in enumerate(zip(chosen, changes)):
                name = df.columns[i]
                report[name] = {"from": change["from"], "to": change["to"], "note": change["note"]}
                if change["from"] == change["to"]:
                    continue
                new = optimized.column(position)
                if pa.types.is_dictionary(new.type):
                    values = new.to_pandas()  # a Categorical with the same strings
                    values = getattr(values, "array", values)  # positional, not aligned on a RangeIndex
                else:
                    values = new.to_numpy(zero_copy_only=False)
                out[i] = pd.Series(values, index=df.index, name=name)
        result = pd.DataFrame({i: series for i, series in enumerate(out)}, index=df.index.copy())
        result.columns = df.columns.copy()
        after = int(result.memory_usage(deep=True).sum())
        return result, {
            "before_bytes": before,
            "after_bytes": after,
            "saved_bytes": before - after,
            "saved_percent": 100.0 * (before - after) / before if before else 0.0,
            "lossless": True,
            "columns": report,
        }

