"""The browser check: every page of the small test book opened in headless Chromium.

``built_book`` (tests/conftest.py) is served on a localhost port and each page is opened by
``routerlab.book.pages`` in Debian's Chromium (``/usr/bin/chromium``, driven by Playwright, which
never downloads a browser): no console error, no failed or external request, every image loaded,
math rendered by MathJax, nothing wider than the content column, no Python repr (``nan``,
``None``, ``np.float64(...)``, ``'text'``, ...) in the visible text. Each page is its own test
case and saves a full-page screenshot to ``_build/screenshots/`` of the test book's copy. The
lead runs the same check on the full book with ``python -m routerlab.book.pages _build/html``.

Defects that are known and being fixed sit in ``KNOWN_DEFECTS``, one entry per defect with the
reason; an entry that no longer matches anything fails too, so remove it when its page is fixed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from routerlab.book import pages as pagecheck

from conftest import ROOT, toc_files

#: Pages Sphinx adds beside the table of contents (index.html redirects to the first page).
GENERATED_PAGES = ("index.html", "genindex.html", "search.html")
#: Every page of the book: the table of contents in reading order, then the generated pages.
PAGES = [f"{Path(f).with_suffix('')}.html"
         for f in toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))] + list(GENERATED_PAGES)

#: Known defects of today's pages: page -> [(kind, text the reported line contains, reason)];
#: "*" holds those of every page (the theme's). A problem is tolerated only if its kind matches
#: and its line contains that text. Delete an entry when its page is fixed: an entry that matches
#: nothing fails the test until you do (like a strict xfail).
KNOWN_DEFECTS: dict[str, list[tuple[str, str, str]]] = {
    "*": [],
}


def _known(problem: pagecheck.Problem, entry: tuple[str, str, str]) -> bool:
    kind, contains, _reason = entry
    return problem.kind == kind and contains in problem.detail


@pytest.fixture(scope="module")
def browser_results(built_book) -> dict[str, pagecheck.PageResult]:
    """Every page of ``built_book`` checked in one Chromium (closed again before the other tests
    of this module start their own), screenshots in the test book's ``_build/screenshots``."""
    html = built_book["html"]
    if not (html / "index.html").is_file():
        pytest.fail(f"the test book has no HTML to open ({html}); see test_book_builds_strictly")
    if not Path(pagecheck.CHROMIUM).is_file():
        pytest.fail(f"no browser at {pagecheck.CHROMIUM}: apt-get install -y chromium (.ci/run does)")
    results = pagecheck.check_book(html, PAGES, screenshots=built_book["root"] / "_build" / "screenshots")
    return {r.page: r for r in results}


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_page_in_browser(browser_results, page):
    result = browser_results[page]
    known = KNOWN_DEFECTS.get(page, [])
    lines = [f"{page}: {p}" for p in result.problems
             if not any(_known(p, k) for k in known + KNOWN_DEFECTS["*"])]
    lines += [f"{page}: known defect no longer found, delete it from KNOWN_DEFECTS: {k[0]}: {k[1]!r}"
              for k in known if not any(_known(p, k) for p in result.problems)]
    assert not lines, f"{len(lines)} problem(s) in the browser:\n" + "\n".join(lines)
    assert result.screenshot is not None and result.screenshot.is_file(), f"{page}: no screenshot"


@pytest.mark.slow
def test_book_wide_known_defects_still_occur(browser_results):
    problems = [p for r in browser_results.values() for p in r.problems]
    gone = [k[:2] for k in KNOWN_DEFECTS["*"] if not any(_known(p, k) for p in problems)]
    assert not gone, f"book-wide known defects no longer found, delete them from KNOWN_DEFECTS: {gone}"


@pytest.mark.slow
def test_every_page_is_checked(built_book):
    html = built_book["html"]
    if not html.is_dir():
        pytest.fail(f"the test book has no HTML ({html}); see test_book_builds_strictly")
    unchecked = sorted(set(pagecheck.find_pages(html)) - set(PAGES))
    assert not unchecked, f"pages built but not checked in the browser (add them to PAGES): {unchecked}"


