"""The Benchmark container and the catalog: shapes, subsets, errors, calibration facts."""

import numpy as np
import pytest

import routerlab as rl
from routerlab.data.benchmark import Benchmark, concat
from routerlab.data.catalog import (DATASET_NAMES, DATASETS, MODEL_NAMES, PRICE_TABLES, calibration_matrix,
                               calibration_table, models_with_prices)


def tiny(n=6, m=3, features=True):
    rng = np.random.default_rng(0)
    models = models_with_prices("together")[:m]
    return Benchmark(
        quality=rng.integers(0, 2, size=(n, m)).astype(float),
        cost=rng.uniform(0.001, 0.01, size=(n, m)),
        models=models,
        sample_ids=np.array([f"q{i}" for i in range(n)]),
        datasets=np.array(["B", "A"] * (n // 2)),
        prompt_tokens=np.arange(n) + 10,
        features=rng.normal(size=(n, 4)) if features else None,
        confidence=rng.uniform(size=(n, m)),
    )


def test_shapes_and_names():
    b = tiny()
    assert (b.n_queries, b.n_models) == (6, 3)
    assert b.model_names == list(MODEL_NAMES[:3])
    # datasets in order of first appearance, codes index into them
    assert b.dataset_names == ["B", "A"]
    assert np.array_equal(np.array(b.dataset_names)[b.dataset_codes], b.datasets)


def test_rows_slice_is_a_view_and_mask_selects():
    b = tiny()
    s = b.rows(slice(0, 3))
    assert np.shares_memory(s.quality, b.quality)  # no needless copy
    m = b.rows(b.datasets == "A")
    assert m.n_queries == 3 and set(m.datasets) == {"A"}
    assert np.array_equal(m.quality, b.quality[b.datasets == "A"])
    assert np.array_equal(m.features, b.features[b.datasets == "A"])


def test_select_models_reorders_all_model_arrays():
    b = tiny()
    names = [b.model_names[2], b.model_names[0]]
    s = b.select_models(names)
    assert s.model_names == names
    assert np.array_equal(s.quality, b.quality[:, [2, 0]])
    assert np.array_equal(s.cost, b.cost[:, [2, 0]])
    assert np.array_equal(s.confidence, b.confidence[:, [2, 0]])
    assert np.shares_memory(s.features, b.features)  # query arrays are shared


def test_without_truth_hides_quality_and_cost():
    b = tiny().without_truth()
    assert np.isnan(b.quality).all() and np.isnan(b.cost).all() and b.latent is None
    assert b.answer_tokens is None  # answer lengths give back the exact cost and leak correctness


def test_no_router_reads_an_outcome_derived_field_of_the_test_set():
    """Every policy that does not declare ``uses_truth`` routes a blinded test set exactly as one
    whose outcome-derived fields are scrambled (quality, cost, answer tokens, latent, and the
    confidences of the models a cascade did not call): the package's check_blind, which the
    protocol also applies to every user's router before scoring it."""
    from routerlab.evaluation.protocol import policy_names, stratified_split
    from routerlab.routing.routers import make_router
    from routerlab.routing.user import check_blind
    from routerlab.data.simulate import simulate

    bench = simulate(scale=0.01, seed=3)
    tr, te = stratified_split(bench, 0.3, seed=0)
    train, test = bench.rows(tr), bench.rows(te)
    checked = 0
    for name in policy_names(bench, "all"):
        router = make_router(name, seed=0)
        if router.uses_truth or not type(router).__module__.startswith("routerlab."):
            continue  # the bounds read the truth by design; other test modules register spies
        check_blind(router.fit(train), test, label=name)
        checked += 1
    assert checked >= 10


def test_accuracy_by_dataset_matches_direct_means():
    b = tiny(n=8)
    t = b.accuracy_by_dataset()
    for d in b.dataset_names:
        assert np.allclose(t.loc[d].to_numpy(), b.quality[b.datasets == d].mean(axis=0))


def test_concat_round_trip():
    b = tiny(n=8)
    c = concat([b.rows(slice(0, 5)), b.rows(slice(5, 8))])
    assert np.array_equal(c.quality, b.quality) and np.array_equal(c.sample_ids, b.sample_ids)


@pytest.mark.parametrize("bad", [
    dict(cost=np.zeros((5, 3))),
    dict(models=models_with_prices()[:2]),
    dict(features=np.zeros((5, 2))),
    dict(confidence=np.zeros((6, 2))),
    dict(datasets=np.array(["A"] * 5)),
])
def test_inconsistent_shapes_raise_one_line_errors(bad):
    b = tiny()
    kw = dict(quality=b.quality, cost=b.cost, models=b.models, sample_ids=b.sample_ids,
              datasets=b.datasets, prompt_tokens=b.prompt_tokens, features=b.features,
              confidence=b.confidence)
    kw.update(bad)
    with pytest.raises(rl.RouterlabError) as e:
        Benchmark(**kw)
    assert "\n" not in str(e.value)


def test_unknown_model_and_dataset_names():
    b = tiny()
    with pytest.raises(rl.RouterlabError, match="unknown model 'GPT-5'"):
        b.model_index("GPT-5")
    with pytest.raises(rl.RouterlabError, match="unknown dataset"):
        b.dataset_mask("nope")
    with pytest.raises(rl.RouterlabError, match="repeats"):
        b.select_models([0, 0])


def test_catalog_facts():
    assert len(DATASETS) == 12 and len(set(DATASET_NAMES)) == 12
    assert sum(d.n_test for d in DATASETS) == 50265  # sum of the real test-set sizes
    cal = calibration_table()
    assert len(cal) == 72 and cal["accuracy"].between(0, 1).all()
    mat = calibration_matrix()
    assert mat.shape == (12, 6) and not mat.isna().any().any()
    assert mat.loc["MMLU", "GPT-4o"] == pytest.approx(0.887)
    assert mat.loc["GPQA", "Llama-3-8B-Instruct"] == pytest.approx(0.2592)
    # GPT-4o is the most expensive model in every price table
    for table in PRICE_TABLES:
        ms = models_with_prices(table)
        assert max(ms, key=lambda m: m.price_in + m.price_out).name == "GPT-4o"
    with pytest.raises(rl.RouterlabError, match="unknown price table"):
        models_with_prices("nope")
