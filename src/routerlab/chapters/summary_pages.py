"""What the summary pages share (chapter 09, the ledger, the status page): the executed chapters
they read and the parameters each ran with against the book's, the note that names the chapters
run with other parameters, and gluing a dict of values for the prose."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Mapping

from routerlab.book import run as bookrun
from routerlab.book.glue import glue_value

__all__ = ["glue_all", "papermill_parameters", "chapters_read", "other_parameters_note"]


def glue_all(values: Mapping) -> None:
    """:func:`routerlab.book.glue.glue_value` every ``{key: value}`` of ``values`` (numbers, text,
    HTML, tables), in order; returns None, so a cell that ends with it shows nothing."""
    for key, value in values.items():
        glue_value(key, value)


def papermill_parameters(path: str | Path) -> dict:
    """The parameters papermill injected into the executed notebook ``path`` ({} when none)."""
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    return nb.get("metadata", {}).get("papermill", {}).get("parameters", {})


def chapters_read(executed_dir: str | Path, below: int = 90, sources_dir: str | Path = ".",
                  exclude: tuple[str, ...] = ()) -> dict:
    """The executed chapters ``NN_name.ipynb`` (``NN < below``, stems not in ``exclude``) of
    ``executed_dir`` that belong to the book in ``sources_dir``, and the parameters they ran with.

    Returns ``{"chapters": [Path], "check": bookrun.parameter_check(...), "rows": {stem: its row
    of check["notebooks"]}, "other": [stems of the chapters run with other parameters than the
    book's reference]}``.
    """
    chapters = [p for p in bookrun.book_chapters(executed_dir, sources_dir=sources_dir, below=below)
                if p.stem not in exclude]
    check = bookrun.parameter_check(executed_dir, sources_dir)
    rows = {r["notebook"]: r for r in check["notebooks"]}
    other = [p.stem for p in chapters if rows.get(p.stem, {}).get("differs")]
    return {"chapters": chapters, "check": check, "rows": rows, "other": other}


def other_parameters_note(read: Mapping, recorded: Mapping[str, list], same: str, what: str) -> str:
    """For the prose: ``same`` when every chapter of ``read`` (:func:`chapters_read`) ran with the
    book's parameters; else which chapters did not, and which of the page's ``what`` (e.g.
    "rows") come from each (``recorded``: stem -> ids), with the advice to rerun them."""
    if not read["other"]:
        return same
    text = bookrun.parameter_text
    return ("NOT all with the book's parameters (" + text(read["check"]["reference"]) + "): " + "; ".join(
        f"{c} ran with {text(read['rows'][c]['differs'])}, and the {what} "
        + (", ".join(recorded[c]) or "(none)") + " come from it" for c in read["other"])
        + "; rerun with the book's parameters (the status page gives the command)")
