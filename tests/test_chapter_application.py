"""Chapter 10's module (routerlab.chapters.application): the sweep's answer on a summary written by
hand, the words of its verdicts, and the replay of the fan-out against the package's policy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from routerlab.chapters import application as ap
from routerlab.errors import RouterlabError

NAN = float("nan")


def _summary(cascade: bool = True) -> pd.DataFrame:
    """A sweep summary by hand: MF alone has RS 0.60, quality 0.70, cost 2 USD; each rule at
    thresholds 0, 0.5 and 1."""
    cols = ["policy", "rule", "threshold", "quality", "mean_cost", "rs", "calls_per_query", "rs_vs_single",
            "quality_vs_single", "rs_vs_single_lo", "rs_vs_single_hi"]
    rows = [("single", "", NAN, 0.70, 2.0, 0.60, 1.0, 0.0, 0.0, NAN, NAN)]
    rows += [("fanout", "top", 0.0, 0.70, 8.0, 0.50, 4.0, -0.10, 0.00, -0.12, -0.08),
             ("fanout", "top", 0.5, 0.70, 3.0, 0.58, 1.5, -0.02, 0.00, -0.03, -0.01),
             ("fanout", "top", 1.0, 0.70, 2.0, 0.60, 1.0, 0.00, 0.00, 0.00, 0.00),
             ("fanout", "judge", 0.0, 0.80, 8.0, 0.55, 4.0, -0.05, 0.10, -0.07, -0.03),
             ("fanout", "judge", 0.5, 0.76, 3.0, 0.61, 1.5, 0.01, 0.06, -0.01, 0.03),
             ("fanout", "judge", 1.0, 0.70, 2.0, 0.60, 1.0, 0.00, 0.00, 0.00, 0.00),
             ("fanout", "any-correct", 0.0, 0.90, 8.0, 0.60, 4.0, 0.00, 0.20, -0.01, 0.01),
             ("fanout", "any-correct", 0.5, 0.80, 3.0, 0.64, 1.5, 0.04, 0.10, 0.02, 0.06),
             ("fanout", "any-correct", 1.0, 0.70, 2.0, 0.60, 1.0, 0.00, 0.00, 0.00, 0.00)]
    if cascade:
        rows += [("cascade", "", 0.3, 0.72, 1.5, 0.63, 1.2, 0.03, 0.02, NAN, NAN),
                 ("cascade", "", 0.7, 0.75, 2.5, 0.62, 1.8, 0.02, 0.05, NAN, NAN)]
    return pd.DataFrame(rows, columns=cols)


def test_text_formats_and_missing():
    assert ap._text(np.float64(0.12345)) == "0.123" and ap._text(1234, "{:,d}") == "1,234"
    assert ap._text(None) == "n/a" and ap._text(NAN, "{:+.3f}") == "n/a"


def test_interval_and_verdict_words():
    row = {"rs_vs_single": 0.02, "rs_vs_single_lo": 0.01, "rs_vs_single_hi": 0.03}
    assert ap._interval_words(row) == "95% interval across splits +0.010 to +0.030"
    assert ap._verdict_words(row) == "better than MF alone"
    assert ap._verdict_words({**row, "rs_vs_single_lo": -0.03, "rs_vs_single_hi": -0.01}) == "worse than MF alone"
    assert ap._verdict_words({**row, "rs_vs_single_lo": -0.01}) == "not distinguishable from MF alone"
    one = {"rs_vs_single": -0.01, "rs_vs_single_lo": NAN, "rs_vs_single_hi": NAN}
    assert ap._interval_words(one) == "one split, no interval"
    assert ap._verdict_words(one) == "not above MF alone on the one split"
    assert ap._interval_words(None) == "n/a" and ap._verdict_words(None) == "not measured"


def test_sweep_answer_by_hand():
    texts, rows = ap.sweep_answer(_summary(), "sim", 0.2)
    assert texts["sim_mf_rs"] == "0.600" and texts["sim_mf_quality"] == "0.700"
    # the top rule's best RS below threshold 1 is at 0.5: 0.58, 0.02 below MF alone
    top = (texts["sim_top_best_rs"], texts["sim_top_best_t"], texts["sim_top_best_gain"])
    assert top == ("0.580", "0.50", "-0.020")
    assert texts["sim_top_verdict"] == "worse than MF alone" and texts["sim_top_q0_gain"] == "+0.000"
    assert texts["sim_top_cost0_ratio"] == "4.0"   # 8 USD at threshold 0 against 2
    assert texts["sim_judge_verdict"] == "not distinguishable from MF alone"
    assert texts["sim_judge_q0_gain"] == "+0.100"
    assert texts["sim_any_correct_best_ci"] == "95% interval across splits +0.020 to +0.060"
    assert texts["sim_any_correct_verdict"] == "better than MF alone"
    casc = (texts["sim_cascade_best_rs"], texts["sim_cascade_best_t"], texts["sim_cascade_gain"])
    assert casc == ("0.630", "0.30", "+0.030")
    assert texts["sim_cascade_ci"] == "one split, no interval"
    assert texts["sim_cascade_verdict"] == "above MF alone on the one split"
    assert list(rows["rule"]) == [ap.rule_labels(0.2)[r] for r in ("top", "judge", "any-correct")] + [
        "confidence cascade (for comparison)"]
    assert rows["cost at threshold 0 / MF alone"].iloc[0] == 4.0
    assert np.isnan(rows["quality gain at threshold 0"].iloc[3])


def test_sweep_answer_without_data_has_the_same_keys():
    texts, rows = ap.sweep_answer(None, "rb", 0.2)
    sim, _ = ap.sweep_answer(_summary(cascade=False), "rb", 0.2)
    assert set(texts) == set(sim) and rows.empty
    assert texts["rb_top_verdict"] == "not measured" and texts["rb_judge_best_ci"] == "n/a"
    assert {v for k, v in texts.items() if not k.endswith(("verdict", "ci"))} == {"n/a"}
    assert sim["rb_cascade_best_rs"] == "n/a"   # no confidences: no cascade


def test_sweep_counts_and_answer_table():
    s = _summary()
    assert ap.sweep_counts(s) == {"sim_top_never_better": 1, "sim_n_thresholds": 5}  # 0, 0.5, 1, 0.3, 0.7
    _, rows = ap.sweep_answer(s, "sim", 0.2)
    html = ap.answer_table(rows, pd.DataFrame([])).to_html()
    assert "simulated" in html and "-0.020" in html and "routerbench-subset" not in html


def _split():
    from routerlab.data.simulate import simulate
    from routerlab.evaluation.protocol import stratified_split
    from routerlab.routing.routers import make_router

    b = simulate(scale=0.01, seed=0)
    tr, te = stratified_split(b, 0.2, 0)
    return make_router("mf", seed=0).fit(b.rows(tr)), b.rows(te)


def test_replay_agrees_and_returns_the_routers_answers():
    from routerlab.routing import graph as lg

    mf, test = _split()
    r = ap.replay(mf, test, 0.5, 40, use_langgraph=False)
    assert r["n"] == 40 and r["test_n"] == test.n_queries and r["agree"] == r["agree_choice"] == r["agree_calls"] == 40
    assert r["calls"] >= 1 and r["cost_ratio"] >= 1
    assert r["fan_quality"] == r["single_quality"]   # rule "top" returns the router's own choice
    assert r["fan_rs"] <= r["single_rs"] + 1e-12
    if lg.available():
        g = ap.replay(mf, test, 0.5, 40, use_langgraph=True)
        assert {k: v for k, v in g.items() if k != "seconds"} == {k: v for k, v in r.items() if k != "seconds"}


def test_replay_raises_when_the_graph_disagrees(monkeypatch):
    from routerlab.routing import fanout as fo
    from routerlab.routing.routers import Routing

    mf, test = _split()

    real, calls = fo.fanout, []

    def flaky(prs, *args, **kwargs):   # right for the package's policy, wrong for the "graph" run after it
        calls.append(len(prs))
        r = real(prs, *args, **kwargs)
        return Routing((r.choice + 1) % prs.shape[1], r.calls) if len(calls) > 1 else r

    monkeypatch.setattr(fo, "fanout", flaky)
    with pytest.raises(RouterlabError, match="disagree"):
        ap.replay(mf, test, 0.5, 10, use_langgraph=False)


def test_status_texts_and_semantics():
    t = ap.status_texts(False, False)
    assert "NOT installed" in t["have_langgraph_text"] and "NOT found" in t["real_status_text"]
    assert ap.status_texts(True, True)["real_status_text"] == "The real source was found."
    assert ap.semantics_table().shape == (7, 3)
