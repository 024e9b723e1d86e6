"""routerlab.chapters.routing_score (chapter 02): the numbers it computes, on the chapter's worked
example by hand, on a tiny simulated benchmark, and without the real data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import routerlab as rl
from routerlab import metrics
from routerlab.chapters import routing_score as ch
from routerlab.data.simulate import simulate


@pytest.fixture(scope="module")
def setup():
    bench = simulate(0.01, 0)
    fixed = {n: rl.make_router(f"fixed:{n}").fit(bench).route(bench) for n in bench.model_names}
    rs_fixed = {norm: np.array([ch.rs(bench, fixed[n], norm) for n in bench.model_names])
                for norm in metrics.NORMALIZATIONS}
    return bench, fixed, rs_fixed, bench.accuracy()


def test_toy_values_are_the_worked_example_by_hand():
    quality = np.array([[1, 1, 1], [0, 1, 1], [0, 0, 1]], dtype=float)
    cost = np.array([[1.0, 3.0, 9.0], [1.0, 5.0, 11.0], [2.0, 6.0, 21.0]])
    choice = np.array([0, 1, 2])
    paid, correct = cost[np.arange(3), choice], quality[np.arange(3), choice]
    lo, hi = cost.min(axis=1), cost.max(axis=1)
    rs_toy = {n: rl.routing_score(correct, paid, cost, n) for n in metrics.NORMALIZATIONS}
    fixed = [rl.routing_score(quality[:, j], cost[:, j], cost) for j in range(3)]
    v = ch.toy_values(paid, lo, hi, correct * (1 - (paid - 1) / 20), correct * (1 - (paid - lo) / (hi - lo)),
                      rs_toy, fixed, 1.0, 21.0)
    assert [v[f"toy_term_{i}"] for i in (1, 2, 3)] == pytest.approx([1.0, 0.8, 0.0])
    assert [v[f"toy_pq_term_{i}"] for i in (1, 2, 3)] == pytest.approx([1.0, 0.6, 0.0])
    assert v["toy_rs_global"] == pytest.approx(0.6) and v["toy_rs_pq"] == pytest.approx(1.6 / 3)
    # fixed models, global range [1, 21]: Llama right once at cost 1; Mixtral twice at 3 and 5
    assert [v[f"toy_fixed_{j}"] for j in range(3)] == pytest.approx([1 / 3, (0.9 + 0.8) / 3, (0.6 + 0.5 + 0) / 3])
    assert v["toy_random"] == pytest.approx(np.mean(fixed))


def test_normalisation_values_and_the_rounding_of_a_zero_gap(setup):
    bench, _, rs_fixed, accuracy = setup
    v = ch.normalisation_values(bench, accuracy, rs_fixed, cheapest_gap=-1e-17)
    assert v["cheapest_pq_gap"] == 0.0 and str(v["cheapest_pq_gap"]) == "0.0"   # not -0.0
    llama = bench.model_index("Llama-3-8B-Instruct")
    assert v["llama_global_gap"] == pytest.approx(accuracy[llama] - rs_fixed["global"][llama])
    assert v["art_llama_gap"] == pytest.approx(v["art_llama_q"] - v["art_llama_rs"])


def test_bounds_values_oub_is_coub(setup):
    bench, _, _, accuracy = setup
    Q, C = bench.quality, bench.cost
    bounds = {("OUB", n): rl.Routing(metrics.oracle_choice(Q, C, n)) for n in metrics.NORMALIZATIONS}
    bounds |= {("COUB", "any"): rl.Routing(metrics.coub_choice(Q, C)),
               ("QOUB", "any"): rl.Routing(metrics.qoub_choice(Q))}
    v = ch.bounds_values(bench, bounds, accuracy, {n: n for n in bench.model_names})
    assert v["oub_coub_same_global"] == 1.0 and v["oub_coub_rs_diff"] == pytest.approx(0.0, abs=1e-12)
    assert v["oub_quality"] == pytest.approx(v["qoub_quality"]) and v["oub_quality"] >= accuracy.max()
    assert v["oub_minus_qoub"] >= 0


def test_fixed_models_ranks_and_ratios(setup):
    bench, _, rs_fixed, accuracy = setup
    frame, _, v = ch.fixed_models(bench, accuracy, rs_fixed, {n: n for n in bench.model_names})
    assert list(frame["RS/quality global"]) == pytest.approx(list(rs_fixed["global"] / accuracy))
    assert sorted(frame["rank global"]) == list(range(1, 7))
    assert v["n_rank_changes"] == int((frame["rank global"] != frame["rank per-query"]).sum())
    assert v["rank_global"].split(" > ")[0] == bench.model_names[int(np.argmax(rs_fixed["global"]))]


def test_cost_caps_start_at_the_plain_rs_and_stay_below_quality(setup):
    bench, fixed, rs_fixed, accuracy = setup
    caps = ch.cost_caps(bench, fixed, accuracy, {n: n for n in bench.model_names})
    assert caps["rs_by_cap"].shape == (9, 6)
    assert caps["rs_by_cap"][0] == pytest.approx(rs_fixed["global"])          # no cap: the plain RS
    assert np.all(caps["rs_by_cap"] <= accuracy + 1e-12)                     # RS <= quality at any cap
    assert caps["values"]["cost_max"] == bench.cost.max()


def test_article_pairs_bound_the_cost_reduction(setup):
    bench, fixed, _, accuracy = setup
    pairs = ch.article_pairs(bench, fixed, accuracy, np.sort(bench.cost.ravel()))
    v = pairs["values"]
    r_llama = ch.article("result.llama8b.rs") / ch.article("result.llama8b.quality")
    r_gpt4o = ch.article("result.gpt4o.rs") / ch.article("result.gpt4o.quality")
    assert pairs["max_reduction"] == pytest.approx(1 - (1 - r_llama) / (1 - r_gpt4o))
    assert v["art_z_ratio"] == pytest.approx(v["art_z_llama"] / v["art_z_gpt4o"])
    # the cap found by bisection gives GPT-4o the article's RS/quality (or no cap is low enough)
    gpt4o = bench.model_index("GPT-4o")
    capped = ch.rs(bench, fixed["GPT-4o"], "global", np.minimum(bench.cost, v["cap_for_article"])) / accuracy[gpt4o]
    assert capped == pytest.approx(r_gpt4o, abs=1e-6) or v["cap_for_article"] == bench.cost.max()


def test_bound_measures_by_hand():
    rows = [(s, p, r, q) for s in (0, 1) for p, r, q in
            (("OUB (global)", 0.8, 0.9), ("QOUB", 0.7 - 0.1 * s, 0.9), ("COUB", 0.8, 0.9), ("fixed:a", 0.5, 0.6))]
    per_seed = pd.DataFrame(rows, columns=["seed", "policy", "rs_global", "quality"])

    class Study:
        def same_share(self, norm):
            return 0.5

    st = Study()
    st.per_seed = per_seed
    m = ch._bound_measures(st)
    assert m["oub_margin"] == pytest.approx(0.0) and m["oub_minus_qoub_rs"] == pytest.approx(0.1)
    assert m["qoub_quality_gap"] == 0.0 and m["coub_quality_gap"] == 0.0 and m["same_choice_share"] == 0.5


def test_without_real_data_everything_reads_missing():
    values = ch._study_values(None, "real")
    assert values and all(v is None for v, _ in values.values())
    assert all(np.isnan(v) for v in ch._check_values(None, "real").values())
    assert "data not found" in ch._real_fixed_table(None).data
    assert ch._finding_entry(None, "reorders", 2) == ch.MISSING


def test_top_cell_section_texts_hold_the_measured_numbers_and_say_what_is_missing(tmp_path):
    """The section "One call moves RS": a benchmark whose top call lies in a test split (its model,
    move and spreads in the text and the tables), one whose top call lies in none (no model named),
    and a missing source ("n/a", "data not found")."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from routerlab.data.benchmark import Benchmark
    from routerlab.data.catalog import Model
    from routerlab.data.splits import stratified_split
    from routerlab.evaluation import top_cost_cell as topcell

    n = 20
    cost = np.tile([0.0, 1.0], (n, 1))
    cost[7, 1] = 10.0
    b = Benchmark(quality=np.ones((n, 2)), cost=cost, models=(Model("m0", "p", "t"), Model("m1", "p", "t")),
                  sample_ids=np.array([f"q{i}" for i in range(n)]), datasets=np.array(["d"] * n),
                  prompt_tokens=np.full(n, 10))
    held = next(s for s in range(30) if 7 in stratified_split(b, 0.2, s)[1])
    missed = next(s for s in range(30) if 7 not in stratified_split(b, 0.2, s)[1])

    def study(seeds):
        frame, cell = topcell.top_cell_sensitivity(b, seeds)
        return {"frame": frame, "cell": cell, "summary": topcell.sensitivity_summary(frame),
                "n_in_test": int(frame.groupby("seed")["in_test"].first().sum())}

    studies = {"sim": study([held, missed]), "routerbench-subset": study([missed, missed]), "llmrouter": None}
    v = ch.top_cell_values(studies, 2)
    assert v["tc_sim_model"] == "m1" and v["tc_sim_n_in_test"] == (1, "{:d}")
    assert v["check_tc_sim_move"] == pytest.approx(-0.675)  # 3 of 4 test rows pay 1 of 10, then 1 of 1
    assert v["check_tc_sim_spread"] == pytest.approx(0.675) and v["check_tc_sim_spread_capped"] == 0.0
    assert "q7 answered by m1 costs 10.0000 USD" in v["tc_sim_text"] and "-0.675" in v["tc_sim_text"]
    assert v["tc_routerbench_subset_model"] == ch.NO_SPLIT and v["check_tc_routerbench_subset_move"] == 0.0
    assert "none of the 2 splits" in v["tc_routerbench_subset_text"]
    assert v["tc_llmrouter_move"][0] is None  # glued as "n/a"
    assert np.isnan(v["check_tc_llmrouter_move"]) and "not found" in v["tc_llmrouter_text"]
    assert v["tc_largest_text"].startswith("m1 on RouterBench-Sim (simulated): -0.675 on split")
    html = v["tbl_top_cell"].data
    assert "data not found" in html and "q7 answered by m1" in html and "1 of 2" in html
    fig, axes = plt.subplots(2, 1)
    ch.plot_top_cell(axes, studies)
    labels = [t.get_text() for t in axes[0].texts]
    assert "m1" in labels and "data not found" in labels
    plt.close(fig)
