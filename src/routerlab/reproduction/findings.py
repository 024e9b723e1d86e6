"""Does the simulator tell the truth? Findings measured on simulated and real data, judged by rules
fixed before the real numbers were computed.

The findings and their rules are data (``routerlab/reproduction/findings.yaml``). A chapter measures a
finding on RouterBench-Sim and on each real source it names and calls :func:`record`, which
glues a JSON entry under ``finding:<id>`` (measurements only, no verdict). The chapter "Does the
simulator tell the truth?" calls :func:`collect` on the executed notebooks and :func:`verdict`
turns each (simulated, real) pair into "holds", "does not hold", "inconclusive" or
"not measurable" by the finding's rule.

A measurement is ``{"value": bool | float | None, "lo": float | None, "hi": float | None,
"note": str}``; ``value`` None means it could not be measured (``note`` says why).

    from routerlab.reproduction import findings as simcheck
    simcheck.record("algo.mf_top3", sim={"value": True},
                    real={"routerbench-subset": {"value": False}, "llmrouter": {"value": None,
                          "note": "data folder not found"}})        # in a chapter
    table = simcheck.truth_table(simcheck.collect("."))             # in chapter 09
"""

from __future__ import annotations

import json
import math
import re
import subprocess
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Iterable, Mapping

import pandas as pd
import yaml

from routerlab.errors import RouterlabError, check_choice

__all__ = ["VERDICTS", "RULES", "KINDS", "RULE_PARAMETERS", "ESTIMATED_COST_SOURCES", "findings",
           "finding", "measurement", "record", "verdict", "chapter_notebooks", "collect",
           "truth_table", "rule_text", "rules_table", "verdict_counts", "source_label", "is_identity",
           "identities", "refutable", "identity_table", "graded_cells",
           "format_measurement", "findings_history", "FINDINGS_PATH", "display_table",
           "verdict_grid", "summary"]

VERDICTS = ("holds", "does not hold", "inconclusive", "not measurable")
RULES = ("same", "within", "same_sign", "same_side", "at_least", "positive")
KINDS = ("boolean", "number")
#: The parameter(s) each rule needs in findings.yaml.
#: Rules that judge the real value alone (the simulated one is shown, not used).
_SIM_UNUSED = ("at_least", "positive")
RULE_PARAMETERS = {"same": (), "within": ("tol",), "same_sign": (), "same_side": ("threshold",),
                   "at_least": ("threshold",), "positive": ()}
#: Real sources whose per-query cost is estimated from list prices and token counts, not observed
#: (routerbench-subset's cost is RouterBench's own; routellm's costs are computed in chapter 08).
ESTIMATED_COST_SOURCES = ("llmrouter", "mmlu-pro")
#: The keys an entry of findings.yaml may have.
FIELDS = ("id", "chapter", "statement", "kind", "rule", "real", "tol", "threshold", "identity")
KEY_PREFIX = "finding:"
#: Where the findings live in the repository (for :func:`findings_history`).
FINDINGS_PATH = "src/routerlab/reproduction/findings.yaml"


