"""Identities of findings.yaml: statements that hold on every benchmark of a kind by a proof.

``rs.oub_is_coub`` (OUB and COUB choose the same model) is checked by brute force on random 0/1
tables with random costs; where quality is graded it can fail, which the finding
``rs.oub_is_coub_graded`` measures on the real sources with graded scores."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from routerlab.chapters import routing_score as ch
from routerlab.data.simulate import simulate
from routerlab.errors import RouterlabError
from routerlab.metrics import coub_choice, oracle_choice
from routerlab.reproduction import findings as simcheck

# costs from a small set (many exact ties, zeros, the maximum reached by several cells) or any
# non-negative float of very different scales
_COSTS = st.one_of(st.sampled_from([0.0, 1e-6, 0.001, 0.0295, 0.5, 1.0]),
                   st.floats(0.0, 1e3, allow_nan=False, allow_infinity=False))


@st.composite
def binary_tables(draw):
    n, m = draw(st.integers(1, 40)), draw(st.integers(1, 8))
    quality = draw(arrays(np.float64, (n, m), elements=st.sampled_from([0.0, 1.0])))
    cost = draw(arrays(np.float64, (n, m), elements=_COSTS))
    return quality, cost


@settings(max_examples=400, deadline=None)
@given(binary_tables(), st.sampled_from(["global", "per-query"]))
def test_oub_is_coub_on_every_binary_table(table, normalization):
    quality, cost = table
    np.testing.assert_array_equal(oracle_choice(quality, cost, normalization), coub_choice(quality, cost))


def test_oub_is_coub_on_random_binary_tables_of_every_density():
    rng = np.random.default_rng(19)
    for _ in range(500):
        n, m = rng.integers(1, 60), rng.integers(1, 12)
        quality = (rng.random((n, m)) < rng.random()).astype(np.float64)
        cost = rng.random((n, m)) * 10.0 ** rng.integers(-6, 3)
        for norm in ("global", "per-query"):
            assert (oracle_choice(quality, cost, norm) == coub_choice(quality, cost)).all()


def test_graded_quality_can_separate_oub_from_coub():
    # one query, two models: the cheap one scores 0.9 at cost 0, the dear one 1.0 at c_max
    quality, cost = np.array([[0.9, 1.0]]), np.array([[0.0, 1.0]])
    assert oracle_choice(quality, cost).tolist() == [0]   # RS contribution 0.9 against 0
    assert coub_choice(quality, cost).tolist() == [1]     # the cheapest model with the best score
    assert simcheck.graded_cells(quality) == 1
    assert simcheck.graded_cells(np.array([[0.0, 1.0], [1.0, 1.0]])) == 0
    assert simcheck.graded_cells(np.array([[0.5, 0.25], [1.0, 0.0]])) == 2


def test_the_identity_is_marked_and_kept_out_of_the_findings():
    ids = [fd["id"] for fd in simcheck.identities()]
    assert ids == ["rs.oub_is_coub"]
    fd = simcheck.finding("rs.oub_is_coub")
    assert simcheck.is_identity(fd) and fd["identity"].startswith("With 0/1 quality")
    assert fd["rule"] == "same" and fd["real"] == ["routerbench-subset"]   # its rule is unchanged
    graded = simcheck.finding("rs.oub_is_coub_graded")
    assert not simcheck.is_identity(graded) and graded["real"] == ["llmrouter"]
    assert graded in simcheck.refutable() and fd not in simcheck.refutable()
    assert "rs.oub_is_coub" not in set(simcheck.truth_table({})["finding"])
    assert "rs.oub_is_coub_graded" in set(simcheck.truth_table({})["finding"])
    assert len(simcheck.refutable()) + len(simcheck.identities()) == len(simcheck.findings())


def test_identity_table_shows_the_proof_and_what_was_checked():
    empty = simcheck.identity_table({})
    assert list(empty.columns) == ["identity", "proof", "checked"]
    assert empty.loc[0, "checked"] == "not recorded in this build"
    assert empty.loc[0, "proof"].startswith("With 0/1 quality") and "\n" not in empty.loc[0, "proof"]
    e = simcheck.record("rs.oub_is_coub", sim={"value": True},
                        real={"routerbench-subset": {"value": None, "note": "data folder not found"}}, glue=False)
    shown = simcheck.identity_table({e["id"]: e}, link=lambda c: f"{c}.html")
    assert shown.loc[0, "checked"] == "RouterBench-Sim: yes\nrouterbench-subset: not measured"
    assert '<a href="02_routing_score.html">02</a>' in shown.loc[0, "identity"]


def test_an_identity_needs_its_proof_and_unknown_keys_are_refused(monkeypatch, tmp_path):
    base = ("- id: a.b\n  chapter: 02_routing_score\n  statement: a statement long enough to read\n"
            "  kind: boolean\n  rule: same\n  real: [llmrouter]\n")

    class FakeFiles:
        def joinpath(self, _):
            return tmp_path / "f.yaml"

    monkeypatch.setattr(simcheck.resources, "files", lambda _: FakeFiles())
    try:
        for extra, pattern in (("  identity: ''\n", "must hold the proof"), ("  verdict: holds\n", "unknown key")):
            (tmp_path / "f.yaml").write_text(base + extra)
            simcheck.findings.cache_clear()
            with pytest.raises(RouterlabError, match=pattern):
                simcheck.findings()
    finally:
        monkeypatch.undo()
        simcheck.findings.cache_clear()


def test_the_graded_finding_is_not_measurable_where_every_score_is_binary():
    bench = simulate(scale=0.01, seed=0)
    g = {"bench": bench, "n_graded": simcheck.graded_cells(bench.quality), "study": None}
    assert g["n_graded"] == 0
    e = ch._graded_entry(g, "llmrouter", 2)
    assert e["value"] is None and "is an identity there" in e["note"]
    assert ch._graded_entry({"bench": None, "n_graded": 0, "study": None}, "llmrouter", 2)["note"] == \
        "data folder not found"


def test_findings_history_lists_the_later_commits(tmp_path):
    from pathlib import Path

    assert simcheck.findings_history(tmp_path)["later"] == []
    h = simcheck.findings_history(Path(__file__).resolve().parents[1])
    if h["added_commit"] is not None:  # a git clone with history
        assert len(h["later"]) == h["n_later_commits"]
        assert all(set(c) == {"commit", "date", "subject"} for c in h["later"])
        assert any("identity" in c["subject"] for c in h["later"])
