"""The real RouterBench data (Hu et al., arXiv 2403.12031): its wide layout, from any file, as a Benchmark.

RouterBench keeps one row per query in a wide table. The Hugging Face dataset
``withmartian/routerbench`` ships it as pickles (``routerbench_0shot.pkl``, 36,497 rows, and
``routerbench_5shot.pkl``); copies of parts of it circulate as CSV (e.g. the
``routerbench-subset`` source). Columns, as :func:`wide_benchmark` reads them:

* an unnamed row-index column (CSV exports; ``Unnamed: 0`` once pandas reads it), ignored;
* ``sample_id``, ``prompt`` (the string form of a Python list of turns, or plain text),
  ``eval_name``;
* one quality column per model, named by the bare model name (values in [0, 1]; 0/1, A-E grades
  0.25 apart, MT-Bench / 10; stored as objects in the pickles);
* ``<model>|model_response`` (the answer, also a list string), ``<model>|total_cost`` (USD of
  that call, RouterBench's own figure); the models of a table are the names with a
  ``|total_cost`` column, in that column order;
* ``oracle_model_to_route_to`` (ignored: the oracle is recomputed by routerlab).

Rules, the same for every file, with their counts in ``Benchmark.provenance``:

* a row with any empty quality cell is dropped (in RouterBench's files the duplicated
  ``sample_id``s are split rows, each holding part of the scores, so this drops every duplicate);
  the ids left must be unique, otherwise loading stops with an error;
* ``eval_name`` prefixes are grouped into the 7 core datasets as ``configs/evaluate_routers.yaml``
  does (``mmlu-*`` -> MMLU, ``mtbench*`` -> MT-Bench, ...); the 21 extra OpenAI-evals tasks are
  dropped unless ``extras=True`` (then each keeps its ``eval_name`` as dataset label);
  ``subsets`` = ``eval_name``;
* cost = the ``|total_cost`` columns as given (real charges, ``cost_estimated=False``); an empty
  or negative cost cell is an error;
* models carry the per-token prices of the package table ``data/prices/routerbench.csv``
  (RouterBench's ``TOKEN_COSTS``); a model without a price there has unknown (NaN) prices: it is
  evaluated on the table's own per-query costs, never as if it were free, and a policy that needs
  per-token prices stops with an error naming ``--prices`` (:func:`routerlab.data.catalog.with_prices`);
* every cell is checked by :mod:`routerlab.data.validate` (the interchange schema): quality a
  finite number in [0, 1] or empty (the row is dropped), cost a finite number >= 0, sample ids
  and dataset names present;
* ``prompt_tokens`` = :func:`routerlab.data.tokens.count_tokens` of the full prompt (turns joined by a
  blank line: what was paid for); ``prompts`` = the question, i.e. the full prompt without the
  few-shot prefix every prompt of its ``eval_name`` shares
  (:func:`routerlab.routing.features.strip_shared_prefix`); ``answer_tokens`` = token counts of the
  responses.

Security: unpickling can run arbitrary code. :func:`load_routerbench` reads a ``.pkl`` only when
the caller passes ``trust_pickle=True`` AND the file's expected SHA-256; the bytes are hashed
first and unpickled only when they match. :func:`convert_to_parquet` does that once and writes a
Parquet file (atomically), which later loads need no trust for. CSV needs no trust.
"""

from __future__ import annotations

import ast
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.errors import RouterlabError
from routerlab.data.prompts import strip_shared_prefix
from routerlab.data.tokens import count_tokens
from routerlab.data.validate import cell_problems, check_cells

__all__ = ["ROUTERBENCH_MODELS", "MODEL_COLUMNS", "CORE_PREFIXES", "WIDE_RULE", "file_sha256",
           "read_routerbench_frame", "read_wide_csv", "is_routerbench_csv", "is_routerbench_file", "routerbench_models",
           "wide_benchmark", "wide_problems", "frame_to_benchmark", "load_routerbench", "convert_to_parquet",
           "wide_frame", "write_routerbench", "WIDE_LOSSES"]

