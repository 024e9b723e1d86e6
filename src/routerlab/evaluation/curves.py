"""Operating curves in the cost-quality plane: the sweeps that NDCH, AIQ, APGR and CPT summarise.

* :func:`wtp_sweep` -- RouterBench's willingness-to-pay rule for predictive routers: for each
  lambda of :data:`WILLINGNESS_TO_PAY` pick argmax_j lambda * P_hat(i, j) - kappa(i, j).
* :func:`judge_cascade` / :func:`cascade_sweep` -- RouterBench's cascading router: models from the
  cheapest up, a simulated judge that accepts a correct answer and errs with probability epsilon
  (seeded), a per-query cost cap; swept over budgets and error rates.
* :func:`threshold_sweep` -- RouteLLM's two-model curve: strong model where the win-rate score is
  above a threshold, thresholds at score deciles (RouteLLM) or at exact strong-call shares.
* :func:`oracle_point`, :func:`single_model_points`, :func:`random_mix_curve` -- reference points.
* :func:`frontier_study` (chapter 07) and :func:`two_model_study` (chapter 08) -- every router's
  curve, hull, AIQ, RS (and for two models APGR/CPT) over seeded train/test splits.

Costs on every curve are mean USD per query (RouterBench plots the total, which is the mean times
the number of queries: hulls and the c_max-normalised AIQ do not change).
All sweeps are vectorised over queries; only the (short) parameter grids are looped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError, check_choice, check_range
from routerlab.routing.routers import Router, Routing

__all__ = [
    "WILLINGNESS_TO_PAY", "CASCADE_BUDGETS", "CASCADE_ERROR_RATES", "price_proxy", "expected_cost",
    "wtp_choices", "wtp_sweep", "router_proba", "router_wtp_curve", "cascade_order", "judge_cascade",
    "cascade_sweep", "JudgeCascadeRouter", "win_rate_from_proba", "threshold_sweep",
    "optimal_two_model_curve", "random_mix_curve", "oracle_point", "single_model_points", "curve_frame",
]

# utils.WILLINGNESS_TO_PAY in RouterBench (spec 2.3): 32 values.
WILLINGNESS_TO_PAY: tuple[float, ...] = (
    1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 0.005, 0.01, 0.1, 0.5, 1, 1.5, 2, 10, 50, 100,
    500, 1000, 2000, 3000, 4000, 5000, 7500, 1e4, 2.5e4, 5e4, 7.5e4, 1e5, 1e6, 1e9)
# run_cascading_router.py grids (spec 2.4): max cost per response (USD) and judge error rates.
CASCADE_BUDGETS: tuple[float, ...] = (0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50, 100)
CASCADE_ERROR_RATES: tuple[float, ...] = (0.0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8)


def curve_frame(quality: np.ndarray, paid: np.ndarray, **columns) -> pd.DataFrame:
    """A one-row-per-operating-point frame from (k, n) returned quality and paid cost."""
    out = pd.DataFrame(columns)
    out["cost"] = np.asarray(paid, dtype=np.float64).mean(axis=1)
    out["quality"] = np.asarray(quality, dtype=np.float64).mean(axis=1)
    return out


# ---- willingness to pay ------------------------------------------------------------------------
def price_proxy(models_or_bench) -> np.ndarray:
    """(m,) RouterBench's cost term kappa_j = prompt + completion price, in USD per token.

    (No model here has a per-request fee, so the fee / mean-response-tokens term is 0.)
    """
    from routerlab.data.catalog import require_prices

    models = models_or_bench.models if isinstance(models_or_bench, Benchmark) else models_or_bench
    require_prices(models, "RouterBench's price cost term")
    return np.array([(m.price_in + m.price_out) / 1e6 for m in models], dtype=np.float64)


def expected_cost(train: Benchmark, test: Benchmark) -> np.ndarray:
    """(n_test, m) USD a router can expect before answering: test prompt tokens x input price +
    model j's mean answer tokens on that dataset in the training rows x output price.

    The predictive routers' own definition (:func:`routerlab.routing.predictive.expected_cost`), reused
    so that a curve and a router price a query the same way.
    """
    from routerlab.routing.predictive import expected_cost as _expected_cost

    return _expected_cost(train, test)


def wtp_choices(proba: np.ndarray, kappa: np.ndarray, lam: float) -> np.ndarray:
    """(n,) argmax_j lam * proba[i, j] - kappa[i, j] (first model on ties; argmax proba if lam <= 0).

    ``proba`` (n, m) predicted quality; ``kappa`` (m,) or (n, m) cost term in the units lam prices.
    """
    proba = np.asarray(proba, dtype=np.float64)
    if lam is None or lam <= 0:
        return proba.argmax(axis=1)
    kappa = np.broadcast_to(np.asarray(kappa, dtype=np.float64), proba.shape)
    return (lam * proba - kappa).argmax(axis=1)


def wtp_sweep(proba: np.ndarray, quality: np.ndarray, cost: np.ndarray, kappa: np.ndarray,
              lambdas=WILLINGNESS_TO_PAY, strong: int = -1) -> pd.DataFrame:
    """One operating point per lambda: columns ``lam``, ``cost`` (mean USD/query), ``quality``.

    ``proba`` (n, m) a router's predicted quality on the test queries; ``quality``, ``cost`` (n, m)
    the test truth (for scoring only); ``kappa`` (m,) or (n, m), e.g. :func:`price_proxy` (USD per
    token, RouterBench's code) or :func:`expected_cost` (USD per query). Column ``strong_share``
    is the share of queries sent to model column ``strong`` (default the last).
    """
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    if np.shape(proba) != quality.shape:
        raise RouterlabError(f"proba has shape {np.shape(proba)}, the test truth has {quality.shape}")
    lambdas = np.asarray(lambdas, dtype=np.float64)
    choices = np.stack([wtp_choices(proba, kappa, lam) for lam in lambdas])  # (k, n), k ~ 32
    q = np.take_along_axis(quality[None], choices[..., None], axis=2)[..., 0]
    c = np.take_along_axis(cost[None], choices[..., None], axis=2)[..., 0]
    out = curve_frame(q, c, lam=lambdas)
    out["strong_share"] = (choices == (strong % quality.shape[1])).mean(axis=1)
    return out


def router_proba(router: Router, test: Benchmark) -> np.ndarray:
    """(n, m) a fitted predictive router's success probabilities: ``predict_proba(test)`` if it
    has one, else ``route(test).proba``; a clear error for routers without probabilities."""
    if hasattr(router, "predict_proba"):
        p = router.predict_proba(test)
    else:
        p = router.route(test).proba
    if p is None:
        raise RouterlabError(f"router {getattr(router, 'name', router)!r} gives no success probabilities; "
                             "use a predictive router (mf, seq-cls, bert-cls, causal-lm, knn, mlp)")
    return np.asarray(p, dtype=np.float64)


def router_wtp_curve(router: Router, train: Benchmark, test: Benchmark, cost_term: str = "proxy",
                     lambdas=WILLINGNESS_TO_PAY, fit: bool = True) -> pd.DataFrame:
    """Fit ``router`` on ``train`` (unless ``fit=False``), then :func:`wtp_sweep` on ``test``.

    ``cost_term``: ``"proxy"`` (RouterBench's constant per-token price, :func:`price_proxy`) or
    ``"expected"`` (this query's expected USD, :func:`expected_cost`).
    """
    check_choice("cost term", cost_term, ("proxy", "expected"))
    if fit:
        router.fit(train)
    proba = router_proba(router, test.without_truth())
    if cost_term == "proxy":
        kappa = price_proxy(test)
    elif hasattr(router, "expected_cost"):
        kappa = router.expected_cost(test.without_truth())
    else:
        kappa = expected_cost(train, test.without_truth())
    return wtp_sweep(proba, test.quality, test.cost, kappa, lambdas)


# ---- cascading router with a simulated judge ---------------------------------------------------
def cascade_order(models_or_bench) -> np.ndarray:
    """(m,) model columns from the cheapest kappa (:func:`price_proxy`) up; stable on ties."""
    return np.argsort(price_proxy(models_or_bench), kind="stable")


def judge_cascade(quality: np.ndarray, cost: np.ndarray, budget: float, error_rate: float,
                  order=None, threshold: float | None = None, seed: int = 0,
                  flips: np.ndarray | None = None) -> Routing:
    """RouterBench's cascading router on (n, m) outcomes; returns a :class:`Routing` with calls.

    Models are visited in ``order`` (default: cheapest first). Before calling a model (other than
    the first) the cascade stops if the model's cost on this query is >= the budget left
    (``budget`` USD per query). A judge accepts an answer whose quality >= ``threshold`` (default:
    the 0.95 quantile of all qualities, 1.0 for binary scores); with probability ``error_rate``
    its verdict is flipped (``numpy.random.default_rng(seed)``, or the (n, m) bool ``flips``).
    The cascade stops at the first accepted answer; the query gets the quality of the LAST model
    called and pays for every call. This simulation reads the truth (the judge is simulated).
    """
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    n, m = quality.shape
    check_range("judge error rate", error_rate, 0.0, 1.0)
    check_range("budget", budget, 0.0, lo_open=True)
    order = np.arange(m) if order is None else np.asarray(order)
    tau = float(np.quantile(quality, 0.95)) if threshold is None else float(threshold)
    if flips is None:
        flips = np.random.default_rng(seed).random((n, m)) < error_rate
    q, c = quality[:, order], cost[:, order]
    accept = (q >= tau) ^ flips[:, order]
    spent = np.cumsum(c, axis=1)
    # stop before model k (k >= 1) if the previous answer was accepted or k's cost >= budget left
    stop = np.zeros((n, m + 1), dtype=bool)
    stop[:, 1:m] = accept[:, :-1] | (c[:, 1:] >= budget - spent[:, :-1])
    stop[:, m] = True
    n_called = np.argmax(stop[:, 1:], axis=1) + 1  # (n,) in 1..m
    calls_sorted = np.arange(m)[None, :] < n_called[:, None]
    calls = np.zeros((n, m), dtype=bool)
    calls[:, order] = calls_sorted
    return Routing(choice=order[n_called - 1], calls=calls)


def cascade_sweep(quality: np.ndarray, cost: np.ndarray, budgets=CASCADE_BUDGETS,
                  error_rates=CASCADE_ERROR_RATES, order=None, threshold: float | None = None,
                  seed: int = 0) -> pd.DataFrame:
    """:func:`judge_cascade` over the grid budgets x error rates.

    Columns ``budget``, ``error_rate``, ``cost`` (mean USD/query), ``quality``, ``calls`` (mean
    models called). The judge's random draws are shared across budgets for one error rate (one
    uniform (n, m) array from ``seed``, flipped where < error rate), so curves are comparable.
    """
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    u = np.random.default_rng(seed).random(quality.shape)
    rows = []
    for eps in error_rates:
        flips = u < eps
        for b in budgets:
            r = judge_cascade(quality, cost, b, eps, order=order, threshold=threshold, flips=flips)
            rows.append((float(b), float(eps), float(r.paid(cost).mean()),
                         float(r.returned_quality(quality).mean()), float(r.calls.sum(axis=1).mean())))
    return pd.DataFrame(rows, columns=["budget", "error_rate", "cost", "quality", "calls"])


class JudgeCascadeRouter(Router):
    """:func:`judge_cascade` as a router (RouterBench's cascading router with a simulated judge).

    It reads the test truth through its simulated judge, so ``uses_truth`` is True: it is a
    what-if ("if a judge were this good"), not a deployable policy.
    """

    name = "judge-cascade"
    paradigm = "cascade (simulated judge)"
    uses_truth = True

    def __init__(self, budget: float = 1.0, error_rate: float = 0.2, threshold: float | None = None,
                 seed: int = 0):
        super().__init__(seed)
        self.budget, self.error_rate, self.threshold = budget, error_rate, threshold

    def fit(self, train: Benchmark) -> "JudgeCascadeRouter":
        self.order_ = cascade_order(train)
        return super().fit(train)

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        if not np.isfinite(test.quality).all():
            raise RouterlabError("the judge cascade simulates its judge from test quality; pass the full test set")
        return judge_cascade(test.quality, test.cost, self.budget, self.error_rate, order=self.order_,
                             threshold=self.threshold, seed=self.seed)


# ---- two-model threshold curves (RouteLLM) -----------------------------------------------------
def win_rate_from_proba(proba: np.ndarray, weak: int = 0, strong: int = 1) -> np.ndarray:
    """(n,) a RouteLLM-style score in [0, 1] from per-model success probabilities (n, m):
    (1 + P_strong - P_weak) / 2, monotone in the expected gain of calling the strong model."""
    proba = np.asarray(proba, dtype=np.float64)
    return (1.0 + proba[:, strong] - proba[:, weak]) / 2.0


def threshold_sweep(win_rate: np.ndarray, quality: np.ndarray, cost: np.ndarray, weak: int = 0,
                    strong: int = 1, method: str = "qcut", n_points: int = 10) -> pd.DataFrame:
    """Two-model operating curve: strong model for the queries with the highest ``win_rate``.

    ``win_rate`` (n,) router score (higher = strong more useful); ``quality``, ``cost`` (n, m) truth.
    ``method="qcut"`` is RouteLLM's: thresholds at the ``n_points``-quantile edges of the scores,
    "strong if w >= edge" for every edge but the last, "w > edge" for the last (0% strong);
    ``method="share"`` sends exactly round(s * n) top-scored queries to the strong model for
    s = 0, 1/n_points, ..., 1 (ties broken by query order). Columns ``threshold`` (NaN for
    "share"), ``strong_share``, ``cost`` (mean USD/query), ``quality``; sorted by strong_share.
    """
    check_choice("threshold method", method, ("qcut", "share"))
    w = np.asarray(win_rate, dtype=np.float64)
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    n = len(w)
    if quality.shape[0] != n:
        raise RouterlabError(f"win_rate has {n} entries for {quality.shape[0]} queries")
    order = np.argsort(-w, kind="stable")
    dq = np.r_[0.0, np.cumsum(quality[order, strong] - quality[order, weak])]
    dc = np.r_[0.0, np.cumsum(cost[order, strong] - cost[order, weak])]
    if method == "qcut":
        edges = np.quantile(w, np.linspace(0, 1, n_points + 1))
        ks = np.array([(w >= e).sum() for e in edges[:-1]] + [(w > edges[-1]).sum()])
        thresholds = edges
    else:
        ks = np.round(np.linspace(0, 1, n_points + 1) * n).astype(int)
        thresholds = np.full(len(ks), np.nan)
    base_q, base_c = quality[:, weak].sum(), cost[:, weak].sum()
    out = pd.DataFrame({"threshold": thresholds, "strong_share": ks / n,
                        "cost": (base_c + dc[ks]) / n, "quality": (base_q + dq[ks]) / n})
    return out.sort_values("strong_share", kind="stable").reset_index(drop=True)


def optimal_two_model_curve(quality: np.ndarray, shares, weak: int = 0, strong: int = 1) -> np.ndarray:
    """(k,) RouteLLM's "optimal" quality at strong-call shares (k,): weak-correct plus
    min(calls, #(weak wrong and strong right)), as a mean over queries (binary quality)."""
    quality = np.asarray(quality, dtype=np.float64)
    n = quality.shape[0]
    gain = ((quality[:, weak] < 1) & (quality[:, strong] >= 1)).sum()
    calls = np.round(np.asarray(shares, dtype=np.float64) * n)
    return (quality[:, weak].sum() + np.minimum(calls, gain)) / n


def random_mix_curve(quality: np.ndarray, cost: np.ndarray, shares, weak: int = 0, strong: int = 1):
    """(cost (k,), quality (k,)) expected by a random router sending a share s of queries to the
    strong model: the straight line between the two single models."""
    s = np.asarray(shares, dtype=np.float64)
    q = np.asarray(quality, dtype=np.float64).mean(axis=0)
    c = np.asarray(cost, dtype=np.float64).mean(axis=0)
    return c[weak] + s * (c[strong] - c[weak]), q[weak] + s * (q[strong] - q[weak])


# ---- reference points --------------------------------------------------------------------------
def oracle_point(quality: np.ndarray, cost: np.ndarray, free_when_none_correct: bool = True):
    """(mean cost, mean quality) of RouterBench's oracle: per query a model of best quality, the
    cheapest among them; a query no model gets right (best quality 0) costs 0 when
    ``free_when_none_correct`` (RouterBench's ``no_model_correct``), else the cheapest model."""
    quality = np.asarray(quality, dtype=np.float64)
    cost = np.asarray(cost, dtype=np.float64)
    best = quality.max(axis=1, keepdims=True)
    pick = np.where(quality >= best, cost, np.inf).argmin(axis=1)
    paid = np.take_along_axis(cost, pick[:, None], axis=1)[:, 0]
    if free_when_none_correct:
        paid = np.where(best[:, 0] > 0, paid, 0.0)
    return float(paid.mean()), float(best.mean())


def single_model_points(quality: np.ndarray, cost: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(mean cost (m,), mean quality (m,)) of always calling each model."""
    return (np.asarray(cost, dtype=np.float64).mean(axis=0), np.asarray(quality, dtype=np.float64).mean(axis=0))


# ---- a two-model study (RouteLLM's setting) ----------------------------------------------------
STUDY_ROUTERS: tuple[str, ...] = ("mf", "bert-cls", "seq-cls", "causal-lm", "knn", "mlp")


class SubsetPriorRouter(Router):
    """Predicts each model's success on a query by its mean training quality on the query's
    ``subsets`` label (e.g. the MMLU subject; the dataset when there is none). A query-blind
    reference: what a router learns from the topic label alone, without reading the text."""

    name = "subject-prior"
    paradigm = "prediction"

    def fit(self, train: Benchmark) -> "SubsetPriorRouter":
        labels = train.subsets if train.subsets is not None else train.datasets
        self.names_, codes = np.unique(np.asarray(labels).astype(str), return_inverse=True)
        counts = np.bincount(codes, minlength=len(self.names_)).astype(np.float64)
        sums = np.zeros((len(self.names_), train.n_models))
        np.add.at(sums, codes, train.quality)
        self.table_ = sums / counts[:, None]
        self.overall_ = train.quality.mean(axis=0)
        return super().fit(train)

    def predict_proba(self, test: Benchmark) -> np.ndarray:
        self._check_models(test)
        labels = np.asarray(test.subsets if test.subsets is not None else test.datasets).astype(str)
        pos = np.searchsorted(self.names_, labels)
        pos = np.minimum(pos, len(self.names_) - 1)
        seen = self.names_[pos] == labels
        return np.where(seen[:, None], self.table_[pos], self.overall_[None, :])

    def route(self, test: Benchmark) -> Routing:
        p = self.predict_proba(test)
        return Routing(p.argmax(axis=1), None, p)


def _mix_curve(points_share, points_quality, weak_q, strong_q):
    """Share-quality curve through (0, weak), the given points and (1, strong), sorted."""
    s = np.r_[0.0, np.asarray(points_share, dtype=np.float64), 1.0]
    q = np.r_[weak_q, np.asarray(points_quality, dtype=np.float64), strong_q]
    order = np.argsort(s, kind="stable")
    return s[order], q[order]


@dataclass(frozen=True)
class TwoModelStudy:
    """Results of :func:`two_model_study`.

    ``points``: one row per (dataset, seed, router) with ``rs``, ``quality``, ``mean_cost`` (USD
    per query), ``strong_share`` (share of queries that call the strong model), ``apgr``,
    ``cpt50``, ``cpt80`` (shares), ``aiq_cmax``, ``aiq_range``, ``auc_weak``, ``auc_strong``
    (ROC AUC of the predicted success of each model) and ``auc_gain`` (of the win score for
    "weak wrong and strong right"). ``curves``: the operating points behind them, one row per
    (dataset, seed, router, kind, point) with kind "threshold" (strong-share sweep) or "cost"
    (the cost-quality points the AIQ is computed from). ``weak``/``strong`` are model names.
    """

    points: pd.DataFrame
    curves: pd.DataFrame
    weak: str
    strong: str


def two_model_study(bench: Benchmark, routers=STUDY_ROUTERS, seeds=range(5), *, test_size: float = 0.2,
                    features: str = "tfidf", dim: int = 64, judge_error: float = 0.2, random_iters: int = 10,
                    router_options: dict | None = None, weak: int = 0, strong: int = 1,
                    n_points: int = 10, lambdas=WILLINGNESS_TO_PAY) -> TwoModelStudy:
    """RS, AIQ, APGR and CPT of two-model routers on every dataset of ``bench``, over seeds.

    For each dataset separately (RouteLLM evaluates each benchmark on its own) and each seed: a
    stratified split (:func:`routerlab.evaluation.protocol.stratified_split`), text features fitted on the
    training prompts (:func:`routerlab.routing.features.with_text_features`; ``features=None`` keeps
    ``bench.features``), then for every learned router (names for
    :func:`routerlab.routing.routers.make_router`) its RS rule on the test rows, its RouteLLM threshold
    curve (score :func:`win_rate_from_proba`, ``n_points`` quantile thresholds) and its
    cost-quality operating points: the willingness-to-pay sweep (RouterBench's per-token price
    proxy) together with the threshold points, since with two models most of the 32 lambdas
    give the same all-weak or all-strong point. References: the
    subject prior (:class:`SubsetPriorRouter`), ``random`` (mean over ``random_iters`` seeded
    draws), the judge cascade (:class:`JudgeCascadeRouter` with error ``judge_error``; its share
    curve joins (0, weak), its point and (1, strong); its cost curve is a budget sweep), the
    oracle (RS rule :func:`routerlab.metrics.oracle_choice`; share curve RouteLLM's "optimal";
    cost curve: strong calls ranked by true gain) and the two single models (no AIQ: one point
    is not a curve; the "zero router" row holds the AIQ of their hull). AIQ uses the largest (and, for "range", smallest) hull cost
    among all policies of that dataset and seed.
    """
    from routerlab.data.splits import stratified_split
    from routerlab.metrics import aiq, apgr, cpt, ndch, oracle_choice, roc_auc, routing_score
    from routerlab.routing.routers import make_router
    from routerlab.routing.features import with_text_features

    if bench.n_models != 2:
        bench = bench.select_models([weak, strong])
        weak, strong = 0, 1
    wname, sname = bench.model_names[weak], bench.model_names[strong]
    opts = router_options or {}
    rows, curves = [], []
    for dname in bench.dataset_names:
        sub = bench.rows(bench.dataset_mask(dname))
        for seed in seeds:
            tr, te = stratified_split(sub, test_size, seed)
            train, test = sub.rows(tr), sub.rows(te)
            if features is not None:
                train, test = with_text_features(train, test, kind=features, dim=dim, seed=seed)
            blind = test.without_truth()
            qw, qs = test.quality.mean(axis=0)[[weak, strong]]
            cost_pts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
            recs: dict[str, dict] = {}

            def record(label, routing, share_curve, proba=None, win=None):
                paid = routing.paid(test.cost)
                got = routing.returned_quality(test.quality)
                called_strong = (routing.calls[:, strong] if routing.calls is not None
                                 else routing.choice == strong)
                s, q = share_curve
                rec = {"dataset": dname, "seed": int(seed), "router": label,
                       "rs": routing_score(got, paid, test.cost), "quality": float(got.mean()),
                       "mean_cost": float(paid.mean()), "strong_share": float(np.mean(called_strong)),
                       "apgr": apgr(s, q, qw, qs) if qs > qw else float("nan"),
                       "cpt50": cpt(0.5, s, q, qw, qs) if qs > qw else float("nan"),
                       "cpt80": cpt(0.8, s, q, qw, qs) if qs > qw else float("nan"),
                       "auc_weak": float("nan"), "auc_strong": float("nan"), "auc_gain": float("nan")}
                if proba is not None:
                    ok = test.quality >= 0.5
                    rec["auc_weak"] = roc_auc(ok[:, weak], proba[:, weak])
                    rec["auc_strong"] = roc_auc(ok[:, strong], proba[:, strong])
                    rec["auc_gain"] = roc_auc(~ok[:, weak] & ok[:, strong], win)
                recs[label] = rec
                curves.append(pd.DataFrame({"dataset": dname, "seed": int(seed), "router": label,
                                            "kind": "threshold", "x": s, "quality": q}))

            learned = [(name, make_router(name, seed=seed, **opts.get(name, {}))) for name in routers]
            learned.append(("subject-prior", SubsetPriorRouter(seed=seed)))
            kappa = price_proxy(test)
            for label, router in learned:
                router.fit(train)
                proba = router_proba(router, blind)
                win = win_rate_from_proba(proba, weak, strong)
                ts = threshold_sweep(win, test.quality, test.cost, weak, strong, "qcut", n_points)
                record(label, router.route(blind), (ts["strong_share"].to_numpy(), ts["quality"].to_numpy()),
                       proba, win)
                # operating points: the lambda grid, plus the decile thresholds (with two models
                # most of the 32 lambdas fall where one model always wins: few distinct points)
                w = wtp_sweep(proba, test.quality, test.cost, kappa, lambdas, strong)
                cost_pts[label] = (np.r_[w["cost"].to_numpy(), ts["cost"].to_numpy()],
                                   np.r_[w["quality"].to_numpy(), ts["quality"].to_numpy()])

            # random: RouteLLM averages seeded uniform scores; here exact share grid, mean curve
            rng = np.random.default_rng(seed)
            rq = np.mean([threshold_sweep(rng.random(test.n_queries), test.quality, test.cost, weak, strong,
                                          "share", n_points)["quality"].to_numpy() for _ in range(random_iters)], axis=0)
            shares = np.linspace(0, 1, n_points + 1)
            rand = make_router("random", seed=seed).fit(train)
            record("random", rand.route(blind), (shares, rq))
            cost_pts["random"] = single_model_points(test.quality, test.cost)

            # judge cascade (simulated judge reads the truth)
            jc = JudgeCascadeRouter(budget=1e9, error_rate=judge_error, seed=seed).fit(train)
            r = jc.route(test)
            record("judge-cascade", r, _mix_curve([np.mean(r.calls[:, strong])],
                                                  [r.returned_quality(test.quality).mean()], qw, qs))
            cs = cascade_sweep(test.quality, test.cost, error_rates=[judge_error], seed=seed)
            cost_pts["judge-cascade"] = (cs["cost"].to_numpy(), cs["quality"].to_numpy())

            # oracle: strong only where weak is wrong and strong right (RouteLLM's optimal)
            oc = Routing(oracle_choice(test.quality, test.cost))
            record("oracle", oc, (shares, optimal_two_model_curve(test.quality, shares, weak, strong)))
            # its cost curve: strong calls ranked by true gain (helps > tie > hurts), 20 shares
            gain = (test.quality[:, strong] - test.quality[:, weak] + 1.0) / 2.0
            og = threshold_sweep(gain, test.quality, test.cost, weak, strong, "share", 20)
            cost_pts["oracle"] = (og["cost"].to_numpy(), og["quality"].to_numpy())

            for j, label in ((weak, f"fixed:{wname}"), (strong, f"fixed:{sname}")):
                fixed = Routing(np.full(test.n_queries, j))
                record(label, fixed, (np.array([float(j == strong)]), np.array([qs if j == strong else qw])))
                recs[label]["apgr"] = recs[label]["cpt50"] = recs[label]["cpt80"] = float("nan")
            cost_pts["zero router"] = single_model_points(test.quality, test.cost)

            hulls = {k: ndch(*v) for k, v in cost_pts.items()}
            c_max = max(float(h[0][-1]) for h in hulls.values())
            c_min = min(float(h[0][0]) for h in hulls.values())
            for label, rec in recs.items():
                key = label if label in cost_pts else "zero router"
                if label.startswith("fixed:"):  # one point: AIQ is a property of curves
                    rec["aiq_cmax"] = rec["aiq_range"] = float("nan")
                else:
                    rec["aiq_cmax"] = aiq(*cost_pts[key], c_max=c_max, normalization="cmax")
                    rec["aiq_range"] = aiq(*cost_pts[key], c_max=c_max, c_min=c_min, normalization="range")
                rows.append(rec)
            rows.append({"dataset": dname, "seed": int(seed), "router": "zero router",
                         "aiq_cmax": aiq(*cost_pts["zero router"], c_max=c_max, normalization="cmax"),
                         "aiq_range": aiq(*cost_pts["zero router"], c_max=c_max, c_min=c_min, normalization="range")})
            for label, (c, q) in cost_pts.items():
                curves.append(pd.DataFrame({"dataset": dname, "seed": int(seed), "router": label,
                                            "kind": "cost", "x": c, "quality": q}))
    return TwoModelStudy(points=pd.DataFrame(rows), curves=pd.concat(curves, ignore_index=True),
                         weak=wname, strong=sname)


__all__ += ["STUDY_ROUTERS", "SubsetPriorRouter", "TwoModelStudy", "two_model_study"]


# ---- the task-aware zero router --------------------------------------------------------------
#: Label of the task-aware zero router in curves and tables.
TASK_ZERO = "task-aware zero router"


def task_zero_points(train: Benchmark, test: Benchmark, kappa: np.ndarray, lambdas: Sequence[float]
                     ) -> list[np.ndarray]:
    """The task-aware zero router's choices, one (n_test,) int array per lambda of ``lambdas``.

    ``kappa`` (m,) the cost term of the curves (e.g. :func:`~routerlab.evaluation.curves.price_proxy`,
    USD per token). The prediction of model j on a query of dataset d is j's accuracy on d's
    training rows (the overall training accuracy for a dataset absent from training): the
    ``predict_proba`` of ``dataset-best``. Reads ``test``'s datasets only, never its text,
    features, quality or cost.
    """
    from routerlab.routing.routers import make_router

    router = make_router("dataset-best").fit(train)
    proba = router.predict_proba(test.without_truth())
    return [wtp_choices(proba, kappa, float(lam)) for lam in lambdas]


__all__ += ["TASK_ZERO", "task_zero_points"]


# ---- the cost-quality plane of many routers (RouterBench's protocol) ---------------------------
FRONTIER_ROUTERS: tuple[str, ...] = ("mf", "bert-cls", "seq-cls", "causal-lm", "knn", "mlp")
CASCADE_THRESHOLDS: tuple[float, ...] = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


@dataclass(frozen=True)
class FrontierStudy:
    """Results of :func:`frontier_study`.

    ``points``: one row per (seed, router): ``rs``, ``quality``, ``mean_cost`` (USD per query) of
    the router's own operating point (its default rule), ``n_points`` (operating points on its
    curve), ``aiq_cmax`` / ``aiq_range`` (pooled test rows) and ``aiq_cmax_ds`` / ``aiq_range_ds``
    (AIQ per dataset, then the mean over datasets, as RouterBench reports it), ``kind`` (curve,
    point, bound or reference). ``curves``: (seed, router, dataset or "all", cost, quality) rows.
    """

    points: pd.DataFrame
    curves: pd.DataFrame


def frontier_study(bench: Benchmark, routers=FRONTIER_ROUTERS, seeds=range(5), *, test_size: float = 0.2,
                   cascade_thresholds=CASCADE_THRESHOLDS, judge_error: float = 0.2, lambdas=WILLINGNESS_TO_PAY,
                   cost_term: str = "proxy", router_options: dict | None = None,
                   extra: tuple[str, ...] = ("cascade", "frugalgpt"), task_aware: bool = False) -> FrontierStudy:
    """Every router's operating curve, NDCH and AIQ on ``bench``, over ``seeds`` (stratified splits).

    Curves: the predictive ``routers`` by the willingness-to-pay sweep (:func:`router_wtp_curve`,
    ``cost_term`` as there); the confidence ``cascade`` (if in ``extra`` and the benchmark has
    confidences) by its threshold over ``cascade_thresholds``; ``frugalgpt`` as its single RS
    point; RouterBench's judge cascade by :func:`cascade_sweep` (error ``judge_error``); random,
    round robin and the single models as single points; the zero router (hull of the single
    models) and RouterBench's oracle point (:func:`oracle_point`) as references. RS of each
    router's default rule is computed on the test rows (global normalisation). AIQ: common
    c_max (and c_min for "range") = the largest (smallest) hull cost among all routers of that
    split (and dataset); the single models get no AIQ (a point at the right edge has no area).
    ``task_aware``: also the task-aware zero router (:func:`task_zero_points`, label
    :data:`TASK_ZERO`, kind "reference"), its default point that of ``dataset-best``.
    """
    from routerlab.data.splits import stratified_split
    from routerlab.evaluation.fitted import cacheable, fit_outputs
    from routerlab.metrics import aiq, ndch, routing_score
    from routerlab.routing.routers import make_router

    opts = router_options or {}
    rows, curves = [], []
    for seed in seeds:
        tr, te = stratified_split(bench, test_size, seed)
        train, test = bench.rows(tr), bench.rows(te)
        blind = test.without_truth()
        codes, names = test.dataset_codes, test.dataset_names
        pts: dict[str, tuple[np.ndarray, np.ndarray]] = {}          # pooled curve per router
        per_q: dict[str, list[tuple[np.ndarray, np.ndarray]]] = {}  # per operating point: (n,) paid, got
        info: dict[str, dict] = {}

        def add(label, kind, routing_default, op_routings):
            paid = routing_default.paid(test.cost)
            got = routing_default.returned_quality(test.quality)
            info[label] = {"seed": int(seed), "router": label, "kind": kind,
                           "rs": routing_score(got, paid, test.cost), "quality": float(got.mean()),
                           "mean_cost": float(paid.mean()), "n_points": len(op_routings)}
            per_q[label] = [(r.paid(test.cost), r.returned_quality(test.quality)) for r in op_routings]

        for name in routers:
            r = make_router(name, seed=seed, **opts.get(name, {}))
            if cacheable(r) and cost_term == "proxy":  # the same fit as the evaluation's: made once
                done = fit_outputs(r, train, blind)
                proba, default = done.proba, done.routing
            else:
                r.fit(train)
                proba, default = router_proba(r, blind), r.route(blind)
            if cost_term == "proxy":
                kappa = price_proxy(test)
            else:
                kappa = r.expected_cost(blind) if hasattr(r, "expected_cost") else expected_cost(train, blind)
            ops = [Routing(wtp_choices(proba, kappa, lam)) for lam in lambdas]
            add(name, "curve", default, ops)
        if task_aware:
            kappa = price_proxy(test) if cost_term == "proxy" else expected_cost(train, blind)
            ops = [Routing(c) for c in task_zero_points(train, blind, kappa, lambdas)]
            add(TASK_ZERO, "reference", make_router("dataset-best", seed=seed).fit(train).route(blind), ops)
        if "cascade" in extra and test.confidence is not None:
            ops, default = [], None
            for t in cascade_thresholds:
                rr = make_router("cascade", seed=seed, threshold=t).fit(train).route(blind)
                ops.append(rr)
                if abs(t - 0.7) < 1e-12:
                    default = rr
            add("cascade", "curve", default or ops[-1], ops)
        if "frugalgpt" in extra and test.confidence is not None:
            rr = make_router("frugalgpt", seed=seed).fit(train).route(blind)
            add("frugalgpt", "point", rr, [rr])
        # RouterBench's cascade with a simulated judge (reads the truth)
        u = np.random.default_rng(seed).random(test.quality.shape)
        order = cascade_order(test)
        jops = [judge_cascade(test.quality, test.cost, b, judge_error, order=order, flips=u < judge_error)
                for b in CASCADE_BUDGETS]
        add("judge-cascade", "curve", jops[-1], jops)
        for name in ("random", "round-robin"):
            rr = make_router(name, seed=seed).fit(train).route(blind)
            add(name, "point", rr, [rr])
        for j, mname in enumerate(test.model_names):
            rr = Routing(np.full(test.n_queries, j))
            add(f"fixed:{mname}", "single model", rr, [rr])

        def aiqs(mask):
            """{label: (aiq_cmax, aiq_range)} on the rows ``mask``, common range over labels."""
            cur = {}
            for label, ops in per_q.items():
                c = np.array([p[mask].mean() for p, _ in ops])
                q = np.array([g[mask].mean() for _, g in ops])
                cur[label] = (c, q)
            sc, sq = single_model_points(test.quality[mask], test.cost[mask])
            cur["zero router"] = (sc, sq)
            oc, oq = oracle_point(test.quality[mask], test.cost[mask])
            cur["oracle"] = (np.array([oc]), np.array([oq]))
            hulls = {k: ndch(*v) for k, v in cur.items()}
            hi = max(float(h[0][-1]) for h in hulls.values())
            lo = min(float(h[0][0]) for h in hulls.values())
            out = {}
            for k, v in cur.items():
                if k.startswith("fixed:"):
                    out[k] = (float("nan"), float("nan"))
                else:
                    out[k] = (aiq(*v, c_max=hi, normalization="cmax"),
                              aiq(*v, c_max=hi, c_min=lo, normalization="range"))
            return out, cur

        pooled, cur = aiqs(np.ones(test.n_queries, dtype=bool))
        per_ds = [aiqs(codes == k)[0] for k in range(len(names))]
        oc, oq = oracle_point(test.quality, test.cost)
        info["oracle"] = {"seed": int(seed), "router": "oracle", "kind": "bound", "rs": float("nan"),
                          "quality": oq, "mean_cost": oc, "n_points": 1}
        info["zero router"] = {"seed": int(seed), "router": "zero router", "kind": "reference",
                               "rs": float("nan"), "quality": float("nan"), "mean_cost": float("nan"),
                               "n_points": test.n_models}
        for label, rec in info.items():
            rec["aiq_cmax"], rec["aiq_range"] = pooled[label]
            rec["aiq_cmax_ds"] = float(np.mean([d[label][0] for d in per_ds]))
            rec["aiq_range_ds"] = float(np.mean([d[label][1] for d in per_ds]))
            rows.append(rec)
        for label, (c, q) in cur.items():
            curves.append(pd.DataFrame({"seed": int(seed), "router": label, "cost": c, "quality": q}))
    return FrontierStudy(points=pd.DataFrame(rows), curves=pd.concat(curves, ignore_index=True))


__all__ += ["FRONTIER_ROUTERS", "CASCADE_THRESHOLDS", "FrontierStudy", "frontier_study"]
