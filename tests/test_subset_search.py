"""Tests of routerlab.evaluation.subset_search: best achievable RS of model subsets (chapter 05, real data)."""

from __future__ import annotations


import numpy as np
import pytest

from routerlab.evaluation import subset_search as ss
from routerlab.errors import RouterlabError

# two queries x three models, RS contributions chosen by hand
S = np.array([[0.5, 0.25, 0.0],       # binary fractions: ties are exact
              [0.125, 0.375, 0.25]])
MODELS = ["a", "b", "c"]


def brute_values(s):
    """{mask: value} by direct enumeration."""
    n, m = s.shape
    out = {0: 0.0}
    for mask in range(1, 1 << m):
        cols = [j for j in range(m) if mask >> j & 1]
        out[mask] = float(s[:, cols].max(axis=1).mean())
    return out


def random_scores(n, m, seed):
    rng = np.random.default_rng(seed)
    q = rng.random((n, m)) < rng.uniform(0.3, 0.9, m)       # 0/1 outcomes
    cost = rng.uniform(0.05, 1.0, m) * rng.uniform(0.5, 1.5, (n, 1))
    return q * (1 - (cost - cost.min()) / (cost.max() - cost.min()))


def test_all_subset_values_by_hand():
    v = ss.all_subset_values(S)
    # masks: a=1, b=2, c=4
    expected = {0: 0.0, 1: 0.3125, 2: 0.3125, 3: 0.4375, 4: 0.125, 5: 0.375, 6: 0.3125, 7: 0.4375}
    assert v == pytest.approx([expected[k] for k in range(8)])


def test_all_subset_values_match_brute_force_and_chunking():
    s = random_scores(37, 6, 1)
    bf = brute_values(s)
    v = ss.all_subset_values(s, chunk=5)   # several chunks, the last one short
    assert v == pytest.approx([bf[k] for k in range(64)])


def test_all_subset_values_equal_the_chapters_oracle_subset_scores():
    import routerlab as rl
    from routerlab.evaluation.analysis import oracle_subset_scores
    from routerlab.metrics import cell_scores

    b = rl.simulate(scale=0.01, seed=3)
    v = ss.all_subset_values(cell_scores(b.quality, b.cost))
    subsets = [("GPT-4o",), ("Llama-3-8B-Instruct", "GPT-4o"), tuple(b.model_names)]
    ref = oracle_subset_scores(b, subsets)
    for sub, rs in zip(subsets, ref["rs"]):
        assert v[ss.mask_of(sub, b.model_names)] == pytest.approx(rs, abs=1e-12)


def test_values_grow_with_the_subset():
    v = ss.all_subset_values(random_scores(20, 5, 2))
    for mask in range(32):
        for j in range(5):
            assert v[mask | (1 << j)] >= v[mask] - 1e-15


def test_best_by_size_by_hand():
    t = ss.best_by_size(ss.all_subset_values(S), MODELS)
    assert list(t["size"]) == [1, 2, 3]
    assert t["best"].tolist() == pytest.approx([0.3125, 0.4375, 0.4375])
    assert t.loc[0, "models"] == ("a",)          # a and b tie at 0.3125: the smaller mask
    assert t.loc[1, "models"] == ("a", "b")
    assert list(t["n_evaluated"]) == [3, 3, 1]
    assert (t["lower"] == t["upper"]).all()


def test_masks_and_popcount():
    assert ss.popcount([0, 1, 6, 7, 1 << 40]).tolist() == [0, 1, 2, 3, 1]
    assert ss.mask_members(5, MODELS) == ("a", "c")
    assert ss.mask_of(("c", "a"), MODELS) == 5
    with pytest.raises(RouterlabError):
        ss.mask_of(("z",), MODELS)


def test_subset_values_direct():
    assert ss.subset_values(S, [[0, 1], [2, 0], [1, 2]]).tolist() == pytest.approx([0.4375, 0.375, 0.3125])


def test_coverage_terms_reproduce_every_value():
    s = random_scores(25, 7, 4)
    bf = brute_values(s)
    terms = ss.coverage_terms(s)
    assert ss.coverage_values(terms, np.arange(128)) == pytest.approx([bf[k] for k in range(128)])
    assert terms[1].sum() == pytest.approx(s.max(axis=1).mean())   # the full set meets every term


