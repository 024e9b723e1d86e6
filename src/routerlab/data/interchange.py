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
``simulated`` and ``cost_estimated`` flags travel in a JSON document (:data:`META_KEY`): in the Parquet schema metadata,
or for CSV in a sidecar file ``<file>.meta.json`` next to the table. A table without it (e.g. a
real RouterBench export) takes metadata from :data:`routerlab.data.catalog.MODELS` for known names and
``provider = tier = "unknown"`` and unknown (NaN) prices otherwise; a model without a price is
evaluated all the same, and only a policy that needs per-token prices asks for them
(:func:`routerlab.data.catalog.require_prices`, ``--prices FILE``). Every cell and the metadata
are checked by :mod:`routerlab.data.validate` against the shipped ``interchange.schema.json``. ``latent`` (the simulator's hidden truth) is
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
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import MODELS, Model
from routerlab.data.files import (TABLE_DIGEST_KEY, atomic_write, atomic_write_group, check_table_digest,
                                  file_sha256, sidecar_path)
from routerlab.data.validate import check_cells, check_columns, check_meta
from routerlab.errors import RouterlabError

__all__ = ["read_table", "write_table", "oracle_labels", "atomic_write", "SUFFIXES", "META_KEY", "sidecar_path",
           "model_names_from_columns"]

SUFFIXES = (".csv", ".parquet")
META_KEY = "routerlab"
FORMAT_VERSION = 1
NO_MODEL_CORRECT = "no_model_correct"

_BASE = ("sample_id", "prompt", "eval_name")
_OPTIONAL = ("oracle_model_to_route_to", "prompt_tokens", "subset")


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
                    **{k: float(getattr(m, k)) for k in ("price_in", "price_out")
                       if np.isfinite(getattr(m, k))}} for m in bench.models],  # unknown price: absent
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


def _models_from(meta: dict, names: list[str]) -> tuple[Model, ...]:
    """Models of ``names`` from the (checked) metadata, else the catalogue; unknown names get
    provider = tier = "unknown" and NaN prices (unknown: a policy that needs a price says so)."""
    given = {}
    for d in meta.get("models", []):
        given[d["name"]] = Model(str(d["name"]), str(d.get("provider", "unknown")), str(d.get("tier", "unknown")),
                                 float(d.get("price_in", np.nan)), float(d.get("price_out", np.nan)))
    known = {m.name: m for m in MODELS}
    return tuple(given.get(nm) or known.get(nm) or Model(nm, "unknown", "unknown", np.nan, np.nan) for nm in names)


def _strings(s: pd.Series) -> np.ndarray:
    """(n,) object array of str; a missing cell becomes "" (never the text "None" or "nan")."""
    return s.astype(object).where(s.notna(), "").astype(str).to_numpy(dtype=object)


def read_table(path: str | os.PathLike) -> Benchmark:
    """Read a RouterBench wide table (.csv or .parquet) into a :class:`Benchmark`.

    Raises one :class:`RouterlabError` naming the file, the column and the row for: a missing
    file, an unsupported suffix, a header that breaks the schema
    (:func:`routerlab.data.validate.check_columns`), any cell that breaks it (non-numeric, empty,
    NaN or infinite numbers, out-of-range values, fractional token counts, empty or duplicate
    sample ids: :func:`routerlab.data.validate.cell_problems`) and bad metadata
    (:func:`routerlab.data.validate.check_meta`).
    """
    path = Path(path)
    df, meta = _load(path)
    meta = check_meta(meta, f"of {path.name}")
    names, feature_cols = check_columns(df.columns, repr(str(path)))
    df.columns = columns = [str(c) for c in df.columns]
    if len(df) == 0:
        raise RouterlabError(f"{str(path)!r} has no rows")
    sample_ids = _strings(df["sample_id"])
    check_cells(df, names, lambda i: f"data row {i + 1} (sample_id {sample_ids[i]!r}) of {path.name}")

    def block(suffix: str) -> np.ndarray | None:
        cols = [f"{nm}|{suffix}" if suffix else nm for nm in names]
        if cols[0] not in columns:
            return None
        return df[cols].apply(pd.to_numeric).to_numpy(dtype=np.float64)

    quality, cost = block(""), block("total_cost")
    confidence = block("confidence")
    answer_tokens = block("answer_tokens")
    if answer_tokens is not None:
        answer_tokens = answer_tokens.astype(np.int64)
    features = df[feature_cols].apply(pd.to_numeric).to_numpy(dtype=np.float64) if feature_cols else None

    prompts = _strings(df["prompt"]) if "prompt" in columns else None
    if prompts is not None and not any(prompts):
        prompts = None
    if "prompt_tokens" in columns:
        prompt_tokens = pd.to_numeric(df["prompt_tokens"]).to_numpy(dtype=np.float64).astype(np.int64)
    elif prompts is not None:
        prompt_tokens = np.ceil(pd.Series(prompts, dtype=object).str.len().to_numpy(dtype=np.float64) / 4).astype(np.int64)
    else:
        prompt_tokens = np.zeros(len(df), dtype=np.int64)
    subsets = _strings(df["subset"]).astype(str) if "subset" in columns else None

    return Benchmark(
        quality=quality, cost=cost, models=_models_from(meta, names),
        sample_ids=sample_ids.astype(str), datasets=_strings(df["eval_name"]).astype(str),
        prompt_tokens=prompt_tokens, features=features, confidence=confidence,
        answer_tokens=answer_tokens, prompts=prompts, subsets=subsets,
        name=str(meta.get("name", path.stem)), simulated=bool(meta.get("simulated", False)),
        cost_estimated=bool(meta.get("cost_estimated", False)))
