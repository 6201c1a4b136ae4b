"""Run a fold manifest on Ray: one task per fold, the data held once per machine.

>>> import isolation.ray                                     # doctest: +SKIP
>>> results = isolation.ray.run_folds(manifest, lambda train, test, fold: score(train["SPY"], test["SPY"]))

Each task makes its fold with :meth:`isolation.FoldManifest.fold`: the first task on a node publishes each
dataset to shared memory under its fingerprint, the others attach, so the Ray object store carries only the
manifest (a few kilobytes) and the results, whatever the number of tasks. Ray is imported only when called.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Optional, Sequence, Union

from .manifest import FoldManifest


def _run_fold(manifest_json: str, index: int, fn: Callable, node: Dict[str, Any]) -> Any:
    fold = FoldManifest.from_json(manifest_json).fold(index, **node)
    return fn(fold.train, fold.test, fold)


def run_folds(manifest: Union[FoldManifest, str, os.PathLike], fn: Callable, *,
              folds: Optional[Sequence[int]] = None, shm_dir: Optional[str] = None,
              spill_dir: Optional[str] = None, memory_limit: Optional[int] = None,
              **remote_options: Any) -> List[Any]:
    """Runs ``fn(train, test, fold)`` as one Ray task per fold of ``manifest`` (a :class:`FoldManifest`
    or the path of one) and returns the results in fold order. ``train`` and ``test`` are
    ``{symbol: side}`` (a ``View``, or a list of them for CV schemes), ``fold`` the
    :class:`~isolation.Fold` (with ``fold.datasets`` saying which segment each symbol came from).

    ``folds`` picks some folds (default all); ``shm_dir``, ``spill_dir`` and ``memory_limit`` are passed
    to :meth:`FoldManifest.fold` on the workers; other keyword arguments are Ray task options
    (``num_cpus=``, ``memory=``, ``scheduling_strategy=`` ...). Ray starts (``ray.init()``) if it is not
    running. ``fn`` must be picklable by Ray (a function, lambda or closure; a function of your own module
    must be importable on the workers)."""
    import ray

    if not isinstance(manifest, FoldManifest):
        manifest = FoldManifest.read(manifest)
    indices = manifest.fold_indices if folds is None else list(folds)
    node = {"shm_dir": shm_dir, "spill_dir": spill_dir, "memory_limit": memory_limit}
    task = ray.remote(_run_fold)
    if remote_options:
        task = task.options(**remote_options)
    document = ray.put(manifest.to_json())
    function = ray.put(fn)
    return ray.get([task.remote(document, index, function, node) for index in indices])
