"""Saved routers read as hostile files: a corpus of ``.rlr`` files built here (bombs, regular
expressions, unbounded n-grams, wrong types and shapes, non-regular files), each refused by
``load_router`` and by ``routerlab route`` with one line, quickly and in bounded memory."""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import signal
import socket
import time
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

import routerlab as rl
from routerlab.cli import main
from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError
from routerlab.routing import saved
from routerlab.routing.saved import fit_router, load_router, route_prompts, save_router

WORDS = {"ARC-Challenge": "science atom cell energy planet", "GSM8K": "apples sum total how many numbers",
         "MMLU": "history law economics philosophy"}


def _text_bench(seed: int = 0) -> Benchmark:
    sim = rl.simulate(scale=0.02, seed=seed)
    b = sim.rows(np.flatnonzero(np.isin(sim.datasets, list(WORDS))))
    rng = np.random.default_rng(seed)
    prompts = np.array([f"{WORDS[d]} question {rng.integers(1000)} " + " ".join(rng.choice(WORDS[d].split(), 3))
                        for d in b.datasets], dtype=object)
    return replace(b, prompts=prompts, features=None, name="text-sim")


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    """(meta, arrays) of two valid files: kNN on TF-IDF text features, and MLP on no features."""
    folder = tmp_path_factory.mktemp("rlr")
    bench = _text_bench()
    out = {}
    router, train, fe, _ = fit_router(bench, "knn", seed=0)
    out["knn"] = _members(save_router(router, folder / "knn.rlr", train, features=fe))
    router, train, fe, _ = fit_router(replace(bench, prompts=None), "mlp", seed=0)
    out["mlp"] = _members(save_router(router, folder / "mlp.rlr", train))
    return out


def _members(path: Path) -> tuple[dict, dict]:
    with zipfile.ZipFile(path) as z:
        meta = json.loads(z.read("meta.json"))
        with np.load(io.BytesIO(z.read("arrays.npz"))) as npz:
            arrays = {k: npz[k] for k in npz.files}
    return meta, arrays


def _write(path: Path, meta: dict, arrays: dict, *, raw_arrays: bytes | None = None,
           extra: dict | None = None) -> Path:
    """A file as an attacker would write it: the arrays' digest recomputed, so only the checks
    on the content can refuse it."""
    if raw_arrays is None:
        buf = io.BytesIO()
        np.savez(buf, **arrays)
        raw_arrays = buf.getvalue()
    if meta.get("arrays_sha256") is not None:  # (a case that removes the digest keeps it removed)
        meta = dict(meta, arrays_sha256=hashlib.sha256(raw_arrays).hexdigest())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta.json", json.dumps(meta))
        z.writestr("arrays.npz", raw_arrays)
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def _word(meta) -> dict:
    return meta["features"]["state"]["state"]["__dict__"]["word_"]


def _word_params(meta) -> dict:
    return _word(meta)["params"]["__dict__"]


def _svd_fitted(meta) -> dict:
    return meta["features"]["state"]["state"]["__dict__"]["svd_"]["fitted"]["__dict__"]


def _knn_params(meta) -> dict:
    return meta["state"]["params"]["__dict__"]


def _knn_fitted(meta) -> dict:
    return meta["state"]["fitted"]["__dict__"]


def _key(ref: dict) -> str:
    return next(iter(ref.values()))


# ---- the corpus: (base file, edit of (meta, arrays), what the message names) ---------------------------
def _set(getter, key, value):
    def edit(meta, arrays):
        getter(meta)[key] = value
    return edit


def _array(getter, key, make):
    """Replace the array behind ``getter(meta)[key]`` by ``make(old)``."""
    def edit(meta, arrays):
        k = _key(getter(meta)[key])
        arrays[k] = make(arrays[k])
    return edit


def _top(key, value):
    def edit(meta, arrays):
        meta[key] = value
    return edit


