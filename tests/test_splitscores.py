"""routerlab.evaluation.fixed_scores: fixed models and bounds on the protocol's test splits (chapter 02's real-data
section). Benchmarks are built so that every stratified split holds a known number of rows of each
kind, so the scores can be computed by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab.evaluation import fixed_scores as ss
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model


def _bench(kinds):
    """Rows of (count, dataset, quality row, cost row); two models m0, m1. Each dataset is one
    stratum when every row of it has the same number of correct models."""
    q, c, d = [], [], []
    for count, dataset, quality, cost in kinds:
        q += [quality] * count
        c += [cost] * count
        d += [dataset] * count
    n = len(q)
    models = (Model("m0", "p", "t", 1.0, 1.0), Model("m1", "p", "t", 2.0, 2.0))
    return Benchmark(quality=np.array(q, float), cost=np.array(c, float), models=models,
                     sample_ids=np.arange(n).astype(str), datasets=np.array(d), prompt_tokens=np.full(n, 10))


def _one_split_rows(frame):
    return frame[frame["seed"] == frame["seed"].iloc[0]].set_index("policy")


def test_fixed_and_bound_scores_hand_computed():
    # 10 "A" rows (both correct) and 10 "B" rows (only m1 correct), costs always [1, 3]: any
    # stratified 20% test set has 2 of each. Global range [1, 3]: m0 costs factor 1, m1 factor 0.
    b = _bench([(10, "a", [1, 1], [1, 3]), (10, "a", [0, 1], [1, 3])])
    f = ss.fixed_and_bound_scores(b, seeds=[0, 1])
    assert len(f) == 2 * (2 + len(ss.BOUNDS))
    p = _one_split_rows(f)
    assert p.loc["fixed:m0", ["rs_global", "rs_per_query", "quality", "mean_cost"]].tolist() == [0.5, 0.5, 0.5, 1.0]
    assert p.loc["fixed:m1", ["rs_global", "rs_per_query", "quality", "mean_cost"]].tolist() == [0.0, 0.0, 1.0, 3.0]
    # OUB = COUB: m0 on A rows (RS 1), m1 on B rows (correct at c_max: RS 0, but correct)
    for bound in ("OUB (global)", "OUB (per-query)", "COUB"):
        assert p.loc[bound, ["rs_global", "quality", "mean_cost"]].tolist() == [0.5, 1.0, 2.0]
    # QOUB: m1 is the more accurate model and correct everywhere: all m1
    assert p.loc["QOUB", ["rs_global", "quality", "mean_cost"]].tolist() == [0.0, 1.0, 3.0]
    assert set(p["kind"]) == {"fixed", "bound"}


def test_oub_coub_agreement_binary_and_fractional():
    b = _bench([(10, "a", [1, 1], [1, 3]), (10, "a", [0, 1], [1, 3])])
    a = ss.oub_coub_agreement(b, seeds=[0, 3])
    assert set(a["normalization"]) == {"global", "per-query"} and len(a) == 4
    assert (a["same_share"] == 1).all() and (a["n_differ"] == 0).all() and (a["rs_diff"] == 0).all()
    assert (a["n_test"] == 4).all()
    # fractional quality: COUB takes the best-quality model (m1, 1.0 at cost 3), OUB the best
    # contribution (m0: 0.5 x 1 = 0.5 beats m1: 1 x 0 = 0): they differ on every row
    f = _bench([(10, "a", [0.5, 1.0], [1, 3])])
    a = ss.oub_coub_agreement(f, seeds=[0]).set_index("normalization")
    assert a.loc["global", "same_share"] == 0.0 and a.loc["global", "n_differ"] == 2
    assert a.loc["global", "rs_diff"] == pytest.approx(0.5)


def test_seed_interval_t_and_clip():
    frame = pd.DataFrame({"policy": ["x"] * 3 + ["y"] * 3, "seed": [0, 1, 2] * 2,
                          "v": [1.0, 2.0, 3.0, 0.9, 1.0, 1.0]})
    out = ss.seed_interval(frame, "policy", ["v"])
    half = 4.302652729911275 * 1.0 / np.sqrt(3)  # t(0.975, 2) x sd / sqrt(n)
    assert out.loc["x", "v"] == pytest.approx(2.0)
    assert out.loc["x", ["v_lo", "v_hi"]].tolist() == pytest.approx([2 - half, 2 + half])
    clipped = ss.seed_interval(frame, "policy", ["v"], clip={"v": (0.0, 1.0)})
    assert clipped.loc["y", "v_hi"] == 1.0 and clipped.loc["y", "v_lo"] < clipped.loc["y", "v"]
    one = ss.seed_interval(frame[frame["seed"] == 0], "policy", ["v"])
    assert np.isnan(one.loc["x", "v_lo"]) and one.loc["x", "v"] == 1.0
    assert list(out.index) == ["x", "y"]


def test_rs_order_and_interval_text():
    assert ss.rs_order(pd.Series({"b": 0.5, "a": 0.5, "c": 0.9})) == ["c", "a", "b"]
    assert ss.interval_text(0.61234, 0.5901, 0.634) == "0.612 [0.590, 0.634]"
    assert ss.interval_text(0.5, None, np.nan) == "0.500"
    assert ss.interval_text(np.nan, 0.1, 0.2) == "n/a" and ss.interval_text(None) == "n/a"
    assert ss.interval_text(0.7, 0.6, 0.8, "{:.2f}") == "0.70 [0.60, 0.80]"


def test_normalisation_study_reorders_models():
    # dataset a (20 rows, 4 in the test set): costs [1, 2]; dataset b (10 rows, 2 in test): costs
    # [10, 5]; every answer correct. Global range [1, 10]: m0 = (4 x 1 + 2 x 0) / 6 = 2/3,
    # m1 = (4 x 8/9 + 2 x 5/9) / 6 = 7/9. Per query the cheaper model scores 1, the dearer 0:
    # m0 = 4/6, m1 = 2/6. So the order flips.
    b = _bench([(20, "a", [1, 1], [1, 2]), (10, "b", [1, 1], [10, 5])])
    st = ss.normalisation_study(b, seeds=[0, 1])
    fx = st.fixed
    assert fx.loc["m0", "rs_global"] == pytest.approx(2 / 3) and fx.loc["m1", "rs_global"] == pytest.approx(7 / 9)
    assert fx.loc["m0", "rs_per_query"] == pytest.approx(2 / 3) and fx.loc["m1", "rs_per_query"] == pytest.approx(1 / 3)
    assert st.order_global == ["m1", "m0"] and st.order_per_query == ["m0", "m1"]
    assert st.reorders and st.n_rank_changes == 2
    assert st.best_by_rs == "m1" and st.most_accurate == "m0"  # equal accuracy: tie broken by name
    assert st.best_not_most_accurate
    assert st.oub_is_coub("global") and st.oub_is_coub("per-query") and st.same_share() == 1.0
    assert st.oub_is_best() and st.qoub_matches_oub_quality()
    # dearest model by mean cost: m1 (mean (4 x 2 + 2 x 5) / 6 = 3 on test rows vs m0's 4);
    # on the whole benchmark m0 averages (20 + 100) / 30 = 4 > m1's (40 + 50) / 30 = 3
    assert st.dearest == "m0" and st.cost_max == 10.0
    assert st.tail_ratio == pytest.approx(10 / 4)  # test c_max 10 over m0's test mean cost 4


def test_normalisation_study_most_accurate_model_wins():
    # three strata of 10 rows (2 of each in the test set): both right, only m1 right, nobody right
    # (costs [1, 3] there set the global range [1, 3]). m0 = (1 + 0 + 0) / 3; m1 = (0.9 + 0.9 + 0) / 3
    b = _bench([(10, "a", [1, 1], [1, 1.2]), (10, "a", [0, 1], [1, 1.2]), (10, "a", [0, 0], [1, 3])])
    st = ss.normalisation_study(b, seeds=[0])
    assert st.fixed.loc["m0", "rs_global"] == pytest.approx(1 / 3)
    assert st.fixed.loc["m1", "rs_global"] == pytest.approx(0.6)
    assert st.most_accurate == "m1" and st.best_by_rs == "m1" and not st.best_not_most_accurate
