"""Interchange format: exact round trips, RouterBench-style input, and one clear error per defect."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import MODELS, Model
from routerlab.errors import RouterlabError
from routerlab.data.interchange import oracle_labels, read_table, sidecar_path, write_table


def make_bench(n=40, m=3, seed=0, full=True) -> Benchmark:
    rng = np.random.default_rng(seed)
    extra = {}
    if full:
        extra = dict(features=rng.standard_normal((n, 5)), confidence=rng.random((n, m)),
                     answer_tokens=rng.integers(1, 500, (n, m)),
                     prompts=np.array([f'Q{i}: "quoted", comma\nnew line é' for i in range(n)], dtype=object),
                     subsets=np.array(["sub-a", "sub-b"] * (n // 2)))
    quality = (rng.random((n, m)) < 0.6).astype(float)
    quality[0, 0] = 0.75  # fractional scores survive
    return Benchmark(
        quality=quality, cost=rng.random((n, m)) * 10.0 ** rng.integers(-6, -2, (n, m)),
        models=MODELS[:m], sample_ids=np.array([f"ds.test.{i}" for i in range(n)]),
        datasets=np.array(["ARC", "GSM8K"])[np.arange(n) % 2], prompt_tokens=rng.integers(1, 2000, n),
        name="toy", simulated=True, **extra)


ARRAYS = ("quality", "cost", "features", "confidence", "answer_tokens", "prompt_tokens",
          "sample_ids", "datasets", "prompts", "subsets")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip_is_exact(tmp_path, suffix):
    b = make_bench()
    path = write_table(b, tmp_path / f"bench{suffix}")
    c = read_table(path)
    for attr in ARRAYS:
        x, y = getattr(b, attr), getattr(c, attr)
        assert y is not None, attr
        assert x.shape == y.shape, attr
        assert np.array_equal(x, y), attr  # bit-exact floats, same strings
    assert c.models == b.models
    assert (c.name, c.simulated) == ("toy", True)
    if suffix == ".csv":
        assert json.loads(sidecar_path(path).read_text())["models"][0]["name"] == MODELS[0].name


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_round_trip_without_optional_fields(tmp_path, suffix):
    b = make_bench(full=False)
    c = read_table(write_table(b, tmp_path / f"b{suffix}"))
    for attr in ("features", "confidence", "answer_tokens", "prompts", "subsets"):
        assert getattr(c, attr) is None, attr
    assert np.array_equal(c.quality, b.quality) and np.array_equal(c.cost, b.cost)


def test_written_columns_follow_routerbench_layout(tmp_path):
    b = make_bench(m=2)
    df = pd.read_csv(write_table(b, tmp_path / "b.csv"), keep_default_na=False)
    names = b.model_names
    assert list(df.columns[:7]) == ["sample_id", "prompt", "eval_name", *names,
                                    *(f"{x}|total_cost" for x in names)]
    assert "oracle_model_to_route_to" in df and "feature_4" in df and f"{names[0]}|confidence" in df


def test_oracle_labels_by_hand():
    q = np.array([[1, 1], [0, 1], [0, 0], [0.5, 0.75]])
    c = np.array([[1, 2], [1, 2], [1, 2], [1, 2]])
    assert list(oracle_labels(q, c, ["a", "b"])) == ["a", "b", "no_model_correct", "b"]


def _routerbench_csv(tmp_path, **overrides):
    """A small RouterBench-style table (no sidecar, no token columns, responses present)."""
    df = pd.DataFrame({
        "sample_id": ["mmlu-x.val.0", "mmlu-x.val.1", "gsm.dev.2"],
        "prompt": ["['What is 2+2?']", "['abcd']", "['x' * 9]"],
        "eval_name": ["mmlu-x", "mmlu-x", "grade-school-math"],
        "GPT-4o": [1.0, 0.0, 1.0], "mystery-model": [0.0, 0.25, 1.0],
        "GPT-4o|model_response": ["['4']", "['b']", "['9']"],
        "mystery-model|model_response": ["['5']", "['c']", "['9']"],
        "GPT-4o|total_cost": [1e-3, 2e-3, 3e-3], "mystery-model|total_cost": [1e-5, 2e-5, 0.0],
        "oracle_model_to_route_to": ["GPT-4o", "mystery-model", "mystery-model"],
    })
    for k, v in overrides.items():
        if v is None:
            df = df.drop(columns=k)
        else:
            df[k] = v
    path = tmp_path / "rb.csv"
    df.to_csv(path, index=False)
    return path


def test_reads_a_routerbench_table_without_sidecar(tmp_path):
    b = read_table(_routerbench_csv(tmp_path))
    assert b.model_names == ["GPT-4o", "mystery-model"]
    assert b.models[0] == next(m for m in MODELS if m.name == "GPT-4o")  # catalog metadata
    m = b.models[1]  # unknown model: unknown (NaN) prices, never silently free
    assert (m.name, m.provider, m.tier) == ("mystery-model", "unknown", "unknown")
    assert np.isnan(m.price_in) and np.isnan(m.price_out)
    assert list(b.prompt_tokens) == [4, 2, 3]  # ceil(len(prompt) / 4): 15, 8, 10 characters
    assert b.quality[1, 1] == 0.25 and b.cost[2, 1] == 0.0
    assert list(b.datasets) == ["mmlu-x", "mmlu-x", "grade-school-math"]


@pytest.mark.parametrize("overrides, pattern", [
    ({"mystery-model|total_cost": None}, r"'mystery-model'.*'mystery-model\|total_cost'"),
    ({"GPT-4o": ["1", "abc", "0"]}, r"quality column 'GPT-4o' holds 'abc' at data row 2 \(sample_id 'mmlu-x.val.1'\)"),
    ({"GPT-4o": [1.0, 1.5, 0.0]}, r"quality column 'GPT-4o' is 1.5 at data row 2.*\[0.0, 1.0\]"),
    ({"GPT-4o": [1.0, -0.1, 0.0]}, r"quality column 'GPT-4o' is -0.1"),
    ({"GPT-4o": ["1", "", "0"]}, r"quality column 'GPT-4o' is empty at data row 2"),
    ({"GPT-4o|total_cost": [1e-3, -2e-3, 0.0]}, r"cost column 'GPT-4o\|total_cost' is -0.002 at data row 2"),
    ({"GPT-4o|total_cost": ["x", "1", "1"]}, r"cost column 'GPT-4o\|total_cost' holds 'x' at data row 1"),
    ({"sample_id": ["a", "b", "a"]}, r"sample_id 'a' at data row 3 .*repeats data row 1; sample_ids must be unique"),
    ({"sample_id": None}, r"no 'sample_id' column"),
    ({"GPT-4o": None}, r"model 'GPT-4o' has a cost column but no quality column"),
    ({"GPT-4o|confidence": [0.5, 1.2, 0.1], "mystery-model|confidence": [0.1, 0.2, 0.3]},
     r"confidence column 'GPT-4o\|confidence' is 1.2"),
    ({"GPT-4o|confidence": [0.5, 0.2, 0.1]}, r"'mystery-model\|confidence' is missing"),
    ({"feature_0": [1.0, 2.0, 3.0], "feature_2": [1.0, 2.0, 3.0]}, r"feature_1 is missing"),
    ({"GPT-4o|latency": [1.0, 2.0, 3.0]}, r"unknown suffix 'latency'"),
])
def test_malformed_tables_fail_with_one_clear_line(tmp_path, overrides, pattern):
    path = _routerbench_csv(tmp_path, **overrides)
    with pytest.raises(RouterlabError, match=pattern) as info:
        read_table(path)
    assert "\n" not in str(info.value)


def test_quality_column_without_cost_column_is_named(tmp_path):
    path = _routerbench_csv(tmp_path, **{"orphan": [1.0, 0.0, 1.0]})
    with pytest.raises(RouterlabError, match=r"column 'orphan'.*'orphan\|total_cost'"):
        read_table(path)


def test_parquet_errors_name_the_row_too(tmp_path):
    b = make_bench(full=False)
    path = write_table(b, tmp_path / "b.parquet")
    df = pd.read_parquet(path)
    df.loc[3, b.model_names[1]] = 2.0
    df.to_parquet(path, index=False)
    with pytest.raises(RouterlabError, match=rf"'{b.model_names[1]}' is 2.0 at data row 4 \(sample_id 'ds.test.3'\)"):
        read_table(path)


def test_missing_file_and_unsupported_suffix(tmp_path):
    with pytest.raises(RouterlabError, match="no such file"):
        read_table(tmp_path / "nope.csv")
    p = tmp_path / "data.pkl"
    p.write_bytes(b"\x80\x04N.")  # a pickle of None: must not be read
    with pytest.raises(RouterlabError, match="pickle is not read"):
        read_table(p)
    with pytest.raises(RouterlabError, match="unsupported file type"):
        write_table(make_bench(), tmp_path / "out.xlsx")


def test_corrupt_parquet_gives_one_line(tmp_path):
    p = tmp_path / "bad.parquet"
    p.write_text("not parquet")
    with pytest.raises(RouterlabError, match="cannot read") as info:
        read_table(p)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_failed_write_leaves_target_untouched_and_no_temp_files(tmp_path, monkeypatch, suffix):
    target = tmp_path / f"b{suffix}"
    target.write_text("old content")

    def boom(*a, **k):
        raise OSError("disk full")

    if suffix == ".csv":
        monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
    else:
        import pyarrow.parquet as pq
        monkeypatch.setattr(pq, "write_table", boom)
    with pytest.raises(OSError, match="disk full"):
        write_table(make_bench(), target)
    assert target.read_text() == "old content"
    leftovers = {p.name for p in tmp_path.iterdir()} - {target.name, sidecar_path(target).name}
    assert leftovers == set()


def test_model_names_with_pipe_are_refused(tmp_path):
    b = make_bench(m=1, full=False)
    bad = Benchmark(quality=b.quality, cost=b.cost, models=(Model("a|b", "p", "t"),),
                    sample_ids=b.sample_ids, datasets=b.datasets, prompt_tokens=b.prompt_tokens)
    with pytest.raises(RouterlabError, match="contains '\\|'"):
        write_table(bad, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
