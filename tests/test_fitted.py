"""routerlab.evaluation.fitted: one fit per (router, split), shared by the evaluation, the frontier
study, the validation choice and the learning curves, with the results of a run without cache."""

from __future__ import annotations

import numpy as np
import pytest

from routerlab.data.splits import stratified_split
from routerlab.evaluation import fitted
from routerlab.evaluation.cost_quality import text_frontier_study
from routerlab.evaluation.protocol import evaluate
from routerlab.evaluation.task_baselines import validation_choice
from routerlab.routing.predictive import MLPRouter, PredictiveRouter
from routerlab.routing.routers import make_router

from conftest import text_bench

LEARNED = ["mf", "seq-cls", "knn"]


@pytest.fixture()
def count_fits(monkeypatch):
    """{router name: fits made} over the test, counting :meth:`PredictiveRouter.fit`."""
    counts: dict[str, int] = {}
    original = PredictiveRouter.fit

    def fit(self, train):
        counts[self.name] = counts.get(self.name, 0) + 1
        return original(self, train)

    monkeypatch.setattr(PredictiveRouter, "fit", fit)
    return counts


def test_evaluation_and_frontier_share_fits_and_agree_with_no_cache(tmp_path, count_fits, monkeypatch):
    b = text_bench(300, seed=1)
    monkeypatch.setenv("ROUTERLAB_CACHE_DIR", str(tmp_path))  # the fits (and text features) only
    r1 = evaluate(b, LEARNED, seeds=[0, 1], bootstrap=0, cache_dir=False)
    assert count_fits == {name: 2 for name in LEARNED}        # one fit per router and seed
    f1 = text_frontier_study(b, [0, 1], routers=LEARNED, cache_dir=False, extra=())
    assert count_fits == {name: 2 for name in LEARNED}        # the frontier reused them
    validation_choice(b, LEARNED, 0, cache_dir=False)
    tr, _ = stratified_split(b, 0.2, 0)
    text_frontier_study(b.rows(tr), [0], routers=LEARNED, cache_dir=False, extra=())
    assert count_fits == {name: 3 for name in LEARNED}        # the validation fits made once too
    assert len(list((tmp_path / "fits").glob("*.npz"))) == 3 * len(LEARNED)
    monkeypatch.delenv("ROUTERLAB_CACHE_DIR")
    r0 = evaluate(b, LEARNED, seeds=[0, 1], bootstrap=0, cache_dir=False)
    f0 = text_frontier_study(b, [0, 1], routers=LEARNED, cache_dir=False, extra=())
    assert count_fits == {name: 7 for name in LEARNED}        # without a cache every call fits
    assert np.array_equal(r0.per_seed["rs"].to_numpy(), r1.per_seed["rs"].to_numpy())
    cols = list(f0.points.select_dtypes("number").columns)
    assert np.array_equal(f0.points[cols].to_numpy(), f1.points[cols].to_numpy(), equal_nan=True)


def test_damaged_or_misshapen_entry_is_computed_again(tmp_path):
    b = text_bench(200, seed=2)
    tr, te = stratified_split(b, 0.2, 0)
    train, test = b.rows(tr), b.rows(te).without_truth()
    first = fitted.fit_outputs(make_router("seq-cls", seed=0), train, test, cache_dir=tmp_path)
    (entry,) = (tmp_path / "fits").glob("*.npz")
    entry.write_bytes(b"not an npz")
    again = fitted.fit_outputs(make_router("seq-cls", seed=0), train, test, cache_dir=tmp_path)
    assert np.array_equal(first.proba, again.proba)
    np.savez(entry, choice=np.zeros(3, dtype=np.int64), proba=np.zeros((3, 2)), route_proba=np.zeros((3, 2)),
             seconds=np.zeros(2))                                   # wrong shapes: not trusted
    third = fitted.fit_outputs(make_router("seq-cls", seed=0), train, test, cache_dir=tmp_path)
    assert np.array_equal(first.routing.choice, third.routing.choice)
    assert np.array_equal(first.proba, fitted.fit_outputs(make_router("seq-cls", seed=0), train, test,
                                                          cache_dir=tmp_path).proba)


def test_options_seed_and_data_are_part_of_the_key(tmp_path):
    b = text_bench(200, seed=3)
    tr, te = stratified_split(b, 0.2, 0)
    train, test = b.rows(tr), b.rows(te).without_truth()
    fitted.fit_outputs(make_router("knn", seed=0), train, test, cache_dir=tmp_path)
    fitted.fit_outputs(make_router("knn", seed=0, k=3), train, test, cache_dir=tmp_path)
    fitted.fit_outputs(make_router("knn", seed=1), train, test, cache_dir=tmp_path)
    fitted.fit_outputs(make_router("knn", seed=0), train.rows(np.arange(train.n_queries - 1)), test, cache_dir=tmp_path)
    assert len(list((tmp_path / "fits").glob("*.npz"))) == 4


def test_only_built_in_predictive_routers_are_kept():
    class Mine(MLPRouter):
        name = "mine"

    assert fitted.cacheable(make_router("mlp")) and fitted.cacheable(make_router("dataset-best"))
    assert not fitted.cacheable(Mine()) and not fitted.cacheable(make_router("random"))
    with pytest.raises(ValueError):
        fitted.fit_outputs(Mine(), None, None)
