"""Comparing the routing policies of one evaluation with another's: simulated against real outcomes.

Chapter 03 evaluates every policy on RouterBench-Sim and on real outcomes with the same protocol
(:func:`routerlab.evaluation.protocol.book_evaluation`) and asks whether the simulator ranks the policies
as real data does. Two benchmarks do not share their models, so a fixed-model policy is compared
by its *role*: the article's two fixed baselines are its dearest model (GPT-4o) and its cheapest
(Llama-3-8B), so ``fixed: dearest`` and ``fixed: cheapest`` stand for the model with the highest
and the lowest mean cost per query of each benchmark. The bounds (OUB, QOUB, COUB) read the test
truth and sit on top of every ranking by construction; they are left out of rank comparisons.

Everything here is a pure function of :class:`~routerlab.evaluation.protocol.EvaluationResult` objects (and
the benchmark's cost matrix for the roles); no function refits a router, except
:func:`predictive_agreement`, which fits the predictive routers on one split to compare their
predicted probabilities and MF's choices across ranks (how distinct the article's ten are).
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from routerlab.errors import RouterlabError
from routerlab.evaluation.fixed_scores import interval_text

__all__ = [
    "DEAREST", "CHEAPEST", "fixed_roles", "learned_routers", "comparable_policies", "rank_agreement",
    "rank_table", "best_learned_vs_best_fixed", "rank_among", "article_ordering",
    "results_table", "seed_mean_rs", "labelled", "estimate_sensitivity", "biggest_moves",
    "choice_agreement", "probability_correlation", "most_similar_pair", "predictive_agreement",
    "rank_where_distinct",
]

DEAREST, CHEAPEST = "fixed: dearest", "fixed: cheapest"
#: paradigms that are not learned routers (query-blind baselines, single models, bounds)
_NOT_ROUTERS = ("baseline", "single model", "bound")


def fixed_roles(model_names: Sequence[str], cost: np.ndarray, quality: np.ndarray | None = None) -> dict[str, str]:
    """{role: policy}: ``fixed: dearest`` / ``fixed: cheapest`` -> ``fixed:<model>`` of the model
    with the highest / lowest mean cost per query.

    ``model_names`` (m,), ``cost`` (n, m) USD per query (a benchmark's whole cost matrix) and
    optionally ``quality`` (n, m): models whose mean costs tie (equal within 1e-9 relative, e.g.
    the same list price) are told apart by the higher mean quality, then by column order.
    """
    c = np.asarray(cost, dtype=np.float64)
    if c.ndim != 2 or c.shape[1] != len(model_names) or c.shape[1] < 2:
        raise RouterlabError(f"cost must be (queries x {len(model_names)} models) with at least 2 models, "
                             f"got shape {c.shape}")
    mean = c.mean(axis=0)
    acc = np.zeros(len(mean)) if quality is None else np.asarray(quality, dtype=np.float64).mean(axis=0)

    def pick(target):
        tied = np.flatnonzero(np.isclose(mean, target, rtol=1e-9, atol=0.0))
        return model_names[int(tied[np.argmax(acc[tied])])]

    return {DEAREST: f"fixed:{pick(mean.max())}", CHEAPEST: f"fixed:{pick(mean.min())}"}


def learned_routers(result, among: Sequence[str] | None = None) -> list[str]:
    """The learned routers of ``result`` (they fit on training rows, do not read the test truth and
    are not a query-blind baseline), in ``result.policies`` order, optionally only those in ``among``."""
    info = result.policy_info
    out = [p for p in result.policies if info[p]["learns"] and not info[p]["uses_truth"]
           and info[p]["paradigm"] not in _NOT_ROUTERS]
    return [p for p in out if among is None or p in among]


def comparable_policies(result, model_names: Sequence[str], cost: np.ndarray,
                        quality: np.ndarray | None = None) -> dict[str, str]:
    """{label: policy name} of the policies of ``result`` that another benchmark can also have:
    every policy that does not read the test truth and is not a fixed model (labels = names), plus
    the two fixed roles of :func:`fixed_roles`. Order: ``result.policies`` order, roles where
    their models stand."""
    roles = fixed_roles(model_names, cost, quality)
    by_policy = {v: k for k, v in roles.items()}
    out = {}
    for p in result.policies:
        if result.policy_info[p]["uses_truth"]:
            continue
        if p.startswith("fixed:"):
            if p in by_policy:
                out[by_policy[p]] = p
            continue
        out[p] = p
    return out


def _spearman_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(B,) Spearman rho between the rows of ``a`` and ``b`` (B, k) (average ranks for ties)."""
    from scipy.stats import rankdata

    ra = rankdata(a, axis=1)
    rb = rankdata(b, axis=1)
    ra -= ra.mean(axis=1, keepdims=True)
    rb -= rb.mean(axis=1, keepdims=True)
    den = np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (ra * rb).sum(axis=1) / den, np.nan)


