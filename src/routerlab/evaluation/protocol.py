"""The evaluation protocol: split, fit, route, score, with intervals and a parameter-keyed cache.

Protocol (issue "ten routing algorithms", claims.yaml ``setting.split``): for every seed, an
80/20 train/test split stratified by dataset x difficulty bin (difficulty of a query = share of
models that answer it correctly); every router is fitted on the training rows and routes the test
rows; the Routing Score is normalised on the TEST rows (their cost matrix defines cost_min and
cost_max). A router sees the test rows through :meth:`Benchmark.without_truth` (quality and cost
NaN); only the bounds (``uses_truth``) see the truth.

For each (policy, seed) :func:`evaluate` records RS, quality, mean cost (USD/query), cost
reduction vs a reference fixed model (default: the model with the highest mean cost, GPT-4o),
gain over the best single model and over ``dataset-best`` (when evaluated), gap to the oracle
(OUB), share of queries per model, calls per query, fit and route seconds; the same per
(policy, seed, dataset); and the per-query RS contributions. Intervals: a t-interval across the
seed means and a percentile bootstrap over test queries (the same resamples for every policy,
so differences between policies are paired).

Query features of real data: a benchmark with prompt texts and no ``features`` (the real sources)
gets, for every seed, TF-IDF + SVD features of its prompts (``text_features``, 64 dimensions)
fitted on that seed's TRAINING prompts only and applied to both sides, so no test text shapes
the representation. ``text_features="minilm"`` uses all-MiniLM-L6-v2 sentence embeddings instead
(:mod:`routerlab.routing.encoders`, the optional ``minilm`` extra): pre-trained, they learn nothing
from either side, so every prompt is embedded once (and cached) and each split picks its rows.
"""

from __future__ import annotations

import contextlib
import copy
import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark, benchmark_fingerprint
from routerlab.data.splits import (SPLITS, _check_seeds, _check_test_size, difficulty_bins, query_difficulty,
                                   random_split, split_indices, stratified_split)
from routerlab.errors import RouterlabError, check_choice, check_range
from routerlab.evaluation.cache import CACHE_ENV, cache_root, code_fingerprint, entry_key
from routerlab.evaluation.fitted import cacheable, fit_outputs
from routerlab.locks import entry_lock
from routerlab.metrics import NORMALIZATIONS, oracle_choice, rs_terms, t_interval
from routerlab.routing.routers import (CostOracleRouter, FixedRouter, OracleRouter, QualityOracleRouter, RandomRouter,
                      RoundRobinRouter, Router, Routing, make_router, router_names)
from routerlab.routing.user import check_blind, is_user_router

__all__ = [
    "book_evaluation",
    "SPLITS", "query_difficulty", "difficulty_bins", "stratified_split", "random_split",
    "split_indices", "policy_names", "evaluate", "fit_route_score", "EvaluationResult", "benchmark_fingerprint",
    "code_fingerprint", "t_interval", "CACHE_ENV",
]

CACHE_VERSION = 1
_NON_LEARNING = (RandomRouter, RoundRobinRouter, FixedRouter, OracleRouter, QualityOracleRouter,
                 CostOracleRouter)
_METRICS = ("rs", "quality", "mean_cost", "cost_reduction")


# ---- policy names ------------------------------------------------------------------------------
_ORDER_FIRST = ("random", "round-robin")
_ORDER_LAST = ("dataset-best", "oub", "qoub", "coub")


def policy_names(bench: Benchmark, names: str | Sequence[str] = "all") -> list[str]:
    """Expand a policy list: a comma-separated string or a list; ``"all"`` = every name
    :func:`~routerlab.routing.routers.make_router` knows, with ``fixed:<model>`` expanded to every model
    of ``bench``. Unknown names raise a one-line error. Order of ``all``: baselines, fixed models,
    learned routers, dataset-best, bounds. On a benchmark without response confidences, ``all``
    leaves out the routers that need them (``needs_confidence``, by default the LLM-based
    cascades), and on a benchmark with a model of unknown per-token price the routers that need
    prices (``needs_prices``); naming one explicitly still raises its own error. ``all`` never includes a policy
    flagged ``in_all = False`` (the fan-out policy of :mod:`routerlab.routing.fanout`); name it explicitly."""
    if isinstance(names, str):
        names = [x.strip() for x in names.split(",")]
    names = [x for x in names if x]
    if not names:
        raise RouterlabError("no policy given; name at least one (e.g. random,fixed:GPT-4o) or 'all'")
    known = [x for x in router_names() if x != "fixed:<model>"]
    fixed = [f"fixed:{m}" for m in bench.model_names]
    priced = bool(np.isfinite(bench.price_in).all() and np.isfinite(bench.price_out).all())
    out: list[str] = []
    for x in names:
        if x == "all":
            learned = [k for k in known if k not in _ORDER_FIRST and k not in _ORDER_LAST and _in_all(k)
                       and (bench.confidence is not None or not _needs_confidence(k))]
            expanded = ([k for k in _ORDER_FIRST if k in known] + fixed + learned
                        + [k for k in _ORDER_LAST if k in known])
            if not priced:  # a model without per-token prices: no policy that routes on them
                expanded = [k for k in expanded if k in fixed or not getattr(make_router(k), "needs_prices", False)]
        elif x in ("fixed", "fixed:*", "fixed:<model>"):
            expanded = fixed
        elif x.startswith("fixed:"):
            bench.model_index(x.split(":", 1)[1])  # unknown model -> one-line error
            expanded = [x]
        elif x in known:
            expanded = [x]
        else:
            raise RouterlabError(f"unknown policy {x!r}; choose from: {', '.join(known + fixed)}, or all")
        out.extend(e for e in expanded if e not in out)
    return out


