"""Structural measurements: phi of correctness, held-out AUCs, and the real targets they recompute."""

import numpy as np
import pytest

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import models_with_prices
from routerlab.errors import RouterlabError
from routerlab.evaluation.error_structure import (FIT_TARGETS, REAL_MODELS, REAL_TARGETS, STRUCTURE_COLUMNS, correctness_auc,
                                 error_phi, knob_overrides, length_auc, real_targets_table, structure_gap,
                                 structure_table, topic_auc)


def bench(quality, *, datasets=None, features=None, prompts=None, subsets=None, prompt_tokens=None):
    quality = np.asarray(quality, dtype=float)
    n, m = quality.shape
    return Benchmark(
        quality=quality, cost=np.ones((n, m)), models=models_with_prices()[:m],
        sample_ids=np.array([f"q{i}" for i in range(n)]),
        datasets=np.array(datasets if datasets is not None else ["D"] * n),
        prompt_tokens=np.asarray(prompt_tokens if prompt_tokens is not None else np.full(n, 10)),
        features=features, prompts=prompts, subsets=subsets)


def test_phi_hand_computed():
    # a = 1100, b = 1010: independent-looking 2x2 table with one of each cell -> phi 0
    b = bench([[1, 1], [1, 0], [0, 1], [0, 0]])
    assert error_phi(b, 0, 1)["D"] == pytest.approx(0.0)
    # 3 of 4 agree: a = 1100, b = 1000 -> phi = (1*1 - 0*2)... = 1/sqrt(3)
    b = bench([[1, 1], [1, 0], [0, 0], [0, 0]])
    assert error_phi(b, 0, 1)["D"] == pytest.approx(1 / np.sqrt(3))
    b = bench([[1, 0], [0, 1], [1, 0], [0, 1]])
    assert error_phi(b, 0, 1)["D"] == pytest.approx(-1.0)


def test_phi_per_dataset_and_constant_column_is_nan():
    q = [[1, 1], [0, 0], [1, 1], [1, 0]]
    b = bench(q, datasets=["A", "A", "B", "B"])
    phi = error_phi(b, 0, 1)
    assert list(phi.index) == ["A", "B"]
    assert phi["A"] == pytest.approx(1.0)
    assert np.isnan(phi["B"])  # model a always right on B
    assert error_phi(b, 0, 1, by=None).index.tolist() == ["all"]


def test_length_auc_hand_computed():
    b = bench([[1], [1], [0], [0]], prompt_tokens=[5, 10, 20, 40])
    assert length_auc(b, 0)["D"] == pytest.approx(1.0)  # short prompts right, long ones wrong
    b = bench([[0], [1], [0], [1]], prompt_tokens=[5, 10, 20, 40])
    assert length_auc(b, 0)["D"] == pytest.approx(0.25)


def test_auc_perfect_and_useless_features():
    rng = np.random.default_rng(0)
    n = 400
    y = rng.integers(0, 2, n)
    informative = np.column_stack([y + 0.05 * rng.standard_normal(n), rng.standard_normal(n)])
    noise = rng.standard_normal((n, 3))
    b = bench(np.column_stack([y, y]), features=informative)
    assert correctness_auc(b, 0)["D"] > 0.99  # default source = features (no prompts)
    assert 0.4 < correctness_auc(b, 0, features=noise)["D"] < 0.6


def test_tfidf_auc_reads_the_words():
    rng = np.random.default_rng(1)
    n = 300
    y = rng.integers(0, 2, n)
    words = np.array(["easy sum of numbers", "hard integral of a function"])
    prompts = np.array([words[1 - v] + f" item {i}" for i, v in enumerate(y)])
    b = bench(np.column_stack([y]), prompts=prompts)
    assert correctness_auc(b, 0)["D"] > 0.99  # default source = TF-IDF when prompts exist
    with pytest.raises(RouterlabError, match="no features"):
        correctness_auc(b, 0, features="features")


def test_topic_auc_and_single_topic_nan():
    rng = np.random.default_rng(2)
    n = 300
    topics = rng.choice(["t0", "t1", "t2"], n)
    y = (topics == "t1").astype(int)
    b = bench(np.column_stack([y]), subsets=topics, datasets=["D"] * n)
    assert topic_auc(b, 0)["D"] > 0.99
    b2 = bench(np.column_stack([y]), subsets=np.full(n, "only"))
    assert np.isnan(topic_auc(b2, 0)["D"])


def test_auc_nan_when_a_class_is_too_small_and_bad_inputs():
    y = np.array([1] * 20 + [0] * 3)
    b = bench(np.column_stack([y]), features=np.arange(23.0).reshape(-1, 1))
    assert np.isnan(correctness_auc(b, 0)["D"])  # 3 negatives < 5 folds
    with pytest.raises(RouterlabError, match="n_splits"):
        correctness_auc(b, 0, n_splits=1)
    with pytest.raises(RouterlabError, match="feature source"):
        correctness_auc(b, 0, features="words")
    with pytest.raises(RouterlabError, match="no prompt text"):
        correctness_auc(b, 0, features="tfidf")
    with pytest.raises(RouterlabError, match="array"):
        correctness_auc(b, 0, features=np.zeros((5, 2)))
    with pytest.raises(RouterlabError, match="unknown model"):
        error_phi(b, "nope", 0)