@lru_cache(maxsize=1)
def findings() -> tuple[dict, ...]:
    """Every pre-registered entry of findings.yaml (id, chapter, statement, kind, rule, parameters,
    real sources; ``identity``: the proof, for an entry that is an identity), identities included."""
    with resources.files("routerlab.reproduction").joinpath("findings.yaml").open("r", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    for fd in data:
        check_choice(f"rule of finding {fd.get('id')!r}", fd["rule"], RULES)
        missing = [p for p in RULE_PARAMETERS[fd["rule"]] if p not in fd]
        if missing:
            raise RouterlabError(f"finding {fd['id']!r}: rule {fd['rule']!r} needs {missing}")
        unknown = set(fd) - set(FIELDS)
        if unknown:
            raise RouterlabError(f"finding {fd.get('id')!r} has unknown key(s) {sorted(unknown)}; "
                                 f"use {', '.join(FIELDS)}")
        if "identity" in fd and not str(fd["identity"] or "").strip():
            raise RouterlabError(f"finding {fd['id']!r}: 'identity' must hold the proof as text")
    return tuple(data)


def is_identity(fd: Mapping) -> bool:
    """Whether the entry ``fd`` of findings.yaml is an identity (it holds on every benchmark of
    its kind, by the proof in its ``identity`` field) rather than a finding the data could refute."""
    return bool(str(fd.get("identity") or "").strip())


def refutable() -> tuple[dict, ...]:
    """The findings the data could refute: every entry of findings.yaml but the identities."""
    return tuple(fd for fd in findings() if not is_identity(fd))


def identities() -> tuple[dict, ...]:
    """The entries of findings.yaml that are identities (each with its proof, ``identity``)."""
    return tuple(fd for fd in findings() if is_identity(fd))


def graded_cells(quality) -> int:
    """How many cells of a (queries x models) quality table are neither 0 nor 1 (graded scores)."""
    import numpy as np

    q = np.asarray(quality, dtype=np.float64)
    return int(np.count_nonzero((q != 0.0) & (q != 1.0)))


def finding(finding_id: str) -> dict:
    """The finding with id ``finding_id`` (one-line error for an unknown id)."""
    ids = [f["id"] for f in findings()]
    check_choice("finding id", finding_id, ids)
    return findings()[ids.index(finding_id)]


def _num(x):
    if x is None:
        return None
    if hasattr(x, "item"):  # NumPy scalar
        x = x.item()
    if isinstance(x, bool):
        return x
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise RouterlabError(f"a finding's value must be a number, a bool or None, got {x!r}") from None
    return v if math.isfinite(v) else None


def measurement(value=None, lo=None, hi=None, note: str = "") -> dict:
    """A measurement entry (NumPy scalars become plain Python; NaN becomes None)."""
    return {"value": _num(value), "lo": _num(lo), "hi": _num(hi), "note": str(note or "")}


def record(finding_id: str, *, sim: Mapping, real: Mapping[str, Mapping], glue: bool = True) -> dict:
    """Glue the measurements of one finding: ``sim`` = a measurement, ``real`` = {source: measurement}.

    Every source the finding names must be in ``real`` (a missing data folder is a measurement with
    value None and a note). There is no verdict argument: :func:`verdict` decides. Returns the entry.
    """
    fd = finding(finding_id)
    missing = [s for s in fd["real"] if s not in real]
    extra = [s for s in real if s not in fd["real"]]
    if missing or extra:
        raise RouterlabError(f"finding {finding_id!r} is measured on {fd['real']}; got {sorted(real)}")
    entry = {"id": finding_id, "chapter": fd["chapter"], "sim": measurement(**sim),
             "real": {s: measurement(**real[s]) for s in fd["real"]}}
    if glue:
        from myst_nb import glue as _glue

        _glue(KEY_PREFIX + finding_id, json.dumps(entry), display=False)
    return entry


def _side(m: dict, at: float = 0.0) -> int | None:
    """+1 / -1 when the measurement (and its interval, if any) is above / below ``at``; 0 when the
    interval contains ``at``; None when unmeasured."""
    v = m["value"]
    if v is None:
        return None
    lo, hi = m.get("lo"), m.get("hi")
    if lo is not None and hi is not None:
        if lo > at:
            return 1
        if hi < at:
            return -1
        return 0
    return 1 if v > at else (-1 if v < at else 0)


def _at_most(a: float, b: float) -> bool:
    """``a <= b``, counting a difference of rounding size as equality (0.65 - 0.5 is
    0.15000000000000002 in binary floating point, and must be "within 0.15")."""
    return a <= b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def verdict(finding_id: str, sim: Mapping, real: Mapping) -> str:
    """The verdict of the finding's rule on one (simulated, real) pair of measurements.

    "not measurable" when the real value (or, except for ``at_least`` and ``positive``, the simulated value) is
    None. Rules (parameters from findings.yaml): ``same`` -- the two answers are equal;
    ``within`` -- ``|real - sim| <= tol``; ``same_side`` -- both ``>= threshold`` or both below;
    ``at_least`` -- ``real >= threshold``; ``positive`` -- the real value, and its interval when
    given, is above 0 ("inconclusive" when the interval contains 0; the simulated value is not
    used); ``same_sign`` -- the real value, and its interval when
    given, is on the simulated value's side of 0 ("inconclusive" when the real interval contains 0
    or the simulated value is exactly 0).
    """
    fd = finding(finding_id)
    s, r = measurement(**sim), measurement(**real)
    if r["value"] is None or (fd["rule"] not in _SIM_UNUSED and s["value"] is None):
        return "not measurable"
    rule = fd["rule"]
    if rule == "same":
        return "holds" if bool(r["value"]) == bool(s["value"]) else "does not hold"
    if rule == "within":
        return "holds" if _at_most(abs(float(r["value"]) - float(s["value"])), float(fd["tol"])) \
            else "does not hold"
    if rule == "same_side":
        t = float(fd["threshold"])
        return "holds" if _at_most(t, float(r["value"])) == _at_most(t, float(s["value"])) else "does not hold"
    if rule == "at_least":
        return "holds" if _at_most(float(fd["threshold"]), float(r["value"])) else "does not hold"
    real_side = _side(r)
    if rule == "positive":
        return {1: "holds", 0: "inconclusive", -1: "does not hold"}[real_side]
    # same_sign
    sim_sign = 1 if float(s["value"]) > 0 else (-1 if float(s["value"]) < 0 else 0)
    if real_side == 0 or sim_sign == 0:
        return "inconclusive"
    return "holds" if real_side == sim_sign else "does not hold"


_CHAPTER_RE = re.compile(r"^(\d\d)_[A-Za-z0-9_]+\.ipynb$")


def chapter_notebooks(executed_dir: str | Path, below: int = 90) -> list[Path]:
    """The executed chapters ``NN_name.ipynb`` of ``executed_dir`` with ``NN < below``, in name
    order (the ledger notebook reads the same files)."""
    folder = Path(executed_dir)
    if not folder.is_dir():
        raise RouterlabError(f"no folder of executed notebooks at {folder}")
    return sorted(p for p in folder.iterdir() if _CHAPTER_RE.match(p.name) and int(p.name[:2]) < below)


def collect(notebooks: str | Path | Iterable[str | Path]) -> dict[str, dict]:
    """{finding id: entry} from the ``finding:*`` glue of the executed notebooks.

    ``notebooks``: a folder (its :func:`chapter_notebooks`) or notebook paths; when two notebooks
    record the same finding the later one wins. Each entry is what :func:`record` glued, plus
    ``"notebook"`` (the stem of the notebook it came from) and ``"parameters"`` (papermill's).
    """
    from routerlab.book.glue import glued_values

    if isinstance(notebooks, (str, Path)) and Path(notebooks).is_dir():
        notebooks = chapter_notebooks(notebooks)
    elif isinstance(notebooks, (str, Path)):
        notebooks = [notebooks]
    out: dict[str, dict] = {}
    for path in map(Path, notebooks):
        values = glued_values(path)  # one-line errors for a missing or broken notebook
        params = json.loads(path.read_text(encoding="utf-8")).get("metadata", {}).get(
            "papermill", {}).get("parameters", {})
        for key, text in values.items():
            if not key.startswith(KEY_PREFIX):
                continue
            try:
                entry = json.loads(text) if isinstance(text, str) else text
                finding(entry["id"])
            except (ValueError, TypeError, KeyError) as exc:
                raise RouterlabError(f"{path}: glued {key!r} is not a finding entry ({exc})") from None
            out[entry["id"]] = dict(entry, notebook=path.stem, parameters=dict(params))
    return out


def truth_table(entries: Mapping[str, dict]) -> pd.DataFrame:
    """One row per (finding, real source) in findings.yaml order, verdicts by :func:`verdict`;
    identities (:func:`identities`) have no row: :func:`identity_table` shows them.

    Columns: finding, chapter, statement, rule, source, sim, sim_lo, sim_hi, real, real_lo,
    real_hi, verdict, note (the real measurement's note and the simulated one's, labelled when
    both are given and differ). A finding no
    chapter recorded gets verdict "not measurable" with a note saying so.
    """
    rows = []
    for fd in refutable():
        e = entries.get(fd["id"])
        for src in fd["real"]:
            if e is None:
                sim = real = measurement(None, note="not recorded by its chapter in this build")
            else:
                sim = measurement(**e["sim"])
                real = e["real"].get(src)
                real = measurement(**real) if real is not None else measurement(
                    None, note=f"its chapter did not measure it on {src}")
            rows.append({"finding": fd["id"], "chapter": fd["chapter"], "statement": fd["statement"],
                         "rule": rule_text(fd), "source": src, "sim": sim["value"], "sim_lo": sim["lo"],
                         "sim_hi": sim["hi"], "real": real["value"], "real_lo": real["lo"],
                         "real_hi": real["hi"], "verdict": verdict(fd["id"], sim, real),
                         "note": _note(sim["note"], real["note"])})
    cols = ["finding", "chapter", "statement", "rule", "source", "sim", "sim_lo", "sim_hi", "real",
            "real_lo", "real_hi", "verdict", "note"]
    df = pd.DataFrame(rows, columns=cols)
    for c in ("sim", "real"):  # booleans and numbers side by side: keep the Python objects
        df[c] = pd.Series([r[c] for r in rows], dtype=object)
    return df


def _note(sim_note: str, real_note: str) -> str:
    """One note for a (finding, source) row: both notes, labelled, when they differ."""
    if not sim_note or sim_note == real_note:
        return real_note
    if not real_note:
        return f"simulated: {sim_note}"
    return f"real: {real_note}\nsimulated: {sim_note}"


def rule_text(fd: Mapping) -> str:
    """The rule of finding ``fd`` in words, with its parameters (for tables)."""
    rule = fd["rule"]
    if rule == "same":
        return "holds if the real answer is the simulated one"
    if rule == "within":
        return f"holds if |real - simulated| <= {fd['tol']}"
    if rule == "same_side":
        return f"holds if real and simulated are both >= {fd['threshold']} or both below"
    if rule == "at_least":
        return f"holds if real >= {fd['threshold']} (simulated value not used)"
    if rule == "positive":
        return ("holds if real and its interval are above 0; inconclusive if the interval contains 0 "
                "(simulated value not used)")
    return ("holds if real has the simulated sign and its interval excludes 0; "
            "inconclusive if the real interval contains 0")


def rules_table(link=None) -> pd.DataFrame:
    """The pre-registered findings (identities excluded) for display: "finding" (statement and id), "chapter", "rule"
    (with its parameters), "measured on" (the real sources, estimated costs labelled).

    With ``link`` (chapter stem -> URL), "finding" is HTML with a link to the chapter (as in
    :func:`display_table`; render with ``html_columns=["finding"]``) and there is no "chapter"
    column.
    """
    rows = []
    for fd in refutable():
        row = {"finding": f"{fd['statement']}\n({fd['id']})", "chapter": fd["chapter"]}
        if link is not None:
            row = {"finding": _finding_cell(fd["statement"], fd["id"], fd["chapter"], link)}
        row.update({"rule": rule_text(fd), "measured on": "\n".join(source_label(s) for s in fd["real"])})
        rows.append(row)
    return pd.DataFrame(rows)


def identity_table(entries: Mapping[str, dict], link=None) -> pd.DataFrame:
    """The identities of findings.yaml for display, one row each: "identity" (statement and id;
    HTML with a link to the chapter when ``link`` is given), "proof", and "checked" -- what its
    chapter measured (``entries``: :func:`collect`), on RouterBench-Sim and on each real source,
    as a check of the code ("not recorded in this build" when no chapter recorded it)."""
    rows = []
    for fd in identities():
        e = entries.get(fd["id"])
        if e is None:
            checked = "not recorded in this build"
        else:
            parts = [("RouterBench-Sim", e["sim"])] + [(source_label(s), e["real"].get(s) or measurement())
                                                       for s in fd["real"]]
            checked = "\n".join(f"{name}: {format_measurement(m.get('value'))}" for name, m in parts)
        cell = (f"{fd['statement']}\n({fd['id']})" if link is None
                else _finding_cell(fd["statement"], fd["id"], fd["chapter"], link))
        rows.append({"identity": cell, "proof": " ".join(str(fd["identity"]).split()), "checked": checked})
    return pd.DataFrame(rows, columns=["identity", "proof", "checked"])


def source_label(source: str) -> str:
    """``source`` with "(estimated cost)" appended when its costs are estimated."""
    return f"{source} (estimated cost)" if source in ESTIMATED_COST_SOURCES else source


def verdict_counts(table: pd.DataFrame) -> pd.DataFrame:
    """(finding, source) pairs per source (rows, :func:`truth_table` order of first appearance)
    and verdict (columns, :data:`VERDICTS` order, zeros included), with a "total" column."""
    sources = list(dict.fromkeys(table["source"]))
    counts = pd.crosstab(table["source"], table["verdict"]).reindex(index=sources, columns=list(VERDICTS),
                                                                    fill_value=0)
    counts = counts.astype(int)
    counts["total"] = counts.sum(axis=1)
    counts.index.name, counts.columns.name = "source", None
    return counts


def _sig(x: float, digits: int = 3) -> str:
    """``x`` to ``digits`` significant digits, without exponent for the values findings take."""
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - int(math.floor(math.log10(abs(x)))))
    return f"{x:.{decimals}f}"


