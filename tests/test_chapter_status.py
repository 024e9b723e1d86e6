"""routerlab.chapters.status: the status page's verdicts and tables, on hand-made records."""

from __future__ import annotations

import json

import pandas as pd

from routerlab.book import run as bookrun
from routerlab.chapters import status


def _ex(differs=None):
    runs = pd.DataFrame({"notebook": ["01_a", "02_b"], "seconds": [10.0, 50.0], "wall_seconds": [12.0, float("nan")],
                         "parameters": [{}, {}], "finished": ["2024-05-06T10:11:12", "2024-05-06T10:12:13"],
                         "status": ["ok", "failed"]})
    rows = [{"notebook": "01_a", "summary": False, "parameters": {"scale": 0.03, "n_seeds": 2}, "differs": {}},
            {"notebook": "02_b", "summary": False, "parameters": {"scale": 0.5, "n_seeds": 2},
             "differs": differs or {}}]
    check = {"reference": {"scale": 0.03, "n_seeds": 2}, "notebooks": rows, "n_chapters": 2,
             "differing": ["02_b"] if differs else []}
    return {"runs": runs, "check": check, "by_name": {r["notebook"]: r for r in rows}}


def test_run_verdict():
    target = bookrun.BOOK_SECONDS_TARGET
    assert status.run_verdict(None, 0, 12).startswith("unknown")
    assert status.run_verdict(10.0, 4, 12) == "a partial run, not comparable with"
    assert status.run_verdict(target, 13, 12) == "within"
    assert status.run_verdict(target + 1, 13, 12) == "OVER"


def test_execution_values_from_the_records_and_the_log(tmp_path):
    log = tmp_path / "execution.json"
    log.write_text(json.dumps({"notebooks": {}, "last_run": {"seconds": 90.0, "jobs": 2, "notebooks": ["a"] * 3}}))
    v = status.execution_values(_ex(), log, scale=1.0, n_seeds=5)
    assert (v["status_n_notebooks"], v["status_n_chapters"], v["status_n_failed"]) == (2, 2, 1)
    assert v["status_total_seconds"] == 60.0 and v["status_total_minutes"] == 1.0
    assert (v["status_scale"], v["status_n_seeds"]) == (0.03, 2)  # the reference, not the defaults
    assert (v["status_run_notebooks"], v["status_run_jobs"], v["status_run_seconds"]) == ("3", "2", "90.0")
    assert v["status_run_minutes"] == "1.5" and v["status_run_verdict"] == "within"
    assert v["status_parameter_note"] == "every notebook ran with the book's reference parameters"
    none = status.execution_values(_ex({"scale": 0.5}), tmp_path / "missing.json", 1.0, 5)
    assert none["status_run_seconds"] == "n/a" and none["status_run_verdict"].startswith("unknown")
    assert none["status_parameter_note"].startswith("WARNING: 02_b ran with scale=0.5. Their numbers")


def test_execution_table_flags_other_parameters_with_the_rerun_command():
    ex = _ex({"scale": 0.5})
    assert status.against_book(ex, "01_a") == "as the book"
    assert status.against_book(ex, "02_b").startswith("OTHER: scale=0.5; rerun: python -m routerlab.book.run "
                                                      "--only 02_b --scale 0.03 --seeds 2")
    html = status.execution_table(ex).data
    assert "05-06 10:11" in html and "—" in html and "scale=0.03, n_seeds=2" in html


def test_simulated_benchmarks_group_the_chapters(tmp_path):
    check = _ex()["check"]
    check["notebooks"].append({"notebook": "99_status", "summary": True, "parameters": {"scale": 0.03}})
    check["notebooks"][0]["parameters"]["seed"] = 3
    (tmp_path / "02_b.ipynb").write_text(json.dumps(
        {"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    used, ref = status.simulated_benchmarks(check, tmp_path, scale=1.0, seed=0)
    assert used == {(0.03, 3): ["01_a"], (0.5, 0): ["02_b"]} and ref == (0.03, 0)
    empty = {"reference": {}, "notebooks": []}
    assert status.simulated_benchmarks(empty, tmp_path, scale=1.0, seed=7) == ({(1.0, 7): []}, (1.0, 7))


def test_data_state_and_versions():
    assert status.data_state({"folder": None, "bad": []}) == "not found on this machine"
    assert status.data_state({"folder": "/x", "bad": list("abcdef")}) == \
        "found, but 6 file(s) missing or altered: a, b, c, d, e"
    assert status.data_state({"folder": "/x", "bad": []}) == "found, every file verified"
    table = status.versions_table({"python": "3.11", "numpy": "2.0"})
    assert list(table.index) == ["python", "numpy"] and table.index.name == "package"
    assert status.software_values({"python": "3.11"})["status_python_version"] == "3.11"
