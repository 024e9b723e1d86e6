"""The fan-out policy of :mod:`routerlab.routing.fanout` as a LangGraph ``StateGraph`` that replays a benchmark.

The article's integration pattern (``summary.en.md``, "LangGraph integration pattern") emits a
``Send(source, {query, routing_score})`` for every source whose ``rs`` clears ``RS_THRESHOLD``. This
graph does the same with a router's predictions, and instead of calling LLMs its model nodes replay
the benchmark's precomputed answers (correct or not) and costs: no network, no API key.

    START -> router -> (one Send per (query, model) above the threshold) -> model nodes -> pick -> END

* ``router`` node (:func:`make_router_node`): puts each query's predicted RS, expected cost and
  the list of models to call (:func:`routerlab.routing.fanout.fanout_calls`) in the state.
* conditional edge (:func:`make_fan_out`): returns ``Send(<model node>, {"query": i, "model": j,
  "routing_score": rs_ij, "expected_cost": c_ij})`` for every model each query calls.
* model nodes (:func:`make_model_node`, one per model): replay model j's answer to query i
  (``correct``: quality >= 0.5, and the judge's verdict when the rule needs one) and its true cost;
  answers accumulate in the state's ``answers`` list (a reducer adds them).
* ``pick`` node (:func:`make_pick_node`): per query, among the models that answered, the answer
  with the highest predicted RS (``rule="top"``), or the first answer the simulated judge accepts
  in that order (``"judge"``, ``"any-correct"``); see :mod:`routerlab.routing.fanout`.

The state carries a batch of queries (as the article's state carries a list of classified
sub-questions). LangGraph is an optional dependency: ``pip install 'routerlab[langgraph]'``; without
it, :func:`routerlab.routing.fanout.fanout` is the same policy in plain Python (a test checks that both give
the same choices and calls, query for query).
"""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import numpy as np

from routerlab.errors import RouterlabError, check_choice, check_range
from routerlab.routing.fanout import RULES, check_cap, check_threshold, fanout_calls
from routerlab.routing.routers import Routing

__all__ = ["available", "require_langgraph", "FanoutState", "node_name", "make_router_node", "make_fan_out",
           "make_model_node", "make_pick_node", "build_graph", "run_graph", "INSTALL_HINT"]

INSTALL_HINT = "pip install 'routerlab[langgraph]' (or: pip install 'langgraph>=1.0,<2')"


def available() -> bool:
    """True when LangGraph can be imported."""
    try:
        import langgraph.graph  # noqa: F401
        import langgraph.types  # noqa: F401
    except ImportError:
        return False
    return True


def require_langgraph():
    """``(StateGraph, START, END, Send)`` from LangGraph, or a one-line error saying how to install it."""
    try:
        from langgraph.graph import END, START, StateGraph
        from langgraph.types import Send
    except ImportError:
        raise RouterlabError("routerlab.routing.graph needs LangGraph, which is not installed; "
                             + INSTALL_HINT + "; routerlab.routing.fanout.fanout is the same policy without it") from None
    return StateGraph, START, END, Send


class FanoutState(TypedDict, total=False):
    """The graph's state for a batch of n queries and m models.

    ``queries`` list[int] rows of the replayed benchmark; ``predicted_rs`` and ``expected_cost``
    (n, m) nested lists (USD); ``calls`` (n, m) bool lists (set by the router node); ``answers``
    list of dicts ``{query, model, correct, accepted, cost, routing_score, expected_cost}`` appended
    by the model nodes; ``choice`` list[int] (n,) model column returned per query (set by pick).
    """

    queries: list
    predicted_rs: list
    expected_cost: list
    calls: list
    answers: Annotated[list, operator.add]
    choice: list


def node_name(model: str) -> str:
    """The graph node of a model: ``model <name>`` (LangGraph reserves ':'; the prefix keeps it
    apart from the router and pick nodes)."""
    return "model " + str(model).replace(":", "-")


def make_router_node(threshold: float, cap: int | None = None):
    """The router node: computes which models each query calls from its predicted RS."""
    threshold = check_threshold(threshold)
    cap = check_cap(cap)

    def router(state: FanoutState) -> dict:
        prs = np.asarray(state["predicted_rs"], dtype=np.float64)
        ec = np.asarray(state["expected_cost"], dtype=np.float64)
        return {"calls": fanout_calls(prs, threshold, cap, ec).tolist()}

    return router


def make_fan_out(model_names: list[str]):
    """The conditional edge after the router: one ``Send`` per (query, called model)."""
    _, _, _, Send = require_langgraph()
    nodes = [node_name(m) for m in model_names]

    def fan_out(state: FanoutState) -> list:
        prs, ec, rows = state["predicted_rs"], state["expected_cost"], state["queries"]
        sends = []
        for k, row in enumerate(state["calls"]):           # one query (a sub-question) at a time
            for j in np.flatnonzero(row):                  # every model above the threshold
                sends.append(Send(nodes[j], {"query": rows[k], "model": int(j),
                                             "routing_score": float(prs[k][j]),
                                             "expected_cost": float(ec[k][j])}))
        return sends

    return fan_out