CORPUS = {
    # regular expressions and n-grams of the feature extractor
    "catastrophic token_pattern": ("knn", _set(_word_params, "token_pattern", r"(\w+)+!"), "token_pattern"),
    "token_pattern of another kind": ("knn", _set(_word_params, "token_pattern", {"__tuple__": ["a"]}), "token_pattern"),
    "word n-grams up to 100000": ("knn", _set(_word_params, "ngram_range", {"__tuple__": [1, 100000]}), "ngram_range"),
    "word 4-grams": ("knn", _set(_word_params, "ngram_range", {"__tuple__": [1, 4]}), "ngram_range"),
    "char n-grams up to 100000": ("knn", lambda m, a: (_word_params(m).update(
        analyzer="char", ngram_range={"__tuple__": [1, 100000]})), "ngram_range"),
    "reversed n-gram range": ("knn", _set(_word_params, "ngram_range", {"__tuple__": [3, 1]}), "ngram_range"),
    "n-gram range as text": ("knn", _set(_word_params, "ngram_range", "1,2"), "ngram_range"),
    "unknown analyzer": ("knn", _set(_word_params, "analyzer", "exec"), "analyzer"),
    "a preprocessor": ("knn", _set(_word_params, "preprocessor", "os.system"), "preprocessor"),
    "a stop-word list": ("knn", _set(_word_params, "stop_words", ["a", "b"]), "stop_words"),
    "a fixed vocabulary parameter": ("knn", _set(_word_params, "vocabulary", {"__dict__": {"a": 0}}), "vocabulary"),
    "unknown vectoriser parameter": ("knn", _set(_word_params, "evil", 1), "unknown parameter"),
    "max_features 1e12": ("knn", _set(_word_params, "max_features", 10**12), "max_features"),
    "object dtype": ("knn", _set(_word_params, "dtype", {"__dtype__": "object"}), "dtype"),
    "SVD of a million components": ("knn", lambda m, a: m["features"]["state"]["state"]["__dict__"]["svd_"]["params"][
        "__dict__"].update(n_components=10**6), "n_components"),
    "unknown estimator": ("knn", lambda m, a: _word(m).update(__sklearn__="Pipeline"), "unknown estimator"),
    # fitted arrays of the extractor
    "IDF weights as text": ("knn", _array(lambda m: _word(m)["fitted"]["__dict__"], "idf_",
                                          lambda x: x.astype(str)), "weights"),
    "IDF weights too short": ("knn", _array(lambda m: _word(m)["fitted"]["__dict__"], "idf_",
                                            lambda x: x[:-1]), "weights"),
    "IDF weight infinite": ("knn", _array(lambda m: _word(m)["fitted"]["__dict__"], "idf_",
                                          lambda x: np.where(np.arange(x.size) == 0, np.inf, x)), "weights"),
    "vocabulary repeats a term": ("knn", _array(lambda m: _word(m)["fitted"]["__dict__"], "vocabulary_",
                                                lambda x: np.where(np.arange(x.size) == 1, x[0], x)), "repeats"),
    "vocabulary as numbers": ("knn", lambda m, a: _word(m)["fitted"]["__dict__"].update(
        vocabulary_={"__array__": _key(_word(m)["fitted"]["__dict__"]["idf_"])}), "vocabulary"),
    "SVD components transposed": ("knn", _array(_svd_fitted, "components_", lambda x: x.T.copy()), "SVD"),
    "SVD components NaN": ("knn", _array(_svd_fitted, "components_", lambda x: x * np.nan), "SVD"),
    "SVD components 1-d": ("knn", _array(_svd_fitted, "components_", lambda x: x.ravel()), "SVD"),
    "SVD unexpected attribute": ("knn", _set(_svd_fitted, "transform", "evil"), "unexpected fitted"),
    # router options and fitted state
    "kNN chunk -1": ("knn", _set(_knn_params, "chunk", -1), "chunk"),
    "kNN k 2.5": ("knn", _set(_knn_params, "k", 2.5), "whole number"),
    "kNN within_dataset maybe": ("knn", _set(_knn_params, "within_dataset", "maybe"), "true or false"),
    "kNN k as a list": ("knn", _set(_knn_params, "k", [1, 2]), "knn.k"),
    "seed as text": ("knn", _set(_knn_params, "seed", "0"), "seed"),
    "dunder attribute": ("knn", _set(_knn_params, "__class__", "x"), "state"),
    "parameter named like a fitted one": ("knn", _set(_knn_params, "E_", 1), "mixes"),
    "params a list": ("knn", lambda m, a: m["state"].update(params=[1, 2]), "state"),
    "fitted null": ("knn", lambda m, a: m["state"].update(fitted=None), "state"),
    "embeddings of the wrong width": ("knn", _array(_knn_fitted, "E_", lambda x: x[:, :3].copy()), "corrupt"),
    "embeddings as text": ("knn", _array(_knn_fitted, "E_", lambda x: x.astype(str)), "corrupt"),
    "outcomes of the wrong shape": ("knn", _array(_knn_fitted, "Q_", lambda x: x[:, :2].copy()), "corrupt"),
    "model names as text": ("knn", _set(_knn_fitted, "model_names_", "GPT-4o"), "fitted on"),
    "missing array": ("knn", _set(_knn_fitted, "E_", {"__array__": "a999"}), "missing"),
    "number where an array is": ("knn", _set(_knn_fitted, "E_", 3.5), "corrupt"),
    "text array of numbers": ("knn", _set(_knn_fitted, "train_datasets_", {"__strarray__": "a9"}), "text array"),
    "scalar from a matrix": ("knn", _set(_knn_fitted, "cost_min_", {"__scalar__": "a9"}), "stored as an array"),
    "tuple of an object": ("knn", _set(_knn_fitted, "cost_min_", {"__tuple__": {"a": 1}}), "tuple"),
    "mapping of a list": ("knn", _set(_knn_fitted, "cost_model_", {"__dict__": [1, 2]}), "mapping"),
    "unknown object kind": ("knn", lambda m, a: _knn_fitted(m)["cost_model_"].update(__object__="Popen"), "object kind"),
    "object state a list": ("knn", lambda m, a: _knn_fitted(m)["cost_model_"].update(state=[1]), "state"),
    "entry of five keys": ("knn", _set(_knn_fitted, "E_", {"a": 1, "b": 2, "c": 3, "d": 4, "e": 5}), "unexpected"),
    "MLP layers that do not chain": ("mlp", _array(_knn_fitted, "W2_", lambda x: x[:, :-1].copy()), "corrupt"),
    "MLP weights as text": ("mlp", _array(_knn_fitted, "W1_", lambda x: x.astype(str)), "corrupt"),
    "MLP weights NaN": ("mlp", _array(_knn_fitted, "W1_", lambda x: x * np.nan), "not finite"),
    # meta.json fields
    "state a list": ("knn", _top("state", [1, 2]), "state"),
    "state null": ("knn", _top("state", None), "state"),
    "router a list": ("knn", _top("router", ["knn"]), "router"),
    "router name null": ("knn", lambda m, a: m["router"].update(name=None), "router name"),
    "unknown router name": ("knn", lambda m, a: m["router"].update(name="telepathy"), "does not know"),
    "models text": ("knn", _top("models", "GPT-4o"), "model list"),
    "models empty": ("knn", _top("models", []), "model list"),
    "model null": ("knn", lambda m, a: m["models"].__setitem__(0, None), "model list"),
    "price NaN": ("knn", lambda m, a: m["models"][0].update(price_in=float("nan")), "model list"),
    "price negative": ("knn", lambda m, a: m["models"][0].update(price_out=-1.0), "model list"),
    "price text": ("knn", lambda m, a: m["models"][0].update(price_out="1"), "model list"),
    "model name a number": ("knn", lambda m, a: m["models"][0].update(name=5), "model list"),
    "model listed twice": ("knn", lambda m, a: m["models"].__setitem__(1, m["models"][0]), "repeats"),
    "features a list": ("knn", _top("features", []), "features"),
    "unknown feature kind": ("knn", lambda m, a: m["features"].update(kind="pickle"), "feature pipeline"),
    "feature width 1e9": ("knn", lambda m, a: m["features"].update(dim=10**9), "feature width"),
    "feature state missing": ("knn", lambda m, a: m["features"].update(state=None), "feature pipeline"),
    "feature state another object": ("knn", lambda m, a: m["features"].update(state=m["state"]["fitted"]["__dict__"][
        "encoder_"]), "TfidfSvdFeatures"),
    "training text": ("knn", _top("training", "x"), "training"),
    "training datasets text": ("knn", lambda m, a: m["training"].update(datasets="MMLU"), "training"),
    "format version text": ("knn", _top("format_version", "1"), "format version"),
    "digest missing": ("knn", _top("arrays_sha256", None), "digest"),
}


