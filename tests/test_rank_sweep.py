"""Tests of routerlab.evaluation.rank_sweep: MF's rank swept on the evaluation protocol's splits (chapter 06)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from routerlab.evaluation import rank_sweep as rsw
from routerlab.errors import RouterlabError


def test_plateau_rank_by_hand():
    assert rsw.plateau_rank([1, 2, 4], [0.60, 0.65, 0.652], 0.005) == 2
    assert rsw.plateau_rank([1, 2, 4, 8], [0.70, 0.70, 0.70, 0.70], 0.005) == 1
    assert rsw.plateau_rank([1, 2, 4, 8], [0.60, 0.70, 0.62, 0.698], 0.005) == 8   # a dip in between
    assert rsw.plateau_rank([1, 2, 4], [0.60, 0.70, 0.65], 0.005) is None           # falls at the top
    with pytest.raises(RouterlabError):
        rsw.plateau_rank([2, 1], [0.5, 0.5], 0.01)


def test_rank_difference_by_hand():
    sweep = pd.DataFrame({"seed": [0, 0, 1, 1], "k": [1, 4, 1, 4], "rs": [0.50, 0.55, 0.60, 0.70]})
    mean, lo, hi = rsw.rank_difference(sweep, 4)
    d = np.array([0.05, 0.10])
    half = stats.t.ppf(0.975, 1) * d.std(ddof=1) / math.sqrt(2)
    assert mean == pytest.approx(0.075)
    assert (lo, hi) == pytest.approx((0.075 - half, 0.075 + half))
    with pytest.raises(RouterlabError):
        rsw.rank_difference(sweep, 8)


def test_mf_rank_sweep_on_a_small_simulation():
    import routerlab as rl

    b = rl.simulate(scale=0.01, seed=0)
    out = rsw.mf_rank_sweep(b, [1, 3], [0, 1], n_train=200)
    assert list(out.columns[:3]) == ["seed", "k", "rs"]
    assert len(out) == 4 and set(out["k"]) == {1, 3}
    assert out["rs"].between(0, 1).all() and out["train_rs"].between(0, 1).all()
    assert (out["n_train"] <= 200).all()
    again = rsw.mf_rank_sweep(b, [1, 3], [0, 1], n_train=200)     # seeded: same numbers
    assert np.allclose(out["rs"], again["rs"])


def test_mf_rank_sweep_subsample_option():
    import routerlab as rl

    b = rl.simulate(scale=0.01, seed=1)
    out = rsw.mf_rank_sweep(b, [1, 2], [0], subsample=(150, [2]))
    split, sub = out[out["training"] == "split"], out[out["training"] == "subsample"]
    assert list(split["k"]) == [1, 2] and list(sub["k"]) == [2]
    assert sub["n_train"].iloc[0] <= 150 < split["n_train"].iloc[0]
    alone = rsw.mf_rank_sweep(b, [2], [0], n_train=150)    # the same subsample, fitted on its own
    assert sub["rs"].iloc[0] == pytest.approx(alone["rs"].iloc[0])
    big = rsw.mf_rank_sweep(b, [2], [0], subsample=(10**6, [2]))   # more than the split has: all rows
    assert big["rs"].iloc[0] == pytest.approx(big["rs"].iloc[1])


def test_mf_rank_sweep_needs_a_rank():
    import routerlab as rl

    with pytest.raises(RouterlabError):
        rsw.mf_rank_sweep(rl.simulate(scale=0.01), [], [0])
