"""Analyses of chapters 04 and 05: correlations, per-dataset measures, learning curves, subsets.

Every expected number in the hand-computed tests is worked out in the comment beside it.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routerlab.evaluation import analysis as an
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import MODEL_NAMES, models_with_prices
from routerlab.errors import RouterlabError
from routerlab.metrics import oracle_choice, routing_score
from routerlab.routing.routers import Router, Routing, register


def toy_bench(n_per=(30, 20, 10), seed=0) -> Benchmark:
    """A small random six-model benchmark with three datasets (cost rises with the model column)."""
    rng = np.random.default_rng(seed)
    datasets = np.repeat(["A", "B", "C"], n_per)
    n = datasets.size
    quality = (rng.random((n, 6)) < np.linspace(0.3, 0.9, 6)).astype(float)
    cost = np.outer(rng.uniform(1, 2, n), [1, 2, 3, 4, 5, 20]) * 1e-4
    return Benchmark(quality=quality, cost=cost, models=models_with_prices(),
                     sample_ids=np.array([f"q{i}" for i in range(n)]), datasets=datasets,
                     prompt_tokens=np.full(n, 100), features=rng.normal(size=(n, 3)))


# ---- correlation interval --------------------------------------------------------------------
def test_fisher_interval_known_value():
    # r = 0.5, n = 12: z = atanh(0.5) = 0.549306; se = 1/sqrt(9) = 1/3; 1.959964 * se = 0.653321
    # lo = tanh(0.549306 - 0.653321) = tanh(-0.104015) = -0.103641
    # hi = tanh(0.549306 + 0.653321) = tanh(1.202627) = 0.834454
    lo, hi = an.fisher_interval(0.5, 12)
    assert lo == pytest.approx(-0.103641, abs=1e-5)
    assert hi == pytest.approx(0.834454, abs=1e-5)


def test_pearson_ci_on_exact_and_known_data():
    # y = 2x + 1: r = 1 exactly; x, y = (1,2,3,4,5), (2,1,4,3,5): r = 0.8 (sxy = 8, sxx = syy = 10)
    x = np.arange(1, 6, dtype=float)
    out = an.pearson_ci(x, np.array([2, 1, 4, 3, 5.0]))
    assert out["r"] == pytest.approx(0.8)
    lo, hi = an.fisher_interval(0.8, 5)
    assert (out["lo"], out["hi"]) == pytest.approx((lo, hi))
    assert out["lo"] < 0.8 < out["hi"] and out["n"] == 5
    assert an.pearson_ci(x, 2 * x + 1)["r"] == pytest.approx(1.0)


def test_fisher_interval_narrows_with_n_and_stays_in_range():
    w12 = np.subtract(*an.fisher_interval(-0.65, 12)[::-1])
    w100 = np.subtract(*an.fisher_interval(-0.65, 100)[::-1])
    assert 0 < w100 < w12
    lo, hi = an.fisher_interval(0.99, 12)
    assert -1 < lo < 0.99 < hi < 1


def test_pearson_ci_rejects_bad_input():
    with pytest.raises(RouterlabError):
        an.pearson_ci([1, 2, 3], [1, 2])
    with pytest.raises(RouterlabError):
        an.pearson_ci([1, 2, 3, 4], [1, 1, 1, 1])
    with pytest.raises(RouterlabError):
        an.fisher_interval(0.3, 3)


def test_seed_interval_hand_computed():
    # values 1, 2, 3: mean 2, sd 1, t_{0.975, 2} = 4.302653 -> half width 4.302653 / sqrt(3) = 2.484138
    mean, lo, hi = an.seed_interval([1, 2, 3])
    assert mean == 2 and lo == pytest.approx(2 - 2.484138, abs=1e-5) and hi == pytest.approx(2 + 2.484138, abs=1e-5)
    m1, lo1, hi1 = an.seed_interval([0.7])
    assert m1 == 0.7 and math.isnan(lo1) and math.isnan(hi1)


# ---- per-dataset tables and over-routing -------------------------------------------------------
def test_per_dataset_scores_hand_case():
    # 4 queries, 2 models; datasets X X Y Y; cost [[1, 3], [1, 5], [1, 3], [1, 3]] -> global range
    # [1, 5], normalised cost of model 0 = 0, model 1 = 0.5 (cost 3) or 1 (cost 5)
    # choice 0, 1, 1, 0 with quality [[1,1],[0,1],[0,1],[0,0]]:
    #   q0: model 0 correct -> 1;  q1: model 1 correct, cost 5 -> 0;  q2: model 1 correct, cost 3 -> 0.5;
    #   q3: model 0 wrong -> 0.  RS(X) = 0.5, RS(Y) = 0.25, RS(all) = 0.375
    q = np.array([[1, 1], [0, 1], [0, 1], [0, 0]], float)
    c = np.array([[1, 3], [1, 5], [1, 3], [1, 3]], float)
    t = an.per_dataset_scores(q, c, np.array([0, 1, 1, 0]), np.array(["X", "X", "Y", "Y"]),
                              model_names=["cheap", "dear"])
    assert t.loc["X", "rs"] == pytest.approx(0.5)
    assert t.loc["Y", "rs"] == pytest.approx(0.25)
    assert t.loc["all", "rs"] == pytest.approx(0.375)
    assert t.loc["X", "quality"] == 1.0 and t.loc["Y", "quality"] == 0.5
    assert t.loc["X", "cost"] == 3.0 and t.loc["Y", "cost"] == 2.0
    assert t.loc["X", "share:cheap"] == 0.5 and t.loc["all", "share:dear"] == 0.5
    assert list(t["n"]) == [2, 2, 4]


def test_per_dataset_scores_average_to_overall_rs():
    b = toy_bench()
    choice = np.random.default_rng(1).integers(0, 6, b.n_queries)
    t = an.per_dataset_scores(b.quality, b.cost, choice, b.datasets, model_names=b.model_names)
    r = np.arange(b.n_queries)
    assert t.loc["all", "rs"] == pytest.approx(routing_score(b.quality[r, choice], b.cost[r, choice], b.cost))
    per = t.drop(index="all")
    assert (per["rs"] * per["n"]).sum() / per["n"].sum() == pytest.approx(t.loc["all", "rs"])
    shares = t[[f"share:{m}" for m in b.model_names]].sum(axis=1)
    assert np.allclose(shares, 1.0)


def test_per_dataset_scores_cascade_pays_every_call():
    # one query, models cost 1 and 3 (range [1, 3]); a cascade calls both and returns model 1:
    # paid 4 -> normalised (4 - 1) / 2 = 1.5, clipped to 1 -> RS 0 though the answer is right
    t = an.per_dataset_scores(np.array([[0, 1.0]]), np.array([[1, 3.0]]), np.array([1]),
                              np.array(["X"]), calls=np.array([[True, True]]))
    assert t.loc["X", "cost"] == 4.0 and t.loc["X", "rs"] == 0.0 and t.loc["X", "quality"] == 1.0


def test_over_routing_hand_case():
    # dataset H, one seed: router sends 70% to the cheap model, oracle 30% -> excess 0.4;
    # GPT-4o fixed quality 0.8, router quality 0.5 -> loss 0.3
    long = pd.DataFrame({
        "policy": ["mf", "oub", "fixed:GPT-4o"], "seed": [0, 0, 0], "dataset": ["H"] * 3,
        "quality": [0.5, 0.9, 0.8], "share:Llama-3-8B-Instruct": [0.7, 0.3, 0.0],
    })
    out = an.over_routing(long, "mf")
    row = out.iloc[0]
    assert row["excess_cheap"] == pytest.approx(0.4)
    assert row["quality_loss"] == pytest.approx(0.3)
    assert row["cheap_share"] == 0.7 and row["oracle_cheap_share"] == 0.3
    assert "cheap_accuracy" not in out.columns  # no fixed:Llama row -> no such baseline
    # with the cheap model's fixed policy (accuracy 0.4): excess over its correct share = 0.7 - 0.4
    more = pd.concat([long, pd.DataFrame({"policy": ["fixed:Llama-3-8B-Instruct"], "seed": [0], "dataset": ["H"],
                                          "quality": [0.4], "share:Llama-3-8B-Instruct": [1.0]})])
    assert an.over_routing(more, "mf").iloc[0]["excess_over_cheap_correct"] == pytest.approx(0.3)
    with pytest.raises(RouterlabError):
        an.over_routing(long, "knn")


def test_dataset_difficulty_and_rank():
    # dataset A: qualities [1,1],[1,0] -> mean 0.75 -> difficulty 0.25; B: [0,0] -> 1
    d = an.dataset_difficulty(np.array([[1, 1], [1, 0], [0, 0.0]]), np.array(["A", "A", "B"]))
    assert d["A"] == pytest.approx(0.25) and d["B"] == 1.0
    s = pd.Series({"a": 0.1, "b": 0.3, "c": 0.2})
    assert an.rank_in(s, "b") == 1 and an.rank_in(s, "b", ascending=True) == 3


# ---- learning curves -----------------------------------------------------------------------------
def test_learning_curve_indices_keep_other_rows_nested_and_deterministic():
    d = np.array(["A"] * 10 + ["B"] * 5 + ["A"] * 5)
    idx = an.learning_curve_indices(d, "A", [0, 3, 8, 100], seed=4)
    others = np.flatnonzero(d == "B")
    for keep, size in zip(idx, [0, 3, 8, 15]):
        assert np.isin(others, keep).all()             # every other dataset row is kept
        assert (d[keep] == "A").sum() == size            # the target has exactly `size` rows (capped)
        assert np.all(np.diff(keep) > 0)                 # sorted, no repeats
    assert set(idx[1]) <= set(idx[2]) <= set(idx[3])     # nested
    again = an.learning_curve_indices(d, "A", [0, 3, 8, 100], seed=4)
    assert all(np.array_equal(a, b) for a, b in zip(idx, again))
    other_seed = an.learning_curve_indices(d, "A", [3], seed=5)[0]
    assert not np.array_equal(idx[1], other_seed)
    with pytest.raises(RouterlabError):
        an.learning_curve_indices(d, "Z", [1])


class _SpyRouter(Router):
    """Routes every query to the model with the best training accuracy; records what it saw."""

    name = "spy"
    seen: list = []
    routed: list = []

    def fit(self, train):
        _SpyRouter.seen.append(train.sample_ids.copy())
        self.best_ = int(np.argmax(train.accuracy()))
        return super().fit(train)

    def route(self, test):
        self._check_models(test)
        assert np.isnan(test.quality).all()  # learning_curve must hide the test truth
        _SpyRouter.routed.append(test.sample_ids.copy())
        return Routing(np.full(test.n_queries, self.best_))


@pytest.fixture(autouse=True, scope="module")
def _spy_registered():
    """The spy is a router only while this module's tests run (it must not join "all" elsewhere)."""
    from routerlab.routing import routers

    register("spy-analysis", _SpyRouter)
    yield
    routers._REGISTRY.pop("spy-analysis", None)