# eval_name prefix (str.startswith, as utils.build_train_eval_dataset) -> dataset label
CORE_PREFIXES: dict[str, str] = {
    "mmlu": "MMLU", "hellaswag": "HellaSwag", "grade-school-math": "GSM8K", "arc-challenge": "ARC-Challenge",
    "winogrande": "Winogrande", "mbpp": "MBPP", "mtbench": "MT-Bench",
}
WIDE_RULE = ("a row with any empty quality cell is dropped (this drops every duplicated sample_id "
             "of RouterBench's files); the sample_ids left must be unique")
_FIXED = ("sample_id", "prompt", "eval_name")
_ORACLE = "oracle_model_to_route_to"
_COST, _RESPONSE = "|total_cost", "|model_response"
_INDEX = re.compile(r"^(Unnamed: 0|index|)$")
_PRICE_TABLE = "routerbench"


def routerbench_models(names: Sequence[str]) -> tuple[Model, ...]:
    """:class:`~routerlab.data.catalog.Model` s for RouterBench model ``names`` (as the table spells
    them), priced from ``data/prices/routerbench.csv``; a name without a price there gets provider =
    tier = "unknown" and NaN (unknown) prices: its per-query costs are the table's own, and a policy
    that needs per-token prices asks for them (:func:`routerlab.data.catalog.require_prices`)."""
    from routerlab.data.catalog import read_prices

    table = read_prices(_PRICE_TABLE)
    return tuple(Model(nm, str(table.at[nm, "provider"]), str(table.at[nm, "tier"]),
                       float(table.at[nm, "price_in"]), float(table.at[nm, "price_out"])) if nm in table.index
                 else Model(nm, "unknown", "unknown", np.nan, np.nan) for nm in names)


# RouterBench's 11 models in its response-column order (the order its routers break ties in).
MODEL_COLUMNS: tuple[str, ...] = (
    "gpt-3.5-turbo-1106", "claude-instant-v1", "claude-v1", "claude-v2", "gpt-4-1106-preview",
    "meta/llama-2-70b-chat", "mistralai/mixtral-8x7b-chat", "zero-one-ai/Yi-34B-Chat",
    "WizardLM/WizardLM-13B-V1.2", "meta/code-llama-instruct-34b-chat", "mistralai/mistral-7b-chat",
)
ROUTERBENCH_MODELS: tuple[Model, ...] = routerbench_models(MODEL_COLUMNS)


