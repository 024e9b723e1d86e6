"""A predictive router fitted on one split, and what it says about that split's test rows, computed once.

The book fits the same router on the same training rows in several places: the evaluation
(:func:`~routerlab.evaluation.protocol.evaluate`), the cost-quality frontier
(:func:`~routerlab.evaluation.curves.frontier_study`), the validation choice of the best learned
router and the learning curves all split a benchmark by the same seeded stratified split and fit
the routers with that seed. A fit is deterministic given its inputs, so its outputs on the test
rows (the routing of its own rule and its success probabilities) are kept in
the cache (:mod:`routerlab.evaluation.cache`), keyed by the router, its options and seed, the
content of the training and the (blind) test rows and the package code. Without a cache folder
every call fits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from routerlab.data.benchmark import Benchmark, benchmark_fingerprint
from routerlab.evaluation.cache import entry_path
from routerlab.locks import entry_lock
from routerlab.routing.predictive import PredictiveRouter
from routerlab.routing.routers import Router, Routing

__all__ = ["Fitted", "cacheable", "fit_outputs"]


@dataclass(frozen=True)
class Fitted:
    """A fitted predictive router's outputs on n test rows of m models.

    ``routing``: its own rule's :class:`Routing` (``choice`` (n,) int, ``proba`` (n, m) success
    probabilities in [0, 1], as ``predict_proba`` gives them); ``fit_seconds``, ``route_seconds``
    (wall clock of the run that computed them).
    """

    routing: Routing
    fit_seconds: float
    route_seconds: float

    @property
    def proba(self) -> np.ndarray:
        """(n, m) predicted success probabilities."""
        return self.routing.proba


def cacheable(router: Router) -> bool:
    """Whether ``router``'s outputs may be kept: a built-in predictive router (deterministic given
    its seed, routing with its ``predict_proba``), not a subclass defined elsewhere."""
    cls = type(router)
    return isinstance(router, PredictiveRouter) and cls.__module__ == PredictiveRouter.__module__


def _compute(router: PredictiveRouter, train: Benchmark, blind: Benchmark) -> Fitted:
    t0 = time.perf_counter()
    router.fit(train)
    t1 = time.perf_counter()
    routing = router.route(blind)
    t2 = time.perf_counter()
    if routing.calls is not None or routing.proba is None:  # not a predictive router's routing
        raise ValueError(f"router {router.name!r} routed without probabilities")
    return Fitted(Routing(np.asarray(routing.choice), None, np.asarray(routing.proba, dtype=np.float64)),
                  t1 - t0, t2 - t1)


def fit_outputs(router: PredictiveRouter, train: Benchmark, blind: Benchmark, cache_dir=None) -> Fitted:
    """Fit ``router`` (built with its seed and options, unfitted) on ``train`` and collect its
    :class:`Fitted` outputs on ``blind`` (test rows without the truth), from the cache when an
    identical fit was made before. Raises ValueError unless :func:`cacheable`."""
    if not cacheable(router):
        raise ValueError(f"{type(router).__name__} is not a built-in predictive router")
    params = {k: v for k, v in sorted(vars(router).items()) if not k.endswith("_")}
    path = entry_path(cache_dir, "fits/{key}.npz",
                      {"router": router.name, "params": params, "train": benchmark_fingerprint(train),
                       "test": benchmark_fingerprint(blind)})
    if path is None:
        return _compute(router, train, blind)
    with entry_lock(path):
        kept = _load(path, blind.n_queries, blind.n_models)
        if kept is not None:
            return kept
        out = _compute(router, train, blind)
        _save(path, out)
    return out


def _load(path, n: int, m: int) -> Fitted | None:
    """The entry at ``path`` if it is complete and has the expected shapes and values (else None)."""
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            choice, proba, seconds = z["choice"], z["proba"], z["seconds"]
    except Exception:  # a damaged entry: computed again
        return None
    if not (choice.shape == (n,) and choice.dtype.kind in "iu" and proba.shape == (n, m)
            and proba.dtype == np.float64 and seconds.shape == (2,)):
        return None
    if not (np.all((choice >= 0) & (choice < m)) and np.all((proba >= 0) & (proba <= 1))):
        return None
    return Fitted(Routing(choice.astype(np.intp), None, proba), float(seconds[0]), float(seconds[1]))


def _save(path, out: Fitted) -> None:
    """Write ``out`` atomically; a cache that cannot be written only costs the reuse."""
    from routerlab.data.files import atomic_write

    def write(tmp):
        with open(tmp, "wb") as fh:
            np.savez(fh, choice=out.routing.choice, proba=out.proba,
                     seconds=np.array([out.fit_seconds, out.route_seconds]))

    try:
        atomic_write(path, write)
    except OSError:
        pass
