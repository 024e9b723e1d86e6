"""Chapter 04's real-data additions: what a correlation across few datasets can detect, and the
per-dataset tables built from an evaluation (routerlab.evaluation.analysis).

Expected numbers of the hand cases are worked out in the comments beside them.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from routerlab.evaluation import analysis as an
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import models_with_prices
from routerlab.errors import RouterlabError


# ---- the small-n caveat ----------------------------------------------------------------------
def test_critical_r_hand_values():
    # n = 14: t_{0.975, 12} = 2.178813; r = 2.178813 / sqrt(12 + 2.178813^2) = 2.178813 / 4.092339 = 0.532413
    assert an.correlation_critical_r(14) == pytest.approx(0.532413, abs=1e-5)
    # n = 12: t_{0.975, 10} = 2.228139; r = 2.228139 / sqrt(10 + 4.964603) = 0.575983
    assert an.correlation_critical_r(12) == pytest.approx(0.575983, abs=1e-5)
    with pytest.raises(RouterlabError):
        an.correlation_critical_r(2)


def test_critical_r_gives_p_equal_alpha_on_data_with_that_r():
    # build 14 pairs whose sample correlation is exactly r_c: y = r x + sqrt(1 - r^2) e, with x, e
    # centred, orthogonal and of equal norm; scipy's p-value must then be 0.05
    from scipy import stats

    n = 14
    r = an.correlation_critical_r(n)
    rng = np.random.default_rng(0)
    x = rng.normal(size=n)
    x -= x.mean()
    e = rng.normal(size=n)
    e -= e.mean()
    e -= x * (e @ x) / (x @ x)
    e *= np.linalg.norm(x) / np.linalg.norm(e)
    y = r * x + math.sqrt(1 - r * r) * e
    res = stats.pearsonr(x, y)
    assert res.statistic == pytest.approx(r, abs=1e-12)
    assert res.pvalue == pytest.approx(0.05, abs=1e-9)


def test_power_is_alpha_at_zero_and_grows_with_n_and_rho():
    assert an.correlation_power(0.0, 14) == pytest.approx(0.05, abs=1e-12)
    assert an.correlation_power(0.5, 14) < an.correlation_power(0.5, 30) < an.correlation_power(0.5, 100)
    assert an.correlation_power(0.3, 14) < an.correlation_power(0.6, 14)
    assert an.correlation_power(-0.5, 14) == pytest.approx(an.correlation_power(0.5, 14))
    # rho = 0.5, n = 14: shift = atanh(0.5) sqrt(11) = 0.549306 * 3.316625 = 1.821849;
    # power = Phi(1.821849 - 1.959964) + Phi(-1.821849 - 1.959964) = Phi(-0.138115) + Phi(-3.781813)
    #       = 0.445076 + 0.000078 = 0.445154
    assert an.correlation_power(0.5, 14) == pytest.approx(0.445154, abs=1e-5)


def test_power_matches_a_monte_carlo_of_the_fisher_test():
    # bivariate normal samples with rho = 0.6, n = 14: share whose 95% Fisher-z interval excludes 0
    rng = np.random.default_rng(1)
    rho, n, reps = 0.6, 14, 4000
    x = rng.normal(size=(reps, n))
    y = rho * x + math.sqrt(1 - rho**2) * rng.normal(size=(reps, n))
    xc, yc = x - x.mean(1, keepdims=True), y - y.mean(1, keepdims=True)
    r = (xc * yc).sum(1) / np.sqrt((xc**2).sum(1) * (yc**2).sum(1))
    excl = np.abs(np.arctanh(r)) * math.sqrt(n - 3) > 1.959964
    # the Monte Carlo share has a standard error of about 0.008
    assert excl.mean() == pytest.approx(an.correlation_power(rho, n), abs=0.03)


def test_n_for_power_is_the_smallest_n_reaching_the_power():
    for rho in (0.3, -0.5, 0.72):
        n = an.correlation_n_for_power(rho, 0.8)
        assert an.correlation_power(rho, n) >= 0.8
        assert n == 4 or an.correlation_power(rho, n - 1) < 0.8
    # rho = 0.5: ((1.959964 + 0.841621) / 0.549306)^2 + 3 = 26.0 + 3 = 29.0 -> 29 or 30
    assert an.correlation_n_for_power(0.5) in (29, 30)
    with pytest.raises(RouterlabError):
        an.correlation_n_for_power(0.0)


def test_caveat_entries():
    c = an.correlation_caveat(12, 0.5)
    # half-width at r = 0: tanh(1.959964 / 3) = tanh(0.653321) = 0.573899
    assert c["half_width_at_0"] == pytest.approx(0.573899, abs=1e-5)
    # at r = 0.5 the interval is [-0.103641, 0.834454] (see test_analysis): half-width 0.469048
    assert c["half_width"] == pytest.approx(0.469048, abs=1e-5)
    assert c["power"] == pytest.approx(an.correlation_power(0.5, 12))
    assert c["critical_r"] == pytest.approx(an.correlation_critical_r(12))
    none = an.correlation_caveat(14, None)
    assert math.isnan(none["power"]) and math.isnan(none["n_for_80"]) and none["n"] == 14
    assert math.isnan(an.correlation_caveat(14, float("nan"))["power"])


# ---- roles and per-dataset tables ------------------------------------------------------------
def test_model_roles_hand_case():
    q = np.array([[1, 0, 1], [0, 0, 1.0]])          # mean quality 0.5, 0, 1 -> strongest "c"
    c = np.array([[2, 1, 5], [2, 1, 1.0]])          # mean cost 2, 1, 3 -> cheapest "b", dearest "c"
    assert an.model_roles(q, c, ["a", "b", "c"]) == {"cheapest": "b", "most_expensive": "c", "strongest": "c"}
    with pytest.raises(RouterlabError):
        an.model_roles(q, c, ["a", "b"])


def _fake_result():
    """Two seeds, two datasets; MF and the oracle over models cheap/dear; fixed:dear as reference."""
    rows = []
    # (policy, seed, dataset, n_test, rs, gain, gap, quality, share cheap, share dear, best model)
    spec = [
        ("mf", 0, "H", 10, 0.20, -0.02, 0.30, 0.40, 0.80, 0.20, "dear"),
        ("mf", 1, "H", 12, 0.22, -0.04, 0.28, 0.50, 0.70, 0.30, "dear"),
        ("mf", 0, "E", 30, 0.80, 0.05, 0.05, 0.90, 0.90, 0.10, "cheap"),
        ("mf", 1, "E", 28, 0.82, 0.03, 0.04, 0.92, 0.95, 0.05, "cheap"),
        ("oub", 0, "H", 10, 0.50, 0.28, 0.0, 0.90, 0.30, 0.70, "dear"),
        ("oub", 1, "H", 12, 0.50, 0.24, 0.0, 0.90, 0.40, 0.60, "dear"),
        ("oub", 0, "E", 30, 0.85, 0.10, 0.0, 1.00, 0.95, 0.05, "cheap"),
        ("oub", 1, "E", 28, 0.86, 0.07, 0.0, 1.00, 0.95, 0.05, "cheap"),
        ("fixed:dear", 0, "H", 10, 0.10, -0.12, 0.40, 0.80, 0.0, 1.0, "dear"),
        ("fixed:dear", 1, "H", 12, 0.10, -0.16, 0.40, 0.80, 0.0, 1.0, "dear"),
        ("fixed:dear", 0, "E", 30, 0.50, -0.25, 0.35, 0.95, 0.0, 1.0, "cheap"),
        ("fixed:dear", 1, "E", 28, 0.50, -0.29, 0.36, 0.95, 0.0, 1.0, "cheap"),
    ]
    for p, s, d, n, rs, gain, gap, q, sc, sd, best in spec:
        rows.append({"policy": p, "seed": s, "dataset": d, "n_test": n, "rs": rs, "gain_vs_best_single": gain,
                     "gap_to_oracle": gap, "oracle_rs": rs + gap, "best_single_rs": rs - gain,
                     "quality": q, "share:cheap": sc, "share:dear": sd, "best_single_model": best})
    pdl = pd.DataFrame(rows)
    # over all test rows (per seed): fixed:dear quality 0.9, mf 0.8 and 0.7 -> loss 0.1, 0.2 (mean 0.15)
    ps = pd.DataFrame({"policy": ["mf", "oub", "fixed:dear"] * 2, "seed": [0, 0, 0, 1, 1, 1],
                       "quality": [0.8, 0.97, 0.9, 0.7, 0.97, 0.9]})
    return SimpleNamespace(per_dataset=pdl, per_seed=ps)


def _fake_bench():
    # dataset E: 60 rows, H: 50 rows; models cheap, dear; quality: E all right, H right on 10% / 30%
    n_e, n_h = 60, 50
    q = np.zeros((n_e + n_h, 2))
    q[:n_e] = 1.0
    q[n_e:n_e + 5, 0] = 1.0
    q[n_e:n_e + 15, 1] = 1.0
    models = models_with_prices()[:2]
    models = tuple(type(m)(**{**m.__dict__, "name": nm}) for m, nm in zip(models, ["cheap", "dear"]))
    return Benchmark(quality=q, cost=np.ones_like(q), models=models,
                     sample_ids=np.arange(n_e + n_h).astype(str), datasets=np.repeat(["E", "H"], [n_e, n_h]),
                     prompt_tokens=np.full(n_e + n_h, 10))


def test_dataset_table_hand_case():
    t = an.dataset_table(_fake_result(), _fake_bench(), "mf")
    assert list(t.index) == ["E", "H"]                         # the benchmark's dataset order
    # H: n_test mean (10 + 12) / 2 = 11, size 50 -> n_train 39; difficulty 1 - (5 + 15) / 100 = 0.8
    assert t.loc["H", "n_test"] == 11 and t.loc["H", "n_train"] == 39
    assert t.loc["H", "difficulty"] == pytest.approx(0.8)
    # H: rows 5..14 are right only for "dear", rows 15..49 for nobody -> 35 / 50 = 0.7; E: 0
    assert t.loc["H", "none_right"] == pytest.approx(0.7) and t.loc["E", "none_right"] == 0
    assert t.loc["E", "difficulty"] == pytest.approx(0.0) and t.loc["E", "n_train"] == 31
    # gain on H: mean(-0.02, -0.04) = -0.03, t-interval -0.03 +- 12.7062 * 0.014142 / sqrt(2) = +-0.127062
    assert t.loc["H", "gain"] == pytest.approx(-0.03)
    assert t.loc["H", "gain_hi"] - t.loc["H", "gain"] == pytest.approx(0.127062, abs=1e-5)
    assert t.loc["E", "gap"] == pytest.approx(0.045) and t.loc["E", "best_single_model"] == "cheap"
    with pytest.raises(RouterlabError):
        an.dataset_table(_fake_result(), _fake_bench(), "knn")


def test_excess_shares_and_over_routing_verdicts_hand_case():
    res = _fake_result()
    ex = an.excess_shares(res, "mf", "dear")
    # H: mf uses "dear" 0.2, 0.3, the oracle 0.7, 0.6: excess -0.5, -0.3 -> mean -0.4, sd 0.141421,
    # t-interval -0.4 +- 12.7062 * 0.141421 / sqrt(2) = -0.4 +- 1.270620
    assert ex.loc["H", "excess"] == pytest.approx(-0.4)
    assert ex.loc["H", "excess_lo"] == pytest.approx(-1.670620, abs=1e-5)
    assert ex.loc["H", "share"] == pytest.approx(0.25) and ex.loc["H", "oracle_share"] == pytest.approx(0.65)
    v = an.over_routing_verdicts(res, ["mf"], cheap_model="cheap", reference="dear").set_index("dataset")
    # H: excess cheap share 0.5, 0.3 -> mean 0.4, interval 0.4 +- 12.7062 * 0.141421 / sqrt(2) = +-1.27,
    # so it includes 0: no over-routing even though the quality loss (0.4, 0.3 -> 0.35) exceeds 0.15
    assert v.loc["H", "excess_cheap"] == pytest.approx(0.4)
    assert v.loc["H", "quality_loss"] == pytest.approx(0.35)
    assert v.loc["H", "overall_loss"] == pytest.approx(0.15)
    assert not v.loc["H", "over_routes"]
    # E: excess cheap share -0.05, 0.0; loss 0.05, 0.03 < 0.15 -> no over-routing
    assert not v.loc["E", "over_routes"]


def test_over_routing_verdicts_flags_a_consistent_excess():
    res = _fake_result()
    pdl = res.per_dataset.copy()
    # make MF's excess on H the same on both seeds (0.5): the interval collapses above 0
    pdl.loc[(pdl["policy"] == "mf") & (pdl["dataset"] == "H"), "share:cheap"] = [0.8, 0.9]
    v = an.over_routing_verdicts(SimpleNamespace(per_dataset=pdl, per_seed=res.per_seed), ["mf"],
                                 cheap_model="cheap", reference="dear").set_index("dataset")
    assert v.loc["H", "excess_cheap_lo"] == pytest.approx(0.5) and v.loc["H", "over_routes"]


def test_cross_dataset_correlations_values_and_notes():
    t = pd.DataFrame({"n": [1, 2, 3, 4, 5.0], "d": [2, 1, 4, 3, 5.0], "g": [5, 4, 3, 2, 1.0],
                      "flat": [1.0] * 5})
    out = an.cross_dataset_correlations(t, ["g", "flat"], {"size": "n", "difficulty": "d"}).set_index(["y", "x"])
    assert out.loc[("g", "size"), "r"] == pytest.approx(-1.0)
    assert out.loc[("g", "difficulty"), "r"] == pytest.approx(-0.8)   # see test_pearson_ci_on_exact_and_known_data
    assert (out.loc[("g", "difficulty"), "lo"], out.loc[("g", "difficulty"), "hi"]) == pytest.approx(
        an.fisher_interval(-0.8, 5))
    assert math.isnan(out.loc[("flat", "size"), "r"]) and "constant" in out.loc[("flat", "size"), "note"]
    short = an.cross_dataset_correlations(t.iloc[:3], ["g"], {"size": "n"})
    assert math.isnan(short.loc[0, "r"]) and "4" in short.loc[0, "note"]


def test_dataset_findings_on_the_fake_evaluation():
    res = _fake_result()
    res.policies = ["mf", "fixed:dear", "oub"]
    res.policy_info = {"mf": {"learns": True}, "fixed:dear": {"learns": False}, "oub": {"learns": False}}
    bench = _fake_bench()
    # make "dear" cost more: cheapest = cheap, most expensive = dear; strongest = dear (H: 15 vs 5 right)
    from dataclasses import replace

    bench = replace(bench, cost=np.column_stack([np.ones(bench.n_queries), 2 * np.ones(bench.n_queries)]))
    f = an.dataset_findings(res, bench, n_hard=1)
    assert f["roles"] == {"cheapest": "cheap", "most_expensive": "dear", "strongest": "dear"}
    assert f["hard"] == ["H"] and list(f["table"]["hard"]) == [False, True]
    assert f["table"].loc["H", "excess_expensive"] == pytest.approx(-0.4)   # see the hand case above
    assert f["table"].loc["H", "excess_cheap"] == pytest.approx(0.4)
    assert set(f["over"]["policy"]) == {"mf"}                                 # the only learned policy
    # two datasets: fewer than the 4 a Fisher-z interval needs, so every correlation is NaN with a note
    assert f["correlations"]["r"].isna().all() and len(f["correlations"]) == 6   # 3 measures x 2
    # headroom = oracle RS - best single RS = gap + gain: on E, (0.05 + 0.05, 0.04 + 0.03) -> 0.085
    assert f["table"].loc["E", "headroom"] == pytest.approx(0.085)
    shown = an.dataset_display_table(f)
    assert list(shown.index) == ["E", "H (hard)"]
    assert shown.loc["H (hard)", "MF gain over best single [95% CI]"] == "-0.030 [-0.157, 0.097]"


def test_format_interval():
    assert an.format_interval(0.61, 0.59, 0.63) == "0.610 [0.590, 0.630]"
    assert an.format_interval(0.61, float("nan"), float("nan"), "{:.2f}") == "0.61"
    assert an.format_interval(float("nan"), 0, 1) == "n/a"
    assert an.format_interval(None, 0, 1, missing="-") == "-"
