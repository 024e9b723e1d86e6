"""Predictive routers: estimate each model's chance of success on a query, then pick a model.

Paradigm A of the article: a learned model predicts ``p_ij``, the probability that model j
answers query i correctly, and the router picks

    argmax_j  p_ij * (1 - normalised expected cost_ij)                       (the RS rule)

where the expected cost is known before answering (:func:`expected_cost`) and is normalised by the
global min/max of the TRAINING cost matrix, clipped to [0, 1] (the "global" reading of RS). For
cost-quality curves :func:`wtp_choice` implements RouterBench's willingness-to-pay rule
``argmax_j lam * p_ij - cost_ij``.

What a router may read of a test benchmark: ``features``, ``prompt_tokens``, ``datasets`` (and
``subsets``, ``prompts``); never ``quality``, ``cost``, ``confidence`` or ``latent``. Everything
else comes from the training rows. Every router is a genuinely different method:

================  =======================================================================
``causal-lm``     RouteLLM's causal-LLM classifier: a 1-5 score token, success = P(score >= 4)
``seq-cls``       one logistic classifier per model predicting correctness
``bert-cls``      one softmax head predicting the decision label (cheapest correct model / none)
``mf``            matrix factorisation ``u_i . v_j + b_i + c_j`` with ``u_i = W x_i``
``knn``           mean quality of the k nearest training queries (cosine), RouterBench's kNN
``mlp``           one MLP regressor per model, RouterBench's MLP
``dataset-best``  per dataset, the model with the best training RS (query-blind baseline)
================  =======================================================================

Query representation (:class:`QueryEncoder`, shared by the learned routers): the query features
standardised with training means and deviations, ``log(1 + prompt_tokens)`` standardised, and a
one-hot code of the dataset label (datasets unseen in training get all zeros).

A correct answer is ``quality >= 0.5`` wherever a router needs a binary label (classifiers);
regressors (kNN, MLP) and the logistic losses of MF use quality as it is.

Fitting and predicting run with BLAS limited to one thread (:func:`single_thread`): the iterative
fits make thousands of small matrix products, which multi-threaded BLAS slows down (by 10x and
more on a busy machine), and the speed budget is stated for one core.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_softmax, logsumexp
from threadpoolctl import threadpool_limits

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError, check_choice, check_range
from routerlab.routing.routers import Router, Routing, register

__all__ = [
    "expected_cost", "predictive_choice", "wtp_choice", "training_cost_range", "correct_labels", "single_thread",
    "causal_lm_labels", "bert_decision_labels", "QueryEncoder", "PredictiveRouter",
    "CausalLMRouter", "SequenceClassificationRouter", "BertClassificationRouter",
    "MatrixFactorizationRouter", "KNNRouter", "MLPRouter", "DatasetBestRouter", "predicted_rs",
]


def single_thread():
    """Context manager: BLAS limited to one thread inside (restored on exit)."""
    return threadpool_limits(limits=1, user_api="blas")


# ---- what is known before answering -----------------------------------------------------------

def correct_labels(quality: np.ndarray) -> np.ndarray:
    """(n, m) float 0/1: ``quality >= 0.5`` (the binary label the classifiers learn)."""
    return (np.asarray(quality, dtype=np.float64) >= 0.5).astype(np.float64)


class _Unpriced:
    """The expected-cost model of a router fitted on models without per-token prices: asking it
    for an expected cost is the one-line prices error."""

    def __init__(self, models):
        self.models = tuple(models)

    def expected_cost(self, test: Benchmark) -> np.ndarray:
        from routerlab.data.catalog import require_prices

        require_prices(self.models, "an expected cost (prompt and answer tokens x per-token prices)")
        raise AssertionError("unreachable: require_prices raised")  # pragma: no cover


class _CostModel:
    """Training statistics behind :func:`expected_cost`: mean answer tokens per (dataset, model).

    If the training benchmark has no ``answer_tokens`` they are recovered from its costs:
    ``(cost * 1e6 - prompt_tokens * price_in) / price_out`` (clipped at 0).
    """

    def __init__(self, train: Benchmark):
        from routerlab.data.catalog import require_prices

        require_prices(train.models, "an expected cost (prompt and answer tokens x per-token prices)")
        pin, pout = train.price_in, train.price_out
        if train.answer_tokens is not None:
            ans = np.asarray(train.answer_tokens, dtype=np.float64)
        else:
            with np.errstate(divide="ignore", invalid="ignore"):
                ans = (train.cost * 1e6 - train.prompt_tokens[:, None] * pin) / np.where(pout > 0, pout, 1.0)
            ans = np.where(pout > 0, np.clip(ans, 0.0, None), 0.0)
        codes = train.dataset_codes
        k = len(train.dataset_names)
        counts = np.bincount(codes, minlength=k).astype(np.float64)
        sums = np.zeros((k, train.n_models))
        np.add.at(sums, codes, ans)
        self.dataset_names = np.asarray(train.dataset_names, dtype=object)
        self.table = sums / counts[:, None]               # (k, m) mean answer tokens
        self.overall = ans.mean(axis=0)                   # (m,) fallback for unseen datasets
        self.price_in, self.price_out = pin, pout
        self.model_names = train.model_names

    def answer_tokens(self, test: Benchmark) -> np.ndarray:
        """(n, m) expected answer tokens of each model on each test query."""
        lookup = {str(name): i for i, name in enumerate(self.dataset_names)}
        names = test.dataset_names
        rows = np.array([lookup.get(nm, -1) for nm in names], dtype=np.intp)[test.dataset_codes]
        out = np.where(rows[:, None] >= 0, self.table[np.maximum(rows, 0)], self.overall[None, :])
        return out

    def expected_cost(self, test: Benchmark) -> np.ndarray:
        """(n, m) USD: prompt x price_in + expected answer tokens x price_out, over 1e6."""
        if test.model_names != self.model_names:
            raise RouterlabError(f"expected cost was fitted on models {self.model_names}, "
                                 f"but the test set has {test.model_names}")
        tokens_in = np.asarray(test.prompt_tokens, dtype=np.float64)[:, None]
        return (tokens_in * self.price_in + self.answer_tokens(test) * self.price_out) / 1e6


def expected_cost(train: Benchmark, test: Benchmark) -> np.ndarray:
    """(n_test, m) USD a router can expect to pay before answering.

    ``prompt_tokens x price_in + mean answer tokens of the model on the query's dataset in the
    TRAINING rows x price_out``, divided by 1e6 (prices are USD per 1M tokens). For a dataset
    unseen in training the model's overall training mean answer length is used.
    """
    return _CostModel(train).expected_cost(test)


def training_cost_range(train: Benchmark) -> tuple[float, float]:
    """``(cost_min, cost_max)`` USD: the global min and max of the training cost matrix."""
    return float(train.cost.min()), float(train.cost.max())


def _normalise(cost: np.ndarray, cost_min: float, cost_max: float) -> np.ndarray:
    span = cost_max - cost_min
    if not span > 0:
        return np.zeros_like(cost)
    return np.clip((cost - cost_min) / span, 0.0, 1.0)


def _argmax_cheapest(score: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """(n,) argmax of each row of ``score``; ties go to the lower ``cost``, then the lower index."""
    best = score.max(axis=1, keepdims=True)
    return np.where(score >= best - 1e-12, cost, np.inf).argmin(axis=1)


def predictive_choice(proba: np.ndarray, expected_cost: np.ndarray, cost_min: float,
                      cost_max: float) -> np.ndarray:
    """(n,) the article's rule ``argmax_j p_ij * (1 - clip((c_ij - cost_min) / (cost_max - cost_min)))``.

    ``proba`` (n, m) predicted success in [0, 1]; ``expected_cost`` (n, m) USD; ``cost_min``,
    ``cost_max`` USD (the training cost range). Ties go to the cheaper model.
    """
    proba = np.asarray(proba, dtype=np.float64)
    cost = np.asarray(expected_cost, dtype=np.float64)
    if proba.shape != cost.shape:
        raise RouterlabError(f"proba has shape {proba.shape} but expected_cost has {cost.shape}")
    return _argmax_cheapest(proba * (1.0 - _normalise(cost, cost_min, cost_max)), cost)


def wtp_choice(proba: np.ndarray, expected_cost: np.ndarray, lam: float) -> np.ndarray:
    """(n,) RouterBench's willingness-to-pay rule ``argmax_j lam * p_ij - cost_ij``.

    ``cost_ij`` here is the query's expected cost in USD (:func:`expected_cost`), not RouterBench's
    per-token price proxy, so ``lam`` reads as "USD the user would pay for one more expected correct
    answer". ``lam <= 0`` means cost is ignored: ``argmax_j p_ij`` (RouterBench's convention).
    Ties go to the cheaper model. Sweep ``lam`` over a log grid for a cost-quality curve; call
    ``predict_proba`` once and this function per ``lam``.
    """
    proba = np.asarray(proba, dtype=np.float64)
    cost = np.asarray(expected_cost, dtype=np.float64)
    if proba.shape != cost.shape:
        raise RouterlabError(f"proba has shape {proba.shape} but expected_cost has {cost.shape}")
    lam = float(lam)
    score = proba if not lam > 0 else lam * proba - cost
    return _argmax_cheapest(score, cost)


# ---- query representation -----------------------------------------------------------------------

class QueryEncoder:
    """Standardised features + standardised ``log1p(prompt_tokens)`` + dataset one-hot.

    ``fit(train)`` stores training means, deviations and dataset names; ``transform(b)`` returns
    (n, d') float64 with d' = d + 1 + (#training datasets if ``use_dataset``). A benchmark without
    features contributes only the prompt length and dataset columns.
    """

    def __init__(self, use_dataset: bool = True):
        self.use_dataset = bool(use_dataset)

    def fit(self, train: Benchmark) -> "QueryEncoder":
        self.has_features_ = train.features is not None
        if self.has_features_:
            f = train.features
            self.mean_ = f.mean(axis=0)
            sd = f.std(axis=0)
            self.scale_ = np.where(sd > 0, sd, 1.0)
        lp = np.log1p(np.asarray(train.prompt_tokens, dtype=np.float64))
        self.lp_mean_, self.lp_scale_ = lp.mean(), (lp.std() if lp.std() > 0 else 1.0)
        self.datasets_ = list(train.dataset_names)
        return self

    def transform(self, b: Benchmark) -> np.ndarray:
        parts = []
        if self.has_features_:
            if b.features is None:
                raise RouterlabError("the router was trained with query features but this benchmark has none")
            if b.features.shape[1] != self.mean_.shape[0]:
                raise RouterlabError(f"features have {b.features.shape[1]} columns, the router was "
                                     f"trained on {self.mean_.shape[0]}")
            parts.append((b.features - self.mean_) / self.scale_)
        lp = np.log1p(np.asarray(b.prompt_tokens, dtype=np.float64))
        parts.append(((lp - self.lp_mean_) / self.lp_scale_)[:, None])
        if self.use_dataset:
            lookup = {nm: i for i, nm in enumerate(self.datasets_)}
            col = np.array([lookup.get(nm, -1) for nm in b.dataset_names], dtype=np.intp)[b.dataset_codes]
            onehot = np.zeros((b.n_queries, len(self.datasets_)))
            seen = col >= 0
            onehot[np.flatnonzero(seen), col[seen]] = 1.0
            parts.append(onehot)
        return np.hstack(parts)


# ---- numeric workhorses (vectorised, full batch) -------------------------------------------------

def _lbfgs(fun, x0: np.ndarray, maxiter: int, tol: float = 1e-7) -> np.ndarray:
    res = minimize(fun, x0, jac=True, method="L-BFGS-B",
                   options={"maxiter": int(maxiter), "gtol": tol, "ftol": 1e-10})
    return res.x


def _softplus(s: np.ndarray) -> np.ndarray:
    """log(1 + exp(s)), stable, in the dtype of ``s``."""
    return np.log1p(np.exp(-np.abs(s))) + np.maximum(s, 0)


def _logistic_terms(s: np.ndarray, y: np.ndarray, scale: float) -> tuple[float, np.ndarray]:
    """For logits ``s`` (n, m) and soft labels ``y`` (n, m) in [0, 1], both float32: (the sum of
    the cross-entropies ``softplus(s) - y s``, in float64; ``(sigmoid(s) - y) * scale``, the
    gradient with respect to ``s`` of ``scale`` times that sum). ``s`` is overwritten.

    The sigmoid is ``(1 + tanh(s / 2)) / 2`` with numpy's vectorised tanh: within a few float32
    rounding steps of scipy's ``expit``, which is about 9 times slower in float32."""
    loss = (_softplus(s) - y * s).sum(dtype=np.float64)
    half = s.dtype.type(0.5)
    s *= half
    np.tanh(s, out=s)
    s *= half
    s += half
    s -= y
    s *= s.dtype.type(scale)
    return float(loss), s


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-4, 1 - 1e-4)
    return np.log(p / (1 - p))


class _MultiLogistic:
    """m independent binary logistic regressions fitted in one L-BFGS problem.

    ``logit_ij = x_i . W_j + z_ij . a_j + b_j`` with shared inputs X (n, d) and optional per-model
    inputs Z (n, m, e). Loss: mean cross-entropy over the n*m cells (soft labels allowed) +
    ``l2 / 2 * (|W|^2 + |a|^2)``. The objective separates over models, so this is exactly m
    separate fits, done with one matrix product per evaluation.
    """

    def __init__(self, l2: float = 1e-4, maxiter: int = 200):
        self.l2, self.maxiter = float(l2), int(maxiter)

    def _unpack(self, theta):
        d, m, e = self.shape_
        W = theta[: d * m].reshape(d, m)
        a = theta[d * m: d * m + m * e].reshape(m, e)
        b = theta[d * m + m * e:]
        return W, a, b

    def _logits(self, X, Z, W, a, b):
        s = X @ W.astype(X.dtype) + b.astype(X.dtype)
        if Z is not None:
            s = s + np.einsum("nme,me->nm", Z, a.astype(Z.dtype))
        return s

    def fit(self, X: np.ndarray, Y: np.ndarray, Z: np.ndarray | None = None,
            init: np.ndarray | None = None) -> "_MultiLogistic":
        n, d = X.shape
        m = Y.shape[1]
        e = 0 if Z is None else Z.shape[2]
        self.shape_ = (d, m, e)
        X32 = np.ascontiguousarray(X, dtype=np.float32)
        X32T = np.ascontiguousarray(X32.T)   # the gradient product reads X by columns
        Z32 = None if Z is None else np.ascontiguousarray(Z, dtype=np.float32)
        Y = np.asarray(Y, dtype=np.float64)
        Y32 = Y.astype(np.float32)
        nm = float(n * m)
        l2 = self.l2

        def fun(theta):
            W, a, b = self._unpack(theta)
            loss, G = _logistic_terms(self._logits(X32, Z32, W, a, b), Y32, 1.0 / nm)   # float32
            loss = loss / nm + 0.5 * l2 * ((W * W).sum() + (a * a).sum())
            dW = (X32T @ G).astype(np.float64) + l2 * W
            da = (np.einsum("nme,nm->me", Z32, G).astype(np.float64) + l2 * a
                  if Z32 is not None else np.zeros((m, 0)))
            db = G.sum(axis=0, dtype=np.float64)
            return loss, np.concatenate([dW.ravel(), da.ravel(), db])

        if init is None:
            init = np.concatenate([np.zeros(d * m + m * e), _logit(Y.mean(axis=0))])
        self.theta_ = _lbfgs(fun, init, self.maxiter)
        return self

    def predict_column(self, X: np.ndarray, z: np.ndarray | None, j: int) -> np.ndarray:
        """(n,) probability of model j only; ``z`` (n, e) its per-model inputs (or None)."""
        W, a, b = self._unpack(self.theta_)
        s = np.asarray(X, np.float64) @ W[:, j] + b[j]
        if z is not None:
            s = s + np.asarray(z, np.float64) @ a[j]
        return expit(s)

    def predict_proba(self, X: np.ndarray, Z: np.ndarray | None = None) -> np.ndarray:
        W, a, b = self._unpack(self.theta_)
        return expit(self._logits(np.asarray(X, np.float64), None if Z is None else np.asarray(Z, np.float64), W, a, b))


def _fit_softmax(X: np.ndarray, y: np.ndarray, n_classes: int, l2: float, maxiter: int) -> np.ndarray:
    """Multinomial logistic regression; returns ``(W (d, K), b (K,))`` stacked as (d + 1, K)."""
    n, d = X.shape
    K = n_classes
    X32 = np.ascontiguousarray(X, dtype=np.float32)
    X32T = np.ascontiguousarray(X32.T)   # the gradient product reads X by columns
    rows = np.arange(n)
    prior = (np.bincount(y, minlength=K) + 1.0) / (n + K)

    def fun(theta):
        W = theta[: d * K].reshape(d, K)
        b = theta[d * K:]
        s = X32 @ W.astype(np.float32) + b.astype(np.float32)
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        tot = e.sum(axis=1, keepdims=True)
        loss = (np.log(tot[:, 0]).sum(dtype=np.float64) - s[rows, y].sum(dtype=np.float64)) / n \
            + 0.5 * l2 * (W * W).sum()
        G = e / tot
        G[rows, y] -= 1.0
        G *= np.float32(1.0 / n)
        dW = (X32T @ G).astype(np.float64) + l2 * W
        return loss, np.concatenate([dW.ravel(), G.sum(axis=0, dtype=np.float64)])

    init = np.concatenate([np.zeros(d * K), np.log(prior)])
    theta = _lbfgs(fun, init, maxiter)
    return np.vstack([theta[: d * K].reshape(d, K), theta[d * K:][None, :]])


# ---- the base class ------------------------------------------------------------------------------

class PredictiveRouter(Router):
    """Base of the predictive routers: ``predict_proba`` then the RS rule.

    Subclasses implement ``_fit(train, X)`` and ``_predict(test, X) -> (n, m)`` where X is the
    :class:`QueryEncoder` representation. ``route`` returns ``Routing(choice, None, proba)``;
    ``route_wtp(test, lam)`` applies :func:`wtp_choice` instead of the RS rule.
    """

    paradigm = "prediction"
    needs_prices = True  # the expected cost of each model: tokens x per-token prices
    card: dict = {}

    def __init__(self, seed: int = 0, use_dataset: bool = True):
        super().__init__(seed)
        self.use_dataset = bool(use_dataset)

    def fit(self, train: Benchmark) -> "PredictiveRouter":
        if train.n_queries < 2:
            raise RouterlabError(f"router {self.name!r} needs at least 2 training queries, got {train.n_queries}")
        super().fit(train)
        # a router that routes on realised costs only (needs_prices False) gets an expected cost
        # only where every model has a price; without, asking for one is the prices error
        priced = all(np.isfinite(m.price_in) and np.isfinite(m.price_out) for m in train.models)
        self.cost_model_ = _CostModel(train) if self.needs_prices or priced else _Unpriced(train.models)
        self.cost_min_, self.cost_max_ = training_cost_range(train)
        self.encoder_ = QueryEncoder(self.use_dataset).fit(train)
        with single_thread():
            self._fit(train, self.encoder_.transform(train))
        return self

    def _fit(self, train: Benchmark, X: np.ndarray) -> None:  # pragma: no cover - interface
        raise NotImplementedError

    def _predict(self, test: Benchmark, X: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def predict_proba(self, test: Benchmark) -> np.ndarray:
        """(n_test, m) predicted probability that each model answers each query correctly."""
        self._check_models(test)
        with single_thread():
            p = self._predict(test, self.encoder_.transform(test))
        return np.clip(np.asarray(p, dtype=np.float64), 0.0, 1.0)

    def expected_cost(self, test: Benchmark) -> np.ndarray:
        """(n_test, m) USD expected cost from the training statistics (:func:`expected_cost`)."""
        self._check_models(test)
        return self.cost_model_.expected_cost(test)

    def route(self, test: Benchmark) -> Routing:
        proba = self.predict_proba(test)
        choice = predictive_choice(proba, self.cost_model_.expected_cost(test), self.cost_min_, self.cost_max_)
        return Routing(choice, None, proba)

    def route_wtp(self, test: Benchmark, lam: float) -> Routing:
        """Route by :func:`wtp_choice` (``argmax lam * p - expected cost in USD``)."""
        proba = self.predict_proba(test)
        return Routing(wtp_choice(proba, self.cost_model_.expected_cost(test), lam), None, proba)


def predicted_rs(router: "PredictiveRouter", bench: Benchmark) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(p_success, expected_cost, rs)``, each (n, m): a fitted predictive router's view of ``bench``.

    ``p_success`` = ``router.predict_proba(bench)`` in [0, 1]; ``expected_cost`` (USD) =
    ``router.expected_cost(bench)`` (prompt tokens x price_in + the training mean answer length of
    the model on the query's dataset -- its overall training mean for an unseen dataset -- x
    price_out, over 1e6); ``rs = p_success * (1 - clip((expected_cost - cost_min) / (cost_max -
    cost_min), 0, 1))`` with ``(cost_min, cost_max)`` the global min/max of the router's TRAINING
    cost matrix (:func:`training_cost_range`), the normalisation the RS rule of :meth:`route`
    uses. The range is fixed at fit time, so a query's predicted RS does not depend on the other
    queries routed with it: a single prompt gets the same numbers alone as in a batch. An expected
    cost above the training maximum counts as normalised cost 1 (RS 0). For every router whose
    ``route`` is the RS rule, ``route(bench).choice`` is the row-wise argmax of ``rs`` (ties to the
    cheaper expected cost); ``dataset-best`` and ``bert-cls`` with ``rule="class"`` choose otherwise.
    """
    if not isinstance(router, PredictiveRouter):
        raise RouterlabError(f"router {getattr(router, 'name', router)!r} makes no success predictions; "
                             "predicted RS needs a predictive router")
    p = router.predict_proba(bench)
    cost = router.expected_cost(bench)
    return p, cost, p * (1.0 - _normalise(cost, router.cost_min_, router.cost_max_))


# ---- 5. causal LM ----------------------------------------------------------------------------------

def causal_lm_labels(quality: np.ndarray) -> np.ndarray:
    """(n, m) int in 1..5: the graded label the causal-LM router learns for (query, model).

    A judge-like 1-5 score built from the training outcomes. ``ok`` = the model is correct
    (quality >= 0.5); ``s`` = share of the OTHER models that are correct on the query (how easy
    the query is for the pool)::

        5  correct, and at least half the pool is correct too   (a safe, uncontroversial answer)
        4  correct although most of the pool fails              (right, on a hard query)
        3  wrong, and most of the pool fails as well            (a forgivable miss)
        2  wrong while at least half the pool is right          (a clear miss)
        1  wrong while every other model is right               (a model-specific failure)

    Scores >= 4 are exactly the correct answers, so P(score >= 4) -- RouteLLM's
    ``score_threshold = 4`` -- is the predicted success probability.
    """
    ok = correct_labels(quality)
    m = ok.shape[1]
    if m < 2:
        return np.where(ok > 0, 5, 2).astype(np.int64)
    s = (ok.sum(axis=1, keepdims=True) - ok) / (m - 1)
    right = np.where(s >= 0.5, 5, 4)
    wrong = np.where(s >= 1.0, 1, np.where(s >= 0.5, 2, 3))
    return np.where(ok > 0, right, wrong).astype(np.int64)


def _last_axis(op, a: np.ndarray) -> np.ndarray:
    """``op`` (a binary ufunc) folded over the short last axis of ``a`` (..., K): (...,)."""
    out = a[..., 0].copy()
    for k in range(1, a.shape[-1]):
        op(out, a[..., k], out=out)
    return out


class CausalLMRouter(PredictiveRouter):
    """RouteLLM's causal-LLM classifier on a CPU-sized backbone (a small numpy network).

    Input: the query representation and a model indicator (RouteLLM's prompt template would name
    the model). Backbone: a tanh layer over the query with a learned model embedding ``e_j``
    (``hidden`` units) and a model-specific gain ``g_j`` (FiLM-style conditioning:
    ``h_ij = tanh((x_i A) * (1 + g_j) + e_j + b)``), so the model indicator interacts with the query
    rather than only shifting it. Label-token head: logits over the five score tokens ``[[1]]..[[5]]``,
    ``z_ijk = h_ij . T_k + c_k + c_jk``; softmax over them gives the score distribution and
    success = P(score >= 4). Trained with mini-batch Adam on the cross-entropy of
    :func:`causal_lm_labels` plus L2 for ``epochs`` passes (at least ``min_steps`` updates on small
    data), learning rate decaying to a quarter; seeded shuffles and initialisation.
    """

    name = "causal-lm"
    card = {
        "paradigm": "prediction",
        "learns": "a shared tanh query network conditioned on a model embedding (shift and gain) "
                  "and a 5-way score-token head",
        "label": "graded 1-5 score per (query, model): correctness refined by pool difficulty",
        "decision": "success = P(score >= 4) from the softmax over the 5 label tokens; "
                    "argmax success x (1 - normalised expected cost)",
        "differs": "RouteLLM fine-tunes Llama-3-8B to generate a [[1]]..[[5]] token for a prompt "
                   "template wrapping the question, with GPT-4-judge labels for one strong/weak pair; "
                   "here the backbone is a 1-hidden-layer tanh network over the query features, the "
                   "generated token is a 5-way softmax, the template is a learned model embedding, and the "
                   "label is derived from correctness (no judge); one model covers all six models",
    }

    option_bounds = {"min_steps": (0, None), "lr": (1e-12, None), "l2": (0.0, None)}

    def __init__(self, seed: int = 0, hidden: int = 32, epochs: int = 8, batch_size: int = 1024,
                 lr: float = 1e-2, l2: float = 1e-5, min_steps: int = 400, use_dataset: bool = True):
        super().__init__(seed, use_dataset)
        self.hidden, self.epochs, self.batch_size = int(hidden), int(epochs), int(batch_size)
        self.lr, self.l2, self.min_steps = float(lr), float(l2), int(min_steps)

    def _forward(self, X, A, b, E, G, T, c, cb):
        P = X @ A                                                 # (B, H) query part
        h = P[:, None, :] * (1 + G[None, :, :])                   # (B, m, H), built in place
        h += (E + b)[None, :, :]
        np.tanh(h, out=h)
        B, m, H = h.shape
        z = (h.reshape(-1, H) @ T).reshape(B, m, -1)              # (B, m, 5): one 2-D product
        z += c
        z += cb[None, :, :]
        return P, h, z

    #: Cells (rows x models x hidden units) of the batch slice the gradient is computed on at a
    #: time: half a MB of float32 per intermediate, which stays in the processor's cache (a step
    #: at 29 models takes about half the time of one over the whole batch).
    SLICE_CELLS = 1 << 17

    def _loss_grad(self, params: dict, Xb: np.ndarray, yb: np.ndarray,
                   with_loss: bool = True) -> tuple[float, dict]:
        """Mean cross-entropy over the (query, model) cells of a batch + L2, and its gradient.

        ``yb`` (B, m) int labels 0..4 (score - 1). Works in the dtype of ``params``. The loss
        (NaN when ``with_loss`` is False) is for checking; training needs only the gradient.
        The sums run over slices of the batch's rows (:attr:`SLICE_CELLS`).
        """
        B, m = yb.shape
        rows = max(1, self.SLICE_CELLS // (m * params["A"].shape[1]))
        loss, g = 0.0, None
        for s in range(0, B, rows):
            part_loss, part = self._data_grad(params, Xb[s:s + rows], yb[s:s + rows], B * m, with_loss)
            loss += part_loss
            g = part if g is None else {k: g[k] + v for k, v in part.items()}
        l2 = self.l2
        for k in ("A", "T", "E", "G"):
            g[k] = g[k] + l2 * params[k]
        if with_loss:
            return loss + 0.5 * l2 * sum(float((params[k] ** 2).sum()) for k in ("A", "T", "E", "G")), g
        return float("nan"), g

    def _data_grad(self, params: dict, Xb: np.ndarray, yb: np.ndarray, cells: int,
                   with_loss: bool) -> tuple[float, dict]:
        """The cross-entropy of the cells of ``yb`` (b, m) summed and divided by ``cells``, and
        its gradient (no L2 term)."""
        B, m = yb.shape
        K = params["T"].shape[1]
        P, h, z = self._forward(Xb, **params)
        z -= _last_axis(np.maximum, z)[:, :, None]             # the 5 token logits: slice by slice,
        p = np.exp(z, out=z)                                       # far faster than a reduction over
        p /= _last_axis(np.add, p)[:, :, None]                     # a length-5 axis
        at_label = np.arange(B * m) * K + yb.ravel()              # each cell's label in p.ravel()
        loss = -float(np.log(np.maximum(p.ravel()[at_label], 1e-30)).sum()) / cells if with_loss else 0.0
        dz = p                                                     # (B, m, K): p - onehot(label)
        dz.reshape(-1)[at_label] -= 1
        dz /= p.dtype.type(cells)
        H = h.shape[2]
        dz2, h2 = dz.reshape(-1, K), h.reshape(-1, H)
        g = {"T": h2.T @ dz2, "cb": dz.sum(axis=0)}
        g["c"] = g["cb"].sum(axis=0)
        dpre = (dz2 @ params["T"].T).reshape(B, m, H)             # (B, m, H)
        h *= h
        np.subtract(1, h, out=h)
        dpre *= h
        g["E"] = dpre.sum(axis=0)
        g["b"] = g["E"].sum(axis=0)
        g["G"] = np.einsum("bmh,bh->mh", dpre, P)
        dpre *= (1 + params["G"])[None]
        g["A"] = Xb.T @ dpre.sum(axis=1)
        return loss, g

    def _fit(self, train: Benchmark, X: np.ndarray) -> None:
        rng = np.random.default_rng(self.seed)
        y = causal_lm_labels(train.quality) - 1                  # (n, m) in 0..4
        n, d = X.shape
        m, H, K = train.n_models, self.hidden, 5
        f32 = np.float32
        X = X.astype(f32)
        params = {
            "A": (rng.standard_normal((d, H)) / np.sqrt(d)).astype(f32),
            "b": np.zeros(H, f32),
            "E": (0.5 * rng.standard_normal((m, H))).astype(f32),
            "G": (0.5 * rng.standard_normal((m, H))).astype(f32),
            "T": (rng.standard_normal((H, K)) / np.sqrt(H)).astype(f32),
            "c": np.zeros(K, f32),
            "cb": np.log((np.stack([(y == k).mean(axis=0) for k in range(K)], axis=1) + 1e-3)).astype(f32),
        }
        mom = {k: np.zeros_like(v) for k, v in params.items()}
        vel = {k: np.zeros_like(v) for k, v in params.items()}
        beta1, beta2, eps = 0.9, 0.999, 1e-8
        step = 0
        bs = min(self.batch_size, n)
        per_epoch = -(-n // bs)
        epochs = max(self.epochs, -(-self.min_steps // per_epoch))   # small data: enough steps
        for epoch in range(epochs):
            order = rng.permutation(n)
            lr = self.lr * (0.25 ** (epoch / max(epochs - 1, 1)))      # decays to lr / 4
            for start in range(0, n, bs):
                idx = order[start:start + bs]
                _, g = self._loss_grad(params, X[idx], y[idx], with_loss=False)
                step += 1
                for k, gk in g.items():
                    mom[k] = beta1 * mom[k] + (1 - beta1) * gk
                    vel[k] = beta2 * vel[k] + (1 - beta2) * gk * gk
                    mhat = mom[k] / (1 - beta1 ** step)
                    vhat = vel[k] / (1 - beta2 ** step)
                    params[k] = (params[k] - lr * mhat / (np.sqrt(vhat) + eps)).astype(params[k].dtype)
        self.params_ = params

    def score_distribution(self, test: Benchmark) -> np.ndarray:
        """(n, m, 5) softmax over the score tokens 1..5 for every (query, model)."""
        self._check_models(test)
        X = self.encoder_.transform(test).astype(np.float32)
        _, _, z = self._forward(X, **self.params_)
        return np.exp(log_softmax(z.astype(np.float64), axis=2))

    def _predict(self, test: Benchmark, X: np.ndarray) -> np.ndarray:
        _, _, z = self._forward(X.astype(np.float32), **self.params_)
        lsm = log_softmax(z.astype(np.float64), axis=2)
        return np.exp(logsumexp(lsm[:, :, 3:], axis=2))           # P(score >= 4)


# ---- 6. sequence classification -----------------------------------------------------------------

class SequenceClassificationRouter(PredictiveRouter):
    """One logistic classifier per model predicting ``correct`` from the query representation."""

    name = "seq-cls"
    card = {
        "paradigm": "prediction",
        "learns": "one L2-regularised logistic regression per model on features + prompt length + dataset one-hot",
        "label": "binary correctness of that model on the query",
        "decision": "argmax P(correct) x (1 - normalised expected cost)",
        "differs": "RouterBench-style per-model classifiers stand in for fine-tuned sequence-classification "
                   "transformers; the frozen features replace the text encoder",
    }

    option_bounds = {"l2": (0.0, None)}

    def __init__(self, seed: int = 0, l2: float = 1e-4, maxiter: int = 100, use_dataset: bool = True):
        super().__init__(seed, use_dataset)
        self.l2, self.maxiter = float(l2), int(maxiter)

    def _fit(self, train: Benchmark, X: np.ndarray) -> None:
        self.clf_ = _MultiLogistic(self.l2, self.maxiter).fit(X, correct_labels(train.quality))

    def _predict(self, test: Benchmark, X: np.ndarray) -> np.ndarray:
        return self.clf_.predict_proba(X)


# ---- 7. BERT classification ----------------------------------------------------------------------

def bert_decision_labels(quality: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """(n,) int in 0..m: the cheapest correct model of each (training) query, or m for "none".

    "Cheapest" uses the query's own training cost row; correct means quality >= 0.5.
    """
    ok = correct_labels(quality) > 0
    c = np.where(ok, np.asarray(cost, dtype=np.float64), np.inf)
    return np.where(ok.any(axis=1), c.argmin(axis=1), ok.shape[1])


class BertClassificationRouter(PredictiveRouter):
    """A softmax head over frozen embeddings predicting the decision label (m + 1 classes).

    Class k < m: "model k is the cheapest correct model"; class m: "no model is correct".
    Per-model success is marginalised from the class probabilities,
    ``p_ij = sum_k P(class k | x_i) * P(model j correct | class k)``, with the conditional table
    estimated on the training rows (it is 1 on the diagonal, 0 for models cheaper than k on that
    row, 0 for "none"; smoothed towards the overall accuracy with one pseudo-row). ``rule="rs"``
    (default) routes with the shared RS rule on these ``p_ij``; ``rule="class"`` takes the most
    probable class directly (the most accurate training model when "none" wins), RouteLLM-style.
    """

    name = "bert-cls"
    card = {
        "paradigm": "prediction",
        "learns": "one multinomial logistic head (m + 1 classes) over frozen query embeddings",
        "label": "the decision itself: which model is the cheapest correct one, or none",
        "decision": "p_ij = sum_k P(class k) P(j correct | class k); argmax p x (1 - normalised expected cost)",
        "differs": "RouteLLM fine-tunes BERT-base end to end with 3 classes for one strong/weak pair "
                   "(strong wins / tie / weak wins); here the encoder is frozen (our features), the head "
                   "is linear, the label set covers all m models plus none",
    }

    option_bounds = {"l2": (0.0, None)}

    def __init__(self, seed: int = 0, l2: float = 1e-4, maxiter: int = 60, rule: str = "rs",
                 use_dataset: bool = True):
        super().__init__(seed, use_dataset)
        if rule not in ("rs", "class"):
            raise RouterlabError(f"unknown bert-cls rule {rule!r}; choose one of: rs, class")
        self.l2, self.maxiter, self.rule = float(l2), int(maxiter), rule

    def _fit(self, train: Benchmark, X: np.ndarray) -> None:
        m = train.n_models
        y = bert_decision_labels(train.quality, train.cost)
        ok = correct_labels(train.quality)
        counts = np.bincount(y, minlength=m + 1).astype(np.float64)
        sums = np.zeros((m + 1, m))
        np.add.at(sums, y, ok)
        acc = ok.mean(axis=0)
        self.conditional_ = (sums + acc) / (counts[:, None] + 1.0)   # (m + 1, m)
        self.conditional_[m] = 0.0                                  # "none": nobody is correct
        self.conditional_[np.arange(m), np.arange(m)] = 1.0         # class k: k is correct
        self.class_counts_ = counts
        self.best_model_ = int(acc.argmax())
        self.head_ = _fit_softmax(X, y, m + 1, self.l2, self.maxiter)

    def class_proba(self, test: Benchmark) -> np.ndarray:
        """(n, m + 1) probability of each decision label (last column: no model is correct)."""
        self._check_models(test)
        return self._class_proba(self.encoder_.transform(test))

    def _class_proba(self, X: np.ndarray) -> np.ndarray:
        s = X @ self.head_[:-1] + self.head_[-1]
        return np.exp(log_softmax(s, axis=1))

    def _predict(self, test: Benchmark, X: np.ndarray) -> np.ndarray:
        return self._class_proba(X) @ self.conditional_

    def route(self, test: Benchmark) -> Routing:
        if self.rule == "rs":
            return super().route(test)
        self._check_models(test)
        cp = self._class_proba(self.encoder_.transform(test))
        k = cp.argmax(axis=1)
        m = test.n_models
        return Routing(np.where(k == m, self.best_model_, k), None, np.clip(cp @ self.conditional_, 0, 1))


# ---- 8. matrix factorisation ----------------------------------------------------------------------

class MatrixFactorizationRouter(PredictiveRouter):
    """``Q_hat(i, j) = u_i . v_j + b_i + c_j`` with ``u_i = W x_i`` and ``b_i = w . x_i``.

    W (d', k), v_j (k,), w (d',), c_j are fitted on every training (query, model) cell by a mean
    logistic loss on quality (a soft label in [0, 1]) plus ``l2 / 2 * (|W|^2 + |V|^2 + |w|^2)``,
    full-batch L-BFGS with the analytic gradient, initialised from ``seed``. The success
    probability is ``sigmoid(Q_hat)``. Note: with k >= m the rank constraint does not bind and the
    penalty on the factors acts as a nuclear-norm penalty on ``W V^T`` (shared structure across
    models); with k < m the score matrix is genuinely low rank.
    """

    name = "mf"
    card = {
        "paradigm": "prediction",
        "learns": "a projection W (d -> k) of the query features, model vectors v_j, query bias w.x, model bias c_j",
        "label": "correctness of every training (query, model) cell (logistic loss, L2)",
        "decision": "sigmoid(u_i.v_j + b_i + c_j) x (1 - normalised expected cost), argmax",
        "differs": "RouteLLM trains on pairwise Arena battles (Bradley-Terry loss, one strong/weak pair, "
                   "normalised model embeddings, Adam); here pointwise correctness of all six models "
                   "with a logistic loss and full-batch L-BFGS; k = 32 (RouteLLM 128), which with six "
                   "models does not bind the rank: the factor penalty acts as a nuclear-norm penalty",
    }

    option_bounds = {"l2": (0.0, None)}

    def __init__(self, seed: int = 0, k: int = 32, l2: float = 1e-4, maxiter: int = 120,
                 use_dataset: bool = True):
        super().__init__(seed, use_dataset)
        self.k = int(check_range("k", k, 1))
        self.l2, self.maxiter = float(l2), int(maxiter)

    def _fit(self, train: Benchmark, X: np.ndarray) -> None:
        rng = np.random.default_rng(self.seed)
        n, d = X.shape
        m, k = train.n_models, self.k
        Y = np.clip(train.quality, 0.0, 1.0)
        Y32 = Y.astype(np.float32)
        X32 = np.ascontiguousarray(X, dtype=np.float32)
        X32T = np.ascontiguousarray(X32.T)   # the gradient product reads X by columns
        nm, l2 = float(n * m), self.l2
        sizes = [d * k, m * k, d, m]
        cuts = np.cumsum(sizes)[:-1]

        def fun(theta):
            W, V, w, c = np.split(theta, cuts)
            W, V = W.reshape(d, k), V.reshape(m, k)
            M = W @ V.T + w[:, None]                                  # (d, m)
            loss, G = _logistic_terms(X32 @ M.astype(np.float32) + c.astype(np.float32), Y32, 1.0 / nm)
            loss = loss / nm + 0.5 * l2 * ((W * W).sum() + (V * V).sum() + w @ w)
            dM = (X32T @ G).astype(np.float64)                       # (d, m)
            grad = [dM @ V + l2 * W, dM.T @ W + l2 * V, dM.sum(axis=1) + l2 * w, G.sum(axis=0, dtype=np.float64)]
            return loss, np.concatenate([g.ravel() for g in grad])

        theta0 = np.concatenate([0.1 * rng.standard_normal(d * k) / np.sqrt(d),
                                 0.1 * rng.standard_normal(m * k), np.zeros(d), _logit(Y.mean(axis=0))])
        theta = _lbfgs(fun, theta0, self.maxiter)
        W, V, w, c = np.split(theta, cuts)
        self.W_, self.V_, self.w_, self.c_ = W.reshape(d, k), V.reshape(m, k), w, c

    def query_embedding(self, test: Benchmark) -> np.ndarray:
        """(n, k) latent query vectors ``u_i = W x_i``."""
        self._check_models(test)
        return self.encoder_.transform(test) @ self.W_

    def _predict(self, test: Benchmark, X: np.ndarray) -> np.ndarray:
        s = (X @ self.W_) @ self.V_.T + (X @ self.w_)[:, None] + self.c_
        return expit(s)


# ---- extras: kNN, MLP, dataset-best -----------------------------------------------------------------

class KNNRouter(PredictiveRouter):
    """Predicted quality = mean quality of the k nearest training queries (cosine on the features).

    As in RouterBench, which trains a router per dataset, neighbours are searched among the training
    queries of the same dataset (``within_dataset=True``; a dataset unseen in training searches all
    training queries). Exact brute force in float32, chunked, one matrix product per chunk.

    ``weights``: ``"uniform"`` (default) averages the k neighbours' outcomes; ``"distance"`` weights
    each by its cosine similarity to the query, clipped below at :attr:`MIN_WEIGHT` (a small
    positive floor, so dissimilar neighbours count little but the weights never vanish or turn
    negative). :meth:`predict_grid` predicts for several (k, weights) settings from one similarity
    computation.
    """

    name = "knn"
    paradigm = "semantic"
    #: WEIGHTS: the neighbour weightings; MIN_WEIGHT: the floor of a "distance" weight (cosine units).
    WEIGHTS = ("uniform", "distance")
    MIN_WEIGHT = 1e-6
    card = {
        "paradigm": "semantic (embedding similarity)",
        "learns": "nothing: stores the training embeddings and outcomes",
        "label": "quality of each model on the neighbouring training queries",
        "decision": "mean quality of the k = 40 cosine-nearest training queries x (1 - normalised expected cost)",
        "differs": "RouterBench's KNN (sklearn NearestNeighbors, k in {5, 10, 40}) with the willingness-to-pay "
                   "rule; here the article's RS rule by default and our features instead of MiniLM embeddings",
    }

    #: bounds of the options (see routerlab.routing.routers.validate_options)
    option_bounds = {"chunk": (1, 1 << 20)}

    def __init__(self, seed: int = 0, k: int = 40, within_dataset: bool = True, chunk: int = 512,
                 weights: str = "uniform"):
        super().__init__(seed, use_dataset=True)
        self.k = int(check_range("k", k, 1))
        self.weights = check_choice("kNN weights", weights, self.WEIGHTS)
        self.within_dataset, self.chunk = bool(within_dataset), int(chunk)

    @staticmethod
    def _unit(F: np.ndarray) -> np.ndarray:
        F = np.asarray(F, dtype=np.float32)
        norm = np.linalg.norm(F, axis=1, keepdims=True)
        return F / np.where(norm > 0, norm, 1.0)

    def _embed(self, b: Benchmark, X: np.ndarray) -> np.ndarray:
        return self._unit(b.features if b.features is not None else X)

    def _fit(self, train: Benchmark, X: np.ndarray) -> None:
        self.E_ = self._embed(train, X)
        self.Q_ = np.asarray(train.quality, dtype=np.float32)
        self.train_datasets_ = np.asarray(train.datasets)

    def _neighbour_means(self, E: np.ndarray, pool: np.ndarray, settings) -> list[np.ndarray]:
        """One (len(E), m) prediction per (k, weights) of ``settings``; one similarity product per chunk."""
        Ep, Qp = self.E_[pool], self.Q_[pool]
        outs = [np.empty((len(E), Qp.shape[1])) for _ in settings]
        for s in range(0, len(E), self.chunk):
            sim = E[s:s + self.chunk] @ Ep.T                       # (chunk, pool) cosine
            for out, (k, weights) in zip(outs, settings):
                k = min(k, len(pool))
                idx = np.argpartition(sim, -k, axis=1)[:, -k:] if k < len(pool) else np.broadcast_to(
                    np.arange(len(pool)), (sim.shape[0], len(pool)))
                if weights == "uniform":
                    out[s:s + self.chunk] = Qp[idx].mean(axis=1)
                else:
                    w = np.maximum(np.take_along_axis(sim, idx, axis=1).astype(np.float64), self.MIN_WEIGHT)
                    out[s:s + self.chunk] = np.einsum("ck,ckm->cm", w, Qp[idx]) / w.sum(axis=1, keepdims=True)
        return outs

    def _predict_settings(self, test: Benchmark, X: np.ndarray, settings) -> list[np.ndarray]:
        E = self._embed(test, X)
        if not self.within_dataset:
            return self._neighbour_means(E, np.arange(len(self.E_)), settings)
        outs = [np.empty((test.n_queries, test.n_models)) for _ in settings]
        everything = np.arange(len(self.E_))
        train_sets = set(map(str, np.unique(self.train_datasets_)))
        for name in test.dataset_names:
            rows = np.flatnonzero(test.datasets == name)
            pool = np.flatnonzero(self.train_datasets_ == name) if name in train_sets else everything
            for out, part in zip(outs, self._neighbour_means(E[rows], pool, settings)):
                out[rows] = part
        return outs

    def _predict(self, test: Benchmark, X: np.ndarray) -> np.ndarray:
        return self._predict_settings(test, X, [(self.k, getattr(self, "weights", "uniform"))])[0]

    def predict_grid(self, test: Benchmark, ks, weights=WEIGHTS) -> dict:
        """``{(k, weighting): (n_test, m) predicted success in [0, 1]}`` for every k of ``ks`` and
        weighting of ``weights``: exactly what ``predict_proba`` of a router fitted on the same rows
        with that ``k`` and ``weights`` returns, with one similarity product for the whole grid."""
        self._check_models(test)
        settings = [(int(check_range("k", k, 1)), check_choice("kNN weights", w, self.WEIGHTS))
                    for k in ks for w in weights]
        with single_thread():
            outs = self._predict_settings(test, self.encoder_.transform(test), settings)
        return {key: np.clip(out, 0.0, 1.0) for key, out in zip(settings, outs)}


class MLPRouter(PredictiveRouter):
    """One small MLP regressor per model predicting quality (RouterBench's MLP router), the m
    networks trained side by side.

    Each network is scikit-learn's ``MLPRegressor`` recipe, kept CPU-cheap: one hidden layer of
    ``hidden`` (8) ReLU units and a linear output, squared error / 2 plus ``ALPHA / 2`` times the
    squared weights (per mini-batch row), Glorot-uniform initialisation, Adam (learning rate 0.01),
    mini-batches of n / 25 rows (16 to 2048), at most ``max_iter`` (12) epochs. With n >= 50,
    early stopping on a 10% validation split: a network keeps the weights of its best validation
    R^2 and stops after ``PATIENCE`` + 1 epochs in a row that do not beat it by ``TOL`` (below 50
    rows the same rule on its training loss, keeping its last weights). The networks share the
    split and the order of the mini-batches (drawn from ``seed``), so every step is one matrix
    product per layer for all m of them: ``W1_`` (d, m * hidden), ``c1_`` (m * hidden,), ``W2_``
    (m, hidden), ``c2_`` (m,), float32.
    """

    name = "mlp"
    card = {
        "paradigm": "prediction",
        "learns": "one small MLP regressor per model on the query representation",
        "label": "quality of that model on the query (regression, squared error)",
        "decision": "clip(prediction, 0, 1) x (1 - normalised expected cost), argmax",
        "differs": "RouterBench uses one sklearn MLPRegressor per model with (100,) or (100, 100) hidden "
                   "layers, 200 epochs, the willingness-to-pay rule; here (8,) units, at most 12 epochs "
                   "with early stopping, the networks trained together in numpy, the article's RS rule by default",
    }
    #: L2 penalty, Adam's learning rate and moments, early-stopping tolerance and patience
    #: (scikit-learn's MLPRegressor defaults, learning rate 0.01).
    ALPHA, LEARNING_RATE, BETAS, EPS, TOL, PATIENCE = 1e-4, 1e-2, (0.9, 0.999), 1e-8, 1e-4, 3

    def __init__(self, seed: int = 0, hidden: int = 8, max_iter: int = 12, use_dataset: bool = True):
        super().__init__(seed, use_dataset)
        self.hidden, self.max_iter = int(hidden), int(max_iter)

    @staticmethod
    def _forward(X: np.ndarray, W1, c1, W2, c2) -> tuple[np.ndarray, np.ndarray]:
        """(hidden activations (n, m, h), outputs (n, m)) of the m networks on ``X`` (n, d)."""
        A = X @ W1
        A += c1
        np.maximum(A, 0, out=A)
        A = A.reshape(len(X), *W2.shape)
        return A, np.einsum("nmh,mh->nm", A, W2) + c2

    def _fit(self, train: Benchmark, X: np.ndarray) -> None:
        rng = np.random.default_rng(self.seed)
        X32 = np.ascontiguousarray(X, dtype=np.float32)
        Y = np.asarray(train.quality, dtype=np.float32)
        (n, d), (m, h) = X32.shape, (train.n_models, self.hidden)
        early = n >= 50
        rows = rng.permutation(n)
        n_val = int(np.ceil(0.1 * n)) if early else 0
        val, fit_rows = rows[:n_val], rows[n_val:]
        batch = min(int(np.clip(n // 25, 16, 2048)), len(fit_rows))

        def glorot(fan_in, fan_out, shape):
            bound = np.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(-bound, bound, shape).astype(np.float32)

        params = [glorot(d, h, (d, m * h)), glorot(d, h, (m * h,)), glorot(h, 1, (m, h)), glorot(h, 1, (m,))]
        moments = [np.zeros_like(p) for p in params]
        squares = [np.zeros_like(p) for p in params]
        (b1, b2), alpha, step = self.BETAS, np.float32(self.ALPHA), 0
        kept = [p.copy() for p in params]               # each network's weights to return
        best = np.full(m, -np.inf if early else np.inf)
        stale, active = np.zeros(m, dtype=np.int64), np.ones(m, dtype=bool)
        for _ in range(self.max_iter):
            order = rng.permutation(fit_rows)
            epoch_loss = np.zeros(m)
            for s in range(0, len(order), batch):
                xb, yb = X32[order[s:s + batch]], Y[order[s:s + batch]]
                A, out = self._forward(xb, *params)
                err = out - yb
                nb = np.float32(len(xb))
                if not early:
                    W1, _, W2, _ = params
                    l2 = (W1 * W1).reshape(d, m, h).sum(axis=(0, 2)) + (W2 * W2).sum(axis=1)
                    epoch_loss += (0.5 * (err * err).sum(axis=0, dtype=np.float64) + 0.5 * self.ALPHA * l2)
                err /= nb
                dA = err[:, :, None] * params[2]
                dA *= A > 0
                dA = dA.reshape(len(xb), m * h)
                grads = [xb.T @ dA + alpha / nb * params[0], dA.sum(axis=0),
                         np.einsum("bmh,bm->mh", A, err) + alpha / nb * params[2], err.sum(axis=0)]
                step += 1
                lr = self.LEARNING_RATE * np.sqrt(1 - b2 ** step) / (1 - b1 ** step)
                for p, g, mo, sq in zip(params, grads, moments, squares):
                    mo *= b1
                    mo += (1 - b1) * g
                    sq *= b2
                    sq += (1 - b2) * g * g
                    p -= np.float32(lr) * mo / (np.sqrt(sq) + self.EPS)
            if early:
                yv = Y[val]
                res = ((self._forward(X32[val], *params)[1] - yv) ** 2).sum(axis=0, dtype=np.float64)
                tot = ((yv - yv.mean(axis=0)) ** 2).sum(axis=0, dtype=np.float64)
                score = np.where(tot > 0, 1 - res / np.where(tot > 0, tot, 1), np.where(res == 0, 1.0, 0.0))
                stalled, keep = score < best + self.TOL, active & (score > best)   # keep the best weights
                best = np.where(keep, score, best)
            else:
                score = epoch_loss / len(fit_rows)
                stalled, keep = score > best - self.TOL, active                   # keep the last weights
                best = np.where(active, np.minimum(best, score), best)
            self._keep(kept, params, keep, h)
            stale = np.where(active & stalled, stale + 1, np.where(active, 0, stale))
            active &= stale <= self.PATIENCE
            if not active.any():
                break
        self.W1_, self.c1_, self.W2_, self.c2_ = kept

    @staticmethod
    def _keep(kept: list, params: list, which: np.ndarray, h: int) -> None:
        """Copy the weights of the networks ``which`` (m,) bool from ``params`` into ``kept``."""
        cols = np.repeat(which, h)
        kept[0][:, cols], kept[1][cols] = params[0][:, cols], params[1][cols]
        kept[2][which], kept[3][which] = params[2][which], params[3][which]

    def _predict(self, test: Benchmark, X: np.ndarray) -> np.ndarray:
        weights = (self.W1_, self.c1_, self.W2_, self.c2_)
        if not all(np.isfinite(w).all() for w in weights):
            raise ValueError("the MLP weights are not finite numbers")
        return self._forward(np.asarray(X, dtype=np.float32), *weights)[1].astype(np.float64)


class DatasetBestRouter(PredictiveRouter):
    """For each dataset, the model with the best RS on its training rows (query-blind baseline).

    RS uses the global min/max of the training cost matrix. ``predict_proba`` returns the training
    accuracy of each model on the query's dataset; a dataset unseen in training gets the overall
    training accuracies and the overall RS-best model.
    """

    name = "dataset-best"
    paradigm = "baseline"
    needs_prices = False  # realised training costs only
    card = {
        "paradigm": "baseline (query-blind, per-dataset; the coarse form of topic routing)",
        "learns": "per (dataset, model) training RS and accuracy",
        "label": "realised RS contribution of each model on the dataset's training rows",
        "decision": "the best-RS model of the query's dataset",
        "differs": "not in the article; the baseline LLMRouterBench (arXiv 2601.07206) recommends",
    }

    def __init__(self, seed: int = 0):
        super().__init__(seed, use_dataset=True)

    def _fit(self, train: Benchmark, X: np.ndarray) -> None:
        codes, k = train.dataset_codes, len(train.dataset_names)
        rs = np.clip(train.quality, 0, 1) * (1.0 - _normalise(train.cost, self.cost_min_, self.cost_max_))
        counts = np.bincount(codes, minlength=k).astype(np.float64)[:, None]
        rs_sum, acc_sum = np.zeros((k, train.n_models)), np.zeros((k, train.n_models))
        np.add.at(rs_sum, codes, rs)
        np.add.at(acc_sum, codes, train.quality)
        self.dataset_names_ = list(train.dataset_names)
        self.rs_table_ = rs_sum / counts                     # (k, m)
        self.acc_table_ = acc_sum / counts
        mean_cost = train.cost.mean(axis=0)
        self.best_ = _argmax_cheapest(self.rs_table_, np.broadcast_to(mean_cost, self.rs_table_.shape))
        overall = rs.mean(axis=0)
        self.overall_best_ = int(_argmax_cheapest(overall[None], mean_cost[None])[0])
        self.overall_acc_ = train.quality.mean(axis=0)

    def _rows(self, test: Benchmark) -> np.ndarray:
        lookup = {nm: i for i, nm in enumerate(self.dataset_names_)}
        return np.array([lookup.get(nm, -1) for nm in test.dataset_names], dtype=np.intp)[test.dataset_codes]

    def _predict(self, test: Benchmark, X: np.ndarray) -> np.ndarray:
        r = self._rows(test)
        return np.where(r[:, None] >= 0, self.acc_table_[np.maximum(r, 0)], self.overall_acc_)

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        r = self._rows(test)
        choice = np.where(r >= 0, self.best_[np.maximum(r, 0)], self.overall_best_)
        return Routing(choice, None, self._predict(test, None))


for _cls in (CausalLMRouter, SequenceClassificationRouter, BertClassificationRouter,
             MatrixFactorizationRouter, KNNRouter, MLPRouter, DatasetBestRouter):
    register(_cls.name, _cls)
