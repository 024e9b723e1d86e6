"""The book's house style: one look for every figure and table.

    from routerlab.book import style
    style.use()                          # once per notebook, before any figure
    fig, ax = plt.subplots(figsize=style.figsize())
    style.label_points(ax, x, y, names)  # direct labels that do not overlap
    style.table(df, digits=3)            # a table formatted for people

Figures are sized for the book's text column (about 700 CSS pixels): the default width is 7 inches
at 100 dpi, fonts are 10-11 pt (14-15 px on the page), and the inline backend renders PNG at twice
that resolution (``retina``), so lines and text stay sharp on high-density screens. Colours follow
the Okabe-Ito palette, distinguishable by the common forms of colour blindness.
"""

from __future__ import annotations

import itertools

from typing import Mapping, Sequence

import numpy as np

__all__ = ["PALETTE", "COLUMN_INCHES", "TABLE_STYLES", "use", "figsize", "label_points", "table", "interval_text",
           "readable_header"]

#: Okabe & Ito (2008) colour-blind-safe palette (black moved last).
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000")
#: Width of the book's text column, in inches at 100 dpi.
COLUMN_INCHES = 7.0

_RC = {
    "figure.dpi": 100, "savefig.dpi": 200, "figure.figsize": (COLUMN_INCHES, 4.2),
    "figure.constrained_layout.use": True,
    "font.size": 11, "axes.titlesize": 11, "axes.labelsize": 11, "xtick.labelsize": 10,
    "ytick.labelsize": 10, "legend.fontsize": 10, "legend.title_fontsize": 10,
    "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.3,
    "lines.linewidth": 1.8, "lines.markersize": 5, "legend.frameon": False,
    "image.cmap": "viridis", "svg.fonttype": "none",
}


#: Cell styles of every table on a page: space between columns, numbers and row labels on one
#: line (headers may wrap), the caption above the table.
TABLE_STYLES = [
    {"selector": "td, th.row_heading", "props": "padding: 0.15em 0.45em; white-space: nowrap;"},
    {"selector": "th.col_heading", "props": "padding: 0.15em 0.45em;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold;"},
]


_TABLES = itertools.count()


def _styler_html(styler) -> str:
    """A pandas Styler as the page shows it: pandas' table class (so the book's theme draws it as it
    draws a DataFrame, with borders and striped rows, instead of cells running together) and
    :data:`TABLE_STYLES`. Its element ids come from its content and its place on the page (pandas
    draws random ones), so the same build writes the same HTML."""
    import hashlib

    digest = hashlib.sha256(styler.data.to_csv().encode()).hexdigest()[:8]
    return styler.set_uuid(f"{digest}{next(_TABLES)}").set_table_attributes('class="dataframe"').set_table_styles(
        TABLE_STYLES, overwrite=False).to_html()


def use() -> None:
    """Apply the house style to matplotlib, to the notebook's inline figures (retina PNG) and to
    the tables (pandas Stylers) a notebook displays."""
    import matplotlib as mpl
    from cycler import cycler

    mpl.rcParams.update(_RC)
    mpl.rcParams["axes.prop_cycle"] = cycler(color=list(PALETTE))
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
        from pandas.io.formats.style import Styler
    except ImportError:  # outside IPython: nothing more to configure
        return
    set_matplotlib_formats("retina")
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type(Styler, _styler_html)
        # the plain-text twin the notebook also stores: its shape, not a memory address
        shell.display_formatter.formatters["text/plain"].for_type(
            Styler, lambda s, p, cycle: p.text(f"<table: {s.data.shape[0]} rows x {s.data.shape[1]} columns>"))


def figsize(height: float = 4.2, width: float = COLUMN_INCHES) -> tuple[float, float]:
    """(width, height) in inches; the width defaults to the text column."""
    if not (0 < width <= COLUMN_INCHES * 1.5 and 0 < height <= 12):
        from routerlab.errors import RouterlabError

        raise RouterlabError(f"figure size {width} x {height} in is outside (0, {COLUMN_INCHES * 1.5}] x (0, 12]")
    return (width, height)


def label_points(ax, x, y, labels: Sequence[str], fontsize: float = 9, **kwargs):
    """Write ``labels`` next to the points (x, y) without overlaps (adjustText moves them apart and
    draws a thin leader line where a label had to move). Returns the text artists."""
    from adjustText import adjust_text

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    texts = [ax.text(xi, yi, str(lab), fontsize=fontsize) for xi, yi, lab in zip(x, y, labels)
             if np.isfinite(xi) and np.isfinite(yi)]
    if texts:
        adjust_text(texts, x=x[np.isfinite(x) & np.isfinite(y)], y=y[np.isfinite(x) & np.isfinite(y)], ax=ax,
                    arrowprops=dict(arrowstyle="-", color="0.5", lw=0.5), **kwargs)
    return texts


def interval_text(value, lo=None, hi=None, digits: int = 3) -> str:
    """"0.612 [0.601, 0.623]" (or "0.612" without an interval); "n/a" for a missing value."""
    def f(v):
        return "n/a" if v is None or not np.isfinite(float(v)) else f"{float(v):.{digits}f}"
    if value is None or not np.isfinite(float(value)):
        return "n/a"
    if lo is None or hi is None or not (np.isfinite(float(lo)) and np.isfinite(float(hi))):
        return f(value)
    return f"{f(value)} [{f(lo)}, {f(hi)}]"


def readable_header(name: str) -> str:
    """"mean_cost" -> "mean cost"; keeps names that are already readable."""
    return str(name).replace("_", " ")


def table(frame, digits: int = 3, formats: Mapping[str, str] | None = None, caption: str | None = None,
          hide_index: bool = False, na: str = "n/a"):
    """A pandas Styler for the book: readable headers, ``digits`` decimals for floats (a tiny value
    such as 1e-16 shows as 0.000), integers with thousands separators, missing values as ``na``.
    ``formats`` overrides the format of named columns (e.g. {"mean cost $": "{:.2e}"})."""
    import pandas as pd

    df = frame.copy()
    df.columns = [readable_header(c) if isinstance(c, str) else c for c in df.columns]
    if df.index.name:
        df.index.name = readable_header(df.index.name)
    fmt = {}
    for c in df.columns:
        col = df[c]
        if pd.api.types.is_bool_dtype(col):
            continue
        if pd.api.types.is_integer_dtype(col):
            fmt[c] = "{:,}"
        elif pd.api.types.is_float_dtype(col):
            fmt[c] = f"{{:.{digits}f}}"
    for c, f in (formats or {}).items():
        fmt[readable_header(c)] = f
    styler = df.style.format(fmt, na_rep=na)
    if caption:
        styler = styler.set_caption(caption)
    if hide_index:
        styler = styler.hide(axis="index")
    return styler
