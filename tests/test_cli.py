"""The command line: each subcommand on small inputs, and every error path as one line + exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
import types

import numpy as np
import pytest

from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import MODELS
from routerlab.cli import main
from routerlab.data.interchange import read_table, write_table


def small_bench(scale=1.0, seed=0) -> Benchmark:
    n = max(int(400 * scale), 20)
    rng = np.random.default_rng(seed)
    m = len(MODELS)
    return Benchmark(
        quality=(rng.random((n, m)) < np.linspace(0.5, 0.85, m)).astype(float),
        cost=rng.random((n, m)) * np.array([mo.price_out for mo in MODELS]) * 1e-4, models=MODELS,
        sample_ids=np.array([f"s{i}" for i in range(n)]),
        datasets=np.array(["GSM8K", "MMLU"])[np.arange(n) % 2], prompt_tokens=rng.integers(1, 100, n),
        features=rng.standard_normal((n, 3)), confidence=rng.random((n, m)), name="small-sim",
        simulated=True)


@pytest.fixture
def fake_sim(monkeypatch):
    """A stand-in ``routerlab.data.simulate`` so the CLI is tested apart from the simulator."""
    mod = types.ModuleType("routerlab.data.simulate")
    mod.simulate = lambda scale=1.0, seed=0: small_bench(scale, seed)
    monkeypatch.setitem(sys.modules, "routerlab.data.simulate", mod)
    return mod


@pytest.fixture
def table(tmp_path):
    return write_table(small_bench(), tmp_path / "bench.parquet")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code, err, pattern=""):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("routerlab: error: ")
    assert pattern in lines[0]


# ---- subcommands -------------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_simulate_writes_the_interchange_table(tmp_path, capsys, fake_sim, suffix):
    out = tmp_path / f"sim{suffix}"
    code, stdout, _ = run(capsys, "simulate", "--scale", "0.5", "--seed", "3", "--out", str(out))
    assert code == 0 and "wrote 200 queries x 6 models" in stdout
    b, want = read_table(out), small_bench(0.5, 3)
    assert np.array_equal(b.quality, want.quality) and np.array_equal(b.features, want.features)
    assert np.array_equal(b.confidence, want.confidence) and b.simulated


def test_simulate_with_the_real_simulator(tmp_path, capsys):
    pytest.importorskip("routerlab.data.simulate")
    out = tmp_path / "sim.parquet"
    code, _, _ = run(capsys, "simulate", "--scale", "0.01", "--seed", "0", "--out", str(out))
    assert code == 0
    b = read_table(out)
    assert b.n_models == 6 and b.features is not None and b.confidence is not None and b.simulated


def test_info_prints_models_datasets_and_accuracies(capsys, table):
    code, out, _ = run(capsys, "info", "--data", str(table))
    assert code == 0
    for name in ("GPT-4o", "Llama-3-8B-Instruct", "GSM8K", "MMLU", "accuracy", "[SIMULATED]"):
        assert name in out


def test_info_on_sim(capsys, fake_sim):
    code, out, _ = run(capsys, "info", "--data", "sim", "--scale", "0.1")
    assert code == 0 and "40 queries x 6 models" in out


def test_evaluate_writes_one_entry_per_policy(tmp_path, capsys, table):
    out = tmp_path / "res.json"
    code, stdout, _ = run(capsys, "evaluate", "--data", str(table), "--routers", "random,fixed:GPT-4o,oub",
                          "--seeds", "3", "--normalization", "global", "--bootstrap", "50",
                          "--json", str(out))
    assert code == 0 and "oub" in stdout
    doc = json.loads(out.read_text())
    assert list(doc["policies"]) == ["random", "fixed:GPT-4o", "oub"]
    for e in doc["policies"].values():
        for k in ("rs", "quality", "mean_cost", "cost_reduction"):
            lo, hi = e[f"{k}_ci95_seeds"]
            assert lo <= e[k] <= hi
    assert doc["policies"]["fixed:GPT-4o"]["cost_reduction"] == pytest.approx(0.0, abs=1e-12)
    assert doc["params"]["seeds"] == [0, 1, 2]


def test_evaluate_all_on_sim_with_split_none(tmp_path, capsys, fake_sim):
    out = tmp_path / "res.json"
    code, _, err = run(capsys, "evaluate", "--data", "sim", "--scale", "0.2", "--routers",
                       "random,round-robin,fixed:Llama-3-8B-Instruct,qoub,coub", "--seeds", "1",
                       "--split", "none", "--normalization", "per-query", "--json", str(out))
    assert code == 0, err
    doc = json.loads(out.read_text())
    assert doc["params"]["split"] == "none" and doc["params"]["n_queries"] == 80
    assert "rs_ci95_seeds" not in doc["policies"]["random"]  # one seed: no across-seed interval


def test_evaluate_all_expands_every_fixed_model(tmp_path, capsys, table):
    out = tmp_path / "res.json"
    code, _, err = run(capsys, "evaluate", "--data", str(table), "--routers", "random,fixed",
                       "--seeds", "1", "--bootstrap", "0", "--json", str(out))
    assert code == 0, err
    assert [p for p in json.loads(out.read_text())["policies"] if p.startswith("fixed:")] == \
        [f"fixed:{m.name}" for m in MODELS]


def test_evaluate_uses_the_cache(tmp_path, capsys, table):
    args = ["evaluate", "--data", str(table), "--routers", "random", "--seeds", "2", "--bootstrap", "10",
            "--cache-dir", str(tmp_path / "cache")]
    assert run(capsys, *args, "--json", str(tmp_path / "a.json"))[0] == 0
    assert run(capsys, *args, "--json", str(tmp_path / "b.json"))[0] == 0
    assert [p.name[:9] for p in (tmp_path / "cache").iterdir() if not p.name.startswith(".")] == ["evaluate-"]
    assert (json.loads((tmp_path / "a.json").read_text())["policies"]
            == json.loads((tmp_path / "b.json").read_text())["policies"])


def test_evaluate_without_json_prints_the_table(capsys, table):
    code, out, _ = run(capsys, "evaluate", "--data", str(table), "--routers", "random,oub", "--seeds", "1",
                       "--bootstrap", "0", "--quiet")
    assert code == 0
    assert "RS" in out and "oub" in out and "wrote" not in out


# ---- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv, pattern", [
    (["evaluate", "--data", "{missing}", "--json", "{out}"], "no such file"),
    (["evaluate", "--data", "{table}", "--routers", "random,nope", "--json", "{out}"], "unknown policy 'nope'"),
    (["evaluate", "--data", "{table}", "--routers", "fixed:GPT-9", "--json", "{out}"], "unknown model 'GPT-9'"),
    (["evaluate", "--data", "{table}", "--seeds", "0", "--json", "{out}"], "seeds = 0"),
    (["evaluate", "--data", "{table}", "--seeds", "two", "--json", "{out}"], "must be an integer"),
    (["evaluate", "--data", "{table}", "--normalization", "max", "--json", "{out}"], "invalid choice: 'max'"),
    (["evaluate", "--data", "{table}", "--split", "kfold", "--json", "{out}"], "invalid choice: 'kfold'"),
    (["evaluate", "--data", "{table}", "--test-size", "1.5", "--json", "{out}"], "--test-size"),
    (["evaluate", "--data", "{table}", "--reference", "GPT-9", "--json", "{out}"], "unknown model 'GPT-9'"),
    (["evaluate", "--data", "{table}", "--json", "{tmp}"], "is a folder"),
    (["evaluate", "--data", "{table}", "--json", "{tmp}/no/such/dir/x.json"], "does not exist; create it first"),
    (["evaluate", "--data", "{bad}", "--json", "{out}"], "quality column"),
    (["evaluate", "--data", "{pickle}", "--json", "{out}"], "pass --trust-pickle"),
    (["evaluate", "--data", "sim", "--scale", "-1", "--json", "{out}"], "scale = '-1' is out of range"),
    (["evaluate", "--data", "sim", "--scale", "abc", "--json", "{out}"], "scale must be a number"),
    (["info", "--data", "{missing}"], "no such file"),
    (["simulate", "--out", "{tmp}/x.pkl"], "unsupported file type"),
    (["simulate", "--seed", "-2", "--out", "{out}"], "seed = -2"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "required"),
])
def test_errors_are_one_line_with_exit_2(tmp_path, capsys, table, fake_sim, argv, pattern):
    bad = tmp_path / "bad.csv"
    bad.write_text("sample_id,prompt,eval_name,A,A|total_cost\n1,p,d,yes,0.1\n")
    pickle = tmp_path / "bench.pkl"
    pickle.write_bytes(b"\x80\x04N.")
    out = tmp_path / "out.json"
    fill = dict(missing=str(tmp_path / "nope.csv"), table=str(table), out=str(out), tmp=str(tmp_path),
                bad=str(bad), pickle=str(pickle))
    code, _, err = run(capsys, *[a.format(**fill) for a in argv])
    assert_one_line_error(code, err, pattern)
    assert not out.exists()  # nothing half-written


def test_learning_router_with_split_none_is_an_error(tmp_path, capsys, table):
    import routerlab as rl

    learned = [x for x in rl.router_names() if x not in ("random", "round-robin", "oub", "qoub", "coub",
                                                         "fixed:<model>")]
    if not learned:
        pytest.skip("no learned router registered yet")
    out = tmp_path / "out.json"
    code, _, err = run(capsys, "evaluate", "--data", str(table), "--routers", f"random,{learned[0]}",
                       "--split", "none", "--json", str(out))
    assert_one_line_error(code, err, "learns from training rows")
    assert not out.exists()


def test_python_dash_m_entry_point(tmp_path, table):
    ok = subprocess.run([sys.executable, "-m", "routerlab", "info", "--data", str(table)],
                        capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and "GPT-4o" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "routerlab", "info", "--data", str(tmp_path / "x.csv")],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and bad.stderr.startswith("routerlab: error:")


# ---- RouterBench pickles: read only with --trust-pickle and the right digest -------------------
@pytest.fixture
def routerbench_pkl(tmp_path):
    from test_routerbench import make_frame

    from routerlab.data.routerbench_layout import file_sha256

    path = tmp_path / "routerbench_0shot.pkl"
    make_frame().to_pickle(path)
    return path, file_sha256(path)


def test_pickle_needs_trust_pickle(capsys, routerbench_pkl):
    path, _ = routerbench_pkl
    code, out, err = run(capsys, "info", "--data", str(path))
    assert_one_line_error(code, err, "--trust-pickle")


def test_pickle_with_wrong_digest_is_refused(capsys, routerbench_pkl):
    path, _ = routerbench_pkl
    code, out, err = run(capsys, "info", "--data", str(path), "--trust-pickle", "0" * 64)
    assert_one_line_error(code, err, "SHA-256")


def test_pickle_with_its_digest_is_read(capsys, routerbench_pkl):
    path, digest = routerbench_pkl
    code, out, err = run(capsys, "info", "--data", str(path), "--trust-pickle", digest)
    assert code == 0, err
    # 33 rows: the 6 of the two extra evals and the 1 with an empty score are dropped, and counted
    assert "RouterBench (0-shot): 26 queries x 11 models" in out
    assert "rows read: 33" in out and "rows dropped: 1" in out and "ESTIMATED" not in out


def test_convert_then_read_the_parquet_without_trust(tmp_path, capsys, routerbench_pkl):
    path, digest = routerbench_pkl
    out_file = tmp_path / "rb.parquet"
    code, out, err = run(capsys, "convert", str(path), "--trust-pickle", "f" * 64, "--out", str(out_file))
    assert_one_line_error(code, err)
    assert not out_file.exists()  # a refused conversion leaves nothing behind
    code, out, err = run(capsys, "convert", str(path), "--trust-pickle", digest, "--out", str(out_file))
    assert code == 0, err
    assert out_file.is_file()
    code, out, err = run(capsys, "info", "--data", str(out_file))
    assert code == 0, err
    assert "26 queries x 11 models" in out
