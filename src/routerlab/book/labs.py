"""Self-checks for the labs (``book/labs/``) and the student build of the lab notebooks.

Every exercise of a lab ends with one line::

    from routerlab.book import labs as labcheck
    labcheck.check("02.rs_by_hand", answer)             # prints "correct" or a hint
    labcheck.check("03.mf_gain", answer, bench=sim, seeds=range(2))

A check never compares with a number written in this file: it recomputes the expected value with
the package, at check time, from the same data the student used (passed as keyword arguments:
``bench``, ``seeds``, ``train``/``test``), or from the small hand-sized examples that
:func:`toy_rs_example` and :func:`toy_hull_points` hand out. It prints ``correct`` or a hint that
says what is wrong (type, shape, direction, a common mistake), never the expected value, and
returns True or False. ``answer = ...`` (the starter cells' placeholder) prints "not answered yet".

The student build drops the solutions and the instructor notes from the MyST lab pages and writes
one Jupyter notebook per lab::

    python -m routerlab.book.labs students book/labs _build/labs     # what `make labs` runs
    python -m routerlab.book.labs list                                # the exercise ids
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["check", "exercises", "toy_rs_example", "toy_hull_points", "strip_for_students",
           "lab_notebook", "student_notebooks", "main"]


# ---- the registry -------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Exercise:
    id: str
    title: str
    func: Callable[..., tuple[bool, str]]  # (answer, **context) -> (ok, hint when not ok)


_EXERCISES: dict[str, _Exercise] = {}


class _Hint(Exception):
    """Raised inside a check: the answer has the wrong form; the message is the hint."""


def _exercise(*ids_titles: tuple[str, str]):
    """Register the decorated function as the check of one or more exercises (id, title)."""
    def wrap(func):
        for ex_id, title in ids_titles:
            if ex_id in _EXERCISES:
                raise ValueError(f"exercise {ex_id!r} registered twice")
            _EXERCISES[ex_id] = _Exercise(ex_id, title, func)
        return func
    return wrap


def exercises() -> dict[str, str]:
    """{exercise id: title} of every self-check, in lab order."""
    return {k: _EXERCISES[k].title for k in sorted(_EXERCISES)}


def check(exercise_id: str, answer: Any, *, quiet: bool = False, **context) -> bool:
    """Check ``answer`` to exercise ``exercise_id``; print "correct" or a hint; return True/False.

    ``context``: the data the exercise was computed on (each lab says which), e.g.
    ``bench=sim`` or ``train=train, test=test``. ``quiet``: print nothing.
    """
    say = (lambda s: None) if quiet else print
    if exercise_id not in _EXERCISES:
        close = [k for k in _EXERCISES if k.split(".")[0] == str(exercise_id).split(".")[0]]
        raise KeyError(f"no exercise {exercise_id!r}; this lab's are: {', '.join(close) or sorted(_EXERCISES)}")
    if answer is Ellipsis or answer is None:
        say(f"{exercise_id}: not answered yet (replace the ... by your answer)")
        return False
    ex = _EXERCISES[exercise_id]
    try:
        ok, hint = ex.func(answer, **context)
    except _Hint as h:
        ok, hint = False, str(h)
    except TypeError as e:
        if "unexpected keyword" in str(e) or "missing" in str(e):
            raise TypeError(f"{exercise_id}: {e}; pass the data the lab names, e.g. bench=...") from None
        ok, hint = False, f"the answer has the wrong type ({type(answer).__name__}): {e}"
    say(f"{exercise_id}: correct" if ok else f"{exercise_id}: not yet. {hint}")
    return bool(ok)


# ---- comparison helpers -------------------------------------------------------------------------
def _number(x, what: str = "a number") -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (int, float, np.integer, np.floating)):
        if isinstance(x, np.ndarray) and x.size == 1:
            return float(x.reshape(()))
        raise _Hint(f"expected {what}, got {type(x).__name__}")
    v = float(x)
    if not math.isfinite(v):
        raise _Hint(f"expected {what}, got {v} (a NaN or infinity: an empty selection or a division by 0?)")
    return v


def _compare(value, expected: float, hint: str, rtol: float = 1e-3, atol: float = 1e-4,
             what: str = "a number") -> tuple[bool, str]:
    v = _number(value, what)
    if math.isclose(v, expected, rel_tol=rtol, abs_tol=atol):
        return True, ""
    direction = "too high" if v > expected else "too low"
    return False, f"your value is {direction}. {hint}"


def _tuple(answer, n: int, what: str) -> tuple:
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != n:
        raise _Hint(f"expected {what} ({n} items)")
    return tuple(answer)


def _names(answer, allowed: Sequence[str], what: str) -> list[str]:
    if isinstance(answer, str):
        answer = [answer]
    out = [str(a) for a in answer]
    unknown = [a for a in out if a not in allowed]
    if unknown:
        raise _Hint(f"{unknown[0]!r} is not one of the {what}: spell it as in bench.model_names / "
                    "bench.dataset_names")
    return out


# ---- hand-sized examples ------------------------------------------------------------------------
def toy_rs_example() -> dict:
    """Lab 02's example: 4 queries x 3 models. {"models", "quality" (4, 3), "cost" (4, 3) in
    thousandths of a USD, "choice" (4,) the policy whose RS the lab asks for}."""
    return {
        "models": ["small", "medium", "large"],
        "quality": np.array([[1, 1, 1], [0, 1, 1], [0, 0, 1], [0, 0, 0]], dtype=float),
        "cost": np.array([[1.0, 4.0, 10.0], [2.0, 5.0, 12.0], [1.0, 6.0, 16.0], [2.0, 4.0, 11.0]]),
        "choice": np.array([1, 1, 2, 0]),
    }


def toy_hull_points() -> tuple[np.ndarray, np.ndarray]:
    """Lab 07's seven operating points: (cost (7,) USD per 1,000 queries, quality (7,))."""
    return (np.array([1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 9.0]),
            np.array([0.50, 0.55, 0.70, 0.68, 0.80, 0.82, 0.80]))


