"""The task-deviation router: margin scores by hand, blindness to the test truth, a gain where the text
reveals which model to use, and a fall-back to dataset-best where the text is noise."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import text_bench
from routerlab.data.splits import stratified_split
from routerlab.errors import RouterlabError
from routerlab.evaluation.protocol import evaluate, policy_names
from routerlab.routing.features import split_rows
from routerlab.routing.predictive import DatasetBestRouter
from routerlab.routing.routers import make_router
from routerlab.routing.task_deviation import MARGINS, TaskDeviationRouter, margin_scores, pick_margins
from test_task_baselines import _three_model_text_bench

INF = float("inf")


def one_line(exc) -> str:
    msg = str(exc.value)
    assert msg and "\n" not in msg
    return msg


def test_margin_scores_and_pick_by_hand():
    gain = np.array([0.5, 0.05, 0.2, 0.0])
    own, base = np.array([1.0, 0.0, 1.0, 0.5]), np.array([0.5, 1.0, 0.5, 0.5])   # delta 0.5, -1, 0.5, 0
    margins = (0.0, 0.1, 0.3, INF)
    total, se = margin_scores(gain, own, base, np.array([0, 0, 0, 1]), 2, margins)
    # group 0: margin 0 deviates on rows 0-2, 0.1 on rows 0 and 2, 0.3 on row 0, inf nowhere;
    # group 1: its one row has gain 0, which exceeds no margin
    np.testing.assert_allclose(total, [[0.0, 1.0, 0.5, 0.0], [0, 0, 0, 0]])
    np.testing.assert_allclose(se, [[np.sqrt(1.5), np.sqrt(0.5), 0.5, 0.0], [0, 0, 0, 0]])
    assert pick_margins(total, se, margins, z=0).tolist() == [0.1, INF]
    assert pick_margins(total, se, margins, z=1).tolist() == [0.1, INF]      # 1 - 0.707 > 0.5 - 0.5
    assert pick_margins(total, se, margins, z=2).tolist() == [INF, INF]      # no lower bound above 0
    # tied best scores (the same validation deviations): the middle margin (lower median)
    tied = np.array([[0.3, 0.3, 0.3, 0.3, 0.0]])
    assert pick_margins(tied, np.zeros_like(tied), (0.0, 0.1, 0.2, 0.3, INF), z=2).tolist() == [0.1]


def test_never_deviating_is_dataset_best_and_options_are_checked():
    bench = text_bench(400, seed=1)
    tr, te = stratified_split(bench, 0.2, 0)
    train, test = split_rows(bench, tr, te, "tfidf", 0)
    never = TaskDeviationRouter(margins=()).fit(train)
    assert never.margins == (INF,) and never.margin_.tolist() == [INF]
    np.testing.assert_array_equal(never.route(test).choice, DatasetBestRouter().fit(train).route(test).choice)
    assert make_router("task-deviation", inner="mf", seed=3).fit(train).route(test).choice.shape == (len(te),)
    assert "task-deviation" not in policy_names(bench, "all")        # evaluated by name only
    for opts, word in (({"inner": "dataset-best"}, "predictive"), ({"margins": (-0.1,)}, "margin"),
                       ({"val_size": 1.0}, "val_size"), ({"z": -1}, "z")):
        with pytest.raises(RouterlabError) as exc:
            make_router("task-deviation", **opts)
        assert word in one_line(exc)
    with pytest.raises(RouterlabError) as exc:
        make_router("task-deviation", inner="random").fit(train)
    assert "predictive" in one_line(exc)


def test_routing_never_reads_the_test_truth():
    bench = _three_model_text_bench(800, seed=2)
    tr, te = stratified_split(bench, 0.2, 1)
    train, test = split_rows(bench, tr, te, "tfidf", 1)
    router = TaskDeviationRouter(seed=1).fit(train)
    rng = np.random.default_rng(0)
    scrambled = replace(test, quality=rng.random(test.quality.shape), cost=rng.random(test.cost.shape) * 9)
    base = router.route(test)
    np.testing.assert_array_equal(base.choice, router.route(scrambled).choice)
    np.testing.assert_array_equal(base.choice, router.route(test.without_truth()).choice)
    np.testing.assert_array_equal(base.proba, router.route(scrambled).proba)


def test_gain_over_dataset_best_when_the_text_reveals_hard_queries():
    bench = _three_model_text_bench(1500, seed=0)
    res = evaluate(bench, ["task-deviation", "dataset-best"], seeds=range(3), cache_dir=False)
    row = res.paired("dataset-best").set_index("policy").loc["task-deviation"]
    assert 0.08 < row["lo"] < row["diff"] < row["hi"] < 0.16       # measured +0.113 [0.095, 0.132]
    assert row["seeds_better"] == 3


def test_falls_back_to_dataset_best_when_the_text_is_noise():
    bench = _three_model_text_bench(1500, seed=0)
    rng = np.random.default_rng(5)
    noise = replace(bench, prompts=np.array([f"w{rng.integers(0, 50)} w{rng.integers(0, 50)}" for _ in range(1500)]))
    res = evaluate(noise, ["task-deviation", "knn", "dataset-best"], seeds=range(3), cache_dir=False)
    paired = res.paired("dataset-best").set_index("policy")
    dev, knn = paired.loc["task-deviation"], paired.loc["knn"]
    assert -0.005 < dev["diff"] < 0.01 and dev["lo"] > -0.015       # measured 0.000 [0.000, 0.000]
    assert knn["diff"] < dev["diff"]                                 # the plain kNN loses (-0.018)
    p, d = res.policies.index("task-deviation"), res.policies.index("dataset-best")
    same = np.mean([np.mean(res.choices[s][:, p] == res.choices[s][:, d]) for s in res.seeds])
    assert same >= 0.95


def test_margin_grid_default():
    assert MARGINS[0] == 0.0 and MARGINS[-1] == INF and list(MARGINS) == sorted(MARGINS)
    assert TaskDeviationRouter(margins=(0.1, 0.1)).margins == (0.1, INF)
