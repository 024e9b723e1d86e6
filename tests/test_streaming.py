"""Streaming summary: agreement with the in-memory metrics, hand-computed values, batch-size
independence, one clear error per defect, the CLI face, and bounded memory under a real limit."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest

from routerlab import metrics
from routerlab.cli import main
from routerlab.errors import RouterlabError
from routerlab.data.interchange import read_table, write_table
from routerlab.data.streaming import BOUNDS, summarize


# ---- agreement with the in-memory computation ----------------------------------------------------
@pytest.fixture(scope="module")
def sim_tables(tmp_path_factory):
    from routerlab.data.simulate import simulate

    bench = simulate(scale=0.02, seed=0)
    d = tmp_path_factory.mktemp("stream")
    return {suf: write_table(bench, d / f"t{suf}") for suf in (".parquet", ".csv")}


def in_memory(path, normalization):
    """The same statistics from read_table and the metrics functions on the full arrays."""
    b = read_table(path)
    q, c = b.quality, b.cost
    rows = np.arange(b.n_queries)
    masks = [b.datasets == d for d in b.dataset_names]
    bounds = {}
    for name, pick in (("oracle", metrics.oracle_choice(q, c, normalization)),
                       ("qoub", metrics.qoub_choice(q)), ("coub", metrics.coub_choice(q, c))):
        bounds[name] = {"rs": metrics.routing_score(q[rows, pick], c[rows, pick], c, normalization),
                        "quality": q[rows, pick].mean(), "mean_cost": c[rows, pick].mean()}
    return {
        "n_queries": b.n_queries, "models": b.model_names, "datasets": b.dataset_names,
        "dataset_counts": [int(m.sum()) for m in masks],
        "quality_mean": q.mean(axis=0), "cost_mean": c.mean(axis=0),
        "quality_by_dataset": np.array([q[m].mean(axis=0) for m in masks]),
        "cost_by_dataset": np.array([c[m].mean(axis=0) for m in masks]),
        "cost_min": c.min(), "cost_max": c.max(),
        "fixed_rs": [metrics.routing_score(q[:, j], c[:, j], c, normalization) for j in range(b.n_models)],
        "bounds": bounds,
        "aiq": {nz: metrics.aiq(c.mean(axis=0), q.mean(axis=0), normalization=nz)
                for nz in metrics.AIQ_NORMALIZATIONS},
    }


def assert_close(got, want, rel=1e-9, path="summary"):
    if isinstance(want, dict):
        for k in want:
            assert_close(got[k], want[k], rel, f"{path}.{k}")
    elif isinstance(want, (str, list)) and want and isinstance(want[0], str):
        assert list(got) == list(want), path
    else:
        g, w = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        assert g.shape == w.shape, path
        assert np.allclose(g, w, rtol=rel, atol=1e-15, equal_nan=True), (path, g, w)


@pytest.mark.parametrize("normalization", ["global", "per-query"])
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_agrees_with_read_table_and_metrics(sim_tables, suffix, normalization):
    s = summarize(sim_tables[suffix], batch_rows=100, normalization=normalization)
    want = in_memory(sim_tables[suffix], normalization)
    assert_close(s.to_dict(), want)
    assert s.n_queries == 1350 and s.simulated and s.bounds["oracle"]["rs"] > max(s.fixed_rs)


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_batch_size_does_not_change_the_result(sim_tables, suffix):
    small = summarize(sim_tables[suffix], batch_rows=7).to_dict()
    large = summarize(sim_tables[suffix], batch_rows=65_536).to_dict()
    small.pop("batch_rows"), large.pop("batch_rows")
    assert_close(small, large, rel=1e-12)


# ---- a table small enough to compute by hand ---------------------------------------------------
HAND_CSV = """sample_id,prompt,eval_name,A,B,A|total_cost,B|total_cost
s0,,x,1,1,1,3
s1,,y,0,1,1,3
s2,,x,1,0,1,3
s3,,x,0,1,1,3
"""


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_hand_computed_values(tmp_path, suffix):
    path = tmp_path / f"hand{suffix}"
    if suffix == ".csv":
        path.write_text(HAND_CSV)
    else:
        (tmp_path / "h.csv").write_text(HAND_CSV)
        pd.read_csv(tmp_path / "h.csv", dtype={"prompt": str}).to_parquet(path)
    s = summarize(path, batch_rows=3)
    # cost 1 -> factor 1, cost 3 -> factor 0 (global range [1, 3])
    assert (s.n_queries, s.models, s.datasets, list(s.dataset_counts)) == (4, ["A", "B"], ["x", "y"], [3, 1])
    assert np.allclose(s.quality_mean, [0.5, 0.75]) and np.allclose(s.cost_mean, [1, 3])
    assert np.allclose(s.quality_by_dataset, [[2 / 3, 2 / 3], [0, 1]])
    assert np.allclose(s.fixed_rs, [0.5, 0.0])
    # oracle: A, B (all score 0: the best quality), A, B; QOUB: B (B is more accurate), B, A, B
    assert s.bounds["oracle"] == pytest.approx({"rs": 0.5, "quality": 1.0, "mean_cost": 2.0})
    assert s.bounds["qoub"] == pytest.approx({"rs": 0.25, "quality": 1.0, "mean_cost": 2.5})
    assert s.bounds["coub"] == pytest.approx({"rs": 0.5, "quality": 1.0, "mean_cost": 2.0})
    # hull (1, 0.5) - (3, 0.75): area 1.25; / c_max 3, or / (3 - 1)
    assert s.aiq == pytest.approx({"cmax": 1.25 / 3, "range": 0.625})
    assert s.zero_router == ["A", "B"]
    text = s.describe()
    for word in ("4 queries x 2 models", "fixed:A", "oracle", "qoub", "coub", "AIQ", "cmax 0.4167"):
        assert word in text
    assert json.loads(json.dumps(s.to_dict()))["bounds"]["qoub"]["mean_cost"] == pytest.approx(2.5)


# ---- validation: one line, the same wording as read_table ---------------------------------------
def csv_with(tmp_path, cell_row, col, value, n=9):
    """A valid 2-model CSV with one cell replaced (data row ``cell_row``, 1-based)."""
    rows = [["sample_id", "eval_name", "A", "B", "A|total_cost", "B|total_cost"]]
    rows += [[f"s{i}", "x", "1", "0", "0.5", "0.25"] for i in range(n)]
    rows[cell_row][rows[0].index(col)] = value
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(",".join(r) for r in rows) + "\n")
    return path


@pytest.mark.parametrize("col, value, pattern", [
    ("B", "abc", "quality column 'B' holds 'abc' at data row 8 (sample_id 's7') of bad."),
    ("A", "", "quality column 'A' is empty at data row 8 (sample_id 's7') of bad."),
    ("B", "1.5", "quality column 'B' is 1.5 at data row 8 (sample_id 's7') of bad."),
    ("B|total_cost", "-0.1", "cost column 'B|total_cost' is -0.1 at data row 8 (sample_id 's7') of bad."),
    ("B|total_cost", "inf", "cost column 'B|total_cost' is inf at data row 8 (sample_id 's7') of bad."),
    ("A|total_cost", "x", "cost column 'A|total_cost' holds 'x' at data row 8"),
])
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_bad_cells_name_column_row_and_sample_id(tmp_path, col, value, pattern, suffix):
    path = csv_with(tmp_path, 8, col, value)
    if suffix == ".parquet":  # the same defect in a Parquet file (text columns stay text)
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        for c in df.columns[2:]:
            if c != col:
                df[c] = df[c].astype(float)
        if value == "":
            df[col] = pd.to_numeric(df[col], errors="coerce")  # a missing number
        path = tmp_path / "bad.parquet"
        df.to_parquet(path)
    with pytest.raises(RouterlabError) as exc:
        summarize(path, batch_rows=3)  # the bad row is in the third batch: a global row number
    msg = str(exc.value)
    assert pattern in msg and "\n" not in msg
    with pytest.raises(RouterlabError) as ref:
        read_table(path)
    assert msg == str(ref.value)  # interchange's wording, word for word


def test_nan_in_parquet_is_an_empty_cell(tmp_path):
    df = pd.DataFrame({"sample_id": ["a", "b"], "eval_name": ["x", "x"], "A": [1.0, np.nan],
                       "A|total_cost": [0.1, 0.2]})
    df.to_parquet(tmp_path / "t.parquet")
    with pytest.raises(RouterlabError, match=r"quality column 'A' is empty at data row 2 \(sample_id 'b'\)"):
        summarize(tmp_path / "t.parquet")


@pytest.mark.parametrize("make, pattern", [
    (lambda p: p / "missing.parquet", "no such file"),
    (lambda p: (p / "t.txt").write_text("x") and p / "t.txt", "unsupported file type '.txt'"),
    (lambda p: (p / "t.csv").write_text("sample_id,eval_name,A\ns,x,1\n") and p / "t.csv",
     "has no '<model>|total_cost' column, so no models"),
    (lambda p: (p / "t.csv").write_text("sample_id,eval_name,A|total_cost\ns,x,1\n") and p / "t.csv",
     "model 'A' has a cost column but no quality column 'A'"),
    (lambda p: (p / "t.csv").write_text("sample_id,A,A|total_cost\ns,1,1\n") and p / "t.csv",
     "has no 'eval_name' column"),
    (lambda p: (p / "t.csv").write_text("sample_id,eval_name,A,A|total_cost\n") and p / "t.csv", "has no rows"),
    (lambda p: (p / "t.parquet").write_bytes(b"not a parquet file" * 4) and p / "t.parquet",
     "as parquet: "),
    (lambda p: (p / "t.csv").write_bytes(b"\xff\xfe\x00garbage\n") and p / "t.csv", "as csv: "),
    (lambda p: (p / "t.csv").write_text('sample_id,eval_name,A,A|total_cost\ns,"x,1,1\n') and p / "t.csv",
     "as csv: "),
])
def test_table_errors_are_one_line(tmp_path, make, pattern):
    with pytest.raises(RouterlabError) as exc:
        summarize(make(tmp_path))
    assert pattern in str(exc.value) and "\n" not in str(exc.value)


def test_bad_arguments(sim_tables):
    with pytest.raises(RouterlabError, match="unknown normalization 'range'"):
        summarize(sim_tables[".parquet"], normalization="range")
    with pytest.raises(RouterlabError, match="batch_rows must be an integer >= 1"):
        summarize(sim_tables[".parquet"], batch_rows=0)


# ---- CLI ---------------------------------------------------------------------------------------
def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_info_stream(capsys, tmp_path, sim_tables):
    out_json = tmp_path / "s.json"
    code, out, err = run(capsys, "info", "--data", str(sim_tables[".parquet"]), "--stream",
                         "--batch-rows", "100", "--json", str(out_json))
    assert code == 0, err
    for word in ("1,350 queries x 6 models", "fixed:GPT-4o", "oracle", "qoub", "coub", "AIQ", "MMLU-Pro",
                 "100 rows per batch"):
        assert word in out
    doc = json.loads(out_json.read_text())
    want = in_memory(sim_tables[".parquet"], "global")
    assert doc["n_queries"] == 1350 and math.isclose(doc["bounds"]["oracle"]["rs"], want["bounds"]["oracle"]["rs"])


@pytest.mark.parametrize("argv, pattern", [
    (["--data", "sim", "--stream"], "--stream reads a .parquet/.csv interchange table; 'sim'"),
    (["--data", "routellm", "--stream"], "--stream reads a .parquet/.csv interchange table"),
    (["--data", "{missing}", "--stream"], "no such file"),
    (["--data", "{table}", "--stream", "--batch-rows", "0"], "batch-rows = 0 is out of range"),
    (["--data", "{table}", "--batch-rows", "10"], "need --stream"),
])
def test_cli_info_stream_errors(capsys, tmp_path, sim_tables, argv, pattern):
    argv = [a.format(missing=tmp_path / "no.parquet", table=sim_tables[".csv"]) for a in argv]
    code, out, err = run(capsys, "info", *argv)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("routerlab: error: ") and pattern in lines[0]


# ---- bounded memory: a table larger than the memory limit --------------------------------------
M, GROUP_ROWS, GROUPS, SEED = 10, 65_536, 20, 7
CMAX = 0.05  # planted in every row group, with a 0, so each group's cost range is the table's
DATASETS = ["alpha", "beta", "gamma"]
ALLOWANCE = 80 << 20  # bytes of private writable memory allowed above the warmed-up baseline
BATCH = 16_384


def _group(k, rows=GROUP_ROWS):
    rng = np.random.default_rng([SEED, k])
    q = rng.random((rows, M))
    c = rng.random((rows, M)) * np.geomspace(1e-4, 1e-2, M)
    c[0, 0], c[1, M - 1] = 0.0, CMAX
    return q, c, rng.integers(0, len(DATASETS), rows).astype(np.int32)


def _write(path, groups, rows=GROUP_ROWS):
    """Write the table one row group at a time (never whole in memory); return pass-1 sums."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = [f"model-{j}" for j in range(M)]
    schema = pa.schema([("sample_id", pa.int64()), ("eval_name", pa.dictionary(pa.int32(), pa.string()))]
                       + [(nm, pa.float64()) for nm in names]
                       + [(f"{nm}|total_cost", pa.float64()) for nm in names])
    q_sum, c_sum, counts, rs_fixed = np.zeros(M), np.zeros(M), np.zeros(len(DATASETS)), np.zeros(M)
    with pq.ParquetWriter(path, schema) as w:
        for k in range(groups):
            q, c, codes = _group(k, rows)
            cols = [pa.array(np.arange(k * rows, (k + 1) * rows)), pa.DictionaryArray.from_arrays(codes, DATASETS)]
            w.write_table(pa.Table.from_arrays(cols + [pa.array(x) for x in (*q.T, *c.T)], schema=schema))
            q_sum += q.sum(axis=0)
            c_sum += c.sum(axis=0)
            counts += np.bincount(codes, minlength=len(DATASETS))
            rs_fixed += (q * (1.0 - c / CMAX)).sum(axis=0)  # global range [0, CMAX] by construction
    return q_sum, c_sum, counts, rs_fixed


