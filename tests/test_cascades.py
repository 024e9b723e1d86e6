"""Cascades: the article's confidence cascade and FrugalGPT's learned chain, with cost accounting."""

from __future__ import annotations

from dataclasses import replace
from itertools import permutations, product

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routerlab.data.benchmark import Benchmark
from routerlab.routing.cascades import CascadeRouter, FrugalGPTRouter, search_chains
from routerlab.data.catalog import MODELS
from routerlab.errors import RouterlabError
from routerlab.metrics import routing_score
from routerlab.routing.routers import make_router


def bench(quality, cost, confidence=None, features=None, datasets=None) -> Benchmark:
    q = np.asarray(quality, dtype=float)
    n, m = q.shape
    return Benchmark(quality=q, cost=np.asarray(cost, float), models=MODELS[:m],
                     sample_ids=np.arange(n).astype(str),
                     datasets=np.array(["A"] * n) if datasets is None else np.asarray(datasets),
                     prompt_tokens=np.full(n, 100), features=features,
                     confidence=None if confidence is None else np.asarray(confidence, float))


def confident_bench(n: int = 1200, seed: int = 0) -> Benchmark:
    """Three models, dearer and more accurate from left to right; confidence is informative.

    A model's confidence is high (0.8-1.0) when it is right and low (0.0-0.6) when wrong, except
    for a 10% of noisy rows. Model 2 is always right but costs 10x model 0.
    """
    rng = np.random.default_rng(seed)
    acc = np.array([0.55, 0.75, 1.0])
    q = (rng.random((n, 3)) < acc).astype(float)
    conf = np.where(q > 0, rng.uniform(0.8, 1.0, (n, 3)), rng.uniform(0.0, 0.6, (n, 3)))
    noisy = rng.random((n, 3)) < 0.1
    conf = np.where(noisy, rng.random((n, 3)), conf)
    cost = np.array([1.0, 3.0, 10.0]) * rng.uniform(0.9, 1.1, (n, 3)) * 1e-4
    feats = rng.normal(size=(n, 4))
    return bench(q, cost, conf, feats)


# ---- the article's cascade --------------------------------------------------------------------

# columns: cheap, medium, dear (by cost); the dear model is the most accurate in training
Q = np.array([[1, 0, 1], [0, 1, 1], [0, 0, 1], [1, 1, 1]], dtype=float)
C = np.array([[1, 2, 5], [1, 2, 5], [1, 2, 5], [1, 2, 5]], dtype=float)
CONF = np.array([[0.9, 0.1, 0.1],    # stage 0 accepts
                 [0.2, 0.7, 0.1],    # stage 1 accepts (0.7 >= 0.7)
                 [0.1, 0.2, 0.3],    # nobody: fall back to the dear model, all three paid
                 [0.6, 0.69, 0.95]])  # stage 2 accepts


def test_cascade_by_hand_cost_accounting_and_fallback():
    b = bench(Q, C, CONF)
    r = CascadeRouter(threshold=0.7).fit(b)
    out = r.route(b)
    np.testing.assert_array_equal(r.order_, [0, 1, 2])
    assert r.fallback_ == 2
    np.testing.assert_array_equal(out.choice, [0, 1, 2, 2])
    np.testing.assert_array_equal(out.calls, [[1, 0, 0], [1, 1, 0], [1, 1, 1], [1, 1, 1]])
    np.testing.assert_array_equal(out.paid(b.cost), [1, 3, 8, 8])       # the sum of the called models
    np.testing.assert_array_equal(r.stop_stage_, [0, 1, -1, 2])
    assert r.fallback_rate_ == 0.25


def test_cascade_order_is_by_training_cost_and_fallback_by_accuracy():
    # the catalog order is reversed in price here: column 2 is the cheapest
    q = np.array([[0, 1, 0], [0, 1, 1], [1, 1, 0]], dtype=float)
    c = np.array([[9, 4, 1], [9, 4, 1], [9, 4, 1]], dtype=float)
    conf = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 0.8], [0.0, 0.9, 0.1]])
    b = bench(q, c, conf)
    r = CascadeRouter(threshold=0.7).fit(b)
    np.testing.assert_array_equal(r.order_, [2, 1, 0])
    assert r.fallback_ == 1                                   # accuracy 1.0
    out = r.route(b)
    np.testing.assert_array_equal(out.choice, [1, 2, 1])
    np.testing.assert_array_equal(out.paid(b.cost), [14, 1, 5])


