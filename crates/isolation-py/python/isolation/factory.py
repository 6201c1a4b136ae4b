"""``IsolationFactory``: chooses the isolation mode for a workload and says why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from . import _native
from .handler import IsolationMode, _mode_name


@dataclass(frozen=True)
class Decision:
    """The mode chosen and the reasons, one sentence each."""

    mode: IsolationMode
    reasons: List[str] = field(default_factory=list)


def _dataset_bytes(data: Any) -> int:
    """A size in bytes as given, or the bytes of ``data``'s Arrow buffers as the Rust factory measures them."""
    return data if isinstance(data, int) else _native.dataset_bytes(data)


class _HandlerSegment:
    """The shared-memory segment a factory-made handler published: its name, and ``release()``."""

    def __init__(self, handler: Any, name: str) -> None:
        self._handler = handler
        self.name = name

    def release(self) -> None:
        """Unlinks the segment (attached processes keep their mapping)."""
        self._handler.release()

    def __repr__(self) -> str:
        return f"Segment(name={self.name!r})"


class IsolationFactory:
    """Chooses a mode as the seed's ``DataIsolationFactory`` did, but from what the caller will do and
    from this machine's memory, with reasons:

    - the caller will write: copy-on-write (only the chunks written are copied);
    - several reader processes: shared memory (one copy for all) if ``/dev/shm`` has room, else views;
    - one read-only process: a deep copy when the data is small (under ``small_dataset_bytes``, 1 MiB by
      default) and fits in memory, else views.

    A requested mode is checked (a deep copy that would not fit in available memory is refused).
    """

    def __init__(self, small_dataset_bytes: Optional[int] = None) -> None:
        self.small_dataset_bytes = small_dataset_bytes

    def decide(self, data: Any, mode: Union[None, str, IsolationMode] = None, *, will_write: bool = False,
               readers: int = 1, copies: int = 1) -> Decision:
        """The mode for ``data`` (a frame, or its size in bytes) and the reasons."""
        name, reasons = _native.decide(_dataset_bytes(data), None if mode is None else _mode_name(mode),
                                       will_write, readers, copies, self.small_dataset_bytes)
        return Decision(IsolationMode(name), reasons)

    def create_isolation(self, data: Any, mode: Union[None, str, IsolationMode] = None, *,
                         will_write: bool = False, readers: int = 1) -> Dict[str, Any]:
        """Isolated data in the chosen (or given) mode, as the seed returned it: ``{"mode", "reasons",
        "data", "original_data_info"}``; in shared-memory mode also ``"segment"`` and
        ``"shared_memory_name"`` (the segment workers attach to, published once; keep ``"segment"`` or
        ``"data"`` alive while they do). The choice and the creation are the Rust factory's."""
        handler, name, reasons, (rows, columns, nbytes) = _native.create_handler(
            data, None if mode is None else _mode_name(mode), will_write, readers, 1, self.small_dataset_bytes)
        decision = IsolationMode(name)
        result: Dict[str, Any] = {"mode": decision, "reasons": reasons, "data": handler.data("data", "full")}
        if decision is IsolationMode.SHARED_MEMORY:
            segment_name = dict(handler.segment_names())["data"]
            result["segment"] = _HandlerSegment(handler, segment_name)
            result["shared_memory_name"] = segment_name
        result["original_data_info"] = {"shape": (rows, columns), "bytes": nbytes}
        return result
