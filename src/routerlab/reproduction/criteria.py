"""Pre-registered criteria of the reproduction ledger, as data, and the one function that applies them.

Every checkable claim of the article has an entry in ``routerlab/reproduction/criteria.yaml``, written
before the measurement it judges::

    result.mf.rs:
      criterion: |ours - article| <= 0.02, or the article's value inside the seed or bootstrap interval
      reproduced_if_any:                       # named clauses; the first that holds is reported
        within tolerance: abs(ours - article) <= 0.02
        inside the seed interval: seeds_lo <= article <= seeds_hi
        inside the bootstrap interval: boot_lo <= article <= boot_hi

Keys of an entry (all optional but ``criterion``), tried in this order:

* ``not_checkable`` -- a reason; the verdict is "not checkable here" whatever is measured;
* ``calibrated_if`` -- {clause: expression}: "calibrated input" when every clause holds (an input
  of the simulation, so agreement is by construction), else "not reproduced";
* ``inconsistent_if`` -- {clause: expression}: "inconsistent in the source" when any holds;
* ``not_checkable_if`` -- {clause: expression}: "not checkable here" when any holds (e.g. a source
  that lacks some of the claim's policies, where what it can show does not refute the claim);
* ``reproduced_if_any`` / ``reproduced_if_all`` -- {clause: expression}: "reproduced" when any /
  every clause holds, else "not reproduced".

**Value and shape.** A clause that compares a measurement with the article's number ``article``
(a tolerance around it, or the article's value inside our interval) is a *value clause*: it is
about the article's setting (its models, tasks and prices), which the simulator stands in for. A
clause that reads ``article`` only for its sign (``r * article > 0``) or not at all is a *shape
clause* (an ordering, a sign, a threshold). :func:`judge` applies every clause on the simulator
(``on="simulator"``); on real data (``on="real data"``, other models, tasks and prices) it
applies the shape clauses alone (:data:`REAL_DATA_RULE`): a claim none of whose reproducing
clauses is a shape clause, or a calibrated input, is "not applicable" there.

An entry may also hold ``readings`` -- {clause: expression}: a rule fixed in advance that a chapter
applies to its text (e.g. whether an experiment supports a reading of the claim), read with
:func:`evaluate_expression`; :func:`judge` never consults it.

An expression is a Python-like formula over the measured values a chapter hands over (names such
as ``ours``, ``seeds_lo``, ``same_choice_share``) and ``article`` (the claim's value in
claims.yaml when it is a number): numbers, ``True``/``False``, comparisons (chains allowed),
``and``/``or``/``not``, ``+ - * /``, unary minus, ``abs``, ``min``, ``max``. Nothing else is
evaluated (no attribute access, no calls but those three), so the data cannot run code. A value
that is None or NaN makes any comparison it enters false.

The section ``book_rules`` of the file is not a claim: {name: value} of the rules of the book that
judge no claim of the article (e.g. chapter 01's structural tolerance), read with :func:`book_rule`.
"""

from __future__ import annotations

import ast
import math
import operator
from functools import lru_cache
from importlib import resources
from typing import Mapping

import yaml

from routerlab.errors import RouterlabError

__all__ = ["criteria", "criterion", "judge", "evaluate_expression", "book_rule", "KEYS", "BOOK_RULES",
           "SETTINGS", "NOT_APPLICABLE", "REAL_DATA_RULE", "is_value_clause", "judged_on_real_data"]

KEYS = ("criterion", "not_checkable", "calibrated_if", "inconsistent_if", "not_checkable_if",
        "reproduced_if_any", "reproduced_if_all")
_CMP = {ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge,
        ast.Eq: operator.eq, ast.NotEq: operator.ne}
_BIN = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
_FUNCS = {"abs": abs, "min": min, "max": max}
#: Where a claim is judged: on the simulator (the article's setting) or on real outcomes.
SETTINGS = ("simulator", "real data")
NOT_APPLICABLE = "not applicable"
#: The rule by which :func:`judge` treats real data, in words (the ledger page states it).
REAL_DATA_RULE = (
    "a number of the article's setting (a clause that compares a measurement with the article's "
    "value: a tolerance around it, or the article's value inside our interval) is judged on the "
    "simulator only; on real data, with other models, tasks and prices, a claim is judged by its "
    "shape alone (its clauses that are orderings, signs or thresholds, the article's value read "
    "for its sign at most), and a claim with no such clause, or a calibrated input, is "
    "\"not applicable\" there")
_NOT_APPLICABLE_CLAUSE = "a number of the article's setting: judged on the simulator only"


class _Missing:
    """A None/NaN measurement: every comparison with it is false, arithmetic stays missing."""


MISSING = _Missing()