def test_cascade_threshold_extremes():
    b = confident_bench(200)
    low = CascadeRouter(threshold=0.0).fit(b).route(b)
    assert np.all(low.choice == 0) and low.calls.sum() == b.n_queries      # first answer always accepted
    r = CascadeRouter(threshold=1.0).fit(replace(b, confidence=np.clip(b.confidence, 0, 0.99)))
    high = r.route(replace(b, confidence=np.clip(b.confidence, 0, 0.99)))
    assert r.fallback_rate_ == 1.0 and high.calls.all()
    assert np.all(high.choice == 2)


def test_cascade_subset_of_models_and_errors():
    b = confident_bench(100)
    r = CascadeRouter(models=[MODELS[2].name, MODELS[0].name]).fit(b)
    np.testing.assert_array_equal(r.order_, [0, 2])
    assert not r.route(b).calls[:, 1].any()
    with pytest.raises(RouterlabError):
        CascadeRouter(threshold=1.5)
    with pytest.raises(RouterlabError, match="confidence"):
        CascadeRouter().fit(b).route(replace(b, confidence=None))
    with pytest.raises(RouterlabError):
        CascadeRouter(models=[]).fit(b)


# ---- the chain search -------------------------------------------------------------------------

def brute_force_best(scores, quality, cost, grid, max_length):
    """Reference: every chain and threshold tuple simulated query by query (slow, obvious)."""
    n, m = quality.shape
    lo, hi = cost.min(), cost.max()
    D = min(max_length, m)
    levels = [-np.inf] + list(grid)
    best = (-1.0, None)
    for chain in permutations(range(m), D):
        for th in product(levels, repeat=D - 1):
            total = 0.0
            for i in range(n):
                paid = 0.0
                for s, j in enumerate(chain):
                    paid += cost[i, j]
                    if s == D - 1 or scores[i, j] >= th[s]:
                        total += quality[i, j] * (1 - min(max((paid - lo) / (hi - lo), 0.0), 1.0))
                        break
            if total / n > best[0] + 1e-12:
                best = (total / n, (chain, th))
    return best


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(1, 4), max_length=st.integers(1, 3))
def test_search_chains_matches_brute_force(seed, m, max_length):
    rng = np.random.default_rng(seed)
    n = 25
    scores = rng.random((n, m))
    quality = (rng.random((n, m)) < 0.6).astype(float)
    cost = rng.uniform(1, 5, (n, m)) * np.arange(1, m + 1)
    grid = np.array([0.3, 0.6, 0.85])
    res = search_chains(scores, quality, cost, max_length=max_length, grid=grid)
    ref_value, _ = brute_force_best(scores, quality, cost, grid, max_length)
    assert res["rs"] == pytest.approx(ref_value, abs=1e-12)
    # the reported strategy, replayed, gives the reported value
    chain, th = res["models"], list(res["thresholds"]) + [-np.inf]
    assert len(th) == len(chain) <= min(max_length, m)
    lo, hi = cost.min(), cost.max()
    total = 0.0
    for i in range(n):
        paid = 0.0
        for s, j in enumerate(chain):
            paid += cost[i, j]
            if scores[i, j] >= th[s]:
                total += quality[i, j] * (1 - min(max((paid - lo) / (hi - lo), 0), 1))
                break
    assert total / n == pytest.approx(res["rs"], abs=1e-12)
    assert res["rs"] >= res["single_rs"].max() - 1e-12


def test_search_chains_budget_mode():
    rng = np.random.default_rng(4)
    scores = rng.random((200, 3))
    quality = (rng.random((200, 3)) < [0.5, 0.7, 0.95]).astype(float)
    cost = np.broadcast_to([1.0, 2.0, 8.0], (200, 3)).copy()
    free = search_chains(scores, quality, cost, budget=100.0)
    assert free["quality"] >= quality.mean(axis=0).max() - 1e-12
    tight = search_chains(scores, quality, cost, budget=1.5)
    assert tight["mean_cost"] <= 1.5 + 1e-12
    assert tight["quality"] < free["quality"]
    # an infeasible budget returns the cheapest strategy: the cheapest model alone
    none = search_chains(scores, quality, cost, budget=0.5)
    assert none["models"] == (0,) and none["mean_cost"] == 1.0


# ---- FrugalGPT ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def frugal():
    b = confident_bench(1500)
    tr, te = b.rows(slice(0, 1000)), b.rows(slice(1000, None))
    return tr, te, FrugalGPTRouter(seed=0).fit(tr)


