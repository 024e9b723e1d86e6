"""routerlab.evaluation.comparison: rankings of policies across benchmarks, on tiny hand-computed cases."""

from __future__ import annotations

import math
from types import SimpleNamespace

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from routerlab.book import plots  # noqa: E402
from routerlab.evaluation import comparison as pc  # noqa: E402
from routerlab.errors import RouterlabError  # noqa: E402

INFO = {"random": ("baseline", False, False), "fixed:a": ("single model", False, False),
        "fixed:b": ("single model", False, False), "fixed:c": ("single model", False, False),
        "mf": ("prediction", True, False), "knn": ("semantic", True, False),
        "dataset-best": ("baseline", True, False), "oub": ("bound", False, True)}


class FakeResult:
    """The parts of an EvaluationResult the module reads: policies, policy_info, per_seed, boot,
    seeds, params and summary()."""

    def __init__(self, rs_by_seed: dict[int, dict[str, float]], boot=None, reference="c"):
        self.policies = list(next(iter(rs_by_seed.values())))
        self.policy_info = {p: {"paradigm": INFO[p][0], "learns": INFO[p][1], "uses_truth": INFO[p][2]}
                            for p in self.policies}
        self.per_seed = pd.DataFrame([{"policy": p, "seed": s, "rs": v} for s, d in rs_by_seed.items()
                                      for p, v in d.items()])
        self.boot = {} if boot is None else {"rs": np.asarray(boot, dtype=float)}
        self.params = {"reference": reference}

    @property
    def seeds(self):
        return sorted(self.per_seed["seed"].unique().tolist())

    def summary(self):
        rs = self.per_seed.groupby("policy", sort=False)["rs"].mean().reindex(self.policies)
        return pd.DataFrame({"rs": rs})


RS = {"random": 0.55, "fixed:a": 0.50, "fixed:b": 0.60, "fixed:c": 0.45, "mf": 0.70, "knn": 0.65,
      "dataset-best": 0.62, "oub": 1.00}
COST = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 5.0]])  # mean cost: a 1, b 2, c 4


# ---- roles and policy sets -------------------------------------------------------------------------

def test_fixed_roles_picks_dearest_and_cheapest_by_mean_cost():
    assert pc.fixed_roles(["a", "b", "c"], COST) == {pc.DEAREST: "fixed:c", pc.CHEAPEST: "fixed:a"}


def test_fixed_roles_breaks_price_ties_by_accuracy_then_column_order():
    cost = np.array([[1.0, 3.0, 3.0], [1.0, 3.0, 3.0]])
    quality = np.array([[1, 0, 1], [0, 0, 1]])
    assert pc.fixed_roles(["a", "b", "c"], cost, quality)[pc.DEAREST] == "fixed:c"
    assert pc.fixed_roles(["a", "b", "c"], cost)[pc.DEAREST] == "fixed:b"  # no quality: first column
    with pytest.raises(RouterlabError, match="at least 2 models"):
        pc.fixed_roles(["a"], np.ones((2, 1)))


def test_learned_routers_and_comparable_policies():
    res = FakeResult({0: RS})
    assert pc.learned_routers(res) == ["mf", "knn"]  # dataset-best is a baseline, oub a bound
    assert pc.learned_routers(res, among=["knn"]) == ["knn"]
    comp = pc.comparable_policies(res, ["a", "b", "c"], COST)
    assert comp == {"random": "random", pc.CHEAPEST: "fixed:a", pc.DEAREST: "fixed:c", "mf": "mf", "knn": "knn",
                    "dataset-best": "dataset-best"}  # fixed:b has no role, oub reads the truth


# ---- rank agreement ----------------------------------------------------------------------------------

def test_rank_agreement_hand_computed():
    # ranks 1,2,3,4 against 1,3,2,4: sum d^2 = 2, rho = 1 - 6 * 2 / (4 * 15) = 0.8
    a = {"w": 1.0, "x": 2.0, "y": 3.0, "z": 4.0}
    b = {"w": 10.0, "x": 30.0, "y": 20.0, "z": 40.0, "only_b": 0.0}
    out = pc.rank_agreement(a, b)
    assert out["rho"] == pytest.approx(0.8)
    assert out["common"] == ["w", "x", "y", "z"] and out["only_b"] == ["only_b"] and out["only_a"] == []
    assert math.isnan(out["lo"])
    assert pc.rank_agreement(a, {k: -v for k, v in a.items()})["rho"] == pytest.approx(-1.0)
    assert math.isnan(pc.rank_agreement({"x": 1, "y": 2}, {"x": 1, "y": 2})["rho"])  # fewer than 3


