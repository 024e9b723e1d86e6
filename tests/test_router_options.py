"""Router options validated once (routerlab.routing.routers.validate_options) for every entry point
-- make_router, sweeps' --set, evaluate's router_options -- and --n-jobs bounded by the cores and
the tasks."""

from __future__ import annotations

import math
import os

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import routerlab as rl
from routerlab.cli import main
from routerlab.errors import RouterlabError
from routerlab.evaluation.parallel import check_n_jobs, cpu_cores, run_tasks, worker_count
from routerlab.evaluation.sweeps import expand_settings, parse_setting
from routerlab.routing.routers import INT_BOUNDS, make_router, validate_options


@pytest.mark.parametrize("options, message", [
    ({"k": 2.5}, "must be a whole number"),
    ({"k": float("inf")}, "finite"),
    ({"k": float("nan")}, "finite"),
    ({"k": 0}, "out of range"),
    ({"k": 2**40}, "out of range"),
    ({"k": 10**400}, "out of range"),
    ({"k": -(10**400)}, "out of range"),
    ({"k": True}, "must be a number"),
    ({"k": "5"}, "must be a number"),
    ({"chunk": -1}, "out of range"),
    ({"chunk": 0}, "out of range"),
    ({"within_dataset": "maybe"}, "true or false"),
    ({"within_dataset": 1}, "true or false"),
    ({"weights": 3}, "must be text"),
    ({"weights": "psychic"}, "kNN weights"),
    ({"kk": 3}, "has no option 'kk'"),
    ({"within_dataset": None}, "cannot be none"),
    ({"k": None}, "cannot be none"),
])
def test_bad_knn_options_are_one_line(options, message):
    with pytest.raises(RouterlabError, match=message) as e:
        make_router("knn", **options)
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("name, options, message", [
    ("mf", {"l2": -1.0}, "out of range"),
    ("mf", {"maxiter": 10**400}, "out of range"),
    ("mf", {"l2": 10**400}, "finite"),
    ("mlp", {"hidden": 0}, "out of range"),
    ("causal-lm", {"lr": 0.0}, "out of range"),
    ("causal-lm", {"min_steps": -1}, "out of range"),
    ("frugalgpt", {"max_length": 4}, "out of range"),
    ("frugalgpt", {"budget": float("inf")}, "finite"),
    ("fanout", {"cap": 1.5}, "whole number"),
    ("cascade", {"threshold": "high"}, "must be a number"),
    ("fixed:GPT-4o", {"k": 1}, "has no option"),
])
def test_other_routers_options(name, options, message):
    with pytest.raises(RouterlabError, match=message):
        make_router(name, **options)


def test_whole_floats_become_ints_and_none_passes():
    r = make_router("knn", k=5.0, chunk=np.int64(64), within_dataset=np.bool_(False))
    assert (r.k, r.chunk, r.within_dataset) == (5, 64, False) and type(r.k) is int
    assert validate_options("fanout", {"cap": None}) == {"cap": None}
    assert validate_options("frugalgpt", {"budget": None, "grid": [0.1, 0.9]})["grid"] == [0.1, 0.9]


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.integers(-10, 10**12), st.floats(allow_nan=True, allow_infinity=True)))
def test_knn_k_accepted_exactly_when_whole_finite_and_in_bounds(value):
    ok = (math.isfinite(float(value)) and float(value) == math.floor(float(value))
          and INT_BOUNDS[0] <= value <= INT_BOUNDS[1])
    if ok:
        assert validate_options("knn", {"k": value}) == {"k": int(value)}
    else:
        with pytest.raises(RouterlabError):
            validate_options("knn", {"k": value})


def test_evaluate_router_options_and_sweep_settings_use_the_same_check():
    bench = rl.simulate(0.01, seed=0)
    with pytest.raises(RouterlabError, match="knn.chunk = -1"):
        rl.evaluate(bench, ["knn"], seeds=[0], bootstrap=0, router_options={"knn": {"chunk": -1}})
    with pytest.raises(RouterlabError, match="knn.k = 2.5"):
        expand_settings("knn", {"k": [5, 2.5]})
    assert expand_settings("knn", {"k": [5.0, 10]}) == [{"k": 5}, {"k": 10}]


def test_parse_setting_refuses_non_finite_text():
    assert parse_setting("knn.k=5,10") == ("knn", "k", [5, 10])
    for text in ("knn.k=1e400", "knn.k=nan", "knn.k=-inf"):
        with pytest.raises(RouterlabError, match="not a finite number"):
            parse_setting(text)


@pytest.mark.parametrize("setting, message", [
    ("knn.k=2.5", "whole number"), ("knn.chunk=-1", "out of range"),
    ("knn.within_dataset=maybe", "true or false"), ("knn.k=1e400", "not a finite number"),
    ("knn.k=99999999999999999999", "out of range"),
])
def test_cli_sweep_refuses_bad_settings_before_loading(setting, message, capsys):
    assert main(["sweep", "--data", "no-such.csv", "--routers", "knn", "--set", setting, "--n-jobs", "1"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("routerlab: error: ") and "\n" not in err and message in err


# ---- --n-jobs ----------------------------------------------------------------------------------
def test_cores_follow_the_affinity():
    assert cpu_cores() == len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cpu_cores() >= 1


@pytest.mark.parametrize("command", ["evaluate", "sweep"])
def test_cli_refuses_more_jobs_than_cores(command, capsys):
    too_many = cpu_cores() + 1
    argv = [command, "--data", "no-such.csv", "--routers", "random", "--n-jobs", str(too_many)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"more than the {cpu_cores()} core(s)" in err and "--backend dask" in err
    assert main([command, "--data", "no-such.csv", "--routers", "random", "--n-jobs", "1000"]) == 2
    assert main([command, "--data", "no-such.csv", "--routers", "random", "--n-jobs", "-1000"]) == 2


def test_dask_lifts_the_core_bound():
    assert check_n_jobs(1000, "dask") == 1000
    with pytest.raises(RouterlabError, match="core"):
        check_n_jobs(cpu_cores() + 1, "loky")
    with pytest.raises(RouterlabError, match="nonzero integer"):
        check_n_jobs(2.0)


@settings(max_examples=100, deadline=None)
@given(st.integers(-1000, 1000).filter(bool), st.integers(0, 5000))
def test_worker_count_is_bounded_by_cores_and_tasks(n_jobs, n_tasks):
    w = worker_count(n_jobs, n_tasks)
    assert 1 <= w <= max(1, min(cpu_cores(), n_tasks))
    if n_jobs == -1 and n_tasks >= cpu_cores():
        assert w == cpu_cores()


def test_run_tasks_with_a_thousand_jobs_starts_one_worker_per_task():
    pids = run_tasks(_pid, [0], n_jobs=1000)
    assert pids == [os.getpid()]  # one task: run in this process, no pool at all


def _pid(_):
    return os.getpid()
