"""How much the single most expensive call of a benchmark moves the Routing Score.

Under the global normalisation, RS divides every paid cost by the range of the evaluated cost
matrix, so the largest cost cell of the test rows sets ``c_max`` for every policy scored on
them. When that cell is a lone outlier, the splits whose test rows contain it score every
policy against a wider range (each cost factor ``1 - c / c_max`` moves towards 1) than the splits
that do not, and the fixed models' RS swings with the split.

:func:`top_cell_sensitivity` scores the fixed models and the oracle (OUB, global normalisation)
on the test rows of the book's stratified splits (as
:func:`routerlab.evaluation.fixed_scores.fixed_and_bound_scores` does) under four readings of the
cost table (:data:`VARIANTS`):

* ``as published`` -- the costs as they are;
* ``top call dropped`` -- the query holding the benchmark's most expensive cell left out of the
  test rows (nothing changes on a split whose test rows do not hold it);
* ``capped at next largest`` -- every cost capped at the benchmark's second largest cell (only
  the top cell changes; nothing changes when the two largest are equal);
* ``capped at high quantile`` -- every cost capped at the ``quantile`` of all cells (0.999 by
  default: the top 0.1% of cells).

A capped cost is both what the policy pays and what the range is taken from. Vectorised over
queries and models: one (n_test, m) matrix of RS contributions per (seed, variant).
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.splits import stratified_split
from routerlab.errors import RouterlabError
from routerlab.metrics import cell_scores, oracle_choice

__all__ = ["VARIANTS", "OUB", "top_cell", "top_cell_sensitivity", "sensitivity_summary"]

VARIANTS = ("as published", "top call dropped", "capped at next largest", "capped at high quantile")
#: the oracle's row label (global normalisation), beside the fixed models' names
OUB = "OUB (global)"


def top_cell(bench: Benchmark, quantile: float = 0.999) -> dict:
    """The benchmark's most expensive (query, model) cell and the caps of :data:`VARIANTS`.

    Returns ``{"row", "col"`` (its indices; the first in row-major order on a tie), ``"sample_id"``,
    ``"dataset"``, ``"model"``, ``"cost"`` (USD), ``"next_cost"`` (the second largest cell, USD; equal
    to ``cost`` on a tie), ``"quantile"``, ``"quantile_cost"`` (USD, that quantile of all n*m cells)}.
    """
    if not 0.5 <= quantile < 1:
        raise RouterlabError(f"quantile must be in [0.5, 1), got {quantile}; e.g. 0.999 caps the top 0.1% of cells")
    C = np.asarray(bench.cost, dtype=np.float64)
    if C.size < 2 or not np.isfinite(C).all():
        raise RouterlabError("the cost table needs at least two finite cells")
    row, col = np.unravel_index(int(np.argmax(C)), C.shape)
    cells = np.sort(C.ravel())
    return {"row": int(row), "col": int(col), "sample_id": str(bench.sample_ids[row]),
            "dataset": str(bench.datasets[row]), "model": bench.model_names[col], "cost": float(cells[-1]),
            "next_cost": float(cells[-2]), "quantile": float(quantile),
            "quantile_cost": float(np.quantile(cells, quantile))}


def _scores(Q: np.ndarray, C: np.ndarray) -> np.ndarray:
    """(m + 1,) global RS of each fixed model and of OUB on one test set (Q, C: (n, m))."""
    s = cell_scores(Q, C, "global")
    oub = np.take_along_axis(s, oracle_choice(Q, C, "global")[:, None], axis=1)[:, 0]
    return np.append(s.mean(axis=0), oub.mean())


def top_cell_sensitivity(bench: Benchmark, seeds: Iterable[int] = range(5), test_size: float = 0.2,
                         quantile: float = 0.999) -> tuple[pd.DataFrame, dict]:
    """RS of each fixed model and of OUB on each seed's test rows under each of :data:`VARIANTS`.

    Returns ``(frame, cell)``: ``frame`` has one row per (seed, variant, policy) with columns
    ``seed``, ``variant``, ``policy`` (a model name or :data:`OUB`), ``rs`` (global RS in [0, 1]),
    ``in_test`` (whether that seed's test rows hold the top cell's query); ``cell`` is
    :func:`top_cell`'s dict.
    """
    cell = top_cell(bench, quantile)
    Q, C = bench.quality, np.asarray(bench.cost, dtype=np.float64)
    policies = [*bench.model_names, OUB]
    rows = []
    for seed in seeds:
        _, te = stratified_split(bench, test_size, int(seed))
        kept = te[te != cell["row"]]
        for variant, idx, cap in ((VARIANTS[0], te, np.inf), (VARIANTS[1], kept, np.inf),
                                  (VARIANTS[2], te, cell["next_cost"]), (VARIANTS[3], te, cell["quantile_cost"])):
            rs = _scores(Q[idx], np.minimum(C[idx], cap))
            rows.append(pd.DataFrame({"seed": int(seed), "variant": variant, "policy": policies, "rs": rs,
                                      "in_test": len(kept) < len(te)}))
    if not rows:
        raise RouterlabError("no seeds given; pass e.g. seeds=range(5)")
    return pd.concat(rows, ignore_index=True), cell


def sensitivity_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per policy (rows in ``frame``'s order), from :func:`top_cell_sensitivity`'s frame:

    ``rs`` (mean over seeds, as published), ``rs_min`` / ``rs_max`` (its range over the seeds),
    ``change <variant>`` (the variant's seed mean minus the published one, for the three other
    variants), ``spread`` / ``spread capped`` (max - min over the seeds, as published and capped at
    the next largest cell), ``cell move`` (the largest move, signed, of the RS on one seed when the
    top cell alone is dropped or capped: the larger in size of the two) with ``cell move seed``, and
    ``quantile move`` (the same for the cap at the high quantile).
    """
    wide = frame.pivot_table(index=["policy", "seed"], columns="variant", values="rs", sort=False)
    moves = wide[list(VARIANTS[1:])].sub(wide[VARIANTS[0]], axis=0)
    by = wide[VARIANTS[0]].groupby(level="policy", sort=False)
    out = pd.DataFrame({"rs": by.mean(), "rs_min": by.min(), "rs_max": by.max()})
    means = wide.groupby(level="policy", sort=False).mean()
    for v in VARIANTS[1:]:
        out[f"change {v}"] = means[v] - means[VARIANTS[0]]
    out["spread"] = out["rs_max"] - out["rs_min"]
    capped = wide[VARIANTS[2]].groupby(level="policy", sort=False)
    out["spread capped"] = capped.max() - capped.min()
    cell = moves[list(VARIANTS[1:3])].to_numpy()
    cell = cell[np.arange(len(cell)), np.abs(cell).argmax(axis=1)]  # (policies x seeds,) the larger of the two
    cell = pd.Series(cell, index=moves.index)
    at = cell.abs().groupby(level="policy", sort=False).idxmax()
    out["cell move"] = cell.loc[at.to_list()].to_numpy()
    out["cell move seed"] = [int(s) for _, s in at]
    q = moves[VARIANTS[3]]
    out["quantile move"] = q.loc[q.abs().groupby(level="policy", sort=False).idxmax().to_list()].to_numpy()
    return out.loc[list(dict.fromkeys(frame["policy"]))]
