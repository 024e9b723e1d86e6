"""routerlab: a reproducible companion to the RouterBench article (LLM routing).

Recommended import: ``import routerlab as rl``.
"""

from .benchmark import Benchmark
from .catalog import DATASET_NAMES, MODEL_NAMES, MODELS, Model
from .errors import RouterlabError
from .evaluation import EvaluationResult, evaluate, stratified_split
from .interchange import read_table, write_table
from .metrics import routing_score, rs_terms
from .routers import Router, Routing, make_router, router_names
from .simulate import simulate

__version__ = "0.1.0"

__all__ = [
    "Benchmark", "Model", "MODELS", "MODEL_NAMES", "DATASET_NAMES", "RouterlabError",
    "routing_score", "rs_terms", "evaluate", "EvaluationResult", "stratified_split",
    "read_table", "write_table", "simulate", "Router", "Routing", "make_router", "router_names", "__version__",
]
