"""One writer per cache entry: processes that need the same entry at the same time compute it once.

The book's chapters can run side by side (``bookrun --jobs 2``) and share cache entries (an
evaluation, a frontier study, per-split text features, a parsed data source). Every cache site
follows the same pattern under :func:`entry_lock`: look for the entry, compute and write it
(atomically) if absent. The first process computes; the others wait on the lock, then read it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

__all__ = ["entry_lock"]


@contextmanager
def entry_lock(entry: str | os.PathLike):
    """Hold an inter-process lock for the cache entry ``entry`` (a file or folder path).

    The lock file is ``.locks/<entry name>.lock`` in the entry's folder (the ``filelock``
    library: ``flock`` on POSIX, ``msvcrt`` on Windows). When that file cannot be created (a read-only cache folder),
    the block runs unlocked: the cache writes are atomic, so the worst case is duplicated work.
    """
    from filelock import FileLock

    entry = Path(entry)
    try:
        folder = entry.parent / ".locks"
        folder.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(folder / f"{entry.name}.lock"))
        lock.acquire()
    except OSError:
        yield
        return
    try:
        yield
    finally:
        lock.release()
