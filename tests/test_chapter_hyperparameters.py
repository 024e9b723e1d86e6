"""Tests of routerlab.chapters.hyperparameters (chapter 06): the criteria's parts on hand-made
sweeps, the interval helpers by hand, and the per-query RS terms on a tiny simulated benchmark."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from routerlab.chapters import hyperparameters as ch
from routerlab.data.simulate import simulate
from routerlab.routing.routers import make_router


def _k_sweep(test_rs: dict, gap32: float, gap256: float, d256: float) -> dict:
    """A sweep as k_sweep returns it: mean test RS per k, gaps, and per-query test terms."""
    table = pd.DataFrame({"test_rs": [test_rs.get(k, 0.6) for k in ch.K_GRID]}, index=pd.Index(ch.K_GRID, name="k"))
    table["gap"] = [gap256 if k == 256 else gap32 for k in ch.K_GRID]
    table["train_rs"] = table["test_rs"] + table["gap"]
    base = np.linspace(0.2, 0.9, 50)
    terms = {k: [base + (d256 if k == 256 else 0.0)] for k in ch.K_GRID}
    return {"table": table, "test_terms": terms, "seconds": 1.0}


def test_mf_k_criterion_by_hand():
    ks = _k_sweep({8: 0.603}, gap32=0.01, gap256=0.02, d256=-0.01)
    kc = ch.k_criterion(ks)
    assert kc["best_k"] == 8
    assert kc["meas"]["best_minus_k32"] == pytest.approx(0.003)
    assert kc["d_large_ci"] == pytest.approx([-0.01, -0.01])      # a constant difference
    assert kc["stable"] and kc["overfits"] and kc["verdict"] == "reproduced"
    vals = ch.k_values(ks, kc, 6)
    assert vals["k_tol"] == 0.005 and vals["k_stable"] == vals["k_overfits"] == "holds"
    assert vals["k_spread8"] == pytest.approx(0.003)
    # no larger gap at 256: the second part fails, and with it the verdict
    kc = ch.k_criterion(_k_sweep({8: 0.603}, gap32=0.02, gap256=0.01, d256=-0.01))
    assert kc["stable"] and not kc["overfits"] and kc["verdict"] == "not reproduced"
    # best k more than 0.005 above k = 32: not stable
    assert not ch.k_criterion(_k_sweep({8: 0.61}, 0.01, 0.02, -0.01))["stable"]


def _thr(fallback, rs):
    rows = [{"seed": s, "threshold": t, "rs": rs(t) + (0.001 if s else -0.001), "quality": 0.7,
             "cost_vs_gpt4o": 0.5 + fallback(t), "fallback_rate": fallback(t), "gpt4o_share": fallback(t),
             "calls": 1.0} for s in (0, 1) for t in ch.THRESHOLDS]
    runs = pd.DataFrame(rows)
    return {"runs": runs, "table": runs.groupby("threshold").mean().drop(columns="seed"), "seconds": 0.0}


def test_cascade_threshold_criterion_by_hand():
    tc = ch.threshold_criterion(_thr(lambda t: 1 - t, lambda t: 0.6 - (t - 0.7) ** 2))
    assert tc["rho_fallback"] == pytest.approx(-1.0) and tc["rho_cost"] == pytest.approx(-1.0)
    assert ch.THRESHOLDS[tc["i_best"]] == 0.7 and tc["good_07"]
    assert tc["verdict"] == "reproduced" and tc["direction"].startswith("a lower threshold")
    # the audit's direction: fallback and cost rise with the threshold
    tc = ch.threshold_criterion(_thr(lambda t: t, lambda t: 0.6 - (t - 0.2) ** 2))
    assert tc["direction"].startswith("a higher threshold") and tc["verdict"] == "not reproduced"
    assert not tc["good_07"]     # RS(0.7) far below the best threshold's seed interval
    vals = ch.threshold_values(_thr(lambda t: t, lambda t: 0.5), tc)
    assert vals["thr_low"] == 0.3 and vals["thr_fallback_high"] == pytest.approx(0.9)


def test_split_difference_by_hand():
    runs = pd.DataFrame({"split": ["stratified"] * 2 + ["random"] * 2, "policy": "mf", "seed": [0, 1, 0, 1],
                         "rs": [1.0, 3.0, 0.0, 2.0]})
    d, lo, hi = ch._split_diff(runs, "mf")
    half = stats.t.ppf(0.975, 2) * np.sqrt(2.0 / 2 + 2.0 / 2)   # variances 2 and 2, two values each
    assert d == 1.0 and lo == pytest.approx(1 - half) and hi == pytest.approx(1 + half)
    d, lo, hi = ch._split_diff(runs[runs["seed"] == 0], "mf")
    assert d == 1.0 and np.isnan(lo) and np.isnan(hi)


def test_paired_boot_and_subsample():
    assert ch.paired_boot(np.full(40, 0.25), n_boot=50) == pytest.approx([0.25, 0.25])
    lo, hi = ch.paired_boot(np.arange(100.0), n_boot=200, seed=1)
    assert lo < 49.5 < hi
    idx = np.arange(10)
    assert ch.train_subsample(None, idx, 10, 0) is idx


def test_query_terms_of_a_fixed_router_are_its_model_terms():
    b = simulate(scale=0.005, seed=0)
    router = make_router(f"fixed:{ch.STRONG}").fit(b)
    assert np.allclose(ch.query_terms(router, b), ch.fixed_terms(b, ch.STRONG))
    sub = ch.train_subsample(b, np.arange(b.n_queries), 100, 0)
    assert 95 <= len(sub) <= 105 and len(np.unique(sub)) == len(sub)


def test_texts_without_real_data():
    text, finding = ch.cascade_on_real(None, None, {"i_best": 0}, 2)
    assert text["thr_interior_text"] == "is at the edge of the grid"
    assert finding["sim"]["value"] is False
    assert finding["real"] == {"routerbench-subset": {"value": None, "note": "data folder not found"}}
    assert ch._sign_text((None, None, None)).startswith("cannot be measured")
    assert ch._sign_text((0.02, 0.01, 0.03)).startswith("positive")
    assert ch._sign_text((-0.02, -0.03, -0.01)).startswith("negative")
    assert ch._sign_text((0.0, -0.01, 0.01)).startswith("not distinguishable")
    assert ch._status_line(None, "MMLU-Pro") == "MMLU-Pro: data folder not found, so its results read n/a"
