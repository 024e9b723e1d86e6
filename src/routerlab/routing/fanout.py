"""The article's RS-threshold fan-out, evaluated like every other policy.

The article ends with a LangGraph pattern (``summary.en.md``, "LangGraph integration pattern"):
for every candidate source, ``rs = confidence * (1 - COST_TABLE[source])``, and a
``Send(source, ...)`` is emitted only when ``rs >= RS_THRESHOLD``, so one query can fan out to
several sources. Here the same rule runs on a predictive router's outputs:

    predicted RS_ij = p_ij * (1 - clip((c_ij - cost_min) / (cost_max - cost_min), 0, 1))

with ``p_ij`` the router's predicted success of model j on query i, ``c_ij`` its expected cost in
USD (:func:`routerlab.routing.predictive.expected_cost`) and ``[cost_min, cost_max]`` the training cost
range (the same normalisation the router's own RS rule uses). A query is sent to every model with
predicted RS >= ``threshold``, always to the best one and to at most ``cap`` models (the best
``cap`` by predicted RS; ties: cheaper expected cost, then lower column). Every call is paid.

Which answer is returned (``rule``):

* ``"top"`` (the policy): the called model with the highest predicted RS. In a replay every called
  model answers, and the best model is always called, so this returns exactly the single-model
  router's answer while paying for more calls. It is the deployable rule.
* ``"judge"`` (a what-if): a simulated judge reads the called answers in order of predicted RS and
  accepts the first one it judges correct; it judges a correct answer correct and a wrong one wrong,
  each verdict flipped with probability ``judge_error`` (the judge of chapter 07's judge cascade,
  :func:`routerlab.evaluation.curves.judge_cascade`); if it accepts none, the top answer is returned. The judge
  reads the truth, so the policy is flagged ``uses_truth``. A majority vote is not possible with
  0/1 correctness only (two wrong answers need not agree), hence the judge.
* ``"any-correct"`` (an upper bound, not a policy): a correct called answer whenever there is one,
  i.e. the judge with error 0.

Everything is vectorised over queries (no per-query Python loop). :func:`fanout_sweep` sweeps the
threshold on a benchmark against single-model routing with the same router and against the
article's confidence cascade (when the benchmark has confidences). The same policy as a LangGraph
graph is :mod:`routerlab.routing.graph`; a test checks that both decide identically.
"""

from __future__ import annotations


import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError, check_choice, check_range
from routerlab.routing.routers import Router, Routing, make_router, register

__all__ = ["RULES", "THRESHOLDS", "rs_from_predictions", "router_predictions", "check_threshold",
           "check_cap", "rs_rank", "fanout_calls", "fanout_choice", "fanout", "FanoutRouter",
           "fanout_sweep", "sweep_summary"]

#: Answer rules: the policy, the simulated-judge what-if and the any-correct upper bound.
RULES = ("top", "judge", "any-correct")
#: Default threshold grid of :func:`fanout_sweep` (0, 0.05, ..., 1).
THRESHOLDS = np.round(np.linspace(0.0, 1.0, 21), 2)


# ---- inputs ------------------------------------------------------------------------------------
def check_threshold(threshold) -> float:
    """``threshold`` as a float in [0, 1], else a one-line :class:`RouterlabError`."""
    return check_range("fan-out threshold", threshold, 0.0, 1.0)


def check_cap(cap, m: int | None = None) -> int | None:
    """``cap`` (models called per query at most) as an int >= 1, or None (no cap)."""
    if cap is None:
        return None
    if isinstance(cap, bool) or not isinstance(cap, (int, np.integer)) or cap < 1:
        raise RouterlabError(f"fan-out cap = {cap!r} must be a whole number >= 1 (models per query) or None")
    return int(cap) if m is None else int(min(cap, m))


def rs_from_predictions(proba: np.ndarray, expected_cost: np.ndarray, cost_min: float,
                        cost_max: float) -> np.ndarray:
    """(n, m) predicted RS ``p * (1 - clip((c - cost_min) / (cost_max - cost_min), 0, 1))``.

    ``proba`` (n, m) predicted success in [0, 1]; ``expected_cost`` (n, m) USD; ``cost_min``,
    ``cost_max`` USD (a router's training cost range). A zero-width range normalises to 0.
    """
    p = np.asarray(proba, dtype=np.float64)
    c = np.asarray(expected_cost, dtype=np.float64)
    if p.ndim != 2 or p.shape != c.shape:
        raise RouterlabError(f"proba has shape {p.shape} but expected_cost has {c.shape}; both must be (n, m)")
    span = float(cost_max) - float(cost_min)
    z = np.clip((c - float(cost_min)) / span, 0.0, 1.0) if span > 0 else np.zeros_like(c)
    return np.clip(p, 0.0, 1.0) * (1.0 - z)


