"""Parallel sweeps: the same numbers for every n_jobs and backend (Dask included), the same
protocol as evaluate(), hand-computed scores, and one-line errors."""

from __future__ import annotations

import json
import operator
import sys
import time

import numpy as np
import pandas as pd
import pytest
from threadpoolctl import threadpool_limits

import routerlab.evaluation.protocol as ev
import routerlab.evaluation.sweeps as sw
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.cli import main
from routerlab.errors import RouterlabError
from routerlab.data.simulate import simulate
from routerlab.evaluation.sweeps import parse_setting, run_tasks, sweep

ROUTERS = "mf,knn,dataset-best"
SETTINGS = {"knn": {"k": [5, 10]}}
SEEDS = [0, 1]
TIMING = ["fit_seconds", "route_seconds"]


@pytest.fixture(autouse=True)
def _no_cache_from_environment(monkeypatch):
    monkeypatch.delenv(ev.CACHE_ENV, raising=False)


@pytest.fixture(scope="module")
def bench() -> Benchmark:
    return simulate(scale=0.02, seed=0)


@pytest.fixture(scope="module")
def serial(bench) -> pd.DataFrame:
    return sweep(bench, ROUTERS, SEEDS, SETTINGS, n_jobs=1)


def _values(df: pd.DataFrame) -> pd.DataFrame:
    return df.drop(columns=TIMING)


def _doc(res) -> str:
    return json.dumps(res.to_dict(timings=False), sort_keys=True)


def hand_bench() -> Benchmark:
    """20 queries x 3 models, 10 of dataset A and 10 of B; costs 1, 2, 5 USD on every query.

    Global cost range [1, 5]: cost factors 1, 0.75, 0. A: cheap and mid correct, dear wrong
    (RS terms 1, 0.75, 0). B: only mid correct (0, 0.75, 0). Each dataset is one stratum, so a
    20% stratified split holds 2 A and 2 B test rows whatever the seed.
    """
    n = 20
    a = np.arange(n) < 10
    quality = np.column_stack([a, np.ones(n), np.zeros(n)]).astype(float)
    return Benchmark(
        quality=quality, cost=np.tile([1.0, 2.0, 5.0], (n, 1)),
        models=(Model("cheap", "p", "Small"), Model("mid", "p", "Medium"), Model("dear", "p", "Large")),
        sample_ids=np.array([f"q{i}" for i in range(n)]), datasets=np.where(a, "A", "B"),
        prompt_tokens=np.full(n, 10), features=np.zeros((n, 2)))


def _blas_threads(_task) -> list[int]:
    from threadpoolctl import threadpool_info

    return sorted({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})


# ---- run_tasks ---------------------------------------------------------------------------------
def test_run_tasks_keeps_task_order_and_passes_the_common_argument():
    assert run_tasks(abs, [-3, 2, -1, 0], n_jobs=1) == [3, 2, 1, 0]
    assert run_tasks(abs, [-3, 2, -1, 0], n_jobs=2, backend="threading") == [3, 2, 1, 0]
    assert run_tasks(operator.mul, [1, 2, 3], n_jobs=2, common=10) == [10, 20, 30]


@pytest.mark.parametrize("threads", [1, 2])
def test_tasks_run_with_the_callers_blas_threads(threads):
    # loky starts its workers with one BLAS thread; a randomised SVD differs between 1 and 2
    with threadpool_limits(threads, user_api="blas"):
        assert run_tasks(_blas_threads, [0, 1], n_jobs=2) == [[threads], [threads]]


# ---- determinism across n_jobs and backends ----------------------------------------------------
def test_sweep_rows_and_columns(serial):
    assert list(serial.columns) == ["policy", "seed", "setting", "k", "rs", "quality", "mean_cost",
                                    "calls_per_query", "fit_seconds", "route_seconds"]
    assert list(zip(serial["policy"], serial["setting"], serial["seed"])) == [
        ("mf", "", 0), ("mf", "", 1), ("knn", "k=5", 0), ("knn", "k=5", 1), ("knn", "k=10", 0),
        ("knn", "k=10", 1), ("dataset-best", "", 0), ("dataset-best", "", 1)]
    assert serial["k"].tolist()[2:6] == [5, 5, 10, 10] and serial["k"].isna().sum() == 4
    assert (serial["calls_per_query"] == 1.0).all() and serial["rs"].between(0, 1).all()
    assert serial.loc[serial["setting"] == "k=5", "rs"].tolist() != serial.loc[serial["setting"] == "k=10", "rs"].tolist()


