"""A pre-registered criterion read clause by clause, for the prose that explains a verdict.

:func:`routerlab.reproduction.criteria.judge` gives a claim's verdict and the clause that decided
it. A chapter's text often says more: which reading of a claim is met, which part of a two-part
criterion holds, and with what tolerance. Both come from ``criteria.yaml`` here, so that no
chapter writes a tolerance or a rule a second time:

* :func:`clause_number` -- the one number a clause compares with (e.g. 0.02 in
  ``abs(d_abs - article) <= 0.02``);
* :func:`clauses_met` -- {clause name: whether it holds} for the measured values.
"""

from __future__ import annotations

import ast
from typing import Mapping

from routerlab.errors import RouterlabError
from routerlab.reproduction.criteria import KEYS, _article_value, criterion, evaluate_expression

__all__ = ["clause_number", "clauses_met"]


def _clauses(claim_id: str) -> dict[str, str]:
    """{clause name: formula} of every rule group of the claim's entry, in file order."""
    entry = criterion(claim_id)
    return {name: expr for group in KEYS[2:] for name, expr in (entry.get(group) or {}).items()}


def clause_number(claim_id: str, clause: str) -> float:
    """The number literal of the clause named ``clause`` in the claim's criteria entry.

    E.g. ``clause_number("ablation.two_models", "absolute reading within tolerance")`` is 0.02, the
    tolerance of ``abs(d_abs - article) <= 0.02``. One-line error when the clause is unknown or
    holds no number or several different ones.
    """
    clauses = _clauses(claim_id)
    if clause not in clauses:
        raise RouterlabError(f"criteria.yaml: claim {claim_id!r} has no clause {clause!r} "
                             f"(it has: {'; '.join(clauses)})")
    numbers = {n.value for n in ast.walk(ast.parse(str(clauses[clause]), mode="eval"))
               if isinstance(n, ast.Constant) and isinstance(n.value, (int, float))
               and not isinstance(n.value, bool)}
    if len(numbers) != 1:
        raise RouterlabError(f"criteria.yaml: clause {clause!r} of {claim_id!r} holds {len(numbers)} "
                             "different numbers; name a clause with exactly one")
    return numbers.pop()


def clauses_met(claim_id: str, measured: Mapping[str, object]) -> dict[str, bool]:
    """{clause name: True if it holds} for every clause of the claim's entry, given ``measured``
    (``article`` defaults to the claim's value in claims.yaml when that is a number, as in
    :func:`~routerlab.reproduction.criteria.judge`)."""
    names = dict(measured)
    names.setdefault("article", _article_value(claim_id))
    return {name: evaluate_expression(expr, names) for name, expr in _clauses(claim_id).items()}
