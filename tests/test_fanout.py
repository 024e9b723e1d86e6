"""The RS-threshold fan-out (routerlab.routing.fanout) and its LangGraph graph (routerlab.routing.graph).

Known answers by hand on a 3-query x 3-model case; the policy inside the evaluation protocol; "all"
unchanged; the graph's decisions equal the package's, query for query, on simulated and real data.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from routerlab.routing import fanout as fo
from routerlab.errors import RouterlabError
from routerlab.evaluation.protocol import evaluate, policy_names, stratified_split
from routerlab.routing.routers import make_router
from routerlab.data.simulate import simulate

# predicted success, expected cost (USD) with the range [0, 10]: predicted RS = p * (1 - c / 10)
P = np.array([[0.9, 0.6, 0.3],
              [0.5, 0.8, 0.7],
              [0.2, 0.2, 0.4]])
EC = np.array([[5.0, 1.0, 0.0],
               [0.0, 5.0, 10.0],
               [0.0, 0.0, 5.0]])
PRS = np.array([[0.45, 0.54, 0.30],     # by hand: best m1, then m0, then m2
                [0.50, 0.40, 0.00],     # m0, m1, m2
                [0.20, 0.20, 0.20]])    # a three-way tie: cheaper first (m0, m1 cost 0), then column
C = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])   # true costs paid
Q = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])   # true correctness
T, F = True, False


def one_line(exc) -> str:
    msg = str(exc.value)
    assert "\n" not in msg and msg
    return msg


def test_predicted_rs_and_rank_by_hand():
    prs = fo.rs_from_predictions(P, EC, 0.0, 10.0)
    np.testing.assert_allclose(prs, PRS, atol=1e-12)
    np.testing.assert_array_equal(fo.rs_rank(prs, EC), [[1, 0, 2], [0, 1, 2], [0, 1, 2]])
    # a zero-width cost range: the cost factor is 1, predicted RS = p
    np.testing.assert_allclose(fo.rs_from_predictions(P, EC, 3.0, 3.0), P)


def test_calls_by_hand_threshold_and_cap():
    prs = fo.rs_from_predictions(P, EC, 0.0, 10.0)
    calls = fo.fanout_calls(prs, 0.4, None, EC)
    np.testing.assert_array_equal(calls, [[T, T, F], [T, T, F], [T, F, F]])  # query 3: only its best
    np.testing.assert_array_equal(fo.fanout_calls(prs, 0.4, 1, EC), [[F, T, F], [T, F, F], [T, F, F]])
    # threshold 0: every model, up to the cap
    np.testing.assert_array_equal(fo.fanout_calls(prs, 0.0, None, EC), np.ones((3, 3), bool))
    np.testing.assert_array_equal(fo.fanout_calls(prs, 0.0, 2, EC), [[T, T, F], [T, T, F], [T, T, F]])
    # threshold 1: the single best model only (= routing to one model)
    np.testing.assert_array_equal(fo.fanout_calls(prs, 1.0, None, EC), [[F, T, F], [T, F, F], [T, F, F]])
    # the cap may exceed the number of models
    np.testing.assert_array_equal(fo.fanout_calls(prs, 0.0, 7, EC), np.ones((3, 3), bool))


def test_cost_is_the_sum_of_the_calls_and_top_answers_the_best():
    prs = fo.rs_from_predictions(P, EC, 0.0, 10.0)
    r = fo.fanout(prs, 0.4, None, "top", EC)
    np.testing.assert_array_equal(r.choice, [1, 0, 0])
    np.testing.assert_allclose(r.paid(C), [1 + 2, 4 + 5, 7])
    np.testing.assert_allclose(fo.fanout(prs, 0.0, None, "top", EC).paid(C), [6, 15, 24])
    # the top rule returns the single best model at every threshold
    for t in (0.0, 0.3, 0.45, 1.0):
        np.testing.assert_array_equal(fo.fanout(prs, t, None, "top", EC).choice, [1, 0, 0])


def test_judge_and_any_correct_by_hand():
    prs = fo.rs_from_predictions(P, EC, 0.0, 10.0)
    calls = fo.fanout_calls(prs, 0.0, None, EC)
    # any-correct: the first correct answer in predicted-RS order
    np.testing.assert_array_equal(fo.fanout_choice(prs, calls, "any-correct", Q, expected_cost=EC), [0, 1, 2])
    # a judge that is always wrong accepts the first wrong answer
    wrong = fo.fanout_choice(prs, calls, "judge", Q, expected_cost=EC, flips=np.ones((3, 3), bool))
    np.testing.assert_array_equal(wrong, [1, 0, 0])
    # judge error 0 = any-correct
    np.testing.assert_array_equal(fo.fanout_choice(prs, calls, "judge", Q, judge_error=0.0, expected_cost=EC),
                                  [0, 1, 2])
    # no correct answer among the calls: the top answer
    only_best = fo.fanout_calls(prs, 1.0, None, EC)
    np.testing.assert_array_equal(fo.fanout_choice(prs, only_best, "any-correct", Q, expected_cost=EC),
                                  [1, 0, 0])


@pytest.mark.parametrize("threshold", [-0.1, 1.5, float("nan"), "high"])
def test_bad_threshold_is_one_line(threshold):
    with pytest.raises(RouterlabError) as exc:
        fo.fanout_calls(PRS, threshold)
    assert "threshold" in one_line(exc)
    with pytest.raises(RouterlabError) as exc:
        fo.FanoutRouter(threshold=threshold)
    one_line(exc)


@pytest.mark.parametrize("cap", [0, -1, 1.5, True, "2"])
def test_bad_cap_is_one_line(cap):
    with pytest.raises(RouterlabError) as exc:
        fo.fanout_calls(PRS, 0.5, cap)
    assert "cap" in one_line(exc)


def test_other_bad_inputs_are_one_line():
    with pytest.raises(RouterlabError) as exc:
        fo.fanout_choice(PRS, np.ones((3, 3), bool), "majority")
    assert "rule" in one_line(exc)
    with pytest.raises(RouterlabError) as exc:
        fo.fanout_choice(PRS, np.ones((3, 3), bool), "judge")  # no quality to judge
    one_line(exc)
    with pytest.raises(RouterlabError) as exc:
        fo.rs_from_predictions(P, EC[:2], 0.0, 1.0)
    one_line(exc)
    b = simulate(scale=0.003, seed=0)
    with pytest.raises(RouterlabError) as exc:
        make_router("fanout", router="random").fit(b)
    assert "predictive" in one_line(exc)
    with pytest.raises(RouterlabError) as exc:
        fo.fanout_sweep(b, thresholds=[0.5, 2.0], seeds=[0])
    assert "threshold" in one_line(exc)


def test_all_is_unchanged_by_the_fanout_policy():
    b = simulate(scale=0.003, seed=0)
    fixed = [f"fixed:{m}" for m in b.model_names]
    assert policy_names(b, "all") == (["random", "round-robin"] + fixed
                                      + ["bert-cls", "cascade", "causal-lm", "frugalgpt", "knn", "mf", "mlp",
                                         "seq-cls", "dataset-best", "oub", "qoub", "coub"])
    assert "fanout" not in policy_names(replace(b, confidence=None), "all")
    assert policy_names(b, "mf,fanout") == ["mf", "fanout"]  # by name it is there


def test_fanout_router_in_the_evaluation_protocol():
    b = simulate(scale=0.01, seed=1)
    r = evaluate(b, ["mf", "fanout"], seeds=[0], bootstrap=0, cache_dir=False,
                 router_options={"fanout": {"threshold": 1.0}})
    s = r.summary()
    assert s.loc["fanout", "rs"] == pytest.approx(s.loc["mf", "rs"], abs=1e-12)  # threshold 1 = single best
    assert s.loc["fanout", "calls_per_query"] == 1.0
    r0 = evaluate(b, ["mf", "fanout"], seeds=[0], bootstrap=0, cache_dir=False,
                  router_options={"fanout": {"threshold": 0.0, "cap": 2}})
    s0 = r0.summary()
    assert s0.loc["fanout", "calls_per_query"] == 2.0
    assert s0.loc["fanout", "quality"] == pytest.approx(s0.loc["mf", "quality"], abs=1e-12)  # same answers
    assert s0.loc["fanout", "mean_cost"] > s0.loc["mf", "mean_cost"]                       # more calls paid
    assert s0.loc["fanout", "rs"] < s0.loc["mf", "rs"]


def test_sweep_ends_at_single_routing_and_judge_bounds():
    b = simulate(scale=0.01, seed=2)
    sw = fo.fanout_sweep(b, thresholds=[0.0, 0.5, 1.0], seeds=[0, 1])
    s = fo.sweep_summary(sw)
    single = s[s["policy"] == "single"].iloc[0]
    fan = s[s["policy"] == "fanout"].set_index(["rule", "threshold"])
    for rule in fo.RULES:
        assert fan.loc[(rule, 1.0), "rs"] == pytest.approx(single["rs"], abs=1e-12)
        assert fan.loc[(rule, 1.0), "calls_per_query"] == 1.0
        assert fan.loc[(rule, 0.0), "calls_per_query"] == b.n_models
    # quality: top = single <= judge (error 0.2, mostly right) <= any-correct, at every threshold
    for t in (0.0, 0.5, 1.0):
        assert fan.loc[("top", t), "quality"] == pytest.approx(single["quality"], abs=1e-12)
        assert fan.loc[("any-correct", t), "quality"] >= fan.loc[("judge", t), "quality"] - 1e-12
    assert set(s["policy"]) == {"single", "fanout", "cascade"}  # the simulator has confidences


# ---- LangGraph: the same decisions as the package ---------------------------------------------
def _graph_matches_package(train, test, thresholds=(0.0, 0.3, 0.6, 1.0), cap=None):
    from routerlab.routing import graph as lg

    router = make_router("mf", seed=0).fit(train)
    pred = fo.router_predictions(router, test.without_truth())
    for rule in fo.RULES:
        for t in thresholds:
            ref = fo.fanout(pred["predicted_rs"], t, cap, rule, pred["expected_cost"], test.quality, 0.2, 5)
            got = lg.run_graph(test.model_names, pred["predicted_rs"], pred["expected_cost"], test.quality,
                               test.cost, t, cap, rule, judge_error=0.2, seed=5, batch=97)
            np.testing.assert_array_equal(got.choice, ref.choice, err_msg=f"{rule} at {t}")
            np.testing.assert_array_equal(got.calls, ref.calls, err_msg=f"{rule} at {t}")
            np.testing.assert_allclose(got.paid(test.cost), ref.paid(test.cost))


def test_langgraph_graph_equals_the_policy_on_simulated_queries():
    b = simulate(scale=0.01, seed=0)
    tr, te = stratified_split(b, 0.2, 0)
    _graph_matches_package(b.rows(tr), b.rows(te))
    _graph_matches_package(b.rows(tr), b.rows(te), thresholds=(0.0, 0.5), cap=2)


def test_langgraph_graph_equals_the_policy_on_routerbench_subset():
    from routerlab.data import sources
    from routerlab.routing.features import split_text_features

    b = sources.load_for_book("routerbench-subset", scale=0.03, seed=0)
    if b is None:
        pytest.skip("routerbench-subset data folder not found")
    tr, te = stratified_split(b, 0.2, 0)
    x_tr, x_te = split_text_features(b.prompts, tr, te, kind="tfidf", seed=0)
    _graph_matches_package(replace(b.rows(tr), features=x_tr), replace(b.rows(te), features=x_te))


def test_graph_has_router_model_and_pick_nodes():
    from routerlab.routing import graph as lg

    b = simulate(scale=0.003, seed=0)
    app = lg.build_graph(b.model_names, b.quality, b.cost, 0.5)
    nodes = set(app.get_graph().nodes)
    assert {"router", "pick"} | {lg.node_name(m) for m in b.model_names} <= nodes
    text = app.get_graph().draw_mermaid()
    assert "router -.->" in text and "--> pick" in text


def test_missing_langgraph_is_one_clear_line(monkeypatch):
    import sys

    from routerlab.routing import graph as lg

    monkeypatch.setitem(sys.modules, "langgraph.graph", None)  # import fails as if not installed
    assert not lg.available()
    with pytest.raises(RouterlabError) as exc:
        lg.build_graph(["a"], np.zeros((1, 1)), np.zeros((1, 1)), 0.5)
    assert "pip install" in one_line(exc)
