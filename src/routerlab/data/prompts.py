"""Prompt texts: the few-shot prefix that every prompt of a dataset repeats."""

from __future__ import annotations

import os

import numpy as np

from routerlab.errors import RouterlabError

__all__ = ["strip_shared_prefix"]


def strip_shared_prefix(texts, groups) -> np.ndarray:
    """(n,) object array: each text without the prefix that every text of its group shares.

    ``texts`` (n,) str; ``groups`` (n,) labels (e.g. the dataset of each prompt). A few-shot
    prompt repeats the same worked examples before every question of a dataset; a text feature of
    the whole prompt then mostly sees those examples. Per group, the longest common prefix is cut
    back to the end of its last complete line (so no question loses part of a word or of its
    first line) and removed. A group of one text, or one whose texts share no complete line, is
    left unchanged; a text that would become empty (or only whitespace) keeps its full form.
    """
    texts = np.asarray(["" if t is None else str(t) for t in np.asarray(texts, dtype=object).ravel()], dtype=object)
    groups = np.asarray(groups, dtype=object).ravel()
    if groups.shape != texts.shape:
        raise RouterlabError(f"groups has {groups.size} labels for {texts.size} texts; give one label per text")
    out = texts.copy()
    for g in dict.fromkeys(groups.tolist()):  # first-appearance order; labels need not be sortable
        rows = np.flatnonzero(groups == g)
        if rows.size < 2:
            continue
        shared = os.path.commonprefix(texts[rows].tolist())
        cut = shared.rfind("\n") + 1  # end of the last complete shared line (0: none)
        if cut == 0:
            continue
        for i in rows:
            rest = texts[i][cut:]
            if rest.strip():
                out[i] = rest
    return out
