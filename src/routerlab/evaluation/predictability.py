"""How predictable is correctness from the query, beyond the task? Measured on training rows only.

* :func:`correctness_auc` -- per model, the cross-validated ROC AUC (folds of one seed's TRAINING
  rows) of two predictors of "the model answers correctly": the model's accuracy on the query's
  dataset in the other folds (the task label alone), and a logistic regression on the dataset
  one-hot plus the query's text features (fitted on the other folds). The gap between the two is
  what reading the query could add to knowing the task.
* :func:`learning_curve` -- a router's RS gain over ``dataset-best`` on the test rows when both are
  fitted on a growing share of the training rows, per seed.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.splits import stratified_split
from routerlab.errors import RouterlabError, check_range
from routerlab.metrics import roc_auc, t_interval
from routerlab.routing.features import resolve_text_features, split_rows

__all__ = ["fold_indices", "task_score", "correctness_auc", "learning_curve", "curve_summary"]


def fold_indices(n: int, folds: int, seed: int) -> np.ndarray:
    """(n,) fold number in 0..folds-1 of each row: a seeded permutation cut into near-equal parts."""
    folds = int(check_range("folds", folds, 2, n))
    out = np.empty(n, dtype=np.int64)
    out[np.random.default_rng(seed).permutation(n)] = np.arange(n) % folds
    return out


def task_score(train_codes: np.ndarray, train_correct: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """(n, m) each model's accuracy on the query's dataset among the training rows.

    ``train_codes`` (t,) dataset codes and ``train_correct`` (t, m) 0/1 outcomes of the training
    rows; ``codes`` (n,) the dataset codes of the rows to score. A dataset without training rows
    gets the overall training accuracy.
    """
    k = int(max(train_codes.max(initial=0), codes.max(initial=0))) + 1
    sums = np.zeros((k, train_correct.shape[1]))
    np.add.at(sums, train_codes, train_correct)
    counts = np.bincount(train_codes, minlength=k).astype(np.float64)[:, None]
    overall = train_correct.mean(axis=0)
    table = np.where(counts > 0, sums / np.maximum(counts, 1.0), overall)
    return table[codes]


def correctness_auc(bench: Benchmark, seed: int = 0, folds: int = 5, test_size: float = 0.2,
                    text_features: str | None = "auto", C: float = 1.0) -> pd.DataFrame:
    """One row per model: cross-validated AUC of correctness from the task alone and from the task
    plus the query, on the TRAINING rows of ``seed``'s stratified split (the test rows are never read).

    Correct means quality >= 0.5. Per fold, the text features (``text_features``; the benchmark's
    own ``features`` when it has them) are fitted on the other folds only. Columns: ``model``,
    ``accuracy`` (training), ``auc_task`` (score: the model's accuracy on the query's dataset in
    the other folds), ``auc_task_query`` (an L2 logistic regression, strength ``C``, on the dataset
    one-hot and the standardised query features), ``gain`` (the difference). AUCs are pooled over
    the folds' predictions.
    """
    from sklearn.linear_model import LogisticRegression

    tr, _ = stratified_split(bench, test_size, seed)
    inner = bench.rows(tr)
    kind = resolve_text_features(inner, text_features)
    if kind is None and inner.features is None:
        raise RouterlabError("correctness_auc needs query features or prompt texts; this benchmark has neither")
    y = (inner.quality >= 0.5).astype(np.float64)
    n, m = y.shape
    codes = inner.dataset_codes
    k = len(inner.dataset_names)
    fold = fold_indices(n, folds, seed)
    s_task, s_query = np.empty((n, m)), np.empty((n, m))
    for f in range(int(folds)):
        fit_idx, val_idx = np.flatnonzero(fold != f), np.flatnonzero(fold == f)
        s_task[val_idx] = task_score(codes[fit_idx], y[fit_idx], codes[val_idx])
        a, b = split_rows(inner, fit_idx, val_idx, kind, seed)
        mu, sd = a.features.mean(axis=0), a.features.std(axis=0)
        sd = np.where(sd > 0, sd, 1.0)
        xa = np.hstack([np.eye(k)[codes[fit_idx]], (a.features - mu) / sd])
        xb = np.hstack([np.eye(k)[codes[val_idx]], (b.features - mu) / sd])
        for j in range(m):
            yj = y[fit_idx, j]
            if yj.min() == yj.max():  # one class in the training folds: predict it
                s_query[val_idx, j] = yj[0]
                continue
            clf = LogisticRegression(C=C, max_iter=500).fit(xa, yj)
            s_query[val_idx, j] = clf.decision_function(xb)
    auc_t, auc_q = roc_auc(y, s_task), roc_auc(y, s_query)
    return pd.DataFrame({"model": inner.model_names, "accuracy": y.mean(axis=0), "auc_task": auc_t,
                         "auc_task_query": auc_q, "gain": auc_q - auc_t})


def learning_curve(bench: Benchmark, router: str, fractions: Sequence[float] = (0.1, 0.25, 0.5, 1.0),
                   seeds: Sequence[int] = range(5), test_size: float = 0.2,
                   text_features: str | None = "auto", baseline: str = "dataset-best") -> pd.DataFrame:
    """One row per (fraction, seed): RS on the test rows of ``router`` and ``baseline`` fitted on a
    stratified ``fraction`` of that seed's training rows (the same rows for both; text features
    fitted on them only), and ``gain`` = router - baseline. ``n_train``: rows used."""
    from routerlab.evaluation.protocol import fit_route_score

    rows = []
    for seed in seeds:
        tr, te = stratified_split(bench, test_size, seed)
        for frac in fractions:
            frac = float(check_range("fraction", frac, 0.0, 1.0, lo_open=True))
            sub = tr if frac >= 1.0 else tr[stratified_split(bench.rows(tr), 1.0 - frac, seed)[0]]
            kind = resolve_text_features(bench, text_features)
            train, test = split_rows(bench, sub, te, kind, seed)
            rs = {name: float(fit_route_score(name, train, test, seed)["terms"].mean()) for name in (router, baseline)}
            rows.append({"fraction": frac, "seed": int(seed), "n_train": int(len(sub)), "router": router,
                         "rs": rs[router], "rs_baseline": rs[baseline], "gain": rs[router] - rs[baseline]})
    return pd.DataFrame(rows)


def curve_summary(curve: pd.DataFrame) -> pd.DataFrame:
    """Per fraction: mean ``n_train``, mean gain and its 95% t-interval across seeds."""
    out = []
    for frac, g in curve.groupby("fraction", sort=True):
        lo, hi = t_interval(g["gain"].to_numpy()[:, None])
        out.append({"fraction": frac, "n_train": float(g["n_train"].mean()), "gain": float(g["gain"].mean()),
                    "lo": float(lo[0]), "hi": float(hi[0])})
    return pd.DataFrame(out)