# ---- lab 01: the benchmark ----------------------------------------------------------------------
@_exercise(("01.best_per_dataset", "the most accurate model of each dataset"))
def _best_per_dataset(answer, *, bench):
    if not isinstance(answer, dict):
        raise _Hint("expected a dict {dataset name: model name}")
    acc = bench.accuracy_by_dataset()
    missing = [d for d in acc.index if d not in answer]
    if missing:
        return False, f"{len(missing)} dataset(s) missing, e.g. {missing[0]!r}: one entry per dataset"
    wrong = []
    for d in acc.index:
        best = acc.loc[d].max()
        tied = set(acc.columns[acc.loc[d] >= best - 1e-12])
        if answer[d] not in tied:
            wrong.append(d)
    if wrong:
        return False, (f"{len(wrong)} dataset(s) wrong, e.g. {wrong[0]!r}. Take the mean quality of "
                       "each model over that dataset's rows only (bench.dataset_mask), then the largest.")
    return True, ""


@_exercise(("01.price_ratio", "dearest / cheapest mean cost per query (simulated)"),
           ("01.price_ratio_real", "dearest / cheapest mean cost per query (RouterBench subset)"))
def _price_ratio(answer, *, bench):
    mean_cost = bench.cost.mean(axis=0)
    return _compare(answer, float(mean_cost.max() / mean_cost.min()),
                    "Average each model's column of bench.cost over all queries (USD per query), "
                    "then divide the largest mean by the smallest.", rtol=1e-3)


@_exercise(("01.headroom", "any-model-correct share and best single accuracy (simulated)"),
           ("01.headroom_real", "any-model-correct share and best single accuracy (RouterBench subset)"))
def _headroom(answer, *, bench):
    any_ok, best = _tuple(answer, 2, "a pair (share answered by at least one model, best model's accuracy)")
    ok1, h1 = _compare(any_ok, float((bench.quality.max(axis=1) >= 1).mean()),
                       "First item: the share of queries (rows) where at least one model has quality 1.")
    ok2, h2 = _compare(best, float(bench.quality.mean(axis=0).max()),
                       "Second item: the largest column mean of bench.quality.")
    return ok1 and ok2, (h1 if not ok1 else h2)


# ---- lab 02: the Routing Score ------------------------------------------------------------------
def _toy_rs(normalization: str) -> float:
    from routerlab.metrics import routing_score

    t = toy_rs_example()
    r = np.arange(len(t["choice"]))
    return routing_score(t["quality"][r, t["choice"]], t["cost"][r, t["choice"]], t["cost"], normalization)


@_exercise(("02.rs_by_hand", "RS of the toy policy, global normalisation"))
def _rs_by_hand(answer):
    return _compare(answer, _toy_rs("global"),
                    "The global range is the smallest and largest cost of the WHOLE table; a wrong "
                    "answer scores 0 whatever it cost; RS is the mean over the 4 queries, not the sum.",
                    rtol=5e-3, atol=2e-3)


@_exercise(("02.rs_per_query", "RS of the toy policy, per-query normalisation"))
def _rs_per_query(answer):
    return _compare(answer, _toy_rs("per-query"),
                    "Per query, the range runs from that row's cheapest to its dearest model; a "
                    "correct answer from the row's dearest model scores 0.", rtol=5e-3, atol=2e-3)


@_exercise(("02.random_mean", "expected RS of uniform random routing (simulated)"))
def _random_mean(answer, *, bench):
    from routerlab.metrics import routing_score

    fixed = [routing_score(bench.quality[:, j], bench.cost[:, j], bench.cost) for j in range(bench.n_models)]
    return _compare(answer, float(np.mean(fixed)),
                    "Compute the RS of each fixed model (global normalisation over the whole "
                    "benchmark) and average them: a random policy is each fixed model 1/m of the time.")


