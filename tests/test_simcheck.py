"""routerlab.reproduction.findings: the pre-registered findings, their rules on hand-made cases, collecting the
glued measurements from executed notebooks, and the tables chapter 09 shows."""

from __future__ import annotations

import ast
import inspect
import json
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

from routerlab.reproduction import findings as simcheck
from routerlab.data import sources
from routerlab.errors import RouterlabError

ROOT = Path(__file__).resolve().parents[1]


def m(value=None, lo=None, hi=None, note=""):
    return {"value": value, "lo": lo, "hi": hi, "note": note}


# ---- every rule on hand-made cases --------------------------------------------------------------
# (finding id, its rule, sim, real, expected verdict); parameters are those of findings.yaml,
# checked in test_rule_parameters_used_below.

CASES = [
    # same (booleans)
    ("rs.oub_is_coub", m(True), m(True), "holds"),
    ("rs.oub_is_coub", m(True), m(False), "does not hold"),
    ("rs.oub_is_coub", m(False), m(False), "holds"),
    ("rs.oub_is_coub", m(True), m(None, note="data folder not found"), "not measurable"),
    ("rs.oub_is_coub", m(None), m(True), "not measurable"),
    # within, tol 0.15
    ("algo.oracle_gap_closed", m(0.5), m(0.64), "holds"),
    ("algo.oracle_gap_closed", m(0.5), m(0.36), "holds"),
    ("algo.oracle_gap_closed", m(0.5), m(0.65), "holds"),          # exactly tol (0.15000000000000002)
    ("algo.oracle_gap_closed", m(0.5), m(0.66), "does not hold"),
    ("algo.oracle_gap_closed", m(0.5, 0.4, 0.6), m(0.7, 0.62, 0.9), "does not hold"),  # intervals unused
    ("algo.oracle_gap_closed", m(float("nan")), m(0.5), "not measurable"),
    # same_side, threshold 0.5 (>= counts as above)
    ("aiq.rs_agrees", m(0.7), m(0.5), "holds"),
    ("aiq.rs_agrees", m(0.7), m(0.49), "does not hold"),
    ("aiq.rs_agrees", m(0.2), m(0.3), "holds"),
    ("aiq.rs_agrees", m(0.2), m(0.9), "does not hold"),
    # at_least, threshold 0.5; the simulated value is not used
    ("algo.ranking", m(None), m(0.5), "holds"),
    ("algo.ranking", m(0.9), m(0.49), "does not hold"),
    ("algo.ranking", m(None), m(0.8, 0.6, 0.95), "holds"),
    ("algo.ranking", m(0.9), m(None), "not measurable"),
    # same_sign: real interval decides when given
    ("algo.best_learned_beats_best_fixed", m(0.02), m(0.01, 0.005, 0.02), "holds"),
    ("algo.best_learned_beats_best_fixed", m(0.02), m(0.01, -0.01, 0.03), "inconclusive"),
    ("algo.best_learned_beats_best_fixed", m(0.02), m(-0.02, -0.03, -0.01), "does not hold"),
    ("algo.best_learned_beats_best_fixed", m(0.02), m(-0.02), "does not hold"),     # no interval
    ("algo.best_learned_beats_best_fixed", m(0.02), m(0.03), "holds"),
    ("algo.best_learned_beats_best_fixed", m(-0.02, -0.05, 0.01), m(-0.01, -0.02, -0.005), "holds"),
    ("algo.best_learned_beats_best_fixed", m(0.02), m(0.0), "inconclusive"),
    ("algo.best_learned_beats_best_fixed", m(0.0), m(0.05, 0.01, 0.1), "inconclusive"),
    ("algo.best_learned_beats_best_fixed", m(0.02), m(0.01, 0.0, 0.02), "inconclusive"),  # touches 0
    ("algo.best_learned_beats_best_fixed", m(0.02), m(None), "not measurable"),
    # positive: the real value and its interval above 0; the simulated value is not used
    ("task.rs_over_dataset_best", m(None), m(0.01, 0.002, 0.02), "holds"),
    ("task.rs_over_dataset_best", m(-0.5), m(0.01, 0.002, 0.02), "holds"),
    ("task.rs_over_dataset_best", m(0.05), m(-0.005, -0.013, 0.003), "inconclusive"),
    ("task.rs_over_dataset_best", m(0.05), m(0.01, 0.0, 0.02), "inconclusive"),   # touches 0
    ("task.rs_over_dataset_best", m(0.05), m(-0.01, -0.02, -0.001), "does not hold"),
    ("task.rs_over_dataset_best", m(0.05), m(0.02), "holds"),                      # no interval
    ("task.rs_over_dataset_best", m(0.05), m(None), "not measurable"),
]


