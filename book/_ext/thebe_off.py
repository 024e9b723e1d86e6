"""Switch sphinx-thebe off: the book has no live code cells and no launch buttons.

Jupyter Book 1 always loads ``sphinx_thebe`` (it is in its default extension list, and
``_config.yml`` cannot remove a default extension), whatever ``launch_buttons: thebe`` says.
sphinx-thebe 0.3.1 then adds, from an ``env-before-read-docs`` handler, an inline script
``const THEBE_JS_URL = ...`` with ``app.add_js_file(None, body=...)``. At that point of the build
Sphinx registers the file twice (once in the registry, once directly on the HTML builder, and
inline scripts are not de-duplicated), so every page declared the constant twice and the browser
logged "SyntaxError: Identifier 'THEBE_JS_URL' has already been declared". The scripts also point
at a remote Thebe bundle and a Binder repository, which an offline book has no use for.

This extension, loaded after the default ones (``sphinx: local_extensions`` in ``_config.yml``),
removes sphinx-thebe's event handlers (no scripts, no per-page ``text/x-thebe-config`` block, no
static folder) and its stylesheet. The ``thebe-button`` directive stays registered, so a page
that used it would still build; nothing in the book does.
"""

from __future__ import annotations

THEBE_MODULE = "sphinx_thebe"


def _remove_thebe_handlers(app) -> int:
    """Disconnect every event handler defined in sphinx_thebe; returns how many were removed."""
    removed = 0
    for listeners in app.events.listeners.values():
        for listener in list(listeners):
            if getattr(listener.handler, "__module__", "") == THEBE_MODULE:
                app.disconnect(listener.id)
                removed += 1
    return removed


def _remove_thebe_assets(app) -> None:
    app.registry.css_files[:] = [(f, a) for f, a in app.registry.css_files
                                 if not str(f).startswith("sphinx-thebe")]
    app.registry.js_files[:] = [(f, a) for f, a in app.registry.js_files
                                if not (str(f).startswith("sphinx-thebe") or "THEBE" in str(a.get("body", "")))]


def setup(app):
    if THEBE_MODULE in app.extensions:
        _remove_thebe_handlers(app)
        _remove_thebe_assets(app)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
