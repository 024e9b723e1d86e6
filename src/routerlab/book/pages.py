"""Open every page of the built book in headless Chromium and check what a reader would see.

The HTML folder is served on a localhost port (``http.server`` in a thread) and each page is
opened in Debian's Chromium (``/usr/bin/chromium``), driven by Playwright with a fresh profile;
Playwright never downloads a browser here. For every page the check reports:

- ``console-error``: a ``console.error`` message or an uncaught JavaScript exception;
- ``failed-request``: a request that failed or got an HTTP status >= 400;
- ``external-request``: a request to any host other than the local server (it is blocked);
- ``broken-image``: an ``<img>`` that did not load (``naturalWidth == 0``);
- ``math``: math that MathJax did not render (a ``.math`` element without ``mjx-container``, a
  MathJax error, or raw ``$$``, ``\\(``, ``\\[`` or ``$...\\cmd...$`` left in the text);
- ``too-wide``: an element wider than the content column (the article's ``scrollWidth`` exceeds
  its ``clientWidth``; content inside a scrolling wrapper, e.g. a wide table, is fine), or a page
  that scrolls sideways;
- ``python-repr``: a Python repr in the visible text, outside code: ``nan``, ``None``, ``<NA>``,
  ``NaT``, ``<... object at 0x...>``, ``np.float64(...)``, or a quoted string ``'some text'``.

A full-page screenshot of each page can be saved (``--screenshots DIR``, mirroring the HTML tree).

    python -m routerlab.book.pages _build/html --screenshots _build/screenshots

prints one line per problem, ``PAGE: KIND: detail``, after checking every page, and exits with
status 1 if there was any (2 on bad arguments or when the browser cannot start).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from routerlab.errors import RouterlabError

__all__ = ["KINDS", "CHROMIUM", "CHROMIUM_ARGS", "VIEWPORT", "Problem", "PageResult", "find_pages",
           "serve", "PageChecker", "check_book", "repr_problems", "main"]

#: The kinds of problem a page can have (the first word of each reported line).
KINDS = ("console-error", "failed-request", "external-request", "broken-image", "math",
         "too-wide", "python-repr")
#: Debian's Chromium (``apt-get install -y chromium``); Playwright drives it, never downloads one.
CHROMIUM = "/usr/bin/chromium"
#: Command-line switches: headless, no sandbox (CI runs as root), and nothing that phones home.
#: ``--host-resolver-rules`` makes any name lookup but the server's fail: a second guard besides
#: the request filter.
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1")
#: A desktop window: the content column is then its full width beside the two sidebars.
VIEWPORT = {"width": 1280, "height": 900}
#: Seconds to wait for a page to load, and then for MathJax, fonts and images to settle.
PAGE_TIMEOUT = 60.0


@dataclass(frozen=True)
class Problem:
    """One thing wrong on a page: ``kind`` is one of ``KINDS``, ``detail`` a one-line reason."""

    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


@dataclass
class PageResult:
    """What the check found on one page (``page`` is relative to the HTML folder)."""

    page: str
    problems: list[Problem] = field(default_factory=list)
    screenshot: Path | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems


def find_pages(html_dir: str | Path) -> list[str]:
    """Every HTML page of a built book, relative to ``html_dir`` with ``/`` separators, sorted.

    Sphinx's own folders (``_static``, ``_sources``, ``_images``, ...: any path part starting with
    ``_`` or ``.``) are not pages.
    """
    html_dir = Path(html_dir)
    if not (html_dir / "index.html").is_file() and not any(html_dir.glob("*.html")):
        raise RouterlabError(f"{str(html_dir)!r} holds no built book (no .html file); "
                             "build it with `make book` or pass the _build/html folder")
    pages = []
    for path in html_dir.rglob("*.html"):
        rel = path.relative_to(html_dir)
        if any(part.startswith(("_", ".")) for part in rel.parts[:-1]):
            continue
        pages.append(rel.as_posix())
    return sorted(pages)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass


class serve:
    """Serve ``html_dir`` on ``127.0.0.1`` (a free port) from a daemon thread; a context manager
    whose value is the base URL, e.g. ``http://127.0.0.1:43117/``."""

    def __init__(self, html_dir: str | Path):
        handler = functools.partial(_QuietHandler, directory=str(html_dir))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        host, port = self.server.server_address[:2]
        self.netloc = f"{host}:{port}"
        self.url = f"http://{self.netloc}/"
        self._thread = threading.Thread(target=self.server.serve_forever, name="pagecheck-http",
                                        daemon=True)

    def __enter__(self) -> str:
        self._thread.start()
        return self.url

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)


