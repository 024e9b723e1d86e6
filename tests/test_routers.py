"""Baseline routers, the bound routers and make_router (the learned routers are tested elsewhere)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import MODEL_NAMES, MODELS
from routerlab.errors import RouterlabError
from routerlab.metrics import oracle_choice, routing_score
from routerlab.routing.routers import (
    CostOracleRouter, FixedRouter, OracleRouter, QualityOracleRouter, RandomRouter,
    RoundRobinRouter, Routing, make_router, router_names,
)


def toy(n: int = 4, m: int = 3, seed: int = 0, quality=None, cost=None) -> Benchmark:
    rng = np.random.default_rng(seed)
    q = rng.integers(0, 2, size=(n, m)).astype(float) if quality is None else np.asarray(quality, float)
    c = rng.random((n, m)) if cost is None else np.asarray(cost, float)
    n, m = q.shape
    return Benchmark(quality=q, cost=c, models=MODELS[:m], sample_ids=np.arange(n).astype(str),
                     datasets=np.array(["A", "B"] * (n // 2) + ["A"] * (n % 2)),
                     prompt_tokens=np.full(n, 10))


# quality / cost of the hand case in test_metrics (r3: only model 2 correct, at cost_max)
QB = np.array([[0, 1, 1], [1, 1, 1], [0, 0, 0], [0, 0, 1]], dtype=float)
CB = np.array([[1, 2, 4], [1, 3, 5], [3, 2, 6], [1, 2, 6]], dtype=float)


def one_line(exc_info) -> str:
    msg = str(exc_info.value)
    assert msg and "\n" not in msg
    return msg


# ---- Routing ---------------------------------------------------------------------------------

def test_routing_paid_quality_shares():
    b = toy(quality=QB, cost=CB)
    r = Routing(np.array([0, 2, 1, 2]))
    np.testing.assert_array_equal(r.paid(b.cost), [1, 5, 2, 6])
    np.testing.assert_array_equal(r.returned_quality(b.quality), [0, 1, 0, 1])
    np.testing.assert_allclose(r.shares(3), [0.25, 0.25, 0.5])
    # with calls: every called model is paid for (r0: 1 + 2 + 4 = 7)
    calls = np.array([[1, 1, 1], [0, 0, 1], [1, 1, 0], [0, 0, 1]], dtype=bool)
    np.testing.assert_array_equal(Routing(r.choice, calls=calls).paid(b.cost), [7, 5, 5, 6])


# ---- Random ----------------------------------------------------------------------------------

def test_random_is_seeded_and_deterministic():
    b = toy(n=500, m=6)
    a1 = make_router("random", seed=3).fit(b).route(b).choice
    a2 = make_router("random", seed=3).fit(b).route(b).choice
    r = RandomRouter(seed=3).fit(b)
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(r.route(b).choice, r.route(b).choice)  # no hidden state
    np.testing.assert_array_equal(a1, r.route(b).choice)
    assert not np.array_equal(a1, make_router("random", seed=4).fit(b).route(b).choice)
    assert a1.min() >= 0 and a1.max() <= 5
    # roughly uniform: each share within 5 binomial standard deviations of 1/6
    sd = np.sqrt(1 / 6 * 5 / 6 / 500)
    assert np.all(np.abs(Routing(a1).shares(6) - 1 / 6) < 5 * sd)


def test_random_mean_rs_approaches_mean_fixed_rs():
    # uniform random routing has expected RS == mean of the fixed models' RS (result.random.rs)
    b = toy(n=400, m=4, seed=1)
    fixed = np.mean([routing_score(b.quality[:, j], b.cost[:, j], b.cost) for j in range(4)])
    rs = []
    for seed in range(200):
        r = RandomRouter(seed).fit(b).route(b)
        rs.append(routing_score(r.returned_quality(b.quality), r.paid(b.cost), b.cost))
    # the mean of 200 seeds is within 4 standard errors of the expectation
    assert abs(np.mean(rs) - fixed) < 4 * np.std(rs) / np.sqrt(len(rs))


# ---- Round robin -----------------------------------------------------------------------------

@settings(max_examples=50, deadline=None)
@given(st.integers(1, 200), st.integers(1, 6))
def test_round_robin_shares_exactly(n, m):
    b = toy(n=n, m=m)
    choice = make_router("round-robin").fit(b).route(b).choice
    counts = np.bincount(choice, minlength=m)
    assert counts.sum() == n
    assert counts.max() - counts.min() <= 1
    assert np.all(np.abs(counts - n / m) < 1)
    np.testing.assert_array_equal(choice[:m], np.arange(min(m, n)))


# ---- Fixed -----------------------------------------------------------------------------------

def test_fixed_router_by_name():
    b = toy(quality=QB, cost=CB)
    name = MODEL_NAMES[2]
    r = make_router(f"fixed:{name}").fit(b).route(b)
    np.testing.assert_array_equal(r.choice, [2, 2, 2, 2])
    assert r.calls is None
    assert isinstance(make_router(f"fixed:{name}"), FixedRouter)


def test_fixed_unknown_model_is_one_line_error():
    b = toy()
    with pytest.raises(RouterlabError) as exc:
        make_router("fixed:GPT-5").fit(b)
    msg = one_line(exc)
    assert "GPT-5" in msg and MODEL_NAMES[0] in msg  # says what is wrong and what is valid
    # a model that exists in the catalog but not in this (3-model) benchmark
    with pytest.raises(RouterlabError) as exc:
        make_router(f"fixed:{MODEL_NAMES[5]}").fit(b)
    one_line(exc)


# ---- make_router and the interface -----------------------------------------------------------

def test_make_router_errors():
    with pytest.raises(RouterlabError) as exc:
        make_router("randomm")
    msg = one_line(exc)
    assert "randomm" in msg and "round-robin" in msg
    with pytest.raises(RouterlabError) as exc:
        make_router("fixed:")
    one_line(exc)
    with pytest.raises(RouterlabError) as exc:
        make_router("random", foo=1)
    assert "foo" in one_line(exc)
    with pytest.raises(RouterlabError) as exc:
        make_router("fixed:GPT-4o", foo=1)
    one_line(exc)


def test_router_names_lists_baselines_and_bounds():
    names = router_names()
    for n in ("random", "round-robin", "oub", "qoub", "coub", "fixed:<model>"):
        assert n in names
    for n in ("random", "round-robin", "oub", "qoub", "coub"):
        assert make_router(n, seed=1).seed == 1


def test_route_before_fit_and_model_mismatch_errors():
    b = toy(m=3)
    with pytest.raises(RouterlabError) as exc:
        RandomRouter().route(b)
    assert "fitted" in one_line(exc)
    r = RoundRobinRouter().fit(b)
    with pytest.raises(RouterlabError) as exc:
        r.route(b.select_models([MODEL_NAMES[1], MODEL_NAMES[0], MODEL_NAMES[2]]))
    one_line(exc)


# ---- bound routers ---------------------------------------------------------------------------

def _coub_brute_force(quality, cost):
    """COUB by its definition, independently of routerlab: over every assignment of a model to each
    query, keep those answering the most queries correctly, and take the cheapest of them."""
    import itertools

    n, m = quality.shape
    best = None
    for assign in itertools.product(range(m), repeat=n):
        rows = np.arange(n)
        key = (-quality[rows, assign].sum(), cost[rows, assign].sum())
        if best is None or key < best[0]:
            best = (key, assign)
    return np.array(best[1])


def test_coub_router_against_brute_force_on_tiny_matrices():
    rng = np.random.default_rng(7)
    for _ in range(20):
        q = (rng.random((4, 3)) < 0.5).astype(float)
        c = rng.permutation(12).reshape(4, 3).astype(float) + 1.0   # distinct costs: one answer
        b = toy(quality=q, cost=c)
        np.testing.assert_array_equal(make_router("coub").fit(b).route(b).choice, _coub_brute_force(q, c))


def test_bound_routers_match_metric_functions():
    b = toy(quality=QB, cost=CB)
    assert make_router("oub").uses_truth and make_router("coub").uses_truth
    assert not make_router("random").uses_truth
    np.testing.assert_array_equal(make_router("oub").fit(b).route(b).choice, [1, 0, 1, 2])
    np.testing.assert_array_equal(make_router("coub").fit(b).route(b).choice, _coub_brute_force(QB, CB))
    per_query = make_router("oub", normalization="per-query")
    assert isinstance(per_query, OracleRouter)
    np.testing.assert_array_equal(per_query.fit(b).route(b).choice,
                                  oracle_choice(QB, CB, "per-query"))
    assert isinstance(make_router("coub"), CostOracleRouter)


def test_qoub_uses_training_accuracy_order():
    # training set where model 1 is the most accurate; on the test rows the correct model with the
    # best training accuracy is chosen
    train = toy(quality=[[0, 1, 0], [0, 1, 1], [1, 1, 0], [0, 1, 0]], cost=CB)
    r = make_router("qoub").fit(train)
    assert isinstance(r, QualityOracleRouter)
    test = toy(quality=QB, cost=CB)
    # r0: models 1, 2 correct -> 1 ; r1: all -> 1 ; r2: none -> 1 ; r3: only 2 -> 2
    np.testing.assert_array_equal(r.route(test).choice, [1, 1, 1, 2])
