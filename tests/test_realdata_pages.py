"""The pages' real-data plumbing: wrapped HTML tables, the ledger's real-data column and counts,
bookrun's --data-dir and the status page's SHA-256 check of every source."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from routerlab.book import run as bookrun
from routerlab.reproduction import ledger
from routerlab.data import sources
from routerlab.errors import RouterlabError
from routerlab.book.tables import html_table

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


# ---- html_table -----------------------------------------------------------------------------------

def test_html_table_escapes_breaks_lines_and_keeps_plain_cells():
    import pandas as pd

    df = pd.DataFrame({"claim": ["a.b", "c"], "text": ["x < y\nsecond line", None],
                       "link": ['<a href="03.html">03</a>', ""]})
    out = html_table(df, widths={"text": "20em"}, html_columns=["link"], nowrap=["claim"], css_class="t1")
    assert out.count("<table") == 1 and out.count("<tr>") == 3
    assert "<td>a.b</td>" in out                       # no attributes on cells
    assert "<td>x &lt; y<br>second line</td>" in out
    assert '<td><a href="03.html">03</a></td>' in out  # raw HTML column
    assert "<td></td>" in out                          # None is an empty cell, never "None"/"nan"
    assert '<col style="width: 20em">' in out
    assert re.search(r"table\.t1-[0-9a-f]{10} td:nth-child\(1\)", out) and "white-space: nowrap" in out
    assert "overflow-x: auto" in out
    with pytest.raises(ValueError, match="no such column"):
        html_table(df, widths={"nope": "1em"})
    with pytest.raises(ValueError, match="class name"):
        html_table(df, css_class="a b")


# ---- the ledger's real-data column --------------------------------------------------------------

def _number(ours, lo, hi):
    return {"ours": ours, "seeds_lo": lo, "seeds_hi": hi, "boot_lo": lo, "boot_hi": hi}


def _entry():
    """A chapter's record of result.mf.rs (article 0.598) with two real sources: a number of the
    article's setting, so on real data "not applicable" whatever was measured (0.55 [0.50, 0.59],
    or a missing folder)."""
    return ledger.record(
        "result.mf.rs", ours=0.6, lo=0.59, hi=0.61, measured=_number(0.6, 0.59, 0.61),
        chapter="03_algorithms", glue=False,
        real={"routerbench-subset": {"measured": _number(0.55, 0.5, 0.59), "ours": 0.55, "lo": 0.5, "hi": 0.59},
              "llmrouter": {"measured": None, "ours": None, "note": "data folder not found"}})


def _shape_entry():
    """A chapter's record of result.mf.best (a shape: MF first of the ten) with two real sources:
    judged by the criterion, so a negative margin is "not reproduced" and a missing folder "not
    checkable here"."""
    return ledger.record(
        "result.mf.best", ours="mf", measured={"mf_margin": 0.01, "n_of_ten_run": 10},
        chapter="03_algorithms", glue=False,
        real={"routerbench-subset": {"measured": {"mf_margin": -0.02, "n_of_ten_run": 10}, "ours": "knn"},
              "llmrouter": {"measured": None, "ours": None, "note": "data folder not found"}})


def test_ledger_real_column_lines_and_dash():
    df = ledger.collect([], fallback=[_entry(), _shape_entry()])
    assert df.set_index("id").loc["result.mf.rs", "real"]["llmrouter"]["ours"] is None
    shown = ledger.ledger_table(df).set_index("claim")
    assert shown.loc["result.mf.rs", "real data"] == (
        "routerbench-subset: 0.550 [0.500, 0.590] (not applicable)\n"
        "llmrouter (estimated cost): n/a, data folder not found (not applicable)")
    assert shown.loc["result.mf.best", "real data"] == (
        "routerbench-subset: knn (not reproduced)\n"
        "llmrouter (estimated cost): n/a, data folder not found (not checkable here)")
    assert shown.loc["bench.offline", "real data"] == "—"
    assert ledger.real_text({"mmlu-pro": {"ours": "flat", "verdict": "reproduced"}}) == \
        "mmlu-pro (estimated cost): flat (reproduced)"
    long = {"routerbench-subset": {"ours": None, "verdict": "not checkable here", "note": "x" * 80}}
    assert ledger.real_text(long, note_limit=20) == \
        "routerbench-subset: n/a, " + "x" * 19 + "… (not checkable here)"
    assert ledger.real_text(long).count("x") == 80
    html = ledger.ledger_html(shown.reset_index())
    assert html.count("<table") == 1
    assert "<td>result.mf.rs</td>" in html and "<td>reproduced (within tolerance)</td>" in html
    assert "(not applicable)<br>llmrouter (estimated cost)" in html
    assert "<td>0.600<br>[0.590, 0.610]</td>" in html  # our value with its interval below
    linked = ledger.ledger_html(shown.reset_index(), link=lambda c: f"../notebooks/{c}.html")
    assert '<td><a href="../notebooks/03_algorithms.html" title="03_algorithms">03</a></td>' in linked
    assert linked.count("<td>reproduced</td>") == html.count("<td>reproduced</td>")
    assert "nan" not in html.replace("nanoseconds", "")


