"""routerlab.chapters.datasets (chapter 04): the thresholds read from criteria.yaml, the learning
curves' rules, the text helpers, and the chapter's measures on a small simulated evaluation
(RouterBench-Sim at scale 0.01, 675 queries, two seeds, six policies: a few seconds)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from routerlab.chapters import datasets as ch
from routerlab.data.simulate import simulate
from routerlab.errors import RouterlabError
from routerlab.evaluation import analysis as an
from routerlab.evaluation.protocol import evaluate
from routerlab.reproduction import criteria


# ---- rules and text --------------------------------------------------------------------------
def test_thresholds_are_the_ones_of_criteria_yaml():
    # the numbers the chapter's text names: "top 4", "3 smallest", "by at least 0.05"
    assert (ch.TOP_EASY, ch.TOP_GSM8K, ch.FAR) == (4, 3, 0.05)
    assert ch._bound("dataset.easy", "hellaswag_gain_rank") == 4
    with pytest.raises(RouterlabError, match="compares 'nothing'"):
        ch._bound("dataset.easy", "nothing")


@pytest.mark.parametrize("measured, predicted, supported", [
    (-0.04, -0.07, True),              # same sign, 0.04 >= 0.5 * 0.07 = 0.035
    (-0.03, -0.07, False),             # same sign, 0.03 < 0.035
    (0.05, 0.05, True),
    (0.04, -0.07, False),              # opposite sign
    (0.0, -0.07, False),               # no change
    (-0.04, 0.0, False),               # nothing predicted
    (float("nan"), -0.07, False),      # no dataset large enough
])
def test_the_causal_reading_rule(measured, predicted, supported):
    assert criteria.evaluate_expression(ch.SUPPORTS, {"measured": measured, "predicted": predicted}) is supported


def test_the_large_enough_rule():
    assert criteria.evaluate_expression(ch.LARGE_ENOUGH, {"full_rows": 50, "probe": 25})
    assert not criteria.evaluate_expression(ch.LARGE_ENOUGH, {"full_rows": 49.5, "probe": 25})


def test_text_helpers():
    assert ch._text(None) == "n/a" and ch._text(float("nan")) == "n/a"
    assert ch._text(np.float64(0.12345)) == "0.123"
    assert ch._text(np.int64(7), "{:d}") == "7"
    assert ch._text(None, "{}", missing="not applicable") == "not applicable"
    assert ch.slug("ARC-Challenge") == "arc_challenge" and ch.slug("mmlu-pro") == "mmlu_pro"
    assert ch.pname("fixed:GPT-4o") == "GPT-4o (fixed)" and ch.pname("oub") == "Oracle (OUB)"
    assert ch.pname("new-router") == "new-router"
    assert [ch._p_text(p) for p in (0.0004, 0.0123, float("nan"))] == ["< 0.001", "0.012", "n/a"]


def test_describe_an_interval():
    c = {"r": 0.5, "lo": 0.2, "hi": 0.9}
    assert ch._describe(c, 0.72) == ("excludes 0 and contains the article's value; our estimate is weaker "
                                     "than the article's")
    c = {"r": -0.9, "lo": -0.98, "hi": 0.1}
    assert ch._describe(c, -0.65) == ("includes 0 and contains the article's value; our estimate is stronger "
                                      "than the article's")
    assert ch._describe({"r": 0.1, "lo": -0.4, "hi": 0.6}, 0.72).startswith("includes 0 and excludes")


def test_criteria_glue():
    g = ch.criteria_glue()
    assert g["n_datasets"] == 12 and g["ci_level"] == 0.95
    assert (g["ci_example_lo"], g["ci_example_hi"]) == an.fisher_interval(0.7, 12)
    assert g["r_size_article"] == 0.72 and g["r_diff_article"] == -0.65


# ---- on a small simulated evaluation ----------------------------------------------------------
POLICIES = ["random", "fixed:Llama-3-8B-Instruct", "fixed:GPT-4o", "mf", "knn", "oub"]


@pytest.fixture(scope="module")
def sim():
    bench = simulate(scale=0.01, seed=0)
    result = evaluate(bench, POLICIES, seeds=[0, 1], normalization="global", split="stratified",
                      test_size=0.2, bootstrap=0)
    return ch.by_dataset(bench, result)


def test_by_dataset_shapes(sim):
    assert sim.datasets == list(sim.bench.dataset_names) and len(sim.datasets) == 12
    assert sim.learned == ["mf", "knn"]
    assert "oub" not in sim.routers and "mf" in sim.routers
    assert sim.rs_table.shape == (12, len(POLICIES)) and list(sim.rs_table.index) == sim.datasets
    # training rows = dataset size - mean test rows
    sizes = an.dataset_sizes(sim.bench.datasets)
    assert np.allclose(sim.n_train + sim.n_test, sizes.loc[sim.datasets])
    assert set(sim.over["policy"]) == {"mf", "knn"} and len(sim.over) == 2 * 12


def test_dataset_claims_hand_their_measures_to_the_criteria(sim):
    glue, checks = ch.dataset_claims(sim)
    assert set(checks) == {"pitfall.overrouting", "dataset.hard", "dataset.easy", "dataset.gsm8k"}
    for cid, check in checks.items():
        assert check["claim_id"] == cid and check["chapter"] == "04_datasets"
    by_key = {"pitfall.overrouting": "verdict_pitfall", "dataset.hard": "verdict_hard",
              "dataset.easy": "verdict_easy", "dataset.gsm8k": "verdict_gsm8k"}
    for cid, key in by_key.items():
        assert glue[key] == criteria.judge(cid, checks[cid]["measured"])[0]
    easy = checks["dataset.easy"]["measured"]
    assert glue["easy_a"] == ("holds" if easy["arc_challenge_cheap_is_best"] and easy["hellaswag_cheap_is_best"]
                              else "does not hold")
    gap = sim.mf["gap_to_oracle"]
    assert glue["gsm_rank"] == 1 + int((gap < gap["GSM8K"]).sum())
    assert glue["gap_min"] == gap.min()
    assert 0 <= glue["n_over_gpqa"] <= 2 and glue["mf_over_gpqa"] in ("yes", "no")
    assert glue["mf_excess_gpqa"] == pytest.approx(glue["mf_cheap_gpqa"] - glue["oub_cheap_gpqa"])


def test_correlations_are_pearson_across_the_datasets(sim):
    corr = ch.correlations(sim)
    assert len(corr) == 3 * (len(sim.routers) + 1)
    mf = corr[(corr["policy"] == "mf") & (corr["x"] == "training rows")].iloc[0]
    assert mf["r"] == pytest.approx(np.corrcoef(sim.n_train, sim.rs_table["mf"])[0, 1])
    glue, checks = ch.correlation_claims(sim, corr)
    assert glue["r_size"] == mf["r"]
    assert checks["corr.train_size"]["measured"] == {"r": mf["r"], "r_lo": mf["lo"], "r_hi": mf["hi"]}
    assert glue["verdict_size"] == criteria.judge("corr.train_size", checks["corr.train_size"]["measured"])[0]
    big = sim.n_train[sim.n_train > 5 * sim.n_train.median()]
    assert glue["big_datasets"] == (", ".join(big.index) or "none")


def test_learning_curves_and_the_causal_test(sim):
    lc = ch.learning_curves(sim, [5, 20], 1)
    g, causal = lc["glue"], lc["causal"]
    assert g["lc_sizes_text"] == "5 or 20" and g["lc_min_size"] == 5
    # the probe is the largest size some dataset has twice as many training rows for
    assert g["lc_probe"] == 20 and (sim.n_train >= 40).any()
    assert (causal["full rows"] >= 2 * g["lc_probe"]).all() and g["lc_n_big"] == len(causal)
    assert g["lc_measured_mean"] == pytest.approx(causal["measured change"].mean())
    expected = criteria.evaluate_expression(ch.SUPPORTS, {"measured": g["lc_measured_mean"],
                                                          "predicted": g["lc_predicted_mean"]})
    assert g["lc_reading"] == ("supported" if expected else "not supported")
    assert g["lc_ratio"] == pytest.approx(g["lc_measured_mean"] / g["lc_predicted_mean"])


@pytest.fixture()
def no_real_data(sim):
    return ch.RealOutcomes(benches={s: None for s in ch.REAL}, results={}, eval_seconds={}, findings={},
                           sim=an.dataset_findings(sim.result, sim.bench), seconds=0.5)


def test_without_real_data_every_real_number_reads_n_a(sim, no_real_data, tmp_path):
    g = ch.real_glue(no_real_data, scale=0.01, data_dir=tmp_path, n_seeds=2)
    assert g["n_real_datasets_text"] == "its" and g["n_seeds_minus_1"] == 1
    assert g["real_status_llmrouter"].endswith("figure panels say \"data not found\".")
    assert g["llm_hard1"] == "n/a" and g["mmlu_n_over"] == "n/a" and g["sim_hard1"] != "n/a"
    c = ch.real_corr_glue(no_real_data)
    assert c["llm_r_gain_size"] == "n/a" and c["check_mmlu_r_rs_diff"] is None and c["sim_r_rs_size"] != "n/a"
    tables = ch.real_dataset_tables(no_real_data, 2)
    assert len(tables) == 2 and "data not found" in tables[0].data.iloc[0, 0]


def test_record_claims_without_real_data(sim, no_real_data, monkeypatch):
    import myst_nb

    glued = {}
    monkeypatch.setattr(myst_nb, "glue", lambda key, value, display=True: glued.__setitem__(key, value))
    checks = ch.dataset_claims(sim)[1] | ch.correlation_claims(sim, ch.correlations(sim))[1]
    out = ch.record_claims(checks, no_real_data)
    assert {k for k in glued if k.startswith("ledger:")} == {f"ledger:{cid}" for cid in checks}
    assert {k for k in glued if k.startswith("finding:")} == {"finding:datasets.corr_train_size",
                                                              "finding:datasets.corr_difficulty"}
    assert out["real_verdict_pitfall_overrouting_llm"] == "not checkable here"
    assert out["real_verdict_pitfall_overrouting_mmlu"] == "not checked on this source"
    assert out["real_verdict_corr_train_size_mmlu"] == "not checkable here"
    assert out["llm_gsm_lead"] == "n/a" and out["mmlu_from_cache"] == "no data" and out["real_seconds"] == 0.5


def test_caveat_numbers(no_real_data):
    table, g = ch.caveat(no_real_data)
    assert table.data.shape == (4, 6)
    assert g["cav12_size_crit"] == pytest.approx(an.correlation_critical_r(12))
    assert g["cav14_diff_half0"] == pytest.approx(an.correlation_caveat(14)["half_width_at_0"])
    assert g["cav_article_power14"] == an.correlation_power(0.72, 14)
    assert isinstance(table.data, pd.DataFrame) and not math.isnan(g["cav12_size_half0"])


# ---- dataset-best, the baseline to beat ----------------------------------------------------------
@pytest.fixture(scope="module")
def with_dsb():
    bench = simulate(scale=0.01, seed=0)
    result = evaluate(bench, ["fixed:Llama-3-8B-Instruct", "fixed:GPT-4o", "mf", "dataset-best", "oub"],
                      seeds=[0, 1], normalization="global", split="stratified", test_size=0.2, bootstrap=0)
    return bench, result


def test_versus_dataset_best_per_dataset(with_dsb):
    bench, result = with_dsb
    vs = ch.versus_dataset_best(result, bench)
    assert list(vs.index) == list(bench.dataset_names)
    pdl = result.per_dataset.set_index(["policy", "seed", "dataset"])["rs"]
    d = "GSM8K"
    per_seed = [pdl[("mf", s, d)] - pdl[("dataset-best", s, d)] for s in (0, 1)]
    assert vs.loc[d, "gain"] == pytest.approx(np.mean(per_seed))
    assert vs.loc[d, "dsb_rs"] == pytest.approx(np.mean([pdl[("dataset-best", s, d)] for s in (0, 1)]))
    assert vs.loc[d, "gain_lo"] <= vs.loc[d, "gain"] <= vs.loc[d, "gain_hi"]
    assert set(vs["dsb_model"]) <= set(bench.model_names)
    # dataset-best uses one model per dataset, so the hindsight best single model is at least as
    # strong on the test rows: the gain over dataset-best is at least the gain over that model
    table = an.dataset_table(result, bench)
    assert (vs["gain"] >= table["gain"] - 1e-12).all()


def _dsb_table(gains, los, his):
    return pd.DataFrame({"dsb_rs": 0.5, "gain": gains, "gain_lo": los, "gain_hi": his, "dsb_model": "m"},
                        index=[f"d{i}" for i in range(len(gains))])


def test_dsb_glue_counts_and_words(no_real_data):
    real = no_real_data
    real.dsb = {"sim": _dsb_table([0.02, -0.01, -0.03], [0.01, -0.02, -0.05], [0.03, 0.01, -0.01])}
    g = ch.dsb_glue(real)
    assert (g["sim_n_dsb_pos"], g["sim_n_dsb_neg"]) == ("1", "1") and g["check_sim_n_dsb_pos"] == 1
    assert (g["sim_dsb_max"], g["sim_dsb_max_dataset"], g["sim_dsb_min"], g["sim_dsb_min_dataset"]) == \
        ("+0.020", "d0", "-0.030", "d2")
    assert g["llm_n_dsb_pos"] == "n/a" and "check_llm_n_dsb_pos" not in g
    assert g["dsb_words"].startswith("where MF's interval lies above 0")
    real.dsb = {"sim": _dsb_table([0.0, -0.01], [-0.01, -0.02], [0.01, 0.0])}
    assert ch.dsb_glue(real)["dsb_words"].startswith("on no dataset of this benchmark does MF beat dataset-best")
    real.dsb = {}
    assert ch.dsb_glue(real)["dsb_words"].startswith("no benchmark has data here")
