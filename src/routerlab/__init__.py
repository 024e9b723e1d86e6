"""routerlab: a reproducible companion to the RouterBench article (LLM routing).

Recommended import: ``import routerlab as rl``. The package is in wings that follow the data,
each importing only the ones listed after it (``make test`` checks this with import-linter):
``cli`` -> ``reproduction`` -> ``book`` -> ``evaluation`` -> ``routing`` -> ``data`` ->
``metrics``, ``locks``, ``errors``. See CONTRIBUTING.md.
"""

import importlib as _importlib
import sys as _sys

from routerlab._version import __version__
from routerlab.data import sources
from routerlab.errors import RouterlabError

# ``import routerlab.sources`` and ``from routerlab.sources import load`` keep working.
_sys.modules.setdefault("routerlab.sources", sources)

# The rest is imported on first use, so that a command that only reads a table does not load
# SciPy (the simulator's and the learned routers' dependency) or scikit-learn.
_LAZY = {
    "Benchmark": "routerlab.data.benchmark", "Model": "routerlab.data.catalog",
    "MODELS": "routerlab.data.catalog", "MODEL_NAMES": "routerlab.data.catalog",
    "DATASET_NAMES": "routerlab.data.catalog", "read_table": "routerlab.data.interchange",
    "write_table": "routerlab.data.interchange", "simulate": "routerlab.data.simulate",
    "stratified_split": "routerlab.data.splits", "EvaluationResult": "routerlab.evaluation.protocol",
    "evaluate": "routerlab.evaluation.protocol", "routing_score": "routerlab.metrics",
    "rs_terms": "routerlab.metrics", "Router": "routerlab.routing.routers", "Routing": "routerlab.routing.routers",
    "make_router": "routerlab.routing.routers", "router_names": "routerlab.routing.routers",
}


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'routerlab' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Benchmark", "Model", "MODELS", "MODEL_NAMES", "DATASET_NAMES", "RouterlabError",
    "routing_score", "rs_terms", "evaluate", "EvaluationResult", "stratified_split",
    "read_table", "write_table", "simulate", "Router", "Routing", "make_router", "router_names", "sources",
    "__version__",
]