def rank_agreement(a: Mapping[str, float], b: Mapping[str, float], boot_a: Mapping[str, np.ndarray] | None = None,
                   boot_b: Mapping[str, np.ndarray] | None = None, level: float = 0.95) -> dict:
    """Spearman rho between two {label: RS} rankings over the labels both have.

    ``boot_a``/``boot_b``: optional {label: (B,) bootstrap replicates of RS} of each side; the
    interval is the percentile interval of rho over the B paired replicates (replicate i of one side
    with replicate i of the other: the two benchmarks are resampled independently). Returns
    ``{"rho", "lo", "hi", "n", "common", "only_a", "only_b"}`` (rho NaN with fewer than 3 labels).
    """
    common = [k for k in a if k in b]
    out = {"common": common, "only_a": [k for k in a if k not in b], "only_b": [k for k in b if k not in a],
           "n": len(common), "rho": float("nan"), "lo": float("nan"), "hi": float("nan")}
    if len(common) < 3:
        return out
    va = np.array([a[k] for k in common], dtype=np.float64)[None, :]
    vb = np.array([b[k] for k in common], dtype=np.float64)[None, :]
    out["rho"] = float(_spearman_rows(va, vb)[0])
    if boot_a is not None and boot_b is not None:
        ba = np.column_stack([np.asarray(boot_a[k], dtype=np.float64) for k in common])
        bb = np.column_stack([np.asarray(boot_b[k], dtype=np.float64) for k in common])
        if ba.shape != bb.shape:
            raise RouterlabError(f"bootstrap replicates differ in shape: {ba.shape} and {bb.shape}")
        reps = _spearman_rows(ba, bb)
        reps = reps[np.isfinite(reps)]
        if reps.size:
            tail = 50 * (1 - level)
            out["lo"], out["hi"] = (float(x) for x in np.percentile(reps, [tail, 100 - tail]))
    return out


def rank_table(rs: Mapping[str, Mapping[str, float] | None], labels: Sequence[str],
               method: str = "min") -> pd.DataFrame:
    """Ranks (1 = highest RS) of ``labels`` on each benchmark; ties by pandas' rank ``method``
    ("min": tied labels share the better rank; "first": in ``labels`` order, for plotting).

    ``rs``: {benchmark title: {label: RS} or None (data missing)}. Returns a DataFrame (index
    ``labels``, one column per benchmark, float ranks; NaN where a benchmark lacks the label or
    its data). Ranks are taken among ``labels`` only, so every column ranks the same policies.
    """
    cols = {}
    for title, values in rs.items():
        if values is None:
            cols[title] = np.full(len(labels), np.nan)
            continue
        v = pd.Series({k: values.get(k, np.nan) for k in labels}, dtype=float)
        cols[title] = v.rank(ascending=False, method=method).to_numpy()
    return pd.DataFrame(cols, index=pd.Index(list(labels), name="policy"))


