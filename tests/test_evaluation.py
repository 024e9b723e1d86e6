"""The evaluation protocol: splits, hand-computed scores, intervals, paired bootstrap, cache."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import routerlab.evaluation.protocol as ev
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import MODELS, Model
from routerlab.errors import RouterlabError
from routerlab.evaluation.protocol import (EvaluationResult, difficulty_bins, evaluate, policy_names,
                                  query_difficulty, random_split, stratified_split)
from routerlab.routing.routers import Router, Routing


@pytest.fixture(autouse=True)
def _no_cache_from_environment(monkeypatch):
    monkeypatch.delenv(ev.CACHE_ENV, raising=False)


def hand_bench() -> Benchmark:
    """4 queries x 2 models; global cost range [1, 3] so the cheap model's factor is 1.

    quality   cost      cheap term   dear term (1 - (c-1)/2)
    [1, 1]    [1, 2]    1            0.5
    [0, 1]    [1, 2]    0            0.5
    [1, 0]    [1, 2]    1            0
    [0, 1]    [1, 3]    0            0
    """
    return Benchmark(
        quality=np.array([[1, 1], [0, 1], [1, 0], [0, 1]], dtype=float),
        cost=np.array([[1, 2], [1, 2], [1, 2], [1, 3]], dtype=float),
        models=(Model("cheap", "p", "Small"), Model("dear", "p", "Large")),
        sample_ids=np.array(["q0", "q1", "q2", "q3"]), datasets=np.array(["A", "A", "B", "B"]),
        prompt_tokens=np.array([10, 10, 10, 10]))


def random_bench(n=600, m=3, seed=0) -> Benchmark:
    rng = np.random.default_rng(seed)
    return Benchmark(
        quality=(rng.random((n, m)) < np.linspace(0.4, 0.8, m)).astype(float),
        cost=rng.random((n, m)) * 1e-3 * np.arange(1, m + 1), models=MODELS[:m],
        sample_ids=np.array([f"s{i}" for i in range(n)]),
        datasets=np.array(["A", "B", "C"])[rng.integers(0, 3, n)],
        prompt_tokens=rng.integers(1, 100, n), features=rng.standard_normal((n, 4)),
        confidence=rng.random((n, m)))


class CallEverything(Router):
    """Calls every model and returns the last one's answer (pays the sum)."""

    name = "call-all"
    learns = False

    def route(self, test):
        self._check_models(test)
        n, m = test.n_queries, test.n_models
        return Routing(np.full(n, m - 1), calls=np.ones((n, m), dtype=bool))


class Learner(Router):
    """Learns the best training model; records what it saw of the test rows."""

    name = "learner"
    seen = []

    def fit(self, train):
        self.best_ = int(np.argmax(train.quality.mean(axis=0)))
        return super().fit(train)

    def route(self, test):
        self._check_models(test)
        Learner.seen.append((np.isnan(test.quality).all(), np.isnan(test.cost).all()))
        return Routing(np.full(test.n_queries, self.best_))


# ---- difficulty and splits ---------------------------------------------------------------------
def test_query_difficulty_and_bins_by_hand():
    q = np.array([[1, 1, 1], [1, 0, 0], [0, 0, 0], [0.5, 1, 0]])
    assert np.allclose(query_difficulty(q), [1, 1 / 3, 0, 0.5])
    assert list(difficulty_bins(q)) == [3, 1, 0, 2]  # rint(1.5) = 2 (half to even)


def test_stratified_split_is_a_deterministic_partition():
    b = random_bench(n=1000)
    tr, te = stratified_split(b, 0.2, seed=3)
    assert np.array_equal(np.sort(np.concatenate([tr, te])), np.arange(1000))
    assert abs(len(te) - 200) <= 1
    tr2, te2 = stratified_split(b, 0.2, seed=3)
    assert np.array_equal(te, te2) and np.array_equal(tr, tr2)
    assert not np.array_equal(te, stratified_split(b, 0.2, seed=4)[1])


