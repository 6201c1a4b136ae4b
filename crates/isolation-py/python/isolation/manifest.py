"""``FoldManifest``: a study's folds as a small JSON document that any worker, in any process or on any
machine, turns into the same zero-copy views.

Plan once, where the data is loaded::

    handler = isolation.DataHandler("view")
    handler.load_data("SPY", "/data/SPY.parquet")
    manifest = handler.fold_manifest(walk_forward="train=90d,test=30d", warmup="5d")
    manifest.write("study.json")

then on any worker (a Ray task, a Slurm array task, a process of a pool)::

    fold = isolation.FoldManifest.read("study.json").fold(3)
    train, test = fold.train["SPY"], fold.test["SPY"]

The first task on a machine loads each source, checks it against the fingerprint the study was planned
on, and publishes it to shared memory as ``ds-<fingerprint>``; every other task on the machine attaches
to that segment, so a machine holds each dataset once whatever its number of tasks.
"""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, Optional, Union

from . import _native
from .handler import Fold, _fold


class FoldManifest:
    """A planned study: the spec, each symbol's source and data fingerprint, and every fold's row ranges.

    The JSON format is documented in ``docs/manifest.md``; the Rust ``isolation::FoldManifest`` and the
    ``isolation folds ... --manifest FILE`` command write and read the same documents."""

    def __init__(self, document: Dict[str, Any]):
        self._document = document

    @classmethod
    def from_json(cls, text: str) -> "FoldManifest":
        """A manifest from its JSON text; a document of another format raises :class:`IsolationError`."""
        return cls(json.loads(_native.check_manifest(text)))

    @classmethod
    def read(cls, path: Union[str, os.PathLike]) -> "FoldManifest":
        """A manifest from a file."""
        with open(path, encoding="utf-8") as f:
            return cls.from_json(f.read())

    def to_json(self) -> str:
        """The manifest as JSON text."""
        return json.dumps(self._document, indent=2)

    def write(self, path: Union[str, os.PathLike]) -> None:
        """Writes the manifest to ``path``."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_json() + "\n")

    @property
    def kind(self) -> str:
        """``walk_forward``, ``kfold`` or ``cpcv``."""
        return self._document["kind"]

    @property
    def spec(self) -> str:
        """The spec as text, e.g. ``train=90d,test=30d``."""
        return self._document["spec"]

    @property
    def sources(self) -> List[Dict[str, Any]]:
        """Per symbol: ``symbol``, ``path``, ``fingerprint``, ``rows``, ``columns``."""
        return self._document["sources"]

    @property
    def fold_indices(self) -> List[int]:
        """The folds' indices, in schedule order."""
        return [f["index"] for f in self._document["folds"]]

    def __len__(self) -> int:
        return len(self._document["folds"])

    def fold(self, index: int, *, shm_dir: Optional[str] = None, spill_dir: Optional[str] = None,
             memory_limit: Optional[int] = None) -> Fold:
        """Fold ``index`` made on this machine, zero-copy over its dataset segments (loaded, checked and
        published by the first task of the machine that needs them). ``shm_dir`` (default
        ``$ISOLATION_SHM_DIR``, else ``/dev/shm``) holds the segments; a dataset larger than the room there
        (or than ``memory_limit`` bytes) goes to ``spill_dir`` (default ``$ISOLATION_SPILL_DIR``) as a
        file-backed map, and without one raises :class:`IsolationError` saying so. A source whose data
        differs from the fingerprint raises :class:`IsolationError` naming the symbol and both
        fingerprints."""
        native_fold, datasets = _native.node_fold(
            self.to_json(), index, None if shm_dir is None else os.fspath(shm_dir),
            None if spill_dir is None else os.fspath(spill_dir), memory_limit)
        described = {
            symbol: {"segment": segment, "path": path, "location": location, "published": published}
            for symbol, segment, path, location, published in datasets
        }
        return _fold(self.kind, native_fold, described)

    def __repr__(self) -> str:
        symbols = ", ".join(s["symbol"] for s in self.sources)
        return f"FoldManifest({self.kind} {self.spec!r}, {len(self)} folds, symbols [{symbols}])"