def _rep(result, policy: str) -> np.ndarray:
    return np.asarray(result.boot["rs"])[:, result.policies.index(policy)]


def best_learned_vs_best_fixed(result, learned: Sequence[str], level: float = 0.95) -> dict:
    """The best learned router against the best fixed model and the oracle (OUB), paired.

    The best of each group is the policy with the highest seed-mean RS. ``diff`` = RS(best learned)
    - RS(best fixed), with the percentile interval of the same difference over the evaluation's
    paired bootstrap replicates (the same resampled test queries for both policies, averaged over
    seeds); ``gap_closed`` = diff / (RS(OUB) - RS(best fixed)), the share of the oracle's headroom
    the router closes, with its interval over the same replicates. Needs ``result.boot["rs"]``,
    an ``oub`` policy and at least one fixed model and one learned router.
    """
    if not learned:
        raise RouterlabError("no learned router given")
    rs = result.summary()["rs"]
    fixed = [p for p in result.policies if p.startswith("fixed:")]
    if not fixed or "oub" not in result.policies:
        raise RouterlabError("the evaluation needs fixed-model policies and 'oub'")
    bl, bf = rs[list(learned)].idxmax(), rs[fixed].idxmax()
    d = float(rs[bl] - rs[bf])
    head = float(rs["oub"] - rs[bf])
    out = {"best_learned": bl, "best_fixed": bf, "rs_learned": float(rs[bl]), "rs_fixed": float(rs[bf]),
           "rs_oub": float(rs["oub"]), "diff": d, "gap_closed": d / head if head > 0 else float("nan"),
           "diff_lo": float("nan"), "diff_hi": float("nan"), "gap_lo": float("nan"), "gap_hi": float("nan")}
    if result.boot.get("rs") is not None and len(result.boot["rs"]):
        tail = 50 * (1 - level)
        dd = _rep(result, bl) - _rep(result, bf)
        hh = _rep(result, "oub") - _rep(result, bf)
        out["diff_lo"], out["diff_hi"] = (float(x) for x in np.percentile(dd, [tail, 100 - tail]))
        with np.errstate(invalid="ignore", divide="ignore"):
            g = np.where(hh > 0, dd / hh, np.nan)
        g = g[np.isfinite(g)]
        if g.size:
            out["gap_lo"], out["gap_hi"] = (float(x) for x in np.percentile(g, [tail, 100 - tail]))
    return out


def rank_among(rs: Mapping[str, float], policy: str, among: Sequence[str]) -> int:
    """1-based rank of ``policy`` by RS among ``among`` (1 = highest; ties count in its favour)."""
    if policy not in among:
        raise RouterlabError(f"{policy!r} is not among {list(among)}")
    return 1 + sum(float(rs[p]) > float(rs[policy]) for p in among if p != policy)


