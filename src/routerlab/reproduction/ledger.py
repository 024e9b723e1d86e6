"""The reproduction ledger: every claim of the article, the value we measure, and a verdict.

Claims are the project's copy of ``claims.yaml`` (``routerlab/reproduction/claims.yaml``). A chapter
notebook that checks a claim calls :func:`record` once per claim; this glues a JSON entry under
the key ``ledger:<claim id>``. The ledger notebook then :func:`collect`-s the entries from the
executed notebooks into one table (one row per claim). A claim no chapter records keeps the
verdict "not checkable here" with the reason given in :data:`NOT_CHECKABLE`.
"""

from __future__ import annotations

import ast
import json
import math
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
import pandas as pd

from routerlab.book.glue import glued_outputs, glued_values
from routerlab.errors import RouterlabError
from routerlab.reproduction.claims import claim, claims

__all__ = [
    "VERDICTS", "claims", "claim", "record", "collect", "ledger_table",
    "NOT_CHECKABLE", "glued_values", "verdict_counts", "describe", "real_text",
    "real_verdict_counts", "ledger_html",
]

VERDICTS = (
    "reproduced",
    "not reproduced",
    "calibrated input",
    "inconsistent in the source",
    "not checkable here",
    "not applicable",  # real data only: a number of the article's setting (criteria.REAL_DATA_RULE)
)

# Claims no experiment here can test, with the reason shown in the ledger.
NOT_CHECKABLE = {
    "bench.offline": "a property of any precomputed benchmark; ours is offline by construction, "
                     "which shows it is possible, not that the article's was",
    "paradigms": "a taxonomy, not a measurement; chapter 03's algorithm cards place each router in it",
    "scope.closed_ended": "a statement of scope; our simulated and real data are closed-ended too",
    "practice.langgraph": "an integration pattern for LangGraph; no measurable claim",
}


def _num(x):
    if x is None:
        return None
    if isinstance(x, str):
        return x
    if isinstance(x, (bool, np.bool_)):
        return bool(x)
    x = float(x)
    return x if math.isfinite(x) else None


def _measured(claim_id: str, measured) -> dict:
    if not isinstance(measured, Mapping):
        raise RouterlabError(f"claim {claim_id}: measured must map names to numbers/bools, got {measured!r}")
    return {str(k): _num(v) for k, v in measured.items()}


def record(claim_id: str, *, measured: Mapping, ours, chapter: str, lo: float | None = None,
           hi: float | None = None, note: str = "", real: Mapping | None = None,
           glue: bool = True) -> dict:
    """Record our check of one claim and glue it as ``ledger:<claim_id>`` (JSON text).

    ``measured``: the values the claim's pre-registered criterion reads (names as in
    ``routerlab/reproduction/criteria.yaml``, e.g. ``{"ours": 0.61, "seeds_lo": 0.59, ...}``); the verdict
    and the clause that decided it come from :func:`routerlab.reproduction.criteria.judge`, never from the
    caller. ``ours`` is the value shown (a number, or a short text for qualitative claims),
    ``lo``/``hi`` its 95% interval; ``chapter`` the notebook that shows it (e.g. "03_algorithms").
    ``real``: the same check on real outcomes, {source name: {"measured": {...} or None, "ours",
    "lo", "hi", "note"}}: judged by the same criterion's shape clauses (``judge(..., on="real
    data")``): "not applicable" for a number of the article's setting whatever was measured;
    otherwise ``measured`` None (e.g. the data folder is missing, or the source cannot speak to
    the claim) gives "not checkable here" and the note.
    """
    from routerlab.reproduction.criteria import criterion, judge, judged_on_real_data

    claim(claim_id)
    if not isinstance(chapter, str) or not chapter.strip():
        raise RouterlabError(f"claim {claim_id}: name the chapter that shows the check")
    crit = criterion(claim_id)["criterion"]
    meas = _measured(claim_id, measured)
    verdict, clause = judge(claim_id, meas)

    real_entries = {}
    for src, r in (real or {}).items():
        unknown = set(r) - {"measured", "ours", "lo", "hi", "note"}
        if unknown or "measured" not in r:
            raise RouterlabError(f"claim {claim_id}: real[{src!r}] needs 'measured' (a dict, or None when the "
                                 f"source cannot be checked) and optionally ours, lo, hi, note; got {sorted(r)}")
        m = None if r["measured"] is None else _measured(claim_id, r["measured"])
        if m is None and judged_on_real_data(claim_id):
            v, c = "not checkable here", str(r.get("note", "")) or "not measured on this source"
        else:
            v, c = judge(claim_id, m or {}, on="real data")
        real_entries[str(src)] = {"ours": _num(r.get("ours")), "lo": _num(r.get("lo")), "hi": _num(r.get("hi")),
                                  "verdict": v, "clause": c, "measured": m, "note": str(r.get("note", ""))}
    entry = {"id": claim_id, "ours": _num(ours), "lo": _num(lo), "hi": _num(hi), "verdict": verdict,
             "clause": clause, "criterion": crit, "measured": meas, "chapter": chapter, "note": note,
             "real": real_entries}
    if glue:
        from myst_nb import glue as _glue

        _glue(f"ledger:{claim_id}", json.dumps(entry), display=False)
    return entry


