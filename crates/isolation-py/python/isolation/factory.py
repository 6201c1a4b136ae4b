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
    if isinstance(data, int):
        return data
    if hasattr(data, "nbytes"):
        nbytes = data.nbytes
        return int(nbytes() if callable(nbytes) else nbytes)
    if hasattr(data, "memory_usage"):
        return int(data.memory_usage(index=True, deep=False).sum())
    if hasattr(data, "estimated_size"):
        return int(data.estimated_size())
    import pyarrow as pa

    return int(pa.table(data).nbytes)


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
                         will_write: bool = False, readers: int = 1, name: Optional[str] = None
                         ) -> Dict[str, Any]:
        """Isolated data in the chosen (or given) mode, as the seed returned it: ``{"mode", "reasons",
        "data", "original_data_info"}``; in shared-memory mode also ``"segment"`` and
        ``"shared_memory_name"`` (keep the segment alive while workers attach)."""
        decision = self.decide(data, mode, will_write=will_write, readers=readers)
        handler = _native.Handler(decision.mode.value, None)
        handler.load("data", data, None)
        result: Dict[str, Any] = {"mode": decision.mode, "reasons": decision.reasons}
        if decision.mode is IsolationMode.SHARED_MEMORY:
            from . import shm
            import uuid

            segment = shm.publish(name or f"isolation-{uuid.uuid4().hex[:12]}", data)
            result["segment"] = segment
            result["shared_memory_name"] = segment.name
            result["data"] = segment.attach()
        else:
            result["data"] = handler.data("data", "full")
        view = result["data"]
        rows, columns = (view.shape if hasattr(view, "shape") else view.data_info["shape"])
        result["original_data_info"] = {"shape": (rows, columns), "bytes": _dataset_bytes(data)}
        return result