def article_ordering(rs: Mapping[str, float], dearest: str, cheapest: str, equal_tol: float = 0.02) -> dict:
    """The article's ordering MF > BERT > Cascade = FrugalGPT > Random > GPT-4o fixed > Llama-3-8B
    fixed, checked on one benchmark's seed-mean ``rs`` ({policy: RS}) with the two fixed models
    replaced by ``dearest`` and ``cheapest`` (policy names).

    Returns ``{"relations": [(left, rel, right, holds or None)], "relations_failed": int,
    "relations_unchecked": int}``: a relation whose policies are missing (the cascades, on data
    without confidences) is None and, by transitivity, BERT > Random stands in for the chain through
    the cascades. The counts are the measurements the claim ``result.ordering`` is judged on
    (:func:`routerlab.reproduction.criteria.judge`); this function decides no verdict.
    """
    cas = [p for p in ("cascade", "frugalgpt") if p in rs]
    rel = []

    def gt(a, b, la=None, lb=None):
        rel.append((la or a, ">", lb or b, bool(float(rs[a]) > float(rs[b]))))

    gt("mf", "bert-cls")
    if len(cas) == 2:
        rel.append(("bert-cls", ">", "max(cascade, frugalgpt)", bool(rs["bert-cls"] > max(rs[c] for c in cas))))
        rel.append(("min(cascade, frugalgpt)", ">", "random", bool(min(rs[c] for c in cas) > rs["random"])))
        rel.append(("cascade", "=", "frugalgpt", bool(abs(rs["cascade"] - rs["frugalgpt"]) <= equal_tol)))
    else:
        rel.append(("bert-cls", ">", "max(cascade, frugalgpt)", None))
        rel.append(("min(cascade, frugalgpt)", ">", "random", None))
        rel.append(("cascade", "=", "frugalgpt", None))
        gt("bert-cls", "random")
    gt("random", dearest, lb=f"{dearest} (dearest)")
    gt(dearest, cheapest, la=f"{dearest} (dearest)", lb=f"{cheapest} (cheapest)")
    checked = [r[3] for r in rel if r[3] is not None]
    return {"relations": rel, "relations_failed": sum(not h for h in checked),
            "relations_unchecked": len(rel) - len(checked)}


def _sig3(x: float) -> str:
    """``x`` to 3 significant digits, trailing zeros kept (0.0600, 5.34, 123)."""
    if not np.isfinite(x):
        return "n/a"
    return f"{x:#.3g}".rstrip(".")


def results_table(result, cost_label: str = "", per: int = 1000) -> pd.DataFrame:
    """The evaluation's results formatted for a reader: one row per policy, text cells.

    Columns: kind (paradigm), RS with its 95% interval across seeds, RS's 95% bootstrap interval
    over test queries, quality, mean cost in USD per ``per`` queries (3 significant digits; the
    header carries ``cost_label``, e.g. "estimated cost"), cost reduction against the dearest model
    (the evaluation's reference). Numbers to 3 decimals.
    """
    s = result.summary()
    ref = result.params.get("reference", "the dearest model")
    unit = f"mean cost (USD per {per:,} queries{', ' + cost_label if cost_label else ''})"
    red = f"cost reduction vs {ref}{' (' + cost_label + ')' if cost_label else ''}"
    rows = []
    for p in result.policies:
        r = s.loc[p]
        boot = ("n/a" if not (np.isfinite(r["rs_lo_boot"]) and np.isfinite(r["rs_hi_boot"]))
                else f"[{r['rs_lo_boot']:.3f}, {r['rs_hi_boot']:.3f}]")
        rows.append({"policy": p, "kind": r["paradigm"],
                     "RS [95% across seeds]": interval_text(r["rs"], r["rs_lo_seeds"], r["rs_hi_seeds"], "{:.3f}"),
                     "RS 95% bootstrap": boot,
                     "quality": f"{r['quality']:.3f}",
                     unit: _sig3(r["mean_cost"] * per),
                     red: f"{round(float(r['cost_reduction']), 3) + 0.0:.1%}"})  # + 0.0: no "-0.0%"
    return pd.DataFrame(rows).set_index("policy")


def seed_mean_rs(result, seeds: Sequence[int] | None = None) -> pd.Series:
    """RS per policy (``result.policies`` order) averaged over ``seeds`` (default: all of them)."""
    ps = result.per_seed
    if seeds is not None:
        ps = ps[ps["seed"].isin(list(seeds))]
        if ps.empty:
            raise RouterlabError(f"the evaluation has none of the seeds {list(seeds)}")
    return ps.groupby("policy", sort=False)["rs"].mean().reindex(result.policies)


def labelled(result, labels: Mapping[str, str], seeds: Sequence[int] | None = None) -> tuple[dict, dict]:
    """({label: seed-mean RS}, {label: (B,) bootstrap replicates of RS}) of ``labels`` = {label:
    policy} (e.g. from :func:`comparable_policies`); replicates {} when the result has none."""
    rs = seed_mean_rs(result, seeds)
    rep = result.boot.get("rs")
    boot = ({k: np.asarray(rep)[:, result.policies.index(p)] for k, p in labels.items()}
            if rep is not None and len(rep) else {})
    return {k: float(rs[p]) for k, p in labels.items()}, boot


