"""Chapter 08's module (routerlab.chapters.real_outcomes): its numbers on small cases by hand."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from routerlab.chapters import real_outcomes as ro
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model

RANKED = ro.LEARNED + ["subject-prior", "random", "judge-cascade"]


def _bench():
    """MMLU: 4 questions, GSM8K: 2; model w costs 1 (MMLU) / 2 (GSM8K) USD, model s 10 / 40."""
    weak = [1, 0, 0, 1, 0, 1]
    strong = [1, 1, 0, 0, 1, 1]
    cost = [[1.0, 10.0]] * 4 + [[2.0, 40.0]] * 2
    models = (Model("w", "p", "t", 1.0, 1.0), Model("s", "p", "t", 10.0, 10.0))
    return Benchmark(quality=np.column_stack([weak, strong]).astype(float), cost=np.array(cost), models=models,
                     sample_ids=np.arange(6).astype(str), datasets=np.array(["MMLU"] * 4 + ["GSM8K"] * 2),
                     prompt_tokens=np.array([10, 30, 10, 10, 20, 20]))


def test_glued_masks_measured_values_without_data(monkeypatch):
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda key, value, display=True: seen.__setitem__(key, value))
    g = ro.Glued(have_data=False)
    g.add({"n": np.int64(3), "x": np.float64(0.5), "name": "MF", "flag": np.bool_(True)})
    g.add({"scale_used": 0.5, "label": "kept"}, measured=False)
    assert math.isnan(seen["n"]) and math.isnan(seen["x"]) and seen["name"] == "n/a" and seen["flag"] is True
    assert seen["scale_used"] == 0.5 and seen["label"] == "kept" and dict(g) == seen
    g = ro.Glued(have_data=True)
    g.add({"n": np.int64(3), "x": np.float64(0.5)})
    assert type(g["n"]) is int and type(g["x"]) is float


def test_overview_by_hand():
    values, table = ro.overview(_bench())
    assert values["acc_weak_mmlu"] == 0.5 and values["acc_strong_mmlu"] == 0.5
    assert values["only_strong_mmlu"] == 0.25 and values["only_weak_mmlu"] == 0.25
    assert values["cost_ratio_mmlu"] == 10.0 and values["cost_ratio_gsm8k"] == 20.0
    assert values["acc_weak_gsm8k"] == 0.5 and values["only_strong_gsm8k"] == 0.5 and values["only_weak_gsm8k"] == 0.0
    html = table.data
    assert "<td>cost ratio (s / w)</td><td>10.0</td><td>20.0</td>" in html
    assert "<td>only s right</td><td>0.250</td><td>0.500</td>" in html


def _points(seeds=(0, 1)):
    """Every router of the study on both datasets: rs = quality = 0.1 * (its place) + seed / 100."""
    order = ro.LEARNED + ro.REFERENCES + ["fixed:w", "fixed:s", "zero router"]
    rows = [{"dataset": d, "seed": s, "router": r, **{m: 0.1 * i + s / 100 for m in ro.METRICS}}
            for d in ro.DS for s in seeds for i, r in enumerate(order)]
    return pd.DataFrame(rows)


def test_router_tables_mean_interval_and_nan():
    pts = _points()
    pts.loc[(pts.router == "mf") & (pts.seed == 1) & (pts.dataset == "MMLU"), "apgr"] = np.nan
    t = ro.router_tables(SimpleNamespace(points=pts, weak="w", strong="s"))["MMLU"]
    assert list(t.index[-3:]) == ["fixed:w", "fixed:s", "zero router"]
    assert t.loc["knn", "rs"] == pytest.approx(0.4 + 0.005)
    half = 12.706204736174707 * 0.01 / 2   # t(0.975, 1 df) x sd / sqrt(2), sd of {0.40, 0.41} = 0.01 / sqrt(2)
    assert t.loc["knn", "rs_lo"] == pytest.approx(0.405 - half) and t.loc["knn", "rs_hi"] == pytest.approx(0.405 + half)
    assert math.isnan(t.loc["mf", "apgr"])          # one split without a value: no mean
    one = ro.router_tables(SimpleNamespace(points=_points(seeds=(0,)), weak="w", strong="s"))["GSM8K"]
    assert one.loc["mf", "rs"] == 0.0 and math.isnan(one.loc["mf", "rs_lo"]) and math.isnan(one.loc["mf", "rs_hi"])


def test_router_values_keys_and_best():
    names = ro.labels("w", "s")
    vals = ro.router_values(ro.router_tables(SimpleNamespace(points=_points(), weak="w", strong="s")), names)
    assert vals["best_apgr_mmlu"] == "MLP" and vals["best_rs_gsm8k"] == "MLP"   # the last learned router
    assert vals["judge_cascade_rs_mmlu"] == pytest.approx(0.805) and "oracle_cpt80_gsm8k_hi" in vals
    assert len(vals) == 2 * (len(ro.NAMES) * (len(ro.METRICS) + 8) + 2)


def test_interval_side():
    assert ro._interval_side(0.5, 0.6, 0.1, 0.4) == "above"
    assert ro._interval_side(0.0, 0.1, 0.2, 0.4) == "below"
    assert ro._interval_side(0.3, 0.6, 0.1, 0.4) == "indistinguishable from"


def test_metric_agreement_by_hand():
    rows = [{"dataset": d, "seed": s, "router": r, "rs": i, "aiq_cmax": i + s, "apgr": -i}
            for d in ro.DS for s in (0, 1) for i, r in enumerate(RANKED)]
    aiq = pd.Series([0.70, 0.71, 0.72, 0.73, 0.74, 0.75, 0.74], index=ro.LEARNED + ["zero router"])
    tables = {d: pd.DataFrame({"aiq_cmax": aiq}) for d in ro.DS}
    out = ro.metric_agreement(pd.DataFrame(rows), tables, _bench())
    assert out["rho_rs_aiq_mmlu"] == pytest.approx(1.0) and out["rho_rs_apgr_gsm8k"] == pytest.approx(-1.0)
    assert out["n_above_zero_mmlu"] == 1 and out["max_above_zero_mmlu"] == pytest.approx(0.01)
    assert out["dollar_reading_mmlu"] == "the learned routers gain little over random mixing"
    # only-strong MMLU question: 30 prompt tokens against 10 for the others
    assert out["len_ratio_mmlu"] == pytest.approx(3.0) and out["len_reading_mmlu"].startswith("a router that finds")


def test_two_model_claim_by_hand():
    def table(weak, strong, oracle, mf, cascade):
        return pd.DataFrame({"rs": [weak, strong, oracle, mf, cascade]},
                            index=["fixed:w", "fixed:s", "oracle", "mf", "judge-cascade"])

    out = ro.two_model_claim({"MMLU": table(0.5, 0.6, 0.8, 0.65, 0.62), "GSM8K": table(0.4, 0.3, 0.5, 0.45, 0.3)},
                             "w", "s")
    assert out["best_single_name_mmlu"] == "s" and out["best_single_name_gsm8k"] == "w"
    assert out["headroom_mmlu"] == pytest.approx(0.2) and out["mf_gain_mmlu"] == pytest.approx(0.05)
    assert out["mf_captured_mmlu"] == pytest.approx(0.25) and out["mf_captured_gsm8k"] == pytest.approx(0.5)
    assert out["cascade_gain_mmlu"] == pytest.approx(0.02)
    assert out["headroom_verdict"].startswith("Even with two models")   # 0.1 > the article's 0.08
    assert out["captured_verdict"] == "MF realises at least half of the headroom on at least one dataset."
    low = ro.two_model_claim({"MMLU": table(0.5, 0.6, 0.65, 0.61, 0.6), "GSM8K": table(0.4, 0.3, 0.5, 0.41, 0.3)},
                             "w", "s")
    assert low["headroom_verdict"].startswith("On at least one dataset")
    assert low["captured_verdict"].startswith("MF realises less than a third")


def test_prose_formats_cover_glued_keys():
    assert set(ro.PROSE_FORMATS.values()) == {".3f", ".2f", ".0f", ",.0f"}
    assert len(ro.PROSE_FORMATS) == 57