def _glued_entries(nb_path: Path) -> list[dict]:
    """The ``ledger:`` entries glued in one executed notebook."""
    found = []
    for name, text in glued_outputs(nb_path):
        if not name.startswith("ledger:"):
            continue
        try:
            entry = json.loads(ast.literal_eval(text))
        except (ValueError, SyntaxError) as exc:
            raise RouterlabError(f"{nb_path}: glued {name!r} is not a ledger entry ({exc})") from None
        entry.setdefault("chapter", Path(nb_path).stem)
        found.append(entry)
    return found



def collect(notebooks: Iterable[str | Path], fallback: Iterable[dict] = ()) -> pd.DataFrame:
    """One row per claim: the article's statement and value, ours, interval, verdict, chapter.

    Later notebooks override earlier ones for the same claim id. ``fallback`` entries (made by
    :func:`record` with ``glue=False``, e.g. the ledger notebook's own derivations) fill the
    claims no notebook recorded. Claims nobody recorded get "not checkable here" with the reason
    in :data:`NOT_CHECKABLE` (or "no chapter checks it yet"). Columns: id, kind, statement,
    article, audit (bool), ours, lo, hi, verdict, chapter, criterion, note, source ("chapter",
    "ledger" or "none"), real ({source: check} from the ``real`` argument of :func:`record`,
    {} when there is none).
    """
    entries: dict[str, dict] = {}
    for path in notebooks:
        for e in _glued_entries(Path(path)):
            entries[e["id"]] = dict(e, source="chapter")
    for e in fallback:
        claim(e["id"])
        entries.setdefault(e["id"], dict(e, source="ledger"))
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
            row.update(ours=None, lo=None, hi=None, verdict="not checkable here", clause="", chapter="",
                       criterion="", note=NOT_CHECKABLE.get(c["id"], "no chapter checks it yet"),
                       source="none", real={})
        else:
            row.update({k: e.get(k) for k in ("ours", "lo", "hi", "verdict", "clause", "chapter",
                                              "criterion", "note", "source")})
            row["real"] = dict(e.get("real") or {})
        rows.append(row)
    df = pd.DataFrame(rows)
    for col in ("ours", "article", "real"):  # mixed numbers and text: keep Python objects as they are
        df[col] = pd.Series([r[col] for r in rows], dtype=object)
    return df


def verdict_counts(df: pd.DataFrame) -> pd.Series:
    """Number of claims per verdict, in :data:`VERDICTS` order (zeros included)."""
    return df["verdict"].value_counts().reindex(list(VERDICTS), fill_value=0).astype(int)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


# How the ledger names the policies and metrics of the ``result.<policy>.<metric>`` claims, whose
# claims.yaml entries have a value but no statement.
_POLICY_LABELS = {
    "random": "Random", "gpt4o": "GPT-4o fixed", "llama8b": "Llama-3-8B fixed",
    "bert": "BERT classification", "mf": "Matrix factorisation", "cascade": "Cascade",
    "frugalgpt": "FrugalGPT", "oracle": "Oracle (OUB)",
}
_METRIC_LABELS = {"rs": "RS", "quality": "quality", "cost_reduction": "cost reduction vs GPT-4o fixed"}


def describe(claim_id: str, statement: str = "") -> str:
    """The claim's statement, or for a bare ``result.<policy>.<metric>`` number a short label
    such as "Matrix factorisation: RS" (the claim id itself if nothing better is known)."""
    if statement:
        return statement
    parts = claim_id.split(".")
    if len(parts) == 3 and parts[0] == "result" and parts[1] in _POLICY_LABELS \
            and parts[2] in _METRIC_LABELS:
        return f"{_POLICY_LABELS[parts[1]]}: {_METRIC_LABELS[parts[2]]}"
    return claim_id


def _shorten(text: str, limit: int = 90) -> str:
    """Long descriptive values (e.g. the six models with providers) cut to ``limit`` characters."""
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;") + "…"


