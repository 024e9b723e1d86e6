"""``make dist``: the built book (``_build/html``) as one reproducible archive a course can host anywhere.

    python -m routerlab.book.dist [--root .] [--out-dir dist] [--allow-dirty]

writes ``dist/routerlab-book-<commit>.tar.gz`` (``<commit>`` = the 12-hex-digit short commit, with
``-dirty`` appended when the working tree had changes and ``--allow-dirty`` was given) and
``<archive>.sha256`` beside it (``sha256sum -c`` reads it). The archive holds
``routerlab-book-<commit>/`` = every file of ``_build/html`` plus ``BUILD-INFO`` (JSON: the full
commit, the dirty flag and, when ``bookrun`` left its record ``_build/status/execution.json``,
the parameters each chapter ran with and the last run's jobs and chapters).

Reproducible: members sorted by path, every mtime 0, uid/gid 0, owner names empty, modes 0644
(files) / 0755 (folders), gzip header mtime 0 and no file name, so two builds of the same tree give
byte-identical archives. Both files are written to temporary names and renamed into place.
Refusals (one line, exit 2): no ``_build/html/index.html``, not a git work tree, or a dirty tree
without ``--allow-dirty``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Sequence

from routerlab.data.interchange import atomic_write
from routerlab.errors import RouterlabError

__all__ = ["git_state", "build_info", "pack", "main"]

PREFIX = "routerlab-book"


def git_state(root: Path) -> tuple[str, bool]:
    """(full commit hash, dirty flag) of the git work tree at ``root``; dirty = any tracked change
    or untracked file that ``.gitignore`` does not hide (``_build/`` and ``dist/`` are ignored)."""
    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            raise RouterlabError(f"{str(root)!r} is not a git work tree with a commit; make dist names the "
                                 "commit the book came from, so run it in a clone of the project") from None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    dirty = bool(git("status", "--porcelain", "--untracked-files=normal"))
    return commit, dirty


def build_info(root: Path, commit: str, dirty: bool) -> dict:
    """BUILD-INFO's content: ``commit``, ``dirty`` and, from bookrun's record when present,
    ``parameters`` {chapter: the parameters it ran with} and ``last_run`` {jobs, notebooks}
    (wall times and timestamps are left out: they differ between identical builds)."""
    info: dict = {"commit": commit, "dirty": dirty}
    record = root / "_build" / "status" / "execution.json"
    try:
        log = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log = None
    if isinstance(log, dict) and isinstance(log.get("notebooks"), dict):
        info["parameters"] = {k: v.get("parameters", {}) for k, v in sorted(log["notebooks"].items())
                              if isinstance(v, dict)}
        run = log.get("last_run")
        if isinstance(run, dict):
            info["last_run"] = {k: run[k] for k in ("jobs", "notebooks") if k in run}
    else:
        info["parameters"] = "no bookrun record (_build/status/execution.json) was found"
    return info


def _member(name: str, size: int = 0, directory: bool = False) -> tarfile.TarInfo:
    ti = tarfile.TarInfo(name)
    ti.size, ti.mtime, ti.uid, ti.gid, ti.uname, ti.gname = size, 0, 0, 0, "", ""
    ti.type = tarfile.DIRTYPE if directory else tarfile.REGTYPE
    ti.mode = 0o755 if directory else 0o644
    return ti


def _archive_bytes(html: Path, top: str, info: dict) -> bytes:
    """The .tar.gz of ``html`` under ``top/`` plus ``top/BUILD-INFO``, deterministic (module docstring)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(_member(top, directory=True))
        paths = sorted(html.rglob("*"), key=lambda p: p.relative_to(html).as_posix())
        for path in paths:
            rel = f"{top}/{path.relative_to(html).as_posix()}"
            if path.is_symlink():
                raise RouterlabError(f"{path} is a symbolic link; the archive holds plain files only "
                                     "(rebuild the book with make book)")
            if path.is_dir():
                tar.addfile(_member(rel, directory=True))
            else:
                data = path.read_bytes()
                tar.addfile(_member(rel, len(data)), io.BytesIO(data))
        text = (json.dumps(info, indent=2, sort_keys=True) + "\n").encode()
        tar.addfile(_member(f"{top}/BUILD-INFO", len(text)), io.BytesIO(text))
    out = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=0, compresslevel=9) as gz:
        gz.write(raw.getvalue())
    return out.getvalue()


def pack(root, out_dir=None, *, allow_dirty: bool = False) -> tuple[Path, str]:
    """Pack ``root/_build/html`` into ``out_dir`` (default ``root/dist``); return (archive, SHA-256 hex)."""
    root = Path(root).resolve()
    html = root / "_build" / "html"
    if not (html / "index.html").is_file():
        raise RouterlabError(f"{str(html)!r} holds no built book (no index.html); run make book first")
    commit, dirty = git_state(root)
    if dirty and not allow_dirty:
        raise RouterlabError("the work tree has uncommitted changes, so the archive could not name the commit "
                             "it came from; commit them, or pass --allow-dirty (make dist DIRTY=1) to mark it dirty")
    top = f"{PREFIX}-{commit[:12]}" + ("-dirty" if dirty else "")
    data = _archive_bytes(html, top, build_info(root, commit, dirty))
    digest = hashlib.sha256(data).hexdigest()
    out_dir = Path(out_dir) if out_dir is not None else root / "dist"
    archive = out_dir / f"{top}.tar.gz"
    atomic_write(archive, lambda tmp: tmp.write_bytes(data))
    atomic_write(out_dir / f"{archive.name}.sha256",
                 lambda tmp: tmp.write_text(f"{digest}  {archive.name}\n", encoding="utf-8"))
    return archive, digest


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m routerlab.book.dist``: exit 0 with one line naming the archive, 2 with one error line."""
    p = argparse.ArgumentParser(prog="python -m routerlab.book.dist", description=__doc__.splitlines()[0])
    p.add_argument("--root", default=".", help="the project folder holding _build/html (default .)")
    p.add_argument("--out-dir", default=None, help="where the archive goes (default ROOT/dist)")
    p.add_argument("--allow-dirty", action="store_true",
                   help="pack a tree with uncommitted changes, marked -dirty in the name and BUILD-INFO")
    args = p.parse_args(argv)
    try:
        archive, digest = pack(args.root, args.out_dir, allow_dirty=args.allow_dirty)
    except (RouterlabError, OSError) as exc:
        print(f"dist: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 2
    print(f"wrote {archive} (sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