def make_model_node(j: int, quality: np.ndarray, cost: np.ndarray, accepted: np.ndarray | None = None):
    """Model j's node: replays its precomputed answer and cost for the query (a row) it is sent.

    ``quality``, ``cost`` (N, m) of the replayed benchmark (USD); ``accepted`` (N, m) bool, the simulated
    judge's verdict on each answer (None: the verdict is "correct").
    """
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    verdict = quality >= 0.5 if accepted is None else np.asarray(accepted, dtype=bool)

    def model(payload: dict) -> dict:
        i = payload["query"]
        return {"answers": [{"query": i, "model": j, "correct": bool(quality[i, j] >= 0.5),
                             "accepted": bool(verdict[i, j]), "cost": float(cost[i, j]),
                             "routing_score": payload["routing_score"],
                             "expected_cost": payload["expected_cost"]}]}

    return model


def make_pick_node(rule: str = "top"):
    """The node that picks each query's answer among the models that answered (see module doc)."""
    check_choice("fan-out rule", rule, RULES)

    def pick(state: FanoutState) -> dict:
        n = len(state["queries"])
        position = {row: k for k, row in enumerate(state["queries"])}
        best: list = [None] * n           # (sort key, model) of the best answer so far
        judged: list = [None] * n         # the same among answers the judge accepted
        for a in state["answers"]:
            key = (-a["routing_score"], a["expected_cost"], a["model"])
            i = position[a["query"]]
            if best[i] is None or key < best[i][0]:
                best[i] = (key, a["model"])
            if rule != "top" and a["accepted"] and (judged[i] is None or key < judged[i][0]):
                judged[i] = (key, a["model"])
        choice = [(judged[i] or best[i])[1] for i in range(n)]
        return {"choice": choice}

    return pick


def build_graph(model_names: list[str], quality: np.ndarray, cost: np.ndarray, threshold: float,
                cap: int | None = None, rule: str = "top", accepted: np.ndarray | None = None):
    """The compiled graph: router, one node per model, pick.

    ``quality``, ``cost`` (N, m) the benchmark's precomputed outcomes (USD) that the model nodes
    replay; ``accepted`` (N, m) bool the judge's verdicts (rules ``"judge"``/``"any-correct"``).
    Invoke it with ``{"queries": rows, "predicted_rs": (n, m) list, "expected_cost": (n, m) list,
    "answers": []}`` for any n rows of the benchmark.
    """
    StateGraph, START, END, _ = require_langgraph()
    check_choice("fan-out rule", rule, RULES)
    graph = StateGraph(FanoutState)
    graph.add_node("router", make_router_node(threshold, cap))
    for j, name in enumerate(model_names):
        graph.add_node(node_name(name), make_model_node(j, quality, cost, accepted))
    graph.add_node("pick", make_pick_node(rule))
    graph.add_edge(START, "router")
    nodes = [node_name(m) for m in model_names]
    graph.add_conditional_edges("router", make_fan_out(model_names), nodes)
    for node in nodes:
        graph.add_edge(node, "pick")
    graph.add_edge("pick", END)
    return graph.compile()


def run_graph(model_names: list[str], predicted_rs: np.ndarray, expected_cost: np.ndarray,
              quality: np.ndarray, cost: np.ndarray, threshold: float, cap: int | None = None,
              rule: str = "top", judge_error: float = 0.0, seed: int = 0, batch: int = 500) -> Routing:
    """Replay n queries through the graph in batches of ``batch``; returns a :class:`Routing`.

    ``predicted_rs``, ``expected_cost``, ``quality``, ``cost`` (n, m). ``calls`` are the models
    whose node answered, ``choice`` what the pick node returned. The judge's flips are drawn as
    :func:`routerlab.routing.fanout.fanout_choice` draws them (``default_rng(seed).random((n, m)) <
    judge_error``), so both give the same decisions.
    """
    require_langgraph()
    prs = np.asarray(predicted_rs, dtype=np.float64)
    ec = np.asarray(expected_cost, dtype=np.float64)
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    n, m = prs.shape
    if not (ec.shape == quality.shape == cost.shape == (n, m)) or len(model_names) != m:
        raise RouterlabError(f"predicted RS {prs.shape}, expected cost {ec.shape}, quality {quality.shape}, "
                             f"cost {cost.shape} and {len(model_names)} model names must agree")
    check_choice("fan-out rule", rule, RULES)
    correct = quality >= 0.5
    if rule == "judge":
        eps = check_range("judge error rate", judge_error, 0.0, 1.0)
        accepted = correct ^ (np.random.default_rng(int(seed)).random((n, m)) < eps)
    else:
        accepted = correct
    batch = int(check_range("batch", batch, 1))
    choice = np.empty(n, dtype=np.intp)
    calls = np.zeros((n, m), dtype=bool)
    app = build_graph(model_names, quality, cost, threshold, cap, rule, accepted)
    for s in range(0, n, batch):
        rows = slice(s, min(s + batch, n))
        out = app.invoke({"queries": list(range(s, rows.stop)), "predicted_rs": prs[rows].tolist(),
                          "expected_cost": ec[rows].tolist(), "answers": []})
        choice[rows] = out["choice"]
        if out["answers"]:
            qi = np.array([a["query"] for a in out["answers"]])
            mj = np.array([a["model"] for a in out["answers"]])
            calls[qi, mj] = True
    return Routing(choice, calls)