def ledger_table(df: pd.DataFrame, digits: int = 3) -> pd.DataFrame:
    """A display version of :func:`collect`'s table (formatted numbers, interval as text).

    Numbers get ``digits`` decimals, except whole numbers of 1,000 or more (counts), which are
    written with thousands separators.
    """
    def fmt(x):
        if _missing(x):
            return ""
        if isinstance(x, bool):
            return str(x)
        if isinstance(x, (int, float)):
            if abs(x) >= 1000 and float(x).is_integer():
                return f"{x:,.0f}"
            return f"{x:.{digits}f}"
        return str(x)

    out = pd.DataFrame({
        "claim": df["id"],
        "article says": [describe(i, st) for i, st in zip(df["id"], df["statement"].fillna(""))],
        "article value": df["article"].map(fmt).map(_shorten),
        "ours": df["ours"].map(fmt).map(_shorten),
        "95% interval": [f"[{fmt(a)}, {fmt(b)}]" if not (_missing(a) or _missing(b)) else ""
                         for a, b in zip(df["lo"], df["hi"])],
        "verdict": [v if not c or c in ("every clause holds", "no clause holds") or v == "not checkable here"
                    else f"{v} ({c})" for v, c in zip(df["verdict"], df.get("clause", pd.Series([""] * len(df))).fillna(""))],
        "real data": [real_text(r, digits, note_limit=50)
                      for r in (df["real"] if "real" in df else [{}] * len(df))],
        "chapter": df["chapter"].fillna(""),
    })
    return out


def real_text(real: dict | None, digits: int = 3, note_limit: int | None = None) -> str:
    """The real-data checks of one claim as lines "source: value [lo, hi] (verdict)", or "—".

    ``real`` is the ``real`` entry of :func:`record` ({source: {"ours", "lo", "hi", "verdict",
    "note"}}); a source whose cost is estimated is labelled "(estimated cost)"; a check without a
    value reads "n/a" followed by its note (cut to ``note_limit`` characters when given).
    """
    from routerlab.reproduction.findings import source_label

    if not real:
        return "—"
    lines = []
    for src, r in real.items():
        name = source_label(src)
        ours = r.get("ours")
        if _missing(ours):
            value = "n/a" + (f", {_shorten(r['note'], note_limit or len(r['note']))}" if r.get("note") else "")
        elif isinstance(ours, (int, float)) and not isinstance(ours, bool):
            value = f"{ours:.{digits}f}"
            if not (_missing(r.get("lo")) or _missing(r.get("hi"))):
                value += f" [{r['lo']:.{digits}f}, {r['hi']:.{digits}f}]"
        else:
            value = _shorten(str(ours), 60)
        lines.append(f"{name}: {value} ({r['verdict']})")
    return "\n".join(lines)


def real_verdict_counts(df: pd.DataFrame) -> pd.DataFrame:
    """Real-data checks per source (rows, sorted) and verdict (columns, :data:`VERDICTS` order,
    zeros included) from :func:`collect`'s table; no rows when no chapter checked real data."""
    pairs = [(src, r["verdict"]) for real in df.get("real", pd.Series(dtype=object))
             for src, r in (real or {}).items()]
    frame = pd.DataFrame(pairs, columns=["source", "verdict"])
    counts = pd.crosstab(frame["source"], frame["verdict"]) if len(frame) else pd.DataFrame(
        index=pd.Index([], name="source"))
    counts = counts.reindex(columns=list(VERDICTS), fill_value=0).fillna(0).astype(int)
    counts.columns.name = None
    return counts.sort_index()


def ledger_html(display: pd.DataFrame, link=None) -> str:
    """:func:`ledger_table`'s frame as the book's compact HTML table: our value with its 95%
    interval on a second line, long cells wrapped in fixed-width columns, one line per real source
    in "real data"; the table scrolls sideways inside the page when it is wider (see
    :func:`routerlab.book.tables.html_table`). With ``link`` (chapter stem -> URL) the chapter
    column shows the chapter's number as a link to it.
    """
    import html

    from routerlab.book.tables import html_table

    compact = display.copy()
    if "95% interval" in compact:
        compact["ours"] = [f"{o}\n{i}" if o and i else o
                           for o, i in zip(compact["ours"], compact["95% interval"])]
        compact = compact.drop(columns="95% interval")
    raw = []
    if link is not None and "chapter" in compact:
        compact["chapter"] = [f'<a href="{html.escape(link(c))}" title="{html.escape(c)}">{html.escape(c[:2])}</a>'
                              if c else "" for c in compact["chapter"]]
        raw = ["chapter"]
    # about 57 em at 0.75 em: the width of the book's text column, so that nothing scrolls there
    widths = {"claim": "8em", "article says": "12.5em", "article value": "6.5em", "ours": "6.5em",
              "verdict": "7em", "real data": "13.5em", "chapter": "3em" if raw else "7em"}
    return html_table(compact, widths={k: v for k, v in widths.items() if k in compact},
                      html_columns=raw, css_class="rl-ledger", font_size="0.75em")
