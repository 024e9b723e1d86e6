"""The Routing Score (RS) and its bounds: pure functions of arrays.

RS (claims.yaml ``rs.definition``), reported as a mean in [0, 1]::

    RS = mean_i  quality_i * (1 - (paid_i - cost_min) / (cost_max - cost_min))

``quality_i`` is the quality of the answer the policy returned for query i and ``paid_i`` the cost
it actually paid (a cascade pays for every model it called). The article leaves ``cost_min`` and
``cost_max`` undefined; two readings are implemented:

* ``"global"`` (default): min and max of the cost matrix over all evaluated queries and models.
  The only reading consistent with the article's Llama-3-8B pair (RS 0.532 < quality 0.600).
* ``"per-query"``: min and max over the models for each query separately.

A paid cost outside [cost_min, cost_max] (a cascade can pay more than the dearest single call) is
clipped, so each query's cost factor lies in [0, 1] and RS in [0, 1] for qualities in [0, 1].
"""

from __future__ import annotations

import math

import numpy as np

from routerlab.errors import check_choice

__all__ = [
    "NORMALIZATIONS", "cost_range", "normalized_cost", "rs_terms", "routing_score", "cell_scores",
    "oracle_choice", "qoub_choice", "coub_choice", "policy_summary",
]

NORMALIZATIONS = ("global", "per-query")


def cost_range(cost: np.ndarray, normalization: str = "global") -> tuple[np.ndarray, np.ndarray]:
    """``(cost_min, cost_max)`` for a (n, m) USD cost matrix: scalars (global) or (n,) arrays."""
    check_choice("normalization", normalization, NORMALIZATIONS)
    cost = np.asarray(cost, dtype=np.float64)
    if normalization == "global":
        return np.asarray(cost.min()), np.asarray(cost.max())
    return cost.min(axis=1), cost.max(axis=1)


def normalized_cost(paid: np.ndarray, cost: np.ndarray, normalization: str = "global") -> np.ndarray:
    """(n,) paid cost mapped to [0, 1] by the chosen min-max normalisation (0 where max == min)."""
    lo, hi = cost_range(cost, normalization)
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(span > 0, (np.asarray(paid, dtype=np.float64) - lo) / np.where(span > 0, span, 1.0), 0.0)
    return np.clip(z, 0.0, 1.0)


def rs_terms(quality: np.ndarray, paid: np.ndarray, cost: np.ndarray,
             normalization: str = "global") -> np.ndarray:
    """(n,) per-query RS contributions ``quality * (1 - normalized_cost(paid))``.

    ``quality`` (n,) in [0, 1] of the returned answers, ``paid`` (n,) USD, ``cost`` (n, m) USD of
    every model on every evaluated query (it defines the normalisation range).
    """
    return np.asarray(quality, dtype=np.float64) * (1.0 - normalized_cost(paid, cost, normalization))


def routing_score(quality: np.ndarray, paid: np.ndarray, cost: np.ndarray,
                  normalization: str = "global") -> float:
    """The Routing Score: the mean of :func:`rs_terms`, a number in [0, 1]."""
    return float(rs_terms(quality, paid, cost, normalization).mean())


def cell_scores(quality: np.ndarray, cost: np.ndarray, normalization: str = "global",
                cost_for_range: np.ndarray | None = None) -> np.ndarray:
    """(n, m) RS contribution of answering query i with model j alone.

    ``quality * (1 - clip((cost - cost_min) / (cost_max - cost_min), 0, 1))`` with the range taken
    from ``cost_for_range`` ((n, M) USD, default ``cost``), globally or per query.
    """
    from routerlab.errors import RouterlabError

    q = np.asarray(quality, dtype=np.float64)
    c = np.asarray(cost, dtype=np.float64)
    ref = c if cost_for_range is None else np.asarray(cost_for_range, dtype=np.float64)
    if ref.shape[0] != c.shape[0]:
        raise RouterlabError(f"cost_for_range has {ref.shape[0]} rows for {c.shape[0]} queries")
    lo, hi = cost_range(ref, normalization)
    if normalization == "per-query":
        lo, hi = lo[:, None], hi[:, None]
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(span > 0, (c - lo) / np.where(span > 0, span, 1.0), 0.0)
    return q * (1.0 - np.clip(z, 0.0, 1.0))


