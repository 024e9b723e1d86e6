"""The ledger's criteria engine: formulas as data, applied by one function."""

from __future__ import annotations

import pytest

from routerlab.reproduction import criteria as cr
from routerlab.errors import RouterlabError


@pytest.mark.parametrize("expr, names, expected", [
    ("abs(ours - article) <= 0.02", {"ours": 0.61, "article": 0.598}, True),
    ("abs(ours - article) <= 0.02", {"ours": 0.65, "article": 0.598}, False),
    ("lo <= article <= hi", {"lo": 0.5, "hi": 0.7, "article": 0.6}, True),
    ("lo <= article <= hi", {"lo": 0.5, "hi": 0.55, "article": 0.6}, False),
    ("lo > 0 and not flag", {"lo": 0.1, "flag": False}, True),
    ("lo > 0 or flag", {"lo": -0.1, "flag": True}, True),
    ("share == 1", {"share": 1.0}, True),
    ("min(a, b) > -x / 2", {"a": 1, "b": 2, "x": 3}, True),
    ("ours > 0", {"ours": None}, False),                 # a missing value never satisfies a comparison
    ("not (ours > 0)", {"ours": float("nan")}, True),
    ("a / b > 1", {"a": 1, "b": 0}, False),              # division by zero is a missing value
])
def test_formulas(expr, names, expected):
    assert cr.evaluate_expression(expr, names) is expected


@pytest.mark.parametrize("expr, pattern", [
    ("__import__('os').system('true')", "uses something other"),
    ("ours.real > 0", "uses something other"),
    ("ours in (1, 2)", "unsupported comparison"),
    ("ours >", "not a valid formula"),
    ("missing_name > 0", "needs the measured value 'missing_name'"),
])
def test_formulas_reject_anything_else(expr, pattern):
    with pytest.raises(RouterlabError, match=pattern):
        cr.evaluate_expression(expr, {"ours": 1.0})


@pytest.fixture
def fake_criteria(monkeypatch):
    data = {
        "a.number": {"criterion": "c", "reproduced_if_any": {
            "within tolerance": "abs(ours - target) <= 0.02", "inside the interval": "lo <= target <= hi"}},
        "a.inconsistent": {"criterion": "c", "inconsistent_if": {"one policy": "same == 1"},
                           "reproduced_if_all": {"differs": "same < 1"}},
        "a.calibrated": {"criterion": "c", "calibrated_if": {"sized as the article": "n == 405000"}},
        "a.skip": {"criterion": "c", "not_checkable": "a taxonomy"},
    }
    monkeypatch.setattr(cr, "criteria", lambda: data)
    monkeypatch.setattr(cr, "_article_value", lambda cid: None)
    return data


def test_judge_reports_the_clause_that_decided(fake_criteria):
    assert cr.judge("a.number", {"ours": 0.60, "target": 0.61, "lo": 0, "hi": 1}) == ("reproduced", "within tolerance")
    assert cr.judge("a.number", {"ours": 0.50, "target": 0.61, "lo": 0.4, "hi": 0.7}) == \
        ("reproduced", "inside the interval")                               # the lenient clause is named
    assert cr.judge("a.number", {"ours": 0.50, "target": 0.61, "lo": 0.4, "hi": 0.6})[0] == "not reproduced"
    assert cr.judge("a.inconsistent", {"same": 1.0}) == ("inconsistent in the source", "one policy")
    assert cr.judge("a.inconsistent", {"same": 0.9}) == ("reproduced", "every clause holds")
    assert cr.judge("a.calibrated", {"n": 405000})[0] == "calibrated input"
    assert cr.judge("a.calibrated", {"n": 2025}) == ("not reproduced", "input not met: sized as the article")
    assert cr.judge("a.skip", {}) == ("not checkable here", "a taxonomy")
    with pytest.raises(RouterlabError, match="no pre-registered criterion"):
        cr.judge("a.unknown", {})


def test_the_shipped_criteria_file_is_well_formed():
    from routerlab.reproduction import ledger

    ids = {c["id"] for c in ledger.claims()}
    data = cr.criteria()
    assert set(data) <= ids, f"criteria for unknown claims: {sorted(set(data) - ids)}"
    for cid, entry in data.items():
        for group in cr.KEYS[2:]:
            for clause, expr in entry.get(group, {}).items():
                # every formula parses and uses only the allowed syntax (names are checked at use)
                try:
                    cr.evaluate_expression(expr, _AnyNames())
                except RouterlabError as exc:
                    assert "needs the measured value" in str(exc), f"{cid}.{group}.{clause}: {exc}"


class _AnyNames(dict):
    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return 0.5


def test_not_checkable_if_comes_after_inconsistent_and_before_reproduced(monkeypatch):
    data = {"a.partial": {"criterion": "c",
                          "not_checkable_if": {"some relations cannot be checked": "unchecked > 0 and failed == 0"},
                          "reproduced_if_all": {"every relation holds": "failed == 0 and unchecked == 0"}}}
    monkeypatch.setattr(cr, "criteria", lambda: data)
    monkeypatch.setattr(cr, "_article_value", lambda cid: None)
    assert cr.judge("a.partial", {"failed": 0, "unchecked": 2}) == ("not checkable here",
                                                                    "some relations cannot be checked")
    assert cr.judge("a.partial", {"failed": 1, "unchecked": 2})[0] == "not reproduced"   # a failure refutes
    assert cr.judge("a.partial", {"failed": 0, "unchecked": 0}) == ("reproduced", "every clause holds")


