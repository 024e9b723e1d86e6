"""Your own router beside the built-ins: loading it from a file or an entry point, and the
blindness test every router that is not a bound must pass.

A user's router follows the interface of :mod:`routerlab.routing.routers`: ``fit(train) -> self``
and ``route(test) -> Routing``, ideally as a subclass of :class:`~routerlab.routing.routers.Router`
(a class with the two methods that does not subclass it is wrapped in :class:`ForeignRouter`).
From Python, pass an instance to :func:`routerlab.evaluate` beside the built-in names::

    result = rl.evaluate(bench, [MyRouter(), "dataset-best", "oub"], seeds=range(3))

From the command line, ``routerlab evaluate --router-module my_router.py:MyRouter`` (repeatable)
imports that file -- it runs the file's code, as ``python my_router.py`` would -- or names a
router an installed package publishes in the entry-point group :data:`ENTRY_POINT_GROUP`::

    [project.entry-points."routerlab.routers"]
    my-router = "my_package.routers:MyRouter"

Before any score of a user's router is reported, :func:`check_blind` routes the test rows a second
time with every outcome-derived field scrambled (quality, cost, answer tokens, latent variables,
and the confidences of models the router did not call); a router whose choices change reads the
test truth and is refused with one line. The built-in routers pass the same test
(``tests/test_benchmark.py``).
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError
from routerlab.routing.routers import Router, Routing, router_names

__all__ = ["ENTRY_POINT_GROUP", "ForeignRouter", "load_router_class", "user_router", "entry_point_names",
           "is_user_router", "scramble_truth", "check_blind"]

#: The entry-point group in which installed packages publish routers for ``--router-module NAME``.
ENTRY_POINT_GROUP = "routerlab.routers"


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {' '.join(str(exc).split())[:200]}"


def entry_point_names() -> list[str]:
    """The router names published in :data:`ENTRY_POINT_GROUP` by the installed packages."""
    from importlib.metadata import entry_points

    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def _from_file(path_text: str, class_name: str):
    path = Path(path_text)
    where = f"--router-module {path_text}:{class_name}"
    if path.suffix != ".py":
        raise RouterlabError(f"{where}: {path_text!r} is not a .py file; give FILE.py:ClassName")
    if not path.is_file():
        raise RouterlabError(f"{where}: file {path_text!r} does not exist" if not path.exists()
                             else f"{where}: {path_text!r} is not a file")
    # a module name of its own per file content, so two files with one stem do not collide
    digest = hashlib.sha256(str(path.resolve()).encode() + path.read_bytes()).hexdigest()[:12]
    mod_name = f"routerlab_user_{path.stem if path.stem.isidentifier() else 'router'}_{digest}"
    module = sys.modules.get(mod_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(mod_name, path)
        if spec is None or spec.loader is None:
            raise RouterlabError(f"{where}: cannot import {path_text!r}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[mod_name] = module  # dataclasses and pickling look the module up by name
        try:
            spec.loader.exec_module(module)
        except BaseException as exc:  # noqa: BLE001 - the user's code: any failure is one line
            del sys.modules[mod_name]
            if isinstance(exc, KeyboardInterrupt):
                raise
            raise RouterlabError(f"{where}: importing {path_text!r} failed ({_short(exc)})") from None
    if not hasattr(module, class_name):
        found = sorted(k for k, v in vars(module).items() if inspect.isclass(v) and v.__module__ == mod_name)
        raise RouterlabError(f"{where}: {path_text!r} defines no {class_name!r}"
                             + (f" (its classes: {', '.join(found)})" if found else ""))
    return getattr(module, class_name)


def _from_entry_point(name: str):
    from importlib.metadata import entry_points

    eps = [ep for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.name == name]
    if not eps:
        known = entry_point_names()
        raise RouterlabError(f"--router-module {name!r} is neither FILE.py:ClassName nor a router published in "
                             f"the entry-point group {ENTRY_POINT_GROUP!r}"
                             + (f" (published: {', '.join(known)})" if known else " (none is installed)"))
    try:
        return eps[0].load()
    except Exception as exc:  # noqa: BLE001 - the package's code
        raise RouterlabError(f"--router-module {name!r}: loading entry point {eps[0].value!r} failed "
                             f"({_short(exc)})") from None


def load_router_class(spec: str):
    """The router class named by ``spec``: ``FILE.py:ClassName`` (the file is imported: its code
    runs) or the name of an entry point of :data:`ENTRY_POINT_GROUP`. One line for a missing file,
    a missing class, or a class without callable ``fit`` and ``route``."""
    spec = str(spec).strip()
    path_text, sep, class_name = spec.rpartition(":")
    if sep:  # FILE:Class (entry-point names hold no colon)
        if not class_name.isidentifier():
            raise RouterlabError(f"--router-module {spec!r}: {class_name!r} is not a class name; give FILE.py:ClassName")
        cls = _from_file(path_text, class_name)
    elif spec.endswith(".py"):
        raise RouterlabError(f"--router-module {spec!r} names no class; give FILE.py:ClassName")
    else:
        cls = _from_entry_point(spec)
    if not inspect.isclass(cls):
        raise RouterlabError(f"--router-module {spec!r} is a {type(cls).__name__}, not a class")
    missing = [m for m in ("fit", "route") if not callable(getattr(cls, m, None))]
    if missing or (issubclass(cls, Router) and cls.route is Router.route):
        raise RouterlabError(f"--router-module {spec!r}: class {cls.__name__} does not follow the router "
                             f"interface (it needs fit(train) -> self and route(test) -> Routing; missing: "
                             f"{', '.join(missing) or 'route'})")
    return cls


class ForeignRouter(Router):
    """A class with ``fit``/``route`` that does not subclass :class:`Router`, as a router."""

    paradigm = "user"

    def __init__(self, inner, seed: int = 0):
        super().__init__(seed)
        self.inner = inner
        self.name = str(getattr(inner, "name", None) or type(inner).__name__)

    def fit(self, train: Benchmark) -> "ForeignRouter":
        if hasattr(self.inner, "seed"):
            self.inner.seed = self.seed
        self.inner.fit(train)
        return super().fit(train)

    def route(self, test: Benchmark) -> Routing:
        return self.inner.route(test)


def user_router(spec: str, seed: int = 0) -> Router:
    """An instance of the router class of ``spec`` (see :func:`load_router_class`), built with
    ``seed=seed`` if its constructor takes a seed, else with no arguments. Its ``name`` (the class
    name if it keeps :class:`Router`'s default) labels its results and must not be a built-in's."""
    cls = load_router_class(spec)
    takes_seed = "seed" in inspect.signature(cls).parameters if _has_signature(cls) else False
    try:
        router = cls(seed=seed) if takes_seed else cls()
    except Exception as exc:  # noqa: BLE001 - the user's constructor
        raise RouterlabError(f"--router-module {spec!r}: {cls.__name__}({'seed=' + str(seed) if takes_seed else ''}) "
                             f"failed ({_short(exc)}); its constructor must work without other arguments") from None
    if not isinstance(router, Router):
        router = ForeignRouter(router, seed=seed)
    elif getattr(router, "name", Router.name) == Router.name:
        router.name = cls.__name__
    if getattr(router, "uses_truth", False):
        raise RouterlabError(f"--router-module {spec!r}: {cls.__name__} declares uses_truth; only the built-in "
                             "bounds may read the test truth")
    builtin = [x for x in router_names() if x != "fixed:<model>"]
    if router.name in builtin or str(router.name).startswith("fixed:"):
        raise RouterlabError(f"--router-module {spec!r}: its name {router.name!r} is a built-in router's; "
                             "give the class another name attribute")
    return router


def _has_signature(cls) -> bool:
    try:
        inspect.signature(cls)
        return True
    except (TypeError, ValueError):
        return False


def is_user_router(router) -> bool:
    """True for a router whose code is not routerlab's (a user's class, or one wrapped in
    :class:`ForeignRouter`): the protocol applies :func:`check_blind` to it."""
    return isinstance(router, ForeignRouter) or not type(router).__module__.startswith("routerlab.")


def scramble_truth(test: Benchmark, called: np.ndarray, seed: int = 11) -> Benchmark:
    """``test`` with every outcome-derived field replaced by noise: quality rows permuted, cost,
    answer tokens and the latent difficulty random, and the confidences of the models NOT in
    ``called`` (n, m) bool random (a cascade reads only the confidences of the models it called)."""
    rng = np.random.default_rng(seed)
    shape = test.quality.shape
    confidence = test.confidence
    if confidence is not None:
        confidence = np.where(called, confidence, rng.random(shape))
    return replace(test, quality=rng.permutation(np.nan_to_num(test.quality, nan=0.5)), cost=rng.random(shape),
                   answer_tokens=rng.integers(1, 999, shape), confidence=confidence,
                   latent={"difficulty": rng.random(test.n_queries)})


def check_blind(router: Router, test: Benchmark, routing: Routing | None = None, label: str | None = None,
                seed: int = 11) -> None:
    """One-line error unless the fitted ``router`` routes ``test`` exactly as it routes it with
    the truth hidden (:meth:`Benchmark.without_truth`) and with the truth scrambled
    (:func:`scramble_truth`): same choices, same calls. ``routing``: its routing of the blinded
    test set if already computed. A router that draws fresh randomness on every call fails too
    (its choices must come from its seed)."""
    label = label or getattr(router, "name", type(router).__name__)
    try:
        base = routing if routing is not None else router.route(test.without_truth())
        called = (np.asarray(base.calls, dtype=bool) if getattr(base, "calls", None) is not None
                  else np.zeros(test.quality.shape, dtype=bool))
        other = router.route(scramble_truth(test, called, seed))
    except RouterlabError:
        raise
    except Exception as exc:  # noqa: BLE001 - the user's code
        raise RouterlabError(f"router {label!r} failed the blindness test: routing the test rows with their "
                             f"outcomes scrambled raised {_short(exc)}") from None
    same = np.array_equal(np.asarray(base.choice), np.asarray(getattr(other, "choice", None)))
    calls_a, calls_b = getattr(base, "calls", None), getattr(other, "calls", None)
    if same and (calls_a is None) == (calls_b is None) and calls_a is not None:
        same = np.array_equal(np.asarray(calls_a, dtype=bool), np.asarray(calls_b, dtype=bool))
    if not same:
        raise RouterlabError(f"router {label!r} failed the blindness test: it routes the test rows differently "
                             "when their quality and cost change, so it reads the test truth (or draws "
                             "unseeded randomness); route() may use datasets, features, prompts and prompt "
                             "tokens, never quality or cost")
