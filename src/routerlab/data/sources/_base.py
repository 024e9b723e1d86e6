"""What every real-data source shares: where its files are, checking them, caching a converted copy.

The data root is a folder with one sub-folder per source, laid out as ``../shared/data`` beside
the project (``routellm/``, ``routerbench-subset/``, ``llmrouter/``, ``mmlu-pro/``). A source's
folder is looked for, first match wins, in:

1. ``data_dir`` given by the caller (``--data-dir`` on the command line): the data root, or the
   source's folder itself;
2. the environment variable ``ROUTERLAB_DATA_DIR`` (same two forms);
3. ``../shared/data`` beside the repository, found from this file's location
   (``src/routerlab/data/sources/`` -> repository root) and, failing that, by walking up from the
   current working directory to the first folder with a ``pyproject.toml``;
4. the per-user data root :func:`user_data_root` (``$XDG_CACHE_HOME/routerlab/data``, else
   ``~/.cache/routerlab/data``), where ``routerlab data fetch`` writes by default.

A folder counts as the source's folder when every file the source needs is in it. Nothing is read
before its SHA-256 matches the digest shipped in the package (``routerlab/data/sha256/<name>.sha256``,
a copy of the source's ``SHA256SUMS``), so a changed or truncated file is an error, not a result.

Converted tables (e.g. 29 MMLU-Pro archives parsed into one frame) are cached as Parquet under
``$XDG_CACHE_HOME/routerlab/sources/<name>/<key>.parquet`` (``~/.cache`` when the variable is
unset; ``$ROUTERLAB_SOURCES_CACHE`` names another folder; the evaluation cache of
``$ROUTERLAB_CACHE_DIR`` is a different thing and is not used here), the key being a digest of the source
files' digests and the converter's version; files are written to a temporary name and renamed.
A warm cache does not skip the check of the files: :func:`verify_files` runs first and re-hashes
every file whose stamp (size, modification and change times, inode) differs from the one recorded
when it last matched its digest (``verified-files.json`` in the cache folder), so a file truncated
or replaced after the first run is an error on the next one, at the cost of one ``stat`` per file
while nothing changes.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pandas as pd

from routerlab.data.files import CACHE_ENV, atomic_write, cache_folder, file_sha256
from routerlab.errors import RouterlabError
from routerlab.locks import entry_lock

__all__ = [
    "ENV", "CACHE_ENV", "expected_digests", "sha256", "user_data_root", "candidate_folders", "find_folder",
    "require_folder", "read_verified", "verify_files", "cache_folder", "cached_frame",
]

ENV = "ROUTERLAB_DATA_DIR"


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=None)
def expected_digests(name: str) -> dict[str, str]:
    """{relative path: SHA-256 hex} of every pinned file of source ``name`` (from the package)."""
    try:
        text = resources.files("routerlab").joinpath(f"data/sha256/{name}.sha256").read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RouterlabError(f"no digests shipped for data source {name!r}; reinstall routerlab") from None
    out = {}
    for line in text.splitlines():
        if line.strip():
            digest, path = line.split(maxsplit=1)
            out[path.strip().removeprefix("./")] = digest.lower()
    return out


def _repo_roots() -> list[Path]:
    roots = [Path(__file__).resolve().parents[4]]
    cwd = Path.cwd().resolve()
    roots += [p for p in (cwd, *cwd.parents) if (p / "pyproject.toml").is_file()][:1]
    return roots


def user_data_root() -> Path:
    """The per-user data root: ``$XDG_CACHE_HOME/routerlab/data`` (``~/.cache`` when unset)."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "routerlab" / "data"


def candidate_folders(name: str, data_dir=None) -> list[Path]:
    """The folders searched for source ``name``, in order (see the module docstring)."""
    out: list[Path] = []
    bases = [data_dir] if data_dir is not None else [os.environ.get(ENV) or None]
    for base in bases:
        if base is not None:
            base = Path(base).expanduser()
            out += [base / name, base]
    if data_dir is None:
        out += [r.parent / "shared" / "data" / name for r in _repo_roots()]
        out.append(user_data_root() / name)
    seen, unique = set(), []
    for p in out:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    return unique


