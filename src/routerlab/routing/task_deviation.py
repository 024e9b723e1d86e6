"""Stay with the task's best model unless the query makes a router confident: the task-deviation router.

``dataset-best`` (:class:`~routerlab.routing.predictive.DatasetBestRouter`) sends every query of a
dataset to the model with the best training RS on it, reading no query. A predictive router reads
the query, but on real data its per-query predictions are noisy and it often loses to
``dataset-best``. The task-deviation router combines them: for every query it starts from
dataset-best's model ``b`` and switches to the inner router's model ``j`` (the argmax of the inner
router's predicted RS) only where the inner router's predicted RS gain

    g_i = RS_hat(i, j) - RS_hat(i, b),     RS_hat = p_ij * (1 - clip((c_ij - c_min) / (c_max - c_min), 0, 1))

(:func:`~routerlab.routing.predictive.predicted_rs`: predicted success times one minus the expected
cost normalised by the training cost range) exceeds a margin ``t_d`` of the query's dataset d.

The margins are tuned on the TRAINING rows only, per dataset: the training rows are split again
(stratified, ``val_size`` of them for validation, seed ``seed``); the inner router and dataset-best
are fitted on the rest; on the validation rows every margin of ``margins`` (which includes +inf,
never deviate) is scored by the realised RS improvement over never deviating (global
normalisation on the validation rows), summed over each dataset's rows, minus ``z`` (2) standard
errors (:func:`margin_scores`, :func:`pick_margins`). A dataset deviates only if some margin's
lower bound is above 0, and then takes the middle of the best-scoring margins; else it never
deviates. The lower bound is the "confident" part: on a dataset where the query text says
nothing, chance improvements on a few hundred validation rows rarely clear two standard errors.
(``z = 2`` was set on the synthetic benchmarks of ``tests/test_task_deviation.py``, before the
router met real data: with ``z = 1`` it still deviated on one seed of three where the text is noise.)
Then the inner router and dataset-best are refitted on all training rows. A dataset with no
validation rows, or unseen in training, never deviates. With margin 0 the router is the inner
router (up to ties); with +inf it is dataset-best, so the grid spans both.

The router reads of a test benchmark only what the inner router and dataset-best read (features,
prompt tokens, dataset labels), never its quality or cost. On text features fitted per split by
the protocol, the inner validation split reuses the features fitted on all training prompts
(unsupervised; no test prompt is involved).
"""

from __future__ import annotations

import numpy as np

from routerlab.data.benchmark import Benchmark
from routerlab.data.splits import stratified_split
from routerlab.errors import RouterlabError, check_range
from routerlab.metrics import cell_scores
from routerlab.routing.predictive import DatasetBestRouter, PredictiveRouter, predicted_rs, predictive_choice
from routerlab.routing.routers import Router, Routing, make_router, register

__all__ = ["MARGINS", "deviation_gain", "margin_scores", "pick_margins", "TaskDeviationRouter"]

#: Default margin grid (predicted-RS units, 0..1); +inf = never leave dataset-best.
MARGINS: tuple[float, ...] = (0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, float("inf"))


