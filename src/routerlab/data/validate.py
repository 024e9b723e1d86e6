"""One validation of a wide table, whichever reader reads it, driven by the shipped schema.

``interchange.schema.json`` (beside this module) lists the columns of the interchange table
(RouterBench's wide layout, :mod:`routerlab.data.interchange`): name or pattern, type, unit,
range, whether required, nullable or unique; and the fields of its metadata document. Everything
here reads that file, so the schema and the checks cannot drift apart:

* :func:`check_columns` -- the header: required columns present, every column known, a model's
  quality and ``|total_cost`` columns paired, per-model blocks complete, features without gaps;
* :func:`cell_problems` -- every cell of a parsed frame, vectorised column by column: numbers
  parse, are present, finite, in range and integral where the schema says ``integer``; strings
  that may not be empty are not; ``unique`` columns hold no repeat. Each problem is one line
  naming the column, the data row (1-based, header excluded), its ``sample_id`` and the fix;
* :func:`check_cells` -- the same, raising the first problem as a :class:`RouterlabError`
  (what the readers call: :func:`~routerlab.data.interchange.read_table`,
  :func:`~routerlab.data.routerbench_layout.wide_benchmark` and
  :func:`~routerlab.data.streaming.summarize`);
* :func:`check_meta` -- the metadata document (an object; ``simulated`` a JSON boolean, prices
  finite numbers >= 0, ...);

:func:`routerlab.data.table_check.validate_file` lists every problem of a file at once
(``routerlab validate``).
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from importlib import resources
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from routerlab.errors import RouterlabError

__all__ = ["schema", "SCHEMA_FILE", "check_columns", "column_spec", "cell_problems", "check_cells",
           "check_meta", "DEFAULT_LIMIT"]

SCHEMA_FILE = "interchange.schema.json"
DEFAULT_LIMIT = 50
_FEATURE = re.compile(r"^feature_(\d+)$")
_JSON_TYPES = {"string": str, "boolean": bool, "array": list, "object": dict}


@lru_cache(maxsize=1)
def schema() -> dict:
    """The shipped schema (``routerlab/data/interchange.schema.json``) as a dict."""
    text = resources.files("routerlab").joinpath(f"data/{SCHEMA_FILE}").read_text(encoding="utf-8")
    return json.loads(text)


def _named() -> dict[str, dict]:
    return {c["name"]: c for c in schema()["columns"] if "name" in c}


def _per_model() -> dict[str, dict]:
    """suffix -> spec of the ``<model>|<suffix>`` columns; ``""`` is the quality column."""
    out = {}
    for c in schema()["columns"]:
        p = c.get("pattern", "")
        if p == "<model>":
            out[""] = c
        elif p.startswith("<model>|"):
            out[p[len("<model>|"):]] = c
    return out


def _feature_spec() -> dict:
    return next(c for c in schema()["columns"] if c.get("pattern") == "feature_<k>")


def column_spec(column: str, models: Sequence[str]) -> dict | None:
    """The schema entry of ``column`` in a table whose models are ``models``; None if unknown."""
    named = _named()
    if column in named:
        return named[column]
    if column in models:
        return _per_model()[""]
    if _FEATURE.match(column):
        return _feature_spec()
    model, bar, suffix = column.rpartition("|")
    if bar and model in models:
        return _per_model().get(suffix)
    return None


def check_columns(columns: Sequence[str], what: str) -> tuple[list[str], list[str]]:
    """``(models, feature columns)`` of a header, or one-line error for the first structural fault.

    Models are the names ``X`` with an ``X|total_cost`` column, in that column order; feature
    columns are ``feature_0 ... feature_{d-1}`` in index order.
    """
    columns = [str(c) for c in columns]
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise RouterlabError(f"column {dup!r} appears more than once in {what}")
    for name, spec in _named().items():
        if spec.get("required") and name not in columns:
            raise RouterlabError(f"{what} has no {name!r} column; a RouterBench table needs "
                                 "sample_id, prompt, eval_name, one quality column per model and "
                                 "<model>|total_cost")
    per_model = _per_model()
    models = [c[: -len("|total_cost")] for c in columns if c.endswith("|total_cost")]
    if not models:
        raise RouterlabError(f"{what} has no '<model>|total_cost' column, so no models")
    for c in columns:
        if column_spec(c, models) is not None:
            continue
        if "|" in c:
            model, _, kind = c.rpartition("|")
            if kind not in per_model:
                raise RouterlabError(f"column {c!r} has an unknown suffix {kind!r}; known: "
                                     f"{', '.join(k for k in per_model if k)}")
            raise RouterlabError(f"model {model!r} has a {c!r} column but no {model + '|total_cost'!r} "
                                 "column; add its cost column")
        raise RouterlabError(f"column {c!r} is not a known column and there is no {c + '|total_cost'!r}; "
                             "if it is a model's quality column, add its cost column, otherwise drop it")
    for suffix, spec in per_model.items():
        cols = [f"{nm}|{suffix}" if suffix else nm for nm in models]
        present = [c in columns for c in cols]
        if spec.get("required") and not all(present):
            nm = models[present.index(False)]
            raise RouterlabError(f"model {nm!r} has a cost column but no quality column {nm!r}")
        if spec.get("all_models") and any(present) and not all(present):
            raise RouterlabError(f"{spec['kind']} columns must be given for every model or none; "
                                 f"{cols[present.index(False)]!r} is missing")
    feats = sorted((c for c in columns if _FEATURE.match(c)), key=lambda c: int(_FEATURE.match(c)[1]))
    idx = [int(_FEATURE.match(c)[1]) for c in feats]
    if idx != list(range(len(idx))):
        gap = next(k for k, v in enumerate(idx) if k != v)
        raise RouterlabError(f"feature columns must be feature_0 ... feature_{len(idx) - 1}; feature_{gap} is missing")
    return models, feats


# ---- cells ----------------------------------------------------------------------------------------
def _rule(spec: dict) -> str:
    cast = int if spec["type"] == "integer" else float
    lo, hi = (None if spec.get(k) is None else cast(spec[k]) for k in ("minimum", "maximum"))
    what = "a whole number" if spec["type"] == "integer" else "a finite number"
    if lo is not None and hi is not None:
        return f"{what} in [{lo}, {hi}]"
    return f"{what} >= {lo}" if lo is not None else what


def _parse(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values float64, empty mask, not-a-number mask) of a column, whatever its dtype."""
    if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
        v = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return v, np.isnan(v), np.zeros(v.shape, dtype=bool)
    text = s.astype(object).where(s.notna(), None)
    empty = (text.isna() | (text.astype(str).str.strip() == "")).to_numpy()
    try:
        v = pd.to_numeric(text.where(~empty, None), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):  # lists, dicts, ... in a Parquet object column
        v = np.full(len(s), np.nan)
    return v, empty, np.isnan(v) & ~empty