def find_folder(name: str, files: Iterable[str], data_dir=None) -> Path | None:
    """The first candidate folder of source ``name`` that holds every one of ``files`` (relative
    paths), or None. Files are not verified here."""
    files = list(files)
    for folder in candidate_folders(name, data_dir):
        if all((folder / f).is_file() for f in files):
            return folder
    return None


def require_folder(name: str, files: Sequence[str], data_dir=None, hint: str = "") -> Path:
    """Like :func:`find_folder`, but a missing folder raises one line saying where it looked."""
    folder = find_folder(name, files, data_dir)
    if folder is None:
        where = data_dir if data_dir is not None else (os.environ.get(ENV) or "../shared/data beside the project")
        raise RouterlabError(
            f"data source {name!r} not found under {where} (need {name}/{files[0]} and "
            f"{len(files) - 1} more file(s)); pass --data-dir (or set {ENV}) to the folder that holds "
            f"{name}/, or fetch it with 'routerlab data fetch {name}' (make data)" + (f"; {hint}" if hint else ""))
    return folder


def read_verified(folder: Path, rel: str, name: str) -> bytes:
    """The bytes of ``folder/rel`` after checking their SHA-256 against source ``name``'s digests."""
    digests = expected_digests(name)
    if rel not in digests:
        raise RouterlabError(f"{rel} is not a pinned file of data source {name!r}")
    path = Path(folder) / rel
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RouterlabError(f"cannot read {path} ({exc.strerror}); copy the {name} data folder again") from None
    if sha256(data) != digests[rel]:
        raise RouterlabError(f"{path} is corrupted or not the pinned version (SHA-256 mismatch); "
                             f"copy the {name} data folder again")
    return data


_STAMPS = "verified-files.json"


def _stamp(st: os.stat_result) -> list[int]:
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev]


def verify_files(folder: Path, rels: Sequence[str], name: str) -> None:
    """Check that every file ``folder/rel`` of source ``name`` matches its shipped SHA-256.

    A file whose stamp (size, mtime, ctime, inode, device) equals the one recorded the last time
    it matched is not read again; any other file is hashed in full (1 MiB blocks) and refused with
    one line on a mismatch, as :func:`read_verified` does. The stamps live in
    ``cache_folder(name)/verified-files.json``; a cache folder that cannot be written only means
    hashing again next time.
    """
    digests = expected_digests(name)
    store = cache_folder(name) / _STAMPS
    try:
        known = json.loads(store.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        known = {}
    known = known if isinstance(known, dict) else {}
    changed = False
    for rel in rels:
        if rel not in digests:
            raise RouterlabError(f"{rel} is not a pinned file of data source {name!r}")
        path = Path(folder) / rel
        try:
            st = path.stat()  # taken before hashing: a change while hashing shows next time
            entry = {"stamp": _stamp(st), "sha256": digests[rel]}
            if known.get(os.path.realpath(path)) == entry:
                continue
            digest = file_sha256(path)
        except OSError as exc:
            raise RouterlabError(f"cannot read {path} ({exc.strerror}); copy the {name} data folder again") from None
        if digest != digests[rel]:
            raise RouterlabError(f"{path} is corrupted or not the pinned version (SHA-256 mismatch); "
                                 f"copy the {name} data folder again")
        known[os.path.realpath(path)] = entry
        changed = True
    if changed:
        try:
            atomic_write(store, lambda tmp: tmp.write_text(json.dumps(known), encoding="utf-8"))
        except OSError:
            pass


def cached_frame(name: str, key_parts: Sequence[str], build: Callable[[], pd.DataFrame]) -> pd.DataFrame:
    """``build()``, cached as Parquet under :func:`cache_folder` and keyed by ``key_parts``.

    ``key_parts`` must identify the input completely (the source files' digests and a version
    string of the converter). A cached file that cannot be read is rebuilt. The file is written
    to a temporary name in the same folder and renamed, so a reader never sees half a file; a
    cache folder that cannot be written only costs the rebuild.
    """
    key = sha256("\n".join(key_parts).encode("utf-8"))[:24]
    folder = cache_folder(name)
    path = folder / f"{key}.parquet"
    with entry_lock(path):
        if path.is_file():
            try:
                return pd.read_parquet(path)
            except Exception:  # a damaged cache entry: rebuild it below
                pass
        frame = build()
        try:
            atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
        except OSError:
            pass
    return frame
