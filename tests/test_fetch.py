"""``routerlab data fetch`` / ``status``: a tiny fixture source served by a loopback HTTP server.

The server (http.server in a thread on 127.0.0.1, port 0) serves a dict of files, honours
``Range: bytes=N-`` unless told not to, can close a response after N bytes, and records the
Range header of every request. No test reaches outside the machine. The last tests check the
shipped manifests against the digests files and, where ``../shared/data`` is present, against
the commits its READMEs name.
"""

from __future__ import annotations

import hashlib
from importlib import resources
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import routerlab.data.sources as sources
import routerlab.data.sources._base as base
from routerlab.cli import main
from routerlab.data.sources import _fetch
from routerlab.errors import RouterlabError

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"

# ---- the fixture source "demo": three files, one of them large enough to be cut ----------------
FILES = {
    "LICENSE": b"Demo licence\n",
    "a.csv": bytes(range(256)) * 1200,  # 307,200 bytes: five 64 KiB blocks and a bit
    "sub/b.txt": "b, with non-ASCII: é\n".encode("utf-8"),
}
README = "# demo\nA fixture source.\n"
SUMS = "".join(f"{hashlib.sha256(d).hexdigest()}  {rel}\n" for rel, d in FILES.items()).encode()


class _Server:
    """A loopback server of ``files`` ({url path: bytes}) with switches for the failure modes."""

    def __init__(self, files: dict[str, bytes]):
        self.files = dict(files)
        self.cut_after: dict[str, int] = {}   # path -> close after this many body bytes (once)
        self.ignore_range = False
        self.ranges: list[tuple[str, str | None]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                rng = self.headers.get("Range")
                server.ranges.append((self.path, rng))
                data = server.files.get(self.path)
                if data is None:
                    self.send_error(404)
                    return
                start = 0
                if rng and not server.ignore_range:
                    start = int(re.fullmatch(r"bytes=(\d+)-", rng).group(1))
                    if start >= len(data):
                        self.send_response(416)
                        self.send_header("Content-Range", f"bytes */{len(data)}")
                        self.end_headers()
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
                else:
                    self.send_response(200)
                body = data[start:]
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                cut = server.cut_after.pop(self.path, None)
                self.wfile.write(body if cut is None else body[:cut])
                self.wfile.flush()
                if cut is not None:
                    self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    srv = _Server({f"/demo/{rel}": data for rel, data in FILES.items()})
    yield srv
    srv.close()


@pytest.fixture
def demo(monkeypatch, server):
    """Source "demo" whose manifest URLs point at the loopback server (as the pinned URLs would)."""
    entries = tuple(_fetch.Entry(rel, len(data), f"{server.url}/demo/{rel}", hashlib.sha256(data).hexdigest())
                    for rel, data in FILES.items())
    monkeypatch.setattr(_fetch, "manifest_names", lambda: ("demo",))
    monkeypatch.setattr(_fetch, "manifest", lambda name: entries)
    monkeypatch.setattr(_fetch, "readme_text", lambda name: README)
    monkeypatch.setattr(_fetch, "sums_file", lambda name: SUMS)
    return server


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _expected_tree() -> dict[str, bytes]:
    return {**FILES, "README.md": README.encode(), "SHA256SUMS": SUMS}


# ---- success ------------------------------------------------------------------------------------
def test_fetch_from_the_pinned_urls(demo, tmp_path):
    lines = []
    res = _fetch.fetch(["demo"], tmp_path / "root", echo=lines.append)
    folder = tmp_path / "root" / "demo"
    assert _tree(folder) == _expected_tree()  # the folder exactly: data, README, SHA256SUMS, no .part
    assert res[0]["fetched"] == 3 and res[0]["bytes"] == sum(len(d) for d in FILES.values())
    assert len(lines) == 1 and "3 file(s) fetched" in lines[0] and "all 3 verified" in lines[0]
    # the fetched folder is found by every command
    assert base.find_folder("demo", list(FILES), tmp_path / "root") == folder
    # a second run downloads nothing and overwrites nothing
    n_requests = len(demo.ranges)
    again = _fetch.fetch(["demo"], tmp_path / "root", echo=lines.append)
    assert again[0]["fetched"] == 0 and again[0]["present"] == 3 and len(demo.ranges) == n_requests


def test_fetch_from_a_mirror_url_and_a_mirror_folder(demo, tmp_path):
    demo.files = {f"/mirror/demo/{rel}": d for rel, d in FILES.items()}  # the pinned URLs now 404
    _fetch.fetch(["demo"], tmp_path / "a", mirror=f"{demo.url}/mirror/")
    assert _tree(tmp_path / "a" / "demo") == _expected_tree()
    # a folder laid out like the data root (here: the one just fetched), and its file:// form
    _fetch.fetch(["demo"], tmp_path / "b", mirror=str(tmp_path / "a"))
    assert _tree(tmp_path / "b" / "demo") == _expected_tree()
    _fetch.fetch(["demo"], tmp_path / "c", mirror=(tmp_path / "a").as_uri())
    assert _tree(tmp_path / "c" / "demo") == _expected_tree()


def test_mirror_folder_missing_a_file(demo, tmp_path):
    mirror = tmp_path / "mirror" / "demo"
    mirror.mkdir(parents=True)
    (mirror / "LICENSE").write_bytes(FILES["LICENSE"])
    with pytest.raises(RouterlabError, match=r"a\.csv is not in the mirror"):
        _fetch.fetch(["demo"], tmp_path / "root", mirror=str(tmp_path / "mirror"))
    assert _tree(tmp_path / "root" / "demo") == {"LICENSE": FILES["LICENSE"]}  # verified files stay
    with pytest.raises(RouterlabError, match="neither a folder nor an http"):
        _fetch.fetch(["demo"], tmp_path / "root", mirror=str(tmp_path / "nowhere"))


# ---- what goes wrong ----------------------------------------------------------------------------
def test_digest_mismatch_deletes_the_download(demo, tmp_path):
    demo.files["/demo/a.csv"] = FILES["a.csv"][:-1] + b"!"
    with pytest.raises(RouterlabError, match=r"a\.csv \(SHA-256 mismatch\); the download was deleted") as err:
        _fetch.fetch(["demo"], tmp_path / "root")
    assert "\n" not in str(err.value)
    folder = tmp_path / "root" / "demo"
    assert _tree(folder) == {"LICENSE": FILES["LICENSE"]}  # no a.csv, no a.csv.part, no README yet


def test_404_is_one_line_and_leaves_nothing(demo, tmp_path):
    del demo.files["/demo/LICENSE"]
    with pytest.raises(RouterlabError, match=r"HTTP 404") as err:
        _fetch.fetch(["demo"], tmp_path / "root")
    assert "\n" not in str(err.value)
    assert not (tmp_path / "root" / "demo").exists()  # the folder it created is gone again


def test_unreachable_mirror(demo, tmp_path):
    url = demo.url
    demo.close()  # nothing listens on that port any more
    with pytest.raises(RouterlabError, match=r"cannot reach 127\.0\.0\.1"):
        _fetch.fetch(["demo"], tmp_path / "root", mirror=url)
    assert not (tmp_path / "root" / "demo").exists()


def test_interrupted_transfer_resumes_with_range(demo, tmp_path):
    demo.cut_after["/demo/a.csv"] = 100_000
    folder = tmp_path / "root" / "demo"
    with pytest.raises(RouterlabError, match=r"interrupted .*100,000 bytes are kept in a\.csv\.part"):
        _fetch.fetch_source("demo", folder, retries=0)
    part = folder / "a.csv.part"
    assert part.read_bytes() == FILES["a.csv"][:100_000]
    assert not (folder / "a.csv").exists()  # a half-written file never has the final name
    assert base.find_folder("demo", list(FILES), tmp_path / "root") is None
    assert dict(_fetch.status(["demo"], tmp_path / "root")[0]["files"])["a.csv"] == "partial"
    _fetch.fetch_source("demo", folder, retries=0)
    assert ("/demo/a.csv", "bytes=100000-") in demo.ranges
    assert _tree(folder) == _expected_tree()


def test_dropped_connection_is_retried_within_one_run(demo, tmp_path):
    demo.cut_after["/demo/a.csv"] = 70_000
    _fetch.fetch_source("demo", tmp_path / "demo")  # retries=2 by default
    assert [r for p, r in demo.ranges if p == "/demo/a.csv"] == [None, "bytes=70000-"]
    assert (tmp_path / "demo" / "a.csv").read_bytes() == FILES["a.csv"]


def test_server_ignoring_range_restarts_the_file(demo, tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "a.csv.part").write_bytes(FILES["a.csv"][:5000])
    demo.ignore_range = True
    _fetch.fetch_source("demo", folder)
    assert (folder / "a.csv").read_bytes() == FILES["a.csv"]  # not the 5,000 bytes twice


def test_complete_part_file_and_a_part_longer_than_the_file(demo, tmp_path):
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "a.csv.part").write_bytes(FILES["a.csv"])  # every byte there: the server answers 416
    (folder / "LICENSE.part").write_bytes(b"x" * 1000)   # longer than the file: thrown away
    _fetch.fetch_source("demo", folder)
    assert _tree(folder) == _expected_tree()


