"""routerlab.chapters.benchmark (chapter 01): the numbers it computes, on a tiny simulated benchmark
and on hand-made cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab.chapters import benchmark as ch
from routerlab.data.simulate import dataset_sizes, simulate
from routerlab.errors import RouterlabError
from routerlab.evaluation import error_structure as structure
from routerlab.reproduction import criteria


@pytest.fixture(scope="module")
def bench():
    return simulate(0.01, 0)


def test_the_structure_tolerance_is_read_from_criteria_yaml():
    assert criteria.book_rule("structure_tolerance") == 0.05
    assert criteria.BOOK_RULES not in criteria.criteria()  # not a claim
    with pytest.raises(RouterlabError, match="no book rule"):
        criteria.book_rule("no_such_rule")


def test_article_and_bench_values(bench):
    art = ch.article_values()
    assert art == {"n_outcomes_article": 405_000, "n_datasets_article": 12, "n_models_article": 6,
                   "n_named_datasets": 5}
    v = ch.bench_values(bench, 0.01, 0, 1.5)
    assert v["n_outcomes"] == bench.n_queries * 6 and v["n_datasets"] == 12 and v["full_scale"] == 1.0


def test_calibration_lands_within_one_query(bench):
    v = ch.calibration_values(bench, 0.01, anchor=True)
    assert 0 <= v["max_abs_dev"] <= v["max_dev_bound"] + 1e-12
    assert v["max_dev_bound"] == pytest.approx(1 / dataset_sizes(0.01)[v["max_dev_dataset"]])
    assert v["anchor_on"] == "on" and v["gpt4o_article"] == 0.813
    assert ch.calibration_values(bench, 0.01, anchor=False)["anchor_on"] == "off"


def test_cost_values_by_hand(bench):
    v = ch.cost_values(bench)
    mean = bench.cost.mean(axis=0)
    llama, gpt4o = bench.model_index("Llama-3-8B-Instruct"), bench.model_index("GPT-4o")
    assert v["cost_reduction"] == pytest.approx(1 - mean[llama] / mean[gpt4o])
    assert v["cost_ratio_max_min"] == pytest.approx(bench.cost.max() / bench.cost.min())


def test_confidence_auc_table_and_mean(bench):
    table, v = ch.confidence_auc(bench)
    auc = table.data.to_numpy()
    assert auc.shape == (12, 6)
    assert np.all((auc[np.isfinite(auc)] >= 0) & (auc[np.isfinite(auc)] <= 1))
    assert v["confidence_auc_realised"] == pytest.approx(np.nanmean(auc))
    assert v["n_features"] == bench.features.shape[1]


def test_structure_values_count_the_gaps_within_the_tolerance():
    real_full = structure.real_targets_table(accuracy=True)
    cols = list(structure.STRUCTURE_COLUMNS)
    sim_full = real_full.copy()
    sim_full.loc["MMLU", "phi"] += 0.06          # one fitted measurement outside 0.05
    sim_full.loc["GSM8K", "auc_a"] += 0.04       # one inside
    sim_full["n"] = [100, 50]
    sim_full.attrs["n_splits"] = 5
    real, sim = real_full[cols], sim_full[cols]
    gaps = structure.structure_gap(sim, real).stack().to_frame("seed 0")
    gaps["mean gap"] = gaps["seed 0"]
    gaps["sd over seeds"] = np.nan
    gaps.index = [f"{d}: {ch.STRUCTURE_NAMES[c]}" for d, c in gaps.index]
    v = ch._structure_values(gaps, real, sim, real_full, sim_full, real_full, None, n_seeds=1)
    assert v["tolerance"] == 0.05 and v["n_fit_targets"] == len(structure.FIT_TARGETS)
    assert v["n_within_tol"] == v["n_mean_within_tol"] == len(structure.FIT_TARGETS) - 1
    assert v["max_fit_gap"] == pytest.approx(0.06) and v["max_fit_gap_cell"] == "MMLU: phi of correctness"
    assert v["max_seed_sd_cell"] == "none" and v["max_seed_sd"] == 0.0
    assert v["n_sim_gsm8k"] == 50 and v["n_real_mmlu"] == structure.REAL_N["MMLU"]
    assert v["real_live_diff"] == 0.0 and v["mmlu_floor"] == 0.25
    ceiling = structure.max_phi(real_full.loc["MMLU", "acc_a"], real_full.loc["MMLU", "acc_b"], 0.25)
    assert v["phi_real_share_of_ceiling"] == pytest.approx(real.loc["MMLU", "phi"] / ceiling)


def test_without_real_data_every_real_number_reads_missing():
    none = {name: None for name in ch.REAL}
    v = ch.real_values(none)
    assert v["real_status"].startswith("NOT found: routerbench-subset, llmrouter")
    assert v["rb_rows_kept"] == (None, "{:,}")
    table, sim = ch.prefix_similarity(none, None, seed=0)
    assert all(value is None or np.isnan(value) for value, _ in sim.values())
    assert isinstance(table.data, pd.DataFrame) and table.data.isna().all().all()
    assert ch.provenance(none) == []