@_exercise(("02.best_fixed_real", "the best single model by RS on RouterBench's real outcomes"))
def _best_fixed_real(answer, *, bench):
    from routerlab.metrics import routing_score

    name, value = _tuple(answer, 2, "a pair (model name, its RS)")
    (name,) = _names([name], bench.model_names, "models")
    rs = np.array([routing_score(bench.quality[:, j], bench.cost[:, j], bench.cost)
                   for j in range(bench.n_models)])
    best = set(np.array(bench.model_names)[rs >= rs.max() - 1e-12])
    if name not in best:
        return False, ("another model has a higher RS. RS is not accuracy: a cheap model with "
                       "fewer correct answers can win. Use rl.routing_score on each column.")
    return _compare(value, float(rs.max()), "The model is right; recompute its RS with the global "
                    "normalisation over the cost matrix of all 11 models.")


@_exercise(("02.top_cell_cap", "the fixed model whose RS one call moves most on RouterBench's real outcomes"))
def _top_cell_cap(answer, *, bench):
    from routerlab.metrics import routing_score

    name, value = _tuple(answer, 2, "a pair (model name, its RS change)")
    (name,) = _names([name], bench.model_names, "models")
    C = np.asarray(bench.cost, dtype=np.float64)
    capped = np.minimum(C, np.sort(C.ravel())[-2])
    change = np.array([routing_score(bench.quality[:, j], capped[:, j], capped)
                       - routing_score(bench.quality[:, j], C[:, j], C) for j in range(bench.n_models)])
    most = set(np.array(bench.model_names)[np.abs(change) >= np.abs(change).max() - 1e-12])
    if name not in most:
        return False, ("another model moves more. Cap EVERY cell (the range and what each model pays) at "
                       "the second largest cost of the whole table, then compare each model's global RS "
                       "with its RS on the costs as they are.")
    return _compare(value, float(change[bench.model_names.index(name)]),
                    "The model is right; the change is RS capped minus RS as is (a negative number when "
                    "the cap lowers RS), both with the global normalisation.", rtol=1e-3, atol=2e-4)


# ---- lab 03: the routers ------------------------------------------------------------------------
def _summary(bench, routers, seeds):
    from routerlab.evaluation.protocol import evaluate

    return evaluate(bench, list(routers), seeds=list(seeds), bootstrap=0, cache_dir=False).summary()


@_exercise(("03.mf_gain", "RS of MF minus RS of dataset-best (simulated)"))
def _mf_gain(answer, *, bench, seeds):
    s = _summary(bench, ["mf", "dataset-best"], seeds)
    return _compare(answer, float(s.loc["mf", "rs"] - s.loc["dataset-best", "rs"]),
                    "Evaluate both policies with rl.evaluate(bench, [...], seeds=seeds, bootstrap=0) "
                    "and subtract the 'rs' column of dataset-best from MF's (sign matters).",
                    rtol=1e-6, atol=1e-6)


#: The fixed yardstick of exercise 03.own_router: large enough that "beats every single model"
#: is not decided by a handful of test queries, whatever scale the student works at.
OWN_ROUTER_SCALE = 0.2


@_exercise(("03.own_router", "a router of your own: valid, blind to the truth, better than any single model"))
def _own_router(answer):
    import copy

    from routerlab.data.splits import stratified_split
    from routerlab.metrics import routing_score
    from routerlab.routing.routers import Router, make_router
    from routerlab.data.simulate import simulate

    if not isinstance(answer, Router):
        raise _Hint("expected an instance of your Router subclass, e.g. MyRouter()")
    bench = simulate(OWN_ROUTER_SCALE, seed=0)
    train_idx, test_idx = stratified_split(bench, 0.2, seed=0)
    train, test = bench.rows(train_idx), bench.rows(test_idx)
    try:
        router = copy.deepcopy(answer).fit(train)
        blind = router.route(test.without_truth())
    except Exception as e:  # noqa: BLE001 - any failure here is the hint
        return False, (f"fit or route failed ({type(e).__name__}: {e}); route() gets "
                       "test.without_truth(): it may use datasets, features, prompt_tokens and "
                       "prices, never quality or cost")
    choice = np.asarray(blind.choice)
    if choice.shape != (test.n_queries,) or not np.issubdtype(choice.dtype, np.integer):
        return False, f"Routing.choice must be an int array of shape ({test.n_queries},), got {choice.dtype} {choice.shape}"
    if choice.min() < 0 or choice.max() >= test.n_models:
        return False, "Routing.choice holds model columns 0..m-1"
    seen = copy.deepcopy(answer).fit(train).route(test)
    if not np.array_equal(np.asarray(seen.choice), choice):
        return False, "your router decides differently when it sees the test truth: it must not read it"

    def rs(routing):
        return routing_score(routing.returned_quality(test.quality), routing.paid(test.cost), test.cost)

    mine = rs(blind)
    if mine <= rs(make_router("random", seed=0).fit(train).route(test)):
        return False, ("valid and blind to the truth, but no better than random routing; use what "
                       "fit() can learn from the training rows (accuracy per dataset, mean costs)")
    best_fixed = max(routing_score(test.quality[:, j], test.cost[:, j], test.cost) for j in range(test.n_models))
    if mine <= best_fixed:
        return False, ("valid and better than random, but one fixed model does better on RS "
                       f"(yardstick: RouterBench-Sim at scale {OWN_ROUTER_SCALE}, seed 0, a stratified "
                       "20% test split); make the choice depend on the dataset")
    return True, ""


