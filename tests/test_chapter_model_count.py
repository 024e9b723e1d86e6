"""Tests of routerlab.chapters.model_count (chapter 05) and of routerlab.reproduction.criterion_clauses,
which it and chapter 06 read their tolerances and partial verdicts with: hand-made cases, and a
sweep over every subset of a tiny simulated benchmark."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from routerlab.chapters import model_count as ch
from routerlab.chapters.hyperparameters import MF_K_OVERFITS
from routerlab.data.catalog import MODEL_NAMES
from routerlab.data.simulate import simulate
from routerlab.errors import RouterlabError
from routerlab.reproduction import findings as simcheck
from routerlab.reproduction.criterion_clauses import clause_number, clauses_met

SIX = list(MODEL_NAMES)   # cheapest first by list price


# ---- criterion_clauses --------------------------------------------------------------------------
def test_clause_number_reads_the_tolerances_of_criteria_yaml():
    assert clause_number("ablation.two_models", "absolute reading within tolerance") == 0.02
    assert clause_number("ablation.middle_tier", "m is at least half of d") == 0.5
    assert clause_number("setting.mf_k", "stable at k = 32 (within 0.005 of the best k)") == 0.005
    with pytest.raises(RouterlabError, match="no clause"):
        clause_number("ablation.two_models", "no such clause")
    with pytest.raises(RouterlabError, match="different numbers"):   # -0.005 and 0
        clause_number("setting.mf_k", MF_K_OVERFITS)


def test_clauses_met_by_hand_with_the_article_value():
    met = clauses_met("ablation.two_models", {"d_abs": 0.07, "d_abs_lo": 0.05, "d_abs_hi": 0.075,
                                              "d_rel": 0.2, "d_rel_lo": 0.1, "d_rel_hi": 0.3})
    # article = 0.08 (claims.yaml): |0.07 - 0.08| <= 0.02, 0.08 outside [0.05, 0.075]; relative neither
    assert list(met.values()) == [True, False, False, False]
    assert not any(clauses_met("ablation.middle_tier", {"m_mix": 0.01, "m_mix_lo": -0.01, "d_abs": 0.05}).values())


# ---- model roles, measures and texts ------------------------------------------------------------
def test_model_roles_and_labels():
    r = ch.model_roles(SimpleNamespace(model_names=SIX))
    assert r.two == ("Llama-3-8B-Instruct", "GPT-4o")
    assert r.mixtral == ["Mixtral-8x7B-Instruct", "Mixtral-8x22B-Instruct"]
    assert r.other_mid == ["Llama-3-70B-Instruct", "GPT-3.5-turbo"]
    assert r.with_mixtral == ("Llama-3-8B-Instruct", "Mixtral-8x7B-Instruct", "Mixtral-8x22B-Instruct", "GPT-4o")
    assert r.labels[0] == "L8B+G4o" and r.labels[3] == "L8B+Mx7+L70B+Mx22+G3.5+G4o"
    vals = ch.setting_values(r, 5, 3)
    assert vals["n_subsets"] == 2 ** 6 - 1 - 6 and vals["mix_label"] == "L8B+Mx7+Mx22+G4o"


def test_ablation_rules_come_from_claims_and_criteria():
    assert ch.ablation_rules() == {"article_d": 0.08, "tol": 0.02, "half": 0.5, "ci_level": 0.95}


def test_measures_and_readings_by_hand():
    iv = {"d_abs": (0.07, 0.05, 0.075), "d_rel": (0.09, 0.085, 0.095), "m_mix": (0.03, 0.01, 0.05)}
    meas = ch._measures(iv)
    assert meas == {"d_abs": 0.07, "d_abs_lo": 0.05, "d_abs_hi": 0.075, "d_rel": 0.09, "d_rel_lo": 0.085,
                    "d_rel_hi": 0.095, "m_mix": 0.03, "m_mix_lo": 0.01, "m_mix_hi": 0.05}
    assert ch._readings_met(meas) == (True, True)       # |0.07 - 0.08| <= 0.02 and |0.09 - 0.08| <= 0.02
    assert ch._readings_met(dict(meas, d_abs=0.2, d_rel=0.2, d_rel_hi=0.3)) == (False, False)
    assert ch._which(True, False) == "absolute" and ch._which(False, False) == "none"


def test_fragile_text():
    assert ch._fragile_text((0.6, 0.4, 0.8), 0.5).startswith("straddles")
    assert ch._fragile_text((0.9, 0.7, 1.1), 0.5) == "lies on one side of the threshold"
    assert ch._fragile_text((float("nan"),) * 3, 0.5) == "lies on one side of the threshold"


def _fv(sim_pair, sim_need, **real):
    out = {"sim": ((sim_pair, 0, 1), (sim_need, 0, 1), True)}
    out.update({name.replace("_", "-"): ((p, 0, 1), (n, 0, 1), True) for name, (p, n) in real.items()})
    return out


def test_compare_and_differs_text_by_hand():
    fv = _fv(0.88, 1.0, routerbench_subset=(0.90, 0.55))
    assert ch._compare(fv, "routerbench-subset", 0, 0.05) == (
        "0.020 higher than on the simulator, within the pre-registered tolerance of 0.05")
    assert ch._compare(fv, "routerbench-subset", 1, 0.2).startswith("0.450 lower than on the simulator, outside")
    assert ch._compare(fv, "mmlu-pro", 0, 0.05) == "cannot be compared here (data folder not found)"
    tol = simcheck.finding("count.models_for_99")["tol"]
    assert ch._differs_text(fv).startswith("On the simulator every one of the six models is needed")
    assert "(RouterBench subset)" in ch._differs_text(fv)
    assert ch._differs_text(_fv(0.88, 0.8, routerbench_subset=(0.9, 0.8 - tol / 2))).startswith("The share of models")
    assert ch._differs_text(_fv(0.88, 0.8, mmlu_pro=(0.9, 0.5))).startswith("The real pools (MMLU-Pro) need")
    assert ch._differs_text({"sim": _fv(0.9, 1.0)["sim"]}).startswith("No real source")


def test_missing_sources_read_na_and_not_checkable():
    sc = {"fv": {}, "curves": {}, "per_seed": {}}
    m = ch.finding_measurements(sc, "count.best_pair_share", 2)
    assert m["sim"] == {"value": None, "note": ch.MISSING} and set(m["real"]) == set(ch.REAL)
    two, mid = ch.real_entries(None)
    assert two["measured"] is None and mid["note"] == ch.MISSING
    vals = ch.real_ablation_values(None, 0.5)
    assert vals["rb_d_abs"] == (None, "{:.3f}") and vals["rb_pair"] == "n/a" and vals["rb_mid_fragile"] == "n/a"


# ---- every subset of a tiny benchmark -----------------------------------------------------------
@pytest.fixture(scope="module")
def tiny():
    bench = simulate(scale=0.005, seed=0)
    roles = ch.model_roles(bench)
    return bench, roles, ch.subset_sweep(bench, roles, 1)


def test_subset_sweep_covers_every_subset(tiny):
    bench, roles, sw = tiny
    assert len(sw["mean"]) == 2 * (2 ** 6 - 1)                      # MF and oracle on every non-empty subset
    assert {len(t) for t in sw["multi"].values()} == {2 ** 6 - 1 - 6}
    best = sw["best_by_size"]
    assert list(best.loc["oracle"].index) == [2, 3, 4, 5, 6]
    # the oracle restricted to more models can only do better: its best RS rises with the size
    assert best.loc["oracle", "rs"].is_monotonic_increasing


def test_shapley_values_add_up_to_the_full_set(tiny):
    bench, roles, sw = tiny
    attr = ch.attribution(sw, roles, 1)
    full = sw["mean"].set_index(["policy", "subset"])["rs"]
    for p in ("MF", "oracle"):
        assert attr.loc[attr["policy"] == p, "shapley"].sum() == pytest.approx(full[(p, roles.labels[3])])
    vals = ch.attribution_values(attr, roles)
    assert vals["oracle_top_shapley"] in roles.models
    assert vals["mf_top_shapley_v"] >= vals["mf_low_shapley_v"]