@pytest.mark.parametrize("fid, sim, real, expected", CASES)
def test_rules_on_hand_made_cases(fid, sim, real, expected):
    assert simcheck.verdict(fid, sim, real) == expected


def test_rule_parameters_used_below():
    """The cases above assume these parameters; a changed findings.yaml must fail loudly here."""
    assert simcheck.finding("rs.oub_is_coub")["rule"] == "same"
    assert simcheck.finding("algo.oracle_gap_closed")["rule"] == "within"
    assert simcheck.finding("algo.oracle_gap_closed")["tol"] == 0.15
    assert simcheck.finding("aiq.rs_agrees")["rule"] == "same_side"
    assert simcheck.finding("aiq.rs_agrees")["threshold"] == 0.5
    assert simcheck.finding("algo.ranking")["rule"] == "at_least"
    assert simcheck.finding("algo.ranking")["threshold"] == 0.5
    assert simcheck.finding("algo.best_learned_beats_best_fixed")["rule"] == "same_sign"
    assert simcheck.finding("task.rs_over_dataset_best")["rule"] == "positive"


def test_every_rule_gives_every_verdict_it_can():
    seen = {fd["rule"]: set() for fd in simcheck.findings()}
    rule_of = {fd["id"]: fd["rule"] for fd in simcheck.findings()}
    for fid, sim, real, expected in CASES:
        seen[rule_of[fid]].add(expected)
    assert seen["same_sign"] == set(simcheck.VERDICTS)
    assert seen["positive"] == set(simcheck.VERDICTS)
    for rule in ("same", "within", "same_side", "at_least"):
        assert {"holds", "does not hold"} <= seen[rule]


def test_verdict_accepts_numpy_scalars_and_is_symmetric_for_booleans():
    assert simcheck.verdict("rs.oub_is_coub", m(np.bool_(True)), m(np.bool_(True))) == "holds"
    assert simcheck.verdict("algo.oracle_gap_closed", m(np.float64(0.5)), m(np.float32(0.6))) == "holds"
    for a in (True, False):
        for b in (True, False):
            assert simcheck.verdict("algo.mf_top3", m(a), m(b)) == simcheck.verdict("algo.mf_top3", m(b), m(a))


def test_measurement_cleans_values():
    assert simcheck.measurement(np.float64(0.25), np.float64(0.1), 0.4) == m(0.25, 0.1, 0.4)
    assert simcheck.measurement(float("nan"), float("inf"), None, note=None) == m(None)
    assert simcheck.measurement(np.bool_(False))["value"] is False
    with pytest.raises(RouterlabError, match="number, a bool or None"):
        simcheck.measurement("high")


# ---- findings.yaml integrity --------------------------------------------------------------------

