"""Train/test splits of a benchmark: stratified by dataset x difficulty, or plain random.

The evaluation protocol (:mod:`routerlab.evaluation.protocol`) and every routine that holds out
test rows split through :func:`split_indices`; the same ``seed`` always gives the same split.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np

from routerlab.data.benchmark import Benchmark
from routerlab.errors import RouterlabError, check_choice, check_range

__all__ = ["SPLITS", "query_difficulty", "difficulty_bins", "stratified_split", "random_split", "split_indices"]

SPLITS = ("stratified", "random", "none")


def query_difficulty(quality: np.ndarray) -> np.ndarray:
    """(n,) share of models that answer each query correctly (mean quality over the m models).

    ``quality`` is (n, m) in [0, 1]; for 0/1 quality this is exactly the share of correct models.
    Higher means easier.
    """
    q = np.asarray(quality, dtype=np.float64)
    if q.ndim != 2 or q.shape[1] == 0:
        raise RouterlabError(f"quality must be a (queries x models) array, got shape {q.shape}")
    return q.mean(axis=1)


def difficulty_bins(quality: np.ndarray) -> np.ndarray:
    """(n,) int bin in 0..m of each query's difficulty: round(share correct x m).

    For 0/1 quality the bin is the number of models that answer correctly.
    """
    q = np.asarray(quality, dtype=np.float64)
    return np.rint(query_difficulty(q) * q.shape[1]).astype(np.int64)


def _check_test_size(test_size: float) -> float:
    return check_range("test_size", test_size, 0.0, 1.0, lo_open=True, hi_open=True)


def _check_seeds(seeds: Iterable[int]) -> list[int]:
    """``seeds`` as a non-empty list of distinct ints >= 0, else a one-line error."""
    seeds = [int(check_range("seed", s, 0)) for s in seeds]
    if not seeds:
        raise RouterlabError("seeds is empty; give at least one seed, e.g. range(5)")
    if len(set(seeds)) != len(seeds):
        raise RouterlabError(f"seeds {seeds} repeat a value")
    return seeds


def stratified_split(bench: Benchmark, test_size: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Train/test row indices stratified by dataset x difficulty bin (sorted int arrays).

    Rows are ordered by stratum and, within a stratum, by a seeded random key; then a systematic
    sample with a random offset takes every (1 / test_size)-th row into the test set. Every
    stratum of size s gets floor or ceil of ``s * test_size`` test rows, the whole test set has
    ``round(n * test_size)`` rows (within one), and the same seed gives the same split.
    """
    t = _check_test_size(test_size)
    n = bench.n_queries
    rng = np.random.default_rng(int(seed))
    strata = bench.dataset_codes.astype(np.int64) * (bench.n_models + 1) + difficulty_bins(bench.quality)
    key = rng.random(n)
    offset = rng.random()
    order = np.lexsort((key, strata))  # by stratum, then random key
    pos = np.arange(n, dtype=np.float64)
    take = (np.floor((pos + 1) * t + offset) - np.floor(pos * t + offset)) > 0
    test = np.sort(order[take])
    train = np.sort(order[~take])
    _check_nonempty(train, test, n)
    return train, test


def random_split(bench: Benchmark, test_size: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Plain random train/test row indices (sorted), ``round(n * test_size)`` test rows."""
    t = _check_test_size(test_size)
    n = bench.n_queries
    perm = np.random.default_rng(int(seed)).permutation(n)
    k = int(round(n * t))
    train, test = np.sort(perm[k:]), np.sort(perm[:k])
    _check_nonempty(train, test, n)
    return train, test


def _check_nonempty(train, test, n):
    if len(test) == 0 or len(train) == 0:
        raise RouterlabError(f"a split of {n} queries left an empty {'test' if len(test) == 0 else 'training'} "
                             "set; use more queries or another test_size")


def split_indices(bench: Benchmark, split: str = "stratified", test_size: float = 0.2,
                  seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``(train_idx, test_idx)`` for ``split`` in :data:`SPLITS` (``"none"``: both are all rows)."""
    check_choice("split", split, SPLITS)
    if split == "stratified":
        return stratified_split(bench, test_size, seed)
    if split == "random":
        return random_split(bench, test_size, seed)
    every = np.arange(bench.n_queries)
    return every, every