def _npy(header: str, body: bytes = b"") -> bytes:
    """A .npy member with a hand-written header (version 1.0)."""
    head = header.encode("latin1")
    pad = 64 - (10 + len(head) + 1) % 64
    head += b" " * pad + b"\n"
    return b"\x93NUMPY\x01\x00" + len(head).to_bytes(2, "little") + head + body


def _npz(members: dict[str, bytes], method=zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


RAW_ARRAYS = {  # arrays.npz replaced as a whole
    "object array (pickle)": (_npy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", b"\x80\x04N."), "dtype"),
    "a trillion floats declared": (_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", b"\0" * 80),
                                   "does not match"),
    "huge shape, no data": (_npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000, 1000000), }"),
                            "does not match"),
    "record dtype": (_npy("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", b"\0" * 8), "dtype"),
    "bytes dtype": (_npy("{'descr': '|S4', 'fortran_order': False, 'shape': (1,), }", b"abcd"), "dtype"),
    "text 100000 wide": (_npy("{'descr': '<U100000', 'fortran_order': False, 'shape': (0,), }"), "wider"),
    "garbage header": (b"\x93NUMPY\x01\x00\x10\x00{'descr': ev  }\n", "corrupt"),
    "not an npy": (b"hello", "corrupt"),
}


@pytest.fixture(autouse=True)
def _deadline():
    """Every case finishes within 30 s (a hang on a FIFO or a regex fails the test)."""
    def expire(*_):
        raise TimeoutError("a hostile router file took more than 30 s")
    old = signal.signal(signal.SIGALRM, expire)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def _refused(path, match: str | None = None) -> str:
    t0 = time.perf_counter()
    with pytest.raises(RouterlabError) as e:
        load_router(path)
    msg = str(e.value)
    assert "\n" not in msg and msg.startswith("router file"), msg
    assert time.perf_counter() - t0 < 10
    if match is not None:
        assert match.lower() in msg.lower(), msg
    return msg