def test_every_stratum_gets_its_share():
    b = random_bench(n=3000, m=4, seed=1)
    _, te = stratified_split(b, 0.25, seed=0)
    strata = b.dataset_codes * 10 + difficulty_bins(b.quality)
    size = np.bincount(strata, minlength=40)
    got = np.bincount(strata[te], minlength=40)
    assert np.all(got >= np.floor(size * 0.25)) and np.all(got <= np.ceil(size * 0.25))


@settings(max_examples=30, deadline=None)
@given(n=st.integers(10, 200), t=st.floats(0.05, 0.95), seed=st.integers(0, 2**31))
def test_split_sizes_property(n, t, seed):
    b = random_bench(n=n, m=2, seed=seed % 1000)
    for split in (stratified_split, random_split):
        try:
            tr, te = split(b, t, seed=seed)
        except RouterlabError:  # an empty side on tiny inputs is refused, not returned
            assert round(n * t) in (0, n) or n * t < 1.5 or n * (1 - t) < 1.5
            continue
        assert len(np.intersect1d(tr, te)) == 0 and len(tr) + len(te) == n
        assert abs(len(te) - n * t) <= 1


def test_split_rejects_bad_sizes():
    b = random_bench(n=50)
    for t in (0, 1, -0.1, 1.5):
        with pytest.raises(RouterlabError, match="test_size"):
            stratified_split(b, t)


# ---- evaluate: hand-computed cases -------------------------------------------------------------
def test_evaluate_fixed_oracle_and_round_robin_by_hand():
    res = evaluate(hand_bench(), ["fixed:cheap", "fixed:dear", "round-robin", "oub", CallEverything()],
                   seeds=[0], split="none", bootstrap=0)
    s = res.summary()
    assert s.loc["fixed:cheap", "rs"] == pytest.approx(0.5)
    assert s.loc["fixed:dear", "rs"] == pytest.approx(0.25)
    assert s.loc["fixed:dear", "quality"] == pytest.approx(0.75)
    assert s.loc["fixed:dear", "mean_cost"] == pytest.approx(2.25)
    # OUB: cheap, dear, cheap, and on q3 a tie at 0 broken towards the correct answer (dear)
    assert s.loc["oub", "rs"] == pytest.approx(0.625)
    assert s.loc["oub", "quality"] == pytest.approx(1.0)
    assert s.loc["oub", "mean_cost"] == pytest.approx(1.75)
    assert s.loc["round-robin", "rs"] == pytest.approx(0.625)  # models 0,1,0,1: 1, .5, 1, 0
    # cost reduction against the dearest model on average (dear, 2.25 USD/query)
    assert res.params["reference"] == "dear"
    assert s.loc["fixed:cheap", "cost_reduction"] == pytest.approx(1 - 1 / 2.25)
    assert s.loc["fixed:dear", "cost_reduction"] == pytest.approx(0.0)
    # gains and gaps: best single model = cheap (0.5), oracle = 0.625
    assert s.loc["oub", "gain_vs_best_single"] == pytest.approx(0.125)
    assert s.loc["fixed:dear", "gap_to_oracle"] == pytest.approx(0.375)
    assert s.loc["round-robin", "share:dear"] == pytest.approx(0.5)
    # a policy that calls both models pays 3, 3, 3, 4 -> clipped to factor 0 -> RS 0
    assert s.loc["call-all", "mean_cost"] == pytest.approx(3.25)
    assert s.loc["call-all", "calls_per_query"] == pytest.approx(2.0)
    assert s.loc["call-all", "rs"] == pytest.approx(0.0)
    # per dataset: A = rows 0,1 and B = rows 2,3
    d = res.per_dataset.set_index(["policy", "dataset"])
    assert d.loc[("fixed:dear", "A"), "rs"] == pytest.approx(0.5)
    assert d.loc[("fixed:dear", "B"), "rs"] == pytest.approx(0.0)
    assert d.loc[("oub", "B"), "rs"] == pytest.approx(0.5)
    assert d.loc[("fixed:cheap", "B"), "cost_reduction"] == pytest.approx(1 - 1 / 2.5)
    assert list(res.query_terms("fixed:dear", 0)) == pytest.approx([0.5, 0.5, 0.0, 0.0])