LIMITED = textwrap.dedent("""
    import json, resource, sys
    import numpy, pandas, pyarrow, pyarrow.parquet
    import routerlab.data.interchange, routerlab.metrics, routerlab.data.streaming
    mode, path, warm, allowance, batch = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    routerlab.data.streaming.summarize(warm, batch_rows=batch)  # start Arrow's threads, finish lazy imports
    base = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") if l.startswith("VmData:"))
    resource.setrlimit(resource.RLIMIT_DATA, (base + allowance, base + allowance))
    if mode == "stream":
        print(json.dumps(routerlab.data.streaming.summarize(path, batch_rows=batch).to_dict()))
    else:
        print(routerlab.data.interchange.read_table(path).n_queries)
""")


@pytest.mark.slow
def test_streams_a_table_larger_than_the_memory_limit(tmp_path):
    big, warm = tmp_path / "big.parquet", tmp_path / "warm.parquet"
    _write(warm, 1, rows=64)
    try:
        q_sum, c_sum, counts, rs_fixed = _write(big, GROUPS)
        n = GROUPS * GROUP_ROWS
        assert n * 2 * M * 8 > 2 * ALLOWANCE and big.stat().st_size > 2 * ALLOWANCE
        # RLIMIT_DATA caps private writable memory (heap, anonymous maps, thread stacks); it binds
        # only if allocations really map memory: Arrow's default mimalloc pool reserves a 1 GiB
        # arena at import (already counted), so use the system allocator, and a fixed mmap
        # threshold so glibc returns freed large blocks instead of keeping them in its heap
        env = dict(os.environ, ARROW_DEFAULT_MEMORY_POOL="system", MALLOC_MMAP_THRESHOLD_="131072",
                   OPENBLAS_NUM_THREADS="1")
        args = [str(big), str(warm), str(ALLOWANCE), str(BATCH)]
        res = subprocess.run([sys.executable, "-c", LIMITED, "stream", *args], env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 0, res.stderr[-2000:]
        got = json.loads(res.stdout)
        # the bounds from each row group in memory (each holds the table's cost range)
        acc = q_sum / n
        want = {b: np.zeros(3) for b in BOUNDS}
        for k in range(GROUPS):
            q, c, _ = _group(k)
            rows = np.arange(GROUP_ROWS)
            for b, pick in (("oracle", metrics.oracle_choice(q, c)), ("qoub", metrics.qoub_choice(q, acc)),
                            ("coub", metrics.coub_choice(q, c))):
                want[b] += (metrics.rs_terms(q[rows, pick], c[rows, pick], c).sum(),
                            q[rows, pick].sum(), c[rows, pick].sum())
        assert got["n_queries"] == n and got["datasets"] == DATASETS and got["dataset_counts"] == counts.tolist()
        assert (got["cost_min"], got["cost_max"]) == (0.0, CMAX)
        assert np.allclose(got["quality_mean"], q_sum / n, rtol=1e-12)
        assert np.allclose(got["cost_mean"], c_sum / n, rtol=1e-12)
        assert np.allclose(got["fixed_rs"], rs_fixed / n, rtol=1e-12)
        for b in BOUNDS:
            assert np.allclose([got["bounds"][b][k] for k in ("rs", "quality", "mean_cost")], want[b] / n,
                               rtol=1e-12), b
        # the limit binds: the in-memory reader fails under it
        res = subprocess.run([sys.executable, "-c", LIMITED, "table", *args], env=env,
                             capture_output=True, text=True, timeout=120)
        assert res.returncode != 0
        assert "MemoryError" in res.stderr or "malloc" in res.stderr or "allocate" in res.stderr, res.stderr[-2000:]
    finally:
        big.unlink(missing_ok=True)
