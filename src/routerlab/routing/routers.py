"""One interface for every routing policy, the query-blind baselines, and the oracle bounds.

A router is fitted on a training :class:`~routerlab.data.benchmark.Benchmark` and then routes a test
benchmark, returning a :class:`Routing`: for each query the model whose answer is returned and
the models it called (a cascade pays for every call). A router may use only what is knowable
before answering -- query features or text, prompt length, dataset label, the response
confidence of models it has actually called, and statistics of the training rows. Realised
quality and cost of test rows are for scoring only (the bounds, flagged ``uses_truth``, are the
exception by definition).

Create routers by name with :func:`make_router` (``"random"``, ``"round-robin"``,
``"fixed:<model>"``, ``"oub"``, ``"qoub"``, ``"coub"``, and the learned routers registered in
:mod:`routerlab.routing.predictive` and :mod:`routerlab.routing.cascades`, and ``"fanout"`` from
:mod:`routerlab.routing.fanout`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError
from routerlab.metrics import coub_choice, oracle_choice, qoub_choice

__all__ = [
    "Routing", "Router", "RandomRouter", "RoundRobinRouter", "FixedRouter", "OracleRouter",
    "QualityOracleRouter", "CostOracleRouter", "make_router", "router_names", "register",
    "require_policy_prices",
]


@dataclass(frozen=True)
class Routing:
    """What a policy did on n test queries.

    ``choice`` (n,) int: column of the model whose answer is returned.
    ``calls`` (n, m) bool or None: the models called; None means only the chosen one.
    ``proba`` (n, m) float or None: predicted success probability (predictive routers).
    """

    choice: np.ndarray
    calls: np.ndarray | None = None
    proba: np.ndarray | None = None

    def paid(self, cost: np.ndarray) -> np.ndarray:
        """(n,) USD actually paid: the chosen model's cost, or the sum over every call made."""
        cost = np.asarray(cost, dtype=np.float64)
        if self.calls is None:
            return np.take_along_axis(cost, self.choice[:, None], axis=1)[:, 0]
        return np.where(self.calls, cost, 0.0).sum(axis=1)

    def returned_quality(self, quality: np.ndarray) -> np.ndarray:
        """(n,) quality of the returned answers."""
        return np.take_along_axis(np.asarray(quality, dtype=np.float64), self.choice[:, None], axis=1)[:, 0]

    def shares(self, m: int) -> np.ndarray:
        """(m,) share of queries whose answer came from each model."""
        return np.bincount(self.choice, minlength=m) / max(len(self.choice), 1)


