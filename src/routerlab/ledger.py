"""The reproduction ledger: every claim of the article, the value we measure, and a verdict.

Claims are the project's copy of ``claims.yaml`` (``routerlab/data/claims.yaml``). A chapter
notebook that checks a claim calls :func:`record` once per claim; this glues a JSON entry under
the key ``ledger:<claim id>``. The ledger notebook then :func:`collect`-s the entries from the
executed notebooks into one table (one row per claim). A claim no chapter records keeps the
verdict "not checkable here" with the reason given in :data:`NOT_CHECKABLE`.
"""

from __future__ import annotations

import ast
import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable

import pandas as pd
import yaml

from .errors import RouterlabError, check_choice

__all__ = [
    "VERDICTS", "claims", "claim", "record", "number_verdict", "collect", "ledger_table",
    "NOT_CHECKABLE",
]

VERDICTS = (
    "reproduced",
    "not reproduced",
    "calibrated input",
    "inconsistent in the source",
    "not checkable here",
)

# Claims no experiment here can test, with the reason shown in the ledger.
NOT_CHECKABLE = {
    "bench.offline": "a property of any precomputed benchmark; ours is offline by construction, "
                     "which shows it is possible, not that the article's was",
    "paradigms": "a taxonomy, not a measurement; chapter 03's algorithm cards place each router in it",
    "scope.closed_ended": "a statement of scope; our simulated and real data are closed-ended too",
    "practice.langgraph": "an integration pattern for LangGraph; no measurable claim",
}


@lru_cache(maxsize=1)
def claims() -> tuple[dict, ...]:
    """Every claim of the article (id, kind, statement, value, audit) in file order."""
    with resources.files("routerlab").joinpath("data/claims.yaml").open("r", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    return tuple(data)


def claim(claim_id: str) -> dict:
    """The claim with id ``claim_id`` (one-line error for an unknown id)."""
    ids = [c["id"] for c in claims()]
    check_choice("claim id", claim_id, ids)
    return claims()[ids.index(claim_id)]


def number_verdict(ours: float, article: float, tol: float, lo: float | None = None,
                   hi: float | None = None) -> str:
    """"reproduced" if ``|ours - article| <= tol`` or the article's value lies in [lo, hi]."""
    if any(x is not None and not math.isfinite(x) for x in (ours, article)):
        return "not reproduced"
    inside = lo is not None and hi is not None and lo <= article <= hi
    return "reproduced" if abs(ours - article) <= tol or inside else "not reproduced"


def record(claim_id: str, *, ours, verdict: str, criterion: str, chapter: str,
           lo: float | None = None, hi: float | None = None, note: str = "",
           glue: bool = True) -> dict:
    """Record our check of one claim and glue it as ``ledger:<claim_id>`` (JSON text).

    ``ours`` is our measured value (a number, or a short text for qualitative claims);
    ``lo``/``hi`` its 95% interval if it is a measurement; ``criterion`` the test fixed before
    the result was computed; ``chapter`` the notebook that shows it (e.g. "03_algorithms").
    """
    claim(claim_id)
    check_choice("verdict", verdict, VERDICTS)
    if not criterion:
        raise RouterlabError(f"claim {claim_id}: state the criterion of the check")

    def num(x):
        if x is None:
            return None
        if isinstance(x, str):
            return x
        x = float(x)
        return x if math.isfinite(x) else None

    entry = {"id": claim_id, "ours": num(ours), "lo": num(lo), "hi": num(hi), "verdict": verdict,
             "criterion": criterion, "chapter": chapter, "note": note}
    if glue:
        from myst_nb import glue as _glue

        _glue(f"ledger:{claim_id}", json.dumps(entry), display=False)
    return entry


def _glued_entries(nb_path: Path) -> list[dict]:
    """The ``ledger:`` entries glued in one executed notebook."""
    nb = json.loads(Path(nb_path).read_text(encoding="utf-8"))
    found = []
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name", "")
            if not name.startswith("ledger:"):
                continue
            data = out.get("data", {})
            text = next((v for k, v in data.items() if k.endswith("text/plain")), None)
            if text is None:
                continue
            text = "".join(text) if isinstance(text, list) else text
            found.append(json.loads(ast.literal_eval(text)))
    return found


def collect(notebooks: Iterable[str | Path]) -> pd.DataFrame:
    """One row per claim: the article's statement and value, ours, interval, verdict, chapter.

    Later notebooks override earlier ones for the same claim id. Claims nobody recorded get
    "not checkable here" with the reason in :data:`NOT_CHECKABLE` (or "no chapter checks it yet").
    """
    entries: dict[str, dict] = {}
    for path in notebooks:
        for e in _glued_entries(Path(path)):
            entries[e["id"]] = e
    rows = []
    for c in claims():
        e = entries.get(c["id"])
        value = c.get("value")
        if isinstance(value, list):
            value = ", ".join(map(str, value))
        elif isinstance(value, dict):
            value = "; ".join(f"{k} ({', '.join(map(str, v.values()))})" if isinstance(v, dict) else f"{k}: {v}"
                              for k, v in value.items())
        row = {"id": c["id"], "kind": c["kind"], "statement": c.get("statement", ""),
               "article": value, "audit": bool(c.get("audit"))}
        if e is None:
            row.update(ours=None, lo=None, hi=None, verdict="not checkable here", chapter="",
                       criterion="", note=NOT_CHECKABLE.get(c["id"], "no chapter checks it yet"))
        else:
            row.update({k: e.get(k) for k in ("ours", "lo", "hi", "verdict", "chapter", "criterion", "note")})
        rows.append(row)
    return pd.DataFrame(rows)


def ledger_table(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """A display version of :func:`collect`'s table (formatted numbers, interval as text)."""
    def fmt(x):
        if x is None or (isinstance(x, float) and not math.isfinite(x)):
            return ""
        if isinstance(x, (int, float)):
            return f"{x:.{digits}f}"
        return str(x)

    out = pd.DataFrame({
        "claim": df["id"],
        "article says": df["statement"].where(df["statement"].astype(bool), df["id"]),
        "article value": df["article"].map(fmt),
        "ours": df["ours"].map(fmt),
        "95% interval": [f"[{fmt(a)}, {fmt(b)}]" if a is not None and b is not None else ""
                         for a, b in zip(df["lo"], df["hi"])],
        "verdict": df["verdict"],
        "chapter": df["chapter"],
    })
    return out
