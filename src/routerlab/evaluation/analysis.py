"""Analyses for chapters 04 (datasets, correlations) and 05 (how many models): pure functions.

Three groups:

* **per-dataset tables** -- :func:`per_dataset_scores` turns one routing of a test set into a
  (datasets x metrics) table: RS, quality, mean cost, the share of queries answered by each model;
  :func:`seed_summary` reduces a long table over seeds to a mean and a 95% t-interval;
  :func:`over_routing` is the
  over-routing measure of the hard-dataset claims (gains over the best single model and gaps to
  the oracle per dataset come with :class:`~routerlab.evaluation.protocol.EvaluationResult`).
* **correlations** -- :func:`pearson_ci` (Pearson r with a Fisher-z interval),
  :func:`dataset_difficulty`, and the controlled experiment :func:`learning_curve` (one dataset's
  training rows subsampled, every other row kept, test rows fixed).
* **what few datasets can show** -- :func:`correlation_critical_r`, :func:`correlation_power`,
  :func:`correlation_n_for_power` and :func:`correlation_caveat`: the interval width, the smallest
  detectable |r| and the power of a correlation across n datasets.
* **per-dataset findings of any evaluated benchmark** (simulated or real) -- :func:`model_roles`
  (which models play the cheap and the strong model), :func:`dataset_table`,
  :func:`excess_shares`, :func:`over_routing_verdicts`, :func:`cross_dataset_correlations` and
  :func:`dataset_findings`, which runs them all.
* **model subsets** -- :func:`model_subsets`, :func:`oracle_subset_scores`,
  :func:`router_subset_scores` (retrains the router on every subset),
  :func:`restricted_subset_scores` (one fit on all models, the decision restricted to the subset)
  and the attributions :func:`shapley_values`, :func:`marginal_contributions`.

RS in these tables always uses the normalisation range of the evaluated test rows *with all the
benchmark's models* (``cost_for_range``), so that the RS of a model subset is measured on the same
yardstick as the full set: dropping GPT-4o must not rescale the other models' costs.
"""

from __future__ import annotations

import itertools
import math
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError, check_choice, check_range
from routerlab.metrics import NORMALIZATIONS, cost_range
from routerlab.metrics import cell_scores as metrics_cell_scores
from routerlab.evaluation.fixed_scores import interval_text as format_interval

__all__ = [
    "SHORT_NAMES", "short_name", "subset_label",
    "seed_interval", "seed_summary", "fisher_interval", "pearson_ci",
    "dataset_sizes", "dataset_difficulty",
    "cell_scores", "per_dataset_scores", "over_routing", "rank_in",
    "learning_curve_indices", "learning_curve",
    "model_subsets", "oracle_subset_scores", "router_subset_scores", "restricted_subset_scores",
    "shapley_values", "marginal_contributions",
    "correlation_critical_r", "correlation_power", "correlation_n_for_power", "correlation_caveat",
    "model_roles", "dataset_table", "cross_dataset_correlations", "excess_shares", "over_routing_verdicts",
    "CORRELATION_YS", "CORRELATION_XS", "dataset_findings", "format_interval", "dataset_display_table",
]

#: Compact labels for subset names in tables and plots.
SHORT_NAMES = {
    "Llama-3-8B-Instruct": "L8B",
    "Mixtral-8x7B-Instruct": "Mx7",
    "Llama-3-70B-Instruct": "L70B",
    "Mixtral-8x22B-Instruct": "Mx22",
    "GPT-3.5-turbo": "G3.5",
    "GPT-4o": "G4o",
}


def short_name(model: str) -> str:
    """A compact label for ``model`` (the name itself if it has none)."""
    return SHORT_NAMES.get(model, model)


def subset_label(models: Iterable[str]) -> str:
    """``"L8B+G4o"`` for a model subset."""
    return "+".join(short_name(m) for m in models)


