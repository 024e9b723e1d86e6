"""The kNN router's distance weighting by hand, the one-product grid, and the tuned kNN against the
validation-chosen learned router (exactly 0 when both are the same router; above 0 where a small k wins)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import text_bench
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.data.splits import stratified_split
from routerlab.errors import RouterlabError
from routerlab.evaluation.knn_tuning import (available_encoders, grid_scores, knn_grid, tune_knn, tuned_knn_gain,
                                             tuned_table)
from routerlab.evaluation.protocol import evaluate, fit_route_score
from routerlab.evaluation.task_baselines import paired_seed_interval
from routerlab.routing.predictive import KNNRouter
from routerlab.routing.routers import make_router

MODELS2 = (Model("A", "p", "t"), Model("B", "p", "t"))


def _bench(quality, features, datasets=None) -> Benchmark:
    q = np.asarray(quality, dtype=float)
    n, m = q.shape
    return Benchmark(quality=q, cost=np.ones((n, m)), models=MODELS2[:m], sample_ids=np.arange(n).astype(str),
                     datasets=np.array(["D"] * n) if datasets is None else np.asarray(datasets),
                     prompt_tokens=np.full(n, 10), features=np.asarray(features, dtype=float))


def one_line(exc) -> str:
    msg = str(exc.value)
    assert msg and "\n" not in msg
    return msg


def test_distance_weights_by_hand():
    # cosine of the query (1, 0) with the four training rows: 1, 0.6, 0, -1
    tr = _bench([[1, 0], [0, 1], [1, 1], [1, 1]], [[1, 0], [0.6, 0.8], [0, 1], [-1, 0]])
    te = _bench([[0, 0]], [[2, 0]])
    uniform = KNNRouter(k=3).fit(tr).predict_proba(te)[0]
    np.testing.assert_allclose(uniform, [2 / 3, 2 / 3])
    # distance: weights 1, 0.6 and the floor for the orthogonal row
    floor = KNNRouter.MIN_WEIGHT
    dist = KNNRouter(k=3, weights="distance").fit(tr).predict_proba(te)[0]
    np.testing.assert_allclose(dist, [(1 + floor) / (1.6 + floor), (0.6 + floor) / (1.6 + floor)], rtol=1e-6)
    # all four: the opposite row's negative cosine is clipped at the floor too, never subtracted
    dist4 = KNNRouter(k=4, weights="distance").fit(tr).predict_proba(te)[0]
    np.testing.assert_allclose(dist4, [(1 + 2 * floor) / (1.6 + 2 * floor), (0.6 + 2 * floor) / (1.6 + 2 * floor)],
                               rtol=1e-6)
    # only dissimilar neighbours: every weight is the floor, so the mean is the plain mean
    far = _bench([[0, 0]], [[-1, -1]])
    np.testing.assert_allclose(KNNRouter(k=2, weights="distance").fit(tr).predict_proba(far)[0],
                               KNNRouter(k=2).fit(tr).predict_proba(far)[0])


def test_weights_option_is_checked_and_defaults_to_uniform():
    assert make_router("knn").weights == "uniform"
    assert make_router("knn", weights="distance").weights == "distance"
    with pytest.raises(RouterlabError) as exc:
        make_router("knn", weights="cosine")
    assert "uniform, distance" in one_line(exc)
    with pytest.raises(RouterlabError) as exc:
        KNNRouter(k=0)
    one_line(exc)


def test_predict_grid_equals_one_router_per_setting():
    rng = np.random.default_rng(0)
    n = 300
    b = _bench(rng.random((n, 2)) < 0.6, rng.normal(size=(n, 5)), datasets=rng.choice(["X", "Y"], n))
    tr, te = b.rows(slice(0, 220)), b.rows(slice(220, None))
    grid = KNNRouter(chunk=17).fit(tr).predict_grid(te.without_truth(), (1, 5, 40, 500), ("uniform", "distance"))
    assert len(grid) == 8
    for (k, w), p in grid.items():
        np.testing.assert_array_equal(p, KNNRouter(k=k, weights=w, chunk=17).fit(tr).predict_proba(te))
    # the RS terms of the grid are what the protocol's step scores for the same router
    terms = grid_scores(tr, te, (5, 40), ("distance",))
    for k in (5, 40):
        one = fit_route_score(KNNRouter(k=k, weights="distance"), tr, te, 0)["terms"]
        np.testing.assert_allclose(terms[(k, "distance")], one)


def test_grid_defaults_and_errors():
    b = text_bench(200, seed=1)
    g = knn_grid(b)
    assert g["k"] == (5, 10, 20, 40, 80) and g["weights"] == ("uniform", "distance")
    assert g["encoder"] == available_encoders() and "tfidf" in g["encoder"]
    feats = _bench(np.ones((4, 2)), np.eye(4)[:, :2])
    assert knn_grid(feats)["encoder"] == (None,)
    for bad, word in (({"kk": (5,)}, "grid key"), ({"weights": ("cos",)}, "weights"), ({"k": (0,)}, "k"),
                      ({"encoder": ("bag",)}, "encoder"), ({"k": ()}, "empty")):
        with pytest.raises(RouterlabError) as exc:
            knn_grid(b, bad)
        assert word in one_line(exc)
    with pytest.raises(RouterlabError) as exc:
        knn_grid(feats, {"encoder": ("tfidf",)})
    assert "prompt" in one_line(exc)


def test_paired_seed_interval_is_gain_over_baselines_bootstrap():
    rng = np.random.default_rng(3)
    diffs = [rng.normal(0.1, 1, 50), rng.normal(0.1, 1, 70)]
    out = paired_seed_interval(diffs, n_boot=400, boot_seed=7)
    assert out["per_seed"] == pytest.approx([d.mean() for d in diffs])
    assert out["value"] == pytest.approx(np.mean(out["per_seed"]))
    assert out["lo"] < out["value"] < out["hi"]
    assert paired_seed_interval([np.zeros(9)], n_boot=50) == {"value": 0.0, "lo": 0.0, "hi": 0.0, "per_seed": [0.0]}


def test_tuned_knn_equals_the_learned_knn_when_the_grid_is_its_setting():
    """Grid = the book's kNN (k 40, uniform, TF-IDF) and learned = [knn]: the two sides are the same
    router on the same features and rows, so every difference is exactly 0."""
    bench = text_bench(600, seed=2)
    res = evaluate(bench, ["knn", "dataset-best"], seeds=range(2), cache_dir=False)
    gain = tuned_knn_gain(res, bench, ["knn"], grid={"k": (40,), "weights": ("uniform",), "encoder": ("tfidf",)},
                          n_boot=100)
    assert gain["per_seed"] == [0.0, 0.0] and gain["value"] == gain["lo"] == gain["hi"] == 0.0
    assert gain["chosen"] == [{"encoder": "tfidf", "k": 40, "weights": "uniform"}] * 2
    assert gain["learned"] == ["knn", "knn"]
    table = tuned_table(gain)
    assert list(table["seed"]) == [0, 1] and (table["test RS difference"] == 0).all()


def _angle_bench(n: int, seed: int = 0) -> Benchmark:
    """One dataset, three models (cheap, strong, dear = strong); the strong model is needed on
    'hard' queries, which sit in 12 narrow angular stripes of the 2-d features (cosine reads the
    angle only). A small k resolves the stripes; the book's k = 40 blurs them."""
    rng = np.random.default_rng(seed)
    theta = rng.uniform(0, 2 * np.pi, n)
    hard = np.sin(12 * theta) > 0
    weak = np.where(hard, rng.random(n) < 0.1, rng.random(n) < 0.9)
    strong = np.where(hard, rng.random(n) < 0.9, rng.random(n) < 0.95)
    models = (Model("weak", "p", "t", 0.1, 0.1), Model("strong", "p", "t", 10.0, 30.0),
              Model("dear", "p", "t", 100.0, 300.0))
    return Benchmark(quality=np.column_stack([weak, strong, strong]).astype(float),
                     cost=np.tile([1e-4, 6e-4, 2e-3], (n, 1)), models=models, sample_ids=np.arange(n).astype(str),
                     datasets=np.array(["D"] * n), prompt_tokens=np.full(n, 10),
                     features=np.column_stack([np.cos(theta), np.sin(theta)]))