@pytest.mark.parametrize("n_jobs,backend", [(2, "loky"), (2, "threading"), (-1, "loky")])
def test_sweep_is_identical_for_any_n_jobs_and_backend(bench, serial, n_jobs, backend):
    df = sweep(bench, ROUTERS, SEEDS, SETTINGS, n_jobs=n_jobs, backend=backend)
    pd.testing.assert_frame_equal(_values(df), _values(serial), check_exact=True)


def test_evaluate_in_parallel_is_byte_identical(bench):
    kw = dict(routers="mf,knn,random", seeds=SEEDS, bootstrap=50)
    one = ev.evaluate(bench, **kw)
    two = ev.evaluate(bench, **kw, n_jobs=2)
    assert _doc(two) == _doc(one)
    assert two.params["cache_key"] == one.params["cache_key"]  # n_jobs is not part of the key
    for s in SEEDS:
        assert np.array_equal(two.terms[s], one.terms[s]) and np.array_equal(two.test_idx[s], one.test_idx[s])


def test_dask_local_cluster_gives_the_serial_results(bench, serial):
    distributed = pytest.importorskip("distributed")
    t0 = time.perf_counter()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        df = sweep(bench, ROUTERS, SEEDS, SETTINGS, backend="dask", scheduler=address)
        pd.testing.assert_frame_equal(_values(df), _values(serial), check_exact=True)
        kw = dict(routers="mf,knn,random", seeds=SEEDS, bootstrap=50)
        res = ev.evaluate(bench, **kw, backend="dask", scheduler=address)
        assert _doc(res) == _doc(ev.evaluate(bench, **kw))
        assert run_tasks(_blas_threads, [0], backend="dask", scheduler=address) == [_blas_threads(0)]
        ran = " ".join(cluster.scheduler.task_prefixes)  # the task groups the cluster ran
        assert "_sweep_task" in ran and "_seed_task" in ran
    assert time.perf_counter() - t0 < 40


# ---- the same protocol as evaluate, and known answers ------------------------------------------
def test_sweep_rs_equals_evaluate_per_seed(bench, serial):
    res = ev.evaluate(bench, ROUTERS, seeds=SEEDS, bootstrap=0, router_options={"knn": {"k": 10}})
    ps = res.per_seed.set_index(["policy", "seed"])
    rows = serial[serial["setting"].isin(["", "k=10"])]
    assert len(rows) == 6
    for r in rows.itertuples():
        for col in ("rs", "quality", "mean_cost", "calls_per_query"):
            # the same per-query terms, summed in another order: equal to the last bits
            assert getattr(r, col) == pytest.approx(ps.loc[(r.policy, r.seed), col], rel=1e-12, abs=0)


def test_known_answers_on_a_hand_made_benchmark():
    df = sweep(hand_bench(), "fixed:cheap,fixed:mid,dataset-best", [0, 3], n_jobs=1)
    got = df.set_index(["policy", "seed"])
    for seed in (0, 3):
        assert got.loc[("fixed:cheap", seed), "rs"] == pytest.approx(0.5)      # 1, 1, 0, 0
        assert got.loc[("fixed:mid", seed), "rs"] == pytest.approx(0.75)       # 0.75 everywhere
        assert got.loc[("fixed:mid", seed), "mean_cost"] == pytest.approx(2.0)
        # dataset-best learns cheap for A and mid for B: terms 1, 1, 0.75, 0.75
        assert got.loc[("dataset-best", seed), "rs"] == pytest.approx(0.875)
        assert got.loc[("dataset-best", seed), "quality"] == pytest.approx(1.0)
        assert got.loc[("dataset-best", seed), "mean_cost"] == pytest.approx(1.5)


def test_split_none_and_per_query_normalization_by_hand():
    df = sweep(hand_bench(), ["fixed:mid", "round-robin"], [0], split="none", normalization="per-query",
               n_jobs=1).set_index("policy")
    assert df.loc["fixed:mid", "rs"] == pytest.approx(0.75)  # factor 1 - (2-1)/(5-1) on every query
    # round-robin over 20 rows: models 0,1,2,0,...; A rows 0-9, B rows 10-19
    terms = np.array([[1, 0.75, 0]] * 10 + [[0, 0.75, 0]] * 10)[np.arange(20), np.arange(20) % 3]
    assert df.loc["round-robin", "rs"] == pytest.approx(terms.mean())
    with pytest.raises(RouterlabError, match="'knn' learns from training rows"):
        sweep(hand_bench(), "knn", [0], split="none")