def estimate_sensitivity(results: Mapping[str, object], benches: Mapping[str, object],
                         default: str) -> pd.DataFrame:
    """How the key results move when the cost estimate changes (one row per estimate).

    ``results``: {estimate label: EvaluationResult} on the same queries and outcomes, each priced
    by one cost estimate; ``benches``: {label: its Benchmark} (for the fixed roles); ``default``:
    the label of the book's estimate. Only the seeds every result has are used (the default may
    have more seeds than the variants), RS = mean over those seeds. Columns: best learned router
    and its RS, best fixed model and its RS, MF's RS, OUB's RS, best learned - best fixed, the
    share of the oracle gap closed, Spearman rho of the comparable policies' RS ranking (see
    :func:`comparable_policies`) against the default's, and the change of MF's RS and of the best
    learned - best fixed difference against the default (numbers, not text).
    """
    if default not in results:
        raise RouterlabError(f"default estimate {default!r} is not among {list(results)}")
    seeds = sorted(set.intersection(*(set(r.seeds) for r in results.values())))
    if not seeds:
        raise RouterlabError("the results share no seed")
    rows = {}
    for label, res in results.items():
        b = benches[label]
        rs = seed_mean_rs(res, seeds)
        learned = learned_routers(res)
        fixed = [p for p in res.policies if p.startswith("fixed:")]
        bl, bf = rs[learned].idxmax(), rs[fixed].idxmax()
        head = rs["oub"] - rs[bf]
        ranking, _ = labelled(res, comparable_policies(res, b.model_names, b.cost, b.quality), seeds)
        rows[label] = {"best learned router": bl, "its RS": float(rs[bl]),
                       "best fixed model": bf.split(":", 1)[1], "best fixed RS": float(rs[bf]),
                       "MF RS": float(rs["mf"]) if "mf" in rs else np.nan, "OUB RS": float(rs["oub"]),
                       "learned - fixed": float(rs[bl] - rs[bf]),
                       "oracle gap closed": float((rs[bl] - rs[bf]) / head) if head > 0 else np.nan,
                       "_ranking": ranking}
    base = rows[default]
    for r in rows.values():
        r["rho vs default"] = rank_agreement(base["_ranking"], r["_ranking"])["rho"]
        r["MF RS change"] = r["MF RS"] - base["MF RS"]
        r["learned - fixed change"] = r["learned - fixed"] - base["learned - fixed"]
    out = pd.DataFrame([{k: v for k, v in r.items() if k != "_ranking"} for r in rows.values()],
                       index=pd.Index(list(rows), name="estimate"))
    out.attrs["seeds"] = seeds
    return out


def biggest_moves(ranks: pd.DataFrame, reference: str, other: str, k: int = 3) -> list[tuple[str, int, int]]:
    """The ``k`` labels whose rank moves most between columns ``reference`` and ``other`` of a
    :func:`rank_table`: ``[(label, rank in reference, rank in other)]``, largest move first
    (ties in label order); labels without both ranks and labels that do not move are skipped."""
    a, b = ranks[reference], ranks[other]
    ok = a.notna() & b.notna() & (a != b)
    shift = (b[ok] - a[ok]).abs()
    order = sorted(shift.index, key=lambda lab: (-shift[lab], list(ranks.index).index(lab)))
    return [(lab, int(a[lab]), int(b[lab])) for lab in order[:k]]


# ---- how distinct are the policies? -------------------------------------------------------------