def _fmt(x: float) -> str:
    return repr(float(x)) if math.isfinite(x) else ("NaN" if x != x else ("inf" if x > 0 else "-inf"))


def cell_problems(frame: pd.DataFrame, models: Sequence[str], where: Callable[[int], str], *,
                  columns: Sequence[str] | None = None, empty_ok: Sequence[str] = (),
                  limit: int | None = DEFAULT_LIMIT) -> tuple[list[str], int]:
    """``(lines, total)``: the cell problems of ``frame`` (at most ``limit`` lines) and their count.

    ``frame``: the parsed table (any dtypes; text cells are parsed here); ``models``: its model
    names; ``where(i)``: how to name 0-based row ``i`` of ``frame`` in a message; ``columns``: the
    columns to check (default: all); ``empty_ok``: columns whose empty cells are allowed (RouterBench
    layout: a row with an empty quality cell is dropped). Columns unknown to the schema are skipped
    (:func:`check_columns` reports them). Vectorised: one pass of numpy masks per column; messages
    are built only for the lines returned.
    """
    lines: list[str] = []
    total = 0
    room = (lambda: limit is None or len(lines) < limit)
    for col in (columns if columns is not None else [str(c) for c in frame.columns]):
        spec = column_spec(col, models)
        if spec is None or col not in frame.columns:
            continue
        s = frame[col]
        kind = spec.get("kind", col)
        if spec["type"] == "string":
            if not spec.get("nullable", True):
                bad = np.flatnonzero((s.isna() | (s.astype(object).astype(str).str.strip() == "")).to_numpy())
                total += bad.size
                for i in bad[: (None if limit is None else max(limit - len(lines), 0))]:
                    lines.append(f"column {col!r} is empty at {where(int(i))}; give every row a {col}")
            if spec.get("unique"):
                text = s.astype(object).astype(str)
                rep = text.duplicated(keep="first").to_numpy() & s.notna().to_numpy()
                bad = np.flatnonzero(rep)
                total += bad.size
                if bad.size and room():
                    first = pd.Series(np.arange(len(text))).groupby(text.to_numpy()).transform("min").to_numpy()
                    for i in bad[: (None if limit is None else max(limit - len(lines), 0))]:
                        lines.append(f"{col} {str(text.iloc[i])!r} at {where(int(i))} repeats data row "
                                     f"{int(first[i]) + 1}; {col}s must be unique")
            continue
        v, empty, nonnum = _parse(s)
        lo, hi = spec.get("minimum"), spec.get("maximum")
        finite = np.isfinite(v)
        out = np.zeros(v.shape, dtype=bool)
        with np.errstate(invalid="ignore"):
            if lo is not None:
                out |= finite & (v < lo)
            if hi is not None:
                out |= finite & (v > hi)
            if spec["type"] == "integer":
                out |= finite & (v != np.round(v))
        infinite = np.isinf(v)
        miss = (empty | (np.isnan(v) & ~nonnum)) & (col not in empty_ok)
        bad_any = nonnum | miss | infinite | out
        bad = np.flatnonzero(bad_any)
        total += bad.size
        for i in bad[: (None if limit is None else max(limit - len(lines), 0))]:
            i = int(i)
            if nonnum[i]:
                lines.append(f"{kind} column {col!r} holds {str(s.iloc[i])!r} at {where(i)}; "
                             f"it must be {_rule(spec)}")
            elif miss[i]:
                lines.append(f"{kind} column {col!r} is empty at {where(i)}; fill it with {_rule(spec)}")
            else:
                lines.append(f"{kind} column {col!r} is {_fmt(v[i])} at {where(i)}; it must be {_rule(spec)}"
                             + ("; replace it or drop the row" if infinite[i] else ""))
    return lines, total