# ---- value claims and shape claims: what real data can judge -------------------------------------

@pytest.mark.parametrize("expr, is_value", [
    ("abs(ours - article) <= 0.02", True),               # a tolerance around the article's value
    ("seeds_lo <= article <= seeds_hi", True),           # the article's value inside our interval
    ("abs(d_rel - article) <= 0.02", True),
    ("article > max_reduction", True),
    ("r * article > 0", False),                          # the article's sign only
    ("0 < article * r", False),
    ("r * article > 0.1", True),                         # a product against another number is a value
    ("r_lo > 0 or r_hi < 0", False),                     # no article at all
    ("mf_margin > 0", False),
    ("article_llama_quality - article_llama_rs > 0", False),  # other article figures, internal
])
def test_value_and_shape_clauses(expr, is_value):
    assert cr.is_value_clause(expr) is is_value


@pytest.fixture
def value_and_shape(monkeypatch):
    data = {
        "a.value": {"criterion": "c", "reproduced_if_any": {
            "within tolerance": "abs(ours - article) <= 0.02", "inside the interval": "lo <= article <= hi"}},
        "a.shape": {"criterion": "c", "reproduced_if_all": {"MF first": "margin > 0"}},
        "a.mixed": {"criterion": "c", "reproduced_if_all": {
            "the article's sign": "r * article > 0", "the interval excludes 0": "r_lo > 0 or r_hi < 0",
            "the interval contains the article's value": "r_lo <= article <= r_hi"}},
        "a.calibrated": {"criterion": "c", "calibrated_if": {"sized as the article": "n == 405000"}},
        "a.skip": {"criterion": "c", "not_checkable": "a taxonomy"},
    }
    monkeypatch.setattr(cr, "criteria", lambda: data)
    monkeypatch.setattr(cr, "_article_value", lambda cid: 0.6)
    return data


def test_a_value_claim_is_judged_on_the_simulator_and_not_applicable_on_real_data(value_and_shape):
    close = {"ours": 0.605, "lo": 0.0, "hi": 0.1}
    assert cr.judge("a.value", close) == ("reproduced", "within tolerance")
    assert cr.judge("a.value", close, on="simulator") == ("reproduced", "within tolerance")
    assert cr.judge("a.value", dict(close, ours=0.9))[0] == "not reproduced"
    na = ("not applicable", "a number of the article's setting: judged on the simulator only")
    assert cr.judge("a.value", close, on="real data") == na          # however close
    assert cr.judge("a.value", dict(close, ours=0.9), on="real data") == na
    assert cr.judge("a.value", {}, on="real data") == na              # nothing needs to be measured
    assert cr.judge("a.calibrated", {"n": 405000}, on="real data")[0] == "not applicable"
    assert not cr.judged_on_real_data("a.value") and not cr.judged_on_real_data("a.calibrated")
    with pytest.raises(RouterlabError, match="judged on one of simulator, real data"):
        cr.judge("a.value", close, on="real")


def test_a_shape_claim_is_judged_on_real_data(value_and_shape):
    assert cr.judged_on_real_data("a.shape") and cr.judged_on_real_data("a.mixed")
    assert cr.judge("a.shape", {"margin": 0.1}, on="real data") == ("reproduced", "every clause holds")
    assert cr.judge("a.shape", {"margin": -0.1}, on="real data") == ("not reproduced", "fails: MF first")
    assert cr.judge("a.skip", {}, on="real data") == ("not checkable here", "a taxonomy")
    # a claim with both: on the simulator every clause; on real data its shape clauses alone
    right_sign_wrong_size = {"r": 0.3, "r_lo": 0.1, "r_hi": 0.5}
    assert cr.judge("a.mixed", right_sign_wrong_size)[0] == "not reproduced"
    verdict, clause = cr.judge("a.mixed", right_sign_wrong_size, on="real data")
    assert verdict == "reproduced"
    assert clause == "every clause holds; not applied on real data: the interval contains the article's value"
    assert cr.judge("a.mixed", {"r": -0.3, "r_lo": -0.5, "r_hi": -0.1}, on="real data")[0] == "not reproduced"
    assert cr.judge("a.mixed", {"r": 0.3, "r_lo": -0.1, "r_hi": 0.5}, on="real data")[0] == "not reproduced"


def test_the_shipped_value_claims_are_the_numbers_of_the_article():
    value = {cid for cid in cr.criteria() if not cr.judged_on_real_data(cid)}
    assert {"result.bert.rs", "result.mf.rs", "result.random.rs", "result.oracle.gap",
            "ablation.two_models", "result.gpt4o.quality", "bench.size"} <= value
    assert not value & {"result.ordering", "result.mf.best", "corr.train_size", "corr.difficulty",
                        "pitfall.overrouting", "ablation.middle_tier", "bounds.coub"}
    # the audit's case: BERT's RS on llmrouter, 0.5909 against the article's 0.581
    m = {"ours": 0.5909, "seeds_lo": 0.58, "seeds_hi": 0.60, "boot_lo": 0.57, "boot_hi": 0.61}
    assert cr.judge("result.bert.rs", m)[0] == "reproduced"
    assert cr.judge("result.bert.rs", m, on="real data")[0] == "not applicable"
    assert "not applicable" in cr.REAL_DATA_RULE and "simulator" in cr.REAL_DATA_RULE
