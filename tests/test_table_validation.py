"""One validation of every table: the schema drives the checks; the interchange reader, the
RouterBench-layout reader, the streaming reader and ``routerlab validate`` give the same verdict
on the same file (hypothesis tables with non-finite, negative, out-of-range, missing and
duplicated cells); metadata; byte-order marks; unknown models and ``--prices``."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routerlab.cli import main
from routerlab.data import validate
from routerlab.data.interchange import read_table, sidecar_path, write_table
from routerlab.data.routerbench_layout import load_routerbench
from routerlab.data.streaming import summarize
from routerlab.data.table_check import validate_file
from routerlab.errors import RouterlabError


def run(capsys, argv):
    capsys.readouterr()
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(code, out, err, *needles):
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("routerlab: error: "), err
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


# ---- a small table ---------------------------------------------------------------------------------
MODELS = ("alpha-7b", "beta-13b")


def table(n=4, **cells) -> pd.DataFrame:
    """A valid interchange frame with text cells (n rows, two models of the user's own); ``cells``
    maps a column to a list of n values that replace it."""
    df = pd.DataFrame({"sample_id": [f"q{i}" for i in range(n)], "prompt": [f"What is {i}?" for i in range(n)],
                       "eval_name": ["mmlu-x" if i % 2 else "grade-school-math" for i in range(n)]})
    for j, m in enumerate(MODELS):
        df[m] = [str(float((i + j) % 2)) for i in range(n)]
    for j, m in enumerate(MODELS):
        df[f"{m}|total_cost"] = [repr(1e-4 * (j + 1) * (i + 1)) for i in range(n)]
    df["prompt_tokens"] = [str(3 + i) for i in range(n)]
    df["feature_0"] = [repr(0.5 * i) for i in range(n)]
    for col, vals in cells.items():
        df[col] = vals
    return df


def write_csv(df: pd.DataFrame, path, meta=None):
    """``df`` as CSV; with ``meta`` (an interchange table) its sidecar too. Without one, the
    loaders read a CSV in RouterBench's own layout."""
    df.to_csv(path, index=False)
    if meta is not None:
        sidecar_path(path).write_text(json.dumps(meta), encoding="utf-8")
    return path


def verdict(fn, *args, **kw):
    """None if ``fn`` accepts the file, else its one-line message."""
    try:
        fn(*args, **kw)
    except RouterlabError as exc:
        assert "\n" not in str(exc)
        return str(exc)
    return None


# ---- the schema drives the code ----------------------------------------------------------------------
def test_every_written_column_has_a_schema_entry_and_every_entry_is_written(tmp_path):
    from routerlab.data.simulate import simulate

    b = simulate(scale=0.005, seed=0)
    path = write_table(b, tmp_path / "t.csv")
    cols = pd.read_csv(path, nrows=0).columns
    assert all(validate.column_spec(c, b.model_names) is not None for c in cols)
    produced = {validate.column_spec(c, b.model_names)["name" if "name" in validate.column_spec(c, b.model_names)
                                                       else "pattern"] for c in cols}
    every = {c.get("name", c.get("pattern")) for c in validate.schema()["columns"]}
    # what write_table leaves out: the responses (read, never kept)
    assert every - produced == {"<model>|model_response"}


def test_the_checks_read_the_schema(monkeypatch, tmp_path):
    """Narrow the quality range in the schema: the same file is now refused by every reader."""
    path = write_csv(table(), tmp_path / "t.csv")
    assert verdict(read_table, path) is None and verdict(summarize, path) is None
    narrowed = json.loads(json.dumps(validate.schema()))
    next(c for c in narrowed["columns"] if c.get("pattern") == "<model>")["maximum"] = 0.5
    monkeypatch.setattr(validate, "schema", lambda: narrowed)
    for fn in (read_table, summarize):
        assert "it must be a finite number in [0.0, 0.5]" in verdict(fn, path)


def test_schema_is_valid_and_shipped():
    from importlib import resources

    text = resources.files("routerlab").joinpath("data/interchange.schema.json").read_text(encoding="utf-8")
    doc = json.loads(text)
    assert doc["version"] == 1 and doc["format"] == "routerbench-wide"
    for c in doc["columns"]:
        assert ("name" in c) != ("pattern" in c) and c["type"] in ("string", "number", "integer")
        assert "unit" in c and "description" in c and isinstance(c["required"], bool)


# ---- issue 18.1: one infinite cost -------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["interchange", "interchange-parquet", "routerbench", "stream"])
def test_one_infinite_cost_is_refused_with_one_line(tmp_path, capsys, layout):
    df = table(8)
    df.loc[5, "alpha-7b|total_cost"] = "inf"
    if layout == "routerbench":  # RouterBench's own layout: no sidecar, no routerlab columns
        path = write_csv(df.drop(columns=["prompt_tokens", "feature_0"]), tmp_path / "rb.csv")
    elif layout == "interchange-parquet":
        path = tmp_path / "t.parquet"
        df.assign(**{"alpha-7b|total_cost": df["alpha-7b|total_cost"].astype(float)}).to_parquet(path)
    else:
        path = write_csv(df, tmp_path / "t.csv", meta={"name": "mine", "simulated": False})
    argv = (["info", "--data", path, "--stream"] if layout == "stream" else
            ["evaluate", "--data", path, "--routers", "random,oub,fixed:alpha-7b", "--seeds", "1", "--bootstrap", "0"])
    code, out, err = run(capsys, argv)
    one_line_error(code, out, err, "'alpha-7b|total_cost' is inf at data row 6 (sample_id 'q5')",
                   "finite number >= 0.0")
    assert out == ""
    code, out, err = run(capsys, ["validate", path])
    assert code == 2 and "'alpha-7b|total_cost' is inf at data row 6" in out


@pytest.mark.parametrize("col, value, needle", [
    ("feature_0", "inf", "feature column 'feature_0' is inf"),
    ("feature_0", "-inf", "feature column 'feature_0' is -inf"),
    ("prompt_tokens", "inf", "prompt-token column 'prompt_tokens' is inf"),
    ("prompt_tokens", "2.5", "prompt-token column 'prompt_tokens' is 2.5 at data row 2 (sample_id 'q1')"),
    ("prompt_tokens", "1e400", "prompt-token column 'prompt_tokens' is inf"),
    ("prompt_tokens", "-3", "it must be a whole number in [0, 1000000000]"),
    ("alpha-7b", "nan", "quality column 'alpha-7b'"),
    ("beta-13b|total_cost", "-inf", "cost column 'beta-13b|total_cost' is -inf"),
])
def test_non_finite_and_fractional_cells_are_refused_by_both_readers(tmp_path, col, value, needle):
    df = table()
    df.loc[1, col] = value
    path = write_csv(df, tmp_path / "t.csv")
    got = verdict(read_table, path)
    assert got is not None and needle in got and "of t.csv" in got
    assert verdict(summarize, path) is not None


# ---- the readers agree (hypothesis) ------------------------------------------------------------------
GOOD_Q, GOOD_C = ["0", "1", "0.25", "1.0"], ["0", "0.001", "2.5e-05"]
BAD_NUM = ["inf", "-inf", "nan", "", "abc", "1e400"]
BAD_Q, BAD_C = BAD_NUM + ["-0.5", "1.5"], BAD_NUM + ["-0.001"]


@st.composite
def tables(draw):
    n = draw(st.integers(1, 5))
    cells = {}
    bad = False
    for j, m in enumerate(MODELS):
        qs, cs = [], []
        for _ in range(n):
            q_bad, c_bad = draw(st.booleans()) and draw(st.booleans()), draw(st.booleans()) and draw(st.booleans())
            qs.append(draw(st.sampled_from(BAD_Q if q_bad else GOOD_Q)))
            cs.append(draw(st.sampled_from(BAD_C if c_bad else GOOD_C)))
            bad |= q_bad or c_bad
        cells[m], cells[f"{m}|total_cost"] = qs, cs
    for col, good, worse in (("prompt_tokens", ["0", "7", "120"], ["2.5", "-1", "inf", "", "x", "1e12"]),
                             ("feature_0", ["0.5", "-3", "1e300"], ["inf", "-inf", "nan", ""])):
        vals = []
        for _ in range(n):
            cell_bad = draw(st.integers(0, 5)) == 0
            vals.append(draw(st.sampled_from(worse if cell_bad else good)))
            bad |= cell_bad
        cells[col] = vals
    ids = [f"q{i}" for i in range(n)]
    if n > 1 and draw(st.booleans()):
        ids[-1] = ids[0]  # a duplicated id
        bad = True
    if draw(st.integers(0, 5)) == 0:
        ids[0] = ""  # a missing id
        bad = True
    return table(n, sample_id=ids, **cells), bad


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=tables(), parquet=st.booleans())
def test_both_readers_and_the_validator_agree_with_the_rule(tmp_path, case, parquet):
    df, bad = case
    if parquet:  # the same cells as text in a Parquet file
        path = tmp_path / "h.parquet"
        df.to_parquet(path)
    else:
        path = write_csv(df, tmp_path / "h.csv", meta={})
    problems, total, _ = validate_file(path)
    verdicts = {"validate": total > 0, "read_table": verdict(read_table, path) is not None,
                "stream": verdict(summarize, path, batch_rows=2) is not None}
    assert verdicts == dict.fromkeys(verdicts, bad), (df.to_dict("list"), problems)
    if bad:  # the reader's line is one of the validator's lines (up to the file name)
        line = verdict(read_table, path).split(" (")[0]
        assert any(p.startswith(line) for p in problems) or "sample_id" in line


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=tables())
def test_routerbench_layout_agrees_with_the_validator(tmp_path, case):
    """RouterBench's layout drops a row with an empty quality cell: every other rule is the same."""
    df, _ = case
    df = df.drop(columns=["prompt_tokens", "feature_0"])  # not part of RouterBench's layout
    path = write_csv(df, tmp_path / "rb.csv")
    _, total, _ = validate_file(path)
    assert (total > 0) == (verdict(load_routerbench, path) is not None)


