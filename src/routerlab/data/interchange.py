"""Read and write RouterBench's wide table (the interchange format), as CSV or Parquet.

One row per query. Columns (RouterBench's layout, ``routing-projects-spec.md`` section 1.2):

* ``sample_id`` (str, unique), ``prompt`` (str, may be empty), ``eval_name`` (str, the dataset);
* one **quality** column per model, named by the model (float in [0, 1]);
* ``<model>|total_cost`` per model (float >= 0, USD). The models of a table are exactly the
  names ``X`` that have an ``X|total_cost`` column, in the order of those columns;
* optional: ``<model>|model_response`` (str, read but not kept), ``oracle_model_to_route_to``
  (str; written by :func:`write_table` with RouterBench's rule, ignored when read),
  ``<model>|confidence`` (float in [0, 1]), ``feature_0`` ... ``feature_{d-1}`` (float, a query
  embedding);
* routerlab's own additions: ``prompt_tokens`` (int), ``<model>|answer_tokens`` (int) and
  ``subset`` (str, a finer label such as the MMLU subject).

Model metadata (provider, tier, USD per 1M input/output tokens) and the benchmark's ``name``,
``simulated`` and ``cost_estimated`` flags travel in a JSON document (:data:`META_KEY`): in the
Parquet schema metadata, or for CSV in a sidecar file ``<file>.meta.json`` next to the table. A
table without it (e.g. a real RouterBench export) takes metadata from :data:`routerlab.data.catalog.MODELS` for known names and
``provider = tier = "unknown"``, prices 0 otherwise. ``latent`` (the simulator's hidden truth) is
never written. Without a ``prompt_tokens`` column, prompt tokens are estimated as
ceil(characters / 4) of the prompt text (0 without text).

Pickle is not read here. Writes are atomic: a temporary file in the target folder is renamed
over the target, so a failure leaves no half-written table. A CSV and its sidecar are published
as one pair: the sidecar records the table's SHA-256 (``table_sha256``) and a reader refuses a
table whose sidecar records another digest (:mod:`routerlab.data.files` gives the scheme).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import MODELS, Model
from routerlab.data.files import (TABLE_DIGEST_KEY, atomic_write, atomic_write_group, check_table_digest,
                                  file_sha256, sidecar_path)
from routerlab.errors import RouterlabError

__all__ = ["read_table", "write_table", "oracle_labels", "atomic_write", "SUFFIXES", "META_KEY", "sidecar_path",
           "model_names_from_columns"]

SUFFIXES = (".csv", ".parquet")
META_KEY = "routerlab"
FORMAT_VERSION = 1
NO_MODEL_CORRECT = "no_model_correct"

_BASE = ("sample_id", "prompt", "eval_name")
_OPTIONAL = ("oracle_model_to_route_to", "prompt_tokens", "subset")
_MODEL_SUFFIXES = ("total_cost", "model_response", "confidence", "answer_tokens")
_FEATURE = re.compile(r"^feature_(\d+)$")


# ---- helpers -----------------------------------------------------------------------------------
def _suffix(path: Path) -> str:
    suf = path.suffix.lower()
    if suf not in SUFFIXES:
        raise RouterlabError(f"unsupported file type {path.suffix or '(none)'!r} for {str(path)!r}; "
                             f"use one of {', '.join(SUFFIXES)} (pickle is not read here)")
    return suf


def model_names_from_columns(columns) -> list[str]:
    """The models of a table: the names ``X`` that have an ``X|total_cost`` column, in that column order."""
    return [c[: -len("|total_cost")] for c in map(str, columns) if c.endswith("|total_cost")]


def oracle_labels(quality: np.ndarray, cost: np.ndarray, names) -> np.ndarray:
    """RouterBench's ``oracle_model_to_route_to``: (n,) the cheapest model among those with the
    best quality, or ``"no_model_correct"`` where every model scores 0."""
    quality = np.asarray(quality, dtype=np.float64)
    best = quality.max(axis=1, keepdims=True)
    pick = np.where(quality >= best, cost, np.inf).argmin(axis=1)
    labels = np.asarray(list(names), dtype=object)[pick]
    return np.where(best[:, 0] > 0, labels, NO_MODEL_CORRECT)


def _model_meta(bench: Benchmark) -> dict:
    return {
        "format": "routerbench-wide",
        "version": FORMAT_VERSION,
        "name": bench.name,
        "simulated": bool(bench.simulated),
        "cost_estimated": bool(bench.cost_estimated),
        "models": [{"name": m.name, "provider": m.provider, "tier": m.tier,
                    "price_in": m.price_in, "price_out": m.price_out} for m in bench.models],
    }


# ---- writing -----------------------------------------------------------------------------------
def _to_frame(bench: Benchmark) -> pd.DataFrame:
    names = bench.model_names
    for nm in names:
        if "|" in nm:
            raise RouterlabError(f"model name {nm!r} contains '|', which the wide table reserves")
    n = bench.n_queries
    cols: dict[str, object] = {
        "sample_id": np.asarray(bench.sample_ids).astype(str).astype(object),
        "prompt": (np.asarray(bench.prompts).astype(str).astype(object) if bench.prompts is not None
                   else np.full(n, "", dtype=object)),
        "eval_name": np.asarray(bench.datasets).astype(str).astype(object),
    }
    for j, nm in enumerate(names):
        cols[nm] = bench.quality[:, j]
    for j, nm in enumerate(names):
        cols[f"{nm}|total_cost"] = bench.cost[:, j]
    cols["oracle_model_to_route_to"] = oracle_labels(bench.quality, bench.cost, names)
    cols["prompt_tokens"] = np.asarray(bench.prompt_tokens).astype(np.int64)
    if bench.subsets is not None:
        cols["subset"] = np.asarray(bench.subsets).astype(str).astype(object)
    if bench.confidence is not None:
        for j, nm in enumerate(names):
            cols[f"{nm}|confidence"] = np.asarray(bench.confidence[:, j], dtype=np.float64)
    if bench.answer_tokens is not None:
        for j, nm in enumerate(names):
            cols[f"{nm}|answer_tokens"] = np.asarray(bench.answer_tokens[:, j]).astype(np.int64)
    if bench.features is not None:
        for k in range(bench.features.shape[1]):
            cols[f"feature_{k}"] = bench.features[:, k]
    return pd.DataFrame(cols)


def write_table(bench: Benchmark, path: str | os.PathLike) -> Path:
    """Write ``bench`` as a RouterBench wide table; the suffix (.csv or .parquet) picks the format.

    CSV also gets the sidecar ``<file>.meta.json`` with the model metadata and the table's
    SHA-256; Parquet keeps the metadata in its schema. The folder is created if missing. CSV and
    sidecar are written to temporaries, then published sidecar first (see
    :mod:`routerlab.data.files`), so a failure leaves the old pair. Returns the table's path.
    """
    path = Path(path)
    suf = _suffix(path)
    df = _to_frame(bench)
    meta = json.dumps(_model_meta(bench), sort_keys=True)
    if suf == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pa.Table.from_pandas(df, preserve_index=False)
        md = dict(table.schema.metadata or {})
        md[META_KEY.encode()] = meta.encode()
        table = table.replace_schema_metadata(md)
        atomic_write(path, lambda tmp: pq.write_table(table, tmp))
    else:
        def write(tmps):
            tmp_side, tmp_table = tmps
            df.to_csv(tmp_table, index=False)
            doc = dict(json.loads(meta), **{TABLE_DIGEST_KEY: file_sha256(tmp_table)})
            tmp_side.write_text(json.dumps(doc, sort_keys=True) + "\n", encoding="utf-8")

        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_group([sidecar_path(path), path], write)
    return path


# ---- reading -----------------------------------------------------------------------------------
def _load(path: Path) -> tuple[pd.DataFrame, dict | None]:
    suf = _suffix(path)
    if not path.is_file():
        raise RouterlabError(f"no such file: {str(path)!r}")
    side = sidecar_path(path)
    meta = None
    try:
        if suf == ".parquet":
            import pyarrow.parquet as pq

            table = pq.read_table(path)
            raw = (table.schema.metadata or {}).get(META_KEY.encode())
            meta = json.loads(raw) if raw else None
            return table.to_pandas(), meta
        # the table is opened before its sidecar is read, and hashed and parsed through that one
        # handle: a pair published meanwhile cannot pass as a match (see routerlab.data.files)
        with open(path, "rb") as fh:
            if side.is_file():
                try:
                    meta = json.loads(side.read_text(encoding="utf-8"))
                except ValueError as exc:
                    raise RouterlabError(f"metadata file {str(side)!r} is not valid JSON: {exc}") from None
                check_table_digest(fh, meta, side, table_name=path)
                fh.seek(0)
            df = pd.read_csv(fh, keep_default_na=False, dtype={c: str for c in (*_BASE, *_OPTIONAL[:1], "subset")},
                             low_memory=False)
    except RouterlabError:
        raise
    except Exception as exc:  # corrupt file, wrong encoding, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RouterlabError(f"cannot read {str(path)!r} as {suf[1:]}: {first}") from None
    return df, meta


def _where(df: pd.DataFrame, i: int) -> str:
    return f"data row {i + 1} (sample_id {str(df['sample_id'].iloc[i])!r})"


def _numeric(df: pd.DataFrame, col: str, what: str) -> np.ndarray:
    """Column ``col`` as float64; one-line error naming the first row that is not a number."""
    s = df[col]
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        v = s.to_numpy(dtype=np.float64, na_value=np.nan)
    else:
        v = pd.to_numeric(s, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        bad = np.flatnonzero(np.isnan(v) & ~s.isna().to_numpy() & (s.astype(str).str.strip() != "").to_numpy())
        if bad.size:
            i = int(bad[0])
            raise RouterlabError(f"{what} column {col!r} holds {str(s.iloc[i])!r} at {_where(df, i)}; "
                                 "it must be a number")
    missing = np.flatnonzero(np.isnan(v))
    if missing.size:
        i = int(missing[0])
        raise RouterlabError(f"{what} column {col!r} is empty at {_where(df, i)}; fill it with a number")
    return v


def _check_interval(df, col, v, lo, hi, what):
    bad = np.flatnonzero((v < lo) | (v > hi)) if hi is not None else np.flatnonzero(v < lo)
    if bad.size:
        i = int(bad[0])
        rng = f"[{lo}, {hi}]" if hi is not None else f">= {lo}"
        raise RouterlabError(f"{what} column {col!r} is {float(v[i])!r} at {_where(df, i)}; it must be {rng}")


def _models_from(meta: dict | None, names: list[str]) -> tuple[Model, ...]:
    given = {}
    if meta and isinstance(meta.get("models"), list):
        for d in meta["models"]:
            try:
                given[d["name"]] = Model(str(d["name"]), str(d.get("provider", "unknown")),
                                         str(d.get("tier", "unknown")), float(d.get("price_in", 0.0)),
                                         float(d.get("price_out", 0.0)))
            except (KeyError, TypeError, ValueError):
                raise RouterlabError(f"model metadata entry {d!r} is malformed; "
                                     "expected name, provider, tier, price_in, price_out") from None
    known = {m.name: m for m in MODELS}
    return tuple(given.get(nm) or known.get(nm) or Model(nm, "unknown", "unknown", 0.0, 0.0) for nm in names)


def _strings(s: pd.Series) -> np.ndarray:
    return s.astype(str).to_numpy(dtype=object)


def _per_model_block(df, columns, names, suffix: str, kind: str, hi: float | None) -> np.ndarray | None:
    """(n, m) the optional ``<model>|<suffix>`` columns, checked to lie in [0, hi]; None if absent.

    They must be given for every model or for none (one-line error naming the first missing one).
    """
    cols = [f"{nm}|{suffix}" for nm in names]
    present = [c in columns for c in cols]
    if not any(present):
        return None
    if not all(present):
        missing = cols[present.index(False)]
        raise RouterlabError(f"{kind} columns must be given for every model or none; {missing!r} is missing")
    block = np.column_stack([_numeric(df, c, kind) for c in cols])
    for j, c in enumerate(cols):
        _check_interval(df, c, block[:, j], 0.0, hi, kind)
    return block


def read_table(path: str | os.PathLike) -> Benchmark:
    """Read a RouterBench wide table (.csv or .parquet) into a :class:`Benchmark`.

    Raises one :class:`RouterlabError` naming the column or row for: a missing file, an
    unsupported suffix, a missing ``sample_id``/``eval_name`` column, a model column without its
    ``|total_cost`` column, a non-numeric or empty quality/cost cell, quality or confidence
    outside [0, 1], a negative cost, duplicate sample ids, a negative token count.
    """
    path = Path(path)
    df, meta = _load(path)
    columns = [str(c) for c in df.columns]
    df.columns = columns
    for c in ("sample_id", "eval_name"):
        if c not in columns:
            raise RouterlabError(f"{str(path)!r} has no {c!r} column; a RouterBench table needs "
                                 "sample_id, prompt, eval_name, one quality column per model and "
                                 "<model>|total_cost")
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise RouterlabError(f"column {dup!r} appears more than once in {str(path)!r}")

    # models = names X with an X|total_cost column, in that column order
    names = model_names_from_columns(columns)
    if not names:
        raise RouterlabError(f"{str(path)!r} has no '<model>|total_cost' column, so no models")
    feature_cols = sorted((c for c in columns if _FEATURE.match(c)), key=lambda c: int(_FEATURE.match(c)[1]))
    for c in columns:
        if c in _BASE or c in _OPTIONAL or c in names or c in feature_cols:
            continue
        if "|" in c:
            model, _, kind = c.rpartition("|")
            if kind not in _MODEL_SUFFIXES:
                raise RouterlabError(f"column {c!r} has an unknown suffix {kind!r}; "
                                     f"known: {', '.join(_MODEL_SUFFIXES)}")
            if model not in names:
                raise RouterlabError(f"model {model!r} has a {c!r} column but no {model + '|total_cost'!r} "
                                     "column; add its cost column")
            continue
        raise RouterlabError(f"column {c!r} is not a known column and there is no {c + '|total_cost'!r}; "
                             "if it is a model's quality column, add its cost column, otherwise drop it")
    for nm in names:
        if nm not in columns:
            raise RouterlabError(f"model {nm!r} has a cost column but no quality column {nm!r}")
    if len(df) == 0:
        raise RouterlabError(f"{str(path)!r} has no rows")

    sample_ids = _strings(df["sample_id"])
    uniq, first, counts = np.unique(sample_ids.astype(str), return_index=True, return_counts=True)
    if (counts > 1).any():
        k = int(np.flatnonzero(counts > 1)[0])
        rows = np.flatnonzero(sample_ids.astype(str) == uniq[k])[:2] + 1
        raise RouterlabError(f"sample_id {str(uniq[k])!r} appears {counts[k]} times (data rows "
                             f"{rows[0]} and {rows[1]}); sample ids must be unique")

    quality = np.column_stack([_numeric(df, nm, "quality") for nm in names])
    for j, nm in enumerate(names):
        _check_interval(df, nm, quality[:, j], 0.0, 1.0, "quality")
    cost = np.column_stack([_numeric(df, f"{nm}|total_cost", "cost") for nm in names])
    for j, nm in enumerate(names):
        _check_interval(df, f"{nm}|total_cost", cost[:, j], 0.0, None, "cost")

    confidence = _per_model_block(df, columns, names, "confidence", "confidence", 1.0)
    answer_tokens = _per_model_block(df, columns, names, "answer_tokens", "answer-token", None)
    if answer_tokens is not None:
        answer_tokens = answer_tokens.astype(np.int64)

    features = None
    if feature_cols:
        idx = [int(_FEATURE.match(c)[1]) for c in feature_cols]
        if idx != list(range(len(idx))):
            gap = next(k for k, v in enumerate(idx) if k != v)
            raise RouterlabError(f"feature columns must be feature_0 ... feature_{len(idx) - 1}; feature_{gap} is missing")
        features = np.column_stack([_numeric(df, c, "feature") for c in feature_cols])

    prompts = _strings(df["prompt"]) if "prompt" in columns else None
    if prompts is not None and not any(prompts):
        prompts = None
    if "prompt_tokens" in columns:
        pt = _numeric(df, "prompt_tokens", "prompt-token")
        _check_interval(df, "prompt_tokens", pt, 0.0, None, "prompt-token")
        prompt_tokens = pt.astype(np.int64)
    elif prompts is not None:
        prompt_tokens = np.ceil(pd.Series(prompts, dtype=object).str.len().to_numpy(dtype=np.float64) / 4).astype(np.int64)
    else:
        prompt_tokens = np.zeros(len(df), dtype=np.int64)
    subsets = _strings(df["subset"]).astype(str) if "subset" in columns else None

    meta = meta or {}
    return Benchmark(
        quality=quality, cost=cost, models=_models_from(meta, names),
        sample_ids=sample_ids.astype(str), datasets=_strings(df["eval_name"]).astype(str),
        prompt_tokens=prompt_tokens, features=features, confidence=confidence,
        answer_tokens=answer_tokens, prompts=prompts, subsets=subsets,
        name=str(meta.get("name", path.stem)), simulated=bool(meta.get("simulated", False)),
        cost_estimated=bool(meta.get("cost_estimated", False)))