def test_findings_yaml_integrity():
    fds = simcheck.findings()
    ids = [fd["id"] for fd in fds]
    assert len(ids) == len(set(ids)) and len(ids) >= 10
    stems = {p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.py")}
    known_sources = set(sources.names())
    for fd in fds:
        assert re.fullmatch(r"[a-z]+\.[a-z0-9_]+", fd["id"]), fd["id"]
        assert fd["chapter"] in stems, f"{fd['id']}: no notebooks/{fd['chapter']}.py"
        assert isinstance(fd["statement"], str) and len(fd["statement"]) > 20
        assert fd["kind"] in simcheck.KINDS
        assert fd["rule"] in simcheck.RULES
        assert (fd["kind"] == "boolean") == (fd["rule"] == "same"), fd["id"]
        for p in simcheck.RULE_PARAMETERS[fd["rule"]]:
            assert isinstance(fd[p], (int, float)) and not isinstance(fd[p], bool), (fd["id"], p)
        if fd["rule"] == "within":
            assert fd["tol"] > 0
        extra = set(fd) - {"id", "chapter", "statement", "kind", "rule", "real", "tol", "threshold", "identity"}
        assert not extra, f"{fd['id']}: unknown keys {extra}"
        assert fd["real"] and len(fd["real"]) == len(set(fd["real"]))
        assert set(fd["real"]) <= known_sources, f"{fd['id']}: {fd['real']}"
    assert set(simcheck.ESTIMATED_COST_SOURCES) <= known_sources


def test_findings_loader_rejects_a_rule_without_its_parameter(monkeypatch, tmp_path):
    text = "- {id: x.y, chapter: 02_routing_score, statement: s, kind: number, rule: within, real: [llmrouter]}\n"

    class FakeFiles:
        def joinpath(self, _):
            return tmp_path / "f.yaml"

    (tmp_path / "f.yaml").write_text(text)
    monkeypatch.setattr(simcheck.resources, "files", lambda _: FakeFiles())
    simcheck.findings.cache_clear()
    try:
        with pytest.raises(RouterlabError, match="needs"):
            simcheck.findings()
    finally:
        monkeypatch.undo()
        simcheck.findings.cache_clear()
    assert simcheck.findings()[0]["id"] == "rs.oub_is_coub"


def test_findings_history_outside_git_and_in_the_clone(tmp_path):
    h = simcheck.findings_history(tmp_path)
    assert h["added_commit"] is None and h["uncommitted"] is None
    h = simcheck.findings_history(ROOT)
    if h["added_commit"] is not None:  # a git clone with history
        assert re.fullmatch(r"[0-9a-f]{40}", h["added_commit"])
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", h["added_date"])
        assert h["n_later_commits"] >= 0 and isinstance(h["uncommitted"], bool)


# ---- record: measurements only ------------------------------------------------------------------

def test_record_has_no_verdict_argument_and_checks_sources():
    assert "verdict" not in inspect.signature(simcheck.record).parameters
    entry = simcheck.record("algo.mf_top3", sim={"value": True},
                            real={"routerbench-subset": {"value": np.bool_(False)},
                                  "llmrouter": {"value": None, "note": "data folder not found"}},
                            glue=False)
    assert entry == {"id": "algo.mf_top3", "chapter": "03_algorithms", "sim": m(True),
                     "real": {"routerbench-subset": m(False),
                              "llmrouter": m(None, note="data folder not found")}}
    assert "verdict" not in json.dumps(entry)
    with pytest.raises(RouterlabError, match="measured on"):
        simcheck.record("algo.mf_top3", sim={"value": True}, real={"llmrouter": {"value": True}}, glue=False)
    with pytest.raises(RouterlabError, match="measured on"):
        simcheck.record("rs.oub_is_coub", sim={"value": True},
                        real={"routerbench-subset": {"value": True}, "mmlu-pro": {"value": True}}, glue=False)
    with pytest.raises(RouterlabError, match="unknown finding id|finding id"):
        simcheck.record("no.such", sim={"value": 1}, real={}, glue=False)
    with pytest.raises(TypeError):
        simcheck.record("rs.oub_is_coub", sim={"value": True, "verdict": "holds"},
                        real={"routerbench-subset": {"value": True}}, glue=False)


def _calls_to_simcheck_record(tree: ast.AST):
    """Calls ``simcheck.record(...)`` or ``record(...)`` where ``record`` came from simcheck."""
    imported = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                and (n.module or "").endswith(("simcheck", "findings")) for a in n.names if a.name == "record"}
    aliases = {a.asname or "simcheck" for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))
               for a in n.names if a.name in ("simcheck", "findings", "routerlab.reproduction.findings")}
    for n in ast.walk(tree):
        if not isinstance(n, ast.Call):
            continue
        f = n.func
        if isinstance(f, ast.Attribute) and f.attr == "record" and isinstance(f.value, ast.Name) \
                and f.value.id in aliases | {"simcheck"}:
            yield n
        elif isinstance(f, ast.Name) and f.id in imported:
            yield n


def test_no_notebook_hands_a_verdict_to_simcheck():
    """Chapters hand over measurements; only simcheck.verdict decides (and only chapter 09 shows it)."""
    problems = []
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py")) + sorted((ROOT / "src/routerlab/chapters").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for call in _calls_to_simcheck_record(tree):
            names = {k.arg for k in call.keywords}
            if "verdict" in names or names - {"sim", "real", "glue", None}:
                problems.append(f"{path.name}:{call.lineno}: simcheck.record with {sorted(n for n in names if n)}")
            if len(call.args) > 1:
                problems.append(f"{path.name}:{call.lineno}: positional arguments after the id")
        if re.search(r"""glue(?:_value|_formatted)?\(\s*f?["']finding:""", source):
            problems.append(f"{path.name}: glues a finding: key by hand (use simcheck.record)")
    assert not problems, "\n".join(problems)