# ---- duplicates, null ids, BOM ---------------------------------------------------------------------
def test_duplicate_ids_across_stream_batches_are_refused_by_both(tmp_path):
    df = table(7, sample_id=["a", "b", "c", "d", "e", "f", "b"])
    path = write_csv(df, tmp_path / "t.csv")
    for fn in (read_table, lambda p: summarize(p, batch_rows=2)):
        assert "sample_id 'b' at data row 7" in verdict(fn, path) and "repeats data row 2" in verdict(fn, path)


def test_null_sample_id_is_refused_not_read_as_none(tmp_path):
    df = table(3).astype({"alpha-7b": float, "beta-13b": float, "alpha-7b|total_cost": float,
                          "beta-13b|total_cost": float, "prompt_tokens": int, "feature_0": float})
    df["sample_id"] = pd.Series(["a", None, "c"], dtype=object)
    df.to_parquet(tmp_path / "t.parquet")
    for fn in (read_table, summarize):
        assert "column 'sample_id' is empty at data row 2" in verdict(fn, tmp_path / "t.parquet")


def test_a_bom_csv_is_read_by_both_readers(tmp_path):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + table().to_csv(index=False).encode())
    b = read_table(path)
    s = summarize(path)
    assert b.sample_ids[0] == "q0" and s.n_queries == b.n_queries == 4
    np.testing.assert_allclose(s.quality_mean, b.quality.mean(axis=0))