def _in_all(name: str) -> bool:
    """False for a policy that ``all`` never includes (``in_all = False``: the fan-out policy, a
    variant of another router that every chapter's tables and cached evaluations leave out)."""
    return bool(getattr(make_router(name), "in_all", True))


def _needs_confidence(name: str) -> bool:
    r = make_router(name)
    return bool(getattr(r, "needs_confidence", "cascade" in str(getattr(r, "paradigm", "")).lower()))


# ---- the cache key ------------------------------------------------------------------------------
def _router_spec(r) -> object:
    if isinstance(r, str):
        return r
    state = {k: v for k, v in sorted(vars(r).items()) if not k.endswith("_")}  # constructor params
    return {"class": f"{type(r).__module__}.{type(r).__qualname__}",
            "params": json.loads(json.dumps(state, sort_keys=True, default=repr))}


def _bootstrap_means(mats: np.ndarray, n_boot: int, rng: np.random.Generator, chunk: int = 200) -> np.ndarray:
    """(n_boot, c) means of the columns of ``mats`` (n, c) over bootstrap resamples of its rows.

    Each resample draws n row indices with replacement; the counts matrix is shared by every
    column, so differences between columns are paired.
    """
    n = mats.shape[0]
    out = np.empty((n_boot, mats.shape[1]))
    for s in range(0, n_boot, chunk):
        b = min(chunk, n_boot - s)
        idx = rng.integers(0, n, size=(b, n))
        idx += (np.arange(b) * n)[:, None]
        counts = np.bincount(idx.ravel(), minlength=b * n).reshape(b, n).astype(np.float64)
        out[s:s + b] = counts @ mats / n
    return out