def oracle_choice(quality: np.ndarray, cost: np.ndarray, normalization: str = "global",
                  cost_for_range: np.ndarray | None = None) -> np.ndarray:
    """OUB: (n,) the model maximising each query's RS contribution.

    Ties: the higher quality, then the cheaper model. Needs the ground truth. Where no model
    scores above 0 the cheapest among the best-quality models is chosen. ``cost_for_range``: as
    in :func:`cell_scores` (e.g. a batch scored with the cost range of a whole table).
    """
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    s = cell_scores(quality, cost, normalization, cost_for_range)
    best = s.max(axis=1, keepdims=True)
    # among the cells reaching the best score, the best quality, then the cheapest (a correct
    # answer whose cost factor is 0 ties with wrong answers; the oracle still answers correctly)
    tied = s >= best - 1e-15
    tied &= quality >= np.where(tied, quality, -np.inf).max(axis=1, keepdims=True)
    return np.where(tied, cost, np.inf).argmin(axis=1)


def qoub_choice(quality: np.ndarray, overall_accuracy: np.ndarray | None = None) -> np.ndarray:
    """QOUB: (n,) cost ignored, a model with the best quality on each query.

    Among the models that reach a query's best quality, the most accurate model overall is taken
    ("always choose the most accurate model" that gets the query right), so the quality equals
    the oracle's while the cost is what ignoring cost buys. ``overall_accuracy`` (m,) defaults to
    the column means of ``quality``.
    """
    quality = np.asarray(quality, dtype=np.float64)
    acc = quality.mean(axis=0) if overall_accuracy is None else np.asarray(overall_accuracy)
    best = quality.max(axis=1, keepdims=True)
    key = np.where(quality >= best, acc[None, :], -np.inf)
    return key.argmax(axis=1)


