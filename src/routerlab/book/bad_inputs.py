"""The corpus of bad command-line inputs (``bad_inputs.yaml`` beside this module).

Each case names a class of bad input, the command (``routerlab`` or the book runner) and the
outcome it must get (``error``: one line and exit status 2, nothing written; ``warning``: the
results and one warning line). ``tests/test_io_safety.py`` runs every case; the status page
counts them by class and outcome (:func:`counts`).
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from routerlab.errors import RouterlabError

__all__ = ["cases", "counts", "OUTCOMES"]

#: What each outcome means, for the page.
OUTCOMES = {"error": "one line, exit status 2, no file written or changed",
            "warning": "results printed, one warning line, no file changed"}


def cases() -> list[dict]:
    """Every case of the corpus: dicts with ``class``, ``expect`` (a key of :data:`OUTCOMES`),
    ``argv`` (str), ``match`` (str), ``tool`` (``routerlab`` or ``bookrun``) and for warnings
    ``stdout`` (str). A malformed entry raises one line."""
    import yaml

    text = resources.files("routerlab").joinpath("book/bad_inputs.yaml").read_text(encoding="utf-8")
    out = []
    for i, c in enumerate(yaml.safe_load(text)["cases"]):
        c = dict(c, tool=c.get("tool", "routerlab"))
        if (c.get("expect") not in OUTCOMES or not isinstance(c.get("argv"), str) or not c.get("class")
                or not isinstance(c.get("match"), str) or c["tool"] not in ("routerlab", "bookrun")
                or (c["expect"] == "warning" and not isinstance(c.get("stdout"), str))):
            raise RouterlabError(f"bad_inputs.yaml case {i + 1} is malformed: {c!r}")
        out.append(c)
    return out


def counts(corpus: list[dict] | None = None) -> pd.DataFrame:
    """Cases per class (rows, in corpus order) and outcome (columns), with a total column."""
    corpus = cases() if corpus is None else corpus
    df = pd.DataFrame([{"class": c["class"], "outcome": c["expect"]} for c in corpus])
    table = pd.crosstab(df["class"], df["outcome"]).reindex(list(dict.fromkeys(df["class"])))
    table = table.reindex(columns=[o for o in OUTCOMES if o in table.columns])
    table["cases"] = table.sum(axis=1)
    table.columns.name = None
    return table
