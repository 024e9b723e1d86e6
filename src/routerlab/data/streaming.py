"""Summarise a RouterBench wide table that does not fit in memory, in batches of rows.

:func:`summarize` reads an interchange table (.parquet or .csv, the layout of
:mod:`routerlab.data.interchange`) with pyarrow's streaming readers (``ParquetFile.iter_batches``
without pre-buffering, ``pyarrow.csv.open_csv`` in 4 MB blocks), every column but the free text
in the first pass (to check it) and only the quality, ``<model>|total_cost`` and ``eval_name``
columns in the second, ``batch_rows`` rows at a time, so memory stays bounded by a few batches
(plus 8 bytes per row for the sample-id check) whatever the table's size. (A ``pyarrow.dataset`` scan was measured to
read ahead without bound when the consumer is slower than the disk: its peak memory grew with the
file.) It returns a :class:`StreamSummary` with what a user needs to size up the table before
loading it:

* the number of queries, the models (the names ``X`` with an ``X|total_cost`` column, in column
  order) and the datasets (``eval_name``, in order of first appearance) with their row counts;
* per model and per dataset x model: mean quality and mean cost (USD/query);
* the fixed policies (always route to one model) and the bounds -- the oracle (OUB,
  :func:`routerlab.metrics.oracle_choice`), QOUB and COUB -- with their Routing Score, quality
  and mean cost under the RS normalisation of :mod:`routerlab.metrics` (``"global"``: cost
  min/max over the whole cost matrix; ``"per-query"``: over each row's models);
* the AIQ of the fixed models' (mean cost, mean quality) points (the zero router), with both
  ``"cmax"`` and ``"range"`` normalisations of :func:`routerlab.metrics.aiq`.

Two passes over the batches: the first accumulates counts, sums and the global cost range; the
second the per-row RS terms, which need that range and (for QOUB) every model's overall accuracy.
Sums are accumulated in float64, so the results equal the in-memory computation
(:func:`routerlab.data.interchange.read_table` then the metrics functions) up to rounding (~1e-12).

Every cell is checked by the rules :func:`~routerlab.data.interchange.read_table` applies
(:func:`routerlab.data.validate.check_cells`, from the shipped schema: numbers finite and in
range, token counts whole, sample ids present), batch by batch in the first pass, which reads
every column but the free text; the header and the metadata are checked as there too. A bad cell
raises one :class:`~routerlab.errors.RouterlabError` naming the column, the data row (1-based,
header excluded) and its ``sample_id``. Sample ids must be unique: the first pass keeps an 8-byte
hash per row and confirms a repeated hash on the ids by one more scan of that column. CSV
columns are read with forced types (strings as strings, numbers as float64; a cell that is not a
number is located by a re-read as text); a UTF-8 byte-order mark is accepted.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from routerlab import metrics
from routerlab.errors import RouterlabError, check_choice
from routerlab.data.files import check_table_digest
from routerlab.data.interchange import META_KEY, _suffix, model_names_from_columns, sidecar_path
from routerlab.data.validate import check_cells, check_columns, check_meta, column_spec

__all__ = ["StreamSummary", "summarize", "DEFAULT_BATCH_ROWS", "BOUNDS"]

DEFAULT_BATCH_ROWS = 65_536
BOUNDS = ("oracle", "qoub", "coub")
_BUFFER_BYTES = 1 << 20  # Parquet read buffer; CSV blocks are 4 times this (with 8 MB blocks the
# peak memory grew with the file)


@dataclass
class StreamSummary:
    """Statistics of a wide table computed batch by batch (see the module docstring).

    Shapes: m models, k datasets. Costs in USD per query, qualities in [0, 1].
    """

    path: str
    name: str
    simulated: bool
    normalization: str
    batch_rows: int
    n_queries: int
    models: list[str]
    datasets: list[str]
    dataset_counts: np.ndarray  # (k,) int, rows per dataset
    quality_mean: np.ndarray  # (m,) mean quality of each model = the fixed policy's quality
    cost_mean: np.ndarray  # (m,) mean cost of each model, USD/query
    quality_by_dataset: np.ndarray  # (k, m) mean quality
    cost_by_dataset: np.ndarray  # (k, m) mean cost, USD/query
    cost_min: float  # the global cost range (whatever the RS normalisation)
    cost_max: float
    fixed_rs: np.ndarray  # (m,) RS of always routing to each model
    bounds: dict[str, dict[str, float]]  # {oracle, qoub, coub: {rs, quality, mean_cost}}
    aiq: dict[str, float]  # AIQ of the fixed models' points: {"cmax": ..., "range": ...}
    zero_router: list[str] = field(default_factory=list)  # the models on the zero router's hull

    @property
    def n_models(self) -> int:
        return len(self.models)

    def policies(self):
        """pandas DataFrame (m + 3 rows): RS, quality and mean cost of the fixed policies
        (``fixed:<model>``) and of the bounds."""
        import pandas as pd

        rows = {f"fixed:{nm}": {"rs": float(self.fixed_rs[j]), "quality": float(self.quality_mean[j]),
                                "mean_cost": float(self.cost_mean[j])} for j, nm in enumerate(self.models)}
        rows.update({b: self.bounds[b] for b in BOUNDS})
        return pd.DataFrame.from_dict(rows, orient="index")[["rs", "quality", "mean_cost"]]

    def describe(self) -> str:
        """A multi-line plain-text summary (what ``routerlab info --stream`` prints)."""
        import pandas as pd

        lines = [f"{self.name}: {self.n_queries:,} queries x {self.n_models} models = "
                 f"{self.n_queries * self.n_models:,} outcomes" + (" [SIMULATED]" if self.simulated else "")
                 + f" (streamed, {self.batch_rows:,} rows per batch)",
                 f"  cost range: {self.cost_min:.4g} .. {self.cost_max:.4g} USD; "
                 f"RS normalization {self.normalization}", ""]
        pol = self.policies()
        pol.columns = ["RS", "quality", "mean cost $"]
        lines.append(pol.to_string(float_format=lambda x: f"{x:.4g}"))
        lines.append("")
        lines.append(f"AIQ of the fixed models (zero router over {', '.join(self.zero_router)}): "
                     f"cmax {self.aiq['cmax']:.4f}, range {self.aiq['range']:.4f}")
        lines.append("")
        sizes = pd.Series(self.dataset_counts, index=self.datasets, name="queries")
        acc = pd.DataFrame(self.quality_by_dataset, index=self.datasets, columns=self.models)
        lines.append("mean quality by dataset")
        lines.append(pd.concat([sizes, acc], axis=1).to_string(float_format=lambda x: f"{x:.3f}"))
        lines.append("")
        lines.append("mean cost $ by dataset")
        lines.append(pd.DataFrame(self.cost_by_dataset, index=self.datasets, columns=self.models)
                     .to_string(float_format=lambda x: f"{x:.3g}"))
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """JSON-ready dict (plain floats, ints, strings and lists; NaN and infinity become None)."""
        return _finite({
            "path": self.path, "name": self.name, "simulated": bool(self.simulated),
            "normalization": self.normalization, "batch_rows": int(self.batch_rows),
            "n_queries": int(self.n_queries), "models": list(self.models), "datasets": list(self.datasets),
            "dataset_counts": [int(x) for x in self.dataset_counts],
            "quality_mean": self.quality_mean.tolist(), "cost_mean": self.cost_mean.tolist(),
            "quality_by_dataset": self.quality_by_dataset.tolist(),
            "cost_by_dataset": self.cost_by_dataset.tolist(),
            "cost_min": float(self.cost_min), "cost_max": float(self.cost_max),
            "fixed_rs": self.fixed_rs.tolist(),
            "bounds": {b: {k: float(v) for k, v in d.items()} for b, d in self.bounds.items()},
            "aiq": {k: float(v) for k, v in self.aiq.items()}, "zero_router": list(self.zero_router),
        })


def _finite(x):
    """``x`` (nested dicts and lists) with every non-finite float replaced by None (strict JSON)."""
    if isinstance(x, dict):
        return {k: _finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_finite(v) for v in x]
    return None if isinstance(x, float) and not np.isfinite(x) else x


# ---- reading ------------------------------------------------------------------------------------
def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class _Table:
    """A .parquet/.csv wide table opened lazily: its columns and models, and batch scans."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.kind = _suffix(self.path)[1:]
        if not self.path.is_file():
            raise RouterlabError(f"no such file: {str(self.path)!r}")
        self.columns = self._column_names()
        self.models, _ = check_columns(self.columns, repr(str(self.path)))
        self.cost_cols = [f"{nm}|total_cost" for nm in self.models]
        # the columns the schema checks (free text is not read): ids, labels, every number
        self.checked = [c for c in self.columns if c not in ("prompt", "subset", "oracle_model_to_route_to")
                        and not c.endswith("|model_response")]
        self.numbers = [c for c in self.checked if column_spec(c, self.models)["type"] != "string"]
        self.metadata = self._meta()

    def _unreadable(self, exc: BaseException) -> RouterlabError:
        return RouterlabError(f"cannot read {str(self.path)!r} as {self.kind}: {_first_line(exc)}")

    def _column_names(self) -> list[str]:
        try:
            if self.kind == "parquet":
                import pyarrow.parquet as pq

                return [str(c) for c in pq.read_schema(self.path).names]
            with open(self.path, newline="", encoding="utf-8-sig") as fh:  # a BOM is not part of a name
                return [str(c) for c in next(csv.reader(fh), [])]
        except MemoryError:
            raise
        except Exception as exc:  # corrupt Parquet footer, binary or badly encoded CSV, ...
            raise self._unreadable(exc) from None

    def _meta(self) -> dict:
        """The routerlab metadata (name, simulated, models), checked as the in-memory reader does;
        {} if the table carries none."""
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            raw = (pq.read_schema(self.path).metadata or {}).get(META_KEY.encode())
            try:
                return check_meta(json.loads(raw) if raw else None, f"of {self.path.name}")
            except ValueError as exc:
                if isinstance(exc, RouterlabError):
                    raise
                raise self._unreadable(exc) from None
        side = sidecar_path(self.path)
        if not side.is_file():
            return {}
        try:
            meta = json.loads(side.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise RouterlabError(f"metadata file {str(side)!r} is not valid JSON: {exc}") from None
        meta = check_meta(meta, f"of {self.path.name}")
        check_table_digest(self.path, meta, side)  # a sidecar of another table is refused, as read_table does
        return meta

    def _batches(self, columns: list[str], batch_rows: int, numbers_as_text: bool):
        import pyarrow as pa

        if self.kind == "parquet":
            import pyarrow.parquet as pq

            # pre_buffer=False: pre-buffering reads every selected column chunk of the file ahead
            # (memory grows to the file's size); the buffered stream reads page by page instead
            pf = pq.ParquetFile(self.path, pre_buffer=False, buffer_size=_BUFFER_BYTES)
            yield from pf.iter_batches(batch_size=batch_rows, columns=columns)
            return
        import pyarrow.csv as pacsv

        number = pa.string() if numbers_as_text else pa.float64()
        types = {c: pa.string() for c in self.checked if c not in self.numbers}
        types.update({c: number for c in self.numbers})
        reader = pacsv.open_csv(
            self.path, read_options=pacsv.ReadOptions(block_size=_BUFFER_BYTES * 4, use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),  # prompts may span lines
            convert_options=pacsv.ConvertOptions(column_types=types, include_columns=columns,
                                                 null_values=[""], strings_can_be_null=False))
        for block in reader:  # one parsed block of the file; zero-copy slices of batch_rows rows
            for start in range(0, block.num_rows, batch_rows):
                yield block.slice(start, batch_rows)

    def scan(self, columns: list[str], batch_rows: int, numbers_as_text: bool = False):
        """Yield ``pyarrow.RecordBatch`` es of ``columns``, in file order, at most ``batch_rows`` rows
        (CSV: quality and cost as float64, or as text with ``numbers_as_text``)."""
        import pyarrow as pa

        try:
            yield from self._batches(columns, batch_rows, numbers_as_text)
        except MemoryError:
            raise
        except (pa.ArrowException, OSError, UnicodeDecodeError) as exc:
            if self.kind == "csv" and not numbers_as_text and isinstance(exc, pa.ArrowInvalid):
                self._locate_bad_number(batch_rows)  # a cell that is not a float64: name it
            raise self._unreadable(exc) from None

    def _locate_bad_number(self, batch_rows: int) -> None:
        """Re-read the CSV's checked columns as text and raise the error of the first bad cell."""
        for offset, batch in self._offsets(self.scan(self.checked, batch_rows, numbers_as_text=True)):
            self.check(batch, offset)

    @staticmethod
    def _offsets(batches):
        offset = 0
        for batch in batches:
            yield offset, batch
            offset += batch.num_rows

    def check(self, batch, offset: int) -> np.ndarray:
        """Check every cell of a batch (first row = global row ``offset``) with the schema's rules
        (:func:`routerlab.data.validate.check_cells`); return its (b,) uint64 sample-id hashes."""
        import pandas as pd

        import pyarrow as pa

        cols = {}
        for name in batch.schema.names:  # numbers straight to float64 numpy; text as objects
            arr = batch.column(name)
            numeric = pa.types.is_integer(arr.type) or pa.types.is_floating(arr.type) or pa.types.is_boolean(arr.type)
            cols[name] = _floats(arr) if numeric else arr.to_numpy(zero_copy_only=False)
        frame = pd.DataFrame(cols, copy=False)
        ids = frame["sample_id"].where(frame["sample_id"].notna(), "").astype(str).to_numpy(dtype=object)
        check_cells(frame, self.models, lambda i: f"data row {offset + i + 1} (sample_id {ids[i]!r}) of {self.path.name}")
        return pd.util.hash_array(ids.astype(object))

    def check_unique(self, hashes: np.ndarray) -> None:
        """One-line error if two rows share a sample_id (``hashes`` (n,) of every row; a repeated
        hash is confirmed on the ids themselves by one more scan of that column)."""
        order = np.argsort(hashes, kind="stable")
        rep = np.flatnonzero(hashes[order][1:] == hashes[order][:-1])
        if not rep.size:
            return
        suspects = set(hashes[order][rep].tolist())
        seen: dict[str, int] = {}
        for offset, batch in self._offsets(self.scan(["sample_id"], DEFAULT_BATCH_ROWS, numbers_as_text=True)):
            ids = np.array([str(x) for x in batch.column(0).to_pylist()], dtype=object)
            import pandas as pd

            hit = np.flatnonzero(np.isin(pd.util.hash_array(ids), list(suspects)))
            for i in hit:
                sid = ids[i]
                if sid in seen:
                    raise RouterlabError(f"sample_id {sid!r} at data row {offset + i + 1} of {self.path.name} "
                                         f"repeats data row {seen[sid] + 1}; sample_ids must be unique")
                seen[sid] = offset + int(i)

    def where(self, row: int) -> str:
        """``data row R (sample_id ...)`` for the 0-based global ``row`` (one scan of sample_id)."""
        for offset, batch in self._offsets(self.scan(["sample_id"], DEFAULT_BATCH_ROWS, numbers_as_text=True)):
            if row < offset + batch.num_rows:
                return f"data row {row + 1} (sample_id {str(batch.column(0)[row - offset].as_py())!r})"
        return f"data row {row + 1}"

    def batches(self, batch_rows: int, validate: bool):
        """Yield ``(offset, quality (b, m), cost (b, m), eval_name batch column)``; with ``validate``
        every cell of the table is checked on the way and sample ids must be unique."""
        cols = self.checked if validate else [*self.models, *self.cost_cols, "eval_name"]
        hashes = []
        for offset, batch in self._offsets(self.scan(cols, batch_rows)):
            if batch.num_rows == 0:
                continue
            if validate:
                hashes.append(self.check(batch, offset))
            q = np.column_stack([_floats(batch.column(nm)) for nm in self.models])
            c = np.column_stack([_floats(batch.column(col)) for col in self.cost_cols])
            yield offset, q, c, batch.column("eval_name")
        if validate and hashes:
            self.check_unique(np.concatenate(hashes))


def _floats(arr) -> np.ndarray:
    """(b,) float64 of a checked numeric column (Parquet may store it as int or bool)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False)


# ---- the two passes -----------------------------------------------------------------------------
def _codes(labels, index: dict[str, int]) -> np.ndarray:
    """(b,) int dataset codes of a batch's ``eval_name`` column; new names get the next code
    (``index`` grows in order of first appearance; a missing label counts as "")."""
    import pyarrow as pa

    if not pa.types.is_dictionary(labels.type):
        labels = labels.dictionary_encode()
    lut = np.array([index.setdefault("" if v is None else str(v), len(index))
                    for v in labels.dictionary.to_pylist()] or [0], dtype=np.int64)
    idx = labels.indices.to_numpy(zero_copy_only=False)
    if labels.null_count:  # null labels: code of ""
        lut = np.r_[lut, index.setdefault("", len(index))]
        idx = np.where(labels.is_null().to_numpy(zero_copy_only=False), len(lut) - 1, idx)
    return lut[idx.astype(np.int64)]


def _grow(a: np.ndarray, k: int) -> np.ndarray:
    """``a`` with rows appended (zeros) up to ``k`` rows."""
    return a if a.shape[0] >= k else np.concatenate([a, np.zeros((k - a.shape[0], *a.shape[1:]), a.dtype)])


def _aiq(costs: np.ndarray, qualities: np.ndarray, normalization: str) -> float:
    """:func:`routerlab.metrics.aiq` of the (m,) model points; NaN when the hull spans no cost
    range (one model, or one point that dominates at cost 0)."""
    try:
        return metrics.aiq(costs, qualities, normalization=normalization)
    except RouterlabError:
        return float("nan")


def summarize(path: str | os.PathLike, batch_rows: int = DEFAULT_BATCH_ROWS,
              normalization: str = "global") -> StreamSummary:
    """Stream a wide table (.parquet or .csv) in batches of ``batch_rows`` rows and summarise it.

    ``normalization``: the RS cost normalisation, ``"global"`` (default) or ``"per-query"`` (see
    :mod:`routerlab.metrics`). Reads the table twice (see the module docstring). Raises one-line
    :class:`RouterlabError` for a missing file, an unsupported suffix, a corrupt file, and for
    whatever :func:`~routerlab.data.interchange.read_table` refuses: a header, a cell or metadata
    that breaks the schema (:mod:`routerlab.data.validate`) and a repeated sample id.
    """
    check_choice("normalization", normalization, metrics.NORMALIZATIONS)
    if isinstance(batch_rows, bool) or not isinstance(batch_rows, (int, np.integer)) or batch_rows < 1:
        raise RouterlabError(f"batch_rows must be an integer >= 1, got {batch_rows!r}")
    batch_rows = int(batch_rows)
    table = _Table(path)
    m = len(table.models)

    # pass 1: counts, sums per model and per dataset x model, the global cost range
    n = 0
    q_sum, c_sum = np.zeros(m), np.zeros(m)
    index: dict[str, int] = {}
    counts = np.zeros(0, dtype=np.int64)
    q_by, c_by = np.zeros((0, m)), np.zeros((0, m))
    lo, hi = np.inf, -np.inf
    for _, q, c, labels in table.batches(batch_rows, validate=True):
        codes = _codes(labels, index)
        k = len(index)
        counts, q_by, c_by = _grow(counts, k), _grow(q_by, k), _grow(c_by, k)
        counts += np.bincount(codes, minlength=k)
        cell = (codes[:, None] * m + np.arange(m)).ravel()  # (dataset, model) cell of each value
        q_by += np.bincount(cell, weights=q.ravel(), minlength=k * m).reshape(k, m)
        c_by += np.bincount(cell, weights=c.ravel(), minlength=k * m).reshape(k, m)
        q_sum += q.sum(axis=0)
        c_sum += c.sum(axis=0)
        lo, hi = min(lo, float(c.min())), max(hi, float(c.max()))
        n += q.shape[0]
    if n == 0:
        raise RouterlabError(f"{str(table.path)!r} has no rows")
    accuracy = q_sum / n

    # pass 2: per-row RS terms of the fixed policies and the bounds
    rs_fixed = np.zeros(m)
    sums = {b: np.zeros(3) for b in BOUNDS}  # RS, quality, cost sums
    span = np.array([lo, hi])
    for _, q, c, _ in table.batches(batch_rows, validate=False):
        # the cost range of the whole table (global) or of each row (per-query), as metrics does
        ref = np.broadcast_to(span, (q.shape[0], 2)) if normalization == "global" else c
        s = metrics.cell_scores(q, c, normalization, cost_for_range=ref)
        rs_fixed += s.sum(axis=0)
        rows = np.arange(q.shape[0])
        picks = {"oracle": metrics.oracle_choice(q, c, normalization, cost_for_range=ref), "qoub": metrics.qoub_choice(q, accuracy),
                 "coub": metrics.coub_choice(q, c)}
        for b, pick in picks.items():
            sums[b] += (s[rows, pick].sum(), q[rows, pick].sum(), c[rows, pick].sum())

    q_mean, c_mean = accuracy, c_sum / n
    hull_c, hull_q = metrics.zero_router(c_mean, q_mean)
    on_hull = [next(nm for j, nm in enumerate(table.models) if c_mean[j] == hc and q_mean[j] == hq)
               for hc, hq in zip(hull_c, hull_q)]
    meta = table.metadata
    return StreamSummary(
        path=str(table.path), name=str(meta.get("name", table.path.stem)),
        simulated=bool(meta.get("simulated", False)), normalization=normalization, batch_rows=batch_rows,
        n_queries=n, models=list(table.models), datasets=list(index), dataset_counts=counts,
        quality_mean=q_mean, cost_mean=c_mean, quality_by_dataset=q_by / counts[:, None],
        cost_by_dataset=c_by / counts[:, None], cost_min=lo, cost_max=hi, fixed_rs=rs_fixed / n,
        bounds={b: {"rs": v[0] / n, "quality": v[1] / n, "mean_cost": v[2] / n} for b, v in sums.items()},
        aiq={nz: _aiq(c_mean, q_mean, nz) for nz in metrics.AIQ_NORMALIZATIONS},
        zero_router=on_hull)