def format_measurement(value, lo=None, hi=None, digits: int = 3) -> str:
    """A measurement for a reader: "yes"/"no" for booleans, "0.612 [0.590, 0.634]" for a number
    with its 95% interval (``digits`` significant digits), "not measured" for None."""
    value, lo, hi = _num(value), _num(lo), _num(hi)
    if value is None:
        return "not measured"
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = _sig(value, digits)
    if lo is not None and hi is not None and not isinstance(lo, bool):
        scale = max(abs(value), abs(lo), abs(hi))
        d = max(0, digits - 1 - int(math.floor(math.log10(scale)))) if scale else 0
        text = f"{value:.{d}f} [{lo:.{d}f}, {hi:.{d}f}]"
    return text


def findings_history(repo_root: str | Path, path: str = FINDINGS_PATH) -> dict:
    """Where the pre-registered rules come from, read from git at run time.

    Returns ``{"added_commit", "added_date", "added_subject", "n_later_commits", "later",
    "uncommitted"}``: the commit that added ``path``, how many later commits changed it and which
    (``later``: [{"commit", "date", "subject"}], oldest first), and whether the work tree differs
    from the last commit. Without git or outside a clone the commit fields are None (``later``
    empty, ``uncommitted`` None).
    """
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=str(repo_root), capture_output=True, text=True,
                              check=True, timeout=30).stdout.strip()

    out = {"added_commit": None, "added_date": None, "added_subject": None, "n_later_commits": None,
           "later": [], "uncommitted": None}
    try:
        log = git("log", "--format=%H%x09%ad%x09%s", "--date=short", "--follow", "--diff-filter=AM", "--",
                  path).splitlines()  # a pure move is no change
        added = git("log", "--diff-filter=A", "--follow", "--format=%H%x09%ad%x09%s", "--date=short",
                    "--", path).splitlines()
        status = git("status", "--porcelain", "--", path)
    except (OSError, subprocess.SubprocessError):
        return out
    if not added:
        return out
    sha, date, subject = (added[-1].split("\t", 2) + ["", ""])[:3]
    commits = [(line.split("\t", 2) + ["", ""])[:3] for line in log]
    shas = [c[0] for c in commits]
    later = commits[: shas.index(sha)] if sha in shas else commits
    out.update(added_commit=sha, added_date=date, added_subject=subject, n_later_commits=len(later),
               later=[{"commit": c, "date": d, "subject": s} for c, d, s in reversed(later)],
               uncommitted=bool(status))
    return out