# ---- metadata ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("meta, needle", [
    ([1, 2], "holds a list, not an object"),
    (3, "holds a int, not an object"),
    ({"simulated": "false"}, "'simulated' is \"false\"; it must be true or false (a JSON boolean"),
    ({"name": ["x"]}, "'name' is"),
    ({"models": {"a": 1}}, "'models' is"),
    ({"models": [["alpha-7b"]]}, "models[0] is"),
    ({"models": [{"provider": "x"}]}, "models[0] has no 'name'"),
    ({"models": [{"name": "alpha-7b", "price_in": -1.0}]}, "models[0] price_in is -1.0; it must be a finite number >= 0"),
    ({"models": [{"name": "alpha-7b", "price_out": float("nan")}]}, "models[0] price_out is NaN"),
    ({"models": [{"name": "alpha-7b", "price_out": "3"}]}, "models[0] price_out is \"3\""),
])
def test_bad_metadata_is_one_line_in_both_readers(tmp_path, capsys, meta, needle):
    path = write_csv(table(), tmp_path / "t.csv", meta=meta)
    for fn in (read_table, summarize):
        got = verdict(fn, path)
        assert got is not None and needle in got and "of t.csv" in got, got
    code, out, err = run(capsys, ["validate", path])
    assert code == 2 and needle in out


