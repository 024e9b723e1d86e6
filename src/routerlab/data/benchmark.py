"""The benchmark container: arrays with names, the single thing every other module reads.

A :class:`Benchmark` holds, for ``n`` queries and ``m`` models:

* ``quality`` -- (n, m) float64 in [0, 1], the score of model j on query i (0/1 when binary);
* ``cost`` -- (n, m) float64, USD actually charged for model j to answer query i;
* query metadata -- ``sample_ids`` (n,) str, ``datasets`` (n,) str, ``prompt_tokens`` (n,) int,
  and optionally ``prompts`` (n,) str (kept as an object array: a fixed-width
  string array would store every row at the longest prompt's width) and ``subsets`` (n,) str (a finer label, e.g. the MMLU subject);
* optional observables -- ``features`` (n, d) float query embedding, ``confidence`` (n, m) float in
  [0, 1] (how sure model j's answer to query i looks; known only after calling j), and
  ``answer_tokens`` (n, m) int;
* model metadata -- ``models``, a tuple of :class:`~routerlab.data.catalog.Model`;
* ``latent`` -- for simulated data only, the generating truth (difficulty, skills, ...) kept apart
  for teaching. No router may read it.
* ``cost_estimated`` -- True when ``cost`` is an estimate (token counts x list prices) rather
  than what the calls were charged; every table and figure on such data must say so.
* ``provenance`` -- for real data, what loading did: rows read, the cleaning rule and the count of
  rows or cells it removed (``{"rule": str, "<count name>": int, ...}``); printed by ``describe``.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Iterable, Sequence

import numpy as np

from routerlab.data.catalog import Model
from routerlab.errors import RouterlabError

__all__ = ["Benchmark"]


def _as_index(idx, n: int):
    """Normalise a row selector: slices stay slices (views), masks and lists become int arrays."""
    if isinstance(idx, slice):
        return idx
    idx = np.asarray(idx)
    if idx.dtype == bool:
        if idx.shape != (n,):
            raise RouterlabError(f"row mask has shape {idx.shape}, expected ({n},)")
        return np.flatnonzero(idx)
    return idx.astype(np.intp, copy=False)


@dataclass(frozen=True, eq=False)
class Benchmark:
    """Per-query, per-model outcomes plus the metadata routers may use. See the module docstring."""

    quality: np.ndarray
    cost: np.ndarray
    models: tuple[Model, ...]
    sample_ids: np.ndarray
    datasets: np.ndarray
    prompt_tokens: np.ndarray
    features: np.ndarray | None = None
    confidence: np.ndarray | None = None
    answer_tokens: np.ndarray | None = None
    prompts: np.ndarray | None = None
    subsets: np.ndarray | None = None
    name: str = "benchmark"
    simulated: bool = False
    cost_estimated: bool = False
    provenance: dict | None = field(default=None, repr=False)
    latent: dict | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        q = np.asarray(self.quality, dtype=np.float64)
        c = np.asarray(self.cost, dtype=np.float64)
        object.__setattr__(self, "quality", q)
        object.__setattr__(self, "cost", c)
        if q.ndim != 2:
            raise RouterlabError(f"quality must be a 2-d (queries x models) array, got shape {q.shape}")
        n, m = q.shape
        if c.shape != (n, m):
            raise RouterlabError(f"cost has shape {c.shape}, quality has {q.shape}; they must match")
        if len(self.models) != m:
            raise RouterlabError(f"{len(self.models)} models given for {m} quality columns")
        names = [mo.name for mo in self.models]
        if len(set(names)) != m:
            raise RouterlabError(f"model names must be unique, got {names}")
        for attr in ("sample_ids", "datasets", "prompt_tokens", "prompts", "subsets"):
            v = getattr(self, attr)
            if v is None:
                continue
            v = np.asarray(v)
            if v.shape[:1] != (n,):
                raise RouterlabError(f"{attr} has {v.shape[0] if v.ndim else 0} entries for {n} queries")
            if attr == "prompts" and v.dtype.kind == "U":  # fixed width = the longest text per row
                v = v.astype(object)
            object.__setattr__(self, attr, v)
        for attr in ("confidence", "answer_tokens"):
            v = getattr(self, attr)
            if v is not None:
                v = np.asarray(v)
                if v.shape != (n, m):
                    raise RouterlabError(f"{attr} has shape {v.shape}, expected ({n}, {m})")
                object.__setattr__(self, attr, v)
        if self.features is not None:
            f = np.asarray(self.features, dtype=np.float64)
            if f.ndim != 2 or f.shape[0] != n:
                raise RouterlabError(f"features must be (n_queries, d) = ({n}, d), got {f.shape}")
            object.__setattr__(self, "features", f)
        object.__setattr__(self, "models", tuple(self.models))

    # ---- shape and names -------------------------------------------------------------------
    @property
    def n_queries(self) -> int:
        return self.quality.shape[0]

    @property
    def n_models(self) -> int:
        return self.quality.shape[1]

    @property
    def model_names(self) -> list[str]:
        return [m.name for m in self.models]

    @cached_property
    def _dataset_codes(self) -> tuple[np.ndarray, np.ndarray]:
        names, first, codes = np.unique(self.datasets, return_index=True, return_inverse=True)
        order = np.argsort(first, kind="stable")  # datasets in order of first appearance
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        return names[order], rank[codes.ravel()]

    @property
    def dataset_names(self) -> list[str]:
        """Distinct dataset labels, in order of first appearance."""
        return [str(x) for x in self._dataset_codes[0]]

    @property
    def dataset_codes(self) -> np.ndarray:
        """(n,) int index into :attr:`dataset_names` for every query."""
        return self._dataset_codes[1]

    @property
    def price_in(self) -> np.ndarray:
        """(m,) USD per 1M input tokens."""
        return np.array([m.price_in for m in self.models], dtype=np.float64)

    @property
    def price_out(self) -> np.ndarray:
        """(m,) USD per 1M output tokens."""
        return np.array([m.price_out for m in self.models], dtype=np.float64)

    def model_index(self, name: str | int) -> int:
        """Column of model ``name`` (an int passes through); one-line error for unknown names."""
        if isinstance(name, (int, np.integer)):
            if not 0 <= int(name) < self.n_models:
                raise RouterlabError(f"model index {name} out of range 0..{self.n_models - 1}")
            return int(name)
        names = self.model_names
        if name not in names:
            raise RouterlabError(f"unknown model {name!r}; this benchmark has: {', '.join(names)}")
        return names.index(name)

    def dataset_mask(self, name: str) -> np.ndarray:
        """(n,) bool mask of the queries of dataset ``name`` (one-line error if unknown)."""
        if name not in self.dataset_names:
            raise RouterlabError(f"unknown dataset {name!r}; this benchmark has: {', '.join(self.dataset_names)}")
        return self.datasets == name

    # ---- subsets ---------------------------------------------------------------------------
    def rows(self, idx) -> "Benchmark":
        """The queries selected by ``idx`` (slice -> views, int array or bool mask -> copies)."""
        idx = _as_index(idx, self.n_queries)

        def take(a):
            return None if a is None else a[idx]

        latent = None
        if self.latent is not None:
            latent = {k: (v[idx] if isinstance(v, np.ndarray) and v.shape[:1] == (self.n_queries,) else v)
                      for k, v in self.latent.items()}
        return replace(
            self, quality=self.quality[idx], cost=self.cost[idx], sample_ids=self.sample_ids[idx],
            datasets=self.datasets[idx], prompt_tokens=self.prompt_tokens[idx],
            features=take(self.features), confidence=take(self.confidence),
            answer_tokens=take(self.answer_tokens), prompts=take(self.prompts),
            subsets=take(self.subsets), latent=latent)

    def select_models(self, names: Sequence[str | int]) -> "Benchmark":
        """Only the models ``names`` (in that order); query arrays are shared, not copied."""
        cols = [self.model_index(x) for x in names]
        if len(set(cols)) != len(cols):
            raise RouterlabError(f"model list {list(names)} repeats a model")
        if not cols:
            raise RouterlabError("select at least one model")

        def take(a):
            return None if a is None else a[:, cols]

        latent = self.latent
        if latent is not None:
            latent = {k: (v[:, cols] if isinstance(v, np.ndarray) and v.ndim == 2
                          and v.shape == self.quality.shape else v) for k, v in latent.items()}
            latent["model_columns"] = [self.model_names[c] for c in cols]
        return replace(
            self, quality=self.quality[:, cols], cost=self.cost[:, cols],
            models=tuple(self.models[c] for c in cols), confidence=take(self.confidence),
            answer_tokens=take(self.answer_tokens), latent=latent)

    def without_truth(self) -> "Benchmark":
        """What a router is allowed to see of a test set: quality and cost NaN, and no field derived
        from the outcomes (``answer_tokens``, from which the cost can be recomputed and which carries
        a correctness signal, and ``latent``) at all. ``confidence`` stays: it is what a cascade
        observes after paying for a call, and cascades read it only for the models they called."""
        return replace(self, quality=np.full_like(self.quality, np.nan),
                       cost=np.full_like(self.cost, np.nan), answer_tokens=None, latent=None)

    # ---- summaries -------------------------------------------------------------------------
    def accuracy(self) -> np.ndarray:
        """(m,) mean quality of each model over all queries."""
        return self.quality.mean(axis=0)

    def accuracy_by_dataset(self) -> "pd.DataFrame":
        """(datasets x models) mean quality table."""
        import pandas as pd

        codes = self.dataset_codes
        k = len(self.dataset_names)
        counts = np.bincount(codes, minlength=k)
        sums = np.zeros((k, self.n_models))
        np.add.at(sums, codes, self.quality)
        return pd.DataFrame(sums / counts[:, None], index=self.dataset_names, columns=self.model_names)

    def describe(self) -> str:
        """A short multi-line text summary (what ``routerlab info`` prints)."""
        import pandas as pd

        lines = [f"{self.name}: {self.n_queries:,} queries x {self.n_models} models = "
                 f"{self.n_queries * self.n_models:,} outcomes"
                 + (" [SIMULATED]" if self.simulated else "")
                 + (" [ESTIMATED COST]" if self.cost_estimated else "")]
        for k, v in (self.provenance or {}).items():
            lines.append(f"  {k}: {v:,}" if isinstance(v, (int, np.integer)) else f"  {k}: {v}")
        table = pd.DataFrame({
            "provider": [m.provider for m in self.models],
            "tier": [m.tier for m in self.models],
            "$/1M in": self.price_in, "$/1M out": self.price_out,
            "accuracy": self.accuracy(),
            ("mean est. cost $" if self.cost_estimated else "mean cost $"): self.cost.mean(axis=0),
        }, index=self.model_names)
        lines.append(table.to_string(float_format=lambda x: f"{x:.4g}"))
        sizes = pd.Series(np.bincount(self.dataset_codes), index=self.dataset_names, name="queries")
        lines.append("")
        lines.append(pd.concat([sizes, self.accuracy_by_dataset()], axis=1).to_string(
            float_format=lambda x: f"{x:.3f}"))
        return "\n".join(lines)


def concat(parts: Iterable[Benchmark], name: str | None = None) -> Benchmark:
    """Stack benchmarks with the same models row-wise (optional arrays must be present in all)."""
    parts = list(parts)
    if not parts:
        raise RouterlabError("nothing to concatenate")
    first = parts[0]
    for p in parts[1:]:
        if p.model_names != first.model_names:
            raise RouterlabError("cannot concatenate benchmarks with different models")

    def cat(attr):
        vals = [getattr(p, attr) for p in parts]
        if any(v is None for v in vals):
            return None
        return np.concatenate(vals)

    return Benchmark(
        quality=cat("quality"), cost=cat("cost"), models=first.models, sample_ids=cat("sample_ids"),
        datasets=cat("datasets"), prompt_tokens=cat("prompt_tokens"), features=cat("features"),
        confidence=cat("confidence"), answer_tokens=cat("answer_tokens"), prompts=cat("prompts"),
        subsets=cat("subsets"), name=name or first.name, simulated=first.simulated,
        cost_estimated=any(p.cost_estimated for p in parts))


# ---- fingerprint -------------------------------------------------------------------------------
def _hash_array(h, a) -> None:
    if a is None:
        h.update(b"<none>")
        return
    a = np.asarray(a)
    if a.dtype.kind in "OUS":
        h.update(("\x1f".join(map(str, a.ravel().tolist()))).encode("utf-8"))
    else:
        h.update(str(a.dtype).encode())
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(str(a.shape).encode())


def benchmark_fingerprint(bench: Benchmark) -> str:
    """SHA-256 of what routers and scores read: quality, cost, features, confidence, answer and
    prompt tokens, datasets, sample ids, subsets, prompt texts and the model metadata (names, prices)."""
    h = hashlib.sha256()
    for a in (bench.quality, bench.cost, bench.features, bench.confidence, bench.answer_tokens,
              bench.prompt_tokens, bench.datasets, bench.sample_ids, bench.subsets, bench.prompts):
        _hash_array(h, a)
    h.update(json.dumps([[m.name, m.provider, m.tier, m.price_in, m.price_out] for m in bench.models]).encode())
    return h.hexdigest()
