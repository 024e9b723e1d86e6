"""Nothing lost, nothing overwritten: outputs never replace inputs, a table and its sidecar are
published as one pair, a warm source cache still catches a changed file, an unwritable cache
keeps the results, limits give one line. Plus the corpus of bad inputs (routerlab/book/bad_inputs.yaml)."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from routerlab.book import bad_inputs
from routerlab.cli import main
from routerlab.data.benchmark import Benchmark
from routerlab.data.catalog import MODELS
from routerlab.data.files import atomic_write, atomic_write_group, check_output, same_file
from routerlab.data.interchange import read_table, sidecar_path, write_table
from routerlab.errors import RouterlabError

SRC = str(Path(__file__).resolve().parents[1] / "src")


def bench(n=40, seed=0, name="small") -> Benchmark:
    rng = np.random.default_rng(seed)
    m = len(MODELS)
    return Benchmark(
        quality=(rng.random((n, m)) < np.linspace(0.5, 0.85, m)).astype(float),
        cost=rng.random((n, m)) * 1e-3, models=MODELS, sample_ids=np.array([f"s{i}" for i in range(n)]),
        datasets=np.array(["GSM8K", "MMLU"])[np.arange(n) % 2], prompt_tokens=rng.integers(1, 100, n),
        features=rng.standard_normal((n, 3)), name=name, simulated=True)


def snapshot(folder: Path) -> dict:
    """{relative path: SHA-256 or 'link'/'dir'} of everything under ``folder`` (links not followed)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = str(p.relative_to(folder))
        out[rel] = "link" if p.is_symlink() else "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# ---- the corpus of bad inputs -------------------------------------------------------------------
@pytest.fixture
def corpus_files(tmp_path):
    csv = write_table(bench(), tmp_path / "t.csv")
    write_table(bench(), tmp_path / "t.parquet")
    os.link(csv, tmp_path / "link.csv")
    (tmp_path / "sym.json").symlink_to(csv)
    (tmp_path / "sym.rlr").symlink_to(csv)
    (tmp_path / "b.pkl").write_bytes(b"\x80\x04N.")
    (tmp_path / "sym.parquet").symlink_to(tmp_path / "b.pkl")
    (tmp_path / "sub").mkdir()
    (tmp_path / "plain").write_text("a file, not a folder\n")
    mism = write_table(bench(seed=1, name="other"), tmp_path / "m.csv")
    sidecar_path(mism).write_bytes(sidecar_path(csv).read_bytes())  # the sidecar of another table
    return {"tmp": str(tmp_path), "csv": str(csv), "parquet": str(tmp_path / "t.parquet"),
            "hardlink": str(tmp_path / "link.csv"), "symjson": str(tmp_path / "sym.json"),
            "symrlr": str(tmp_path / "sym.rlr"), "pickle": str(tmp_path / "b.pkl"),
            "sympkl": str(tmp_path / "sym.parquet"), "mismatch": str(mism), "plainfile": str(tmp_path / "plain")}


CASES = bad_inputs.cases()


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02d}-{c['argv'][:40]}" for i, c in enumerate(CASES)])
def test_every_bad_input_of_the_corpus_gets_its_outcome(case, corpus_files, capsys, monkeypatch):
    tmp = Path(corpus_files["tmp"])
    monkeypatch.chdir(tmp)
    before = snapshot(tmp)
    argv = [a.format(**corpus_files) for a in shlex.split(case["argv"])]
    if case["tool"] == "bookrun":
        from routerlab.book import run as bookrun

        code, prefix = bookrun.main(argv), "bookrun: "
    else:
        code, prefix = main(argv), "routerlab: "
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert case["match"] in lines[0], lines[0]
    after = snapshot(tmp)
    if case["expect"] == "error":
        assert code == 2 and lines[0].startswith(prefix + "error: ")
        assert after == before  # nothing created, changed or removed
    else:
        assert code == 0 and lines[0].startswith(prefix + "warning: ")
        assert case["stdout"] in out
        assert {k: v for k, v in after.items() if k in before} == before