def test_per_query_normalization_by_hand():
    res = evaluate(hand_bench(), ["fixed:cheap", "fixed:dear"], seeds=[0], split="none",
                   normalization="per-query", bootstrap=0)
    s = res.summary()
    assert s.loc["fixed:cheap", "rs"] == pytest.approx(0.5)  # factor 1 on every query
    assert s.loc["fixed:dear", "rs"] == pytest.approx(0.0)   # factor 0 on every query


def test_split_none_refuses_learning_routers():
    with pytest.raises(RouterlabError, match="'learner' learns from training rows"):
        evaluate(hand_bench(), ["random", Learner()], seeds=[0], split="none", bootstrap=0)


def test_routers_never_see_test_truth_but_bounds_do():
    Learner.seen.clear()
    res = evaluate(random_bench(), [Learner(), "oub"], seeds=[0, 1], bootstrap=0)
    # per seed: the scored route sees NaN truth; the blindness check then routes scrambled outcomes
    assert Learner.seen == [(True, True), (False, False)] * 2
    assert (res.summary().loc["oub", "rs"] >= res.summary().loc["learner", "rs"])


def test_scores_are_normalised_on_the_test_rows():
    b = random_bench(n=300)
    res = evaluate(b, ["fixed:Llama-3-8B-Instruct"], seeds=[2], bootstrap=0)
    te = res.test_idx[2]
    from routerlab.metrics import routing_score

    want = routing_score(b.quality[te, 0], b.cost[te, 0], b.cost[te], "global")
    assert res.per_seed["rs"].iloc[0] == pytest.approx(want)


def test_per_dataset_rows_add_up_to_the_seed_row():
    res = evaluate(random_bench(), ["random", "round-robin"],
                   seeds=[0, 1], bootstrap=0)
    d = res.per_dataset
    for (pol, seed), g in d.groupby(["policy", "seed"]):
        row = res.per_seed[(res.per_seed.policy == pol) & (res.per_seed.seed == seed)].iloc[0]
        w = g["n_test"] / g["n_test"].sum()
        for col in ("rs", "quality", "mean_cost", "oracle_rs"):
            assert (w * g[col]).sum() == pytest.approx(row[col])


# ---- intervals ---------------------------------------------------------------------------------
def test_intervals_contain_the_mean_and_bootstrap_is_seeded():
    b = random_bench()
    res = evaluate(b, ["random", "round-robin", "fixed:Llama-3-70B-Instruct", "oub"], seeds=range(3),
                   bootstrap=300)
    s = res.summary()
    for mtr in ("rs", "quality", "mean_cost", "cost_reduction"):
        for p in ("random", "round-robin", "oub"):
            assert s.loc[p, f"{mtr}_lo_seeds"] <= s.loc[p, mtr] <= s.loc[p, f"{mtr}_hi_seeds"]
            assert s.loc[p, f"{mtr}_lo_boot"] <= s.loc[p, mtr] <= s.loc[p, f"{mtr}_hi_boot"]
    again = evaluate(b, ["random", "round-robin", "fixed:Llama-3-70B-Instruct", "oub"], seeds=range(3),
                     bootstrap=300)
    assert np.array_equal(res.boot["rs"], again.boot["rs"])
    other = evaluate(b, ["random", "round-robin", "fixed:Llama-3-70B-Instruct", "oub"], seeds=range(3),
                     bootstrap=300, bootstrap_seed=1)
    assert not np.array_equal(res.boot["rs"], other.boot["rs"])