def test_rank_agreement_bootstrap_interval():
    a = {"x": 1.0, "y": 2.0, "z": 3.0}
    same = {k: np.full(5, v) for k, v in a.items()}  # every replicate equals the point values
    out = pc.rank_agreement(a, a, same, same)
    assert out["lo"] == pytest.approx(1.0) and out["hi"] == pytest.approx(1.0)
    flip = {"x": np.array([1.0, 3.0]), "y": np.array([2.0, 2.0]), "z": np.array([3.0, 1.0])}
    out = pc.rank_agreement(a, a, same_two := {k: np.full(2, v) for k, v in a.items()}, flip)
    # percentiles 2.5 and 97.5 of the two replicate rhos -1 and +1 (linear interpolation)
    assert out["lo"] == pytest.approx(-1.0 + 0.025 * 2) and out["hi"] == pytest.approx(1.0 - 0.025 * 2)
    with pytest.raises(RouterlabError, match="shape"):
        pc.rank_agreement(a, a, same, same_two)


def test_rank_table_and_biggest_moves():
    t = pc.rank_table({"sim": {"x": 3.0, "y": 2.0, "z": 2.0}, "real": {"x": 1.0, "y": 2.0, "z": 3.0},
                       "gone": None}, ["x", "y", "z"])
    assert t["sim"].tolist() == [1.0, 2.0, 2.0]  # ties share the better rank
    assert t["real"].tolist() == [3.0, 2.0, 1.0]
    assert t["gone"].isna().all()
    first = pc.rank_table({"sim": {"x": 3.0, "y": 2.0, "z": 2.0}}, ["x", "y", "z"], method="first")
    assert first["sim"].tolist() == [1.0, 2.0, 3.0]
    assert pc.biggest_moves(t, "sim", "real") == [("x", 1, 3), ("z", 2, 1)]  # y does not move
    assert pc.biggest_moves(t, "sim", "gone") == []


def test_rank_among_counts_strictly_better():
    rs = {"a": 0.7, "b": 0.6, "c": 0.7, "d": 0.5}
    assert pc.rank_among(rs, "a", ["a", "b", "c", "d"]) == 1  # a tie counts in its favour
    assert pc.rank_among(rs, "b", ["a", "b", "c", "d"]) == 3
    assert pc.rank_among(rs, "d", ["b", "d"]) == 2
    with pytest.raises(RouterlabError):
        pc.rank_among(rs, "d", ["a", "b"])


# ---- best learned vs best fixed --------------------------------------------------------------------

def test_best_learned_vs_best_fixed_hand_computed():
    # two replicates: the second lifts mf by 0.1 and oub by 0.1
    rep = np.array([[RS[p] for p in RS], [RS[p] + (0.1 if p in ("mf", "oub") else 0.0) for p in RS]])
    res = FakeResult({0: RS}, boot=rep)
    out = pc.best_learned_vs_best_fixed(res, ["mf", "knn"])
    assert out["best_learned"] == "mf" and out["best_fixed"] == "fixed:b"
    assert out["diff"] == pytest.approx(0.10)
    assert out["gap_closed"] == pytest.approx(0.10 / 0.40)
    # replicate differences 0.10 and 0.20; gap shares 0.25 and 0.4
    assert out["diff_lo"] == pytest.approx(0.10 + 0.025 * 0.10)
    assert out["diff_hi"] == pytest.approx(0.20 - 0.025 * 0.10)
    assert out["gap_lo"] == pytest.approx(0.25 + 0.025 * 0.15)
    assert out["gap_hi"] == pytest.approx(0.40 - 0.025 * 0.15)
    no_boot = pc.best_learned_vs_best_fixed(FakeResult({0: RS}), ["knn"])
    assert no_boot["best_learned"] == "knn" and no_boot["diff"] == pytest.approx(0.05)
    assert math.isnan(no_boot["diff_lo"])
    with pytest.raises(RouterlabError):
        pc.best_learned_vs_best_fixed(res, [])