def file_sha256(path) -> str:
    """SHA-256 hex digest of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _verified_bytes(path: Path, sha256: str | None) -> bytes:
    if not sha256:
        raise RouterlabError(f"to read the pickle {path.name}, pass its expected SHA-256 (sha256=...) "
                             "together with trust_pickle=True: unpickling can run code")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RouterlabError(f"cannot read {path} ({exc.strerror})") from None
    got = hashlib.sha256(data).hexdigest()
    if got != sha256.strip().lower():
        raise RouterlabError(f"{path.name} has SHA-256 {got[:12]}..., not the expected {sha256[:12]}...; "
                             "nothing was loaded: download the file again or check the digest you passed")
    return data


def read_wide_csv(data: bytes, what: str) -> pd.DataFrame:
    """A RouterBench CSV as strings (empty cells stay "", so "NA" in a prompt is text, not missing)."""
    try:
        return pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    except Exception as exc:  # a damaged file, wrong encoding, ...
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RouterlabError(f"cannot read {what} as CSV: {first}") from None


def read_routerbench_frame(path, *, trust_pickle: bool = False, sha256: str | None = None) -> pd.DataFrame:
    """The raw wide DataFrame from a ``.csv``, a ``.parquet`` or a ``.pkl`` (trusted and hash-verified).

    A CSV or Parquet file needs no trust; if ``sha256`` is given it is verified too.
    """
    path = Path(path)
    if not path.is_file():
        raise RouterlabError(f"RouterBench file {path} not found; download routerbench_0shot.pkl from the "
                             "Hugging Face dataset withmartian/routerbench")
    if path.suffix.lower() == ".csv":
        return read_wide_csv(_verified_bytes(path, sha256) if sha256 else path.read_bytes(), str(path))
    if path.suffix == ".parquet":
        data = _verified_bytes(path, sha256) if sha256 else path.read_bytes()
        try:
            return pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises several types for a damaged file
            raise RouterlabError(f"{path} is not a readable Parquet file ({type(exc).__name__}); "
                                 "convert the pickle again with convert_to_parquet") from None
    if not trust_pickle:
        raise RouterlabError(f"{path.name} is a pickle, which can run code when loaded; pass trust_pickle=True "
                             "and its sha256=..., or convert it once with convert_to_parquet")
    data = _verified_bytes(path, sha256)
    try:
        frame = pd.read_pickle(io.BytesIO(data))
    except Exception as exc:
        raise RouterlabError(f"{path.name} matched its SHA-256 but is not a pandas pickle ({type(exc).__name__})") from None
    if not isinstance(frame, pd.DataFrame):
        raise RouterlabError(f"{path.name} holds a {type(frame).__name__}, not RouterBench's DataFrame")
    return frame


def is_routerbench_csv(path) -> bool:
    """True for a CSV in RouterBench's own layout: ``<model>|total_cost`` columns and no
    ``<file>.meta.json`` sidecar (an interchange table written by routerlab always has one, and
    carries its models' prices there)."""
    from routerlab.data.interchange import sidecar_path

    path = Path(path)
    if path.suffix.lower() != ".csv" or not path.is_file() or sidecar_path(path).is_file():
        return False
    try:
        header = pd.read_csv(path, nrows=0).columns
    except Exception:  # unreadable: the interchange reader reports it properly
        return False
    return any(str(c).endswith(_COST) for c in header)


def is_routerbench_file(path) -> bool:
    """True for a file the loaders read as RouterBench's layout: :func:`is_routerbench_csv`, or a
    Parquet written by :func:`convert_to_parquet` (it records the pickle's digest)."""
    path = Path(path)
    if is_routerbench_csv(path):
        return True
    if path.suffix.lower() != ".parquet" or not path.is_file():
        return False
    import pyarrow.parquet as pq

    try:
        return b"routerlab_source_sha256" in (pq.read_schema(path).metadata or {})
    except Exception:  # not readable as Parquet: the interchange reader reports it properly
        return False


def _layout(frame: pd.DataFrame, what: str) -> tuple[pd.DataFrame, list[str]]:
    """``frame`` without its unnamed index column, and its model names; one-line errors for a
    frame that is not RouterBench's wide layout."""
    columns = [str(c) for c in frame.columns]
    if columns and _INDEX.match(columns[0]):
        frame, columns = frame.iloc[:, 1:], columns[1:]
    if len(set(columns)) != len(columns):
        dup = next(c for c in columns if columns.count(c) > 1)
        raise RouterlabError(f"column {dup!r} appears more than once in {what}")
    for c in _FIXED:
        if c not in columns:
            raise RouterlabError(f"{what} is not RouterBench's wide layout: no {c!r} column (it needs "
                                 "sample_id, prompt, eval_name, one quality column per model and <model>|total_cost)")
    models = [c[: -len(_COST)] for c in columns if c.endswith(_COST)]
    if not models:
        raise RouterlabError(f"{what} has no '<model>|total_cost' column, so no models")
    for m in models:
        if m not in columns:
            raise RouterlabError(f"quality column {m!r} is missing from {what} (model {m!r} has a "
                                 f"{m + _COST!r} column)")
    known = set(_FIXED) | {_ORACLE} | set(models) | {m + _COST for m in models} | {m + _RESPONSE for m in models}
    for c in columns:
        if c not in known:
            raise RouterlabError(f"column {c!r} of {what} is not part of RouterBench's wide layout "
                                 "(a model's quality column needs its <model>|total_cost column)")
    frame = frame.copy()
    frame.columns = columns
    return frame, models


def _join_turns(values) -> np.ndarray:
    """Strings like "['turn 1', 'turn 2']" -> the turns joined by a blank line; plain text stays.

    ``ast.literal_eval`` only builds literals (no code runs); unparsable strings stay as they are,
    and a missing value becomes "".
    """
    def one(v) -> str:
        if v is None or (isinstance(v, float) and np.isnan(v)):
            return ""
        s = str(v)
        if s.startswith("[") and s.endswith("]"):
            try:
                parsed = ast.literal_eval(s)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return s
            if isinstance(parsed, (list, tuple)):
                return "\n\n".join(map(str, parsed))
        return s

    return np.array([one(v) for v in values], dtype=object)


def _cells(frame: pd.DataFrame, col: str, kind: str, where) -> tuple[np.ndarray, np.ndarray]:
    """Column ``col`` as float64 and its (n,) mask of empty cells; a cell that is neither empty
    nor a number is an error naming it."""
    s = frame[col]
    empty = (s.isna() | (s.astype(str).str.strip() == "")).to_numpy()
    v = pd.to_numeric(s.where(~empty, None), errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = np.flatnonzero(np.isnan(v) & ~empty)
    if bad.size:
        i = int(bad[0])
        raise RouterlabError(f"{kind} column {col!r} holds {str(s.iloc[i])!r} at {where(i)}; it must be a number")
    return v, empty


def wide_benchmark(frame: pd.DataFrame, *, name: str = "RouterBench", what: str = "the RouterBench table",
                   origin: Sequence[str] | None = None, extras: bool = False, answer_tokens: bool = True,
                   strip_prefix: bool = True, models: Sequence[Model] | None = None) -> Benchmark:
    """A :class:`Benchmark` from a frame in RouterBench's wide layout (see the module docstring).

    ``what`` names the table in error messages; ``origin`` (n,) optional, where each row came from
    (e.g. its file), named in errors too. ``extras`` keeps the non-core evals. ``answer_tokens=False``
    skips counting the response columns (faster). ``strip_prefix=False`` keeps ``prompts`` = the
    full prompts. ``models``: the models' metadata (prices) in the table's model order, instead of
    the package's price table (the wide layout carries no prices). Provenance: rows read, rows
    outside the core datasets (if any), distinct and
    duplicated sample_ids, empty quality cells, rows dropped, rows kept.
    """
    priced_models = models
    frame, models = _layout(frame, what)
    n_read = len(frame)
    if n_read == 0:
        raise RouterlabError(f"{what} has no rows")
    ids_all = frame["sample_id"].astype(str).to_numpy(dtype=object)

    if origin is not None:  # row numbers within each origin (file), not within the pooled frame
        origin = np.asarray(origin, dtype=object)
        local = pd.Series(origin).groupby(origin, sort=False).cumcount().to_numpy()

    def where(i: int) -> str:
        if origin is None:
            return f"data row {i + 1} (sample_id {ids_all[i]!r}) of {what}"
        return f"{origin[i]} data row {local[i] + 1} (sample_id {ids_all[i]!r})"

    # quality: finite numbers in [0, 1] or empty (the schema's rule; empty rows are dropped below)
    check_cells(frame, models, where, columns=models, empty_ok=models)
    quality, empty = np.empty((n_read, len(models))), np.empty((n_read, len(models)), dtype=bool)
    for j, m in enumerate(models):
        quality[:, j], empty[:, j] = _cells(frame, m, "quality", where)
    if priced_models is not None and [m.name for m in priced_models] != models:
        raise RouterlabError(f"the models given for {what} ({', '.join(m.name for m in priced_models)}) are not "
                             f"the table's models in its column order ({', '.join(models)})")
    priced = tuple(priced_models) if priced_models is not None else routerbench_models(models)

    provenance: dict = {"rule": WIDE_RULE, "rows read": n_read}
    ev = frame["eval_name"].astype(str).to_numpy(dtype=object)
    label = np.full(n_read, None, dtype=object)
    for prefix, lab in CORE_PREFIXES.items():
        hit = np.array([e.startswith(prefix) for e in ev], dtype=bool) & (label == None)  # noqa: E711
        label[hit] = lab
    core = label != None  # noqa: E711
    if extras:
        label[~core] = ev[~core]
        core = np.ones(n_read, dtype=bool)
    elif (~core).any():
        provenance["rows outside the 7 core datasets dropped (extras=False)"] = int((~core).sum())
    if not core.any():
        raise RouterlabError(f"no rows of {what} left (no eval_name starts with a core prefix such as "
                             f"{', '.join(CORE_PREFIXES)}); to keep the other tasks, load it in Python with "
                             "routerlab.data.routerbench_layout.load_routerbench(path, extras=True) (the "
                             "command line reads the core datasets only) and write it with "
                             "routerlab.write_table(bench, 'out.parquet') for --data")

    ids = ids_all[core]
    uniq, counts = np.unique(ids.astype(str), return_counts=True)
    row_empty = empty[core].any(axis=1)
    provenance.update({
        "distinct sample_ids": int(uniq.size), "duplicated sample_ids": int((counts > 1).sum()),
        "empty quality cells": int(empty[core].sum()), "rows dropped": int(row_empty.sum()),
        "rows kept": int((~row_empty).sum()),
    })
    keep = np.flatnonzero(core)[~row_empty]
    if keep.size == 0:
        raise RouterlabError(f"every row of {what} has an empty quality cell; nothing is left to evaluate")
    kept_ids = ids_all[keep].astype(str)
    uniq, first, counts = np.unique(kept_ids, return_index=True, return_counts=True)
    if (counts > 1).any():
        k = int(np.flatnonzero(counts > 1)[0])
        rows = keep[np.flatnonzero(kept_ids == uniq[k])[:2]]
        raise RouterlabError(
            f"{int((counts > 1).sum())} sample_id(s) of {what} still appear more than once after dropping "
            f"the rows with an empty quality cell, e.g. {str(uniq[k])!r} at {where(int(rows[0]))} and "
            f"{where(int(rows[1]))}; RouterBench's layout has one row per query")

    sub = frame.iloc[keep]
    check_cells(sub, models, lambda i: where(int(keep[i])),
                columns=["sample_id", "eval_name", *(m + _COST for m in models)])
    cost = sub[[m + _COST for m in models]].apply(pd.to_numeric).to_numpy(dtype=np.float64)

    full = _join_turns(sub["prompt"].to_numpy(dtype=object))
    subsets = ev[keep].astype(str)
    prompts = strip_shared_prefix(full, subsets) if strip_prefix else full
    ans = None
    if answer_tokens and all(m + _RESPONSE in sub.columns for m in models):
        ans = np.column_stack([count_tokens(_join_turns(sub[m + _RESPONSE].to_numpy(dtype=object)))
                               for m in models])
    return Benchmark(
        quality=quality[keep], cost=cost, models=priced, sample_ids=kept_ids,
        datasets=label[keep].astype(str), prompt_tokens=count_tokens(full), answer_tokens=ans,
        prompts=prompts.astype(str), subsets=subsets, name=name, simulated=False, cost_estimated=False,
        provenance=provenance)


def wide_problems(path, limit: int) -> tuple[list[str], int, str]:
    """``(problems, total, summary)`` of a RouterBench-layout file, by the rules of
    :func:`wide_benchmark` (:func:`routerlab.data.table_check.validate_file`): quality cells of
    every row, then sample ids, dataset names and costs of the rows with no empty quality cell."""
    path = Path(path)
    try:
        frame, models = _layout(read_routerbench_frame(path), path.name)
    except RouterlabError as exc:
        return [str(exc)], 1, ""
    if len(frame) == 0:
        return [f"{path.name} has no rows"], 1, ""
    ids = frame["sample_id"].astype(str).to_numpy(dtype=object)

    def where(i: int) -> str:
        return f"data row {i + 1} (sample_id {ids[i]!r})"

    lines, total = cell_problems(frame, models, where, columns=models, empty_ok=models, limit=limit)
    empty = np.column_stack([(frame[m].isna() | (frame[m].astype(str).str.strip() == "")).to_numpy()
                             for m in models]).any(axis=1)
    ev = frame["eval_name"].astype(str)
    core = np.zeros(len(frame), dtype=bool)
    for prefix in CORE_PREFIXES:  # the loader keeps the core datasets only (extras=False)
        core |= ev.str.startswith(prefix).to_numpy()
    keep = np.flatnonzero(~empty & core)
    if not keep.size and not total:
        return [f"no row of {path.name} is left once the rows outside the core datasets and those with an "
                "empty quality cell are dropped; fill the quality cells"], 1, ""
    more, n_more = cell_problems(frame.iloc[keep], models, lambda i: where(int(keep[i])),
                                 columns=["sample_id", "eval_name", *(m + _COST for m in models)],
                                 limit=max(limit - len(lines), 0))
    return lines + more, total + n_more, (
        f"{path.name}: RouterBench layout, {len(frame):,} rows x {len(models)} models; {keep.size:,} kept when "
        f"loaded ({int(empty.sum()):,} with an empty quality cell, {int((~core).sum()):,} outside the core datasets)")


def frame_to_benchmark(frame: pd.DataFrame, *, extras: bool = False, name: str = "RouterBench",
                       answer_tokens: bool = True) -> Benchmark:
    """A :class:`Benchmark` from RouterBench's wide DataFrame: :func:`wide_benchmark`."""
    return wide_benchmark(frame, name=name, extras=extras, answer_tokens=answer_tokens)


def load_routerbench(path, *, trust_pickle: bool = False, sha256: str | None = None, extras: bool = False,
                     answer_tokens: bool = True, **options) -> Benchmark:
    """RouterBench's data from one file as a :class:`Benchmark` (rules: the module docstring).

    ``path``: a ``.csv`` in RouterBench's layout or a ``.parquet`` made by
    :func:`convert_to_parquet` (both safe), or the original ``.pkl``, read only with
    ``trust_pickle=True`` and its expected ``sha256`` (hash checked before unpickling; a mismatch
    raises and nothing is loaded). Other options (``strip_prefix``, ``models``): :func:`wide_benchmark`.
    """
    path = Path(path)
    frame = read_routerbench_frame(path, trust_pickle=trust_pickle, sha256=sha256)
    shot = "5-shot" if "5shot" in path.name else "0-shot" if "0shot" in path.name else path.name
    return wide_benchmark(frame, name=f"RouterBench ({shot})", what=path.name, extras=extras,
                          answer_tokens=answer_tokens, **options)


def convert_to_parquet(pkl, out, *, sha256: str) -> Path:
    """One-time conversion of a RouterBench pickle to Parquet; returns ``out``.

    The pickle's SHA-256 must equal ``sha256`` before it is unpickled; quality columns become
    float64 (they are objects in the pickle). The file is written to a temporary name beside
    ``out`` and renamed into place, so ``out`` is either complete or absent. The source digest
    is stored in the Parquet metadata (key ``routerlab_source_sha256``).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    frame = read_routerbench_frame(pkl, trust_pickle=True, sha256=sha256)
    frame, models = _layout(frame, Path(pkl).name)
    for m in models:
        frame[m] = pd.to_numeric(frame[m], errors="coerce").astype(np.float64)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[b"routerlab_source_sha256"] = sha256.lower().encode()
    table = table.replace_schema_metadata(meta)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out


# What a Benchmark holds that RouterBench's wide layout has no column for (the interchange table,
# :mod:`routerlab.data.interchange`, keeps all of it).
WIDE_LOSSES = {
    "prices": "per-token prices (the reader takes them from the package's price table or its models= argument)",
    "name": "the benchmark's name, its simulated flag and whether its costs are estimated",
    "prompt_tokens": "prompt token counts (the reader counts the prompt text again)",
    "answer_tokens": "answer token counts (there are no responses to count)",
    "confidence": "response confidences",
    "features": "query features (embeddings)",
    "subsets": "subset labels that do not start with their dataset's eval_name prefix (eval_name holds one label)",
}


def _core_label(eval_name: str) -> str | None:
    """The dataset the reader gives ``eval_name`` (first matching prefix of :data:`CORE_PREFIXES`)."""
    return next((lab for p, lab in CORE_PREFIXES.items() if eval_name.startswith(p)), None)


def _eval_names(bench: Benchmark) -> np.ndarray:
    """(n,) ``eval_name`` values that :func:`wide_benchmark` (``extras=True``) reads back as
    ``bench.datasets``: a core dataset's subset when it starts with the dataset's prefix, else that
    prefix; any other dataset as it is. A non-core dataset the reader would rename is an error."""
    prefix = {lab: p for p, lab in CORE_PREFIXES.items()}
    datasets = np.asarray(bench.datasets).astype(str)
    subsets = None if bench.subsets is None else np.asarray(bench.subsets).astype(str)
    out = datasets.astype(object)
    for d in map(str, np.unique(datasets)):
        rows = datasets == d
        if d in prefix:
            out[rows] = prefix[d]
            if subsets is not None:
                keep = [e for e in map(str, np.unique(subsets[rows])) if _core_label(e) == d]
                sub = subsets[rows]
                out[rows] = np.where(np.isin(sub, keep), sub, prefix[d])
        elif _core_label(d) is not None:
            raise RouterlabError(f"dataset {d!r} would read back as {_core_label(d)!r} from RouterBench's "
                                 "layout (its eval_name prefix rule); export it as --format interchange")
    return out


def wide_frame(bench: Benchmark) -> pd.DataFrame:
    """``bench`` in RouterBench's own wide layout (the columns of the module docstring, no others).

    (n, 3 + 2m + 1) frame: ``sample_id``, ``prompt`` (the string form of a one-turn list, as
    RouterBench stores prompts; "" without text), ``eval_name`` (:func:`_eval_names`), the m quality
    columns (float in [0, 1]), the m ``<model>|total_cost`` columns (USD per query) and
    ``oracle_model_to_route_to`` (RouterBench's rule, :func:`routerlab.data.interchange.oracle_labels`).
    What the layout cannot carry is listed in :data:`WIDE_LOSSES`.
    """
    from routerlab.data.interchange import oracle_labels

    names = list(bench.model_names)
    reserved = set(_FIXED) | {_ORACLE}
    for nm in names:
        if "|" in nm or nm in reserved or _INDEX.match(nm):
            raise RouterlabError(f"model name {nm!r} cannot be a column of RouterBench's layout "
                                 "(it contains '|' or is a reserved column name)")
    n = bench.n_queries
    text = (np.asarray(bench.prompts).astype(str) if bench.prompts is not None else np.full(n, "", dtype=object))
    cols: dict[str, object] = {
        "sample_id": np.asarray(bench.sample_ids).astype(str).astype(object),
        "prompt": np.array([repr([str(t)]) if t else "" for t in text], dtype=object),
        "eval_name": _eval_names(bench),
    }
    for j, nm in enumerate(names):
        cols[nm] = np.asarray(bench.quality[:, j], dtype=np.float64)
    for j, nm in enumerate(names):
        cols[nm + _COST] = np.asarray(bench.cost[:, j], dtype=np.float64)
    cols[_ORACLE] = oracle_labels(bench.quality, bench.cost, names)
    return pd.DataFrame(cols)


def write_routerbench(bench: Benchmark, path) -> Path:
    """Write ``bench`` in RouterBench's wide layout (:func:`wide_frame`) to ``path``: ``.csv`` (no
    index; floats in their shortest exact form) or ``.parquet``, atomically (temporary file renamed into place).
    No sidecar is written: the file holds RouterBench's columns only. Returns the path."""
    from routerlab.data.interchange import _suffix, atomic_write

    path = Path(path)
    suf = _suffix(path)
    frame = wide_frame(bench)
    if suf == ".parquet":
        atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))
    else:
        atomic_write(path, lambda tmp: frame.to_csv(tmp, index=False))
    return path