def test_corpus_counts_by_class_and_outcome():
    table = bad_inputs.counts()
    assert int(table["cases"].sum()) == len(CASES)
    assert set(table.columns) - {"cases"} <= set(bad_inputs.OUTCOMES)
    assert (table["cases"] > 0).all()
    by_hand = bad_inputs.counts([{"class": "a", "expect": "error"}, {"class": "b", "expect": "warning"},
                                 {"class": "a", "expect": "error"}])
    assert by_hand.to_dict() == {"error": {"a": 2, "b": 0}, "warning": {"a": 0, "b": 1}, "cases": {"a": 2, "b": 1}}


# ---- output checks ------------------------------------------------------------------------------
def test_same_file_sees_links_and_dotdot_but_not_different_files(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("x")
    os.link(a, tmp_path / "h.csv")
    (tmp_path / "s.csv").symlink_to(a)
    (tmp_path / "d").mkdir()
    assert same_file(a, tmp_path / "h.csv") and same_file(a, tmp_path / "s.csv")
    assert same_file(a, tmp_path / "d" / ".." / "a.csv")
    assert not same_file(a, tmp_path / "b.csv")  # does not exist
    (tmp_path / "c.csv").write_text("x")  # same content, another file
    assert not same_file(a, tmp_path / "c.csv")


def test_check_output_names_the_companion_file(tmp_path):
    side = tmp_path / "t.csv.meta.json"
    side.write_text("{}")
    with pytest.raises(RouterlabError, match="the file 't.csv.meta.json' written beside it"):
        check_output(tmp_path / "t.csv", "--out", [".csv"], inputs=[side], companions=(".meta.json",))
    assert check_output(tmp_path / "u.csv", "--out", [".CSV"], inputs=[side]) == tmp_path / "u.csv"


def test_real_source_files_are_inputs(tmp_path, monkeypatch, capsys):
    """An output inside a real source's folder that is one of its files is refused."""
    from routerlab.data import sources

    folder = sources.find("routerbench-subset")
    if folder is None:
        pytest.skip("routerbench-subset not found")
    rel = sources.module("routerbench-subset").files()[0]
    code = main(["sweep", "--data", "routerbench-subset", "--routers", "random", "--out", str(folder / rel)])
    err = capsys.readouterr().err
    assert code == 2 and "is the input file" in err


# ---- atomic writes -------------------------------------------------------------------------------
def test_group_write_cleans_up_on_error_and_on_ctrl_c(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("old a")
    for exc in (OSError("disk full"), KeyboardInterrupt()):
        def write(tmps, exc=exc):
            tmps[0].write_text("new a")
            raise exc
        with pytest.raises(type(exc)):
            atomic_write_group([a, b], write)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"] and a.read_text() == "old a"


def test_stale_temporary_of_a_dead_writer_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "t.json"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".t.json.{int(dead.stdout)}.abc123.tmp"
    stale.write_text("half")
    alive = tmp_path / f".t.json.{os.getpid()}.abc124.tmp"  # a live writer's: kept
    alive.write_text("busy")
    atomic_write(target, lambda tmp: tmp.write_text("{}"))
    assert not stale.exists() and alive.exists() and target.read_text() == "{}"


def test_sidecar_records_the_tables_digest_and_readers_check_it(tmp_path):
    path = write_table(bench(), tmp_path / "t.csv")
    meta = json.loads(sidecar_path(path).read_text())
    assert meta["table_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert read_table(path).name == "small"
    path.write_bytes(path.read_bytes().replace(b"s1,", b"s1x,", 1))  # the table edited afterwards
    with pytest.raises(RouterlabError, match="describes another version") as err:
        read_table(path)
    assert "\n" not in str(err.value)
    from routerlab.data.streaming import summarize

    with pytest.raises(RouterlabError, match="describes another version"):
        summarize(path)
    del meta["table_sha256"]  # a sidecar without the entry (hand-written, older routerlab) is accepted
    sidecar_path(path).write_text(json.dumps(meta))
    assert read_table(path).sample_ids[1] == "s1x"


_WRITER = textwrap.dedent("""
    import os, signal, sys
    import numpy as np
    sys.path.insert(0, {src!r})
    from routerlab.data import files, interchange
    from routerlab.data.benchmark import Benchmark
    from routerlab.data.catalog import MODELS
    point = sys.argv[1]
    n, m = 2000, len(MODELS)
    rng = np.random.default_rng(7)
    b = Benchmark(quality=rng.integers(0, 2, (n, m)).astype(float), cost=rng.random((n, m)), models=MODELS,
                  sample_ids=np.array([f"new{{i}}" for i in range(n)]), datasets=np.array(["D"] * n),
                  prompt_tokens=np.ones(n, dtype=np.int64), name="new", simulated=True)
    kill = lambda: os.kill(os.getpid(), signal.SIGKILL)
    if point == "table":      # killed while the table's temporary is being written
        real = interchange.pd.DataFrame.to_csv
        def to_csv(self, path, **kw):
            real(self.iloc[: n // 2], path, **kw)
            kill()
        interchange.pd.DataFrame.to_csv = to_csv
    else:                     # killed after the first rename (sidecar published, table not yet)
        real_replace = os.replace
        def replace(a, b):
            real_replace(a, b)
            kill()
        files.os.replace = replace
    interchange.write_table(b, sys.argv[2])
""")


@pytest.mark.parametrize("point", ["table", "between renames"])
def test_writer_killed_midway(tmp_path, point):
    target = tmp_path / "t.csv"
    write_table(bench(name="old"), target)
    old = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    script = tmp_path.parent / f"writer-{tmp_path.name}.py"
    script.write_text(_WRITER.format(src=SRC))
    proc = subprocess.run([sys.executable, str(script), point, str(target)], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-500:]
    if point == "table":  # the old pair is intact and readable
        assert {p.name: p.read_bytes() for p in tmp_path.iterdir() if not p.name.endswith(".tmp")} == old
        assert read_table(target).name == "old"
    else:  # new sidecar beside the old table: refused, never read with the wrong metadata
        assert target.read_bytes() == old["t.csv"] and sidecar_path(target).read_bytes() != old["t.csv.meta.json"]
        with pytest.raises(RouterlabError, match="describes another version"):
            read_table(target)
    # SIGKILL leaves the dead writer's temporary; the next write removes it and publishes a good pair
    write_table(bench(name="again"), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.csv.meta.json"]
    assert read_table(target).name == "again"


# ---- a warm source cache still checks the files --------------------------------------------------
def test_mmlu_pro_warm_cache_catches_a_truncated_archive(tmp_path, monkeypatch):
    import io
    import zipfile

    from routerlab.data.sources import _base, mmlu_pro

    folder = tmp_path / "mmlu-pro"
    folder.mkdir()
    for model in ("Llama-2-7b-hf", "gemma-7b"):
        recs = [{"question_id": q, "question": f"Q{q}?", "options": ["a", "b"], "answer": "A",
                 "category": "math", "src": "x", "pred": "A", "generated_text": "A"} for q in (1, 2)]
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr(f"{model}.json", json.dumps(recs))
        (folder / f"model_outputs_{model}_5shots.zip").write_bytes(buf.getvalue())
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    monkeypatch.setattr(_base, "expected_digests", lambda name: digests)
    monkeypatch.setenv(_base.CACHE_ENV, str(tmp_path / "cache"))
    assert mmlu_pro.load(folder).n_queries == 2  # cold: parsed and cached, stamps recorded
    hashed = []
    real_open = open

    def counting_open(path, *a, **k):
        if str(path).endswith(".zip"):
            hashed.append(path)
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", counting_open)
    assert mmlu_pro.load(folder).n_queries == 2
    assert hashed == []  # warm and unchanged: a stat per file, no file read
    monkeypatch.setattr("builtins.open", real_open)
    victim = folder / "model_outputs_gemma-7b_5shots.zip"
    victim.write_bytes(victim.read_bytes()[:-10])  # truncated after the first run
    with pytest.raises(RouterlabError, match="gemma-7b_5shots.zip is corrupted .*SHA-256 mismatch") as err:
        mmlu_pro.load(folder)
    assert "\n" not in str(err.value)
    victim.write_bytes(b"x" * 10)  # another change, same outcome on every later run
    with pytest.raises(RouterlabError, match="SHA-256 mismatch"):
        mmlu_pro.load(folder)


def test_unwritable_stamp_store_still_verifies(tmp_path, monkeypatch):
    from routerlab.data.sources import _base

    (tmp_path / "f.bin").write_bytes(b"payload")
    monkeypatch.setattr(_base, "expected_digests", lambda name: {"f.bin": hashlib.sha256(b"payload").hexdigest()})
    (tmp_path / "cachefile").write_text("not a folder")
    monkeypatch.setenv(_base.CACHE_ENV, str(tmp_path / "cachefile"))
    _base.verify_files(tmp_path, ["f.bin"], "x")  # nothing recorded, no error
    (tmp_path / "f.bin").write_bytes(b"changed")
    with pytest.raises(RouterlabError, match="SHA-256 mismatch"):
        _base.verify_files(tmp_path, ["f.bin"], "x")


# ---- an unwritable evaluation cache keeps the results --------------------------------------------
def test_cache_that_fails_to_save_warns_once_and_returns_results(tmp_path, monkeypatch, capsys):
    from routerlab.evaluation import protocol

    def refuse(self, folder):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(protocol.EvaluationResult, "save", refuse)
    monkeypatch.setattr(protocol, "_WARNED", set())
    b = bench(n=60)
    for _ in range(2):
        res = protocol.evaluate(b, ["random", "oub"], seeds=[0], bootstrap=0, cache_dir=tmp_path / "ro")
        assert set(res.policies) == {"random", "oub"} and np.isfinite(res.summary()["rs"]).all()
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Permission denied" in err[0]


# ---- limits --------------------------------------------------------------------------------------
def test_memory_error_is_one_line_suggesting_a_smaller_scale(tmp_path, monkeypatch, capsys):
    import types

    mod = types.ModuleType("routerlab.data.simulate")

    def simulate(scale=1.0, seed=0):
        raise MemoryError()

    mod.simulate = simulate
    monkeypatch.setitem(sys.modules, "routerlab.data.simulate", mod)
    code = main(["simulate", "--scale", "150", "--out", str(tmp_path / "t.parquet")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "out of memory simulating --scale 150; try a smaller --scale" in err[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS as on Linux")
def test_simulate_scale_200_under_a_3_gb_limit(tmp_path):
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
            "from routerlab.cli import main; sys.exit(main(sys.argv[1:]))")
    env = dict(os.environ, PYTHONPATH=SRC)
    proc = subprocess.run([sys.executable, "-c", code, "simulate", "--scale", "200", "--out", str(tmp_path / "t.parquet")],
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 2, proc.stderr[-500:]
    assert proc.stderr.strip().splitlines() == [
        "routerlab: error: out of memory simulating --scale 200; try a smaller --scale (memory grows linearly "
        "with it) or run where more memory is allowed"]
    assert list(tmp_path.iterdir()) == []


def test_reading_a_table_imports_no_scipy(tmp_path):
    write_table(bench(), tmp_path / "t.csv")
    write_table(bench(), tmp_path / "t.parquet")
    code = ("import sys; from routerlab.cli import main; "
            "codes = [main(['info', '--data', p] + s) for p in sys.argv[1:] for s in ([], ['--stream'])]; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('scipy', 'sklearn')); "
            "print(codes, bad[:3])")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path / "t.csv"), str(tmp_path / "t.parquet")],
                          capture_output=True, text=True, timeout=120, env=dict(os.environ, PYTHONPATH=SRC))
    assert proc.stdout.strip().splitlines()[-1] == "[0, 0, 0, 0] []", proc.stderr[-500:]


def test_lazy_top_level_names_still_work():
    import routerlab as rl

    assert rl.simulate.__module__ == "routerlab.data.simulate" and callable(rl.evaluate)
    assert set(rl.__all__) <= set(dir(rl))
    with pytest.raises(AttributeError):
        rl.no_such_name  # noqa: B018


# ---- small disagreements -------------------------------------------------------------------------
def test_prompt_file_splits_on_newlines_only(tmp_path):
    from routerlab.routing.saved import read_prompt_file

    p = tmp_path / "p.txt"
    p.write_bytes("\ufeffone\x0cpage\u2028two\x1cthree\r\nfour\rfive\n\n  \nsix".encode("utf-8"))
    assert read_prompt_file(p) == ["one\x0cpage\u2028two\x1cthree", "four\rfive", "six"]


def test_routerbench_extras_error_tells_a_cli_user_what_to_do(tmp_path, capsys):
    import pandas as pd

    from routerlab.data.routerbench_layout import MODEL_COLUMNS

    df = pd.DataFrame({"sample_id": ["chinese_zodiac.dev.0", "chinese_zodiac.dev.1"], "prompt": ["['a']", "['b']"],
                       "eval_name": ["chinese_zodiac"] * 2})
    for m in sorted(MODEL_COLUMNS):
        df[m] = [1.0, 0.0]
    for m in MODEL_COLUMNS:
        df[f"{m}|model_response"] = ["['x']", "['y']"]
        df[f"{m}|total_cost"] = [1e-5, 2e-5]
    df["oracle_model_to_route_to"] = "gpt-4-1106-preview"
    df.to_csv(tmp_path / "extras_only.csv")  # RouterBench's own CSV layout, no sidecar
    code = main(["info", "--data", str(tmp_path / "extras_only.csv")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1
    assert "load_routerbench(path, extras=True)" in err[0] and "command line reads the core datasets only" in err[0]


def test_status_page_robustness_values_count_the_corpus():
    from routerlab.chapters import status

    v = status.robustness_values([{"class": "a", "expect": "error"}, {"class": "a", "expect": "error"},
                                  {"class": "b", "expect": "error"}])
    assert (v["status_bad_n_cases"], v["status_bad_n_classes"], v["status_bad_n_error"], v["status_bad_n_warning"]) == (3, 2, 3, 0)
    assert "<td>a</td><td>2</td><td>0</td><td>2</td>" in v["status_bad_table"].data
    full = status.robustness_values()
    assert full["status_bad_n_cases"] == len(CASES) == full["status_bad_n_error"] + full["status_bad_n_warning"]


def test_sigterm_while_writing_removes_the_temporaries_and_keeps_the_old_pair(tmp_path):
    target = tmp_path / "t.csv"
    write_table(bench(name="old"), target)
    old = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    code = textwrap.dedent(f"""
        import os, signal, sys, types
        sys.path.insert(0, {SRC!r})
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        import pandas as pd
        from test_io_safety import bench
        mod = types.ModuleType("routerlab.data.simulate")
        mod.simulate = lambda scale=1.0, seed=0: bench(name="new")
        sys.modules["routerlab.data.simulate"] = mod
        real = pd.DataFrame.to_csv
        def to_csv(self, path, **kw):
            real(self.iloc[:5], path, **kw)
            os.kill(os.getpid(), signal.SIGTERM)
            real(self, path, **kw)
        pd.DataFrame.to_csv = to_csv
        from routerlab.cli import main
        sys.exit(main(["simulate", "--out", {str(target)!r}]))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 143, proc.stderr[-800:]
    assert proc.stderr.strip().splitlines() == [
        "routerlab: terminated (SIGTERM); a file being written was removed, the old one kept"]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == old  # no temporary, old pair intact
    assert read_table(target).name == "old"