def test_ledger_real_verdict_counts():
    counts = ledger.real_verdict_counts(ledger.collect([], fallback=[_entry(), _shape_entry()]))
    assert list(counts.columns) == list(ledger.VERDICTS)
    assert list(counts.index) == ["llmrouter", "routerbench-subset"]
    assert counts.loc["routerbench-subset", "not reproduced"] == 1
    assert counts.loc["llmrouter", "not checkable here"] == 1
    assert counts.loc["routerbench-subset", "not applicable"] == counts.loc["llmrouter", "not applicable"] == 1
    assert counts.to_numpy().sum() == 4
    none = ledger.real_verdict_counts(ledger.collect([]))
    assert none.empty and list(none.columns) == list(ledger.VERDICTS)


# ---- bookrun: --data-dir and the SHA-256 check of every source -----------------------------------

def test_source_verification_of_every_source_in_an_empty_folder(tmp_path):
    checks = bookrun.data_verification(tmp_path)
    assert [c["name"] for c in checks] == list(sources.names())
    for c in checks:
        assert c["folder"] is None and c["n_ok"] == 0 and c["n_files"] > 0
        assert len(c["sums_sha256"]) == 64


def test_source_verification_reports_an_altered_and_a_missing_file(tmp_path):
    real = SHARED / "routerbench-subset"
    if not real.is_dir():
        pytest.skip("routerbench-subset not found beside the repository")
    copy = tmp_path / "routerbench-subset"
    shutil.copytree(real, copy)
    ok = bookrun.source_verification("routerbench-subset", data_dir=tmp_path)
    assert ok["folder"] == str(copy.resolve()) and ok["n_ok"] == ok["n_files"] and not ok["bad"]
    target = copy / "mbpp_test.csv"
    target.chmod(0o644)
    target.write_bytes(target.read_bytes() + b"\n")
    (copy / "winograde_train.csv").unlink()
    bad = bookrun.source_verification("routerbench-subset", data_dir=tmp_path)
    # a partial copy is still reported (not "not found"), with what is wrong in it
    assert bad["folder"] == str(copy.resolve())
    assert bad["bad"] == ["mbpp_test.csv", "winograde_train.csv"] and bad["n_ok"] == bad["n_files"] - 2


def test_data_dir_is_offered_to_notebooks_that_declare_it(tmp_path, monkeypatch):
    nbs = tmp_path / "notebooks"
    nbs.mkdir()
    (nbs / "01_a.py").write_text("")
    (nbs / "02_b.py").write_text("")
    calls = []

    def fake_execute(py, out, params, cwd, kernel_log=None):
        calls.append((py.stem, dict(params)))
        return {"seconds": 0.0, "parameters": params}

    monkeypatch.setattr(bookrun, "execute", fake_execute)
    data = tmp_path / "data"
    data.mkdir()
    assert bookrun.main(["--notebooks", str(nbs), "--data-dir", str(data), "--scale", "0.1",
                         "--seeds", "1", "--no-status", "--only", "01", "02"]) == 0
    assert [c[0] for c in calls] == ["01_a", "02_b"]
    assert all(c[1]["data_dir"] == str(data.resolve()) for c in calls)
    assert calls[0][1]["executed_dir"] == "."  # for the ledger and chapter 09, not only the status page
    assert bookrun.main(["--notebooks", str(nbs), "--data-dir", str(tmp_path / "nope")]) == 2
    calls.clear()
    assert bookrun.main(["--notebooks", str(nbs), "--no-status", "--only", "01"]) == 0
    assert "data_dir" not in calls[0][1]


def test_load_for_book_is_none_without_the_folder(tmp_path):
    for name in ("routerbench-subset", "llmrouter", "mmlu-pro"):
        assert sources.load_for_book(name, data_dir=tmp_path) is None
    with pytest.raises(RouterlabError):
        sources.load(name, data_dir=tmp_path)