def _num(v):
    if v is None:
        return MISSING
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return MISSING if isinstance(v, float) and not math.isfinite(v) else v
    if hasattr(v, "item"):
        return _num(v.item())
    raise RouterlabError(f"a measured value must be a number, a bool or None, got {v!r}")


def evaluate_expression(expr: str, names: Mapping[str, object]) -> bool:
    """The truth of ``expr`` (see the module docstring) given ``names``; one-line errors."""
    try:
        tree = ast.parse(str(expr), mode="eval")
    except SyntaxError:
        raise RouterlabError(f"criterion expression {expr!r} is not a valid formula") from None

    def ev(node):
        if isinstance(node, ast.Expression):
            return ev(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, bool)):
            return node.value
        if isinstance(node, ast.Name):
            if node.id not in names:
                raise RouterlabError(f"criterion {expr!r} needs the measured value {node.id!r}, "
                                     f"which was not handed over (got: {', '.join(sorted(names)) or 'none'})")
            return _num(names[node.id])
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            v = ev(node.operand)
            return MISSING if v is MISSING else -v
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            v = ev(node.operand)
            return False if v is MISSING else not v
        if isinstance(node, ast.BinOp) and type(node.op) in _BIN:
            a, b = ev(node.left), ev(node.right)
            if a is MISSING or b is MISSING:
                return MISSING
            try:
                return _BIN[type(node.op)](a, b)
            except ZeroDivisionError:
                return MISSING
        if isinstance(node, ast.BoolOp):
            vals = [ev(v) for v in node.values]
            vals = [False if v is MISSING else bool(v) for v in vals]
            return all(vals) if isinstance(node.op, ast.And) else any(vals)
        if isinstance(node, ast.Compare):
            left = ev(node.left)
            for op, comp in zip(node.ops, node.comparators):
                if type(op) not in _CMP:
                    raise RouterlabError(f"criterion {expr!r} uses an unsupported comparison")
                right = ev(comp)
                if left is MISSING or right is MISSING or not _CMP[type(op)](left, right):
                    return False
                left = right
            return True
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS
                and not node.keywords):
            args = [ev(a) for a in node.args]
            if any(a is MISSING for a in args):
                return MISSING
            return _FUNCS[node.func.id](*args)
        raise RouterlabError(f"criterion {expr!r} uses something other than numbers, names, "
                             "comparisons, and/or/not, + - * /, abs, min, max")

    out = ev(tree)
    return False if out is MISSING else bool(out)


BOOK_RULES = "book_rules"  # the section of criteria.yaml that holds rules judging no claim


@lru_cache(maxsize=1)
def _file() -> dict:
    with resources.files("routerlab.reproduction").joinpath("criteria.yaml").open("r", encoding="utf-8") as f:
        return yaml.safe_load(f) or {}


@lru_cache(maxsize=1)
def criteria() -> dict[str, dict]:
    """{claim id: criteria entry} from the package's ``criteria.yaml`` (structure checked)."""
    data = {k: v for k, v in _file().items() if k != BOOK_RULES}
    for cid, entry in data.items():
        if not isinstance(entry, dict) or not str(entry.get("criterion", "")).strip():
            raise RouterlabError(f"criteria.yaml: claim {cid!r} needs a 'criterion' text")
        unknown = set(entry) - set(KEYS) - {"readings"}
        if unknown:
            raise RouterlabError(f"criteria.yaml: claim {cid!r} has unknown key(s) {sorted(unknown)}; "
                                 f"use {', '.join(KEYS)}")
        for k in KEYS[2:]:
            if k in entry and not (isinstance(entry[k], dict) and entry[k]):
                raise RouterlabError(f"criteria.yaml: {cid}.{k} must map clause names to formulas")
    return data


def criterion(claim_id: str) -> dict:
    """The criteria entry of ``claim_id`` (one-line error when the claim has none)."""
    data = criteria()
    if claim_id not in data:
        raise RouterlabError(f"claim {claim_id!r} has no pre-registered criterion in criteria.yaml; "
                             "write one before recording a measurement")
    return data[claim_id]


def book_rule(name: str):
    """The value of rule ``name`` of the ``book_rules`` section of criteria.yaml (one-line error)."""
    rules = _file().get(BOOK_RULES) or {}
    if name not in rules:
        raise RouterlabError(f"criteria.yaml has no book rule {name!r} (known: {', '.join(sorted(rules))})")
    return rules[name]


def _article_value(claim_id: str):
    from routerlab.reproduction.claims import claim

    v = claim(claim_id).get("value")
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _parents(tree) -> dict:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _sign_use(node, parents) -> bool:
    """Whether ``node`` (the name ``article``) is a factor of a product compared with 0."""
    prod = parents.get(node)
    if not (isinstance(prod, ast.BinOp) and isinstance(prod.op, ast.Mult)):
        return False
    cmp = parents.get(prod)
    if not isinstance(cmp, ast.Compare):
        return False
    others = [x for x in [cmp.left, *cmp.comparators] if x is not prod]
    return bool(others) and all(isinstance(x, ast.Constant) and x.value == 0 for x in others)


