"""Scores of the policies that learn nothing (fixed models and the three bounds) on the book's
test splits, under both RS normalisations, with 95% intervals across seeds.

Chapter 02 scores these policies on every row of the simulated benchmark (nothing is learned, so
nothing needs holding out). To put a real-data result beside a simulated one with the protocol
of the learned routers, :func:`fixed_and_bound_scores` scores them on the TEST rows of each
seed's stratified 80/20 split (:func:`routerlab.evaluation.protocol.stratified_split`), the normalisation
range being the test rows' cost matrix, as :func:`routerlab.evaluation.protocol.evaluate` does.

* :func:`fixed_and_bound_scores` -- (seed, policy) rows: RS under both readings, quality, cost;
* :func:`oub_coub_agreement` -- (seed, normalisation) rows: share of test queries on which OUB
  and COUB choose the same model, and their RS difference;
* :func:`seed_interval` -- mean over seeds with a 95% t-interval, per group;
* :func:`interval_text` -- "0.612 [0.590, 0.634]" for a table or the prose;
* :func:`rs_order` -- a ranking of policies by a score (ties broken by name);
* :func:`normalisation_study` -- all of the above for one benchmark, plus the answers chapter 02
  records as findings (does the order of the fixed models change with the normalisation, is the
  best fixed model by RS the most accurate one, do OUB and COUB coincide).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.metrics import NORMALIZATIONS, coub_choice, oracle_choice, qoub_choice, rs_terms

__all__ = ["BOUNDS", "fixed_and_bound_scores", "oub_coub_agreement", "seed_interval", "rs_order",
           "NormalisationStudy", "normalisation_study", "interval_text"]

#: The bounds scored beside the fixed models (OUB's choice depends on the normalisation).
BOUNDS = ("OUB (global)", "OUB (per-query)", "QOUB", "COUB")


def _choices(quality: np.ndarray, cost: np.ndarray) -> dict[str, np.ndarray]:
    """{policy: (n,) chosen column} of the fixed models and the bounds on one test set."""
    n, m = quality.shape
    out = {j: np.full(n, j, dtype=np.intp) for j in range(m)}
    out["OUB (global)"] = oracle_choice(quality, cost, "global")
    out["OUB (per-query)"] = oracle_choice(quality, cost, "per-query")
    out["QOUB"] = qoub_choice(quality)
    out["COUB"] = coub_choice(quality, cost)
    return out


def fixed_and_bound_scores(bench: Benchmark, seeds: Iterable[int] = range(5),
                           test_size: float = 0.2) -> pd.DataFrame:
    """One row per (seed, policy) on the test rows of each seed's stratified split.

    Policies: ``fixed:<model>`` for every model of ``bench``, then :data:`BOUNDS`. Columns:
    ``seed``, ``policy``, ``kind`` ("fixed" or "bound"), ``rs_global`` and ``rs_per_query``
    (RS in [0, 1], range from the test rows' (n_test, m) USD cost matrix), ``quality`` (mean
    returned quality in [0, 1]) and ``mean_cost`` (USD per query). QOUB breaks ties by the models'
    accuracy on the test rows. Everything is vectorised over queries.
    """
    from routerlab.data.splits import stratified_split

    names = bench.model_names
    rows = []
    for seed in seeds:
        _, te = stratified_split(bench, test_size, int(seed))
        Q, C = bench.quality[te], bench.cost[te]
        for key, choice in _choices(Q, C).items():
            got = np.take_along_axis(Q, choice[:, None], axis=1)[:, 0]
            paid = np.take_along_axis(C, choice[:, None], axis=1)[:, 0]
            rows.append({"seed": int(seed),
                         "policy": f"fixed:{names[key]}" if isinstance(key, int) else key,
                         "kind": "fixed" if isinstance(key, int) else "bound",
                         "rs_global": float(rs_terms(got, paid, C, "global").mean()),
                         "rs_per_query": float(rs_terms(got, paid, C, "per-query").mean()),
                         "quality": float(got.mean()), "mean_cost": float(paid.mean())})
    return pd.DataFrame(rows)


def oub_coub_agreement(bench: Benchmark, seeds: Iterable[int] = range(5),
                       test_size: float = 0.2) -> pd.DataFrame:
    """One row per (seed, normalisation): do OUB and COUB choose the same model?

    Columns: ``seed``, ``normalization`` ("global" or "per-query"), ``n_test``, ``same_share``
    (share of the test queries on which the two choose the same column), ``n_differ`` (how many
    queries they differ on) and ``rs_diff`` (RS of OUB minus RS of COUB under that normalisation;
    >= 0 since OUB maximises every query's contribution).
    """
    from routerlab.data.splits import stratified_split

    rows = []
    for seed in seeds:
        _, te = stratified_split(bench, test_size, int(seed))
        Q, C = bench.quality[te], bench.cost[te]
        coub = coub_choice(Q, C)
        for norm in NORMALIZATIONS:
            oub = oracle_choice(Q, C, norm)
            same = oub == coub

            def rs(ch):
                return rs_terms(np.take_along_axis(Q, ch[:, None], axis=1)[:, 0],
                                np.take_along_axis(C, ch[:, None], axis=1)[:, 0], C, norm).mean()

            rows.append({"seed": int(seed), "normalization": norm, "n_test": int(len(te)),
                         "same_share": float(same.mean()), "n_differ": int((~same).sum()),
                         "rs_diff": float(rs(oub) - rs(coub))})
    return pd.DataFrame(rows)


def seed_interval(frame: pd.DataFrame, by: str | list[str], columns: Iterable[str],
                  level: float = 0.95, clip: dict | None = None) -> pd.DataFrame:
    """Mean over seeds and a two-sided t-interval, for every group of ``by`` and every column.

    ``frame`` has one row per (group, seed). Returns a frame indexed by the groups (in order of
    first appearance) with columns ``<col>``, ``<col>_lo``, ``<col>_hi``; the interval is NaN
    with fewer than two seeds. ``clip``: {column: (low, high)} range of a bounded quantity (e.g.
    (0, 1) for RS), to which its interval is clipped (a t-interval over few seeds can leave it).
    """
    from routerlab.metrics import t_interval

    out = {}
    groups = frame.groupby(by, sort=False)
    for col in columns:
        wide = groups[col].apply(list)
        means, los, his = [], [], []
        for values in wide:
            v = np.asarray(values, dtype=np.float64)
            lo, hi = t_interval(v[:, None], level=level)
            if clip and col in clip:
                lo, hi = np.clip(lo, *clip[col]), np.clip(hi, *clip[col])
            means.append(float(v.mean()))
            los.append(float(lo[0]))
            his.append(float(hi[0]))
        out[col], out[f"{col}_lo"], out[f"{col}_hi"] = means, los, his
    return pd.DataFrame(out, index=wide.index)


def interval_text(value, lo=None, hi=None, fmt: str = "{:.3f}", missing: str = "n/a") -> str:
    """``value`` formatted by ``fmt`` with its interval in brackets, e.g. "0.612 [0.590, 0.634]";
    the interval is left out when ``lo``/``hi`` are None or NaN; ``missing`` when ``value`` is."""
    def ok(x):
        return x is not None and np.isfinite(float(x))

    if not ok(value):
        return missing
    text = fmt.format(float(value))
    if ok(lo) and ok(hi):
        text += f" [{fmt.format(float(lo))}, {fmt.format(float(hi))}]"
    return text


def rs_order(scores: pd.Series) -> list[str]:
    """The index labels of ``scores`` from the highest score down (ties broken by label)."""
    s = pd.Series(np.asarray(scores, dtype=np.float64), index=[str(i) for i in scores.index])
    return sorted(s.index, key=lambda k: (-s[k], k))


@dataclass(frozen=True)
class NormalisationStudy:
    """What :func:`normalisation_study` measured on one benchmark (means over seeds).

    ``per_seed``: :func:`fixed_and_bound_scores` (one row per (seed, policy)); ``scores``: its
    :func:`seed_interval` (index: policies, columns ``rs_global``, ``rs_per_query``, ``quality``,
    ``mean_cost`` with ``_lo``/``_hi``);
    ``agreement``: :func:`oub_coub_agreement` per (seed, normalisation); ``order_global`` and
    ``order_per_query``: the fixed models (names) from the highest mean RS down;
    ``n_rank_changes``: how many models have a different rank in the two orders;
    ``best_by_rs``: the fixed model with the highest mean global RS; ``most_accurate``: the one
    with the highest mean quality; ``cost_max``: the largest cost cell of the benchmark (USD);
    ``dearest``: the model with the highest mean cost; ``tail_ratio``: the test rows' largest cost
    cell (the global c_max) over the dearest model's mean cost on them, averaged over seeds (how
    far the normalisation range reaches beyond what the dearest model usually costs).
    """

    per_seed: pd.DataFrame
    scores: pd.DataFrame
    agreement: pd.DataFrame
    order_global: list
    order_per_query: list
    n_rank_changes: int
    best_by_rs: str
    most_accurate: str
    cost_max: float
    dearest: str
    tail_ratio: float

    @property
    def reorders(self) -> bool:
        """Whether the order of the fixed models by RS differs between the two normalisations."""
        return self.order_global != self.order_per_query

    @property
    def best_not_most_accurate(self) -> bool:
        """Whether the fixed model with the highest global RS is not the most accurate one."""
        return self.best_by_rs != self.most_accurate

    def oub_is_coub(self, normalization: str = "global") -> bool:
        """Whether OUB and COUB chose the same model on every test query of every seed."""
        a = self.agreement[self.agreement["normalization"] == normalization]
        return bool((a["n_differ"] == 0).all())

    def oub_is_best(self, tol: float = 1e-12) -> bool:
        """Whether OUB's global RS is >= every other policy's (fixed models and bounds) on every
        seed's test rows (up to ``tol``)."""
        ps = self.per_seed
        wide = ps.pivot(index="seed", columns="policy", values="rs_global")
        return bool((wide["OUB (global)"] >= wide.max(axis=1) - tol).all())

    def qoub_matches_oub_quality(self, tol: float = 1e-12) -> bool:
        """Whether QOUB is correct exactly as often as OUB (a correct model whenever one exists)
        on every seed's test rows."""
        wide = self.per_seed.pivot(index="seed", columns="policy", values="quality")
        return bool(((wide["QOUB"] - wide["OUB (global)"]).abs() <= tol).all())

    def same_share(self, normalization: str = "global") -> float:
        """Share of all test queries (pooled over seeds) on which OUB and COUB agree."""
        a = self.agreement[self.agreement["normalization"] == normalization]
        return float(1.0 - a["n_differ"].sum() / a["n_test"].sum())

    @property
    def fixed(self) -> pd.DataFrame:
        """The rows of ``scores`` for the fixed models, indexed by model name."""
        f = self.scores[self.scores.index.str.startswith("fixed:")]
        return f.set_axis([i.removeprefix("fixed:") for i in f.index])