def test_learning_curve_keeps_test_rows_fixed_and_is_deterministic():
    b = toy_bench(seed=2)
    train, test = b.rows(np.arange(0, 60, 2)), b.rows(np.arange(1, 60, 2))
    _SpyRouter.seen, _SpyRouter.routed = [], []
    lc = an.learning_curve(train, test, ["A", "C"], fractions=[0.2, 0.5, 1.0], router="spy-analysis", seed=3)
    assert list(lc["dataset"]) == ["A"] * 3 + ["C"] * 3
    n_a = (train.datasets == "A").sum()  # 15 training rows of A
    assert list(lc.loc[lc["dataset"] == "A", "n_train"]) == [3, 8, 15]  # round(0.2*15)=3, round(7.5)=8
    # fits: A at 0.2 and 0.5, the shared full fit, C at 0.2 and 0.5 -> 5 fits
    assert len(_SpyRouter.seen) == 5
    assert len(_SpyRouter.seen[0]) == len(train.sample_ids) - n_a + 3
    # every fit routes the same, complete test set; no test row ever enters a training set
    assert all(np.array_equal(r, test.sample_ids) for r in _SpyRouter.routed)
    assert not any(np.isin(s, test.sample_ids).any() for s in _SpyRouter.seen)
    # the full-data row equals the RS of the full fit on that dataset's test rows
    full = _SpyRouter().fit(train).route(test.without_truth())
    t = an.per_dataset_scores(test.quality, test.cost, full.choice, test.datasets)
    assert lc.loc[(lc["dataset"] == "C") & (lc["fraction"] == 1.0), "rs"].item() == pytest.approx(t.loc["C", "rs"])
    again = an.learning_curve(train, test, ["A", "C"], fractions=[0.2, 0.5, 1.0], router="spy-analysis", seed=3)
    pd.testing.assert_frame_equal(lc, again)
    # absolute sizes are capped at the dataset's rows, and the full fit is always added
    by_size = an.learning_curve(train, test, ["C"], sizes=[2, 1000], router="spy-analysis", seed=3)
    n_c = int((train.datasets == "C").sum())
    assert list(by_size["n_train"]) == [2, n_c] and list(by_size["full"]) == [False, True]
    with pytest.raises(RouterlabError):
        an.learning_curve(train, test, ["C"], router="spy-analysis")