@_exercise(("03.beside_yardsticks", "a router from a file: its quality over the zero router at the same cost"))
def _beside_yardsticks(answer, *, bench, seeds, router):
    from routerlab.evaluation.own_routers import baseline_comparison
    from routerlab.evaluation.protocol import evaluate
    from routerlab.routing.user import user_router

    mine = user_router(router)
    result = evaluate(bench, [mine, "dataset-best", "oub"], seeds=list(seeds), bootstrap=0, cache_dir=False)
    table = baseline_comparison(result, bench, [mine.name])
    return _compare(answer, float(table.loc[mine.name, "over_zero_router"]),
                    "Read the over_zero_router column in your router's row (its quality minus the zero "
                    "router's quality at the same mean cost), not another policy's.", rtol=1e-6, atol=1e-6)


@_exercise(("03.real_ranking", "the ranking of four policies on RouterBench's real outcomes"))
def _real_ranking(answer, *, bench, seeds):
    policies = ["mf", "knn", "dataset-best", "random"]
    order = _names(list(answer), policies, "four policies mf, knn, dataset-best, random")
    if sorted(order) != sorted(policies):
        raise _Hint("expected the four names mf, knn, dataset-best, random, each once")
    rs = _summary(bench, policies, seeds)["rs"]
    values = [float(rs[p]) for p in order]
    if all(a >= b - 1e-12 for a, b in zip(values, values[1:])):
        return True, ""
    return False, "not sorted by mean RS, best first; read the 'rs' column of result.summary()"


# ---- lab 04: datasets ---------------------------------------------------------------------------
def _dataset_headroom(bench) -> "pd.Series":
    """Per dataset: oracle RS minus the best fixed model's RS on that dataset (global range over
    the whole benchmark). What lab 04 asks the student to compute."""
    import pandas as pd

    from routerlab.metrics import cell_scores

    s = cell_scores(bench.quality, bench.cost)
    out = {}
    for d in bench.dataset_names:
        rows = s[bench.dataset_mask(d)]
        out[d] = float(rows.max(axis=1).mean() - rows.mean(axis=0).max())
    return pd.Series(out)


@_exercise(("04.headroom", "the datasets with the largest and the smallest oracle headroom"))
def _headroom_by_dataset(answer, *, bench):
    hi, lo = _tuple(answer, 2, "a pair (dataset with the largest headroom, dataset with the smallest)")
    _names([hi, lo], bench.dataset_names, "datasets")
    h = _dataset_headroom(bench)
    ok_hi = h[hi] >= h.max() - 1e-12
    ok_lo = h[lo] <= h.min() + 1e-12
    if ok_hi and ok_lo:
        return True, ""
    which = "first (largest)" if not ok_hi else "second (smallest)"
    return False, (f"the {which} item is not right. Headroom of a dataset = mean over its rows of the "
                   "best cell score minus the best column mean of the cell scores on those rows "
                   "(rl.metrics.cell_scores, global range).")


def _accuracy_headroom_r(bench) -> dict:
    from routerlab.evaluation.analysis import pearson_ci

    h = _dataset_headroom(bench)
    acc = bench.accuracy_by_dataset().mean(axis=1)
    return pearson_ci(acc[h.index].to_numpy(), h.to_numpy())


@_exercise(("04.correlation", "Pearson r of accuracy and headroom with its Fisher z interval (simulated)"),
           ("04.correlation_real", "the same correlation on LLMRouter's real outcomes"))
def _correlation(answer, *, bench):
    r, lo, hi = (_number(x) for x in _tuple(answer, 3, "a triple (r, lower, upper)"))
    exp = _accuracy_headroom_r(bench)
    if not lo <= r <= hi:
        return False, "the interval must contain r: (r, lower, upper)"
    ok_r, hint = _compare(r, exp["r"], "r: correlate the per-dataset mean accuracy (over models and "
                          "queries) with the per-dataset headroom, one pair per dataset.", rtol=1e-3, atol=1e-3)
    if not ok_r:
        return False, hint
    ok_i = math.isclose(lo, exp["lo"], abs_tol=2e-3) and math.isclose(hi, exp["hi"], abs_tol=2e-3)
    return ok_i, ("r is right; the interval is not: tanh(atanh(r) -+ 1.96 / sqrt(n - 3)) with n the "
                  "number of DATASETS (routerlab.evaluation.analysis.fisher_interval), not of queries")


# ---- lab 05: how many models --------------------------------------------------------------------
@_exercise(("05.best_pair", "the pair of models whose oracle has the highest RS (simulated)"))
def _best_pair(answer, *, bench):
    from routerlab.evaluation.analysis import model_subsets, oracle_subset_scores

    pair = _names(list(_tuple(answer, 2, "a pair of model names")), bench.model_names, "models")
    t = oracle_subset_scores(bench, [s for s in model_subsets(bench.model_names, 2) if len(s) == 2])
    best = t["rs"].max()
    winners = [set(m) for m, v in zip(t["models"], t["rs"]) if v >= best - 1e-12]
    if set(pair) in winners:
        return True, ""
    return False, ("another pair does better. For each pair, the oracle picks per query the pair's "
                   "model with the best cell score (range of ALL models); compare the mean scores.")


