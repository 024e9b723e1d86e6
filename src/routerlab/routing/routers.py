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

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError
from routerlab.metrics import coub_choice, oracle_choice, qoub_choice

__all__ = [
    "Routing", "Router", "RandomRouter", "RoundRobinRouter", "FixedRouter", "OracleRouter",
    "QualityOracleRouter", "CostOracleRouter", "make_router", "router_names", "register", "validate_options",
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
    """Build the router called ``name`` (see :func:`router_names`) with ``seed``; ``options`` are
    checked by :func:`validate_options` first (unknown, non-finite, non-integral, out-of-range or
    mistyped values fail with one line)."""
    _load_plugins()
    if name.startswith("fixed:"):
        model = name.split(":", 1)[1]
        if not model:
            raise RouterlabError("'fixed:' needs a model name, e.g. fixed:GPT-4o")
        validate_options(name, options)
        return FixedRouter(model, seed=seed)
    if name not in _REGISTRY:
        raise RouterlabError(f"unknown router {name!r}; choose from: {', '.join(router_names())}")
    return _REGISTRY[name](seed=seed, **validate_options(name, options))


def require_policy_prices(models, names) -> None:
    """One-line error naming ``--prices`` if a policy of ``names`` reads per-token prices
    (``needs_prices``) and a model of ``models`` has none; policies that need no price pass."""
    from routerlab.data.catalog import require_prices

    for name in names:
        if not name.startswith("fixed:") and getattr(make_router(name), "needs_prices", False):
            require_prices(models, f"policy {name!r} (it routes on an expected cost from per-token prices)")


#: Bounds of integer options that no router states itself (``option_bounds``): at least 1.
INT_BOUNDS = (1, 2**31 - 1)
_KINDS = ("bool", "int", "float", "str")


def _option_kind(param) -> str | None:
    """``"bool"``, ``"int"``, ``"float"``, ``"str"`` or None (anything) for one constructor parameter:
    the type of its default, else the one scalar type its annotation names."""
    import inspect

    default = param.default
    if default is not inspect.Parameter.empty and default is not None:
        for kind, types in (("bool", bool), ("int", int), ("float", float), ("str", str)):
            if type(default) is types:
                return kind
        return None
    ann = param.annotation if isinstance(param.annotation, str) else getattr(param.annotation, "__name__", "")
    named = [x.strip() for x in str(ann).split("|") if x.strip() != "None"]  # "int | None" -> int
    return named[0] if len(named) == 1 and named[0] in _KINDS else None


def _none_ok(param) -> bool:
    """True if the parameter's default is None or its annotation admits None."""
    return param.default is None or "None" in str(param.annotation)


def _option_value(router: str, option: str, value, kind: str | None, bounds, none_ok: bool = True):
    """``value`` checked against ``kind`` and ``bounds`` ``(lo, hi)`` (None = open); ints as int;
    None only where ``none_ok``."""
    where = f"option {router}.{option}"
    if value is None and not none_ok and kind is not None:
        raise RouterlabError(f"{where} cannot be none; give a {kind} value")
    if value is None or kind is None:
        return value
    if kind == "bool":
        if isinstance(value, (bool, np.bool_)):
            return bool(value)
        raise RouterlabError(f"{where} = {value!r} must be true or false")
    if kind == "str":
        if isinstance(value, str):
            return value
        raise RouterlabError(f"{where} = {value!r} must be text")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise RouterlabError(f"{where} = {value!r} must be a number")
    whole = isinstance(value, (int, np.integer))  # exact, however large (float() would overflow)
    if whole and kind == "float":
        try:
            value = float(value)
        except OverflowError:
            raise RouterlabError(f"{where} = {str(value)[:12]}... must be a finite number") from None
        whole = False
    if not whole and not math.isfinite(value):
        raise RouterlabError(f"{where} = {value!r} must be a finite number")
    if kind == "int":
        if not whole and value != math.floor(value):
            raise RouterlabError(f"{where} = {value!r} must be a whole number (it is not rounded)")
        value = int(value)
    lo, hi = bounds if bounds is not None else (INT_BOUNDS if kind == "int" else (None, None))
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        shown = value if len(str(value)) <= 30 else f"{str(value)[:12]}...({len(str(value))} digits)"
        raise RouterlabError(f"{where} = {shown} is out of range; it must lie in "
                             f"[{'-inf' if lo is None else lo}, {'inf' if hi is None else hi}]")
    return float(value) if kind == "float" else value


def validate_options(name: str, options: dict) -> dict:
    """The options of router ``name`` checked once, for every entry point (``make_router``, the
    sweeps' ``--set``, ``router_options``, saved routers): returns them with whole numbers as int.

    Each option must be a parameter of the router's constructor (not ``seed``). Its kind comes
    from the parameter's default (else its annotation): booleans must be True/False (not
    ``"maybe"``, not 1), integers finite and whole (2.5 is refused, 5.0 becomes 5) within the
    router's ``option_bounds`` (``{option: (lo, hi)}``, None = open) or else :data:`INT_BOUNDS`,
    floats finite within ``option_bounds``, text a str. None passes where the default is None.
    """
    import inspect

    _load_plugins()
    if name.startswith("fixed:"):
        factory, exclude = FixedRouter, ("model",)
    elif name in _REGISTRY:
        factory, exclude = _REGISTRY[name], ()
    else:
        raise RouterlabError(f"unknown router {name!r}; choose from: {', '.join(router_names())}")
    options = dict(options)
    try:
        params = inspect.signature(factory).parameters
    except (TypeError, ValueError):  # no introspectable signature: let the factory decide
        return options
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return options
    valid = [p for p in params if p not in ("self", "seed", *exclude)]
    bad = sorted(set(options) - set(valid), key=str)
    if bad:
        raise RouterlabError(f"router {name!r} has no option {', '.join(map(repr, bad))}; "
                             f"its options are: {', '.join(valid) or 'none'}")
    bounds = getattr(factory, "option_bounds", {}) or {}
    return {k: _option_value(name, k, v, _option_kind(params[k]), bounds.get(k), _none_ok(params[k]))
            for k, v in options.items()}
