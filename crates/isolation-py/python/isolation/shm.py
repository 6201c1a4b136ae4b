"""Shared-memory datasets: publish once, attach by name from any process.

A segment is an Arrow IPC file in ``/dev/shm`` (or a directory you name), so pyarrow, polars and DuckDB
can read it too. ``attach`` validates the segment (a foreign, truncated or corrupt file is refused with
:class:`isolation.IsolationError`) and returns a :class:`isolation.View` over the mapped pages: a worker
reads the data without copying it, and its private memory barely moves.

Rules that differ from ``multiprocessing.shared_memory``: attaching never unlinks; the publisher unlinks
when its :class:`Segment` is released (``release()``, a ``with`` block, or garbage collection) unless
published with ``keep=True``; :func:`gc` removes segments whose publishing process died.
"""

from __future__ import annotations

import os
from typing import Any, Dict, List, Optional

from ._native import Segment, View
from . import _native

__all__ = ["Segment", "attach", "gc", "list", "publish", "remove"]

_list = list


def _dir(dir: Optional[os.PathLike]) -> Optional[str]:
    return None if dir is None else os.fspath(dir)


def publish(name: str, data: Any, *, time_column: Optional[str] = None, keep: bool = False,
            dir: Optional[os.PathLike] = None) -> Segment:
    """Publishes ``data`` (pandas, pyarrow, polars) as segment ``name``; returns the :class:`Segment`."""
    return _native.publish(name, data, time_column, keep, _dir(dir))


def attach(name: str, *, dir: Optional[os.PathLike] = None, trust_published_order: bool = False) -> View:
    """Maps segment ``name`` read-only and returns a :class:`View` of all its rows (no copy).

    The index's order is checked on attach (one read of the timestamps, shared pages). With
    ``trust_published_order=True`` a segment this library published (which records that its index was
    checked when written) skips that read: attach is then O(columns). A segment that breaks the promise
    gives wrong splits, never a crash."""
    return _native.attach(name, _dir(dir), trust_published_order)


def list(dir: Optional[os.PathLike] = None) -> List[Dict[str, Any]]:  # noqa: A001 - the seed's verb
    """Segments present, one dict each (name, size, owner, whether stale, any problem reading it)."""
    return _native.list_segments(_dir(dir))


def gc(dir: Optional[os.PathLike] = None, *, datasets: bool = False, older_than: Any = None,
       unused_for: Any = None, budget_bytes: Optional[int] = None) -> List[Dict[str, Any]]:
    """Removes segments whose publisher died (and were not kept); returns what was removed.

    With ``datasets=True``, removes kept dataset segments (``ds-<fingerprint>``, which fold manifests
    publish once per machine) published more than ``older_than`` ago or not attached for ``unused_for``
    (``"7d"``, ``"12h"`` or a ``datetime.timedelta``), then the least recently attached ones while the
    rest take more than ``budget_bytes``. A dataset some process maps is never removed."""
    def text(length: Any) -> Optional[str]:
        if length is None or isinstance(length, str):
            return length
        return f"{int(length.total_seconds() * 1e9)}ns"

    return _native.gc(_dir(dir), datasets, text(older_than), text(unused_for), budget_bytes)


def remove(name: str, dir: Optional[os.PathLike] = None) -> None:
    """Unlinks segment ``name``; processes that attached keep reading their mapping."""
    _native.remove(name, _dir(dir))
