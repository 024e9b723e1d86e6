"""make dist (routerlab.book.dist): a reproducible archive of _build/html with its commit."""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile

import pytest

from routerlab.book import dist
from routerlab.errors import RouterlabError


def _git(root, *args):
    subprocess.run(["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", *args],
                   check=True, capture_output=True)


@pytest.fixture()
def project(tmp_path):
    """A git work tree with one commit and a tiny built book in _build/html (ignored)."""
    root = tmp_path / "proj"
    root.mkdir()
    (root / ".gitignore").write_text("_build/\ndist/\n")
    (root / "README.md").write_text("x\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "one")
    html = root / "_build" / "html"
    (html / "_static").mkdir(parents=True)
    (html / "index.html").write_text("<html>book</html>")
    (html / "_static" / "b.css").write_text("body{}")
    (html / "a.html").write_text("<html>a</html>")
    status = root / "_build" / "status"
    status.mkdir()
    (status / "execution.json").write_text(json.dumps({
        "last_run": {"jobs": 2, "notebooks": ["01_benchmark"], "seconds": 3.5},
        "notebooks": {"01_benchmark": {"parameters": {"scale": 0.05}, "seconds": 1.2, "finished": "t"}}}))
    return root


def _commit(root) -> str:
    return subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_two_builds_are_byte_identical_and_hold_the_commit(project, tmp_path):
    a, da = dist.pack(project, tmp_path / "d1")
    # the same tree built again later: other mtimes on disk, same bytes in the archive
    for p in (project / "_build" / "html").rglob("*"):
        p.touch()
    b, db = dist.pack(project, tmp_path / "d2")
    assert a.read_bytes() == b.read_bytes() and da == db
    commit = _commit(project)
    assert a.name == f"routerlab-book-{commit[:12]}.tar.gz"
    assert hashlib.sha256(a.read_bytes()).hexdigest() == da
    assert (a.parent / (a.name + ".sha256")).read_text() == f"{da}  {a.name}\n"
    with tarfile.open(a) as tar:
        names = tar.getnames()
        top = f"routerlab-book-{commit[:12]}"
        assert names == [top, f"{top}/_static", f"{top}/_static/b.css", f"{top}/a.html", f"{top}/index.html",
                         f"{top}/BUILD-INFO"]
        assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 for m in tar.getmembers())
        info = json.loads(tar.extractfile(f"{top}/BUILD-INFO").read())
        assert tar.extractfile(f"{top}/index.html").read() == b"<html>book</html>"
    assert info == {"commit": commit, "dirty": False, "parameters": {"01_benchmark": {"scale": 0.05}},
                    "last_run": {"jobs": 2, "notebooks": ["01_benchmark"]}}


def test_a_changed_page_changes_the_archive(project, tmp_path):
    _, d1 = dist.pack(project, tmp_path / "d1")
    (project / "_build" / "html" / "a.html").write_text("<html>b</html>")
    _, d2 = dist.pack(project, tmp_path / "d2")
    assert d1 != d2


def test_refuses_without_a_built_book(project, tmp_path):
    (project / "_build" / "html" / "index.html").unlink()
    with pytest.raises(RouterlabError, match="run make book first"):
        dist.pack(project, tmp_path / "d")
    assert not (tmp_path / "d").exists()


def test_dirty_tree_is_refused_or_marked(project, tmp_path, capsys):
    (project / "README.md").write_text("changed\n")
    assert dist.main(["--root", str(project), "--out-dir", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--allow-dirty" in err
    assert not (tmp_path / "d").exists()
    archive, _ = dist.pack(project, tmp_path / "d", allow_dirty=True)
    assert archive.name.endswith("-dirty.tar.gz")
    with tarfile.open(archive) as tar:
        info = json.loads(tar.extractfile(archive.name[:-len(".tar.gz")] + "/BUILD-INFO").read())
    assert info["dirty"] is True


def test_refuses_outside_a_git_tree(tmp_path):
    html = tmp_path / "p" / "_build" / "html"
    html.mkdir(parents=True)
    (html / "index.html").write_text("x")
    with pytest.raises(RouterlabError, match="not a git work tree"):
        dist.pack(tmp_path / "p", tmp_path / "d")
