"""routerlab.chapters.performance: the tables and texts of the performance appendix."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from routerlab.chapters import performance as perf  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = {
    "machine": {"date": "2024-05-06T10:00", "commit": "0123456789abcdef", "dirty": True, "cpu": "cpu",
                "cores": 2, "ram_mb": 8192, "os": "Linux", "python": "3.11", "numpy": "2", "pyarrow": "1",
                "joblib": "1"},
    "parameters": {"scales": [1, 10], "superlinear_threshold": 1.15},
    "cells": [{"stage": "read", "scale": 10, "seconds": 2.5, "peak_mb": 300, "increment_mb": 100, "outcomes": 4_050_000},
              {"stage": "generate", "scale": 1, "seconds": 1234.5, "peak_mb": 1500.4, "increment_mb": 20,
               "outcomes": 405_000, "chunked_cache": True}],
    "exponents": [{"stage": "read", "to_scale": 10, "time": 1.234, "memory": None}],
    "skips": [{"stage": "aiq", "scale": 10, "reason": "projected peak memory 30 GB"},
              {"policy": "knn", "scale": 10, "reason": "over budget"}],
    "flags": [{"policy": "knn", "phase": "fit", "exponent": 1.5, "reason": "pairwise distances"}],
    "ratios": {"scoring": {"outcomes": 405000, "ratio": 1234.4},
               "hull": [{"points": "random", "n": 50, "ratio": 10.2, "routerbench_ratio": 3},
                        {"points": "article", "n": 7, "ratio": 99}],
               "parallel": {"ratio": 1.8, "cores": 2, "routers": "random,mf", "seeds": [0, 1, 2],
                            "queries": 2025, "via": "joblib"}},
}


def test_growth_table_orders_by_stage_then_scale_and_lists_skips():
    table = perf.growth_table(DOC)
    assert list(table["stage"]) == ["generate", "read Parquet", "AIQ study"]
    assert list(table["seconds"]) == ["1,234.50", "2.50", "skipped"]
    assert list(table["exponent time / MB"]) == ["", "1.23 / ", ""]
    assert list(table["note"]) == ["benchmark built in chunks", "", "projected peak 30 GB"]


def test_values_of_a_measured_run():
    assert "at commit 0123456789 (with uncommitted changes), on cpu (2 cores, 8 GB RAM" in \
        perf.status_values(DOC, "x.json")["perf_status"]
    growth = perf.growth_values(DOC)
    assert (growth["perf_scales"], growth["perf_max_outcomes"], growth["perf_n_skipped"]) == ("1, 10", "4,050,000", 1)
    flags = perf.flag_values(DOC)
    assert flags["perf_threshold"] == "1.15" and flags["perf_n_flags"] == 1
    assert flags["perf_policy_skips"] == "knn at scale 10 (over budget)" and "1.50" in flags["tbl_perf_flags"].data
    ratios = perf.ratio_values(DOC)
    assert ratios == {"perf_score_outcomes": "405,000", "perf_score_ratio": "1,234", "perf_hull_ratios": "10",
                      "perf_rb_ratios": "3", "perf_hull_sizes": "50", "perf_par_ratio": "1.80",
                      "perf_par_cores": "2", "perf_par_grid": "2 policies x 3 seeds on 2,025 queries, via joblib"}


def test_without_the_measurement_file_everything_reads_na(tmp_path):
    doc = perf.read_results(tmp_path / "none.json")
    assert doc is None
    assert "NOT found" in perf.status_values(None, "none.json")["perf_status"]
    values = {**perf.growth_values(None), **perf.flag_values(None), **perf.ratio_values(None)}
    assert all(v == "n/a" for k, v in values.items() if not k.startswith("tbl_"))
    assert "note" not in values["tbl_perf_growth"].data  # no row has a note: no note column
    fig, ax = plt.subplots()
    perf.plot_stage_growth(ax, None)
    perf.plot_stage_growth(ax, DOC)
    plt.close(fig)


def test_the_committed_measurements_load():
    doc = perf.read_results(ROOT / "benchmarks" / "results" / "growth.json")
    assert doc is not None
    assert isinstance(perf.growth_values(doc)["perf_n_skipped"], int)
    assert perf.hull_text(doc["ratios"]["hull"], "ratio") != "n/a"
    assert hasattr(perf.load_benchmark_script(ROOT / "benchmarks" / "bench_growth.py"), "hull_ratios")
