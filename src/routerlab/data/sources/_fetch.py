"""Fetch the real-data sources from the pinned commits they come from, and say what is present.

    routerlab data fetch [SOURCE ...] [--data-dir DIR] [--from DIR_OR_URL]
    routerlab data status [SOURCE ...] [--data-dir DIR]

Every file of a source has a line in the manifest shipped in the package
(``routerlab/data/manifests/<name>.tsv``: path in the source's folder, size in bytes, the URL of
that file at the public commit the source's README names) and a SHA-256 in
``routerlab/data/sha256/<name>.sha256``. The folder's own ``README.md`` and ``SHA256SUMS`` are
ours, not upstream's: they are written from the package (``manifests/<name>.README.md`` and the
digests file, byte for byte), so a fetched folder is the same as the one in ``../shared/data``.

Where files go (the data root): ``--data-dir``, else ``$ROUTERLAB_DATA_DIR``, else the per-user
folder :func:`routerlab.data.sources._base.user_data_root` (``$XDG_CACHE_HOME/routerlab/data``,
``~/.cache/routerlab/data``), which every command and the book also search. Without an explicit
root, a source already complete and verified in a searched folder (``../shared/data`` beside the
project) is not fetched again.

How a file is fetched: into ``<file>.part`` in its final folder, resumed with an HTTP ``Range``
request when a ``.part`` is left from an interrupted run (or a dropped connection, retried up to
``retries`` times), then its SHA-256 is checked and only a matching file is renamed
(``os.replace``) to its final name; a mismatch deletes the download. Loaders never read a
``.part``. A file already in place is verified and kept; one that does not match is an error and
is never overwritten. ``--from`` names a mirror: a local folder laid out like the data root
(``DIR/<source>/<path>``) or a base URL (``URL/<source>/<path>``), checked the same way.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable, Sequence

from routerlab.errors import RouterlabError
from routerlab.locks import entry_lock
from routerlab.data.sources._base import (ENV, candidate_folders, expected_digests, find_folder,
                                          user_data_root)

__all__ = ["Entry", "manifest_names", "manifest", "readme_text", "sums_file", "data_root", "fetch_source", "fetch",
           "status", "format_status", "PART_SUFFIX"]

PART_SUFFIX = ".part"
_CHUNK = 1 << 16
_TIMEOUT = 60.0  # seconds without a byte before a connection counts as dropped


@dataclass(frozen=True)
class Entry:
    """One pinned file: ``rel`` (path in the source's folder), ``size`` (bytes), ``url`` (at the
    pinned commit), ``sha256`` (hex, from the package's digests file)."""

    rel: str
    size: int
    url: str
    sha256: str


def _package_text(rel: str) -> str:
    try:
        return resources.files("routerlab").joinpath(rel).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RouterlabError(f"routerlab/{rel} is missing from the package; reinstall routerlab") from None


def manifest_names() -> tuple[str, ...]:
    """The sources with a shipped manifest, sorted."""
    folder = resources.files("routerlab").joinpath("data/manifests")
    return tuple(sorted(p.name[:-len(".tsv")] for p in folder.iterdir() if p.name.endswith(".tsv")))


def _check_name(name: str) -> str:
    names = manifest_names()
    if name not in names:
        raise RouterlabError(f"unknown data source {name!r}; choose from: {', '.join(names)}")
    return name


@lru_cache(maxsize=None)
def manifest(name: str) -> tuple[Entry, ...]:
    """The pinned files of source ``name``, in the digests file's order; the manifest must list
    exactly the files of the digests file (else the package is broken: one-line error)."""
    _check_name(name)
    digests = expected_digests(name)
    rows = {}
    for line in _package_text(f"data/manifests/{name}.tsv").splitlines():
        if line.strip() and not line.startswith("#"):
            rel, size, url = line.split("\t")
            rows[rel] = (int(size), url)
    if set(rows) != set(digests):
        raise RouterlabError(f"the manifest of {name!r} does not list the files of its digests file; "
                             "reinstall routerlab")
    return tuple(Entry(rel, rows[rel][0], rows[rel][1], digests[rel]) for rel in digests)


def readme_text(name: str) -> str:
    """The source folder's README.md, as shipped in the package."""
    return _package_text(f"data/manifests/{_check_name(name)}.README.md")


def sums_file(name: str) -> bytes:
    """The folder's SHA256SUMS: the package's digests file of ``name``, byte for byte."""
    return resources.files("routerlab").joinpath(f"data/sha256/{_check_name(name)}.sha256").read_bytes()


def data_root(data_dir=None) -> Path:
    """Where ``fetch`` writes: ``data_dir``, else ``$ROUTERLAB_DATA_DIR``, else the per-user folder."""
    if data_dir is not None:
        return Path(data_dir).expanduser()
    return Path(os.environ.get(ENV) or user_data_root()).expanduser()


# ---- opening a file at an offset: URL or local mirror -------------------------------------------
class _Dropped(Exception):
    """The transfer stopped before the end (connection closed or reset, timeout): resumable."""


#: A manifest address of this form names a file shipped in the package (its path after the colon):
#: a copy whose origin names no commit to pin (RouterBench's MIT licence), checked like the others.
PACKAGE_SCHEME = "package:"


def _location(entry: Entry, name: str, mirror: str | None) -> str:
    """Where ``entry`` is read from: its pinned URL (or the package's copy), or its place in the mirror."""
    if mirror is None:
        if entry.url.startswith(PACKAGE_SCHEME):
            return str(resources.files("routerlab").joinpath(entry.url[len(PACKAGE_SCHEME):]))
        return entry.url
    quoted = urllib.parse.quote(f"{name}/{entry.rel}")
    if _is_url(mirror):
        return mirror.rstrip("/") + "/" + quoted
    return str(Path(mirror) / name / entry.rel)


def _is_url(text: str) -> bool:
    return urllib.parse.urlsplit(text).scheme in ("http", "https", "file")


def _check_mirror(mirror: str | None) -> str | None:
    if mirror is None:
        return None
    if urllib.parse.urlsplit(mirror).scheme == "file":
        mirror = urllib.request.url2pathname(urllib.parse.urlsplit(mirror).path)
    if _is_url(mirror):
        return mirror
    if not Path(mirror).is_dir():
        raise RouterlabError(f"--from {mirror!r} is neither a folder nor an http(s) URL; give a folder laid "
                             "out like the data root (<source>/<file>) or a base URL")
    return mirror


def _open(where: str, offset: int):
    """(readable stream, True if it starts at ``offset`` else False: it starts at 0)."""
    if not _is_url(where):
        path = Path(where)
        try:
            stream = path.open("rb")
        except FileNotFoundError:
            raise RouterlabError(f"{path} is not in the mirror; check --from") from None
        except OSError as exc:
            raise RouterlabError(f"cannot read {path} ({exc.strerror})") from None
        if 0 < offset <= path.stat().st_size:
            stream.seek(offset)
            return stream, True
        return stream, False
    request = urllib.request.Request(where, headers={"User-Agent": "routerlab-data-fetch"})
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urllib.request.urlopen(request, timeout=_TIMEOUT)  # noqa: S310 - pinned/mirror addresses
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:  # the .part already holds every byte
            return _Empty(), True
        advice = ("the file is not at that address (check --from)" if 400 <= exc.code < 500
                  else "the server failed: try again later, or give a mirror with --from")
        raise RouterlabError(f"{where}: HTTP {exc.code} {exc.reason}; {advice}") from None
    except urllib.error.URLError as exc:
        reason = getattr(exc.reason, "strerror", None) or exc.reason
        host = urllib.parse.urlsplit(where).netloc
        raise RouterlabError(f"cannot reach {host} ({reason}); check the network, or give a mirror "
                             "with --from DIR_OR_URL") from None
    except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
        raise _Dropped(str(exc) or type(exc).__name__) from None
    return response, response.status == 206


class _Empty:
    def read(self, n=-1) -> bytes:
        return b""

    def close(self) -> None:
        pass


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _transfer(where: str, part: Path, size: int, bar) -> None:
    """Append the rest of ``where`` to ``part`` (restarting it if the server ignores Range);
    raise :class:`_Dropped` when the stream ends early."""
    offset = part.stat().st_size if part.exists() else 0
    if offset > size:  # longer than the pinned file: not a prefix of it
        part.unlink()
        offset = 0
    stream, resumed = _open(where, offset)
    if not resumed:
        offset = 0
    bar.reset_to(offset)
    try:
        with part.open("ab" if offset else "wb") as out:
            while True:
                try:
                    block = stream.read(_CHUNK)
                except (TimeoutError, ConnectionError, http.client.HTTPException) as exc:
                    raise _Dropped(str(exc) or type(exc).__name__) from None
                if not block:
                    break
                out.write(block)
                bar.update(len(block))
    finally:
        stream.close()
    got = part.stat().st_size
    if got < size:
        raise _Dropped(f"{got:,} of {size:,} bytes received")


def _fetch_file(name: str, entry: Entry, folder: Path, mirror: str | None, bar, retries: int) -> None:
    """Download, verify and move into place one file (see the module docstring)."""
    final = folder / entry.rel
    part = final.with_name(final.name + PART_SUFFIX)
    final.parent.mkdir(parents=True, exist_ok=True)
    where = _location(entry, name, mirror)
    for attempt in range(retries + 1):
        try:
            _transfer(where, part, entry.size, bar)
            break
        except _Dropped as exc:
            if attempt == retries:
                kept = part.stat().st_size if part.exists() else 0
                raise RouterlabError(f"the download of {name}/{entry.rel} was interrupted ({exc}); "
                                     f"{kept:,} bytes are kept in {part.name}: run the same command "
                                     "again to resume") from None
    if _file_sha256(part) != entry.sha256:
        part.unlink()
        raise RouterlabError(f"{where} is not the pinned {name}/{entry.rel} (SHA-256 mismatch); the "
                             "download was deleted: try again, or use another mirror with --from")
    os.replace(part, final)


class _Bar:
    """Progress in bytes on stderr (tqdm), or nothing."""

    def __init__(self, total: int, label: str, show: bool):
        self._bar = None
        self._base = 0
        if show:
            from tqdm import tqdm

            self._bar = tqdm(total=total, desc=label, unit="B", unit_scale=True, unit_divisor=1024,
                             file=sys.stderr, leave=False)
        self._done = 0

    def start_file(self) -> None:
        self._base = self._done

    def reset_to(self, offset: int) -> None:
        """The current file's transfer starts at byte ``offset``."""
        self._set(self._base + offset)

    def update(self, n: int) -> None:
        self._set(self._done + n)

    def _set(self, value: int) -> None:
        if self._bar is not None:
            self._bar.update(value - self._done)
        self._done = value

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def _write_if_missing(path: Path, data: bytes) -> None:
    from routerlab.data.interchange import atomic_write

    if not path.exists():
        atomic_write(path, lambda tmp: tmp.write_bytes(data))


def fetch_source(name: str, folder, *, files: Sequence[str] | None = None, mirror: str | None = None,
                 progress: bool = False, retries: int = 2) -> dict:
    """Make ``folder`` (e.g. ``<data root>/<name>``) hold every pinned file of source ``name`` (or
    only ``files``), verified.

    Returns ``{"name", "folder", "fetched", "present", "bytes"}`` (files downloaded, files already
    in place and verified, bytes downloaded). Raises a one-line :class:`RouterlabError` on an
    unknown source, an unwritable folder, a file in place that is not the pinned one (left
    untouched), an unreachable address, a missing file (404) or a digest mismatch (the download is
    deleted); files verified before the error stay, and a ``.part`` of a dropped transfer stays
    for the next run to resume.
    """
    entries = manifest(name)
    if files is not None:
        unknown = sorted(set(files) - {e.rel for e in entries})
        if unknown:
            raise RouterlabError(f"{unknown[0]} is not a pinned file of data source {name!r}")
        entries = tuple(e for e in entries if e.rel in set(files))
    mirror = _check_mirror(mirror)
    folder = Path(folder).expanduser()
    created = not folder.exists()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise RouterlabError(f"cannot create {folder} ({exc.strerror}); give a writable folder with "
                             f"--data-dir or {ENV}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RouterlabError(f"{folder} is not writable; give a writable folder with --data-dir or {ENV}")
    with entry_lock(folder):
        todo, present = [], 0
        for e in entries:
            path = folder / e.rel
            if not path.exists():
                todo.append(e)
            elif path.is_file() and _file_sha256(path) == e.sha256:
                present += 1
            else:
                raise RouterlabError(f"{path} is already there but is not the pinned file (SHA-256 "
                                     "mismatch); it was left untouched: move it away and run again")
        bar = _Bar(sum(e.size for e in todo), name, progress and bool(todo))
        try:
            for e in todo:
                bar.start_file()
                _fetch_file(name, e, folder, mirror, bar, retries)
        except BaseException:
            if created and not any(folder.rglob("*")):
                folder.rmdir()  # leave no empty folder behind a failed first fetch
            raise
        finally:
            bar.close()
        if files is None:
            _write_if_missing(folder / "README.md", readme_text(name).encode("utf-8"))
            _write_if_missing(folder / "SHA256SUMS", sums_file(name))
    return {"name": name, "folder": str(folder), "fetched": len(todo), "present": present,
            "bytes": sum(e.size for e in todo)}


def _verified_elsewhere(name: str) -> Path | None:
    """A searched folder (``../shared/data``, ...) already holding every pinned file of ``name``,
    all verified; None otherwise."""
    entries = manifest(name)
    folder = find_folder(name, [e.rel for e in entries])
    if folder is None:
        return None
    if all(_file_sha256(folder / e.rel) == e.sha256 for e in entries):
        return folder
    return None


def fetch(names: Sequence[str] | None = None, data_dir=None, *, mirror: str | None = None,
          progress: bool = False, echo: Callable[[str], None] = print) -> list[dict]:
    """:func:`fetch_source` of every source of ``names`` (default: all) into :func:`data_root`,
    one line per source to ``echo``. Without ``data_dir`` and ``$ROUTERLAB_DATA_DIR``, a source
    already complete and verified in a searched folder is left where it is."""
    names = list(names) if names else list(manifest_names())
    for n in names:
        _check_name(n)
    mirror = _check_mirror(mirror)
    explicit = data_dir is not None or bool(os.environ.get(ENV))
    root = data_root(data_dir)
    out = []
    for n in names:
        where = None if explicit else _verified_elsewhere(n)
        if where is not None:
            echo(f"{n}: already present and verified in {where}; nothing to fetch")
            out.append({"name": n, "folder": str(where), "fetched": 0, "present": len(manifest(n)), "bytes": 0})
            continue
        res = fetch_source(n, root / n, mirror=mirror, progress=progress)
        echo(f"{n}: {res['fetched']} file(s) fetched ({res['bytes'] / 1e6:.1f} MB), {res['present']} "
             f"already there; all {len(manifest(n))} verified in {res['folder']}")
        out.append(res)
    return out


# ---- what is present ---------------------------------------------------------------------------
def status(names: Sequence[str] | None = None, data_dir=None, *, verify: bool = True) -> list[dict]:
    """Per source: ``{"name", "folder", "files": [(rel, state), ...]}`` with state ``verified``,
    ``corrupt`` (SHA-256 mismatch), ``missing`` (``partial`` when a ``.part`` waits to be resumed),
    or ``present`` (exists, not checked: ``verify=False``). ``folder`` is the first searched folder
    holding every file, else the first holding any, else where ``fetch`` would write."""
    names = list(names) if names else list(manifest_names())
    for n in names:
        _check_name(n)
    out = []
    for n in names:
        entries = manifest(n)
        folder = find_folder(n, [e.rel for e in entries], data_dir)
        if folder is None:
            folder = next((f for f in candidate_folders(n, data_dir)
                           if f.is_dir() and any((f / e.rel).is_file() for e in entries)),
                          data_root(data_dir) / n)
        rows = []
        for e in entries:
            path = folder / e.rel
            if path.is_file():
                state = ("verified" if _file_sha256(path) == e.sha256 else "corrupt") if verify else "present"
            else:
                state = "partial" if path.with_name(path.name + PART_SUFFIX).is_file() else "missing"
            rows.append((e.rel, state))
        out.append({"name": n, "folder": str(folder), "files": rows})
    return out


def format_status(report: list[dict], data_dir=None) -> str:
    """The text ``routerlab data status`` prints: the data root, then per source a summary line
    and one line per file."""
    lines = [f"data root (routerlab data fetch writes here): {data_root(data_dir)}"]
    for src in report:
        counts: dict[str, int] = {}
        for _, state in src["files"]:
            counts[state] = counts.get(state, 0) + 1
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        lines.append(f"{src['name']}: {summary} of {len(src['files'])} file(s) in {src['folder']}")
        lines += [f"  {state:<8}  {rel}" for rel, state in src["files"]]
    return "\n".join(lines)
