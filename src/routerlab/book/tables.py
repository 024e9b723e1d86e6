"""Wide text tables for the book's pages: wrapped cells, fixed column widths, horizontal scrolling.

pandas' ``to_html`` writes every cell on one line and lets the theme decide the rest, so a table
with long statements is either clipped or pushed off the page. :func:`html_table` writes plain
``<table>/<th>/<td>`` markup (no attributes on the cells, so tests can search the page for
``<td>value</td>``), one scoped ``<style>`` block that wraps long text and gives chosen columns a
width, and a wrapper ``<div>`` that scrolls horizontally inside the page's column when the table
is still too wide (on a phone, say).

    from IPython.display import HTML
    glue("truth_table", HTML(html_table(frame, widths={"statement": "22em"})), display=False)
"""

from __future__ import annotations

import hashlib
import html
import re
from typing import Iterable, Mapping

import pandas as pd

__all__ = ["html_table"]

_CLASS_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def html_table(frame: pd.DataFrame, *, widths: Mapping[str, str] | None = None,
               html_columns: Iterable[str] = (), css_class: str = "rl-table",
               font_size: str = "0.85em", nowrap: Iterable[str] = ()) -> str:
    """``frame`` (no index) as an HTML table whose long cells wrap.

    ``widths``: {column: CSS width such as "22em"} for the columns that hold long text (the
    others size to their content); when every column has a width in ``em``, the table gets a
    fixed layout of their sum (in the table's font size), wraps text inside those widths and
    scrolls sideways when wider than the page; ``html_columns``: columns whose cells are already HTML (e.g.
    links) and are not escaped; ``nowrap``: columns kept on one line (short labels, intervals).
    Text cells are HTML-escaped and a newline in a cell becomes a line break. ``css_class`` scopes
    the style block (letters, digits, ``-``, ``_``). Returns the HTML text.
    """
    if not _CLASS_RE.match(css_class):
        raise ValueError(f"css_class must be a simple class name, got {css_class!r}")
    widths = dict(widths or {})
    raw = set(html_columns)
    cols = [str(c) for c in frame.columns]
    unknown = (set(widths) | raw | set(nowrap)) - set(cols)
    if unknown:
        raise ValueError(f"no such column(s): {sorted(unknown)}")

    def cell(col: str, value) -> str:
        if value is None or (isinstance(value, float) and value != value):
            return ""
        text = str(value)
        return text if col in raw else html.escape(text).replace("\n", "<br>")

    nowrap_idx = [i + 1 for i, c in enumerate(cols) if c in set(nowrap)]
    ems = [_em(widths.get(c)) for c in cols]
    if all(e is not None for e in ems):  # every width known: fixed layout, scroll when too wide
        layout = f"table-layout: fixed; width: {sum(ems):g}em; min-width: {sum(ems):g}em;"
    else:
        layout = "width: 100%;"
    colgroup = "".join(f'<col style="width: {widths[c]}">' if c in widths else "<col>" for c in cols)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = "\n".join("<tr>" + "".join(f"<td>{cell(c, v)}</td>" for c, v in zip(cols, row)) + "</tr>"
                     for row in frame.itertuples(index=False, name=None))
    # The style block is global to the page: each table's rules are scoped to a class of its own
    # (a digest of its layout and content), so that two tables of a page never restyle each other.
    key = "\x1f".join([css_class, font_size, layout, colgroup, head, body, repr(nowrap_idx)])
    uid = f"{css_class}-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:10]}"
    rules = [
        f".{css_class}-wrap {{overflow-x: auto; max-width: 100%; margin-bottom: 1em;}}",
        f"table.{uid} {{border-collapse: collapse; font-size: {font_size}; {layout}}}",
        f"table.{uid} th, table.{uid} td {{white-space: normal; overflow-wrap: anywhere;"
        " vertical-align: top; text-align: left; padding: 0.3em 0.5em;"
        " border-bottom: 1px solid #ddd;}",
    ]
    rules += [f"table.{uid} td:nth-child({i}), table.{uid} th:nth-child({i}) "
              "{white-space: nowrap;}" for i in nowrap_idx]
    return (f"<style>{' '.join(rules)}</style>\n"
            f'<div class="{css_class}-wrap"><table class="{css_class} {uid}">'
            f"<colgroup>{colgroup}</colgroup>\n<thead><tr>{head}</tr></thead>\n"
            f"<tbody>\n{body}\n</tbody></table></div>")


def _em(width: str | None) -> float | None:
    """``"12em"`` -> 12.0; anything else (None, "30%", "100px") -> None."""
    if width is None or not str(width).endswith("em"):
        return None
    try:
        return float(str(width)[:-2])
    except ValueError:
        return None
