"""strip_shared_prefix: the few-shot examples every prompt of a group repeats are cut, whole lines only."""

from __future__ import annotations

import numpy as np
import pytest

from routerlab.errors import RouterlabError
from routerlab.routing.features import strip_shared_prefix

SHOTS = "Example: 2+2?\nAnswer: 4\n\n"


def test_cuts_the_shared_lines_per_group():
    texts = [SHOTS + "What is 3+3?", SHOTS + "What is 10-7?", "Other: q1", "Other: q2", "alone\nline"]
    groups = ["math", "math", "misc", "misc", "solo"]
    out = strip_shared_prefix(texts, groups)
    assert out.tolist() == ["What is 3+3?", "What is 10-7?", "Other: q1", "Other: q2", "alone\nline"]
    assert out.dtype == object


def test_never_cuts_inside_a_line_or_word():
    # the common prefix "Q: the cat" ends mid-line (and mid-word for "cathedral"): nothing is cut there
    texts = ["intro\nQ: the cat sat", "intro\nQ: the cathedral"]
    assert strip_shared_prefix(texts, [0, 0]).tolist() == ["Q: the cat sat", "Q: the cathedral"]
    assert strip_shared_prefix(["Q: the cat", "Q: the cathedral"], [0, 0]).tolist() == ["Q: the cat", "Q: the cathedral"]


def test_never_returns_an_empty_text():
    texts = [SHOTS, SHOTS + "real question", SHOTS]
    out = strip_shared_prefix(texts, ["g"] * 3)
    assert out.tolist() == [SHOTS, "real question", SHOTS]
    same = strip_shared_prefix(["x\ny", "x\ny"], [1, 1])
    assert all(t.strip() for t in same)


def test_groups_are_independent_and_labels_need_not_sort():
    texts = [SHOTS + "a", "B\nb1", SHOTS + "c", "B\nb2"]
    groups = np.array([None, 1, None, 1], dtype=object)
    assert strip_shared_prefix(texts, groups).tolist() == ["a", "b1", "c", "b2"]
    with pytest.raises(RouterlabError, match="one label per text"):
        strip_shared_prefix(texts, [1, 2])