def normalisation_study(bench: Benchmark, seeds: Iterable[int] = range(5),
                        test_size: float = 0.2) -> NormalisationStudy:
    """Fixed models and bounds of ``bench`` on the test rows of each seed (see the module
    docstring), summarised as a :class:`NormalisationStudy`. Vectorised; well under a second on
    67,500 x 6 outcomes per seed."""
    seeds = [int(s) for s in seeds]
    per_seed = fixed_and_bound_scores(bench, seeds, test_size)
    unit = (0.0, 1.0)
    scores = seed_interval(per_seed, "policy", ["rs_global", "rs_per_query", "quality", "mean_cost"],
                           clip={"rs_global": unit, "rs_per_query": unit, "quality": unit,
                                 "mean_cost": (0.0, np.inf)})
    fixed = scores[scores.index.str.startswith("fixed:")]
    fixed = fixed.set_axis([i.removeprefix("fixed:") for i in fixed.index])
    og, opq = rs_order(fixed["rs_global"]), rs_order(fixed["rs_per_query"])
    changes = sum(og.index(k) != opq.index(k) for k in og)
    from routerlab.data.splits import stratified_split

    tails = []
    for seed in seeds:
        c = bench.cost[stratified_split(bench, test_size, seed)[1]]
        tails.append(c.max() / c.mean(axis=0).max())
    return NormalisationStudy(
        per_seed=per_seed, scores=scores, agreement=oub_coub_agreement(bench, seeds, test_size), order_global=og,
        order_per_query=opq, n_rank_changes=int(changes), best_by_rs=og[0],
        most_accurate=rs_order(fixed["quality"])[0], cost_max=float(bench.cost.max()),
        dearest=bench.model_names[int(np.argmax(bench.cost.mean(axis=0)))], tail_ratio=float(np.mean(tails)))