# ---- the command line --------------------------------------------------------------------------
def test_cli_sweep_writes_every_row(tmp_path, capsys):
    out = tmp_path / "sweep.json"
    code = main(["sweep", "--data", "sim", "--scale", "0.02", "--routers", "knn,random", "--seeds", "2",
                 "--set", "knn.k=5,10", "--n-jobs", "1", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0 and "k=10" in printed and "wrote" in printed
    rows = json.loads(out.read_text())
    assert [(r["policy"], r["setting"], r["seed"]) for r in rows] == [
        ("knn", "k=5", 0), ("knn", "k=5", 1), ("knn", "k=10", 0), ("knn", "k=10", 1), ("random", "", 0),
        ("random", "", 1)]


def test_parse_setting():
    assert parse_setting("knn.k=5,10,40") == ("knn", "k", [5, 10, 40])
    assert parse_setting("mlp.use_dataset=true,false") == ("mlp", "use_dataset", [True, False])
    assert parse_setting("fanout.threshold=0.5") == ("fanout", "threshold", [0.5])
    assert parse_setting("fanout.router=mf,knn") == ("fanout", "router", ["mf", "knn"])


# ---- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs,pattern", [
    (dict(backend="spark"), "unknown backend 'spark'; choose one of: loky, threading, dask"),
    (dict(backend="dask"), "backend 'dask' needs a scheduler address"),
    (dict(scheduler="tcp://127.0.0.1:8786"), "only used with backend 'dask'"),
    (dict(n_jobs=0), "n_jobs = 0 must be a nonzero integer"),
    (dict(settings={"knn": {"zz": [1]}}), "router 'knn' has no option 'zz'; its options are: k"),
    (dict(settings={"mlp": {"hidden": [8]}}), "settings given for 'mlp', which is not swept"),
    (dict(settings={"knn": {"k": []}}), "setting knn.k has no values"),
])
def test_sweep_errors_are_one_line(bench, kwargs, pattern):
    kw = dict(routers="knn", seeds=[0]) | kwargs
    with pytest.raises(RouterlabError, match=pattern.replace("(", r"\(")) as err:
        sweep(bench, kw.pop("routers"), kw.pop("seeds"), **kw)
    assert "\n" not in str(err.value)


def test_evaluate_checks_the_backend(bench):
    with pytest.raises(RouterlabError, match="unknown backend 'mpi'"):
        ev.evaluate(bench, "random", seeds=[0], backend="mpi")


def test_unreachable_scheduler_fails_fast(monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.setattr(sw, "CONNECT_TIMEOUT", 1.0)
    t0 = time.perf_counter()
    with pytest.raises(RouterlabError, match=r"cannot reach the Dask scheduler at 'tcp://127\.0\.0\.1:1'"):
        run_tasks(abs, [1], backend="dask", scheduler="tcp://127.0.0.1:1")
    assert time.perf_counter() - t0 < 15


def test_dask_backend_without_dask_installed(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(RouterlabError, match=r"pip install 'routerlab\[scale\]'"):
        run_tasks(abs, [1], backend="dask", scheduler="tcp://127.0.0.1:8786")


@pytest.mark.parametrize("argv,pattern", [
    (["--set", "knn.k"], "must read ROUTER.OPTION=V1,V2"),
    (["--set", "k=5,10"], "must read ROUTER.OPTION=V1,V2"),
    (["--set", "knn.k=5,,10"], "must read ROUTER.OPTION=V1,V2"),
    (["--set", "knn.zz=1"], "router 'knn' has no option 'zz'"),
    (["--set", "nope.k=1"], "unknown router 'nope'"),
    (["--set", "knn.k=1", "--set", "knn.k=2"], "is given twice"),
    (["--backend", "spark"], "invalid choice: 'spark'"),
    (["--backend", "dask"], "needs a scheduler address"),
    (["--n-jobs", "0"], "n-jobs must not be 0"),
    (["--out", "sweep.txt"], "must be a .csv, .parquet or .json file"),
])
def test_cli_sweep_errors_exit_2(capsys, argv, pattern):
    code = main(["sweep", "--data", "sim", "--scale", "0.02", "--routers", "knn", "--seeds", "1", *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("routerlab: error: ") and pattern in err[0]


def test_cli_evaluate_takes_the_parallel_options(capsys):
    code = main(["evaluate", "--data", "sim", "--scale", "0.02", "--routers", "random", "--seeds", "1",
                 "--bootstrap", "0", "--backend", "dask"])
    err = capsys.readouterr().err
    assert code == 2 and "needs a scheduler address" in err