# ---- model subsets and attributions ------------------------------------------------------------------
def test_model_subsets_counts():
    subsets = an.model_subsets(MODEL_NAMES)
    assert len(subsets) == 57 == 2 ** 6 - 1 - 6
    assert len(set(subsets)) == 57
    assert all(len(s) >= 2 for s in subsets) and subsets[-1] == MODEL_NAMES
    assert sum(len(s) == 2 for s in subsets) == 15 and sum(len(s) == 3 for s in subsets) == 20
    assert len(an.model_subsets(MODEL_NAMES, min_size=1)) == 63
    with pytest.raises(RouterlabError):
        an.model_subsets(["a", "a"])


def test_oracle_subset_scores_full_set_matches_oracle_and_is_monotone():
    b = toy_bench(seed=3)
    subsets = an.model_subsets(b.model_names, min_size=1)
    t = an.oracle_subset_scores(b, subsets).set_index("subset")
    r = np.arange(b.n_queries)
    ch = oracle_choice(b.quality, b.cost)
    full = an.subset_label(b.model_names)
    assert t.loc[full, "rs"] == pytest.approx(routing_score(b.quality[r, ch], b.cost[r, ch], b.cost))
    # a singleton oracle is that model fixed; adding a model never lowers the oracle's RS
    for j, name in enumerate(b.model_names):
        assert t.loc[an.short_name(name), "rs"] == pytest.approx(
            routing_score(b.quality[:, j], b.cost[:, j], b.cost))
    rs = {frozenset(m): v for m, v in zip(t["models"], t["rs"])}
    for s, v in rs.items():
        for extra in set(b.model_names) - s:
            assert rs[s | {extra}] >= v - 1e-12


