"""The MF router's latent dimension (rank) k swept on a benchmark, on the evaluation protocol's splits.

:func:`mf_rank_sweep` fits :class:`~routerlab.routing.predictive.MatrixFactorizationRouter` for each k on
each split (stratified 80/20, the split's seed also seeds the fit) and scores it on the test rows
with the global RS normalisation. On real data (prompts, no features) TF-IDF features are fitted
per split on the training prompts, once, and shared by every k, as the evaluation protocol does.
:func:`plateau_rank` reads off the rank above which RS stops changing.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from routerlab.errors import RouterlabError, check_range

__all__ = ["mf_rank_sweep", "rank_difference", "plateau_rank"]


def mf_rank_sweep(bench, ks: Sequence[int], seeds: Sequence[int], n_train: int | None = None,
                  test_size: float = 0.2, text_features: str | None = "auto",
                  subsample: tuple[int, Sequence[int]] | None = None, **mf_options) -> pd.DataFrame:
    """Test RS of MF for every rank in ``ks`` on every split: a long table.

    ``n_train``: fit on a stratified subsample of that many training rows (None: the whole
    training split). ``subsample = (n, ks_sub)``: on each split also fit the ranks ``ks_sub`` on a
    stratified subsample of n of those training rows, or on all of them when there are at most n
    (sharing the split's text features, so they are computed once). Columns ``seed``, ``k``, ``rs`` (test RS, global normalisation on the test
    rows), ``train_rs`` (RS on the rows it was fitted on), ``n_train``, ``training`` ("split" or
    "subsample"), ``fit_seconds``.
    """
    import time

    from routerlab.data.splits import stratified_split
    from routerlab.metrics import rs_terms
    from routerlab.routing.routers import make_router

    ks = [int(check_range("k", k, 1)) for k in ks]
    if not ks:
        raise RouterlabError("give at least one rank k")
    from routerlab.routing.features import resolve_text_features, split_rows

    text_features = resolve_text_features(bench, text_features)
    rows = []
    for seed in seeds:
        seed = int(seed)
        tr, te = stratified_split(bench, test_size, seed)
        if n_train is not None and n_train < len(tr):
            _, pick = stratified_split(bench.rows(tr), test_size=n_train / len(tr), seed=seed)
            tr = tr[pick]
        train, test = split_rows(bench, tr, te, text_features, seed)
        fits = [("split", train, ks)]
        if subsample is not None:
            sub = train
            if int(subsample[0]) < train.n_queries:  # else every training row (as a split this small has)
                _, pick = stratified_split(train, test_size=int(subsample[0]) / train.n_queries, seed=seed)
                sub = train.rows(pick)
            fits.append(("subsample", sub, [int(k) for k in subsample[1]]))
        blind_test = test.without_truth()
        for training, tr_b, ks_here in fits:
            blind_train = tr_b.without_truth()
            for k in ks_here:
                t0 = time.perf_counter()
                router = make_router("mf", seed=seed, k=k, **mf_options).fit(tr_b)
                fit_s = time.perf_counter() - t0

                def score(b, blind):
                    r = router.route(blind)
                    return float(rs_terms(r.returned_quality(b.quality), r.paid(b.cost), b.cost).mean())

                rows.append({"seed": seed, "k": k, "rs": score(test, blind_test), "train_rs": score(tr_b, blind_train),
                             "n_train": tr_b.n_queries, "training": training, "fit_seconds": fit_s})
    return pd.DataFrame(rows)


def rank_difference(sweep: pd.DataFrame, k_high: int, k_low: int = 1) -> tuple[float, float, float]:
    """Mean and 95% t-interval over the seeds of RS(k_high) - RS(k_low), paired by seed."""
    from routerlab.evaluation.analysis import seed_interval

    wide = sweep.pivot(index="seed", columns="k", values="rs")
    for k in (k_high, k_low):
        if k not in wide.columns:
            raise RouterlabError(f"rank {k} was not swept (swept: {list(wide.columns)})")
    return seed_interval((wide[k_high] - wide[k_low]).to_numpy(dtype=float))


def plateau_rank(ks: Sequence[int], rs: Sequence[float], tol: float) -> int | None:
    """The smallest rank from which RS stays within ``tol`` of the best RS for every larger rank.

    ``ks`` (p,) increasing ranks; ``rs`` (p,) mean RS at each. E.g. ks = (1, 2, 4), rs = (0.60,
    0.65, 0.652), tol = 0.005 -> 2. None when the largest rank itself is more than ``tol`` below
    the best (RS falls again at the top of the grid: no plateau).
    """
    ks = np.asarray(ks)
    rs = np.asarray(rs, dtype=float)
    if ks.shape != rs.shape or ks.size == 0:
        raise RouterlabError("ks and rs must be non-empty and of the same length")
    if np.any(np.diff(ks) <= 0):
        raise RouterlabError("ks must be increasing")
    check_range("tol", tol, 0)
    close = np.abs(rs - rs.max()) <= tol
    # the last rank that is not close; the plateau starts right after it
    bad = np.flatnonzero(~close)
    if bad.size and bad[-1] == ks.size - 1:
        return None
    return int(ks[0] if bad.size == 0 else ks[bad[-1] + 1])