def is_value_clause(expr: str) -> bool:
    """Whether the formula ``expr`` reads the article's number ``article`` other than for its sign
    (``abs(ours - article) <= 0.02``, ``lo <= article <= hi``: a value clause) rather than not at
    all or as ``x * article > 0`` (a shape clause)."""
    try:
        tree = ast.parse(str(expr), mode="eval")
    except SyntaxError:
        raise RouterlabError(f"criterion expression {expr!r} is not a valid formula") from None
    parents = _parents(tree)
    return any(isinstance(n, ast.Name) and n.id == "article" and not _sign_use(n, parents)
               for n in ast.walk(tree))


def _on_real_data(entry: Mapping) -> tuple[dict, list[str]]:
    """The entry as real data judges it: calibrated inputs and value clauses dropped (a group left
    empty goes); and the names of the dropped clauses."""
    out, dropped = {}, []
    for key, value in entry.items():
        if key == "calibrated_if":
            dropped += list(value)
        elif key in KEYS[2:]:
            kept = {n: e for n, e in value.items() if not is_value_clause(e)}
            dropped += [n for n in value if n not in kept]
            if kept:
                out[key] = kept
        else:
            out[key] = value
    return out, dropped


def judged_on_real_data(claim_id: str) -> bool:
    """Whether real data can judge ``claim_id`` (see :data:`REAL_DATA_RULE`): it is not
    checkable by nature, or at least one of its reproducing clauses is a shape clause."""
    entry, _ = _on_real_data(criterion(claim_id))
    return "not_checkable" in entry or any(g in entry for g in ("reproduced_if_any", "reproduced_if_all"))


def judge(claim_id: str, measured: Mapping[str, object], on: str = "simulator") -> tuple[str, str]:
    """(verdict, clause) for ``claim_id`` given the ``measured`` values, by its criteria entry.

    ``clause`` names what decided: the first clause that held, or why none did. ``on``: one of
    :data:`SETTINGS`; on "real data" only the shape clauses apply (:data:`REAL_DATA_RULE`), and a
    claim without any is "not applicable" whatever was measured.
    """
    if on not in SETTINGS:
        raise RouterlabError(f"a claim is judged on one of {', '.join(SETTINGS)}, not {on!r}")
    entry, dropped = criterion(claim_id), []
    if on == "real data" and "not_checkable" not in entry:
        if not judged_on_real_data(claim_id):
            return NOT_APPLICABLE, _NOT_APPLICABLE_CLAUSE
        entry, dropped = _on_real_data(entry)
    verdict, clause = _apply(claim_id, entry, measured)
    if dropped and verdict != "not checkable here":
        clause += "; not applied on real data: " + "; ".join(dropped)
    return verdict, clause


def _apply(claim_id: str, entry: Mapping, measured: Mapping[str, object]) -> tuple[str, str]:
    """(verdict, clause) of the rule groups of ``entry`` (see :func:`judge`)."""
    names = dict(measured)
    names.setdefault("article", _article_value(claim_id))

    def holds(group):
        return [(name, evaluate_expression(expr, names)) for name, expr in entry[group].items()]

    if "not_checkable" in entry:
        return "not checkable here", str(entry["not_checkable"])
    if "calibrated_if" in entry:
        res = holds("calibrated_if")
        failed = [n for n, ok in res if not ok]
        return (("calibrated input", "; ".join(n for n, _ in res)) if not failed
                else ("not reproduced", "input not met: " + "; ".join(failed)))
    if "inconsistent_if" in entry:
        hit = [n for n, ok in holds("inconsistent_if") if ok]
        if hit:
            return "inconsistent in the source", hit[0]
    if "not_checkable_if" in entry:
        hit = [n for n, ok in holds("not_checkable_if") if ok]
        if hit:
            return "not checkable here", hit[0]
    if "reproduced_if_any" in entry:
        hit = [n for n, ok in holds("reproduced_if_any") if ok]
        if hit:
            return "reproduced", hit[0]
        if "reproduced_if_all" not in entry:
            return "not reproduced", "no clause holds"
    if "reproduced_if_all" in entry:
        failed = [n for n, ok in holds("reproduced_if_all") if not ok]
        return ("reproduced", "every clause holds") if not failed else ("not reproduced", "fails: " + "; ".join(failed))
    raise RouterlabError(f"criteria.yaml: claim {claim_id!r} has no rule (calibrated_if, inconsistent_if, "
                         "not_checkable_if, reproduced_if_any/all or not_checkable)")