@_exercise(("05.share_of_oracle", "best 3-model oracle RS / full oracle RS (RouterBench subset)"))
def _share_of_oracle(answer, *, bench):
    from routerlab.evaluation.analysis import model_subsets, oracle_subset_scores

    subsets = [s for s in model_subsets(bench.model_names, 3) if len(s) == 3] + [tuple(bench.model_names)]
    t = oracle_subset_scores(bench, subsets)
    full = float(t["rs"].iloc[-1])
    return _compare(answer, float(t["rs"].iloc[:-1].max()) / full,
                    "Divide the best RS among all 3-model oracles (165 of them) by the RS of the "
                    "oracle over all 11 models; keep the global range of all 11 models throughout.")


# ---- lab 06: hyperparameters --------------------------------------------------------------------
def _cascade_threshold_rs(bench, seed: int = 0) -> "pd.Series":
    """RS on a stratified 20% test split of the cascade at each threshold of THRESHOLD_GRID."""
    import pandas as pd

    from routerlab.routing.cascades import THRESHOLD_GRID, CascadeRouter
    from routerlab.data.splits import stratified_split
    from routerlab.metrics import routing_score

    tr, te = stratified_split(bench, 0.2, seed=seed)
    train, test = bench.rows(tr), bench.rows(te)
    out = {}
    for t in THRESHOLD_GRID:
        r = CascadeRouter(threshold=float(t)).fit(train).route(test.without_truth())
        out[float(t)] = routing_score(r.returned_quality(test.quality), r.paid(test.cost), test.cost)
    return pd.Series(out)


@_exercise(("06.cascade_threshold", "the cascade threshold with the highest RS (simulated)"))
def _cascade_threshold(answer, *, bench):
    t = _number(answer, "a threshold")
    rs = _cascade_threshold_rs(bench)
    if not np.isclose(rs.index.to_numpy(), t, atol=1e-6).any():
        return False, "give one of the grid's thresholds (routerlab.routing.cascades.THRESHOLD_GRID: 0.05, 0.10, ..., 0.95)"
    key = rs.index[np.argmin(np.abs(rs.index.to_numpy() - t))]
    if rs[key] >= rs.max() - 1e-12:
        return True, ""
    return False, ("another threshold scores higher. Fit each cascade on the training rows, route the "
                   "test rows, and score RS with the test rows' cost range.")


def _split_deviation(bench, split) -> float:
    _, te = split(bench, 0.2, seed=0)
    share = np.array([np.isin(np.flatnonzero(bench.dataset_mask(d)), te).mean() for d in bench.dataset_names])
    return float(np.abs(share - 0.2).max())


@_exercise(("06.split_balance", "largest per-dataset deviation from a 20% test share: stratified, random"))
def _split_balance(answer, *, bench):
    from routerlab.data.splits import random_split, stratified_split

    strat, rand = _tuple(answer, 2, "a pair (stratified deviation, random deviation)")
    ok1, h1 = _compare(strat, _split_deviation(bench, stratified_split),
                       "First item: for each dataset, the share of its rows in the stratified test set "
                       "(seed 0); the largest |share - 0.2|.", rtol=1e-6, atol=1e-9)
    ok2, h2 = _compare(rand, _split_deviation(bench, random_split),
                       "Second item: the same with routerlab.data.splits.random_split (seed 0).", rtol=1e-6, atol=1e-9)
    return ok1 and ok2, (h1 if not ok1 else h2)


# ---- lab 07: the cost-quality plane -------------------------------------------------------------
@_exercise(("07.hull_by_hand", "which toy points lie on the non-decreasing convex hull"))
def _hull_by_hand(answer):
    from routerlab.metrics import ndch

    try:
        chosen = {int(i) for i in answer}
    except (TypeError, ValueError):
        raise _Hint("expected a list of point indices (0-6)") from None
    costs, quality = toy_hull_points()
    hc, _ = ndch(costs, quality)
    on_hull = {int(np.flatnonzero(costs == c)[0]) for c in hc}
    if chosen == on_hull:
        return True, ""
    if chosen > on_hull:
        return False, ("you kept a point that is not on the hull: a point below the chord of its "
                       "neighbours, or one that a cheaper point beats, is dropped")
    return False, ("a hull point is missing: the hull starts at the cheapest point and ends at the "
                   "cheapest point of maximal quality")


@_exercise(("07.aiq_zero", "AIQ of the zero router (fixed models' hull), simulated"),
           ("07.aiq_zero_real", "AIQ of the zero router on RouterBench's real outcomes"))
def _aiq_zero(answer, *, bench):
    from routerlab.evaluation.curves import single_model_points
    from routerlab.metrics import aiq

    return _compare(answer, aiq(*single_model_points(bench.quality, bench.cost), normalization="cmax"),
                    "One point per model (mean cost, mean quality); the hull of those points; its "
                    "area up to the largest hull cost divided by that cost (rl.metrics.aiq, 'cmax').")


# ---- lab 08: real outcomes, two models ----------------------------------------------------------
SHARES = np.linspace(0.0, 1.0, 11)


