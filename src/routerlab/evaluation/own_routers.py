"""Your router against the yardsticks: the zero router, the task-aware baseline and the oracle.

    result = rl.evaluate(bench, [MyRouter(), "dataset-best", "oub"], seeds=range(3))
    table = baseline_comparison(result, bench, ["MyRouter"])

(``routerlab evaluate --router-module my_router.py:MyRouter`` prints the same table.) A user's
router is scored only after it passes the blindness test of :func:`routerlab.routing.user.check_blind`,
which :func:`~routerlab.evaluation.protocol.evaluate` applies to it.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError
from routerlab.evaluation.protocol import EvaluationResult
from routerlab.metrics import hull_value, zero_router

__all__ = ["YARDSTICKS", "baseline_comparison"]

#: The policies a user's router is shown beside (the zero router is computed from the test rows).
YARDSTICKS = ("dataset-best", "oub")


def baseline_comparison(result: EvaluationResult, bench: Benchmark, policies: Sequence[str]) -> pd.DataFrame:
    """One row per policy of ``policies`` and of :data:`YARDSTICKS` that ``result`` evaluated,
    seed means: ``rs``, ``quality``, ``mean_cost`` (USD/query), ``zero_router_quality`` (the
    quality the zero router -- the upper hull of the single models' (mean cost, quality) points on
    the same test rows, :func:`routerlab.metrics.zero_router` -- reaches at that mean cost; NaN
    below the cheapest model), ``over_zero_router`` (quality minus it), ``rs_vs_dataset_best``
    and ``rs_gap_to_oracle`` (oracle RS minus the policy's); then a row ``best single model
    (<name>)`` with the RS of the best fixed model on the test rows.

    ``bench``: the benchmark ``result`` was computed on (its test rows give the zero router).
    """
    wanted = list(dict.fromkeys([*policies, *YARDSTICKS]))
    missing = [p for p in policies if p not in result.policies]
    if missing:
        raise RouterlabError(f"policy {missing[0]!r} was not evaluated; evaluated: {', '.join(result.policies)}")
    rows = [p for p in wanted if p in result.policies]
    ps = result.per_seed.set_index(["policy", "seed"])
    zero = {p: [] for p in rows}
    for seed in result.seeds:
        te = result.test_idx[seed]
        hc, hq = zero_router(bench.cost[te].mean(axis=0), bench.quality[te].mean(axis=0))
        at = np.array([ps.loc[(p, seed), "mean_cost"] for p in rows])
        for p, v in zip(rows, hull_value(hc, hq, at)):
            zero[p].append(v)
    means = ps.groupby(level="policy").mean(numeric_only=True)
    out = pd.DataFrame(index=pd.Index(rows, name="policy"))
    out["rs"] = means.loc[rows, "rs"]
    out["quality"] = means.loc[rows, "quality"]
    out["mean_cost"] = means.loc[rows, "mean_cost"]
    out["zero_router_quality"] = [float(np.mean(zero[p])) for p in rows]
    out["over_zero_router"] = out["quality"] - out["zero_router_quality"]
    out["rs_vs_dataset_best"] = means.loc[rows, "gain_vs_dataset_best"]
    out["rs_gap_to_oracle"] = means.loc[rows, "gap_to_oracle"]
    best = result.per_seed["best_single_model"].mode().iloc[0]
    out.loc[f"best single model ({best})", "rs"] = float(result.per_seed.groupby("seed")["best_single_rs"].first().mean())
    return out