# ---- statistics ------------------------------------------------------------------------------
def seed_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and two-sided t-interval of per-seed values: ``(mean, lo, hi)``.

    With fewer than two finite values the interval is ``(nan, nan)``.
    """
    check_range("level", level, 0, 1, lo_open=True, hi_open=True)
    x = np.asarray(values, dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(x.mean())
    if x.size < 2:
        return mean, float("nan"), float("nan")
    from scipy import stats

    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))
    return mean, mean - half, mean + half


def seed_summary(long: pd.DataFrame, by: Sequence[str], metrics: Sequence[str],
                 level: float = 0.95) -> pd.DataFrame:
    """Reduce a long table with a ``seed`` column to mean, lo, hi per group and metric.

    ``long`` has one row per (group..., seed); returns one row per group with columns
    ``<metric>``, ``<metric>_lo``, ``<metric>_hi`` and ``n_seeds``.
    """
    missing = [c for c in (*by, *metrics) if c not in long.columns]
    if missing:
        raise RouterlabError(f"seed_summary: columns {missing} not in the table ({list(long.columns)})")
    rows = []
    for key, g in long.groupby(list(by), sort=False):
        key = key if isinstance(key, tuple) else (key,)
        row = dict(zip(by, key))
        for m in metrics:
            mean, lo, hi = seed_interval(g[m].to_numpy(dtype=float), level)
            row.update({m: mean, f"{m}_lo": lo, f"{m}_hi": hi})
        row["n_seeds"] = int(g["seed"].nunique()) if "seed" in g else len(g)
        rows.append(row)
    return pd.DataFrame(rows)


def fisher_interval(r: float, n: int, level: float = 0.95) -> tuple[float, float]:
    """Fisher-z interval of a Pearson correlation ``r`` from ``n`` pairs.

    ``tanh(atanh(r) +- z_{(1+level)/2} / sqrt(n - 3))``; needs ``n >= 4``. It assumes bivariate
    normal data, which 12 datasets cannot confirm: read it as a rough width.
    """
    if n < 4:
        raise RouterlabError(f"a Fisher-z interval needs at least 4 pairs, got {n}")
    check_range("r", r, -1, 1)
    from scipy import stats

    z = math.atanh(max(min(r, 1 - 1e-15), -1 + 1e-15))
    half = stats.norm.ppf(0.5 + level / 2) / math.sqrt(n - 3)
    return math.tanh(z - half), math.tanh(z + half)


def pearson_ci(x: Sequence[float], y: Sequence[float], level: float = 0.95) -> dict:
    """Pearson r of two (n,) arrays with its Fisher-z interval and two-sided p-value.

    Returns ``{"r", "lo", "hi", "p", "n"}``; also ``"spearman"`` (rank correlation) as a check
    that the value is not made by one or two extreme points.
    """
    from scipy import stats

    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if x.shape != y.shape or x.ndim != 1:
        raise RouterlabError(f"pearson_ci needs two 1-d arrays of equal length, got {x.shape} and {y.shape}")
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise RouterlabError("pearson_ci: the data contain NaN or infinite values")
    if x.std() == 0 or y.std() == 0:
        raise RouterlabError("pearson_ci: one of the variables is constant, r is undefined")
    r, p = stats.pearsonr(x, y)
    lo, hi = fisher_interval(float(r), x.size, level)
    rho = stats.spearmanr(x, y).statistic
    return {"r": float(r), "lo": lo, "hi": hi, "p": float(p), "n": int(x.size),
            "spearman": float(rho)}


# ---- datasets --------------------------------------------------------------------------------
def _codes(datasets: np.ndarray, order: Sequence[str] | None) -> tuple[list[str], np.ndarray]:
    datasets = np.asarray(datasets).astype(str)
    if order is None:
        _, first = np.unique(datasets, return_index=True)
        order = [str(datasets[i]) for i in np.sort(first)]
    order = [str(d) for d in order]
    unknown = set(np.unique(datasets).tolist()) - set(order)
    if unknown:
        raise RouterlabError(f"datasets {sorted(unknown)} are not in the given order {order}")
    codes = pd.Categorical(datasets, categories=order).codes.astype(np.intp)
    return order, codes


def dataset_sizes(datasets: np.ndarray, order: Sequence[str] | None = None) -> pd.Series:
    """Number of rows per dataset label, indexed by dataset (order of first appearance by default)."""
    order, codes = _codes(datasets, order)
    return pd.Series(np.bincount(codes, minlength=len(order)), index=order, name="n")


def dataset_difficulty(quality: np.ndarray, datasets: np.ndarray,
                       order: Sequence[str] | None = None) -> pd.Series:
    """Difficulty of each dataset = 1 - mean quality over its queries and all models.

    ``quality`` (n, m) in [0, 1]; ``datasets`` (n,) labels. A dataset every model always answers
    has difficulty 0; one no model ever answers, 1.
    """
    q = np.asarray(quality, dtype=np.float64)
    order, codes = _codes(datasets, order)
    if q.ndim != 2 or q.shape[0] != codes.size:
        raise RouterlabError(f"quality has shape {q.shape} for {codes.size} dataset labels")
    sums = np.bincount(codes, weights=q.mean(axis=1), minlength=len(order))
    counts = np.bincount(codes, minlength=len(order))
    with np.errstate(invalid="ignore", divide="ignore"):
        return pd.Series(1.0 - sums / counts, index=order, name="difficulty")


# ---- per-dataset scores ------------------------------------------------------------------------
cell_scores = metrics_cell_scores  # (n, m) RS contribution of each model alone; see metrics


def _group_means(codes: np.ndarray, k: int, values: np.ndarray) -> np.ndarray:
    counts = np.bincount(codes, minlength=k)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        s = np.bincount(codes, weights=values, minlength=k)
        with np.errstate(invalid="ignore", divide="ignore"):
            return s / counts
    out = np.zeros((k, values.shape[1]))
    np.add.at(out, codes, values)
    with np.errstate(invalid="ignore", divide="ignore"):
        return out / counts[:, None]


def per_dataset_scores(quality: np.ndarray, cost: np.ndarray, choice: np.ndarray,
                       datasets: np.ndarray, *, calls: np.ndarray | None = None,
                       model_names: Sequence[str] | None = None, normalization: str = "global",
                       cost_for_range: np.ndarray | None = None,
                       order: Sequence[str] | None = None, overall: bool = True) -> pd.DataFrame:
    """RS, quality, mean cost and model shares of one routing, per dataset.

    ``quality``, ``cost`` (n, m) of the test rows; ``choice`` (n,) int column returned per query;
    ``calls`` (n, m) bool models paid for (None: the chosen one only); ``datasets`` (n,) labels.
    The RS normalisation range comes from ``cost_for_range`` (default ``cost``) over *all* rows,
    so per-dataset RS values average (weighted by size) to the overall RS. Returns one row per
    dataset (plus ``"all"`` if ``overall``) with columns ``n``, ``rs``, ``quality``, ``cost``
    (mean USD per query) and ``share:<model>`` for each model.
    """
    check_choice("normalization", normalization, NORMALIZATIONS)
    q = np.asarray(quality, dtype=np.float64)
    c = np.asarray(cost, dtype=np.float64)
    choice = np.asarray(choice)
    n, m = q.shape
    if c.shape != (n, m) or choice.shape != (n,):
        raise RouterlabError(f"quality {q.shape}, cost {c.shape} and choice {choice.shape} do not match")
    if n and (choice.min() < 0 or choice.max() >= m):
        raise RouterlabError(f"choice holds model columns outside 0..{m - 1}")
    names = list(model_names) if model_names is not None else [f"model{j}" for j in range(m)]
    if len(names) != m:
        raise RouterlabError(f"{len(names)} model names for {m} columns")
    order, codes = _codes(datasets, order)
    rows = np.arange(n)
    ret_q = q[rows, choice]
    paid = c[rows, choice] if calls is None else np.where(np.asarray(calls, bool), c, 0.0).sum(axis=1)
    ref = c if cost_for_range is None else np.asarray(cost_for_range, dtype=np.float64)
    lo, hi = cost_range(ref, normalization)
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(span > 0, (paid - lo) / np.where(span > 0, span, 1.0), 0.0)
    rs = ret_q * (1.0 - np.clip(z, 0.0, 1.0))
    onehot = np.zeros((n, m))
    onehot[rows, choice] = 1.0
    k = len(order)
    table = pd.DataFrame({
        "n": np.bincount(codes, minlength=k),
        "rs": _group_means(codes, k, rs),
        "quality": _group_means(codes, k, ret_q),
        "cost": _group_means(codes, k, paid),
    }, index=pd.Index(order, name="dataset"))
    shares = _group_means(codes, k, onehot)
    for j, name in enumerate(names):
        table[f"share:{name}"] = shares[:, j]
    if overall:
        table.loc["all"] = [n, rs.mean(), ret_q.mean(), paid.mean(), *onehot.mean(axis=0)]
        table["n"] = table["n"].astype(int)
    return table


# ---- the claim measures --------------------------------------------------------------------------
def over_routing(long: pd.DataFrame, router: str, *, oracle: str = "oub",
                 reference: str = "fixed:GPT-4o", cheap_model: str = "Llama-3-8B-Instruct") -> pd.DataFrame:
    """Over-routing of ``router`` to ``cheap_model``, per seed and dataset.

    ``long`` has columns ``policy``, ``seed``, ``dataset``, ``quality`` and ``share:<model>`` (one
    row per router, seed, dataset, as :func:`per_dataset_scores` makes them). Returns per (seed,
    dataset): ``cheap_share`` (the router's share of queries answered by the cheap model),
    ``oracle_cheap_share``, ``excess_cheap`` = the difference, ``quality``, ``reference_quality``
    and ``quality_loss`` = reference quality - router quality; and, when ``fixed:<cheap_model>`` is
    in the table, ``cheap_accuracy`` (share of queries the cheap model answers correctly) and
    ``excess_over_cheap_correct`` = ``cheap_share - cheap_accuracy``.
    """
    col = f"share:{cheap_model}"
    for name in (router, oracle, reference):
        if name not in set(long["policy"]):
            raise RouterlabError(f"over_routing: router {name!r} is not in the table")
    if col not in long.columns:
        raise RouterlabError(f"over_routing: no column {col!r}; is {cheap_model!r} a model here?")
    key = ["seed", "dataset"]

    def part(name, cols, rename):
        return long.loc[long["policy"] == name, key + cols].rename(columns=rename)

    out = part(router, [col, "quality"], {col: "cheap_share"})
    out = out.merge(part(oracle, [col], {col: "oracle_cheap_share"}), on=key)
    out = out.merge(part(reference, ["quality"], {"quality": "reference_quality"}), on=key)
    out["excess_cheap"] = out["cheap_share"] - out["oracle_cheap_share"]
    out["quality_loss"] = out["reference_quality"] - out["quality"]
    cheap_fixed = f"fixed:{cheap_model}"
    if cheap_fixed in set(long["policy"]):
        # the oracle also defaults to the cheapest model where no model is right; the share of
        # queries the cheap model answers correctly is a baseline without that artefact
        out = out.merge(part(cheap_fixed, ["quality"], {"quality": "cheap_accuracy"}), on=key)
        out["excess_over_cheap_correct"] = out["cheap_share"] - out["cheap_accuracy"]
    out.insert(0, "policy", router)
    return out.reset_index(drop=True)


def rank_in(values: pd.Series, key: str, ascending: bool = False) -> int:
    """1-based rank of ``values[key]`` among ``values`` (1 = largest, or smallest if ``ascending``)."""
    if key not in values.index:
        raise RouterlabError(f"{key!r} is not among {list(values.index)}")
    return int(values.rank(ascending=ascending, method="min")[key])


# ---- learning curves -----------------------------------------------------------------------------
def learning_curve_indices(train_datasets: np.ndarray, dataset: str, sizes: Sequence[int],
                           seed: int = 0) -> list[np.ndarray]:
    """Training rows to keep when ``dataset`` has only ``size`` training rows, for each size.

    Every row of the other datasets is kept; of ``dataset``'s rows, the first ``size`` of one
    seeded permutation (so the sets are nested: a smaller size is a subset of a larger one).
    Returns sorted int index arrays into the training set. Sizes above the number of rows are
    capped; the same arguments always give the same rows.
    """
    d = np.asarray(train_datasets).astype(str)
    target = np.flatnonzero(d == dataset)
    if target.size == 0:
        raise RouterlabError(f"dataset {dataset!r} has no training rows")
    others = np.flatnonzero(d != dataset)
    perm = np.random.default_rng([int(seed), target.size]).permutation(target)
    out = []
    for size in sizes:
        if int(size) != size or size < 0:
            raise RouterlabError(f"learning-curve sizes must be whole numbers >= 0, got {size!r}")
        keep = perm[: min(int(size), target.size)]
        out.append(np.sort(np.concatenate([others, keep])))
    return out


def _fit_route(router_factory: Callable, train: Benchmark, test: Benchmark):
    from routerlab.evaluation.fitted import cacheable, fit_outputs

    router = router_factory()
    if cacheable(router):  # the fit on every training row is the evaluation's
        return fit_outputs(router, train, test.without_truth()).routing
    router.fit(train)
    return router.route(test.without_truth())


def learning_curve(train: Benchmark, test: Benchmark, datasets: Sequence[str],
                   sizes: Sequence[int] | None = None, fractions: Sequence[float] | None = None,
                   router: str = "mf", seed: int = 0, normalization: str = "global",
                   router_options: Mapping | None = None) -> pd.DataFrame:
    """RS on each dataset's (fixed) test rows as that dataset's training rows are subsampled.

    For each dataset d in ``datasets`` and each training size (``sizes``: absolute row counts,
    capped at d's training rows; or ``fractions`` in (0, 1] of them), ``router`` is fitted on every
    training row of the other datasets plus that many rows of d (:func:`learning_curve_indices`,
    nested, seeded by ``seed``) and scored on d's test rows; RS uses the normalisation range of the
    whole test set, so the numbers are comparable with the main results. The fit with every
    training row is always included (``fraction == 1``) and shared by all datasets. Returns
    columns ``dataset``, ``n_train``, ``fraction``, ``full`` (bool), ``rs``, ``quality``, ``seed``.
    """
    from routerlab.routing.routers import make_router

    if (sizes is None) == (fractions is None):
        raise RouterlabError("learning_curve: give either sizes (row counts) or fractions, not both")
    if fractions is not None:
        fractions = sorted({float(check_range("fraction", f, 0, 1, lo_open=True)) for f in fractions})
    opts = dict(router_options or {})

    def factory():
        return make_router(router, seed=seed, **opts)

    full = None
    rows = []
    n_by_dataset = dataset_sizes(train.datasets)
    for d in datasets:
        n_d = int(n_by_dataset.get(d, 0))
        if n_d == 0:
            raise RouterlabError(f"dataset {d!r} has no training rows")
        want = ([max(1, int(round(f * n_d))) for f in fractions] if fractions is not None
                else [int(x) for x in sizes])
        counts = sorted({min(x, n_d) for x in want} | {n_d})
        idx = learning_curve_indices(train.datasets, d, counts, seed)
        mask = test.datasets == d
        if not mask.any():
            raise RouterlabError(f"dataset {d!r} has no test rows")
        for size, keep in zip(counts, idx):
            if size >= n_d:
                if full is None:
                    full = _fit_route(factory, train, test)
                routing = full
            else:
                routing = _fit_route(factory, train.rows(keep), test)
            rs, q = _masked_scores(test, routing, mask, normalization)
            rows.append({"dataset": d, "n_train": size, "fraction": size / n_d, "full": size >= n_d,
                         "rs": rs, "quality": q, "seed": int(seed)})
    return pd.DataFrame(rows)


def _masked_scores(test: Benchmark, routing, mask: np.ndarray, normalization: str) -> tuple[float, float]:
    """RS and quality of ``routing`` on the rows ``mask`` of ``test`` (range: all of ``test``)."""
    t = per_dataset_scores(test.quality, test.cost, routing.choice, np.where(mask, "in", "out"),
                           calls=routing.calls, normalization=normalization, order=["in", "out"],
                           overall=False)
    return float(t.loc["in", "rs"]), float(t.loc["in", "quality"])


# ---- model subsets -------------------------------------------------------------------------------
def model_subsets(models: Sequence[str], min_size: int = 2) -> list[tuple[str, ...]]:
    """Every subset of ``models`` with at least ``min_size`` members, by size, in catalog order.

    For six models and ``min_size=2``: 2**6 - 1 - 6 = 57 subsets.
    """
    models = list(models)
    if len(set(models)) != len(models):
        raise RouterlabError(f"model list {models} repeats a model")
    if not 1 <= min_size <= len(models):
        raise RouterlabError(f"min_size must lie in 1..{len(models)}, got {min_size}")
    return [s for k in range(min_size, len(models) + 1) for s in itertools.combinations(models, k)]


def _subset_row(subset, paid, ret_q, normalization, ref_cost, **extra):
    lo, hi = cost_range(ref_cost, normalization)
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(span > 0, (paid - lo) / np.where(span > 0, span, 1.0), 0.0)
    return {"subset": subset_label(subset), "models": tuple(subset), "size": len(subset),
            "rs": float((ret_q * (1.0 - np.clip(z, 0.0, 1.0))).mean()),
            "quality": float(ret_q.mean()), "cost": float(np.mean(paid)), **extra}


def oracle_subset_scores(test: Benchmark, subsets: Sequence[Sequence[str]],
                         normalization: str = "global") -> pd.DataFrame:
    """RS, quality and mean cost of the oracle (OUB) restricted to each model subset.

    The oracle picks, per query, the subset's model with the best RS contribution, measured on the
    normalisation range of all of ``test``'s models. Columns ``subset``, ``models``, ``size``,
    ``rs``, ``quality``, ``cost``.
    """
    s = cell_scores(test.quality, test.cost, normalization)
    rows = []
    n = test.n_queries
    for subset in subsets:
        cols = [test.model_index(x) for x in subset]
        sub = s[:, cols]
        best = sub.max(axis=1, keepdims=True)
        q_sub = test.quality[:, cols]
        c_sub = test.cost[:, cols]
        # ties as metrics.oracle_choice: best score, then best quality, then cheapest
        tied = sub >= best - 1e-15
        tied &= q_sub >= np.where(tied, q_sub, -np.inf).max(axis=1, keepdims=True)
        pick = np.where(tied, c_sub, np.inf).argmin(axis=1)
        r = np.arange(n)
        rows.append(_subset_row(subset, c_sub[r, pick], q_sub[r, pick], normalization, test.cost))
    return pd.DataFrame(rows)


def router_subset_scores(train: Benchmark, test: Benchmark, subsets: Sequence[Sequence[str]],
                         router: str = "mf", seed: int = 0, normalization: str = "global",
                         router_options: Mapping | None = None) -> pd.DataFrame:
    """RS of ``router`` *retrained* on each model subset, scored on the full-set yardstick.

    For each subset the router is fitted on ``train.select_models(subset)`` and routes
    ``test.select_models(subset)``; RS is normalised with the cost range of all of ``test``'s
    models. A one-model subset needs no router (it is that model, fixed). Columns as
    :func:`oracle_subset_scores` plus ``fit_seconds``.
    """
    import time

    from routerlab.routing.routers import make_router

    opts = dict(router_options or {})
    rows = []
    r_idx = np.arange(test.n_queries)
    for subset in subsets:
        sub_test = test.select_models(list(subset))
        t0 = time.perf_counter()
        if len(subset) == 1:
            choice, calls = np.zeros(test.n_queries, dtype=np.intp), None
        else:
            routing = _fit_route(lambda: make_router(router, seed=seed, **opts),
                                 train.select_models(list(subset)), sub_test)
            choice, calls = routing.choice, routing.calls
        seconds = time.perf_counter() - t0
        q, c = sub_test.quality, sub_test.cost
        paid = c[r_idx, choice] if calls is None else np.where(calls, c, 0.0).sum(axis=1)
        rows.append(_subset_row(subset, paid, q[r_idx, choice], normalization, test.cost,
                                fit_seconds=seconds))
    return pd.DataFrame(rows)


def restricted_subset_scores(router, test: Benchmark, subsets: Sequence[Sequence[str]],
                             normalization: str = "global") -> pd.DataFrame:
    """RS of one predictive router fitted on all models, its choice restricted to each subset.

    ``router`` is a fitted :class:`~routerlab.routing.predictive.PredictiveRouter` (it has
    ``predict_proba``, ``expected_cost``, ``cost_min_`` and ``cost_max_``). For each subset the
    article's rule ``argmax_j p_ij (1 - normalised expected cost_ij)`` is applied over the subset's
    columns only, with the predictions and the training cost range of the all-model fit; RS is
    measured on the normalisation range of all of ``test``'s models. This costs one fit instead of
    one per subset; :func:`router_subset_scores` is the retrained alternative. Columns as
    :func:`oracle_subset_scores`.
    """
    from routerlab.routing.predictive import predictive_choice

    for attr in ("predict_proba", "expected_cost", "cost_min_", "cost_max_"):
        if not hasattr(router, attr):
            raise RouterlabError(f"restricted_subset_scores needs a fitted predictive router; "
                                 f"{type(router).__name__} has no {attr!r}")
    blind = test.without_truth()
    proba = router.predict_proba(blind)
    ecost = router.expected_cost(blind)
    r = np.arange(test.n_queries)
    rows = []
    for subset in subsets:
        cols = np.array([test.model_index(x) for x in subset])
        pick = cols[predictive_choice(proba[:, cols], ecost[:, cols], router.cost_min_, router.cost_max_)]
        rows.append(_subset_row(subset, test.cost[r, pick], test.quality[r, pick], normalization, test.cost))
    return pd.DataFrame(rows)


def _value_lookup(values: Mapping, players: Sequence[str]) -> dict[frozenset, float]:
    v = {frozenset(k): float(x) for k, x in values.items()}
    v.setdefault(frozenset(), 0.0)
    need = [frozenset(s) for k in range(1, len(players) + 1) for s in itertools.combinations(players, k)]
    missing = [sorted(s) for s in need if s not in v]
    if missing:
        raise RouterlabError(f"{len(missing)} subsets have no value, e.g. {missing[0]}; "
                             "give every non-empty subset (singletons = that model fixed)")
    return v


def shapley_values(values: Mapping[Iterable[str], float], players: Sequence[str]) -> pd.Series:
    """Exact Shapley value of each player (model) for the set function ``values``.

    ``values`` maps every non-empty subset of ``players`` to its value (e.g. RS); the empty set is
    worth 0. The Shapley value of j is the average, over all orders in which the models can be
    added, of the gain from adding j; the values sum to ``values[all players]``.
    """
    players = list(players)
    v = _value_lookup(values, players)
    n = len(players)
    out = {}
    for j in players:
        others = [p for p in players if p != j]
        total = 0.0
        for k in range(n):
            w = math.factorial(k) * math.factorial(n - k - 1) / math.factorial(n)
            for s in itertools.combinations(others, k):
                s = frozenset(s)
                total += w * (v[s | {j}] - v[s])
        out[j] = total
    return pd.Series(out, name="shapley")


def marginal_contributions(values: Mapping[Iterable[str], float], players: Sequence[str],
                           min_size: int = 1) -> pd.DataFrame:
    """Mean gain from adding each model to the subsets of the others, by size of the subset.

    For model j and size k >= ``min_size``: the mean of ``values[S + j] - values[S]`` over every
    subset S of the other models with k members. Columns ``model``, ``size`` (of S), ``gain``,
    ``n_subsets``; plus ``size == "mean"`` rows averaging over every S with at least ``min_size``
    members (each S counted once).
    """
    players = list(players)
    v = _value_lookup(values, players)
    rows = []
    for j in players:
        others = [p for p in players if p != j]
        gains_all = []
        for k in range(min_size, len(players)):
            gains = [v[frozenset(s) | {j}] - v[frozenset(s)] for s in itertools.combinations(others, k)]
            gains_all += gains
            rows.append({"model": j, "size": k, "gain": float(np.mean(gains)), "n_subsets": len(gains)})
        rows.append({"model": j, "size": "mean", "gain": float(np.mean(gains_all)),
                     "n_subsets": len(gains_all)})
    return pd.DataFrame(rows)


# ---- correlations across few datasets: what n datasets can detect ------------------------------
def correlation_critical_r(n: int, alpha: float = 0.05) -> float:
    """Smallest |r| whose two-sided p-value is ``alpha`` with ``n`` pairs.

    The test of :func:`scipy.stats.pearsonr` (t = r sqrt(n - 2) / sqrt(1 - r^2), n - 2 degrees of
    freedom, exact for bivariate normal data): ``r_c = t_c / sqrt(n - 2 + t_c^2)``. Needs ``n >= 3``.
    For n = 14 and alpha = 0.05, r_c = 0.532.
    """
    if int(n) != n or n < 3:
        raise RouterlabError(f"a correlation test needs at least 3 pairs, got {n!r}")
    check_range("alpha", alpha, 0, 1, lo_open=True, hi_open=True)
    from scipy import stats

    t = float(stats.t.ppf(1 - alpha / 2, n - 2))
    return t / math.sqrt(n - 2 + t * t)


def correlation_power(rho: float, n: int, alpha: float = 0.05) -> float:
    """Probability that the ``1 - alpha`` Fisher-z interval of r from ``n`` pairs excludes 0 when
    the true correlation is ``rho`` (the Fisher-z normal approximation, bivariate normal data).

    ``Phi(atanh|rho| sqrt(n-3) - z) + Phi(-atanh|rho| sqrt(n-3) - z)``, ``z`` the normal quantile at
    ``1 - alpha/2``; equals ``alpha`` at ``rho = 0``. Needs ``n >= 4``.
    """
    if int(n) != n or n < 4:
        raise RouterlabError(f"the Fisher-z test needs at least 4 pairs, got {n!r}")
    check_range("rho", rho, -1, 1, lo_open=True, hi_open=True)
    check_range("alpha", alpha, 0, 1, lo_open=True, hi_open=True)
    from scipy import stats

    z = float(stats.norm.ppf(1 - alpha / 2))
    shift = math.atanh(abs(rho)) * math.sqrt(n - 3)
    return float(stats.norm.cdf(shift - z) + stats.norm.cdf(-shift - z))


def correlation_n_for_power(rho: float, power: float = 0.8, alpha: float = 0.05) -> int:
    """Smallest number of pairs for which :func:`correlation_power` reaches ``power`` at ``rho``
    (Fisher-z approximation, the weaker side's rejections ignored: ``((z_a + z_b) / atanh|rho|)^2 + 3``
    rounded up). ``rho`` must not be 0."""
    check_range("rho", rho, -1, 1, lo_open=True, hi_open=True)
    check_range("power", power, 0, 1, lo_open=True, hi_open=True)
    if rho == 0:
        raise RouterlabError("no number of pairs gives power above alpha when the true correlation is 0")
    from scipy import stats

    za, zb = float(stats.norm.ppf(1 - alpha / 2)), float(stats.norm.ppf(power))
    n = max(4, math.ceil(((za + zb) / math.atanh(abs(rho))) ** 2 + 3 - 1e-9))
    while correlation_power(rho, n, alpha) < power:  # the approximation above drops one tail
        n += 1
    return int(n)


def correlation_caveat(n: int, rho: float | None = None, level: float = 0.95) -> dict:
    """What a Pearson correlation across ``n`` datasets can tell, in numbers.

    Returns ``{"n", "half_width_at_0", "critical_r", "power", "n_for_80", "half_width"}``:
    ``half_width_at_0`` = half the width of the ``level`` Fisher-z interval when r = 0 (its widest;
    also the smallest |r| whose Fisher interval excludes 0); ``critical_r`` = the |r| at which the
    two-sided p-value is ``1 - level`` (:func:`correlation_critical_r`); for a true correlation
    ``rho`` (e.g. the simulator's value): ``power`` = :func:`correlation_power`, ``n_for_80`` = the
    number of datasets needed for 80% power, ``half_width`` = half the width of the interval at
    r = rho. The ``rho`` entries are NaN when ``rho`` is None, NaN or 0.
    """
    alpha = 1 - check_range("level", level, 0, 1, lo_open=True, hi_open=True)
    lo0, hi0 = fisher_interval(0.0, n, level)
    out = {"n": int(n), "half_width_at_0": (hi0 - lo0) / 2, "critical_r": correlation_critical_r(n, alpha),
           "power": float("nan"), "n_for_80": float("nan"), "half_width": float("nan")}
    if rho is not None and np.isfinite(rho) and 0 < abs(rho) < 1:
        lo, hi = fisher_interval(float(rho), n, level)
        out.update(power=correlation_power(float(rho), n, alpha),
                   n_for_80=correlation_n_for_power(float(rho), 0.8, alpha), half_width=(hi - lo) / 2)
    return out


# ---- per-dataset findings of one evaluation (simulated or real) --------------------------------
def model_roles(quality: np.ndarray, cost: np.ndarray, names: Sequence[str]) -> dict:
    """The models that play the roles of the article's Llama-3-8B and GPT-4o in a benchmark.

    ``quality``, ``cost`` (n, m); ``names`` (m,). Returns ``{"cheapest"}`` (lowest mean cost per
    query), ``"most_expensive"`` (highest mean cost) and ``"strongest"`` (highest mean quality);
    ties go to the first column. On RouterBench-Sim these are Llama-3-8B, GPT-4o and GPT-4o.
    """
    q = np.asarray(quality, dtype=np.float64)
    c = np.asarray(cost, dtype=np.float64)
    names = list(names)
    if q.ndim != 2 or q.shape != c.shape or q.shape[1] != len(names):
        raise RouterlabError(f"quality {q.shape}, cost {c.shape} and {len(names)} model names do not match")
    mc, mq = c.mean(axis=0), q.mean(axis=0)
    return {"cheapest": names[int(np.argmin(mc))], "most_expensive": names[int(np.argmax(mc))],
            "strongest": names[int(np.argmax(mq))]}


def dataset_table(result, bench: Benchmark, policy: str = "mf", level: float = 0.95) -> pd.DataFrame:
    """Per dataset of ``bench``: size, difficulty and ``policy``'s scores (seed means, t-intervals).

    ``result`` is the :class:`~routerlab.evaluation.protocol.EvaluationResult` of ``bench`` (its
    ``per_dataset`` table: one row per policy, seed, dataset). Columns: ``n_test`` (mean over
    splits), ``n_train`` (dataset size minus ``n_test``), ``difficulty``
    (:func:`dataset_difficulty`), ``none_right`` (share of the dataset's rows on which no model has
    quality above 0: there the oracle picks the cheapest model), ``rs``, ``gain`` (RS minus the RS of the dataset's best single
    model, chosen with hindsight on its test rows; same RS yardstick: the whole test set's cost
    range), ``gap`` (oracle RS minus RS), ``oracle_rs``, ``best_single_rs``, ``headroom`` (oracle RS
    minus the best single model's RS: what routing could gain at most, a quantity no router
    learns), each with ``_lo`` / ``_hi``, and ``best_single_model`` (the most frequent one over splits). Indexed by dataset in
    ``bench.dataset_names`` order.
    """
    pdl = result.per_dataset
    if policy not in set(pdl["policy"]):
        raise RouterlabError(f"dataset_table: policy {policy!r} was not evaluated")
    own = pdl[pdl["policy"] == policy].rename(columns={"gain_vs_best_single": "gain", "gap_to_oracle": "gap"})
    own = own.assign(headroom=own["oracle_rs"] - own["best_single_rs"])
    summ = seed_summary(own, ["dataset"], ["rs", "gain", "gap", "oracle_rs", "best_single_rs", "headroom"], level)
    summ = summ.set_index("dataset")
    order = list(bench.dataset_names)
    summ = summ.reindex(order)
    n_test = own.groupby("dataset")["n_test"].mean().reindex(order)
    out = pd.DataFrame({"n_test": n_test,
                        "n_train": dataset_sizes(bench.datasets, order).astype(float) - n_test,
                        "difficulty": dataset_difficulty(bench.quality, bench.datasets, order)})
    none = (bench.quality.max(axis=1) <= 0).astype(float)
    out["none_right"] = pd.Series(_group_means(_codes(bench.datasets, order)[1], len(order), none), index=order)
    out = out.join(summ.drop(columns=["n_seeds"]))
    out["best_single_model"] = own.groupby("dataset")["best_single_model"].agg(
        lambda s: s.mode().iloc[0]).reindex(order)
    out["n_seeds"] = summ["n_seeds"]
    out.index.name = "dataset"
    return out


def cross_dataset_correlations(table: pd.DataFrame, ys: Sequence[str], xs: Mapping[str, str],
                               level: float = 0.95) -> pd.DataFrame:
    """Pearson r (Fisher-z interval, p, Spearman) across the rows of ``table`` for every pair.

    ``ys``: columns of ``table`` (e.g. ``["gain", "rs"]``); ``xs``: {label: column} (e.g.
    ``{"training rows": "n_train", "difficulty": "difficulty"}``). Returns one row per (y, x) with
    ``y``, ``x``, ``r``, ``lo``, ``hi``, ``p``, ``spearman``, ``n`` and ``note``; a pair that has a
    constant variable or fewer than 4 rows gets NaN and a note saying why.
    """
    rows = []
    for y in ys:
        for label, col in xs.items():
            a = table[col].to_numpy(dtype=float)
            b = table[y].to_numpy(dtype=float)
            ok = np.isfinite(a) & np.isfinite(b)
            a, b = a[ok], b[ok]
            row = {"y": y, "x": label, "r": np.nan, "lo": np.nan, "hi": np.nan, "p": np.nan,
                   "spearman": np.nan, "n": int(a.size), "note": ""}
            if a.size < 4:
                row["note"] = f"only {a.size} datasets: a Fisher-z interval needs 4"
            elif np.ptp(a) == 0 or np.ptp(b) == 0:
                row["note"] = "one of the variables is constant across datasets: r is undefined"
            else:
                row.update(pearson_ci(a, b, level))
            rows.append(row)
    return pd.DataFrame(rows)


def excess_shares(result, policy: str, model: str, oracle: str = "oub", level: float = 0.95) -> pd.DataFrame:
    """Per dataset: ``policy``'s share of test queries answered by ``model`` minus the oracle's.

    From ``result.per_dataset`` (columns ``share:<model>``). Returns, indexed by dataset, ``share``,
    ``oracle_share`` and ``excess`` = their difference (seed means), with ``excess_lo`` /
    ``excess_hi`` (t-interval over seeds). Positive: the policy uses ``model`` more than the
    oracle does.
    """
    pdl = result.per_dataset
    col = f"share:{model}"
    if col not in pdl.columns:
        raise RouterlabError(f"excess_shares: no model {model!r} in the evaluation")
    for p in (policy, oracle):
        if p not in set(pdl["policy"]):
            raise RouterlabError(f"excess_shares: policy {p!r} was not evaluated")
    key = ["seed", "dataset"]
    a = pdl.loc[pdl["policy"] == policy, key + [col]].rename(columns={col: "share"})
    b = pdl.loc[pdl["policy"] == oracle, key + [col]].rename(columns={col: "oracle_share"})
    both = a.merge(b, on=key)
    both["excess"] = both["share"] - both["oracle_share"]
    s = seed_summary(both, ["dataset"], ["share", "oracle_share", "excess"], level).set_index("dataset")
    return s[["share", "oracle_share", "excess", "excess_lo", "excess_hi"]]


def over_routing_verdicts(result, policies: Sequence[str], cheap_model: str, reference: str,
                          oracle: str = "oub", level: float = 0.95) -> pd.DataFrame:
    """The chapter's over-routing test for each policy and dataset (see :func:`over_routing`).

    A policy over-routes on a dataset when its excess share to ``cheap_model`` over the oracle's
    has a seed interval above 0 **and** its quality loss against ``fixed:<reference>`` on the
    dataset exceeds its loss over all test rows. Returns one row per (policy, dataset) with the
    seed summaries of :func:`over_routing`'s measures, ``overall_loss`` and ``over_routes`` (bool).
    ``result`` must hold ``oracle``, ``fixed:<reference>`` and every policy.
    """
    ref = f"fixed:{reference}"
    pdl, ps = result.per_dataset, result.per_seed
    over = pd.concat([over_routing(pdl, p, oracle=oracle, reference=ref, cheap_model=cheap_model)
                      for p in policies], ignore_index=True)
    metrics = [c for c in ("cheap_share", "oracle_cheap_share", "excess_cheap", "cheap_accuracy",
                           "excess_over_cheap_correct", "quality", "reference_quality", "quality_loss")
               if c in over.columns]
    s = seed_summary(over, ["policy", "dataset"], metrics, level)
    qual = ps.pivot_table(index="seed", columns="policy", values="quality")
    overall = {p: float((qual[ref] - qual[p]).mean()) for p in policies}
    s["overall_loss"] = s["policy"].map(overall)
    s["over_routes"] = (s["excess_cheap_lo"] > 0) & (s["quality_loss"] > s["overall_loss"])
    return s


#: The cross-dataset correlations chapter 04 reports: y columns of :func:`dataset_table` and x
#: (``headroom``, which no router learns, is the control for ``gain``).
CORRELATION_YS = ("gain", "rs", "headroom")
CORRELATION_XS = {"training rows": "n_train", "difficulty": "difficulty"}


def dataset_findings(result, bench: Benchmark, policy: str = "mf", n_hard: int = 2,
                     level: float = 0.95) -> dict:
    """Everything chapter 04 measures per dataset, for one evaluated benchmark (simulated or real).

    ``result``: the :class:`~routerlab.evaluation.protocol.EvaluationResult` of ``bench``; it must hold
    ``policy``, the oracle ``"oub"`` and ``fixed:<strongest model>`` (see :func:`model_roles`).
    Returns a dict:

    * ``roles`` -- :func:`model_roles` of ``bench`` (the cheapest, most expensive, strongest model);
    * ``table`` -- :func:`dataset_table` plus ``excess_cheap`` / ``excess_expensive`` (with
      ``_lo`` / ``_hi``): ``policy``'s share of the dataset's test queries sent to the cheapest /
      most expensive model minus the oracle's (:func:`excess_shares`), and ``hard`` (bool);
    * ``hard`` -- the ``n_hard`` datasets of highest difficulty, hardest first;
    * ``correlations`` -- :func:`cross_dataset_correlations` of :data:`CORRELATION_YS` (gain over
      the best single model, RS, and the oracle's headroom as a control) with :data:`CORRELATION_XS` (training rows, difficulty);
    * ``over`` -- :func:`over_routing_verdicts` of every learned policy of ``result`` (``policy``
      alone if the result says none learns), cheap model = the cheapest, reference = the strongest.
    """
    roles = model_roles(bench.quality, bench.cost, bench.model_names)
    table = dataset_table(result, bench, policy, level)
    for key, model in (("excess_cheap", roles["cheapest"]), ("excess_expensive", roles["most_expensive"])):
        ex = excess_shares(result, policy, model, level=level).reindex(table.index)
        table[key] = ex["excess"]
        table[f"{key}_lo"] = ex["excess_lo"]
        table[f"{key}_hi"] = ex["excess_hi"]
    n_hard = int(check_range("n_hard", n_hard, 0))
    hard = list(table["difficulty"].sort_values(ascending=False, kind="stable").index[:n_hard])
    table["hard"] = table.index.isin(hard)
    info = getattr(result, "policy_info", {}) or {}
    learned = [p for p in getattr(result, "policies", [policy]) if info.get(p, {}).get("learns")] or [policy]
    over = over_routing_verdicts(result, learned, roles["cheapest"], roles["strongest"], level=level)
    corr = cross_dataset_correlations(table, CORRELATION_YS, CORRELATION_XS, level)
    return {"roles": roles, "table": table, "hard": hard, "correlations": corr, "over": over}


def dataset_display_table(findings: Mapping, policy_label: str = "MF") -> pd.DataFrame:
    """:func:`dataset_findings`' per-dataset table as text for readers (3 decimals, intervals in
    brackets, readable headers), one row per dataset, hard datasets marked with "(hard)"."""
    t = findings["table"]
    roles = findings["roles"]
    out = pd.DataFrame(index=[f"{d} (hard)" if h else str(d) for d, h in zip(t.index, t["hard"])])
    out.index.name = "dataset"
    out["training rows"] = [f"{x:,.0f}" for x in t["n_train"]]
    out["difficulty"] = [f"{x:.3f}" for x in t["difficulty"]]
    out["best single model"] = list(t["best_single_model"])
    out[f"{policy_label} RS"] = [f"{x:.3f}" for x in t["rs"]]
    out[f"{policy_label} gain over best single [95% CI]"] = [
        format_interval(v, lo, hi) for v, lo, hi in zip(t["gain"], t["gain_lo"], t["gain_hi"])]
    out["oracle RS minus " + policy_label] = [f"{x:.3f}" for x in t["gap"]]
    out[f"excess share to {roles['cheapest']} (cheapest)"] = [
        format_interval(v, lo, hi) for v, lo, hi in zip(t["excess_cheap"], t["excess_cheap_lo"], t["excess_cheap_hi"])]
    out[f"excess share to {roles['most_expensive']} (most expensive)"] = [
        format_interval(v, lo, hi) for v, lo, hi in
        zip(t["excess_expensive"], t["excess_expensive_lo"], t["excess_expensive_hi"])]
    return out