@_exercise(("08.optimal_apgr", "APGR of RouteLLM's optimal router (real MMLU outcomes)"))
def _optimal_apgr(answer, *, test):
    from routerlab.evaluation.curves import optimal_two_model_curve
    from routerlab.metrics import apgr

    q = test.quality
    return _compare(answer, apgr(SHARES, optimal_two_model_curve(q, SHARES), q[:, 0].mean(), q[:, 1].mean()),
                    "Weak = column 0 (Mixtral), strong = column 1 (GPT-4); quality of the optimal "
                    "curve at the 11 shares 0, 0.1, ..., 1; then rl.metrics.apgr.")


def _mf_two_model_curve(train, test, seed: int = 0):
    """Lab 08's MF curve: TF-IDF features fitted on ``train``'s prompts, MF fitted on ``train``,
    win rate on ``test``, RouteLLM share sweep (11 points). Returns the curve DataFrame."""
    from routerlab.evaluation.curves import router_proba, threshold_sweep, win_rate_from_proba
    from routerlab.routing.routers import make_router
    from routerlab.routing.features import with_text_features

    tr, te = with_text_features(train, test, seed=seed)
    router = make_router("mf", seed=seed).fit(tr)
    w = win_rate_from_proba(router_proba(router, te.without_truth()))
    return threshold_sweep(w, te.quality, te.cost, method="share", n_points=10)


def _mf_apgr_cpt(train, test):
    from routerlab.metrics import apgr, cpt

    c = _mf_two_model_curve(train, test)
    weak, strong = test.quality[:, 0].mean(), test.quality[:, 1].mean()
    return (apgr(c["strong_share"], c["quality"], weak, strong),
            cpt(0.5, c["strong_share"], c["quality"], weak, strong))


@_exercise(("08.mf_apgr", "APGR and CPT(50%) of MF with TF-IDF features (real MMLU outcomes)"))
def _mf_apgr(answer, *, train, test):
    a, c = _tuple(answer, 2, "a pair (APGR, CPT(50%))")
    exp_a, exp_c = _mf_apgr_cpt(train, test)
    ok1, h1 = _compare(a, exp_a, "APGR: fit the features and MF on train only, sweep the share of "
                       "strong calls 0, 0.1, ..., 1 (threshold_sweep(method='share')), then rl.metrics.apgr.",
                       rtol=1e-4, atol=1e-5)
    ok2, h2 = _compare(c, exp_c, "CPT(50%): rl.metrics.cpt(0.5, ...) on the same curve; a share in [0, 1], "
                       "not a percentage.", rtol=1e-4, atol=1e-5)
    return ok1 and ok2, (h1 if not ok1 else h2)


# ---- lab 09: does the simulator tell the truth? -------------------------------------------------
@_exercise(("09.same_sign", "does MF beat dataset-best, on the simulator and on real outcomes?"))
def _same_sign(answer, *, sim, real, seeds):
    if not isinstance(answer, dict) or set(answer) != {"simulated", "real"}:
        raise _Hint('expected a dict {"simulated": bool, "real": bool}')
    wrong = []
    for key, bench in (("simulated", sim), ("real", real)):
        s = _summary(bench, ["mf", "dataset-best"], seeds)
        if bool(answer[key]) != bool(s.loc["mf", "rs"] > s.loc["dataset-best", "rs"]):
            wrong.append(key)
    if wrong:
        return False, (f"the {wrong[0]!r} entry is wrong: True when MF's mean RS is above "
                       "dataset-best's on that benchmark (same seeds for both)")
    return True, ""


# ---- lab 11: routing by the query, or by the task? ----------------------------------------------
@_exercise(("11.paired_gain", "MF minus dataset-best: paired difference and its bootstrap interval (simulated)"))
def _paired_gain(answer, *, bench, seeds, bootstrap):
    from routerlab.evaluation.protocol import evaluate

    diff, lo, hi = _tuple(answer, 3, "a triple (difference, lower, upper)")
    res = evaluate(bench, ["mf", "dataset-best"], seeds=list(seeds), bootstrap=int(bootstrap), cache_dir=False)
    row = res.paired(reference="dataset-best").set_index("policy").loc["mf"]
    ok1, h1 = _compare(diff, float(row["diff"]), "First item: MF minus dataset-best (policy minus reference), "
                       "the 'diff' of the mf row of result.paired(reference='dataset-best').", rtol=1e-6, atol=1e-6)
    ok2, h2 = _compare(lo, float(row["lo"]), "Second item: the 'lo' column of that row (same seeds, same "
                       "bootstrap count, bootstrap_seed 0).", rtol=1e-6, atol=1e-6)
    ok3, h3 = _compare(hi, float(row["hi"]), "Third item: the 'hi' column of that row.", rtol=1e-6, atol=1e-6)
    return ok1 and ok2 and ok3, (h1 if not ok1 else h2 if not ok2 else h3)