def test_the_scan_finds_calls_written_both_ways():
    code = ("from routerlab.reproduction import findings as simcheck\nfrom routerlab.reproduction.findings import record as rec\n"
            "simcheck.record('a', sim={}, real={}, verdict='holds')\nrec('b', sim={}, real={})\n")
    calls = list(_calls_to_simcheck_record(ast.parse(code)))
    assert [c.lineno for c in calls] == [3, 4]
    assert {k.arg for k in calls[0].keywords} == {"sim", "real", "verdict"}


# ---- collect from executed notebooks ------------------------------------------------------------

def _glue_outputs(monkeypatch, fn):
    """Outputs that ``fn()`` glues, captured as a kernel would store them."""
    import myst_nb.ext.glue as glue_mod

    outputs = []
    monkeypatch.setattr(glue_mod, "ipy_display", lambda data, raw, metadata: outputs.append(
        nbformat.v4.new_output("display_data", data=data, metadata=metadata)))
    fn()
    return outputs


def _notebook(path, outputs, scale=0.05):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("simcheck.record(...)")
    cell.outputs = outputs
    nb.cells = [nbformat.v4.new_markdown_cell("# chapter"), cell]
    nb.metadata["papermill"] = {"parameters": {"scale": scale, "n_seeds": 2}}
    nbformat.write(nb, path)
    return path


def test_collect_reads_glued_entries_like_a_kernel_stores_them(tmp_path, monkeypatch):
    from myst_nb import glue

    def chapter03():
        simcheck.record("algo.mf_top3", sim={"value": True},
                        real={"routerbench-subset": {"value": False}, "llmrouter": {"value": True}})
        simcheck.record("algo.ranking", sim={"value": None},
                        real={"routerbench-subset": {"value": 0.8, "lo": 0.6, "hi": 0.9},
                              "llmrouter": {"value": float("nan"), "note": "too few policies"}})
        glue("finding_count", 2, display=False)       # other glue: ignored
        glue("mf_rs", 0.61, display=False)

    def chapter07():
        simcheck.record("algo.mf_top3", sim={"value": True},
                        real={"routerbench-subset": {"value": True}, "llmrouter": {"value": True}})

    a = _notebook(tmp_path / "03_algorithms.ipynb", _glue_outputs(monkeypatch, chapter03))
    _notebook(tmp_path / "07_cost_quality.ipynb", _glue_outputs(monkeypatch, chapter07), scale=1.0)
    _notebook(tmp_path / "90_ledger.ipynb", _glue_outputs(monkeypatch, chapter07))  # appendix: not read
    (tmp_path / "notes.ipynb").write_text("not a chapter")                           # ignored by name

    assert [p.name for p in simcheck.chapter_notebooks(tmp_path)] == ["03_algorithms.ipynb",
                                                                      "07_cost_quality.ipynb"]
    only03 = simcheck.collect([a])
    assert set(only03) == {"algo.mf_top3", "algo.ranking"}
    assert only03["algo.ranking"]["real"]["llmrouter"] == m(None, note="too few policies")
    assert only03["algo.ranking"]["parameters"] == {"scale": 0.05, "n_seeds": 2}

    entries = simcheck.collect(tmp_path)
    assert entries["algo.mf_top3"]["notebook"] == "07_cost_quality"     # the later chapter wins
    table = simcheck.truth_table(entries).set_index(["finding", "source"])
    assert table.loc[("algo.mf_top3", "routerbench-subset"), "verdict"] == "holds"
    assert table.loc[("algo.ranking", "routerbench-subset"), "verdict"] == "holds"
    assert table.loc[("algo.ranking", "llmrouter"), "verdict"] == "not measurable"
    assert table.loc[("algo.ranking", "llmrouter"), "note"] == "too few policies"
    assert table.loc[("rs.norm_reorders_models", "routerbench-subset"), "verdict"] == "not measurable"
    assert "not recorded" in table.loc[("rs.norm_reorders_models", "routerbench-subset"), "note"]