def test_t_interval_by_hand():
    lo, hi = ev.t_interval(np.array([[1.0], [2.0], [3.0]]))
    # mean 2, sd 1, t(0.975, 2) = 4.302653 -> half-width 4.302653 / sqrt(3)
    assert lo[0] == pytest.approx(2 - 4.302653 / 3 ** 0.5, abs=1e-5)
    assert hi[0] == pytest.approx(2 + 4.302653 / 3 ** 0.5, abs=1e-5)
    lo1, hi1 = ev.t_interval(np.array([[1.0]]))
    assert np.isnan(lo1[0]) and np.isnan(hi1[0])


def test_bootstrap_means_match_explicit_resampling():
    x = np.arange(10, dtype=float)[:, None] ** 2
    got = ev._bootstrap_means(x, 50, np.random.default_rng(0), chunk=7)
    rng = np.random.default_rng(0)
    want = []
    for s in range(0, 50, 7):
        b = min(7, 50 - s)
        idx = rng.integers(0, 10, size=(b, 10))
        want.extend(x[row, 0].mean() for row in idx)
    assert np.allclose(got[:, 0], want)


def test_paired_bootstrap():
    res = evaluate(random_bench(), ["random", "oub", "coub", "fixed:Llama-3-8B-Instruct"], seeds=range(2),
                   bootstrap=200)
    pr = res.paired("random").set_index("policy")
    assert "random" not in pr.index
    # OUB beats random on every resample; COUB == OUB here (the article's audit)
    assert pr.loc["oub", "share_better"] == 1.0 and pr.loc["oub", "p_value"] == 0.0
    assert pr.loc["oub", "lo"] > 0 and pr.loc["oub", "seeds_better"] == 2
    assert pr.loc["coub", "diff"] == pytest.approx(pr.loc["oub", "diff"])
    s = res.summary()
    assert pr.loc["oub", "diff"] == pytest.approx(s.loc["oub", "rs"] - s.loc["random", "rs"])
    assert pr.loc["oub", "lo"] <= pr.loc["oub", "diff"] <= pr.loc["oub", "hi"]
    with pytest.raises(RouterlabError, match="reference policy 'mf'"):
        res.paired("mf")


def test_json_document():
    res = evaluate(random_bench(), ["random", "oub"], seeds=range(2), bootstrap=50)
    doc = json.loads(res.to_json())
    assert set(doc["policies"]) == {"random", "oub"}
    e = doc["policies"]["random"]
    for k in ("rs", "quality", "mean_cost", "cost_reduction"):
        lo, hi = e[f"{k}_ci95_seeds"]
        assert lo <= e[k] <= hi
    one = json.loads(evaluate(random_bench(), ["random"], seeds=[0], bootstrap=0).to_json())
    assert "rs_ci95_seeds" not in one["policies"]["random"]


def test_json_is_byte_identical_across_runs_and_timings_are_opt_in():
    first = evaluate(random_bench(), ["random", "mf", "oub"], seeds=range(2), bootstrap=20, cache_dir=False)
    second = evaluate(random_bench(), ["random", "mf", "oub"], seeds=range(2), bootstrap=20, cache_dir=False)
    assert first.to_json() == second.to_json()
    assert "seconds" not in first.to_json()
    timed = json.loads(first.to_json(timings=True))
    assert set(timed["policies"]["mf"]["timings"]) == {"fit_seconds", "route_seconds"}


# ---- names and arguments -----------------------------------------------------------------------
def test_policy_names_expand_all_and_fixed():
    b = random_bench(m=3)
    names = policy_names(b, "all")
    assert names[:2] == ["random", "round-robin"]
    assert [x for x in names if x.startswith("fixed:")] == [f"fixed:{m}" for m in b.model_names]
    assert names[-3:] == ["oub", "qoub", "coub"]
    assert policy_names(b, "random, fixed:Llama-3-8B-Instruct,random") == ["random", "fixed:Llama-3-8B-Instruct"]
    with pytest.raises(RouterlabError, match="unknown policy 'nope'"):
        policy_names(b, "random,nope")
    with pytest.raises(RouterlabError, match="unknown model 'GPT-9'"):
        policy_names(b, "fixed:GPT-9")