def router_predictions(router: Router, test: Benchmark) -> dict:
    """What a fitted predictive router knows about ``test`` before any model answers.

    Returns ``{"proba": (n, m), "expected_cost": (n, m) USD, "predicted_rs": (n, m)}``, from
    :func:`routerlab.routing.predictive.predicted_rs` (the router's training cost range normalises).
    """
    from routerlab.routing.predictive import predicted_rs

    proba, cost, prs = predicted_rs(router, test)
    return {"proba": proba, "expected_cost": cost, "predicted_rs": prs}


# ---- the policy --------------------------------------------------------------------------------
def rs_rank(predicted_rs: np.ndarray, expected_cost: np.ndarray | None = None) -> np.ndarray:
    """(n, m) int: 0 for each query's best model by predicted RS, 1 for the next, ...

    Ties: the cheaper expected cost first (when given), then the lower column.
    """
    prs = np.asarray(predicted_rs, dtype=np.float64)
    n, m = prs.shape
    cost = np.zeros_like(prs) if expected_cost is None else np.asarray(expected_cost, dtype=np.float64)
    cols = np.broadcast_to(np.arange(m), (n, m))
    order = np.lexsort((cols, cost, -prs), axis=-1)          # (n, m) columns, best first
    rank = np.empty((n, m), dtype=np.intp)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(m), (n, m)), axis=1)
    return rank


def fanout_calls(predicted_rs: np.ndarray, threshold: float, cap: int | None = None,
                 expected_cost: np.ndarray | None = None) -> np.ndarray:
    """(n, m) bool: the models each query is sent to.

    Model j is called for query i iff it is the query's best by predicted RS, or its predicted
    RS >= ``threshold`` and it is among the best ``cap`` (None: no cap). ``threshold`` in [0, 1].
    """
    t = check_threshold(threshold)
    prs = np.asarray(predicted_rs, dtype=np.float64)
    if prs.ndim != 2 or prs.shape[1] == 0:
        raise RouterlabError(f"predicted RS must be a (queries x models) array, got shape {prs.shape}")
    rank = rs_rank(prs, expected_cost)
    k = check_cap(cap, prs.shape[1]) or prs.shape[1]
    return (rank == 0) | ((prs >= t) & (rank < k))


def fanout_choice(predicted_rs: np.ndarray, calls: np.ndarray, rule: str = "top",
                  quality: np.ndarray | None = None, judge_error: float = 0.0, seed: int = 0,
                  expected_cost: np.ndarray | None = None, flips: np.ndarray | None = None) -> np.ndarray:
    """(n,) column of the returned answer among the called models (``calls`` (n, m) bool).

    ``rule`` in :data:`RULES`. ``"judge"`` and ``"any-correct"`` read ``quality`` (n, m) (correct =
    quality >= 0.5); the judge's verdicts are flipped where ``flips`` (n, m) bool is True, by default
    ``numpy.random.default_rng(seed).random((n, m)) < judge_error`` (``"any-correct"``: no flips).
    """
    check_choice("fan-out rule", rule, RULES)
    prs = np.asarray(predicted_rs, dtype=np.float64)
    calls = np.asarray(calls, dtype=bool)
    n, m = prs.shape
    if calls.shape != (n, m):
        raise RouterlabError(f"calls has shape {calls.shape}, predicted RS has {prs.shape}")
    rank = rs_rank(prs, expected_cost)
    top = np.where(calls, rank, m).argmin(axis=1)
    if rule == "top":
        return top
    if quality is None:
        raise RouterlabError(f"fan-out rule {rule!r} simulates a judge from the answers' quality; pass quality")
    correct = np.asarray(quality, dtype=np.float64) >= 0.5
    if correct.shape != (n, m):
        raise RouterlabError(f"quality has shape {correct.shape}, predicted RS has {prs.shape}")
    if rule == "any-correct":
        flips = np.zeros((n, m), dtype=bool)
    elif flips is None:
        eps = check_range("judge error rate", judge_error, 0.0, 1.0)
        flips = np.random.default_rng(int(seed)).random((n, m)) < eps
    accepted = calls & (correct ^ np.asarray(flips, dtype=bool))
    first = np.where(accepted, rank, m).argmin(axis=1)
    return np.where(accepted.any(axis=1), first, top)