def test_collect_errors(tmp_path, monkeypatch):
    with pytest.raises(RouterlabError, match="no executed notebook"):
        simcheck.collect([tmp_path / "03_missing.ipynb"])
    with pytest.raises(RouterlabError, match="no folder"):
        simcheck.chapter_notebooks(tmp_path / "nowhere")
    from myst_nb import glue

    outs = _glue_outputs(monkeypatch, lambda: glue("finding:algo.ranking", "{not json", display=False))
    bad = _notebook(tmp_path / "03_bad.ipynb", outs)
    with pytest.raises(RouterlabError, match="not a finding entry"):
        simcheck.collect([bad])
    (tmp_path / "empty").mkdir()
    assert simcheck.collect(tmp_path / "empty") == {}


# ---- the tables of chapter 09 ----------------------------------------------------------------------

def _table():
    entries = {
        "algo.mf_top3": simcheck.record("algo.mf_top3", sim={"value": True}, glue=False,
                                        real={"routerbench-subset": {"value": False},
                                              "llmrouter": {"value": True}}),
        "algo.best_learned_beats_best_fixed": simcheck.record(
            "algo.best_learned_beats_best_fixed", sim={"value": 0.02, "lo": 0.01, "hi": 0.03}, glue=False,
            real={"routerbench-subset": {"value": 0.01, "lo": -0.01, "hi": 0.03},
                  "llmrouter": {"value": None, "note": "data folder not found"}}),
    }
    return simcheck.truth_table(entries)


def test_truth_table_has_one_row_per_finding_and_source():
    table = _table()
    assert len(table) == sum(len(fd["real"]) for fd in simcheck.refutable())
    assert list(dict.fromkeys(table["finding"])) == [fd["id"] for fd in simcheck.refutable()]
    assert set(table["verdict"]) <= set(simcheck.VERDICTS)
    counts = simcheck.verdict_counts(table)
    assert list(counts.columns) == list(simcheck.VERDICTS) + ["total"]
    assert counts["total"].sum() == len(table)
    assert counts.loc["routerbench-subset", "does not hold"] == 1
    assert counts.loc["routerbench-subset", "inconclusive"] == 1
    assert counts.loc["llmrouter", "holds"] == 1
    s = simcheck.summary(table)
    assert s["n_pairs"] == len(table) and s["n_holds"] == 1 and s["n_does_not_hold"] == 1
    assert s["n_inconclusive"] == 1 and s["n_measured"] == 3
    assert s["does_not_hold_list"] == "algo.mf_top3 (routerbench-subset)"
    assert s["inconclusive_list"] == "algo.best_learned_beats_best_fixed (routerbench-subset)"
    assert s["wrong_detail"] == "algo.mf_top3 on routerbench-subset: simulated yes, real no"
    empty = simcheck.summary(simcheck.truth_table({}))
    assert empty["holds_list"] == "none" and empty["n_measured"] == 0 and empty["wrong_detail"] == "none"
    assert empty["not_measurable_list"].startswith("rs.norm_reorders_models (routerbench-subset); ")
    assert "algo.ranking (routerbench-subset, llmrouter)" in empty["not_measurable_list"]


def test_display_table_labels_costs_and_writes_each_finding_once():
    shown = simcheck.display_table(_table())
    assert list(shown.columns) == ["finding", "real source", "simulated", "real", "verdict", "rule", "note"]
    rows = shown[shown["finding"].str.contains("<code>algo.mf_top3</code>", regex=False)]
    assert len(rows) == 1
    i = rows.index[0]
    assert shown.loc[i, "finding"] == ("MF is among the three best learned routers by RS<br><small>"
                                       '<code>algo.mf_top3</code>, chapter <a href="03_algorithms.html">03</a>'
                                       "</small>")
    assert shown.loc[i, "real source"] == "routerbench-subset"
    assert shown.loc[i + 1, "real source"] == "llmrouter (estimated cost)"
    assert shown.loc[i + 1, "finding"] == "" and shown.loc[i + 1, "simulated"] == ""
    assert shown.loc[i + 1, "rule"] == "" and shown.loc[i, "rule"].startswith("holds if")
    assert (shown.loc[i, "simulated"], shown.loc[i, "real"]) == ("yes", "no")
    assert (shown.loc[i, "verdict"], shown.loc[i + 1, "verdict"]) == ("does not hold", "holds")
    j = shown.index[shown["finding"].str.contains("best_learned_beats")][0]
    assert shown.loc[j, "simulated"] == "0.0200 [0.0100, 0.0300]"
    assert shown.loc[j + 1, "real"] == "not measured"
    assert shown.loc[j + 1, "note"] == "data folder not found"
    mmlu = shown[shown["real source"].str.startswith("mmlu-pro")]
    assert len(mmlu) and (mmlu["real source"] == "mmlu-pro (estimated cost)").all()
    assert not shown.apply(lambda col: col.str.contains(r"\bnan\b", case=False)).any().any()
    clipped = simcheck.display_table(_table(), note_limit=10)
    assert clipped.loc[j + 1, "note"] == "data fold…" and clipped["note"].str.len().max() <= 10
    # the at_least rule ignores the simulated value: "not used", not "not measured"
    k = shown.index[shown["finding"].str.contains("<code>algo.ranking</code>", regex=False)][0]
    assert shown.loc[k, "simulated"] == "not used"
    # statements are HTML-escaped inside the finding cell
    assert simcheck._finding_cell("a < b", "x.y", "02_routing_score", lambda c: c + ".html").startswith(
        "a &lt; b<br>")