def test_existing_file_that_does_not_match_is_never_overwritten(demo, tmp_path):
    folder = tmp_path / "demo"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "b.txt").write_bytes(b"mine")
    with pytest.raises(RouterlabError, match=r"b\.txt is already there but is not the pinned file"):
        _fetch.fetch_source("demo", folder)
    assert (folder / "sub" / "b.txt").read_bytes() == b"mine"
    assert _tree(folder) == {"sub/b.txt": b"mine"}  # checked before anything was downloaded


def test_unknown_source_and_unwritable_root(demo, tmp_path):
    with pytest.raises(RouterlabError, match="unknown data source 'nope'; choose from: demo"):
        _fetch.fetch(["nope"], tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(RouterlabError, match="cannot create .*a-file/demo"):
        _fetch.fetch(["demo"], blocker)
    with pytest.raises(RouterlabError, match="is not a pinned file of data source 'demo'"):
        _fetch.fetch_source("demo", tmp_path / "d", files=["c.csv"])


# ---- status -------------------------------------------------------------------------------------
def test_status_per_file(demo, tmp_path):
    root = tmp_path / "root"
    report = _fetch.status(["demo"], root)
    assert report[0]["folder"] == str(root / "demo")
    assert dict(report[0]["files"]) == {"LICENSE": "missing", "a.csv": "missing", "sub/b.txt": "missing"}
    _fetch.fetch(["demo"], root)
    (root / "demo" / "sub" / "b.txt").write_bytes(b"changed")
    (root / "demo" / "LICENSE").unlink()
    report = _fetch.status(["demo"], root)
    assert dict(report[0]["files"]) == {"LICENSE": "missing", "a.csv": "verified", "sub/b.txt": "corrupt"}
    assert dict(_fetch.status(["demo"], root, verify=False)[0]["files"])["sub/b.txt"] == "present"
    text = _fetch.format_status(report, root)
    assert text.splitlines()[0] == f"data root (routerlab data fetch writes here): {root}"
    assert f"demo: corrupt 1, missing 1, verified 1 of 3 file(s) in {root / 'demo'}" in text
    assert "  corrupt   sub/b.txt" in text.splitlines()


def test_cli_fetch_and_status(demo, tmp_path, capsys):
    root = tmp_path / "root"
    assert main(["data", "status", "demo", "--data-dir", str(root)]) == 0
    assert "missing 3 of 3" in capsys.readouterr().out
    assert main(["data", "fetch", "demo", "--data-dir", str(root), "--quiet"]) == 0
    assert "3 file(s) fetched" in capsys.readouterr().out
    assert main(["data", "status", "--data-dir", str(root)]) == 0
    assert "demo: verified 3 of 3" in capsys.readouterr().out
    assert main(["data", "fetch", "nope", "--data-dir", str(root)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("routerlab: error: unknown data source 'nope'") and err.count("\n") == 1
    del demo.files["/demo/LICENSE"]
    assert main(["data", "fetch", "--data-dir", str(tmp_path / "other")]) == 2
    assert "HTTP 404" in capsys.readouterr().err


# ---- where fetched data is found --------------------------------------------------------------
def test_per_user_root_is_searched_last_and_is_the_default_target(demo, tmp_path, monkeypatch):
    monkeypatch.delenv(base.ENV, raising=False)
    monkeypatch.setattr(base, "_repo_roots", lambda: [tmp_path / "repo"])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    user = tmp_path / "xdg" / "routerlab" / "data"
    assert base.user_data_root() == user and _fetch.data_root() == user
    assert base.candidate_folders("demo")[-1] == user / "demo"
    assert base.find_folder("demo", list(FILES)) is None
    _fetch.fetch(["demo"])
    assert base.find_folder("demo", list(FILES)) == user / "demo"
    # without an explicit root, a source already verified in a searched folder is left there
    lines = []
    _fetch.fetch(["demo"], echo=lines.append)
    assert lines == [f"demo: already present and verified in {user / 'demo'}; nothing to fetch"]
    monkeypatch.setenv(base.ENV, str(tmp_path / "env"))
    assert _fetch.data_root() == tmp_path / "env"


def test_bookrun_says_once_how_to_fetch(monkeypatch, capsys):
    from routerlab.book import run

    monkeypatch.setattr(sources, "find", lambda name, data_dir=None: None)
    run._say_if_no_data(None)
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "make data" in out and "routerlab data fetch" in out
    monkeypatch.setattr(sources, "find", lambda name, data_dir=None: Path("/somewhere"))
    run._say_if_no_data(None)
    assert capsys.readouterr().out == ""


# ---- the shipped manifests ----------------------------------------------------------------------
_URL = re.compile(r"https://raw\.githubusercontent\.com/([\w.-]+/[\w.-]+)/([0-9a-f]{40})/\S+")


@pytest.mark.parametrize("name", _fetch.manifest_names())
def test_manifest_lists_exactly_the_digests_files(name):
    assert name in sources.names()
    entries = _fetch.manifest(name)
    assert [e.rel for e in entries] == list(base.expected_digests(name))
    assert all(e.size > 0 and (_URL.fullmatch(e.url) or e.url.startswith(_fetch.PACKAGE_SCHEME)) for e in entries)
    assert _fetch.sums_file(name).decode().count("\n") == len(entries)
    assert _fetch.readme_text(name).startswith("# ")


@pytest.mark.parametrize("name", _fetch.manifest_names())
def test_manifest_urls_carry_the_commit_the_readme_names(name):
    readme = SHARED / name / "README.md"
    if not readme.is_file():
        pytest.skip(f"{readme} is not on this machine (the data READMEs name the pinned commits)")
    text = readme.read_text(encoding="utf-8")
    assert _fetch.readme_text(name) == text  # the README the fetcher writes is the folder's own
    assert _fetch.sums_file(name) == (SHARED / name / "SHA256SUMS").read_bytes()
    pinned = dict(re.findall(r"`([\w.-]+/[\w.-]+)`,\s*commit\s*`([0-9a-f]{40})`", text))
    assert len(pinned) == 1, f"{name}: expected one pinned repository and commit in its README, got {pinned}"
    for e in _fetch.manifest(name):
        if e.url.startswith(_fetch.PACKAGE_SCHEME):  # a copy in the package: RouterBench's licence only
            assert e.rel == "LICENSE.routerbench" and "`withmartian/routerbench`" in text
            shipped = resources.files("routerlab").joinpath(e.url[len(_fetch.PACKAGE_SCHEME):]).read_bytes()
            assert hashlib.sha256(shipped).hexdigest() == e.sha256 and len(shipped) == e.size
            continue
        repo, commit = _URL.fullmatch(e.url).groups()
        assert f"`{repo}`" in text, f"{e.url}: repository not named in {readme}"
        if repo in pinned:
            assert commit == pinned[repo], f"{e.url}: not the commit {readme} names"
        else:  # a file of another repository (RouterBench's licence), named there without a commit
            assert e.rel.startswith("LICENSE"), e
        assert e.size == (SHARED / name / e.rel).stat().st_size
        assert e.rel.startswith("LICENSE") or Path(e.url).suffix == Path(e.rel).suffix
    if name == "routellm":  # its README gives the address of every file
        template = re.search(r"`(https://raw\.githubusercontent\.com/\S+/)<path>`", text).group(1)
        assert all(e.url == template + e.rel for e in _fetch.manifest(name) if e.rel != "LICENSE")


def test_progress_bar_on_stderr(demo, tmp_path, capsys):
    demo.cut_after["/demo/a.csv"] = 70_000  # a restart of the bar's count must not break it
    _fetch.fetch(["demo"], tmp_path / "root", progress=True)
    captured = capsys.readouterr()
    assert "demo" in captured.err and "B" in captured.err  # tqdm's bar, in bytes
    assert "demo" in captured.out and "%" not in captured.out
    assert _tree(tmp_path / "root" / "demo") == _expected_tree()


def test_a_file_shipped_in_the_package_is_written_from_it_and_checked(tmp_path):
    # RouterBench's licence has no pinned commit: the manifest names the package's copy
    out = _fetch.fetch_source("routerbench-subset", tmp_path / "routerbench-subset", files=["LICENSE.routerbench"])
    assert out["fetched"] == 1
    got = (tmp_path / "routerbench-subset" / "LICENSE.routerbench").read_bytes()
    assert got.startswith(b"MIT License")
    assert hashlib.sha256(got).hexdigest() == base.expected_digests("routerbench-subset")["LICENSE.routerbench"]
