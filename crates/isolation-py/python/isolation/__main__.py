"""``python -m isolation ...`` and the ``isolation`` command ``pip install`` puts on PATH: the same CLI as
the Rust binary (``isolation demo``, ``split``, ``folds``, ``shm``, ``fold-run``, ...), run by the
extension module."""

from __future__ import annotations

import signal
import sys
import threading
from typing import List, Optional


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the command line ``argv`` (default ``sys.argv[1:]``) and returns its exit code."""
    from . import _native

    args = ["isolation", *(sys.argv[1:] if argv is None else argv)]
    # The command runs in Rust with the GIL released: Ctrl-C should stop it as it stops the Rust binary.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.stdout.flush()
    return int(_native.cli_main(args, [sys.executable, "-m", "isolation"]))


if __name__ == "__main__":
    sys.exit(main())
