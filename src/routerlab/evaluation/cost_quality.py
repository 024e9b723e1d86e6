"""The cost-quality plane on any benchmark, simulated or real: chapter 07's study and its summaries.

* :func:`text_frontier_study` -- :func:`routerlab.evaluation.curves.frontier_study` on a benchmark with
  prompt texts and no features (the real sources): for every seed, TF-IDF + SVD features are fitted
  on that seed's TRAINING prompts and applied to all rows (as :func:`routerlab.evaluation.protocol.evaluate`
  does), then the study runs on that seed's split. On a benchmark with features it is
  ``frontier_study`` itself.
* :func:`router_summary` -- mean over splits and a 95% t-interval of each router's columns.
* :func:`rank_agreement` -- Spearman's rho (and Kendall's tau) between two metrics' rankings of
  the routers, on the means and per split (with a t-interval of the per-split rho).
* :func:`distinct_points` -- how many distinct operating points each router's curve has;
* :func:`best_policy` -- the policy with the highest mean of a metric among candidates.
* :func:`hull_curves` -- one split's operating points per router;
* :func:`plane_panel` -- one split's curves, one-point routers, single models and zero-router
  hull, as :func:`routerlab.book.plots.plot_hull_panel` takes them;
* :func:`comparison_table` -- routers x (benchmark, metric) text cells "mean [lo, hi]" for a reader.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.evaluation.curves import FrontierStudy, frontier_study
from routerlab.locks import entry_lock

__all__ = ["LEARNED", "READS_TRUTH", "text_frontier_study", "router_summary", "rank_agreement",
           "best_policy", "hull_curves", "plane_panel", "comparison_table", "distinct_points"]

#: Routers of the frontier study that learn from the training rows.
LEARNED = ("mf", "bert-cls", "seq-cls", "causal-lm", "knn", "mlp", "cascade", "frugalgpt")
#: Policies of the frontier study that read the test truth (not deployable).
READS_TRUTH = ("judge-cascade", "oracle")


def text_frontier_study(bench: Benchmark, seeds: Iterable[int] = range(5), *, test_size: float = 0.2,
                        features: str = "tfidf", dim: int = 64, cache_dir=None, **options) -> FrontierStudy:
    """:func:`~routerlab.evaluation.curves.frontier_study` with per-seed text features when needed.

    If ``bench`` has ``features`` (the simulator) or no ``prompts``, this is
    ``frontier_study(bench, seeds=seeds, test_size=test_size, **options)``. Otherwise, for each
    seed: the stratified split of ``frontier_study`` (:func:`~routerlab.evaluation.protocol.stratified_split`,
    which depends only on datasets, quality and the seed), a ``features`` extractor (``dim``
    dimensions, seeded by the seed) fitted on the training prompts and applied to every row, and
    ``frontier_study`` on that seed alone. Returns the concatenated :class:`FrontierStudy`.

    ``cache_dir``: a folder where the result is stored and reused for identical benchmark content,
    arguments and package code (as :func:`routerlab.evaluation.protocol.evaluate` caches); None = the
    folder in ``$ROUTERLAB_CACHE_DIR`` if set (the book runner sets it), else no cache; False = no
    cache.
    """
    seeds = [int(s) for s in seeds]
    folder = _cache_folder(bench, seeds, dict(test_size=test_size, features=features, dim=dim, **options),
                           cache_dir)
    if folder is None:
        return _text_frontier_study(bench, seeds, test_size, features, dim, options)
    with entry_lock(folder):
        if (folder / "curves.parquet").is_file():
            try:
                return FrontierStudy(points=pd.read_parquet(folder / "points.parquet"),
                                     curves=pd.read_parquet(folder / "curves.parquet"))
            except Exception:  # an unreadable cache entry: recompute and overwrite
                pass
        st = _text_frontier_study(bench, seeds, test_size, features, dim, options)
        _save(st, folder)
    return st


def _cache_folder(bench: Benchmark, seeds, args: dict, cache_dir):
    from routerlab.data.benchmark import benchmark_fingerprint
    from routerlab.evaluation.cache import entry_path

    return entry_path(cache_dir, "frontier-{key}", {"benchmark": benchmark_fingerprint(bench), "seeds": seeds,
                                                    "args": args})


def _save(study: FrontierStudy, folder) -> None:
    """Write ``study`` to ``folder`` atomically (written aside, then renamed); errors only cost the cache."""
    import os
    import shutil
    import tempfile

    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent)
        study.points.to_parquet(os.path.join(tmp, "points.parquet"), index=False)
        study.curves.to_parquet(os.path.join(tmp, "curves.parquet"), index=False)
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    except OSError:
        pass


def _text_frontier_study(bench: Benchmark, seeds: list, test_size: float, features: str, dim: int,
                         options: dict) -> FrontierStudy:
    from routerlab.data.splits import stratified_split
    from routerlab.routing.features import split_text_features

    if bench.features is not None or bench.prompts is None:
        return frontier_study(bench, seeds=seeds, test_size=test_size, **options)
    points, curves = [], []
    for seed in seeds:
        tr, te = stratified_split(bench, test_size, seed)
        x_tr, x_te = split_text_features(bench.prompts, tr, te, kind=features, dim=dim, seed=seed)
        x = np.empty((bench.n_queries, x_tr.shape[1]), dtype=np.float64)
        x[tr], x[te] = x_tr, x_te
        st = frontier_study(replace(bench, features=x), seeds=[seed], test_size=test_size, **options)
        points.append(st.points)
        curves.append(st.curves)
    return FrontierStudy(points=pd.concat(points, ignore_index=True),
                         curves=pd.concat(curves, ignore_index=True))


def router_summary(points: pd.DataFrame, routers: Sequence[str], columns: Sequence[str],
                   level: float = 0.95, clip: tuple[float, float] | None = None) -> pd.DataFrame:
    """Mean over splits with a t-interval, one row per router of ``routers`` (in that order).

    ``points``: :attr:`FrontierStudy.points` (one row per (seed, router)). Returns columns
    ``<col>``, ``<col>_lo``, ``<col>_hi`` for each of ``columns``; NaN where a router has no value
    (e.g. no RS for the zero router) or fewer than two splits (interval). Routers absent from
    ``points`` are left out. ``clip``: the range of a bounded metric (e.g. (0, 1) for RS and AIQ)
    to which the intervals are clipped (a t-interval over few splits can leave it).
    """
    from routerlab.metrics import t_interval

    present = [r for r in routers if r in set(points["router"])]
    out = pd.DataFrame(index=pd.Index(present, name="router"))
    for col in columns:
        wide = points.pivot_table(index="seed", columns="router", values=col, aggfunc="mean",
                                  dropna=False).reindex(columns=present)
        v = wide.to_numpy(dtype=np.float64)
        with np.errstate(invalid="ignore"):
            lo, hi = t_interval(v, axis=0, level=level)
        if clip is not None:
            lo, hi = np.clip(lo, *clip), np.clip(hi, *clip)
        finite = np.isfinite(v)
        out[col] = np.where(finite.any(axis=0), np.where(finite, v, 0).sum(axis=0)
                            / np.maximum(finite.sum(axis=0), 1), np.nan)
        out[f"{col}_lo"], out[f"{col}_hi"] = lo, hi
    return out


def rank_agreement(points: pd.DataFrame, routers: Sequence[str], x: str = "rs", y: str = "aiq_cmax",
                   level: float = 0.95) -> dict:
    """How alike ``x`` and ``y`` rank ``routers`` (those in ``points`` with both values).

    Returns ``{"rho", "tau"}`` (Spearman and Kendall on the means over splits),
    ``"rho_split"`` (the mean of the per-split Spearman rhos) with ``"rho_lo"``, ``"rho_hi"``
    (its t-interval, clipped to [-1, 1]; NaN with fewer than two splits), ``"rho_per_seed"``
    (list) and ``"routers"`` (the routers used). With fewer than three routers every value is NaN.
    """
    from scipy.stats import kendalltau, spearmanr

    from routerlab.metrics import t_interval

    summ = router_summary(points, routers, [x, y])
    summ = summ[np.isfinite(summ[x]) & np.isfinite(summ[y])]
    used = list(summ.index)
    nan = float("nan")
    out = {"rho": nan, "tau": nan, "rho_split": nan, "rho_lo": nan, "rho_hi": nan, "rho_per_seed": [], "routers": used}
    if len(used) < 3:
        return out
    out["rho"] = float(spearmanr(summ[x], summ[y]).statistic)
    out["tau"] = float(kendalltau(summ[x], summ[y]).statistic)
    per_seed = []
    for _, p in points[points["router"].isin(used)].groupby("seed"):
        per_seed.append(float(spearmanr(p[x], p[y]).statistic))
    out["rho_per_seed"] = per_seed
    out["rho_split"] = float(np.mean(per_seed)) if per_seed else nan
    if len(per_seed) > 1 and np.isfinite(per_seed).all():
        lo, hi = t_interval(np.array(per_seed)[:, None], level=level)
        out["rho_lo"], out["rho_hi"] = float(np.clip(lo[0], -1, 1)), float(np.clip(hi[0], -1, 1))
    return out


def best_policy(points: pd.DataFrame, candidates: Sequence[str], metric: str = "aiq_cmax") -> str | None:
    """The candidate with the highest mean of ``metric`` over splits (first in ``candidates`` on a
    tie), or None when no candidate has a finite value."""
    summ = router_summary(points, candidates, [metric])[metric].dropna()
    if summ.empty:
        return None
    return str(summ.index[int(np.argmax(summ.to_numpy()))])


def hull_curves(curves: pd.DataFrame, seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """{router: (costs (k,), qualities (k,))} of split ``seed`` from :attr:`FrontierStudy.curves`
    (mean USD per query and mean quality of each operating point, in stored order)."""
    c = curves[curves["seed"] == seed]
    return {r: (d["cost"].to_numpy(dtype=np.float64), d["quality"].to_numpy(dtype=np.float64))
            for r, d in c.groupby("router", sort=False)}


def plane_panel(study: FrontierStudy, seed: int = 0) -> dict:
    """Split ``seed`` of ``study`` in the form :func:`routerlab.book.plots.plot_hull_panel` takes.

    Returns ``{"curves": {router: (costs, qualities)}`` (routers with more than one operating
    point), ``"points": {label: (cost, quality)}`` (the oracle first, then one-point routers),
    ``"singles": (costs (m,), qualities (m,))`` (the single models) and ``"zero": (costs,
    qualities)`` (the zero router's hull)}. Costs are mean USD per query.
    """
    from routerlab.metrics import ndch

    cur = hull_curves(study.curves, seed)
    fixed = [r for r in cur if r.startswith("fixed:")]
    others = [r for r in cur if r not in fixed and r not in ("zero router", "oracle")]
    curves = {r: cur[r] for r in others if len(cur[r][0]) > 1}
    points = {}
    if "oracle" in cur:
        points["oracle"] = (float(cur["oracle"][0][0]), float(cur["oracle"][1][0]))
    points |= {r: (float(cur[r][0][0]), float(cur[r][1][0])) for r in others if len(cur[r][0]) == 1}
    singles = (np.array([cur[r][0][0] for r in fixed]), np.array([cur[r][1][0] for r in fixed]))
    zero = ndch(*cur["zero router"]) if "zero router" in cur else None
    return {"curves": curves, "points": points, "singles": singles, "zero": zero}


def comparison_table(studies: dict, routers: Sequence[str], metrics: dict, fmt: str = "{:.3f}",
                     missing: str = "n/a", clip: tuple[float, float] | None = (0.0, 1.0)) -> pd.DataFrame:
    """Routers x (benchmark, metric) text cells "0.612 [0.590, 0.634]" (mean over splits, 95%
    t-interval), for a reader.

    ``studies``: {benchmark label: :class:`FrontierStudy` or None (data missing)}; ``routers``:
    the rows, in order (a router a study lacks gets ``missing``); ``metrics``: {column of
    ``points``: header}; ``clip``: range the intervals are clipped to (default [0, 1], right for
    RS, quality and AIQ). Column labels are (benchmark label, header).
    """
    from routerlab.evaluation.fixed_scores import interval_text

    parts = {}
    for label, st in studies.items():
        block = pd.DataFrame(missing, index=list(routers), columns=list(metrics.values()))
        if st is not None:
            summ = router_summary(st.points, routers, list(metrics), clip=clip)
            for col, head in metrics.items():
                for r in summ.index:
                    block.loc[r, head] = interval_text(summ.loc[r, col], summ.loc[r, f"{col}_lo"],
                                                       summ.loc[r, f"{col}_hi"], fmt, missing)
        parts[label] = block
    return pd.concat(parts, axis=1)


def distinct_points(study: FrontierStudy, decimals: int = 12) -> pd.Series:
    """Mean over splits of the number of distinct (cost, quality) operating points of each router
    (rounded to ``decimals``), indexed by router. A sweep whose knob never changes a choice (e.g.
    budgets above every query's cost) collapses to one point."""
    c = study.curves
    pts = pd.Series(list(zip(c["cost"].round(decimals), c["quality"].round(decimals))), index=c.index)
    return pts.groupby([c["seed"], c["router"]]).nunique().groupby(level=1).mean()