def fanout(predicted_rs: np.ndarray, threshold: float, cap: int | None = None, rule: str = "top",
           expected_cost: np.ndarray | None = None, quality: np.ndarray | None = None,
           judge_error: float = 0.0, seed: int = 0, proba: np.ndarray | None = None) -> Routing:
    """The fan-out policy on (n, m) predicted RS: :func:`fanout_calls` then :func:`fanout_choice`.

    Returns a :class:`~routerlab.routing.routers.Routing` with ``calls`` (every call is paid) and ``proba``.
    """
    calls = fanout_calls(predicted_rs, threshold, cap, expected_cost)
    choice = fanout_choice(predicted_rs, calls, rule, quality, judge_error, seed, expected_cost)
    return Routing(choice, calls, proba)


class FanoutRouter(Router):
    """The fan-out policy as a router: fit a predictive router, then fan out on its predicted RS.

    ``router`` names the predictive router (``router_options`` its options); ``threshold`` in
    [0, 1]; ``cap`` models per query at most (None: no cap); ``rule`` in :data:`RULES`;
    ``judge_error`` the simulated judge's error rate (rule ``"judge"``). With a rule other than
    ``"top"`` the router reads the test truth (``uses_truth``). Not part of ``policy_names("all")``
    (``in_all = False``): evaluate it by name, e.g. ``evaluate(b, ["mf", "fanout"],
    router_options={"fanout": {"threshold": 0.4}})``.
    """

    name = "fanout"
    paradigm = "fan-out (predicted RS threshold)"
    needs_prices = True
    in_all = False
    card = {
        "paradigm": "fan-out (the article's LangGraph pattern)",
        "learns": "whatever its predictive router learns",
        "label": "that router's label",
        "decision": "call every model with predicted RS >= threshold (at least the best, at most cap); "
                    "return the called answer with the highest predicted RS; pay every call",
        "differs": "the article thresholds a classifier's confidence in a source times 1 - a fixed per-source "
                   "cost; here a router's predicted success times 1 - the normalised expected cost of the query",
    }

    def __init__(self, seed: int = 0, router: str = "mf", threshold: float = 0.5, cap: int | None = None,
                 rule: str = "top", judge_error: float = 0.2, router_options: dict | None = None):
        super().__init__(seed)
        self.router = str(router)
        self.threshold = check_threshold(threshold)
        self.cap = check_cap(cap)
        self.rule = check_choice("fan-out rule", rule, RULES)
        self.judge_error = check_range("judge error rate", judge_error, 0.0, 1.0)
        self.router_options = dict(router_options or {})
        self.uses_truth = self.rule != "top"
        if self.router == self.name:
            raise RouterlabError("the fan-out policy needs a predictive router, not 'fanout' itself")

    def fit(self, train: Benchmark) -> "FanoutRouter":
        base = make_router(self.router, seed=self.seed, **self.router_options)
        if not hasattr(base, "predict_proba") or not hasattr(base, "expected_cost"):
            raise RouterlabError(f"router {self.router!r} predicts no success probabilities; fan out with a "
                                 "predictive router (mf, knn, seq-cls, bert-cls, causal-lm, mlp, dataset-best)")
        self.base_ = base.fit(train)
        return super().fit(train)

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        blind = test.without_truth() if self.uses_truth else test
        pred = router_predictions(self.base_, blind)
        quality = None
        if self.uses_truth:
            if not np.isfinite(test.quality).all():
                raise RouterlabError(f"fan-out rule {self.rule!r} simulates its judge from test quality; "
                                     "pass the full test set")
            quality = test.quality
        return fanout(pred["predicted_rs"], self.threshold, self.cap, self.rule, pred["expected_cost"],
                      quality, self.judge_error, self.seed, pred["proba"])


register(FanoutRouter.name, FanoutRouter)


# ---- the threshold sweep -----------------------------------------------------------------------
def _scores(choice, calls, Q, C, lo, hi):
    """quality, mean cost (USD/query), RS and calls per query of one routing on the test rows."""
    n = len(choice)
    q = Q[np.arange(n), choice]
    paid = np.where(calls, C, 0.0).sum(axis=1) if calls is not None else C[np.arange(n), choice]
    span = hi - lo
    z = np.clip((paid - lo) / span, 0.0, 1.0) if span > 0 else np.zeros(n)
    ncalls = 1.0 if calls is None else float(calls.sum(axis=1).mean())
    return float(q.mean()), float(paid.mean()), float((q * (1.0 - z)).mean()), ncalls


