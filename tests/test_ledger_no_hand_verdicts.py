"""Issue 10: no verdict is set by hand. Chapters hand measurements to ``ledger.record`` (and
``simcheck.record``); the verdict comes from the claim's pre-registered criterion in
``routerlab/reproduction/criteria.yaml``. These tests read the notebooks' source with ``ast``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from routerlab.reproduction import criteria as cr
from routerlab.reproduction import ledger

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.py"))
# the chapters' own modules (routerlab.chapters.<name> for notebooks/NN_<name>.py) record too
CHAPTER_MODULES = sorted(p for p in (ROOT / "src/routerlab/chapters").glob("*.py") if p.stem != "__init__")
SOURCES = NOTEBOOKS + CHAPTER_MODULES
RECORDERS = {("ledger", "record"), ("simcheck", "record")}
WRAPPERS = {"defer_ledger"}   # chapter helpers that hand their keyword arguments to ledger.record


def _record_calls(tree):
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and (f.value.id, f.attr) in RECORDERS:
            yield node
        elif isinstance(f, ast.Name) and f.id in WRAPPERS:
            yield node


def _helper_returns(tree):
    """Dict literals returned by the notebook's functions (the real= entries are built by helpers)."""
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)):
        for node in ast.walk(fn):
            if isinstance(node, ast.Return) and node.value is not None:
                yield fn.name, node.value


def _verdict_literals(node):
    """String literals equal to a verdict, and "verdict" keys of dict literals, inside ``node``."""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and sub.value in ledger.VERDICTS:
            yield f"the literal {sub.value!r}"
        if isinstance(sub, ast.Dict):
            for k in sub.keys:
                if isinstance(k, ast.Constant) and k.value == "verdict":
                    yield "a 'verdict' key"


def _trees():
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in SOURCES]


def _chapter(path):
    """The notebook a source belongs to: itself, or notebooks/NN_<name>.py for chapters/<name>.py."""
    return path.stem if path in NOTEBOOKS else next((n.stem for n in NOTEBOOKS if n.stem[3:] == path.stem), path.stem)


def test_the_notebooks_are_found():
    assert len(NOTEBOOKS) >= 9
    calls = sum(len(list(_record_calls(t))) for _, t in _trees())
    assert calls >= 20, "the scan should see the chapters' record calls"


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.stem)
def test_no_record_call_passes_a_verdict(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for call in _record_calls(tree):
        for kw in call.keywords:
            if kw.arg in ("verdict", "criterion"):
                bad.append(f"line {call.lineno}: keyword {kw.arg}=")
        for arg in list(call.args) + [kw.value for kw in call.keywords]:
            bad += [f"line {call.lineno}: {what}" for what in _verdict_literals(arg)]
    # dicts handed over by name (e.g. real=real_check(...), ledger.record(**entry)) are built by
    # helper functions or assignments: none of those may carry a verdict either
    handed = {n.id for c in _record_calls(tree) for a in list(c.args) + [k.value for k in c.keywords]
              for n in ast.walk(a) if isinstance(n, ast.Name)}
    for name, value in _helper_returns(tree):
        if name in handed:
            bad += [f"helper {name}: {what}" for what in _verdict_literals(value)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id in handed for t in node.targets):
            if isinstance(node.value, (ast.Dict, ast.Call)):
                bad += [f"line {node.lineno}: {what}" for what in _verdict_literals(node.value)
                        if "key" in what]
    assert not bad, f"{path.name} sets a verdict by hand: {bad}"


def _recorded_claims(tree):
    """Claim ids given literally to ledger.record / defer_ledger (first argument or claim_id=)."""
    ids = set()
    for call in _record_calls(tree):
        if isinstance(call.func, ast.Attribute) and call.func.value.id == "simcheck":
            continue
        first = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "claim_id"), None)
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            ids.add(first.value)
    for node in ast.walk(tree):  # ledger_x = dict(claim_id="...", ...) handed over with **
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            for k in node.keywords:
                if k.arg == "claim_id" and isinstance(k.value, ast.Constant):
                    ids.add(k.value.value)
    return ids