def test_the_originals_load_and_route(originals, tmp_path):
    meta, arrays = originals["knn"]
    router, info = load_router(_write(tmp_path / "ok.rlr", meta, arrays))
    res = route_prompts(router, info, ["how many apples in total", "the law of history"])
    assert res["choice"].shape == (2,)
    load_router(_write(tmp_path / "mlp.rlr", *originals["mlp"]))


@pytest.mark.parametrize("case", list(CORPUS))
def test_tampered_state_is_one_line(case, originals, tmp_path):
    base, edit, match = CORPUS[case]
    meta, arrays = originals[base]
    meta, arrays = json.loads(json.dumps(meta)), dict(arrays)
    edit(meta, arrays)
    _refused(_write(tmp_path / "bad.rlr", meta, arrays), match)


@pytest.mark.parametrize("case", list(RAW_ARRAYS))
def test_hostile_npy_members_are_one_line(case, originals, tmp_path):
    data, match = RAW_ARRAYS[case]
    meta, _ = originals["knn"]
    _refused(_write(tmp_path / "bad.rlr", meta, {}, raw_arrays=_npz({"a0.npy": data})), match)


def test_compressed_npy_bomb_is_refused(originals, tmp_path, monkeypatch):
    monkeypatch.setattr(saved, "MAX_ARRAYS_BYTES", 1 << 20)
    meta, _ = originals["knn"]
    bomb = _npz({"a0.npy": _npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1048576,), }",
                                bytes(8 << 20))}, zipfile.ZIP_DEFLATED)
    assert len(bomb) < 100_000
    _refused(_write(tmp_path / "bomb.rlr", meta, {}, raw_arrays=bomb), "bytes")


