"""routerlab export: every source as an interchange table and in RouterBench's wide layout, read back
as the same benchmark (models, datasets, quality, cost, ids); outputs never overwrite an input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab import cli
from routerlab.data import export as ex
from routerlab.data import sources
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import Model
from routerlab.data.routerbench_layout import WIDE_LOSSES, wide_frame
from routerlab.data.simulate import simulate
from routerlab.errors import RouterlabError

SUFFIXES = (".csv", ".parquet")


def assert_same(a: Benchmark, b: Benchmark, prices: bool = True) -> None:
    """What every export carries: model names (and prices), datasets, ids, quality and cost exactly."""
    assert b.model_names == a.model_names
    if prices:
        assert [(m.price_in, m.price_out) for m in b.models] == [(m.price_in, m.price_out) for m in a.models]
    assert list(map(str, b.sample_ids)) == list(map(str, a.sample_ids))
    assert list(map(str, b.datasets)) == list(map(str, a.datasets))
    np.testing.assert_array_equal(b.quality, a.quality)
    np.testing.assert_array_equal(b.cost, a.cost)


@pytest.fixture(scope="module")
def sim():
    return simulate(scale=0.01, seed=3)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_sim_interchange_round_trip_through_the_cli(tmp_path, sim, suffix):
    out = tmp_path / f"sim{suffix}"
    assert cli.main(["export", "--data", "sim", "--scale", "0.01", "--seed", "3", "--format", "interchange",
                     "--out", str(out)]) == 0
    back = cli.load_source(str(out))  # what every other command reads
    assert_same(sim, back)
    np.testing.assert_array_equal(back.prompt_tokens, sim.prompt_tokens)
    np.testing.assert_array_equal(back.subsets, sim.subsets)
    np.testing.assert_array_equal(back.features, sim.features)
    np.testing.assert_array_equal(back.confidence, sim.confidence)
    assert back.name == sim.name and back.simulated


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_sim_routerbench_round_trip(tmp_path, sim, suffix):
    out = tmp_path / f"sim_rb{suffix}"
    assert cli.main(["export", "--data", "sim", "--scale", "0.01", "--seed", "3", "--format", "routerbench",
                     "--out", str(out)]) == 0
    raw = pd.read_csv(out, dtype=str, keep_default_na=False) if suffix == ".csv" else pd.read_parquet(out)
    n = len(sim.model_names)
    # RouterBench's columns only, in its order: no routerlab additions, no sidecar
    assert list(raw.columns) == (["sample_id", "prompt", "eval_name"] + sim.model_names
                                 + [f"{m}|total_cost" for m in sim.model_names] + ["oracle_model_to_route_to"])
    assert len(raw.columns) == 3 + 2 * n + 1 and not (tmp_path / f"sim_rb{suffix}.meta.json").exists()
    back = ex.read_back(out, "routerbench", models=sim.models)
    assert_same(sim, back)
    assert not back.simulated  # the layout carries no simulated flag (WIDE_LOSSES)
    assert {"prices", "name", "prompt_tokens", "confidence", "features"} <= set(WIDE_LOSSES)
    # without the prices the package's RouterBench table knows none of the simulator's models: their
    # prices read unknown (NaN), the outcomes are the same
    bare = ex.read_back(out, "routerbench")
    assert np.isnan(bare.price_in).all() and np.isnan(bare.price_out).all()
    assert np.array_equal(bare.quality, sim.quality) and np.array_equal(bare.cost, sim.cost)


def test_core_datasets_keep_their_subsets_and_others_pass_unchanged():
    q = np.array([[1.0, 0.0], [0.5, 1.0], [0.0, 0.0], [1.0, 1.0]])
    c = np.array([[0.1, 0.2], [0.3, 0.1], [0.2, 0.2], [0.0, 0.5]])
    b = Benchmark(quality=q, cost=c, models=(Model("alpha-7b", "me", "small", 0.0, 0.0),
                                             Model("beta-70b", "me", "large", 0.0, 0.0)),
                  sample_ids=np.array(["a", "b", "c", "d"]),
                  datasets=np.array(["MMLU", "MMLU", "GSM8K", "my-task"]),
                  subsets=np.array(["mmlu-algebra", "physics", "x", "y"]),
                  prompt_tokens=np.array([1, 2, 3, 4]), prompts=np.array(["[1, 2]", "two", "", "four"]))
    frame = wide_frame(b)
    # a subset that reads back as its dataset stays; otherwise the dataset's own prefix
    assert list(frame["eval_name"]) == ["mmlu-algebra", "mmlu", "grade-school-math", "my-task"]
    # RouterBench's oracle label: the cheapest best model, or none correct
    assert list(frame["oracle_model_to_route_to"]) == ["alpha-7b", "beta-70b", "no_model_correct", "alpha-7b"]
    assert frame["prompt"][0] == "['[1, 2]']" and frame["prompt"][2] == ""


def test_routerbench_format_round_trip_of_a_user_table(tmp_path):
    q = np.array([[1.0, 0.0], [0.5, 1.0], [0.0, 0.0], [1.0, 1.0]])
    c = np.array([[0.1, 0.2], [0.3, 0.1], [0.2, 0.2], [0.0, 0.5]])
    models = (Model("alpha-7b", "me", "small", 0.0, 0.0), Model("beta-70b", "me", "large", 0.0, 0.0))
    b = Benchmark(quality=q, cost=c, models=models, sample_ids=np.array(["a", "b", "c", "d"]),
                  datasets=np.array(["MMLU", "MMLU", "GSM8K", "my-task"]),
                  prompt_tokens=np.array([1, 2, 3, 4]), prompts=np.array(["[1, 2]", "two", "", "four"]))
    for suffix in SUFFIXES:
        out = ex.export(b, "routerbench", tmp_path / f"u{suffix}")
        back = ex.read_back(out, "routerbench", models=models)
        assert_same(b, back)
        assert list(back.prompts) == ["[1, 2]", "two", "", "four"]


def test_a_dataset_the_prefix_rule_would_rename_is_refused(tmp_path):
    b = Benchmark(quality=np.ones((2, 1)), cost=np.zeros((2, 1)), models=(Model("m", "p", "t", 0.0, 0.0),),
                  sample_ids=np.array(["a", "b"]), datasets=np.array(["mmlu-redux", "other"]),
                  prompt_tokens=np.zeros(2, dtype=int))
    with pytest.raises(RouterlabError, match="'mmlu-redux' would read back as 'MMLU'"):
        ex.export(b, "routerbench", tmp_path / "x.csv")
    assert list(tmp_path.iterdir()) == []


def test_output_never_overwrites_the_input(tmp_path, capsys):
    table = tmp_path / "in.csv"
    assert cli.main(["simulate", "--scale", "0.005", "--out", str(table)]) == 0
    before = table.read_bytes(), (tmp_path / "in.csv.meta.json").read_bytes()
    for fmt in ex.FORMATS:
        assert cli.main(["export", "--data", str(table), "--format", fmt, "--out", str(table)]) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "would destroy the input" in err
    # an interchange CSV named in.csv.meta.json.csv is fine; in.csv's sidecar is protected too
    assert (table.read_bytes(), (tmp_path / "in.csv.meta.json").read_bytes()) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.csv", "in.csv.meta.json"]


def test_output_inside_a_source_folder_is_refused(tmp_path):
    folder = tmp_path / "routerbench-subset"
    folder.mkdir()
    with pytest.raises(RouterlabError, match="lies inside the input folder"):
        ex.check_output(folder / "x.parquet", "routerbench", [folder])


@pytest.mark.parametrize("args, message", [
    (["--format", "interchange", "--out", "x.pkl"], "unsupported file type '.pkl'"),
    (["--format", "excel", "--out", "x.csv"], "invalid choice"),
    (["--format", "routerbench", "--out", "missing/x.csv"], "does not exist"),
])
def test_bad_output_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys, args, message):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["export", "--data", "sim", "--scale", "0.005", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err
    assert list(tmp_path.iterdir()) == []


def test_stale_sidecar_beside_a_routerbench_csv_is_refused(tmp_path):
    (tmp_path / "x.csv.meta.json").write_text("{}")
    with pytest.raises(RouterlabError, match="remove it"):
        ex.check_output(tmp_path / "x.csv", "routerbench")


@pytest.mark.parametrize("name", sources.names())
def test_real_source_round_trips_in_both_formats(tmp_path, name):
    if sources.find(name) is None:
        pytest.skip(f"{name}: data folder not found ({sources.status(name)})")
    bench = cli.load_source(name)
    step = max(1, bench.n_queries // 1500)  # every step-th query: small and still every dataset
    small = bench.rows(np.arange(0, bench.n_queries, step))
    for suffix in SUFFIXES:
        back = ex.read_back(ex.export(small, "interchange", tmp_path / f"i{suffix}"), "interchange")
        assert_same(small, back)
        np.testing.assert_array_equal(back.prompt_tokens, small.prompt_tokens)
        assert back.cost_estimated == small.cost_estimated and back.name == small.name
        back = ex.read_back(ex.export(small, "routerbench", tmp_path / f"r{suffix}"), "routerbench",
                            models=small.models)
        assert_same(small, back)
        assert list(back.prompts) == list(small.prompts if small.prompts is not None else [""] * small.n_queries)


def test_real_source_export_through_the_cli(tmp_path):
    if sources.find("routerbench-subset") is None:
        pytest.skip("routerbench-subset: data folder not found")
    out = tmp_path / "rb.csv"
    assert cli.main(["export", "--data", "routerbench-subset", "--format", "routerbench", "--out", str(out)]) == 0
    bench = cli.load_source("routerbench-subset")
    # RouterBench's own models carry the package's prices, so the CLI reads the file back as it is
    back = cli.load_source(str(out))
    assert_same(bench, back)
    np.testing.assert_array_equal(back.subsets, bench.subsets)


def test_a_file_source_exports_to_the_other_format(tmp_path, sim):
    table = tmp_path / "in.parquet"
    assert cli.main(["simulate", "--scale", "0.01", "--seed", "3", "--out", str(table)]) == 0
    out = tmp_path / "out.csv"
    assert cli.main(["export", "--data", str(table), "--format", "routerbench", "--out", str(out)]) == 0
    assert_same(sim, ex.read_back(out, "routerbench", models=sim.models))
    again = tmp_path / "again.parquet"
    assert cli.main(["export", "--data", str(table), "--format", "interchange", "--out", str(again)]) == 0
    assert_same(sim, cli.load_source(str(again)))
