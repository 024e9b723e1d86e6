"""The task-aware baselines: the task-aware zero router on a hand case, blindness to the test rows,
and the validation-chosen router's gain over dataset-best on benchmarks with a known answer."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from conftest import text_bench
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.data.splits import stratified_split
from routerlab.evaluation.curves import TASK_ZERO, frontier_study, task_zero_points
from routerlab.evaluation.protocol import evaluate
from routerlab.evaluation.task_baselines import chosen_table, gain_over_baseline, validation_choice
from routerlab.metrics import aiq, ndch

MODELS = (Model("A", "p", "t"), Model("B", "p", "t"), Model("C", "p", "t"))


def _bench(quality, datasets, cost=(1.0, 2.0, 4.0)) -> Benchmark:
    q = np.asarray(quality, dtype=float)
    n = len(q)
    return Benchmark(quality=q, cost=np.tile(cost, (n, 1)), models=MODELS, sample_ids=np.arange(n).astype(str),
                     datasets=np.asarray(datasets), prompt_tokens=np.full(n, 10))


def _rows(counts_correct, n=10):
    """(n, 3) 0/1 quality with counts_correct[j] correct answers of model j (the first rows)."""
    return np.column_stack([np.arange(n) < k for k in counts_correct]).astype(float)


# Training accuracies: X: A 0.5, B 0.9, C 1.0; Y: A 0.8, B 0.8, C 0.9. kappa = (0, 0.1, 0.5).
TRAIN = _bench(np.vstack([_rows((5, 9, 10)), _rows((8, 8, 9))]), ["X"] * 10 + ["Y"] * 10)
TEST = _bench([[0, 1, 1], [1, 1, 1], [1, 1, 1], [0, 1, 1]], ["X", "X", "Y", "Y"])
KAPPA = np.array([0.0, 0.1, 0.5])
LAMBDAS = (0.1, 1.0, 10.0)


def test_task_zero_router_by_hand():
    choices = task_zero_points(TRAIN, TEST, KAPPA, LAMBDAS)
    # lambda 0.1: A everywhere; 1: X -> B (0.9 - 0.1 > 0.5), Y -> A (0.8 > 0.7); 10: C everywhere
    assert [c.tolist() for c in choices] == [[0, 0, 0, 0], [1, 1, 0, 0], [2, 2, 2, 2]]
    pick = lambda m, c: np.take_along_axis(m, c[:, None], axis=1)[:, 0]  # noqa: E731
    cost = np.array([pick(TEST.cost, c).mean() for c in choices])
    qual = np.array([pick(TEST.quality, c).mean() for c in choices])
    assert cost.tolist() == [1.0, 1.5, 4.0] and qual.tolist() == [0.5, 0.75, 1.0]
    hc, hq = ndch(cost, qual)
    assert hc.tolist() == [1.0, 1.5, 4.0]  # concave: every point is on the hull
    # area from 1 to 4: 0.5 * (0.5 + 0.75) / 2 + 2.5 * (0.75 + 1) / 2 = 2.5; / c_max 4
    assert aiq(cost, qual, c_max=4.0) == pytest.approx(0.625)
    # per dataset: X runs A (1, 0.5), B (2, 1), C (4, 1); Y runs A, A, C
    x, y = TEST.dataset_codes == 0, TEST.dataset_codes == 1
    cx = [pick(TEST.cost[x], c[x]).mean() for c in choices]
    qx = [pick(TEST.quality[x], c[x]).mean() for c in choices]
    cy = [pick(TEST.cost[y], c[y]).mean() for c in choices]
    qy = [pick(TEST.quality[y], c[y]).mean() for c in choices]
    assert aiq(cx, qx, c_max=4.0) == pytest.approx((0.75 + 2.0) / 4)   # (1->2) 0.75, (2->4) 2
    assert aiq(cy, qy, c_max=4.0) == pytest.approx(2.25 / 4)           # (1->4) 3 * 0.75
    # the zero router of the same test rows (hull of A, B, C pooled) is higher here: it is fitted
    # on the test rows; the task-aware one is fitted on training rows only
    assert aiq([1.0, 2.0, 4.0], [0.5, 1.0, 1.0], c_max=4.0) == pytest.approx(2.75 / 4)


def test_task_zero_router_reads_no_test_outcome_or_text():
    rng = np.random.default_rng(1)
    base = task_zero_points(TRAIN, TEST, KAPPA, LAMBDAS)
    scrambled = replace(TEST, quality=rng.random(TEST.quality.shape), cost=rng.random(TEST.cost.shape) * 9,
                        prompts=np.array(["x", "yy", "zzz", "w"]), features=rng.normal(size=(4, 3)),
                        prompt_tokens=np.array([1, 500, 3, 7]))
    again = task_zero_points(TRAIN, scrambled, KAPPA, LAMBDAS)
    assert all(np.array_equal(a, b) for a, b in zip(base, again))


def test_validation_choice_never_reads_the_test_rows():
    bench = text_bench(400, seed=3)
    name, scores = validation_choice(bench, ["knn", "mf"], seed=0)
    assert set(scores) == {"knn", "mf"} and name == max(scores, key=scores.get)
    tr, te = stratified_split(bench, 0.2, 0)
    # the split's strata read quality, so change what the strata do not read: the test rows'
    # cost, prompts and token counts, and their quality within a row's stratum (swap 0/1 rows
    # with the same number of correct models)
    q, c = bench.quality.copy(), bench.cost.copy()
    c[te] *= 7.0
    q[te] = q[te][:, ::-1]
    prompts = bench.prompts.copy()
    prompts[te] = "unrelated words"
    other = replace(bench, quality=q, cost=c, prompts=prompts)
    assert all(np.array_equal(a, b) for a, b in zip(stratified_split(other, 0.2, 0), (tr, te)))
    assert validation_choice(other, ["knn", "mf"], seed=0) == (name, scores)


def _three_model_text_bench(n: int, seed: int = 0) -> Benchmark:
    """text_bench plus a dear third model as good as the strong one, so that under the global RS
    normalisation the strong model costs 5/19 of the range: worth paying on hard
    queries only."""
    b = text_bench(n, seed=seed)
    q = np.column_stack([b.quality, b.quality[:, 1]])
    models = (*b.models, Model("dear", "p", "t", 100.0, 300.0))
    return replace(b, quality=q, cost=np.tile([1e-4, 6e-4, 2e-3], (n, 1)), models=models)


def test_gain_over_dataset_best_when_the_text_tells_which_model_to_use():
    """One dataset whose prompts reveal the hard queries: a text router must beat dataset-best
    (which can only send the whole dataset to one model), with an interval above 0."""
    bench = _three_model_text_bench(1500, seed=0)
    res = evaluate(bench, ["knn", "mf", "dataset-best"], seeds=range(3), cache_dir=False)
    gain = gain_over_baseline(res, bench, ["knn", "mf"])
    assert 0.08 < gain["lo"] < gain["value"] < gain["hi"] < 0.16   # measured +0.113 [0.094, 0.133]
    assert len(gain["chosen"]) == 3 and set(gain["chosen"]) <= {"knn", "mf"}
    assert list(chosen_table(gain)["seed"]) == [0, 1, 2]


def test_no_gain_when_the_text_says_nothing():
    """Prompts unrelated to correctness: the chosen router cannot beat dataset-best beyond noise."""
    bench = _three_model_text_bench(1500, seed=0)
    rng = np.random.default_rng(5)
    noise = replace(bench, prompts=np.array([f"w{rng.integers(0, 50)} w{rng.integers(0, 50)}" for _ in range(1500)]))
    res = evaluate(noise, ["knn", "mf", "dataset-best"], seeds=range(3), cache_dir=False)
    gain = gain_over_baseline(res, noise, ["knn", "mf"])
    assert -0.05 < gain["value"] < gain["hi"] < 0.01                # measured -0.021 [-0.036, -0.006]


def test_frontier_study_adds_the_task_aware_zero_router():
    from routerlab.routing.features import with_text_features

    bench = text_bench(600, seed=2)
    tr, te = stratified_split(bench, 0.2, 0)
    train, test = with_text_features(bench.rows(tr), bench.rows(te))
    feat = np.zeros((bench.n_queries, train.features.shape[1]))
    feat[tr], feat[te] = train.features, test.features
    st = frontier_study(replace(bench, features=feat), routers=("knn",), seeds=[0], extra=(), task_aware=True)
    pts = st.points.set_index("router")
    assert TASK_ZERO in pts.index and pts.loc[TASK_ZERO, "kind"] == "reference"
    assert 0.0 < pts.loc[TASK_ZERO, "aiq_cmax"] <= 1.0
    # one dataset: the task-aware zero router's choices are fixed models, so its pooled hull is
    # below the zero router's (the hull of every fixed model on the test rows)
    assert pts.loc[TASK_ZERO, "aiq_cmax"] <= pts.loc["zero router", "aiq_cmax"] + 1e-12


# ---- the best learned router against the best fixed model, winners picked off the test rows --------
def test_training_fixed_choice_by_hand():
    # 10 rows of one dataset: A right on 6 at cost 1, B right on 8 at cost 2, C right on 9 at cost 4;
    # range [1, 4]: A scores 0.6 * 1, B 0.8 * (1 - 1/3), C 0.9 * 0 -> A wins on every split
    from routerlab.evaluation.task_baselines import training_fixed_choice

    b = _bench(_rows((6, 8, 9)), ["X"] * 10)
    name, rs = training_fixed_choice(b, seed=0)
    tr, _ = stratified_split(b, 0.2, 0)
    q = b.quality[tr]
    assert rs == pytest.approx([q[:, 0].mean(), q[:, 1].mean() * 2 / 3, 0.0])
    assert name == ("fixed:A" if rs[0] >= rs[1] else "fixed:B")


def _coin_routers(monkeypatch, k):
    """Register k routers that pick a model uniformly at random, each with its own stream: equal
    in expectation, different by chance on any one test set."""
    from routerlab.routing import routers as rr

    names = [f"coin-{i}" for i in range(k)]
    for i, name in enumerate(names):
        monkeypatch.setitem(rr._REGISTRY, name,
                            lambda seed=0, _i=i: rr.RandomRouter(seed=1000 * _i + seed))
    return names


def test_selection_alone_makes_the_test_selected_gap_positive_and_the_honest_one_does_not(monkeypatch):
    """Ten routers that are random choices between two equally good models, against those two
    models: every policy has the same expected RS, so any gap comes from selection. Picking the
    best of ten routers and the best of two models on the test rows that score them gives a gap
    above 0 on average over benchmarks; picking them on validation / training rows gives ~0."""
    from routerlab.evaluation import comparison as pc
    from routerlab.evaluation.task_baselines import learned_over_fixed

    coins = _coin_routers(monkeypatch, 10)
    models = (Model("A", "p", "t"), Model("B", "p", "t"))
    selected, honest = [], []
    for draw in range(16):
        rng = np.random.default_rng(draw)
        n = 500
        b = Benchmark(quality=(rng.random((n, 2)) < 0.6).astype(float), cost=np.tile([1.0, 1.0], (n, 1)),
                      models=models, sample_ids=np.arange(n).astype(str), datasets=np.array(["X"] * n),
                      prompt_tokens=np.full(n, 10))
        res = evaluate(b, [*coins, "fixed:A", "fixed:B", "oub"], seeds=range(3), bootstrap=0, cache_dir=False,
                       text_features=None)
        selected.append(pc.best_learned_vs_best_fixed(res, coins)["diff"])
        got = learned_over_fixed(res, b, coins, n_boot=200, text_features=None)
        assert len(got["chosen"]) == len(got["fixed"]) == 3 and set(got["fixed"]) <= {"fixed:A", "fixed:B"}
        assert got["lo"] <= got["value"] <= got["hi"]
        honest.append(got["value"])
    selected, honest = np.array(selected), np.array(honest)
    se = lambda x: x.std(ddof=1) / np.sqrt(len(x))  # noqa: E731
    assert (selected > 0).mean() >= 0.75
    assert selected.mean() > 3 * se(selected) and selected.mean() > 0.01
    assert abs(honest.mean()) < 2.5 * se(honest)
    assert honest.mean() < selected.mean() - 0.01


def test_learned_over_fixed_refuses_another_protocol(monkeypatch):
    from routerlab.errors import RouterlabError
    from routerlab.evaluation.task_baselines import learned_over_fixed

    coins = _coin_routers(monkeypatch, 2)
    b = _bench(np.vstack([_rows((5, 9, 10))] * 3), ["X"] * 30)
    res = evaluate(b, [*coins, "fixed:A"], seeds=[0], bootstrap=0, cache_dir=False, text_features=None,
                   normalization="per-query")
    with pytest.raises(RouterlabError, match="stratified"):
        learned_over_fixed(res, b, coins, text_features=None)


def test_validation_choice_cache_fits_each_router_once_and_changes_nothing(tmp_path, monkeypatch):
    import routerlab.evaluation.task_baselines as tb

    bench = text_bench(300, seed=4)
    plain = validation_choice(bench, ["knn", "mf"], seed=1, cache_dir=False)
    calls = []
    real_fit = tb.fit_route_score
    monkeypatch.setattr(tb, "fit_route_score", lambda name, *a, **k: calls.append(name) or real_fit(name, *a, **k))
    assert validation_choice(bench, ["knn", "mf"], seed=1, cache_dir=tmp_path) == plain
    assert sorted(calls) == ["knn", "mf"]
    # another order (ties go to the first name) and a subset: no fit, the same scores
    assert validation_choice(bench, ["mf", "knn"], seed=1, cache_dir=tmp_path)[1] == plain[1]
    assert validation_choice(bench, ["mf"], seed=1, cache_dir=tmp_path) == ("mf", {"mf": plain[1]["mf"]})
    assert sorted(calls) == ["knn", "mf"]
    # another seed or benchmark is another entry; a damaged entry is computed again
    validation_choice(bench, ["mf"], seed=2, cache_dir=tmp_path)
    assert sorted(calls) == ["knn", "mf", "mf"]
    (entry,) = [p for p in (tmp_path / "validation").glob("*.json")
                if set(__import__("json").loads(p.read_text())) == {"knn", "mf"}]
    entry.write_text("[not a mapping")
    assert validation_choice(bench, ["knn", "mf"], seed=1, cache_dir=tmp_path) == plain
    assert sorted(calls) == ["knn", "knn", "mf", "mf", "mf"]
    assert not [p for p in (tmp_path / "validation").iterdir() if p.is_file() and p.name.startswith(".")]  # no temporary