def test_article_ordering_verdicts():
    """The ordering's counts, judged by the claim's pre-registered rule (the one evaluator)."""
    from routerlab.reproduction.criteria import judge

    def verdict(o):
        return judge("result.ordering", {k: o[k] for k in ("relations_failed", "relations_unchecked")})[0]

    rs = {"mf": 0.7, "bert-cls": 0.65, "random": 0.55, "fixed:c": 0.5, "fixed:a": 0.45}
    o = pc.article_ordering(rs, "fixed:c", "fixed:a")
    assert verdict(o) == "not checkable here"  # every checkable relation holds; cascades missing
    assert sum(r[3] is None for r in o["relations"]) == 3
    assert verdict(pc.article_ordering(dict(rs, mf=0.6), "fixed:c", "fixed:a")) == "not reproduced"
    full = dict(rs, cascade=0.60, frugalgpt=0.61)
    assert verdict(pc.article_ordering(full, "fixed:c", "fixed:a")) == "reproduced"
    assert verdict(pc.article_ordering(dict(full, frugalgpt=0.64), "fixed:c", "fixed:a", equal_tol=0.02)) \
        == "not reproduced"  # cascade = frugalgpt fails by 0.04


# ---- tables ----------------------------------------------------------------------------------------

def test_results_table_formats_for_people():
    s = pd.DataFrame({"paradigm": ["prediction"], "rs": [0.61234], "rs_lo_seeds": [0.6], "rs_hi_seeds": [0.625],
                      "rs_lo_boot": [np.nan], "rs_hi_boot": [np.nan], "quality": [0.7],
                      "mean_cost": [0.00006], "cost_reduction": [0.5321]}, index=["mf"])
    res = SimpleNamespace(policies=["mf"], params={"reference": "big"}, summary=lambda: s)
    t = pc.results_table(res, cost_label="estimated cost")
    row = t.loc["mf"]
    assert row["RS [95% across seeds]"] == "0.612 [0.600, 0.625]"
    assert row["RS 95% bootstrap"] == "n/a"
    assert row["mean cost (USD per 1,000 queries, estimated cost)"] == "0.0600"  # 3 significant digits
    assert row["cost reduction vs big (estimated cost)"] == "53.2%"
    assert pc._sig3(123.4) == "123" and pc._sig3(5.344) == "5.34" and pc._sig3(float("nan")) == "n/a"


def test_estimate_sensitivity_hand_computed():
    bench = SimpleNamespace(model_names=["a", "b", "c"], cost=COST, quality=None)
    base = FakeResult({0: RS, 1: RS})
    worse = dict(RS, mf=0.60, knn=0.66)  # knn becomes the best learned router, mf drops by 0.1
    alt = FakeResult({0: worse})
    out = pc.estimate_sensitivity({"default": base, "alt": alt}, {"default": bench, "alt": bench}, "default")
    assert out.attrs["seeds"] == [0]
    assert out.loc["default", "rho vs default"] == pytest.approx(1.0)
    assert out.loc["default", "MF RS change"] == 0.0
    assert out.loc["alt", "best learned router"] == "knn"
    assert out.loc["alt", "MF RS change"] == pytest.approx(-0.10)
    assert out.loc["alt", "learned - fixed"] == pytest.approx(0.06)
    assert out.loc["alt", "learned - fixed change"] == pytest.approx(-0.04)
    assert out.loc["alt", "oracle gap closed"] == pytest.approx(0.06 / 0.40)
    assert out.loc["alt", "rho vs default"] < 1.0  # mf and knn swap places
    with pytest.raises(RouterlabError, match="default estimate"):
        pc.estimate_sensitivity({"alt": alt}, {"alt": bench}, "default")


