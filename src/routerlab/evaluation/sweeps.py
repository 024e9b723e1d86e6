"""Parallel sweeps over routers x seeds x hyperparameter settings (joblib; Dask for a cluster).

:func:`run_tasks` runs ``fn(task)`` for a list of tasks through :class:`joblib.Parallel`: in
this process (``n_jobs=1``), on this machine's cores (``backend="loky"`` processes or
:func:`sweep` runs the evaluation protocol of :mod:`routerlab.evaluation.protocol` for one task per
(router, setting, seed): the task rebuilds its split from its seed, fits and routes exactly one
router and scores it on the test rows, exactly as :func:`~routerlab.evaluation.protocol.evaluate` does
(both call :func:`~routerlab.evaluation.protocol.fit_route_score`). Every task seeds itself from its own
parameters, so every value but the ``*_seconds`` columns is identical whatever ``n_jobs`` and
``backend``::

    df = sweep(bench, "mf,knn", seeds=range(3), settings={"knn": {"k": [5, 10, 40]}}, n_jobs=-1)

The benchmark travels to the workers as one shared argument (``common`` of :func:`run_tasks`):
loky memory-maps its large numpy arrays (written once, then shared by every worker) and the
Dask backend broadcasts it to every worker once per call. On a benchmark with prompts and no
features (real data) every task fits its own TF-IDF features on its seed's training rows; set
``$ROUTERLAB_CACHE_DIR`` to share them between the tasks of one seed.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError, check_choice
from routerlab.evaluation.parallel import BACKENDS, CONNECT_TIMEOUT, check_backend, run_tasks

__all__ = ["BACKENDS", "CONNECT_TIMEOUT", "check_backend", "run_tasks", "sweep", "expand_settings",
           "setting_label", "parse_setting", "write_sweep"]
#: Columns of :func:`sweep` before and after the swept options.
_KEY_COLUMNS = ["policy", "seed", "setting"]
_METRIC_COLUMNS = ["rs", "quality", "mean_cost", "calls_per_query", "fit_seconds", "route_seconds"]


# ---- settings ----------------------------------------------------------------------------------
def setting_label(setting: Mapping) -> str:
    """Short label of one setting: ``"k=10"``, ``"hidden=32,max_iter=12"``; ``""`` for the defaults."""
    return ",".join(f"{k}={v}" for k, v in setting.items())


def expand_settings(router: str, grid: Mapping[str, Sequence] | None) -> list[dict]:
    """Every combination of ``grid`` (option -> list of values) for ``router``, first option
    outermost; ``[{}]`` (the defaults) for no grid. A single value counts as a list of one.
    Options the router does not take and values its constructor rejects raise one-line errors."""
    from routerlab.routing.routers import make_router, validate_options

    if not grid:
        return [{}]
    if not isinstance(grid, Mapping):
        raise RouterlabError(f"settings for {router!r} must map an option to a list of values, "
                             f"e.g. {{'k': [5, 10]}}; got {type(grid).__name__}")
    names, values = [], []
    for opt, vals in grid.items():
        vals = list(vals) if isinstance(vals, (list, tuple, range, np.ndarray)) else [vals]
        if not vals:
            raise RouterlabError(f"setting {router}.{opt} has no values; give at least one")
        if len(set(map(repr, vals))) != len(vals):
            raise RouterlabError(f"setting {router}.{opt} repeats a value: {vals}")
        names.append(str(opt))
        values.append(vals)
    out = [validate_options(router, dict(zip(names, combo))) for combo in itertools.product(*values)]
    for setting in out:
        make_router(router, seed=0, **setting)  # a value the constructor rejects -> one-line error now
    return out


def _parse_value(text: str):
    """An option value from the command line: int, float, true/false, none, else the text."""
    low = text.lower()
    if low in ("true", "false"):
        return low == "true"
    if low in ("none", "null"):
        return None
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        if isinstance(value, float) and not np.isfinite(value):  # "1e400", "inf", "nan"
            raise RouterlabError(f"--set value {text!r} is not a finite number")
        return value
    return text


def parse_setting(text: str) -> tuple[str, str, list]:
    """``"knn.k=5,10,40"`` -> ``("knn", "k", [5, 10, 40])`` (values: int, float, true/false, none
    or text). A one-line error for any other form."""
    head, eq, tail = str(text).partition("=")
    router, dot, option = head.strip().rpartition(".")
    values = [v.strip() for v in tail.split(",")]
    if not eq or not dot or not router or not option or not all(values):
        raise RouterlabError(f"--set {text!r} must read ROUTER.OPTION=V1,V2,..., e.g. --set knn.k=5,10,40")
    return router, option.strip(), [_parse_value(v) for v in values]


# ---- the sweep ---------------------------------------------------------------------------------
def _sweep_task(bench: Benchmark, task: dict) -> dict:
    """One row of :func:`sweep`: split by the task's seed, fit/route/score its one router."""
    from routerlab.data.splits import split_indices
    from routerlab.evaluation.protocol import fit_route_score
    from routerlab.routing.features import split_rows

    seed = task["seed"]
    tr, te = split_indices(bench, task["split"], task["test_size"], seed)
    train, test = split_rows(bench, tr, te, task["text_features"], seed)
    policy = task["policy"]
    label = policy if isinstance(policy, str) else policy.name
    one = fit_route_score(policy, train, test, seed, task["normalization"], task["setting"], label)
    return {"policy": label, "seed": seed, "setting": setting_label(task["setting"]),
            **{f"option:{k}": v for k, v in task["setting"].items()},
            "rs": float(one["terms"].mean()), "quality": float(one["qret"].mean()),
            "mean_cost": float(one["paid"].mean()), "calls_per_query": float(one["ncalls"].mean()),
            "fit_seconds": one["fit_seconds"], "route_seconds": one["route_seconds"]}