def test_router_subset_scores_uses_full_yardstick():
    b = toy_bench(seed=4)
    train, test = b.rows(np.arange(0, 60, 2)), b.rows(np.arange(1, 60, 2))
    subsets = [("Llama-3-8B-Instruct",), ("Llama-3-8B-Instruct", "Mixtral-8x7B-Instruct")]
    t = an.router_subset_scores(train, test, subsets, router="spy-analysis")
    # singleton: always model 0, RS on the six-model range (not the one-model range, which would be 0 span)
    assert t.loc[0, "rs"] == pytest.approx(routing_score(test.quality[:, 0], test.cost[:, 0], test.cost))
    best = int(np.argmax(train.quality[:, :2].mean(axis=0)))
    assert t.loc[1, "rs"] == pytest.approx(routing_score(test.quality[:, best], test.cost[:, best], test.cost))
    assert list(t["size"]) == [1, 2] and (t["fit_seconds"] >= 0).all()


def test_shapley_additive_game_and_efficiency():
    # an additive game v(S) = sum of weights: each player's Shapley value is its weight,
    # and its marginal contribution is its weight for every S
    w = {"a": 0.1, "b": 0.3, "c": 0.6}
    players = list(w)
    values = {s: sum(w[p] for p in s) for s in an.model_subsets(players, min_size=1)}
    phi = an.shapley_values(values, players)
    assert phi.to_dict() == pytest.approx(w)
    mc = an.marginal_contributions(values, players)
    assert np.allclose(mc.set_index(["model", "size"])["gain"].xs("mean", level="size"), [0.1, 0.3, 0.6])