class Router:
    """Base class: ``fit(train) -> self`` then ``route(test) -> Routing``.

    Subclasses set ``name`` (the CLI name), ``paradigm``, ``uses_truth`` (True only for the
    oracle bounds) and ``needs_prices`` (True when it reads the models' per-token prices).
    Randomness comes from the ``seed`` given to the constructor.
    """

    name = "router"
    paradigm = "baseline"
    uses_truth = False
    needs_prices = False

    def __init__(self, seed: int = 0):
        self.seed = int(seed)

    def fit(self, train: Benchmark) -> "Router":
        self.model_names_ = train.model_names
        return self

    def route(self, test: Benchmark) -> Routing:  # pragma: no cover - interface
        raise NotImplementedError

    def _check_models(self, test: Benchmark) -> None:
        names = getattr(self, "model_names_", None)
        if names is None:
            raise RouterlabError(f"router {self.name!r} must be fitted before routing")
        if names != test.model_names:
            raise RouterlabError(f"router {self.name!r} was fitted on models {names}, "
                                 f"but the test set has {test.model_names}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


class RandomRouter(Router):
    """Uniformly random model per query (seeded)."""

    name = "random"

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        rng = np.random.default_rng(self.seed)
        return Routing(rng.integers(0, test.n_models, size=test.n_queries))


class RoundRobinRouter(Router):
    """Model ``i mod m`` for the i-th query, in the test set's order."""

    name = "round-robin"

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        return Routing(np.arange(test.n_queries) % test.n_models)


class FixedRouter(Router):
    """Always the same model."""

    paradigm = "single model"

    def __init__(self, model: str, seed: int = 0):
        super().__init__(seed)
        self.model = model
        self.name = f"fixed:{model}"

    def fit(self, train: Benchmark) -> "FixedRouter":
        train.model_index(self.model)  # unknown name -> clear error now
        return super().fit(train)

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        return Routing(np.full(test.n_queries, test.model_index(self.model)))


class OracleRouter(Router):
    """OUB: the model with the best RS contribution per query (reads the test truth)."""

    name = "oub"
    paradigm = "bound"
    uses_truth = True

    def __init__(self, normalization: str = "global", seed: int = 0):
        super().__init__(seed)
        self.normalization = normalization

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        return Routing(oracle_choice(test.quality, test.cost, self.normalization))


class QualityOracleRouter(Router):
    """QOUB: best quality per query, cost ignored (the most accurate model among the correct)."""

    name = "qoub"
    paradigm = "bound"
    uses_truth = True

    def fit(self, train: Benchmark) -> "QualityOracleRouter":
        self.accuracy_ = train.accuracy()
        return super().fit(train)

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        return Routing(qoub_choice(test.quality, self.accuracy_))


class CostOracleRouter(Router):
    """COUB: the cheapest model that answers correctly (reads the test truth)."""

    name = "coub"
    paradigm = "bound"
    uses_truth = True

    def route(self, test: Benchmark) -> Routing:
        self._check_models(test)
        return Routing(coub_choice(test.quality, test.cost))


_REGISTRY: dict[str, Callable[..., Router]] = {
    "random": RandomRouter,
    "round-robin": RoundRobinRouter,
    "oub": OracleRouter,
    "qoub": QualityOracleRouter,
    "coub": CostOracleRouter,
}


def register(name: str, factory: Callable[..., Router]) -> None:
    """Make ``make_router(name)`` build ``factory(seed=..., **options)``."""
    _REGISTRY[name] = factory


def _load_plugins() -> None:
    # The learned routers live in their own modules; importing them registers their names.
    import importlib

    for mod in ("routerlab.routing.predictive", "routerlab.routing.cascades", "routerlab.routing.fanout",
                "routerlab.routing.task_deviation"):
        try:
            importlib.import_module(mod)
        except ModuleNotFoundError as exc:  # module not written yet
            if exc.name != mod:
                raise


def router_names() -> list[str]:
    """Every name :func:`make_router` accepts (``fixed:<model>`` stands for any model)."""
    _load_plugins()
    return sorted(_REGISTRY) + ["fixed:<model>"]


def make_router(name: str, seed: int = 0, **options) -> Router:
    """Build the router called ``name`` (see :func:`router_names`) with ``seed``."""
    _load_plugins()
    if name.startswith("fixed:"):
        model = name.split(":", 1)[1]
        if not model:
            raise RouterlabError("'fixed:' needs a model name, e.g. fixed:GPT-4o")
        _check_options(name, FixedRouter, options, exclude=("model",))
        return FixedRouter(model, seed=seed)
    if name not in _REGISTRY:
        raise RouterlabError(f"unknown router {name!r}; choose from: {', '.join(router_names())}")
    _check_options(name, _REGISTRY[name], options)
    return _REGISTRY[name](seed=seed, **options)


def require_policy_prices(models, names) -> None:
    """One-line error naming ``--prices`` if a policy of ``names`` reads per-token prices
    (``needs_prices``) and a model of ``models`` has none; policies that need no price pass."""
    from routerlab.data.catalog import require_prices

    for name in names:
        if not name.startswith("fixed:") and getattr(make_router(name), "needs_prices", False):
            require_prices(models, f"policy {name!r} (it routes on an expected cost from per-token prices)")


def _check_options(name: str, factory: Callable[..., Router], options: dict, exclude=()) -> None:
    """One-line error for an option the factory does not take (instead of a TypeError)."""
    import inspect

    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # no introspectable signature: let the factory decide
        return
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    valid = [p for p in params if p not in ("self", "seed", *exclude)]
    bad = sorted(set(options) - set(valid))
    if bad:
        raise RouterlabError(f"router {name!r} has no option {', '.join(map(repr, bad))}; "
                             f"its options are: {', '.join(valid) or 'none'}")
