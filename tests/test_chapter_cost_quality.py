"""routerlab.chapters.cost_quality (chapter 07): its counts, texts, tables and findings on small
hand-made studies with known answers, its figures on a tiny one, and the property of the
task-aware zero router the chapter's prose relies on."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

from routerlab.chapters import cost_quality as ch
from routerlab.evaluation.curves import TASK_ZERO, FrontierStudy

TZ, Z = TASK_ZERO, "zero router"


def _study(aiq: dict, seeds=(0, 1), rs: dict | None = None) -> FrontierStudy:
    """A study whose router r has ``aiq_cmax``, ``aiq_cmax_ds`` = ``aiq[r]`` on every seed (range
    columns = 1.1 x cmax), RS ``rs[r]`` (NaN by default), and on every seed a curve of
    ``len(aiq)``-dependent points (two points for routers, one for the others)."""
    rows, curves = [], []
    for s in seeds:
        for r, (pooled, ds) in aiq.items():
            rows.append({"seed": s, "router": r, "rs": (rs or {}).get(r, np.nan), "quality": 0.6, "mean_cost": 1e-3,
                         "aiq_cmax": pooled, "aiq_range": 1.1 * pooled, "aiq_cmax_ds": ds, "aiq_range_ds": 1.1 * ds})
            k = 2 if r in ch.PRED + ["cascade", TZ] else 1
            curves.append(pd.DataFrame({"seed": s, "router": r, "cost": np.geomspace(1e-4, 1e-3, k),
                                        "quality": np.linspace(0.5, pooled, k)}))
        for j, (c, q) in enumerate(((1e-4, 0.5), (1e-3, 0.7))):
            rows.append({"seed": s, "router": f"fixed:m{j}", "rs": 0.5, "quality": q, "mean_cost": c,
                         "aiq_cmax": np.nan, "aiq_range": np.nan, "aiq_cmax_ds": np.nan, "aiq_range_ds": np.nan})
            curves.append(pd.DataFrame({"seed": [s], "router": [f"fixed:m{j}"], "cost": [c], "quality": [q]}))
    return FrontierStudy(points=pd.DataFrame(rows), curves=pd.concat(curves, ignore_index=True))


# pooled: mf, knn above the zero router; knn alone above the task-aware one.
# per dataset: no router above the zero router; mf and knn above the task-aware one.
A = {"mf": (0.62, 0.55), "knn": (0.70, 0.58), "mlp": (0.50, 0.40), "random": (0.30, 0.30),
     Z: (0.60, 0.60), TZ: (0.65, 0.50), "oracle": (0.90, 0.90), "judge-cascade": (0.95, 0.95)}


def test_slug_and_routers():
    assert ch.slug("task-aware zero router") == "task_aware_zero_router" and ch.slug("fixed:GPT-4o") == "fixed_gpt_4o"
    assert ch.routers(_study(A).points) == ["mf", "knn", "mlp", "judge-cascade", "random"]  # PRED, then OTHER order


def test_above_references_counts_each_reading():
    st = _study(A)
    above = ch.above_references({ch.SIM_LABEL: st, ch.real_label("llmrouter"): None}, names=["mf", "knn", "mlp"])
    assert above.loc[ch.SIM_LABEL].tolist() == [2, 0, 1, 2]
    assert above.loc["llmrouter (estimated cost)"].isna().all()
    vals = ch.above_values(above)
    assert vals["psim_above_zero_pooled"] == 2 and vals["psim_above_task_zero_ds"] == 2
    assert np.isnan(vals["lr_above_zero_ds"]) and len(vals) == 8
    text = ch.above_text(above, n=3)
    assert text.startswith("Of the 3 learned routers, 2 lie above the zero router in pooled AIQ (on the simulator")
    assert "On the simulator no learned router lies above the zero router per dataset, but some lie above" in text
    assert ch.above_text(above.iloc[1:]) == "No benchmark was measured."


def test_above_text_says_where_the_lead_vanishes():
    above = pd.DataFrame({h: v for (_, _, h), v in zip(ch.READINGS, ([3, 0], [0, 1], [0, 2], [1, 2]))},
                         index=[ch.real_label("llmrouter"), ch.real_label("mmlu-pro")])
    text = ch.above_text(above)
    assert "3 and 0 lie above the zero router in pooled AIQ (on llmrouter and mmlu-pro" in text
    assert "On llmrouter the pooled lead over the zero router vanishes once the reference knows the task" in text
    assert "mmlu-pro some" not in text  # mmlu-pro had no pooled lead to lose


def test_best_policy_readings_and_text():
    st = _study(A)
    agree, best = ch.agreement({ch.SIM_LABEL: st, "x (real cost)": None}, ["mf", "knn", "mlp", "random"])
    assert best["x (real cost)"] is None and agree["x (real cost)"] is None
    # the oracle and the judge cascade read the truth: never candidates
    assert best[ch.SIM_LABEL] == {"pooled": "knn", "per_dataset": Z, "task_pooled": "knn", "task_per_dataset": Z}
    text = ch.best_text(best)
    assert text.startswith("Pooled (the finding's reading), the highest AIQ belongs to knn on the simulator: a learned "
                           "router on 1 of the 1 benchmarks.")
    assert "Per dataset it belongs to the zero router on the simulator: a learned router on 0 of the 1" in text
    table = ch.agreement_table(agree, best).data
    assert table.loc["learned router?", ch.SIM_LABEL] == "yes" and table.loc["routers compared", "x (real cost)"] == "n/a"


def test_sim_aiq_values_hand_computed():
    v = ch.sim_aiq_values(_study(A).points)
    assert v["best_aiq_router"] == "judge-cascade" and v["best_aiq"] == pytest.approx(0.95)  # every router counts here
    assert v["n_routers"] == 5 and v["n_beat_zero"] == 3 and v["below_zero"] == "mlp, random"
    assert (v["n_beat_zero_ds"], v["n_beat_task_zero"], v["n_beat_task_zero_ds"]) == (1, 2, 3)
    assert v["range_over_cmax"] == pytest.approx(1.1)
    assert v["task_aware_zero_router_aiq_cmax_ds"] == pytest.approx(0.5) and np.isnan(v["zero_router_rs"])


RS = {"mf": 0.7, "knn": 0.6, "mlp": 0.55, "judge-cascade": 0.8, "random": 0.5}


def test_rank_frame_and_values():
    st = _study(A, rs=RS)
    rank = ch.rank_frame(st)
    assert rank.loc["knn", "rank by AIQ"] == 2 and rank.loc["knn", "rank by RS"] == 3 and rank.loc["knn", "shift"] == -1
    assert rank.loc["mf", "operating points"] == 2 and rank.loc["random", "operating points"] == 1
    v = ch.rank_values(rank, st.points)
    assert v["n_pairs"] == 10 and v["n_discordant"] == 1 and v["pairs_text"] == "mf vs knn"
    assert v["up_router"] == "knn" and v["n_curves_only"] == 3 and v["rho_rs_aiq"] == pytest.approx(0.9)
    assert "single operating point" not in v["up_reason"]


def test_real_values_without_data_read_na(monkeypatch):
    monkeypatch.setattr(ch.sources, "status", lambda name, data_dir=None: f"{name}: NOT FOUND")
    none = {n: None for n in ch.REAL}
    labels = {ch.real_label(n): None for n in ch.REAL}
    v = ch.real_values(none, none, labels, labels, ["mf"], 0.03, None)
    assert v["mp_status"].startswith("mmlu-pro: NOT FOUND")
    assert v["rb_task_zero_aiq_ds"] == (None, "{:.3f}") and v["lr_n_queries"] == (None, "{:,d}")
    assert np.isnan(v["check_mp_task_zero_aiq"])


def test_record_findings_hands_over_measurements_only(monkeypatch):
    got = {}
    monkeypatch.setattr(ch.findings, "record", lambda fid, sim, real: got.setdefault(fid, (sim, real)))
    st = _study(A, rs=RS)
    studies = {ch.SIM_LABEL: st, ch.real_label("routerbench-subset"): st, ch.real_label("llmrouter"): None}
    agree, best = ch.agreement(studies, ["mf", "knn", "random"])
    ch.record_findings(studies, agree, best, 2, 0.5)
    sim, real = got["aiq.best_is_learned"]
    assert sim["value"] is True and "per dataset zero router" in sim["note"]
    assert set(real) == {"routerbench-subset", "llmrouter"} and real["llmrouter"]["value"] is None
    assert "verdict" not in sim and got["aiq.rs_agrees"][0]["value"] == pytest.approx(0.5)


def test_figures_draw_the_task_aware_zero_router():
    st = _study(A)
    fig = ch.plot_sim_hulls(st)
    assert any(line.get_label() == TZ and line.get_linestyle() != "-" for line in fig.axes[0].lines)
    fig = ch.plot_real_hulls({ch.SIM_LABEL: st, ch.real_label("llmrouter"): None})
    assert len(fig.axes) == 5 and fig.axes[1].get_title() == "llmrouter (estimated cost)"


def test_task_aware_zero_router_never_beats_the_zero_router_per_dataset():
    """The prose says so: per dataset its operating points are some of the single models' points."""
    from routerlab.data.simulate import simulate
    from routerlab.evaluation.curves import frontier_study

    st = frontier_study(simulate(scale=0.01, seed=0), routers=("mf",), seeds=[0], extra=(), task_aware=True)
    p = st.points.set_index("router")
    assert p.loc[TZ, "aiq_cmax_ds"] <= p.loc[Z, "aiq_cmax_ds"] + 1e-12
    assert p.loc[TZ, "aiq_range_ds"] <= p.loc[Z, "aiq_range_ds"] + 1e-12
