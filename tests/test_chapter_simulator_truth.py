"""routerlab.chapters.simulator_truth (chapter 09) and the helpers the summary pages share."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from routerlab.chapters import simulator_truth as truth  # noqa: E402
from routerlab.chapters.summary_pages import other_parameters_note, papermill_parameters  # noqa: E402
from routerlab.reproduction import findings as simcheck  # noqa: E402

READ_ALL_SAME = {"chapters": [], "check": {"reference": {"scale": 0.03, "n_seeds": 2}}, "rows": {}, "other": []}


def _entry(finding_id, sim, real, notebook="02_routing_score"):
    return {"id": finding_id, "sim": simcheck.measurement(sim), "notebook": notebook,
            "real": {src: simcheck.measurement(v) for src, v in real.items()}}


def test_papermill_parameters_reads_the_injected_ones(tmp_path):
    nb = tmp_path / "02_x.ipynb"
    nb.write_text(json.dumps({"metadata": {"papermill": {"parameters": {"scale": 0.5}}}, "cells": []}))
    assert papermill_parameters(nb) == {"scale": 0.5}
    nb.write_text(json.dumps({"metadata": {}, "cells": []}))
    assert papermill_parameters(nb) == {}


def test_other_parameters_note_names_the_chapters_and_their_ids():
    assert other_parameters_note(READ_ALL_SAME, {}, same="all the same", what="rows") == "all the same"
    read = dict(READ_ALL_SAME, other=["03_a"], rows={"03_a": {"differs": {"scale": 0.5}}})
    note = other_parameters_note(read, {"03_a": ["x.y"]}, same="-", what="rows")
    assert note == ("NOT all with the book's parameters (scale=0.03, n_seeds=2): 03_a ran with scale=0.5, "
                    "and the rows x.y come from it; rerun with the book's parameters (the status page "
                    "gives the command)")
    assert "and the findings (none) come from it" in other_parameters_note(read, {"03_a": []}, "-", "findings")


def test_rules_commit_text():
    none = {"added_commit": None}
    assert truth._rules_commit_text(none) == "whose git history is not available in this build"
    h = {"added_commit": "abcdef123", "added_date": "2024-01-02", "n_later_commits": 0, "uncommitted": False}
    assert truth._rules_commit_text(h) == "added in commit abcdef1 (2024-01-02), unchanged since"
    text = truth._rules_commit_text(dict(h, n_later_commits=2, uncommitted=True))
    assert "changed by 2 later commit(s) since" in text and text.endswith("uncommitted changes to it")
    assert "No later commit" in truth._history_table(h).data
    later = [{"commit": "0123456789abcdef", "date": "2024-02-03", "subject": "rs.x marked as an identity"}]
    html = truth._history_table(dict(h, later=later)).data
    assert "0123456" in html and "2024-02-03" in html and "marked as an identity" in html


def test_rules_values_count_findings_and_identities_apart():
    values = truth.rules(Path(__file__).resolve().parents[1])
    assert values["n_findings"] == len(simcheck.findings()) - values["n_identities"]
    assert values["n_identities"] >= 1
    assert "rs.oub_is_coub_graded" in values["rules_table"].data
    assert "rs.oub_is_coub<" not in values["rules_table"].data


def test_truth_counts_every_pair_and_lists_the_wrong_ones():
    entries = {"rs.best_fixed_not_most_accurate": _entry("rs.best_fixed_not_most_accurate", True,
                                                         {"routerbench-subset": False}),
               "rs.norm_reorders_models": _entry("rs.norm_reorders_models", True, {"routerbench-subset": True}),
               # an identity: shown with its proof, in no count
               "rs.oub_is_coub": _entry("rs.oub_is_coub", True, {"routerbench-subset": False})}
    table, values = truth.truth(entries, READ_ALL_SAME)
    n_pairs = sum(len(fd["real"]) for fd in simcheck.refutable())
    assert values["truth_n_pairs"] == len(table) == n_pairs
    assert values["truth_n_holds"] == 1 and values["truth_n_does_not_hold"] == 1
    assert values["truth_n_not_measurable"] == n_pairs - 2
    assert values["n_routerbench_subset_does_not_hold"] == 1
    assert values["n_recorded"] == 2 and values["n_chapters_read"] == 0
    assert values["scale_note"] == "every one with the book's parameters, scale=0.03, n_seeds=2"
    assert "rs.best_fixed_not_most_accurate" in values["wrong_table"].data and "<table" in values["wrong_table"].data
    assert "rs.oub_is_coub<" not in values["wrong_table"].data and "rs.oub_is_coub<" not in values["truth_table"].data
    identities = values["identity_table"].data
    assert "rs.oub_is_coub" in identities and "With 0/1 quality" in identities
    assert "RouterBench-Sim: yes" in identities and "routerbench-subset: no" in identities
    assert "rl-truth" in values["truth_table"].data and "rl-notes" in values["notes_table"].data
    _, none_wrong = truth.truth({}, READ_ALL_SAME)
    assert "None in this build" in none_wrong["wrong_table"].data


def test_the_grid_and_the_counts_table():
    table, _ = truth.truth({}, READ_ALL_SAME)
    n = table["finding"].nunique()
    assert truth.grid_figsize(table)[1] == 0.32 * n + 1.6
    fig, ax = plt.subplots()
    truth.plot_verdicts(ax, table, missing_sources=["llmrouter"])
    plt.close(fig)
    html = truth.counts_table(table).to_html()
    assert "real source" in html and "llmrouter (estimated cost)" in html


def test_finding_sources_in_order_of_first_mention():
    assert truth.finding_sources()[:1] == ["routerbench-subset"]
    assert set(truth.finding_sources()) == {s for fd in simcheck.findings() for s in fd["real"]}


def test_real_data_box_gives_every_source_its_status_on_its_own_line():
    """Chapter 09's box "Real data in this build": one bullet per source the findings are measured
    on, its glued status on the same line as its name (a status wrapped onto the next line read, in
    a line-by-line view of the page, as a bullet with nothing after its colon)."""
    from pathlib import Path

    text = (Path(__file__).parents[1] / "notebooks" / "09_simulator_truth.py").read_text()
    box = text.split("```{admonition} Real data in this build", 1)[1].split("# ```", 1)[0]
    bullets = [line for line in box.splitlines() if line.startswith("# - ")]
    names = [line.split("**")[1] for line in bullets]
    assert names == truth.finding_sources()
    for name, line in zip(names, bullets):
        assert line.rstrip().endswith(f"{{glue:text}}`src_{name.replace('-', '_')}`"), line