# --------------------------------------------------------------------------- checks in the page

#: Runs in the page once it has loaded: waits for MathJax, fonts and images, then measures.
_SETTLE_JS = """
async (timeoutMs) => {
  const deadline = new Promise(r => setTimeout(() => r('timeout'), timeoutMs));
  const settle = (async () => {
    for (const img of document.images) img.loading = 'eager';
    if (document.querySelector('.math')) {
      for (let i = 0; i < 30 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
        await new Promise(r => setTimeout(r, 100));
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) await MathJax.startup.promise;
    }
    await document.fonts.ready;
    await Promise.all([...document.images].map(img => img.complete ? null :
      new Promise(r => { img.addEventListener('load', r); img.addEventListener('error', r); })));
    return 'ok';
  })();
  return await Promise.race([settle, deadline]);
}
"""

_MEASURE_JS = r"""
() => {
  const describe = el => {
    let d = el.tagName.toLowerCase();
    if (el.id) d += '#' + el.id;
    const cls = [...el.classList].slice(0, 3);
    if (cls.length) d += '.' + cls.join('.');
    const text = (el.innerText || el.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60);
    return text ? `${d} "${text}"` : d;
  };
  const out = {images: [], math: {}, wide: {}};
  // images
  for (const img of document.images) {
    if (!img.complete || img.naturalWidth === 0)
      out.images.push(img.getAttribute('src') || '(no src)');
  }
  // math
  const mathEls = [...document.querySelectorAll('.math')];
  out.math.count = mathEls.length;
  out.math.mathjax = !!(window.MathJax && MathJax.startup);
  out.math.rendered = document.querySelectorAll('mjx-container').length;
  out.math.unrendered = mathEls.filter(e => !e.querySelector('mjx-container'))
    .map(e => (e.textContent || '').replace(/\s+/g, ' ').trim().slice(0, 60));
  out.math.errors = [...document.querySelectorAll('mjx-merror')]
    .map(e => (e.getAttribute('data-mjx-error') || e.textContent || '').trim().slice(0, 80));
  // width: the content column and the page
  const col = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const doc = document.documentElement;
  out.wide = {column: describe(col).split(' ')[0], scrollWidth: col.scrollWidth,
              clientWidth: col.clientWidth, docScrollWidth: doc.scrollWidth,
              docClientWidth: doc.clientWidth, culprits: []};
  if (col.scrollWidth > col.clientWidth + 1) {
    const box = col.getBoundingClientRect();
    const style = getComputedStyle(col);
    const left = box.left + parseFloat(style.borderLeftWidth);
    const right = left + col.clientWidth;
    const insideScroller = el => {
      for (let a = el.parentElement; a && a !== col; a = a.parentElement)
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      return false;
    };
    const offenders = new Set();
    for (const el of col.querySelectorAll('*')) {
      if (el.closest('mjx-assistive-mml')) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if (r.right <= right + 1 && r.left >= left - 1) continue;
      if (getComputedStyle(el).position === 'fixed' || insideScroller(el)) continue;
      offenders.add(el);
    }
    for (const el of offenders) {
      if (offenders.has(el.parentElement)) continue;
      const r = el.getBoundingClientRect();
      out.wide.culprits.push(`${describe(el)} (${Math.round(r.width)} px, ` +
        `${Math.round(Math.max(r.right - right, left - r.left))} px past the column)`);
    }
  }
  return out;
}
"""

#: Hidden while the visible text is read: code (cell inputs, literal blocks, inline code), math,
#: the header anchors and the page chrome outside the article.
_TEXT_JS = r"""
() => {
  const col = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const style = document.createElement('style');
  style.textContent = `
    .cell_input, div.highlight:not(.cell_output *), pre:not(.cell_output *), code:not(.cell_output *),
    kbd, samp, mjx-container, .math, a.headerlink, .cell_output { display: none !important; }`;
  document.head.appendChild(style);
  const prose = col.innerText;
  style.textContent = `.cell_input, mjx-container, a.headerlink { display: none !important; }`;
  const outputs = [...col.querySelectorAll('.cell_output')].map(e => e.innerText).join('\n');
  style.remove();
  return {prose, outputs};
}
"""