def fanout_sweep(bench: Benchmark, router: str = "mf", thresholds=THRESHOLDS, cap: int | None = None,
                 seeds=range(5), rules=RULES, judge_error: float = 0.2, router_options: dict | None = None,
                 cascade: bool = True, test_size: float = 0.2, text_features: str | None = "auto") -> pd.DataFrame:
    """The fan-out policy over a threshold grid, on the book's protocol.

    For every seed: the stratified 80/20 split of :func:`routerlab.evaluation.protocol.stratified_split`
    (real data: TF-IDF features fitted on the training prompts, as :func:`~routerlab.evaluation.protocol.evaluate`
    does); ``router`` fitted once on the training rows; then for every rule in ``rules`` and every
    threshold in ``thresholds`` (each in [0, 1]) the fan-out policy on the test rows, scored with RS
    normalised globally on the test rows. Reference rows on the same splits: ``"single"`` (the
    router alone, its RS rule) and, when the benchmark has confidences and ``cascade``, the article's
    confidence ``"cascade"`` at the same thresholds (its confidence threshold).

    Returns a long DataFrame: ``seed``, ``policy`` (``"fanout"``, ``"single"``, ``"cascade"``),
    ``rule`` (fan-out rule; ``""`` otherwise), ``threshold`` (NaN for single), ``quality``,
    ``mean_cost`` (USD/query), ``rs``, ``calls_per_query``.
    """
    from routerlab.routing.cascades import CascadeRouter
    from routerlab.data.splits import stratified_split

    grid = np.asarray([check_threshold(t) for t in np.atleast_1d(thresholds)], dtype=np.float64)
    if grid.size == 0:
        raise RouterlabError("thresholds is empty; give at least one threshold in [0, 1]")
    rules = [check_choice("fan-out rule", r, RULES) for r in ([rules] if isinstance(rules, str) else rules)]
    cap = check_cap(cap, bench.n_models)
    check_range("judge error rate", judge_error, 0.0, 1.0)
    seeds = [int(check_range("seed", s, 0)) for s in seeds]
    if not seeds:
        raise RouterlabError("seeds is empty; give at least one seed")
    from routerlab.routing.features import resolve_text_features, split_rows

    text_features = resolve_text_features(bench, text_features)
    rows = []
    for seed in seeds:
        tr, te = stratified_split(bench, test_size, seed)
        train, test = split_rows(bench, tr, te, text_features, seed)
        Q, C = test.quality, test.cost
        lo, hi = float(C.min()), float(C.max())
        base = make_router(router, seed=seed, **dict(router_options or {})).fit(train)
        pred = router_predictions(base, test.without_truth())
        prs, ec = pred["predicted_rs"], pred["expected_cost"]
        single = base.route(test.without_truth()).choice
        rows.append((seed, "single", "", np.nan, *_scores(single, None, Q, C, lo, hi)))
        flips = np.random.default_rng(seed).random(Q.shape) < judge_error
        for t in grid:
            calls = fanout_calls(prs, t, cap, ec)
            for rule in rules:
                choice = fanout_choice(prs, calls, rule, Q, expected_cost=ec,
                                       flips=flips if rule == "judge" else None)
                rows.append((seed, "fanout", rule, float(t), *_scores(choice, calls, Q, C, lo, hi)))
        if cascade and bench.confidence is not None:
            for t in grid:
                r = CascadeRouter(threshold=float(t), seed=seed).fit(train).route(test)
                rows.append((seed, "cascade", "", float(t), *_scores(r.choice, r.calls, Q, C, lo, hi)))
    return pd.DataFrame(rows, columns=["seed", "policy", "rule", "threshold", "quality", "mean_cost", "rs",
                                       "calls_per_query"])


def sweep_summary(sweep: pd.DataFrame) -> pd.DataFrame:
    """Seed means of :func:`fanout_sweep`: one row per (policy, rule, threshold), with the RS
    difference to single-model routing on the same splits (``rs_vs_single``, mean over seeds) and
    its 95% t-interval across seeds (``rs_vs_single_lo``, ``rs_vs_single_hi``; NaN with one seed)."""
    from routerlab.metrics import t_interval

    single = sweep[sweep["policy"] == "single"].set_index("seed")[["rs", "quality", "mean_cost"]]
    d = sweep.copy()
    d["rs_vs_single"] = d["rs"].to_numpy() - single.loc[d["seed"], "rs"].to_numpy()
    d["quality_vs_single"] = d["quality"].to_numpy() - single.loc[d["seed"], "quality"].to_numpy()
    keys = ["policy", "rule", "threshold"]
    d["threshold"] = d["threshold"].fillna(-1.0)   # groupby drops NaN keys
    out = d.groupby(keys, sort=False)[["quality", "mean_cost", "rs", "calls_per_query", "rs_vs_single",
                                       "quality_vs_single"]].mean()
    wide = d.pivot_table(index="seed", columns=keys, values="rs_vs_single", sort=False)[out.index]
    lo, hi = t_interval(wide.to_numpy(), axis=0)
    out["rs_vs_single_lo"], out["rs_vs_single_hi"] = lo, hi
    out = out.reset_index()
    out["threshold"] = out["threshold"].where(out["threshold"] >= 0)
    return out
