"""routerlab report: the analyses that apply to any benchmark, on a small simulated table and on a
user's table with model names the package has never heard of."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest

from routerlab import cli
from routerlab.chapters import report
from routerlab.errors import RouterlabError


def _no_nan(text: str) -> dict:
    def bad(c):
        raise AssertionError(f"non-finite number {c} in report.json")
    return json.loads(text, parse_constant=bad)


def _self_contained(page: str) -> None:
    assert not re.search(r"(?i)<script|<link|<iframe|@import|https?://", page)
    srcs = re.findall(r'src="([^"]*)"', page)
    assert srcs and all(s.startswith("data:image/png;base64,") for s in srcs)


@pytest.fixture(scope="module")
def sim_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("r") / "sim_report"
    assert cli.main(["report", "--data", "sim", "--scale", "0.01", "--seeds", "2", "--out", str(out),
                     "--label", "my simulated table"]) == 0
    return out


def test_sim_report_publishes_the_numbers_evaluate_gives(sim_report, tmp_path):
    doc = _no_nan((sim_report / "report.json").read_text())
    assert doc["kind"] == report.MARKER and doc["data"]["label"] == "my simulated table"
    ev = tmp_path / "ev.json"
    assert cli.main(["evaluate", "--data", "sim", "--scale", "0.01", "--seeds", "2", "--routers",
                     "oub,dataset-best,mf", "--json", str(ev), "--quiet"]) == 0
    got = json.loads(ev.read_text())["policies"]
    for p in ("oub", "dataset-best", "mf"):
        assert doc["routers"][p]["rs"] == pytest.approx(got[p]["rs"], abs=1e-12)
        assert [doc["routers"][p]["rs_lo_boot"], doc["routers"][p]["rs_hi_boot"]] == pytest.approx(
            got[p]["rs_ci95_bootstrap"], abs=1e-12)
    # two code paths, one number: the oracle of the bounds study and of the protocol
    assert doc["routing_score_and_bounds"]["OUB (global)"]["rs_global"] == pytest.approx(
        doc["routers"]["oub"]["rs"], abs=1e-12)
    # invariants: the oracle is the best policy, COUB never beats OUB, the full model set is 100%
    rs = {p: v["rs"] for p, v in doc["routers"].items()}
    assert max(rs, key=rs.get) in ("oub", "coub") and rs["coub"] <= rs["oub"] + 1e-12
    sizes = doc["model_count"]
    assert sizes[str(len(doc["data"]["models"]))]["share_of_full"] == pytest.approx(1.0)
    fixed = [v["rs_global"] for k, v in doc["routing_score_and_bounds"].items() if k.startswith("fixed:")]
    # the best single model of each split, averaged: at least the best model's mean
    assert max(fixed) - 1e-12 <= sizes["1"]["best"] <= 1
    # the oracle on every model is OUB
    assert sizes[str(len(fixed))]["best"] == pytest.approx(doc["routers"]["oub"]["rs"], abs=1e-12)
    assert {"zero router", "task-aware zero router", "oracle"} <= set(doc["cost_quality"])
    assert doc["parameters"]["seeds"] == [0, 1] and doc["left_out"]


def test_sim_report_page_is_self_contained_and_labelled(sim_report):
    page = (sim_report / "index.html").read_text()
    _self_contained(page)
    assert "<h1>routerlab report: my simulated table</h1>" in page
    assert "Left out" in page and "ledger" in page
    for section in ("Routing Score and its bounds", "Routers under the protocol", "Per dataset",
                    "How many models", "cost-quality plane"):
        assert section in page
    assert page.count("data:image/png;base64,") >= 5
    text = re.sub(r'src="data:[^"]*"', "", page)
    assert "<td>dataset-best</td>" in text and not re.search(r"(?i)\bnan\b|\binf\b", text)
    assert "None" not in text
    # the zero router's AIQ intervals (two splits: wide t-intervals) are clipped to [0, 1] on the page
    row = re.search(r"<tr><td>zero router</td>(.*?)</tr>", text)[1]
    cells = re.findall(r"([0-9.]+) \[([0-9.-]+), ([0-9.-]+)\]", row)
    assert len(cells) == 2 and all(0 <= float(lo) <= float(v) <= float(hi) <= 1 for v, lo, hi in cells)
    for name in ("routers", "fixed_and_bounds", "per_dataset_rs", "model_count", "cost_quality"):
        assert len(pd.read_csv(sim_report / f"{name}.csv")) > 0


def test_rerun_replaces_an_earlier_report_and_refuses_other_folders(sim_report, tmp_path, capsys):
    other = tmp_path / "notes"
    other.mkdir()
    (other / "mine.txt").write_text("keep me")
    assert cli.main(["report", "--data", "sim", "--scale", "0.005", "--seeds", "2", "--out", str(other)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no earlier report" in err
    assert [p.name for p in other.iterdir()] == ["mine.txt"]
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(RouterlabError, match="is a file"):
        report.check_out_dir(f)
    with pytest.raises(RouterlabError, match="does not exist"):
        report.check_out_dir(tmp_path / "a" / "b")
    report.check_out_dir(sim_report)  # an earlier report may be replaced
    table = other / "t.csv"
    with pytest.raises(RouterlabError, match="lies inside --out"):
        report.check_out_dir(other, [table])


def _user_table(path, n_per: int = 120, seed: int = 0):
    """RouterBench's wide layout with three models and four datasets of the user's own, no prices."""
    rng = np.random.default_rng(seed)
    models = {"alpha-7b": (0.55, 2e-5), "beta-13b": (0.7, 1e-4), "gamma-70b": (0.85, 8e-4)}
    words = ["apple", "river", "matrix", "proof", "poem", "graph", "sum", "tree", "story", "code", "list", "map"]
    rows = []
    for d_i, d in enumerate(["algebra", "poetry", "trivia", "coding"]):
        for i in range(n_per):
            row = {"sample_id": f"{d}.{i}", "prompt": " ".join(rng.choice(words, 8)), "eval_name": d}
            for j, (m, (acc, c)) in enumerate(models.items()):
                row[m] = float(rng.random() < acc - 0.1 * ((d_i + j) % 3 == 0))
                row[f"{m}|total_cost"] = c * (1 + rng.random())
            rows.append(row)
    frame = pd.DataFrame(rows)
    frame.to_parquet(path, index=False)
    return frame


def test_user_table_with_unknown_models(tmp_path):
    table = tmp_path / "mine.parquet"
    frame = _user_table(table)
    out = tmp_path / "rep"
    assert cli.main(["report", "--data", str(table), "--seeds", "2", "--out", str(out), "--quiet"]) == 0
    doc = _no_nan((out / "report.json").read_text())
    assert doc["data"]["models"] == ["alpha-7b", "beta-13b", "gamma-70b"]
    assert doc["data"]["datasets"] == ["algebra", "poetry", "trivia", "coding"]
    assert doc["unpriced_models"] == ["alpha-7b", "beta-13b", "gamma-70b"]
    assert 0 <= doc["routers"]["dataset-best"]["rs"] <= doc["routers"]["oub"]["rs"] <= 1
    # the policies that route on per-token prices are left out, here and in the plane; the page says so
    left = doc["policies_left_out_for_prices"]
    assert {"mf", "knn", "mlp"} <= set(left) and "dataset-best" not in left
    assert not set(left) & set(doc["routers"]) and "mf" not in doc["cost_quality"]
    assert {"random", "round-robin", "dataset-best", "oub", "qoub", "coub", "fixed:alpha-7b"} <= set(doc["routers"])
    assert {"zero router", "task-aware zero router", "judge-cascade", "oracle"} <= set(doc["cost_quality"])
    # the bounds' order: OUB has the best RS, QOUB the best quality, every fixed model below both
    b = doc["routing_score_and_bounds"]
    fixed = {k: v for k, v in b.items() if k.startswith("fixed:")}
    assert len(fixed) == 3 and b["COUB"]["rs_global"] <= b["OUB (global)"]["rs_global"] + 1e-12
    assert all(v["rs_global"] <= b["OUB (global)"]["rs_global"] + 1e-12 for v in fixed.values())
    assert all(v["quality"] <= b["QOUB"]["quality"] + 1e-12 for v in fixed.values())
    page = (out / "index.html").read_text()
    _self_contained(page)
    assert "No per-token prices" in page and "alpha-7b, beta-13b, gamma-70b" in page
    assert "None" not in re.sub(r'src="data:[^"]*"', "", page)
    assert table.is_file() and pd.read_parquet(table).equals(frame)  # the input is untouched


def test_a_failed_report_leaves_the_earlier_one_and_no_temporary_folder(sim_report, tmp_path, monkeypatch):
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(sim_report, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(rep, label):  # fails after index.html is written into the temporary folder
        raise RouterlabError("writing report.json failed")

    monkeypatch.setattr(report, "_json", broken)
    assert cli.main(["report", "--data", "sim", "--scale", "0.005", "--seeds", "2", "--out", str(out),
                     "--quiet"]) == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["copy"]
