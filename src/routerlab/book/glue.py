"""Glue a computed value for the book's prose (myst-nb ``glue``), as a plain Python value.

myst-nb stores what a value *displays as*; a NumPy scalar would display as ``np.float64(0.5)``
and break ``{glue:text}`key:.3f``` formatting. :func:`glue_value` converts NumPy scalars to
``bool``/``int``/``float`` first and never displays the value in the notebook.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import numpy as np

from routerlab.errors import RouterlabError

__all__ = ["glued_outputs", "glued_values", "glue_dict", "plain", "glue_value", "glue_formatted", "formatted", "glue_figure"]


def plain(value):
    """``value`` with NumPy scalars (bool, integer, floating) turned into Python ones."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value)
    return value


def glue_value(key: str, value) -> None:
    """Glue ``plain(value)`` under ``key`` without displaying it.

    Returns None, so a notebook cell that ends with a call shows no output.
    """
    from myst_nb import glue

    glue(key, plain(value), display=False)


def glue_formatted(key: str, value, fmt: str = "{:.3f}", missing: str = "n/a") -> str:
    """Glue ``value`` as text formatted by ``fmt``; None or NaN glue ``missing`` instead.

    For numbers that exist only when a data folder is present: the prose writes
    ``{glue:text}`key``` and reads "n/a" (never "nan") when the data is absent. Returns the text.
    """
    from myst_nb import glue

    text = formatted(value, fmt, missing)
    glue(key, text, display=False)
    return text


def formatted(value, fmt: str = "{:.3f}", missing: str = "n/a") -> str:
    """The text :func:`glue_formatted` glues: ``value`` formatted by ``fmt``, ``missing`` for None or NaN."""
    v = plain(value)
    absent = v is None or (isinstance(v, float) and not np.isfinite(v))
    return missing if absent else fmt.format(v)


def glue_figure(key: str, fig) -> None:
    """Glue a matplotlib figure for a ``{glue:figure}`` in the text and close it, so the cell shows
    no second copy."""
    import matplotlib.pyplot as plt
    from myst_nb import glue

    glue(key, fig, display=False)
    plt.close(fig)


def glue_dict(values) -> None:
    """Glue every ``{key: value}`` with :func:`glue_value`; a ``(value, format)`` pair is glued as
    text with :func:`glue_formatted` ("n/a" when missing). Chapters' modules return such dicts."""
    for key, value in values.items():
        if isinstance(value, tuple):
            glue_formatted(key, *value)
        else:
            glue_value(key, value)


# ---- reading glued values back from an executed notebook ----------------------------------------
def glued_outputs(nb_path: Path):
    """(name, text/plain) of every glued output of one executed notebook, in cell order."""
    path = Path(nb_path)
    if not path.is_file():
        raise RouterlabError(f"no executed notebook at {path}; run it first (make notebooks)")
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RouterlabError(f"{path} is not a notebook (invalid JSON: {exc.msg})") from None
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []):
            name = out.get("metadata", {}).get("scrapbook", {}).get("name", "")
            if not name:
                continue
            data = out.get("data", {})
            text = next((v for k, v in data.items() if k.endswith("text/plain")), None)
            if text is None:
                continue
            yield name, "".join(text) if isinstance(text, list) else text



def glued_values(nb_path: str | Path) -> dict:
    """Every value glued in an executed notebook, ``{key: value}``.

    Values are read back from their text form: numbers, strings, lists and dicts come back as
    Python objects (via ``ast.literal_eval``); anything else (a table, a figure) as its text.
    """
    out = {}
    for name, text in glued_outputs(Path(nb_path)):
        try:
            out[name] = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            out[name] = text
    return out