def test_on_a_real_evaluation():
    import routerlab as rl

    bench = rl.simulate(scale=0.01, seed=0)
    res = rl.evaluate(bench, ["random", "fixed:GPT-4o", "fixed:Llama-3-8B-Instruct", "mf", "oub"], seeds=[0, 1],
                      bootstrap=50, cache_dir=False)
    assert pc.learned_routers(res) == ["mf"]
    comp = pc.comparable_policies(res, bench.model_names, bench.cost, bench.quality)
    assert comp[pc.DEAREST] == "fixed:GPT-4o" and comp[pc.CHEAPEST] == "fixed:Llama-3-8B-Instruct"
    out = pc.best_learned_vs_best_fixed(res, ["mf"])
    s = res.summary()["rs"]
    assert out["diff"] == pytest.approx(s["mf"] - max(s["fixed:GPT-4o"], s["fixed:Llama-3-8B-Instruct"]))
    assert out["diff_lo"] <= out["diff"] <= out["diff_hi"]
    assert out["gap_closed"] <= 1.0  # the oracle bounds every policy
    rs_l, boot_l = pc.labelled(res, comp)
    assert set(boot_l) == set(comp) and all(len(v) == 50 for v in boot_l.values())
    assert pc.rank_agreement(rs_l, rs_l, boot_l, boot_l)["lo"] == pytest.approx(1.0)


# ---- the plot --------------------------------------------------------------------------------------

def test_plot_rank_slopes_marks_missing_data():
    ranks = pd.DataFrame({"sim": [1.0, 2.0], "real": [2.0, 1.0], "gone": [np.nan, np.nan]}, index=["x", "y"])
    fig, ax = plt.subplots()
    plots.plot_rank_slopes(ax, ranks)
    texts = [t.get_text() for t in ax.texts]
    assert "data not found" in texts
    assert texts.count("x") == 2  # labelled left of the first and right of the last column with data
    plt.close(fig)


# ---- how distinct are the policies (issue 10, algo.list) ----------------------------------------

def test_choice_agreement_counts_same_choices_per_seed():
    from types import SimpleNamespace

    choices = {0: np.array([[0, 0, 1], [1, 1, 1], [2, 0, 2], [0, 0, 0]]),
               1: np.array([[1, 1, 1], [1, 1, 1], [2, 2, 2], [0, 1, 0]])}
    res = SimpleNamespace(policies=["a", "b", "c"], seeds=[0, 1], choices=choices)
    agree = pc.choice_agreement(res, ["a", "b", "c"])
    # a vs b: seed 0 agrees on 3 of 4, seed 1 on 3 of 4; a vs c: 3/4 and 4/4
    assert agree.loc["a", "b"] == pytest.approx(0.75) and agree.loc["b", "a"] == pytest.approx(0.75)
    assert agree.loc["a", "c"] == pytest.approx(0.875)
    assert np.allclose(np.diag(agree), 1.0)
    assert pc.most_similar_pair(agree) == ("a", "c", pytest.approx(0.875))
    with pytest.raises(RouterlabError, match="not in the evaluation"):
        pc.choice_agreement(res, ["a", "z"])


def test_probability_correlation_and_rank_where_distinct():
    rng = np.random.default_rng(0)
    p = rng.random((50, 4))
    corr = pc.probability_correlation({"x": p, "y": 0.5 * p + 0.1, "z": rng.random((50, 4))})
    assert corr.loc["x", "y"] == pytest.approx(1.0) and abs(corr.loc["x", "z"]) < 0.5
    ranks = pd.DataFrame({"agreement": [0.7, 0.9, 0.97, 0.98]}, index=pd.Index([1, 2, 6, 32], name="k"))
    assert pc.rank_where_distinct(ranks, 0.95) == 2
    assert pc.rank_where_distinct(ranks, 0.5) is None


def test_predictive_agreement_mf_full_rank_behaves_like_per_model_classifiers():
    from routerlab.evaluation.protocol import stratified_split
    from routerlab.data.simulate import simulate

    b = simulate(scale=0.02, seed=0)
    tr, te = stratified_split(b, seed=0)
    out = pc.predictive_agreement(b.rows(tr), b.rows(te), [1, 32], reference="seq-cls")
    ranks = out["ranks"]
    assert list(ranks.index) == [1, 32] and set(out["proba"]) == {"seq-cls", "mf"}
    # with six models k = 32 cannot bind: MF's choices are close to seq-cls's; rank 1 is another method
    assert ranks.loc[32, "agreement"] > 0.9 and ranks.loc[32, "proba_corr"] > 0.99
    assert ranks.loc[1, "agreement"] < ranks.loc[32, "agreement"]
    with pytest.raises(RouterlabError, match="ranks"):
        pc.predictive_agreement(b.rows(tr), b.rows(te), [0])
