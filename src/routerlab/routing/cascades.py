"""LLM-based cascades: call models one after another and stop when an answer looks good enough.

Paradigm B of the article. A cascade pays for every model it calls, so its
:class:`~routerlab.routing.routers.Routing` carries a ``calls`` mask and ``Routing.paid`` sums them.
Only the response confidence of models the cascade has actually called is read
(``test.confidence[i, j]`` where it called j); quality and cost of test rows never are.

* :class:`CascadeRouter` (``cascade``): the article's rule. Models from cheapest to dearest (mean
  training cost); stop at the first answer whose confidence >= ``threshold`` (0.7); if none does,
  fall back to the most capable model (highest training accuracy).
* :class:`FrugalGPTRouter` (``frugalgpt``): FrugalGPT's learned cascade. A scorer per model
  estimates P(correct) from the query representation and that model's response confidence
  (cross-fitted on the training rows); an exhaustive, vectorised search over ordered chains of up
  to 3 models and per-stage thresholds picks the strategy with the best training RS (or the best
  training quality under a mean budget in USD per query).
"""

from __future__ import annotations

from itertools import permutations

import numpy as np

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError, check_range
from routerlab.routing.predictive import (QueryEncoder, _MultiLogistic, _normalise, correct_labels, single_thread,
                         training_cost_range)
from routerlab.routing.routers import Router, Routing, register

__all__ = ["CascadeRouter", "FrugalGPTRouter", "search_chains", "THRESHOLD_GRID"]

# Per-stage thresholds the FrugalGPT search tries on the scorer output (plus "always accept").
THRESHOLD_GRID = np.round(np.arange(0.05, 0.951, 0.05), 2)


def _confidence(b: Benchmark, who: str) -> np.ndarray:
    if b.confidence is None:
        raise RouterlabError(f"router {who!r} needs response confidences; this benchmark has no "
                             "'confidence' array (simulate with confidences or pick a predictive router)")
    return np.asarray(b.confidence, dtype=np.float64)


class CascadeRouter(Router):
    """Cheapest model first; stop at the first answer with confidence >= ``threshold``.

    Order: ascending mean training cost (``order_`` holds the model columns). If no answer reaches
    the threshold, the answer of the most capable model (highest training accuracy, ``fallback_``)
    is returned; every model of the chain was called and is paid, the fallback model included
    (it is part of the chain, so it is paid once). After ``route``, ``fallback_rate_`` is the share
    of queries that fell back and ``stop_stage_`` (n,) the 0-based stage that answered (-1 for a
    fallback).
    """

    name = "cascade"
    paradigm = "LLM-based cascade"
    card = {
        "paradigm": "LLM-based cascade",
        "learns": "only the model order (mean training cost) and the fallback (best training accuracy)",
        "label": "none (a fixed confidence rule)",
        "decision": "call models cheapest first; return the first answer with confidence >= 0.7; "
                    "else the most capable model's answer; pay every call",
        "differs": "RouterBench's cascading router accepts with an oracle judge (quality >= the 0.95 "
                   "quantile, flipped with error rate eps) under a per-response budget; here the "
                   "article's confidence threshold on the model's own (simulated) confidence",
    }

    def __init__(self, threshold: float = 0.7, seed: int = 0, models: list[str] | None = None):
        super().__init__(seed)
        self.threshold = check_range("cascade threshold", threshold, 0.0, 1.0)
        self.models = None if models is None else list(models)

    def fit(self, train: Benchmark) -> "CascadeRouter":
        super().fit(train)
        cols = np.arange(train.n_models) if self.models is None else np.array(
            [train.model_index(x) for x in self.models])
        if len(cols) == 0 or len(set(cols.tolist())) != len(cols):
            raise RouterlabError("cascade models must be a non-empty list of distinct model names")
        mean_cost = train.cost.mean(axis=0)
        acc = train.quality.mean(axis=0)
        self.order_ = cols[np.argsort(mean_cost[cols], kind="stable")]
        best = acc[cols].max()
        capable = cols[acc[cols] >= best - 1e-12]
        self.fallback_ = int(capable[np.argmin(mean_cost[capable])])   # ties: the cheaper one
        return self

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        conf = _confidence(test, self.name)
        n, m = test.n_queries, test.n_models
        calls = np.zeros((n, m), dtype=bool)
        choice = np.full(n, self.fallback_, dtype=np.intp)
        stop = np.full(n, -1, dtype=np.intp)
        alive = np.arange(n)
        for stage, j in enumerate(self.order_):
            calls[alive, j] = True
            ok = conf[alive, j] >= self.threshold            # only the model just called is read
            choice[alive[ok]] = j
            stop[alive[ok]] = stage
            alive = alive[~ok]
            if len(alive) == 0:
                break
        calls[alive, self.fallback_] = True                  # already called: part of the chain
        self.stop_stage_ = stop
        self.fallback_rate_ = float(len(alive) / n) if n else 0.0
        return Routing(choice, calls, None)


