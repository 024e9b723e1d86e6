"""Serve MathJax 3 from the book's own ``_static`` folder instead of a CDN.

Sphinx loads MathJax from cdn.jsdelivr.net by default, so the math of a book read offline never
renders. The MathJax 3.2.2 files ship in the PyPI package ``django-static-mathjax`` (Apache-2.0;
installed with the book extra; its import name is ``mathjax`` and it needs no Django). After the
HTML build this extension copies the parts that ``tex-chtml.js`` loads (the combined TeX/CHTML
component, its fonts, the TeX extensions it may autoload, the menu and accessibility modules) to
``_build/html/_static/mathjax/``, and ``_config.yml`` sets ``mathjax_path: mathjax/tex-chtml.js``
(Sphinx reads a relative ``mathjax_path`` as relative to ``_static``). A missing package is a
warning, so the strict build (``-W``) fails and says how to fix it.
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

#: What tex-chtml.js needs at run time, relative to MathJax's es5/ folder (about 10 MB).
PARTS = ("tex-chtml.js", "input", "output", "ui", "a11y", "sre", "adaptors")
TARGET = "mathjax"  # below _static/


def mathjax_es5_dir() -> Path | None:
    """The es5/ folder of the installed ``django-static-mathjax`` package, or None."""
    spec = importlib.util.find_spec("mathjax")
    if spec is None or not spec.submodule_search_locations:
        return None
    for root in spec.submodule_search_locations:
        es5 = Path(root) / "static" / "mathjax" / "es5"
        if (es5 / "tex-chtml.js").is_file():
            return es5
    return None


def _check(app, config) -> None:
    if mathjax_es5_dir() is None:
        logger.warning("MathJax files not found: install the book extra "
                       "(pip install -e '.[book]', which brings django-static-mathjax)")
    elif "://" in (config.mathjax_path or "") or not config.mathjax_path.startswith(TARGET + "/"):
        logger.warning(f"mathjax_path {config.mathjax_path!r} is not the local copy; "
                       f"set mathjax_path: {TARGET}/tex-chtml.js in _config.yml")


def _copy(app, exception) -> None:
    if exception is not None or app.builder.format != "html":
        return
    es5 = mathjax_es5_dir()
    if es5 is None:
        return
    target = Path(app.outdir) / "_static" / TARGET
    target.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        src = es5 / part
        if src.is_dir():
            shutil.copytree(src, target / part, dirs_exist_ok=True)
        else:
            shutil.copy2(src, target / part)


def setup(app):
    app.connect("config-inited", _check)
    app.connect("build-finished", _copy)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
