"""The house style: table formatting, interval text, figure sizes, non-overlapping labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from routerlab.book import style
from routerlab.errors import RouterlabError


def test_interval_text():
    assert style.interval_text(0.61234, 0.6011, 0.62349) == "0.612 [0.601, 0.623]"
    assert style.interval_text(0.5) == "0.500"
    assert style.interval_text(float("nan"), 0.1, 0.2) == "n/a"
    assert style.interval_text(0.5, None, 0.7, digits=2) == "0.50"


def test_table_formats_for_people():
    df = pd.DataFrame({"mean_cost": [1.332e-16, 0.25], "n_queries": [1500, 20], "rs": [np.nan, 0.7]},
                      index=pd.Index(["a", "b"], name="policy_name"))
    html = style.table(df, digits=3).to_html()
    assert "mean cost" in html and "mean_cost" not in html
    assert "0.000" in html and "e-16" not in html         # a rounding residue reads as 0
    assert "1,500" in html and "n/a" in html and "nan" not in html


def test_figsize_checks_its_range():
    assert style.figsize() == (style.COLUMN_INCHES, 4.2)
    with pytest.raises(RouterlabError, match="outside"):
        style.figsize(height=0)


def _boxes(fig, texts):
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    return [t.get_window_extent(r) for t in texts]


def test_label_points_leaves_no_two_labels_overlapping():
    style.use()
    fig, ax = plt.subplots(figsize=style.figsize())
    x = np.array([0.50, 0.501, 0.502, 0.503, 0.2, 0.8])
    y = np.array([0.50, 0.501, 0.499, 0.500, 0.3, 0.9])  # four points almost on top of each other
    ax.scatter(x, y)
    texts = style.label_points(ax, x, y, ["alpha-router", "beta-router", "gamma-router", "delta-router",
                                          "eps", "zeta"])
    boxes = _boxes(fig, texts)
    overlaps = [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes)) if boxes[i].overlaps(boxes[j])]
    plt.close(fig)
    assert overlaps == []


def test_html_tables_of_one_page_never_restyle_each_other():
    import re

    import pandas as pd

    from routerlab.book.tables import html_table

    wide = pd.DataFrame({"measure": ["a long label"], "x": ["1"], "y": ["2"]})
    fixed = html_table(wide, widths={"measure": "14em", "x": "11em", "y": "11em"})
    free = html_table(wide, nowrap=["x"])
    assert fixed == html_table(wide, widths={"measure": "14em", "x": "11em", "y": "11em"})  # deterministic

    def scoped(page: str) -> set[str]:
        return set(re.findall(r"table\.(rl-table-[0-9a-f]{10})", page))

    (a,), (b,) = scoped(fixed), scoped(free)
    assert a != b and f'class="rl-table {a}"' in fixed and f'class="rl-table {b}"' in free
    # every rule of a table names its own class only: the second table's "width: 100%" and nowrap
    # column cannot reach the first table's fixed layout
    assert "table-layout: fixed" in fixed and "nth-child(2)" in free and "nth-child" not in fixed
    assert not re.search(r"table\.rl-table[ ,{:]", fixed + free)


def test_styler_html_is_the_same_in_every_build(monkeypatch):
    """Tables get element ids from their content and their place on the page, not pandas' random
    ones: two builds write the same HTML, and two tables of one page never share ids."""
    import itertools

    import pandas as pd

    from routerlab.book import style

    frames = [pd.DataFrame({"a": [1.0, 2.0]}), pd.DataFrame({"a": [1.0, 2.0]})]

    def build():
        monkeypatch.setattr(style, "_TABLES", itertools.count())
        return [style._styler_html(style.table(f)) for f in frames]

    first, second = build(), build()
    assert first == second
    ids = [h.split('id="T_', 1)[1].split('"', 1)[0] for h in first]
    assert ids[0] != ids[1]


def test_styler_plain_text_is_its_shape_not_an_address():
    """The notebook stores a text/plain twin of every table; it must not be a memory address."""
    import pandas as pd
    from IPython.core.interactiveshell import InteractiveShell

    from routerlab.book import style

    shell = InteractiveShell.instance()
    style.use()
    data, _ = shell.display_formatter.format(style.table(pd.DataFrame({"a": [1.0, 2.0], "b": [3, 4]})))
    assert data["text/plain"] == "<table: 2 rows x 2 columns>"