# ---- the result --------------------------------------------------------------------------------
@dataclass
class EvaluationResult:
    """Everything :func:`evaluate` measured.

    ``per_seed``: one row per (policy, seed); ``per_dataset``: one row per (policy, seed, dataset);
    ``boot``: metric -> (n_boot, P) bootstrap replicates of the seed-averaged metric (columns in
    ``policies`` order); ``test_idx``: seed -> (n_test,) rows of the benchmark; ``terms``: seed ->
    (n_test, P) per-query RS contributions; ``choices``: seed -> (n_test, P) chosen model column.
    """

    params: dict
    policies: list[str]
    models: list[str]
    policy_info: dict
    per_seed: pd.DataFrame
    per_dataset: pd.DataFrame
    boot: dict = field(default_factory=dict)
    test_idx: dict = field(default_factory=dict)
    terms: dict = field(default_factory=dict)
    choices: dict = field(default_factory=dict)
    from_cache: bool = False
    seconds: float = 0.0

    @property
    def seeds(self) -> list[int]:
        return list(self.params["seeds"])

    def query_terms(self, policy: str, seed: int) -> np.ndarray:
        """(n_test,) per-query RS contributions of ``policy`` on the test rows of ``seed``."""
        check_choice("policy", policy, self.policies)
        check_choice("seed", seed, self.seeds)
        return self.terms[seed][:, self.policies.index(policy)]

    def summary(self) -> pd.DataFrame:
        """One row per policy: seed means of every metric; for rs, quality, mean_cost and
        cost_reduction the 95% t-interval across seeds (``*_lo_seeds``, ``*_hi_seeds``) and the
        95% percentile bootstrap interval over test queries (``*_lo_boot``, ``*_hi_boot``)."""
        ps = self.per_seed
        num = ps.drop(columns=["policy", "seed", "best_single_model", "paradigm"], errors="ignore")
        means = num.groupby(ps["policy"], sort=False).mean().reindex(self.policies)
        out = pd.DataFrame(index=pd.Index(self.policies, name="policy"))
        out["paradigm"] = [self.policy_info[p]["paradigm"] for p in self.policies]
        for mtr in _METRICS:
            out[mtr] = means[mtr]
            wide = ps.pivot(index="seed", columns="policy", values=mtr)[self.policies].to_numpy()
            lo, hi = t_interval(wide, axis=0)
            out[f"{mtr}_lo_seeds"], out[f"{mtr}_hi_seeds"] = lo, hi
            rep = self.boot.get(mtr)
            if rep is not None and len(rep):
                out[f"{mtr}_lo_boot"] = np.percentile(rep, 2.5, axis=0)
                out[f"{mtr}_hi_boot"] = np.percentile(rep, 97.5, axis=0)
            else:
                out[f"{mtr}_lo_boot"] = out[f"{mtr}_hi_boot"] = np.nan
        rest = [c for c in means.columns if c not in out.columns]
        return pd.concat([out, means[rest]], axis=1)

    def shares(self) -> pd.DataFrame:
        """Long table (policy, model, share): mean share of test queries answered by each model."""
        cols = [f"share:{m}" for m in self.models]
        s = self.per_seed.groupby("policy", sort=False)[cols].mean().reindex(self.policies)
        s.columns = self.models
        return s.reset_index().melt(id_vars="policy", var_name="model", value_name="share")

    def paired(self, reference: str = "mf") -> pd.DataFrame:
        """Paired bootstrap of every policy's RS against ``reference`` on the same resampled
        test queries: mean difference (policy - reference, seed-averaged), its 95% percentile
        interval, ``share_better`` (share of resamples where the policy wins) and a two-sided
        bootstrap p-value ``2 * min(P(diff <= 0), P(diff >= 0))``; plus the number of seeds
        on which the policy beat the reference."""
        check_choice("reference policy", reference, self.policies)
        r = self.policies.index(reference)
        wide = self.per_seed.pivot(index="seed", columns="policy", values="rs")[self.policies].to_numpy()
        diff_seed = wide - wide[:, [r]]
        rep = self.boot.get("rs")
        rows = []
        for p, name in enumerate(self.policies):
            if p == r:
                continue
            row = {"policy": name, "reference": reference, "diff": float(diff_seed[:, p].mean()),
                   "seeds_better": int((diff_seed[:, p] > 0).sum()), "n_seeds": diff_seed.shape[0]}
            if rep is not None and len(rep):
                d = rep[:, p] - rep[:, r]
                row.update(lo=float(np.percentile(d, 2.5)), hi=float(np.percentile(d, 97.5)),
                           share_better=float((d > 0).mean()),
                           p_value=float(min(1.0, 2 * min((d <= 0).mean(), (d >= 0).mean()))))
            else:
                row.update(lo=np.nan, hi=np.nan, share_better=np.nan, p_value=np.nan)
            rows.append(row)
        return pd.DataFrame(rows, columns=["policy", "reference", "diff", "lo", "hi", "share_better",
                                           "p_value", "seeds_better", "n_seeds"])

    def to_dict(self, timings: bool = False) -> dict:
        """A JSON-ready document: parameters and one entry per policy with its intervals.

        Wall-clock times (fit and route seconds) change from run to run; they are left out unless
        ``timings`` is True, so the same parameters give a byte-identical document."""
        summ = self.summary()
        multi = len(self.seeds) > 1
        entries = {}
        for p in self.policies:
            row = summ.loc[p]
            e = {"paradigm": row["paradigm"]}
            for mtr in _METRICS:
                e[mtr] = _num(row[mtr])
                if multi:
                    e[f"{mtr}_ci95_seeds"] = [_num(row[f"{mtr}_lo_seeds"]), _num(row[f"{mtr}_hi_seeds"])]
                if self.boot:
                    e[f"{mtr}_ci95_bootstrap"] = [_num(row[f"{mtr}_lo_boot"]), _num(row[f"{mtr}_hi_boot"])]
            for c in ("gain_vs_best_single", "gain_vs_dataset_best", "gap_to_oracle", "calls_per_query"):
                e[c] = _num(row[c])
            if timings:
                e["timings"] = {c: _num(row[c]) for c in ("fit_seconds", "route_seconds")}
            e["shares"] = {m: _num(row[f"share:{m}"]) for m in self.models}
            entries[p] = e
        doc = {"params": self.params, "models": self.models, "policies": entries}
        if "mf" in self.policies:
            doc["paired_vs_mf"] = [{k: (_num(v) if isinstance(v, float) else v) for k, v in r.items()}
                                   for r in self.paired("mf").to_dict(orient="records")]
        return doc

    def to_json(self, path: str | os.PathLike | None = None, timings: bool = False) -> str:
        """The :meth:`to_dict` document as JSON text; also written atomically to ``path`` if given."""
        text = json.dumps(self.to_dict(timings), indent=2, allow_nan=False, default=_json_default)
        if path is not None:
            from routerlab.data.interchange import atomic_write

            atomic_write(Path(path), lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
        return text

    # ---- cache storage (json + parquet + npz; never pickle) ----
    def save(self, folder: str | os.PathLike) -> Path:
        """Store the result in ``folder`` (created atomically: written aside, then renamed)."""
        folder = Path(folder)
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
        try:
            meta = {"params": self.params, "policies": self.policies, "models": self.models,
                    "policy_info": self.policy_info, "seconds": self.seconds, "version": CACHE_VERSION}
            (tmp / "meta.json").write_text(json.dumps(meta, indent=1, default=_json_default), encoding="utf-8")
            self.per_seed.to_parquet(tmp / "per_seed.parquet", index=False)
            self.per_dataset.to_parquet(tmp / "per_dataset.parquet", index=False)
            arrays = {f"boot__{k}": v for k, v in self.boot.items()}
            for s in self.seeds:
                arrays[f"test_idx__{s}"] = self.test_idx[s]
                arrays[f"terms__{s}"] = self.terms[s]
                arrays[f"choices__{s}"] = self.choices[s]
            np.savez(tmp / "arrays.npz", **arrays)
            if folder.exists():
                shutil.rmtree(folder)
            os.replace(tmp, folder)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return folder

    @classmethod
    def load(cls, folder: str | os.PathLike) -> "EvaluationResult":
        """Read a result stored by :meth:`save`."""
        folder = Path(folder)
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        res = cls(params=meta["params"], policies=meta["policies"], models=meta["models"],
                  policy_info=meta["policy_info"],
                  per_seed=pd.read_parquet(folder / "per_seed.parquet"),
                  per_dataset=pd.read_parquet(folder / "per_dataset.parquet"),
                  from_cache=True, seconds=float(meta.get("seconds", 0.0)))
        with np.load(folder / "arrays.npz", allow_pickle=False) as z:
            for k in z.files:
                kind, _, key = k.partition("__")
                if kind == "boot":
                    res.boot[key] = z[k]
                else:
                    getattr(res, kind)[int(key)] = z[k]
        return res


def _json_default(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    return repr(x)


def _num(x):
    x = float(x)
    return x if math.isfinite(x) else None


# ---- the protocol ------------------------------------------------------------------------------
def _learns(router: Router) -> bool:
    return bool(getattr(router, "learns", not isinstance(router, _NON_LEARNING)))


def _build(spec, seed: int, options: dict) -> Router:
    if isinstance(spec, Router):
        r = copy.deepcopy(spec)
        if hasattr(r, "seed"):
            r.seed = int(seed)
        return r
    return make_router(spec, seed=seed, **options)


def _check_routing(routing: Routing, label: str, n: int, m: int) -> Routing:
    if not isinstance(routing, Routing):
        raise RouterlabError(f"router {label!r} returned {type(routing).__name__}, not a Routing")
    choice = np.asarray(routing.choice)
    if choice.shape != (n,) or choice.dtype.kind not in "iu":
        raise RouterlabError(f"router {label!r} returned choices of shape {choice.shape} and dtype "
                             f"{choice.dtype}; expected ({n},) integers")
    if n and (choice.min() < 0 or choice.max() >= m):
        raise RouterlabError(f"router {label!r} chose a model column outside 0..{m - 1}")
    if routing.calls is not None:
        calls = np.asarray(routing.calls, dtype=bool)
        if calls.shape != (n, m):
            raise RouterlabError(f"router {label!r} returned calls of shape {calls.shape}, expected ({n}, {m})")
        if not calls[np.arange(n), choice].all():
            raise RouterlabError(f"router {label!r} returned an answer from a model it did not call")
    return routing


def _group_sums(codes: np.ndarray, k: int, values: np.ndarray) -> np.ndarray:
    """(k, c) sums of the rows of ``values`` (n, c) per group code."""
    out = np.zeros((k, values.shape[1]))
    np.add.at(out, codes, values)
    return out


@contextlib.contextmanager
def _one_line_failures(label: str, step: str, user: bool):
    """A user's router that raises in ``step`` is one line (a built-in's error keeps its traceback)."""
    try:
        yield
    except RouterlabError:
        raise
    except Exception as exc:
        if not user:
            raise
        raise RouterlabError(f"router {label!r} failed in {step}() ({type(exc).__name__}: "
                             f"{' '.join(str(exc).split())[:200]})") from None


def fit_route_score(spec: str | Router, train: Benchmark, test: Benchmark, seed: int,
                    normalization: str = "global", options: dict | None = None, label: str | None = None,
                    blind: Benchmark | None = None) -> dict:
    """Fit one policy on ``train``, route ``test`` and score it: the protocol's step for one
    (policy, split).

    ``spec``: a policy name (built by :func:`~routerlab.routing.routers.make_router` with ``seed`` and
    ``options``) or a :class:`Router` (deep-copied, its ``seed`` set). The router routes
    ``blind`` (default ``test.without_truth()``) unless it ``uses_truth``; ``oub`` gets
    ``normalization`` unless ``options`` set it. Returns per-query arrays over the n test rows:
    ``terms`` (n,) RS contributions, ``qret`` (n,) returned quality, ``paid`` (n,) USD,
    ``ncalls`` (n,) models called, ``choice`` (n,) int16 chosen column; and ``fit_seconds``,
    ``route_seconds`` (wall clock) and ``info`` (paradigm, uses_truth, learns). A user's router
    (:func:`~routerlab.routing.user.is_user_router`) must pass
    :func:`~routerlab.routing.user.check_blind` before it is scored, and its exceptions in fit or
    route become one line.
    """
    label = label if label is not None else (spec if isinstance(spec, str) else spec.name)
    opts = dict(options or {})
    if label == "oub":
        opts.setdefault("normalization", normalization)
    router = _build(spec, seed, opts)
    n, m = test.n_queries, test.n_models
    Q, C = test.quality, test.cost
    user = is_user_router(router)
    if user and router.uses_truth:
        raise RouterlabError(f"router {label!r} declares uses_truth; only the built-in bounds may read the test truth")
    blind = test if router.uses_truth else (blind if blind is not None else test.without_truth())
    if cacheable(router):  # a built-in predictive router: its fit on this split is made once
        done = fit_outputs(router, train, blind)
        routing, fit_seconds, route_seconds = done.routing, done.fit_seconds, done.route_seconds
    else:
        t0 = time.perf_counter()
        with _one_line_failures(label, "fit", user):
            router.fit(train)
        t1 = time.perf_counter()
        with _one_line_failures(label, "route", user):
            routing = router.route(blind)
        fit_seconds, route_seconds = t1 - t0, time.perf_counter() - t1
    routing = _check_routing(routing, label, n, m)
    if user:  # a user's router is scored only if it routes the same without the truth
        check_blind(router, test, routing, label)
    qret = routing.returned_quality(Q)
    paid = routing.paid(C)
    return dict(
        terms=rs_terms(qret, paid, C, normalization), qret=qret, paid=paid,
        ncalls=np.ones(n) if routing.calls is None else np.asarray(routing.calls, dtype=bool).sum(axis=1),
        choice=np.asarray(routing.choice).astype(np.int16), fit_seconds=fit_seconds, route_seconds=route_seconds,
        info={"paradigm": str(getattr(router, "paradigm", "")), "uses_truth": bool(router.uses_truth),
              "learns": _learns(router)})


def _score_seed(bench, train_idx, test_idx, specs, labels, options, seed, normalization, ref_j,
                text_features=None, bar=None):
    """Fit/route/score every policy on one split. Returns arrays for the per-seed bookkeeping."""
    m = bench.n_models
    from routerlab.routing.features import split_rows

    train, test = split_rows(bench, train_idx, test_idx, text_features, seed)
    blind = test.without_truth()
    Q, C = test.quality, test.cost
    n = test.n_queries
    P = len(specs)
    terms = np.empty((n, P))
    qret = np.empty((n, P))
    paid = np.empty((n, P))
    ncalls = np.empty((n, P))
    choices = np.empty((n, P), dtype=np.int16)
    fit_s = np.empty(P)
    route_s = np.empty(P)
    info = {}
    for p, (spec, label) in enumerate(zip(specs, labels)):
        if bar is not None:
            bar.set_postfix_str(f"seed {seed}, {label}", refresh=False)
        one = fit_route_score(spec, train, test, seed, normalization, options.get(label, {}), label, blind)
        terms[:, p], qret[:, p], paid[:, p] = one["terms"], one["qret"], one["paid"]
        ncalls[:, p], choices[:, p] = one["ncalls"], one["choice"]
        fit_s[p], route_s[p] = one["fit_seconds"], one["route_seconds"]
        info[label] = one["info"]
        if bar is not None:
            bar.update(1)
    # reference quantities on the same test rows
    single = np.column_stack([rs_terms(Q[:, j], C[:, j], C, normalization) for j in range(m)])  # (n, m)
    oc = oracle_choice(Q, C, normalization)
    oracle_terms = single[np.arange(n), oc]
    return dict(terms=terms, qret=qret, paid=paid, ncalls=ncalls, choices=choices, fit_s=fit_s,
                route_s=route_s, info=info, single=single, oracle_terms=oracle_terms,
                ref_cost=C[:, ref_j], test=test)


def _table(labels, seed, models, sums, counts_model, n, single_sum, oracle_sum, ref_cost_sum,
           ncalls_sum, fit_s, route_s, dsbest, extra=None):
    """Build the metric rows of one group (a seed, or a seed x dataset) from column sums."""
    rs = sums["terms"] / n
    quality = sums["qret"] / n
    mean_cost = sums["paid"] / n
    single_rs = single_sum / n
    best_j = int(np.argmax(single_rs))
    ref_mean = ref_cost_sum / n
    df = pd.DataFrame({
        "policy": labels, "seed": seed,
        "rs": rs, "quality": quality, "mean_cost": mean_cost,
        "cost_reduction": 1.0 - mean_cost / ref_mean if ref_mean > 0 else np.nan,
        "gain_vs_best_single": rs - single_rs[best_j],
        "gain_vs_dataset_best": rs - rs[dsbest] if dsbest is not None else np.nan,
        "gap_to_oracle": oracle_sum / n - rs,
        "oracle_rs": oracle_sum / n, "best_single_rs": single_rs[best_j],
        "best_single_model": models[best_j],
        "calls_per_query": ncalls_sum / n,
    })
    if extra:
        for k, v in extra.items():
            df.insert(2, k, v)
    for j, mo in enumerate(models):
        df[f"share:{mo}"] = counts_model[:, j] / n
    df["fit_seconds"] = fit_s
    df["route_seconds"] = route_s
    return df


def _seed_task(bench: Benchmark, job: dict, bar=None) -> tuple[np.ndarray, dict]:
    """One seed of :func:`evaluate`: its split and :func:`_score_seed` (a task of run_tasks)."""
    seed = job["seed"]
    tr, te = split_indices(bench, job["split"], job["test_size"], seed)
    return te, _score_seed(bench, tr, te, job["specs"], job["labels"], job["options"], seed,
                           job["normalization"], job["ref_j"], job["text_features"], bar)


def evaluate(bench: Benchmark, routers: str | Sequence[str | Router] | None = None,
             seeds: Iterable[int] = range(5), normalization: str = "global",
             split: str = "stratified", test_size: float = 0.2, bootstrap: int = 1000,
             reference: str | None = None, cache_dir: str | os.PathLike | None | bool = None,
             router_options: dict[str, dict] | None = None, bootstrap_seed: int = 0,
             text_features: str | None = "auto", progress: bool = False, n_jobs: int = 1,
             backend: str = "loky", scheduler: str | None = None) -> EvaluationResult:
    """Run the protocol for every policy and seed; see the module docstring.

    ``routers``: policy names (a list, a comma-separated string, ``"all"``; default all) or
    :class:`Router` objects (deep-copied per seed, ``seed`` attribute set to the seed).
    ``router_options``: name -> keyword options for :func:`make_router`. ``normalization``:
    ``"global"`` or ``"per-query"``, computed on the test rows. ``split``: ``"stratified"``,
    ``"random"`` or ``"none"`` (every row is both training and test set; only non-learning
    policies allowed). ``bootstrap``: number of resamples of the test queries (0 = none), seeded
    by (``bootstrap_seed``, seed). ``reference``: the model whose fixed policy defines the cost
    reduction (default: the model with the highest mean cost). ``cache_dir``: a folder where
    results are stored and reused only for identical benchmark content, parameters and package
    code (a hash of all three names the entry); None = the folder in ``$ROUTERLAB_CACHE_DIR`` if
    that is set, else no cache; False = no cache. ``text_features``: ``"auto"`` (default) fits
    ``"tfidf"`` features per seed on the training prompts when the benchmark has prompts and no
    ``features``, else none; ``"tfidf"`` or ``"minilm"`` to force one (needs prompts); None = never.
    ``progress``: show a progress bar on stderr (one step per policy and seed; one per seed when
    the seeds run in parallel). ``n_jobs``, ``backend``, ``scheduler``: run the seeds in parallel
    through :func:`routerlab.evaluation.sweeps.run_tasks` (one task per seed; ``backend="dask"`` on the
    cluster at ``scheduler``); the result is the same whatever they are, so they are not part of
    the cache key.
    """
    t_start = time.perf_counter()
    check_choice("normalization", normalization, NORMALIZATIONS)
    check_choice("split", split, SPLITS)
    _check_test_size(test_size)
    seeds = _check_seeds(seeds)
    from routerlab.evaluation.parallel import check_backend, run_tasks

    check_backend(backend, scheduler)
    bootstrap = int(check_range("bootstrap", bootstrap, 0))
    options = {k: dict(v) for k, v in (router_options or {}).items()}
    from routerlab.routing.features import resolve_text_features

    text_features = resolve_text_features(bench, text_features)
    if routers is None:
        routers = "all"
    if isinstance(routers, str):
        routers = policy_names(bench, routers)
    specs, labels = [], []
    for r in routers:
        if isinstance(r, Router):
            specs.append(r)
            labels.append(r.name)
        elif isinstance(r, str):
            for nm in policy_names(bench, [r]):
                specs.append(nm)
                labels.append(nm)
        else:
            raise RouterlabError(f"a policy must be a name or a Router, got {type(r).__name__}")
    if len(set(labels)) != len(labels):
        dup = next(x for x in labels if labels.count(x) > 1)
        raise RouterlabError(f"policy {dup!r} is listed twice")
    for k in options:
        if k not in labels:
            raise RouterlabError(f"router_options given for {k!r}, which is not evaluated")
    ref_j = (int(np.argmax(bench.cost.mean(axis=0))) if reference is None
             else bench.model_index(reference))
    models = bench.model_names

    params = {
        "benchmark": bench.name, "simulated": bool(bench.simulated), "n_queries": bench.n_queries,
        "policies": [_router_spec(s) for s in specs], "router_options": options, "seeds": seeds,
        "normalization": normalization, "split": split, "test_size": float(test_size),
        "bootstrap": bootstrap, "bootstrap_seed": int(bootstrap_seed), "reference": models[ref_j],
        "text_features": text_features,
    }
    key_doc = dict(params, fingerprint=benchmark_fingerprint(bench), code=code_fingerprint(),
                   version=CACHE_VERSION)
    key = entry_key(key_doc)
    params["cache_key"] = key
    root = cache_root(cache_dir)
    folder = None if root is None else root / f"evaluate-{key[:32]}"
    with contextlib.ExitStack() as stack:
        if folder is not None:
            stack.enter_context(entry_lock(folder))  # one process computes, the others wait and read
        if folder is not None and (folder / "arrays.npz").is_file():
            try:
                res = EvaluationResult.load(folder)
            except Exception:  # unreadable cache entry: recompute and overwrite
                res = None
            if res is not None and res.params.get("cache_key") == key:
                return res

        if split == "none":
            for spec, label in zip(specs, labels):
                if _learns(_build(spec, seeds[0], options.get(label, {}))):
                    raise RouterlabError(f"policy {label!r} learns from training rows, so it cannot be "
                                         "evaluated with split 'none'; use a train/test split")
        dsb = labels.index("dataset-best") if "dataset-best" in labels else None
        per_seed, per_dataset = [], []
        boot_acc = {mtr: np.zeros((bootstrap, len(labels))) for mtr in _METRICS} if bootstrap else {}
        test_idx, terms_d, choices_d, policy_info = {}, {}, {}, {}
        P, m = len(labels), bench.n_models
        from tqdm import tqdm

        serial = n_jobs == 1 and backend != "dask"  # in this process: the per-fit bar works
        bar = tqdm(total=len(seeds) * P, desc="evaluate", unit="fit", disable=not (progress and serial), leave=False)
        job = dict(split=split, test_size=test_size, specs=specs, labels=labels, options=options,
                   normalization=normalization, ref_j=ref_j, text_features=text_features)
        outs = run_tasks(partial(_seed_task, bar=bar if serial else None), [dict(job, seed=s) for s in seeds],
                         n_jobs=n_jobs, backend=backend, scheduler=scheduler, progress=progress and not serial,
                         common=bench, desc="evaluate")
        for seed, (te, out) in zip(seeds, outs):
            policy_info.update(out["info"])
            test = out["test"]
            n = test.n_queries
            ch = out["choices"].astype(np.intp)
            counts = np.stack([np.bincount(ch[:, p], minlength=m) for p in range(P)])  # (P, m)
            sums = {k: out[k].sum(axis=0) for k in ("terms", "qret", "paid")}
            per_seed.append(_table(labels, seed, models, sums, counts, n, out["single"].sum(axis=0),
                                   out["oracle_terms"].sum(), out["ref_cost"].sum(),
                                   out["ncalls"].sum(axis=0), out["fit_s"], out["route_s"], dsb))
            # per dataset: the same sums within each dataset of the test rows
            codes, dnames = test.dataset_codes, test.dataset_names
            k = len(dnames)
            nd = np.bincount(codes, minlength=k)
            gs = {kk: _group_sums(codes, k, out[kk]) for kk in ("terms", "qret", "paid", "ncalls")}
            g_single = _group_sums(codes, k, out["single"])
            g_oracle = _group_sums(codes, k, out["oracle_terms"][:, None])[:, 0]
            g_ref = _group_sums(codes, k, out["ref_cost"][:, None])[:, 0]
            flat = (codes[:, None] * m + ch).ravel() * P + np.tile(np.arange(P), n)  # (dataset, model, policy)
            g_counts = np.bincount(flat, minlength=k * m * P).reshape(k, m, P)
            for d in range(k):
                per_dataset.append(_table(
                    labels, seed, models, {kk: gs[kk][d] for kk in ("terms", "qret", "paid")},
                    g_counts[d].T, nd[d], g_single[d], g_oracle[d], g_ref[d], gs["ncalls"][d],
                    np.nan, np.nan, dsb, extra={"n_test": int(nd[d]), "dataset": dnames[d]}))
            # bootstrap over the test queries (same resamples for every policy and metric)
            if bootstrap:
                rng = np.random.default_rng([int(bootstrap_seed), int(seed)])
                mats = np.hstack([out["terms"], out["qret"], out["paid"], out["ref_cost"][:, None]])
                rep = _bootstrap_means(mats, bootstrap, rng)
                boot_acc["rs"] += rep[:, :P]
                boot_acc["quality"] += rep[:, P:2 * P]
                boot_acc["mean_cost"] += rep[:, 2 * P:3 * P]
                ref_b = rep[:, [3 * P]]
                with np.errstate(divide="ignore", invalid="ignore"):
                    boot_acc["cost_reduction"] += 1.0 - rep[:, 2 * P:3 * P] / ref_b
            test_idx[seed] = np.asarray(te, dtype=np.int64)
            terms_d[seed] = out["terms"]
            choices_d[seed] = out["choices"]

        bar.close()
        ps = pd.concat(per_seed, ignore_index=True)
        ps.insert(2, "paradigm", [policy_info[p]["paradigm"] for p in ps["policy"]])
        pdset = pd.concat(per_dataset, ignore_index=True).drop(columns=["fit_seconds", "route_seconds"])
        pdset = pdset[["policy", "seed", "dataset", "n_test"] + [c for c in pdset.columns
                                                              if c not in ("policy", "seed", "dataset", "n_test")]]
        boot = {k: v / len(seeds) for k, v in boot_acc.items()}
        res = EvaluationResult(params=params, policies=labels, models=models, policy_info=policy_info,
                               per_seed=ps, per_dataset=pdset, boot=boot, test_idx=test_idx,
                               terms=terms_d, choices=choices_d,
                               seconds=time.perf_counter() - t_start)
        if folder is not None:
            try:
                res.save(folder)
            except OSError as exc:  # an unwritable cache costs the reuse, never the result
                _warn_cache_unwritable(root, exc)
        return res


_WARNED: set[str] = set()


def _warn_cache_unwritable(cache_dir: Path, exc: OSError) -> None:
    """One line on stderr, once per process and cache folder: results cannot be stored there."""
    import sys

    if str(cache_dir) in _WARNED:
        return
    _WARNED.add(str(cache_dir))
    why = ("it is a file, not a folder" if cache_dir.exists() and not cache_dir.is_dir()
           else exc.strerror or type(exc).__name__)
    print(f"routerlab: warning: cannot store results in the cache folder {str(cache_dir)!r} ({why}); "
          "they are computed but not cached (give a writable --cache-dir)", file=sys.stderr)


def book_evaluation(bench: Benchmark, n_seeds: int = 5, cache_dir=None) -> EvaluationResult:
    """The book's main evaluation: every policy, seeds ``0..n_seeds-1``, the article's protocol.

    Chapters 03, 04 and 05 all call this one function, so they share one cache entry (the
    arguments, and hence the cache key, cannot drift apart): stratified 80/20 split, global RS
    normalisation on the test rows, 1,000 bootstrap resamples of the test queries per seed.
    """
    n_seeds = int(check_range("n_seeds", n_seeds, 1))
    return evaluate(bench, policy_names(bench, "all"), seeds=list(range(n_seeds)),
                    normalization="global", split="stratified", test_size=0.2, bootstrap=1000,
                    cache_dir=cache_dir)
