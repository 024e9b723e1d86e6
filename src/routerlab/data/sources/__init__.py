"""Real per-query outcomes, one module per source, all returning a :class:`~routerlab.data.benchmark.Benchmark`.

    import routerlab.data.sources as src
    src.names()                              # ('llmrouter', 'mmlu-pro', 'routellm', 'routerbench-subset')
    bench = src.load("routerbench-subset")   # found under ../shared/data, every file SHA-256-checked
    src.find("mmlu-pro", data_dir="/data")   # the folder, or None

A source is a module of this package (not starting with ``_``) that defines:

* ``NAME`` -- the name used by ``--data`` (e.g. ``"mmlu-pro"``);
* ``TITLE`` -- one line saying what it is;
* ``files() -> list[str]`` -- the relative paths it needs (all listed in its digests file
  ``routerlab/data/sha256/<NAME>.sha256``);
* ``load(folder: Path, **options) -> Benchmark`` -- read the verified files of ``folder``.

Adding a source is one new module plus its digests file; :mod:`._base` locates, verifies and caches.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError
from routerlab.data.sources._base import ENV, find_folder, require_folder

__all__ = ["names", "module", "find", "load", "status", "subsample", "load_for_book", "ROUTER_SOURCES", "ROUTER_SHARE",
           "load_for_routers", "overview", "provenance_table", "ENV"]


@lru_cache(maxsize=1)
def _modules() -> dict[str, ModuleType]:
    out = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        mod = importlib.import_module(f"{__name__}.{info.name}")
        out[mod.NAME] = mod
    return dict(sorted(out.items()))


def names() -> tuple[str, ...]:
    """The names of every real-data source, sorted."""
    return tuple(_modules())


def module(name: str) -> ModuleType:
    """The module of source ``name`` (one-line error for an unknown name)."""
    mods = _modules()
    if name not in mods:
        raise RouterlabError(f"unknown data source {name!r}; choose one of: {', '.join(mods)}")
    return mods[name]


def find(name: str, data_dir=None) -> Path | None:
    """The folder holding every file of source ``name``, or None (files not verified here)."""
    return find_folder(name, module(name).files(), data_dir)


def load(name: str, data_dir=None, **options) -> Benchmark:
    """Source ``name`` as a :class:`Benchmark`; ``options`` go to the source's ``load``."""
    mod = module(name)
    folder = require_folder(name, mod.files(), data_dir, getattr(mod, "HINT", ""))
    return mod.load(folder, **options)


def status(name: str, data_dir=None) -> str:
    """One line for a reader: where source ``name`` was found, or that it is missing."""
    folder = find(name, data_dir)
    if folder is None:
        from routerlab.data.sources._base import candidate_folders

        where = ", ".join(str(p) for p in candidate_folders(name, data_dir))
        return f"{name}: NOT FOUND (looked in {where})"
    return f"{name}: found in {folder}"


def subsample(bench: Benchmark, scale: float, seed: int = 0, min_per_dataset: int = 300) -> Benchmark:
    """A stratified share ``scale`` of ``bench``'s queries, at least ``min_per_dataset`` of each
    dataset (or all it has); ``scale >= 1`` returns ``bench`` itself. Rows keep their order."""
    import numpy as np

    from routerlab.errors import check_range
    from routerlab.data.splits import stratified_split

    scale = check_range("scale", scale, 0.0, None, lo_open=True)
    if scale >= 1:
        return bench
    keep = []
    for d in bench.dataset_names:
        rows = np.flatnonzero(bench.dataset_mask(d))
        share = min(1.0, max(scale, min_per_dataset / len(rows)))
        if share < 1:
            _, pick = stratified_split(bench.rows(rows), test_size=share, seed=seed)
            rows = rows[pick]
        keep.append(rows)
    return bench.rows(np.sort(np.concatenate(keep)))


def load_for_book(name: str, scale: float = 1.0, seed: int = 0, data_dir=None,
                  min_per_dataset: int = 300, **options) -> Benchmark | None:
    """Source ``name`` subsampled to ``scale`` (see :func:`subsample`), or None when its folder is
    missing (a chapter then says so in an admonition and glues "n/a"). Corrupt files still raise."""
    if find(name, data_dir) is None:
        return None
    return subsample(load(name, data_dir, **options), scale, seed, min_per_dataset)


#: The real sources with several models per query that the router chapters evaluate, and the share
#: of each one's queries they use at ``scale=1`` (stratified by dataset and difficulty, at least
#: 300 per dataset): MMLU-Pro's 12,032 questions x 29 models do not fit the book's time budget whole.
ROUTER_SOURCES = ("routerbench-subset", "llmrouter", "mmlu-pro")
ROUTER_SHARE = {"mmlu-pro": 0.25}


def load_for_routers(name: str, scale: float = 1.0, data_dir=None) -> Benchmark | None:
    """:func:`load_for_book` of ``name`` at ``scale`` x its :data:`ROUTER_SHARE` (seed 0, at least
    300 queries per dataset): the benchmark every router chapter evaluates, so they share one
    evaluation cache entry. None when the folder is missing."""
    return load_for_book(name, scale * ROUTER_SHARE.get(name, 1.0), seed=0, data_dir=data_dir, min_per_dataset=300)


def overview(benches) -> "pd.DataFrame":
    """One row per source of ``benches`` ({name: Benchmark or None}): what it holds, for a reader.

    Columns: models, queries, datasets, cost basis ("real, per query" or "estimated"), lowest and
    highest model accuracy, cheapest and dearest model's mean cost (USD per query). A source whose
    folder is missing gets "data folder not found" and empty numbers.
    """
    import pandas as pd

    rows = []
    for name, b in benches.items():
        if b is None:
            rows.append({"source": name, "cost": "data folder not found"})
            continue
        acc, cost = b.accuracy(), b.cost.mean(axis=0)
        rows.append({"source": name, "models": b.n_models, "queries": b.n_queries,
                     "datasets": len(b.dataset_names),
                     "cost": "estimated" if b.cost_estimated else "real, per query",
                     "accuracy, lowest": float(acc.min()), "accuracy, highest": float(acc.max()),
                     "mean cost $, cheapest": float(cost.min()), "mean cost $, dearest": float(cost.max())})
    return pd.DataFrame(rows).set_index("source")


def provenance_table(bench: Benchmark) -> "pd.DataFrame":
    """``bench.provenance`` as a two-column table (what, count or rule), for the book."""
    import pandas as pd

    items = [(k, f"{v:,}" if isinstance(v, int) and not isinstance(v, bool) else str(v))
             for k, v in (bench.provenance or {}).items()]
    return pd.DataFrame(items, columns=["what", "value"]).set_index("what")