def check_cells(frame: pd.DataFrame, models: Sequence[str], where: Callable[[int], str], **kw) -> None:
    """Raise the first problem of :func:`cell_problems` as a one-line :class:`RouterlabError`."""
    lines, total = cell_problems(frame, models, where, limit=1, **kw)
    if total:
        more = f" ({total - 1} more problem(s); list them with: routerlab validate FILE)" if total > 1 else ""
        raise RouterlabError(lines[0] + more)


# ---- metadata -------------------------------------------------------------------------------------
def _field_ok(value, spec: dict) -> bool:
    t = spec["type"]
    if t == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        return ok and (spec.get("minimum") is None or value >= spec["minimum"])
    if t == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, _JSON_TYPES[t])


def _expect(spec: dict) -> str:
    t = spec["type"]
    if t == "number":
        return "a finite number" + (f" >= {spec['minimum']}" if spec.get("minimum") is not None else "") \
            + (f" ({spec['unit']})" if spec.get("unit") else "")
    return {"boolean": "true or false (a JSON boolean, not a string)", "array": "a list", "object": "an object",
            "string": "a string", "integer": "a whole number"}[t]


def check_meta(meta, what: str) -> dict:
    """``meta`` (the parsed metadata document, or None) checked against the schema; {} for None.

    One-line error for anything but an object, a field of the wrong type (``"simulated": "false"``
    is refused, not read as true), a model entry that is not an object or lacks its name, and a
    price that is not a finite number >= 0.
    """
    if meta is None:
        return {}
    spec = schema()["metadata"]
    if not isinstance(meta, dict):
        raise RouterlabError(f"metadata {what} holds a {type(meta).__name__}, not an object; "
                             "write {\"name\": ..., \"simulated\": false, \"models\": [...]} or delete it")
    for f in spec["fields"]:
        if f["name"] in meta and not _field_ok(meta[f["name"]], f):
            raise RouterlabError(f"metadata {what}: {f['name']!r} is {json.dumps(meta[f['name']])[:60]}; "
                                 f"it must be {_expect(f)}")
    for k, d in enumerate(meta.get("models", [])):
        if not isinstance(d, dict):
            raise RouterlabError(f"metadata {what}: models[{k}] is {json.dumps(d)[:60]}, not an object with "
                                 + ", ".join(f["name"] for f in spec["model_fields"]))
        for f in spec["model_fields"]:
            if f.get("required") and f["name"] not in d:
                raise RouterlabError(f"metadata {what}: models[{k}] has no {f['name']!r}")
            if f["name"] in d and not _field_ok(d[f["name"]], f):
                raise RouterlabError(f"metadata {what}: models[{k}] {f['name']} is "
                                     f"{json.dumps(d[f['name']])[:60]}; it must be {_expect(f)}")
    return meta


# ---- documentation --------------------------------------------------------------------------------
def schema_markdown() -> str:
    """The schema's columns as a Markdown table (column, meaning, type, unit, range, required):
    the table of the book page "Bring your own benchmark", which a test keeps equal to this."""
    rows = ["| column | meaning | type | unit | allowed values | required |", "|---|---|---|---|---|---|"]
    for c in schema()["columns"]:
        name = (c.get("name") or c["pattern"]).replace("|", "\\|")  # a bare | would end the cell
        if c["type"] == "string":
            allowed = "unique, not empty" if c.get("unique") else ("text" if c.get("nullable", True) else "not empty")
        else:
            cast = int if c["type"] == "integer" else float
            lo, hi = (None if c.get(k) is None else cast(c[k]) for k in ("minimum", "maximum"))
            num = (lambda x: f"{x:,}") if c["type"] == "integer" else (lambda x: f"{x:g}")
            allowed = ("finite" + (", whole" if c["type"] == "integer" else "")
                       + (f", in [{num(lo)}, {num(hi)}]" if lo is not None and hi is not None
                          else f", >= {num(lo)}" if lo is not None else ""))
        required = "yes" if c.get("required") else ("every model or none" if c.get("all_models") else "no")
        rows.append(f"| `{name}` | {c['description']} | {c['type']} | {c.get('unit') or '-'} | {allowed} | "
                    f"{required} |")
    return "\n".join(rows)
