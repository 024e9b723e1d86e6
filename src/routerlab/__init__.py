"""routerlab: a reproducible companion to the RouterBench article (LLM routing).

Recommended import: ``import routerlab as rl``. The package is in wings that follow the data,
each importing only the ones listed after it (``make test`` checks this with import-linter):
``cli`` -> ``reproduction`` -> ``book`` -> ``evaluation`` -> ``routing`` -> ``data`` ->
``metrics``, ``locks``, ``errors``. See CONTRIBUTING.md.
"""

import sys as _sys

from routerlab._version import __version__
from routerlab.data import sources
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import DATASET_NAMES, MODEL_NAMES, MODELS, Model
from routerlab.data.interchange import read_table, write_table
from routerlab.data.simulate import simulate
from routerlab.data.splits import stratified_split
from routerlab.errors import RouterlabError
from routerlab.evaluation.protocol import EvaluationResult, evaluate
from routerlab.metrics import routing_score, rs_terms
from routerlab.routing.routers import Router, Routing, make_router, router_names

# ``import routerlab.sources`` and ``from routerlab.sources import load`` keep working.
_sys.modules.setdefault("routerlab.sources", sources)

__all__ = [
    "Benchmark", "Model", "MODELS", "MODEL_NAMES", "DATASET_NAMES", "RouterlabError",
    "routing_score", "rs_terms", "evaluate", "EvaluationResult", "stratified_split",
    "read_table", "write_table", "simulate", "Router", "Routing", "make_router", "router_names", "sources",
    "__version__",
]
