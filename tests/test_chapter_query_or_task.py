"""Chapter 11's module: the texts written from verdicts and measurements, and the tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from routerlab.chapters import query_or_task as qt


def _verdicts(rs, ds, pooled):
    return {"task.rs_over_dataset_best": rs, "task.aiq_per_dataset_over_task_zero": ds,
            "task.aiq_pooled_over_task_zero": pooled}


def _auc(gain):
    return pd.DataFrame({"auc_task": [0.6, 0.7], "auc_task_query": [0.6 + gain, 0.7 + gain], "gain": [gain, gain]})


def test_interval_text():
    assert qt.interval(0.0123, -0.004, 0.03) == "+0.012 [-0.004, +0.030]"
    assert qt.interval(1.034, 0.96, 1.107, "{:.2f}") == "1.03 [0.96, 1.11]"
    assert qt.interval(float("nan")) == "n/a" and qt.interval(None) == "n/a"
    assert qt.interval(0.5, float("nan"), 1.0) == "+0.500"


def test_verdict_text_groups_sources_by_verdict():
    v = {"a": "inconclusive", "b": "holds", "c": "inconclusive"}
    assert qt.verdict_text(v) == "inconclusive on a and c; holds on b"
    assert qt.verdict_text({"a": "holds"}) == "holds on a"


def test_summary_when_no_baseline_is_beaten():
    v = _verdicts({"a": "inconclusive", "b": "does not hold"}, {"a": "inconclusive", "b": "inconclusive"},
                  {"a": "holds", "b": "inconclusive"})
    text = qt.summary_text(v, {"a": _auc(0.01), "b": _auc(0.03)})
    assert text.startswith("The best learned router beats dataset-best under RS, with an interval above 0, on 0 "
                           "of the 2 real benchmarks")
    assert "(in pooled AIQ on 1 of 2)" in text and "buys nothing measurable" in text
    assert "at most +0.030 AUC" in text


def test_summary_when_some_or_all_are_beaten_and_when_nothing_was_measured():
    some = _verdicts({"a": "holds", "b": "inconclusive"}, {"a": "inconclusive", "b": "inconclusive"},
                     {"a": "inconclusive", "b": "inconclusive"})
    assert "only on a; on the others it buys nothing measurable" in qt.summary_text(some, {})
    every = _verdicts({"a": "holds"}, {"a": "holds"}, {"a": "holds"})
    assert "on every benchmark measured" in qt.summary_text(every, {})
    none = _verdicts({"a": "not measurable"}, {"a": "not measurable"}, {"a": "not measurable"})
    assert "measured nothing" in qt.summary_text(none, {})


def test_auc_text_threshold():
    assert "at most +0.040" in qt.auc_text({"a": _auc(0.04), "b": None})
    assert "up to +0.060" in qt.auc_text({"a": _auc(0.06)})
    assert qt.auc_text({"a": None}) == ""


def test_curve_text_reads_the_intervals():
    summary = pd.DataFrame({"fraction": [0.1, 1.0], "n_train": [10.0, 100.0], "gain": [-0.05, 0.01],
                            "lo": [-0.08, -0.01], "hi": [-0.02, 0.03]})
    text = qt.curve_text({"a": {"summary": summary}, "b": None})
    assert text == "on a the gain is below 0 with 10% of the rows and not distinguishable from 0 with all of them."


def test_tables_say_when_data_is_missing():
    assert qt.rs_table({"llmrouter": None}).loc["llmrouter (estimated cost)", "dataset-best"] == "data not found"
    assert qt.aiq_table({"routerbench-subset": None}).iloc[0, 0] == "data not found"
    assert qt.auc_table({"mmlu-pro": None}).iloc[0, 0] == "data not found"
    t = qt.auc_table({"routerbench-subset": _auc(0.03)})
    assert t.loc["routerbench-subset", "gain"] == "+0.030" and t.loc["routerbench-subset", "models gaining > 0.02"] == "2"
    assert np.isclose(float(t.loc["routerbench-subset", "AUC, task alone"]), 0.65)