def _bomb(path: Path, size: int) -> Path:
    """A zip whose meta.json expands to ``size`` bytes of spaces (streamed: never in memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open("meta.json", "w", force_zip64=True) as f:
            chunk = b" " * (1 << 22)
            for _ in range(size // len(chunk)):
                f.write(chunk)
        z.writestr("arrays.npz", b"")
    return path


@pytest.mark.slow  # writing the 1 GB bomb takes ~12 s; reading it is instant
def test_a_gigabyte_meta_json_is_refused_quickly_in_bounded_memory(tmp_path):
    path = _bomb(tmp_path / "bomb.rlr", 1 << 30)
    assert path.stat().st_size < 5_000_000  # ~1 GB of JSON in a few MB
    tracemalloc.start()
    t0 = time.perf_counter()
    msg = _refused(path, "meta.json")
    seconds = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert "declares" in msg and seconds < 1.0 and peak < 10 << 20


def test_a_member_larger_than_it_declares_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(saved, "MAX_META_BYTES", 1 << 20)
    path = _bomb(tmp_path / "liar.rlr", 8 << 20)
    data = bytearray(path.read_bytes())
    # rewrite every recorded uncompressed size of meta.json (zip64 extra fields) to 100 bytes
    size = (8 << 20).to_bytes(8, "little")
    assert data.count(size) >= 1
    path.write_bytes(bytes(data).replace(size, (100).to_bytes(8, "little")))
    _refused(path)


def test_a_member_over_the_cap_is_refused(originals, tmp_path, monkeypatch):
    meta, arrays = originals["knn"]
    monkeypatch.setattr(saved, "MAX_META_BYTES", 1000)
    _refused(_write(tmp_path / "big.rlr", meta, arrays), "meta.json")


@pytest.mark.parametrize("extra", [{"evil.py": b"print(1)"}, {"meta.json": b"{}"}])
def test_members_other_than_the_two_are_refused(originals, tmp_path, extra):
    meta, arrays = originals["knn"]
    with contextlib.suppress(UserWarning), pytest.warns(UserWarning) if "meta.json" in extra else contextlib.nullcontext():
        path = _write(tmp_path / "extra.rlr", meta, arrays, extra=extra)
    _refused(path, "exactly")


def test_deeply_nested_json_is_one_line(tmp_path):
    with zipfile.ZipFile(tmp_path / "deep.rlr", "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("meta.json", "[" * 200_000 + "]" * 200_000)
        z.writestr("arrays.npz", b"")
    _refused(tmp_path / "deep.rlr", "JSON")


# ---- not a regular file ----------------------------------------------------------------------------
def _fifo(tmp_path):
    path = tmp_path / "pipe.rlr"
    os.mkfifo(path)
    return path


def _socket(tmp_path):
    path = tmp_path / "sock.rlr"
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    return path


def _symlink_to_zero(tmp_path):
    path = tmp_path / "zero.rlr"
    path.symlink_to("/dev/zero")
    return path


NON_REGULAR = {"FIFO": _fifo, "/dev/zero": lambda p: Path("/dev/zero"), "a symlink to /dev/zero": _symlink_to_zero,
               "a folder": lambda p: p, "a socket": _socket}


@pytest.mark.parametrize("case", list(NON_REGULAR))
def test_non_regular_files_are_refused_before_reading(case, tmp_path):
    if not Path("/dev/zero").exists() and "zero" in case:
        pytest.skip("no /dev/zero here")
    _refused(NON_REGULAR[case](tmp_path), "folder" if case == "a folder" else "not a regular file")


@pytest.mark.parametrize("case", ["FIFO", "/dev/zero"])
def test_route_command_refuses_non_regular_files(case, tmp_path, capsys):
    path = NON_REGULAR[case](tmp_path)
    assert main(["route", "--router", str(path), "--prompt", "hello"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("routerlab: error: ") and "\n" not in err and "regular file" in err


def test_route_command_refuses_a_tampered_file(originals, tmp_path, capsys):
    meta, arrays = json.loads(json.dumps(originals["knn"][0])), originals["knn"][1]
    _word_params(meta)["token_pattern"] = r"(\w+)+!"
    path = _write(tmp_path / "regex.rlr", meta, arrays)
    assert main(["route", "--router", str(path), "--prompt", "a" * 34]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "token_pattern" in err



def test_character_ngrams_within_bounds_round_trip(tmp_path):
    """The allow-list keeps every file routerlab writes loadable: word 1-2-grams and character
    3-5-grams (``TfidfSvdFeatures(chars=True)``)."""
    from routerlab.routing.features import TfidfSvdFeatures

    bench = _text_bench()
    fe = TfidfSvdFeatures(dim=16, seed=0, chars=True).fit(bench.prompts)
    train = replace(bench, features=fe.transform(bench.prompts))
    router = rl.make_router("knn").fit(train)
    loaded, meta = load_router(save_router(router, tmp_path / "chars.rlr", train, features=fe))
    assert meta["pipeline"].char_.ngram_range == (3, 5)
    np.testing.assert_array_equal(meta["pipeline"].transform(bench.prompts[:5]), fe.transform(bench.prompts[:5]))


def _many_members(n: int) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for i in range(n):
            z.writestr(f"a{i}.npy", b"")
    return buf.getvalue()


def test_a_directory_of_many_members_is_refused_before_it_is_parsed(originals, tmp_path):
    path = tmp_path / "many.rlr"
    path.write_bytes(_many_members(70_000))  # more than a zip without zip64 can count: zip64 record
    _refused(path, "exactly meta.json and arrays.npz")
    path.write_bytes(_many_members(3))
    _refused(path, "exactly meta.json and arrays.npz")
    meta, _ = originals["knn"]
    _refused(_write(tmp_path / "npz.rlr", meta, {}, raw_arrays=_many_members(20_000)), "at most 10,000 arrays")
