"""Does the simulator tell the truth? Findings measured on simulated and real data, judged by rules
fixed before the real numbers were computed.

The findings and their rules are data (``routerlab/data/findings.yaml``). A chapter measures a
finding on RouterBench-Sim and on each real source it names and calls :func:`record`, which
glues a JSON entry under ``finding:<id>`` (measurements only, no verdict). The chapter "Does the
simulator tell the truth?" calls :func:`collect` on the executed notebooks and :func:`verdict`
turns each (simulated, real) pair into "holds", "does not hold", "inconclusive" or
"not measurable" by the finding's rule.

A measurement is ``{"value": bool | float | None, "lo": float | None, "hi": float | None,
"note": str}``; ``value`` None means it could not be measured (``note`` says why).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Mapping

import pandas as pd
import yaml

from .errors import RouterlabError, check_choice

__all__ = ["VERDICTS", "RULES", "findings", "finding", "measurement", "record", "verdict", "collect",
           "truth_table"]

VERDICTS = ("holds", "does not hold", "inconclusive", "not measurable")
RULES = ("same", "within", "same_sign", "same_side", "at_least")
KEY_PREFIX = "finding:"


@lru_cache(maxsize=1)
def findings() -> tuple[dict, ...]:
    """Every pre-registered finding (id, chapter, statement, kind, rule, parameters, real sources)."""
    with resources.files("routerlab").joinpath("data/findings.yaml").open("r", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    for fd in data:
        check_choice(f"rule of finding {fd.get('id')!r}", fd["rule"], RULES)
    return tuple(data)


def finding(finding_id: str) -> dict:
    """The finding with id ``finding_id`` (one-line error for an unknown id)."""
    ids = [f["id"] for f in findings()]
    check_choice("finding id", finding_id, ids)
    return findings()[ids.index(finding_id)]


def _num(x):
    if x is None:
        return None
    if isinstance(x, bool):
        return x
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise RouterlabError(f"a finding's value must be a number, a bool or None, got {x!r}") from None
    return v if math.isfinite(v) else None


def measurement(value, lo=None, hi=None, note: str = "") -> dict:
    """A measurement entry (NumPy scalars become plain Python; NaN becomes None)."""
    if hasattr(value, "item"):
        value = value.item()
    return {"value": _num(value), "lo": _num(lo), "hi": _num(hi), "note": str(note)}


def record(finding_id: str, *, sim: Mapping, real: Mapping[str, Mapping], glue: bool = True) -> dict:
    """Glue the measurements of one finding: ``sim`` and ``real`` = {source: measurement}.

    Every source the finding names must be in ``real`` (a missing data folder is a measurement with
    value None and a note). Returns the entry.
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


def verdict(finding_id: str, sim: Mapping, real: Mapping) -> str:
    """The verdict of the finding's rule on one (simulated, real) pair of measurements."""
    fd = finding(finding_id)
    s, r = measurement(**sim), measurement(**real)
    if r["value"] is None or (fd["rule"] != "at_least" and s["value"] is None):
        return "not measurable"
    rule = fd["rule"]
    if rule == "same":
        return "holds" if bool(r["value"]) == bool(s["value"]) else "does not hold"
    if rule == "within":
        return "holds" if abs(float(r["value"]) - float(s["value"])) <= float(fd["tol"]) else "does not hold"
    if rule == "same_side":
        t = float(fd["threshold"])
        return "holds" if (float(r["value"]) >= t) == (float(s["value"]) >= t) else "does not hold"
    if rule == "at_least":
        return "holds" if float(r["value"]) >= float(fd["threshold"]) else "does not hold"
    # same_sign
    sim_sign = 1 if float(s["value"]) > 0 else (-1 if float(s["value"]) < 0 else 0)
    real_side = _side(r)
    if real_side == 0 or sim_sign == 0:
        return "inconclusive"
    return "holds" if real_side == sim_sign else "does not hold"


def collect(executed_dir: str | Path) -> dict[str, dict]:
    """{finding id: entry} from the ``finding:*`` glue of every executed notebook in ``executed_dir``."""
    import nbformat

    out: dict[str, dict] = {}
    for path in sorted(Path(executed_dir).glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                glue_key = o.get("metadata", {}).get("scrapbook", {}).get("name", "")
                if not glue_key.startswith(KEY_PREFIX):
                    continue
                text = o.get("data", {}).get("text/plain", "")
                entry = json.loads(_unrepr(text))
                out[entry["id"]] = entry
    return out


def _unrepr(text: str) -> str:
    import ast

    return ast.literal_eval(text) if text[:1] in "'\"" else text


def truth_table(entries: Mapping[str, dict]) -> pd.DataFrame:
    """One row per (finding, real source): statement, simulated value, real value, verdict.

    Findings no chapter recorded appear with verdict "not measurable" and a note saying so.
    """
    rows = []
    for fd in findings():
        e = entries.get(fd["id"])
        for src in fd["real"]:
            if e is None:
                sim = real = measurement(None, note="not recorded by its chapter in this build")
            else:
                sim, real = e["sim"], e["real"][src]
            rows.append({"finding": fd["id"], "chapter": fd["chapter"], "statement": fd["statement"],
                         "rule": _rule_text(fd), "source": src, "sim": sim["value"], "sim_lo": sim["lo"],
                         "sim_hi": sim["hi"], "real": real["value"], "real_lo": real["lo"],
                         "real_hi": real["hi"], "verdict": verdict(fd["id"], sim, real),
                         "note": real["note"] or sim["note"]})
    return pd.DataFrame(rows)


def _rule_text(fd: dict) -> str:
    rule = fd["rule"]
    if rule == "same":
        return "same answer"
    if rule == "within":
        return f"|real - sim| <= {fd['tol']}"
    if rule == "same_side":
        return f"both >= {fd['threshold']} or both below"
    if rule == "at_least":
        return f"real >= {fd['threshold']}"
    return "same sign, real interval excludes 0"
