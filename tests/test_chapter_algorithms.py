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
            "rho": {"rho": 0.8, "lo": 0.6, "hi": 0.9}}
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
    gap = out["algo.oracle_gap_closed"]["sim"]
    assert (gap["value"], gap["lo"], gap["hi"]) == (0.3, 0.1, 0.5) and gap["note"].startswith("knn vs fixed:x")


def test_missing_real_data_reads_not_found(tmp_path):
    real_bench = {n: None for n in ch.REAL}
    status = ch.real_status(real_bench, tmp_path, n_seeds=1)
    assert status["real_found_text"] == "none" and status["real_seeds_text"] == "seed 0"
    assert status["real_missing_text"].startswith("missing: routerbench-subset, llmrouter")
    assert "NOT FOUND" in status["status_llmrouter"]
    assert "no table" in ch.results_display(real_bench, real_bench, "llmrouter").data
    shown, glue = ch.cost_sensitivity(real_bench, real_bench, 0.03, tmp_path, n_seeds=2, sensitivity_seeds=1)
    assert "no sensitivity check" in shown.data
    assert glue["sens_seeds_text"] == "seed 0 only, for time" and glue["sens_rho_min"] == (None,)


def test_stratum_deviation_within_one_query():
    from routerlab.data.simulate import simulate

    dev = ch.stratum_deviation(simulate(scale=0.01, seed=0), 2)
    assert 0 <= dev <= 1 and math.isfinite(dev)
    assert np.isclose(ch.TEST_SIZE, 0.2)