@pytest.mark.parametrize("kwargs, pattern", [
    ({"normalization": "max"}, "unknown normalization"),
    ({"split": "kfold"}, "unknown split"),
    ({"test_size": 1.0}, "test_size"),
    ({"seeds": []}, "seeds is empty"),
    ({"seeds": [1, 1]}, "repeat"),
    ({"bootstrap": -1}, "bootstrap"),
    ({"reference": "GPT-9"}, "unknown model"),
    ({"router_options": {"mf": {}}}, "not evaluated"),
])
def test_bad_arguments(kwargs, pattern):
    with pytest.raises(RouterlabError, match=pattern):
        evaluate(random_bench(n=100), ["random"], **{"bootstrap": 0, **kwargs})


# ---- cache -------------------------------------------------------------------------------------
def _entries(folder):
    """The cache entries (hidden names are the lock folder and temporary files)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


def test_cache_hits_only_for_identical_inputs(tmp_path, monkeypatch):
    b = random_bench(n=300)
    base = dict(routers=["random", "oub"], seeds=[0, 1], normalization="global", split="stratified",
                test_size=0.2, bootstrap=20)
    first = evaluate(b, cache_dir=tmp_path, **base)
    assert not first.from_cache and len(_entries(tmp_path)) == 1
    hit = evaluate(b, cache_dir=tmp_path, **base)
    assert hit.from_cache and len(_entries(tmp_path)) == 1
    pd.testing.assert_frame_equal(hit.summary(), first.summary(), check_dtype=False)
    pd.testing.assert_frame_equal(hit.per_dataset, first.per_dataset, check_dtype=False)
    assert np.array_equal(hit.terms[1], first.terms[1]) and np.array_equal(hit.boot["rs"], first.boot["rs"])
    # stored without pickle: json + parquet + npz that load with allow_pickle=False
    folder = tmp_path / _entries(tmp_path)[0]
    assert {p.suffix for p in folder.iterdir()} == {".json", ".parquet", ".npz"}

    changes = [dict(routers=["random", "coub"]), dict(seeds=[0, 2]), dict(normalization="per-query"),
               dict(split="random"), dict(test_size=0.25), dict(bootstrap=21),
               dict(reference="Llama-3-8B-Instruct"), dict(router_options={"random": {}}),
               dict(bootstrap_seed=1)]
    for k, change in enumerate(changes, start=2):
        res = evaluate(b, cache_dir=tmp_path, **{**base, **change})
        assert not res.from_cache, change
        assert len(_entries(tmp_path)) == k, change
    # benchmark content: one quality cell changed
    q = b.quality.copy()
    q[5, 1] = 1 - q[5, 1]
    from dataclasses import replace

    assert not evaluate(replace(b, quality=q), cache_dir=tmp_path, **base).from_cache
    # features and confidences count too
    assert not evaluate(replace(b, features=b.features + 1e-9), cache_dir=tmp_path, **base).from_cache
    assert not evaluate(replace(b, confidence=b.confidence[::-1].copy()), cache_dir=tmp_path, **base).from_cache
    # package source code
    monkeypatch.setattr(ev, "code_fingerprint", lambda: "other code")
    assert not evaluate(b, cache_dir=tmp_path, **base).from_cache
    monkeypatch.undo()
    assert evaluate(b, cache_dir=tmp_path, **base).from_cache


def test_code_fingerprint_covers_the_package_sources():
    fp = ev.code_fingerprint()
    assert len(fp) == 64 and fp == ev.code_fingerprint()


def test_a_corrupt_cache_entry_is_recomputed(tmp_path):
    b = random_bench(n=200)
    first = evaluate(b, ["random"], seeds=[0], bootstrap=0, cache_dir=tmp_path)
    folder = tmp_path / _entries(tmp_path)[0]
    (folder / "meta.json").write_text("{broken")
    again = evaluate(b, ["random"], seeds=[0], bootstrap=0, cache_dir=tmp_path)
    assert not again.from_cache
    assert again.per_seed["rs"].iloc[0] == first.per_seed["rs"].iloc[0]
    assert EvaluationResult.load(folder).from_cache


def test_cache_folder_from_the_environment(tmp_path, monkeypatch):
    b = random_bench(n=200)
    monkeypatch.setenv(ev.CACHE_ENV, str(tmp_path / "env-cache"))
    assert not evaluate(b, ["random"], seeds=[0], bootstrap=0).from_cache
    assert evaluate(b, ["random"], seeds=[0], bootstrap=0).from_cache
    assert not evaluate(b, ["random"], seeds=[0], bootstrap=0, cache_dir=False).from_cache
    monkeypatch.delenv(ev.CACHE_ENV)
    assert not evaluate(b, ["random"], seeds=[0], bootstrap=0).from_cache
    assert len(_entries(tmp_path / "env-cache")) == 1


def test_all_leaves_out_confidence_routers_without_confidences():
    import routerlab as rl

    cascades = [x for x in ("cascade", "frugalgpt") if x in rl.router_names()]
    if not cascades:
        pytest.skip("cascade routers not registered")
    with_conf = policy_names(random_bench(), "all")
    without = policy_names(hand_bench(), "all")
    assert set(cascades) <= set(with_conf)
    assert not set(cascades) & set(without)
    assert set(without) < set(with_conf) | {"fixed:cheap", "fixed:dear"}


# ---- text features of real data, fitted per seed on the training prompts -------------------------
def _worded_benchmark(n=600, seed=0):
    """The weak model is right exactly on queries whose prompt says 'easy', the strong one always,
    a third (most expensive) never: only the words tell when the cheap model suffices."""
    from routerlab.data.catalog import Model

    rng = np.random.default_rng(seed)
    easy = rng.random(n) < 0.5
    words = rng.choice(np.array(["alpha", "beta", "gamma", "delta"]), n)
    prompts = np.array([f"{'easy' if e else 'hard'} question about {w} number {i}"
                        for i, (e, w) in enumerate(zip(easy, words))])
    quality = np.column_stack([easy, np.ones(n, bool), np.zeros(n, bool)]).astype(float)
    cost = np.column_stack([np.full(n, 1e-4), np.full(n, 5e-3), np.full(n, 1e-2)])
    return Benchmark(quality=quality, cost=cost, models=(Model("weak", "A", "Small", 1, 1),
                                                         Model("strong", "B", "Large", 50, 50),
                                                         Model("pricey", "C", "Large", 100, 100)),
                        sample_ids=np.array([f"q{i}" for i in range(n)]), datasets=np.full(n, "D"),
                        prompt_tokens=np.full(n, 8), prompts=prompts, name="worded")


def test_prompts_without_features_get_tfidf_features_that_route_on_the_words():
    bench = _worded_benchmark()
    with_text = evaluate(bench, ["mf", "oub"], seeds=[0, 1], bootstrap=0, cache_dir=False)
    without = evaluate(bench, ["mf", "oub"], seeds=[0, 1], bootstrap=0, cache_dir=False, text_features=None)
    assert with_text.params["text_features"] == "tfidf"
    assert without.params["text_features"] is None
    rs_text = with_text.summary().loc["mf", "rs"]
    # the words decide who is right: with text features MF reaches the oracle; without them it cannot
    assert rs_text == pytest.approx(with_text.summary().loc["oub", "rs"], abs=0.01)
    assert without.summary().loc["mf", "rs"] < rs_text - 0.1


def test_text_features_need_prompts():
    bench = _worded_benchmark()
    from dataclasses import replace

    with pytest.raises(RouterlabError, match="needs prompt texts"):
        evaluate(replace(bench, prompts=None), ["mf"], seeds=[0], bootstrap=0, cache_dir=False,
                 text_features="tfidf")
    with pytest.raises(RouterlabError, match="text_features"):
        evaluate(bench, ["mf"], seeds=[0], bootstrap=0, cache_dir=False, text_features="bag")