def deviation_gain(inner: PredictiveRouter, best: DatasetBestRouter, bench: Benchmark
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(gain, inner_choice, best_choice, proba)``: a fitted inner router's predicted RS gain of
    its own choice over dataset-best's choice on every query of ``bench``.

    ``inner_choice`` = argmax of the inner router's predicted RS (ties to the cheaper expected cost:
    the RS rule of :meth:`PredictiveRouter.route`); ``best_choice`` = ``best.route(bench).choice``;
    ``gain`` = predicted RS of ``inner_choice`` minus that of ``best_choice`` (>= 0, RS units);
    the first three are (n,), ``proba`` (n, m) the inner router's predicted success. Reads only
    what the two routers read (never quality or cost of ``bench``).
    """
    p, cost, rs = predicted_rs(inner, bench)
    own = predictive_choice(p, cost, inner.cost_min_, inner.cost_max_)
    base = np.asarray(best.route(bench).choice, dtype=np.intp)
    rows = np.arange(bench.n_queries)
    return rs[rows, own] - rs[rows, base], own, base, p


def margin_scores(gain: np.ndarray, own_terms: np.ndarray, base_terms: np.ndarray, groups: np.ndarray,
                  n_groups: int, margins) -> tuple[np.ndarray, np.ndarray]:
    """``(total, se)``, each (n_groups, len(margins)): the RS improvement over never deviating of
    each margin, summed over the rows of each group, and its standard error.

    ``gain`` (n,) predicted RS gain of deviating; ``own_terms``/``base_terms`` (n,) realised RS
    contributions of the inner router's and of dataset-best's choice; ``groups`` (n,) int codes in
    ``0..n_groups-1``. With ``delta_i = own_terms_i - base_terms_i`` and D(d, t) the rows of group d
    with ``gain > margins[t]``: ``total[d, t] = sum_{D} delta_i`` (RS x rows) and
    ``se[d, t] = sqrt(sum_{D} delta_i^2)`` (its standard error if the deltas had mean 0, the
    no-gain hypothesis). A margin of +inf scores 0 and 0.
    """
    deviate = np.asarray(gain)[:, None] > np.asarray(margins, dtype=np.float64)[None, :]       # (n, T)
    delta = np.where(deviate, (np.asarray(own_terms, dtype=np.float64)
                               - np.asarray(base_terms, dtype=np.float64))[:, None], 0.0)
    codes = np.asarray(groups, dtype=np.intp)
    total, square = np.zeros((int(n_groups), deviate.shape[1])), np.zeros((int(n_groups), deviate.shape[1]))
    np.add.at(total, codes, delta)
    np.add.at(square, codes, delta * delta)
    return total, np.sqrt(square)


def pick_margins(total: np.ndarray, se: np.ndarray, margins, z: float = 2.0) -> np.ndarray:
    """(k,) the margin each group keeps, from :func:`margin_scores`' ``total`` and ``se`` (k, T).

    A margin's score is the lower bound ``total - z * se`` of its improvement over never
    deviating. If no finite margin scores above 0 the group never deviates (+inf). Otherwise,
    among the margins with the best score (those giving the same validation deviations tie), the
    middle one (lower median): the validation rows cannot tell them apart, and the middle of the
    plateau is the farthest from its edges, where the refitted router's predictions may cross.
    """
    margins = np.asarray(margins, dtype=np.float64)
    score = np.asarray(total, dtype=np.float64) - float(z) * np.asarray(se, dtype=np.float64)
    score = np.where(np.isfinite(margins)[None, :], score, -np.inf)
    out = np.full(score.shape[0], np.inf)
    for d, row in enumerate(score):
        best = row.max()
        if best > 1e-12:
            tied = np.flatnonzero(row >= best - 1e-9)
            out[d] = margins[tied[(len(tied) - 1) // 2]]
    return out


class TaskDeviationRouter(Router):
    """dataset-best's model, unless the inner router predicts an RS gain above the dataset's margin.

    ``inner``: a predictive router's name (default ``"knn"``), built with ``inner_options``;
    ``margins``: the grid of margins tuned per dataset on a validation split of the training rows
    (``val_size`` of them, stratified, seed ``seed``), each scored by its validation RS improvement
    minus ``z`` standard errors (+inf, never deviate, is always added). Fitted state: ``inner_``
    and ``best_`` (fitted on all training rows), ``margin_datasets_`` (k,) and ``margin_`` (k,) the
    tuned margin of each training dataset, ``validation_`` and ``validation_se_`` (k, T) the
    validation RS improvement of each margin (RS x rows) and its standard error. Not part of ``policy_names("all")`` (``in_all = False``): evaluate it by name.
    """

    name = "task-deviation"
    paradigm = "prediction (task-anchored)"
    in_all = False
    card = {
        "paradigm": "prediction anchored on the task (dataset-best plus confident deviations)",
        "learns": "dataset-best's per-dataset model, an inner predictive router, one margin per dataset",
        "label": "the inner router's label; margins by realised RS on a validation split of the training rows",
        "decision": "dataset-best's model unless the inner router's predicted RS gain over it exceeds the "
                    "dataset's margin, then the inner router's model",
        "differs": "not in the article; a query router that defers to the task-aware baseline "
                   "(LLMRouterBench, arXiv 2601.07206) unless it is confident",
    }

    def __init__(self, seed: int = 0, inner: str = "knn", margins=MARGINS, val_size: float = 0.2,
                 z: float = 2.0, inner_options: dict | None = None):
        super().__init__(seed)
        self.inner = str(inner)
        self.inner_options = dict(inner_options or {})
        grid = sorted({float(check_range("margin", t, 0.0)) for t in margins} | {float("inf")})
        self.margins = tuple(grid)
        self.val_size = check_range("val_size", val_size, 0.0, 1.0, lo_open=True, hi_open=True)
        self.z = check_range("z", z, 0.0)
        if self.inner in (self.name, DatasetBestRouter.name):
            raise RouterlabError(f"inner router {self.inner!r} cannot deviate from dataset-best; "
                                 "name a predictive router, e.g. knn or mf")

    def _make_inner(self) -> PredictiveRouter:
        r = make_router(self.inner, seed=self.seed, **self.inner_options)
        if not isinstance(r, PredictiveRouter):
            raise RouterlabError(f"inner router {self.inner!r} makes no success predictions; name a "
                                 "predictive router (knn, mf, mlp, seq-cls, bert-cls, causal-lm)")
        return r

    def _tune(self, train: Benchmark) -> np.ndarray:
        """(k,) margin per training dataset, from a nested validation split of ``train``."""
        k = len(train.dataset_names)
        self.validation_ = self.validation_se_ = np.zeros((k, len(self.margins)))
        try:
            fit_idx, val_idx = stratified_split(train, self.val_size, self.seed)
        except RouterlabError:  # too few rows to hold some out: never deviate
            return np.full(k, np.inf)
        if len(fit_idx) < 2:
            return np.full(k, np.inf)
        fit_part, val_part = train.rows(fit_idx), train.rows(val_idx)
        inner = self._make_inner().fit(fit_part)
        best = DatasetBestRouter(self.seed).fit(fit_part)
        gain, own, base, _ = deviation_gain(inner, best, val_part.without_truth())
        cells = cell_scores(val_part.quality, val_part.cost, "global")                 # (n_val, m)
        rows = np.arange(val_part.n_queries)
        lookup = {nm: i for i, nm in enumerate(train.dataset_names)}
        groups = np.array([lookup[nm] for nm in val_part.dataset_names], dtype=np.intp)[val_part.dataset_codes]
        self.validation_, self.validation_se_ = margin_scores(gain, cells[rows, own], cells[rows, base], groups,
                                                              k, self.margins)
        return pick_margins(self.validation_, self.validation_se_, self.margins, self.z)

    def fit(self, train: Benchmark) -> "TaskDeviationRouter":
        self._make_inner()  # a bad inner name fails before any work
        self.margin_datasets_ = np.asarray(list(train.dataset_names), dtype=object)
        self.margin_ = self._tune(train)
        self.inner_ = self._make_inner().fit(train)
        self.best_ = DatasetBestRouter(self.seed).fit(train)
        return super().fit(train)

    def query_margins(self, test: Benchmark) -> np.ndarray:
        """(n,) the tuned margin of each query's dataset (+inf for a dataset unseen in training)."""
        lookup = {str(nm): t for nm, t in zip(self.margin_datasets_, self.margin_)}
        return np.array([lookup.get(nm, np.inf) for nm in test.dataset_names], dtype=np.float64)[test.dataset_codes]

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        gain, own, base, proba = deviation_gain(self.inner_, self.best_, test)
        return Routing(np.where(gain > self.query_margins(test), own, base), None, proba)


register(TaskDeviationRouter.name, TaskDeviationRouter)