def test_known_defects_name_real_pages_and_kinds():
    assert "*" in KNOWN_DEFECTS  # test_page_in_browser reads it
    for page, entries in KNOWN_DEFECTS.items():
        assert page == "*" or page in PAGES, f"KNOWN_DEFECTS names {page}, which is not a page of the book"
        for kind, contains, reason in entries:
            assert kind in pagecheck.KINDS and contains and reason, (page, kind, contains, reason)


# --------------------------------------------------------------------------- the check itself

_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title>
<style>body {{ margin: 0; }} article.bd-article {{ width: 600px; }}</style></head>
<body><main><article class="bd-article">{body}</article></main></body></html>"""
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                     "0000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082")


@pytest.fixture(scope="module")
def tiny_site(tmp_path_factory) -> Path:
    """A two-page site: ``good.html`` is clean, ``bad.html`` has one defect of every kind."""
    site = tmp_path_factory.mktemp("site")
    (site / "_images").mkdir()
    (site / "_images" / "dot.png").write_bytes(_PNG)
    (site / "good.html").write_text(_PAGE.format(body=(
        '<p>A price of $0.50 per query, the article\'s claim. None of the values is missing; '
        'without the data every number would read “nan”.</p>'
        '<img src="_images/dot.png" alt="dot">'
        '<div style="overflow-x: auto"><table><tr><td style="min-width: 2000px">wide, scrolls</td>'
        '</tr></table></div>'
        '<div class="cell_input"><pre>x = None  # code is not prose</pre></div>')))
    (site / "bad.html").write_text(_PAGE.format(body=(
        '<script>console.error("boom")</script>'
        '<img src="_images/missing.png" alt="gone">'
        '<img src="https://example.org/remote.png" alt="remote">'
        '<p>Routing score: nan, chosen: None, best: \'GPT-4\', value np.float64(0.25).</p>'
        '<p>$$x^2$$ was left raw.</p>'
        '<span class="math notranslate nohighlight">\\(x\\)</span>'
        '<div style="width: 900px">too wide</div>'
        '<div class="cell_output"><pre>&lt;routerlab.routing.routers.Random object at 0x7f3a2b1c&gt;</pre></div>')))
    return site


def test_pagecheck_passes_a_clean_page_and_names_every_defect(tiny_site, tmp_path):
    if not Path(pagecheck.CHROMIUM).is_file():
        pytest.fail(f"no browser at {pagecheck.CHROMIUM}: apt-get install -y chromium (.ci/run does)")
    assert pagecheck.find_pages(tiny_site) == ["bad.html", "good.html"]
    good, bad = (r for r in sorted(pagecheck.check_book(tiny_site, ["good.html", "bad.html"],
                                                        screenshots=tmp_path), key=lambda r: r.page != "good.html"))
    assert good.ok, [str(p) for p in good.problems]
    assert (tmp_path / "good.png").is_file() and (tmp_path / "bad.png").is_file()
    found = [str(p) for p in bad.problems]
    assert {p.kind for p in bad.problems} == set(pagecheck.KINDS), found
    text = "\n".join(found)
    for expected in ("console-error: boom", "missing.png: HTTP 404", "https://example.org/remote.png",
                     "nan in the prose", "None in the prose", "quoted string in the prose (once)", "['GPT-4']",
                     "np.float64(", "object repr", "raw TeX", "MathJax is not loaded", "div \"too wide\""):
        assert expected in text, f"{expected!r} not reported:\n{text}"


def test_pagecheck_cli(tiny_site, tmp_path, capsys):
    assert pagecheck.main([str(tiny_site), "--page", "good.html", "--screenshots", str(tmp_path)]) == 0
    assert (tmp_path / "good.png").is_file()
    assert pagecheck.main([str(tiny_site), "--page", "bad.html"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out and all(line.startswith("bad.html: ") for line in out)
    assert pagecheck.main([str(tiny_site), "--page", "nope.html"]) == 2
    assert pagecheck.main([str(tmp_path / "missing")]) == 2
