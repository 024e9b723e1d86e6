"""RouterBench-Sim: sizes, calibration, anchoring, determinism, observables, structure, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import roc_auc_score

from routerlab.data.catalog import DATASETS, MODEL_NAMES, calibration_matrix
from routerlab.errors import RouterlabError
from routerlab.data.simulate import (ANCHORS, MIN_PER_DATASET, N_QUERIES_FULL, TOPICS, dataset_family, dataset_sizes,
                                model_discrimination, sim_targets, simulate)

REAL_N = np.array([d.n_test for d in DATASETS], dtype=float)


@pytest.fixture(scope="module")
def full_plain():
    return simulate(1.0, 0, anchor=False)


@pytest.fixture(scope="module")
def full():
    return simulate(1.0, 0)


@pytest.fixture(scope="module")
def small():
    return simulate(0.05, 7)


# ---- sizes ----------------------------------------------------------------------------------
def test_full_scale_is_exactly_67500_queries(full_plain):
    assert dataset_sizes(1.0).sum() == N_QUERIES_FULL == 67_500
    assert full_plain.quality.shape == (67_500, 6)
    assert full_plain.quality.size == 405_000
    assert full_plain.model_names == list(MODEL_NAMES)
    assert full_plain.dataset_names == [d.name for d in DATASETS]


@settings(max_examples=40, deadline=None)
@given(st.floats(min_value=1e-4, max_value=4.0, allow_nan=False))
def test_sizes_largest_remainder_and_minimum(scale):
    sizes = dataset_sizes(scale).to_numpy()
    total = max(round(N_QUERIES_FULL * scale), MIN_PER_DATASET * len(DATASETS))
    assert sizes.sum() == total
    assert sizes.min() >= MIN_PER_DATASET
    quota = total * REAL_N / REAL_N.sum()
    if quota.min() >= MIN_PER_DATASET:  # no minimum binds: plain largest remainder
        assert np.all(np.abs(sizes - quota) < 1)


def test_tiny_scale_keeps_every_dataset():
    b = simulate(0.0001, 0)
    assert b.n_queries == MIN_PER_DATASET * 12
    assert set(b.datasets) == {d.name for d in DATASETS}


# ---- calibration and anchoring -------------------------------------------------------------------
def test_realised_accuracy_matches_calibration_without_anchor(full_plain):
    target = calibration_matrix()
    assert np.allclose(full_plain.latent["targets"].to_numpy(), target.to_numpy())
    dev = (full_plain.accuracy_by_dataset() - target).abs().to_numpy()
    assert dev.max() <= 0.005


def test_anchor_hits_the_article_overall_accuracy(full):
    acc = dict(zip(full.model_names, full.accuracy()))
    for model, goal in ANCHORS.items():
        assert acc[model] == pytest.approx(goal, abs=0.002)
    assert (full.accuracy_by_dataset() - full.latent["targets"]).abs().to_numpy().max() <= 0.005
    # only the two anchored models move, each by one shift (same direction on every dataset)
    targets, shifts = sim_targets(anchor=True)
    base = calibration_matrix()
    others = [m for m in MODEL_NAMES if m not in ANCHORS]
    assert np.allclose(targets[others].to_numpy(), base[others].to_numpy())
    assert shifts["GPT-4o"] < 0 < shifts["Llama-3-8B-Instruct"]
    assert (targets["GPT-4o"] < base["GPT-4o"]).all() and (targets["Llama-3-8B-Instruct"] > base["Llama-3-8B-Instruct"]).all()
    floors = np.array([1 / d.n_choices if d.n_choices else 0 for d in DATASETS])
    assert (targets.to_numpy() > floors[:, None]).all()


def test_small_scale_accuracy_within_one_query(small):
    sizes = dataset_sizes(0.05).to_numpy()
    dev = (small.accuracy_by_dataset() - small.latent["targets"]).abs().to_numpy()
    assert (dev <= 1.0 / sizes[:, None] + 1e-12).all()


# ---- determinism ----------------------------------------------------------------------------
ARRAYS = ("quality", "cost", "features", "confidence", "prompt_tokens", "answer_tokens", "sample_ids", "subsets")


def test_same_seed_same_arrays_other_seed_differs(small):
    again = simulate(0.05, 7)
    for attr in ARRAYS:
        assert np.array_equal(getattr(small, attr), getattr(again, attr)), attr
    other = simulate(0.05, 8)
    assert not np.array_equal(small.quality, other.quality)
    assert not np.array_equal(small.features, other.features)


def test_observable_knobs_leave_outcomes_alone(small):
    b = simulate(0.05, 7, feature_signal=0.5, confidence_auc=0.9, n_features=16, prices="cheapest")
    assert np.array_equal(b.quality, small.quality)
    assert np.array_equal(b.prompt_tokens, small.prompt_tokens)
    assert b.features.shape == (small.n_queries, 16)
    assert not np.array_equal(b.cost, small.cost)  # other prices


# ---- labels, tokens, costs ------------------------------------------------------------------
def test_ids_and_topics(full_plain):
    ids = full_plain.sample_ids
    assert len(set(ids)) == len(ids)
    assert ids[0] == "ARC-Challenge.00000" and "MMLU.00042" in set(ids)
    mmlu = full_plain.subsets[full_plain.datasets == "MMLU"]
    assert len(set(mmlu)) == TOPICS["MMLU"] == 57 and "MMLU/subject_07" in set(mmlu)
    for d in DATASETS:
        subs = full_plain.subsets[full_plain.datasets == d.name]
        assert all(s.startswith(d.name + "/") for s in subs[:5])
        assert len(set(subs)) == TOPICS[d.name]


def test_cost_is_tokens_times_prices(small):
    expect = (small.prompt_tokens[:, None] * small.price_in + small.answer_tokens * small.price_out) / 1e6
    assert np.allclose(small.cost, expect, rtol=0, atol=1e-15)
    assert small.prompt_tokens.dtype.kind == "i" and (small.prompt_tokens >= 1).all()
    one_token = [d.name for d in DATASETS if d.answer_tokens <= 1]
    assert (small.answer_tokens[np.isin(small.datasets, one_token)] == 1).all()


def test_token_lengths_follow_the_catalog_and_wrong_answers_are_longer(full_plain):
    b = full_plain
    for d in DATASETS:
        m = b.datasets == d.name
        assert np.median(b.prompt_tokens[m]) == pytest.approx(d.prompt_tokens, rel=0.05)
    gsm = b.datasets == "GSM8K"
    logs, q = np.log(b.answer_tokens[gsm]), b.quality[gsm] > 0
    ratio = np.exp(np.mean([logs[~q[:, j], j].mean() - logs[q[:, j], j].mean() for j in range(6)]))
    assert ratio == pytest.approx(b.latent["params"]["wrong_answer_length"], rel=0.05)
    # cost reduction of Llama-3-8B vs GPT-4o comes out near the article's 96.5%
    cost = dict(zip(b.model_names, b.cost.mean(axis=0)))
    assert 0.9 < 1 - cost["Llama-3-8B-Instruct"] / cost["GPT-4o"] < 0.99


# ---- observables and latent truth --------------------------------------------------------------
def test_features_confidence_shapes_and_ranges(small):
    n = small.n_queries
    assert small.features.shape == (n, 64)
    assert np.allclose(small.features.mean(axis=0), 0, atol=1e-9)
    assert np.allclose(small.features.std(axis=0), 1)
    assert small.confidence.shape == (n, 6)
    assert ((small.confidence > 0) & (small.confidence < 1)).all()
    lat = small.latent
    for key in ("difficulty", "skills", "p_correct", "ability", "targets", "discrimination", "params", "topic"):
        assert key in lat
    assert lat["p_correct"].shape == (n, 6) and lat["skills"].shape[0] == n
    assert small.without_truth().latent is None
    assert small.simulated and "SIMULATED" in small.describe() and "simulated" in small.name


@pytest.mark.parametrize("target", [0.75, 0.9])
def test_confidence_auc_near_target(target):
    b = simulate(0.3, 1, confidence_auc=target)
    aucs = []
    for d in ("MMLU", "HellaSwag", "MMLU-Pro", "BBH"):
        m = b.datasets == d
        aucs += [roc_auc_score(b.quality[m, j], b.confidence[m, j]) for j in range(6)]
    assert np.mean(aucs) == pytest.approx(target, abs=0.01)
    assert b.latent["confidence_d_prime"] > 0


def test_feature_signal_controls_predictability():
    from routerlab.evaluation.error_structure import correctness_auc

    mmlu = lambda b: b.rows(b.datasets == "MMLU")  # noqa: E731
    none = correctness_auc(mmlu(simulate(0.1, 2, feature_signal=0.0)), "GPT-4o")["MMLU"]
    much = correctness_auc(mmlu(simulate(0.1, 2, feature_signal=0.5)), "GPT-4o")["MMLU"]
    assert abs(none - 0.5) < 0.05 < much - 0.5


def test_difficulty_is_shared_and_p_correct_explains_outcomes(small):
    p, q = small.latent["p_correct"], small.quality
    assert abs(p.mean() - q.mean()) < 0.01
    assert roc_auc_score(q[:, -1], p[:, -1]) > 0.8  # the latent truth predicts GPT-4o well
    floors = np.array([1 / d.n_choices if d.n_choices else 0 for d in DATASETS])
    codes = small.dataset_codes
    assert (p >= floors[codes][:, None] - 1e-12).all()


def test_inheritance_rule():
    assert dataset_family("MMLU") == "multiple_choice" == dataset_family("GPQA")
    assert dataset_family("GSM8K") == "free_form" == dataset_family("MATH-Lvl5") == dataset_family("IFEval")
    a = model_discrimination()
    lo, hi = sorted([a["Mixtral-8x7B-Instruct"], a["GPT-4o"]])
    assert ((a >= lo) & (a <= hi)).all()


@pytest.mark.slow
def test_structure_matches_the_real_targets():
    """The fitted quantity: the simulated-minus-real gap averaged over seeds 0-2 at full scale is
    within 0.05 for every fitted measurement (one seed alone varies by about 0.03 on GSM8K, whose
    1,771 simulated and 1,307 real questions make its AUCs noisy)."""
    from routerlab.evaluation.error_structure import FIT_TARGETS, simulated_structure, structure_gap

    gaps = [structure_gap(simulated_structure(1.0, s)) for s in (0, 1, 2)]
    mean = sum(gaps) / len(gaps)
    for d, c in FIT_TARGETS:
        assert abs(mean.loc[d, c]) <= 0.05, (d, c, mean.loc[d, c])
        assert all(abs(gp.loc[d, c]) <= 0.1 for gp in gaps), (d, c)


# ---- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    ({"scale": 0}, "scale"), ({"scale": -1}, "scale"), ({"scale": 250}, "scale"), ({"scale": float("nan")}, "scale"),
    ({"seed": -1}, "seed"), ({"seed": 1.5}, "seed"), ({"prices": "aws"}, "price table"),
    ({"n_features": 0}, "n_features"), ({"feature_signal": 1.5}, "feature_signal"),
    ({"confidence_auc": 0.4}, "confidence_auc"), ({"confidence_auc": 1.0}, "confidence_auc"),
    ({"spread": 2}, "unknown simulation parameter"), ({"difficulty_sd": {"free_form": 1.0}}, "difficulty_sd"),
    ({"skill_share": {"multiple_choice": 1.5, "free_form": 0.5}}, "skill_share"),
    ({"n_skills": 3}, "n_skills"), ({"topic_share": 1.0}, "topic_share"),
    ({"verbosity": {"GPT-5": 1.0}}, "model in verbosity"),
])
def test_bad_parameters_raise_one_line_errors(kwargs, match):
    kwargs = {"scale": 0.01, **kwargs}
    with pytest.raises(RouterlabError, match=match) as err:
        simulate(**kwargs)
    assert "\n" not in str(err.value)


def test_the_simulated_benchmark_is_the_recorded_one():
    """RouterBench-Sim at scale 0.05, seed 0, under the versions of constraints.txt: its quality and
    cost arrays hash to the value recorded when the book was last regenerated. A change of numpy or
    scipy that moves a single cell shows up here (update the digest only on purpose)."""
    from routerlab.book.run import simulated_data_digest

    d = simulated_data_digest(0.05, 0)
    assert (d["n_queries"], d["n_models"]) == (3375, 6)
    assert d["sha256"] == "2ea007450663127a4208ec817b1456841b622f54e16f058ac284b5481ec130bd"