def test_frugalgpt_never_worse_than_its_best_single_chain_on_training_rows(frugal):
    tr, te, r = frugal
    s = r.search_
    assert s["rs"] >= s["single_rs"].max() - 1e-12
    # single-model RS on the training rows, recomputed independently
    for j in range(tr.n_models):
        assert s["single_rs"][j] == pytest.approx(routing_score(tr.quality[:, j], tr.cost[:, j], tr.cost))
    # and better than every 2-model chain with a fixed middling threshold (search is a maximum)
    lo, hi = tr.cost.min(), tr.cost.max()
    for a, b in permutations(range(3), 2):
        stop = r.oof_scores_[:, a] >= 0.5
        paid = np.where(stop, tr.cost[:, a], tr.cost[:, a] + tr.cost[:, b])
        q = np.where(stop, tr.quality[:, a], tr.quality[:, b])
        assert s["rs"] >= np.mean(q * (1 - np.clip((paid - lo) / (hi - lo), 0, 1))) - 1e-12


def test_frugalgpt_learns_a_cheap_first_chain_and_beats_single_models(frugal):
    tr, te, r = frugal
    assert r.chain_[0] == MODELS[0].name and len(r.chain_) >= 2
    out = r.route(te)
    rs = routing_score(out.returned_quality(te.quality), out.paid(te.cost), te.cost)
    singles = [routing_score(te.quality[:, j], te.cost[:, j], te.cost) for j in range(3)]
    assert rs > max(singles)
    assert r.stage_shares_.sum() == pytest.approx(1.0)


def test_frugalgpt_cost_accounting(frugal):
    tr, te, r = frugal
    out = r.route(te)
    assert out.calls[np.arange(te.n_queries), out.choice].all()          # the answer was paid for
    cols = r.chain_cols_
    # calls follow the chain: a later stage is only called after every earlier one
    for s in range(1, len(cols)):
        assert np.all(out.calls[:, cols[s - 1]] >= out.calls[:, cols[s]])
    assert not out.calls[:, [j for j in range(3) if j not in cols]].any()
    np.testing.assert_allclose(out.paid(te.cost), np.where(out.calls, te.cost, 0).sum(axis=1))


def test_frugalgpt_cross_fitting_uses_out_of_fold_scores(frugal):
    tr, te, r = frugal
    in_sample = r.scorer_.predict_proba(r.encoder_.transform(tr), np.stack(
        [tr.confidence, np.log(np.clip(tr.confidence, 1e-4, 1 - 1e-4) / (1 - np.clip(tr.confidence, 1e-4, 1 - 1e-4)))],
        axis=2))
    assert r.oof_scores_.shape == (tr.n_queries, 3)
    assert not np.allclose(r.oof_scores_, in_sample)
    assert np.corrcoef(r.oof_scores_.ravel(), in_sample.ravel())[0, 1] > 0.9


def test_frugalgpt_budget_option():
    b = confident_bench(900, seed=2)
    r = FrugalGPTRouter(budget=1.5e-4).fit(b)
    assert r.search_["mean_cost"] <= 1.5e-4
    with pytest.raises(RouterlabError):
        FrugalGPTRouter(budget=-1)
    with pytest.raises(RouterlabError):
        FrugalGPTRouter(max_length=4)


# ---- determinism and what the cascades may read -------------------------------------------------

@pytest.mark.parametrize("name", ["cascade", "frugalgpt"])
def test_cascades_are_deterministic_and_blind_to_test_truth(name, frugal):
    tr, te, fitted = frugal
    r = fitted if name == "frugalgpt" else make_router(name, seed=0).fit(tr)
    base = r.route(te)
    again = make_router(name, seed=0).fit(tr).route(te)
    np.testing.assert_array_equal(again.choice, base.choice)
    np.testing.assert_array_equal(again.calls, base.calls)
    rng = np.random.default_rng(9)
    # scramble test quality and cost, and every confidence of a model the cascade did NOT call
    conf = np.where(base.calls, te.confidence, rng.random(te.confidence.shape))
    scrambled = replace(te, quality=rng.permutation(te.quality), cost=rng.random(te.cost.shape),
                        confidence=conf, latent={"junk": 1})
    for other in (te.without_truth(), scrambled):
        out = r.route(other)
        np.testing.assert_array_equal(out.choice, base.choice)
        np.testing.assert_array_equal(out.calls, base.calls)


def test_registration_and_cards():
    for name, cls in (("cascade", CascadeRouter), ("frugalgpt", FrugalGPTRouter)):
        r = make_router(name, seed=4)
        assert type(r) is cls and r.seed == 4 and r.paradigm == "LLM-based cascade"
        assert set(cls.card) == {"paradigm", "learns", "label", "decision", "differs"}
    assert make_router("cascade", threshold=0.5).threshold == 0.5