#: Python reprs that should never reach a reader: (pattern, what it is).
_REPRS = (
    (re.compile(r"(?<![\w.])(?:nan|NaN|NAN)(?!\w)"), "nan"),
    (re.compile(r"(?<![\w.])None(?!\w)"), "None"),
    (re.compile(r"<NA>|(?<!\w)NaT(?!\w)"), "pandas missing value"),
    (re.compile(r"\bat 0x[0-9a-fA-F]{4,}"), "object repr"),
    (re.compile(r"\bnp\.(?:float|int|uint|bool|str|complex)\w*\(|\bnp\.(?:True|False)_"),
     "numpy scalar repr"),
    (re.compile(r"(?<![\w'’])'[^'\n]{1,80}'(?![\w'])|‘[^‘’\n]{1,80}’"), "quoted string"),
)
_SENTENCE_START = re.compile(r"(?:^|[.!?]\s+|\n\s*)$")
_LOWERCASE_WORD = re.compile(r"\s+[a-z]")


def _is_prose_use(text: str, m: re.Match) -> bool:
    """True for a match that is English, not a value: a word in double quotes (the prose naming
    "nan"), or a sentence that starts "None of ..."."""
    before, after = text[max(0, m.start() - 1):m.start()], text[m.end():m.end() + 1]
    if before and after and before in "“\"" and after in "”\"":
        return True
    return (m.group(0) == "None" and _SENTENCE_START.search(text[max(0, m.start() - 3):m.start()]) is not None
            and _LOWERCASE_WORD.match(text, m.end()) is not None)


#: TeX that MathJax should have turned into math: display/inline delimiters, or $...\cmd...$.
_RAW_TEX = re.compile(r"\$\$.{0,200}?\$\$|\\\(.{0,200}?\\\)|\\\[.{0,200}?\\\]|\$\$|\\[()[\]]|\\begin\{"
                     r"|\$[^$\n]{0,80}\\[A-Za-z]+[^$\n]{0,80}\$", re.DOTALL)


_META_REFRESH = re.compile(r"<meta\s+http-equiv=[\"']?refresh[\"']?\s+content=[\"']?\d+\s*;\s*url=([^\"'>\s]+)",
                           re.IGNORECASE)


def _redirect_target(path: Path) -> str | None:
    """The URL a ``<meta http-equiv="refresh">`` page sends the reader to, or None."""
    try:
        head = path.read_text(encoding="utf-8", errors="replace")[:4000]
    except OSError:
        return None
    m = _META_REFRESH.search(head)
    return m.group(1) if m else None


def _snippet(text: str, start: int, end: int, width: int = 30) -> str:
    left = text[max(0, start - width):start]
    right = text[end:end + width]
    return " ".join(f"...{left}[{text[start:end]}]{right}...".split())


def repr_problems(text: str, where: str) -> list[Problem]:
    """``python-repr`` problems in ``text`` (the visible prose or cell outputs of a page, as
    ``where`` says): one per kind of repr, with how often it occurs and its first context."""
    problems = []
    for pattern, what in _REPRS:
        hits = [m for m in pattern.finditer(text) if not _is_prose_use(text, m)]
        if not hits:
            continue
        distinct = list(dict.fromkeys(m.group(0) for m in hits))
        count = f"{len(hits)} times" if len(hits) > 1 else "once"
        if len(distinct) > 1:
            count += ", e.g. " + ", ".join(distinct[:3])
        problems.append(Problem("python-repr", f"{what} in the {where} ({count}): "
                                               f"{_snippet(text, hits[0].start(), hits[0].end())}"))
    return problems


def _raw_tex_problems(text: str) -> list[Problem]:
    hits = [_snippet(text, m.start(), m.end()) for m in _RAW_TEX.finditer(text)]
    if not hits:
        return []
    more = f" (and {len(hits) - 1} more)" if len(hits) > 1 else ""
    return [Problem("math", f"raw TeX left in the text: {hits[0]}{more}")]


