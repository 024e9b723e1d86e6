"""routerlab.chapters.algorithms (chapter 03): the criteria it reads, its checks and its glue values
on hand-made cases."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from routerlab.chapters import algorithms as ch
from routerlab.errors import RouterlabError
from routerlab.reproduction import findings as simcheck


def test_tolerances_come_from_criteria_yaml():
    assert ch.tolerance("result.mf.rs") == 0.02
    assert ch.tolerance("result.mf.quality") == 0.02
    assert ch.tolerance("result.mf.cost_reduction") == 0.05
    assert ch.equal_tolerance() == 0.02
    values = ch.criteria_values()
    assert values == {"tol_rs": 0.02, "tol_cost": 0.05, "tol_equal": 0.02, "ci_level": 0.95,
                      "test_share": 0.2, "train_share": 0.8, "n_boot": 1000}
    with pytest.raises(RouterlabError, match="within tolerance"):
        ch.tolerance("algo.list")  # a rule without a number tolerance


def test_text_helpers():
    assert ch.signed3(0.0126) == "+0.013" and ch.signed3(-0.0004) == "+0.000" and ch.signed3(-0.02) == "-0.020"
    assert ch.signed3(None) == "n/a" and ch.signed3(float("nan")) == "n/a"
    assert ch.p_text(0.0005) == "< 0.001" and ch.p_text(0.0423) == "0.042" and ch.p_text(float("nan")) == "n/a"
    assert ch.slug("fixed:GPT-4o") == "fixed_gpt_4o" and ch.slug("result.mf.rs") == "result_mf_rs"
    rs = {"a": 0.5, "b": 0.7}
    assert ch._label_rs(rs, "min(a, b)") == 0.5 and ch._label_rs(rs, "max(a, b)") == 0.7
    assert ch._label_rs(rs, "b") == 0.7


def _measured(ours, seeds=(None, None), boot=(None, None)):
    return {"ours": ours, "seeds_lo": seeds[0], "seeds_hi": seeds[1], "boot_lo": boot[0], "boot_hi": boot[1]}


def test_matches_applies_the_number_rule():
    # result.mf.rs: the article's 0.598, tolerance 0.02
    assert ch._matches("result.mf.rs", _measured(0.610))
    assert not ch._matches("result.mf.rs", _measured(0.630, (0.62, 0.64), (0.625, 0.635)))
    assert ch._matches("result.mf.rs", _measured(0.630, (0.59, 0.67)))       # inside the seed interval
    assert ch._matches("result.mf.rs", _measured(0.630, (0.62, 0.64), (0.59, 0.64)))  # bootstrap interval
    # audited claims: the audit's values (chapter 02) count as missing, the number rule decides
    assert ch._matches("result.oracle.quality", _measured(0.80))             # article 0.795
    assert not ch._matches("result.oracle.quality", _measured(0.93, (0.9, 0.95), (0.91, 0.94)))
    # a calibrated input counts as a match when the simulator meets it
    assert ch._matches("result.gpt4o.quality", _measured(0.82))              # article 0.813
    assert not ch._matches("result.gpt4o.quality", _measured(0.70, (0.65, 0.75), (0.68, 0.72)))


def test_number_checks_on_a_hand_made_summary():
    cols = {}
    for mtr, (v, lo, hi) in {"rs": (0.60, 0.55, 0.65), "quality": (0.50, 0.45, 0.55),
                             "cost_reduction": (0.43, 0.40, 0.46)}.items():
        cols |= {mtr: [v, 0.1], f"{mtr}_lo_seeds": [lo, 0.0], f"{mtr}_hi_seeds": [hi, 0.2],
                 f"{mtr}_lo_boot": [lo + 0.01, 0.0], f"{mtr}_hi_boot": [hi - 0.01, 0.2]}
    summary = pd.DataFrame(cols, index=["mf", "knn"])
    checks = ch.number_checks(summary, ["mf", "knn"])
    assert list(checks) == ["result.mf.rs", "result.mf.quality", "result.mf.cost_reduction"]  # table order
    assert [c["matches"] for c in checks.values()] == [True, False, True]  # 0.598, 0.689, 0.40 (tol 0.05)
    mf = checks["result.mf.rs"]
    assert mf["article"] == 0.598 and mf["metric"] == "rs" and mf["policy"] == "mf"
    assert mf["measured"] == {"ours": 0.60, "seeds_lo": 0.55, "seeds_hi": 0.65, "boot_lo": 0.56, "boot_hi": 0.64}


def test_paired_values_counts_and_formats():
    paired = pd.DataFrame({"policy": ["a", "b", "c", "oub"], "diff": [0.03, -0.03, 0.005, 0.15],
                           "lo": [0.01, -0.05, -0.01, 0.1], "hi": [0.05, -0.01, 0.02, 0.2],
                           "share_better": [0.99, 0.01, 0.6, 1.0], "p_value": [0.0, 0.02, 0.8, 0.0],
                           "seeds_better": [2, 0, 1, 2], "n_seeds": [2, 2, 2, 2]})
    info = {p: {"uses_truth": p == "oub"} for p in ["mf", "a", "b", "c", "oub"]}
    out = ch.paired_values(SimpleNamespace(policies=list(info), policy_info=info), paired)
    assert (out["n_beat_mf"], out["n_below_mf"], out["n_tied_mf"]) == (1, 1, 1)  # OUB reads the truth
    shown = out["tbl_paired"].data
    assert shown.loc[0, "RS minus MF [95% paired bootstrap]"] == "+0.030 [+0.010, +0.050]"
    assert list(shown["p"]) == ["< 0.001", "0.020", "0.800", "< 0.001"]
    assert shown.loc[2, "Seeds better"] == "1 of 2"


def test_finding_measurements_fit_simcheck_record():
    head = {"diff": 0.02, "diff_lo": -0.01, "diff_hi": 0.05, "gap_closed": 0.3, "gap_lo": 0.1, "gap_hi": 0.5,
            "best_learned": "knn", "best_fixed": "fixed:x", "mf_rank": 2, "learned": ["knn", "mf", "mlp"],
            "rho": {"rho": 0.8, "lo": 0.6, "hi": 0.9},
            "sel_diff": -0.004, "sel_lo": -0.02, "sel_hi": 0.012, "sel_chosen": "mf (2 of 2 splits)",
            "sel_fixed": "x (2 of 2 splits)"}
    heads = {"sim": dict(head, rho=None), "routerbench-subset": None, "llmrouter": dict(head, mf_rank=4)}
    out = ch.finding_measurements(heads, ["knn", "mf", "mlp"], ["a", "b"])
    assert set(out) == {"algo.ranking", "algo.best_learned_beats_best_fixed", "algo.oracle_gap_closed",
                        "algo.mf_top3"}
    for fid, m in out.items():
        entry = simcheck.record(fid, glue=False, **m)  # the shape record expects
        assert entry["real"]["routerbench-subset"] == {"value": None, "lo": None, "hi": None, "note": ch.MISSING}
    assert out["algo.ranking"]["sim"]["value"] is None
    assert out["algo.ranking"]["real"]["llmrouter"]["value"] == 0.8
    assert out["algo.mf_top3"]["sim"]["value"] is True and out["algo.mf_top3"]["real"]["llmrouter"]["value"] is False
    best = out["algo.best_learned_beats_best_fixed"]["real"]["llmrouter"]  # the winners picked off the test rows
    assert (best["value"], best["lo"], best["hi"]) == (-0.004, -0.02, 0.012)
    assert "picked on validation rows" in best["note"] and "+0.020 [-0.010, +0.050]" in best["note"]
    gap = out["algo.oracle_gap_closed"]["sim"]
    assert (gap["value"], gap["lo"], gap["hi"]) == (0.3, 0.1, 0.5) and gap["note"].startswith("knn vs fixed:x")


def test_missing_real_data_reads_not_found(tmp_path):
    real_bench = {n: None for n in ch.SHOWN}
    status = ch.real_status(real_bench, tmp_path, n_seeds=1)
    assert status["real_found_text"] == "none" and status["real_seeds_text"] == "seed 0"
    assert status["real_missing_text"].startswith("missing: routerbench-subset, llmrouter, mmlu-pro")
    assert "NOT FOUND" in status["status_llmrouter"] and "NOT FOUND" in status["status_mmlu_pro"]
    assert status["mmlu_pro_n_queries"] == "n/a" and status["mmlu_pro_n_kept"] == "n/a"
    assert "no table" in ch.results_display(real_bench, real_bench, "llmrouter").data
    shown, glue = ch.cost_sensitivity(real_bench, real_bench, 0.03, tmp_path, n_seeds=2, sensitivity_seeds=1)
    assert "no sensitivity check" in shown.data
    assert glue["sens_seeds_text"] == "seed 0 only, for time" and glue["sens_rho_min"] == (None,)


def test_stratum_deviation_within_one_query():
    from routerlab.data.simulate import simulate

    dev = ch.stratum_deviation(simulate(scale=0.01, seed=0), 2)
    assert 0 <= dev <= 1 and math.isfinite(dev)
    assert np.isclose(ch.TEST_SIZE, 0.2)


# ---- dataset-best, the baseline to beat on real data --------------------------------------------
def test_real_sources_shown_and_recorded():
    assert ch.SHOWN == ["routerbench-subset", "llmrouter", "mmlu-pro"]
    assert ch.REAL == ["routerbench-subset", "llmrouter"]  # the sources findings.yaml names for algo.*
    for fid in ("algo.ranking", "algo.best_learned_beats_best_fixed", "algo.oracle_gap_closed", "algo.mf_top3"):
        assert simcheck.finding(fid)["real"] == ch.REAL
    assert set(ch.SHOWN) <= set(ch.COST_KIND) and set(ch.SHOWN) <= set(ch.HEADLINE_COLUMNS)


class _Paired(SimpleNamespace):
    def paired(self, reference="mf"):
        assert reference == "dataset-best"
        return self.table


def _paired_result():
    table = pd.DataFrame({"policy": ["mf", "knn", "mlp", "fixed:x"], "reference": "dataset-best",
                          "diff": [0.01, -0.002, -0.03, -0.05], "lo": [0.002, -0.01, -0.05, -0.07],
                          "hi": [0.02, 0.006, -0.01, -0.03], "share_better": 0.5, "p_value": 0.5,
                          "seeds_better": 1, "n_seeds": 2})
    return _Paired(table=table)


def test_versus_dataset_best_sides_and_order():
    vs = ch.versus_dataset_best(_paired_result(), ["knn", "mf"])
    assert list(vs.index) == ["knn", "mf"] and list(vs["side"]) == ["level", "above"]
    every = ch.versus_dataset_best(_paired_result())
    assert list(every["side"]) == ["above", "level", "below", "below"]
    nan = _Paired(table=_paired_result().table.assign(lo=np.nan, hi=np.nan))
    assert set(ch.versus_dataset_best(nan)["side"]) == {"level"}  # no interval: not told apart


def _head(best, diff, lo, hi, side, counts=(0, 2, 1)):
    vs = ch.versus_dataset_best(_paired_result())
    return {"best_learned": best, "dsb_diff": diff, "dsb_lo": lo, "dsb_hi": hi, "dsb_side": side,
            "n_above_dsb": counts[0], "n_level_dsb": counts[1], "n_below_dsb": counts[2], "vs_dsb": vs,
            "best_fixed": "fixed:x", "learned": ["mf", "knn", "mlp"]}


def test_dsb_text_is_written_from_the_intervals():
    level = _head("knn", -0.005, -0.013, 0.003, "level")
    above = _head("mf", 0.01, 0.002, 0.02, "above", (1, 1, 1))
    text = ch.dsb_text({"sim": above, "routerbench-subset": level, "llmrouter": level, "mmlu-pro": None})
    assert text.startswith("On none of the 2 real benchmarks does the best learned router beat dataset-best")
    assert "routerbench-subset (real cost): knn, -0.005 [-0.013, +0.003], level with dataset-best" in text
    assert "llmrouter: 0 above, 2 level, 1 below" in text
    assert text.endswith("On simulated data the best learned router, mf, is +0.010 [+0.002, +0.020] from "
                         "dataset-best (above it).")
    mixed = ch.dsb_text({"routerbench-subset": level, "llmrouter": above, "mmlu-pro": level})
    assert mixed.startswith("The best learned router beats dataset-best (paired interval above 0) on 1 of the 3 "
                            "real benchmarks (llmrouter) and not on routerbench-subset and mmlu-pro.")
    assert ch.dsb_text({"llmrouter": above}).startswith("On the one real benchmark the best learned router beats")
    assert ch.dsb_text({"sim": above, "llmrouter": None}).startswith("No real benchmark was found")


def test_versus_table_rows_and_cells():
    heads = {"sim": _head("mf", 0.01, 0.002, 0.02, "above"), "llmrouter": None}
    shown = ch.versus_table(heads, ["mf", "knn", "bert-cls"]).data
    assert list(shown.index) == ["mf", "knn", "bert-cls", "best fixed model"]
    assert list(shown["simulated"]) == ["+0.010 [+0.002, +0.020]", "-0.002 [-0.010, +0.006]", "does not run",
                                        "x: -0.050 [-0.070, -0.030]"]
    assert set(shown["llmrouter (estimated cost)"]) == {"data not found"}


def test_sensitivity_vs_dataset_best_uses_the_common_seeds():
    def result(rows):
        ps = pd.DataFrame(rows, columns=["policy", "seed", "rs"])
        return SimpleNamespace(per_seed=ps, policies=["mf", "dataset-best"])
    results = {"default": result([("mf", 0, 0.6), ("dataset-best", 0, 0.61), ("mf", 1, 0.9), ("dataset-best", 1, 0.5)]),
               "x2": result([("mf", 0, 0.5), ("dataset-best", 0, 0.48)])}
    table = pd.DataFrame({"best learned router": ["mf", "mf"]}, index=["default", "x2"])
    table.attrs["seeds"] = [0]
    out = ch.sensitivity_vs_dataset_best(table, results)
    assert out["default"] == pytest.approx(-0.01) and out["x2"] == pytest.approx(0.02)


@pytest.mark.skipif(ch.sources.find("llmrouter") is None or ch.sources.find("routerbench-subset") is None,
                    reason="real data not found beside the repository")
def test_load_real_keeps_the_book_sample_of_the_two_finding_sources():
    # load_for_routers equals the former load_for_book(min_per_dataset=300) for these two sources,
    # so the evaluation cache entry stays shared with chapters 04, 05 and 11
    real = ch.load_real(0.03, names=ch.REAL)
    for name in ch.REAL:
        old = ch.sources.load_for_book(name, scale=0.03, seed=0, min_per_dataset=300)
        assert (real[name].sample_ids == old.sample_ids).all()
    repriced = ch.load_real(0.03, names=["llmrouter"], output_scale=2.0)["llmrouter"]
    assert (repriced.sample_ids == real["llmrouter"].sample_ids).all()
    assert not np.allclose(repriced.cost, real["llmrouter"].cost)


def test_selection_table_sets_both_ways_of_picking_the_winners_side_by_side():
    head = {"best_learned": "knn", "best_fixed": "fixed:x", "diff": 0.03, "diff_lo": 0.01, "diff_hi": 0.05,
            "sel_diff": 0.004, "sel_lo": -0.012, "sel_hi": 0.02, "sel_chosen": ch._picks(["mf", "knn", "mf"]),
            "sel_fixed": ch._picks(["fixed:x", "fixed:x", "fixed:x"])}
    assert head["sel_chosen"] == "mf (2 of 3 splits), knn (1 of 3)" and head["sel_fixed"] == "x (3 of 3 splits)"
    shown = ch.selection_frame({"sim": head, "routerbench-subset": None})
    assert list(shown.columns)[1] == ch.SELECTION_HONEST  # the honest difference first
    assert "table-layout: fixed" in ch.selection_table({"sim": head}).data
    assert list(shown["benchmark"]) == ["simulated", "routerbench-subset (real cost)"]
    row = shown.iloc[0]
    assert row["both winners picked on the test rows [95%]"] == "knn minus x: +0.030 [+0.010, +0.050]"
    assert row["router picked on validation rows, fixed model on training rows [95%]"] == "+0.004 [-0.012, +0.020]"
    assert (shown.iloc[1].iloc[1:] == "data not found").all()
    assert ch._ci_or_na(float("nan"), float("nan"), float("nan")) == "n/a"
