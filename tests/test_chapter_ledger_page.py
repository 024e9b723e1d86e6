"""routerlab.chapters.ledger_page: the derivations of the errata page, checked by hand."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from routerlab.chapters import ledger_page as page

ART = {"gpt4o_rs": 0.6, "gpt4o_q": 0.8, "llama_rs": 0.5, "llama_q": 0.6, "llama_reduction": 0.9,
       "random_rs": 0.55, "mf_rs": 0.7, "oracle_rs": 0.9, "oracle_q": 0.78, "cascade_rs": 0.65,
       "frugal_rs": 0.64, "two_models": 0.08, "instances": 405_000, "n_datasets": 12, "n_models": 6}


def _sim(Q, C):
    """A hand-made benchmark namespace as :func:`page.simulated` returns (no bench: no router)."""
    Q, C = np.asarray(Q, float), np.asarray(C, float)
    from routerlab.metrics import routing_score

    single = {n: np.array([routing_score(Q[:, j], C[:, j], C, n) for j in range(Q.shape[1])])
              for n in ("global", "per-query")}
    return SimpleNamespace(Q=Q, C=C, j_llama=0, j_gpt=1, single=single, acc=Q.mean(axis=0))


SIM = _sim([[1, 1], [0, 1], [1, 0], [0, 0]], [[1, 4], [1, 3], [2, 4], [1, 2]])


def test_article_figures_are_the_claims():
    art = page.article_figures()
    assert art["n_models"] == 6 and art["instances"] == 405_000
    assert set(art) == set(ART)


def test_rs_definition_by_hand():
    rsdef, glued = page.rs_definition(ART, SIM)
    assert rsdef["rsdef_gap"] == pytest.approx(0.1)
    assert rsdef["rsdef_sim_cheapest_share"] == 1.0  # model 0 is the cheapest on every query
    assert rsdef["rsdef_sim_llama_q"] == 0.5
    assert rsdef["rsdef_sim_llama_rs_perquery"] == pytest.approx(0.5)  # RS = quality when always cheapest
    assert glued["art_llama_rs"] == 0.5 and glued["rsdef_gap"] == rsdef["rsdef_gap"]


def test_coub_is_the_oracle_on_binary_quality():
    bounds, glued = page.coub_bounds(SIM)
    assert list(bounds.index) == ["global", "per-query"]
    assert glued["coub_same_global"] == 1.0 and glued["coub_rs_diff"] == 0.0


def test_random_identity_on_a_small_simulated_benchmark():
    sim = page.simulated(scale=0.01, seed=0)
    rand, glued = page.random_identity(ART, sim, seed=0, n_seeds=2)
    assert rand["others_mean"] == pytest.approx(0.55)  # (6 x 0.55 - 0.6 - 0.5) / 4
    assert glued["rand_n_draws"] == 2 and glued["art_random_rs"] == 0.55
    assert abs(rand["sim_random_mean"] - rand["sim_mean_single"]) < 0.05


def test_cost_reduction_bound_by_hand():
    red, glued = page.cost_reduction_bound(ART, SIM)
    # factors 0.5/0.6 and 0.6/0.8: normalised costs 1/6 and 1/4, ratio 2/3
    assert red["ratio"] == pytest.approx(2 / 3) and red["max_reduction"] == pytest.approx(1 / 3)
    assert red["sim_reduction"] == pytest.approx(1 - 1.25 / 3.25)
    assert glued["red_max_reduction"] == red["max_reduction"]


def test_oracle_quality_by_hand():
    orq, glued = page.oracle_quality(ART, SIM)
    assert orq["article_gap"] == pytest.approx(-0.02)
    assert orq["sim_oracle_q"] == orq["sim_any_correct"] == 0.75
    assert orq["sim_best_single_q"] == 0.5
    assert glued["art_oracle_q"] == 0.78


def test_two_models_readings():
    two, glued = page.two_models(ART)
    assert two["absolute"] == pytest.approx(0.62) and two["relative"] == pytest.approx(0.644)
    assert two["relative_drop"] == pytest.approx(0.056) and two["merged_diff"] == pytest.approx(0.01)
    assert glued["two_abs"] == two["absolute"] and glued["frugal_merged_diff"] == two["merged_diff"]


def test_bib_counts_by_hand():
    bib, glued = page.bib_counts(ART)
    assert bib["rows_0shot"] == 401_467 and bib["gap"] == 4_000 and bib["rag_prompts"] == 800
    assert bib["article_per_model"] == 67_500 and bib["article_vs_hu"] == 467
    assert glued["hu_samples"] == 405_467 and glued["art_instances"] == 405_000


def test_the_article_cites_another_paper_than_the_code():
    assert page.cited_is_code_paper() is False


def test_measured_text_and_real_values():
    table = pd.DataFrame([{"id": "a", "source": "chapter", "ours": 0.5, "lo": 0.4, "hi": 0.6,
                           "verdict": "reproduced", "chapter": "03_x"},
                          {"id": "b", "source": "ledger", "ours": 1.0, "lo": None, "hi": None,
                           "verdict": "reproduced", "chapter": "90_ledger"}])
    assert page.measured_text(table, "a") == "0.500 [0.400, 0.600] (reproduced, 03_x)"
    assert page.measured_text(table, "b") == "not measured by any chapter in this build"
    counts = pd.DataFrame({"reproduced": [2, 0], "not reproduced": [1, 3]}, index=["llmrouter", "x"])
    values = page.real_values(counts)
    assert values["n_real_checks"] == 6
    assert values["real_counts_text"] == "llmrouter (estimated cost): 2 reproduced, 1 not reproduced; x: 3 not reproduced"
    assert page.real_values(counts.iloc[:0])["real_counts_text"].startswith("no chapter checked")
    assert values["n_real_reproduced"] == 2 and values["n_real_not_reproduced"] == 4
    assert values["n_real_judged"] == 6 and values["n_real_not_applicable"] == 0
    assert "not applicable" in values["real_data_rule"]
    assert page.real_values(counts.iloc[:0])["n_real_not_applicable"] == 0