def test_greedy_path_by_hand():
    order, values = ss.greedy_path(S)
    assert order.tolist()[:2] == [0, 1]       # a (tie with b, lower column), then b
    assert values.tolist() == pytest.approx([0.3125, 0.4375, 0.4375])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_search_brackets_the_exact_best(seed):
    s = random_scores(60, 9, seed)
    names = [f"m{j}" for j in range(9)]
    exact = ss.best_by_size(ss.all_subset_values(s), names)
    searched = ss.search_best_by_size(s, names, exact_limit=0, n_random=50, seed=seed)
    assert (searched["method"] == "search").all()
    assert (searched["lower"].to_numpy() <= exact["best"].to_numpy() + 1e-12).all()
    assert (searched["upper"].to_numpy() >= exact["best"].to_numpy() - 1e-12).all()
    # each reported subset really has its reported value and size
    for _, row in searched.iterrows():
        cols = [names.index(x) for x in row["models"]]
        assert len(cols) == row["size"]
        assert s[:, cols].max(axis=1).mean() == pytest.approx(row["best"])
    # with a high enough limit every size is enumerated and equals the bit-mask answer
    full = ss.search_best_by_size(s, names, exact_limit=10_000, n_random=0)
    assert (full["method"] == "exact").all()
    assert full["best"].to_numpy() == pytest.approx(exact["best"].to_numpy())


def test_exact_best_subset_and_lp_bound_match_brute_force():
    s = random_scores(40, 8, 7)
    bf = brute_values(s)
    for k in (2, 3, 5):
        best = max(v for mask, v in bf.items() if bin(mask).count("1") == k)
        r = ss.exact_best_subset(s, k)
        assert r["optimal"]
        assert bin(r["mask"]).count("1") == k
        assert r["value"] == pytest.approx(best)
        assert r["upper"] >= best - 1e-9
        assert ss.lp_upper_bound(s, k) >= best - 1e-9


def test_models_needed_by_hand():
    import pandas as pd

    t = pd.DataFrame({"size": [1, 2, 3, 4], "lower": [0.5, 0.8, 0.97, 1.0], "upper": [0.6, 0.995, 1.0, 1.0]})
    assert ss.models_needed(t, 1.0, 0.99) == (2, 4)
    assert ss.models_needed(t.assign(upper=t["lower"]), 1.0, 0.99) == (4, 4)
    assert ss.models_needed(t, 1.0, 0.5) == (1, 1)


def test_certify_models_needed_gives_the_brute_force_answer():
    s = random_scores(80, 10, 11)
    names = [f"m{j}" for j in range(10)]
    exact = ss.best_by_size(ss.all_subset_values(s), names)
    full = exact["best"].iloc[-1]
    for share in (0.9, 0.97, 0.99):
        k_true = int(exact.loc[exact["best"] >= share * full - 1e-12, "size"].min())
        searched = ss.search_best_by_size(s, names, exact_limit=0, n_random=0)
        t, k_lo, k_hi = ss.certify_models_needed(s, searched, names, share)
        assert k_lo == k_hi == k_true
        assert (t["lower"].to_numpy() <= exact["best"].to_numpy() + 1e-12).all()


def test_oracle_size_curves_on_a_small_simulation():
    import routerlab as rl

    b = rl.simulate(scale=0.01, seed=0)
    curves, per_seed = ss.oracle_size_curves(b, [0, 1])
    assert set(curves["seed"]) == {0, 1} and len(curves) == 2 * b.n_models
    assert np.allclose(curves.groupby("seed")["share_of_full"].last(), 1.0)
    assert ((per_seed["best_pair_share"] > 0) & (per_seed["best_pair_share"] <= 1)).all()
    assert (per_seed["k_low"] == per_seed["k_high"]).all()
    summ = ss.size_curve_summary(curves)
    assert list(summ["size"]) == list(range(1, b.n_models + 1))
    assert (summ["best_lo"] <= summ["best"]).all() and (summ["best"] <= summ["best_hi"]).all()
    assert not summ["searched"].any()


def test_bad_inputs_raise():
    with pytest.raises(RouterlabError):
        ss.all_subset_values(-S)
    with pytest.raises(RouterlabError):
        ss.all_subset_values(np.zeros((3, 21)))
    with pytest.raises(RouterlabError):
        ss.best_by_size(np.zeros(5), MODELS)
    with pytest.raises(RouterlabError):
        ss.exact_best_subset(S, 4)
