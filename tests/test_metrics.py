"""The Routing Score and its bounds: hand-computed cases and property-based invariants.

Every expected number in the hand-computed tests is worked out in the comment beside it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from routerlab.errors import RouterlabError
from routerlab.metrics import (
    coub_choice, cost_range, normalized_cost, oracle_choice, policy_summary, qoub_choice,
    routing_score, rs_terms,
)
from routerlab.routing.routers import Routing

# ---- a 3 x 3 toy benchmark (queries x models) ---------------------------------------------
# cost (USD):            quality:
#   q0: 1  2  4            1 1 0
#   q1: 1  3  5            0 1 1
#   q2: 2  3  6            0 0 0
# global: cost_min = 1, cost_max = 6, span 5 -> normalised cost (c - 1) / 5:
#   q0: 0.0 0.2 0.6 ; q1: 0.0 0.4 0.8 ; q2: 0.2 0.4 1.0
# per-query: min (1, 1, 2), max (4, 5, 6), span (3, 4, 4):
#   q0: 0 1/3 1 ; q1: 0 1/2 1 ; q2: 0 1/4 1
Q3 = np.array([[1, 1, 0], [0, 1, 1], [0, 0, 0]], dtype=float)
C3 = np.array([[1, 2, 4], [1, 3, 5], [2, 3, 6]], dtype=float)


def _rs_of_choice(choice, quality=Q3, cost=C3, normalization="global", calls=None):
    r = Routing(np.asarray(choice), calls=calls)
    return routing_score(r.returned_quality(quality), r.paid(cost), cost, normalization)


def test_cost_range_global_and_per_query():
    lo, hi = cost_range(C3, "global")
    assert (float(lo), float(hi)) == (1.0, 6.0)
    lo, hi = cost_range(C3, "per-query")
    np.testing.assert_array_equal(lo, [1, 1, 2])
    np.testing.assert_array_equal(hi, [4, 5, 6])


def test_rs_global_by_hand():
    # choice (0, 1, 2): returned quality (1, 1, 0), paid (1, 3, 6)
    # terms: 1*(1-0) = 1 ; 1*(1-0.4) = 0.6 ; 0*(1-1) = 0  -> RS = 1.6 / 3
    q = np.array([1.0, 1.0, 0.0])
    paid = np.array([1.0, 3.0, 6.0])
    np.testing.assert_allclose(rs_terms(q, paid, C3), [1.0, 0.6, 0.0])
    assert routing_score(q, paid, C3) == pytest.approx(1.6 / 3)
    assert _rs_of_choice([0, 1, 2]) == pytest.approx(1.6 / 3)


def test_rs_per_query_by_hand():
    # choice (0, 1, 2): q0 factor 1 - 0 = 1 ; q1 factor 1 - (3-1)/4 = 0.5 ; q2 quality 0
    # RS = (1 + 0.5 + 0) / 3 = 0.5
    assert _rs_of_choice([0, 1, 2], normalization="per-query") == pytest.approx(0.5)
    # choice (1, 2, 0): q0 1*(1 - 1/3) = 2/3 ; q1 1*(1 - 1) = 0 ; q2 0 -> RS = 2/9
    assert _rs_of_choice([1, 2, 0], normalization="per-query") == pytest.approx(2 / 9)
    # same choice, global: q0 1*(1-0.2) = 0.8 ; q1 1*(1-0.8) = 0.2 ; q2 0 -> RS = 1/3
    assert _rs_of_choice([1, 2, 0]) == pytest.approx(1 / 3)


def test_fixed_model_rs_by_hand():
    # global, model 0: terms (1*1, 0, 0) -> 1/3 ; model 1: (0.8, 0.6, 0) -> 1.4/3 ;
    # model 2: (0, 1*(1-0.8) = 0.2, 0) -> 0.2/3
    expected = [1 / 3, 1.4 / 3, 0.2 / 3]
    for j, e in enumerate(expected):
        assert _rs_of_choice([j] * 3) == pytest.approx(e)


def test_cascade_paid_cost_and_clipping():
    # q0 calls models 0 and 1, returns model 1: paid 1 + 2 = 3 -> (3-1)/5 = 0.4 -> term 0.6
    # q1 calls all three, returns model 2: paid 1 + 3 + 5 = 9 > cost_max 6 -> clipped to 1 -> 0
    # q2 calls model 0 only: paid 2, quality 0 -> 0.  RS = 0.6 / 3 = 0.2
    calls = np.array([[1, 1, 0], [1, 1, 1], [1, 0, 0]], dtype=bool)
    r = Routing(np.array([1, 2, 0]), calls=calls)
    np.testing.assert_allclose(r.paid(C3), [3, 9, 2])
    np.testing.assert_allclose(normalized_cost(r.paid(C3), C3), [0.4, 1.0, 0.2])
    assert _rs_of_choice([1, 2, 0], calls=calls) == pytest.approx(0.2)
    # per-query: q0 (3-1)/3 = 2/3 -> 1/3 ; q1 (9-1)/4 = 2 -> clipped 1 -> 0 ; q2 0 -> RS = 1/9
    assert _rs_of_choice([1, 2, 0], calls=calls, normalization="per-query") == pytest.approx(1 / 9)
    # the same choice without the extra calls scores more (q0 0.8, q1 0.2): paid cost counts
    assert _rs_of_choice([1, 2, 0]) > _rs_of_choice([1, 2, 0], calls=calls)


def test_cost_span_zero():
    # every cost equal: the normalised cost is 0 (not NaN) and RS == mean quality
    cost = np.full((3, 3), 0.5)
    assert _rs_of_choice([0, 1, 2], cost=cost) == pytest.approx(2 / 3)  # quality (1, 1, 0)
    assert _rs_of_choice([0, 1, 2], cost=cost, normalization="per-query") == pytest.approx(2 / 3)
    # only one row constant, per-query: q1 costs (2, 2, 2) -> factor 1 on that row only
    cost = C3.copy()
    cost[1] = 2.0
    # choice (0, 1, 2): q0 1 ; q1 1*(1-0) = 1 ; q2 0 -> RS = 2/3
    assert _rs_of_choice([0, 1, 2], cost=cost, normalization="per-query") == pytest.approx(2 / 3)
    assert np.isfinite(normalized_cost(np.array([2.0]), np.array([[2.0, 2.0]]))).all()


def test_unknown_normalization_is_one_line_error():
    with pytest.raises(RouterlabError, match="normalization") as exc:
        routing_score(np.ones(3), np.ones(3), C3, "local")
    assert "\n" not in str(exc.value)


def test_policy_summary_by_hand():
    # choice (0, 1, 2): RS 1.6/3, quality 2/3, mean paid (1+3+6)/3 = 10/3,
    # reference = mean cost of model 2 = (4+5+6)/3 = 5 -> reduction 1 - (10/3)/5 = 1/3
    s = policy_summary(np.array([1.0, 1.0, 0.0]), np.array([1.0, 3.0, 6.0]), C3, 5.0)
    assert s["rs"] == pytest.approx(1.6 / 3)
    assert s["quality"] == pytest.approx(2 / 3)
    assert s["mean_cost"] == pytest.approx(10 / 3)
    assert s["cost_reduction"] == pytest.approx(1 / 3)
    assert np.isnan(policy_summary(np.ones(3), np.ones(3), C3, 0.0)["cost_reduction"])


# ---- bounds on a 4 x 3 matrix with ties and a row nobody answers ------------------------------
# quality:        cost:
#   r0: 0 1 1       1 2 4     cheapest correct: model 1
#   r1: 1 1 1       1 3 5     all correct: model 0
#   r2: 0 0 0       3 2 6     nobody correct: the cheapest, model 1
#   r3: 0 0 1       1 2 6     only model 2 is correct, and its cost is cost_max (factor 0)
# accuracy per model: (1/4, 2/4, 3/4)
QB = np.array([[0, 1, 1], [1, 1, 1], [0, 0, 0], [0, 0, 1]], dtype=float)
CB = np.array([[1, 2, 4], [1, 3, 5], [3, 2, 6], [1, 2, 6]], dtype=float)


def test_oub_by_hand():
    # global (min 1, max 6): r0 model 1 scores 1-(2-1)/5 = 0.8 > model 2 0.4 ; r1 model 0 scores 1 ;
    # r2 all 0 -> cheapest, model 1 ; r3 model 2 scores 1-(6-1)/5 = 0, tied with the wrong
    # models, and the tie goes to the correct answer -> model 2.  RS = (0.8 + 1 + 0 + 0) / 4
    choice = oracle_choice(QB, CB, "global")
    np.testing.assert_array_equal(choice, [1, 0, 1, 2])
    assert _rs_of_choice(choice, QB, CB) == pytest.approx(1.8 / 4)
    # per-query: r0 1 - (2-1)/3 = 2/3 ; r1 1 ; r2 0 ; r3 1 - 1 = 0 -> RS = (5/3) / 4 = 5/12
    choice = oracle_choice(QB, CB, "per-query")
    np.testing.assert_array_equal(choice, [1, 0, 1, 2])
    assert _rs_of_choice(choice, QB, CB, "per-query") == pytest.approx(5 / 12)
    # the oracle answers whenever any model does: quality 3/4 = the best single model's
    assert Routing(choice).returned_quality(QB).mean() == pytest.approx(0.75)


def test_coub_by_hand():
    # cheapest correct: r0 model 1 (2 < 4) ; r1 model 0 ; r2 none -> cheapest, model 1 (cost 2) ;
    # r3 model 2
    np.testing.assert_array_equal(coub_choice(QB, CB), [1, 0, 1, 2])
    # cost ties among correct models: the first column
    np.testing.assert_array_equal(coub_choice(np.ones((1, 3)), np.array([[2.0, 1.0, 1.0]])), [1])


def test_qoub_by_hand():
    # the most accurate model (model 2, accuracy 3/4) among the correct ones on every row;
    # r2 has no correct model: any is allowed -> model 2 again
    choice = qoub_choice(QB)
    np.testing.assert_array_equal(choice, [2, 2, 2, 2])
    # global RS: r0 1-(4-1)/5 = 0.4 ; r1 1-(5-1)/5 = 0.2 ; r2 0 ; r3 1-1 = 0 -> 0.6/4 = 0.15
    assert _rs_of_choice(choice, QB, CB) == pytest.approx(0.15)
    assert Routing(choice).returned_quality(QB).mean() == pytest.approx(0.75)
    # with a given accuracy order preferring model 1: r0 -> 1, r1 -> 1, r2 -> 1, r3 -> 2 (only
    # model 2 correct)
    np.testing.assert_array_equal(qoub_choice(QB, np.array([0.1, 0.9, 0.5])), [1, 1, 1, 2])
    # accuracy ties: the first column among the tied
    np.testing.assert_array_equal(qoub_choice(np.ones((2, 3)), np.array([0.5, 0.7, 0.7])), [1, 1])


def test_bounds_ordering_on_hand_case():
    # OUB 0.45 >= COUB 0.45 >= QOUB 0.15 (global)
    oub = _rs_of_choice(oracle_choice(QB, CB), QB, CB)
    coub = _rs_of_choice(coub_choice(QB, CB), QB, CB)
    qoub = _rs_of_choice(qoub_choice(QB), QB, CB)
    assert oub == pytest.approx(coub)
    assert oub > qoub


def test_oub_differs_from_coub_with_fractional_quality():
    # quality 0.5 on the cheap model (cost 1) vs 1.0 on the dear one (cost 2), costs (1, 2), (0, 0):
    # global min 0, max 2: cheap 0.5*(1-0.5) = 0.25 ; dear 1*(1-1) = 0 -> OUB picks the cheap one.
    # COUB takes the best-quality model (the dear one).
    q = np.array([[0.5, 1.0], [0.0, 0.0]])
    c = np.array([[1.0, 2.0], [0.0, 0.0]])
    assert oracle_choice(q, c)[0] == 0
    assert coub_choice(q, c)[0] == 1


# ---- property-based invariants ---------------------------------------------------------------

@st.composite
def bench(draw, binary=False, max_n=12, max_m=5):
    """(quality (n, m), cost (n, m)) with n, m small; costs heavy-tailed non-negative."""
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    if binary:
        q = draw(arrays(np.int8, (n, m), elements=st.integers(0, 1))).astype(float)
    else:
        q = draw(arrays(np.float64, (n, m), elements=st.floats(0, 1)))
    c = draw(arrays(np.float64, (n, m), elements=st.one_of(
        st.floats(0, 1e-3), st.floats(0, 10.0), st.sampled_from([0.0, 1e-4, 0.5]))))
    return q, c


@st.composite
def bench_and_choice(draw, binary=False):
    q, c = draw(bench(binary=binary))
    n, m = q.shape
    choice = draw(arrays(np.int64, n, elements=st.integers(0, m - 1)))
    return q, c, choice


norms = st.sampled_from(["global", "per-query"])


@settings(max_examples=150, deadline=None)
@given(bench_and_choice())
def test_rs_in_unit_interval_global(data):
    q, c, choice = data
    # single-model policies
    for j in range(q.shape[1]):
        rs = _rs_of_choice(np.full(q.shape[0], j), q, c)
        assert 0.0 <= rs <= 1.0
    # any policy, and a cascade that called every model (its paid cost is clipped)
    assert 0.0 <= _rs_of_choice(choice, q, c) <= 1.0
    calls = np.ones(q.shape, dtype=bool)
    assert 0.0 <= _rs_of_choice(choice, q, c, calls=calls) <= 1.0
    # RS never exceeds the quality of the answers returned
    assert _rs_of_choice(choice, q, c) <= Routing(choice).returned_quality(q).mean() + 1e-12


@settings(max_examples=150, deadline=None)
@given(bench_and_choice(), norms, st.integers(0, 2**32 - 1))
def test_oub_dominates_any_policy(data, normalization, seed):
    q, c, choice = data
    oub = _rs_of_choice(oracle_choice(q, c, normalization), q, c, normalization)
    assert oub >= _rs_of_choice(choice, q, c, normalization) - 1e-12
    # a cascade-like policy that also paid for extra calls cannot beat it either
    rng = np.random.default_rng(seed)
    calls = rng.random(q.shape) < 0.5
    calls[np.arange(len(choice)), choice] = True
    assert oub >= _rs_of_choice(choice, q, c, normalization, calls=calls) - 1e-12
    # nor any fixed model
    for j in range(q.shape[1]):
        assert oub >= _rs_of_choice(np.full(q.shape[0], j), q, c, normalization) - 1e-12


@settings(max_examples=150, deadline=None)
@given(bench(binary=True), norms)
def test_oub_equals_coub_for_binary_quality(data, normalization):
    q, c = data
    oub = oracle_choice(q, c, normalization)
    coub = coub_choice(q, c)
    # same choices, hence the same RS, and the oracle's quality is the best achievable
    np.testing.assert_array_equal(oub, coub)
    assert _rs_of_choice(oub, q, c, normalization) == _rs_of_choice(coub, q, c, normalization)
    returned = Routing(oub).returned_quality(q)
    np.testing.assert_array_equal(returned, q.max(axis=1))
    assert returned.mean() >= q.mean(axis=0).max()


@settings(max_examples=60, deadline=None)
@given(bench(max_n=4, max_m=3), norms)
def test_uniform_random_rs_equals_mean_of_fixed_rs(data, normalization):
    # E[RS] over all m**n equally likely choice vectors == mean over j of RS(fixed j)
    q, c = data
    n, m = q.shape
    fixed = [_rs_of_choice(np.full(n, j), q, c, normalization) for j in range(m)]
    every = [_rs_of_choice(np.array(ch), q, c, normalization)
             for ch in itertools.product(range(m), repeat=n)]
    assert np.mean(every) == pytest.approx(np.mean(fixed), abs=1e-12)


@settings(max_examples=150, deadline=None)
@given(bench())
def test_per_query_cheapest_factor_is_exactly_one(data):
    # under per-query normalisation the cheapest model of each query has cost factor exactly 1,
    # so always choosing it gives RS == its quality (claims.yaml rs.definition audit)
    q, c = data
    cheapest = c.argmin(axis=1)
    r = Routing(cheapest)
    z = normalized_cost(r.paid(c), c, "per-query")
    assert (z == 0.0).all()
    assert routing_score(r.returned_quality(q), r.paid(c), c, "per-query") == pytest.approx(
        r.returned_quality(q).mean(), abs=1e-15)
    # and the most expensive one gets factor 0 wherever the row's costs differ
    dear = Routing(c.argmax(axis=1))
    zd = normalized_cost(dear.paid(c), c, "per-query")
    spread = c.max(axis=1) > c.min(axis=1)
    assert (zd[spread] == 1.0).all()


def test_global_cheapest_model_factor_below_one_when_costs_vary():
    # under global normalisation a model that is cheapest on every query still scores < quality
    # when its own cost varies: costs (1, 3) for model 0 and (2, 6) for model 1, both correct.
    # global min 1, max 6: model 0 terms 1 and 1 - 2/5 -> RS 0.8 < quality 1
    q = np.ones((2, 2))
    c = np.array([[1.0, 2.0], [3.0, 6.0]])
    assert _rs_of_choice([0, 0], q, c) == pytest.approx(0.8)
    assert _rs_of_choice([0, 0], q, c, "per-query") == pytest.approx(1.0)


def test_roc_auc_by_hand():
    from routerlab.metrics import roc_auc

    y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=float)
    s = np.array([[0.9, 0.5], [0.1, 0.5], [0.8, 0.5], [0.3, 0.5]])
    # column 0: every positive above every negative; column 1: all tied -> 1/2
    assert roc_auc(y, s).tolist() == [1.0, 0.5]
    assert roc_auc([1, 0, 1, 0], [0.2, 0.4, 0.6, 0.8]) == 0.25   # 1 of 4 (positive, negative) pairs ordered
    assert np.isnan(roc_auc(np.ones((3, 1)), np.zeros((3, 1)))[0])
    assert np.isnan(roc_auc([1, 1], [0.1, 0.2]))
    with pytest.raises(ValueError, match="same shape"):
        roc_auc([1, 0], [0.5])


@settings(max_examples=60, deadline=None)
@given(arrays(np.int8, st.tuples(st.integers(2, 40), st.integers(1, 3)), elements=st.integers(0, 1)),
       st.integers(0, 2**32 - 1))
def test_roc_auc_equals_scikit_learn_and_flips_with_the_score(y, seed):
    from sklearn.metrics import roc_auc_score

    from routerlab.metrics import roc_auc

    s = np.random.default_rng(seed).integers(0, 5, size=y.shape).astype(float)   # many ties
    got = roc_auc(y, s)
    for j in range(y.shape[1]):
        if 0 < y[:, j].sum() < len(y):
            assert got[j] == pytest.approx(roc_auc_score(y[:, j], s[:, j]), abs=1e-12)
            assert roc_auc(y[:, j], -s[:, j]) == pytest.approx(1.0 - got[j], abs=1e-12)
        else:
            assert np.isnan(got[j])
