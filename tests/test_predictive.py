"""Predictive routers: expected cost, decision rules, each router on data whose answer is known."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import MODELS
from routerlab.errors import RouterlabError
from routerlab.routing.predictive import (
    BertClassificationRouter, CausalLMRouter, DatasetBestRouter, KNNRouter, MatrixFactorizationRouter,
    MLPRouter, PredictiveRouter, QueryEncoder, SequenceClassificationRouter, bert_decision_labels,
    causal_lm_labels, expected_cost, predictive_choice, wtp_choice,
)
from routerlab.routing.routers import make_router

PREDICTIVE = ["causal-lm", "seq-cls", "bert-cls", "mf", "knn", "mlp", "dataset-best"]
FAST: dict = {}   # per-router options for the small test data (none needed at present)


def bench(quality, cost=None, datasets=None, features=None, prompt_tokens=None, answer_tokens=None,
          models=None) -> Benchmark:
    q = np.asarray(quality, dtype=float)
    n, m = q.shape
    return Benchmark(
        quality=q, cost=np.ones((n, m)) if cost is None else np.asarray(cost, float),
        models=models or MODELS[:m], sample_ids=np.arange(n).astype(str),
        datasets=np.array(["A"] * n) if datasets is None else np.asarray(datasets),
        prompt_tokens=np.full(n, 100) if prompt_tokens is None else np.asarray(prompt_tokens),
        features=features, answer_tokens=answer_tokens)


def specialist_bench(n: int = 900, seed: int = 0) -> Benchmark:
    """Three datasets, three models; model j is right exactly on dataset j (and wrong elsewhere).

    The features reveal the dataset (a noisy one-hot). Prices rise with j, so the RS-best model of
    every query is its dataset's specialist; a router that sees the dataset must learn this.
    """
    rng = np.random.default_rng(seed)
    ds = rng.integers(0, 3, n)
    q = (ds[:, None] == np.arange(3)[None, :]).astype(float)
    feats = np.eye(3)[ds] * 3 + rng.normal(0, 0.5, (n, 3))
    feats = np.hstack([feats, rng.normal(0, 1, (n, 3))])
    pt = rng.integers(50, 150, n)
    ans = np.full((n, 3), 10)
    models = MODELS[:3]
    pin = np.array([mo.price_in for mo in models])
    pout = np.array([mo.price_out for mo in models])
    cost = (pt[:, None] * pin + ans * pout) / 1e6
    return bench(q, cost, np.array(["A", "B", "C"])[ds], feats, pt, ans, models)


@pytest.fixture(scope="module")
def specialist():
    b = specialist_bench()
    return b.rows(slice(0, 600)), b.rows(slice(600, None))


@pytest.fixture(scope="module")
def fitted(specialist):
    """Each predictive router fitted once (seed 0) on the specialist training rows."""
    tr, _ = specialist
    return {name: make_router(name, seed=0, **FAST.get(name, {})).fit(tr) for name in PREDICTIVE}


# ---- expected cost and decision rules ---------------------------------------------------------

def test_expected_cost_by_hand():
    # prices (USD / 1M): model 0 in 0.2 out 0.2, model 1 in 0.6 out 0.6
    tr = bench([[1, 0], [1, 1], [0, 1]], datasets=["A", "A", "B"], prompt_tokens=[10, 20, 30],
               answer_tokens=[[4, 8], [6, 10], [100, 200]])
    te = bench([[0, 0], [0, 0], [0, 0]], datasets=["B", "A", "Z"], prompt_tokens=[1000, 500, 50])
    ec = expected_cost(tr, te)
    # B: answers 100 / 200 tokens; A: means 5 / 9; Z unseen: overall means 110/3, 218/3
    want = np.array([[1000 * 0.2 + 100 * 0.2, 1000 * 0.6 + 200 * 0.6],
                     [500 * 0.2 + 5 * 0.2, 500 * 0.6 + 9 * 0.6],
                     [50 * 0.2 + 110 / 3 * 0.2, 50 * 0.6 + 218 / 3 * 0.6]]) / 1e6
    np.testing.assert_allclose(ec, want)


def test_expected_cost_without_answer_tokens_recovers_them_from_cost():
    b = specialist_bench(60)
    inferred = expected_cost(replace(b, answer_tokens=None), b)
    np.testing.assert_allclose(inferred, expected_cost(b, b), rtol=1e-9)
    # with a constant answer length the expected cost is the realised cost
    np.testing.assert_allclose(inferred, b.cost, rtol=1e-9)


def test_predictive_choice_by_hand():
    p = np.array([[0.9, 0.8, 0.5], [0.2, 0.9, 0.95], [0.0, 0.0, 0.0]])
    c = np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0], [3.0, 1.0, 2.0]])
    # normalised by [1, 3]: factors 1, 0.5, 0 -> scores .9/.4/0, .2/.45/0, all 0 (tie -> cheapest)
    np.testing.assert_array_equal(predictive_choice(p, c, 1.0, 3.0), [0, 1, 1])
    # cost outside the training range is clipped: every model costs "max" -> argmax p
    np.testing.assert_array_equal(predictive_choice(p[:2], c[:2] + 10, 1.0, 3.0), [0, 0])
    with pytest.raises(RouterlabError):
        predictive_choice(p, c[:, :2], 0, 1)


def test_wtp_choice_by_hand():
    p = np.array([[0.5, 0.7, 0.9]])
    c = np.array([[0.01, 0.10, 1.00]])
    assert wtp_choice(p, c, 0.0)[0] == 2          # lam <= 0: cost ignored
    assert wtp_choice(p, c, 1e-3)[0] == 0         # cost dominates
    assert wtp_choice(p, c, 1.0)[0] == 1          # 0.49, 0.60, -0.10
    assert wtp_choice(p, c, 1e6)[0] == 2          # quality dominates
    # ties go to the cheaper model
    assert wtp_choice(np.array([[0.5, 0.5]]), np.array([[2.0, 1.0]]), 0.0)[0] == 1


def test_label_definitions_by_hand():
    q = np.array([[1, 1, 1, 0], [1, 0, 0, 0], [0, 1, 1, 1], [0, 0, 0, 0], [0, 1, 1, 0]], dtype=float)
    # row 0: model 3 wrong while all others right -> 1; the others right with the pool -> 5
    # row 1: model 0 right alone -> 4; others wrong, pool share 1/3 < 0.5 -> 3
    # row 4: models 1, 2 right with other share 1/3 -> 4; models 0, 3 wrong, share 2/3 -> 2
    np.testing.assert_array_equal(causal_lm_labels(q), [[5, 5, 5, 1], [4, 3, 3, 3], [1, 5, 5, 5],
                                                       [3, 3, 3, 3], [2, 4, 4, 2]])
    assert np.array_equal(causal_lm_labels(q) >= 4, q >= 0.5)
    c = np.array([[4, 3, 2, 1]] * 5, dtype=float)
    np.testing.assert_array_equal(bert_decision_labels(q, c), [2, 0, 3, 4, 2])


def test_encoder_standardises_and_codes_datasets():
    tr = bench(np.zeros((4, 1)), datasets=["A", "B", "A", "B"], features=np.array([[0.], [2.], [4.], [6.]]),
               prompt_tokens=[1, 1, 1, 1])
    te = bench(np.zeros((2, 1)), datasets=["B", "C"], features=np.array([[3.], [9.]]), prompt_tokens=[1, 1])
    X = QueryEncoder().fit(tr).transform(te)
    sd = np.std([0, 2, 4, 6])
    np.testing.assert_allclose(X, [[0.0, 0.0, 0.0, 1.0], [6 / sd, 0.0, 0.0, 0.0]])
    with pytest.raises(RouterlabError):
        QueryEncoder().fit(tr).transform(replace(te, features=None))


# ---- every router on the specialist data ------------------------------------------------------

@pytest.mark.parametrize("name", PREDICTIVE)
def test_router_learns_the_dataset_specialist(name, specialist, fitted):
    tr, te = specialist
    r = fitted[name]
    assert isinstance(r, PredictiveRouter)
    out = r.route(te.without_truth())
    want = np.array([{"A": 0, "B": 1, "C": 2}[d] for d in te.datasets])
    assert (out.choice == want).mean() >= 0.98, name
    assert out.calls is None
    p = r.predict_proba(te)
    assert p.shape == (te.n_queries, 3) and np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(out.proba, p)
    # the specialist's predicted success beats the others' on average
    assert np.mean(p[np.arange(te.n_queries), want]) > np.mean(p) + 0.3


@pytest.mark.parametrize("name", PREDICTIVE)
def test_router_never_reads_test_quality_or_cost(name, specialist, fitted):
    tr, te = specialist
    rng = np.random.default_rng(5)
    r = fitted[name]
    base = r.route(te)
    scrambled = replace(te, quality=rng.permutation(te.quality.ravel()).reshape(te.quality.shape),
                        cost=rng.random(te.cost.shape), latent={"junk": rng.random(te.n_queries)})
    for other in (te.without_truth(), scrambled):
        out = r.route(other)
        np.testing.assert_array_equal(out.choice, base.choice)
        np.testing.assert_array_equal(out.proba, base.proba)


@pytest.mark.parametrize("name", PREDICTIVE)
def test_router_is_deterministic_by_seed(name, specialist, fitted):
    tr, te = specialist
    again = make_router(name, seed=0, **FAST.get(name, {})).fit(tr).predict_proba(te)
    np.testing.assert_array_equal(again, fitted[name].predict_proba(te))


def test_seed_changes_the_randomly_initialised_routers(specialist, fitted):
    tr, te = specialist
    for name in ("causal-lm", "mlp", "mf"):
        other = make_router(name, seed=1, **FAST.get(name, {})).fit(tr).predict_proba(te)
        assert not np.array_equal(other, fitted[name].predict_proba(te)), name


def test_cards_and_registration():
    classes = {"causal-lm": CausalLMRouter, "seq-cls": SequenceClassificationRouter,
               "bert-cls": BertClassificationRouter, "mf": MatrixFactorizationRouter, "knn": KNNRouter,
               "mlp": MLPRouter, "dataset-best": DatasetBestRouter}
    for name, cls in classes.items():
        r = make_router(name, seed=7)
        assert type(r) is cls and r.seed == 7 and r.name == name
        assert set(cls.card) == {"paradigm", "learns", "label", "decision", "differs"}
        assert all(isinstance(v, str) and v for v in cls.card.values())


def test_unfitted_or_mismatched_router_raises(specialist):
    tr, te = specialist
    with pytest.raises(RouterlabError, match="fitted"):
        SequenceClassificationRouter().route(te)
    r = SequenceClassificationRouter().fit(tr)
    with pytest.raises(RouterlabError, match="models"):
        r.route(te.select_models([0, 1]))
    with pytest.raises(RouterlabError, match="columns"):
        r.route(replace(te, features=te.features[:, :2]))
    with pytest.raises(RouterlabError):
        BertClassificationRouter(rule="vote")


# ---- router-specific known answers ------------------------------------------------------------

def test_mf_recovers_planted_low_rank_structure():
    rng = np.random.default_rng(11)
    n, d, m, k = 4000, 8, 6, 2
    X = rng.normal(size=(n, d))
    W, V = rng.normal(size=(d, k)), rng.normal(size=(m, k))
    c = rng.normal(0, 0.5, m)
    logits = X @ W @ V.T + c
    Y = (rng.random((n, m)) < 1 / (1 + np.exp(-logits))).astype(float)
    b = bench(Y, features=X, models=MODELS[:m])
    tr, te = b.rows(slice(0, 3000)), b.rows(slice(3000, None))
    fits = {kk: MatrixFactorizationRouter(k=kk, l2=1e-5, maxiter=400).fit(tr) for kk in (1, 2)}
    p2 = fits[2].predict_proba(te)
    p_true = 1 / (1 + np.exp(-logits[3000:]))
    assert np.mean(np.abs(p2 - p_true)) < 0.05
    est = np.log(p2 / (1 - p2))
    assert np.corrcoef(est.ravel(), logits[3000:].ravel())[0, 1] > 0.97
    # rank 1 cannot represent the rank-2 truth: clearly worse
    err1 = np.mean(np.abs(fits[1].predict_proba(te) - p_true))
    assert err1 > 2 * np.mean(np.abs(p2 - p_true))
    # the latent query vector is the projection u_i = W x_i
    assert fits[2].query_embedding(te).shape == (1000, 2)


def test_knn_with_one_neighbour_copies_the_nearest_training_row():
    Xtr = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [-1.0, 0.2]])
    qtr = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=float)
    tr = bench(qtr, features=Xtr, datasets=["A", "A", "B", "B"])
    te = bench(np.zeros((3, 2)), features=np.array([[2.0, 0.1], [0.1, 3.0], [0.9, 1.1]]),
               datasets=["A", "A", "B"])
    p = KNNRouter(k=1).fit(tr).predict_proba(te)
    np.testing.assert_array_equal(p, [[1, 0], [0, 1], [1, 1]])
    # k = 2 within dataset B averages both B rows; across datasets the two nearest are rows 2, 1
    np.testing.assert_allclose(KNNRouter(k=2).fit(tr).predict_proba(te)[2], [0.5, 0.5])
    np.testing.assert_allclose(KNNRouter(k=2, within_dataset=False).fit(tr).predict_proba(te)[2], [0.5, 1.0])


def test_dataset_best_by_hand():
    # dataset A: model 0 (cheap) right half the time, model 1 (dear) always -> RS .5 vs 0
    # dataset B: only model 1 is ever right, at normalised cost 0.25 (range [1, 3])
    q = np.array([[1, 1], [0, 1], [0, 1], [0, 1]], dtype=float)
    c = np.array([[1, 3], [1, 3], [1, 1.5], [1, 1.5]], dtype=float)
    tr = bench(q, c, datasets=["A", "A", "B", "B"])
    r = DatasetBestRouter().fit(tr)
    np.testing.assert_allclose(r.rs_table_, [[0.5, 0.0], [0.0, 0.75]])
    te = bench(np.zeros((3, 2)), datasets=["B", "A", "new"])
    np.testing.assert_array_equal(r.route(te).choice, [1, 0, 1])   # unseen: overall RS 1/4 vs 3/8


def test_bert_marginal_success_follows_the_class_table(specialist, fitted):
    tr, te = specialist
    r = fitted["bert-cls"]
    cp = r.class_proba(te)
    assert cp.shape == (te.n_queries, 4)
    np.testing.assert_allclose(cp.sum(axis=1), 1.0)
    np.testing.assert_allclose(r.predict_proba(te), cp @ r.conditional_)
    np.testing.assert_allclose(np.diag(r.conditional_[:3]), 1.0)
    assert np.all(r.conditional_[3] == 0)
    # RouteLLM-style direct class decision gives the same specialist routes here
    want = np.array([{"A": 0, "B": 1, "C": 2}[d] for d in te.datasets])
    direct = BertClassificationRouter(rule="class").fit(tr).route(te).choice
    assert (direct == want).mean() >= 0.98


def test_causal_lm_score_distribution(specialist, fitted):
    tr, te = specialist
    r = fitted["causal-lm"]
    dist = r.score_distribution(te)
    assert dist.shape == (te.n_queries, 3, 5)
    np.testing.assert_allclose(dist.sum(axis=2), 1.0)
    np.testing.assert_allclose(r.predict_proba(te), dist[:, :, 3:].sum(axis=2), atol=1e-12)
    # a specialist's answers are right on its dataset and the pool fails there: label 4 dominates
    want = np.array([{"A": 0, "B": 1, "C": 2}[d] for d in te.datasets])
    assert np.mean(dist[np.arange(te.n_queries), want].argmax(axis=1) == 3) > 0.95


def test_route_wtp_spans_cheap_to_accurate(specialist, fitted):
    tr, te = specialist
    r = fitted["seq-cls"]
    want = np.array([{"A": 0, "B": 1, "C": 2}[d] for d in te.datasets])
    assert np.all(r.route_wtp(te, 1e-12).choice == 0)               # pay nothing: cheapest model
    assert (r.route_wtp(te, 0.0).choice == want).mean() >= 0.98     # cost ignored: best model
    assert (r.route_wtp(te, 1e3).choice == want).mean() >= 0.98


@pytest.mark.parametrize("name", PREDICTIVE)
def test_router_works_without_features(name, specialist):
    # no embedding: the prompt length and the dataset label are the whole query representation
    tr, te = (replace(b, features=None) for b in specialist)
    r = make_router(name, seed=0, **FAST.get(name, {})).fit(tr)
    want = np.array([{"A": 0, "B": 1, "C": 2}[d] for d in te.datasets])
    assert (r.route(te.without_truth()).choice == want).mean() >= 0.98, name


@pytest.mark.parametrize("slice_cells", [1 << 17, 30, 1])   # the batch in 1, 3 and 6 slices
def test_causal_lm_gradient_matches_finite_differences(slice_cells):
    rng = np.random.default_rng(0)
    r = CausalLMRouter(l2=1e-2)
    r.SLICE_CELLS = slice_cells
    B, d, m, H = 6, 4, 3, 5
    params = {"A": rng.normal(size=(d, H)), "b": rng.normal(size=H), "E": rng.normal(size=(m, H)),
              "G": rng.normal(size=(m, H)), "T": rng.normal(size=(H, 5)), "c": rng.normal(size=5),
              "cb": rng.normal(size=(m, 5))}
    X, y = rng.normal(size=(B, d)), rng.integers(0, 5, (B, m))
    _, grad = r._loss_grad(params, X, y)
    for k, v in params.items():
        num = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            plus = {kk: vv.copy() for kk, vv in params.items()}
            minus = {kk: vv.copy() for kk, vv in params.items()}
            plus[k][idx] += 1e-6
            minus[k][idx] -= 1e-6
            num[idx] = (r._loss_grad(plus, X, y)[0] - r._loss_grad(minus, X, y)[0]) / 2e-6
        np.testing.assert_allclose(grad[k], num, atol=1e-7, err_msg=k)


@pytest.mark.parametrize("n", [40, 600])   # below 50 rows: no early stopping
def test_mlp_networks_are_independent_and_learn_their_own_model(n):
    """The m networks train side by side but share nothing but the split and batch order: each
    model's predictions do not change when another model's labels do; a model whose correctness
    is a sign of one feature is predicted well (AUC near 1), one of pure noise is not."""
    from routerlab.metrics import roc_auc

    rng = np.random.default_rng(1)
    X = rng.normal(size=(n + 400, 5))
    q = np.column_stack([X[:, 0] > 0, rng.random(n + 400) < 0.5, rng.random(n + 400) < 0.3]).astype(float)
    b = bench(q, features=X)
    train, test = b.rows(slice(0, n)), b.rows(slice(n, None))
    p = MLPRouter(seed=3, max_iter=40).fit(train).predict_proba(test.without_truth())
    q2 = train.quality.copy()
    q2[:, 1] = 1 - q2[:, 1]
    q2[:, 2] = rng.random(n) < 0.9
    other = MLPRouter(seed=3, max_iter=40).fit(replace(train, quality=q2)).predict_proba(test.without_truth())
    np.testing.assert_array_equal(p[:, 0], other[:, 0])
    assert not np.array_equal(p[:, 1], other[:, 1])
    assert roc_auc(test.quality[:, 0], p[:, 0]) > (0.95 if n > 100 else 0.85)
    assert 0.35 < roc_auc(test.quality[:, 1], p[:, 1]) < 0.65
