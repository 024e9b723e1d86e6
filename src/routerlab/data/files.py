"""Output files that never replace an input and are never seen half-written.

* :func:`check_output` -- one check every command runs on each file it is about to write: the
  suffix it must have, not a folder, its folder exists (a missing folder is refused, never
  created, so a typo does not scatter files), and the file is none of the inputs of the run
  (the table, its ``.meta.json`` sidecar, a source's files: :func:`routerlab.cli.input_files`).
  "The same file" compares resolved paths (:func:`os.path.realpath`, so symbolic links and
  ``..`` count) and, for files that exist, :func:`os.path.samefile` (so a hard link counts too).
* :func:`atomic_write` / :func:`atomic_write_group` -- every file is written to a temporary name
  in its target folder (``.<name>.<pid>.<random>.tmp``) and renamed over the target once all of
  a group is complete. An error or Ctrl-C removes the temporaries; a temporary left by a killed
  process (SIGKILL, power loss) is removed by the next write of the same target once its process
  is gone.

A CSV table and its sidecar are two files, and two renames cannot happen at once. The scheme
(:func:`routerlab.data.interchange.write_table`): both are written to temporaries first; the
sidecar records the table's SHA-256 (``table_sha256``); the sidecar is renamed into place, then
the table. A writer killed before the renames leaves the old pair as it was. One killed between
the two renames leaves the new sidecar beside the old table, and every reader of the pair
(:func:`check_table_digest`) compares the digest and refuses the pair with one line, so the old
table is never read with the new metadata. (Sidecar first: a table whose sidecar is missing is
read as RouterBench's own layout, so the new table must never be visible before its sidecar.)
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Sequence

from routerlab.errors import RouterlabError

__all__ = ["CACHE_ENV", "cache_folder", "sidecar_path", "same_file", "check_output", "atomic_write", "atomic_write_group",
           "file_sha256", "check_table_digest", "TABLE_DIGEST_KEY"]

#: Key of the sidecar entry holding the SHA-256 of the table it describes.
TABLE_DIGEST_KEY = "table_sha256"
_TMP_SUFFIX = ".tmp"


#: Environment variable naming the folder where converted source tables and token counts are cached.
CACHE_ENV = "ROUTERLAB_SOURCES_CACHE"


def cache_folder(name: str) -> Path:
    """Where converted tables of source ``name`` (or another derived file kind, such as token
    counts) are cached: ``$ROUTERLAB_SOURCES_CACHE/<name>``, else
    ``$XDG_CACHE_HOME/routerlab/sources/<name>`` (``~/.cache`` when XDG_CACHE_HOME is unset)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser() / name
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "routerlab" / "sources" / name


def sidecar_path(path: str | os.PathLike) -> Path:
    """Where the model metadata of a CSV table lives: ``<file>.meta.json``."""
    path = Path(path)
    return path.with_name(path.name + ".meta.json")


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when ``a`` and ``b`` name one file: equal resolved paths, or (both existing) one
    inode, as a hard link is."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet)
        return False


def check_output(path: str | os.PathLike, option: str, suffixes: Sequence[str],
                 inputs: Iterable[str | os.PathLike] = (), companions: Sequence[str] = ()) -> Path:
    """``path`` as a :class:`Path` if a command may write it, else one-line :class:`RouterlabError`.

    ``option``: the command-line option that named it (for the message); ``suffixes``: the
    accepted suffixes (case-insensitive); ``inputs``: files the run reads, none of which
    ``path`` (or a ``companion``: a suffix appended to its name, e.g. ``".meta.json"``, for a file
    written beside it) may be.
    """
    path = Path(path)
    if path.is_dir():
        raise RouterlabError(f"{option} {str(path)!r} is a folder; give a file name")
    if path.suffix.lower() not in [s.lower() for s in suffixes]:
        if len(suffixes) == 1:
            raise RouterlabError(f"{option} {str(path)!r} must end in {suffixes[0]}")
        raise RouterlabError(f"{option} {str(path)!r} must be a {', '.join(suffixes[:-1])} or {suffixes[-1]} file")
    if not path.parent.is_dir():
        raise RouterlabError(f"{option} {str(path)!r}: folder {str(path.parent)!r} does not exist; "
                             "create it first")
    inputs = list(inputs)
    for out in [path, *(path.with_name(path.name + c) for c in companions)]:
        for src in inputs:
            if same_file(out, src):
                what = "" if out == path else f" (the file {out.name!r} written beside it)"
                raise RouterlabError(f"{option} {str(path)!r}{what} is the input file {str(src)!r}; "
                                     "writing it would destroy the input, give another file name")
    return path


