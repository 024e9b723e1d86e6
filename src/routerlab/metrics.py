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

import numpy as np

from .errors import check_choice

__all__ = [
    "NORMALIZATIONS", "cost_range", "normalized_cost", "rs_terms", "routing_score",
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


def _cell_scores(quality: np.ndarray, cost: np.ndarray, normalization: str) -> np.ndarray:
    """(n, m) RS contribution of sending query i to model j alone."""
    lo, hi = cost_range(cost, normalization)
    if normalization == "per-query":
        lo, hi = lo[:, None], hi[:, None]
    span = hi - lo
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(span > 0, (cost - lo) / np.where(span > 0, span, 1.0), 0.0)
    return quality * (1.0 - np.clip(z, 0.0, 1.0))


def oracle_choice(quality: np.ndarray, cost: np.ndarray, normalization: str = "global") -> np.ndarray:
    """OUB: (n,) the model maximising each query's RS contribution (ties: the cheaper model).

    Needs the ground truth. Where no model scores above 0 the cheapest model is chosen.
    """
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    s = _cell_scores(quality, cost, normalization)
    best = s.max(axis=1, keepdims=True)
    # among the cells reaching the best score, the cheapest
    masked = np.where(s >= best - 1e-15, cost, np.inf)
    return masked.argmin(axis=1)


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
