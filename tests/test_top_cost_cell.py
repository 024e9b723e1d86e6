"""routerlab.evaluation.top_cost_cell: what the single most expensive call does to RS (chapter 02).

Hand-built benchmarks: one dataset where every row has the same outcomes, so a stratified 20% test
set is any 20% of the rows and RS can be computed by hand whether it holds the top call or not."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.data.splits import stratified_split
from routerlab.errors import RouterlabError
from routerlab.evaluation import top_cost_cell as tc


def _bench(quality, cost):
    q, c = np.asarray(quality, float), np.asarray(cost, float)
    n, m = q.shape
    models = tuple(Model(f"m{j}", "p", "t", 1.0, 1.0) for j in range(m))
    return Benchmark(quality=q, cost=c, models=models, sample_ids=np.array([f"q{i}" for i in range(n)]),
                     datasets=np.array(["d"] * n), prompt_tokens=np.full(n, 10))


def _outlier_bench(n=20, top=10.0):
    """n rows, both models always correct; m0 costs 0, m1 costs 1, except row 7 where m1 costs ``top``."""
    cost = np.tile([0.0, 1.0], (n, 1))
    cost[7, 1] = top
    return _bench(np.ones((n, 2)), cost)


def test_top_cell_names_the_call_and_the_caps():
    b = _outlier_bench()
    cell = tc.top_cell(b, quantile=0.99)
    assert (cell["row"], cell["col"], cell["sample_id"], cell["model"]) == (7, 1, "q7", "m1")
    assert cell["cost"] == 10.0 and cell["next_cost"] == 1.0
    assert 1.0 <= cell["quantile_cost"] <= 10.0


def test_hand_computed_rs_with_and_without_the_call():
    b = _outlier_bench()
    frame, cell = tc.top_cell_sensitivity(b, seeds=range(6), quantile=0.9)
    for seed in range(6):
        te = stratified_split(b, 0.2, seed)[1]
        rows = frame[frame["seed"] == seed].set_index(["variant", "policy"])["rs"]
        holds = 7 in te
        assert bool(frame.loc[frame["seed"] == seed, "in_test"].iloc[0]) == holds
        # as is: m1 pays 1 of a range 10 on every other row, 10 (factor 0) on row 7
        expected_m1 = (np.mean([0.0 if i == 7 else 0.9 for i in te]) if holds else 0.0)
        assert rows["as published", "m1"] == pytest.approx(expected_m1)
        assert rows["as published", "m0"] == pytest.approx(1.0)  # m0 costs the minimum: factor 1
        # without the call (dropped, or capped at the next largest cost 1) m1 pays the maximum: 0
        assert rows["top call dropped", "m1"] == pytest.approx(0.0)
        assert rows["capped at next largest", "m1"] == pytest.approx(0.0)
        # the oracle answers every query with the free m0: RS 1 whatever the range
        assert rows["as published", tc.OUB] == pytest.approx(1.0)
    summary = tc.sensitivity_summary(frame)
    held = sorted(set(frame.loc[frame["in_test"], "seed"]))
    assert held, "at least one of the six splits holds row 7 (a 20% test set of 20 rows)"
    assert summary.loc["m1", "cell move"] == pytest.approx(-0.9 * 3 / 4)  # 3 of 4 test rows pay 1 of 10
    assert summary.loc["m1", "cell move seed"] in held
    assert summary.loc["m1", "spread capped"] == pytest.approx(0.0)
    assert summary.loc["m0", "cell move"] == pytest.approx(0.0)
    assert list(summary.index) == ["m0", "m1", tc.OUB]


def test_nothing_moves_when_no_split_holds_the_call():
    b = _outlier_bench()
    seeds = [s for s in range(30) if 7 not in stratified_split(b, 0.2, s)[1]][:3]
    frame, _ = tc.top_cell_sensitivity(b, seeds=seeds)
    s = tc.sensitivity_summary(frame)
    assert not frame["in_test"].any()
    assert np.allclose(s[["change top call dropped", "change capped at next largest", "cell move"]], 0.0)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_a_cap_never_raises_a_fixed_models_rs_and_rs_stays_in_unit_range(seed):
    # capping lowers c_max and every paid cost by at most as much: each normalised cost can only
    # grow, so no fixed model's RS can rise; the oracle stays at least as good as every fixed model
    rng = np.random.default_rng(seed)
    n, m = 40, 3
    b = _bench(rng.integers(0, 2, (n, m)), rng.lognormal(-6, 1.5, (n, m)))
    frame, _ = tc.top_cell_sensitivity(b, seeds=range(2), quantile=0.9)
    assert frame["rs"].between(0, 1).all()
    wide = frame.pivot_table(index=["seed", "policy"], columns="variant", values="rs")
    fixed = wide.drop(index=tc.OUB, level="policy")
    for v in ("capped at next largest", "capped at high quantile"):
        assert (fixed[v] <= fixed["as published"] + 1e-12).all()
    for seed_ in range(2):
        per = frame[(frame["seed"] == seed_)].set_index(["variant", "policy"])["rs"]
        for v in tc.VARIANTS:
            assert per[v, tc.OUB] >= per[v].drop(tc.OUB).max() - 1e-12


def test_bad_input_is_one_line():
    b = _outlier_bench()
    with pytest.raises(RouterlabError, match="quantile"):
        tc.top_cell(b, quantile=1.0)
    with pytest.raises(RouterlabError, match="no seeds"):
        tc.top_cell_sensitivity(b, seeds=[])
    bad = _outlier_bench()
    bad.cost[0, 0] = np.nan
    with pytest.raises(RouterlabError, match="finite"):
        tc.top_cell(bad)