@pytest.mark.parametrize("args, expected", [
    ((0.61234, 0.59, 0.634), "0.612 [0.590, 0.634]"),
    ((12.3456, 10.1, 14.2), "12.3 [10.1, 14.2]"),
    ((0.5,), "0.500"),
    ((-0.0123,), "-0.0123"),
    ((0.0,), "0"),
    ((True,), "yes"),
    ((False,), "no"),
    ((None,), "not measured"),
    ((float("nan"), 0.1, 0.2), "not measured"),
    ((0.5, None, 0.6), "0.500"),
])
def test_format_measurement(args, expected):
    assert simcheck.format_measurement(*args) == expected


def test_rules_table_and_grid():
    rules = simcheck.rules_table()
    assert len(rules) == len(simcheck.refutable()) == len(simcheck.findings()) - len(simcheck.identities())
    assert list(rules.columns) == ["finding", "chapter", "rule", "measured on"]
    by_id = rules.set_index(rules["finding"].str.extract(r"\((\S+)\)$")[0])
    assert by_id.loc["algo.oracle_gap_closed", "rule"].endswith("<= 0.15")
    assert by_id.loc["count.models_for_99", "measured on"] == "routerbench-subset\nmmlu-pro (estimated cost)"
    assert "threshold" not in " ".join(rules["rule"])  # parameters are written as numbers
    linked = simcheck.rules_table(link=lambda c: f"../{c}.html")
    assert list(linked.columns) == ["finding", "rule", "measured on"]
    assert '<a href="../02_routing_score.html">02</a>' in linked.loc[0, "finding"]
    grid = simcheck.verdict_grid(_table())
    assert list(grid.columns) == ["routerbench-subset", "llmrouter", "mmlu-pro"]
    assert grid.loc["algo.mf_top3", "routerbench-subset"] == "does not hold"
    assert grid.loc["rs.norm_reorders_models", "llmrouter"] is None          # not measured there
    assert "rs.oub_is_coub" not in grid.index                                # an identity
    assert grid.notna().sum().sum() == len(_table())


def test_plot_verdict_grid_draws_one_cell_per_measured_pair():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    from routerlab.book.plots import VERDICT_COLORS, plot_verdict_grid

    assert set(VERDICT_COLORS) == set(simcheck.VERDICTS)
    grid = simcheck.verdict_grid(_table())
    fig, ax = plt.subplots()
    plot_verdict_grid(ax, grid, column_notes={"mmlu-pro": "data not found"})
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == int(grid.notna().sum().sum())
    assert [t.get_text() for t in ax.texts] == ["data not found"]
    assert [t.get_text() for t in ax.get_yticklabels()] == list(grid.index)
    plt.close(fig)


def test_truth_table_keeps_both_notes():
    e = simcheck.record("rs.norm_reorders_models", sim={"value": True, "note": "same model on 100% of queries"},
                        real={"routerbench-subset": {"value": True, "note": "same model on 99% of queries"}},
                        glue=False)
    row = simcheck.truth_table({e["id"]: e}).iloc[0]
    assert row["note"] == "real: same model on 99% of queries\nsimulated: same model on 100% of queries"
    e["real"]["routerbench-subset"]["note"] = ""
    assert simcheck.truth_table({e["id"]: e}).iloc[0]["note"] == "simulated: same model on 100% of queries"
