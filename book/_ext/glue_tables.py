"""Glued tables numbered as tables.

myst-nb places a glued DataFrame with the ``{glue:figure}`` directive, which makes it a figure:
Sphinx would number it "Fig. N". A ``{glue:figure}`` given ``:figclass: table`` is numbered as a
table instead ("Table N", in the tables' own sequence, and so is a ``{numref}`` to it): the
standard domain reports the figure type "table" for a figure node with the class ``table``.
Nothing else changes (the node stays a figure and is written as one).
"""

from __future__ import annotations

from docutils import nodes
from sphinx.domains.std import StandardDomain

_original = StandardDomain.get_enumerable_node_type


def _enumerable_node_type(self, node):
    if isinstance(node, nodes.figure) and "table" in node.get("classes", []):
        return "table"
    return _original(self, node)


def setup(app):
    StandardDomain.get_enumerable_node_type = _enumerable_node_type
    return {"parallel_read_safe": True, "parallel_write_safe": True}
