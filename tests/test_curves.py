"""NDCH, AIQ, PGR/APGR/CPT (metrics.py, appended part) and the operating-curve sweeps (curves.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routerlab.evaluation import curves as cv
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.errors import RouterlabError
from routerlab.metrics import aiq, aiq_table, apgr, cpt, hull_value, ndch, pgr, zero_router
from routerlab.routing.routers import Router, Routing

from conftest import text_bench

# ---- NDCH --------------------------------------------------------------------------------------


def test_ndch_hand_computed():
    c, q = ndch([0, 1, 2, 3, 4], [0.0, 0.5, 0.6, 0.9, 0.8])
    # (2, 0.6) lies under the chord (1, .5)-(3, .9) (height .7); (4, .8) is a drop after the peak
    np.testing.assert_array_equal(c, [0, 1, 3])
    np.testing.assert_allclose(q, [0.0, 0.5, 0.9])


def test_ndch_edge_cases():
    c, q = ndch([2.0], [0.4])
    assert c.tolist() == [2.0] and q.tolist() == [0.4]
    # two points, the dearer one worse: only the cheap one is on a non-decreasing hull
    c, q = ndch([1, 2], [0.7, 0.5])
    assert c.tolist() == [1] and q.tolist() == [0.7]
    # equal costs: the best; collinear middle point dropped; input order irrelevant
    c, q = ndch([3, 1, 1, 2], [0.9, 0.2, 0.5, 0.7])
    assert c.tolist() == [1, 3] and q.tolist() == [0.5, 0.9]
    with pytest.raises(RouterlabError, match="finite"):
        ndch([1, np.nan], [0.1, 0.2])
    with pytest.raises(RouterlabError, match="same length"):
        ndch([1, 2], [0.1])


def test_zero_router_is_hull_of_single_models():
    # three models: cheap 0.5, mid 0.6 (below the cheap-dear chord), dear 0.9
    c, q = zero_router([1.0, 5.0, 10.0], [0.5, 0.6, 0.9])
    assert c.tolist() == [1.0, 10.0]
    assert hull_value(c, q, [0.5, 5.5, 20.0])[0] != hull_value(c, q, [0.5])[0]  # NaN before the start
    np.testing.assert_allclose(hull_value(c, q, [5.5, 20.0]), [0.7, 0.9])


points = st.lists(st.tuples(st.floats(0, 100, allow_nan=False), st.floats(0, 1, allow_nan=False)),
                  min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(points, st.randoms(use_true_random=False))
def test_ndch_properties(pts, rnd):
    c = np.array([p[0] for p in pts])
    q = np.array([p[1] for p in pts])
    hc, hq = ndch(c, q)
    assert np.all(np.diff(hc) > 0) and np.all(np.diff(hq) > 0)  # increasing in both
    # hull vertices are input points
    assert all(((c == x) & (q == y)).any() for x, y in zip(hc, hq))
    # on or above every input point (all costs are >= the hull's first cost)
    assert hc[0] == c.min() and hq[-1] == q.max()
    assert np.all(q <= hull_value(hc, hq, c) + 1e-9)
    # concave: every middle vertex is a right turn (above the chord of its neighbours)
    if len(hc) >= 3:
        cross = ((hc[1:-1] - hc[:-2]) * (hq[2:] - hq[:-2]) - (hq[1:-1] - hq[:-2]) * (hc[2:] - hc[:-2]))
        assert np.all(cross < 1e-12)
    # the monotone-chain fallback gives the same hull as the vectorised passes
    import routerlab.metrics as metrics_module

    old = metrics_module._NDCH_PASSES
    try:
        metrics_module._NDCH_PASSES = 0
        fc, fq = ndch(c, q)
    finally:
        metrics_module._NDCH_PASSES = old
    np.testing.assert_array_equal(fc, hc)
    np.testing.assert_array_equal(fq, hq)
    # invariant to point order
    perm = list(range(len(c)))
    rnd.shuffle(perm)
    hc2, hq2 = ndch(c[perm], q[perm])
    np.testing.assert_array_equal(hc, hc2)
    np.testing.assert_array_equal(hq, hq2)


# ---- AIQ ---------------------------------------------------------------------------------------


def test_aiq_hand_computed():
    c, q = [1, 2, 3], [0.5, 0.6, 0.9]  # hull (1, .5)-(3, .9)
    # area from 1 to 3 = (0.5 + 0.9) / 2 * 2 = 1.4; flat to c_max = 4 adds 0.9 -> 2.3
    assert aiq(c, q, c_max=4) == pytest.approx(2.3 / 4)
    assert aiq(c, q, c_max=4, normalization="range") == pytest.approx(2.3 / 3)
    assert aiq(c, q, c_max=4, c_min=0, normalization="range") == pytest.approx(2.3 / 4)
    # own range: area 1.4 over [0, 3] (code) or [1, 3] (paper)
    assert aiq(c, q) == pytest.approx(1.4 / 3)
    assert aiq(c, q, normalization="range") == pytest.approx(0.7)
    # c_max inside the hull cuts it: area from 1 to 2 = (0.5 + 0.7) / 2
    assert aiq(c, q, c_max=2) == pytest.approx(0.6 / 2)
    with pytest.raises(RouterlabError, match="c_max > c_min"):
        aiq([1.0], [0.5], normalization="range")
    with pytest.raises(RouterlabError, match="AIQ normalization"):
        aiq(c, q, normalization="paper")


def test_aiq_table_common_range():
    curves = {"a": ([1, 3], [0.5, 0.9]), "b": ([2, 6], [0.6, 0.8])}
    t = aiq_table(curves)
    assert t["a"] == pytest.approx((1.4 + 3 * 0.9) / 6)
    assert t["b"] == pytest.approx((0.7 * 4) / 6)
    r = aiq_table(curves, normalization="range")
    assert r["a"] == pytest.approx((1.4 + 3 * 0.9) / 5)  # range [1, 6]


@settings(max_examples=100, deadline=None)
@given(points, st.lists(st.floats(0, 1), min_size=60, max_size=60), st.sampled_from(["cmax", "range"]))
def test_aiq_dominated_curve_not_larger(pts, drops, norm):
    c = np.array([p[0] for p in pts]) + 1.0
    q = np.array([p[1] for p in pts])
    worse = q * np.array(drops[: len(q)])  # every point lower (or equal), same costs
    c_max = c.max() + 1.0
    a = aiq(c, q, c_max=c_max, c_min=0.5, normalization=norm)
    b = aiq(c, worse, c_max=c_max, c_min=0.5, normalization=norm)
    assert b <= a + 1e-12
    assert 0.0 <= a <= 1.0
    # dearer for the same quality is not better either
    assert aiq(c * 1.5, q, c_max=c_max * 1.5, c_min=0.5, normalization=norm) <= aiq(
        c, q, c_max=c_max * 1.5, c_min=0.5, normalization=norm) + 1e-12


# ---- PGR, APGR, CPT ----------------------------------------------------------------------------


def test_pgr_apgr_cpt_hand_computed():
    share, qual = [0.0, 0.5, 1.0], [0.6, 0.75, 0.8]
    np.testing.assert_allclose(pgr(qual, 0.6, 0.8), [0.0, 0.75, 1.0])
    assert apgr(share, qual, 0.6, 0.8) == pytest.approx(0.625)  # (0 + .75)/4 + (.75 + 1)/4
    assert apgr(share[::-1], qual[::-1], 0.6, 0.8) == pytest.approx(0.625)  # order-free
    assert cpt(0.5, share, qual, 0.6, 0.8) == pytest.approx(1 / 3)  # target .7 on the first segment
    assert cpt(0.8, share, qual, 0.6, 0.8) == pytest.approx(0.5 + 0.5 * (0.76 - 0.75) / 0.05)
    assert cpt(0.5, share, qual, 0.6, 0.8, method="routellm") == pytest.approx(1 / 3)


def test_random_line_and_non_monotone_curve():
    s = np.linspace(0, 1, 11)
    line = 0.6 + 0.2 * s
    assert apgr(s, line, 0.6, 0.8) == pytest.approx(0.5)
    assert cpt(0.8, s, line, 0.6, 0.8) == pytest.approx(0.8)
    # a curve that overshoots then dips: "first" finds the first crossing
    share, qual = [0, 0.2, 0.4, 1.0], [0.6, 0.85, 0.7, 0.8]
    assert cpt(0.5, share, qual, 0.6, 0.8) == pytest.approx(0.2 * 0.1 / 0.25)
    assert np.isnan(cpt(1.0, [0, 0.5], [0.6, 0.7], 0.6, 0.8))
    with pytest.raises(RouterlabError, match="strong > weak"):
        apgr([0, 1], [0.5, 0.5], 0.7, 0.6)
    with pytest.raises(RouterlabError, match="fraction"):
        cpt(0.5, [0, 50, 100], [0.6, 0.7, 0.8], 0.6, 0.8)


# ---- sweeps ------------------------------------------------------------------------------------


def test_wtp_choices_and_sweep():
    proba = np.array([[0.5, 0.9], [0.8, 0.85]])
    kappa = np.array([0.0, 1.0])
    assert cv.wtp_choices(proba, kappa, 1.0).tolist() == [0, 0]
    assert cv.wtp_choices(proba, kappa, 10.0).tolist() == [1, 0]  # 5 < 8; 8 > 7.5
    assert cv.wtp_choices(proba, kappa, 0).tolist() == [1, 1]  # lam <= 0: best predicted
    quality = np.array([[0.0, 1.0], [1.0, 1.0]])
    cost = np.array([[1.0, 10.0], [1.0, 10.0]])
    df = cv.wtp_sweep(proba, quality, cost, kappa, lambdas=[1.0, 10.0, 1e9])
    assert df["quality"].tolist() == [0.5, 1.0, 1.0]
    assert df["cost"].tolist() == [1.0, 5.5, 10.0]
    assert df["strong_share"].tolist() == [0.0, 0.5, 1.0]
    assert len(cv.WILLINGNESS_TO_PAY) == 32


def _bench(quality, cost, prompt_tokens=None, datasets=None, answer_tokens=None):
    n, m = np.shape(quality)
    models = tuple(Model(f"m{j}", "p", "t", float(j + 1), float(2 * (j + 1))) for j in range(m))
    return Benchmark(quality=quality, cost=cost, models=models, sample_ids=np.arange(n).astype(str),
                     datasets=np.array(datasets or ["d"] * n),
                     prompt_tokens=np.array(prompt_tokens or [10] * n), answer_tokens=answer_tokens)


def test_price_proxy_and_expected_cost():
    b = _bench([[1.0, 0.0], [0.0, 1.0]], [[1.0, 2.0], [1.0, 2.0]], prompt_tokens=[10, 20], datasets=["a", "b"],
               answer_tokens=np.array([[4, 6], [8, 10]]))
    np.testing.assert_allclose(cv.price_proxy(b), [3e-6, 6e-6])
    test = _bench([[0.0, 0.0]] * 3, [[0.0, 0.0]] * 3, prompt_tokens=[100, 100, 100], datasets=["a", "b", "z"])
    e = cv.expected_cost(b, test)
    # dataset a: 100 x (1, 2) + (4, 6) x (2, 4), per 1M; unseen dataset z: mean answer tokens (6, 8)
    np.testing.assert_allclose(e[0], [(100 + 8) / 1e6, (200 + 24) / 1e6])
    np.testing.assert_allclose(e[2], [(100 + 12) / 1e6, (200 + 32) / 1e6])


class _FakePredictive(Router):
    name = "fake"

    def predict_proba(self, test):
        self._check_models(test)
        assert np.isnan(test.quality).all()  # routers see no truth
        return np.tile([0.5, 0.9], (test.n_queries, 1))


def test_router_wtp_curve_uses_predict_proba():
    b = _bench(np.array([[0.0, 1.0]] * 4), np.array([[1.0, 10.0]] * 4))
    df = cv.router_wtp_curve(_FakePredictive(), b, b, lambdas=[1e-9, 1e9])
    assert df["strong_share"].tolist() == [0.0, 1.0]

    class NoProba(Router):
        def route(self, test):
            return Routing(np.zeros(test.n_queries, dtype=int))

    with pytest.raises(RouterlabError, match="no success probabilities"):
        cv.router_wtp_curve(NoProba(), b, b)


def test_judge_cascade_hand_computed():
    quality = np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 0.0]])
    cost = np.array([[1.0, 2.0, 4.0], [1.0, 2.0, 4.0]])
    r = cv.judge_cascade(quality, cost, budget=100, error_rate=0.0, threshold=1.0)
    assert r.choice.tolist() == [1, 2]
    assert r.paid(cost).tolist() == [3.0, 7.0]
    assert r.returned_quality(quality).tolist() == [1.0, 0.0]
    # budget 2.5: after paying 1, model 1 costs 2 >= 1.5 left -> stop, keep the rejected answer
    r = cv.judge_cascade(quality, cost, budget=2.5, error_rate=0.0, threshold=1.0)
    assert r.choice.tolist() == [0, 0] and r.paid(cost).tolist() == [1.0, 1.0]
    # a judge that always errs accepts the first (wrong) answer
    r = cv.judge_cascade(quality, cost, budget=100, error_rate=1.0, threshold=1.0)
    assert r.choice.tolist() == [0, 0]
    # a custom order: dearest first (accepted at once on query 0)
    r = cv.judge_cascade(quality, cost, budget=100, error_rate=0.0, order=[2, 1, 0], threshold=1.0)
    assert r.choice.tolist() == [2, 0] and r.paid(cost).tolist() == [4.0, 7.0]


def test_cascade_sweep_seeded_and_monotone_in_budget():
    rng = np.random.default_rng(1)
    quality = (rng.random((400, 3)) < [0.5, 0.7, 0.9]).astype(float)
    cost = np.tile([1e-4, 1e-3, 1e-2], (400, 1))
    a = cv.cascade_sweep(quality, cost, seed=3)
    b = cv.cascade_sweep(quality, cost, seed=3)
    assert a.equals(b) and len(a) == 11 * 8
    e0 = a[a.error_rate == 0.0].sort_values("budget")
    assert np.all(np.diff(e0["cost"]) >= 0) and np.all(np.diff(e0["quality"]) >= -1e-12)
    # a perfect judge with no budget limit: correct whenever any model is
    assert e0["quality"].iloc[-1] == pytest.approx(quality.max(axis=1).mean())


def test_judge_cascade_router():
    b = _bench(np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 10.0], [1.0, 10.0]]))
    r = cv.JudgeCascadeRouter(budget=100, error_rate=0.0, seed=0).fit(b).route(b)
    assert r.choice.tolist() == [1, 0] and r.calls.tolist() == [[True, True], [True, False]]
    with pytest.raises(RouterlabError, match="full test set"):
        cv.JudgeCascadeRouter().fit(b).route(b.without_truth())


def test_threshold_sweep_hand_computed():
    w = np.array([0.9, 0.1, 0.5, 0.7])
    quality = np.array([[0, 1], [1, 1], [1, 0], [0, 1]], dtype=float)
    cost = np.tile([1.0, 3.0], (4, 1))
    s = cv.threshold_sweep(w, quality, cost, method="share", n_points=4)
    assert s["quality"].tolist() == [0.5, 0.75, 1.0, 0.75, 0.75]
    assert s["cost"].tolist() == [1.0, 1.5, 2.0, 2.5, 3.0]
    q = cv.threshold_sweep(w, quality, cost, method="qcut", n_points=4)
    assert q["strong_share"].tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    np.testing.assert_allclose(q["threshold"], [0.9, 0.75, 0.6, 0.4, 0.1])
    opt = cv.optimal_two_model_curve(quality, [0, 0.25, 1.0])
    np.testing.assert_allclose(opt, [0.5, 0.75, 1.0])  # only 2 queries gain from the strong model
    rc, rq = cv.random_mix_curve(quality, cost, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(rq, [0.5, 0.625, 0.75])
    np.testing.assert_allclose(rc, [1.0, 2.0, 3.0])


def test_oracle_and_single_points():
    quality = np.array([[0, 1], [1, 1], [0, 0]], dtype=float)
    cost = np.tile([1.0, 10.0], (3, 1))
    c, q = cv.oracle_point(quality, cost)
    assert c == pytest.approx(11 / 3) and q == pytest.approx(2 / 3)
    c, _ = cv.oracle_point(quality, cost, free_when_none_correct=False)
    assert c == pytest.approx(12 / 3)
    sc, sq = cv.single_model_points(quality, cost)
    assert sc.tolist() == [1.0, 10.0] and sq.tolist() == pytest.approx([1 / 3, 2 / 3])


# ---- the two-model study -----------------------------------------------------------------------


def _text_bench(n=240, seed=0):
    return text_bench(n, seed, subsets=True)


def test_subset_prior_router():
    b = _text_bench()
    r = cv.SubsetPriorRouter().fit(b)
    p = r.predict_proba(b.without_truth())
    hard = b.subsets == "hard"
    np.testing.assert_allclose(p[hard][0], b.quality[hard].mean(axis=0))
    assert (r.route(b.without_truth()).choice[hard] == 1).all()


def test_two_model_study_sees_the_signal():
    pytest.importorskip("routerlab.routing.predictive")
    b = _text_bench()
    st = cv.two_model_study(b, routers=("seq-cls",), seeds=[0, 1], dim=4, random_iters=3)
    pts = st.points.set_index(["router", "seed"])
    assert {"seq-cls", "subject-prior", "random", "judge-cascade", "oracle", "zero router"} <= set(st.points.router)
    seq = pts.loc["seq-cls"]
    # the text reveals the hard queries: far better than random at recovering the gap
    assert (seq["apgr"] > pts.loc["random"]["apgr"] + 0.15).all()
    assert (seq["auc_gain"] > 0.8).all()
    assert (pts.loc["oracle"]["apgr"] >= seq["apgr"]).all()
    # random's APGR is about 1/2 and its AIQ equals the zero router's (its cost hull is theirs)
    assert np.allclose(pts.loc["random"]["apgr"], 0.5, atol=0.1)
    np.testing.assert_allclose(pts.loc["random"]["aiq_cmax"], pts.loc["zero router"]["aiq_cmax"])
    assert pts.loc["fixed:weak"]["aiq_cmax"].isna().all()
    assert set(st.curves["kind"]) == {"threshold", "cost"}
    again = cv.two_model_study(b, routers=("seq-cls",), seeds=[0, 1], dim=4, random_iters=3)
    pd_testing = pytest.importorskip("pandas.testing")
    pd_testing.assert_frame_equal(st.points, again.points)  # seeded: identical numbers


def test_frontier_study_on_small_simulation():
    simulate = pytest.importorskip("routerlab.data.simulate").simulate
    b = simulate(scale=0.01, seed=0)
    st = cv.frontier_study(b, routers=("seq-cls",), seeds=[0], extra=("cascade",),
                           cascade_thresholds=(0.5, 0.7, 0.9))
    p = st.points.set_index("router")
    assert {"seq-cls", "cascade", "judge-cascade", "random", "round-robin", "oracle", "zero router"} <= set(p.index)
    fixed = [r for r in p.index if r.startswith("fixed:")]
    assert len(fixed) == b.n_models and p.loc[fixed, "aiq_cmax"].isna().all()
    aiqs = p.drop(index=fixed)[["aiq_cmax", "aiq_range", "aiq_cmax_ds", "aiq_range_ds"]].to_numpy()
    assert np.all((aiqs >= 0) & (aiqs <= 1))
    # common range: "range" = "cmax" x c_max / (c_max - c_min) for every router (same factor)
    ratio = (p["aiq_range"] / p["aiq_cmax"]).drop(index=fixed).to_numpy()
    np.testing.assert_allclose(ratio, ratio[0])
    # the oracle point is the best quality; the learned router's curve has many points
    assert p.loc["oracle", "quality"] >= p.drop(index=["zero router"])["quality"].max() - 1e-12
    assert p.loc["seq-cls", "n_points"] == 32 and p.loc["cascade", "n_points"] == 3
    assert set(st.curves["router"]) >= {"seq-cls", "zero router", "oracle"}