def sweep(bench: Benchmark, routers: str | Sequence[str], seeds: Iterable[int],
          settings: Mapping[str, Mapping[str, Sequence]] | None = None, *, n_jobs: int = -1,
          backend: str = "loky", scheduler: str | None = None, normalization: str = "global",
          split: str = "stratified", test_size: float = 0.2, text_features: str | None = "auto",
          progress: bool = False) -> pd.DataFrame:
    """Score every (router, setting, seed) under the protocol of :func:`~routerlab.evaluation.protocol.evaluate`.

    ``routers``: policy names (a list or a comma-separated string; ``"all"`` and ``fixed:<model>``
    expand as in :func:`~routerlab.evaluation.protocol.policy_names`), and :class:`Router` objects
    (a user's router, with its defaults; it must pass the blindness test, see
    :func:`~routerlab.evaluation.protocol.fit_route_score`). ``settings``: router name -> option
    -> list of values, expanded as a grid (``{"knn": {"k": [5, 10, 40]}}`` = three tasks per seed);
    routers without settings run once per seed with their defaults. ``normalization``, ``split``,
    ``test_size``, ``text_features``: as in ``evaluate``. ``n_jobs``, ``backend``, ``scheduler``,
    ``progress``: as in :func:`run_tasks`.

    Returns one row per task, ordered by router, setting, seed: ``policy``, ``seed``, ``setting``
    (``"k=10"``; ``""`` for the defaults), one column per swept option (empty for routers that do
    not take it), ``rs``, ``quality``, ``mean_cost`` (USD/query), ``calls_per_query`` (on the test
    rows) and ``fit_seconds``, ``route_seconds`` (wall clock, the only columns that vary between runs).
    """
    from routerlab.data.splits import SPLITS, _check_seeds, _check_test_size
    from routerlab.evaluation.protocol import _build, _learns, policy_names
    from routerlab.metrics import NORMALIZATIONS
    from routerlab.routing.features import resolve_text_features

    check_choice("normalization", normalization, NORMALIZATIONS)
    check_choice("split", split, SPLITS)
    _check_test_size(test_size)
    check_backend(backend, scheduler)
    seeds = _check_seeds(seeds)
    text_features = resolve_text_features(bench, text_features)
    if isinstance(routers, str):
        routers = [x.strip() for x in routers.split(",")]
    own = [r for r in routers if not isinstance(r, str)]  # Router objects (a user's): defaults only
    names = policy_names(bench, [r for r in routers if isinstance(r, str)]) if len(own) < len(routers) else []
    for r in own:
        if not hasattr(r, "name") or not callable(getattr(r, "route", None)):
            raise RouterlabError(f"a policy must be a name or a Router, got {type(r).__name__}")
    labels = names + [r.name for r in own]
    if len(set(labels)) != len(labels):
        raise RouterlabError(f"policy {next(x for x in labels if labels.count(x) > 1)!r} is listed twice")
    settings = dict(settings or {})
    for name in settings:
        if name not in names:
            raise RouterlabError(f"settings given for {name!r}, which is not swept; sweep it "
                                 f"(routers: {', '.join(names)}) or drop its settings")
    if split == "none":
        for name in names + own:
            if _learns(_build(name, seeds[0], {})):
                raise RouterlabError(f"policy {getattr(name, 'name', name)!r} learns from training rows, so it cannot be "
                                     "evaluated with split 'none'; use a train/test split")
    tasks = [{"policy": name, "seed": seed, "setting": setting, "split": split, "test_size": float(test_size),
              "normalization": normalization, "text_features": text_features}
             for name in names for setting in expand_settings(name, settings.get(name)) for seed in seeds]
    tasks += [{"policy": r, "seed": seed, "setting": {}, "split": split, "test_size": float(test_size),
               "normalization": normalization, "text_features": text_features} for r in own for seed in seeds]
    rows = run_tasks(_sweep_task, tasks, n_jobs=n_jobs, backend=backend, scheduler=scheduler,
                     progress=progress, common=bench, desc="sweep")
    options = list(dict.fromkeys(k for r in rows for k in r if k.startswith("option:")))
    df = pd.DataFrame({c: [r[c] for r in rows] for c in _KEY_COLUMNS + _METRIC_COLUMNS})
    for i, c in enumerate(options):
        # a nullable column per option: ints stay ints, routers without the option get <NA>
        df.insert(len(_KEY_COLUMNS) + i, c.split(":", 1)[1], pd.array([r.get(c) for r in rows]))
    df["seed"] = df["seed"].astype(np.int64)
    return df


def write_sweep(df: pd.DataFrame, path: str | Path) -> Path:
    """Write a :func:`sweep` table atomically as ``.csv``, ``.parquet`` or ``.json`` (records)."""
    from routerlab.data.interchange import atomic_write

    path = Path(path)
    suffix = path.suffix.lower()
    writers = {".csv": lambda tmp: df.to_csv(tmp, index=False),
               ".parquet": lambda tmp: df.to_parquet(tmp, index=False),
               ".json": lambda tmp: tmp.write_text(df.to_json(orient="records", indent=1) + "\n", encoding="utf-8")}
    if suffix not in writers:
        raise RouterlabError(f"--out {str(path)!r} must end in .csv, .parquet or .json")
    if path.is_dir():
        raise RouterlabError(f"--out {str(path)!r} is a folder; give a file name")
    if not path.parent.is_dir():
        raise RouterlabError(f"--out {str(path)!r}: folder {str(path.parent)!r} does not exist; create it first")
    atomic_write(path, writers[suffix])
    return path