# ---- FrugalGPT -----------------------------------------------------------------------------------

def _rs_value(quality: np.ndarray, paid: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return quality * (1.0 - _normalise(paid, lo, hi))


def search_chains(scores: np.ndarray, quality: np.ndarray, cost: np.ndarray, *,
                  max_length: int = 3, grid: np.ndarray = THRESHOLD_GRID, cost_min: float | None = None,
                  cost_max: float | None = None, budget: float | None = None) -> dict:
    """Best cascade strategy on labelled rows, by exhaustive vectorised search.

    ``scores`` (n, m) the scorer's P(correct) for every (query, model) (out-of-fold on training
    rows), ``quality`` (n, m) in [0, 1], ``cost`` (n, m) USD. Strategies: every ordered chain of
    ``D = min(max_length, m)`` distinct models and per-stage thresholds ``t_s`` in
    ``{always accept} U grid`` for the first D - 1 stages (the last stage always answers). A query
    stops at the first stage whose score >= t_s and pays the sum of the costs of the stages it
    reached. "Always accept" at stage 1 (or 2) makes the chain a single model (or a pair), so all
    chains of length <= D are covered.

    Objective: mean RS contribution (``q * (1 - clip((paid - cost_min) / (cost_max - cost_min)))``,
    range defaults to the min/max of ``cost``), or, with ``budget`` (USD per query), mean quality
    among strategies whose mean paid cost <= budget (the cheapest strategy if none is feasible).
    Ties go to the cheaper strategy. Scores are binned once on the grid; all chains x threshold
    pairs are scored by weighted ``bincount`` tables and cumulative sums (no loop over queries).

    Returns a dict: ``models`` (tuple of columns, in call order), ``thresholds`` (tuple, one per
    stage but the last), ``rs``, ``quality``, ``mean_cost`` (training means of the chosen strategy),
    ``objective``, and ``single_rs`` (m,) the mean RS of each model alone.
    """
    scores = np.asarray(scores, dtype=np.float64)
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    n, m = quality.shape
    if scores.shape != (n, m) or cost.shape != (n, m):
        raise RouterlabError(f"scores {scores.shape}, quality {quality.shape} and cost {cost.shape} must match")
    D = int(min(check_range("max_length", max_length, 1), m))
    grid = np.asarray(grid, dtype=np.float64)
    lo = float(cost.min()) if cost_min is None else float(cost_min)
    hi = float(cost.max()) if cost_max is None else float(cost_max)
    L = len(grid) + 1                                   # level 0 = always accept
    bins = np.searchsorted(grid, scores, side="right")  # (n, m): accept at level u iff bins >= u
    single_rs = _rs_value(quality, cost, lo, hi).mean(axis=0)

    chains, tables = [], {"rs": [], "quality": [], "cost": []}
    for a in range(m):
        rest = [c for c in permutations([x for x in range(m) if x != a], D - 1)]
        k = len(rest)
        tail = np.array(rest, dtype=np.intp).reshape(k, D - 1)
        p1 = cost[:, a]
        w1 = {"rs": _rs_value(quality[:, a], p1, lo, hi), "quality": quality[:, a], "cost": p1}
        h1 = {key: np.bincount(bins[:, a], weights=w, minlength=L) for key, w in w1.items()}
        s1 = {key: np.cumsum(h[::-1])[::-1] for key, h in h1.items()}          # sum over bins >= u
        if D == 1:
            chains.append(np.array([[a]]))
            for key in tables:
                tables[key].append(s1[key][None, :1, None])
            continue
        b = tail[:, 0]
        p2 = p1[None, :] + cost[:, b].T                                        # (k, n)
        w2 = {"rs": _rs_value(quality[:, b].T, p2, lo, hi), "quality": quality[:, b].T, "cost": p2}
        if D == 2:
            idx = np.arange(k)[:, None] * L + bins[None, :, a]
            for key in tables:
                h2 = np.bincount(idx.ravel(), weights=w2[key].ravel(), minlength=k * L).reshape(k, L)
                below = np.cumsum(h2, axis=1) - h2                              # sum over bins_a < u
                tables[key].append((s1[key][None, :] + below)[:, :, None])
        else:
            c = tail[:, 1]
            p3 = p2 + cost[:, c].T
            w3 = {"rs": _rs_value(quality[:, c].T, p3, lo, hi), "quality": quality[:, c].T, "cost": p3}
            idx = (np.arange(k)[:, None] * L + bins[None, :, a]) * L + bins[:, b].T  # (k, n)
            flat = idx.ravel()
            for key in tables:
                h2 = np.bincount(flat, weights=w2[key].ravel(), minlength=k * L * L).reshape(k, L, L)
                h3 = np.bincount(flat, weights=w3[key].ravel(), minlength=k * L * L).reshape(k, L, L)
                inner = np.cumsum(h2[:, :, ::-1], axis=2)[:, :, ::-1] + (np.cumsum(h3, axis=2) - h3)
                below = np.cumsum(inner, axis=1) - inner                        # sum over bins_a < u
                tables[key].append(s1[key][None, :, None] + below)              # (k, u, v)
        chains.append(np.column_stack([np.full(k, a), tail]))
    chains = np.vstack(chains)                                                 # (n_chains, D)
    val = {key: np.concatenate(t, axis=0) / n for key, t in tables.items()}    # (n_chains, U, V)
    mean_cost = val["cost"].ravel()
    if budget is None:
        objective = val["rs"].ravel()
    else:
        feasible = mean_cost <= float(budget) * (1 + 1e-12)
        objective = np.where(feasible, val["quality"].ravel(), -np.inf) if feasible.any() else -mean_cost
    best = objective.max()
    pick = int(np.where(objective >= best - 1e-12, mean_cost, np.inf).argmin())
    ci, u, v = np.unravel_index(pick, val["rs"].shape)
    chain = chains[ci]
    levels = [int(u), int(v)][: D - 1]
    models, thresholds = [int(chain[0])], []
    for s, lev in enumerate(levels):            # truncate at the first "always accept" stage
        if lev == 0:
            break
        thresholds.append(float(grid[lev - 1]))
        models.append(int(chain[s + 1]))
    return {"models": tuple(models), "thresholds": tuple(thresholds),
            "rs": float(val["rs"].ravel()[pick]), "quality": float(val["quality"].ravel()[pick]),
            "mean_cost": float(mean_cost[pick]), "objective": float(objective[pick]),
            "single_rs": single_rs}


def _confidence_inputs(conf: np.ndarray) -> np.ndarray:
    """(n, m, 2): a model's confidence and its logit, the per-model inputs of the scorer."""
    c = np.clip(conf, 1e-4, 1 - 1e-4)
    return np.stack([c, np.log(c / (1 - c))], axis=2)


class FrugalGPTRouter(Router):
    """FrugalGPT: learned per-model scorers + a searched chain of up to 3 models with thresholds.

    Scorer: for each model j a logistic regression P(j correct | query representation, j's response
    confidence and its logit) -- the stand-in for FrugalGPT's DistilBERT scorer on (query, answer).
    The chain search (:func:`search_chains`) runs on OUT-OF-FOLD scores (``folds``-fold
    cross-fitting on the training rows), so it never sees in-sample scores; the scorer used at
    test time is then fitted on all training rows. At test time the chain is run stage by stage:
    call the model, score its answer, stop if the score >= the stage threshold; the last stage
    always answers; every call is paid.

    ``budget`` (USD per query): maximise training quality under that mean cost instead of RS.
    After ``fit``: ``chain_`` (model names), ``thresholds_``, ``search_`` (the search result) and
    ``oof_scores_`` (n_train, m). After ``route``: ``stage_shares_`` (share answered per stage).
    """

    name = "frugalgpt"
    paradigm = "LLM-based cascade"
    card = {
        "paradigm": "LLM-based cascade",
        "learns": "a correctness scorer per model (logistic, on features + the model's confidence) and "
                  "the chain of <= 3 models with per-stage thresholds",
        "label": "binary correctness of each model's answer (scorer); training RS (chain search)",
        "decision": "call the chain in order; stop at the first answer whose score >= its threshold; "
                    "pay every call",
        "differs": "FrugalGPT scores (query, answer text) with DistilBERT and searches pass-on quantiles "
                   "(brute force + fmin) for max accuracy under a budget on chains of exactly 3 APIs; "
                   "here a logistic scorer on features + confidence, cross-fitted, an exhaustive grid "
                   "(19 thresholds + always-accept) over chains of 1-3 models, objective RS by default",
    }

    option_bounds = {"max_length": (1, 3), "folds": (2, None), "l2": (0.0, None)}

    def __init__(self, seed: int = 0, max_length: int = 3, budget: float | None = None, folds: int = 3,
                 l2: float = 1e-4, maxiter: int = 50, grid=None, use_dataset: bool = True):
        super().__init__(seed)
        self.max_length = int(check_range("max_length", max_length, 1, 3))
        self.budget = None if budget is None else check_range("budget", budget, 0.0, lo_open=True)
        self.folds = int(check_range("folds", folds, 2))
        self.l2, self.maxiter, self.use_dataset = float(l2), int(maxiter), bool(use_dataset)
        self.grid = THRESHOLD_GRID if grid is None else np.sort(np.asarray(grid, dtype=np.float64))

    def fit(self, train: Benchmark) -> "FrugalGPTRouter":
        with single_thread():
            return self._fit(train)

    def _fit(self, train: Benchmark) -> "FrugalGPTRouter":
        super().fit(train)
        n = train.n_queries
        if n < 2 * self.folds:
            raise RouterlabError(f"frugalgpt needs at least {2 * self.folds} training queries for "
                                 f"{self.folds}-fold cross-fitting, got {n}")
        conf = _confidence(train, self.name)
        self.encoder_ = QueryEncoder(self.use_dataset).fit(train)
        X = self.encoder_.transform(train)
        Z = _confidence_inputs(conf)
        Y = correct_labels(train.quality)
        rng = np.random.default_rng(self.seed)
        fold = rng.permutation(n) % self.folds
        oof = np.empty((n, train.n_models))
        thetas = []
        for f in range(self.folds):
            tr, te = fold != f, fold == f
            clf = _MultiLogistic(self.l2, self.maxiter).fit(X[tr], Y[tr], Z[tr])
            oof[te] = clf.predict_proba(X[te], Z[te])
            thetas.append(clf.theta_)
        # the deployed scorer: all training rows, started from the mean of the fold solutions
        self.scorer_ = _MultiLogistic(self.l2, self.maxiter).fit(X, Y, Z, init=np.mean(thetas, axis=0))
        self.oof_scores_ = oof
        lo, hi = training_cost_range(train)
        self.search_ = search_chains(oof, np.clip(train.quality, 0, 1), train.cost, max_length=self.max_length,
                                     grid=self.grid, cost_min=lo, cost_max=hi, budget=self.budget)
        self.chain_cols_ = list(self.search_["models"])
        self.chain_ = [train.model_names[j] for j in self.chain_cols_]
        self.thresholds_ = list(self.search_["thresholds"])
        return self

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        conf = _confidence(test, self.name)
        X = self.encoder_.transform(test)
        n, m = test.n_queries, test.n_models
        calls = np.zeros((n, m), dtype=bool)
        choice = np.empty(n, dtype=np.intp)
        alive = np.arange(n)
        answered = []
        last = len(self.chain_cols_) - 1
        for s, j in enumerate(self.chain_cols_):
            calls[alive, j] = True
            if s == last:
                choice[alive] = j
                answered.append(len(alive))
                break
            z = _confidence_inputs(conf[alive, j][:, None])[:, 0, :]   # only the model just called
            ok = self.scorer_.predict_column(X[alive], z, j) >= self.thresholds_[s]
            choice[alive[ok]] = j
            answered.append(int(ok.sum()))
            alive = alive[~ok]
        self.stage_shares_ = np.array(answered) / max(n, 1)
        return Routing(choice, calls, None)


register("cascade", CascadeRouter)
register("frugalgpt", FrugalGPTRouter)