def test_shapley_max_game_hand_computed():
    # v(S) = max over S of (1, 2, 4) for a, b, c (like an oracle picking the best single model).
    # Over the 6 orders: a adds 1 only when it comes first (prob 1/3) -> phi_a = 1/3;
    # b adds 2 when first (1/3) and 2 - 1 = 1 right after a alone (order a, b, c: 1/6) -> 2/3 + 1/6 = 5/6;
    # efficiency: phi_c = 4 - 1/3 - 5/6 = 17/6
    players = ["a", "b", "c"]
    val = {"a": 1, "b": 2, "c": 4}
    values = {s: max(val[p] for p in s) for s in an.model_subsets(players, min_size=1)}
    phi = an.shapley_values(values, players)
    assert phi["a"] == pytest.approx(1 / 3)
    assert phi["b"] == pytest.approx(5 / 6)
    assert phi["c"] == pytest.approx(17 / 6)
    assert phi.sum() == pytest.approx(4.0)  # efficiency: sums to v(all)
    with pytest.raises(RouterlabError):
        an.shapley_values({("a",): 1.0}, players)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(0, 1), min_size=7, max_size=7))
def test_shapley_efficiency_property(raw):
    players = ["a", "b", "c"]
    subsets = an.model_subsets(players, min_size=1)
    values = dict(zip(subsets, raw))
    assert an.shapley_values(values, players).sum() == pytest.approx(values[("a", "b", "c")])


def test_seed_summary_groups():
    long = pd.DataFrame({"router": ["x"] * 3 + ["y"] * 3, "seed": [0, 1, 2] * 2,
                         "rs": [1, 2, 3, 5, 5, 5.0]})
    s = an.seed_summary(long, ["router"], ["rs"]).set_index("router")
    assert s.loc["x", "rs"] == 2 and s.loc["y", "rs_lo"] == 5 and s.loc["x", "n_seeds"] == 3


def test_restricted_subset_scores_agree_with_router_on_full_set():
    from routerlab.routing.routers import make_router

    b = toy_bench(n_per=(60, 40, 20), seed=5)
    train, test = b.rows(np.arange(0, 120, 2)), b.rows(np.arange(1, 120, 2))
    router = make_router("seq-cls", seed=0).fit(train)
    full = router.route(test.without_truth())
    subsets = [tuple(b.model_names), ("GPT-4o",), ("Llama-3-8B-Instruct", "GPT-4o")]
    t = an.restricted_subset_scores(router, test, subsets)
    r = np.arange(test.n_queries)
    ch = full.choice
    assert t.loc[0, "rs"] == pytest.approx(routing_score(test.quality[r, ch], test.cost[r, ch], test.cost))
    assert t.loc[1, "rs"] == pytest.approx(routing_score(test.quality[:, 5], test.cost[:, 5], test.cost))
    assert t.loc[1, "quality"] == pytest.approx(test.quality[:, 5].mean())
    with pytest.raises(RouterlabError):
        an.restricted_subset_scores(_SpyRouter().fit(train), test, subsets)