def test_every_recorded_claim_has_a_criterion_in_its_chapters_section():
    text = (ROOT / "src/routerlab/reproduction/criteria.yaml").read_text(encoding="utf-8")
    data = cr.criteria()
    sections, current = {}, None
    for line in text.splitlines():
        if line.startswith("# ---- "):
            current = line.split()[2]
        elif line and not line.startswith((" ", "#")) and line.endswith(":"):
            sections[line[:-1]] = current
    seen = set()
    for path, tree in _trees():
        for cid in _recorded_claims(tree):
            assert cid in data, f"{path.name} records {cid!r}, which has no criterion in criteria.yaml"
            seen.add(cid)
    assert seen >= {"bench.size", "rs.definition", "bounds.coub", "algo.list", "result.mf.best",
                    "pitfall.overrouting", "ablation.two_models", "setting.mf_k", "bib.arxiv"}
    # a claim's criterion sits in the section of a chapter that records it
    for cid in seen:
        recorders = {_chapter(p) for p, t in _trees() if cid in _recorded_claims(t)}
        assert sections[cid] in recorders, f"{cid} is in section {sections[cid]}, recorded by {recorders}"



def test_literal_measured_dicts_hand_over_every_name_their_formulas_read():
    """Where a chapter writes ``measured={...}`` as a literal dict, its keys cover the names of the
    claim's formulas (the smoke runs of tests/test_notebooks.py check the rest by executing)."""
    checked = 0
    for path, tree in _trees():
        for call in _record_calls(tree):
            first = call.args[0] if call.args else None
            meas = next((k.value for k in call.keywords if k.arg == "measured"), None)
            if not (isinstance(first, ast.Constant) and isinstance(meas, ast.Dict)):
                continue
            if any(k is None for k in meas.keys):
                continue
            keys = {k.value for k in meas.keys}
            assert _formula_names(first.value) <= keys | {"article"}, (path.name, first.value)
            checked += 1
    assert checked >= 5


def _formula_names(cid):
    entry = cr.criterion(cid)
    names = set()
    for group in cr.KEYS[2:]:
        for expr in (entry.get(group) or {}).values():
            names |= {n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)}
    return names - {"abs", "min", "max"}


class _Anything(dict):
    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return 0.5


@pytest.mark.parametrize("cid", sorted(cr.criteria()))
def test_every_criterion_is_a_valid_rule(cid):
    entry = cr.criterion(cid)
    assert any(k in entry for k in cr.KEYS[1:]), f"{cid} has no rule"
    for group in cr.KEYS[2:]:
        for clause, expr in (entry.get(group) or {}).items():
            assert clause.strip()
            cr.evaluate_expression(expr, _Anything())   # parses, uses only the allowed constructs


def test_every_checkable_claim_has_a_criterion():
    ids = {c["id"] for c in ledger.claims()}
    assert set(cr.criteria()) <= ids
    assert ids - set(cr.criteria()) == set(ledger.NOT_CHECKABLE)


def test_algo_list_criterion_is_the_preregistered_95_percent():
    entry = cr.criterion("algo.list")
    assert "pre-registered" in entry["criterion"]
    assert cr.judge("algo.list", {"n_implemented": 10, "max_pair_agreement": 0.97})[0] == "not reproduced"
    assert cr.judge("algo.list", {"n_implemented": 10, "max_pair_agreement": 0.90})[0] == "reproduced"


def test_coub_is_inconsistent_when_the_bounds_are_one_policy():
    one = {"same_choice_share": 1.0, "coub_quality_gap": 0.0, "oub_minus_coub_rs": 0.0}
    assert cr.judge("bounds.coub", one) == ("inconsistent in the source",
                                            "OUB and COUB choose the same model on every query")
    assert cr.judge("bounds.coub", dict(one, same_choice_share=0.9))[0] == "reproduced"
    assert cr.judge("bounds.coub", dict(one, same_choice_share=0.9, coub_quality_gap=0.1))[0] == "not reproduced"


def test_definitions_can_fail():
    good = {"worked_rs_global": 0.6, "worked_hand_global": 0.6, "worked_rs_per_query": 0.5,
            "worked_hand_per_query": 0.5, "cheapest_pq_gap": 0.0, "llama_quality": 0.6,
            "llama_rs_global": 0.55, "article_llama_quality": 0.6, "article_llama_rs": 0.532}
    assert cr.judge("rs.definition", good)[0] == "reproduced"
    assert cr.judge("rs.definition", dict(good, worked_rs_global=0.61))[0] == "not reproduced"
    assert cr.judge("bounds.oub", {"oub_margin": 0.0})[0] == "reproduced"
    assert cr.judge("bounds.oub", {"oub_margin": -0.01})[0] == "not reproduced"
    assert cr.judge("bounds.qoub", {"qoub_quality_gap": 0.02, "oub_minus_qoub_rs": 0.1})[0] == "not reproduced"