def test_tuning_finds_the_small_k_and_beats_the_fixed_knn():
    bench = _angle_bench(2500, seed=0)
    res = evaluate(bench, ["knn", "dataset-best"], seeds=range(2), cache_dir=False)
    gain = tuned_knn_gain(res, bench, ["knn"], n_boot=300)
    assert all(s["k"] <= 20 and s["encoder"] is None for s in gain["chosen"])
    assert 0.0 < gain["lo"] < gain["value"] < gain["hi"] < 0.05    # measured +0.018 [0.011, 0.024]
    assert all(len(v) == 10 for v in gain["validation"].values())


def test_tuning_never_reads_the_test_rows():
    bench = _angle_bench(1200, seed=1)
    setting, scores = tune_knn(bench, seed=0)
    assert scores[f"features, k={setting['k']}, {setting['weights']}"] == max(scores.values())
    tr, te = stratified_split(bench, 0.2, 0)
    q, c, f = bench.quality.copy(), bench.cost.copy(), bench.features.copy()
    c[te] *= 5.0
    q[te] = q[te][:, ::-1]            # same stratum: the number of correct models is unchanged
    f[te] = -f[te]
    other = replace(bench, quality=q, cost=c, features=f)
    assert all(np.array_equal(a, b) for a, b in zip(stratified_split(other, 0.2, 0), (tr, te)))
    assert tune_knn(other, seed=0) == (setting, scores)


def test_tuned_knn_gain_errors():
    bench = text_bench(300, seed=0)
    res = evaluate(bench, ["knn", "dataset-best"], seeds=[0], split="random", bootstrap=0, cache_dir=False)
    with pytest.raises(RouterlabError) as exc:
        tuned_knn_gain(res, bench, ["knn"])
    assert "stratified" in one_line(exc)
    res = evaluate(bench, ["knn", "dataset-best"], seeds=[0], bootstrap=0, cache_dir=False)
    with pytest.raises(RouterlabError) as exc:
        tuned_knn_gain(res, bench, ["mf"])
    one_line(exc)
    with pytest.raises(RouterlabError) as exc:
        tuned_knn_gain(res, text_bench(400, seed=0), ["knn"])
    assert "benchmark" in one_line(exc)