def coub_choice(quality: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """COUB: (n,) the cheapest model that answers correctly (quality == 1); if none does, the
    cheapest model. With fractional quality, "correct" means the query's best quality > 0."""
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    best = quality.max(axis=1, keepdims=True)
    ok = (quality >= best) & (best > 0)
    ok |= ~ok.any(axis=1, keepdims=True)  # no correct model: any model is allowed
    return np.where(ok, cost, np.inf).argmin(axis=1)


def policy_summary(quality: np.ndarray, paid: np.ndarray, cost: np.ndarray,
                   reference_mean_cost: float, normalization: str = "global") -> dict:
    """RS, quality, mean cost (USD/query) and cost reduction vs a reference mean cost.

    ``cost_reduction = 1 - mean(paid) / reference_mean_cost`` (e.g. against always using the most
    expensive model).
    """
    mean_cost = float(np.mean(paid))
    return {
        "rs": routing_score(quality, paid, cost, normalization),
        "quality": float(np.mean(quality)),
        "mean_cost": mean_cost,
        "cost_reduction": 1.0 - mean_cost / reference_mean_cost if reference_mean_cost > 0 else float("nan"),
    }


# ---- The cost-quality plane: RouterBench's NDCH and AIQ, RouteLLM's PGR, APGR and CPT -------------
#
# A router evaluated at several operating points (a willingness-to-pay grid, thresholds, budgets)
# is a set of (cost, quality) points. RouterBench (arXiv 2403.12031) summarises it by its
# non-decreasing convex hull (NDCH: any two points can be mixed at random, and money can always
# be wasted) and the area under that hull (AIQ). RouteLLM (arXiv 2406.18665) compares two-model
# routers by the performance gap recovered (PGR) as a function of the share of strong-model calls.

__all__ += ["ndch", "zero_router", "hull_value", "aiq", "aiq_table", "pgr", "apgr", "cpt",
            "AIQ_NORMALIZATIONS"]

AIQ_NORMALIZATIONS = ("cmax", "range")
_NDCH_PASSES = 32  # vectorised chord passes before the monotone-chain fallback (see ndch)


def _points(costs, qualities) -> tuple[np.ndarray, np.ndarray]:
    from routerlab.errors import RouterlabError

    c = np.asarray(costs, dtype=np.float64).ravel()
    q = np.asarray(qualities, dtype=np.float64).ravel()
    if c.shape != q.shape:
        raise RouterlabError(f"costs ({c.size}) and qualities ({q.size}) must have the same length")
    if c.size == 0:
        raise RouterlabError("a cost-quality curve needs at least one point")
    if not (np.isfinite(c).all() and np.isfinite(q).all()):
        raise RouterlabError("costs and qualities must be finite (drop NaN operating points first)")
    return c, q


def ndch(costs, qualities) -> tuple[np.ndarray, np.ndarray]:
    """Non-decreasing upper convex hull of the points ``(costs[i], qualities[i])``.

    ``costs``, ``qualities``: (n,) any units (USD, mean quality). Returns ``(hull_costs,
    hull_qualities)``, (h,) each, sorted by increasing cost with strictly increasing quality: the
    upper concave envelope from the cheapest point (the best one at that cost) up to the cheapest
    point of maximal quality. Collinear middle points are dropped. O(n log n): a sort, a
    vectorised Pareto filter and chord passes, and Andrew's monotone chain as the fallback.
    10,000 random points take about a millisecond. Unlike RouterBench's O(n^3) ``get_non_descreasing_convex_hull_of``
    this handles 1 or 2 points and any number of decreasing stretches.
    """
    c, q = _points(costs, qualities)
    order = np.lexsort((-q, c))  # by cost, best quality first among equal costs
    c, q = c[order], q[order]
    # only Pareto points (better than every cheaper-or-equal point) can be on a rising hull;
    # this vectorised filter also keeps one point per cost and stops at the first maximum
    keep = np.r_[True, q[1:] > np.maximum.accumulate(q)[:-1]]
    c, q = c[keep], q[keep]
    # Vectorised passes: a vertex on or below the chord of its two neighbours is never on the
    # upper hull; drop all such vertices at once until none is left (a polyline that turns right
    # at every vertex is concave, i.e. its own hull). Few passes in practice; after 32 passes
    # finish with Andrew's monotone chain, which is O(n) on the sorted points.
    for _ in range(_NDCH_PASSES):
        if len(c) < 3:
            return c, q
        cross = (c[1:-1] - c[:-2]) * (q[2:] - q[:-2]) - (q[1:-1] - q[:-2]) * (c[2:] - c[:-2])
        bad = cross >= 0  # middle point on or below the chord
        if not bad.any():
            return c, q
        keep = np.r_[True, ~bad, True]
        c, q = c[keep], q[keep]
    hull: list[int] = []
    for i in range(len(c)):
        while len(hull) >= 2:
            a, b = hull[-2], hull[-1]
            if (c[b] - c[a]) * (q[i] - q[a]) - (q[b] - q[a]) * (c[i] - c[a]) >= 0:
                hull.pop()
            else:
                break
        hull.append(i)
    idx = np.array(hull)
    return c[idx], q[idx]


def zero_router(costs, qualities) -> tuple[np.ndarray, np.ndarray]:
    """RouterBench's "zero router": the NDCH of the single-model points.

    ``costs``, ``qualities``: (m,) one point per model (its total or mean cost and its mean
    quality on the evaluated set). The hull is what a query-blind random mixture of fixed models
    achieves, so a router is worth its name only above it.
    """
    return ndch(costs, qualities)


def hull_value(hull_costs, hull_qualities, at) -> np.ndarray:
    """Height of a hull (from :func:`ndch`) at costs ``at`` (k,): linear between hull points,
    flat after the last one (money can be wasted), NaN before the first (not reachable)."""
    hc = np.asarray(hull_costs, dtype=np.float64)
    hq = np.asarray(hull_qualities, dtype=np.float64)
    x = np.asarray(at, dtype=np.float64)
    return np.where(x < hc[0], np.nan, np.interp(x, hc, hq))


def aiq(costs, qualities, c_max: float | None = None, c_min: float | None = None,
        normalization: str = "cmax") -> float:
    """Average Improvement in Quality: the mean height of a router's NDCH over a cost range.

    ``costs``, ``qualities``: (n,) the router's operating points. The hull (see :func:`ndch`) is
    extended flat to ``c_max`` (default: its own largest cost; when comparing routers pass the
    largest hull cost among ALL of them, as RouterBench does). The area A is the integral of the
    hull from its cheapest point to ``c_max`` (0 to the left of that point: the router cannot
    operate there; the part of the hull beyond ``c_max`` is cut off). Two normalisations:

    * ``"cmax"`` -- A / c_max, RouterBench's code (``calc_AIQ``: ``np.trapz`` over the hull divided
      by c_max, c_min treated as 0);
    * ``"range"`` -- the integral from ``c_min`` to ``c_max`` divided by (c_max - c_min), the
      paper's formula; ``c_min`` defaults to the router's cheapest cost (pass the smallest cost
      among the compared routers for a common range).

    Both are qualities (a number in [0, 1] for qualities in [0, 1]).
    """
    from routerlab.errors import RouterlabError

    check_choice("AIQ normalization", normalization, AIQ_NORMALIZATIONS)
    hc, hq = ndch(costs, qualities)
    hi = float(hc[-1]) if c_max is None else float(c_max)
    lo_default = 0.0 if normalization == "cmax" else float(hc[0])
    lo = lo_default if c_min is None else float(c_min)
    if not hi > lo:
        raise RouterlabError(f"AIQ needs c_max > c_min, got c_max={hi:g}, c_min={lo:g}")
    # breakpoints inside [max(lo, hc[0]), hi]; the integrand is 0 left of the hull
    start = max(lo, float(hc[0]))
    if start >= hi:
        area = 0.0
    else:
        xs = np.unique(np.r_[start, hc[(hc > start) & (hc < hi)], hi])
        ys = np.interp(xs, hc, hq)
        area = float(np.sum((xs[1:] - xs[:-1]) * (ys[1:] + ys[:-1]) / 2.0))
    return area / hi if normalization == "cmax" else area / (hi - lo)


def aiq_table(curves: dict, normalization: str = "cmax", common_range: bool = True) -> dict:
    """{name: AIQ} for several routers' curves {name: (costs (n,), qualities (n,))}.

    With ``common_range`` (RouterBench's protocol) every hull is extended to the largest hull
    cost among all curves, and with ``"range"`` integrated from the smallest cost among them.
    """
    hulls = {k: ndch(*v) for k, v in curves.items()}
    if not hulls:
        return {}
    c_max = max(float(h[0][-1]) for h in hulls.values()) if common_range else None
    c_min = min(float(h[0][0]) for h in hulls.values()) if common_range and normalization == "range" else None
    return {k: aiq(*curves[k], c_max=c_max, c_min=c_min, normalization=normalization) for k in curves}


def pgr(quality, weak: float, strong: float) -> np.ndarray:
    """Performance gap recovered (RouteLLM): (quality - weak) / (strong - weak), elementwise.

    ``quality`` (k,) mean score of a router at k operating points; ``weak``, ``strong`` the mean
    scores of the two models alone on the same queries (strong > weak required).
    """
    from routerlab.errors import RouterlabError

    if not strong > weak:
        raise RouterlabError(f"PGR needs strong > weak quality, got strong={strong:g}, weak={weak:g}")
    return (np.asarray(quality, dtype=np.float64) - weak) / (strong - weak)


def _sorted_curve(strong_share, quality) -> tuple[np.ndarray, np.ndarray]:
    from routerlab.errors import RouterlabError

    x, y = _points(strong_share, quality)
    if x.min() < 0 or x.max() > 1:
        raise RouterlabError("strong_share must be a fraction in [0, 1] (divide percentages by 100)")
    order = np.lexsort((y, x))
    return x[order], y[order]


def apgr(strong_share, quality, weak: float, strong: float) -> float:
    """Average PGR over the strong-call share, as RouteLLM's ``evaluate.py`` computes it.

    ``strong_share`` (k,) fraction of queries sent to the strong model at each operating point
    (include the 0 and 1 end points), ``quality`` (k,) the router's mean score there. The points
    are sorted by share; AUC = trapezoid area of quality over share; APGR = (AUC - weak_auc) /
    (strong_auc - weak_auc) with the constant lines' areas over the same grid, i.e. the
    trapezoid mean of PGR over the covered share range.
    """
    pgr(0.0, weak, strong)  # checks strong > weak
    x, y = _sorted_curve(strong_share, quality)
    span = float(x[-1] - x[0])
    if span <= 0:
        return float(pgr(y.mean(), weak, strong))
    auc = float(np.sum((x[1:] - x[:-1]) * (y[1:] + y[:-1]) / 2.0))
    return float((auc - weak * span) / ((strong - weak) * span))


def cpt(x: float, strong_share, quality, weak: float, strong: float, method: str = "first") -> float:
    """Call-performance threshold CPT(x): the smallest strong-call share reaching PGR >= x.

    ``x`` in (0, 1] (0.5 for CPT(50%)); ``strong_share``, ``quality`` (k,) the router's curve.
    ``method="first"`` walks the piecewise-linear curve (sorted by share) and returns the share at
    its first crossing of the target quality, exact for non-monotone curves (NaN if never reached).
    ``method="routellm"`` reproduces RouteLLM's ``np.interp(target, quality, share)``, which is
    only right when quality increases with share. Returns a fraction in [0, 1].
    """
    from routerlab.errors import RouterlabError, check_range

    check_range("CPT level x", x, 0.0, 1.0, lo_open=True)
    check_choice("CPT method", method, ("first", "routellm"))
    if not strong > weak:
        raise RouterlabError(f"CPT needs strong > weak quality, got strong={strong:g}, weak={weak:g}")
    s, y = _sorted_curve(strong_share, quality)
    target = weak + x * (strong - weak)
    if method == "routellm":
        return float(np.interp(target, y, s))
    hit = y >= target - 1e-12
    if not hit.any():
        return float("nan")
    k = int(np.argmax(hit))
    if k == 0:
        return float(s[0])
    # the segment (k-1, k) crosses the target: linear interpolation of the share
    t = (target - y[k - 1]) / (y[k] - y[k - 1])
    return float(s[k - 1] + t * (s[k] - s[k - 1]))


def t_interval(values: np.ndarray, axis: int = 0, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Two-sided t-interval of the mean along ``axis`` (NaN with fewer than two values)."""
    from scipy import stats

    v = np.asarray(values, dtype=np.float64)
    k = v.shape[axis]
    mean = v.mean(axis=axis)
    if k < 2:
        nan = np.full_like(mean, np.nan)
        return nan, nan.copy()
    half = stats.t.ppf(0.5 + level / 2, k - 1) * v.std(axis=axis, ddof=1) / math.sqrt(k)
    return mean - half, mean + half


def roc_auc(labels, scores) -> float | np.ndarray:
    """ROC AUC of ``scores`` for the 0/1 (or boolean) ``labels``: the probability that a random
    positive scores above a random negative, ties counting 1/2 (Mann-Whitney U with average ranks).

    ``labels``, ``scores``: (n,) for one AUC (a float), or (n, m) for one AUC per column (an (m,)
    array, vectorised). NaN where a column has only one class.
    """
    from scipy.stats import rankdata

    y = np.asarray(labels).astype(bool)
    s = np.asarray(scores, dtype=np.float64)
    if y.shape != s.shape or y.ndim not in (1, 2):
        raise ValueError(f"labels {y.shape} and scores {s.shape} must have the same shape, (n,) or (n, m)")
    ranks = rankdata(s, axis=0)
    pos = y.sum(axis=0).astype(np.float64)
    neg = y.shape[0] - pos
    u = (ranks * y).sum(axis=0) - pos * (pos + 1) / 2.0
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where((pos > 0) & (neg > 0), u / (pos * neg), np.nan)
    return float(out) if out.ndim == 0 else out


__all__ += ["t_interval", "roc_auc"]