def test_structure_table_columns_and_gap():
    rng = np.random.default_rng(3)
    n = 200
    q = rng.integers(0, 2, (n, 2))
    b = bench(q, datasets=np.repeat(["MMLU", "GSM8K"], n // 2), features=rng.standard_normal((n, 4)),
              subsets=rng.choice(["s1", "s2"], n))
    df = structure_table(b, 0, 1)
    assert list(df.columns) == ["n", "acc_a", "acc_b", *STRUCTURE_COLUMNS]
    assert df["n"].tolist() == [100, 100]
    assert df.attrs["model_a"] == b.model_names[0] and df.attrs["features"] == "features"
    gap = structure_gap(df)
    assert gap.loc["MMLU", "phi"] == pytest.approx(df.loc["MMLU", "phi"] - REAL_TARGETS["MMLU"]["phi"])
    assert list(structure_table(b, 0, 1, datasets=["GSM8K"]).index) == ["GSM8K"]


def test_real_targets_table_and_knobs():
    t = real_targets_table()
    assert list(t.index) == ["MMLU", "GSM8K"] and list(t.columns) == list(STRUCTURE_COLUMNS)
    assert t.loc["MMLU", "phi"] > 0.3 > 0.2 > t.loc["GSM8K", "phi"]  # strong on MMLU, weak on GSM8K
    assert all(not np.isnan(REAL_TARGETS[d][c]) for d, c in FIT_TARGETS)
    kw = knob_overrides({"difficulty_sd.free_form": 2.5, "topic_share": 0.2})
    assert kw["difficulty_sd"]["free_form"] == 2.5 and "multiple_choice" in kw["difficulty_sd"]
    assert kw["topic_share"] == 0.2
    with pytest.raises(RouterlabError, match="unknown structural knob"):
        knob_overrides({"spread": 1.0})


def _real_dir():
    from routerlab.data.sources.routellm import find_routellm_dir

    return find_routellm_dir()


@pytest.mark.slow
@pytest.mark.skipif(_real_dir() is None, reason="RouteLLM files not found beside the repository")
def test_real_targets_recomputed_from_the_files():
    from routerlab.data.sources.routellm import load_routellm

    real = load_routellm(drop_contaminated=True)
    df = structure_table(real, REAL_MODELS[0], REAL_MODELS[1], seed=0)
    stored = real_targets_table(accuracy=True)
    for d in stored.index:
        for c in stored.columns:
            if np.isnan(stored.loc[d, c]):
                assert np.isnan(df.loc[d, c])
            else:
                assert df.loc[d, c] == pytest.approx(stored.loc[d, c], abs=0.01), (d, c)
    from routerlab.evaluation.error_structure import REAL_N

    assert df["n"].to_dict() == REAL_N


def test_max_phi_hand_cases_and_nested_outcomes_reach_it():
    from routerlab.evaluation.error_structure import max_phi

    assert max_phi(0.5, 0.5) == pytest.approx(1.0)  # identical marginals, no guessing
    assert max_phi(0.8, 0.5) == pytest.approx(np.sqrt(0.5 * 0.2 / (0.8 * 0.5)))  # ordinary phi_max
    # nested knowledge + independent 1/4 guesses: the bound is what such outcomes show
    rng = np.random.default_rng(0)
    n = 400_000
    u = rng.random(n)
    ka, kb = u < 0.8, u < 0.6  # b knows a subset of what a knows
    ya = ka | (rng.random(n) < 0.25)
    yb = kb | (rng.random(n) < 0.25)
    bound = max_phi(ya.mean(), yb.mean(), 0.25)
    assert np.corrcoef(ya, yb)[0, 1] == pytest.approx(bound, abs=0.005)
    assert bound < max_phi(ya.mean(), yb.mean())  # guessing lowers the ceiling
    with pytest.raises(RouterlabError):
        max_phi(0.2, 0.5, 0.25)


def test_fold_tfidf_equals_refitting_the_vectoriser_on_the_training_texts():
    """Counting every text once and keeping, per fold, the terms of >= min_df training texts with
    their training idf gives TfidfVectorizer(**TFIDF_SETTINGS) refitted on that fold."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from routerlab.evaluation import error_structure as es

    rng = np.random.default_rng(0)
    words = np.array(["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "Iota", "kappa"])
    texts = tuple(" ".join(rng.choice(words, size=rng.integers(1, 9))) for _ in range(120))
    counts = es._text_counts(texts)
    for seed in range(3):
        order = np.random.default_rng(seed).permutation(len(texts))
        train, test = np.sort(order[:90]), np.sort(order[90:])
        vec = TfidfVectorizer(**es.TFIDF_SETTINGS)
        want_tr = vec.fit_transform([texts[i] for i in train])
        want_te = vec.transform([texts[i] for i in test])
        got_tr, got_te = es._fold_tfidf(counts, train, test)
        assert got_tr.shape == want_tr.shape and got_te.shape == want_te.shape
        assert abs(got_tr - want_tr).max() < 1e-12 and abs(got_te - want_te).max() < 1e-12
    assert es._text_counts(texts) is counts          # the second model's table reuses the counts
