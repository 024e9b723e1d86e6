"""Glue a whole ``{key: value}`` dict for the book's prose in one call (chapters' modules return such
dicts, see :mod:`routerlab.chapters`)."""

from __future__ import annotations

from typing import Mapping

from routerlab.book.glue import glue_formatted, glue_value

__all__ = ["glue_dict"]


def glue_dict(values: Mapping) -> None:
    """Glue every ``{key: value}`` with :func:`~routerlab.book.glue.glue_value`; a ``(value, format)``
    pair is glued as text with :func:`~routerlab.book.glue.glue_formatted` ("n/a" when missing)."""
    for key, value in values.items():
        if isinstance(value, tuple):
            glue_formatted(key, *value)
        else:
            glue_value(key, value)