class PageChecker:
    """A local server plus one headless Chromium (fresh profile) that checks pages one by one,
    each in a new browser context.

        with PageChecker("_build/html") as checker:
            result = checker.check("notebooks/03_algorithms.html", screenshots="_build/screenshots")
    """

    def __init__(self, html_dir: str | Path, chromium: str = CHROMIUM, viewport: dict | None = None,
                 timeout: float = PAGE_TIMEOUT):
        self.html_dir = Path(html_dir)
        self.chromium = chromium
        self.viewport = dict(viewport or VIEWPORT)
        self.timeout = timeout
        self._server = None
        self._playwright = None
        self._browser = None

    def __enter__(self) -> PageChecker:
        if not Path(self.chromium).is_file():
            raise RouterlabError(f"Chromium not found at {self.chromium}; install it with "
                                 "`apt-get install -y chromium` (Playwright must not download one)")
        try:
            from playwright.sync_api import sync_playwright
        except ImportError as exc:
            raise RouterlabError("playwright is not installed: pip install -e '.[test]'") from exc
        self._server = serve(self.html_dir)
        self.base_url = self._server.__enter__()
        try:
            self._playwright = sync_playwright().start()
            # Playwright gives the browser a fresh temporary profile (--user-data-dir) and deletes
            # it on close; it adds --headless itself too (kept in CHROMIUM_ARGS to be explicit).
            self._browser = self._playwright.chromium.launch(
                executable_path=self.chromium, headless=True, args=list(CHROMIUM_ARGS))
        except Exception as exc:
            self.__exit__(None, None, None)
            raise RouterlabError(f"Chromium ({self.chromium}) did not start: "
                                 f"{' '.join(str(exc).split())[:300]}") from exc
        return self

    def __exit__(self, *exc) -> None:
        for closer in (lambda: self._browser and self._browser.close(),
                       lambda: self._playwright and self._playwright.stop(),
                       lambda: self._server and self._server.__exit__(None, None, None)):
            try:
                closer()
            except Exception:  # noqa: BLE001 - tearing down; the first error already surfaced
                pass
        self._browser = self._playwright = self._server = None

    def _is_local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or parts.netloc == self._server.netloc

    def check(self, page_path: str, screenshots: str | Path | None = None) -> PageResult:
        """Open ``page_path`` (relative to the HTML folder), wait until it has settled, and return
        every problem found; with ``screenshots``, save a full-page PNG there."""
        result = PageResult(page_path)
        problems = result.problems
        start = time.perf_counter()
        # A new context per page (empty storage and cache): every page is checked as a reader's
        # first visit, whatever was checked before it.
        context = self._browser.new_context(
            viewport=self.viewport, device_scale_factor=1, service_workers="block", locale="en-US",
            timezone_id="UTC", reduced_motion="reduce")
        external: list[str] = []

        def route(route):  # every request of the context (page, frames, workers) passes here
            if self._is_local(route.request.url):
                route.continue_()
            else:
                external.append(route.request.url)
                route.abort("blockedbyclient")

        context.route("**/*", route)
        page = context.new_page()

        def on_console(msg):
            if msg.type != "error":
                return
            text = " ".join(msg.text.split())
            if text.startswith("Failed to load resource"):
                return  # the request itself is reported as failed-request / external-request
            loc = msg.location or {}
            where = f" ({Path(urlsplit(loc['url']).path).name}:{loc.get('lineNumber')})" if loc.get("url") else ""
            problems.append(Problem("console-error", f"{text[:200]}{where}"))

        def on_pageerror(err):
            problems.append(Problem("console-error", f"uncaught {' '.join(str(err).split())[:200]}"))

        def on_failed(request):
            if self._is_local(request.url):
                problems.append(Problem("failed-request", f"{request.url.replace(self.base_url, '/')}: "
                                                          f"{request.failure}"))

        def on_response(response):
            if response.status >= 400 and self._is_local(response.url):
                problems.append(Problem("failed-request", f"{response.url.replace(self.base_url, '/')}: "
                                                          f"HTTP {response.status}"))

        page.on("console", on_console)
        page.on("pageerror", on_pageerror)
        page.on("requestfailed", on_failed)
        page.on("response", on_response)
        try:
            response = page.goto(self.base_url + page_path, wait_until="load",
                                 timeout=self.timeout * 1000)
            if response is None:
                problems.append(Problem("failed-request", "the page itself: no response"))
                return result
            if response.status >= 400:
                return result  # reported by on_response
            target = _redirect_target(self.html_dir / page_path)
            if target is not None:  # e.g. index.html -> book/intro.html: check where it lands
                landing = urljoin(self.base_url + page_path, target)
                page.wait_for_url(landing, wait_until="load", timeout=self.timeout * 1000)
            settled = page.evaluate(_SETTLE_JS, self.timeout * 1000)
            if settled != "ok":
                problems.append(Problem("math", f"MathJax, fonts or images did not settle within {self.timeout:.0f} s"))
            try:
                page.wait_for_load_state("networkidle", timeout=10_000)
            except Exception:  # noqa: BLE001 - a page that keeps polling is not itself a defect
                pass
            if screenshots is not None:
                shot = Path(screenshots) / Path(page_path).with_suffix(".png")
                shot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(shot), full_page=True)
                result.screenshot = shot
            measured = page.evaluate(_MEASURE_JS)
            texts = page.evaluate(_TEXT_JS)
        except Exception as exc:  # noqa: BLE001 - a page that cannot be checked is a failure
            problems.append(Problem("failed-request", f"the page could not be checked: "
                                                     f"{' '.join(str(exc).split())[:200]}"))
            return result
        finally:
            context.close()
            result.seconds = time.perf_counter() - start
            for url in dict.fromkeys(external):
                problems.append(Problem("external-request", f"{url} (blocked)"))

        for src in measured["images"]:
            problems.append(Problem("broken-image", f"<img src={src!r}> did not load (naturalWidth 0)"))
        math = measured["math"]
        if math["count"] and not math["mathjax"]:
            problems.append(Problem("math", f"{math['count']} math element(s) but MathJax is not loaded"))
        if math["unrendered"]:
            problems.append(Problem("math", f"{len(math['unrendered'])} of {math['count']} math element(s) "
                                            f"not rendered by MathJax, e.g. {math['unrendered'][0]!r}"))
        for error in dict.fromkeys(math["errors"]):
            problems.append(Problem("math", f"MathJax error: {error!r}"))
        problems.extend(_raw_tex_problems(texts["prose"]))
        wide = measured["wide"]
        if wide["scrollWidth"] > wide["clientWidth"] + 1:
            culprits = "; ".join(wide["culprits"][:3]) or "no single element found"
            more = f" (+{len(wide['culprits']) - 3} more)" if len(wide["culprits"]) > 3 else ""
            problems.append(Problem("too-wide", f"content {wide['scrollWidth']} px wide in a "
                                                f"{wide['clientWidth']} px column ({wide['column']}): "
                                                f"{culprits}{more}"))
        if wide["docScrollWidth"] > wide["docClientWidth"] + 1:
            problems.append(Problem("too-wide", f"the page scrolls sideways: {wide['docScrollWidth']} px "
                                                f"in a {wide['docClientWidth']} px window"))
        problems.extend(repr_problems(texts["prose"], "prose"))
        problems.extend(repr_problems(texts["outputs"], "output"))
        return result


