"""Your own router: loaded from a file or an entry point, held to the blindness test, and shown
beside the zero router, dataset-best and the oracle; every failure one line."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

import routerlab as rl
from routerlab.cli import main
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.errors import RouterlabError
from routerlab.evaluation.own_routers import baseline_comparison
from routerlab.routing.user import ForeignRouter, check_blind, load_router_class, user_router

ROUTERS = '''
import numpy as np
import routerlab as rl


class PerDataset(rl.Router):
    """Per dataset, the model with the best training accuracy."""

    name = "per-dataset"

    def fit(self, train):
        super().fit(train)
        self.pick_ = {d: int(train.quality[train.dataset_mask(d)].mean(axis=0).argmax())
                      for d in train.dataset_names}
        return self

    def route(self, test):
        self._check_models(test)
        return rl.Routing(np.array([self.pick_.get(d, 0) for d in test.datasets], dtype=int))


class Plain:
    """Follows the interface without subclassing rl.Router."""

    def fit(self, train):
        self.m_ = train.n_models
        return self

    def route(self, test):
        return rl.Routing(np.arange(test.n_queries) % self.m_)


class Peeker(rl.Router):
    def route(self, test):
        return rl.Routing(np.nan_to_num(test.quality).argmax(axis=1))


class Unseeded(rl.Router):
    def route(self, test):
        return rl.Routing(np.random.randint(0, test.n_models, test.n_queries))


class FitFails(PerDataset):
    name = "fit-fails"

    def fit(self, train):
        raise ZeroDivisionError("no data")


class RouteFails(PerDataset):
    name = "route-fails"

    def route(self, test):
        raise KeyError("x")


class NeedsArgs(rl.Router):
    def __init__(self, table, seed=0):
        super().__init__(seed)

    def route(self, test):
        return rl.Routing(np.zeros(test.n_queries, dtype=int))


class NoRoute(rl.Router):
    name = "no-route"


class Bound(PerDataset):
    name = "my-bound"
    uses_truth = True


class Knn(PerDataset):
    name = "knn"


def not_a_class():
    return None
'''


@pytest.fixture
def module(tmp_path):
    path = tmp_path / "my_routers.py"
    path.write_text(ROUTERS)
    return path


def _err(capsys) -> str:
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("routerlab: error: ")
    return err


SIM = ["--data", "sim", "--scale", "0.03", "--seeds", "2", "--bootstrap", "0"]


def test_cli_evaluates_your_router_beside_the_yardsticks(module, capsys):
    assert main(["evaluate", *SIM, "--routers", "random", "--router-module", f"{module}:PerDataset",
                 "--router-module", f"{module}:Plain"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("your router(s)"):]
    for row in ("per-dataset", "Plain", "dataset-best", "oub", "best single model"):
        assert row in table, row
    # the same numbers as the Python call the docs give
    mod = load_router_class(f"{module}:PerDataset")
    res = rl.evaluate(rl.simulate(0.03, seed=0), [mod(), "dataset-best", "oub"], seeds=range(2), bootstrap=0)
    rs = res.summary().loc["per-dataset", "rs"]
    line = next(x for x in table.splitlines() if x.startswith("per-dataset"))
    assert float(line.split()[1]) == pytest.approx(rs, abs=5e-5)


def test_python_path_and_comparison_columns(module):
    bench = rl.simulate(0.03, seed=0)
    router = user_router(f"{module}:PerDataset")
    res = rl.evaluate(bench, [router, "dataset-best", "oub"], seeds=range(2), bootstrap=0)
    t = baseline_comparison(res, bench, ["per-dataset"])
    assert list(t.index[:3]) == ["per-dataset", "dataset-best", "oub"]
    assert t.loc["oub", "rs_gap_to_oracle"] == pytest.approx(0.0, abs=1e-12)
    assert t.loc["dataset-best", "rs_vs_dataset_best"] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(t["over_zero_router"], t["quality"] - t["zero_router_quality"])
    with pytest.raises(RouterlabError, match="was not evaluated"):
        baseline_comparison(res, bench, ["mine"])


def _two_model_bench() -> Benchmark:
    """4 queries, model A (USD 1, quality 1,0,1,0) and B (USD 3, always right)."""
    models = (Model("A", "p", "Small", 1.0, 1.0), Model("B", "p", "Large", 3.0, 3.0))
    return Benchmark(quality=np.array([[1, 1], [0, 1], [1, 1], [0, 1]], dtype=float),
                     cost=np.array([[1.0, 3.0]] * 4), models=models, sample_ids=np.array(["q0", "q1", "q2", "q3"]),
                     datasets=np.array(["D"] * 4, dtype=object), prompt_tokens=np.ones(4, dtype=np.int64),
                     name="two")


def test_zero_router_quality_by_hand():
    """Round-robin calls A, B, A, B: mean cost 2, quality 1. The single models are (1, 0.5) and
    (3, 1.0); their hull at cost 2 is 0.75, so round-robin is 0.25 above the zero router."""
    bench = _two_model_bench()
    res = rl.evaluate(bench, ["round-robin", "fixed:A"], seeds=[0], split="none", bootstrap=0)
    t = baseline_comparison(res, bench, ["round-robin", "fixed:A"])
    assert t.loc["round-robin", "mean_cost"] == pytest.approx(2.0)
    assert t.loc["round-robin", "zero_router_quality"] == pytest.approx(0.75)
    assert t.loc["round-robin", "over_zero_router"] == pytest.approx(0.25)
    assert t.loc["fixed:A", "over_zero_router"] == pytest.approx(0.0)


def test_plain_class_is_wrapped(module):
    router = user_router(f"{module}:Plain", seed=3)
    assert isinstance(router, ForeignRouter) and router.name == "Plain"


@pytest.mark.parametrize("cls, message", [("Peeker", "failed the blindness test"),
                                          ("Unseeded", "failed the blindness test"),
                                          ("FitFails", "failed in fit() (ZeroDivisionError"),
                                          ("RouteFails", "failed in route() (KeyError")])
def test_cli_refuses_routers_that_peek_or_fail(module, capsys, cls, message):
    assert main(["evaluate", *SIM, "--routers", "random", "--router-module", f"{module}:{cls}"]) == 2
    assert message in _err(capsys)


def test_python_evaluate_applies_the_blindness_test(module):
    peeker = load_router_class(f"{module}:Peeker")()
    with pytest.raises(RouterlabError, match="blindness test"):
        rl.evaluate(rl.simulate(0.02, seed=0), [peeker, "random"], seeds=[0], bootstrap=0)


def test_check_blind_passes_builtins_and_catches_a_peek(module):
    bench = rl.simulate(0.02, seed=1)
    train, test = bench.rows(np.arange(0, bench.n_queries, 2)), bench.rows(np.arange(1, bench.n_queries, 2))
    for name in ("mf", "knn", "cascade", "dataset-best", "random"):
        check_blind(rl.make_router(name).fit(train), test)
    with pytest.raises(RouterlabError, match="reads the test truth"):
        check_blind(load_router_class(f"{module}:Peeker")().fit(train), test)


@pytest.mark.parametrize("spec, message", [
    ("{m}:Nowhere", "defines no 'Nowhere'"),
    ("missing.py:X", "does not exist"),
    ("{m}", "names no class"),
    ("{m}:NoRoute", "does not follow the router interface"),
    ("{m}:not_a_class", "not a class"),
    ("{m}:NeedsArgs", "constructor must work"),
    ("{m}:Bound", "uses_truth"),
    ("{m}:Knn", "built-in router's"),
    ("{d}:X", "not a .py file"),
    ("no-such-entry-point", "entry-point group 'routerlab.routers'"),
])
def test_loading_errors_are_one_line(module, capsys, spec, message):
    spec = spec.format(m=module, d=module.with_suffix(".txt"))
    assert main(["evaluate", "--data", "no-such-source.csv", "--router-module", spec]) == 2
    assert message in _err(capsys)  # before the (missing) data is read


def test_a_file_that_fails_to_import_is_one_line(tmp_path, capsys):
    bad = tmp_path / "broken.py"
    bad.write_text("import routerlab\nraise RuntimeError('boom at import')\n")
    assert main(["evaluate", *SIM, "--router-module", f"{bad}:X"]) == 2
    assert "importing" in _err(capsys)
    (tmp_path / "syntax.py").write_text("def (:\n")
    assert main(["evaluate", *SIM, "--router-module", f"{tmp_path / 'syntax.py'}:X"]) == 2
    assert "SyntaxError" in _err(capsys)


def test_entry_point_router(tmp_path, monkeypatch, capsys):
    pkg = tmp_path / "site"
    pkg.mkdir()
    (pkg / "acme_routers.py").write_text(ROUTERS)
    info = pkg / "acme_routers-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-routers\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[routerlab.routers]\nacme = acme_routers:PerDataset\n")
    monkeypatch.syspath_prepend(str(pkg))
    assert main(["evaluate", *SIM, "--routers", "random", "--router-module", "acme"]) == 0
    assert "per-dataset" in capsys.readouterr().out[-2000:]


def test_help_says_the_file_runs(capsys):
    assert main(["evaluate", "--help"]) == 0
    assert "RUNS THAT FILE" in " ".join(capsys.readouterr().out.split())


def test_sweep_runs_your_router_with_its_defaults(module, capsys):
    assert main(["sweep", "--data", "sim", "--scale", "0.03", "--seeds", "2", "--routers", "random",
                 "--router-module", f"{module}:PerDataset", "--n-jobs", "-1"]) == 0
    captured = capsys.readouterr()
    assert "per-dataset" in captured.out and "--n-jobs 1" in captured.err
    from routerlab.evaluation.sweeps import sweep

    bench = rl.simulate(0.03, seed=0)
    df = sweep(bench, [user_router(f"{module}:PerDataset"), "dataset-best"], [0, 1], n_jobs=1)
    ev = rl.evaluate(bench, [user_router(f"{module}:PerDataset")], seeds=[0, 1], bootstrap=0)
    mine = df[df["policy"] == "per-dataset"].set_index("seed")["rs"]
    np.testing.assert_allclose(mine.to_numpy(), ev.per_seed.set_index("seed")["rs"].to_numpy())
    assert main(["sweep", *SIM[:4], "--routers", "random", "--router-module", f"{module}:Peeker"]) == 2
    assert "blindness test" in _err(capsys)