def choice_agreement(result, policies: Sequence[str]) -> pd.DataFrame:
    """Share of test queries on which two policies choose the same model, mean over the seeds.

    A symmetric (P, P) frame over ``policies`` (ones on the diagonal), read from the choices the
    evaluation stored (no refit).
    """
    policies = list(policies)
    missing = [p for p in policies if p not in result.policies]
    if missing:
        raise RouterlabError(f"policies not in the evaluation: {', '.join(missing)}")
    cols = [result.policies.index(p) for p in policies]
    acc = np.zeros((len(cols), len(cols)))
    for seed in result.seeds:
        ch = np.asarray(result.choices[seed])[:, cols]
        acc += (ch[:, :, None] == ch[:, None, :]).mean(axis=0)
    return pd.DataFrame(acc / len(result.seeds), index=policies, columns=policies)


def probability_correlation(probas: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """Pearson correlation between the predicted success probabilities ((n, m) arrays on the same
    queries and models) of every pair of routers, over all (query, model) cells."""
    names = list(probas)
    if not names:
        return pd.DataFrame()
    flat = np.array([np.asarray(probas[n], dtype=np.float64).ravel() for n in names])
    if len({len(f) for f in flat}) != 1:
        raise RouterlabError("the probability arrays must have the same shape")
    return pd.DataFrame(np.corrcoef(flat), index=names, columns=names)


def most_similar_pair(matrix: pd.DataFrame) -> tuple[str, str, float]:
    """(a, b, value) of the largest off-diagonal entry of a symmetric pairwise frame."""
    m = matrix.to_numpy(dtype=np.float64).copy()
    if m.shape[0] < 2:
        raise RouterlabError("need at least two policies to compare")
    np.fill_diagonal(m, -np.inf)
    i, j = np.unravel_index(np.nanargmax(m), m.shape)
    a, b = sorted((matrix.index[i], matrix.columns[j]))
    return a, b, float(m[i, j])


def predictive_agreement(train, test, ks: Sequence[int], reference: str = "seq-cls",
                         others: Sequence[str] = (), seed: int = 0, **mf_options) -> dict:
    """MF at each rank in ``ks`` against a per-model classifier (``reference``) on one split.

    Fits ``reference`` and every router in ``others`` once and MF once per k on ``train``; routes
    ``test``. Returns ``{"ranks": frame, "proba": {name: (n_test, m) probabilities}}`` where the
    frame has one row per k with ``agreement`` (share of test queries on which MF(k) chooses the
    reference's model) and ``proba_corr`` (Pearson correlation of the predicted probabilities over
    all cells), and ``proba`` holds the reference's, the others' and MF's at the largest k (named
    "mf").
    """
    from routerlab.routing.routers import make_router

    ks = sorted({int(k) for k in ks})
    if not ks or ks[0] < 1:
        raise RouterlabError("ks must be ranks >= 1")
    ref = make_router(reference, seed=seed).fit(train).route(test)
    if ref.proba is None:
        raise RouterlabError(f"router {reference!r} gives no predicted probabilities")
    proba = {reference: ref.proba}
    for name in others:
        r = make_router(name, seed=seed).fit(train).route(test)
        if r.proba is not None:
            proba[name] = r.proba
    rows = []
    for k in ks:
        r = make_router("mf", seed=seed, k=k, **mf_options).fit(train).route(test)
        rows.append({"k": k, "agreement": float(np.mean(r.choice == ref.choice)),
                     "proba_corr": float(np.corrcoef(r.proba.ravel(), ref.proba.ravel())[0, 1])})
        if k == ks[-1]:
            proba["mf"] = r.proba
    return {"ranks": pd.DataFrame(rows).set_index("k"), "proba": proba}


def rank_where_distinct(ranks: pd.DataFrame, threshold: float = 0.95) -> int | None:
    """The largest rank k at which MF's choices agree with the reference on at most ``threshold``
    of the queries (None: at no rank of the sweep)."""
    below = ranks.index[ranks["agreement"] <= threshold]
    return int(max(below)) if len(below) else None