@_exercise(("11.validation_choice", "the learned router chosen on validation rows of a training split (simulated)"))
def _validation_choice(answer, *, bench, learned, seed):
    from routerlab.evaluation.task_baselines import validation_choice

    if not isinstance(answer, str):
        raise _Hint("expected one router name, e.g. 'mf'")
    name = answer
    if name not in list(learned):
        raise _Hint(f"{name!r} is not one of the learned routers you passed (learned=...)")
    chosen, scores = validation_choice(bench, list(learned), int(seed))
    if name == chosen or scores[name] >= scores[chosen] - 1e-12:
        return True, ""
    return False, ("another router scores higher on the validation rows. Give the first item that "
                   "validation_choice(bench, learned, seed) returns, not the best on the test rows.")


def _task_zero_by_dataset(train, test, lam: float) -> dict[str, str]:
    from routerlab.evaluation.curves import price_proxy, task_zero_points

    choice = task_zero_points(train, test.without_truth(), price_proxy(test), [float(lam)])[0]
    return {d: test.model_names[int(choice[test.dataset_mask(d)][0])] for d in test.dataset_names}


@_exercise(("11.task_zero", "the task-aware zero router's model per dataset at one lambda (hand-made example)"))
def _task_zero(answer, *, train, test, lam):
    if not isinstance(answer, dict):
        raise _Hint("expected a dict {dataset name: model name}")
    if len(train.dataset_names) < 2:
        raise _Hint("build training rows from at least two datasets")
    expected = _task_zero_by_dataset(train, test, lam)
    missing = [d for d in expected if d not in answer]
    if missing:
        return False, f"dataset {missing[0]!r} is missing: one entry per dataset of the test rows"
    _names(list(answer.values()), test.model_names, "models")
    wrong = [d for d in expected if answer[d] != expected[d]]
    if not wrong:
        return True, ""
    acc = {d: train.quality[train.dataset_mask(d)].mean(axis=0) for d in train.dataset_names}
    if all(d in acc and answer[d] == train.model_names[int(np.argmax(acc[d]))] for d in wrong):
        return False, (f"{wrong[0]!r}: that is the most accurate model; the rule maximises "
                       "lam * accuracy - kappa, and kappa (the price) can outweigh a few points of accuracy")
    return False, (f"{wrong[0]!r} is wrong: per dataset, argmax_j lam * (j's accuracy on that dataset's "
                   "TRAINING rows) - kappa_j, with kappa_j = (price_in + price_out) / 1e6 USD per token")


def _task_auc(bench, model: str, seed: int = 0) -> float:
    """Lab 11's AUC: correctness of ``model`` on the test rows of a stratified 20% split (``seed``),
    scored by the model's accuracy on the query's dataset among the training rows."""
    from sklearn.metrics import roc_auc_score

    from routerlab.data.splits import stratified_split
    from routerlab.evaluation.predictability import task_score

    j = list(bench.model_names).index(model)
    tr, te = stratified_split(bench, 0.2, seed=seed)
    y = (bench.quality >= 0.5).astype(np.float64)
    codes = bench.dataset_codes
    s = task_score(codes[tr], y[tr], codes[te])
    return float(roc_auc_score(y[te, j], s[:, j]))


@_exercise(("11.task_auc", "AUC of one model's correctness from the task alone (simulated)"))
def _task_auc_check(answer, *, bench, model):
    _names([model], bench.model_names, "models")
    v = _number(answer, "an AUC")
    if not 0.0 <= v <= 1.0:
        return False, "an AUC lies in [0, 1]"
    expected = _task_auc(bench, model)
    if math.isclose(v, 1.0 - expected, abs_tol=1e-4) and not math.isclose(v, expected, abs_tol=1e-4):
        return False, "your value is 1 - AUC: pass (labels, scores) in that order, and labels 1 for correct"
    return _compare(v, expected, "Score each TEST row by the model's accuracy on its dataset among the "
                    "TRAINING rows (task_score with the whole benchmark's dataset_codes), labels "
                    "quality >= 0.5, then roc_auc_score(labels, scores).", rtol=1e-6, atol=1e-6)


@_exercise(("11.auc_real", "mean AUC of correctness from the task alone and from the task + query (RouterBench subset)"))
def _auc_real(answer, *, bench):
    from routerlab.evaluation.predictability import correctness_auc

    task, query = _tuple(answer, 2, "a pair (mean AUC from the task alone, mean AUC from the task + query)")
    t = correctness_auc(bench, seed=0)
    ok1, h1 = _compare(task, float(t["auc_task"].mean()), "First item: the mean over models of the "
                       "'auc_task' column of correctness_auc(bench, seed=0).", rtol=1e-6, atol=1e-6)
    ok2, h2 = _compare(query, float(t["auc_task_query"].mean()), "Second item: the mean over models of "
                       "the 'auc_task_query' column.", rtol=1e-6, atol=1e-6)
    return ok1 and ok2, (h1 if not ok1 else h2)


# ---- the student build --------------------------------------------------------------------------
_FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}\s*(?P<arg>.*)$")
_CLOSE = re.compile(r"^\s*(?P<fence>`{3,}|:{3,})\s*$")
#: directives dropped from the student notebooks, with everything inside them
DROPPED = ("solution", "solution-start", "solution-end")
INSTRUCTOR_TITLE = "Instructor notes"


