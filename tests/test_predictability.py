"""Correctness AUC from the task and from the query, and learning curves, on data with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.evaluation.predictability import (correctness_auc, curve_summary, fold_indices,
                                                 learning_curve, task_score)
from test_task_baselines import _three_model_text_bench


def _bench(n: int, seed: int, signal: bool) -> Benchmark:
    """Two models, two datasets. Model 0 is right exactly when feature 0 > 0 (signal) or at random
    (no signal); model 1 is right on dataset 'B' only, whatever the query."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4))
    ds = np.where(rng.random(n) < 0.5, "A", "B")
    q0 = (x[:, 0] > 0) if signal else (rng.random(n) < 0.5)
    q1 = ds == "B"
    models = (Model("m0", "p", "t"), Model("m1", "p", "t"))
    return Benchmark(quality=np.column_stack([q0, q1]).astype(float), cost=np.tile([1e-4, 2e-4], (n, 1)),
                     models=models, sample_ids=np.arange(n).astype(str), datasets=ds,
                     prompt_tokens=np.full(n, 10), features=x)


def test_task_score_and_folds():
    codes = np.array([0, 0, 1, 1])
    correct = np.array([[1, 0], [0, 0], [1, 1], [1, 0]], dtype=float)
    assert task_score(codes, correct, np.array([1, 0, 2])).tolist() == [[1.0, 0.5], [0.5, 0.0], [0.75, 0.25]]
    f = fold_indices(10, 3, seed=0)
    assert sorted(np.bincount(f).tolist()) == [3, 3, 4]
    assert np.array_equal(f, fold_indices(10, 3, seed=0))


def test_a_feature_that_decides_correctness_gives_auc_near_one():
    t = correctness_auc(_bench(2000, 0, signal=True), seed=0).set_index("model")
    assert t.loc["m0", "auc_task_query"] > 0.97 and abs(t.loc["m0", "auc_task"] - 0.5) < 0.06
    # m1 is decided by the dataset: the task alone already gives AUC 1
    assert t.loc["m1", "auc_task"] == pytest.approx(1.0) and t.loc["m1", "auc_task_query"] > 0.99


def test_noise_gives_auc_near_one_half():
    t = correctness_auc(_bench(2000, 1, signal=False), seed=0).set_index("model")
    assert abs(t.loc["m0", "auc_task_query"] - 0.5) < 0.06 and abs(t.loc["m0", "auc_task"] - 0.5) < 0.06


def test_learning_curve_rises_with_informative_text():
    bench = _three_model_text_bench(1500, seed=0)
    curve = learning_curve(bench, "knn", fractions=(0.1, 1.0), seeds=range(2))
    assert len(curve) == 4 and set(curve["n_train"]) == {120, 1200}
    s = curve_summary(curve).set_index("fraction")
    assert s.loc[1.0, "gain"] > 0.08               # the text router beats dataset-best with all rows
    assert s.loc[1.0, "n_train"] == 1200.0