def test_bad_parquet_metadata_is_refused_too(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pa.Table.from_pandas(table().astype({"alpha-7b": float}), preserve_index=False)
    t = t.replace_schema_metadata({b"routerlab": json.dumps({"simulated": "false"}).encode()})
    pq.write_table(t, tmp_path / "t.parquet")
    for fn in (read_table, summarize):
        assert "'simulated' is \"false\"" in verdict(fn, tmp_path / "t.parquet")


def test_good_metadata_is_read(tmp_path):
    meta = {"name": "mine", "simulated": True,
            "models": [{"name": "alpha-7b", "provider": "Me", "tier": "Small", "price_in": 0.1, "price_out": 0.2}]}
    b = read_table(write_csv(table(), tmp_path / "t.csv", meta=meta))
    assert b.simulated is True and b.name == "mine" and b.models[0].price_in == 0.1
    assert math.isnan(b.models[1].price_in)  # beta-13b: no price given, none invented


# ---- routerlab validate ------------------------------------------------------------------------------
def test_validate_lists_every_problem_at_once(tmp_path, capsys):
    df = table(6)
    df.loc[0, "alpha-7b"] = "1.5"
    df.loc[2, "beta-13b|total_cost"] = "inf"
    df.loc[3, "prompt_tokens"] = "2.5"
    df.loc[4, "feature_0"] = ""
    df.loc[5, "sample_id"] = "q0"
    path = write_csv(df, tmp_path / "t.csv", meta={})
    code, out, err = run(capsys, ["validate", path])
    lines = out.strip().splitlines()
    assert code == 2 and len(lines) == 5
    for needle in ("quality column 'alpha-7b' is 1.5 at data row 1", "'beta-13b|total_cost' is inf at data row 3",
                   "'prompt_tokens' is 2.5 at data row 4", "'feature_0' is empty at data row 5",
                   "sample_id 'q0' at data row 6 (sample_id 'q0') repeats data row 1"):
        assert sum(needle in ln for ln in lines) == 1, (needle, lines)
    assert err.strip() == f"routerlab: error: {path}: 5 problem(s)"
    code, out, err = run(capsys, ["validate", path, "--limit", "2"])
    assert code == 2 and out.strip().splitlines()[-1] == "... and 3 more problem(s) (--limit 2)"
    assert len(out.strip().splitlines()) == 3


def test_validate_a_good_table_prints_one_line(tmp_path, capsys):
    path = write_csv(table(), tmp_path / "t.csv", meta={"name": "mine"})
    code, out, err = run(capsys, ["validate", path])
    assert code == 0 and err == "" and out.strip().splitlines() == [
        "ok: t.csv: interchange table, 4 rows x 2 models (alpha-7b, beta-13b)"]
    rb = write_csv(table().drop(columns=["prompt_tokens", "feature_0"]), tmp_path / "rb.csv")
    code, out, err = run(capsys, ["validate", rb])
    assert code == 0 and out.startswith("ok: rb.csv: RouterBench layout, 4 rows x 2 models; 4 kept")


@pytest.mark.parametrize("argv, needle", [
    (["validate", "missing.csv"], "no such file"),
    (["validate", "t.txt"], "unsupported file type"),
    (["validate", "t.csv", "--limit", "0"], "limit = 0 is out of range"),
])
def test_validate_bad_arguments(tmp_path, capsys, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    write_csv(table(), tmp_path / "t.csv")
    (tmp_path / "t.txt").write_text("x")
    one_line_error(*run(capsys, argv), needle)


def test_validate_reports_a_broken_header_as_one_problem(tmp_path, capsys):
    path = write_csv(table().drop(columns=["eval_name"]), tmp_path / "t.csv", meta={})
    code, out, err = run(capsys, ["validate", path])
    assert code == 2 and "has no 'eval_name' column" in out and len(out.strip().splitlines()) == 1


# ---- unknown models, --prices ------------------------------------------------------------------------
def routerbench_table(tmp_path, n=40):
    """A RouterBench-layout CSV with three models of the user's own and four datasets."""
    rng = np.random.default_rng(0)
    evs = ["mmlu-a", "gsm8k", "hellaswag", "arc-challenge"]
    df = pd.DataFrame({"sample_id": [f"q{i}" for i in range(n)], "prompt": [f"question number {i}" for i in range(n)],
                       "eval_name": [evs[i % 4] for i in range(n)]})
    names = ["alpha-7b", "beta-13b", "gamma-70b"]
    for j, m in enumerate(names):
        df[m] = (rng.random(n) < 0.4 + 0.2 * j).astype(float)
    for j, m in enumerate(names):
        df[f"{m}|total_cost"] = 1e-4 * (j + 1) * (1 + rng.random(n))
    path = tmp_path / "mine.csv"
    df.to_csv(path, index=False)
    return path


def test_a_table_of_unknown_models_is_evaluated(tmp_path, capsys):
    path = routerbench_table(tmp_path)
    code, out, err = run(capsys, ["evaluate", "--data", path, "--routers", "fixed:alpha-7b,oub,qoub,coub",
                                  "--seeds", "1", "--bootstrap", "0"])
    assert code == 0, err
    assert "fixed:alpha-7b" in out and "coub" in out and "per-token" not in err


def test_a_policy_that_needs_prices_names_the_option_and_takes_it(tmp_path, capsys):
    path = routerbench_table(tmp_path)
    argv = ["evaluate", "--data", path, "--routers", "knn,oub", "--seeds", "1", "--bootstrap", "0"]
    one_line_error(*run(capsys, argv), "model 'alpha-7b' (and 2 more) has no per-token price",
                   "policy 'knn'", "--prices FILE")
    prices = tmp_path / "prices.csv"
    prices.write_text("model,price_in,price_out\nalpha-7b,0.2,0.2\nbeta-13b,0.3,0.6\ngamma-70b,0.9,0.9\n")
    code, out, err = run(capsys, argv + ["--prices", prices])
    assert code == 0, err
    assert "knn" in out
    code, out, err = run(capsys, ["info", "--data", path, "--prices", prices])
    assert code == 0 and "0.6" in out


@pytest.mark.parametrize("text, needle", [
    ("model,price_in\na,1\n", "has no 'price_out' column"),
    ("model,price_in,price_out\na,-1,1\n", "price_in of 'a' is -1"),
    ("model,price_in,price_out\na,inf,1\n", "price_in of 'a' is inf"),
    ("model,price_in,price_out\na,1,\n", "price_out of 'a' is nan"),
    ("model,price_in,price_out\na,1,1\na,2,2\n", "lists model 'a' twice"),
    ("model,price_in,price_out\nalpha-7B,1,1\n", "lists none of the models (alpha-7b, beta-13b, gamma-70b)"),
])
def test_bad_price_files_are_one_line(tmp_path, capsys, text, needle):
    path = routerbench_table(tmp_path)
    (tmp_path / "p.csv").write_text(text)
    one_line_error(*run(capsys, ["info", "--data", path, "--prices", tmp_path / "p.csv"]), needle)


def test_all_leaves_out_the_routers_that_need_prices_when_a_price_is_unknown(tmp_path):
    from routerlab.data.catalog import apply_prices, read_price_file
    from routerlab.evaluation.protocol import policy_names
    from routerlab.routing.routers import make_router

    from dataclasses import replace

    bench = load_routerbench(routerbench_table(tmp_path))
    names = policy_names(bench, "all")
    assert "oub" in names and "fixed:alpha-7b" in names and "knn" not in names
    assert not any(getattr(make_router(n), "needs_prices", False) for n in names if not n.startswith("fixed:"))
    prices = tmp_path / "p.csv"
    prices.write_text("model,price_in,price_out\nalpha-7b,1,1\nbeta-13b,1,1\ngamma-70b,1,1\n")
    priced = replace(bench, models=apply_prices(bench.models, read_price_file(prices)))
    assert {"knn", "mf"} <= set(policy_names(priced, "all"))


def test_evaluate_all_on_unknown_models_runs_and_says_what_it_left_out(tmp_path, capsys):
    path = routerbench_table(tmp_path)
    code, out, err = run(capsys, ["evaluate", "--data", path, "--routers", "all", "--seeds", "1", "--bootstrap", "0"])
    assert code == 0 and "oub" in out and "knn" not in out
    assert "'all' leaves out the routers that need one (give them with --prices FILE)" in err


def test_stream_refuses_routerbench_layout_which_the_normal_reader_reads_by_other_rules(tmp_path, capsys):
    """A CSV without sidecar is read with RouterBench's rules (a row with an empty quality cell is
    dropped): --stream, which applies the interchange rules, refuses it instead of disagreeing."""
    df = table().drop(columns=["prompt_tokens", "feature_0"])
    df.loc[1, "alpha-7b"] = ""
    path = write_csv(df, tmp_path / "rb.csv")
    code, out, err = run(capsys, ["info", "--data", path])
    assert code == 0 and "3 queries" in out
    one_line_error(*run(capsys, ["info", "--data", path, "--stream"]), "RouterBench's own layout",
                   "drop --stream")
    sidecar_path(path).write_text("{}")  # now an interchange table: both readers refuse the empty cell
    for argv in (["info", "--data", path], ["info", "--data", path, "--stream"]):
        one_line_error(*run(capsys, argv), "quality column 'alpha-7b' is empty at data row 2")