# ---- atomic writes ---------------------------------------------------------------------------------
def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _remove_stale(path: Path) -> None:
    """Remove temporaries of ``path`` left by a process that no longer runs."""
    head = f".{path.name}."
    try:
        names = os.listdir(path.parent)
    except OSError:
        return
    for name in names:
        if not (name.startswith(head) and name.endswith(_TMP_SUFFIX)):
            continue
        pid = name[len(head):].split(".", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            try:
                os.unlink(path.parent / name)
            except OSError:
                pass


def _temporary(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=_TMP_SUFFIX, dir=path.parent)
    os.close(fd)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; give the usual permissions
    return Path(tmp)


def atomic_write_group(paths: Sequence[str | os.PathLike], write: Callable[[list[Path]], None]) -> list[Path]:
    """Write several files so that none of them is visible before all are complete.

    ``write(tmps)`` fills one temporary per path (same order); the temporaries are then renamed
    over ``paths`` in the order given. On any exception (KeyboardInterrupt included) every
    temporary is removed and the targets are untouched. The folders must exist.
    """
    paths = [Path(p) for p in paths]
    for p in paths:
        _remove_stale(p)
    tmps: list[Path] = []
    try:
        for p in paths:
            tmps.append(_temporary(p))
        write(list(tmps))
        for tmp, p in zip(tmps, paths):
            os.replace(tmp, p)
    except BaseException:
        for tmp in tmps:
            try:
                tmp.unlink()
            except OSError:
                pass
        raise
    return paths


def atomic_write(path: str | os.PathLike, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` then rename the temporary file over ``path`` (its folder is created
    if missing; the command line refuses a missing folder before, see :func:`check_output`)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_group([path], lambda tmps: write(tmps[0]))


# ---- digests -----------------------------------------------------------------------------------
def file_sha256(file) -> str:
    """Hex SHA-256 of a file (a path, or a binary file object read from where it stands), read in
    1 MiB blocks (bounded memory)."""
    h = hashlib.sha256()
    if isinstance(file, (str, os.PathLike)):
        with open(file, "rb") as fh:
            return file_sha256(fh)
    for block in iter(lambda: file.read(1 << 20), b""):
        h.update(block)
    return h.hexdigest()


def check_table_digest(table, meta, side: str | os.PathLike, table_name=None) -> None:
    """Refuse a table whose sidecar ``meta`` (read from ``side``) records another table's SHA-256.

    ``table``: the table's path or an open binary handle on it (``table_name`` then names it).
    A sidecar without the entry (written by hand, or by routerlab before it recorded one) is
    accepted as it is."""
    want = meta.get(TABLE_DIGEST_KEY) if isinstance(meta, dict) else None
    if want is None:
        return
    name = str(table_name if table_name is not None else table)
    if not isinstance(want, str) or file_sha256(table) != want.lower():
        raise RouterlabError(
            f"metadata file {str(side)!r} describes another version of {name!r} (its "
            f"{TABLE_DIGEST_KEY} differs: an interrupted write or a table edited afterwards); write the "
            f"table again, or delete the {TABLE_DIGEST_KEY!r} entry of the metadata file if the edit was "
            "intended")
