"""Where the evaluation caches live and how their entries are named.

Every cache of this wing (an evaluation, a frontier study, a router's validation RS, a fitted
router's outputs on one split) is a file or folder under one root: ``cache_dir`` when given,
else ``$ROUTERLAB_CACHE_DIR`` (the book runner sets it so that chapters share results), else no
cache. An entry is named by the SHA-256 of a JSON document holding everything its content
depends on, the package's own source included (:func:`code_fingerprint`), so an entry is never
read by code that would compute something else.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

__all__ = ["CACHE_ENV", "code_fingerprint", "cache_root", "entry_key", "entry_path"]

#: Environment variable naming the cache root used when ``cache_dir`` is None; unset = no cache.
CACHE_ENV = "ROUTERLAB_CACHE_DIR"


def code_fingerprint() -> str:
    """SHA-256 over the source of every ``.py`` file of the installed routerlab package.

    Every cache lookup asks for it, so the digest is kept for as long as no source file's path,
    size or modification time changes (one ``stat`` per file instead of reading them all)."""
    root = Path(__file__).resolve().parents[1]  # the routerlab package
    files = sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)
    stamp = tuple((str(p), st.st_size, st.st_mtime_ns) for p, st in ((p, p.stat()) for p in files))
    if _CODE[0] != stamp:
        h = hashlib.sha256()
        for p in files:
            h.update(str(p.relative_to(root)).encode())
            h.update(p.read_bytes())
        _CODE[:] = [stamp, h.hexdigest()]
    return _CODE[1]


_CODE: list = [None, ""]


def cache_root(cache_dir=None) -> Path | None:
    """The cache folder: ``cache_dir``; None = ``$ROUTERLAB_CACHE_DIR`` if set; False (or unset) = none."""
    if cache_dir is None:
        cache_dir = os.environ.get(CACHE_ENV) or None
    return None if cache_dir in (None, False) else Path(cache_dir)


def entry_key(doc: dict) -> str:
    """Hex SHA-256 of ``doc`` (JSON with sorted keys; values JSON cannot hold by their ``repr``)."""
    return hashlib.sha256(json.dumps(doc, sort_keys=True, default=repr).encode()).hexdigest()


def entry_path(cache_dir, name: str, doc: dict, code: bool = True) -> Path | None:
    """``<root>/<name with {key} replaced by 32 hex digits of the key>`` (None: no cache).

    ``doc``: what the entry depends on; with ``code`` the package source's fingerprint is added.
    """
    root = cache_root(cache_dir)
    if root is None:
        return None
    if code:
        doc = dict(doc, code=code_fingerprint())
    return root / name.format(key=entry_key(doc)[:32])