def _block_end(lines: list[str], start: int, fence: str) -> int:
    """Index of the line closing the directive opened at ``start`` with ``fence``."""
    for k in range(start + 1, len(lines)):
        m = _CLOSE.match(lines[k])
        if m and m.group("fence")[0] == fence[0] and len(m.group("fence")) == len(fence):
            return k
    raise ValueError(f"line {start + 1}: directive opened with {fence} is never closed")


def strip_for_students(text: str) -> str:
    """A MyST lab page without solutions and instructor notes.

    Drops every ``{solution}`` directive, everything from each ``{solution-start}`` to the end of
    its ``{solution-end}``, and the admonition titled "Instructor notes"."""
    lines = text.splitlines()
    out, i = [], 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if m and m.group("name") == "solution-start":
            k = i
            while True:  # skip to the end of the matching solution-end directive
                k += 1
                if k >= len(lines):
                    raise ValueError(f"line {i + 1}: solution-start without solution-end")
                e = _FENCE.match(lines[k])
                if e and e.group("name") == "solution-end":
                    i = _block_end(lines, k, e.group("fence")) + 1
                    break
            continue
        if m and (m.group("name") in DROPPED
                  or (m.group("name") == "admonition" and m.group("arg").strip() == INSTRUCTOR_TITLE)):
            i = _block_end(lines, i, m.group("fence")) + 1
            continue
        out.append(lines[i])
        i += 1
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip() + "\n"


def _markdown_for_jupyter(lines: list[str]) -> str:
    """MyST directives of a markdown stretch turned into plain Markdown that Jupyter renders."""
    out, stack = [], []
    for line in lines:
        m = _FENCE.match(line)
        if m:
            name, arg = m.group("name"), m.group("arg").strip()
            stack.append((m.group("fence"), name))
            if name == "exercise":
                out.append(f"### Exercise: {arg}" if arg else "### Exercise")
            elif name in ("hint", "tip"):
                out.append("<details><summary>Hint (click)</summary>\n")
            elif name in ("note", "important", "warning", "admonition", "seealso"):
                out.append(f"> **{arg or name.capitalize()}**")
            continue
        c = _CLOSE.match(line)
        if c and stack and stack[-1][0] == c.group("fence"):
            _, name = stack.pop()
            if name in ("hint", "tip"):
                out.append("\n</details>")
            out.append("")
            continue
        if stack and re.match(r"^\s*:[\w-]+:", line):  # a directive option (:label:, :class:)
            continue
        if stack and stack[-1][1] in ("note", "important", "warning", "admonition", "seealso"):
            out.append("> " + line if line.strip() else ">")
            continue
        # roles the notebook cannot resolve: keep their text
        line = re.sub(r"\{(?:ref|doc|term|numref|eq)\}`([^`<]*?)\s*(?:<[^>]*>)?`", r"\1", line)
        out.append(line)
    return "\n".join(out).strip()


def lab_notebook(text: str, title_note: str = ""):
    """A student notebook (nbformat v4) from a MyST lab page: solutions stripped, top-level
    ```python blocks as code cells, the rest as Markdown cells."""
    import nbformat

    lines = strip_for_students(text).splitlines()
    cells, buf, i = [], [], 0

    def flush():
        md = _markdown_for_jupyter(buf)
        if md:
            cells.append(nbformat.v4.new_markdown_cell(md))
        buf.clear()

    while i < len(lines):
        if re.match(r"^```python\s*$", lines[i]):
            end = next(k for k in range(i + 1, len(lines)) if lines[k].strip() == "```")
            flush()
            cells.append(nbformat.v4.new_code_cell("\n".join(lines[i + 1:end])))
            i = end + 1
            continue
        buf.append(lines[i])
        i += 1
    flush()
    if title_note:
        cells.insert(1, nbformat.v4.new_markdown_cell(title_note))
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    return nb


STUDENT_NOTE = ("*Student copy, generated from the book's lab page without the solutions "
                "(`make labs`). Run the cells in order; each exercise ends with a self-check "
                "`labcheck.check(...)` that prints \"correct\" or a hint.*")


def student_notebooks(src: str | Path, out: str | Path) -> list[Path]:
    """Write ``out/NN_name.ipynb`` for every ``src/[0-9][0-9]_*.md`` lab page; returns the paths."""
    import nbformat

    src, out = Path(src), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for page in sorted(src.glob("[0-9][0-9]_*.md")):
        nb = lab_notebook(page.read_text(encoding="utf-8"), STUDENT_NOTE)
        nbformat.validate(nb)
        target = out / f"{page.stem}.ipynb"
        nbformat.write(nb, target)
        paths.append(target)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m routerlab.book.labs", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("students", help="write the student notebooks (no solutions)")
    s.add_argument("src", nargs="?", default="book/labs")
    s.add_argument("out", nargs="?", default="_build/labs")
    sub.add_parser("list", help="list the exercise ids")
    args = p.parse_args(argv)
    if args.cmd == "list":
        for k, title in exercises().items():
            print(f"{k:24s} {title}")
        return 0
    paths = student_notebooks(args.src, args.out)
    if not paths:
        print(f"no lab pages (NN_name.md) in {args.src}", file=sys.stderr)
        return 1
    for path in paths:
        print(path)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
