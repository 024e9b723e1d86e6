"""Best achievable RS of model subsets: every subset by bit masks, or a bounded search when there
are too many models to enumerate.

The *value* of a model subset S on a test set is the RS of the oracle (OUB) restricted to S::

    value(S) = mean_i max_{j in S} s_ij,      value({}) = 0,

where ``s`` (n, m) holds the RS contribution of answering query i with model j alone, with the
cost normalised on the range of **all** m models on those queries
(:func:`routerlab.metrics.cell_scores`; chapter 05's yardstick, as
:func:`routerlab.evaluation.analysis.oracle_subset_scores`). A subset is a bit mask: bit j set = model j in S.

* :func:`all_subset_values` -- value of all 2**m subsets at once (m <= 20), by doubling:
  ``V[2**j + r] = max(V[r], s_j)`` row-wise, then the mean over queries.
* :func:`best_by_size` -- from those values, the best subset of every size (exact).
* :func:`search_best_by_size` -- for many models (e.g. 29: 5e8 subsets). Per size k, exact
  enumeration when ``C(m, k)`` is small enough; otherwise the best of greedy forward selection
  improved by 1-swap local search and ``n_random`` random subsets (a **lower bound** on the best
  value), reported with an **upper bound**: value is monotone and submodular (a facility-location
  function with s >= 0), so for any set A, ``best_k <= value(A) + sum of the k largest gains
  value(A + j) - value(A)`` (Nemhauser, Wolsey & Fisher 1978); the bound is taken at every set of
  the greedy path and of the local searches, and the smallest is kept.
* :func:`models_needed` -- the smallest number of models whose best subset reaches a share of the
  full set's value, from exact values or from lower/upper bounds (then a range).
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from routerlab.errors import RouterlabError, check_range

__all__ = ["MAX_ENUMERATED_MODELS", "all_subset_values", "popcount", "mask_members", "mask_of",
           "best_by_size", "subset_values", "greedy_path", "search_best_by_size", "coverage_terms",
           "coverage_values", "lp_upper_bound", "exact_best_subset", "models_needed", "certify_models_needed"]

#: Above this many models :func:`all_subset_values` refuses (2**20 subsets x the chunk of rows).
MAX_ENUMERATED_MODELS = 20


def _scores(scores) -> np.ndarray:
    s = np.asarray(scores, dtype=np.float64)
    if s.ndim != 2 or s.shape[0] == 0 or s.shape[1] == 0:
        raise RouterlabError(f"scores must be a non-empty (queries x models) array, got shape {s.shape}")
    if not np.all(np.isfinite(s)) or (s < 0).any():
        raise RouterlabError("scores must be finite and >= 0 (RS contributions)")
    return s


def popcount(masks) -> np.ndarray:
    """Number of set bits of each mask (int array of any shape)."""
    x = np.asarray(masks, dtype=np.int64).copy()
    out = np.zeros(x.shape, dtype=np.int64)
    while np.any(x):
        out += x & 1
        x >>= 1
    return out


def mask_members(mask: int, models: Sequence[str]) -> tuple[str, ...]:
    """The models whose bits are set in ``mask``, in the order of ``models``."""
    return tuple(m for j, m in enumerate(models) if (int(mask) >> j) & 1)


def mask_of(members: Sequence[str], models: Sequence[str]) -> int:
    """The bit mask of the subset ``members`` of ``models``."""
    models = list(models)
    unknown = [x for x in members if x not in models]
    if unknown:
        raise RouterlabError(f"unknown models {unknown}; choose among {models}")
    return int(sum(1 << models.index(x) for x in set(members)))


def all_subset_values(scores, chunk: int = 2048) -> np.ndarray:
    """(2**m,) value of every subset (index = bit mask; index 0, the empty set, is 0).

    ``scores`` (n, m) RS contributions (>= 0), m <= :data:`MAX_ENUMERATED_MODELS`. Rows are
    processed ``chunk`` at a time; work and memory are O(2**m x chunk) per chunk.
    """
    s = _scores(scores)
    n, m = s.shape
    if m > MAX_ENUMERATED_MODELS:
        raise RouterlabError(f"{m} models have 2**{m} subsets; use search_best_by_size instead")
    total = np.zeros(1 << m)
    for start in range(0, n, int(chunk)):
        block = s[start:start + int(chunk)]
        v = np.zeros((1 << m, block.shape[0]))
        for j in range(m):
            lo = 1 << j
            np.maximum(v[:lo], block[:, j], out=v[lo:2 * lo])
        total += v.sum(axis=1)
    return total / n


def best_by_size(values, models: Sequence[str]) -> pd.DataFrame:
    """The best subset of every size from the (2**m,) ``values`` of :func:`all_subset_values`.

    One row per size k = 1..m: ``size``, ``best`` (its value), ``lower`` = ``upper`` = ``best``
    (exact), ``mask``, ``models`` (tuple), ``method`` ("exact"), ``n_evaluated`` (C(m, k)).
    Ties go to the smallest mask.
    """
    v = np.asarray(values, dtype=np.float64)
    m = len(models)
    if v.shape != (1 << m,):
        raise RouterlabError(f"values must have 2**{m} = {1 << m} entries, got {v.shape}")
    sizes = popcount(np.arange(1 << m))
    rows = []
    for k in range(1, m + 1):
        idx = np.flatnonzero(sizes == k)
        best = int(idx[np.argmax(v[idx])])
        rows.append({"size": k, "best": float(v[best]), "lower": float(v[best]), "upper": float(v[best]),
                     "mask": best, "models": mask_members(best, models), "method": "exact",
                     "n_evaluated": len(idx)})
    return pd.DataFrame(rows)


def subset_values(scores, subsets, chunk: int = 256) -> np.ndarray:
    """(c,) values of ``subsets``, a (c, k) int array of model columns (every subset of size k).

    Direct max over the k columns; O(c x n x k) work, ``chunk`` subsets at a time.
    """
    s = _scores(scores)
    sub = np.asarray(subsets, dtype=np.intp)
    if sub.ndim != 2:
        raise RouterlabError(f"subsets must be a (c, k) array of column indices, got shape {sub.shape}")
    out = np.empty(sub.shape[0])
    st = np.ascontiguousarray(s.T)  # (m, n): one model's column is contiguous
    for start in range(0, sub.shape[0], int(chunk)):
        block = sub[start:start + int(chunk)]
        out[start:start + len(block)] = st[block].max(axis=1).mean(axis=1)
    return out


def _values_by_ranking(s: np.ndarray, masks: np.ndarray, depth: int, chunk: int = 64) -> np.ndarray:
    """Values of large subsets (given as masks) via each row's ranking of the models: the row's
    value is the score of the first ranked model in the subset, always within the top ``depth``
    (= m - k + 1 for subsets of size k)."""
    order = np.argsort(-s, axis=1, kind="stable")[:, :depth]               # (n, depth)
    top = np.take_along_axis(s, order, axis=1)                             # (n, depth)
    bits = (np.int64(1) << order.astype(np.int64))                         # (n, depth)
    out = np.empty(len(masks))
    rows = np.arange(s.shape[0])
    for start in range(0, len(masks), int(chunk)):
        mk = masks[start:start + int(chunk)].astype(np.int64)
        hit = (bits[None, :, :] & mk[:, None, None]) != 0                   # (c, n, depth)
        first = hit.argmax(axis=2)                                         # a hit exists by construction
        out[start:start + len(mk)] = top[rows[None, :], first].mean(axis=1)
    return out


def greedy_path(scores) -> tuple[np.ndarray, np.ndarray]:
    """Greedy forward selection: ``(order (m,), values (m,))``, the model added at each step and
    the value of the first k+1 models. Ties go to the lower column."""
    s = _scores(scores)
    n, m = s.shape
    cur = np.zeros(n)
    left = list(range(m))
    order, values = [], []
    for _ in range(m):
        gains = np.maximum(cur[:, None], s[:, left]).mean(axis=0)
        j = left[int(np.argmax(gains))]
        order.append(j)
        values.append(float(gains.max()))
        cur = np.maximum(cur, s[:, j])
        left.remove(j)
    return np.array(order), np.array(values)


def _online_bound(s: np.ndarray, members: np.ndarray, k: int) -> float:
    """Upper bound on the best value of size k from the set ``members`` (any size)."""
    cur = s[:, members].max(axis=1) if len(members) else np.zeros(s.shape[0])
    base = cur.mean()
    gains = np.maximum(s - cur[:, None], 0.0).mean(axis=0)
    gains[members] = 0.0
    return float(base + np.sort(gains)[::-1][:k].sum())


def _swap_search(s: np.ndarray, members: list[int], max_rounds: int = 50) -> tuple[list[int], float, list]:
    """1-swap local search from ``members``: repeatedly make the best improving swap (one model
    out, one in) until none improves. Returns (members, value, every set visited)."""
    n, m = s.shape
    members = list(members)
    visited = [list(members)]
    for _ in range(max_rounds):
        sub = s[:, members]
        if len(members) >= 2:
            part = np.partition(sub, -2, axis=1)
            first, second = part[:, -1], part[:, -2]
        else:
            first, second = sub[:, 0], np.zeros(n)
        arg = sub.argmax(axis=1)
        current = first.mean()
        outside = [j for j in range(m) if j not in members]
        if not outside:
            return members, float(current), visited
        best_gain, best_swap = 1e-12, None
        for pos, a in enumerate(members):
            without = np.where(arg == pos, second, first)                    # (n,) value without a
            vals = np.maximum(without[:, None], s[:, outside]).mean(axis=0)  # (|outside|,)
            b = int(np.argmax(vals))
            if vals[b] - current > best_gain:
                best_gain, best_swap = vals[b] - current, (pos, outside[b])
        if best_swap is None:
            return members, float(current), visited
        members[best_swap[0]] = best_swap[1]
        visited.append(list(members))
    return members, float(s[:, members].max(axis=1).mean()), visited


def search_best_by_size(scores, models: Sequence[str], exact_limit: int = 5000, n_random: int = 1000,
                        seed: int = 0) -> pd.DataFrame:
    """Best subset of every size for many models: exact where cheap, else bounded.

    ``scores`` (n, m) RS contributions (>= 0). For size k, if ``C(m, k) <= exact_limit`` every
    subset is evaluated (method "exact", ``lower == upper == best``). Otherwise (method "search")
    the candidates are the greedy subset of size k improved by 1-swap local search, and
    ``n_random`` subsets of size k drawn uniformly (``np.random.default_rng(seed)``); ``best`` =
    ``lower`` is the best candidate's value, ``upper`` the smallest submodular bound (module
    docstring) over the greedy path and every set the local search visited.
    Columns as :func:`best_by_size` plus ``upper``.
    """
    s = _scores(scores)
    n, m = s.shape
    models = list(models)
    if len(models) != m:
        raise RouterlabError(f"{len(models)} model names for {m} score columns")
    if m > 62:
        raise RouterlabError("at most 62 models (subsets are int64 bit masks)")
    exact_limit = int(check_range("exact_limit", exact_limit, 0))
    n_random = int(check_range("n_random", n_random, 0))
    rng = np.random.default_rng(seed)
    order, _ = greedy_path(s)
    s32 = None
    path_sets = [order[:k] for k in range(0, m + 1)]
    rows = []
    for k in range(1, m + 1):
        n_sub = math.comb(m, k)
        if n_sub <= exact_limit:
            combos = np.array(list(_combinations(m, k)), dtype=np.intp)
            if k <= (m + 1) // 2:
                vals = subset_values(s, combos)
            else:
                masks = (np.int64(1) << combos.astype(np.int64)).sum(axis=1)
                vals = _values_by_ranking(s, masks, depth=m - k + 1)
            b = int(np.argmax(vals))
            mask = int(sum(1 << int(j) for j in combos[b]))
            best = float(vals[b])
            rows.append({"size": k, "best": best, "lower": best, "upper": best, "mask": mask,
                         "models": mask_members(mask, models), "method": "exact", "n_evaluated": n_sub})
            continue
        members, value, visited = _swap_search(s, list(order[:k]))
        cand_best, cand_members = value, members
        n_eval = len(visited)
        if n_random:
            draws = np.argsort(rng.random((n_random, m)), axis=1)[:, :k]
            if s32 is None:
                s32 = np.ascontiguousarray(s.T, dtype=np.float32)  # (m, n): fast screening
            vals = np.array([s32[d].max(axis=0).mean(dtype=np.float64) for d in draws])
            n_eval += n_random
            b = int(np.argmax(vals))
            exact_b = float(s[:, draws[b]].max(axis=1).mean())       # float64 value of the best draw
            if exact_b > cand_best + 1e-15:
                cand_best, cand_members = exact_b, list(draws[b])
        upper = min(_online_bound(s, np.asarray(a, dtype=np.intp), k) for a in [*path_sets, *visited])
        upper = max(upper, cand_best)
        mask = int(sum(1 << int(j) for j in cand_members))
        rows.append({"size": k, "best": cand_best, "lower": cand_best, "upper": float(upper), "mask": mask,
                     "models": mask_members(mask, models), "method": "search", "n_evaluated": n_eval})
    out = pd.DataFrame(rows)
    # best_k <= best_{k+1}: an upper bound of a larger size bounds every smaller one
    out["upper"] = np.maximum(np.minimum.accumulate(out["upper"].to_numpy()[::-1])[::-1], out["lower"])
    return out


def coverage_terms(scores) -> tuple[np.ndarray, np.ndarray]:
    """The value function as weighted coverage: ``(sets (t,) int64 masks, weights (t,))`` with
    ``value(S) = sum_T weight_T [S meets T]`` for every subset S.

    Each row's scores sorted in decreasing order s_(1) >= ... >= s_(m) give
    ``max_{j in S} s_ij = sum_p (s_(p) - s_(p+1)) [S meets the row's top-p models]`` (s_(m+1) = 0);
    equal top-p sets of different rows are merged and their weights (divided by n) added. Rows
    whose models all score 0 contribute nothing.
    """
    s = _scores(scores)
    n, m = s.shape
    if m > 62:
        raise RouterlabError("at most 62 models (subsets are int64 bit masks)")
    order = np.argsort(-s, axis=1, kind="stable")
    top = np.take_along_axis(s, order, axis=1)
    step = top - np.concatenate([top[:, 1:], np.zeros((n, 1))], axis=1)
    prefix = np.bitwise_or.accumulate(np.int64(1) << order.astype(np.int64), axis=1)
    keep = step > 0
    sets, inverse = np.unique(prefix[keep], return_inverse=True)
    return sets, np.bincount(inverse.ravel(), weights=step[keep]) / n


def coverage_values(terms, masks, chunk: int = 256) -> np.ndarray:
    """(c,) values of the subsets ``masks`` (c,) int64 from :func:`coverage_terms` output."""
    sets, weights = terms
    masks = np.asarray(masks, dtype=np.int64)
    out = np.empty(len(masks))
    for start in range(0, len(masks), int(chunk)):
        mk = masks[start:start + int(chunk)]
        out[start:start + len(mk)] = ((sets[None, :] & mk[:, None]) != 0).astype(np.float64) @ weights
    return out


def _coverage_program(s: np.ndarray):
    """(weights (t,), A (t, m+t) for z_T - sum_{j in T} y_j <= 0, card (1, m+t), t) of the
    max-coverage program over variables (y (m), z (t))."""
    from scipy.sparse import coo_matrix, csr_matrix

    m = s.shape[1]
    sets, weights = coverage_terms(s)
    t = len(sets)
    member_row, member_col = np.nonzero((sets[:, None] >> np.arange(m)) & 1)
    a = coo_matrix((np.concatenate([np.ones(t), -np.ones(len(member_row))]),
                    (np.concatenate([np.arange(t), member_row]), np.concatenate([m + np.arange(t), member_col]))),
                   shape=(t, m + t)).tocsr()
    card = csr_matrix((np.ones(m), (np.zeros(m, dtype=int), np.arange(m))), shape=(1, m + t))
    return weights, a, card, t


def lp_upper_bound(scores, k: int) -> float:
    """An upper bound on the best value of ``k`` models: the linear-programming relaxation of
    :func:`exact_best_subset` (y in [0, 1] instead of {0, 1}); fast, and often close."""
    from scipy.optimize import linprog

    s = _scores(scores)
    m = s.shape[1]
    if not 1 <= int(k) <= m:
        raise RouterlabError(f"k must lie in 1..{m}, got {k}")
    weights, a, card, t = _coverage_program(s)
    res = linprog(np.concatenate([np.zeros(m), -weights]), A_ub=a, b_ub=np.zeros(t), A_eq=card, b_eq=[int(k)],
                  bounds=(0.0, 1.0), method="highs")
    if res.status != 0:
        raise RouterlabError(f"the LP relaxation for k = {k} failed: {res.message}")
    return float(-res.fun) + 1e-9  # solver tolerance: never report a bound below the optimum


def exact_best_subset(scores, k: int, time_limit: float = 60.0) -> dict:
    """The best subset of exactly ``k`` models, by mixed-integer programming (HiGHS via SciPy).

    Weighted max coverage on :func:`coverage_terms`: maximise ``sum_T w_T z_T`` subject to
    ``z_T <= sum_{j in T} y_j``, ``0 <= z_T <= 1``, ``sum_j y_j = k``, ``y`` binary. Returns
    ``{"mask", "value" (of the subset found, recomputed), "upper" (the solver's proven bound),
    "optimal" (bool), "seconds"}``; ``optimal`` is False when ``time_limit`` (s) stopped the solver,
    and then ``upper`` is still a valid upper bound.
    """
    import time

    from scipy.optimize import Bounds, LinearConstraint, milp

    s = _scores(scores)
    n, m = s.shape
    if not 1 <= int(k) <= m:
        raise RouterlabError(f"k must lie in 1..{m}, got {k}")
    t0 = time.perf_counter()
    weights, a, card, t = _coverage_program(s)
    res = milp(np.concatenate([np.zeros(m), -weights]),
               constraints=[LinearConstraint(a, -np.inf, 0.0), LinearConstraint(card, int(k), int(k))],
               integrality=np.concatenate([np.ones(m), np.zeros(t)]), bounds=Bounds(0.0, 1.0),
               options={"time_limit": float(time_limit), "mip_rel_gap": 0.0})
    if res.x is None:
        raise RouterlabError(f"the MILP for k = {k} found no solution within {time_limit} s")
    chosen = np.flatnonzero(np.round(res.x[:m]) > 0.5)
    value = float(s[:, chosen].max(axis=1).mean())
    bound = getattr(res, "mip_dual_bound", None)
    upper = max(value, -float(bound)) if bound is not None and np.isfinite(bound) else float("inf")
    return {"mask": int(sum(1 << int(j) for j in chosen)), "value": value, "upper": upper,
            "optimal": bool(res.status == 0), "seconds": time.perf_counter() - t0}


def _combinations(m: int, k: int):
    import itertools

    return itertools.combinations(range(m), k)


def models_needed(table: pd.DataFrame, full_value: float, share: float = 0.99) -> tuple[int, int]:
    """``(k_low, k_high)``: bounds on the smallest number of models whose best subset reaches
    ``share`` x ``full_value``.

    ``table`` has ``size``, ``lower``, ``upper`` per size (from :func:`best_by_size` or
    :func:`search_best_by_size`). ``k_high`` = the smallest size whose lower bound reaches the
    target (a subset found that does); ``k_low`` = the smallest size whose upper bound reaches it
    (no smaller subset can). Equal when the answer is exact.
    """
    check_range("share", share, 0, 1, lo_open=True)
    target = share * float(full_value) - 1e-12
    t = table.sort_values("size")
    reach_hi = t.loc[t["lower"] >= target, "size"]
    reach_lo = t.loc[t["upper"] >= target, "size"]
    if reach_hi.empty:
        raise RouterlabError("no subset size reaches the target; is full_value the value of all models?")
    return int(reach_lo.min()), int(reach_hi.min())


def certify_models_needed(scores, table: pd.DataFrame, models: Sequence[str], share: float = 0.99,
                          time_limit: float = 60.0) -> tuple[pd.DataFrame, int, int]:
    """Close the gap of :func:`models_needed` on a searched ``table`` with exact MILPs.

    While the bounds leave a range, the size just below the smallest size *found* to reach the
    target is bounded by the LP relaxation (:func:`lp_upper_bound`; a bound below the target
    settles it) or else solved exactly (:func:`exact_best_subset`): a better subset found there lowers the
    answer and the loop goes on; a proven bound below the target settles it (best_k only grows
    with k, so no smaller size can reach the target either). Returns ``(table, k_low, k_high)``;
    solved rows get method "exact (MILP)". ``scores`` (n, m) as for :func:`search_best_by_size`.
    """
    s = _scores(scores)
    t = table.copy().sort_values("size").reset_index(drop=True)
    full = float(t["best"].iloc[-1])
    k_lo, k_hi = models_needed(t, full, share)
    target = share * full - 1e-12
    while k_lo < k_hi:
        k = k_hi - 1
        i = int(np.flatnonzero(t["size"].to_numpy() == k)[0])
        bound = lp_upper_bound(s, k)
        if bound < target:  # the relaxation alone proves that k models cannot reach the target
            t.at[i, "upper"] = max(min(float(t.at[i, "upper"]), bound), float(t.at[i, "lower"]))
            t["upper"] = np.maximum(np.minimum.accumulate(t["upper"].to_numpy()[::-1])[::-1], t["lower"])
            k_lo, k_hi = models_needed(t, full, share)
            continue
        r = exact_best_subset(s, k, time_limit)
        if r["value"] > t.at[i, "lower"]:
            t.at[i, "lower"] = t.at[i, "best"] = r["value"]
            t.at[i, "mask"] = r["mask"]
            t.at[i, "models"] = mask_members(r["mask"], models)
        t.at[i, "upper"] = max(min(float(t.at[i, "upper"]), r["upper"]), float(t.at[i, "lower"]))
        if r["optimal"]:
            t.at[i, "method"] = "exact (MILP)"
        t["upper"] = np.maximum(np.minimum.accumulate(t["upper"].to_numpy()[::-1])[::-1], t["lower"])
        new_lo, new_hi = models_needed(t, full, share)
        if (new_lo, new_hi) == (k_lo, k_hi):  # time limit: no progress, keep the range
            break
        k_lo, k_hi = new_lo, new_hi
    return t, k_lo, k_hi


def oracle_size_curves(bench, seeds: Sequence[int], test_size: float = 0.2, n_random: int = 2000,
                       share: float = 0.99, exact_limit: int = 5000, time_limit: float = 60.0):
    """Best achievable RS (oracle restricted to the best subset) of every size, on each split.

    For every seed the benchmark is split with :func:`routerlab.evaluation.protocol.stratified_split`
    (``test_size``, that seed) and the test rows' cell scores are taken on the cost range of all
    models. Up to :data:`MAX_ENUMERATED_MODELS` models every subset is evaluated
    (:func:`all_subset_values`); above, :func:`search_best_by_size` (random draws seeded by the
    split's seed) and :func:`certify_models_needed` at ``share``. Returns ``(curves, per_seed)``:

    * ``curves``: one row per (seed, size): ``seed``, ``size``, ``best``, ``lower``, ``upper``,
      ``method``, ``models`` (tuple of names), ``full`` (value of all models), ``share_of_full``
      (``best / full``);
    * ``per_seed``: one row per seed: ``full``, ``best_pair_share`` (best two-model subset / full),
      ``k_low``, ``k_high`` (bounds on the number of models needed for ``share`` of full; equal
      when exact), ``models_share_low``, ``models_share_high`` (those divided by the number of
      models), ``seconds``.
    """
    import time

    from routerlab.data.splits import stratified_split
    from routerlab.metrics import cell_scores

    models = list(bench.model_names)
    m = len(models)
    curves, per_seed = [], []
    for seed in seeds:
        t0 = time.perf_counter()
        _, te = stratified_split(bench, test_size, int(seed))
        test = bench.rows(te)
        s = cell_scores(test.quality, test.cost)
        if m <= MAX_ENUMERATED_MODELS:
            table = best_by_size(all_subset_values(s), models)
            full = float(table["best"].iloc[-1])
            k_lo, k_hi = models_needed(table, full, share)
        else:
            table = search_best_by_size(s, models, exact_limit=exact_limit, n_random=n_random, seed=int(seed))
            table, k_lo, k_hi = certify_models_needed(s, table, models, share, time_limit)
            full = float(table["best"].iloc[-1])
        table = table.assign(seed=int(seed), full=full, share_of_full=table["best"] / full)
        curves.append(table)
        pair = float(table.loc[table["size"] == 2, "best"].iloc[0]) if m >= 2 else float("nan")
        per_seed.append({"seed": int(seed), "full": full, "best_pair_share": pair / full,
                         "k_low": k_lo, "k_high": k_hi, "models_share_low": k_lo / m,
                         "models_share_high": k_hi / m, "seconds": time.perf_counter() - t0})
    cols = ["seed", "size", "best", "lower", "upper", "method", "models", "full", "share_of_full", "n_evaluated"]
    return pd.concat(curves, ignore_index=True)[cols], pd.DataFrame(per_seed)


def retrained_subset_rs(bench, subsets: Sequence[Sequence[str]], seeds: Sequence[int], router: str = "mf",
                        test_size: float = 0.2, text_features: str | None = "auto") -> pd.DataFrame:
    """RS of ``router`` retrained on each model subset, on every split, on the all-model yardstick.

    For each seed: :func:`routerlab.evaluation.protocol.stratified_split`; when the benchmark has prompts
    and no features (real data) and ``text_features`` is "auto", TF-IDF features are fitted on the
    training prompts as the evaluation protocol does
    (:func:`routerlab.routing.features.split_rows`, same seed); then
    :func:`routerlab.evaluation.analysis.router_subset_scores`. Long table: the columns of that function plus
    ``seed``.
    """
    from routerlab.evaluation.analysis import router_subset_scores
    from routerlab.data.splits import stratified_split

    from routerlab.routing.features import resolve_text_features, split_rows

    text_features = resolve_text_features(bench, text_features)
    out = []
    for seed in seeds:
        tr, te = stratified_split(bench, test_size, int(seed))
        train, test = split_rows(bench, tr, te, text_features, int(seed))
        t = router_subset_scores(train, test, [tuple(x) for x in subsets], router=router, seed=int(seed))
        out.append(t.assign(seed=int(seed)))
    return pd.concat(out, ignore_index=True)


def size_curve_summary(curves: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Reduce the ``curves`` of :func:`oracle_size_curves` over the splits, one row per size.

    Columns: ``size``; ``best``, ``best_lo``, ``best_hi`` (mean and t-interval over seeds of the
    best value found); ``upper`` (mean proven upper bound); ``share_of_full`` (mean);
    ``searched`` (True when on some split the best value is only a lower bound); ``method``
    ("exact", or e.g. "lower bound (search) on 5 of 5 splits"); ``models`` (the subset found on
    most splits, ties to the first seed's).
    """
    from routerlab.evaluation.analysis import seed_interval

    rows = []
    n_splits = curves["seed"].nunique()
    for k, g in curves.groupby("size", sort=True):
        mean, lo, hi = seed_interval(g["best"].to_numpy(dtype=float), level)
        n_search = int((g["method"] == "search").sum())
        if n_search:
            method = f"lower bound (search) on {n_search} of {n_splits} splits"
        elif (g["method"] == "exact").all():
            method = "exact"
        else:
            method = f"exact (MILP) on {int((g['method'] != 'exact').sum())}, enumerated on the rest"
        counts = g["models"].value_counts(sort=False)
        rows.append({"size": int(k), "best": mean, "best_lo": lo, "best_hi": hi,
                     "upper": float(g["upper"].mean()), "share_of_full": float(g["share_of_full"].mean()),
                     "searched": n_search > 0, "method": method, "models": counts.idxmax()})
    return pd.DataFrame(rows)
