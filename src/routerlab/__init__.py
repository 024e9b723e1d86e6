"""routerlab: a reproducible companion to the RouterBench article (LLM routing).

Recommended import: ``import routerlab as rl``.
"""

from .benchmark import Benchmark
from .catalog import DATASET_NAMES, MODEL_NAMES, MODELS, Model
from .errors import RouterlabError
from .metrics import routing_score, rs_terms
from .routers import Router, Routing, make_router, router_names

__version__ = "0.1.0"

__all__ = [
    "Benchmark", "Model", "MODELS", "MODEL_NAMES", "DATASET_NAMES", "RouterlabError",
    "routing_score", "rs_terms", "Router", "Routing", "make_router", "router_names", "__version__",
]