def _finding_cell(statement: str, finding_id: str, chapter: str, link) -> str:
    """HTML: the statement, then the id and a link to the chapter on a second, smaller line."""
    import html

    return (f"{html.escape(statement)}<br><small><code>{html.escape(finding_id)}</code>, "
            f'chapter <a href="{html.escape(link(chapter))}">{html.escape(chapter[:2])}</a></small>')


def _clip(text: str, limit: int | None) -> str:
    if limit is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip(" ,;:") + "…"


def display_table(table: pd.DataFrame, link=lambda chapter: f"{chapter}.html",
                  note_limit: int | None = None) -> pd.DataFrame:
    """:func:`truth_table` for readers: one row per (finding, real source); the finding, its
    simulated value and its rule are written on its first row only.

    Columns: "finding" (HTML: the statement, the id and a link made by ``link`` to the chapter
    that measures it; render with ``html_columns=["finding"]``), "real source" (with "(estimated
    cost)" where it applies), "simulated" (RouterBench-Sim; "not used" when the rule ignores it),
    "real", "verdict", "rule", "note" (cut to ``note_limit`` characters with "…" when given).
    Values by :func:`format_measurement`.
    """
    rows, previous = [], None
    rule_of = {fd["id"]: fd["rule"] for fd in findings()}
    for r in table.itertuples(index=False):
        first = r.finding != previous
        previous = r.finding
        sim = format_measurement(r.sim, r.sim_lo, r.sim_hi)
        if rule_of.get(r.finding) in _SIM_UNUSED and _num(r.sim) is None:
            sim = "not used"
        rows.append({
            "finding": _finding_cell(r.statement, r.finding, r.chapter, link) if first else "",
            "real source": source_label(r.source),
            "simulated": sim if first else "",
            "real": format_measurement(r.real, r.real_lo, r.real_hi),
            "verdict": r.verdict,
            "rule": r.rule if first else "",
            "note": _clip(r.note, note_limit),
        })
    return pd.DataFrame(rows, columns=["finding", "real source", "simulated", "real", "verdict", "rule",
                                       "note"])


