"""The real-data source registry and its shared base: where folders are found, digests, the cache."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

import routerlab.data.sources as sources
import routerlab.data.sources._base as base
from routerlab.data.catalog import read_prices
from routerlab.errors import RouterlabError
from routerlab.data.routerbench_layout import MODEL_COLUMNS


# ---- the registry: every module keeps the contract --------------------------------------------
def test_names_include_the_sources_of_this_package():
    assert {"routellm", "routerbench-subset"} <= set(sources.names())
    assert list(sources.names()) == sorted(sources.names())
    with pytest.raises(RouterlabError, match="unknown data source 'nope'; choose one of: .*routellm"):
        sources.module("nope")


@pytest.mark.parametrize("name", sources.names())
def test_every_source_keeps_the_contract(name):
    mod = sources.module(name)
    assert mod.NAME == name and isinstance(mod.TITLE, str) and mod.TITLE and callable(mod.load)
    pinned = base.expected_digests(name)
    need = mod.files()
    assert need and set(need) <= set(pinned), f"{name}: files() not all pinned: {set(need) - set(pinned)}"


# ---- where a source's folder is found -----------------------------------------------------------
@pytest.fixture
def no_defaults(monkeypatch, tmp_path):
    """No environment variable, a fake repository root whose ../shared/data is tmp_path/shared/data,
    and the per-user data root under tmp_path/xdg."""
    monkeypatch.delenv(base.ENV, raising=False)
    monkeypatch.setattr(base, "_repo_roots", lambda: [tmp_path / "repo"])
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "shared" / "data"


def _make(folder, files=("a.csv", "sub/b.csv")):
    for f in files:
        (folder / f).parent.mkdir(parents=True, exist_ok=True)
        (folder / f).write_text("x")
    return folder


def test_candidate_order(no_defaults, monkeypatch, tmp_path):
    default = no_defaults / "demo"
    user = tmp_path / "xdg" / "routerlab" / "data" / "demo"  # where `routerlab data fetch` writes
    assert base.candidate_folders("demo") == [default, user]
    given = tmp_path / "given"
    # an explicit folder: the data root's sub-folder first, then the folder itself, no fallback
    assert base.candidate_folders("demo", given) == [given / "demo", given]
    monkeypatch.setenv(base.ENV, str(tmp_path / "env"))
    assert base.candidate_folders("demo") == [tmp_path / "env" / "demo", tmp_path / "env", default, user]
    assert base.candidate_folders("demo", given) == [given / "demo", given]  # explicit beats the variable


def test_find_folder_in_every_form(no_defaults, monkeypatch, tmp_path):
    files = ["a.csv", "sub/b.csv"]
    assert base.find_folder("demo", files) is None
    default = _make(no_defaults / "demo")
    assert base.find_folder("demo", files) == default
    # the variable naming the data root (new form) or the source's folder itself (old form)
    root = tmp_path / "root"
    _make(root / "demo")
    monkeypatch.setenv(base.ENV, str(root))
    assert base.find_folder("demo", files) == root / "demo"
    monkeypatch.setenv(base.ENV, str(root / "demo"))
    assert base.find_folder("demo", files) == root / "demo"
    # a variable naming a folder without the files falls back to the default
    monkeypatch.setenv(base.ENV, str(tmp_path / "empty"))
    assert base.find_folder("demo", files) == default
    # an explicit folder beats both, and never falls back
    explicit = _make(tmp_path / "explicit")
    assert base.find_folder("demo", files, explicit) == explicit
    assert base.find_folder("demo", files, tmp_path / "empty") is None
    # a folder missing one file does not count
    (default / "sub" / "b.csv").unlink()
    monkeypatch.delenv(base.ENV)
    assert base.find_folder("demo", files) is None


def test_require_folder_says_where_it_looked(no_defaults, tmp_path):
    with pytest.raises(RouterlabError, match=f"not found under {tmp_path / 'x'} .*need demo/a.csv and 1 more") as err:
        base.require_folder("demo", ["a.csv", "b.csv"], tmp_path / "x", hint="get it from Y")
    assert "\n" not in str(err.value) and str(err.value).endswith("get it from Y")


# ---- digests --------------------------------------------------------------------------------------
def test_expected_digests_parse_the_package_file():
    pinned = base.expected_digests("routerbench-subset")
    assert len(pinned) == 7 and "LICENSE.routerbench" in pinned
    assert all(len(d) == 64 and int(d, 16) >= 0 for d in pinned.values())
    assert "./LICENSE" not in base.expected_digests("routellm") and "LICENSE" in base.expected_digests("routellm")
    with pytest.raises(RouterlabError, match="no digests shipped for data source 'nope'"):
        base.expected_digests("nope")


@pytest.fixture
def pinned(monkeypatch, tmp_path):
    """A source 'demo' with one pinned file ``a.csv`` in tmp_path/demo."""
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "a.csv").write_bytes(b"q,c\n1,2\n")
    digests = {"a.csv": hashlib.sha256(b"q,c\n1,2\n").hexdigest()}
    real = base.expected_digests
    monkeypatch.setattr(base, "expected_digests", lambda name: digests if name == "demo" else real(name))
    return folder


def test_read_verified(pinned):
    assert base.read_verified(pinned, "a.csv", "demo") == b"q,c\n1,2\n"
    with pytest.raises(RouterlabError, match="not a pinned file of data source 'demo'"):
        base.read_verified(pinned, "other.csv", "demo")
    (pinned / "a.csv").write_bytes(b"q,c\n1,3\n")
    with pytest.raises(RouterlabError, match=r"a\.csv is corrupted or not the pinned version \(SHA-256 mismatch\)"):
        base.read_verified(pinned, "a.csv", "demo")
    (pinned / "a.csv").unlink()
    with pytest.raises(RouterlabError, match="cannot read .*a.csv"):
        base.read_verified(pinned, "a.csv", "demo")


# ---- the converted-table cache --------------------------------------------------------------------
@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv(base.CACHE_ENV, str(tmp_path / "cache"))
    return base.cache_folder("demo")


def test_cached_frame_second_call_reads_the_cache(cache):
    calls = []

    def build():
        calls.append(1)
        return pd.DataFrame({"x": np.arange(5), "s": list("abcde")})

    first = base.cached_frame("demo", ["digest-1", "v1"], build)
    files = list(cache.glob("*.parquet"))
    assert len(files) == 1 and not list(cache.glob(".tmp-*"))
    second = base.cached_frame("demo", ["digest-1", "v1"], build)
    assert calls == [1]  # built once
    pd.testing.assert_frame_equal(first, second)
    # another key (a new file digest or converter version) is a new entry, built again
    base.cached_frame("demo", ["digest-1", "v2"], build)
    assert calls == [1, 1] and len(list(cache.glob("*.parquet"))) == 2


def test_cached_frame_rebuilds_a_damaged_entry(cache):
    frame = pd.DataFrame({"x": [1.5, 2.5]})
    base.cached_frame("demo", ["k"], lambda: frame)
    (path,) = cache.glob("*.parquet")
    path.write_bytes(b"PAR1 truncated")
    calls = []
    again = base.cached_frame("demo", ["k"], lambda: calls.append(1) or frame)
    assert calls == [1]
    pd.testing.assert_frame_equal(again, frame)
    pd.testing.assert_frame_equal(pd.read_parquet(path), frame)  # and the entry is whole again


def test_cached_frame_survives_an_unwritable_cache(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(base.CACHE_ENV, str(blocker))
    frame = pd.DataFrame({"x": [1]})
    pd.testing.assert_frame_equal(base.cached_frame("demo", ["k"], lambda: frame), frame)


# ---- price tables -----------------------------------------------------------------------------------
def test_routerbench_price_table():
    table = read_prices("routerbench")
    assert set(table.index) == set(MODEL_COLUMNS)
    assert tuple(table.loc["gpt-4-1106-preview", ["price_in", "price_out"]]) == (10.0, 30.0)
    assert tuple(table.loc["mistralai/mistral-7b-chat", ["price_in", "price_out"]]) == (0.2, 0.2)
    assert (table["price_out"] >= table["price_in"]).all() and (table["price_in"] > 0).all()
    assert table["reference"].str.contains("TOKEN_COSTS").all()
    with pytest.raises(RouterlabError, match="no price table 'nope'"):
        read_prices("nope")
