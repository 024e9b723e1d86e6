"""routerlab.evaluation.cost_quality: chapter 07's study on benchmarks with prompts, and its summaries, on tiny
hand-made frames and a small text benchmark whose signal is in the prompt."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab.evaluation import cost_quality as fr
from routerlab.evaluation.curves import FrontierStudy, frontier_study

from conftest import text_bench


def _points(rows):
    """(seed, router, rs, aiq_cmax) rows -> a points frame."""
    return pd.DataFrame(rows, columns=["seed", "router", "rs", "aiq_cmax"])


def test_router_summary_means_intervals_and_missing():
    p = _points([(0, "a", 0.5, 0.6), (1, "a", 0.7, 0.8), (0, "b", 0.2, 0.3), (1, "b", 0.2, 0.3),
                 (0, "z", np.nan, 0.4), (1, "z", np.nan, 0.5)])
    s = fr.router_summary(p, ["b", "a", "z", "absent"], ["rs", "aiq_cmax"])
    assert list(s.index) == ["b", "a", "z"]
    assert s.loc["a", "rs"] == pytest.approx(0.6) and s.loc["b", "aiq_cmax"] == pytest.approx(0.3)
    half = 12.706204736174706 * np.std([0.5, 0.7], ddof=1) / np.sqrt(2)  # t(0.975, 1)
    assert s.loc["a", ["rs_lo", "rs_hi"]].tolist() == pytest.approx([0.6 - half, 0.6 + half])
    assert s.loc["b", "rs_lo"] == pytest.approx(0.2) == s.loc["b", "rs_hi"]  # no spread
    assert np.isnan(s.loc["z", "rs"]) and s.loc["z", "aiq_cmax"] == pytest.approx(0.45)
    clipped = fr.router_summary(p, ["a"], ["rs"], clip=(0.0, 1.0))
    assert clipped.loc["a", "rs_lo"] == 0.0 and clipped.loc["a", "rs_hi"] == 1.0


def test_rank_agreement_identical_reversed_and_too_few():
    same = _points([(s, r, v + s * 0.01, v) for s in (0, 1, 2) for r, v in (("a", 0.1), ("b", 0.2), ("c", 0.3), ("d", 0.4))])
    a = fr.rank_agreement(same, ["a", "b", "c", "d"])
    assert a["rho"] == pytest.approx(1.0) and a["tau"] == pytest.approx(1.0) and a["rho_split"] == pytest.approx(1.0)
    assert a["rho_per_seed"] == pytest.approx([1.0, 1.0, 1.0]) and a["routers"] == ["a", "b", "c", "d"]
    rev = same.assign(aiq_cmax=1 - same["aiq_cmax"])
    assert fr.rank_agreement(rev, ["a", "b", "c", "d"])["rho"] == pytest.approx(-1.0)
    # routers without RS (the zero router) are left out; fewer than three left: NaN
    few = fr.rank_agreement(same.assign(rs=np.where(same["router"].isin(["c", "d"]), np.nan, same["rs"])),
                            ["a", "b", "c", "d"])
    assert few["routers"] == ["a", "b"] and np.isnan(few["rho"]) and np.isnan(few["rho_lo"])
    # one split discordant: the per-split mean falls below 1, its interval covers it
    mixed = pd.concat([same[same["seed"] < 2], rev[rev["seed"] == 2]])
    m = fr.rank_agreement(mixed, ["a", "b", "c", "d"])
    assert m["rho_split"] == pytest.approx(1 / 3) and m["rho_lo"] <= 1 / 3 <= m["rho_hi"]
    assert -1.0 <= m["rho_lo"] and m["rho_hi"] <= 1.0


def test_best_policy():
    p = _points([(0, "a", 0.5, 0.6), (1, "a", 0.5, 0.6), (0, "b", 0.9, 0.7), (1, "b", 0.9, 0.5),
                 (0, "z", np.nan, 0.65), (1, "z", np.nan, 0.65)])
    assert fr.best_policy(p, ["a", "b", "z"], "aiq_cmax") == "z"
    assert fr.best_policy(p, ["a", "b"], "aiq_cmax") == "a"  # tie at 0.6: first candidate
    assert fr.best_policy(p, ["a", "b", "z"], "rs") == "b"
    assert fr.best_policy(p, ["absent"], "rs") is None and fr.best_policy(p, ["z"], "rs") is None


def _curves():
    rows = [(0, "mf", 1.0, 0.5), (0, "mf", 2.0, 0.7), (0, "mf", 2.0, 0.7), (0, "random", 1.5, 0.55),
            (0, "fixed:x", 1.0, 0.5), (0, "fixed:y", 3.0, 0.8), (0, "zero router", 1.0, 0.5),
            (0, "zero router", 3.0, 0.8), (0, "oracle", 0.8, 0.9),
            (1, "mf", 1.0, 0.5), (1, "mf", 1.0, 0.5), (1, "random", 1.0, 0.6)]
    return pd.DataFrame(rows, columns=["seed", "router", "cost", "quality"])


def test_distinct_points_and_plane_panel():
    st = FrontierStudy(points=pd.DataFrame(), curves=_curves())
    d = fr.distinct_points(st)
    assert d["mf"] == 1.5 and d["random"] == 1.0 and d["zero router"] == 2.0  # (2 + 1) / 2 splits
    panel = fr.plane_panel(st, seed=0)
    assert list(panel["curves"]) == ["mf"] and len(panel["curves"]["mf"][0]) == 3
    assert list(panel["points"]) == ["oracle", "random"]  # oracle first
    assert panel["points"]["oracle"] == (0.8, 0.9)
    np.testing.assert_array_equal(panel["singles"][0], [1.0, 3.0])
    np.testing.assert_array_equal(panel["zero"][1], [0.5, 0.8])
    assert fr.hull_curves(st.curves, seed=1)["random"][1].tolist() == [0.6]


def test_comparison_table_cells_and_missing_study():
    p = _points([(0, "a", 0.5, 0.6), (1, "a", 0.7, 0.6)])
    t = fr.comparison_table({"sim": FrontierStudy(points=p, curves=pd.DataFrame()), "real": None},
                            ["a", "b"], {"rs": "RS", "aiq_cmax": "AIQ"})
    assert list(t.columns) == [("sim", "RS"), ("sim", "AIQ"), ("real", "RS"), ("real", "AIQ")]
    assert t.loc["a", ("sim", "RS")] == "0.600 [0.000, 1.000]"  # clipped to [0, 1] by default
    assert t.loc["a", ("sim", "AIQ")] == "0.600 [0.600, 0.600]"
    assert t.loc["b", ("sim", "RS")] == "n/a" and (t["real"] == "n/a").all().all()


def _text_bench(n=200, seed=0):
    return text_bench(n, seed)


def test_text_frontier_study_learns_from_prompts_and_caches(tmp_path):
    b = _text_bench()
    assert b.features is None
    st = fr.text_frontier_study(b, seeds=[0, 1], routers=("knn",), cache_dir=False)
    p = st.points
    assert sorted(p["seed"].unique()) == [0, 1]
    s = fr.router_summary(p, ["knn", "random", "zero router", "oracle"], ["aiq_cmax", "quality"])
    assert (s["aiq_cmax"].between(0, 1)).all()
    # the prompt reveals when the strong model is needed: the learned router's frontier is above
    # the zero router's (mixing the two models blindly) and random routing's single point
    assert s.loc["knn", "aiq_cmax"] > s.loc["zero router", "aiq_cmax"] > s.loc["random", "aiq_cmax"]
    assert s.loc["oracle", "quality"] >= s.loc["knn", "quality"]
    # cache: the second call reads what the first stored, and gives the same frames
    first = fr.text_frontier_study(b, seeds=[0], routers=("knn",), cache_dir=tmp_path)
    stored = list(tmp_path.glob("frontier-*"))
    assert len(stored) == 1 and (stored[0] / "points.parquet").is_file()
    again = fr.text_frontier_study(b, seeds=[0], routers=("knn",), cache_dir=tmp_path)
    pd.testing.assert_frame_equal(first.points, again.points)
    pd.testing.assert_frame_equal(first.curves, again.curves)


def test_text_frontier_study_with_features_is_frontier_study():
    b = _text_bench(n=120)
    x = np.random.default_rng(1).random((b.n_queries, 4))
    from dataclasses import replace

    bf = replace(b, features=x)
    a = fr.text_frontier_study(bf, seeds=[0], routers=("knn",), cache_dir=False)
    direct = frontier_study(bf, routers=("knn",), seeds=[0])
    pd.testing.assert_frame_equal(a.points, direct.points)