def verdict_grid(table: pd.DataFrame) -> pd.DataFrame:
    """Verdicts as a (finding x source) frame, None where the finding is not measured on a source."""
    grid = table.pivot(index="finding", columns="source", values="verdict")
    grid = grid.reindex(index=list(dict.fromkeys(table["finding"])),
                        columns=list(dict.fromkeys(table["source"])))
    return grid.astype(object).where(grid.notna(), None)


def summary(table: pd.DataFrame) -> dict:
    """Counts and lists for the prose: ``n_pairs``, ``n_measured``, ``n_<verdict>`` (spaces as
    ``_``) over every (finding, source) pair; ``<verdict>_list`` -- "id (source, source); ..." or
    "none"; ``wrong_detail`` -- for each pair that does not hold, its statement with both values
    ("none" when there is none)."""
    out: dict = {"n_pairs": int(len(table))}
    for v in VERDICTS:
        sel = table[table["verdict"] == v]
        key = v.replace(" ", "_")
        out[f"n_{key}"] = int(len(sel))
        groups: dict[str, list[str]] = {}
        for f, s in zip(sel["finding"], sel["source"]):
            groups.setdefault(f, []).append(s)
        out[f"{key}_list"] = "; ".join(f"{f} ({', '.join(s)})" for f, s in groups.items()) or "none"
    out["n_measured"] = out["n_pairs"] - out["n_not_measurable"]
    wrong = table[table["verdict"] == "does not hold"]
    out["wrong_detail"] = "; ".join(
        f"{r.finding} on {source_label(r.source)}: simulated {format_measurement(r.sim, r.sim_lo, r.sim_hi)}, "
        f"real {format_measurement(r.real, r.real_lo, r.real_hi)}" for r in wrong.itertuples()) or "none"
    return out
