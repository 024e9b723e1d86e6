"""The book page "Bring your own benchmark": its table is the shipped schema, and every command
and code block it shows runs as it says on a fixture (a RouterBench-layout table of three models
the package has never heard of, four datasets)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import numpy as np
import pandas as pd

from routerlab.cli import main
from routerlab.data.validate import schema_markdown

PAGE = Path(__file__).resolve().parents[1] / "book" / "bring_your_own.md"


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", PAGE.read_text(encoding="utf-8"), flags=re.S)


def test_the_page_table_is_the_schema():
    assert schema_markdown() in PAGE.read_text(encoding="utf-8")


def test_the_page_is_in_the_toc_under_reproducibility(repo_root):
    toc = (repo_root / "_toc.yml").read_text()
    part = toc[toc.index("caption: Reproducibility"):]
    assert "file: book/bring_your_own" in part


def outcomes(n: int = 48) -> pd.DataFrame:
    """RouterBench's layout: three models of the user's own, four core datasets, own costs."""
    rng = np.random.default_rng(1)
    evs = ["mmlu-astronomy", "grade-school-math", "hellaswag", "arc-challenge"]
    df = pd.DataFrame({"sample_id": [f"q{i}" for i in range(n)],
                       "prompt": [f"question {i}: " + "word " * (i % 7) for i in range(n)],
                       "eval_name": [evs[i % 4] for i in range(n)]})
    for j, m in enumerate(["alpha-7b", "beta-13b", "gamma-70b"]):
        df[m] = (rng.random(n) < 0.3 + 0.25 * j).astype(float)
    for j, m in enumerate(["alpha-7b", "beta-13b", "gamma-70b"]):
        df[f"{m}|total_cost"] = 1e-4 * (1 + 2 * j) * (1 + rng.random(n))
    return df


def test_every_command_on_the_page_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    outcomes().to_csv("my_outcomes.csv", index=False)
    broken = outcomes().astype({"beta-13b|total_cost": object})
    broken.loc[3, "beta-13b|total_cost"] = "inf"
    broken.loc[5, "alpha-7b"] = 1.5
    broken.to_csv("broken.csv", index=False)
    prices = [b for b in blocks("text") if b.startswith("model,price_in,price_out")]
    assert len(prices) == 1
    Path("my_prices.csv").write_text(prices[0])
    python = blocks("python")
    assert python
    for code in python:  # the conversion to an interchange table
        exec(compile(code, str(PAGE), "exec"), {})  # noqa: S102
    assert Path("my_outcomes.parquet").is_file()
    commands = [ln[2:] for b in blocks("console") for ln in b.splitlines() if ln.startswith("$ ")]
    assert len(commands) >= 6
    for line in commands:
        command, _, comment = line.partition("#")
        argv = shlex.split(command)
        assert argv[0] == "routerlab", line
        capsys.readouterr()
        code = main(argv[1:])
        out, err = capsys.readouterr()
        expected = 2 if "exit status 2" in comment else 0
        assert code == expected, (line, out, err)
        if expected:
            assert len(out.strip().splitlines()) == 2 and err.count("\n") == 1, (out, err)
        else:
            assert "error" not in err, (line, err)


def test_the_page_says_what_the_error_says(tmp_path, monkeypatch, capsys):
    """The page promises that a learned router without prices names --prices: it does."""
    monkeypatch.chdir(tmp_path)
    outcomes().to_csv("my_outcomes.csv", index=False)
    code = main(["evaluate", "--data", "my_outcomes.csv", "--routers", "knn", "--seeds", "1", "--bootstrap", "0"])
    err = capsys.readouterr().err
    assert code == 2 and "--prices" in err and "'alpha-7b' (and 2 more)" in err
    assert "--prices" in PAGE.read_text()