def check_book(html_dir: str | Path, pages: list[str] | None = None,
               screenshots: str | Path | None = None, chromium: str = CHROMIUM,
               progress=None) -> list[PageResult]:
    """Check ``pages`` (default: every page, ``find_pages``) of the book in ``html_dir``;
    ``progress(result)`` is called after each page."""
    pages = find_pages(html_dir) if pages is None else list(pages)
    results = []
    with PageChecker(html_dir, chromium=chromium) as checker:
        for page in pages:
            results.append(checker.check(page, screenshots=screenshots))
            if progress is not None:
                progress(results[-1])
    return results


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m routerlab.book.pages HTML_DIR [--screenshots DIR] [--page P ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m routerlab.book.pages",
        description="Open every page of the built book in headless Chromium and report console "
                    "errors, failed or external requests, broken images, unrendered math, content "
                    "wider than the column and Python reprs in the text.")
    parser.add_argument("html_dir", help="the built book, e.g. _build/html")
    parser.add_argument("--screenshots", metavar="DIR", default=None,
                        help="save a full-page PNG of each page here (mirroring the HTML tree)")
    parser.add_argument("--page", action="append", default=None, metavar="PAGE",
                        help="check only this page (relative to HTML_DIR, e.g. notebooks/03_algorithms.html); "
                             "repeatable")
    parser.add_argument("--chromium", default=CHROMIUM, help=f"the browser (default {CHROMIUM})")
    args = parser.parse_args(argv)
    try:
        html_dir = Path(args.html_dir)
        pages = find_pages(html_dir)
        if args.page:
            unknown = [p for p in args.page if p not in pages]
            if unknown:
                raise RouterlabError(f"not a page of {html_dir}: {', '.join(unknown)}")
            pages = args.page

        def progress(result: PageResult) -> None:
            state = "ok" if result.ok else f"{len(result.problems)} problem(s)"
            print(f"{result.page}: {state} ({result.seconds:.1f} s)", file=sys.stderr, flush=True)

        start = time.perf_counter()
        results = check_book(html_dir, pages, screenshots=args.screenshots, chromium=args.chromium,
                             progress=progress)
    except RouterlabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    failed = [r for r in results if not r.ok]
    for result in failed:
        for problem in result.problems:
            print(f"{result.page}: {problem}")
    summary = (f"{len(results)} page(s) checked in {time.perf_counter() - start:.1f} s: "
               f"{len(failed)} with problems, {sum(len(r.problems) for r in failed)} problem(s)")
    if args.screenshots:
        summary += f"; screenshots in {args.screenshots}"
    print(summary, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
